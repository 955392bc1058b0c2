package calc

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestParallelComputeMatchesSequential: the parallel loops (loading the
// start positions, settling them) give the same result, lines and errors
// as the sequential ones, down to one position per goroutine, with and
// without duplicate stakes and overflows that send the parallel load back
// to the sequential one.
func TestParallelComputeMatchesSequential(t *testing.T) {
	t.Parallel()
	n := 400
	if testing.Short() {
		n = 100
	}
	r := rand.New(rand.NewPCG(21, 22))
	for seed := 0; seed < n; seed++ {
		in := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 23)))
		switch seed % 4 {
		case 1: // many more positions
			extra := 2000 + r.IntN(3000)
			for i := 0; i < extra; i++ {
				var d common.Address
				d[0] = 0xde
				binary.BigEndian.PutUint32(d[16:], uint32(i))
				v := addr(1 + r.IntN(30)) // validators and candidates
				if len(in.ValidatorsAtStart) > 0 && r.IntN(2) == 0 {
					v = in.ValidatorsAtStart[r.IntN(len(in.ValidatorsAtStart))]
				}
				in.StakesAtStart = append(in.StakesAtStart, Stake{Validator: v, Delegator: d, Amount: cmt(uint64(1 + r.IntN(1000)))})
			}
		case 2: // a duplicate stake
			if len(in.StakesAtStart) > 1 {
				i := 1 + r.IntN(len(in.StakesAtStart)-1)
				dup := in.StakesAtStart[r.IntN(i)]
				in.StakesAtStart[i].Validator, in.StakesAtStart[i].Delegator = dup.Validator, dup.Delegator
			}
		case 3: // a total stake that overflows
			if len(in.StakesAtStart) > 1 {
				in.StakesAtStart[r.IntN(len(in.StakesAtStart))].Amount.SetAllOne()
			}
		}
		compareParallel(t, seed, in)
		// And with the stakes in export's order (validator, then
		// delegator), which the parallel load takes without an index.
		sorted := *in
		sorted.StakesAtStart = slices.Clone(in.StakesAtStart)
		slices.SortStableFunc(sorted.StakesAtStart, func(a, b Stake) int {
			if c := bytes.Compare(a.Validator[:], b.Validator[:]); c != 0 {
				return c
			}
			return bytes.Compare(a.Delegator[:], b.Delegator[:])
		})
		compareParallel(t, seed, &sorted)
	}
}

// compareParallel fails t unless in gives the same result, lines and
// error sequentially and in parallel down to one position per goroutine.
func compareParallel(t *testing.T, seed int, in *Input) {
	t.Helper()
	// The reference: one core, credits one at a time (as lines need).
	seq, seqLines, seqErr := computePar(in, true, 0)
	var want bytes.Buffer
	if seqErr == nil {
		if err := seq.WriteJSON(&want); err != nil {
			t.Fatal(err)
		}
	}
	// Without lines the credits are keyed on every core; with lines, one
	// at a time. Both must give the reference's result and errors.
	for _, breakdown := range []bool{false, true} {
		par, parLines, parErr := computePar(in, breakdown, 1)
		if (seqErr == nil) != (parErr == nil) || (seqErr != nil && seqErr.Error() != parErr.Error()) {
			t.Fatalf("seed %d, breakdown %v: errors differ: sequential %v, parallel %v", seed, breakdown, seqErr, parErr)
		}
		if seqErr != nil {
			continue
		}
		var got bytes.Buffer
		if err := par.WriteJSON(&got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(want.Bytes(), got.Bytes()) || breakdown && !reflect.DeepEqual(seqLines, parLines) {
			t.Fatalf("seed %d, breakdown %v: results differ", seed, breakdown)
		}
	}
}
