package calc

import (
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

func addr(n int) common.Address {
	var a common.Address
	a[0] = byte(n >> 8)
	a[19] = byte(n)
	a[10] = 0xaa
	return a
}

func u(s string) uint256.Int {
	var z uint256.Int
	if err := z.SetFromDecimal(s); err != nil {
		panic(err)
	}
	return z
}

func cmt(n uint64) uint256.Int {
	var z uint256.Int
	z.SetUint64(n)
	e := u("1000000000000000000")
	return *z.Mul(&z, &e)
}

// randomEpoch builds a valid random epoch: validators joining and leaving,
// stakes and unstakes at validators and candidates, standing gaps, both
// policies, and amounts from 1 wei to 10^27.
func randomEpoch(r *rand.Rand) *Input {
	in := &Input{
		ChainID:           18,
		Epoch:             uint64(r.IntN(100)),
		FirstBlock:        uint64(r.IntN(1000)),
		RewardPerBlock:    cmt(5),
		ValidatorShareBps: 2000,
		Eligibility:       []Eligibility{EntireEpoch, WhileActive}[r.IntN(2)],
		ForfeitPolicy:     []ForfeitPolicy{Retain, Redistribute}[r.IntN(2)],
	}
	switch r.IntN(5) {
	case 0:
		in.RewardPerBlock.SetUint64(uint64(r.IntN(1000)))
	case 1:
		in.ValidatorShareBps = uint64(r.IntN(10001))
	}
	in.LastBlock = in.FirstBlock + uint64(r.IntN(120))
	big27 := new(big.Int).Exp(big.NewInt(10), big.NewInt(27), nil)
	amt := func() uint256.Int {
		var z uint256.Int
		switch r.IntN(4) {
		case 0:
			z.SetUint64(uint64(r.IntN(10)))
		case 1:
			z.SetUint64(r.Uint64())
		case 2:
			z = cmt(uint64(1 + r.IntN(1_000_000)))
		default:
			x := new(big.Int).Mul(big27, big.NewInt(int64(r.IntN(1000))))
			x.Quo(x, big.NewInt(1000))
			x.Add(x, big.NewInt(int64(r.IntN(1000))))
			z.SetFromBig(x)
		}
		return z
	}
	nVal := 1 + r.IntN(6)
	nDel := 1 + r.IntN(8)
	active := map[common.Address]bool{}
	for v := 0; v < nVal; v++ {
		if r.IntN(3) > 0 {
			in.ValidatorsAtStart = append(in.ValidatorsAtStart, addr(v))
			active[addr(v)] = true
		}
	}
	type pair struct{ v, d common.Address }
	stakes := map[pair]*uint256.Int{}
	for v := 0; v < nVal; v++ {
		for d := 0; d < nDel; d++ {
			if r.IntN(2) == 0 {
				k := pair{addr(v), addr(100 + d)}
				a := amt()
				stakes[k] = &a
				in.StakesAtStart = append(in.StakesAtStart, Stake{Validator: k.v, Delegator: k.d, Amount: a})
			}
		}
	}
	// A validator can be its own delegator.
	if r.IntN(3) == 0 && len(in.StakesAtStart) > 0 {
		k := pair{addr(0), addr(0)}
		if stakes[k] == nil {
			a := amt()
			stakes[k] = &a
			in.StakesAtStart = append(in.StakesAtStart, Stake{Validator: k.v, Delegator: k.d, Amount: a})
		}
	}
	nEv := r.IntN(25)
	b, li := in.FirstBlock, uint64(0)
	for i := 0; i < nEv; i++ {
		if step := uint64(r.IntN(10)); step > 0 && r.IntN(3) > 0 {
			b += step
			li = 0
		}
		if b > in.LastBlock {
			break
		}
		ev := Event{Block: b, LogIndex: li}
		li += uint64(1 + r.IntN(3))
		v := addr(r.IntN(nVal))
		switch r.IntN(6) {
		case 0, 1:
			ev.Kind, ev.Validator, ev.Delegator, ev.Amount = KindStake, v, addr(100+r.IntN(nDel)), amt()
			k := pair{ev.Validator, ev.Delegator}
			if stakes[k] == nil {
				stakes[k] = new(uint256.Int)
			}
			stakes[k].Add(stakes[k], &ev.Amount)
		case 2, 3:
			k := pair{v, addr(100 + r.IntN(nDel))}
			ev.Kind, ev.Validator, ev.Delegator = KindUnstake, k.v, k.d
			if s := stakes[k]; s != nil && !s.IsZero() {
				if r.IntN(2) == 0 {
					ev.Amount = *s
				} else {
					ev.Amount.Div(s, uint256.NewInt(uint64(2+r.IntN(5))))
				}
				s.Sub(s, &ev.Amount)
			}
		case 4:
			if active[v] {
				continue
			}
			n := 0
			for _, a := range active {
				if a {
					n++
				}
			}
			if n >= MaxValidators {
				continue
			}
			ev.Kind, ev.Validator = KindValidatorAdded, v
			active[v] = true
		case 5:
			if !active[v] {
				continue
			}
			ev.Kind, ev.Validator = KindValidatorRemoved, v
			active[v] = false
		}
		in.Events = append(in.Events, ev)
	}
	for i := r.IntN(3); i > 0; i-- {
		from := in.FirstBlock + uint64(r.IntN(int(in.Blocks())))
		to := from + uint64(r.IntN(int(in.LastBlock-from+1)))
		in.NotInGoodStanding = append(in.NotInGoodStanding, NotGoodRun{Validator: addr(r.IntN(nVal)), FromBlock: from, ToBlock: to, Reason: ReasonMissedSlots})
	}
	for d := 0; d < nDel+2; d++ {
		if r.IntN(3) == 0 {
			in.PreviousCumulative = append(in.PreviousCumulative, Balance{Account: addr(100 + d), Amount: amt()})
		}
	}
	return in
}

func TestComputeMatchesReference(t *testing.T) {
	t.Parallel()
	n := 3000
	if testing.Short() {
		n = 300
	}
	for seed := 0; seed < n; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 0x5eed))
		in := randomEpoch(r)
		res, err := Compute(in)
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		want := reference(in)
		if err := compareWithReference(res, want); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
	}
}

func compareWithReference(res *Result, want *refResult) error {
	for _, f := range []struct {
		name string
		got  *uint256.Int
		want *big.Int
	}{
		{"minted", &res.Minted, want.minted}, {"distributed", &res.Distributed, want.distributed},
		{"forfeited", &res.Forfeited, want.forfeited}, {"unallocated", &res.Unallocated, want.unallocated},
		{"rounding_dust", &res.RoundingDust, want.dust},
	} {
		if f.got.ToBig().Cmp(f.want) != 0 {
			return fmt.Errorf("%s = %s, reference %s", f.name, f.got.Dec(), f.want)
		}
	}
	if len(res.Validators) != len(want.validators) {
		return fmt.Errorf("%d validators, reference %d", len(res.Validators), len(want.validators))
	}
	for i, v := range res.Validators {
		w := want.validators[i]
		if v.Validator != w.addr || v.Eligible != w.eligible || v.Reason != w.reason ||
			v.ValidatorReward.ToBig().Cmp(w.v) != 0 || v.DelegatorRewards.ToBig().Cmp(w.dsum) != 0 || v.ActiveBlocks != w.activeBlock {
			return fmt.Errorf("validator %d: got %s %v %q V=%s D=%s active=%d, reference %s %v %q V=%s D=%s active=%d",
				i, v.Validator, v.Eligible, v.Reason, v.ValidatorReward.Dec(), v.DelegatorRewards.Dec(), v.ActiveBlocks,
				w.addr, w.eligible, w.reason, w.v, w.dsum, w.activeBlock)
		}
	}
	if len(res.Payouts) != len(want.payouts) {
		return fmt.Errorf("%d payouts, reference %d", len(res.Payouts), len(want.payouts))
	}
	for i, p := range res.Payouts {
		w := want.payouts[i]
		if p.Account != w.addr || p.Amount.ToBig().Cmp(w.amount) != 0 || p.Cumulative.ToBig().Cmp(w.cumulat) != 0 {
			return fmt.Errorf("payout %d: got %s %s/%s, reference %s %s/%s", i, p.Account, p.Amount.Dec(), p.Cumulative.Dec(), w.addr, w.amount, w.cumulat)
		}
	}
	if err := res.checkInvariant(); err != nil {
		return err
	}
	if res.Tree.Root() != res.MerkleRoot || res.Tree.Len() != len(res.Payouts) {
		return errors.New("tree does not match payouts")
	}
	return nil
}

// TestComputeHandChecked pins figures worked out by hand from the spec.
func TestComputeHandChecked(t *testing.T) {
	t.Parallel()
	v1, v2, d1, d2 := addr(1), addr(2), addr(101), addr(102)
	base := func() *Input {
		return &Input{
			ChainID: 18, FirstBlock: 100, LastBlock: 109, RewardPerBlock: cmt(5), ValidatorShareBps: 2000,
			Eligibility: EntireEpoch, ForfeitPolicy: Retain,
			ValidatorsAtStart: []common.Address{v1, v2},
			StakesAtStart: []Stake{
				{Validator: v1, Delegator: d1, Amount: cmt(3)},
				{Validator: v2, Delegator: d2, Amount: cmt(1)},
			},
		}
	}
	type want struct {
		v1V, v1D, v2V, v2D                        string
		distributed, forfeited, unallocated, dust string
		payouts                                   map[common.Address]string
	}
	tests := []struct {
		name string
		edit func(in *Input)
		want want
	}{
		{
			// 10 blocks, stakes 3:1: v1 earns 0.75 CMT/block, d1 3 CMT/block.
			name: "steady",
			edit: func(in *Input) {},
			want: want{v1V: "7500000000000000000", v1D: "30000000000000000000", v2V: "2500000000000000000", v2D: "10000000000000000000",
				distributed: "50000000000000000000", forfeited: "0", unallocated: "0", dust: "0",
				payouts: map[common.Address]string{v1: "7500000000000000000", v2: "2500000000000000000", d1: "30000000000000000000", d2: "10000000000000000000"}},
		},
		{
			// v2 misses slots: its 2.5+10 CMT are retained (forfeited).
			name: "forfeit retain",
			edit: func(in *Input) {
				in.NotInGoodStanding = []NotGoodRun{{Validator: v2, FromBlock: 105, ToBlock: 105, Reason: ReasonMissedSlots}}
			},
			want: want{v1V: "7500000000000000000", v1D: "30000000000000000000", v2V: "2500000000000000000", v2D: "10000000000000000000",
				distributed: "37500000000000000000", forfeited: "12500000000000000000", unallocated: "0", dust: "0",
				payouts: map[common.Address]string{v1: "7500000000000000000", d1: "30000000000000000000"}},
		},
		{
			// The same, redistributed pro rata to v1 (7.5) and d1 (30): 2.5 and 10 more.
			name: "forfeit redistribute",
			edit: func(in *Input) {
				in.ForfeitPolicy = Redistribute
				in.NotInGoodStanding = []NotGoodRun{{Validator: v2, FromBlock: 100, ToBlock: 109, Reason: ReasonMissedSlots}}
			},
			want: want{v1V: "7500000000000000000", v1D: "30000000000000000000", v2V: "2500000000000000000", v2D: "10000000000000000000",
				distributed: "50000000000000000000", forfeited: "0", unallocated: "0", dust: "0",
				payouts: map[common.Address]string{v1: "10000000000000000000", d1: "40000000000000000000"}},
		},
		{
			// d2 stakes 2 CMT more in block 104: from block 105 stakes are 3:3.
			// v1: 5 blocks·0.75 + 5·0.5 = 6.25; v2: 5·0.25 + 5·0.5 = 3.75 — less
			// one wei each, because inc = floor(R·bps·SCALE/(10000·6 CMT)) is
			// not exact; the 4 wei are rounding dust.
			name: "stake takes effect next block",
			edit: func(in *Input) {
				in.Events = []Event{{Block: 104, Kind: KindStake, Validator: v2, Delegator: d2, Amount: cmt(2)}}
			},
			want: want{v1V: "6249999999999999999", v1D: "24999999999999999999", v2V: "3749999999999999999", v2D: "14999999999999999999",
				distributed: "49999999999999999996", forfeited: "0", unallocated: "0", dust: "4",
				payouts: map[common.Address]string{v1: "6249999999999999999", v2: "3749999999999999999", d1: "24999999999999999999", d2: "14999999999999999999"}},
		},
		{
			// Both stakes leave in block 101: blocks 102..109 have A = 0.
			// Under while-active both stay eligible for their 2 blocks.
			name: "unallocated blocks",
			edit: func(in *Input) {
				in.Eligibility = WhileActive
				in.Events = []Event{
					{Block: 101, LogIndex: 0, Kind: KindUnstake, Validator: v1, Delegator: d1, Amount: cmt(3)},
					{Block: 101, LogIndex: 1, Kind: KindUnstake, Validator: v2, Delegator: d2, Amount: cmt(1)},
				}
			},
			want: want{v1V: "1500000000000000000", v1D: "6000000000000000000", v2V: "500000000000000000", v2D: "2000000000000000000",
				distributed: "10000000000000000000", forfeited: "0", unallocated: "40000000000000000000", dust: "0",
				payouts: map[common.Address]string{v1: "1500000000000000000", v2: "500000000000000000", d1: "6000000000000000000", d2: "2000000000000000000"}},
		},
		{
			// Stakes of 3 wei and 1 wei, 7 wei per block, 10 blocks.
			// inc_v = floor(7·2000·1e36/(1e4·4)) = 35·1e34 → V1 = floor(3·35e34·10/1e36) = 10, V2 = 3;
			// inc_d = floor(7·8000·1e36/4e4) = 14e35 → D1 = 42, D2 = 14. Dust = 70 − 69 = 1.
			name: "rounding dust",
			edit: func(in *Input) {
				in.RewardPerBlock.SetUint64(7)
				in.StakesAtStart[0].Amount.SetUint64(3)
				in.StakesAtStart[1].Amount.SetUint64(1)
			},
			want: want{v1V: "10", v1D: "42", v2V: "3", v2D: "14", distributed: "69", forfeited: "0", unallocated: "0", dust: "1",
				payouts: map[common.Address]string{v1: "10", v2: "3", d1: "42", d2: "14"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.edit(in)
			res, err := Compute(in)
			if err != nil {
				t.Fatal(err)
			}
			w := tt.want
			check := func(name string, got *uint256.Int, want string) {
				t.Helper()
				if got.Dec() != want {
					t.Errorf("%s = %s, want %s", name, got.Dec(), want)
				}
			}
			check("V1", &res.Validators[0].ValidatorReward, w.v1V)
			check("D1", &res.Validators[0].DelegatorRewards, w.v1D)
			check("V2", &res.Validators[1].ValidatorReward, w.v2V)
			check("D2", &res.Validators[1].DelegatorRewards, w.v2D)
			check("distributed", &res.Distributed, w.distributed)
			check("forfeited", &res.Forfeited, w.forfeited)
			check("unallocated", &res.Unallocated, w.unallocated)
			check("dust", &res.RoundingDust, w.dust)
			if len(res.Payouts) != len(w.payouts) {
				t.Fatalf("%d payouts, want %d: %+v", len(res.Payouts), len(w.payouts), res.Payouts)
			}
			for _, p := range res.Payouts {
				check("payout "+p.Account.Hex(), &p.Amount, w.payouts[p.Account])
			}
			if err := compareWithReference(res, reference(in)); err != nil {
				t.Error(err)
			}
		})
	}
}

func TestComputeRejects(t *testing.T) {
	t.Parallel()
	v1, d1 := addr(1), addr(101)
	base := func() *Input {
		return &Input{
			ChainID: 18, FirstBlock: 10, LastBlock: 20, RewardPerBlock: cmt(5), ValidatorShareBps: 2000,
			Eligibility: EntireEpoch, ForfeitPolicy: Retain,
			ValidatorsAtStart: []common.Address{v1},
			StakesAtStart:     []Stake{{Validator: v1, Delegator: d1, Amount: uint256.Int{3}}},
		}
	}
	tests := []struct {
		name string
		edit func(in *Input)
		want string
	}{
		{"unstake exceeds stake", func(in *Input) {
			in.Events = []Event{{Block: 12, Kind: KindUnstake, Validator: v1, Delegator: d1, Amount: uint256.Int{5}}}
		}, "events[0].amount_wei: unstake of 5 exceeds stake 3"},
		{"unstake without stake", func(in *Input) {
			in.Events = []Event{{Block: 12, Kind: KindUnstake, Validator: v1, Delegator: addr(7), Amount: uint256.Int{1}}}
		}, "events[0].amount_wei: unstake of 1 exceeds stake 0"},
		{"add active", func(in *Input) {
			in.Events = []Event{{Block: 12, Kind: KindValidatorAdded, Validator: v1}}
		}, "events[0].validator: " + v1.Hex() + " is already active"},
		{"remove inactive", func(in *Input) {
			in.Events = []Event{{Block: 12, Kind: KindValidatorRemoved, Validator: addr(2)}}
		}, "events[0].validator: " + addr(2).Hex() + " is not active"},
		{"too many validators", func(in *Input) {
			for i := 2; i <= MaxValidators; i++ {
				in.ValidatorsAtStart = append(in.ValidatorsAtStart, addr(i))
			}
			in.Events = []Event{{Block: 12, Kind: KindValidatorAdded, Validator: addr(50)}}
		}, "events[0].validator: adding " + addr(50).Hex() + " would exceed the maximum of 21 active validators"},
		{"too many at start", func(in *Input) {
			for i := 2; i <= MaxValidators+1; i++ {
				in.ValidatorsAtStart = append(in.ValidatorsAtStart, addr(i))
			}
		}, "validators_at_start: 22 validators exceed the maximum of 21"},
		{"duplicate stake", func(in *Input) {
			in.StakesAtStart = append(in.StakesAtStart, Stake{Validator: v1, Delegator: d1})
		}, "stakes_at_start[1]: duplicate stake of delegator " + d1.Hex() + " at validator " + v1.Hex() + " (also at index 0)"},
		{"reward overflow", func(in *Input) {
			in.RewardPerBlock = u("115792089237316195423570985008687907853269984665640564039457584007913129639935")
		}, "reward_per_block_wei: R·bps_v overflows 256 bits"},
		{"stake overflow", func(in *Input) {
			in.Events = []Event{{Block: 12, Kind: KindStake, Validator: v1, Delegator: addr(9),
				Amount: u("115792089237316195423570985008687907853269984665640564039457584007913129639935")}}
		}, "events[0].amount_wei: total stake at " + v1.Hex() + " overflows 256 bits"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := base()
			tt.edit(in)
			res, err := Compute(in)
			if err == nil {
				t.Fatalf("accepted: %+v", res)
			}
			if err.Error() != tt.want {
				t.Fatalf("error %q\nwant  %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalidInput) {
				t.Errorf("error does not wrap ErrInvalidInput")
			}
		})
	}
}

// TestComputeNoActiveStake: an epoch where nothing is ever staked mints but
// distributes nothing, and a previous cumulative keeps its leaf.
func TestComputeNoActiveStake(t *testing.T) {
	t.Parallel()
	in := &Input{ChainID: 18, FirstBlock: 0, LastBlock: 0, RewardPerBlock: cmt(5), ValidatorShareBps: 2000,
		Eligibility: EntireEpoch, ForfeitPolicy: Redistribute,
		PreviousCumulative: []Balance{{Account: addr(5), Amount: uint256.Int{42}}, {Account: addr(6)}}}
	res, err := Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	if res.Unallocated.Dec() != "5000000000000000000" || !res.Distributed.IsZero() || len(res.Validators) != 0 {
		t.Fatalf("unexpected %+v", res)
	}
	if len(res.Payouts) != 1 || res.Payouts[0].Account != addr(5) || !res.Payouts[0].Amount.IsZero() || res.Payouts[0].Cumulative.Dec() != "42" {
		t.Fatalf("payouts %+v", res.Payouts)
	}
}

// TestBreakdownSumsToPayouts: every account's lines add up to its payout,
// all lines to distributed_wei, and the result equals Compute's.
func TestBreakdownSumsToPayouts(t *testing.T) {
	t.Parallel()
	for seed := 0; seed < 500; seed++ {
		in := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 11)))
		res, lines, err := ComputeBreakdown(in)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := Compute(in)
		if plain.MerkleRoot != res.MerkleRoot {
			t.Fatalf("seed %d: breakdown changed the result", seed)
		}
		byAccount := map[common.Address]*uint256.Int{}
		var total uint256.Int
		for _, l := range lines {
			if l.Amount.IsZero() {
				t.Fatalf("seed %d: zero line %+v", seed, l)
			}
			if byAccount[l.Account] == nil {
				byAccount[l.Account] = new(uint256.Int)
			}
			byAccount[l.Account].Add(byAccount[l.Account], &l.Amount)
			total.Add(&total, &l.Amount)
		}
		if !total.Eq(&res.Distributed) {
			t.Fatalf("seed %d: lines sum to %s, distributed %s", seed, total.Dec(), res.Distributed.Dec())
		}
		for _, p := range res.Payouts {
			got := byAccount[p.Account]
			if got == nil {
				got = new(uint256.Int)
			}
			if !got.Eq(&p.Amount) {
				t.Fatalf("seed %d: %s lines %s, payout %s", seed, p.Account, got.Dec(), p.Amount.Dec())
			}
		}
	}
}

// TestMulOverflow: the 128-bit fast path and the fallback give what
// uint256's MulOverflow gives, at the edges of 64, 128 and 256 bits and
// at random, including z aliasing an operand.
func TestMulOverflow(t *testing.T) {
	r := rand.New(rand.NewPCG(12, 13))
	edge := []uint64{0, 1, 2, 1<<63 - 1, 1 << 63, 1<<64 - 1}
	word := func() uint64 {
		if r.IntN(3) == 0 {
			return edge[r.IntN(len(edge))]
		}
		return r.Uint64()
	}
	for range 200000 {
		var x, y uint256.Int
		for k := range x {
			if k < 2 || r.IntN(4) == 0 {
				x[k] = word()
			}
			if k < 2 || r.IntN(4) == 0 {
				y[k] = word()
			}
		}
		var want uint256.Int
		_, wantOver := want.MulOverflow(&x, &y)
		var got uint256.Int
		if over := mulOverflow(&got, &x, &y); over != wantOver || got != want {
			t.Fatalf("%s·%s = %s, %v; want %s, %v", x.Hex(), y.Hex(), got.Hex(), over, want.Hex(), wantOver)
		}
		z := x
		if over := mulOverflow(&z, &z, &y); over != wantOver || z != want {
			t.Fatalf("in place: %s·%s = %s, %v; want %s, %v", x.Hex(), y.Hex(), z.Hex(), over, want.Hex(), wantOver)
		}
	}
}
