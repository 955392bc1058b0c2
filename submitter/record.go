package submitter

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"go.uber.org/zap"
)

// Ledger layout: bucket "submitter", one record per epoch (see doc.go).
const (
	bucket        = "submitter"
	recordPrefix  = "vote/" // + epoch, 8 bytes big-endian
	recordVersion = 1
)

func recordKey(epoch uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(recordPrefix), epoch)
}

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
		if p.Vote.vote().Equal(v) {
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

// attempt is one signed transaction. All attempts of a record with the
// same nonce replace each other; a record has a new nonce only after the
// previous one was consumed without our vote.
type attempt struct {
	Nonce    uint64        `json:"nonce"`
	Hash     common.Hash   `json:"hash"`
	Gas      uint64        `json:"gas"`
	TipCap   *big.Int      `json:"tip_cap,omitempty"`
	FeeCap   *big.Int      `json:"fee_cap,omitempty"`
	GasPrice *big.Int      `json:"gas_price,omitempty"`
	Raw      hexutil.Bytes `json:"raw"`
	Created  time.Time     `json:"created"`
}

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

func (a *attempt) fees() fees {
	return fees{TipCap: a.TipCap, FeeCap: a.FeeCap, GasPrice: a.GasPrice}
}

func (a *attempt) tx() (*types.Transaction, error) {
	tx := new(types.Transaction)
	if err := tx.UnmarshalBinary(a.Raw); err != nil {
		return nil, fmt.Errorf("decode recorded transaction %s: %w", a.Hash.Hex(), err)
	}
	if tx.Hash() != a.Hash {
		return nil, fmt.Errorf("recorded transaction %s decodes to %s", a.Hash.Hex(), tx.Hash().Hex())
	}
	return tx, nil
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
	var r *record
	err := s.store.View(bucket, func(get func([]byte) []byte, _ func([]byte, func(k, v []byte) error) error) error {
		b := get(recordKey(epoch))
		if b == nil {
			return nil
		}
		var err error
		r, err = decodeRecord(epoch, b)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("load record: %w", err)
	}
	return r, nil
}

// update changes the record of epoch in one ledger transaction. change gets
// the stored record (nil if none) and returns the one to store. The stored
// record must still be what the caller last saw, prev (nil: none): the
// number of attempts and the state are compared, so that two writers never
// overwrite each other's attempts.
func (s *Submitter) update(epoch uint64, prev *record, change func(*record) *record) (*record, error) {
	var out *record
	err := s.store.Update(bucket, func(get func([]byte) []byte, put func(k, v []byte) error) error {
		var cur *record
		if b := get(recordKey(epoch)); b != nil {
			var err error
			if cur, err = decodeRecord(epoch, b); err != nil {
				return err
			}
		}
		switch {
		case prev == nil && cur != nil, prev != nil && cur == nil:
			return ErrRecordRace
		case prev != nil && (len(prev.Attempts) != len(cur.Attempts) || prev.State != cur.State):
			return ErrRecordRace
		}
		out = change(cur)
		b, err := json.Marshal(out)
		if err != nil {
			return err
		}
		return put(recordKey(epoch), b)
	})
	if err != nil {
		return nil, fmt.Errorf("save record: %w", err)
	}
	return out, nil
}

// sameNonce returns every recorded attempt, of any epoch, with nonce n.
func (s *Submitter) sameNonce(n uint64) ([]attempt, error) {
	var out []attempt
	err := s.store.View(bucket, func(_ func([]byte) []byte, each func([]byte, func(k, v []byte) error) error) error {
		return each([]byte(recordPrefix), func(k, v []byte) error {
			if len(k) != len(recordPrefix)+8 {
				return nil
			}
			r, err := decodeRecord(binary.BigEndian.Uint64(k[len(recordPrefix):]), v)
			if err != nil {
				return err
			}
			for _, a := range r.Attempts {
				if a.Nonce == n {
					out = append(out, a)
				}
			}
			for _, p := range r.Replaced {
				for _, a := range p.Attempts {
					if a.Nonce == n {
						out = append(out, a)
					}
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("scan records: %w", err)
	}
	return out, nil
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
