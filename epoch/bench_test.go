package epoch

import (
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// simulate produces a valid Clique header chain of blocks 1…n from a genesis
// with the given signers (a fixed set): the in-turn signer seals when it is
// online and not barred by the recency rule, otherwise the online signer that
// may seal and has gone longest without sealing. Checkpoint headers carry the
// signer list.
func simulate(tb testing.TB, signers []common.Address, cliqueEpoch, n uint64, offline func(signer int, b uint64) bool) []Header {
	tb.Helper()
	set := len(signers)
	limit := uint64(set/2 + 1)
	last := make([]uint64, set) // last block sealed + 1 (0 = never)
	canSeal := func(i int, b uint64) bool {
		return !offline(i, b) && (last[i] == 0 || last[i]-1+limit <= b)
	}
	hs := make([]Header, 0, n)
	for b := uint64(1); b <= n; b++ {
		in := int(b % uint64(set))
		pick, diff := -1, uint64(DiffInTurn)
		if canSeal(in, b) {
			pick = in
		} else {
			diff = DiffNoTurn
			for k := 1; k < set; k++ {
				i := (in + k) % set
				if canSeal(i, b) && (pick < 0 || last[i] < last[pick]) {
					pick = i
				}
			}
		}
		if pick < 0 {
			tb.Fatalf("block %d: no signer may seal", b)
		}
		h := Header{Number: b, Sealer: signers[pick], Difficulty: diff, Time: 1_700_000_000 + 6*b}
		if IsCheckpoint(b, cliqueEpoch) {
			h.Signers = signers
		}
		last[pick] = b + 1
		hs = append(hs, h)
	}
	return hs
}

// BenchmarkStanding216k replays one 15-day epoch (216,000 blocks) plus the
// 14,400-block window before it through a MissTracker with 21 signers, one of
// them offline for 50,000 blocks, and computes the not-good runs.
func BenchmarkStanding216k(b *testing.B) {
	const (
		epochBlocks = 216_000
		cliqueEpoch = DefaultCliqueEpoch
	)
	cfg := DefaultStandingConfig()
	signers := seq(21)
	first := uint64(cfg.Window + 1)
	last := first + epochBlocks - 1
	hs := simulate(b, signers, cliqueEpoch, last, func(i int, n uint64) bool {
		return i == 7 && n >= 100_000 && n < 150_000
	})
	active := make(map[common.Address][]Range)
	for _, s := range signers {
		active[s] = []Range{{first, last}}
	}
	genesis := Header{Number: 0, Signers: signers}
	b.ReportAllocs()
	b.ResetTimer()
	var runs []Run
	for range b.N {
		mt, err := NewMissTracker(cliqueEpoch, genesis, cfg.MissesFrom(first))
		if err != nil {
			b.Fatal(err)
		}
		var misses []Miss
		var hist SignerHistory
		for _, h := range hs {
			sl, err := mt.Apply(h)
			if err != nil {
				b.Fatal(err)
			}
			if m, ok := cfg.MissOf(sl); ok {
				misses = append(misses, m)
			}
			if h.Number >= first {
				hist.Add(h.Number, sl.Signers)
			}
		}
		runs = NotGoodRuns(cfg, misses, hist, active, first, last)
	}
	b.StopTimer()
	if len(runs) != 1 || runs[0].Validator != signers[7] {
		b.Fatalf("runs: %s", fmtRuns(runs))
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(hs)), "ns/header")
}

// TestSimulatedOutage checks the benchmark's scenario at a smaller scale
// against the definitions: the offline signer's slots are its only misses,
// and the run starts once T misses fall in the window.
func TestSimulatedOutage(t *testing.T) {
	cfg := StandingConfig{Window: 200, Threshold: 5}
	signers := seq(7)
	hs := simulate(t, signers, 100, 1000, func(i int, n uint64) bool { return i == 3 && n >= 300 && n < 500 })
	mt, err := NewMissTracker(100, Header{Signers: signers}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var misses []Miss
	for _, h := range hs {
		sl, err := mt.Apply(h)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := cfg.MissOf(sl); ok {
			misses = append(misses, m)
		}
	}
	var want []uint64
	for b := uint64(300); b < 500; b++ {
		if b%7 == 3 {
			want = append(want, b)
		}
	}
	var got []uint64
	for _, m := range misses {
		if m.Validator != signers[3] {
			t.Fatalf("miss charged to %s at %d", m.Validator, m.Block)
		}
		got = append(got, m.Block)
	}
	if len(got) != len(want) {
		t.Fatalf("misses %v, want %v", got, want)
	}
	active := map[common.Address][]Range{}
	for _, s := range signers {
		active[s] = []Range{{1, 1000}}
	}
	runs := NotGoodRuns(cfg, misses, SignerHistory{{From: 0, Signers: signers}}, active, 201, 1000)
	// The 5th miss is at want[4]; the run lasts until the window holds
	// fewer than 5: the 5th-last miss leaves the window W blocks after it.
	if len(runs) != 1 || runs[0].From != want[4] || runs[0].To != want[len(want)-5]+cfg.Window-1 {
		t.Fatalf("runs %s, misses %v", fmtRuns(runs), want)
	}
}
