package settle

import (
	"bufio"
	"bytes"
	"context"
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
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// State is where an epoch is in settlement.
type State string

const (
	StateComputed    State = "computed"    // result computed and stored in the ledger
	StatePublished   State = "published"   // result, tree, proofs and input written to the publish directory
	StateUnderfunded State = "underfunded" // the contract cannot pay the root's total yet: nothing is sent until it can
	StateSubmitted   State = "submitted"   // our vote is being sent (the submitter holds the transaction)
	StateVoted       State = "voted"       // our vote is on chain with the required confirmations; waiting for a majority
	StateAccepted    State = "accepted"    // the contract accepted exactly our (root, total, result hash)
	StateDisputed    State = "disputed"    // the chain holds a different vote than ours: settlement stops for a human
)

// States lists every state in order, for metrics.
var States = []State{StateComputed, StatePublished, StateUnderfunded, StateSubmitted, StateVoted, StateAccepted, StateDisputed}

// stateConfirmedV1 is what version 1 records called both "voted" and
// "accepted" (told apart by the accepted flag); records are read in either.
const stateConfirmedV1 State = "confirmed"

var (
	// ErrDisputed stops settlement: the chain accepted a root for an epoch
	// that differs from ours, or holds a vote of our key that we did not
	// compute.
	ErrDisputed = errors.New("epoch disputed")
	// ErrUnderfunded is what an underfunded epoch's record and status say:
	// the contract's funds (totalClaimed + rewardFunds) do not cover the
	// epoch's total. It is not returned by Pass: waiting is not a failure.
	ErrUnderfunded = errors.New("reward funds do not cover the epoch's total")
)

// Record is an epoch's settlement state, as stored in the ledger and served
// by the API.
type Record struct {
	Epoch      uint64 `json:"epoch"`
	State      State  `json:"state"`
	Empty      bool   `json:"empty"` // no blocks: the tree is carried over unchanged
	FirstBlock uint64 `json:"first_block"`
	LastBlock  uint64 `json:"last_block"`
	// AnchorBlock and AnchorHash are the first block past the epoch, the one
	// that made it final, as the ledger held it at compute time. Every
	// block the result was computed from is its ancestor, so while the
	// ledger's block at AnchorBlock still has AnchorHash the result stands;
	// after a deeper reorg it is recomputed before any vote.
	AnchorBlock uint64      `json:"anchor_block"`
	AnchorHash  common.Hash `json:"anchor_hash"`
	Root        common.Hash `json:"merkle_root"`
	Total       string      `json:"total_wei"` // Σ cumulative of every leaf: the root's total on chain
	Distributed string      `json:"distributed_wei"`
	Accounts    int         `json:"accounts"`
	ResultHash  common.Hash `json:"result_hash"` // keccak256 of the published result file
	Files       []string    `json:"files,omitempty"`
	TxHash      common.Hash `json:"tx_hash,omitempty"`
	Accepted    bool        `json:"accepted"` // State == StateAccepted: the contract accepted this epoch's root (ours)
	// Available is the contract's totalClaimed + rewardFunds when the
	// epoch was found underfunded, wei.
	Available string `json:"available_wei,omitempty"`
	// ChainRoot, ChainTotal and ChainResultHash are the chain's vote that
	// disputes ours: the accepted root, or our own key's different vote.
	ChainRoot       common.Hash `json:"chain_root,omitempty"`
	ChainTotal      string      `json:"chain_total_wei,omitempty"`
	ChainResultHash common.Hash `json:"chain_result_hash,omitempty"`
	Reason          string      `json:"reason,omitempty"` // why the epoch is disputed or underfunded
	Error           string      `json:"error,omitempty"`  // the last pass's failure, retried by the next
	Updated         time.Time   `json:"updated"`
}

// Settled reports whether the chain accepted exactly our vote for the
// epoch: only then are its result, tree and proofs claimable.
func (r *Record) Settled() bool { return r.State == StateAccepted }

// normalize reads a version-1 record ("confirmed" with the accepted flag)
// as the current states.
func (r *Record) normalize() {
	if r.State == stateConfirmedV1 {
		if r.Accepted {
			r.State = StateAccepted
		} else {
			r.State = StateVoted
		}
	}
	r.Accepted = r.State == StateAccepted
}

// Vote is what this validator votes for an epoch.
type Vote = contracts.Vote

// Outcome kinds a Voter reports.
type OutcomeKind int

const (
	Pending  OutcomeKind = iota // not confirmed yet; call again later
	Voted                       // our vote is on chain with the required confirmations
	Accepted                    // the epoch is already accepted with our vote: nothing was sent
	Disputed                    // the epoch is accepted with another vote: nothing was sent
	// Conflict: our key already has a different vote for the epoch on
	// chain, which this Voter did not send (another process uses the key).
	// Nothing was sent; Outcome.Accepted holds that vote.
	Conflict
)

// Outcome is a Voter's answer.
type Outcome struct {
	Kind     OutcomeKind
	TxHash   common.Hash
	Accepted *Vote // the chain's vote, for Accepted, Disputed and Conflict
}

// ChainView is the contract's view of one epoch at the confirmed height
// (head − confirmations), so that a shallow reorg cannot fake a verdict.
type ChainView struct {
	NextEpoch uint64
	Accepted  *Vote    // epochRoot(epoch) when NextEpoch > epoch, else nil
	Ours      *Vote    // voteOf(epoch, this validator), nil if it has none
	Available *big.Int // totalClaimed + rewardFunds: the most a root's total may be, wei
}

// Voter puts this validator's vote on chain (the submitter, adapted) and
// reads the contract.
type Voter interface {
	// Vote must be idempotent and crash-safe: a second call for the same
	// vote resumes or reports, never sends a second vote.
	Vote(ctx context.Context, v Vote) (Outcome, error)
	// Chain reads the contract's view of epoch k at the confirmed height.
	Chain(ctx context.Context, k uint64) (ChainView, error)
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
		if errors.Is(err, errWait) {
			return nil
		}
		if err != nil {
			if rec != nil && !errors.Is(err, ErrDisputed) {
				if nerr := s.noteError(k, err); nerr != nil {
					err = errors.Join(err, nerr)
				}
			}
			return fmt.Errorf("epoch %d: %w", k, err)
		}
		if !progressed {
			return nil
		}
	}
}

// current returns the oldest epoch that is not accepted, with its record
// (nil if none yet).
func (s *Settler) current() (uint64, *Record, error) {
	k := s.cfg.FirstEpoch
	var rec *Record
	err := s.l.EachEpochRecord(k, func(key uint64, v []byte) error {
		r, err := decodeRecord(v)
		if err != nil {
			return fmt.Errorf("record of epoch %d: %w", key, err)
		}
		if r.Epoch < k {
			return nil
		}
		if r.Settled() && r.Epoch == k {
			k++
			return nil
		}
		if r.Epoch == k && rec == nil {
			rec = r
		}
		return nil
	})
	return k, rec, err
}

func decodeRecord(v []byte) (*Record, error) {
	r := new(Record)
	if err := json.Unmarshal(v, r); err != nil {
		return nil, err
	}
	r.normalize()
	return r, nil
}

// step performs the next step for epoch k and reports whether anything
// moved.
func (s *Settler) step(ctx context.Context, k uint64, rec *Record) (bool, error) {
	if rec == nil {
		return s.compute(ctx, k)
	}
	if rec.State == StateDisputed {
		return false, fmt.Errorf("%w: %s", ErrDisputed, rec.Reason)
	}
	switch rec.State {
	case StateComputed, StatePublished, StateUnderfunded, StateSubmitted, StateVoted:
		// Before anything is (re)sent or believed, the blocks the result
		// came from must still be canonical.
		ok, err := s.canonical(rec)
		if err != nil {
			return false, err
		}
		if !ok {
			return true, nil // dropped: the next step recomputes
		}
	}
	switch rec.State {
	case StateComputed:
		return true, s.publish(k, rec)
	case StatePublished, StateUnderfunded:
		return s.fund(ctx, rec)
	case StateSubmitted:
		return s.vote(ctx, rec)
	case StateVoted:
		return s.await(ctx, rec)
	}
	return false, fmt.Errorf("unknown state %q", rec.State)
}

// canonical reports whether rec's anchor block is still the ledger's block
// at that height. If it is not, the result is void: the record and its
// stored files are dropped so that the next step recomputes the epoch
// from the new branch (a vote already on chain is then replaced by the
// new one). A ledger that does not hold the height yet (the follower is
// re-reading after a reorg) means wait.
func (s *Settler) canonical(rec *Record) (bool, error) {
	if rec.AnchorHash == (common.Hash{}) {
		return true, nil // a version-1 record: nothing to compare with
	}
	b, err := s.l.Block(rec.AnchorBlock)
	if errors.Is(err, ledger.ErrNotFound) {
		return false, errWait
	}
	if err != nil {
		return false, fmt.Errorf("read anchor block %d: %w", rec.AnchorBlock, err)
	}
	if b.Hash == rec.AnchorHash {
		return true, nil
	}
	s.log.Warn("the blocks this epoch was computed from were reorganised away; recomputing",
		zap.Uint64("epoch", rec.Epoch), zap.String("state", string(rec.State)), zap.Uint64("anchor_block", rec.AnchorBlock),
		zap.String("was", rec.AnchorHash.Hex()), zap.String("now", b.Hash.Hex()))
	if err := s.l.DeleteEpoch(rec.Epoch); err != nil {
		return false, fmt.Errorf("drop epoch %d: %w", rec.Epoch, err)
	}
	return false, nil
}

// errWait is returned by a step that has to wait without it being a
// failure; Pass turns it into "no progress".
var errWait = errors.New("wait")

func (s *Settler) compute(ctx context.Context, k uint64) (bool, error) {
	if _, ok, err := s.l.Head(); err != nil || !ok {
		return false, err // nothing followed yet
	}
	prev, err := s.previous(k)
	if err != nil {
		return false, err
	}
	ep, err := export.Export(ctx, export.LedgerSource{L: s.l}, s.cfg.Params.ForLedger(), k, export.Previous(prev))
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
	anchor, err := s.l.Block(ep.Bounds.Last + 1)
	if err != nil {
		return false, fmt.Errorf("read the block past epoch %d: %w", k, err)
	}
	rec := &Record{
		Epoch: k, State: StateComputed, Empty: inBytes == nil, FirstBlock: res.FirstBlock, LastBlock: res.LastBlock,
		AnchorBlock: anchor.Number, AnchorHash: anchor.Hash,
		Root: res.MerkleRoot, Total: total.Dec(), Distributed: res.Distributed.Dec(), Accounts: len(res.Payouts),
		ResultHash: crypto.Keccak256Hash(out.Bytes()),
	}
	s.log.Info("epoch computed", zap.Uint64("epoch", k), zap.Uint64("first_block", rec.FirstBlock), zap.Uint64("last_block", rec.LastBlock),
		zap.String("root", rec.Root.Hex()), zap.String("distributed_wei", rec.Distributed), zap.Int("accounts", rec.Accounts))
	return true, s.save(rec, out.Bytes(), inBytes)
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
	return s.l.EpochResult(k)
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
	// An epoch without blocks has no input file.
	inBytes, err := s.l.EpochInput(k)
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return err
	}
	if err := os.MkdirAll(s.cfg.PublishDir, 0o755); err != nil {
		return fmt.Errorf("publish directory: %w", err)
	}
	in, tree, proofs, result := FileNames(k)
	// The tree first: an empty tree has no dump (rewards-v1 §6, 1.1), and a
	// stale one from before a reorg is removed. The result goes last, so a
	// reader that finds it finds everything it stands for.
	written, err := merkle.WriteDumpFile(filepath.Join(s.cfg.PublishDir, tree), 0o644, res.Tree)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	rec.State, rec.Files = StatePublished, nil
	var files []atomicfile.File
	if inBytes != nil {
		files = append(files, atomicfile.File{Path: filepath.Join(s.cfg.PublishDir, in), Write: writeBytes(inBytes)})
	}
	files = append(files,
		atomicfile.File{Path: filepath.Join(s.cfg.PublishDir, proofs), Write: func(w io.Writer) error { return WriteProofs(w, res) }},
		atomicfile.File{Path: filepath.Join(s.cfg.PublishDir, result), Write: writeBytes(raw)},
	)
	if err := atomicfile.WriteAll(files); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if written {
		rec.Files = append(rec.Files, tree)
	}
	for _, f := range files {
		rec.Files = append(rec.Files, filepath.Base(f.Path))
	}
	s.log.Info("epoch published", zap.Uint64("epoch", k), zap.String("dir", s.cfg.PublishDir), zap.String("result_hash", rec.ResultHash.Hex()))
	return s.save(rec, nil, nil)
}

func writeBytes(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

func (r *Record) vote() (Vote, error) {
	total, ok := new(big.Int).SetString(r.Total, 10)
	if !ok {
		return Vote{}, fmt.Errorf("record total %q", r.Total)
	}
	return Vote{Epoch: r.Epoch, Root: r.Root, Total: total, ResultHash: r.ResultHash}, nil
}

// read returns rec's vote and the contract's view of its epoch.
func (s *Settler) read(ctx context.Context, rec *Record) (Vote, ChainView, error) {
	v, err := rec.vote()
	if err != nil {
		return Vote{}, ChainView{}, err
	}
	view, err := s.voter.Chain(ctx, rec.Epoch)
	if err != nil {
		return Vote{}, ChainView{}, fmt.Errorf("read the contract: %w", err)
	}
	return v, view, nil
}

// fund moves a published epoch to submitted once the contract can pay its
// total. An underfunded epoch waits without sending anything (a vote would
// only revert TotalExceedsFunds); the state change is logged once.
func (s *Settler) fund(ctx context.Context, rec *Record) (bool, error) {
	v, view, err := s.read(ctx, rec)
	if err != nil {
		return false, err
	}
	if view.Accepted == nil && view.Available != nil && view.Available.Cmp(v.Total) < 0 {
		if rec.State == StateUnderfunded && rec.Available == view.Available.String() {
			return false, nil
		}
		if rec.State != StateUnderfunded {
			s.log.Warn("epoch underfunded: the contract cannot pay its total yet; holding the vote",
				zap.Uint64("epoch", rec.Epoch), zap.String("total_wei", rec.Total), zap.String("available_wei", view.Available.String()))
		}
		rec.State, rec.Available = StateUnderfunded, view.Available.String()
		rec.Reason = fmt.Sprintf("%v: total %s wei, the contract can pay %s wei (totalClaimed + rewardFunds)", ErrUnderfunded, rec.Total, rec.Available)
		return false, s.save(rec, nil, nil)
	}
	if rec.State == StateUnderfunded {
		s.log.Info("epoch funded: voting", zap.Uint64("epoch", rec.Epoch), zap.String("available_wei", view.Available.String()))
	}
	rec.State, rec.Available, rec.Reason = StateSubmitted, "", ""
	return true, s.save(rec, nil, nil)
}

func (s *Settler) vote(ctx context.Context, rec *Record) (bool, error) {
	v, err := rec.vote()
	if err != nil {
		return false, err
	}
	out, err := s.voter.Vote(ctx, v)
	if err != nil {
		return false, fmt.Errorf("vote: %w", err)
	}
	if out.TxHash != (common.Hash{}) {
		rec.TxHash = out.TxHash
	}
	switch out.Kind {
	case Pending:
		return false, s.save(rec, nil, nil)
	case Voted:
		rec.State = StateVoted
		s.log.Info("epoch vote confirmed; waiting for a majority", zap.Uint64("epoch", rec.Epoch), zap.String("tx", rec.TxHash.Hex()))
		return true, s.save(rec, nil, nil)
	case Accepted:
		return true, s.accept(rec)
	case Disputed:
		return false, s.dispute(rec, out.Accepted, "the contract accepted a different vote")
	case Conflict:
		return false, s.dispute(rec, out.Accepted, "this validator's key has a different vote on chain that this daemon did not send")
	}
	return false, fmt.Errorf("voter returned outcome %d", out.Kind)
}

// await decides a voted epoch from the chain: accepted with our vote,
// accepted with another (disputed), our key's vote changed under us
// (disputed), or still waiting for a majority.
func (s *Settler) await(ctx context.Context, rec *Record) (bool, error) {
	v, view, err := s.read(ctx, rec)
	if err != nil {
		return false, err
	}
	switch {
	case view.Accepted != nil && view.Accepted.Equal(&v):
		return true, s.accept(rec)
	case view.Accepted != nil:
		return false, s.dispute(rec, view.Accepted, "the contract accepted a different vote")
	case view.Ours != nil && !view.Ours.Equal(&v):
		return false, s.dispute(rec, view.Ours, "this validator's key has a different vote on chain that this daemon did not send")
	case view.Ours == nil:
		// Withdrawn: we were removed from the active set, or the vote
		// was reorganised away. Vote again; the submitter finds out which
		// (a removed validator's vote reverts NotActiveValidator).
		s.log.Warn("our confirmed vote is no longer on chain; voting again", zap.Uint64("epoch", rec.Epoch))
		rec.State = StateSubmitted
		return true, s.save(rec, nil, nil)
	}
	return false, nil // waiting for a majority
}

func (s *Settler) accept(rec *Record) error {
	rec.State, rec.Accepted = StateAccepted, true
	s.log.Info("epoch accepted with our root", zap.Uint64("epoch", rec.Epoch), zap.String("root", rec.Root.Hex()), zap.String("total_wei", rec.Total))
	return s.save(rec, nil, nil)
}

// dispute stops settlement at rec: chain is the vote that contradicts ours.
func (s *Settler) dispute(rec *Record, chain *Vote, why string) error {
	rec.State, rec.Reason = StateDisputed, why
	if chain != nil {
		rec.ChainRoot, rec.ChainResultHash = chain.Root, chain.ResultHash
		if chain.Total != nil {
			rec.ChainTotal = chain.Total.String()
		}
	}
	s.log.Error("epoch disputed: settlement stops until a person resolves it", zap.Uint64("epoch", rec.Epoch), zap.String("reason", why),
		zap.String("our_root", rec.Root.Hex()), zap.String("our_total_wei", rec.Total), zap.String("our_result_hash", rec.ResultHash.Hex()),
		zap.String("chain_root", rec.ChainRoot.Hex()), zap.String("chain_total_wei", rec.ChainTotal), zap.String("chain_result_hash", rec.ChainResultHash.Hex()))
	if err := s.save(rec, nil, nil); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s: chain root %s total %s, ours %s total %s", ErrDisputed, why, rec.ChainRoot.Hex(), rec.ChainTotal, rec.Root.Hex(), rec.Total)
}

// save stores rec in one ledger transaction; with a result (a computed
// epoch) it stores the whole epoch: record, result and input (nil for an
// epoch without blocks).
func (s *Settler) save(rec *Record, result, input []byte) error {
	rec.Updated = s.now().UTC()
	rec.Accepted = rec.State == StateAccepted
	if rec.State != StateDisputed {
		rec.Error = ""
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode the record of epoch %d: %w", rec.Epoch, err)
	}
	if result != nil {
		err = s.l.PutEpoch(rec.Epoch, b, result, input)
	} else {
		err = s.l.PutEpochRecord(rec.Epoch, b)
	}
	if err != nil {
		return fmt.Errorf("store the record of epoch %d: %w", rec.Epoch, err)
	}
	if s.cfg.AfterSave != nil {
		s.cfg.AfterSave(*rec)
	}
	return nil
}

// noteError stores cause in epoch k's record, for status and the API, and
// returns the error of doing so.
func (s *Settler) noteError(k uint64, cause error) error {
	rec, err := s.Record(k)
	if err != nil || rec == nil {
		return err
	}
	rec.Error = cause.Error()
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode the record of epoch %d: %w", k, err)
	}
	if err := s.l.PutEpochRecord(k, b); err != nil {
		return fmt.Errorf("note the error in the record of epoch %d: %w", k, err)
	}
	return nil
}

// Record returns epoch k's record, or nil if it has none.
func (s *Settler) Record(k uint64) (*Record, error) {
	v, err := s.l.EpochRecord(k)
	if errors.Is(err, ledger.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	rec, err := decodeRecord(v)
	if err != nil {
		return nil, fmt.Errorf("record of epoch %d: %w", k, err)
	}
	return rec, nil
}

// Records returns every epoch record, oldest first.
func (s *Settler) Records() ([]Record, error) {
	var out []Record
	err := s.l.EachEpochRecord(0, func(k uint64, v []byte) error {
		r, err := decodeRecord(v)
		if err != nil {
			return fmt.Errorf("record of epoch %d: %w", k, err)
		}
		out = append(out, *r)
		return nil
	})
	return out, err
}

// WriteProofs writes every account's claim arguments for res:
// {"epoch", "merkle_root", "proofs": {account: {"cumulative_wei", "proof"}}},
// accounts in the result's (address) order.
func WriteProofs(w io.Writer, res *calc.Result) error {
	// bufio.Writer keeps the first write error and returns it from Flush,
	// so the writes below are checked there.
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

// InputBytes returns epoch k's stored input file (cmt-epoch-input-v1),
// exactly as published. An epoch without blocks has none, like an epoch
// not computed: both are ledger.ErrNotFound (Record tells them apart).
func (s *Settler) InputBytes(k uint64) ([]byte, error) {
	return s.l.EpochInput(k)
}
