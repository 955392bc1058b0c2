package calc

import (
	"bytes"
	"math/big"
	"sort"

	"github.com/ethereum/go-ethereum/common"
)

// refResult is what the slow reference computes: everything of a Result but
// the tree, in plain math/big.
type refResult struct {
	minted, distributed, forfeited, unallocated, dust *big.Int
	validators                                        []refValidator
	payouts                                           []refPayout
}

type refValidator struct {
	addr        common.Address
	eligible    bool
	reason      string
	v, dsum     *big.Int
	activeBlock uint64
}

type refPayout struct {
	addr            common.Address
	amount, cumulat *big.Int
}

// reference computes an epoch the obvious way: for every block, rebuild the
// state in force by applying every event of earlier blocks, then pay every
// active validator and every one of its delegators for that block, in
// arbitrary-precision integers. It is quadratic and written separately from
// the engine on purpose; the property test demands the two agree to the wei.
func reference(in *Input) *refResult {
	R := new(big.Int).Set(in.RewardPerBlock.ToBig())
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(36), nil)
	bpsV := big.NewInt(int64(in.ValidatorShareBps))
	bpsD := big.NewInt(int64(10000 - in.ValidatorShareBps))
	ten4 := big.NewInt(10000)

	type pair struct{ v, d common.Address }
	sumV := map[common.Address]*big.Int{}
	sumD := map[pair]*big.Int{}
	activeBlocks := map[common.Address]uint64{}
	unalloc := uint64(0)

	for b := in.FirstBlock; b <= in.LastBlock; b++ {
		// State in force at b: start state plus every event of blocks < b.
		active := map[common.Address]bool{}
		for _, v := range in.ValidatorsAtStart {
			active[v] = true
		}
		stakes := map[pair]*big.Int{}
		for _, s := range in.StakesAtStart {
			stakes[pair{s.Validator, s.Delegator}] = new(big.Int).Set(s.Amount.ToBig())
		}
		for _, ev := range in.Events {
			if ev.Block >= b {
				break
			}
			k := pair{ev.Validator, ev.Delegator}
			switch ev.Kind {
			case KindStake:
				if stakes[k] == nil {
					stakes[k] = new(big.Int)
				}
				stakes[k].Add(stakes[k], ev.Amount.ToBig())
			case KindUnstake:
				if stakes[k] == nil {
					stakes[k] = new(big.Int)
				}
				stakes[k].Sub(stakes[k], ev.Amount.ToBig())
			case KindValidatorAdded:
				active[ev.Validator] = true
			case KindValidatorRemoved:
				delete(active, ev.Validator)
			}
		}
		A := new(big.Int)
		S := map[common.Address]*big.Int{}
		for k, s := range stakes {
			if S[k.v] == nil {
				S[k.v] = new(big.Int)
			}
			S[k.v].Add(S[k.v], s)
			if active[k.v] {
				A.Add(A, s)
			}
		}
		for v := range active {
			activeBlocks[v]++
		}
		if A.Sign() == 0 {
			unalloc++
			continue
		}
		den := new(big.Int).Mul(ten4, A)
		incV := new(big.Int).Mul(R, bpsV)
		incV.Mul(incV, scale).Quo(incV, den)
		incD := new(big.Int).Mul(R, bpsD)
		incD.Mul(incD, scale).Quo(incD, den)
		for v := range active {
			if sumV[v] == nil {
				sumV[v] = new(big.Int)
			}
			if S[v] != nil {
				sumV[v].Add(sumV[v], new(big.Int).Mul(S[v], incV))
			}
		}
		for k, s := range stakes {
			if !active[k.v] {
				continue
			}
			if sumD[k] == nil {
				sumD[k] = new(big.Int)
			}
			sumD[k].Add(sumD[k], new(big.Int).Mul(s, incD))
		}
	}

	out := &refResult{}
	nBlocks := in.LastBlock - in.FirstBlock + 1
	out.minted = new(big.Int).Mul(R, new(big.Int).SetUint64(nBlocks))
	out.unallocated = new(big.Int).Mul(R, new(big.Int).SetUint64(unalloc))

	firstReason := map[common.Address]string{}
	for _, g := range in.NotInGoodStanding {
		if _, ok := firstReason[g.Validator]; !ok {
			firstReason[g.Validator] = g.Reason
		}
	}
	E, F := new(big.Int), new(big.Int)
	pay := map[common.Address]*big.Int{}
	add := func(a common.Address, x *big.Int) {
		if pay[a] == nil {
			pay[a] = new(big.Int)
		}
		pay[a].Add(pay[a], x)
	}
	eligible := map[common.Address]bool{}
	for v, n := range activeBlocks {
		if n == 0 {
			continue
		}
		rv := refValidator{addr: v, eligible: true, activeBlock: n, v: new(big.Int), dsum: new(big.Int)}
		if sumV[v] != nil {
			rv.v.Quo(sumV[v], scale)
		}
		if r, bad := firstReason[v]; bad {
			rv.eligible, rv.reason = false, r
		} else if in.Eligibility == EntireEpoch && n != nBlocks {
			rv.eligible, rv.reason = false, ReasonNotActive
		}
		eligible[v] = rv.eligible
		out.validators = append(out.validators, rv)
	}
	sort.Slice(out.validators, func(i, j int) bool {
		return bytes.Compare(out.validators[i].addr[:], out.validators[j].addr[:]) < 0
	})
	for i := range out.validators {
		rv := &out.validators[i]
		for k, s := range sumD {
			if k.v == rv.addr {
				d := new(big.Int).Quo(s, scale)
				rv.dsum.Add(rv.dsum, d)
				if rv.eligible {
					add(k.d, d)
				}
			}
		}
		E.Add(E, rv.v).Add(E, rv.dsum)
		if rv.eligible {
			add(rv.addr, rv.v)
		} else {
			F.Add(F, rv.v).Add(F, rv.dsum)
		}
	}
	out.dust = new(big.Int).Sub(out.minted, out.unallocated)
	out.dust.Sub(out.dust, E)
	out.distributed = new(big.Int).Sub(E, F)
	out.forfeited = new(big.Int).Set(F)
	T := new(big.Int)
	for _, p := range pay {
		T.Add(T, p)
	}
	if in.ForfeitPolicy == Redistribute && T.Sign() > 0 {
		given := new(big.Int)
		for a, p := range pay {
			x := new(big.Int).Mul(F, p)
			x.Quo(x, T)
			pay[a] = new(big.Int).Add(p, x)
			given.Add(given, x)
		}
		out.distributed.Add(out.distributed, given)
		out.forfeited = new(big.Int)
		out.dust.Add(out.dust, new(big.Int).Sub(F, given))
	}
	prev := map[common.Address]*big.Int{}
	for _, b := range in.PreviousCumulative {
		prev[b.Account] = b.Amount.ToBig()
	}
	accounts := map[common.Address]bool{}
	for a := range pay {
		accounts[a] = true
	}
	for a := range prev {
		accounts[a] = true
	}
	for a := range accounts {
		amt := new(big.Int)
		if pay[a] != nil {
			amt.Set(pay[a])
		}
		cum := new(big.Int).Set(amt)
		if prev[a] != nil {
			cum.Add(cum, prev[a])
		}
		if cum.Sign() > 0 {
			out.payouts = append(out.payouts, refPayout{addr: a, amount: amt, cumulat: cum})
		}
	}
	sort.Slice(out.payouts, func(i, j int) bool {
		return bytes.Compare(out.payouts[i].addr[:], out.payouts[j].addr[:]) < 0
	})
	return out
}
