package contracts

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

const week = 7 * 24 * 3600

// lot is one locked stake lot as lockedLotsOf reports it.
type lot struct {
	amount    *big.Int
	unlocksAt uint64
}

// wantLots checks lockedLotsOf(d, v) and that stakeOf = unlockedStakeOf + the
// locked lots.
func wantLots(t *testing.T, e *env, d, v common.Address, want ...lot) {
	t.Helper()
	got := view(e, e.vs.PackLockedLotsOf(d, v), e.vs.UnpackLockedLotsOf)
	if len(got.Amounts) != len(got.UnlocksAt) {
		t.Fatalf("lockedLotsOf: %d amounts, %d unlock times", len(got.Amounts), len(got.UnlocksAt))
	}
	var gotS, wantS []string
	sum := new(big.Int)
	for i := range got.Amounts {
		gotS = append(gotS, fmt.Sprintf("%s@%s", got.Amounts[i], got.UnlocksAt[i]))
		sum.Add(sum, got.Amounts[i])
	}
	for _, l := range want {
		wantS = append(wantS, fmt.Sprintf("%s@%d", l.amount, l.unlocksAt))
	}
	if fmt.Sprint(gotS) != fmt.Sprint(wantS) {
		t.Fatalf("lockedLotsOf = %v, want %v", gotS, wantS)
	}
	staked := view(e, e.vs.PackStakeOf(d, v), e.vs.UnpackStakeOf)
	unlocked := e.unlocked(d, v)
	if new(big.Int).Add(unlocked, sum).Cmp(staked) != 0 {
		t.Fatalf("stakeOf %s != unlockedStakeOf %s + locked %s", staked, unlocked, sum)
	}
}

func (e *env) unlocked(d, v common.Address) *big.Int {
	e.t.Helper()
	return view(e, e.vs.PackUnlockedStakeOf(d, v), e.vs.UnpackUnlockedStakeOf)
}

// stakeAt stakes and returns the unlock time of the new stake.
func (e *env) stakeAt(d, v account, amount *big.Int) uint64 {
	e.t.Helper()
	r := e.must(d, e.vs.PackStake(v.addr), amount)
	return e.blockTime(r) + week
}

func locked(unlocked, requested *big.Int, next uint64) string {
	return fmt.Sprintf("StakeLocked(unlocked=%s, requested=%s, nextUnlockAt=%d)", unlocked, requested, next)
}

// The issue: a top-up re-locked the whole stake. Now unlocked stake stays
// unlocked whatever is staked after it.
func TestTopUpDoesNotRelockUnlockedStake(t *testing.T) {
	oneWei := big.NewInt(1)
	for _, tc := range []struct {
		name  string
		after uint64 // seconds from the first stake to the top-up
		topUp *big.Int
	}{
		{"1 wei, 8 days later", 8 * 24 * 3600, oneWei},
		{"1 wei, exactly 7 days later", week, oneWei},
		{"1000 CMT, 30 days later", 30 * 24 * 3600, ether(1000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 1, 5000)
			v0, d := accts[0], accts[20]
			u0 := e.stakeAt(d, v0, ether(100))
			e.setLatestTime(u0 - week + tc.after - 1)
			u1 := e.stakeAt(d, v0, tc.topUp)
			wantBig(t, "unlockedStakeOf", e.unlocked(d.addr, v0.addr), ether(100))
			wantLots(t, e, d.addr, v0.addr, lot{tc.topUp, u1})

			over := new(big.Int).Add(ether(100), oneWei)
			e.reverts(d, e.vs.PackUnstake(v0.addr, over), nil, locked(ether(100), over, u1))
			r := e.must(d, e.vs.PackUnstake(v0.addr, ether(100)), nil)
			us, err := e.vs.UnpackUnstakedEvent(r.Logs[0])
			if err != nil {
				t.Fatal(err)
			}
			wantBig(t, "Unstaked amount", us.Amount, ether(100))
			wantBig(t, "stakeOf", view(e, e.vs.PackStakeOf(d.addr, v0.addr), e.vs.UnpackStakeOf), tc.topUp)
			e.reverts(d, e.vs.PackUnstake(v0.addr, oneWei), nil, locked(new(big.Int), oneWei, u1))
			e.must(d, e.vs.PackWithdraw(), nil)
		})
	}
}

// Three lots unlock one by one, each at its own stake's time + 7 days; the
// views see a lot unlock at that second, before any transaction folds it.
func TestLotsUnlockOneByOne(t *testing.T) {
	e := newEnv(t, 1, 5000)
	v0, d := accts[0], accts[20]
	u1 := e.stakeAt(d, v0, ether(10))
	e.setLatestTime(u1 - week + 24*3600)
	u2 := e.stakeAt(d, v0, ether(20))
	e.setLatestTime(u2 - week + 24*3600)
	u3 := e.stakeAt(d, v0, ether(30))
	wantLots(t, e, d.addr, v0.addr, lot{ether(10), u1}, lot{ether(20), u2}, lot{ether(30), u3})

	for _, step := range []struct {
		at       uint64
		unlocked *big.Int // before the unstake
		lots     []lot    // still locked
		unstake  *big.Int
	}{
		{u1 - 1, new(big.Int), []lot{{ether(10), u1}, {ether(20), u2}, {ether(30), u3}}, nil},
		{u1, ether(10), []lot{{ether(20), u2}, {ether(30), u3}}, ether(4)},
		{u2 - 1, ether(6), []lot{{ether(20), u2}, {ether(30), u3}}, nil},
		{u2, ether(26), []lot{{ether(30), u3}}, ether(26)},
		{u3 - 1, new(big.Int), []lot{{ether(30), u3}}, nil},
		{u3, ether(30), nil, ether(30)},
	} {
		t.Run(fmt.Sprint(step.at), func(t *testing.T) {
			e.t = t
			defer func() { e.t = t }()
			e.setLatestTime(step.at)
			wantBig(t, "unlockedStakeOf", e.unlocked(d.addr, v0.addr), step.unlocked)
			wantLots(t, e, d.addr, v0.addr, step.lots...)
			if len(step.lots) != 0 {
				over := new(big.Int).Add(step.unlocked, big.NewInt(1))
				e.reverts(d, e.vs.PackUnstake(v0.addr, over), nil, locked(step.unlocked, over, step.lots[0].unlocksAt))
			}
			if step.unstake != nil {
				e.must(d, e.vs.PackUnstake(v0.addr, step.unstake), nil)
			}
		})
	}
	e.t = t
	wantBig(t, "stakeOf", view(e, e.vs.PackStakeOf(d.addr, v0.addr), e.vs.UnpackStakeOf), new(big.Int))
	wantBig(t, "withdrawable", view(e, e.vs.PackWithdrawable(d.addr), e.vs.UnpackWithdrawable), ether(60))
}

func TestPartialUnstakeAcrossLots(t *testing.T) {
	e := newEnv(t, 2, 5000)
	v0, v1, d := accts[0], accts[1], accts[20]
	u1 := e.stakeAt(d, v0, ether(10))
	e.setLatestTime(u1 - week + 3600)
	e.stakeAt(d, v0, ether(20))
	e.setLatestTime(u1 - week + 7200)
	u3 := e.stakeAt(d, v0, ether(30))
	e.setLatestTime(u3)

	// 25 takes all of lot 1 and half of lot 2.
	e.must(d, e.vs.PackUnstake(v0.addr, ether(25)), nil)
	wantBig(t, "unlocked after 25", e.unlocked(d.addr, v0.addr), ether(35))
	wantLots(t, e, d.addr, v0.addr)
	// Another delegation of d has its own lots.
	uOther := e.stakeAt(d, v1, ether(7))
	wantLots(t, e, d.addr, v0.addr)
	wantLots(t, e, d.addr, v1.addr, lot{ether(7), uOther})
	e.reverts(d, e.vs.PackUnstake(v1.addr, ether(1)), nil, locked(new(big.Int), ether(1), uOther))

	u4 := e.stakeAt(d, v0, ether(5))
	for _, tc := range []struct {
		name   string
		amount *big.Int
		want   string
	}{
		{"zero", new(big.Int), "ZeroAmount()"},
		{"more than the stake", ether(41), fmt.Sprintf("InsufficientStake(staked=%s, requested=%s)", ether(40), ether(41))},
		{"more than unlocked", ether(36), locked(ether(35), ether(36), u4)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			defer func() { e.t = t }()
			e.reverts(d, e.vs.PackUnstake(v0.addr, tc.amount), nil, tc.want)
		})
	}
	e.t = t
	e.must(d, e.vs.PackUnstake(v0.addr, ether(35)), nil)
	wantBig(t, "unlocked", e.unlocked(d.addr, v0.addr), new(big.Int))
	wantLots(t, e, d.addr, v0.addr, lot{ether(5), u4})
	wantBig(t, "totalStakeAt(v0)", view(e, e.vs.PackTotalStakeAt(v0.addr), e.vs.UnpackTotalStakeAt), ether(5))
	wantBig(t, "totalStaked", view(e, e.vs.PackTotalStaked(), e.vs.UnpackTotalStaked), ether(12))
	wantBig(t, "withdrawable", view(e, e.vs.PackWithdrawable(d.addr), e.vs.UnpackWithdrawable), ether(60))
}

// Stakes in one block share a lot; stakes of another delegator or at another
// validator in that block do not join it.
func TestSameBlockStakesShareALot(t *testing.T) {
	e := newEnv(t, 2, 5000)
	v0, v1, d, other := accts[0], accts[1], accts[20], accts[21]
	rs := e.sendBlock(
		call{d, e.vs.PackStake(v0.addr), ether(1)},
		call{other, e.vs.PackStake(v0.addr), ether(4)},
		call{d, e.vs.PackStake(v0.addr), ether(2)},
		call{d, e.vs.PackStake(v1.addr), ether(8)},
	)
	u := e.blockTime(rs[0]) + week
	wantLots(t, e, d.addr, v0.addr, lot{ether(3), u})
	wantLots(t, e, other.addr, v0.addr, lot{ether(4), u})
	wantLots(t, e, d.addr, v1.addr, lot{ether(8), u})
	// Each stake still has its own Staked event, as the follower counts them.
	for i, want := range []int64{1, 4, 2, 8} {
		st, err := e.vs.UnpackStakedEvent(rs[i].Logs[0])
		if err != nil {
			t.Fatal(err)
		}
		wantBig(t, "Staked amount", st.Amount, ether(want))
	}
}

// At most MAX_LOCKED_LOTS lots are locked per delegation. A stake into a full
// queue joins the newest lot, which takes the new unlock time: older lots keep
// theirs. A stake that finds the oldest lot unlocked folds it first and gets a
// lot of its own.
func TestLockedLotQueueFull(t *testing.T) {
	e := newEnv(t, 1, 5000)
	v0, d := accts[0], accts[20]
	var lots []lot
	for i := int64(1); i <= 16; i++ {
		lots = append(lots, lot{ether(i), e.stakeAt(d, v0, ether(i))})
		e.setLatestTime(e.latestTime() + 100) // lots unlock 101 s apart
	}
	wantLots(t, e, d.addr, v0.addr, lots...)

	// 17th: merged into the 16th, which now unlocks with it.
	u17 := e.stakeAt(d, v0, ether(100))
	if u17 <= lots[15].unlocksAt {
		t.Fatal("the 17th stake is in the 16th's block")
	}
	lots[15] = lot{ether(116), u17}
	wantLots(t, e, d.addr, v0.addr, lots...)
	wantBig(t, "stakeOf", view(e, e.vs.PackStakeOf(d.addr, v0.addr), e.vs.UnpackStakeOf), ether(236))

	// The oldest lot unlocks at its own time.
	e.setLatestTime(lots[0].unlocksAt)
	wantBig(t, "unlocked at lot 1's time", e.unlocked(d.addr, v0.addr), ether(1))
	wantLots(t, e, d.addr, v0.addr, lots[1:]...)
	e.must(d, e.vs.PackUnstake(v0.addr, ether(1)), nil)
	lots = lots[1:]

	// 15 locked lots: the next stake gets its own lot again.
	u18 := e.stakeAt(d, v0, ether(7))
	lots = append(lots, lot{ether(7), u18})
	wantLots(t, e, d.addr, v0.addr, lots...)

	// Full again, but the oldest (2 CMT) has unlocked: the stake folds it and
	// takes the freed place instead of merging.
	e.setLatestTime(lots[0].unlocksAt)
	u19 := e.stakeAt(d, v0, ether(3))
	lots = append(lots[1:], lot{ether(3), u19})
	wantLots(t, e, d.addr, v0.addr, lots...)
	wantBig(t, "unlocked", e.unlocked(d.addr, v0.addr), ether(2))

	// Everything unlocks by the last lot's time, in one fold of 16 lots.
	e.setLatestTime(u19)
	wantLots(t, e, d.addr, v0.addr)
	all := view(e, e.vs.PackStakeOf(d.addr, v0.addr), e.vs.UnpackStakeOf)
	wantBig(t, "unlocked at the end", e.unlocked(d.addr, v0.addr), all)
	e.must(d, e.vs.PackUnstake(v0.addr, all), nil)
	wantBig(t, "stakeOf after", view(e, e.vs.PackStakeOf(d.addr, v0.addr), e.vs.UnpackStakeOf), new(big.Int))
	wantBig(t, "all", all, ether(245)) // 236 - 1 + 7 + 3
	wantBig(t, "withdrawable", view(e, e.vs.PackWithdrawable(d.addr), e.vs.UnpackWithdrawable), ether(246))
}
