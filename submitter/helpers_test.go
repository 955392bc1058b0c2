package submitter

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest"
	"go.uber.org/zap/zaptest/observer"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/internal/txtest"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

var vs = contracts.NewValidatorSet()

// env is one test's chain, contract and node endpoint (through a proxy that
// counts and can drop eth_sendRawTransaction).
type env struct {
	t        *testing.T
	net      *testnet.Net
	contract common.Address
	proxy    *sendProxy
}

// newEnv starts a testnet without block awards (the contract holds only
// what a test sends it) and funds the validators for gas. validators is how
// many of the 3 signers are the contract's validators: 1 makes signer 0 a
// majority alone; 3 needs two votes for a root.
func newEnv(t *testing.T, validators int) *env {
	t.Helper()
	n := testnet.New(t, testnet.Options{Validators: validators, NoAwards: true})
	e := &env{t: t, net: n, contract: n.Contract}
	var txs []*types.Transaction
	for _, k := range n.Signers {
		to := testnet.Addr(k)
		tx, err := n.Chain.SendTx(context.Background(), n.Users[1], &to, big.NewInt(params.Ether), nil)
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	n.Commit(t, txs...)
	e.proxy = startProxy(t, n.Chain.RPCURL())
	return e
}

// sub returns e for a subtest.
func (e *env) sub(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// mineEvery mines a block every d until the test ends (or stop is called).
func (e *env) mineEvery(d time.Duration) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(d)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				if _, err := e.net.Chain.Mine(); err != nil && !errors.Is(err, devchain.ErrClosed) {
					e.t.Errorf("mine: %v", err)
					return
				}
			}
		}
	}()
	var once sync.Once
	stop = func() { once.Do(func() { close(done); wg.Wait() }) }
	e.t.Cleanup(stop)
	return stop
}

// client dials the node through the proxy.
func (e *env) client() *ethclient.Client { return txtest.Dial(e.t, e.proxy.URL()) }

// ledger opens a fresh ledger for the env's chain and contract.
func (e *env) ledger() *ledger.Ledger { return openLedgerFor(e.t, devchain.DefaultChainID, e.contract) }

func openLedgerFor(t *testing.T, chainID uint64, contract common.Address) *ledger.Ledger {
	t.Helper()
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"), ledger.Identity{ChainID: chainID, Contract: contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// config is a test configuration for key.
func (e *env) config(key *ecdsa.PrivateKey) Config {
	ks, pw := writeKey(e.t, key, "secret", 0o600, 0o600)
	return Config{
		Config: txsend.Config{
			ChainID:       devchain.DefaultChainID,
			Confirmations: 2,
			ResendAfter:   time.Hour,
			PollInterval:  20 * time.Millisecond,
			RPCTimeout:    5 * time.Second,
		},
		Contract:     e.contract,
		KeystoreFile: ks,
		PasswordFile: pw,
	}
}

// submitter builds a Submitter through the proxy; log may be nil.
func (e *env) submitter(cfg Config, l *ledger.Ledger, b Backend, log *zap.Logger) *Submitter {
	e.t.Helper()
	if b == nil {
		b = e.client()
	}
	if log == nil {
		log = zaptest.NewLogger(e.t, zaptest.Level(zapcore.WarnLevel))
	}
	s, err := New(context.Background(), cfg, b, l, log, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return s
}

// call reads the contract directly (not through the proxy).
func (e *env) call(data []byte) []byte {
	e.t.Helper()
	out, err := e.net.Chain.Client().CallContract(context.Background(), ethereum.CallMsg{To: &e.contract, Data: data}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return out
}

func (e *env) nextEpoch() uint64 {
	n, err := vs.UnpackNextEpoch(e.call(vs.PackNextEpoch()))
	if err != nil {
		e.t.Fatal(err)
	}
	return n.Uint64()
}

func (e *env) voteCount(v Vote) uint64 {
	n, err := vs.UnpackVoteCount(e.call(vs.PackVoteCount(new(big.Int).SetUint64(v.Epoch), v.Root, v.Total, v.ResultHash)))
	if err != nil {
		e.t.Fatal(err)
	}
	return n.Uint64()
}

func (e *env) nonce(a common.Address) uint64 {
	n, err := e.net.Chain.Client().NonceAt(context.Background(), a, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// voteBy sends key's vote directly and mines it.
func (e *env) voteBy(key *ecdsa.PrivateKey, v Vote) {
	e.t.Helper()
	data := vs.PackSubmitRoot(new(big.Int).SetUint64(v.Epoch), v.Root, v.Total, v.ResultHash)
	tx, err := e.net.Chain.SendTx(context.Background(), key, &e.contract, nil, data)
	if err != nil {
		e.t.Fatal(err)
	}
	rs, err := e.net.Chain.Commit(tx)
	if err != nil {
		e.t.Fatal(err)
	}
	if rs[0].Status != types.ReceiptStatusSuccessful {
		e.t.Fatalf("vote by %s reverted", testnet.Addr(key))
	}
}

// records returns the submitter records in l.
func records(t *testing.T, l *ledger.Ledger) map[uint64]*record {
	t.Helper()
	out := map[uint64]*record{}
	err := l.Records(ledger.BucketSubmitter).Each(0, func(epoch uint64, v []byte) error {
		r, err := decodeRecord(epoch, v)
		out[epoch] = r
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// writeKey writes an encrypted keystore (light scrypt) and a password file
// with the given modes.
func writeKey(t *testing.T, key *ecdsa.PrivateKey, password string, ksMode, pwMode os.FileMode) (ks, pw string) {
	t.Helper()
	blob, err := keystore.EncryptKey(&keystore.Key{Address: testnet.Addr(key), PrivateKey: key}, password, keystore.LightScryptN, keystore.LightScryptP)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	ks, pw = filepath.Join(dir, "key.json"), filepath.Join(dir, "password")
	if err := os.WriteFile(ks, blob, ksMode); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pw, []byte(password+"\n"), pwMode); err != nil {
		t.Fatal(err)
	}
	// WriteFile's mode is filtered by the umask; set it exactly.
	if err := os.Chmod(ks, ksMode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(pw, pwMode); err != nil {
		t.Fatal(err)
	}
	return ks, pw
}

func observed(t *testing.T) (*zap.Logger, *observer.ObservedLogs) { return txtest.Observed(t) }

// sendProxy is txtest's counting proxy under the names these tests use.
type sendProxy struct {
	*txtest.SendProxy
	sends    *atomic.Int64 // eth_sendRawTransaction requests received
	requests *atomic.Int64 // all requests received
	drop     *atomic.Int64 // drop this many more sends
	dropAll  *atomic.Bool
}

func startProxy(t *testing.T, target string) *sendProxy {
	p := txtest.StartSendProxy(t, target)
	return &sendProxy{SendProxy: p, sends: &p.Sends, requests: &p.Requests, drop: &p.Drop, dropAll: &p.DropAll}
}
