package benchchain

import (
	"context"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
)

// small is a history that fits a test: 10-minute blocks, so that the 7-day
// lock ends within a 3,000-block epoch and unstakes happen.
func small() Options {
	return Options{EpochBlocks: 3000, Period: 600, Delegators: 150, EventEvery: 40, Margin: 20, Seed: 7, OfflineBlocks: 50}
}

func call(t *testing.T, cl *ethclient.Client, to common.Address, data []byte, block *big.Int) []byte {
	t.Helper()
	out, err := cl.CallContract(context.Background(), ethereum.CallMsg{To: &to, Data: data}, block)
	if err != nil {
		t.Fatalf("call: %s", contracts.DecodeRevert(err))
	}
	return out
}

func TestGenerateServeAndImport(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "chain")
	o := small()
	r, err := Generate(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	c := r.Counts
	if c.InEpochStakes == 0 || c.InEpochUnstakes == 0 || c.InEpochWithdrawals == 0 || c.Stakes <= o.Delegators {
		t.Fatalf("thin history: %+v", c)
	}
	if r.Promoted != addr(SignerKey(DefaultValidators)) || r.PromotedAt < r.FirstBlock || r.PromotedAt > r.LastBlock {
		t.Fatalf("promotion: %s at %d", r.Promoted, r.PromotedAt)
	}
	if r.LastBlock-r.FirstBlock+1 != o.EpochBlocks || r.Head != r.LastBlock+o.Margin ||
		r.EpochStart != r.GenesisTime+r.FirstBlock*r.Period || r.EpochLength != o.EpochBlocks*o.Period {
		t.Fatalf("epoch layout: %+v", r)
	}
	if len(r.Offline) != 3 || r.Offline[0].First != r.FirstBlock+750 || r.Offline[0].Last != r.FirstBlock+799 {
		t.Fatalf("offline stretches %+v", r.Offline)
	}
	if _, err := Generate(dir, o); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("second Generate into the same directory: %v", err)
	}

	// Served from its directory (as by a separate process).
	loaded, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.HeadHash != r.HeadHash || loaded.Counts != r.Counts {
		t.Fatalf("loaded %+v, generated %+v", loaded, r)
	}
	url, closeFn, err := Serve(dir)
	if err != nil {
		t.Fatal(err)
	}
	cl, err := ethclient.Dial(url)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	head, err := cl.HeaderByNumber(ctx, nil)
	if err != nil || head.Hash() != r.HeadHash {
		t.Fatalf("served head %v, %v; want %s", head, err, r.HeadHash)
	}
	cfg0 := config.Default()
	r.ApplyTo(&cfg0, url)
	if k, ok := cfg0.Schedule().EpochOf(r.EpochStart); !ok || k != 0 || cfg0.Contract != r.Contract {
		t.Fatalf("config: %+v", cfg0)
	}
	if k, _ := cfg0.Schedule().EpochOf(r.EpochStart + r.EpochLength); k != 1 {
		t.Fatalf("epoch after the generated one: %d", k)
	}
	// Epoch 0's first block is the first one dated at its start.
	first, err := cl.HeaderByNumber(ctx, new(big.Int).SetUint64(r.FirstBlock))
	if err != nil || first.Time != r.EpochStart {
		t.Fatalf("first block %v, %v", first, err)
	}
	vs := contracts.NewValidatorSet()
	staked, _ := vs.UnpackTotalStaked(call(t, cl, r.Contract, vs.PackTotalStaked(), nil))
	withdrawable, _ := vs.UnpackTotalWithdrawable(call(t, cl, r.Contract, vs.PackTotalWithdrawable(), nil))
	bal, err := cl.BalanceAt(ctx, r.Contract, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The contract holds the stakes, the unstaked balances not yet
	// withdrawn and every block's award.
	want := new(big.Int).Add(staked, withdrawable)
	want.Add(want, new(big.Int).Mul(r.BlockAward, new(big.Int).SetUint64(r.Head)))
	if bal.Cmp(want) != 0 || staked.Sign() == 0 || withdrawable.Sign() == 0 {
		t.Fatalf("contract balance %s, want %s (staked %s, withdrawable %s)", bal, want, staked, withdrawable)
	}
	active, _ := vs.UnpackIsActive(call(t, cl, r.Contract, vs.PackIsActive(r.Promoted), nil))
	before, _ := vs.UnpackIsActive(call(t, cl, r.Contract, vs.PackIsActive(r.Promoted), new(big.Int).SetUint64(r.PromotedAt-1)))
	if !active || before {
		t.Fatalf("promoted candidate active %v, before its promotion %v", active, before)
	}
	logs, err := cl.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{r.Contract},
		FromBlock: new(big.Int).SetUint64(r.FirstBlock), ToBlock: new(big.Int).SetUint64(r.LastBlock)})
	if err != nil || len(logs) < c.InEpochStakes+c.InEpochUnstakes+c.InEpochWithdrawals {
		t.Fatalf("%d logs in the epoch, %v; counts %+v", len(logs), err, c)
	}
	signer2 := addr(SignerKey(2))
	for _, st := range r.Offline {
		for n := st.First; n <= st.Last; n++ {
			h, err := cl.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
			if err != nil {
				t.Fatal(err)
			}
			if s, err := devchain.Sealer(h); err != nil || s == signer2 {
				t.Fatalf("block %d in an offline stretch sealed by %s (%v)", n, s, err)
			}
		}
	}
	cl.Close()
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}

	// The staking history's blocks are ones the node's engine accepts.
	ch, _, err := Open(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	cfg := r.ChainConfig()
	cfg.DataDir = ""
	fresh, err := devchain.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	var blocks types.Blocks
	for i := uint64(1); i <= r.FirstBlock+o.EpochBlocks/2+50; i++ {
		b, err := ch.Client().BlockByNumber(ctx, new(big.Int).SetUint64(i))
		if err != nil {
			t.Fatal(err)
		}
		blocks = append(blocks, b)
	}
	if _, err := fresh.Import(blocks); err != nil {
		t.Fatal(err)
	}
	// The reopened chain keeps producing blocks.
	if err := ch.MineN(3); err != nil {
		t.Fatal(err)
	}
}

func TestNoAwards(t *testing.T) {
	o := small()
	o.NoAwards, o.NoPromotion, o.EpochBlocks = true, true, 200
	r, err := Generate(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	if r.BlockAward != nil || r.Promoted != (common.Address{}) {
		t.Fatalf("%+v", r)
	}
	c, _, err := Open(r.Dir(), false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Config().BlockReward != nil {
		t.Fatal("award configured")
	}
}

// BenchmarkGenerateEpoch generates the full-size chain: the staking
// history and a 216,000-block epoch (BENCH_BLOCKS overrides the epoch's
// length), 1,000 delegators, 5 signers, events every 300 blocks, and
// reports blocks/s over all blocks and the run's seconds.
func BenchmarkGenerateEpoch(b *testing.B) {
	o := Options{}
	if s := os.Getenv("BENCH_BLOCKS"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v == 0 {
			b.Fatalf("BENCH_BLOCKS=%q", s)
		}
		o.EpochBlocks = v
	}
	for i := 0; i < b.N; i++ {
		dir := b.TempDir()
		t0 := time.Now()
		r, err := Generate(dir, o)
		if err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		b.ReportMetric(float64(r.Head)/d.Seconds(), "blocks/s")
		b.ReportMetric(d.Seconds(), "s/run")
		b.ReportMetric(float64(r.Transactions), "txs")
		b.ReportMetric(float64(r.Head), "blocks")
	}
}

// TestGenerateInto generates the full-size chain into $BENCHCHAIN_DIR (or,
// if it already holds one, reopens it, serves it and mines two blocks on
// it), logging the times: a way to prepare or check a chain for
// benchmarks by hand. Skipped without BENCHCHAIN_DIR.
func TestGenerateInto(t *testing.T) {
	dir := os.Getenv("BENCHCHAIN_DIR")
	if dir == "" {
		t.Skip("BENCHCHAIN_DIR is not set")
	}
	if _, err := Load(dir); err != nil {
		t0 := time.Now()
		r, err := Generate(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("generated %d blocks in %s: %+v", r.Head, time.Since(t0), r.Counts)
		return
	}
	t0 := time.Now()
	url, closeFn, err := Serve(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("serving at %s after %s", url, time.Since(t0))
	if err := closeFn(); err != nil {
		t.Fatal(err)
	}
	c, r, err := Open(dir, false)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	t1 := time.Now()
	if err := c.MineN(2); err != nil {
		t.Fatal(err)
	}
	t.Logf("mined 2 blocks on head %d in %s", r.Head, time.Since(t1))
}
