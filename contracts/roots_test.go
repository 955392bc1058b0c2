package contracts

import (
	"fmt"
	"math/big"
	"testing"

	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

func hash(s string) common.Hash { return crypto.Keccak256Hash([]byte(s)) }

func TestSubmitRootRejects(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, v2, d, outsider := accts[0], accts[1], accts[2], accts[20], accts[21]
	root, res := hash("root"), hash("result")
	e.fund(d, ether(5))
	e.must(d, e.vs.PackStake(v0.addr), ether(100)) // stakes are never reward funds

	for _, tc := range []struct {
		name  string
		from  account
		epoch int64
		total *big.Int
		want  string
	}{
		{"not a validator", outsider, 0, ether(1), fmt.Sprintf("NotActiveValidator(account=%s)", outsider.addr)},
		{"future epoch", v0, 1, ether(1), "EpochNotNext(expected=0, got=1)"},
		{"far epoch", v0, 1 << 40, ether(1), fmt.Sprintf("EpochNotNext(expected=0, got=%d)", int64(1)<<40)},
		{"total above funds", v0, 0, new(big.Int).Add(ether(5), big.NewInt(1)),
			fmt.Sprintf("TotalExceedsFunds(available=%s, got=%s)", ether(5), new(big.Int).Add(ether(5), big.NewInt(1)))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e.t = t
			e.reverts(tc.from, e.vs.PackSubmitRoot(big.NewInt(tc.epoch), root, tc.total, res), nil, tc.want)
		})
	}
	e.t = t

	// Exactly the reward funds is fine; the same vote again is not (another one
	// would replace it: TestReplaceRootVote).
	e.must(v0, e.vs.PackSubmitRoot(big.NewInt(0), root, ether(5), res), nil)
	e.reverts(v0, e.vs.PackSubmitRoot(big.NewInt(0), root, ether(5), res), nil, fmt.Sprintf("AlreadyVoted(epoch=0, validator=%s)", v0.addr))
	e.must(v1, e.vs.PackSubmitRoot(big.NewInt(0), root, ether(5), res), nil) // accepted (2 of 3)

	// Epoch 0 is closed; epoch 1 must not lower the cumulative total.
	e.reverts(v2, e.vs.PackSubmitRoot(big.NewInt(0), root, ether(5), res), nil, "EpochNotNext(expected=1, got=0)")
	e.reverts(v2, e.vs.PackSubmitRoot(big.NewInt(1), root, ether(4), res), nil,
		fmt.Sprintf("TotalDecreased(previous=%s, got=%s)", ether(5), ether(4)))
	// Pending withdrawals are not reward funds either.
	e.setLatestTime(e.latestTime() + 7*24*3600)
	e.must(d, e.vs.PackUnstake(v0.addr, ether(100)), nil)
	e.reverts(v2, e.vs.PackSubmitRoot(big.NewInt(1), root, ether(6), res), nil,
		fmt.Sprintf("TotalExceedsFunds(available=%s, got=%s)", ether(5), ether(6)))
	e.fund(d, ether(1))
	e.must(v2, e.vs.PackSubmitRoot(big.NewInt(1), root, ether(6), res), nil)
}

func TestRootQuorumTwoOfThree(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, v2 := accts[0], accts[1], accts[2]
	e.fund(accts[20], ether(10))
	rootA, rootB, res := hash("A"), hash("B"), hash("result")
	epoch0 := big.NewInt(0)
	count := func(root common.Hash, total *big.Int) *big.Int {
		return view(e, e.vs.PackVoteCount(epoch0, root, total, res), e.vs.UnpackVoteCount)
	}

	// One vote does not accept.
	r := e.must(v0, e.vs.PackSubmitRoot(epoch0, rootA, ether(3), res), nil)
	wantNames(t, e.eventNames(r), "RootVoted")
	rv, err := e.vs.UnpackRootVotedEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "epoch", rv.Epoch, epoch0)
	wantEq(t, "voter", rv.Voter, v0.addr)
	wantEq(t, "root", common.Hash(rv.Root), rootA)
	wantBig(t, "total", rv.Total, ether(3))
	wantEq(t, "resultHash", common.Hash(rv.ResultHash), res)
	wantBig(t, "nextEpoch", view(e, e.vs.PackNextEpoch(), e.vs.UnpackNextEpoch), big.NewInt(0))
	wantBig(t, "voteCount A", count(rootA, ether(3)), big.NewInt(1))
	wantEq(t, "hasVoted v0", view(e, e.vs.PackHasVoted(epoch0, v0.addr), e.vs.UnpackHasVoted), true)
	wantEq(t, "hasVoted v1", view(e, e.vs.PackHasVoted(epoch0, v1.addr), e.vs.UnpackHasVoted), false)

	// A differing vote (other root, or same root with another total) does not count toward A.
	r = e.must(v1, e.vs.PackSubmitRoot(epoch0, rootB, ether(3), res), nil)
	wantNames(t, e.eventNames(r), "RootVoted")
	wantBig(t, "voteCount A", count(rootA, ether(3)), big.NewInt(1))
	wantBig(t, "voteCount B", count(rootB, ether(3)), big.NewInt(1))
	wantBig(t, "voteCount A other total", count(rootA, ether(2)), big.NewInt(0))
	wantEq(t, "currentRoot still zero", view(e, e.vs.PackCurrentRoot(), e.vs.UnpackCurrentRoot), [32]byte{})

	// A second matching vote accepts.
	r = e.must(v2, e.vs.PackSubmitRoot(epoch0, rootA, ether(3), res), nil)
	wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
	ra, err := e.vs.UnpackRootAcceptedEvent(r.Logs[1])
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "accepted epoch", ra.Epoch, epoch0)
	wantEq(t, "accepted root", common.Hash(ra.Root), rootA)
	wantBig(t, "accepted total", ra.Total, ether(3))
	wantEq(t, "accepted resultHash", common.Hash(ra.ResultHash), res)
	wantBig(t, "nextEpoch", view(e, e.vs.PackNextEpoch(), e.vs.UnpackNextEpoch), big.NewInt(1))
	wantEq(t, "currentRoot", common.Hash(view(e, e.vs.PackCurrentRoot(), e.vs.UnpackCurrentRoot)), rootA)
	wantBig(t, "currentTotal", view(e, e.vs.PackCurrentTotal(), e.vs.UnpackCurrentTotal), ether(3))
	er := view(e, e.vs.PackEpochRoot(epoch0), e.vs.UnpackEpochRoot)
	wantEq(t, "epochRoot.root", common.Hash(er.Root), rootA)
	wantBig(t, "epochRoot.total", er.Total, ether(3))
	wantEq(t, "epochRoot.resultHash", common.Hash(er.ResultHash), res)
	empty := view(e, e.vs.PackEpochRoot(big.NewInt(1)), e.vs.UnpackEpochRoot)
	wantEq(t, "epochRoot(1).root", empty.Root, [32]byte{})

	// Epoch 1: a removed validator's pending vote is withdrawn.
	epoch1 := big.NewInt(1)
	rootC := hash("C")
	e.must(v0, e.vs.PackSubmitRoot(epoch1, rootC, ether(4), res), nil)
	wantBig(t, "voteCount C", view(e, e.vs.PackVoteCount(epoch1, rootC, ether(4), res), e.vs.UnpackVoteCount), big.NewInt(1))
	e.must(v1, e.vs.PackVoteRemove(v0.addr), nil)
	r = e.must(v2, e.vs.PackVoteRemove(v0.addr), nil)
	wantNames(t, e.eventNames(r), "RemovalVoted", "ValidatorRemoved", "RootVoteWithdrawn")
	wd, err := e.vs.UnpackRootVoteWithdrawnEvent(r.Logs[2])
	if err != nil {
		t.Fatal(err)
	}
	wantBig(t, "withdrawn epoch", wd.Epoch, epoch1)
	wantEq(t, "withdrawn voter", wd.Voter, v0.addr)
	wantEq(t, "withdrawn root", common.Hash(wd.Root), rootC)
	wantBig(t, "withdrawn total", wd.Total, ether(4))
	wantEq(t, "withdrawn resultHash", common.Hash(wd.ResultHash), res)
	wantBig(t, "voteCount C after removal", view(e, e.vs.PackVoteCount(epoch1, rootC, ether(4), res), e.vs.UnpackVoteCount), big.NewInt(0))
	wantEq(t, "hasVoted v0 after removal", view(e, e.vs.PackHasVoted(epoch1, v0.addr), e.vs.UnpackHasVoted), false)
	wantEq(t, "past vote kept", view(e, e.vs.PackHasVoted(epoch0, v0.addr), e.vs.UnpackHasVoted), true)
	e.reverts(v0, e.vs.PackSubmitRoot(epoch1, rootC, ether(4), res), nil, fmt.Sprintf("NotActiveValidator(account=%s)", v0.addr))
	r = e.must(v1, e.vs.PackSubmitRoot(epoch1, rootC, ether(4), res), nil)
	wantNames(t, e.eventNames(r), "RootVoted") // 1 of 2 needed
	r = e.must(v2, e.vs.PackSubmitRoot(epoch1, rootC, ether(4), res), nil)
	wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
	wantBig(t, "nextEpoch", view(e, e.vs.PackNextEpoch(), e.vs.UnpackNextEpoch), big.NewInt(2))
}

// payoutTree builds the tree with the project's merkle package.
func payoutTree(t *testing.T, leaves map[common.Address]*big.Int) *merkle.Tree {
	t.Helper()
	var ls []merkle.Leaf
	for a, v := range leaves {
		ls = append(ls, merkle.Leaf{Account: a, Cumulative: uint256.MustFromBig(v)})
	}
	tr, err := merkle.Build(ls)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func proofOf(t *testing.T, tr *merkle.Tree, a common.Address) [][32]byte {
	t.Helper()
	p, err := tr.Proof(a)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][32]byte, len(p))
	for i, h := range p {
		out[i] = h
	}
	return out
}

func sum(vs map[common.Address]*big.Int) *big.Int {
	s := new(big.Int)
	for _, v := range vs {
		s.Add(s, v)
	}
	return s
}

func TestClaims(t *testing.T) {
	e := newEnv(t, 1, 5000)
	v0, a, b, c, relayer := accts[0], accts[20], accts[21], accts[22], accts[23]
	e.fund(accts[30], ether(10))
	e.must(accts[30], e.vs.PackStake(v0.addr), ether(50))

	// Before any root, nothing verifies.
	e.reverts(a, e.vs.PackClaim(a.addr, ether(1), nil), nil, fmt.Sprintf("InvalidProof(account=%s, cumulative=%s)", a.addr, ether(1)))

	// Epoch 0.
	epoch0 := map[common.Address]*big.Int{a.addr: ether(1), b.addr: ether(2), c.addr: milli(500)}
	t0 := payoutTree(t, epoch0)
	e.must(v0, e.vs.PackSubmitRoot(big.NewInt(0), t0.Root(), sum(epoch0), hash("r0")), nil)

	before := e.balance(a.addr)
	r := e.must(a, e.vs.PackClaim(a.addr, ether(1), proofOf(t, t0, a.addr)), nil)
	wantNames(t, e.eventNames(r), "Claimed")
	cl, err := e.vs.UnpackClaimedEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "account", cl.Account, a.addr)
	wantBig(t, "amount", cl.Amount, ether(1))
	wantBig(t, "cumulative", cl.Cumulative, ether(1))
	wantBig(t, "a's balance", e.balance(a.addr), new(big.Int).Sub(new(big.Int).Add(before, ether(1)), gasCost(r)))
	wantBig(t, "claimed(a)", view(e, e.vs.PackClaimed(a.addr), e.vs.UnpackClaimed), ether(1))
	e.reverts(a, e.vs.PackClaim(a.addr, ether(1), proofOf(t, t0, a.addr)), nil, fmt.Sprintf("NothingToClaim(account=%s)", a.addr))

	// A third party claims for b: the money goes to b, the relayer only pays gas.
	beforeB, beforeRelayer := e.balance(b.addr), e.balance(relayer.addr)
	r = e.must(relayer, e.vs.PackClaim(b.addr, ether(2), proofOf(t, t0, b.addr)), nil)
	wantBig(t, "b's balance", e.balance(b.addr), new(big.Int).Add(beforeB, ether(2)))
	wantBig(t, "relayer's balance", e.balance(relayer.addr), new(big.Int).Sub(beforeRelayer, gasCost(r)))

	// Bad proofs: another leaf's proof, a wrong amount, a truncated proof, a proof for another account.
	bad := fmt.Sprintf("InvalidProof(account=%s, cumulative=%s)", c.addr, milli(500))
	e.reverts(c, e.vs.PackClaim(c.addr, milli(500), proofOf(t, t0, a.addr)), nil, bad)
	e.reverts(c, e.vs.PackClaim(c.addr, milli(500), proofOf(t, t0, c.addr)[1:]), nil, bad)
	e.reverts(c, e.vs.PackClaim(c.addr, milli(501), proofOf(t, t0, c.addr)), nil,
		fmt.Sprintf("InvalidProof(account=%s, cumulative=%s)", c.addr, milli(501)))
	e.reverts(relayer, e.vs.PackClaim(relayer.addr, milli(500), proofOf(t, t0, c.addr)), nil,
		fmt.Sprintf("InvalidProof(account=%s, cumulative=%s)", relayer.addr, milli(500)))
	wantBig(t, "totalClaimed", view(e, e.vs.PackTotalClaimed(), e.vs.UnpackTotalClaimed), ether(3))
	wantBig(t, "rewardFunds", view(e, e.vs.PackRewardFunds(), e.vs.UnpackRewardFunds), ether(7))

	// Epoch 1: a's cumulative grows by 0.5; a new account d appears; c claims nothing this epoch.
	d := accts[24]
	epoch1 := map[common.Address]*big.Int{a.addr: milli(1500), b.addr: ether(2), c.addr: milli(500), d.addr: milli(250)}
	t1 := payoutTree(t, epoch1)
	// Funds check: totalClaimed (3) + rewardFunds (7) = 10 may back the new total.
	e.must(v0, e.vs.PackSubmitRoot(big.NewInt(1), t1.Root(), sum(epoch1), hash("r1")), nil)
	e.reverts(a, e.vs.PackClaim(a.addr, ether(1), proofOf(t, t0, a.addr)), nil, // the old root is gone
		fmt.Sprintf("InvalidProof(account=%s, cumulative=%s)", a.addr, ether(1)))
	r = e.must(relayer, e.vs.PackClaim(a.addr, milli(1500), proofOf(t, t1, a.addr)), nil)
	cl, _ = e.vs.UnpackClaimedEvent(r.Logs[0])
	wantBig(t, "second claim pays the difference", cl.Amount, milli(500))
	wantBig(t, "second claim cumulative", cl.Cumulative, milli(1500))
	e.reverts(b, e.vs.PackClaim(b.addr, ether(2), proofOf(t, t1, b.addr)), nil, fmt.Sprintf("NothingToClaim(account=%s)", b.addr))
	// c never claimed epoch 0; one proof against the latest root claims it all.
	beforeC := e.balance(c.addr)
	e.must(relayer, e.vs.PackClaim(c.addr, milli(500), proofOf(t, t1, c.addr)), nil)
	wantBig(t, "c's balance", e.balance(c.addr), new(big.Int).Add(beforeC, milli(500)))
	e.must(relayer, e.vs.PackClaim(d.addr, milli(250), proofOf(t, t1, d.addr)), nil)
	wantBig(t, "totalClaimed", view(e, e.vs.PackTotalClaimed(), e.vs.UnpackTotalClaimed), milli(4250))
	wantBig(t, "contract balance", e.balance(e.addr), new(big.Int).Add(ether(50), milli(5750)))
}

// A tree whose leaves add up to more than its declared total cannot pay out
// more than the total: delegators' stakes stay untouched.
func TestClaimCappedByTotal(t *testing.T) {
	e := newEnv(t, 1, 5000)
	a, b := accts[20], accts[21]
	e.fund(accts[30], ether(3))
	e.must(accts[30], e.vs.PackStake(accts[0].addr), ether(100))
	leaves := map[common.Address]*big.Int{a.addr: ether(2), b.addr: ether(2)}
	tr := payoutTree(t, leaves)
	e.must(accts[0], e.vs.PackSubmitRoot(big.NewInt(0), tr.Root(), ether(3), hash("bad")), nil) // leaves sum to 4
	e.must(a, e.vs.PackClaim(a.addr, ether(2), proofOf(t, tr, a.addr)), nil)
	e.reverts(b, e.vs.PackClaim(b.addr, ether(2), proofOf(t, tr, b.addr)), nil,
		fmt.Sprintf("ClaimExceedsTotal(available=%s, requested=%s)", ether(1), ether(2)))
	wantBig(t, "stakes intact", e.balance(e.addr), ether(101))
}

// A single-leaf tree: root = leaf hash, empty proof.
func TestClaimSingleLeaf(t *testing.T) {
	e := newEnv(t, 1, 5000)
	a := accts[20]
	e.fund(accts[30], ether(1))
	tr := payoutTree(t, map[common.Address]*big.Int{a.addr: ether(1)})
	e.must(accts[0], e.vs.PackSubmitRoot(big.NewInt(0), tr.Root(), ether(1), hash("one")), nil)
	e.must(accts[30], e.vs.PackClaim(a.addr, ether(1), nil), nil)
	wantBig(t, "claimed", view(e, e.vs.PackClaimed(a.addr), e.vs.UnpackClaimed), ether(1))
}

func TestReentrancy(t *testing.T) {
	e := newEnv(t, 1, 5000)
	v0, anyone := accts[0], accts[20]
	rb := NewReenterer()
	rAddr, tx, err := bind.DeployContract(e.opts(anyone, nil), common.FromHex(ReentererMetaData.Bin), e.client, rb.PackConstructor(e.addr))
	if err != nil {
		t.Fatal(err)
	}
	e.sim.Commit()
	e.receipt(tx)
	e.mustHaveCode(rAddr)
	rc := rb.Instance(e.client, rAddr)
	guard := common.Bytes2Hex(ValidatorSetReentrancyGuardReentrantCallErrorID().Bytes()[:4])
	checkAttempt := func(what string) {
		t.Helper()
		e.t.Helper()
		wantEq(t, what+": attempted", viewOn(e, rc, rb.PackAttempted(), rb.UnpackAttempted), true)
		wantEq(t, what+": re-entry succeeded", viewOn(e, rc, rb.PackReentrySucceeded(), rb.UnpackReentrySucceeded), false)
		got := common.Bytes2Hex(viewOn(e, rc, rb.PackReentryResult(), rb.UnpackReentryResult))
		wantEq(t, what+": re-entry revert", got, guard)
	}

	// claim: the payee re-enters claim with the same leaf while being paid.
	e.fund(anyone, ether(5))
	leaves := map[common.Address]*big.Int{rAddr: ether(1), anyone.addr: ether(1)}
	tr := payoutTree(t, leaves)
	e.must(v0, e.vs.PackSubmitRoot(big.NewInt(0), tr.Root(), ether(2), hash("x")), nil)
	claim := e.vs.PackClaim(rAddr, ether(1), proofOf(t, tr, rAddr))
	if _, err := e.sendTo(rc, anyone, rb.PackSetReentry(claim), nil); err != nil {
		t.Fatal(err)
	}
	e.must(anyone, claim, nil)
	checkAttempt("claim")
	wantBig(t, "paid once", e.balance(rAddr), ether(1))
	wantBig(t, "totalClaimed", view(e, e.vs.PackTotalClaimed(), e.vs.UnpackTotalClaimed), ether(1))

	// withdraw: the delegator re-enters withdraw while being paid.
	if _, err := e.sendTo(rc, anyone, rb.PackForward(e.vs.PackStake(v0.addr)), ether(2)); err != nil {
		t.Fatal(DecodeRevert(err))
	}
	e.setLatestTime(e.latestTime() + 7*24*3600)
	if _, err := e.sendTo(rc, anyone, rb.PackForward(e.vs.PackUnstake(v0.addr, ether(2))), nil); err != nil {
		t.Fatal(DecodeRevert(err))
	}
	if _, err := e.sendTo(rc, anyone, rb.PackSetReentry(e.vs.PackWithdraw()), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := e.sendTo(rc, anyone, rb.PackForward(e.vs.PackWithdraw()), nil); err != nil {
		t.Fatal(DecodeRevert(err))
	}
	checkAttempt("withdraw")
	wantBig(t, "withdrawn once", e.balance(rAddr), ether(3))
	wantBig(t, "contract balance", e.balance(e.addr), ether(4)) // 5 funded − 1 claimed

	// A payee that rejects CMT makes the claim revert, leaving it claimable.
	if _, err := e.sendTo(rc, anyone, rb.PackSetReject(true), nil); err != nil {
		t.Fatal(err)
	}
	tr1 := payoutTree(t, map[common.Address]*big.Int{rAddr: ether(2), anyone.addr: ether(1)})
	e.must(v0, e.vs.PackSubmitRoot(big.NewInt(1), tr1.Root(), ether(3), hash("y")), nil)
	e.reverts(anyone, e.vs.PackClaim(rAddr, ether(2), proofOf(t, tr1, rAddr)), nil,
		fmt.Sprintf("TransferFailed(to=%s, amount=%s)", rAddr, ether(1)))
	wantBig(t, "claimed after failed transfer", view(e, e.vs.PackClaimed(rAddr), e.vs.UnpackClaimed), ether(1))
	if _, err := e.sendTo(rc, anyone, rb.PackSetReject(false), nil); err != nil {
		t.Fatal(err)
	}
	e.must(anyone, e.vs.PackClaim(rAddr, ether(2), proofOf(t, tr1, rAddr)), nil)
	wantBig(t, "claimed after retry", view(e, e.vs.PackClaimed(rAddr), e.vs.UnpackClaimed), ether(2))
}
