package export_test

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// TestExportOfflineValidator runs a real Clique chain where one signer is
// offline for part of epoch 1, follows it into a ledger, and exports epoch
// 1 from the ledger and straight from the node.
func TestExportOfflineValidator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	n := testnet.New(t, testnet.Options{})
	genesis := n.Chain.HeaderByNumber(0).Time
	// Epochs of 120 s; blocks are 1 s apart, so epoch k ≈ blocks 120k+1 … 120k+120.
	sched := epoch.Schedule{Start: genesis + 1, Length: 120}
	n.Commit(t, n.Stake(t, 0, 0, 3e18))
	n.Commit(t, n.Stake(t, 0, 1, 2e18))
	n.Commit(t, n.Stake(t, 1, 2, 1e18))
	if err := n.Chain.Run(ctx, []devchain.Step{
		{Blocks: 140},                   // to ~block 145: epoch 0 and the start of epoch 1
		{Blocks: 45, Offline: []int{2}}, // signer 2 offline inside epoch 1
		{Blocks: 80},                    // past epoch 1's end
	}); err != nil {
		t.Fatal(err)
	}
	n.Commit(t, n.Stake(t, 1, 0, 5e17)) // an event in epoch 2
	n.Mine(t, 12)

	client, err := rpc.Dial(n.Chain.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	l, err := ledger.Open(filepath.Join(t.TempDir(), "l.db"), ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	fcfg := follower.Config{Contract: n.Contract, CliqueEpoch: 50, Confirmations: 3, BatchSize: 64, LogSpan: 100}
	if _, err := follower.New(fcfg, client, l, zap.NewNop()).SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}

	p := export.Params{
		ChainID: n.Chain.ChainID().Uint64(), Schedule: sched, Confirmations: 3, CliqueEpoch: 50,
		Standing:       epoch.StandingConfig{Window: 30, Threshold: 5},
		RewardPerBlock: *uint256.NewInt(5e18), ValidatorShareBps: 2000,
		Eligibility: calc.EntireEpoch, ForfeitPolicy: calc.Retain,
	}
	fromLedger, err := export.Export(ctx, export.LedgerSource{L: l}, p.ForLedger(), 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	fromNode, err := export.Export(ctx, export.RPCSource{F: follower.NewFetcher(fcfg, client, zap.NewNop())}, p, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(fromLedger.Input, fromNode.Input) || !reflect.DeepEqual(fromLedger.Standing, fromNode.Standing) {
		t.Fatalf("ledger and node exports differ:\n%+v\n%+v", fromLedger.Input, fromNode.Input)
	}
	in := fromLedger.Input
	if in.FirstBlock < 115 || in.FirstBlock > 125 || in.LastBlock-in.FirstBlock != 119 {
		t.Fatalf("epoch 1 blocks %d-%d", in.FirstBlock, in.LastBlock)
	}
	if len(in.ValidatorsAtStart) != 3 || len(in.StakesAtStart) != 3 || len(in.Events) != 0 {
		t.Fatalf("state at start: %d validators, %d stakes, %d events", len(in.ValidatorsAtStart), len(in.StakesAtStart), len(in.Events))
	}
	offline := testnet.Addr(n.Signers[2])
	if len(in.NotInGoodStanding) != 1 || in.NotInGoodStanding[0].Validator != offline || in.NotInGoodStanding[0].Reason != "missed-slots" {
		t.Fatalf("not-good runs %+v", in.NotInGoodStanding)
	}
	for _, vs := range fromLedger.Standing {
		if vs.ActiveBlocks != 120 {
			t.Errorf("%s active %d blocks", vs.Validator.Hex(), vs.ActiveBlocks)
		}
		if (vs.Validator == offline) != (len(vs.Missed) > 0) {
			t.Errorf("%s missed %v", vs.Validator.Hex(), vs.Missed)
		}
		if vs.Validator == offline && (len(vs.Missed) < 10 || len(vs.Runs) != 1 || len(vs.Runs[0].Missed) < 5) {
			t.Errorf("offline validator: %d misses, runs %+v", len(vs.Missed), vs.Runs)
		}
	}
	res, err := calc.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Validators {
		if v.Eligible == (v.Validator == offline) {
			t.Errorf("validator %s eligible=%v reason %q", v.Validator.Hex(), v.Eligible, v.Reason)
		}
	}

	// Epoch 2 has the stake, but is not over: not final.
	if _, err := export.Export(ctx, export.LedgerSource{L: l}, p.ForLedger(), 2, nil); !errors.Is(err, export.ErrNotFinal) {
		t.Fatalf("epoch 2: %v", err)
	}
	// A standing window reaching back before the genesis is fine.
	late := p
	late.Standing.Window = 1000
	if _, err := export.Export(ctx, export.RPCSource{F: follower.NewFetcher(fcfg, client, zap.NewNop())}, late, 1, nil); err != nil {
		t.Fatalf("window reaching before genesis: %v", err)
	}
}
