package settle

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// State is where an epoch is in settlement.
type State string

const (
	StateComputed  State = "computed"  // result computed and stored in the ledger
	StatePublished State = "published" // result, tree, proofs and input written to the publish directory
	StateSubmitted State = "submitted" // our vote is being sent (the submitter holds the transaction)
	StateConfirmed State = "confirmed" // our vote is on chain with the required confirmations, or the epoch was already accepted with our root
	StateDisputed  State = "disputed"  // the contract accepted a different vote: settlement stops for a human
)

// States lists every state in order, for metrics.
var States = []State{StateComputed, StatePublished, StateSubmitted, StateConfirmed, StateDisputed}

// ErrDisputed stops settlement: the chain accepted a root for an epoch that
// differs from ours.
var ErrDisputed = errors.New("epoch disputed")

// Record is an epoch's settlement state, as stored in the ledger and served
// by the API.
type Record struct {
	Epoch       uint64      `json:"epoch"`
	State       State       `json:"state"`
	Empty       bool        `json:"empty"` // no blocks: the tree is carried over unchanged
	FirstBlock  uint64      `json:"first_block"`
	LastBlock   uint64      `json:"last_block"`
	Root        common.Hash `json:"merkle_root"`
	Total       string      `json:"total_wei"` // Σ cumulative of every leaf: the root's total on chain
	Distributed string      `json:"distributed_wei"`
	Accounts    int         `json:"accounts"`
	ResultHash  common.Hash `json:"result_hash"` // keccak256 of the published result file
	Files       []string    `json:"files,omitempty"`
	TxHash      common.Hash `json:"tx_hash,omitempty"`
	Accepted    bool        `json:"accepted"` // the contract accepted this epoch's root (ours)
	ChainRoot   common.Hash `json:"chain_root,omitempty"`
	Error       string      `json:"error,omitempty"`
	Updated     time.Time   `json:"updated"`
}

// Vote is what this validator votes for an epoch.
type Vote struct {
	Epoch      uint64
	Root       common.Hash
	Total      *big.Int
	ResultHash common.Hash
}

// Outcome kinds a Voter reports.
type OutcomeKind int

const (
	Pending  OutcomeKind = iota // not confirmed yet; call again later
	Voted                       // our vote is on chain with the required confirmations
	Accepted                    // the epoch is already accepted with our vote: nothing was sent
	Disputed                    // the epoch is accepted with another vote: nothing was sent
)

// Outcome is a Voter's answer.
type Outcome struct {
	Kind     OutcomeKind
	TxHash   common.Hash
	Accepted *Vote // the chain's accepted vote, for Accepted and Disputed
}

// Voter puts this validator's vote on chain (the submitter, adapted).
// Vote must be idempotent and crash-safe: a second call for the same vote
// resumes or reports, never sends a second vote.
type Voter interface {
	Vote(ctx context.Context, v Vote) (Outcome, error)
	// NextEpoch is the contract's next epoch to accept.
	NextEpoch(ctx context.Context) (uint64, error)
}

// Config configures a Settler.
type Config struct {
	Params     export.Params
	PublishDir string
	// FirstEpoch is the first epoch this deployment settles (0 for a new
	// contract).
	FirstEpoch uint64
	// AfterSave, if set, is called after every record is stored (crash
	// tests kill the process here).
	AfterSave func(rec Record)
}

// Settler runs settlement passes. Pass may be called from several
// goroutines; passes are serialised.
type Settler struct {
	cfg   Config
	l     *ledger.Ledger
	voter Voter
	log   *zap.Logger
	now   func() time.Time
	mu    sync.Mutex
}

// New returns a Settler.
func New(cfg Config, l *ledger.Ledger, voter Voter, log *zap.Logger, now func() time.Time) *Settler {
	if log == nil {
		log = zap.NewNop()
	}
	if now == nil {
		now = time.Now
	}
	return &Settler{cfg: cfg, l: l, voter: voter, log: log, now: now}
}

const bucket = "epochs"

func recKey(k uint64) []byte    { return binary.BigEndian.AppendUint64([]byte("rec/"), k) }
func resultKey(k uint64) []byte { return binary.BigEndian.AppendUint64([]byte("result/"), k) }
func inputKey(k uint64) []byte  { return binary.BigEndian.AppendUint64([]byte("input/"), k) }

// Pass advances every epoch it can, oldest first, and returns when the
// next step has to wait (an epoch not final yet, a vote not confirmed, a
// root not accepted by the quorum yet). It returns ErrDisputed when an
// epoch is disputed, and other errors for a failure to be retried by the
// next pass. Cancelling ctx stops it between steps (or inside a vote,
// which the submitter resumes next time).
func (s *Settler) Pass(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		k, rec, err := s.current()
		if err != nil {
			return err
		}
		progressed, err := s.step(ctx, k, rec)
		if err != nil {
			if rec != nil && !errors.Is(err, ErrDisputed) {
				s.noteError(k, err)
			}
			return fmt.Errorf("epoch %d: %w", k, err)
		}
		if !progressed {
			return nil
		}
	}
}

// current returns the oldest epoch that is not settled and accepted, with
// its record (nil if none yet).
func (s *Settler) current() (uint64, *Record, error) {
	k := s.cfg.FirstEpoch
	var rec *Record
	err := s.l.View(bucket, func(get func([]byte) []byte, each func([]byte, func(k, v []byte) error) error) error {
		return each([]byte("rec/"), func(key, v []byte) error {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("epoch record %x: %w", key, err)
			}
			if r.Epoch < k {
				return nil
			}
			if r.State == StateConfirmed && r.Accepted && r.Epoch == k {
				k++
				return nil
			}
			if r.Epoch == k && rec == nil {
				rec = &r
			}
			return nil
		})
	})
	return k, rec, err
}

// step performs the next step for epoch k and reports whether anything
// moved.
func (s *Settler) step(ctx context.Context, k uint64, rec *Record) (bool, error) {
	if rec == nil {
		return s.compute(ctx, k)
	}
	switch rec.State {
	case StateComputed:
		return true, s.publish(k, rec)
	case StatePublished, StateSubmitted:
		return s.vote(ctx, rec)
	case StateConfirmed:
		next, err := s.voter.NextEpoch(ctx)
		if err != nil {
			return false, fmt.Errorf("read next epoch: %w", err)
		}
		if next <= k {
			return false, nil // waiting for the quorum
		}
		rec.Accepted = true
		return true, s.save(rec, nil)
	case StateDisputed:
		return false, fmt.Errorf("%w: chain root %s, ours %s", ErrDisputed, rec.ChainRoot.Hex(), rec.Root.Hex())
	}
	return false, fmt.Errorf("unknown state %q", rec.State)
}

func (s *Settler) compute(ctx context.Context, k uint64) (bool, error) {
	if _, ok, err := s.l.Head(); err != nil || !ok {
		return false, err // nothing followed yet
	}
	prev, err := s.previous(k)
	if err != nil {
		return false, err
	}
	ep, err := export.Export(ctx, export.LedgerSource{L: s.l}, s.cfg.Params, k, export.Previous(prev))
	var res *calc.Result
	var inBytes []byte
	switch {
	case errors.Is(err, export.ErrNotFinal):
		return false, nil
	case errors.Is(err, export.ErrEmpty):
		res, err = calc.CarryOver(k, ep.Bounds.First, export.Previous(prev))
		if err != nil {
			return false, err
		}
	case err != nil:
		return false, fmt.Errorf("export: %w", err)
	default:
		if res, err = calc.Compute(ep.Input); err != nil {
			return false, fmt.Errorf("compute: %w", err)
		}
		var buf bytes.Buffer
		if err := ep.Input.WriteJSON(&buf); err != nil {
			return false, err
		}
		inBytes = buf.Bytes()
	}
	var out bytes.Buffer
	if err := res.WriteJSON(&out); err != nil {
		return false, err
	}
	total := new(uint256.Int)
	for i := range res.Payouts {
		total.Add(total, &res.Payouts[i].Cumulative)
	}
	rec := &Record{
		Epoch: k, State: StateComputed, Empty: inBytes == nil, FirstBlock: res.FirstBlock, LastBlock: res.LastBlock,
		Root: res.MerkleRoot, Total: total.Dec(), Distributed: res.Distributed.Dec(), Accounts: len(res.Payouts),
		ResultHash: crypto.Keccak256Hash(out.Bytes()),
	}
	s.log.Info("epoch computed", zap.Uint64("epoch", k), zap.Uint64("first_block", rec.FirstBlock), zap.Uint64("last_block", rec.LastBlock),
		zap.String("root", rec.Root.Hex()), zap.String("distributed_wei", rec.Distributed), zap.Int("accounts", rec.Accounts))
	return true, s.save(rec, func(put func(k, v []byte) error) error {
		if err := put(resultKey(k), out.Bytes()); err != nil {
			return err
		}
		if inBytes != nil {
			return put(inputKey(k), inBytes)
		}
		return nil
	})
}

// previous returns the stored result of epoch k−1 (nil for the first).
func (s *Settler) previous(k uint64) (*calc.Result, error) {
	if k == s.cfg.FirstEpoch {
		return nil, nil
	}
	return s.Result(k - 1)
}

// Result returns epoch k's stored result, with its tree.
func (s *Settler) Result(k uint64) (*calc.Result, error) {
	raw, err := s.ResultBytes(k)
	if err != nil {
		return nil, err
	}
	res, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("stored result of epoch %d: %w", k, err)
	}
	return res, nil
}

// ResultBytes returns epoch k's stored result file, exactly as published.
func (s *Settler) ResultBytes(k uint64) ([]byte, error) {
	var raw []byte
	err := s.l.View(bucket, func(get func([]byte) []byte, _ func([]byte, func(k, v []byte) error) error) error {
		raw = get(resultKey(k))
		return nil
	})
	if err == nil && raw == nil {
		err = fmt.Errorf("result of epoch %d: %w", k, ledger.ErrNotFound)
	}
	return raw, err
}

// FileNames returns the names of epoch k's published files: input (absent
// for an empty epoch), tree, proofs, and the result, written last.
func FileNames(k uint64) (input, tree, proofs, result string) {
	p := fmt.Sprintf("epoch-%06d-", k)
	return p + "input.json", p + "tree.json", p + "proofs.json", p + "result.json"
}

func (s *Settler) publish(k uint64, rec *Record) error {
	raw, err := s.ResultBytes(k)
	if err != nil {
		return err
	}
	if crypto.Keccak256Hash(raw) != rec.ResultHash {
		return fmt.Errorf("stored result of epoch %d does not hash to its record's %s", k, rec.ResultHash.Hex())
	}
	res, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	var inBytes []byte
	s.l.View(bucket, func(get func([]byte) []byte, _ func([]byte, func(k, v []byte) error) error) error {
		inBytes = get(inputKey(k))
		return nil
	})
	if err := os.MkdirAll(s.cfg.PublishDir, 0o755); err != nil {
		return fmt.Errorf("publish directory: %w", err)
	}
	in, tree, proofs, result := FileNames(k)
	var files []atomicfile.File
	if inBytes != nil {
		files = append(files, atomicfile.File{Path: filepath.Join(s.cfg.PublishDir, in), Write: writeBytes(inBytes)})
	}
	files = append(files,
		atomicfile.File{Path: filepath.Join(s.cfg.PublishDir, tree), Write: res.Tree.WriteDump},
		atomicfile.File{Path: filepath.Join(s.cfg.PublishDir, proofs), Write: func(w io.Writer) error { return WriteProofs(w, res) }},
		atomicfile.File{Path: filepath.Join(s.cfg.PublishDir, result), Write: writeBytes(raw)},
	)
	if err := atomicfile.WriteAll(files); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	rec.State, rec.Files = StatePublished, nil
	for _, f := range files {
		rec.Files = append(rec.Files, filepath.Base(f.Path))
	}
	s.log.Info("epoch published", zap.Uint64("epoch", k), zap.String("dir", s.cfg.PublishDir), zap.String("result_hash", rec.ResultHash.Hex()))
	return s.save(rec, nil)
}

func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

func (s *Settler) vote(ctx context.Context, rec *Record) (bool, error) {
	if rec.State != StateSubmitted {
		rec.State = StateSubmitted
		if err := s.save(rec, nil); err != nil {
			return false, err
		}
	}
	total, ok := new(big.Int).SetString(rec.Total, 10)
	if !ok {
		return false, fmt.Errorf("record total %q", rec.Total)
	}
	v := Vote{Epoch: rec.Epoch, Root: rec.Root, Total: total, ResultHash: rec.ResultHash}
	out, err := s.voter.Vote(ctx, v)
	if err != nil {
		return false, fmt.Errorf("vote: %w", err)
	}
	if out.TxHash != (common.Hash{}) {
		rec.TxHash = out.TxHash
	}
	switch out.Kind {
	case Pending:
		return false, s.save(rec, nil)
	case Voted:
		rec.State = StateConfirmed
	case Accepted:
		rec.State, rec.Accepted = StateConfirmed, true
	case Disputed:
		rec.State = StateDisputed
		if out.Accepted != nil {
			rec.ChainRoot = out.Accepted.Root
		}
		s.log.Error("epoch disputed: the contract accepted a different root; not voting", zap.Uint64("epoch", rec.Epoch),
			zap.String("ours", rec.Root.Hex()), zap.String("chain", rec.ChainRoot.Hex()))
		if err := s.save(rec, nil); err != nil {
			return false, err
		}
		return false, fmt.Errorf("%w: chain root %s, ours %s", ErrDisputed, rec.ChainRoot.Hex(), rec.Root.Hex())
	}
	s.log.Info("epoch vote confirmed", zap.Uint64("epoch", rec.Epoch), zap.String("tx", rec.TxHash.Hex()), zap.Bool("accepted", rec.Accepted))
	return true, s.save(rec, nil)
}

// save stores rec (and, with extra, more keys) in one ledger transaction.
func (s *Settler) save(rec *Record, extra func(put func(k, v []byte) error) error) error {
	rec.Updated = s.now().UTC()
	if rec.State != StateDisputed {
		rec.Error = ""
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	err = s.l.Update(bucket, func(_ func([]byte) []byte, put func(k, v []byte) error) error {
		if extra != nil {
			if err := extra(put); err != nil {
				return err
			}
		}
		return put(recKey(rec.Epoch), b)
	})
	if err == nil && s.cfg.AfterSave != nil {
		s.cfg.AfterSave(*rec)
	}
	return err
}

func (s *Settler) noteError(k uint64, err error) {
	rec, _ := s.Record(k)
	if rec == nil {
		return
	}
	rec.Error = err.Error()
	b, _ := json.Marshal(rec)
	s.l.Update(bucket, func(_ func([]byte) []byte, put func(k, v []byte) error) error { return put(recKey(k), b) })
}

// Record returns epoch k's record, or nil if it has none.
func (s *Settler) Record(k uint64) (*Record, error) {
	var rec *Record
	err := s.l.View(bucket, func(get func([]byte) []byte, _ func([]byte, func(k, v []byte) error) error) error {
		v := get(recKey(k))
		if v == nil {
			return nil
		}
		rec = new(Record)
		return json.Unmarshal(v, rec)
	})
	return rec, err
}

// Records returns every epoch record, oldest first.
func (s *Settler) Records() ([]Record, error) {
	var out []Record
	err := s.l.View(bucket, func(_ func([]byte) []byte, each func([]byte, func(k, v []byte) error) error) error {
		return each([]byte("rec/"), func(_, v []byte) error {
			var r Record
			if err := json.Unmarshal(v, &r); err != nil {
				return err
			}
			out = append(out, r)
			return nil
		})
	})
	return out, err
}

// WriteProofs writes every account's claim arguments for res:
// {"epoch", "merkle_root", "proofs": {account: {"cumulative_wei", "proof"}}},
// accounts in the result's (address) order.
func WriteProofs(w io.Writer, res *calc.Result) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	fmt.Fprintf(bw, "{\n  \"epoch\": %d,\n  \"merkle_root\": %q,\n  \"proofs\": {", res.Epoch, res.MerkleRoot.Hex())
	var proof []common.Hash
	for i := range res.Payouts {
		p := &res.Payouts[i]
		if i > 0 {
			bw.WriteString(",")
		}
		fmt.Fprintf(bw, "\n    %q: {\"cumulative_wei\": %q, \"proof\": [", p.Account.Hex(), p.Cumulative.Dec())
		proof = res.Tree.AppendProof(proof[:0], i)
		for j, h := range proof {
			if j > 0 {
				bw.WriteString(", ")
			}
			fmt.Fprintf(bw, "%q", h.Hex())
		}
		bw.WriteString("]}")
	}
	if len(res.Payouts) > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("}\n}\n")
	return bw.Flush()
}
