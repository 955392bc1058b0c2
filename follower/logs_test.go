package follower

import (
	"bytes"
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/internal/rpcproxy"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// rewriteLogs returns reply with f applied to the logs of every element of
// an eth_getLogs batch reply that has any; body is the request. Elements f
// does not change keep their bytes.
func rewriteLogs(body, reply []byte, f func(logs []map[string]any) []map[string]any) []byte {
	if !bytes.Contains(body, []byte(`"eth_getLogs"`)) || !bytes.Contains(body, []byte(`"blockHash"`)) {
		return reply
	}
	var elems []map[string]json.RawMessage
	if err := json.Unmarshal(reply, &elems); err != nil {
		return reply
	}
	for _, e := range elems {
		var logs []map[string]any
		if err := json.Unmarshal(e["result"], &logs); err != nil || len(logs) == 0 {
			continue
		}
		b, _ := json.Marshal(f(logs))
		e["result"] = b
	}
	out, _ := json.Marshal(elems)
	return out
}

// TestFollowRefusesBadLogs plays a node (through the fault proxy) that
// answers eth_getLogs wrongly, for the block of one stake: the follower
// refuses the reply or retries, stores nothing wrong, and follows the chain
// exactly once the node answers right.
func TestFollowRefusesBadLogs(t *testing.T) {
	t.Parallel()
	foreign := common.BytesToHash(common.HexToAddress("0x00000000000000000000000000000000f0f0f0f0").Bytes())
	tests := []struct {
		name string
		once bool // the fault hits the first reply only (a transit fault)
		bad  func(log map[string]any, logs []map[string]any) []map[string]any
		want string // in the refusal; "" for a fault the double fetch retries
	}{
		{
			name: "foreign topic",
			bad: func(l map[string]any, logs []map[string]any) []map[string]any {
				l["topics"].([]any)[1] = foreign.Hex() // a delegator the block never saw
				return logs
			},
			want: "topic 1 " + foreign.Hex() + " is not in its block's bloom filter",
		},
		{
			name: "log of another block hash",
			bad: func(l map[string]any, logs []map[string]any) []map[string]any {
				l["blockHash"] = common.HexToHash("0x1234").Hex()
				return logs
			},
			want: "asked for block",
		},
		{
			name: "log of another block number",
			bad: func(l map[string]any, logs []map[string]any) []map[string]any {
				n, _ := hexutil.DecodeUint64(l["blockNumber"].(string))
				l["blockNumber"] = hexutil.EncodeUint64(n + 1)
				return logs
			},
			want: "asked for block",
		},
		{
			name: "log of another contract",
			bad: func(l map[string]any, logs []map[string]any) []map[string]any {
				l["address"] = common.HexToAddress("0xdead").Hex()
				return logs
			},
			want: "not the contract",
		},
		{
			name: "dropped log, once",
			once: true,
			bad: func(_ map[string]any, logs []map[string]any) []map[string]any {
				return logs[1:]
			},
		},
		{
			name: "foreign topic, once",
			once: true,
			bad: func(l map[string]any, logs []map[string]any) []map[string]any {
				l["topics"].([]any)[1] = foreign.Hex()
				return logs
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			n := newTestNet(t)
			ctx := context.Background()
			if err := n.Chain.MineN(10); err != nil {
				t.Fatal(err)
			}
			rcpts, err := n.Chain.Commit(n.stake(t, 1, 500))
			if err != nil {
				t.Fatal(err)
			}
			target := rcpts[0].BlockNumber.Uint64()
			if err := n.Chain.MineN(10); err != nil {
				t.Fatal(err)
			}
			proxy, err := rpcproxy.Start(n.Chain.RPCURL(), rpcproxy.Faults{}, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer proxy.Close()
			var hits atomic.Int64
			proxy.SetRewrite(func(body, reply []byte) []byte {
				return rewriteLogs(body, reply, func(logs []map[string]any) []map[string]any {
					if logs[0]["blockNumber"] != hexutil.EncodeUint64(target) || (tc.once && hits.Add(1) > 1) {
						return logs
					}
					if !tc.once {
						hits.Add(1)
					}
					return tc.bad(logs[0], logs)
				})
			})
			client, err := rpc.Dial(proxy.URL())
			if err != nil {
				t.Fatal(err)
			}
			defer client.Close()
			l, err := ledger.Open(filepath.Join(t.TempDir(), "l.db"), ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer l.Close()
			f := New(Config{Contract: n.Contract, CliqueEpoch: 50, BatchSize: 7, Concurrency: 2, Attempts: 3,
				RetryDelay: time.Millisecond, RPCTimeout: 5 * time.Second}, client, l, zaptest.NewLogger(t))
			head := n.Chain.Head().Number.Uint64()

			got, err := f.SyncOnce(ctx)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("synced to %d: %v; want a refusal with %q", got, err, tc.want)
				}
				// Nothing of the refused batch is stored; what is, is right.
				h, ok, _ := l.Head()
				if ok && h.Number >= target {
					t.Fatalf("ledger head %d, at or past the bad block %d", h.Number, target)
				}
				if ok {
					n.checkLedger(t, l, h.Number)
				}
				proxy.SetRewrite(nil) // the node answers right again
				got, err = f.SyncOnce(ctx)
			}
			if err != nil || got != head {
				t.Fatalf("synced to %d, want %d: %v", got, head, err)
			}
			if hits.Load() == 0 {
				t.Fatal("the fault never hit")
			}
			if tc.once && f.Stats.RPCErrors.Load() == 0 {
				t.Fatal("the bad reply was not noticed")
			}
			n.checkLedger(t, l, head)
		})
	}
}

// TestFollowAsksBloomBlocks: logs are asked for by block hash for exactly
// the blocks whose bloom may hold a log of the contract, each twice.
func TestFollowAsksBloomBlocks(t *testing.T) {
	t.Parallel()
	n := newTestNet(t)
	for i := 0; i < 5; i++ {
		if _, err := n.Chain.Commit(n.stake(t, i%3, int64(10+i))); err != nil {
			t.Fatal(err)
		}
		if err := n.Chain.MineN(9); err != nil {
			t.Fatal(err)
		}
	}
	proxy, err := rpcproxy.Start(n.Chain.RPCURL(), rpcproxy.Faults{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	var mu sync.Mutex
	asked := map[common.Hash]int{}
	proxy.SetIntercept(func(body []byte) bool {
		var reqs []struct {
			Method string
			Params []struct {
				BlockHash *common.Hash `json:"blockHash"`
			}
		}
		if json.Unmarshal(body, &reqs) != nil {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		for _, r := range reqs {
			if r.Method == "eth_getLogs" && len(r.Params) == 1 && r.Params[0].BlockHash != nil {
				asked[*r.Params[0].BlockHash]++
			}
		}
		return false
	})
	f, l := n.follower(t, proxy.URL(), filepath.Join(t.TempDir(), "l.db"), 0)
	head, err := f.SyncOnce(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	n.checkLedger(t, l, head)
	want := map[common.Hash]int{}
	for b := uint64(0); b <= head; b++ {
		h := n.Chain.HeaderByNumber(b)
		if h.Bloom.Test(n.Contract[:]) {
			want[h.Hash()] = 2
		}
	}
	if len(want) < 5 { // five stakes
		t.Fatalf("only %d blocks with contract logs", len(want))
	}
	if len(asked) != len(want) {
		t.Fatalf("asked for the logs of %d blocks, %d have the contract in their bloom", len(asked), len(want))
	}
	for h, c := range want {
		if asked[h] != c {
			t.Fatalf("block %s asked %d times, want %d", h.Hex(), asked[h], c)
		}
	}
}
