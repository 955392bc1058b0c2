package epoch

import (
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
// block of [first, last] for every validator and count its misses in the
// window directly.
type refStanding struct {
	runs   []Run
	counts []ValidatorStanding
}

func reference(cfg StandingConfig, misses []Miss, active map[common.Address][]Range, first, last uint64) refStanding {
	if first > last {
		return refStanding{}
	}
	missAt := make(map[common.Address]map[uint64]bool)
	for _, m := range misses {
		v := m.Validator
		if v == (common.Address{}) {
			v = cfg.ValidatorOf(m.Signer)
		}
		if missAt[v] == nil {
			missAt[v] = make(map[uint64]bool)
		}
		missAt[v][m.Block] = true
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
			bad := act && c >= cfg.Threshold
			if bad {
				s.NotGoodBlocks++
				if run == nil {
					run = &Run{Validator: v, From: b, Reason: ReasonMissedSlots}
				}
				run.To = b
			}
			if (!bad || b == last) && run != nil {
				run.Missed = evidence(v, run.From, run.To)
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

func TestNotGoodRunsMatchesReference(t *testing.T) {
	pool := []common.Address{addr(3), addr(1), addr(2)}
	signerOf := map[common.Address]common.Address{addr(0x91): addr(1)} // signer 0x91 is validator 1
	var runs int
	for trial := range 3000 {
		rng := rand.New(rand.NewPCG(uint64(trial), 3))
		cfg := StandingConfig{
			Window:            uint64(rng.IntN(9)),
			Threshold:         uint64(rng.IntN(5)),
			SignerToValidator: signerOf,
		}
		first := uint64(rng.IntN(30))
		last := first + uint64(rng.IntN(60))
		if first > 0 && rng.IntN(30) == 0 {
			last = first - 1 - uint64(rng.IntN(int(first))) // first > last: nothing
		}
		var misses []Miss
		for range rng.IntN(40) {
			v := pool[rng.IntN(len(pool))]
			m := Miss{Block: uint64(rng.IntN(100)), Signer: v, Validator: v}
			switch rng.IntN(4) {
			case 0:
				m.Validator = common.Address{} // derived from Signer
			case 1:
				if v == addr(1) {
					m.Signer, m.Validator = addr(0x91), common.Address{}
				}
			}
			misses = append(misses, m)
		}
		if rng.IntN(2) == 0 {
			slices.SortFunc(misses, func(a, b Miss) int { return int(a.Block) - int(b.Block) })
		}
		active := make(map[common.Address][]Range)
		for _, v := range pool {
			for range rng.IntN(4) {
				from := uint64(rng.IntN(100))
				active[v] = append(active[v], Range{from, from + uint64(rng.IntN(30)) - 3})
			}
		}
		name := fmt.Sprintf("trial %d W=%d T=%d [%d,%d]", trial, cfg.Window, cfg.Threshold, first, last)
		want := reference(cfg, misses, active, first, last)
		got := NotGoodRuns(cfg, slices.Clone(misses), active, first, last)
		if !runsEqual(got, want.runs) {
			t.Fatalf("%s:\nmisses %v\nactive %v\ngot  %s\nwant %s", name, misses, active, fmtRuns(got), fmtRuns(want.runs))
		}
		counts := MissCounts(cfg, misses, active, first, last)
		if len(counts) == 0 && len(want.counts) == 0 {
			counts = nil
		}
		if !reflect.DeepEqual(counts, want.counts) {
			t.Fatalf("%s:\nmisses %v\nactive %v\ngot  %+v\nwant %+v", name, misses, active, counts, want.counts)
		}
		runs += len(got)
	}
	if runs < 1000 {
		t.Fatalf("only %d runs over all trials", runs)
	}
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
			got := NotGoodRuns(cfg, tc.misses, tc.active, tc.first, tc.last)
			if !runsEqual(got, tc.want) {
				t.Fatalf("got  %s\nwant %s", fmtRuns(got), fmtRuns(tc.want))
			}
			if tc.W < 1000 {
				if ref := reference(cfg, tc.misses, tc.active, tc.first, tc.last); !runsEqual(got, ref.runs) {
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
	got := MissCounts(cfg, misses, active, 10, 29)
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
	runs := NotGoodRuns(cfg, misses, active, 10, 29)
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
	if cfg.ValidatorOf(s) != v || cfg.ValidatorOf(v) != v || cfg.ValidatorOf(addr(7)) != addr(7) {
		t.Fatal("ValidatorOf")
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
