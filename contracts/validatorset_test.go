package contracts

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
)

func TestDeploy(t *testing.T) {
	e := newEnv(t, 3, 5000)
	wantBig(t, "rootQuorum", view(e, e.vs.PackRootQuorum(), e.vs.UnpackRootQuorum), big.NewInt(2))
	wantBig(t, "rootQuorumBps", view(e, e.vs.PackRootQuorumBps(), e.vs.UnpackRootQuorumBps), big.NewInt(5000))
	wantBig(t, "MAX_LOCKED_LOTS", view(e, e.vs.PackMAXLOCKEDLOTS(), e.vs.UnpackMAXLOCKEDLOTS), big.NewInt(16))
	wantBig(t, "MAX_VALIDATORS", view(e, e.vs.PackMAXVALIDATORS(), e.vs.UnpackMAXVALIDATORS), big.NewInt(21))
	wantBig(t, "LOCK_PERIOD", view(e, e.vs.PackLOCKPERIOD(), e.vs.UnpackLOCKPERIOD), big.NewInt(7*24*3600))
	wantBig(t, "nextEpoch", view(e, e.vs.PackNextEpoch(), e.vs.UnpackNextEpoch), big.NewInt(0))
	wantEq(t, "currentRoot", view(e, e.vs.PackCurrentRoot(), e.vs.UnpackCurrentRoot), [32]byte{})
	wantBig(t, "currentTotal", view(e, e.vs.PackCurrentTotal(), e.vs.UnpackCurrentTotal), big.NewInt(0))
	wantBig(t, "rewardFunds", view(e, e.vs.PackRewardFunds(), e.vs.UnpackRewardFunds), big.NewInt(0))
	active := view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators)
	if !slices.Equal(active, addrs(accts[:3])) {
		t.Fatalf("activeValidators = %v", active)
	}
	for i, a := range accts[:4] {
		wantEq(t, fmt.Sprintf("isActive(%d)", i), view(e, e.vs.PackIsActive(a.addr), e.vs.UnpackIsActive), i < 3)
		wantEq(t, fmt.Sprintf("isCandidate(%d)", i), view(e, e.vs.PackIsCandidate(a.addr), e.vs.UnpackIsCandidate), false)
	}

	// The constructor emits ValidatorAdded for each initial validator, in order.
	var added []common.Address
	for _, l := range e.allLogs() {
		ev, err := e.vs.UnpackValidatorAddedEvent(&l)
		if err != nil {
			t.Fatalf("constructor log: %v", err)
		}
		added = append(added, ev.Validator)
	}
	if !slices.Equal(added, addrs(accts[:3])) {
		t.Fatalf("ValidatorAdded from constructor = %v", added)
	}
}

func TestDeployRejects(t *testing.T) {
	e := newEnv(t, 1, 5000) // only for the chain
	many := addrs(accts[:22])
	for _, tc := range []struct {
		name       string
		validators []common.Address
		quorumBps  uint64
		want       string
	}{
		{"zero quorum", addrs(accts[:3]), 0, "InvalidQuorum(rootQuorumBps=0)"},
		{"quorum below half", addrs(accts[:3]), 4999, "InvalidQuorum(rootQuorumBps=4999)"},
		{"quorum above whole", addrs(accts[:3]), 10001, "InvalidQuorum(rootQuorumBps=10001)"},
		{"old absolute quorum", addrs(accts[:3]), 2, "InvalidQuorum(rootQuorumBps=2)"},
		{"no validators", nil, 5000, "EmptyValidatorSet()"},
		{"22 validators", many, 5000, "ActiveSetFull(max=21)"},
		{"zero address", []common.Address{accts[0].addr, {}}, 5000, "ZeroAddress()"},
		{"duplicate", []common.Address{accts[0].addr, accts[1].addr, accts[0].addr}, 5000,
			fmt.Sprintf("AlreadyActive(account=%s)", accts[0].addr)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := DeployValidatorSet(e.opts(accts[5], nil), e.client, tc.validators, tc.quorumBps)
			if got := DecodeRevert(err); got != tc.want {
				t.Fatalf("deploy revert = %q, want %q", got, tc.want)
			}
		})
	}
	// The bounds themselves, and 21 validators, are fine.
	for _, bps := range []uint64{5000, 10000} {
		if _, _, err := DeployValidatorSet(e.opts(accts[5], nil), e.client, addrs(accts[:21]), bps); err != nil {
			t.Fatalf("21 validators, %d bps: %s", bps, DecodeRevert(err))
		}
	}
}

func TestCandidacy(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, cand := accts[0], accts[10]

	for _, n := range []int{0, 1, 33, 63, 65, 128} {
		e.reverts(cand, e.vs.PackDeclareCandidacy(make([]byte, n)), nil, fmt.Sprintf("InvalidPubkeyLength(length=%d)", n))
	}
	e.reverts(cand, e.vs.PackWithdrawCandidacy(), nil, fmt.Sprintf("NotCandidate(account=%s)", cand.addr))

	key := pubkey(7)
	r := e.must(cand, e.vs.PackDeclareCandidacy(key), nil)
	wantNames(t, e.eventNames(r), "CandidacyDeclared")
	ev, err := e.vs.UnpackCandidacyDeclaredEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "event candidate", ev.Candidate, cand.addr)
	wantEq(t, "event pubkey", common.Bytes2Hex(ev.Pubkey), common.Bytes2Hex(key))
	wantEq(t, "isCandidate", view(e, e.vs.PackIsCandidate(cand.addr), e.vs.UnpackIsCandidate), true)
	wantEq(t, "isActive", view(e, e.vs.PackIsActive(cand.addr), e.vs.UnpackIsActive), false)

	e.reverts(cand, e.vs.PackDeclareCandidacy(key), nil, fmt.Sprintf("AlreadyCandidate(account=%s)", cand.addr))
	e.reverts(v0, e.vs.PackDeclareCandidacy(key), nil, fmt.Sprintf("AlreadyActive(account=%s)", v0.addr))
	e.reverts(v0, e.vs.PackWithdrawCandidacy(), nil, fmt.Sprintf("NotCandidate(account=%s)", v0.addr))

	r = e.must(cand, e.vs.PackWithdrawCandidacy(), nil)
	wantNames(t, e.eventNames(r), "CandidacyWithdrawn")
	wev, err := e.vs.UnpackCandidacyWithdrawnEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "event candidate", wev.Candidate, cand.addr)
	wantEq(t, "isCandidate after withdraw", view(e, e.vs.PackIsCandidate(cand.addr), e.vs.UnpackIsCandidate), false)
	e.reverts(cand, e.vs.PackWithdrawCandidacy(), nil, fmt.Sprintf("NotCandidate(account=%s)", cand.addr))

	// Declaring again after a withdrawal is allowed.
	e.must(cand, e.vs.PackDeclareCandidacy(pubkey(8)), nil)
	wantEq(t, "isCandidate again", view(e, e.vs.PackIsCandidate(cand.addr), e.vs.UnpackIsCandidate), true)
}

func TestPromoteAndRemoveMajorityOfThree(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, v2, cand, outsider := accts[0], accts[1], accts[2], accts[10], accts[11]
	e.must(cand, e.vs.PackDeclareCandidacy(pubkey(1)), nil)

	e.reverts(outsider, e.vs.PackVotePromote(cand.addr), nil, fmt.Sprintf("NotActiveValidator(account=%s)", outsider.addr))
	e.reverts(cand, e.vs.PackVotePromote(cand.addr), nil, fmt.Sprintf("NotActiveValidator(account=%s)", cand.addr))
	e.reverts(v0, e.vs.PackVotePromote(outsider.addr), nil, fmt.Sprintf("NotCandidate(account=%s)", outsider.addr))
	e.reverts(v0, e.vs.PackVotePromote(v1.addr), nil, fmt.Sprintf("NotCandidate(account=%s)", v1.addr))

	// One vote of three is not a majority.
	r := e.must(v0, e.vs.PackVotePromote(cand.addr), nil)
	wantNames(t, e.eventNames(r), "PromotionVoted")
	pv, err := e.vs.UnpackPromotionVotedEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "voter", pv.Voter, v0.addr)
	wantEq(t, "candidate", pv.Candidate, cand.addr)
	wantBig(t, "votes", pv.Votes, big.NewInt(1))
	wantEq(t, "isActive after 1 vote", view(e, e.vs.PackIsActive(cand.addr), e.vs.UnpackIsActive), false)
	wantBig(t, "pendingVotes", view(e, e.vs.PackPendingVotes(cand.addr), e.vs.UnpackPendingVotes), big.NewInt(1))
	wantEq(t, "hasVotedOn v0", view(e, e.vs.PackHasVotedOn(v0.addr, cand.addr), e.vs.UnpackHasVotedOn), true)
	wantEq(t, "hasVotedOn v1", view(e, e.vs.PackHasVotedOn(v1.addr, cand.addr), e.vs.UnpackHasVotedOn), false)
	e.reverts(v0, e.vs.PackVotePromote(cand.addr), nil, fmt.Sprintf("DuplicateVote(voter=%s, target=%s)", v0.addr, cand.addr))

	// The second vote executes: 2 > 3/2.
	r = e.must(v1, e.vs.PackVotePromote(cand.addr), nil)
	wantNames(t, e.eventNames(r), "PromotionVoted", "ValidatorAdded")
	added, err := e.vs.UnpackValidatorAddedEvent(r.Logs[1])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "added", added.Validator, cand.addr)
	wantEq(t, "isActive", view(e, e.vs.PackIsActive(cand.addr), e.vs.UnpackIsActive), true)
	wantEq(t, "isCandidate", view(e, e.vs.PackIsCandidate(cand.addr), e.vs.UnpackIsCandidate), false)
	active := view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators)
	if !slices.Equal(active, []common.Address{v0.addr, v1.addr, v2.addr, cand.addr}) {
		t.Fatalf("active = %v", active)
	}
	e.reverts(v2, e.vs.PackVotePromote(cand.addr), nil, fmt.Sprintf("NotCandidate(account=%s)", cand.addr))
	e.reverts(cand, e.vs.PackDeclareCandidacy(pubkey(1)), nil, fmt.Sprintf("AlreadyActive(account=%s)", cand.addr))
	e.reverts(cand, e.vs.PackWithdrawCandidacy(), nil, fmt.Sprintf("NotCandidate(account=%s)", cand.addr))

	// Removal of a member of 4 needs 3 votes; the promoted validator can vote too.
	e.reverts(outsider, e.vs.PackVoteRemove(v0.addr), nil, fmt.Sprintf("NotActiveValidator(account=%s)", outsider.addr))
	e.reverts(v0, e.vs.PackVoteRemove(outsider.addr), nil, fmt.Sprintf("NotActiveValidator(account=%s)", outsider.addr))
	for i, voter := range []account{v0, cand} {
		r = e.must(voter, e.vs.PackVoteRemove(v1.addr), nil)
		wantNames(t, e.eventNames(r), "RemovalVoted")
		rv, err := e.vs.UnpackRemovalVotedEvent(r.Logs[0])
		if err != nil {
			t.Fatal(err)
		}
		wantEq(t, "voter", rv.Voter, voter.addr)
		wantEq(t, "validator", rv.Validator, v1.addr)
		wantBig(t, "votes", rv.Votes, big.NewInt(int64(i+1)))
	}
	e.reverts(cand, e.vs.PackVoteRemove(v1.addr), nil, fmt.Sprintf("DuplicateVote(voter=%s, target=%s)", cand.addr, v1.addr))
	wantEq(t, "isActive before 3rd vote", view(e, e.vs.PackIsActive(v1.addr), e.vs.UnpackIsActive), true)
	// The target may vote for its own removal.
	r = e.must(v1, e.vs.PackVoteRemove(v1.addr), nil)
	wantNames(t, e.eventNames(r), "RemovalVoted", "ValidatorRemoved")
	removed, err := e.vs.UnpackValidatorRemovedEvent(r.Logs[1])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "removed", removed.Validator, v1.addr)

	// A removed validator is a candidate again: it can be promoted back or withdraw.
	wantEq(t, "removed isActive", view(e, e.vs.PackIsActive(v1.addr), e.vs.UnpackIsActive), false)
	wantEq(t, "removed isCandidate", view(e, e.vs.PackIsCandidate(v1.addr), e.vs.UnpackIsCandidate), true)
	active = view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators)
	if !slices.Equal(active, []common.Address{v0.addr, cand.addr, v2.addr}) { // swap-and-pop
		t.Fatalf("active after removal = %v", active)
	}
	e.reverts(v1, e.vs.PackVotePromote(v0.addr), nil, fmt.Sprintf("NotActiveValidator(account=%s)", v1.addr))
	e.must(v0, e.vs.PackVotePromote(v1.addr), nil)
	r = e.must(v2, e.vs.PackVotePromote(v1.addr), nil)
	wantNames(t, e.eventNames(r), "PromotionVoted", "ValidatorAdded")
	wantEq(t, "re-promoted", view(e, e.vs.PackIsActive(v1.addr), e.vs.UnpackIsActive), true)
}

func TestStaleVotesDoNotCarryOver(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, v2, x, y := accts[0], accts[1], accts[2], accts[10], accts[11]
	e.must(x, e.vs.PackDeclareCandidacy(pubkey(1)), nil)
	e.must(y, e.vs.PackDeclareCandidacy(pubkey(2)), nil)

	// A status change of the target (withdraw, declare again) resets its ballot.
	e.must(v0, e.vs.PackVotePromote(x.addr), nil)
	e.must(x, e.vs.PackWithdrawCandidacy(), nil)
	e.must(x, e.vs.PackDeclareCandidacy(pubkey(1)), nil)
	wantBig(t, "pendingVotes(x) after re-declare", view(e, e.vs.PackPendingVotes(x.addr), e.vs.UnpackPendingVotes), big.NewInt(0))
	wantEq(t, "hasVotedOn(v0,x)", view(e, e.vs.PackHasVotedOn(v0.addr, x.addr), e.vs.UnpackHasVotedOn), false)
	r := e.must(v1, e.vs.PackVotePromote(x.addr), nil)
	wantNames(t, e.eventNames(r), "PromotionVoted") // v0's old vote did not count
	wantEq(t, "x not active", view(e, e.vs.PackIsActive(x.addr), e.vs.UnpackIsActive), false)

	// Any change of the active set resets every pending ballot, so a vote cast
	// before (possibly by a since-removed validator) never counts after it.
	e.must(v2, e.vs.PackVotePromote(y.addr), nil)
	wantBig(t, "pendingVotes(y)", view(e, e.vs.PackPendingVotes(y.addr), e.vs.UnpackPendingVotes), big.NewInt(1))
	r = e.must(v2, e.vs.PackVotePromote(x.addr), nil) // x promoted: 4 active
	wantNames(t, e.eventNames(r), "PromotionVoted", "ValidatorAdded")
	wantBig(t, "pendingVotes(y) after set change", view(e, e.vs.PackPendingVotes(y.addr), e.vs.UnpackPendingVotes), big.NewInt(0))
	wantEq(t, "hasVotedOn(v2,y)", view(e, e.vs.PackHasVotedOn(v2.addr, y.addr), e.vs.UnpackHasVotedOn), false)
	// v2 may vote for y again, and y now needs 3 of 4.
	e.must(v2, e.vs.PackVotePromote(y.addr), nil)
	e.must(v0, e.vs.PackVotePromote(y.addr), nil)
	wantEq(t, "y after 2 of 4", view(e, e.vs.PackIsActive(y.addr), e.vs.UnpackIsActive), false)
	r = e.must(x, e.vs.PackVotePromote(y.addr), nil)
	wantNames(t, e.eventNames(r), "PromotionVoted", "ValidatorAdded")
}

func TestActiveSetLimit(t *testing.T) {
	e := newEnv(t, 20, 5000)
	a, b := accts[25], accts[26]
	e.must(a, e.vs.PackDeclareCandidacy(pubkey(1)), nil)
	e.must(b, e.vs.PackDeclareCandidacy(pubkey(2)), nil)

	// 20 active: promotion needs 11 votes.
	for i := 0; i < 11; i++ {
		r := e.must(accts[i], e.vs.PackVotePromote(a.addr), nil)
		if i < 10 {
			wantNames(t, e.eventNames(r), "PromotionVoted")
		} else {
			wantNames(t, e.eventNames(r), "PromotionVoted", "ValidatorAdded")
		}
	}
	wantEq(t, "active count", len(view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators)), 21)
	e.reverts(accts[0], e.vs.PackVotePromote(b.addr), nil, "ActiveSetFull(max=21)")

	// After a removal (11 of 21) there is room again.
	for i := 0; i < 11; i++ {
		e.must(accts[i], e.vs.PackVoteRemove(accts[19].addr), nil)
	}
	wantEq(t, "active count after removal", len(view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators)), 20)
	e.must(accts[0], e.vs.PackVotePromote(b.addr), nil)
}

// Removals can go down to one validator, whatever the root quorum (it follows
// the set), but never to none; the last validator alone then accepts roots.
func TestRemovalDownToLastValidator(t *testing.T) {
	for _, bps := range []uint64{5000, 6667, 10000} {
		t.Run(fmt.Sprint(bps), func(t *testing.T) {
			e := newEnv(t, 3, bps)
			v0, v1, v2 := accts[0], accts[1], accts[2]
			e.fund(accts[20], ether(1))
			quorum := func() *big.Int { return view(e, e.vs.PackRootQuorum(), e.vs.UnpackRootQuorum) }
			wantBig(t, "rootQuorum of 3", quorum(), big.NewInt(int64(refQuorum(3, bps))))

			e.must(v0, e.vs.PackVoteRemove(v2.addr), nil)
			r := e.must(v1, e.vs.PackVoteRemove(v2.addr), nil)
			wantNames(t, e.eventNames(r), "RemovalVoted", "ValidatorRemoved")
			wantBig(t, "rootQuorum of 2", quorum(), big.NewInt(2))

			// 1 of 2 is not a majority; the target's own vote makes 2.
			r = e.must(v0, e.vs.PackVoteRemove(v1.addr), nil)
			wantNames(t, e.eventNames(r), "RemovalVoted")
			r = e.must(v1, e.vs.PackVoteRemove(v1.addr), nil)
			wantNames(t, e.eventNames(r), "RemovalVoted", "ValidatorRemoved")
			wantBig(t, "rootQuorum of 1", quorum(), big.NewInt(1))
			if got := view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators); !slices.Equal(got, []common.Address{v0.addr}) {
				t.Fatalf("active = %v", got)
			}

			e.reverts(v0, e.vs.PackVoteRemove(v0.addr), nil, "LastValidator()")
			wantBig(t, "no ballot opened", view(e, e.vs.PackPendingVotes(v0.addr), e.vs.UnpackPendingVotes), big.NewInt(0))
			r = e.must(v0, e.vs.PackSubmitRoot(big.NewInt(0), hash("alone"), ether(1), hash("r")), nil)
			wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
		})
	}
}

func TestStakeUnstakeWithdraw(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, cand, d, nobody := accts[0], accts[1], accts[10], accts[20], accts[21]
	e.must(cand, e.vs.PackDeclareCandidacy(pubkey(1)), nil)

	e.reverts(d, e.vs.PackStake(v0.addr), nil, "ZeroAmount()")
	e.reverts(d, e.vs.PackStake(v0.addr), big.NewInt(0), "ZeroAmount()")
	e.reverts(d, e.vs.PackStake(nobody.addr), ether(1), fmt.Sprintf("NotValidatorOrCandidate(account=%s)", nobody.addr))

	r := e.must(d, e.vs.PackStake(v0.addr), ether(10))
	t0 := e.blockTime(r)
	wantNames(t, e.eventNames(r), "Staked")
	st, err := e.vs.UnpackStakedEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "delegator", st.Delegator, d.addr)
	wantEq(t, "validator", st.Validator, v0.addr)
	wantBig(t, "amount", st.Amount, ether(10))
	wantBig(t, "stakeOf", view(e, e.vs.PackStakeOf(d.addr, v0.addr), e.vs.UnpackStakeOf), ether(10))
	unlock := t0 + 7*24*3600
	wantLots(t, e, d.addr, v0.addr, lot{ether(10), unlock})
	wantBig(t, "unlockedStakeOf", view(e, e.vs.PackUnlockedStakeOf(d.addr, v0.addr), e.vs.UnpackUnlockedStakeOf), big.NewInt(0))

	// Staking at a candidate and at a second validator; the contract holds it all.
	e.must(d, e.vs.PackStake(cand.addr), ether(2))
	e.must(v1, e.vs.PackStake(v0.addr), ether(5)) // a validator can delegate too
	wantBig(t, "totalStakeAt(v0)", view(e, e.vs.PackTotalStakeAt(v0.addr), e.vs.UnpackTotalStakeAt), ether(15))
	wantBig(t, "totalStakeAt(cand)", view(e, e.vs.PackTotalStakeAt(cand.addr), e.vs.UnpackTotalStakeAt), ether(2))
	wantBig(t, "totalStaked", view(e, e.vs.PackTotalStaked(), e.vs.UnpackTotalStaked), ether(17))
	wantBig(t, "contract balance", e.balance(e.addr), ether(17))
	wantBig(t, "rewardFunds (stakes are not rewards)", view(e, e.vs.PackRewardFunds(), e.vs.UnpackRewardFunds), big.NewInt(0))

	locked := fmt.Sprintf("StakeLocked(unlocked=0, requested=%s, nextUnlockAt=%d)", ether(1), unlock)
	e.reverts(d, e.vs.PackUnstake(v0.addr, big.NewInt(0)), nil, "ZeroAmount()")
	e.reverts(d, e.vs.PackUnstake(v0.addr, ether(11)), nil, fmt.Sprintf("InsufficientStake(staked=%s, requested=%s)", ether(10), ether(11)))
	e.reverts(d, e.vs.PackUnstake(nobody.addr, ether(1)), nil, fmt.Sprintf("InsufficientStake(staked=0, requested=%s)", ether(1)))
	e.reverts(d, e.vs.PackUnstake(v0.addr, ether(1)), nil, locked)
	e.setLatestTime(unlock - 1)
	e.reverts(d, e.vs.PackUnstake(v0.addr, ether(1)), nil, locked)
	e.setLatestTime(unlock)
	// At exactly the stake's block time + 7 days it is unlocked.
	wantBig(t, "unlockedStakeOf at the unlock time", view(e, e.vs.PackUnlockedStakeOf(d.addr, v0.addr), e.vs.UnpackUnlockedStakeOf), ether(10))
	wantLots(t, e, d.addr, v0.addr)
	if _, err := bind.Call[any](e.c, &bind.CallOpts{From: d.addr}, e.vs.PackUnstake(v0.addr, ether(10)), nil); err != nil {
		t.Fatalf("unstake at the unlock time: %s", DecodeRevert(err))
	}

	// A newer stake to the same validator locks only itself.
	r = e.must(d, e.vs.PackStake(v0.addr), ether(1))
	t1 := e.blockTime(r)
	e.reverts(d, e.vs.PackUnstake(v0.addr, ether(11)), nil,
		fmt.Sprintf("StakeLocked(unlocked=%s, requested=%s, nextUnlockAt=%d)", ether(10), ether(11), t1+7*24*3600))
	wantLots(t, e, d.addr, v0.addr, lot{ether(1), t1 + 7*24*3600})
	e.setLatestTime(t1 + 7*24*3600)
	e.must(d, e.vs.PackUnstake(cand.addr, ether(2)), nil)

	r = e.must(d, e.vs.PackUnstake(v0.addr, ether(4)), nil)
	wantNames(t, e.eventNames(r), "Unstaked")
	us, err := e.vs.UnpackUnstakedEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "delegator", us.Delegator, d.addr)
	wantEq(t, "validator", us.Validator, v0.addr)
	wantBig(t, "amount", us.Amount, ether(4))
	wantBig(t, "stakeOf after", view(e, e.vs.PackStakeOf(d.addr, v0.addr), e.vs.UnpackStakeOf), ether(7))
	wantBig(t, "totalStakeAt(v0) after", view(e, e.vs.PackTotalStakeAt(v0.addr), e.vs.UnpackTotalStakeAt), ether(12))
	wantBig(t, "totalStaked after", view(e, e.vs.PackTotalStaked(), e.vs.UnpackTotalStaked), ether(12))
	wantBig(t, "withdrawable", view(e, e.vs.PackWithdrawable(d.addr), e.vs.UnpackWithdrawable), ether(6))
	wantBig(t, "totalWithdrawable", view(e, e.vs.PackTotalWithdrawable(), e.vs.UnpackTotalWithdrawable), ether(6))
	wantBig(t, "rewardFunds (withdrawable is not rewards)", view(e, e.vs.PackRewardFunds(), e.vs.UnpackRewardFunds), big.NewInt(0))

	e.reverts(nobody, e.vs.PackWithdraw(), nil, fmt.Sprintf("NothingToWithdraw(account=%s)", nobody.addr))
	before := e.balance(d.addr)
	r = e.must(d, e.vs.PackWithdraw(), nil)
	wantNames(t, e.eventNames(r), "Withdrawn")
	wd, err := e.vs.UnpackWithdrawnEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "delegator", wd.Delegator, d.addr)
	wantBig(t, "amount", wd.Amount, ether(6))
	wantBig(t, "balance after withdraw", e.balance(d.addr), new(big.Int).Sub(new(big.Int).Add(before, ether(6)), gasCost(r)))
	wantBig(t, "withdrawable after", view(e, e.vs.PackWithdrawable(d.addr), e.vs.UnpackWithdrawable), big.NewInt(0))
	wantBig(t, "totalWithdrawable after", view(e, e.vs.PackTotalWithdrawable(), e.vs.UnpackTotalWithdrawable), big.NewInt(0))
	wantBig(t, "contract balance after", e.balance(e.addr), ether(12))
	e.reverts(d, e.vs.PackWithdraw(), nil, fmt.Sprintf("NothingToWithdraw(account=%s)", d.addr))
}

func TestStakesSurviveRemovalAndWithdrawnCandidacy(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, v2, cand, d := accts[0], accts[1], accts[2], accts[10], accts[20]
	e.must(d, e.vs.PackStake(v2.addr), ether(3))
	e.must(cand, e.vs.PackDeclareCandidacy(pubkey(1)), nil)
	e.must(d, e.vs.PackStake(cand.addr), ether(4))

	e.must(v0, e.vs.PackVoteRemove(v2.addr), nil)
	e.must(v1, e.vs.PackVoteRemove(v2.addr), nil)
	wantEq(t, "v2 is candidate", view(e, e.vs.PackIsCandidate(v2.addr), e.vs.UnpackIsCandidate), true)
	wantBig(t, "stake at removed validator", view(e, e.vs.PackStakeOf(d.addr, v2.addr), e.vs.UnpackStakeOf), ether(3))
	e.must(d, e.vs.PackStake(v2.addr), ether(1)) // still a candidate, so still stakeable

	// A withdrawn candidate cannot take new stakes, but old ones can leave.
	e.must(cand, e.vs.PackWithdrawCandidacy(), nil)
	e.reverts(d, e.vs.PackStake(cand.addr), ether(1), fmt.Sprintf("NotValidatorOrCandidate(account=%s)", cand.addr))
	wantBig(t, "stake at withdrawn candidate", view(e, e.vs.PackStakeOf(d.addr, cand.addr), e.vs.UnpackStakeOf), ether(4))
	e.setLatestTime(e.latestTime() + 7*24*3600)
	e.must(d, e.vs.PackUnstake(cand.addr, ether(4)), nil)
	e.must(d, e.vs.PackUnstake(v2.addr, ether(4)), nil)
	wantBig(t, "withdrawable", view(e, e.vs.PackWithdrawable(d.addr), e.vs.UnpackWithdrawable), ether(8))
}

func TestReceiveFunds(t *testing.T) {
	e := newEnv(t, 1, 5000)
	r := e.fund(accts[20], ether(3))
	wantNames(t, e.eventNames(r), "Funded")
	f, err := e.vs.UnpackFundedEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "from", f.From, accts[20].addr)
	wantBig(t, "amount", f.Amount, ether(3))
	wantBig(t, "rewardFunds", view(e, e.vs.PackRewardFunds(), e.vs.UnpackRewardFunds), ether(3))
	e.must(accts[20], e.vs.PackStake(accts[0].addr), ether(5))
	wantBig(t, "rewardFunds with a stake", view(e, e.vs.PackRewardFunds(), e.vs.UnpackRewardFunds), ether(3))
}

// TestLogsRebuildState replays the contract's logs, as the daemon does, and
// checks the result against the views: stakes per (delegator, validator) and
// the active set.
func TestLogsRebuildState(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, v2, c1, c2 := accts[0], accts[1], accts[2], accts[10], accts[11]
	d1, d2 := accts[20], accts[21]
	e.must(c1, e.vs.PackDeclareCandidacy(pubkey(1)), nil)
	e.must(c2, e.vs.PackDeclareCandidacy(pubkey(2)), nil)
	e.must(d1, e.vs.PackStake(v0.addr), ether(10))
	e.must(d1, e.vs.PackStake(c1.addr), ether(3))
	e.must(d2, e.vs.PackStake(v1.addr), ether(7))
	e.must(v0, e.vs.PackVotePromote(c1.addr), nil)
	e.must(v1, e.vs.PackVotePromote(c1.addr), nil)
	e.must(v0, e.vs.PackVoteRemove(v2.addr), nil)
	e.must(v1, e.vs.PackVoteRemove(v2.addr), nil)
	e.must(c1, e.vs.PackVoteRemove(v2.addr), nil)
	e.fund(d2, ether(1))
	e.setLatestTime(e.latestTime() + 7*24*3600)
	e.must(d1, e.vs.PackUnstake(v0.addr, ether(4)), nil)
	e.must(d2, e.vs.PackStake(c2.addr), ether(2))
	e.must(d1, e.vs.PackWithdraw(), nil)

	type key struct{ d, v common.Address }
	stakes := map[key]*big.Int{}
	active := map[common.Address]bool{}
	logs := e.allLogs()
	for i := range logs {
		l := &logs[i]
		if i > 0 && (l.BlockNumber < logs[i-1].BlockNumber || (l.BlockNumber == logs[i-1].BlockNumber && l.Index <= logs[i-1].Index)) {
			t.Fatalf("logs out of (block, index) order at %d", i)
		}
		ev, err := e.vs.abi.EventByID(l.Topics[0])
		if err != nil {
			t.Fatalf("log %d: unknown event", i)
		}
		switch ev.Name {
		case "Staked":
			s, _ := e.vs.UnpackStakedEvent(l)
			k := key{s.Delegator, s.Validator}
			if stakes[k] == nil {
				stakes[k] = new(big.Int)
			}
			stakes[k].Add(stakes[k], s.Amount)
		case "Unstaked":
			u, _ := e.vs.UnpackUnstakedEvent(l)
			k := key{u.Delegator, u.Validator}
			stakes[k].Sub(stakes[k], u.Amount)
		case "ValidatorAdded":
			a, _ := e.vs.UnpackValidatorAddedEvent(l)
			active[a.Validator] = true
		case "ValidatorRemoved":
			r, _ := e.vs.UnpackValidatorRemovedEvent(l)
			delete(active, r.Validator)
		}
	}
	if len(stakes) != 4 {
		t.Fatalf("replayed %d stakes, want 4", len(stakes))
	}
	for k, amount := range stakes {
		wantBig(t, "replayed stake", amount, view(e, e.vs.PackStakeOf(k.d, k.v), e.vs.UnpackStakeOf))
	}
	onChain := view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators)
	if len(onChain) != len(active) {
		t.Fatalf("replayed active set %v, on chain %v", active, onChain)
	}
	for _, a := range onChain {
		if !active[a] {
			t.Fatalf("replayed active set %v, on chain %v", active, onChain)
		}
	}
	if !active[c1.addr] || active[v2.addr] {
		t.Fatalf("unexpected active set %v", active)
	}
}

// mustHaveCode guards against a test silently talking to an empty address.
func (e *env) mustHaveCode(a common.Address) {
	e.t.Helper()
	code, err := e.client.CodeAt(context.Background(), a, nil)
	if err != nil || len(code) == 0 {
		e.t.Fatalf("no code at %s: %v", a, err)
	}
}
