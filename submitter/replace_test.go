package submitter

import (
	"context"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap/zapcore"

	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// TestConflictingVoteOfOurKey: another process with our key already voted
// differently for the open epoch. Submit reads that vote, reports Conflict
// with it, sends nothing and logs an error; it never replaces a vote it did
// not send (two processes doing that would fight forever).
func TestConflictingVoteOfOurKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3) // 2 of 3 needed: one vote leaves the epoch open
	e.mineEvery(30 * time.Millisecond)
	me := e.net.Signers[0]
	theirs := vote(0, 7)
	e.voteBy(me, theirs) // the other process

	l := e.ledger()
	log, logs := observed(t)
	s := e.submitter(e.config(me), l, nil, log)
	sends := e.proxy.sends.Load()
	out, err := s.Submit(ctxFor(t, 10*time.Second), vote(0, 1))
	if err != nil {
		t.Fatal(err)
	}
	if out.State != Conflict || out.Accepted == nil || !same(*out.Accepted, theirs) {
		t.Fatalf("outcome %+v (chain vote %v), want conflict with %v", out, out.Accepted, theirs)
	}
	if n := e.proxy.sends.Load() - sends; n != 0 {
		t.Fatalf("%d sends, want none", n)
	}
	if e.voteCount(theirs) != 1 || e.voteCount(vote(0, 1)) != 0 {
		t.Fatal("the chain's votes changed")
	}
	if logs.FilterLevelExact(zapcore.ErrorLevel).Len() == 0 {
		t.Fatal("conflict not logged at error level")
	}
}

// TestReplaceOwnConfirmedVote: after a reorg deeper than the confirmations
// the settler recomputes an epoch whose vote of ours is confirmed but not
// accepted; Submit with the new vote replaces ours on chain with exactly one
// more transaction (RootVoteWithdrawn, then RootVoted), and the record keeps
// the old vote.
func TestReplaceOwnConfirmedVote(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 3)
	e.mineEvery(30 * time.Millisecond)
	me := e.net.Signers[0]
	l := e.ledger()
	s := e.submitter(e.config(me), l, nil, nil)

	first, second := vote(0, 1), vote(0, 2)
	out, err := s.Submit(ctxFor(t, 20*time.Second), first)
	if err != nil || out.State != Confirmed {
		t.Fatalf("first vote: %+v, %v", out, err)
	}
	out, err = s.Submit(ctxFor(t, 20*time.Second), second)
	if err != nil || out.State != Confirmed || out.Attempts != 2 {
		t.Fatalf("replacement: %+v, %v; want confirmed after 2 transactions in all", out, err)
	}
	if n := e.proxy.sends.Load(); n != 2 {
		t.Fatalf("%d sends, want 2", n)
	}
	if e.voteCount(first) != 0 || e.voteCount(second) != 1 || e.nextEpoch() != 0 {
		t.Fatalf("votes: first %d, second %d, next epoch %d", e.voteCount(first), e.voteCount(second), e.nextEpoch())
	}
	withdrawn := crypto.Keccak256Hash([]byte("RootVoteWithdrawn(uint256,address,bytes32,uint256,bytes32)"))
	all, err := e.net.Chain.Client().FilterLogs(context.Background(), ethereum.FilterQuery{Addresses: []common.Address{e.contract}, Topics: [][]common.Hash{{withdrawn}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 1 || common.BytesToAddress(all[0].Topics[2][:]) != testnet.Addr(me) {
		t.Fatalf("%d RootVoteWithdrawn events, want 1 by us", len(all))
	}
	rec := records(t, l)[0]
	if len(rec.Replaced) != 1 || !same(rec.Replaced[0].Vote.vote(), first) || !same(rec.vote(), second) {
		t.Fatalf("record %+v", rec)
	}

	// Submitting the second vote again answers from the record.
	if again, err := s.Submit(ctxFor(t, 5*time.Second), second); err != nil || again.State != Confirmed {
		t.Fatalf("again: %+v, %v", again, err)
	}
}
