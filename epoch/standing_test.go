package epoch

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// refStanding is the slow, obvious reading of rewards-v1 §4/§7: walk every
// block of [first, last] for every validator, look its signer up in the
// signer set of that block, and count its misses in the window directly.
type refStanding struct {
	runs   []Run
	counts []ValidatorStanding
}

// refSignerOf is rewards-v1 §7's "a validator's signer address is its
// contract address unless configuration maps it", one-to-one: the signer
// mapped to v, else v itself unless v's address is mapped elsewhere.
func refSignerOf(m map[common.Address]common.Address, v common.Address) (common.Address, bool) {
	for s, to := range m {
		if to == v {
			return s, true
		}
	}
	if _, ok := m[v]; ok {
		return common.Address{}, false
	}
	return v, true
}

// refValidatorOf is the inverse of refSignerOf: the validator s is mapped
// to, else s itself unless some other signer is mapped to s.
func refValidatorOf(m map[common.Address]common.Address, s common.Address) (common.Address, bool) {
	if v, ok := m[s]; ok {
		return v, true
	}
	for _, v := range m {
		if v == s {
			return common.Address{}, false
		}
	}
	return s, true
}

// reference computes standing block by block; signersAt(b) is signers(b).
func reference(cfg StandingConfig, misses []Miss, signersAt func(uint64) []common.Address, active map[common.Address][]Range, first, last uint64) refStanding {
	if first > last {
		return refStanding{}
	}
	missAt := make(map[common.Address]map[uint64]bool)
	for _, m := range misses {
		v := m.Validator
		if v == (common.Address{}) {
			var ok bool
			if v, ok = refValidatorOf(cfg.SignerToValidator, m.Signer); !ok {
				continue
			}
		}
		if missAt[v] == nil {
			missAt[v] = make(map[uint64]bool)
		}
		missAt[v][m.Block] = true
	}
	isSigner := func(v common.Address, b uint64) bool {
		s, ok := refSignerOf(cfg.SignerToValidator, v)
		return ok && slices.Contains(signersAt(b), s)
	}
	isActive := func(v common.Address, b uint64) bool {
		for _, r := range active[v] {
			if r.From <= b && b <= r.To {
				return true
			}
		}
		return false
	}
	window := func(v common.Address, b uint64) uint64 {
		var c uint64
		for m := range missAt[v] {
			if m <= b && m+cfg.Window > b {
				c++
			}
		}
		return c
	}
	evidence := func(v common.Address, from, to uint64) []uint64 {
		var out []uint64
		for m := range missAt[v] {
			if m <= to && m+cfg.Window > from {
				out = append(out, m)
			}
		}
		slices.Sort(out)
		return out
	}
	seen := make(map[common.Address]bool)
	for v := range active {
		seen[v] = true
	}
	for v := range missAt {
		seen[v] = true
	}
	var vals []common.Address
	for v := range seen {
		vals = append(vals, v)
	}
	slices.SortFunc(vals, common.Address.Cmp)

	var out refStanding
	for _, v := range vals {
		s := ValidatorStanding{Validator: v}
		var run *Run
		for b := first; ; b++ {
			act := isActive(v, b)
			c := window(v, b)
			if missAt[v][b] {
				s.Missed++
				if act {
					s.MissedWhileActive++
				}
			}
			if act {
				s.ActiveBlocks++
				s.PeakWindow = max(s.PeakWindow, c)
			}
			reason := ""
			switch {
			case !act:
			case !isSigner(v, b):
				reason = ReasonNotASigner
				s.NotSignerBlocks++
			case c >= cfg.Threshold:
				reason = ReasonMissedSlots
			}
			if reason != "" {
				s.NotGoodBlocks++
			}
			if run != nil && run.Reason != reason {
				if run.Reason == ReasonMissedSlots {
					run.Missed = evidence(v, run.From, run.To)
				}
				out.runs = append(out.runs, *run)
				run = nil
			}
			if reason != "" {
				if run == nil {
					run = &Run{Validator: v, From: b, Reason: reason}
				}
				run.To = b
			}
			if b == last && run != nil {
				if run.Reason == ReasonMissedSlots {
					run.Missed = evidence(v, run.From, run.To)
				}
				out.runs = append(out.runs, *run)
				run = nil
			}
			if b == last {
				break
			}
		}
		s.Good = s.NotGoodBlocks == 0
		s.EntireRange = s.Good && s.ActiveBlocks == last-first+1
		if s.ActiveBlocks > 0 || s.Missed > 0 {
			out.counts = append(out.counts, s)
		}
	}
	return out
}

func addr(b byte) common.Address { return common.BytesToAddress([]byte{b}) }

// TestNotGoodRunsMatchesReference compares NotGoodRuns and MissCounts with
// the per-block reference over random signer-set changes, active-set
// changes, miss patterns and signer↔validator mappings.
func TestNotGoodRunsMatchesReference(t *testing.T) {
	vals := []common.Address{addr(3), addr(1), addr(2), addr(4)}
	signerPool := []common.Address{addr(1), addr(2), addr(3), addr(4), addr(0x91), addr(0x92)}
	maps := []map[common.Address]common.Address{
		nil,
		{addr(0x91): addr(1)}, // signer 0x91 is validator 1; signer 1 is nobody's
		{addr(0x91): addr(1), addr(2): addr(0x92)}, // validator 2 has no signer
		{addr(3): addr(4), addr(4): addr(3)},       // swapped
	}
	count := map[string]int{}
	for trial := range 4000 {
		rng := rand.New(rand.NewPCG(uint64(trial), 3))
		cfg := StandingConfig{
			Window:            uint64(rng.IntN(9)),
			Threshold:         uint64(rng.IntN(5)),
			SignerToValidator: maps[rng.IntN(len(maps))],
		}
		first := uint64(rng.IntN(30))
		last := first + uint64(rng.IntN(60))
		if first > 0 && rng.IntN(30) == 0 {
			last = first - 1 - uint64(rng.IntN(int(first))) // first > last: nothing
		}
		var misses []Miss
		for range rng.IntN(40) {
			s := signerPool[rng.IntN(len(signerPool))]
			m := Miss{Block: uint64(rng.IntN(100)), Signer: s}
			if v, ok := cfg.ValidatorOf(s); ok && rng.IntN(2) == 0 {
				m.Validator = v // as MissOf gives it; otherwise derived from Signer
			}
			misses = append(misses, m)
		}
		if rng.IntN(2) == 0 {
			slices.SortFunc(misses, func(a, b Miss) int { return int(a.Block) - int(b.Block) })
		}
		active := make(map[common.Address][]Range)
		for _, v := range vals {
			for range rng.IntN(4) {
				from := uint64(rng.IntN(100))
				active[v] = append(active[v], Range{from, from + uint64(rng.IntN(30)) - 3})
			}
		}
		set, hist, signersAt := randomSignerSets(rng, signerPool, first, last)
		name := fmt.Sprintf("trial %d W=%d T=%d [%d,%d] map %v", trial, cfg.Window, cfg.Threshold, first, last, cfg.SignerToValidator)
		want := reference(cfg, misses, signersAt, active, first, last)
		got := NotGoodRuns(cfg, slices.Clone(misses), hist, active, first, last)
		if !runsEqual(got, want.runs) {
			t.Fatalf("%s:\nmisses %v\nsigners %v\nactive %v\ngot  %s\nwant %s", name, misses, set, active, fmtRuns(got), fmtRuns(want.runs))
		}
		counts := MissCounts(cfg, misses, hist, active, first, last)
		if len(counts) == 0 && len(want.counts) == 0 {
			counts = nil
		}
		if !reflect.DeepEqual(counts, want.counts) {
			t.Fatalf("%s:\nmisses %v\nsigners %v\nactive %v\ngot  %+v\nwant %+v", name, misses, set, active, counts, want.counts)
		}
		for i, r := range got {
			count[r.Reason]++
			if i > 0 && got[i-1].Validator == r.Validator && got[i-1].To+1 == r.From {
				count["split"]++ // adjacent runs, necessarily of different reasons
			}
		}
	}
	t.Logf("runs by reason: %v", count)
	for _, k := range []string{ReasonMissedSlots, ReasonNotASigner, "split"} {
		if count[k] < 300 {
			t.Errorf("only %d %q runs over all trials", count[k], k)
		}
	}
}

// randomSignerSets draws signers(b) for the blocks around [first, last]: a
// random subset of pool that changes at random blocks. It returns the sets
// by block (for failure messages), the SignerHistory built with Add block
// by block as the export does, and signers(b) for the reference. Now and
// then the history starts late, leaving the first blocks without signers.
func randomSignerSets(rng *rand.Rand, pool []common.Address, first, last uint64) (map[uint64][]common.Address, SignerHistory, func(uint64) []common.Address) {
	pick := func() []common.Address {
		var out []common.Address
		for _, a := range pool {
			if rng.IntN(3) > 0 {
				out = append(out, a)
			}
		}
		slices.SortFunc(out, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
		return out
	}
	from := first
	if rng.IntN(10) == 0 {
		from += uint64(rng.IntN(10)) // no signers before from
	}
	sets := make(map[uint64][]common.Address)
	var hist SignerHistory
	cur := pick()
	for b := from; b <= last; b++ {
		if rng.IntN(8) == 0 {
			cur = pick()
		}
		sets[b] = cur
		hist.Add(b, cur)
	}
	return sets, hist, func(b uint64) []common.Address { return sets[b] }
}

func runsEqual(a, b []Run) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Validator != b[i].Validator || a[i].From != b[i].From || a[i].To != b[i].To ||
			a[i].Reason != b[i].Reason || !slices.Equal(a[i].Missed, b[i].Missed) {
			return false
		}
	}
	return true
}

func fmtRuns(rs []Run) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "{%x [%d,%d] %v} ", r.Validator[19], r.From, r.To, r.Missed)
	}
	return b.String()
}

func TestNotGoodRunsCases(t *testing.T) {
	v, w := addr(1), addr(2)
	missesOf := func(who common.Address, blocks ...uint64) []Miss {
		out := make([]Miss, len(blocks))
		for i, b := range blocks {
			out[i] = Miss{Block: b, Signer: who, Validator: who}
		}
		return out
	}
	always := map[common.Address][]Range{v: {{0, 1000}}, w: {{0, 1000}}}
	bothSign := SignerHistory{{From: 0, Signers: []common.Address{v, w}}}
	tests := []struct {
		name        string
		W, T        uint64
		misses      []Miss
		active      map[common.Address][]Range
		first, last uint64
		want        []Run
	}{
		{
			name: "T=1: every block within W of a miss", W: 5, T: 1,
			misses: missesOf(v, 12), active: always, first: 10, last: 30,
			want: []Run{{Validator: v, From: 12, To: 16, Missed: []uint64{12}}},
		},
		{
			name: "run touching first, fed by misses before it", W: 5, T: 2,
			misses: missesOf(v, 7, 9), active: always, first: 10, last: 30,
			want: []Run{{Validator: v, From: 10, To: 11, Missed: []uint64{7, 9}}},
		},
		{
			name: "run touching last", W: 10, T: 2,
			misses: missesOf(v, 25, 28), active: always, first: 10, last: 30,
			want: []Run{{Validator: v, From: 28, To: 30, Missed: []uint64{25, 28}}},
		},
		{
			name: "misses before first−W+1 do not count", W: 5, T: 2,
			misses: missesOf(v, 5, 11), active: always, first: 10, last: 30,
		},
		{
			name: "misses after last do not count", W: 5, T: 1,
			misses: missesOf(v, 31), active: always, first: 10, last: 30,
		},
		{
			name: "inactive in the middle splits the run", W: 10, T: 2,
			misses: missesOf(v, 11, 12),
			active: map[common.Address][]Range{v: {{0, 14}, {17, 100}}},
			first:  10, last: 30,
			want: []Run{
				{Validator: v, From: 12, To: 14, Missed: []uint64{11, 12}},
				{Validator: v, From: 17, To: 20, Missed: []uint64{11, 12}},
			},
		},
		{
			name: "touching ranges merge", W: 10, T: 2,
			misses: missesOf(v, 11, 12),
			active: map[common.Address][]Range{v: {{15, 100}, {0, 14}}},
			first:  10, last: 30,
			want: []Run{{Validator: v, From: 12, To: 20, Missed: []uint64{11, 12}}},
		},
		{
			name: "never active: no run", W: 10, T: 1,
			misses: missesOf(v, 11), active: map[common.Address][]Range{w: {{0, 100}}},
			first: 10, last: 30,
		},
		{
			name: "consecutive windows merge into one run", W: 4, T: 2,
			misses: missesOf(v, 11, 12, 14, 16), active: always, first: 10, last: 30,
			want: []Run{{Validator: v, From: 12, To: 17, Missed: []uint64{11, 12, 14, 16}}},
		},
		{
			name: "a one-block gap keeps runs apart", W: 3, T: 2,
			misses: missesOf(v, 11, 12, 14, 16), active: always, first: 10, last: 30,
			want: []Run{
				{Validator: v, From: 12, To: 14, Missed: []uint64{11, 12, 14}},
				{Validator: v, From: 16, To: 16, Missed: []uint64{14, 16}},
			},
		},
		{
			name: "duplicate misses count once", W: 5, T: 2,
			misses: missesOf(v, 12, 12), active: always, first: 10, last: 30,
		},
		{
			name: "sorted by validator, then From", W: 2, T: 1,
			misses: append(missesOf(w, 11, 20), missesOf(v, 25)...), active: always, first: 10, last: 30,
			want: []Run{
				{Validator: v, From: 25, To: 26, Missed: []uint64{25}},
				{Validator: w, From: 11, To: 12, Missed: []uint64{11}},
				{Validator: w, From: 20, To: 21, Missed: []uint64{20}},
			},
		},
		{
			name: "first = 0 and huge W", W: 1 << 63, T: 1,
			misses: missesOf(v, 3), active: always, first: 0, last: 5,
			want: []Run{{Validator: v, From: 3, To: 5, Missed: []uint64{3}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for i := range tc.want {
				tc.want[i].Reason = ReasonMissedSlots
			}
			cfg := StandingConfig{Window: tc.W, Threshold: tc.T}
			got := NotGoodRuns(cfg, tc.misses, bothSign, tc.active, tc.first, tc.last)
			if !runsEqual(got, tc.want) {
				t.Fatalf("got  %s\nwant %s", fmtRuns(got), fmtRuns(tc.want))
			}
			if tc.W < 1000 {
				if ref := reference(cfg, tc.misses, bothSign.At, tc.active, tc.first, tc.last); !runsEqual(got, ref.runs) {
					t.Fatalf("reference %s", fmtRuns(ref.runs))
				}
			}
		})
	}
}

func TestMissCountsSummary(t *testing.T) {
	v, w, x := addr(1), addr(2), addr(3)
	cfg := StandingConfig{Window: 10, Threshold: 2}
	misses := []Miss{
		{Block: 5, Validator: v}, {Block: 12, Validator: v}, {Block: 13, Validator: v}, // v: 2 in window at 12–14
		{Block: 25, Validator: x}, // x: never active, one miss
	}
	active := map[common.Address][]Range{v: {{0, 100}}, w: {{15, 18}}}
	signers := SignerHistory{{From: 0, Signers: []common.Address{v, w, x}}}
	got := MissCounts(cfg, misses, signers, active, 10, 29)
	want := []ValidatorStanding{
		// v's window count: 1 on 10–11, {5,12} = 2 at 12, 3 on 13–14, then
		// 5 leaves at 15 (2) and 12 at 22 (1): not good on 12–21.
		{Validator: v, ActiveBlocks: 20, Missed: 2, MissedWhileActive: 2, PeakWindow: 3, NotGoodBlocks: 10},
		{Validator: w, ActiveBlocks: 4, Good: true},
		{Validator: x, Missed: 1, Good: true},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
	runs := NotGoodRuns(cfg, misses, signers, active, 10, 29)
	if len(runs) != 1 || runs[0].From != 12 || runs[0].To != 21 {
		t.Fatalf("runs %s", fmtRuns(runs))
	}
}

func TestStandingConfigCheck(t *testing.T) {
	a, b, c := addr(1), addr(2), addr(3)
	tests := []struct {
		name string
		cfg  StandingConfig
		want []string // substrings, one per reported problem
	}{
		{name: "default", cfg: DefaultStandingConfig()},
		{name: "window 0", cfg: StandingConfig{Threshold: 1}, want: []string{"Window"}},
		{name: "threshold 0", cfg: StandingConfig{Window: 1}, want: []string{"Threshold"}},
		{name: "both 0", cfg: StandingConfig{}, want: []string{"Window", "Threshold"}},
		{
			name: "map problems",
			cfg: StandingConfig{Window: 1, Threshold: 1, SignerToValidator: map[common.Address]common.Address{
				a: c, b: c, {}: a, c: {},
			}},
			want: []string{"zero address as a signer", "SignerToValidator[" + c.Hex() + "] is the zero address", "both map to validator " + c.Hex()},
		},
		{name: "map ok", cfg: StandingConfig{Window: 1, Threshold: 1, SignerToValidator: map[common.Address]common.Address{a: b, b: a}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Check()
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrStandingConfig) {
				t.Fatalf("got %v", err)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("%d problems reported, want %d:\n%v", len(lines), len(tc.want), err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q not reported in:\n%v", w, err)
				}
			}
		})
	}
	if d := DefaultStandingConfig(); d.Window != 14400 || d.Threshold != 50 {
		t.Fatalf("defaults %+v", d)
	}
}

func TestStandingConfigHelpers(t *testing.T) {
	s, v := addr(0x91), addr(1)
	cfg := StandingConfig{Window: 100, Threshold: 5, SignerToValidator: map[common.Address]common.Address{s: v}}
	for _, tc := range []struct {
		signer, validator common.Address
		ok                bool
	}{
		{s, v, true},
		{v, common.Address{}, false}, // v's signer is s, so v signs for nobody
		{addr(7), addr(7), true},
	} {
		if got, ok := cfg.ValidatorOf(tc.signer); got != tc.validator || ok != tc.ok {
			t.Errorf("ValidatorOf(%s) = %s, %v; want %s, %v", tc.signer, got, ok, tc.validator, tc.ok)
		}
		if !tc.ok {
			continue
		}
		if got, ok := cfg.SignerOf(tc.validator); got != tc.signer || !ok {
			t.Errorf("SignerOf(%s) = %s, %v; want %s", tc.validator, got, ok, tc.signer)
		}
	}
	if _, ok := cfg.SignerOf(s); ok {
		t.Error("SignerOf(s): s is v's signer, so validator s has none")
	}
	if _, ok := cfg.MissOf(Slot{Block: 9, InTurn: v, Judged: true, Missed: true}); ok {
		t.Fatal("MissOf charged a signer of no validator")
	}
	if m, ok := cfg.MissOf(Slot{Block: 9, InTurn: s, Judged: true, Missed: true}); !ok || m != (Miss{Block: 9, Signer: s, Validator: v}) {
		t.Fatalf("MissOf %+v %v", m, ok)
	}
	if _, ok := cfg.MissOf(Slot{Block: 9, InTurn: s, Judged: true}); ok {
		t.Fatal("MissOf of a non-miss")
	}
	for first, want := range map[uint64]uint64{0: 0, 99: 0, 100: 1, 1000: 901} {
		if got := cfg.MissesFrom(first); got != want {
			t.Errorf("MissesFrom(%d) = %d, want %d", first, got, want)
		}
	}
}

// TestStandingVotedOutOfClique replays a Clique chain in which signer D
// goes offline at block 10 (so it misses its slots) and is then voted out
// by A, B and C from block 30. Its standing must be missed-slots while it
// is still a signer and not-a-signer from the first block it is out: two
// runs that touch, split by reason.
func TestStandingVotedOutOfClique(t *testing.T) {
	const (
		last    = 60
		offFrom = 10
		voteAt  = 30
	)
	cfg := StandingConfig{Window: 20, Threshold: 2}
	d := name("D")
	genesis := Header{Signers: sortedNames("ABCD")}
	tr, err := NewSignerTracker(DefaultCliqueEpoch, genesis)
	if err != nil {
		t.Fatal(err)
	}
	// Each block: the in-turn signer if it may seal, else the first signer
	// (in sorted order) that may; from voteAt on the sealer votes D out.
	var hs []Header
	for b := uint64(1); b <= last; b++ {
		in, _ := tr.InTurn()
		cands := append([]common.Address{in}, tr.Signers()...)
		var h Header
		for _, s := range cands {
			if s == d && b >= offFrom {
				continue
			}
			h = Header{Number: b, Sealer: s, Difficulty: DiffNoTurn}
			if s == in {
				h.Difficulty = DiffInTurn
			}
			if b >= voteAt && s != d && tr.IsSigner(d) {
				h.Coinbase = d // VoteAuth false: drop
			}
			if tr.check(h) == nil {
				break
			}
		}
		if err := tr.Apply(h); err != nil {
			t.Fatalf("block %d: %v", b, err)
		}
		hs = append(hs, h)
	}

	mt, err := NewMissTracker(DefaultCliqueEpoch, genesis, 1)
	if err != nil {
		t.Fatal(err)
	}
	var misses []Miss
	var hist SignerHistory
	out := uint64(0) // first block whose signer set lacks D
	for _, h := range hs {
		sl, err := mt.Apply(h)
		if err != nil {
			t.Fatal(err)
		}
		if m, ok := cfg.MissOf(sl); ok {
			misses = append(misses, m)
		}
		hist.Add(h.Number, sl.Signers)
		if out == 0 && !slices.Contains(sl.Signers, d) {
			out = h.Number
		}
	}
	if out == 0 || out <= voteAt || len(hist) != 2 {
		t.Fatalf("D never voted out (out %d, %d signer sets)", out, len(hist))
	}
	var dMissed []uint64
	for _, m := range misses {
		if m.Validator != d {
			t.Fatalf("miss at %d charged to %s, not D", m.Block, letters([]common.Address{m.Validator}))
		}
		dMissed = append(dMissed, m.Block)
	}
	if len(dMissed) < 3 {
		t.Fatalf("D missed only %v", dMissed)
	}

	active := map[common.Address][]Range{}
	for _, v := range names("ABCD") {
		active[v] = []Range{{1, last}}
	}
	got := NotGoodRuns(cfg, misses, hist, active, 1, last)
	var evidence []uint64
	for _, m := range dMissed {
		if m+cfg.Window > dMissed[1] && m < out {
			evidence = append(evidence, m)
		}
	}
	want := []Run{
		{Validator: d, From: dMissed[1], To: out - 1, Reason: ReasonMissedSlots, Missed: evidence},
		{Validator: d, From: out, To: last, Reason: ReasonNotASigner},
	}
	if !runsEqual(got, want) {
		t.Fatalf("D missed %v, out from %d\ngot  %s\nwant %s", dMissed, out, fmtRuns(got), fmtRuns(want))
	}
	if ref := reference(cfg, misses, hist.At, active, 1, last); !runsEqual(got, ref.runs) {
		t.Fatalf("reference %s", fmtRuns(ref.runs))
	}
	t.Logf("D missed %v; missed-slots [%d, %d], not-a-signer [%d, %d]", dMissed, got[0].From, got[0].To, got[1].From, got[1].To)
}

// TestNotGoodRunsSigners covers the not-a-signer rule case by case.
func TestNotGoodRunsSigners(t *testing.T) {
	v, w, s := addr(1), addr(2), addr(0x91)
	set := func(from uint64, signers ...common.Address) SignerSet {
		return SignerSet{From: from, Signers: signers}
	}
	missesOf := func(who common.Address, blocks ...uint64) []Miss {
		out := make([]Miss, len(blocks))
		for i, b := range blocks {
			out[i] = Miss{Block: b, Signer: who}
		}
		return out
	}
	tests := []struct {
		name    string
		signers SignerHistory
		mapping map[common.Address]common.Address
		misses  []Miss
		active  map[common.Address][]Range
		want    []Run
	}{
		{
			name:    "contract validator that never was a signer: every active block",
			signers: SignerHistory{set(0, v)},
			active:  map[common.Address][]Range{v: {{10, 30}}, w: {{12, 15}, {20, 40}}},
			want: []Run{
				{Validator: w, From: 12, To: 15, Reason: ReasonNotASigner},
				{Validator: w, From: 20, To: 30, Reason: ReasonNotASigner},
			},
		},
		{
			name:    "voted in mid-range: not good until then",
			signers: SignerHistory{set(0, v), set(18, v, w)},
			active:  map[common.Address][]Range{w: {{10, 30}}},
			want:    []Run{{Validator: w, From: 10, To: 17, Reason: ReasonNotASigner}},
		},
		{
			name:    "missed-slots then not-a-signer: two runs",
			signers: SignerHistory{set(0, v, w), set(20, v)},
			misses:  missesOf(w, 14, 16),
			active:  map[common.Address][]Range{w: {{10, 30}}},
			want: []Run{
				{Validator: w, From: 16, To: 19, Reason: ReasonMissedSlots, Missed: []uint64{14, 16}},
				{Validator: w, From: 20, To: 30, Reason: ReasonNotASigner},
			},
		},
		{
			name:    "not-a-signer then back with misses in the window",
			signers: SignerHistory{set(0, v, w), set(15, v), set(17, v, w)},
			misses:  missesOf(w, 12, 14), // two in the window on 14–17
			active:  map[common.Address][]Range{w: {{10, 30}}},
			want: []Run{
				{Validator: w, From: 14, To: 14, Reason: ReasonMissedSlots, Missed: []uint64{12, 14}},
				{Validator: w, From: 15, To: 16, Reason: ReasonNotASigner},
				{Validator: w, From: 17, To: 17, Reason: ReasonMissedSlots, Missed: []uint64{12, 14}},
			},
		},
		{
			name:    "mapped signer in the set: good although the contract address is not",
			signers: SignerHistory{set(0, s)},
			mapping: map[common.Address]common.Address{s: v},
			active:  map[common.Address][]Range{v: {{10, 30}}},
		},
		{
			name:    "contract address in the set, mapped signer not: not a signer",
			signers: SignerHistory{set(0, v)},
			mapping: map[common.Address]common.Address{s: v},
			active:  map[common.Address][]Range{v: {{10, 30}}},
			want:    []Run{{Validator: v, From: 10, To: 30, Reason: ReasonNotASigner}},
		},
		{
			name:    "validator whose address signs for another has no signer",
			signers: SignerHistory{set(0, v, w)},
			mapping: map[common.Address]common.Address{w: s},
			active:  map[common.Address][]Range{w: {{10, 30}}, s: {{10, 12}}},
			want:    []Run{{Validator: w, From: 10, To: 30, Reason: ReasonNotASigner}},
		},
		{
			name:    "history starting late: no signers before it",
			signers: SignerHistory{set(15, v)},
			active:  map[common.Address][]Range{v: {{10, 30}}},
			want:    []Run{{Validator: v, From: 10, To: 14, Reason: ReasonNotASigner}},
		},
		{
			name:    "inactive blocks are in no run",
			signers: SignerHistory{set(0, v)},
			active:  map[common.Address][]Range{w: {{5, 12}}},
			want:    []Run{{Validator: w, From: 10, To: 12, Reason: ReasonNotASigner}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := StandingConfig{Window: 6, Threshold: 2, SignerToValidator: tc.mapping}
			got := NotGoodRuns(cfg, tc.misses, tc.signers, tc.active, 10, 30)
			if !runsEqual(got, tc.want) {
				t.Fatalf("got  %s\nwant %s", fmtRuns(got), fmtRuns(tc.want))
			}
			if ref := reference(cfg, tc.misses, tc.signers.At, tc.active, 10, 30); !runsEqual(got, ref.runs) {
				t.Fatalf("reference %s", fmtRuns(ref.runs))
			}
			var notSigner uint64
			for _, r := range tc.want {
				if r.Reason == ReasonNotASigner {
					notSigner += r.To - r.From + 1
				}
			}
			var counted uint64
			for _, c := range MissCounts(cfg, tc.misses, tc.signers, tc.active, 10, 30) {
				counted += c.NotSignerBlocks
			}
			if counted != notSigner {
				t.Fatalf("MissCounts: %d not-a-signer blocks, runs %d", counted, notSigner)
			}
		})
	}
}

func TestSignerHistory(t *testing.T) {
	a, b, c := addr(1), addr(2), addr(3)
	var h SignerHistory
	h.Add(5, []common.Address{a, b})
	h.Add(6, []common.Address{a, b}) // unchanged: not stored
	h.Add(9, []common.Address{b, c})
	h.Add(12, []common.Address{c, b}) // unsorted: stored sorted
	if len(h) != 3 || h[2].From != 12 || !slices.Equal(h[2].Signers, []common.Address{b, c}) {
		t.Fatalf("history %+v", h)
	}
	for _, tc := range []struct {
		b    uint64
		want []common.Address
	}{{0, nil}, {4, nil}, {5, []common.Address{a, b}}, {8, []common.Address{a, b}}, {9, []common.Address{b, c}}, {100, []common.Address{b, c}}} {
		if got := h.At(tc.b); !slices.Equal(got, tc.want) {
			t.Errorf("At(%d) = %v, want %v", tc.b, got, tc.want)
		}
	}
	in := []common.Address{a}
	h.Add(20, in)
	h.Add(21, in) // the same slice: unchanged
	h.Add(22, []common.Address{a})
	if len(h) != 4 || &h.At(22)[0] != &in[0] {
		t.Fatalf("history %+v", h)
	}
	r := h.ranges(0, 30)
	if !slices.Equal(r[a], []Range{{5, 8}, {20, 30}}) || !slices.Equal(r[b], []Range{{5, 19}}) || !slices.Equal(r[c], []Range{{9, 19}}) {
		t.Fatalf("ranges %v", r)
	}
}
