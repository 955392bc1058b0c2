package submitter

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// The errors of the transaction path are txsend's: the same values, so
// that errors.Is works with either name.
var (
	// ErrInvalidConfig is wrapped by every error of Config.Check.
	ErrInvalidConfig = txsend.ErrInvalidConfig
	// ErrInsecureKeyFile is returned by New for a keystore or password file
	// that group or others may access.
	ErrInsecureKeyFile = txsend.ErrInsecureKeyFile
	// ErrWrongPassword is returned by New when the password does not
	// decrypt the keystore.
	ErrWrongPassword = txsend.ErrWrongPassword
	// ErrWrongChain is returned by New when the node or the ledger belongs
	// to another chain or contract than configured.
	ErrWrongChain = txsend.ErrWrongChain
	// ErrInvalidVote is returned by Submit for a vote without a total, or
	// with a total outside uint256.
	ErrInvalidVote = errors.New("invalid vote")
	// ErrConflictingVote is returned by Submit when the ledger holds a
	// record of a different vote for the same epoch that may not be
	// replaced: one still in flight, or one the epoch was settled with.
	ErrConflictingVote = errors.New("a different vote for this epoch is recorded")
	// ErrEpochNotOpen is returned by Submit when the contract's nextEpoch
	// is below the vote's epoch: an earlier epoch is not accepted yet.
	ErrEpochNotOpen = errors.New("an earlier epoch is not accepted yet")
	// ErrReverted is returned by Submit when the simulation of the vote, or
	// our mined transaction, reverted; the message names the contract's
	// custom error, e.g. "reverted: EpochNotNext(expected=4, got=3)".
	ErrReverted = txsend.ErrReverted
	// ErrInsufficientFunds is returned by Submit when the key's balance
	// cannot pay for a new transaction at its fee cap.
	ErrInsufficientFunds = txsend.ErrInsufficientFunds
	// ErrRejected is returned by Submit when the node refuses the signed
	// transaction for a reason that waiting cannot fix (e.g. insufficient
	// funds, gas above the block limit). The record stays: a later Submit
	// tries the same transaction again.
	ErrRejected = txsend.ErrRejected
	// ErrRecordRace is returned when the write-ahead record changed under
	// a Submit: another Submitter uses the same ledger.
	ErrRecordRace = txsend.ErrRecordRace
)

// Backend is the part of go-ethereum's ethclient.Client the submitter uses
// (txsend's).
type Backend = txsend.Backend

// State is what Submit found.
type State int

const (
	// Pending: ctx ended before a verdict. Whatever was sent is in the
	// record and a later Submit resumes it.
	Pending State = iota
	// Confirmed: our transaction is mined, successful and Confirmations
	// deep in the canonical chain.
	Confirmed
	// AlreadyVoted: our vote is on chain (hasVoted) at the confirmed height,
	// from a transaction this Submitter has no receipt for, e.g. sent by an
	// earlier run whose ledger was lost. Nothing was sent.
	AlreadyVoted
	// Accepted: the epoch was accepted with this very vote before ours was
	// needed. Nothing was sent (or what was sent was not mined).
	Accepted
	// Disputed: the epoch was accepted with a different (root, total,
	// resultHash) than ours; Outcome.Accepted holds the chain's.
	Disputed
	// Conflict: our key has a different vote for the epoch on chain that
	// this ledger never sent (another process uses the key); nothing was
	// sent and Outcome.Accepted holds that vote. Replacing it would start a
	// war of votes between the two processes, so a person decides.
	Conflict
)

// String returns the state's name.
func (s State) String() string {
	switch s {
	case Pending:
		return "pending"
	case Confirmed:
		return "confirmed"
	case AlreadyVoted:
		return "already voted"
	case Accepted:
		return "accepted"
	case Disputed:
		return "disputed"
	case Conflict:
		return "conflict"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Vote is one validator's vote for an epoch's root.
type Vote = contracts.Vote

// same reports whether two votes are equal.
func same(a, b Vote) bool { return a.Equal(&b) }

// checkVote refuses a vote submitRoot could not carry.
func checkVote(v Vote) error {
	if v.Total == nil {
		return fmt.Errorf("%w: total is missing", ErrInvalidVote)
	}
	if v.Total.Sign() < 0 || v.Total.BitLen() > 256 {
		return fmt.Errorf("%w: total %s is outside uint256", ErrInvalidVote, v.Total)
	}
	return nil
}

// Outcome is Submit's answer.
type Outcome struct {
	State State
	// TxHash is the mined transaction when Confirmed, otherwise our latest
	// attempt, if any.
	TxHash common.Hash
	// Block is the block of the mined transaction when Confirmed (or
	// Disputed after ours was mined).
	Block uint64
	// Accepted is the chain's accepted vote when State is Accepted or
	// Disputed.
	Accepted *Vote
	// Attempts is how many transactions were signed for the epoch, over
	// all runs.
	Attempts int
}

// Submitter sends this validator's root votes.
type Submitter struct {
	cfg   Config
	tx    *txsend.Sender // the transaction path; its Store is the ledger's vote records
	store ledger.Records
	log   *zap.Logger
	now   func() time.Time
	addr  common.Address
	abi   *contracts.ValidatorSet // packs submitRoot
	read  *contracts.Reader       // every contract read, from our address
	sem   chan struct{}           // one token: serialises Submit, waits respecting ctx
}

// New loads the validator key and checks that the node and the ledger
// belong to the configured chain and contract. cfg's zero fields get their
// defaults. A keystore or password file accessible to group or others is
// refused (ErrInsecureKeyFile, naming the file), a wrong password is
// ErrWrongPassword, a node of another chain ErrWrongChain. ctx bounds the
// RPC calls New makes. log may be nil (no logs), now may be nil
// (time.Now); now is used for attempt timestamps and the resend and bump
// schedule.
func New(ctx context.Context, cfg Config, b Backend, store *ledger.Ledger, log *zap.Logger, now func() time.Time) (*Submitter, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if b == nil || store == nil {
		return nil, errors.New("new submitter: backend and ledger are required")
	}
	if log == nil {
		log = zap.NewNop()
	}
	if now == nil {
		now = time.Now
	}
	if id := store.Identity(); id.ChainID != cfg.ChainID || id.Contract != cfg.Contract {
		return nil, fmt.Errorf("%w: ledger %s is for chain %d, contract %s; configured chain %d, contract %s",
			ErrWrongChain, store.Path(), id.ChainID, id.Contract.Hex(), cfg.ChainID, cfg.Contract.Hex())
	}
	key, err := txsend.LoadKey(cfg.KeystoreFile, cfg.PasswordFile)
	if err != nil {
		return nil, err
	}
	s := &Submitter{
		cfg:   cfg,
		store: store.Records(ledger.BucketSubmitter),
		now:   now,
		addr:  crypto.PubkeyToAddress(key.PublicKey),
		abi:   contracts.NewValidatorSet(),
		sem:   make(chan struct{}, 1),
	}
	s.log = log.With(zap.Stringer("validator", s.addr))
	s.read = contracts.NewReader(func(ctx context.Context, data []byte, block *big.Int) ([]byte, error) {
		return s.tx.Read(ctx, txsend.Call{To: s.cfg.Contract, Data: data}, block)
	})
	if s.tx, err = txsend.New(ctx, cfg.Config, b, key, voteStore{s}, log, now); err != nil {
		return nil, err
	}
	if active, err := s.isActive(ctx); err != nil {
		s.log.Warn("cannot read whether this key is an active validator", zap.Error(err))
	} else if !active {
		s.log.Warn("this key is not an active validator: its votes will revert with NotActiveValidator")
	}
	return s, nil
}

// Address returns the validator's address, the sender of its votes.
func (s *Submitter) Address() common.Address { return s.addr }

// NextEpoch reads the contract's nextEpoch at the latest block: the only
// epoch a vote can be sent for.
func (s *Submitter) NextEpoch(ctx context.Context) (uint64, error) {
	n, err := s.read.NextEpoch(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("read next epoch: %w", err)
	}
	return n, nil
}

// Submit makes sure this validator's vote v is on chain with
// cfg.Confirmations confirmations, and returns what it found. It blocks,
// polling every PollInterval, until a verdict (Confirmed, AlreadyVoted,
// Accepted, Disputed, Conflict), an error that waiting cannot fix, or the
// end of ctx, which returns Pending and a nil error: a transaction already
// broadcast may still be mined after that, and a later Submit with the same
// vote resumes it (same nonce, same signed bytes) instead of sending
// another (txsend's cancellation contract). RPC failures are logged and
// retried, never returned.
//
// Returned errors: ErrInvalidVote, ErrConflictingVote, ErrEpochNotOpen,
// ErrReverted (nothing is stored when the simulation reverts),
// ErrInsufficientFunds, ErrRejected, ErrRecordRace and ledger errors. With
// an error the Outcome is Pending and carries what was sent.
//
// Submit is idempotent: calling it again, concurrently (calls are
// serialised) or after a crash never sends a second vote. A different vote
// for an epoch replaces ours only when our recorded vote is confirmed on
// chain and the epoch is still open (the settler recomputed it after a
// reorg deeper than the confirmations); any other different vote is
// ErrConflictingVote. A final verdict
// about a vote we sent is recorded, and a later Submit returns it without
// reading the chain.
func (s *Submitter) Submit(ctx context.Context, v Vote) (Outcome, error) {
	if err := checkVote(v); err != nil {
		return Outcome{}, fmt.Errorf("submit epoch %d: %w", v.Epoch, err)
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return Outcome{State: Pending}, nil
	}
	defer func() { <-s.sem }()
	out, err := s.submit(ctx, v)
	if err != nil {
		return out, fmt.Errorf("submit epoch %d: %w", v.Epoch, err)
	}
	return out, nil
}

func (s *Submitter) submit(ctx context.Context, v Vote) (Outcome, error) {
	rec, err := s.load(v.Epoch)
	if err != nil {
		return Outcome{}, err
	}
	if rec != nil && !same(rec.vote(), v) {
		if rec, err = s.replace(rec, v); err != nil {
			return rec.outcome(), err
		}
	}
	if rec != nil {
		if _, final := rec.State.final(); final {
			return rec.outcome(), nil
		}
	}
	r := &run{s: s, v: v, rec: rec, log: s.log.With(zap.Uint64("epoch", v.Epoch))}
	res, sendErr := s.tx.Send(ctx, txsend.Intent{
		Key:       voteKey(v.Epoch),
		Call:      s.voteCall(v),
		Name:      "vote",
		ExtraGas:  quorumGas,
		Watch:     r.watch,
		OnStep:    r.reached,
		LogFields: []zap.Field{zap.Uint64("epoch", v.Epoch)},
	})
	// Send changed the vote record (attempts, open or closed): read it
	// again for the outcome and the verdict.
	if r.rec, err = s.load(v.Epoch); err != nil {
		return Outcome{State: Pending}, errors.Join(sendErr, err)
	}
	switch {
	case sendErr != nil:
		return r.pending(), sendErr
	case res.Status == txsend.Stopped && r.verdict != nil:
		return r.finish(*r.verdict)
	}
	return r.pending(), nil
}
