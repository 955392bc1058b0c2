package submitter

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// transientError marks a failure that the next poll may not meet again: an
// RPC error, a timeout.
type transientError struct{ error }

func (e transientError) Unwrap() error { return e.error }

func transient(what string, err error) error {
	return transientError{fmt.Errorf("%s: %w", what, err)}
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

// run is one Submit call's working state.
type run struct {
	s    *Submitter
	v    Vote
	rec  *record // nil until something is recorded
	data []byte  // submitRoot calldata
	log  *zap.Logger

	sentHash  common.Hash // the attempt broadcast last in this run
	sends     int         // how often sentHash was broadcast in this run
	lastSend  time.Time
	minedIn   common.Hash // block of the receipt seen at the last poll
	noReceipt int
}

// Steps reported to Config.OnStep.
const (
	StepRecorded  = "recorded"  // an attempt is signed and saved, not yet broadcast
	StepBroadcast = "broadcast" // the node accepted an attempt
	StepMined     = "mined"     // an attempt has a receipt; confirmations pending
)

func (r *run) reached(name string) {
	if r.s.cfg.OnStep != nil {
		r.s.cfg.OnStep(name, r.v.Epoch)
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

// step is one poll: it reads the chain and acts. A non-nil Outcome is the
// verdict; a transientError asks for another poll.
func (r *run) step(ctx context.Context) (*Outcome, error) {
	s := r.s
	head, err := s.header(ctx, nil)
	if err != nil {
		return nil, transient("read head", err)
	}
	m, err := r.findMined(ctx, head)
	if err != nil {
		return nil, err
	}
	if m != nil && m.rcpt.Status == types.ReceiptStatusSuccessful {
		block := m.rcpt.BlockNumber.Uint64()
		if !confirmed(block, head.Number.Uint64(), s.cfg.Confirmations) {
			return nil, nil
		}
		ch, _ := confirmedHeight(head.Number.Uint64(), s.cfg.Confirmations)
		st, err := s.readState(ctx, r.v.Epoch, ch)
		if err != nil {
			return nil, err
		}
		out := Outcome{State: Confirmed, TxHash: m.a.Hash, Block: block}
		switch {
		case st.accepted != nil && !st.accepted.Equal(r.v):
			out.State, out.Accepted = Disputed, st.accepted
		case st.ours != nil && !st.ours.Equal(r.v) && !r.rec.replaced(*st.ours):
			out.State, out.Accepted = Conflict, st.ours // our vote was replaced since, and not by us
		}
		return r.finish(out)
	}

	st, err := s.readState(ctx, r.v.Epoch, head.Number)
	if err != nil {
		return nil, err
	}
	mine := is(st.ours, r.v)
	// A vote of ours that this record replaced is still on chain: ours to
	// replace, not a verdict.
	stale := st.ours != nil && !mine && r.rec.replaced(*st.ours)
	if m != nil && st.accepted == nil && !mine {
		return nil, r.reverted(ctx, m)
	}
	if st.accepted != nil || (st.ours != nil && !stale) {
		return r.verdict(ctx, head, st)
	}
	if st.next < r.v.Epoch {
		err := fmt.Errorf("%w: the contract's next epoch is %d", ErrEpochNotOpen, st.next)
		if simErr := r.simulate(ctx); errors.Is(simErr, ErrReverted) {
			err = fmt.Errorf("%w: %w", err, simErr)
		}
		return nil, err
	}

	// nextEpoch == epoch and the contract has no vote of ours: it is needed.
	nonce, err := s.nonceAt(ctx, head.Number)
	if err != nil {
		return nil, err
	}
	if a := r.rec.latest(); a != nil && r.rec.State == recOpen {
		if nonce <= a.Nonce {
			return nil, r.tend(ctx, head)
		}
		r.log.Warn("the recorded nonce was used by a transaction that is not ours; the vote is still needed, signing a new nonce",
			zap.Uint64("recorded_nonce", a.Nonce), zap.Uint64("account_nonce", nonce))
	}
	return nil, r.start(ctx, head, nonce)
}

// verdict decides when the contract counts our vote or accepted the epoch:
// nothing is sent, and the verdict is returned once it holds at the
// confirmed height.
func (r *run) verdict(ctx context.Context, head *types.Header, st chainState) (*Outcome, error) {
	if is(st.ours, r.v) && r.rec.latest() != nil && r.rec.State == recOpen && r.noReceipt < receiptGrace {
		r.noReceipt++ // our vote, but no receipt yet: give the node's index time
		return nil, nil
	}
	ch, ok := confirmedHeight(head.Number.Uint64(), r.s.cfg.Confirmations)
	if !ok {
		return nil, nil
	}
	cst, err := r.s.readState(ctx, r.v.Epoch, ch)
	if err != nil {
		return nil, err
	}
	var out Outcome
	switch {
	case cst.accepted != nil && !cst.accepted.Equal(r.v):
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
		return nil, nil // not at the confirmed height yet
	}
	if r.rec == nil {
		r.logVerdict(out)
		return &out, nil
	}
	return r.finish(out)
}

// finish records a verdict about a recorded vote.
func (r *run) finish(out Outcome) (*Outcome, error) {
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
			return nil, err
		}
		r.rec = rec
	}
	r.logVerdict(out)
	return &out, nil
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

// mined is an attempt with a receipt in the canonical chain.
type mined struct {
	a    *attempt
	rcpt *types.Receipt
}

// findMined returns the attempt mined in the canonical chain at or below
// head: a successful one if any, else a reverted one of the current nonce
// (unless that revert was reported already), else nil. It notes receipts
// that a reorg took away so that the latest attempt is broadcast again.
func (r *run) findMined(ctx context.Context, head *types.Header) (*mined, error) {
	var found *mined
	if r.rec != nil && len(r.rec.Attempts) > 0 {
		cur := r.rec.latest().Nonce
		for i := len(r.rec.Attempts) - 1; i >= 0; i-- {
			a := &r.rec.Attempts[i]
			rcpt, err := r.s.receipt(ctx, a.Hash)
			if errors.Is(err, ethereum.NotFound) {
				continue
			}
			if err != nil {
				return nil, transient("read receipt", err)
			}
			if rcpt.BlockNumber == nil || rcpt.BlockNumber.Cmp(head.Number) > 0 {
				continue // mined after the head we are looking at
			}
			h, err := r.s.header(ctx, rcpt.BlockNumber)
			if err != nil {
				return nil, transient("read receipt's block", err)
			}
			if h.Hash() != rcpt.BlockHash {
				continue // the node's index still points into a replaced branch
			}
			if rcpt.Status == types.ReceiptStatusSuccessful {
				found = &mined{a, rcpt}
				break
			}
			if a.Nonce == cur && r.rec.State == recOpen && found == nil {
				found = &mined{a, rcpt}
			}
		}
	}
	var in common.Hash
	if found != nil {
		in = found.rcpt.BlockHash
	}
	switch {
	case in == r.minedIn:
	case in == (common.Hash{}):
		r.log.Warn("our mined transaction left the canonical chain (reorg); broadcasting again", zap.Stringer("block", r.minedIn))
		r.sentHash, r.sends = common.Hash{}, 0
	default:
		r.log.Info("vote mined", zap.Stringer("tx", found.a.Hash), zap.Uint64("nonce", found.a.Nonce),
			zap.Uint64("block", found.rcpt.BlockNumber.Uint64()), zap.Bool("success", found.rcpt.Status == types.ReceiptStatusSuccessful))
		r.reached(StepMined)
	}
	r.minedIn = in
	return found, nil
}

// reverted reports our mined, reverted vote and closes the record, so that
// the next Submit starts over from a simulation.
func (r *run) reverted(ctx context.Context, m *mined) error {
	reason := r.revertReason(ctx, m)
	rec, err := r.s.update(r.v.Epoch, r.rec, func(cur *record) *record {
		cur.State = recClosed
		return cur
	})
	if err != nil {
		return err
	}
	r.rec = rec
	r.log.Error("our vote reverted", zap.Stringer("tx", m.a.Hash), zap.Uint64("block", m.rcpt.BlockNumber.Uint64()), zap.String("reason", reason))
	return fmt.Errorf("%w: %s (transaction %s, block %d)", ErrReverted, reason, m.a.Hash.Hex(), m.rcpt.BlockNumber.Uint64())
}

// revertReason re-runs the vote on the state after its block, which in
// the usual cases (epoch accepted meanwhile, funds gone) still reverts for
// the same reason.
func (r *run) revertReason(ctx context.Context, m *mined) string {
	_, err := r.s.call(ctx, r.data, m.rcpt.BlockNumber)
	switch {
	case err != nil && isRevert(err):
		return contracts.DecodeRevert(err)
	case m.rcpt.GasUsed >= m.a.Gas:
		return fmt.Sprintf("out of gas (used %d of %d)", m.rcpt.GasUsed, m.a.Gas)
	case err != nil:
		return fmt.Sprintf("unknown (re-simulation failed: %v)", err)
	default:
		return fmt.Sprintf("unknown (the vote does not revert on the state after block %d)", m.rcpt.BlockNumber.Uint64())
	}
}

// simulate runs the vote as an eth_call from our address on the latest
// state. A revert is ErrReverted with the decoded custom error.
func (r *run) simulate(ctx context.Context) error {
	if _, err := r.s.call(ctx, r.data, nil); err != nil {
		if isRevert(err) {
			return fmt.Errorf("%w: %s", ErrReverted, contracts.DecodeRevert(err))
		}
		return transient("simulate submitRoot", err)
	}
	return nil
}

// start signs the vote with a new nonce: simulation, gas estimate, fees,
// balance, then the record, then the broadcast.
func (r *run) start(ctx context.Context, head *types.Header, nonce uint64) error {
	s := r.s
	if err := r.simulate(ctx); err != nil {
		return err
	}
	msg := ethereum.CallMsg{From: s.addr, To: &s.cfg.Contract, Data: r.data}
	cctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	est, err := s.b.EstimateGas(cctx, msg)
	cancel()
	if err != nil {
		if isRevert(err) {
			return fmt.Errorf("%w: %s", ErrReverted, contracts.DecodeRevert(err))
		}
		return transient("estimate gas", err)
	}
	gas := est + (est+4)/5 + quorumGas // +20%, rounded up, and room to complete the quorum
	f, err := s.marketFees(ctx, head)
	if err != nil {
		return err
	}
	// A stale attempt of ours (an epoch accepted without it) may still hold
	// this nonce in the pool: price the vote to replace it.
	stale, err := s.sameNonce(nonce)
	if err != nil {
		return err
	}
	for _, a := range stale {
		if !replaces(f, a.fees()) {
			f = atLeast(bumped(a.fees(), s.cfg.BumpPercent), f)
		}
	}
	f, hitCap := capped(f, s.cfg.MaxFeeCap, s.cfg.MaxTipCap)
	if hitCap && len(stale) > 0 {
		r.log.Error("a stale attempt holds this nonce and the fee caps keep the vote from replacing it; raise MaxFeeCap/MaxTipCap",
			zap.Uint64("nonce", nonce))
	}
	if ok, bal, err := s.affordable(ctx, gas, f); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: balance %s wei, the vote may cost %s wei (%d gas at %s)", ErrInsufficientFunds, bal, f.maxCost(gas), gas, f)
	}
	a, err := s.sign(nonce, gas, f, r.data)
	if err != nil {
		return err
	}
	if err := r.save(a); err != nil {
		return err
	}
	r.log.Info("vote signed and recorded", append(feeFields(f), zap.Stringer("tx", a.Hash), zap.Uint64("nonce", nonce), zap.Uint64("gas", gas))...)
	r.reached(StepRecorded)
	return r.broadcast(ctx, r.rec.latest())
}

// tend looks after the unmined attempts of the current nonce: broadcast on
// resume, again after ResendAfter, replace with higher fees after another
// ResendAfter.
func (r *run) tend(ctx context.Context, head *types.Header) error {
	s := r.s
	a := r.rec.latest()
	switch {
	case r.sentHash != a.Hash || r.sends == 0:
		return r.broadcast(ctx, a)
	case s.now().Sub(r.lastSend) < s.cfg.ResendAfter:
		return nil
	case r.sends == 1:
		return r.broadcast(ctx, a)
	}
	market, err := s.marketFees(ctx, head)
	if err != nil {
		r.log.Warn("cannot read market fees; bumping the last attempt's", zap.Error(err))
		market = a.fees()
	}
	next, hitCap, ok := replacement(a.fees(), market, s.cfg.BumpPercent, s.cfg.MaxFeeCap, s.cfg.MaxTipCap)
	if !ok {
		r.log.Error("fee caps reached: broadcasting the last attempt again instead of replacing it; raise MaxFeeCap/MaxTipCap",
			append(feeFields(a.fees()), zap.Stringer("tx", a.Hash), zap.Uint64("nonce", a.Nonce))...)
		return r.broadcast(ctx, a)
	}
	if hitCap {
		r.log.Error("replacement capped at MaxFeeCap/MaxTipCap", feeFields(next)...)
	}
	if ok, bal, err := s.affordable(ctx, a.Gas, next); err != nil {
		return err
	} else if !ok {
		r.log.Error("balance too low for a replacement; broadcasting the last attempt again",
			zap.Stringer("balance", bal), zap.Stringer("needed", next.maxCost(a.Gas)))
		return r.broadcast(ctx, a)
	}
	na, err := s.sign(a.Nonce, a.Gas, next, r.data)
	if err != nil {
		return err
	}
	if err := r.save(na); err != nil {
		return err
	}
	r.log.Info("vote replaced with higher fees", append(feeFields(next), zap.Stringer("tx", na.Hash), zap.Stringer("replaces", a.Hash),
		zap.Uint64("nonce", na.Nonce), zap.Int("attempt", len(r.rec.Attempts)))...)
	return r.broadcast(ctx, r.rec.latest())
}

// save appends a signed attempt to the record (creating it), before it is
// broadcast.
func (r *run) save(a attempt) error {
	v := r.v
	rec, err := r.s.update(v.Epoch, r.rec, func(cur *record) *record {
		if cur == nil {
			cur = &record{Version: recordVersion, Epoch: v.Epoch, Root: v.Root, Total: new(big.Int).Set(v.Total), ResultHash: v.ResultHash}
		}
		cur.State = recOpen
		cur.Attempts = append(cur.Attempts, a)
		return cur
	})
	if err != nil {
		return err
	}
	r.rec = rec
	return nil
}

// broadcast sends a recorded attempt. "already known" and "nonce too low"
// are fine (receipts decide); other failures are logged and the schedule
// retries, except rejections that waiting cannot fix (ErrRejected).
func (r *run) broadcast(ctx context.Context, a *attempt) error {
	tx, err := a.tx()
	if err != nil {
		return err
	}
	if r.sentHash != a.Hash {
		r.sentHash, r.sends = a.Hash, 0
	}
	r.sends++
	r.lastSend = r.s.now()
	cctx, cancel := context.WithTimeout(ctx, r.s.cfg.RPCTimeout)
	err = r.s.b.SendTransaction(cctx, tx)
	cancel()
	fields := []zap.Field{zap.Stringer("tx", a.Hash), zap.Uint64("nonce", a.Nonce), zap.Int("broadcast", r.sends)}
	switch sendErrorKind(err) {
	case sendOK:
		r.log.Info("vote broadcast", fields...)
		r.reached(StepBroadcast)
	case sendKnown:
		r.log.Info("vote broadcast: the node already has it or its nonce is used; receipts decide", append(fields, zap.Error(err))...)
	case sendFatal:
		return fmt.Errorf("%w: %w", ErrRejected, err)
	default:
		if ctx.Err() == nil {
			r.log.Warn("vote broadcast failed; retrying on schedule", append(fields, zap.Error(err))...)
		}
	}
	return nil
}

func feeFields(f fees) []zap.Field {
	if f.legacy() {
		return []zap.Field{zap.Stringer("gas_price", f.GasPrice)}
	}
	return []zap.Field{zap.Stringer("tip_cap", f.TipCap), zap.Stringer("fee_cap", f.FeeCap)}
}

// confirmed reports whether a receipt in block is c deep under head:
// head − block + 1 ≥ c, written so that nothing underflows.
func confirmed(block, head, c uint64) bool { return block+c <= head+1 }

// confirmedHeight is the highest block that is c deep under head, head +
// 1 − c; ok is false while the chain is shorter than that.
func confirmedHeight(head, c uint64) (*big.Int, bool) {
	if head+1 < c {
		return nil, false
	}
	return new(big.Int).SetUint64(head + 1 - c), true
}

// is reports whether the chain's vote p (nil: none) is v.
func is(p *Vote, v Vote) bool { return p != nil && p.Equal(v) }
