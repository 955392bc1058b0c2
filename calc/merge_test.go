package calc

import (
	"math/rand"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestSortKeys: merging ascending runs gives what sorting gives, for
// inputs of one run, a few (with addresses repeated across runs, as a
// delegator at several validators), more than maxRuns, and sizes that use
// one core or all.
func TestSortKeys(t *testing.T) {
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
			keys := make([]addrKey, 0, tc.n)
			if tc.runs == 0 {
				for i := 0; i < tc.n; i++ {
					a := addr(r.Intn(tc.population))
					keys = append(keys, makeAddrKey(&a, int32(i)))
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
						a := addr(p)
						keys = append(keys, makeAddrKey(&a, int32(len(keys))))
					}
				}
			}
			want := slices.Clone(keys)
			slices.SortFunc(want, cmpAddrKey)
			got := sortKeys(slices.Clone(keys))
			if !slices.Equal(got, want) {
				t.Fatalf("%d keys in %d runs: merged order differs from the sorted one", tc.n, tc.runs)
			}
		})
	}
}
