package calc

import (
	"bytes"
	"hash/maphash"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
)

// TestStartPosition: with start stakes loaded in order, every delegator is
// found at its own index through the fence keys, and delegators that are
// not there (between, before and after the run's, and with other
// prefixes) are not, for addresses that are random, that share a long
// prefix (as benchgen's do), and that tie in the fence window.
func TestStartPosition(t *testing.T) {
	r := rand.New(rand.NewPCG(10, 11))
	shapes := map[string]func() common.Address{
		"random": func() (a common.Address) {
			for i := range a {
				a[i] = byte(r.Uint32())
			}
			return a
		},
		"shared prefix": func() (a common.Address) {
			a[0] = 0xd0
			for i := 13; i < 20; i++ {
				a[i] = byte(r.Uint32())
			}
			return a
		},
		"window ties": func() (a common.Address) {
			a[0] = byte(r.IntN(2)) // the run's first and last differ in byte 0
			a[9], a[19] = byte(r.IntN(4)), byte(r.IntN(256))
			return a
		},
	}
	for name, gen := range shapes {
		t.Run(name, func(t *testing.T) {
			in := &Input{FirstBlock: 1, LastBlock: 10, RewardPerBlock: cmt(5), ValidatorShareBps: 2000}
			for v := 1; v <= 3; v++ {
				in.ValidatorsAtStart = append(in.ValidatorsAtStart, addr(v))
				// The extremes: fence keys of 0 and 2^64−1.
				lowest, highest := common.Address{}, common.Address{}
				for i := range highest {
					highest[i] = 0xff
				}
				seen := map[common.Address]bool{lowest: true, highest: true}
				ds := []common.Address{lowest, highest}
				for len(ds) < 50*v*v {
					if d := gen(); !seen[d] {
						seen[d] = true
						ds = append(ds, d)
					}
				}
				slices.SortFunc(ds, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
				for _, d := range ds {
					in.StakesAtStart = append(in.StakesAtStart, Stake{Validator: addr(v), Delegator: d, Amount: cmt(1)})
				}
			}
			e := &engine{in: in, perWorker: 1, valIndex: map[common.Address]int32{}, seed: maphash.MakeSeed(),
				poss: make([]position, 0, len(in.StakesAtStart))}
			e.posIndex = bulk.NewIndex(len(in.StakesAtStart), e.posKeyAt)
			if err := e.loadStart(); err != nil || !e.sortedStart {
				t.Fatalf("sorted load: %v, %v", err, e.sortedStart)
			}
			present := map[posKey]int32{}
			for i, s := range in.StakesAtStart {
				k := posKey{d: s.Delegator, v: e.valIndex[s.Validator]}
				present[k] = int32(i)
				if j, ok := e.startPosition(k); !ok || j != int32(i) {
					t.Fatalf("stake %d: startPosition = %d, %v", i, j, ok)
				}
			}
			for range 20000 {
				k := posKey{d: gen(), v: int32(r.IntN(3))}
				if r.IntN(4) == 0 {
					k.d[0] ^= byte(1 + r.IntN(255)) // another prefix
				}
				j, ok := e.startPosition(k)
				if want, has := present[k]; ok != has || has && j != want {
					t.Fatalf("%x at validator %d: startPosition = %d, %v; want %d, %v", k.d, k.v, j, ok, want, has)
				}
			}
		})
	}
}
