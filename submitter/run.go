package submitter

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// transient marks a failure that the next poll may not meet again: an RPC
// error, a timeout.
func transient(what string, err error) error {
	return txsend.Retry(fmt.Errorf("%s: %w", what, err))
}

// quorumGas is added to every gas estimate. The vote that completes the
// quorum also stores the epoch's root (three fresh storage slots), moves
// nextEpoch and emits RootAccepted: about 70k gas more than a vote that
// does not. Which vote lands last is unknown when the gas is estimated
// (two validators estimating at once both see the quorum unreached), so
// every vote carries the room. Unused gas is not paid for.
const quorumGas = 100_000

// receiptGrace is how many polls Submit waits for a receipt of ours when
// the contract already counts our vote (the node's transaction index may
// lag behind its head) before it settles for AlreadyVoted.
const receiptGrace = 5

// run is one Submit call's working state: the vote-specific half of a
// txsend.Send, its Watch.
type run struct {
	s       *Submitter
	v       Vote
	rec     *record // the vote record as of the last read; nil if none
	log     *zap.Logger
	verdict *Outcome // what the Watch decided when it stopped Send

	noReceipt int
}

// Steps reported to Config.OnStep (txsend's).
const (
	StepRecorded  = txsend.StepRecorded  // an attempt is signed and saved, not yet broadcast
	StepBroadcast = txsend.StepBroadcast // the node accepted an attempt
	StepMined     = txsend.StepMined     // an attempt has a receipt; confirmations pending
)

func (r *run) reached(step string) {
	if r.s.cfg.OnStep != nil {
		r.s.cfg.OnStep(step, r.v.Epoch)
	}
}

func (r *run) pending() Outcome {
	out := Outcome{State: Pending}
	if r.rec != nil {
		out.Attempts = r.rec.signed()
		if a := r.rec.latest(); a != nil {
			out.TxHash = a.Hash
		}
	}
	return out
}

// watch decides each poll of Send from the contract's state (see doc.go,
// Deciding from the chain). Our confirmed vote, the epoch accepted, or our
// key's vote on chain are verdicts: Send stops and Submit records them.
// Otherwise the vote is needed and Send sends, tends, or reports our
// reverted transaction.
func (r *run) watch(ctx context.Context, p txsend.Poll) (txsend.Action, error) {
	s := r.s
	if p.Confirmed {
		ch, _ := confirmedHeight(p.Head.Number.Uint64(), s.cfg.Confirmations)
		st, err := s.readState(ctx, r.v.Epoch, ch)
		if err != nil {
			return txsend.Wait, err
		}
		out := Outcome{State: Confirmed, TxHash: p.Mined.TxHash, Block: p.Mined.BlockNumber.Uint64()}
		switch {
		case st.accepted != nil && !st.accepted.Equal(&r.v):
			out.State, out.Accepted = Disputed, st.accepted
		case st.ours != nil && !st.ours.Equal(&r.v) && !r.rec.replaced(*st.ours):
			out.State, out.Accepted = Conflict, st.ours // our vote was replaced since, and not by us
		}
		r.verdict = &out
		return txsend.Stop, nil
	}

	st, err := s.readState(ctx, r.v.Epoch, p.Head.Number)
	if err != nil {
		return txsend.Wait, err
	}
	mine := is(st.ours, r.v)
	// A vote of ours that this record replaced is still on chain: ours to
	// replace, not a verdict.
	stale := st.ours != nil && !mine && r.rec.replaced(*st.ours)
	if p.Mined != nil && st.accepted == nil && !mine {
		return txsend.Proceed, nil // our vote reverted: Send reports why and closes the record
	}
	if st.accepted != nil || (st.ours != nil && !stale) {
		return r.decide(ctx, p, st)
	}
	if st.next < r.v.Epoch {
		err := fmt.Errorf("%w: the contract's next epoch is %d", ErrEpochNotOpen, st.next)
		if simErr := s.tx.Simulate(ctx, s.voteCall(r.v)); errors.Is(simErr, ErrReverted) {
			err = fmt.Errorf("%w: %w", err, simErr)
		}
		return txsend.Wait, err
	}
	// nextEpoch == epoch and the contract has no vote of ours: it is needed.
	return txsend.Proceed, nil
}

// decide is the verdict when the contract counts our vote or accepted the
// epoch: nothing is sent, and the verdict is taken once it holds at the
// confirmed height.
func (r *run) decide(ctx context.Context, p txsend.Poll, st chainState) (txsend.Action, error) {
	if is(st.ours, r.v) && p.Sent && r.noReceipt < receiptGrace {
		r.noReceipt++ // our vote, but no receipt yet: give the node's index time
		return txsend.Wait, nil
	}
	ch, ok := confirmedHeight(p.Head.Number.Uint64(), r.s.cfg.Confirmations)
	if !ok {
		return txsend.Wait, nil
	}
	cst, err := r.s.readState(ctx, r.v.Epoch, ch)
	if err != nil {
		return txsend.Wait, err
	}
	var out Outcome
	switch {
	case cst.accepted != nil && !cst.accepted.Equal(&r.v):
		out = Outcome{State: Disputed, Accepted: cst.accepted}
	case is(cst.ours, r.v):
		out = Outcome{State: AlreadyVoted}
	case cst.ours != nil && !r.rec.replaced(*cst.ours):
		// Our key voted differently, and this ledger never sent that vote:
		// another process uses the key. Replacing it would start a war of
		// votes; a person must decide.
		out = Outcome{State: Conflict, Accepted: cst.ours}
	case cst.accepted != nil:
		out = Outcome{State: Accepted, Accepted: cst.accepted}
	default:
		return txsend.Wait, nil // not at the confirmed height yet
	}
	r.verdict = &out
	return txsend.Stop, nil
}

// finish records a verdict about a recorded vote.
func (r *run) finish(out Outcome) (Outcome, error) {
	if r.rec != nil {
		out.Attempts = r.rec.signed()
		if out.TxHash == (common.Hash{}) {
			if a := r.rec.latest(); a != nil {
				out.TxHash = a.Hash
			}
		}
		f := &final{Block: out.Block, At: r.s.now().UTC()}
		if out.Block != 0 {
			f.Tx = out.TxHash
		}
		if a := out.Accepted; a != nil {
			f.Accepted = &voteJSON{Epoch: a.Epoch, Root: a.Root, Total: a.Total, ResultHash: a.ResultHash}
		}
		rec, err := r.s.update(r.v.Epoch, r.rec, func(cur *record) *record {
			cur.State, cur.Final = recordStateOf(out.State), f
			return cur
		})
		if err != nil {
			return r.pending(), err
		}
		r.rec = rec
	}
	r.logVerdict(out)
	return out, nil
}

func (r *run) logVerdict(out Outcome) {
	fields := []zap.Field{zap.Stringer("state", out.State), zap.Int("attempts", out.Attempts)}
	if out.TxHash != (common.Hash{}) {
		fields = append(fields, zap.Stringer("tx", out.TxHash))
	}
	if out.Block != 0 {
		fields = append(fields, zap.Uint64("block", out.Block))
	}
	switch out.State {
	case Disputed:
		fields = append(fields, zap.Stringer("ours", r.v), zap.Stringer("accepted", out.Accepted))
		r.log.Error("epoch accepted with a different root than ours; not voting", fields...)
		return
	case Conflict:
		fields = append(fields, zap.Stringer("ours", r.v), zap.Stringer("on_chain", out.Accepted))
		r.log.Error("this key already has a different vote on chain that this ledger did not send; is another process using the key? not voting", fields...)
		return
	}
	r.log.Info("vote settled", fields...)
}

// confirmedHeight is the highest block that is c deep under head, head +
// 1 − c; ok is false while the chain is shorter than that.
func confirmedHeight(head, c uint64) (*big.Int, bool) {
	if head+1 < c {
		return nil, false
	}
	return new(big.Int).SetUint64(head + 1 - c), true
}

// is reports whether the chain's vote p (nil: none) is v.
func is(p *Vote, v Vote) bool { return p != nil && p.Equal(&v) }
