package submitter

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// Ledger layout: ledger.BucketSubmitter, one record per epoch keyed by the
// epoch (see doc.go). recordVersion is the record's JSON version: 1 since
// the first release; the transaction path's move to txsend kept the shape
// byte for byte (txsend.Attempt has the same fields and tags as the
// version 1 attempt), so nothing was migrated.
const recordVersion = 1

// recordState is a record's lifecycle state.
type recordState string

const (
	recOpen         recordState = "open"   // the last attempt's nonce may still be mined
	recClosed       recordState = "closed" // our transaction reverted; start over from a simulation
	recConfirmed    recordState = "confirmed"
	recAlreadyVoted recordState = "already-voted"
	recAccepted     recordState = "accepted"
	recDisputed     recordState = "disputed"
	recConflict     recordState = "conflict"
)

// final returns the Outcome state a final record state stands for; ok is
// false for open and closed records.
func (st recordState) final() (_ State, ok bool) {
	switch st {
	case recConfirmed:
		return Confirmed, true
	case recAlreadyVoted:
		return AlreadyVoted, true
	case recAccepted:
		return Accepted, true
	case recDisputed:
		return Disputed, true
	case recConflict:
		return Conflict, true
	}
	return Pending, false
}

// recordStateOf is the record state of a verdict.
func recordStateOf(s State) recordState {
	switch s {
	case Confirmed:
		return recConfirmed
	case AlreadyVoted:
		return recAlreadyVoted
	case Accepted:
		return recAccepted
	case Disputed:
		return recDisputed
	case Conflict:
		return recConflict
	}
	return recOpen
}

// record is the write-ahead record of one epoch's vote.
type record struct {
	Version    int         `json:"version"`
	Epoch      uint64      `json:"epoch"`
	Root       common.Hash `json:"root"`
	Total      *big.Int    `json:"total"`
	ResultHash common.Hash `json:"result_hash"`
	State      recordState `json:"state"`
	Attempts   []attempt   `json:"attempts"`
	Final      *final      `json:"final,omitempty"`
	// Replaced are earlier votes of ours for the epoch, oldest first, each
	// with its attempts: a vote is replaced only after a reorg deeper than
	// the confirmations changed the epoch (see Submit).
	Replaced []replacedVote `json:"replaced,omitempty"`
}

// replacedVote is a vote of ours that a later one replaced.
type replacedVote struct {
	Vote     voteJSON  `json:"vote"`
	Attempts []attempt `json:"attempts"`
}

// replaced reports whether v is one of our votes that this record replaced.
func (r *record) replaced(v Vote) bool {
	if r == nil {
		return false
	}
	for _, p := range r.Replaced {
		if same(p.Vote.vote(), v) {
			return true
		}
	}
	return false
}

// signed is how many transactions were signed for the epoch, replaced
// votes included.
func (r *record) signed() int {
	if r == nil {
		return 0
	}
	n := len(r.Attempts)
	for _, p := range r.Replaced {
		n += len(p.Attempts)
	}
	return n
}

func (v voteJSON) vote() Vote {
	return Vote{Epoch: v.Epoch, Root: v.Root, Total: v.Total, ResultHash: v.ResultHash}
}

// attempt is one signed transaction: txsend's, whose JSON is version 1's.
type attempt = txsend.Attempt

// final is what a finished Submit found.
type final struct {
	Tx       common.Hash `json:"tx,omitempty"`
	Block    uint64      `json:"block,omitempty"`
	Accepted *voteJSON   `json:"accepted,omitempty"`
	At       time.Time   `json:"at"`
}

type voteJSON struct {
	Epoch      uint64      `json:"epoch"`
	Root       common.Hash `json:"root"`
	Total      *big.Int    `json:"total"`
	ResultHash common.Hash `json:"result_hash"`
}

func (r *record) vote() Vote {
	return Vote{Epoch: r.Epoch, Root: r.Root, Total: r.Total, ResultHash: r.ResultHash}
}

// latest returns the newest attempt, or nil.
func (r *record) latest() *attempt {
	if r == nil || len(r.Attempts) == 0 {
		return nil
	}
	return &r.Attempts[len(r.Attempts)-1]
}

// outcome is the Outcome a final record stands for.
func (r *record) outcome() Outcome {
	st, _ := r.State.final()
	out := Outcome{State: st, Attempts: r.signed()}
	if a := r.latest(); a != nil {
		out.TxHash = a.Hash
	}
	if r.Final != nil {
		if r.Final.Tx != (common.Hash{}) {
			out.TxHash = r.Final.Tx
		}
		out.Block = r.Final.Block
		if a := r.Final.Accepted; a != nil {
			out.Accepted = &Vote{Epoch: a.Epoch, Root: a.Root, Total: a.Total, ResultHash: a.ResultHash}
		}
	}
	return out
}

func decodeRecord(epoch uint64, b []byte) (*record, error) {
	var r record
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("decode record of epoch %d: %w", epoch, err)
	}
	if r.Version != recordVersion {
		return nil, fmt.Errorf("record of epoch %d has version %d; this build reads version %d", epoch, r.Version, recordVersion)
	}
	if r.Epoch != epoch || r.Total == nil {
		return nil, fmt.Errorf("record of epoch %d is malformed", epoch)
	}
	return &r, nil
}

// load returns the record of epoch, or nil.
func (s *Submitter) load(epoch uint64) (*record, error) {
	b, err := s.store.Get(epoch)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load record: %w", err)
	}
	return decodeRecord(epoch, b)
}

// update changes the stored record of epoch, which must still be what the
// caller last saw, prev (the same state and number of attempts): another
// writer's change is ErrRecordRace, never overwritten.
func (s *Submitter) update(epoch uint64, prev *record, change func(*record) *record) (*record, error) {
	var out *record
	err := s.modify(epoch, func(cur *record) (*record, error) {
		if cur == nil || cur.State != prev.State || len(cur.Attempts) != len(prev.Attempts) {
			return nil, ErrRecordRace
		}
		out = change(cur)
		return out, nil
	})
	if err != nil {
		return nil, fmt.Errorf("save record: %w", err)
	}
	return out, nil
}

// modify is one read-modify-write of epoch's record in a ledger
// transaction; an error from change writes nothing and is returned as is.
func (s *Submitter) modify(epoch uint64, change func(cur *record) (*record, error)) error {
	return s.store.Update(func(tx *ledger.RecordsTx) error {
		var cur *record
		if b := tx.Get(epoch); b != nil {
			var err error
			if cur, err = decodeRecord(epoch, b); err != nil {
				return err
			}
		}
		next, err := change(cur)
		if err != nil {
			return err
		}
		b, err := json.Marshal(next)
		if err != nil {
			return err
		}
		return tx.Put(epoch, b)
	})
}

// replace makes v the vote of rec's epoch in place of rec's, which must be
// confirmed on chain (Confirmed or AlreadyVoted): the old vote and its
// attempts move to Replaced and v starts over from a simulation. The
// contract's submitRoot replaces a validator's open-epoch vote in place;
// if the epoch was accepted meanwhile, the next step reports it.
func (s *Submitter) replace(rec *record, v Vote) (*record, error) {
	if st, final := rec.State.final(); !final || (st != Confirmed && st != AlreadyVoted) {
		return rec, fmt.Errorf("%w: recorded %s (%s), asked %s", ErrConflictingVote, rec.vote(), rec.State, v)
	}
	out, err := s.update(v.Epoch, rec, func(cur *record) *record {
		old := cur.vote()
		cur.Replaced = append(cur.Replaced, replacedVote{
			Vote:     voteJSON{Epoch: old.Epoch, Root: old.Root, Total: old.Total, ResultHash: old.ResultHash},
			Attempts: cur.Attempts,
		})
		cur.Root, cur.Total, cur.ResultHash = v.Root, new(big.Int).Set(v.Total), v.ResultHash
		cur.Attempts, cur.State, cur.Final = nil, recClosed, nil
		return cur
	})
	if err != nil {
		return rec, err
	}
	s.log.Warn("replacing our confirmed vote: the epoch was recomputed", zap.Uint64("epoch", v.Epoch),
		zap.Stringer("old", rec.vote()), zap.Stringer("new", v))
	return out, nil
}

// voteKey is the txsend record key of epoch's vote.
func voteKey(epoch uint64) string { return "vote/" + strconv.FormatUint(epoch, 10) }

func parseVoteKey(key string) (uint64, error) {
	n, ok := strings.CutPrefix(key, "vote/")
	if !ok {
		return 0, fmt.Errorf("record key %q is not a vote's", key)
	}
	epoch, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("record key %q: %w", key, err)
	}
	return epoch, nil
}

// voteCall is the contract call of vote v.
func (s *Submitter) voteCall(v Vote) txsend.Call {
	return txsend.Call{To: s.cfg.Contract, Data: s.abi.PackSubmitRoot(new(big.Int).SetUint64(v.Epoch), v.Root, v.Total, v.ResultHash)}
}

// callVote is the vote a call of submitRoot to our contract carries: the
// inverse of voteCall.
func (s *Submitter) callVote(c txsend.Call) (Vote, error) {
	m := s.abi.GetABI().Methods["submitRoot"]
	if c.To != s.cfg.Contract || len(c.Data) < 4 || !bytes.Equal(c.Data[:4], m.ID) || (c.Value != nil && c.Value.Sign() != 0) {
		return Vote{}, errors.New("not a submitRoot call of the contract")
	}
	in, err := m.Inputs.Unpack(c.Data[4:])
	if err != nil {
		return Vote{}, fmt.Errorf("decode submitRoot call: %w", err)
	}
	epoch, _ := in[0].(*big.Int)
	root, _ := in[1].([32]byte)
	total, _ := in[2].(*big.Int)
	result, _ := in[3].([32]byte)
	if epoch == nil || !epoch.IsUint64() || total == nil {
		return Vote{}, errors.New("decode submitRoot call: epoch or total out of range")
	}
	return Vote{Epoch: epoch.Uint64(), Root: root, Total: total, ResultHash: result}, nil
}

// voteStore is the ledger's vote records seen as a txsend.Store: txsend
// writes the transaction half of a record (state open or closed, the
// attempts), the submitter the vote half (its verdicts, the votes it
// replaced) — one JSON document, version 1, in one bucket. A record in a
// final verdict state reads as txsend.RecordConfirmed.
type voteStore struct{ s *Submitter }

// Load implements txsend.Store.
func (vs voteStore) Load(key string) (*txsend.Record, error) {
	epoch, err := parseVoteKey(key)
	if err != nil {
		return nil, err
	}
	rec, err := vs.s.load(epoch)
	if err != nil || rec == nil {
		return nil, err
	}
	return vs.s.sendRecord(rec), nil
}

// Update implements txsend.Store: the transaction half of the stored
// record is replaced by the one change returns, in one ledger transaction.
func (vs voteStore) Update(key string, change func(cur *txsend.Record) (*txsend.Record, error)) error {
	epoch, err := parseVoteKey(key)
	if err != nil {
		return err
	}
	s := vs.s
	return s.modify(epoch, func(cur *record) (*record, error) {
		var view *txsend.Record
		if cur != nil {
			view = s.sendRecord(cur)
		}
		next, err := change(view)
		if err != nil {
			return nil, err
		}
		v, err := s.callVote(next.Call)
		switch {
		case err != nil:
			return nil, fmt.Errorf("record of epoch %d: %w", epoch, err)
		case v.Epoch != epoch:
			return nil, fmt.Errorf("record of epoch %d: the call votes for epoch %d", epoch, v.Epoch)
		case cur == nil:
			cur = &record{Version: recordVersion, Epoch: epoch, Root: v.Root, Total: v.Total, ResultHash: v.ResultHash}
		case !same(cur.vote(), v):
			return nil, fmt.Errorf("%w: recorded %s, the call is %s", ErrConflictingVote, cur.vote(), v)
		}
		cur.Attempts = next.Attempts
		switch next.State {
		case txsend.RecordOpen:
			cur.State = recOpen
		case txsend.RecordClosed:
			cur.State = recClosed
		case txsend.RecordConfirmed:
			// Our Watch stops Send before txsend confirms a vote (Submit
			// records the verdict), so this is a Send without it.
			if _, done := cur.State.final(); !done {
				cur.State = recConfirmed
				if f := next.Final; f != nil {
					cur.Final = &final{Tx: f.Tx, Block: f.Block, At: f.At}
				}
			}
		default:
			return nil, fmt.Errorf("record of epoch %d: unknown transaction state %q", epoch, next.State)
		}
		return cur, nil
	})
}

// Each implements txsend.Store: every vote record, and every vote it
// replaced with its attempts, for txsend's scan of the attempts that may
// hold a nonce.
func (vs voteStore) Each(fn func(r *txsend.Record) error) error {
	s := vs.s
	return s.store.Each(0, func(epoch uint64, b []byte) error {
		rec, err := decodeRecord(epoch, b)
		if err != nil {
			return err
		}
		if err := fn(s.sendRecord(rec)); err != nil {
			return err
		}
		for _, p := range rec.Replaced {
			old := &txsend.Record{ChainID: s.cfg.ChainID, From: s.addr, Call: s.voteCall(p.Vote.vote()), State: txsend.RecordClosed, Attempts: p.Attempts}
			if err := fn(old); err != nil {
				return err
			}
		}
		return nil
	})
}

// sendRecord is the transaction half of rec, as txsend sees it.
func (s *Submitter) sendRecord(rec *record) *txsend.Record {
	out := &txsend.Record{ChainID: s.cfg.ChainID, From: s.addr, Call: s.voteCall(rec.vote()), Attempts: rec.Attempts}
	switch _, final := rec.State.final(); {
	case final:
		out.State = txsend.RecordConfirmed
		if f := rec.Final; f != nil && f.Tx != (common.Hash{}) {
			out.Final = &txsend.Final{Tx: f.Tx, Block: f.Block, At: f.At}
		}
	case rec.State == recClosed:
		out.State = txsend.RecordClosed
	default:
		out.State = txsend.RecordOpen
	}
	return out
}
