package txsend

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

// receiptGrace is how many polls Send waits, when the recorded nonce is
// consumed and no attempt of ours has a receipt, before it signs a new
// nonce: the node's transaction index may lag behind its state, and our
// own transaction may be the one that consumed the nonce.
const receiptGrace = 5

// run is one Send call's working state.
type run struct {
	s    *Sender
	in   Intent
	rec  *Record // nil until something is recorded
	name string  // the intent's name in log messages
	log  *zap.Logger

	sentHash common.Hash // the attempt broadcast last in this run
	sends    int         // how often sentHash was broadcast in this run
	lastSend time.Time
	minedIn  common.Hash // block of the receipt seen at the last poll
	consumed int         // polls that found the recorded nonce consumed without a receipt of ours
}

func (r *run) reached(step string) {
	if r.in.OnStep != nil {
		r.in.OnStep(step)
	}
}

func (r *run) pending() Result {
	res := Result{Status: Pending}
	if r.rec != nil {
		res.Attempts = len(r.rec.Attempts)
		res.Contract = r.rec.Contract()
		if a := r.rec.Latest(); a != nil {
			res.TxHash = a.Hash
		}
	}
	return res
}

func (r *run) open() bool { return r.rec != nil && r.rec.State == RecordOpen && r.rec.Latest() != nil }

// watch asks the intent's Watch, if any.
func (r *run) watch(ctx context.Context, p Poll) (Action, error) {
	if r.in.Watch == nil {
		return Proceed, nil
	}
	return r.in.Watch(ctx, p)
}

// step is one poll: it reads the chain and acts. A non-nil Result ends
// Send; an error wrapped with Retry asks for another poll.
func (r *run) step(ctx context.Context) (*Result, error) {
	s := r.s
	head, err := s.Header(ctx, nil)
	if err != nil {
		return nil, retry("read head", err)
	}
	m, err := r.findMined(ctx, head)
	if err != nil {
		return nil, err
	}
	p := Poll{Head: head, Sent: r.open()}
	if m != nil {
		p.Mined = m.rcpt
	}
	if m != nil && m.rcpt.Status == types.ReceiptStatusSuccessful {
		if !confirmed(m.rcpt.BlockNumber.Uint64(), head.Number.Uint64(), s.cfg.Confirmations) {
			return nil, nil
		}
		p.Confirmed = true
		switch act, err := r.watch(ctx, p); {
		case err != nil || act == Wait:
			return nil, err
		case act == Stop:
			return r.stopped(), nil
		}
		return r.confirm(m)
	}

	switch act, err := r.watch(ctx, p); {
	case err != nil || act == Wait:
		return nil, err
	case act == Stop:
		return r.stopped(), nil
	}
	if m != nil {
		return nil, r.reverted(ctx, m)
	}
	nonce, err := s.nonceAt(ctx, head.Number)
	if err != nil {
		return nil, err
	}
	if r.open() {
		a := r.rec.Latest()
		if nonce <= a.Nonce {
			r.consumed = 0
			return nil, r.tend(ctx, head)
		}
		if r.consumed < receiptGrace {
			r.consumed++
			return nil, nil
		}
		r.log.Warn("the recorded nonce was used by a transaction that is not ours; the "+r.name+" is still needed, signing a new nonce",
			zap.Uint64("recorded_nonce", a.Nonce), zap.Uint64("account_nonce", nonce))
	}
	return nil, r.start(ctx, head, nonce)
}

func (r *run) stopped() *Result {
	res := r.pending()
	res.Status = Stopped
	return &res
}

// confirm records the confirmed attempt and returns it.
func (r *run) confirm(m *mined) (*Result, error) {
	f := &Final{Tx: m.a.Hash, Block: m.rcpt.BlockNumber.Uint64(), GasUsed: m.rcpt.GasUsed, At: r.s.now().UTC()}
	if m.rcpt.EffectiveGasPrice != nil {
		f.Fee = new(big.Int).Mul(m.rcpt.EffectiveGasPrice, new(big.Int).SetUint64(m.rcpt.GasUsed))
	}
	if err := r.update(func(cur *Record) *Record {
		cur.State, cur.Final = RecordConfirmed, f
		return cur
	}); err != nil {
		return nil, err
	}
	res := &Result{Status: Confirmed, TxHash: f.Tx, Block: f.Block, GasUsed: f.GasUsed, Fee: f.Fee, Receipt: m.rcpt,
		Attempts: len(r.rec.Attempts)}
	if r.in.Call.Create {
		res.Contract = m.rcpt.ContractAddress
		if res.Contract == (common.Address{}) { // a node that leaves it out
			res.Contract = r.rec.Contract()
		}
	}
	r.log.Info(r.name+" confirmed", zap.Stringer("tx", f.Tx), zap.Uint64("block", f.Block), zap.Int("attempts", len(r.rec.Attempts)))
	return res, nil
}

// mined is an attempt with a receipt in the canonical chain.
type mined struct {
	a    *Attempt
	rcpt *types.Receipt
}

// findMined returns the attempt mined in the canonical chain at or below
// head: a successful one if any, else a reverted one of the current nonce
// of an open record, else nil. It notes receipts that a reorg took away so
// that the latest attempt is broadcast again.
func (r *run) findMined(ctx context.Context, head *types.Header) (*mined, error) {
	var found *mined
	if r.rec != nil && len(r.rec.Attempts) > 0 {
		cur := r.rec.Latest().Nonce
		for i := len(r.rec.Attempts) - 1; i >= 0; i-- {
			a := &r.rec.Attempts[i]
			rcpt, err := r.s.receipt(ctx, a.Hash)
			if errors.Is(err, ethereum.NotFound) {
				continue
			}
			if err != nil {
				return nil, retry("read receipt", err)
			}
			if rcpt.BlockNumber == nil || rcpt.BlockNumber.Cmp(head.Number) > 0 {
				continue // mined after the head we are looking at
			}
			h, err := r.s.Header(ctx, rcpt.BlockNumber)
			if err != nil {
				return nil, retry("read receipt's block", err)
			}
			if h.Hash() != rcpt.BlockHash {
				continue // the node's index still points into a replaced branch
			}
			if rcpt.Status == types.ReceiptStatusSuccessful {
				found = &mined{a, rcpt}
				break
			}
			if a.Nonce == cur && r.rec.State == RecordOpen && found == nil {
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
		r.log.Warn("our mined "+r.name+" left the canonical chain (reorg); broadcasting again", zap.Stringer("block", r.minedIn))
		r.sentHash, r.sends = common.Hash{}, 0
	default:
		r.log.Info(r.name+" mined", zap.Stringer("tx", found.a.Hash), zap.Uint64("nonce", found.a.Nonce),
			zap.Uint64("block", found.rcpt.BlockNumber.Uint64()), zap.Bool("success", found.rcpt.Status == types.ReceiptStatusSuccessful))
		r.reached(StepMined)
	}
	r.minedIn = in
	return found, nil
}

// reverted reports our mined, reverted transaction and closes the record,
// so that the next Send starts over from a simulation.
func (r *run) reverted(ctx context.Context, m *mined) error {
	reason := r.revertReason(ctx, m)
	if err := r.update(func(cur *Record) *Record {
		cur.State = RecordClosed
		return cur
	}); err != nil {
		return err
	}
	r.log.Error("our "+r.name+" reverted", zap.Stringer("tx", m.a.Hash), zap.Uint64("block", m.rcpt.BlockNumber.Uint64()), zap.String("reason", reason))
	return fmt.Errorf("%w: %s (transaction %s, block %d)", ErrReverted, reason, m.a.Hash.Hex(), m.rcpt.BlockNumber.Uint64())
}

// revertReason re-runs the call on the state after its block, which in
// the usual cases (someone else did it first, funds gone) still reverts
// for the same reason.
func (r *run) revertReason(ctx context.Context, m *mined) string {
	_, err := r.s.Read(ctx, r.in.Call, m.rcpt.BlockNumber)
	switch {
	case err != nil && isRevert(err):
		return contracts.DecodeRevert(err)
	case m.rcpt.GasUsed >= m.a.Gas:
		return fmt.Sprintf("out of gas (used %d of %d)", m.rcpt.GasUsed, m.a.Gas)
	case err != nil:
		return fmt.Sprintf("unknown (re-simulation failed: %v)", err)
	default:
		return fmt.Sprintf("unknown (the call does not revert on the state after block %d)", m.rcpt.BlockNumber.Uint64())
	}
}

// start signs the call with a new nonce: simulation, gas estimate, fees,
// balance, then the record, then the broadcast.
func (r *run) start(ctx context.Context, head *types.Header, nonce uint64) error {
	s := r.s
	if err := s.Simulate(ctx, r.in.Call); err != nil {
		return err
	}
	est, err := s.estimateGas(ctx, r.in.Call)
	if err != nil {
		return err
	}
	gas := est + (est+4)/5 + r.in.ExtraGas // +20%, rounded up, and the caller's margin
	f, err := s.marketFees(ctx, head)
	if err != nil {
		return err
	}
	// An attempt of another intent of ours, abandoned while pending, may
	// still hold this nonce in the pool: price the call to replace it.
	stale, err := r.sameNonce(nonce)
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
		r.log.Error("a stale attempt holds this nonce and the fee caps keep the "+r.name+" from replacing it; raise MaxFeeCap/MaxTipCap",
			zap.Uint64("nonce", nonce))
	}
	if ok, bal, need, err := s.affordable(ctx, gas, f, r.in.Call.Value); err != nil {
		return err
	} else if !ok {
		return fmt.Errorf("%w: balance %s wei, the %s may cost %s wei (%d gas at %s, value %s wei)", ErrInsufficientFunds, bal, r.name, need, gas, f, r.in.Call.value())
	}
	a, err := s.sign(r.in.Call, nonce, gas, f)
	if err != nil {
		return err
	}
	if err := r.save(a); err != nil {
		return err
	}
	fields := append(feeFields(f), zap.Stringer("tx", a.Hash), zap.Uint64("nonce", nonce), zap.Uint64("gas", gas))
	if r.in.Call.Create {
		fields = append(fields, zap.Stringer("contract", r.rec.Contract()))
	}
	r.log.Info(r.name+" signed and recorded", fields...)
	r.reached(StepRecorded)
	return r.broadcast(ctx, r.rec.Latest())
}

// sameNonce returns every recorded attempt of this key and chain, of any
// intent, with nonce n.
func (r *run) sameNonce(n uint64) ([]Attempt, error) {
	var out []Attempt
	err := r.s.store.Each(func(rec *Record) error {
		if rec.From != r.s.addr || rec.ChainID != r.s.cfg.ChainID {
			return nil
		}
		for _, a := range rec.Attempts {
			if a.Nonce == n {
				out = append(out, a)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scan records: %w", err)
	}
	return out, nil
}

// tend looks after the unmined attempts of the current nonce: broadcast on
// resume, again after ResendAfter, replace with higher fees after another
// ResendAfter.
func (r *run) tend(ctx context.Context, head *types.Header) error {
	s := r.s
	a := r.rec.Latest()
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
	if ok, bal, need, err := s.affordable(ctx, a.Gas, next, r.in.Call.Value); err != nil {
		return err
	} else if !ok {
		r.log.Error("balance too low for a replacement; broadcasting the last attempt again",
			zap.Stringer("balance", bal), zap.Stringer("needed", need))
		return r.broadcast(ctx, a)
	}
	na, err := s.sign(r.in.Call, a.Nonce, a.Gas, next)
	if err != nil {
		return err
	}
	if err := r.save(na); err != nil {
		return err
	}
	r.log.Info(r.name+" replaced with higher fees", append(feeFields(next), zap.Stringer("tx", na.Hash), zap.Stringer("replaces", a.Hash),
		zap.Uint64("nonce", na.Nonce), zap.Int("attempt", len(r.rec.Attempts)))...)
	return r.broadcast(ctx, r.rec.Latest())
}

// save appends a signed attempt to the record (creating it), before it is
// broadcast.
func (r *run) save(a Attempt) error {
	return r.update(func(cur *Record) *Record {
		if cur == nil {
			cur = &Record{ChainID: r.s.cfg.ChainID, From: r.s.addr, Call: r.in.Call}
		}
		cur.State = RecordOpen
		cur.Attempts = append(cur.Attempts, a)
		return cur
	})
}

// update changes the intent's record in one Store.Update. The stored
// record must still be what this run last saw: the number of attempts and
// the state are compared, so that two writers never overwrite each other's
// attempts (ErrRecordRace).
func (r *run) update(change func(cur *Record) *Record) error {
	prev := r.rec
	var out *Record
	err := r.s.store.Update(r.in.Key, func(cur *Record) (*Record, error) {
		switch {
		case prev == nil && cur != nil, prev != nil && cur == nil:
			return nil, ErrRecordRace
		case prev != nil && (len(prev.Attempts) != len(cur.Attempts) || prev.State != cur.State):
			return nil, ErrRecordRace
		}
		out = change(cur)
		return out, nil
	})
	if err != nil {
		return fmt.Errorf("save record %s: %w", r.in.Key, err)
	}
	r.rec = out
	return nil
}

// broadcast sends a recorded attempt. "already known" and "nonce too low"
// are fine (receipts decide); other failures are logged and the schedule
// retries, except rejections that waiting cannot fix (ErrRejected).
func (r *run) broadcast(ctx context.Context, a *Attempt) error {
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
		r.log.Info(r.name+" broadcast", fields...)
		r.reached(StepBroadcast)
	case sendKnown:
		r.log.Info(r.name+" broadcast: the node already has it or its nonce is used; receipts decide", append(fields, zap.Error(err))...)
	case sendFatal:
		return fmt.Errorf("%w: %w", ErrRejected, err)
	default:
		if ctx.Err() == nil {
			r.log.Warn(r.name+" broadcast failed; retrying on schedule", append(fields, zap.Error(err))...)
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
