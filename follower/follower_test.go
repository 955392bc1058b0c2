package follower

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/rpcproxy"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// testNet is a real embedded Clique chain running the real validator
// contract.
type testNet struct{ *testnet.Net }

func newTestNet(t *testing.T) *testNet { return &testNet{testnet.New(t, testnet.Options{})} }

func (n *testNet) stake(t *testing.T, i int, amount int64) *types.Transaction {
	return n.Stake(t, 0, i, amount)
}

func (n *testNet) follower(t *testing.T, url string, path string, conf uint64) (*Follower, *ledger.Ledger) {
	t.Helper()
	client, err := rpc.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	l, err := ledger.Open(path, ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract, StartBlock: 0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := New(Config{Contract: n.Contract, Confirmations: conf, CliqueEpoch: 50, BatchSize: 37, Concurrency: 3,
		RetryDelay: 5 * time.Millisecond, Attempts: 50, RPCTimeout: 5 * time.Second}, client, l, zaptest.NewLogger(t))
	return f, l
}

// checkLedger demands that the ledger holds exactly the canonical chain up
// to its head, and exactly the contract's relevant events.
func (n *testNet) checkLedger(t *testing.T, l *ledger.Ledger, wantHead uint64) {
	t.Helper()
	head, ok, err := l.Head()
	if err != nil || !ok || head.Number != wantHead {
		t.Fatalf("ledger head %+v %v %v, want %d", head, ok, err, wantHead)
	}
	var count uint64
	err = l.Blocks(0, wantHead, func(b *ledger.Block) error {
		h := n.Chain.HeaderByNumber(b.Number)
		if h.Hash() != b.Hash {
			t.Fatalf("block %d: ledger %s, chain %s", b.Number, b.Hash.Hex(), h.Hash().Hex())
		}
		if b.Number > 0 {
			sealer, err := devchain.Sealer(h)
			if err != nil || sealer != b.Sealer {
				t.Fatalf("block %d: sealer %s, chain %s (%v)", b.Number, b.Sealer.Hex(), sealer.Hex(), err)
			}
		}
		if b.Difficulty != h.Difficulty.Uint64() || b.Time != h.Time {
			t.Fatalf("block %d: fields differ", b.Number)
		}
		if (b.Number%50 == 0) != (b.Signers != nil) {
			t.Fatalf("block %d: checkpoint signers %v", b.Number, b.Signers)
		}
		count++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if count != wantHead+1 {
		t.Fatalf("ledger holds %d blocks, want %d", count, wantHead+1)
	}
	// Events: compare with the chain's logs.
	logs, err := n.Chain.Client().FilterLogs(context.Background(), ethFilter(n.Contract, wantHead))
	if err != nil {
		t.Fatal(err)
	}
	var want []ledger.Event
	for i := range logs {
		if ev, ok, err := decodeLog(&logs[i]); err != nil {
			t.Fatal(err)
		} else if ok {
			want = append(want, ev)
		}
	}
	var got []ledger.Event
	if err := l.Events(0, wantHead, func(ev *ledger.Event) error { got = append(got, *ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("ledger has %d events, chain %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("event %d: ledger %+v, chain %+v", i, got[i], want[i])
		}
	}
}

func TestFollowChain(t *testing.T) {
	t.Parallel()
	n := newTestNet(t)
	ctx := context.Background()
	// Stakes spread over the chain; one validator removed by a DAO vote.
	for i := 0; i < 6; i++ {
		if _, err := n.Chain.Commit(n.stake(t, i%3, int64(1000+i))); err != nil {
			t.Fatal(err)
		}
		if err := n.Chain.MineN(20); err != nil {
			t.Fatal(err)
		}
	}
	f, l := n.follower(t, n.Chain.RPCURL(), filepath.Join(t.TempDir(), "l.db"), 5)
	head, err := f.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chainHead := n.Chain.Head().Number.Uint64()
	if head != chainHead-5 {
		t.Fatalf("synced to %d, want head−5 = %d", head, chainHead-5)
	}
	n.checkLedger(t, l, head)
	var kinds = map[calc.EventKind]int{}
	if err := l.Events(0, head, func(ev *ledger.Event) error { kinds[ev.Kind]++; return nil }); err != nil {
		t.Fatal(err)
	}
	if kinds[calc.KindValidatorAdded] != 3 || kinds[calc.KindStake] != 6 {
		t.Fatalf("event kinds %v", kinds)
	}
	// Nothing new: a second sync is a no-op.
	if again, err := f.SyncOnce(ctx); err != nil || again != head {
		t.Fatalf("second sync %d %v", again, err)
	}
}

func TestFollowReorg(t *testing.T) {
	t.Parallel()
	n := newTestNet(t)
	ctx := context.Background()
	if err := n.Chain.MineN(40); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Chain.Commit(n.stake(t, 0, 111)); err != nil {
		t.Fatal(err)
	}
	if err := n.Chain.MineN(3); err != nil {
		t.Fatal(err)
	}
	f, l := n.follower(t, n.Chain.RPCURL(), filepath.Join(t.TempDir(), "l.db"), 0)
	if _, err := f.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// A competing branch replaces the last 6 blocks (the stake among them)
	// with 8 blocks holding a different stake.
	other := n.SignedStake(t, 0, 1, 222, 1) // nonce 1 again: the old branch's stake is gone
	if _, err := n.Chain.Reorg(devchain.Fork{Depth: 6, Length: 8, Txs: []*types.Transaction{other}}); err != nil {
		t.Fatal(err)
	}
	head, err := f.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if f.Stats.Reorgs.Load() != 1 {
		t.Errorf("reorgs counted: %d", f.Stats.Reorgs.Load())
	}
	n.checkLedger(t, l, head)
}

func TestFollowThroughFaults(t *testing.T) {
	t.Parallel()
	n := newTestNet(t)
	for i := 0; i < 10; i++ {
		if _, err := n.Chain.Commit(n.stake(t, i%3, int64(7+i))); err != nil {
			t.Fatal(err)
		}
		if err := n.Chain.MineN(15); err != nil {
			t.Fatal(err)
		}
	}
	proxy, err := rpcproxy.Start(n.Chain.RPCURL(), rpcproxy.Faults{Drop: 0.15, Garble: 0.25, Delay: 0.15, DelayFor: 30 * time.Millisecond}, 42)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	f, l := n.follower(t, proxy.URL(), filepath.Join(t.TempDir(), "l.db"), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	target := n.Chain.Head().Number.Uint64()
	for {
		head, err := f.SyncOnce(ctx)
		if err == nil && head >= target {
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("did not catch up: %v", err)
		}
	}
	if proxy.Garbled.Load() == 0 || proxy.Dropped.Load() == 0 {
		t.Fatalf("faults not exercised: %d garbled, %d dropped", proxy.Garbled.Load(), proxy.Dropped.Load())
	}
	t.Logf("%d requests, %d dropped, %d garbled, %d delayed; %d RPC errors seen",
		proxy.Requests.Load(), proxy.Dropped.Load(), proxy.Garbled.Load(), proxy.Delayed.Load(), f.Stats.RPCErrors.Load())
	n.checkLedger(t, l, target)
}
