// Package txtest helps the tests of the transaction path (txsend, the
// submitter, rewardctl's sending commands): a JSON-RPC proxy in front of a
// real node that counts the broadcasts it sees and drops them on demand,
// so that a test can lose a broadcast on purpose and prove that a
// transaction went out exactly once; a flaky node; an observed logger.
package txtest

import (
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/cmt-rewards/cmt-rewards/internal/rpcproxy"
)

// SendProxy forwards JSON-RPC to a node, counting every request and every
// eth_sendRawTransaction, and dropping broadcasts while Drop is positive
// (each dropped one decrements it) or DropAll is set: the node never sees
// a dropped broadcast and the client gets a 502.
type SendProxy struct {
	*rpcproxy.Proxy
	Sends    atomic.Int64 // eth_sendRawTransaction requests received, dropped ones included
	Requests atomic.Int64 // all requests received
	Drop     atomic.Int64 // drop this many more broadcasts
	DropAll  atomic.Bool  // drop every broadcast
}

// StartSendProxy starts a SendProxy in front of target; the test's cleanup
// closes it.
func StartSendProxy(t testing.TB, target string) *SendProxy {
	t.Helper()
	px, err := rpcproxy.Start(target, rpcproxy.Faults{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Close() })
	p := &SendProxy{Proxy: px}
	px.SetIntercept(func(body []byte) bool {
		p.Requests.Add(1)
		if !IsSend(body) {
			return false
		}
		p.Sends.Add(1)
		return p.DropAll.Load() || p.Drop.Add(-1) >= 0
	})
	return p
}

// IsSend reports whether a JSON-RPC request body, single or batch, holds
// an eth_sendRawTransaction.
func IsSend(body []byte) bool {
	var one struct{ Method string }
	if json.Unmarshal(body, &one) == nil {
		return one.Method == "eth_sendRawTransaction"
	}
	var batch []struct{ Method string }
	if json.Unmarshal(body, &batch) == nil {
		for _, m := range batch {
			if m.Method == "eth_sendRawTransaction" {
				return true
			}
		}
	}
	return false
}

// Dial returns a client of url that the test's cleanup closes.
func Dial(t testing.TB, url string) *ethclient.Client {
	t.Helper()
	c, err := ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// Flaky returns a client of target through a proxy that drops a fifth of
// all requests and delays another fifth by 30ms (repeatably: seed 7), and
// the proxy, to count what it dropped. The test's cleanup closes both.
func Flaky(t testing.TB, target string) (*rpcproxy.Proxy, *ethclient.Client) {
	t.Helper()
	p, err := rpcproxy.Start(target, rpcproxy.Faults{Drop: 0.2, Delay: 0.2, DelayFor: 30 * time.Millisecond}, 7)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p, Dial(t, p.URL())
}

// Observed returns a logger that both records Info and above, for a test
// to look for messages, and writes Warn and above to the test's log.
func Observed(t testing.TB) (*zap.Logger, *observer.ObservedLogs) {
	core, logs := observer.New(zapcore.InfoLevel)
	return zap.New(zapcore.NewTee(core, zaptest.NewLogger(t, zaptest.Level(zapcore.WarnLevel)).Core())), logs
}
