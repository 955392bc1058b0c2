package calc

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// TestMergeCredits: merging credit keys into accounts gives what sorting
// the keys and summing them one by one gives, for keys in one run, a few
// (addresses repeated across runs, as a delegator at several validators),
// exactly maxRuns, more (sorted instead), and at random, on one core and on
// several (perWorker 1 splits even small inputs).
func TestMergeCredits(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	addr := func(n int) common.Address {
		var a common.Address
		a[0], a[19] = byte(n>>16), byte(n) // few distinct top bytes: mid and lo decide
		a[10] = byte(n >> 8)
		return a
	}
	for _, tc := range []struct {
		name       string
		n, runs    int
		population int
	}{
		{"empty", 0, 1, 10}, {"one", 1, 1, 10}, {"one run", 1000, 1, 1 << 20},
		{"few runs", 5000, 7, 3000}, {"few runs, big", 300_000, 22, 200_000},
		{"max runs", 20_000, maxRuns, 10_000}, {"too many runs", 20_000, maxRuns + 5, 10_000},
		{"random", 50_000, 0, 40_000},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Credits are positions' amounts; every fifth address of the
			// population also has a previous cumulative (one at most).
			var refs creditRefs
			for p := 0; p < tc.population && tc.n > 0; p += 5 {
				refs.prev = append(refs.prev, Balance{Account: addr(p), Amount: *uint256.NewInt(uint64(p) + 1)})
			}
			keys := make([]addrKey, 0, tc.n+len(refs.prev))
			add := func(p int) {
				a := addr(p)
				refs.poss = append(refs.poss, position{d: a})
				refs.poss[len(refs.poss)-1].num.SetUint64(r.Uint64() >> 2)
				keys = append(keys, makeAddrKey(&a, refs.pos(len(refs.poss)-1)))
			}
			if tc.runs == 0 {
				for i := 0; i < tc.n; i++ {
					add(r.Intn(tc.population))
				}
			} else {
				for run := 0; run < tc.runs; run++ {
					m := tc.n / tc.runs
					if run == tc.runs-1 {
						m = tc.n - len(keys)
					}
					picks := make([]int, m)
					for i := range picks {
						picks[i] = r.Intn(tc.population)
					}
					slices.Sort(picks)
					for _, p := range picks {
						add(p)
					}
				}
			}
			for j := range refs.prev {
				keys = append(keys, makeAddrKey(&refs.prev[j].Account, prevRef(j)))
			}
			want, wantPaid := mergeCreditsSlow(slices.Clone(keys), &refs)
			for _, perWorker := range []int{0, 1} {
				// Without room, with room for every key (as finish gives)
				// and with too little.
				for _, room := range [][]Payout{nil, make([]Payout, len(keys)+3), make([]Payout, len(keys)/2)} {
					got, paid := mergeCredits(slices.Clone(keys), &refs, perWorker, room)
					if !slices.Equal(got, want) || !paid.Eq(&wantPaid) {
						t.Fatalf("perWorker %d, room %d: %d keys in %d runs: %d accounts (paid %s), want %d (paid %s)",
							perWorker, len(room), len(keys), tc.runs, len(got), paid.Dec(), len(want), wantPaid.Dec())
					}
				}
			}

		})
	}
}

// mergeCreditsSlow is mergeCredits the obvious way: sort, then sum.
func mergeCreditsSlow(keys []addrKey, refs *creditRefs) ([]Payout, uint256.Int) {
	slices.SortFunc(keys, cmpAddrKey)
	accts := []Payout{}
	var paid uint256.Int
	for k := range keys {
		a := keys[k].address()
		if len(accts) == 0 || accts[len(accts)-1].Account != a {
			accts = append(accts, Payout{Account: a})
		}
		amt, prev := refs.amount(keys[k].i)
		if prev {
			accts[len(accts)-1].Cumulative = *amt
		} else {
			accts[len(accts)-1].Amount.Add(&accts[len(accts)-1].Amount, amt)
			paid.Add(&paid, amt)
		}
	}
	return accts, paid
}
