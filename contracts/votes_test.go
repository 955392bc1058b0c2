package contracts

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// refQuorum is the root quorum for n active validators at bps, the slow and
// obvious way: the fewest votes that are more than half of n and at least
// bps/10000 of n.
func refQuorum(n int, bps uint64) int {
	for k := 1; ; k++ {
		if 2*k > n && uint64(k)*10000 >= uint64(n)*bps {
			return k
		}
	}
}

// rootVote is one (root, total, resultHash) a validator can vote for.
type rootVote struct {
	root   common.Hash
	total  *big.Int
	result common.Hash
}

func (v rootVote) String() string {
	return fmt.Sprintf("(%s, %s, %s)", v.root.Hex()[:10], v.total, v.result.Hex()[:10])
}

func (e *env) submit(from account, epoch int64, v rootVote) *types.Receipt {
	e.t.Helper()
	return e.must(from, e.vs.PackSubmitRoot(big.NewInt(epoch), v.root, v.total, v.result), nil)
}

func (e *env) voteCount(epoch int64, v rootVote) int64 {
	e.t.Helper()
	return view(e, e.vs.PackVoteCount(big.NewInt(epoch), v.root, v.total, v.result), e.vs.UnpackVoteCount).Int64()
}

// voteOf is the contract's voteOf as a rootVote; ok is false for all zeros.
func (e *env) voteOf(epoch int64, a common.Address) (v rootVote, ok bool) {
	e.t.Helper()
	o := view(e, e.vs.PackVoteOf(big.NewInt(epoch), a), e.vs.UnpackVoteOf)
	v = rootVote{o.Root, o.Total, o.ResultHash}
	return v, o.Root != [32]byte{} || o.Total.Sign() != 0 || o.ResultHash != [32]byte{}
}

func (e *env) nextEpoch() int64 {
	e.t.Helper()
	return view(e, e.vs.PackNextEpoch(), e.vs.UnpackNextEpoch).Int64()
}

func (e *env) rootQuorum() int {
	e.t.Helper()
	return int(view(e, e.vs.PackRootQuorum(), e.vs.UnpackRootQuorum).Int64())
}

func (e *env) active() []common.Address {
	e.t.Helper()
	return view(e, e.vs.PackActiveValidators(), e.vs.UnpackActiveValidators)
}

func (e *env) epochRoot(epoch int64) rootVote {
	e.t.Helper()
	r := view(e, e.vs.PackEpochRoot(big.NewInt(epoch)), e.vs.UnpackEpochRoot)
	return rootVote{r.Root, r.Total, r.ResultHash}
}

func sameVote(a, b rootVote) bool {
	return a.root == b.root && a.total.Cmp(b.total) == 0 && a.result == b.result
}

// wantAcceptedNow checks the acceptance invariant right after epoch was
// accepted: the votes counted for the accepted root are exactly those of
// validators active now whose voteOf is that root, and they are at least
// rootQuorum() of the current set.
func wantAcceptedNow(t *testing.T, e *env, epoch int64, want rootVote) {
	t.Helper()
	if e.nextEpoch() != epoch+1 {
		t.Fatalf("nextEpoch = %d, want %d", e.nextEpoch(), epoch+1)
	}
	got := e.epochRoot(epoch)
	if !sameVote(got, want) {
		t.Fatalf("epochRoot(%d) = %v, want %v", epoch, got, want)
	}
	active := e.active()
	var voters []common.Address
	for _, a := range accts {
		if v, ok := e.voteOf(epoch, a.addr); ok && sameVote(v, want) {
			voters = append(voters, a.addr)
			if !slices.Contains(active, a.addr) {
				t.Fatalf("a vote for the accepted root is from %s, which is not active", a.addr)
			}
		}
	}
	count := e.voteCount(epoch, want)
	if count != int64(len(voters)) {
		t.Fatalf("voteCount = %d, but %d active validators' voteOf is the accepted root", count, len(voters))
	}
	if q := e.rootQuorum(); len(voters) < q {
		t.Fatalf("accepted with %d votes, below rootQuorum() = %d of %d active", len(voters), q, len(active))
	}
}

// deployOn deploys another ValidatorSet on e's chain and returns its bound contract.
func deployOn(t *testing.T, e *env, validators []common.Address, bps uint64) common.Address {
	t.Helper()
	addr, tx, err := DeployValidatorSet(e.opts(accts[numAccounts-1], nil), e.client, validators, bps)
	if err != nil {
		t.Fatalf("deploy: %s", DecodeRevert(err))
	}
	e.sim.Commit()
	if r := e.receipt(tx); r.Status != types.ReceiptStatusSuccessful {
		t.Fatal("deploy failed")
	}
	return addr
}

func TestRootQuorumFormula(t *testing.T) {
	// The reference itself, on values worked out by hand. 6667 bps is "more
	// than two thirds": 3 of 3, 5 of 6, 5 of 7.
	for _, c := range []struct {
		n    int
		bps  uint64
		want int
	}{
		{1, 5000, 1}, {2, 5000, 2}, {3, 5000, 2}, {4, 5000, 3}, {7, 5000, 4}, {21, 5000, 11},
		{3, 6667, 3}, {6, 6667, 5}, {7, 6667, 5}, {21, 6667, 15}, {20, 6667, 14},
		{1, 10000, 1}, {7, 10000, 7}, {21, 10000, 21},
	} {
		if got := refQuorum(c.n, c.bps); got != c.want {
			t.Fatalf("refQuorum(%d, %d) = %d, want %d", c.n, c.bps, got, c.want)
		}
	}

	e := newEnv(t, 1, 5000) // the chain; every case deploys its own contract
	for _, bps := range []uint64{5000, 6667, 10000} {
		for n := 1; n <= 21; n++ {
			t.Run(fmt.Sprintf("%dbps/%d", bps, n), func(t *testing.T) {
				e.t = t
				defer func() { e.t = t }()
				c := e.vs.Instance(e.client, deployOn(t, e, addrs(accts[:n]), bps))
				got := viewOn(e, c, e.vs.PackRootQuorum(), e.vs.UnpackRootQuorum)
				wantBig(t, "rootQuorum", got, big.NewInt(int64(refQuorum(n, bps))))
				wantBig(t, "rootQuorumBps", viewOn(e, c, e.vs.PackRootQuorumBps(), e.vs.UnpackRootQuorumBps), new(big.Int).SetUint64(bps))
			})
		}
	}
}

// One vote short of rootQuorum() does not accept a root; the next matching
// vote does. Votes for anything else do not help.
func TestRootAcceptedExactlyAtQuorum(t *testing.T) {
	for _, tc := range []struct {
		n      int
		bps    uint64
		quorum int
	}{
		{1, 5000, 1}, {2, 5000, 2}, {3, 5000, 2}, {4, 5000, 3}, {7, 5000, 4},
		{3, 6667, 3}, {7, 6667, 5}, {3, 10000, 3}, {5, 10000, 5},
	} {
		t.Run(fmt.Sprintf("%d of %d at %dbps", tc.quorum, tc.n, tc.bps), func(t *testing.T) {
			e := newEnv(t, tc.n, tc.bps)
			e.fund(accts[30], ether(10))
			wantEq(t, "rootQuorum", e.rootQuorum(), tc.quorum)
			a := rootVote{hash("A"), ether(2), hash("result")}
			other := rootVote{hash("A"), ether(1), hash("result")} // same root, other total
			for i := 0; i < tc.quorum-1; i++ {
				r := e.submit(accts[i], 0, a)
				wantNames(t, e.eventNames(r), "RootVoted")
			}
			if tc.quorum < tc.n {
				r := e.submit(accts[tc.n-1], 0, other)
				wantNames(t, e.eventNames(r), "RootVoted")
			}
			wantEq(t, "nextEpoch one short", e.nextEpoch(), int64(0))
			wantEq(t, "voteCount one short", e.voteCount(0, a), int64(tc.quorum-1))
			r := e.submit(accts[tc.quorum-1], 0, a)
			wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
			wantAcceptedNow(t, e, 0, a)
		})
	}
}

// The issue: with a quorum fixed at deployment (2 of the first 3), two of
// seven validators could accept a root paying all reward funds to one
// account. Now a root needs rootQuorum() of the validators active at the time.
func TestMinorityCannotAcceptRoot(t *testing.T) {
	for _, tc := range []struct {
		name      string
		bps       uint64
		attackers int
	}{
		{"issue: 2 of 7 at 5000 bps", 5000, 2},
		{"3 of 7 at 5000 bps", 5000, 3},
		{"4 of 7 at 6667 bps", 6667, 4},
		{"6 of 7 at 10000 bps", 10000, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 3, tc.bps)
			thief, delegator := accts[25], accts[26]
			// Promote 4 candidates: 7 active validators.
			for _, c := range accts[3:7] {
				e.must(c, e.vs.PackDeclareCandidacy(pubkey(byte(c.addr[0]))), nil)
				n := len(e.active())
				for _, v := range accts[:n/2+1] {
					e.must(v, e.vs.PackVotePromote(c.addr), nil)
				}
				wantEq(t, "promoted", view(e, e.vs.PackIsActive(c.addr), e.vs.UnpackIsActive), true)
			}
			wantEq(t, "active", len(e.active()), 7)
			wantEq(t, "rootQuorum of 7", e.rootQuorum(), refQuorum(7, tc.bps))
			e.fund(accts[30], ether(10))
			e.must(delegator, e.vs.PackStake(accts[0].addr), ether(50))
			funds := view(e, e.vs.PackRewardFunds(), e.vs.UnpackRewardFunds)
			wantBig(t, "rewardFunds", funds, ether(10))

			// A one-leaf tree paying everything to the thief: root = leaf hash, empty proof.
			steal := rootVote{payoutTree(t, map[common.Address]*big.Int{thief.addr: funds}).Root(), funds, hash("steal")}
			all := append(slices.Clone(accts[3:7]), accts[:3]...)
			attackers, rest := all[:tc.attackers], all[tc.attackers:] // the promoted ones attack first
			for _, a := range attackers {
				r := e.submit(a, 0, steal)
				wantNames(t, e.eventNames(r), "RootVoted")
			}
			wantEq(t, "voteCount", e.voteCount(0, steal), int64(tc.attackers))
			wantEq(t, "nextEpoch", e.nextEpoch(), int64(0))
			wantEq(t, "currentRoot", view(e, e.vs.PackCurrentRoot(), e.vs.UnpackCurrentRoot), [32]byte{})
			e.reverts(thief, e.vs.PackClaim(thief.addr, funds, nil), nil, fmt.Sprintf("InvalidProof(account=%s, cumulative=%s)", thief.addr, funds))
			wantBig(t, "contract balance", e.balance(e.addr), ether(60))
			wantBig(t, "totalClaimed", view(e, e.vs.PackTotalClaimed(), e.vs.UnpackTotalClaimed), big.NewInt(0))

			// The honest rest settle the epoch when they are a quorum themselves.
			honest := rootVote{hash("honest"), ether(1), hash("honest result")}
			for i, v := range rest {
				r := e.submit(v, 0, honest)
				if i+1 == refQuorum(7, tc.bps) {
					wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
					wantAcceptedNow(t, e, 0, honest)
					break
				}
				wantNames(t, e.eventNames(r), "RootVoted")
			}
			wantEq(t, "honest rest accepted iff a quorum", e.nextEpoch() == 1, 7-tc.attackers >= refQuorum(7, tc.bps))
		})
	}
}

func TestReplaceRootVote(t *testing.T) {
	base := rootVote{hash("A"), ether(3), hash("result A")}
	for _, tc := range []struct {
		name  string
		other rootVote
	}{
		{"other root", rootVote{hash("B"), ether(3), hash("result A")}},
		{"other total", rootVote{hash("A"), ether(2), hash("result A")}},
		{"other result hash", rootVote{hash("A"), ether(3), hash("result B")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, 3, 5000)
			v0, v1 := accts[0], accts[1]
			e.fund(accts[30], ether(10))
			e.submit(v0, 0, base)

			r := e.submit(v0, 0, tc.other)
			wantNames(t, e.eventNames(r), "RootVoteWithdrawn", "RootVoted")
			wd, err := e.vs.UnpackRootVoteWithdrawnEvent(r.Logs[0])
			if err != nil {
				t.Fatal(err)
			}
			wantBig(t, "withdrawn epoch", wd.Epoch, big.NewInt(0))
			wantEq(t, "withdrawn voter", wd.Voter, v0.addr)
			if got := (rootVote{wd.Root, wd.Total, wd.ResultHash}); !sameVote(got, base) {
				t.Fatalf("withdrawn vote %v, want %v", got, base)
			}
			rv, err := e.vs.UnpackRootVotedEvent(r.Logs[1])
			if err != nil {
				t.Fatal(err)
			}
			wantEq(t, "voted voter", rv.Voter, v0.addr)
			if got := (rootVote{rv.Root, rv.Total, rv.ResultHash}); !sameVote(got, tc.other) {
				t.Fatalf("new vote %v, want %v", got, tc.other)
			}
			wantEq(t, "voteCount old", e.voteCount(0, base), int64(0))
			wantEq(t, "voteCount new", e.voteCount(0, tc.other), int64(1))
			if got, ok := e.voteOf(0, v0.addr); !ok || !sameVote(got, tc.other) {
				t.Fatalf("voteOf(v0) = %v, want %v", got, tc.other)
			}
			wantEq(t, "hasVoted", view(e, e.vs.PackHasVoted(big.NewInt(0), v0.addr), e.vs.UnpackHasVoted), true)

			// The same vote again is refused; switching back is a replacement again.
			e.reverts(v0, e.vs.PackSubmitRoot(big.NewInt(0), tc.other.root, tc.other.total, tc.other.result), nil,
				fmt.Sprintf("AlreadyVoted(epoch=0, validator=%s)", v0.addr))
			r = e.submit(v0, 0, base)
			wantNames(t, e.eventNames(r), "RootVoteWithdrawn", "RootVoted")
			wantEq(t, "voteCount base", e.voteCount(0, base), int64(1))
			wantEq(t, "voteCount other", e.voteCount(0, tc.other), int64(0))

			// A replacement that makes a quorum accepts.
			r = e.submit(v1, 0, tc.other)
			wantNames(t, e.eventNames(r), "RootVoted")
			r = e.submit(v0, 0, tc.other)
			wantNames(t, e.eventNames(r), "RootVoteWithdrawn", "RootVoted", "RootAccepted")
			wantAcceptedNow(t, e, 0, tc.other)
			wantEq(t, "voteCount base at acceptance", e.voteCount(0, base), int64(0))
		})
	}
}

func TestWithdrawRootVote(t *testing.T) {
	e := newEnv(t, 3, 5000)
	v0, v1, v2, outsider := accts[0], accts[1], accts[2], accts[20]
	e.fund(accts[30], ether(10))
	a := rootVote{hash("A"), ether(1), hash("result")}

	e.reverts(outsider, e.vs.PackWithdrawRootVote(), nil, fmt.Sprintf("NotActiveValidator(account=%s)", outsider.addr))
	e.reverts(v0, e.vs.PackWithdrawRootVote(), nil, fmt.Sprintf("NoVote(epoch=0, validator=%s)", v0.addr))

	e.submit(v0, 0, a)
	r := e.must(v0, e.vs.PackWithdrawRootVote(), nil)
	wantNames(t, e.eventNames(r), "RootVoteWithdrawn")
	wd, err := e.vs.UnpackRootVoteWithdrawnEvent(r.Logs[0])
	if err != nil {
		t.Fatal(err)
	}
	wantEq(t, "voter", wd.Voter, v0.addr)
	if got := (rootVote{wd.Root, wd.Total, wd.ResultHash}); !sameVote(got, a) {
		t.Fatalf("withdrawn %v, want %v", got, a)
	}
	wantEq(t, "voteCount", e.voteCount(0, a), int64(0))
	if v, ok := e.voteOf(0, v0.addr); ok {
		t.Fatalf("voteOf after withdrawal = %v, want zeros", v)
	}
	wantEq(t, "hasVoted", view(e, e.vs.PackHasVoted(big.NewInt(0), v0.addr), e.vs.UnpackHasVoted), false)
	e.reverts(v0, e.vs.PackWithdrawRootVote(), nil, fmt.Sprintf("NoVote(epoch=0, validator=%s)", v0.addr))

	// A withdrawn vote no longer counts: v1 alone is 1 of the 2 needed.
	r = e.submit(v1, 0, a)
	wantNames(t, e.eventNames(r), "RootVoted")
	// Voting again after a withdrawal counts again.
	r = e.submit(v0, 0, a)
	wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
	wantAcceptedNow(t, e, 0, a)

	// A closed epoch's votes are history: nothing to withdraw in the open epoch,
	// and voteOf still shows the votes that accepted epoch 0.
	e.reverts(v0, e.vs.PackWithdrawRootVote(), nil, fmt.Sprintf("NoVote(epoch=1, validator=%s)", v0.addr))
	if v, ok := e.voteOf(0, v0.addr); !ok || !sameVote(v, a) {
		t.Fatalf("voteOf(0, v0) = %v, want %v", v, a)
	}
	if v, ok := e.voteOf(0, v2.addr); ok {
		t.Fatalf("voteOf(0, v2) = %v, want zeros", v)
	}
	wantEq(t, "voteCount(0) kept", e.voteCount(0, a), int64(2))
}

// A split vote is never final: voters can move, and the epoch is accepted as
// soon as a quorum agrees.
func TestSplitRootVoteRecovers(t *testing.T) {
	a := rootVote{hash("A"), ether(2), hash("result")}
	b := rootVote{hash("B"), ether(2), hash("result")}
	c := rootVote{hash("C"), ether(1), hash("result")}
	for _, tc := range []struct {
		name     string
		bps      uint64
		votes    []rootVote // validator i votes votes[i]
		mover    int
		withdraw bool // withdraw first, then vote
		to       rootVote
	}{
		{"A,A,B at 10000 bps: B replaces its vote", 10000, []rootVote{a, a, b}, 2, false, a},
		{"A,A,B at 10000 bps: B withdraws, then votes A", 10000, []rootVote{a, a, b}, 2, true, a},
		{"A,A,B,B at 5000 bps: one B moves", 5000, []rootVote{a, a, b, b}, 3, false, a},
		{"A,B,C at 5000 bps: C moves to B", 5000, []rootVote{a, b, c}, 2, false, b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, len(tc.votes), tc.bps)
			e.fund(accts[30], ether(10))
			for i, v := range tc.votes {
				r := e.submit(accts[i], 0, v)
				wantNames(t, e.eventNames(r), "RootVoted")
			}
			wantEq(t, "stuck before the move", e.nextEpoch(), int64(0))
			mover := accts[tc.mover]
			if tc.withdraw {
				r := e.must(mover, e.vs.PackWithdrawRootVote(), nil)
				wantNames(t, e.eventNames(r), "RootVoteWithdrawn")
				r = e.submit(mover, 0, tc.to)
				wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
			} else {
				r := e.submit(mover, 0, tc.to)
				wantNames(t, e.eventNames(r), "RootVoteWithdrawn", "RootVoted", "RootAccepted")
			}
			wantAcceptedNow(t, e, 0, tc.to)
		})
	}
}

// Removing a validator withdraws its vote for the open epoch and, the quorum
// having perhaps dropped, accepts a root the remaining votes carry.
func TestRemovalWithdrawsVoteAndMayAccept(t *testing.T) {
	a := rootVote{hash("A"), ether(2), hash("result")}
	b := rootVote{hash("B"), ether(2), hash("result")}
	var none rootVote
	for _, tc := range []struct {
		name     string
		bps      uint64
		votes    []rootVote // validator i votes votes[i]; none: no vote (a dead node)
		removed  int
		removers []int
		accepted rootVote // none: no acceptance
	}{
		{"dead validator, unanimity: the rest accept", 10000, []rootVote{a, a, none}, 2, []int{0, 1}, a},
		{"dissenter removed, 6667 bps: 3 of 4 accept", 6667, []rootVote{a, a, a, b, none}, 3, []int{0, 1, 2}, a},
		{"supporter removed, 6667 bps: 2 of 4 do not", 6667, []rootVote{a, a, a, b, none}, 2, []int{0, 1, 3}, none},
		{"even set at 5000 bps: a dead validator's removal accepts 2 of 3", 5000, []rootVote{a, a, b, none}, 3, []int{0, 1, 2}, a},
		{"quorum unchanged (5 to 4 at 5000 bps): no acceptance", 5000, []rootVote{a, a, b, none, b}, 4, []int{0, 1, 2}, none},
		{"split remainder: no acceptance", 10000, []rootVote{a, b, none}, 2, []int{0, 1}, none},
		{"the right root is accepted: B, not the removed A", 10000, []rootVote{b, b, b, b, b, a}, 5, []int{0, 1, 2, 3}, b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := len(tc.votes)
			e := newEnv(t, n, tc.bps)
			e.fund(accts[30], ether(10))
			for i, v := range tc.votes {
				if v != none {
					r := e.submit(accts[i], 0, v)
					wantNames(t, e.eventNames(r), "RootVoted")
				}
			}
			removed := accts[tc.removed]
			removedVote := tc.votes[tc.removed]
			var r *types.Receipt
			for i, v := range tc.removers {
				r = e.must(accts[v], e.vs.PackVoteRemove(removed.addr), nil)
				if i < len(tc.removers)-1 {
					wantNames(t, e.eventNames(r), "RemovalVoted")
				}
			}
			want := []string{"RemovalVoted", "ValidatorRemoved"}
			if removedVote != none {
				want = append(want, "RootVoteWithdrawn")
			}
			if tc.accepted != none {
				want = append(want, "RootAccepted")
			}
			wantNames(t, e.eventNames(r), want...)
			wantEq(t, "rootQuorum after removal", e.rootQuorum(), refQuorum(n-1, tc.bps))
			if v, ok := e.voteOf(0, removed.addr); ok {
				t.Fatalf("removed validator's voteOf = %v, want zeros", v)
			}
			if removedVote != none {
				wd, err := e.vs.UnpackRootVoteWithdrawnEvent(r.Logs[2])
				if err != nil {
					t.Fatal(err)
				}
				wantEq(t, "withdrawn voter", wd.Voter, removed.addr)
				if got := (rootVote{wd.Root, wd.Total, wd.ResultHash}); !sameVote(got, removedVote) {
					t.Fatalf("withdrawn %v, want %v", got, removedVote)
				}
			}
			// Tallies are the remaining validators' votes.
			for _, v := range []rootVote{a, b} {
				want := 0
				for i, x := range tc.votes {
					if i != tc.removed && x == v {
						want++
					}
				}
				wantEq(t, "voteCount "+v.String(), e.voteCount(0, v), int64(want))
			}
			if tc.accepted == none {
				wantEq(t, "nextEpoch", e.nextEpoch(), int64(0))
				return
			}
			ra, err := e.vs.UnpackRootAcceptedEvent(r.Logs[len(r.Logs)-1])
			if err != nil {
				t.Fatal(err)
			}
			if got := (rootVote{ra.Root, ra.Total, ra.ResultHash}); !sameVote(got, tc.accepted) {
				t.Fatalf("RootAccepted %v, want %v", got, tc.accepted)
			}
			wantAcceptedNow(t, e, 0, tc.accepted)
		})
	}
}

// With a full set of 21, a removal works and makes room for a promotion;
// roots need 11 of 21 (and of 20).
func TestTwentyOneValidatorsRemoveThenPromote(t *testing.T) {
	e := newEnv(t, 21, 5000)
	cand := accts[25]
	e.fund(accts[30], ether(10))
	e.must(cand, e.vs.PackDeclareCandidacy(pubkey(1)), nil)
	e.reverts(accts[0], e.vs.PackVotePromote(cand.addr), nil, "ActiveSetFull(max=21)")
	wantEq(t, "rootQuorum of 21", e.rootQuorum(), 11)

	a := rootVote{hash("A"), ether(1), hash("r")}
	for i := range 10 {
		e.submit(accts[i], 0, a)
	}
	wantEq(t, "10 of 21 do not accept", e.nextEpoch(), int64(0))

	// Removal of validator 20 (no vote) by 11 of 21; the quorum of 20 is still 11.
	for i := range 11 {
		r := e.must(accts[i], e.vs.PackVoteRemove(accts[20].addr), nil)
		if i < 10 {
			wantNames(t, e.eventNames(r), "RemovalVoted")
		} else {
			wantNames(t, e.eventNames(r), "RemovalVoted", "ValidatorRemoved")
		}
	}
	wantEq(t, "active", len(e.active()), 20)
	wantEq(t, "rootQuorum of 20", e.rootQuorum(), 11)
	wantEq(t, "still open", e.nextEpoch(), int64(0))

	// Promotion by 11 of 20.
	for i := range 11 {
		r := e.must(accts[i], e.vs.PackVotePromote(cand.addr), nil)
		if i < 10 {
			wantNames(t, e.eventNames(r), "PromotionVoted")
		} else {
			wantNames(t, e.eventNames(r), "PromotionVoted", "ValidatorAdded")
		}
	}
	wantEq(t, "active", len(e.active()), 21)
	// The promoted validator's vote is the 11th.
	r := e.submit(cand, 0, a)
	wantNames(t, e.eventNames(r), "RootVoted", "RootAccepted")
	wantAcceptedNow(t, e, 0, a)
}

// TestRootTalliesFromLogs runs a seeded random mix of votes, replacements,
// withdrawals, removals and promotions, then replays the logs the way an
// indexer would: RootVoted +1, RootVoteWithdrawn -1, ValidatorAdded and
// ValidatorRemoved for the set. It checks, at every transaction boundary, that
// only active validators' votes count and no root of the open epoch sits at
// the quorum unaccepted; at every RootAccepted, that the accepted root has at
// least the quorum of the set at that moment, all from active validators; and
// at the end, that every replayed tally equals voteCount and every replayed
// vote equals voteOf.
func TestRootTalliesFromLogs(t *testing.T) {
	const bps = 6667
	e := newEnv(t, 5, bps)
	e.fund(accts[30], ether(1000))
	pool := accts[:10] // possible validators
	for _, c := range pool[5:] {
		e.must(c, e.vs.PackDeclareCandidacy(pubkey(byte(c.addr[1]))), nil)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	byAddr := map[common.Address]account{}
	for _, a := range pool {
		byAddr[a.addr] = a
	}
	var stats struct{ votes, sameVote, withdrawals, noVote, removals, promotions, lastValidator int }
	for step := 0; step < 220; step++ {
		active := e.active()
		epoch := e.nextEpoch()
		cur := view(e, e.vs.PackCurrentTotal(), e.vs.UnpackCurrentTotal)
		pick := func() account { return byAddr[active[rng.IntN(len(active))]] }
		switch op := rng.IntN(20); {
		case op < 11:
			v := pick()
			choice := rng.IntN(3)
			vote := rootVote{hash(fmt.Sprintf("root %d/%d", epoch, choice)), new(big.Int).Add(cur, milli(int64(1+choice%2))), hash("result")}
			if prev, ok := e.voteOf(epoch, v.addr); ok && sameVote(prev, vote) {
				e.reverts(v, e.vs.PackSubmitRoot(big.NewInt(epoch), vote.root, vote.total, vote.result), nil,
					fmt.Sprintf("AlreadyVoted(epoch=%d, validator=%s)", epoch, v.addr))
				stats.sameVote++
				continue
			}
			e.submit(v, epoch, vote)
			stats.votes++
		case op < 15:
			v := pick()
			if _, ok := e.voteOf(epoch, v.addr); !ok {
				e.reverts(v, e.vs.PackWithdrawRootVote(), nil, fmt.Sprintf("NoVote(epoch=%d, validator=%s)", epoch, v.addr))
				stats.noVote++
				continue
			}
			e.must(v, e.vs.PackWithdrawRootVote(), nil)
			stats.withdrawals++
		case op < 18:
			target := pick()
			if len(active) == 1 {
				e.reverts(target, e.vs.PackVoteRemove(target.addr), nil, "LastValidator()")
				stats.lastValidator++
				continue
			}
			voters := slices.Clone(active)
			rng.Shuffle(len(voters), func(i, j int) { voters[i], voters[j] = voters[j], voters[i] })
			for _, v := range voters[:len(active)/2+1] {
				e.must(byAddr[v], e.vs.PackVoteRemove(target.addr), nil)
			}
			stats.removals++
		default:
			var cands []account
			for _, a := range pool {
				if view(e, e.vs.PackIsCandidate(a.addr), e.vs.UnpackIsCandidate) {
					cands = append(cands, a)
				}
			}
			if len(cands) == 0 {
				continue
			}
			c := cands[rng.IntN(len(cands))]
			for _, v := range active[:len(active)/2+1] {
				e.must(byAddr[v], e.vs.PackVotePromote(c.addr), nil)
			}
			stats.promotions++
		}
	}

	// Replay.
	type key struct {
		epoch  uint64
		root   [32]byte
		total  string
		result [32]byte
	}
	mkKey := func(epoch *big.Int, root [32]byte, total *big.Int, result [32]byte) key {
		return key{epoch.Uint64(), root, total.String(), result}
	}
	tally := map[key]int{}
	voteOf := map[uint64]map[common.Address]key{} // current counted vote per epoch and voter
	active := map[common.Address]bool{}
	var next uint64
	accepted := map[uint64]key{}
	acceptedByRemoval := 0
	boundary := func(where string) {
		t.Helper()
		for voter := range voteOf[next] {
			if !active[voter] {
				t.Fatalf("%s: inactive %s has a counted vote in open epoch %d", where, voter, next)
			}
		}
		q := refQuorum(len(active), bps)
		for k, n := range tally {
			if k.epoch == next && n >= q {
				t.Fatalf("%s: %v has %d votes, quorum %d of %d, but is not accepted", where, k, n, q, len(active))
			}
		}
	}
	logs := e.allLogs()
	txNames := []string{}
	for i := range logs {
		l := &logs[i]
		if i > 0 && l.TxHash != logs[i-1].TxHash {
			boundary(fmt.Sprintf("after tx %s", logs[i-1].TxHash))
			txNames = txNames[:0]
		}
		ev, err := e.vs.abi.EventByID(l.Topics[0])
		if err != nil {
			t.Fatal(err)
		}
		txNames = append(txNames, ev.Name)
		switch ev.Name {
		case "ValidatorAdded":
			a, _ := e.vs.UnpackValidatorAddedEvent(l)
			active[a.Validator] = true
		case "ValidatorRemoved":
			r, _ := e.vs.UnpackValidatorRemovedEvent(l)
			delete(active, r.Validator)
		case "RootVoted":
			v, _ := e.vs.UnpackRootVotedEvent(l)
			if v.Epoch.Uint64() != next || !active[v.Voter] {
				t.Fatalf("log %d: RootVoted for epoch %s by %s (active %v), open epoch %d", i, v.Epoch, v.Voter, active[v.Voter], next)
			}
			if voteOf[next] == nil {
				voteOf[next] = map[common.Address]key{}
			}
			if _, dup := voteOf[next][v.Voter]; dup {
				t.Fatalf("log %d: second counted vote of %s without a withdrawal", i, v.Voter)
			}
			k := mkKey(v.Epoch, v.Root, v.Total, v.ResultHash)
			voteOf[next][v.Voter] = k
			tally[k]++
		case "RootVoteWithdrawn":
			w, _ := e.vs.UnpackRootVoteWithdrawnEvent(l)
			k := mkKey(w.Epoch, w.Root, w.Total, w.ResultHash)
			if w.Epoch.Uint64() != next || voteOf[next][w.Voter] != k {
				t.Fatalf("log %d: withdrawal of %v by %s, whose counted vote is %v", i, k, w.Voter, voteOf[next][w.Voter])
			}
			delete(voteOf[next], w.Voter)
			tally[k]--
		case "RootAccepted":
			a, _ := e.vs.UnpackRootAcceptedEvent(l)
			k := mkKey(a.Epoch, a.Root, a.Total, a.ResultHash)
			if a.Epoch.Uint64() != next {
				t.Fatalf("log %d: accepted epoch %s, open %d", i, a.Epoch, next)
			}
			var voters int
			for voter, vk := range voteOf[next] {
				if vk == k {
					if !active[voter] {
						t.Fatalf("log %d: accepted with the vote of inactive %s", i, voter)
					}
					voters++
				}
			}
			if voters != tally[k] || voters < refQuorum(len(active), bps) {
				t.Fatalf("log %d: accepted with %d voters (tally %d), quorum %d of %d", i, voters, tally[k], refQuorum(len(active), bps), len(active))
			}
			if slices.Contains(txNames, "ValidatorRemoved") {
				acceptedByRemoval++
			}
			accepted[next] = k
			next++
		}
	}
	boundary("at the end")

	t.Logf("%+v; %d epochs accepted, %d of them by a removal", stats, len(accepted), acceptedByRemoval)
	if len(accepted) < 5 || acceptedByRemoval == 0 || stats.withdrawals == 0 || stats.promotions == 0 || stats.removals == 0 {
		t.Fatalf("the random run missed a path: %+v, %d accepted, %d by removal", stats, len(accepted), acceptedByRemoval)
	}
	wantEq(t, "nextEpoch", uint64(e.nextEpoch()), next)
	for k, n := range tally {
		got := view(e, e.vs.PackVoteCount(new(big.Int).SetUint64(k.epoch), k.root, mustBig(k.total), k.result), e.vs.UnpackVoteCount)
		wantBig(t, fmt.Sprintf("voteCount(%v)", k), got, big.NewInt(int64(n)))
	}
	for epoch, m := range voteOf {
		for _, a := range pool {
			got, ok := e.voteOf(int64(epoch), a.addr)
			k, want := m[a.addr]
			if ok != want || (ok && mkKey(new(big.Int).SetUint64(epoch), got.root, got.total, got.result) != k) {
				t.Fatalf("voteOf(%d, %s) = %v (%v), replayed %v (%v)", epoch, a.addr, got, ok, k, want)
			}
		}
	}
	for epoch, k := range accepted {
		got := e.epochRoot(int64(epoch))
		if mkKey(new(big.Int).SetUint64(epoch), got.root, got.total, got.result) != k {
			t.Fatalf("epochRoot(%d) = %v, replayed %v", epoch, got, k)
		}
	}
}

func mustBig(s string) *big.Int {
	b, ok := new(big.Int).SetString(s, 10)
	if !ok {
		panic(s)
	}
	return b
}
