package export_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// memSource is an in-memory Source: a Clique header chain and contract
// events.
type memSource struct {
	blocks []ledger.Block
	events []ledger.Event
}

func (s *memSource) Head(context.Context) (uint64, error) { return uint64(len(s.blocks) - 1), nil }

func (s *memSource) TimeAt(_ context.Context, n uint64) (uint64, error) {
	return s.blocks[n].Time, nil
}

func (s *memSource) Blocks(_ context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	return fn(slices.Clone(s.blocks[from : to+1]))
}

func (s *memSource) Events(_ context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	var out []ledger.Event
	for _, ev := range s.events {
		if ev.Block >= from && ev.Block <= to {
			out = append(out, ev)
		}
	}
	return fn(out)
}

// cliqueChain builds blocks 0…n of a Clique chain whose signers always seal
// in turn (so nobody misses a slot); vote(b, sealer) gives the vote the
// sealer of block b casts, if any. Block b's time is 1000+b.
func cliqueChain(t *testing.T, signers []common.Address, n uint64, vote func(b uint64, sealer common.Address) (common.Address, bool)) []ledger.Block {
	t.Helper()
	sorted := slices.Clone(signers)
	slices.SortFunc(sorted, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	genesis := ledger.Block{Number: 0, Time: 1000, Signers: sorted}
	tr, err := epoch.NewSignerTracker(epoch.DefaultCliqueEpoch, epoch.Header{Signers: sorted})
	if err != nil {
		t.Fatal(err)
	}
	blocks := []ledger.Block{genesis}
	for b := uint64(1); b <= n; b++ {
		in, _ := tr.InTurn()
		blk := ledger.Block{Number: b, Time: 1000 + b, Difficulty: epoch.DiffInTurn, Sealer: in}
		if target, ok := vote(b, in); ok {
			blk.Coinbase = target
		}
		if err := tr.Apply(epoch.Header{Number: b, Difficulty: blk.Difficulty, Sealer: blk.Sealer, Coinbase: blk.Coinbase}); err != nil {
			t.Fatalf("block %d: %v", b, err)
		}
		blocks = append(blocks, blk)
	}
	return blocks
}

// TestExportNotASigner exports an epoch in which contract validator D was
// never a Clique signer and validator C is voted out of Clique mid-epoch:
// both get not-a-signer runs, D for the whole epoch and C from the first
// block it is out, and both forfeit with that reason.
func TestExportNotASigner(t *testing.T) {
	a, b, c, d := common.HexToAddress("0xa1"), common.HexToAddress("0xb2"), common.HexToAddress("0xc3"), common.HexToAddress("0xd4")
	const voteFrom = 28
	cOut := uint64(0) // first block whose signer set lacks C
	blocks := cliqueChain(t, []common.Address{a, b, c}, 50, func(n uint64, sealer common.Address) (common.Address, bool) {
		return c, n >= voteFrom && sealer != c
	})
	// Replay to find where C leaves (after the second vote).
	tr, _ := epoch.NewMissTracker(epoch.DefaultCliqueEpoch, epoch.Header{Signers: blocks[0].Signers}, 1)
	for _, blk := range blocks[1:] {
		sl, err := tr.Apply(epoch.Header{Number: blk.Number, Difficulty: blk.Difficulty, Sealer: blk.Sealer, Coinbase: blk.Coinbase})
		if err != nil {
			t.Fatal(err)
		}
		if cOut == 0 && !slices.Contains(sl.Signers, c) {
			cOut = blk.Number
		}
	}
	src := &memSource{blocks: blocks}
	for i, v := range []common.Address{a, b, c, d} {
		src.events = append(src.events,
			ledger.Event{Event: calc.Event{Block: 1, LogIndex: uint64(2 * i), Kind: calc.KindValidatorAdded, Validator: v}},
			ledger.Event{Event: calc.Event{Block: 1, LogIndex: uint64(2*i + 1), Kind: calc.KindStake, Validator: v, Delegator: v, Amount: *uint256.NewInt(1e18)}},
		)
	}
	p := export.Params{
		ChainID: 1, Schedule: epoch.Schedule{Start: 1001, Length: 20}, CliqueEpoch: epoch.DefaultCliqueEpoch,
		Standing:       epoch.StandingConfig{Window: 10, Threshold: 3},
		RewardPerBlock: *uint256.NewInt(5e18), ValidatorShareBps: 2000,
		Eligibility: calc.EntireEpoch, ForfeitPolicy: calc.Retain,
	}
	ep, err := export.Export(context.Background(), src, p, 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	in := ep.Input
	if in.FirstBlock != 21 || in.LastBlock != 40 || cOut <= voteFrom || cOut > in.LastBlock {
		t.Fatalf("epoch blocks %d-%d, C out from %d", in.FirstBlock, in.LastBlock, cOut)
	}
	want := []calc.NotGoodRun{
		{Validator: c, FromBlock: cOut, ToBlock: 40, Reason: epoch.ReasonNotASigner},
		{Validator: d, FromBlock: 21, ToBlock: 40, Reason: epoch.ReasonNotASigner},
	}
	if !slices.Equal(in.NotInGoodStanding, want) {
		t.Fatalf("not-good runs %+v, want %+v", in.NotInGoodStanding, want)
	}
	res, err := calc.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range res.Validators {
		bad := v.Validator == c || v.Validator == d
		if v.Eligible == bad || (bad && v.Reason != epoch.ReasonNotASigner) {
			t.Errorf("%s: eligible %v, reason %q", v.Validator.Hex(), v.Eligible, v.Reason)
		}
	}

	// A signer map that is not one-to-one is refused before anything is read.
	bad := p
	bad.Standing.SignerToValidator = map[common.Address]common.Address{a: d, b: d}
	if _, err := export.Export(context.Background(), src, bad, 1, nil); !errors.Is(err, epoch.ErrStandingConfig) {
		t.Fatalf("two signers for one validator: %v", err)
	}
}

// TestDriftAt: contract validators A, B, C, D and Clique signers A, B, C,
// then C voted out of Clique and E never a validator. Before the vote only
// D is drift; after it C is too; a signer E that no validator maps to is a
// signer not validating.
func TestDriftAt(t *testing.T) {
	a, b, c, d, e := common.HexToAddress("0xa1"), common.HexToAddress("0xb2"), common.HexToAddress("0xc3"), common.HexToAddress("0xd4"), common.HexToAddress("0xe5")
	blocks := cliqueChain(t, []common.Address{a, b, c, e}, 40, func(n uint64, sealer common.Address) (common.Address, bool) {
		return c, n >= 20 && sealer != c
	})
	src := &memSource{blocks: blocks}
	for i, v := range []common.Address{a, b, c, d} {
		src.events = append(src.events, ledger.Event{Event: calc.Event{Block: 1, LogIndex: uint64(i), Kind: calc.KindValidatorAdded, Validator: v}})
	}
	p := export.Params{CliqueEpoch: epoch.DefaultCliqueEpoch}
	for _, tc := range []struct {
		at            uint64
		notSigners    []common.Address
		notValidators []common.Address
	}{
		{10, []common.Address{d}, []common.Address{e}},
		{40, []common.Address{c, d}, []common.Address{e}},
	} {
		got, err := export.DriftAt(context.Background(), src, p, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if got.Block != tc.at || !slices.Equal(got.NotSigners, tc.notSigners) || !slices.Equal(got.NotValidators, tc.notValidators) || got.Empty() {
			t.Errorf("at %d: %+v, want not signing %v, not validators %v", tc.at, got, tc.notSigners, tc.notValidators)
		}
	}
	// Mapping E's signer to D's validator removes both from the drift.
	p.Standing.SignerToValidator = map[common.Address]common.Address{e: d}
	got, err := export.DriftAt(context.Background(), src, p, 10)
	if err != nil || !got.Empty() {
		t.Fatalf("with E signing for D: %+v, %v", got, err)
	}
}
