package follower

import (
	"context"
	"crypto/ecdsa"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/rpcproxy"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// testNet is a real embedded Clique chain running the real validator
// contract.
type testNet struct {
	chain    *devchain.Chain
	signers  []*ecdsa.PrivateKey
	user     *ecdsa.PrivateKey
	contract common.Address
	deployed uint64
}

func key(i int) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte{byte(i), 'k'}))
	if err != nil {
		panic(err)
	}
	return k
}

func newTestNet(t *testing.T) *testNet {
	t.Helper()
	n := &testNet{signers: []*ecdsa.PrivateKey{key(1), key(2), key(3)}, user: key(10)}
	funds, _ := new(big.Int).SetString("1000000000000000000000000", 10)
	c, err := devchain.New(devchain.Config{
		Signers: n.signers, HTTP: true, Epoch: 50,
		Alloc: types.GenesisAlloc{crypto.PubkeyToAddress(n.user.PublicKey): {Balance: funds}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	n.chain = c
	var vals []common.Address
	for _, k := range n.signers {
		vals = append(vals, crypto.PubkeyToAddress(k.PublicKey))
	}
	args := contracts.NewValidatorSet().PackConstructor(vals, big.NewInt(1))
	addr, rcpt, err := c.Deploy(context.Background(), n.user, append(common.FromHex(contracts.ValidatorSetMetaData.Bin), args...))
	if err != nil {
		t.Fatal(err)
	}
	n.contract, n.deployed = addr, rcpt.BlockNumber.Uint64()
	return n
}

// stake sends a stake of amount wei from the user to validator i and
// returns the transaction (not yet mined).
func (n *testNet) stake(t *testing.T, i int, amount int64) *types.Transaction {
	t.Helper()
	v := crypto.PubkeyToAddress(n.signers[i].PublicKey)
	tx, err := n.chain.SendTx(context.Background(), n.user, &n.contract, big.NewInt(amount), contracts.NewValidatorSet().PackStake(v))
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// signedStake signs a stake with an explicit nonce without sending it.
func (n *testNet) signedStake(t *testing.T, i int, amount int64, nonce uint64) *types.Transaction {
	t.Helper()
	v := crypto.PubkeyToAddress(n.signers[i].PublicKey)
	tx, err := types.SignNewTx(n.user, types.LatestSignerForChainID(n.chain.ChainID()), &types.DynamicFeeTx{
		ChainID: n.chain.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(100e9),
		Gas: 300_000, To: &n.contract, Value: big.NewInt(amount), Data: contracts.NewValidatorSet().PackStake(v),
	})
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

func (n *testNet) follower(t *testing.T, url string, path string, conf uint64) (*Follower, *ledger.Ledger) {
	t.Helper()
	client, err := rpc.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(client.Close)
	l, err := ledger.Open(path, ledger.Identity{ChainID: n.chain.ChainID().Uint64(), Contract: n.contract, StartBlock: 0}, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	f := New(Config{Contract: n.contract, Confirmations: conf, CliqueEpoch: 50, BatchSize: 37, Concurrency: 3,
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
		h := n.chain.HeaderByNumber(b.Number)
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
	logs, err := n.chain.Client().FilterLogs(context.Background(), ethFilter(n.contract, wantHead))
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
	l.Events(0, wantHead, func(ev *ledger.Event) error { got = append(got, *ev); return nil })
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
		if _, err := n.chain.Commit(n.stake(t, i%3, int64(1000+i))); err != nil {
			t.Fatal(err)
		}
		if err := n.chain.MineN(20); err != nil {
			t.Fatal(err)
		}
	}
	f, l := n.follower(t, n.chain.RPCURL(), filepath.Join(t.TempDir(), "l.db"), 5)
	head, err := f.SyncOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	chainHead := n.chain.Head().Number.Uint64()
	if head != chainHead-5 {
		t.Fatalf("synced to %d, want head−5 = %d", head, chainHead-5)
	}
	n.checkLedger(t, l, head)
	var kinds = map[calc.EventKind]int{}
	l.Events(0, head, func(ev *ledger.Event) error { kinds[ev.Kind]++; return nil })
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
	if err := n.chain.MineN(40); err != nil {
		t.Fatal(err)
	}
	if _, err := n.chain.Commit(n.stake(t, 0, 111)); err != nil {
		t.Fatal(err)
	}
	if err := n.chain.MineN(3); err != nil {
		t.Fatal(err)
	}
	f, l := n.follower(t, n.chain.RPCURL(), filepath.Join(t.TempDir(), "l.db"), 0)
	if _, err := f.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	// A competing branch replaces the last 6 blocks (the stake among them)
	// with 8 blocks holding a different stake.
	other := n.signedStake(t, 1, 222, 1) // nonce 1 again: the old branch's stake is gone
	if _, err := n.chain.Reorg(devchain.Fork{Depth: 6, Length: 8, Txs: []*types.Transaction{other}}); err != nil {
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
		if _, err := n.chain.Commit(n.stake(t, i%3, int64(7+i))); err != nil {
			t.Fatal(err)
		}
		if err := n.chain.MineN(15); err != nil {
			t.Fatal(err)
		}
	}
	proxy, err := rpcproxy.Start(n.chain.RPCURL(), rpcproxy.Faults{Drop: 0.15, Garble: 0.25, Delay: 0.15, DelayFor: 30 * time.Millisecond}, 42)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	f, l := n.follower(t, proxy.URL(), filepath.Join(t.TempDir(), "l.db"), 0)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	target := n.chain.Head().Number.Uint64()
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
