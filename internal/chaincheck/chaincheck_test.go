package chaincheck_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rpc"

	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/chaincheck"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// TestIdentity builds ledgers from chain A and checks them against A, and
// against B: the same chain ID and contract address, another genesis.
func TestIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a := testnet.New(t, testnet.Options{GenesisTime: uint64(time.Now().Add(-48 * time.Hour).Unix())})
	b := testnet.New(t, testnet.Options{GenesisTime: uint64(time.Now().Add(-47 * time.Hour).Unix())})
	a.Mine(t, 40)
	b.Mine(t, 40)
	dial := func(n *testnet.Net) *rpc.Client {
		c, err := rpc.Dial(n.Chain.RPCURL())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		return c
	}
	clientA, clientB := dial(a), dial(b)
	id := a.Chain.ChainID().Uint64()
	// ledgerOf follows chain A from start into a new ledger.
	ledgerOf := func(start, chainID uint64) *ledger.Ledger {
		l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"), ledger.Identity{ChainID: chainID, Contract: a.Contract, StartBlock: start}, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		f := follower.New(follower.Config{Contract: a.Contract, CliqueEpoch: 50, BatchSize: 100, Concurrency: 1, MaxReorgDepth: 1000}, clientA, l, nil)
		if _, err := f.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		return l
	}
	fromGenesis, fromOne := ledgerOf(0, id), ledgerOf(1, id)
	tests := []struct {
		name   string
		client *rpc.Client
		l      *ledger.Ledger
		depth  uint64
		want   string // "" for no error
	}{
		{"the same chain", clientA, fromGenesis, 10, ""},
		{"the same chain, deep check", clientA, fromOne, 10, ""},
		{"another genesis", clientB, fromGenesis, 10, "the node's genesis is "},
		{"another chain below the reorg depth", clientB, fromOne, 10, "the node's block 31, 10 below the ledger's head (follower.max_reorg_depth) is "},
		{"a difference within the reorg depth is the follower's", clientB, fromOne, 100, ""},
		{"another chain ID", clientA, ledgerOf(0, id+1), 10, "the node serves chain 4242, the ledger is for chain 4243"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := chaincheck.Identity(ctx, tt.client, tt.l, tt.depth)
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, chaincheck.ErrIdentity) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestReadStart reads the first block's times from a node.
func TestReadStart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := testnet.New(t, testnet.Options{})
	n.Mine(t, 2)
	c, err := rpc.Dial(n.Chain.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s := epoch.Schedule{Start: 0, Length: 60}
	st, err := chaincheck.ReadStart(ctx, c, n.Contract, s, 0, 0, 0)
	if err != nil || !st.Known || st.Block != 1 || st.HasPrev || st.BlockTime != n.Chain.HeaderByNumber(1).Time || st.NextEpoch != 0 {
		t.Fatalf("start %+v, %v", st, err)
	}
	if err := st.Check(); !errors.Is(err, chaincheck.ErrFirstEpoch) {
		t.Fatalf("a genesis-0 schedule passes: %v", err)
	}
	st, err = chaincheck.ReadStart(ctx, c, n.Contract, s, 0, 0, 2)
	if err != nil || !st.HasPrev || st.PrevTime != n.Chain.HeaderByNumber(1).Time {
		t.Fatalf("start %+v, %v", st, err)
	}
	st, err = chaincheck.ReadStart(ctx, c, n.Contract, s, 0, 0, 1_000_000)
	if err != nil || st.Known || st.Check() != nil {
		t.Fatalf("a start block beyond the head: %+v, %v", st, err)
	}
}
