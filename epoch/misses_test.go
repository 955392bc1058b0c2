package epoch

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// seq returns n signer addresses whose ascending order is their index order,
// so the in-turn signer of block b is seq[b mod n] while the set is unchanged.
func seq(n int) []common.Address {
	out := make([]common.Address, n)
	for i := range out {
		out[i] = common.BytesToAddress([]byte{byte(i + 1), 0xaa})
	}
	return out
}

// script turns a list of sealer indexes for blocks 1, 2, … into headers,
// with the difficulty Clique requires (2 when the sealer is s[b mod N]).
func script(s []common.Address, sealers []int) []Header {
	hs := make([]Header, len(sealers))
	for i, k := range sealers {
		b := uint64(i + 1)
		d := uint64(DiffNoTurn)
		if k == int(b%uint64(len(s))) {
			d = DiffInTurn
		}
		hs[i] = Header{Number: b, Sealer: s[k], Difficulty: d}
	}
	return hs
}

func TestMissTrackerScripts(t *testing.T) {
	s3 := seq(3)
	s4 := seq(4)
	s2 := seq(2)
	type miss struct {
		block uint64
		who   int
	}
	tests := []struct {
		name    string
		signers []common.Address
		sealers []int
		want    []miss // in block order
		exempt  []uint64
	}{
		{
			name:    "in-turn rotation",
			signers: s3,
			sealers: []int{1, 2, 0, 1, 2, 0, 1, 2, 0},
		},
		{
			// Signer 0 is offline for blocks 1–12: 1 and 2 alternate (each is
			// barred right after it sealed). Every slot of 0 is a miss; the
			// slots of 1 and 2 that fall right after they sealed are exempt.
			name:    "one signer offline",
			signers: s3,
			sealers: []int{1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 1, 2, 0, 1, 2, 0},
			want:    []miss{{3, 0}, {6, 0}, {9, 0}, {12, 0}},
			exempt:  []uint64{4, 5, 10, 11},
		},
		{
			// Signer 0 seals block 2 out of turn (signer 2 was slow: a miss);
			// block 3 is then 0's slot, but 0 may not seal again so soon, and
			// signer 2 sealing it out of turn charges 0 nothing.
			name:    "recency exemption",
			signers: s3,
			sealers: []int{1, 0, 2, 1, 2, 0},
			want:    []miss{{2, 2}},
			exempt:  []uint64{3},
		},
		{
			// N = 4, ⌊N/2⌋ = 2: a signer that sealed two blocks ago is exempt.
			name:    "four signers, window of two",
			signers: s4,
			sealers: []int{1, 2, 3, 0, 1, 3, 2, 0, 1, 2, 3, 0},
			want:    []miss{{6, 2}},
			exempt:  []uint64{7},
		},
		{
			// Block 6: signer 2's slot, sealed by 3; 2 last sealed block 2, out
			// of the window {4, 5}: a miss. Block 7: 3's slot taken by 2; 3
			// sealed block 6: exempt.
			name:    "four signers, window boundary",
			signers: s4,
			sealers: []int{1, 2, 3, 0, 1, 3, 2, 0},
			want:    []miss{{6, 2}},
			exempt:  []uint64{7},
		},
		{
			name:    "two signers in turn",
			signers: s2,
			sealers: []int{1, 0, 1, 0},
		},
		{
			// N = 2: an out-of-turn block can only follow a block of the
			// in-turn signer, which is then barred, so nothing is charged
			// after the first block (whose window is the unsealed genesis).
			name:    "two signers out of phase",
			signers: s2,
			sealers: []int{0, 1, 0, 1, 0},
			want:    []miss{{1, 1}},
			exempt:  []uint64{2, 3, 4, 5},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mt, err := NewMissTracker(1000, Header{Number: 0, Signers: tc.signers}, 1)
			if err != nil {
				t.Fatal(err)
			}
			var got []miss
			var exempt []uint64
			for _, h := range script(tc.signers, tc.sealers) {
				sl, err := mt.Apply(h)
				if err != nil {
					t.Fatalf("block %d: %v", h.Number, err)
				}
				n := uint64(len(tc.signers))
				if sl.Block != h.Number || sl.N != len(tc.signers) || sl.InTurn != tc.signers[h.Number%n] || sl.Sealer != h.Sealer || !sl.Judged {
					t.Fatalf("block %d: slot %+v", h.Number, sl)
				}
				if sl.Missed {
					got = append(got, miss{sl.Block, int(h.Number % n)})
				} else if h.Difficulty == DiffNoTurn {
					exempt = append(exempt, sl.Block)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("misses %v, want %v", got, tc.want)
			}
			if !slices.Equal(exempt, tc.exempt) {
				t.Errorf("exempt out-of-turn blocks %v, want %v", exempt, tc.exempt)
			}
		})
	}
}

func TestMissTrackerScriptIsValidClique(t *testing.T) {
	// The "four signers, window of two" script obeys Clique's recency rule:
	// SignerTracker (go-ethereum's rules) accepts every header.
	s4 := seq(4)
	tr, err := NewSignerTracker(1000, Header{Signers: s4})
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range script(s4, []int{1, 2, 3, 0, 1, 3, 2, 0, 1, 2, 3, 0}) {
		if err := tr.Apply(h); err != nil {
			t.Fatal(err)
		}
	}
	// And rejects a signer sealing within ⌊N/2⌋ blocks.
	if err := tr.Apply(script(s4, []int{1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 0})[12]); !errors.Is(err, ErrRecentlySigned) {
		t.Fatalf("got %v", err)
	}
}

func TestMissTrackerWarmup(t *testing.T) {
	s5 := seq(5) // ⌊5/2⌋ = 2
	const epoch = 10
	// Blocks 11… with signer k sealing every block whose slot is k, except
	// signer 3, which is offline: its slots go to the next signer.
	mk := func(b uint64, k int) Header {
		d := uint64(DiffNoTurn)
		if uint64(k) == b%5 {
			d = DiffInTurn
		}
		return Header{Number: b, Sealer: s5[k], Difficulty: d}
	}
	t.Run("warm-up blocks are not judged", func(t *testing.T) {
		mt, err := NewMissTracker(epoch, Header{Number: 10, Signers: s5, Sealer: s5[0]}, 14)
		if err != nil {
			t.Fatal(err)
		}
		// Block 13 is 3's slot (a miss if judged), block 18 too.
		for _, h := range []Header{mk(11, 1), mk(12, 2), mk(13, 4), mk(14, 0), mk(15, 1), mk(16, 2), mk(17, 4), mk(18, 0)} {
			sl, err := mt.Apply(h)
			if err != nil {
				t.Fatal(err)
			}
			if sl.Judged != (h.Number >= 14) {
				t.Fatalf("block %d: judged %v", h.Number, sl.Judged)
			}
			if sl.Missed != (h.Number == 18) {
				t.Fatalf("block %d: missed %v", h.Number, sl.Missed)
			}
		}
	})
	t.Run("started too late", func(t *testing.T) {
		// Judging from 11, window of block 11 is {9, 10}: block 9 is before
		// the checkpoint, so an out-of-turn block 11 cannot be judged unless
		// the in-turn signer sealed the checkpoint.
		mt, err := NewMissTracker(epoch, Header{Number: 10, Signers: s5, Sealer: s5[0]}, 11)
		if err != nil {
			t.Fatal(err)
		}
		before := mt.Clone()
		if _, err := mt.Apply(mk(11, 2)); !errors.Is(err, ErrNotWarm) {
			t.Fatalf("got %v", err)
		}
		if mt.Next() != before.Next() {
			t.Fatal("failed Apply moved the tracker")
		}
	})
	t.Run("checkpoint sealer is history", func(t *testing.T) {
		// s5[1] is in turn at 11 and sealed the checkpoint 10: exempt.
		mt, err := NewMissTracker(epoch, Header{Number: 10, Signers: s5, Sealer: s5[1]}, 11)
		if err != nil {
			t.Fatal(err)
		}
		sl, err := mt.Apply(mk(11, 2))
		if err != nil || sl.Missed {
			t.Fatalf("slot %+v, err %v", sl, err)
		}
	})
	t.Run("genesis is known history", func(t *testing.T) {
		mt, err := NewMissTracker(epoch, Header{Number: 0, Signers: s5}, 1)
		if err != nil {
			t.Fatal(err)
		}
		sl, err := mt.Apply(mk(1, 2))
		if err != nil || !sl.Missed || sl.InTurn != s5[1] {
			t.Fatalf("slot %+v, err %v", sl, err)
		}
	})
	t.Run("from must follow the checkpoint", func(t *testing.T) {
		if _, err := NewMissTracker(epoch, Header{Number: 10, Signers: s5}, 10); !errors.Is(err, ErrNotWarm) {
			t.Fatalf("got %v", err)
		}
		if _, err := NewMissTracker(epoch, Header{Number: 5, Signers: s5}, 10); !errors.Is(err, ErrBadCheckpoint) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestWarmCheckpoint(t *testing.T) {
	tests := []struct {
		epoch, from uint64
		max         int
		want        uint64
	}{
		{30000, 100, 21, 0},
		{30000, 30011, 21, 30000}, // ≤ 30011−1−10
		{30000, 30010, 21, 0},
		{30000, 60010, 21, 30000},
		{30000, 60011, 21, 60000},
		{10, 11, 1, 10},
		{10, 11, 2, 0},
		{10, 0, 21, 0},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc), func(t *testing.T) {
			got := WarmCheckpoint(tc.epoch, tc.from, tc.max)
			if got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

// referenceMisses applies rewards-v1 §7 literally: for each block b, look up
// signers(b), inturn(b) and the sealers of b−⌊N/2⌋ … b−1 in the full list.
func referenceMisses(hs []Header, sets [][]common.Address, from uint64) map[uint64]common.Address {
	byNum := make(map[uint64]Header)
	for _, h := range hs {
		byNum[h.Number] = h
	}
	out := make(map[uint64]common.Address)
	for i, h := range hs {
		b := h.Number
		if b < from || h.Difficulty != 1 {
			continue
		}
		set := sets[i]
		in := set[b%uint64(len(set))]
		sealed := false
		for k := uint64(1); k <= uint64(len(set)/2) && k <= b; k++ {
			if p, ok := byNum[b-k]; ok && p.Sealer == in {
				sealed = true
			}
		}
		if !sealed {
			out[b] = in
		}
	}
	return out
}

// TestMissTrackerMatchesReference simulates random Clique chains (random
// offline periods, random out-of-turn sealing, votes that change the set)
// and compares MissTracker with the literal definition.
func TestMissTrackerMatchesReference(t *testing.T) {
	var misses, changes int
	defer func() {
		t.Logf("%d misses, %d signer-set changes", misses, changes)
		if misses < 200 || changes < 50 {
			t.Errorf("too few misses (%d) or set changes (%d) to test anything", misses, changes)
		}
	}()
	for trial := range 200 {
		t.Run(fmt.Sprint(trial), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(trial), 11))
			pool := seq(8)
			n0 := 1 + rng.IntN(7)
			const epoch = 50
			tr, err := NewSignerTracker(epoch, Header{Signers: pool[:n0]})
			if err != nil {
				t.Fatal(err)
			}
			offline := make(map[common.Address]bool)
			var hs []Header
			var sets [][]common.Address
			for b := uint64(1); b <= 300; b++ {
				if rng.IntN(20) == 0 {
					a := pool[rng.IntN(len(pool))]
					offline[a] = !offline[a]
				}
				set := tr.Signers()
				in, _ := tr.InTurn()
				var cands []Header
				for _, s := range set {
					h := Header{Number: b, Sealer: s, Difficulty: DiffNoTurn}
					if s == in {
						h.Difficulty = DiffInTurn
					}
					if IsCheckpoint(b, epoch) {
						h.Signers = set
					} else if rng.IntN(4) == 0 {
						h.Coinbase = pool[rng.IntN(len(pool))]
						h.VoteAuth = !tr.IsSigner(h.Coinbase)
					}
					if !offline[s] && tr.check(h) == nil {
						cands = append(cands, h)
					}
				}
				if len(cands) == 0 {
					break
				}
				h := cands[rng.IntN(len(cands))]
				for _, c := range cands {
					if c.Difficulty == DiffInTurn && rng.IntN(3) > 0 {
						h = c
					}
				}
				sets = append(sets, set)
				hs = append(hs, h)
				if err := tr.Apply(h); err != nil {
					t.Fatal(err)
				}
				if len(tr.Signers()) != len(set) {
					changes++
				}
			}
			from := uint64(1 + rng.IntN(20))
			want := referenceMisses(hs, sets, from)
			mt, err := NewMissTracker(epoch, Header{Signers: pool[:n0]}, from)
			if err != nil {
				t.Fatal(err)
			}
			got := make(map[uint64]common.Address)
			slotSets := make([][]common.Address, len(hs))
			for i, h := range hs {
				sl, err := mt.Apply(h)
				if err != nil {
					t.Fatalf("block %d: %v", h.Number, err)
				}
				slotSets[i] = sl.Signers
				if sl.N != len(sets[i]) || sl.InTurn != sets[i][h.Number%uint64(sl.N)] {
					t.Fatalf("block %d: slot %+v, set %v", h.Number, sl, sets[i])
				}
				if sl.Missed {
					got[sl.Block] = sl.InTurn
				}
			}
			// Slot.Signers is shared with the tracker: checked after the
			// whole replay, it must still be each block's set.
			for i := range hs {
				if !slices.Equal(slotSets[i], sets[i]) {
					t.Fatalf("block %d: Slot.Signers now %v, set was %v", hs[i].Number, slotSets[i], sets[i])
				}
			}
			misses += len(got)
			if len(got) != len(want) {
				t.Fatalf("%d misses, reference %d", len(got), len(want))
			}
			for b, a := range want {
				if got[b] != a {
					t.Fatalf("block %d: miss to %s, reference %s", b, got[b], a)
				}
			}
		})
	}
}
