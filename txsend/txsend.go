package txsend

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"
)

var (
	// ErrInvalidConfig is wrapped by every error of Config.Check.
	ErrInvalidConfig = errors.New("invalid configuration")
	// ErrInsecureKeyFile is returned by LoadKey for a keystore or password
	// file that group or others may access.
	ErrInsecureKeyFile = errors.New("key file is accessible to group or others")
	// ErrWrongPassword is returned by LoadKey when the password does not
	// decrypt the keystore.
	ErrWrongPassword = errors.New("wrong keystore password")
	// ErrWrongChain is returned by New when the node serves another chain
	// than configured.
	ErrWrongChain = errors.New("wrong chain")
	// ErrInvalidIntent is returned by Send for an intent without a key,
	// a call without a contract address, a creation with one, or a
	// negative value.
	ErrInvalidIntent = errors.New("invalid intent")
	// ErrIntentMismatch is returned by Send when the record under the
	// intent's key is for another call, sender or chain: one key, one
	// intent.
	ErrIntentMismatch = errors.New("the record under this key is for another intent")
	// ErrReverted is returned by Send and Simulate when the simulation of
	// the call, or our mined transaction, reverted; the message names the
	// contract's custom error, e.g. "reverted: EpochNotNext(expected=4,
	// got=3)".
	ErrReverted = errors.New("reverted")
	// ErrInsufficientFunds is returned by Send when the key's balance
	// cannot pay for a new transaction at its fee cap.
	ErrInsufficientFunds = errors.New("insufficient funds")
	// ErrRejected is returned by Send when the node refuses the signed
	// transaction for a reason that waiting cannot fix (e.g. gas above the
	// block limit). The record stays: a later Send tries the same
	// transaction again.
	ErrRejected = errors.New("transaction rejected by the node")
	// ErrRecordRace is returned when the write-ahead record changed under
	// a Send: another Sender uses the same key and store.
	ErrRecordRace = errors.New("write-ahead record changed by another writer")
)

// Backend is the part of go-ethereum's ethclient.Client a Sender uses. A
// nil block number means the latest block.
type Backend interface {
	ChainID(ctx context.Context) (*big.Int, error)
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	NonceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (uint64, error)
	BalanceAt(ctx context.Context, account common.Address, blockNumber *big.Int) (*big.Int, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	SuggestGasPrice(ctx context.Context) (*big.Int, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	CallContract(ctx context.Context, msg ethereum.CallMsg, blockNumber *big.Int) ([]byte, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// Steps reported to Intent.OnStep.
const (
	StepRecorded  = "recorded"  // an attempt is signed and saved, not yet broadcast
	StepBroadcast = "broadcast" // the node accepted an attempt
	StepMined     = "mined"     // an attempt has a receipt; confirmations pending
)

// Intent is one contract call (or contract creation) to put on chain
// exactly once.
type Intent struct {
	// Key names the intent in the Store: one key, one intent. A FileStore
	// accepts letters, digits, '.', '_' and '-'.
	Key  string
	Call Call
	// Name says what the call is in logs ("vote", "claim"); default
	// "transaction".
	Name string
	// ExtraGas is added to every gas estimate (after its 20% margin), for
	// what the estimate cannot foresee. Unused gas is not paid for.
	ExtraGas uint64
	// Watch, if set, is consulted at every poll (see Watch).
	Watch Watch
	// OnStep, if set, is called synchronously at each step (StepRecorded,
	// StepBroadcast, StepMined); crash tests stop the process there.
	OnStep func(step string)
	// LogFields are added to every log line about the intent.
	LogFields []zap.Field
}

func (in Intent) name() string {
	if in.Name == "" {
		return "transaction"
	}
	return in.Name
}

// Poll is what Send saw at one poll, for a Watch.
type Poll struct {
	// Head is the latest header.
	Head *types.Header
	// Mined is the receipt of an attempt of ours in the canonical chain at
	// or below Head: a successful one that is Confirmed, or a reverted one
	// of the current nonce. Nil otherwise.
	Mined *types.Receipt
	// Confirmed reports that Mined is successful and Confirmations deep.
	Confirmed bool
	// Sent reports that an attempt of ours may still be mined: the record
	// is open and holds one.
	Sent bool
}

// Action is a Watch's answer.
type Action int

const (
	// Proceed lets Send do what it does without a Watch: record and return
	// a confirmed transaction, report a reverted one, or send, resend or
	// replace.
	Proceed Action = iota
	// Wait skips this poll: nothing is sent or recorded.
	Wait
	// Stop ends Send with Status Stopped; the record stays as it is.
	Stop
)

// Watch lets the caller decide from the contract's state what a poll
// means, e.g. that the call is no longer needed because someone else did
// what it would do. Send calls it at every poll except while a successful
// attempt waits for its confirmations (and never for a record that is
// already confirmed), synchronously and with Send's
// serialisation held (a Watch must not call Send). An error ends Send and
// is returned as is, unless wrapped with Retry: then it is logged and the
// next poll tries again.
type Watch func(ctx context.Context, p Poll) (Action, error)

// retryError marks a failure that the next poll may not meet again: an RPC
// error, a timeout.
type retryError struct{ error }

func (e retryError) Unwrap() error { return e.error }

// Retry marks err as transient for a Watch: Send logs it and polls again.
func Retry(err error) error { return retryError{err} }

func retry(what string, err error) error { return Retry(fmt.Errorf("%s: %w", what, err)) }

// Status is how Send ended.
type Status int

const (
	// Pending: ctx ended (or an error was returned) before the call was
	// confirmed. Whatever was sent is in the record and a later Send with
	// the same key resumes it.
	Pending Status = iota
	// Confirmed: our transaction is mined, successful and Confirmations
	// deep in the canonical chain (or the record says it was).
	Confirmed
	// Stopped: the Watch stopped Send.
	Stopped
)

// String returns the status's name.
func (s Status) String() string {
	switch s {
	case Pending:
		return "pending"
	case Confirmed:
		return "confirmed"
	case Stopped:
		return "stopped"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Result is Send's answer.
type Result struct {
	Status Status
	// TxHash is the confirmed transaction when Confirmed, otherwise the
	// latest attempt, if any.
	TxHash common.Hash
	// Block, GasUsed and Fee (wei paid for gas) describe the confirmed
	// transaction; zero otherwise.
	Block   uint64
	GasUsed uint64
	Fee     *big.Int
	// Receipt is the confirmed transaction's receipt when this Send saw
	// it; nil when the answer came from the record.
	Receipt *types.Receipt
	// Contract is, for a contract creation (Call.Create), the contract's
	// address: the one created (the receipt's) when Confirmed, otherwise
	// the one the latest attempt creates if it is mined. Zero for a call.
	Contract common.Address
	// Attempts is how many transactions were signed for the intent, over
	// all runs.
	Attempts int
}

// Sender sends one key's contract calls.
type Sender struct {
	cfg     Config
	b       Backend
	store   Store
	log     *zap.Logger
	now     func() time.Time
	key     *ecdsa.PrivateKey
	addr    common.Address
	chainID *big.Int
	signer  types.Signer
	sem     chan struct{} // one token: serialises Send, waits respecting ctx
}

// New returns a Sender of key's calls through b, recording in store, after
// checking cfg (zero fields get their defaults) and that the node serves
// cfg.ChainID (ErrWrongChain otherwise). ctx bounds that one RPC call. log
// may be nil (no logs); now may be nil (time.Now): it stamps attempts and
// drives the resend and bump schedule.
func New(ctx context.Context, cfg Config, b Backend, key *ecdsa.PrivateKey, store Store, log *zap.Logger, now func() time.Time) (*Sender, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	if b == nil || key == nil || store == nil {
		return nil, errors.New("new sender: backend, key and store are required")
	}
	if log == nil {
		log = zap.NewNop()
	}
	if now == nil {
		now = time.Now
	}
	s := &Sender{
		cfg:     cfg,
		b:       b,
		store:   store,
		now:     now,
		key:     key,
		addr:    crypto.PubkeyToAddress(key.PublicKey),
		chainID: new(big.Int).SetUint64(cfg.ChainID),
		sem:     make(chan struct{}, 1),
	}
	s.signer = types.LatestSignerForChainID(s.chainID)
	s.log = log.With(zap.Stringer("from", s.addr))

	cctx, cancel := context.WithTimeout(ctx, cfg.RPCTimeout)
	id, err := b.ChainID(cctx)
	cancel()
	if err != nil {
		return nil, fmt.Errorf("read chain ID: %w", err)
	}
	if id.Cmp(s.chainID) != 0 {
		return nil, fmt.Errorf("%w: node serves chain %s, configured %d", ErrWrongChain, id, cfg.ChainID)
	}
	return s, nil
}

// Address returns the key's address, the sender of every call.
func (s *Sender) Address() common.Address { return s.addr }

// Read runs c as an eth_call from the key's address at block (nil: the
// latest), bounded by RPCTimeout. The error is the node's, unwrapped, so
// that contracts.DecodeRevert can read revert data from it.
func (s *Sender) Read(ctx context.Context, c Call, block *big.Int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	return s.b.CallContract(ctx, s.msg(c), block)
}

// Simulate runs c as Send would before signing: an eth_call from the key's
// address on the latest state. A revert is ErrReverted with the decoded
// custom error; a balance below the call's value is ErrInsufficientFunds;
// any other error is the RPC's.
func (s *Sender) Simulate(ctx context.Context, c Call) error {
	if _, err := s.Read(ctx, c, nil); err != nil {
		return callError("simulate", err)
	}
	return nil
}

// Send makes sure the intent's call is on chain with Confirmations
// confirmations and returns what it found; see the package documentation
// for the steps. It blocks, polling every PollInterval, until the call is
// Confirmed, the Watch stops it, an error that waiting cannot fix, or the
// end of ctx, which returns Pending and a nil error: nothing is lost, a
// transaction already broadcast may still be mined, and a later Send with
// the same key resumes it (same nonce, same signed bytes) instead of
// sending another. RPC failures are logged and retried, never returned.
//
// Returned errors: ErrInvalidIntent, ErrIntentMismatch, ErrReverted
// (nothing is recorded when the simulation reverts; a mined revert closes
// the record), ErrInsufficientFunds, ErrRejected, ErrRecordRace, the
// Store's and the Watch's errors. With an error the Result is Pending and
// carries what was sent.
func (s *Sender) Send(ctx context.Context, in Intent) (Result, error) {
	switch {
	case in.Key == "":
		return Result{}, fmt.Errorf("%w: a key is required", ErrInvalidIntent)
	case in.Call.Create && in.Call.To != (common.Address{}):
		return Result{}, fmt.Errorf("%w: a contract creation has no contract address (To %s)", ErrInvalidIntent, in.Call.To.Hex())
	case !in.Call.Create && in.Call.To == (common.Address{}):
		return Result{}, fmt.Errorf("%w: a contract address is required (or Create for a contract creation)", ErrInvalidIntent)
	}
	if in.Call.Value != nil && in.Call.Value.Sign() < 0 {
		return Result{}, fmt.Errorf("%w: negative value %s", ErrInvalidIntent, in.Call.Value)
	}
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return Result{}, nil
	}
	defer func() { <-s.sem }()

	rec, err := s.store.Load(in.Key)
	if err != nil {
		return Result{}, fmt.Errorf("load record %s: %w", in.Key, err)
	}
	if err := s.matches(rec, in); err != nil {
		return Result{}, err
	}
	if rec != nil && rec.State == RecordConfirmed && rec.Final != nil {
		return Result{Status: Confirmed, TxHash: rec.Final.Tx, Block: rec.Final.Block, GasUsed: rec.Final.GasUsed,
			Fee: rec.Final.Fee, Contract: rec.Contract(), Attempts: len(rec.Attempts)}, nil
	}
	fields := append([]zap.Field{zap.String("intent", in.Key)}, in.LogFields...)
	r := &run{s: s, in: in, rec: rec, name: in.name(), log: s.log.With(fields...)}
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return r.pending(), nil
		case <-timer.C:
		}
		res, err := r.step(ctx)
		if res != nil {
			return *res, nil
		}
		var re retryError
		switch {
		case err == nil:
		case errors.As(err, &re):
			if ctx.Err() == nil {
				r.log.Warn("will retry", zap.Error(err))
			}
		default:
			return r.pending(), err
		}
		timer.Reset(s.cfg.PollInterval)
	}
}

// matches checks that rec (nil: none) is a record of in.
func (s *Sender) matches(rec *Record, in Intent) error {
	switch {
	case rec == nil:
		return nil
	case rec.From != s.addr || rec.ChainID != s.cfg.ChainID:
		return fmt.Errorf("%w: %s is from %s on chain %d, not %s on chain %d", ErrIntentMismatch, in.Key, rec.From.Hex(), rec.ChainID, s.addr.Hex(), s.cfg.ChainID)
	case !rec.Call.Equal(in.Call) && rec.Call.Create:
		return fmt.Errorf("%w: %s is another contract creation, or one with other code or value", ErrIntentMismatch, in.Key)
	case !rec.Call.Equal(in.Call):
		return fmt.Errorf("%w: %s is a call of %s with other data or value", ErrIntentMismatch, in.Key, rec.Call.To.Hex())
	}
	return nil
}

func (s *Sender) msg(c Call) ethereum.CallMsg {
	return ethereum.CallMsg{From: s.addr, To: c.to(), Data: c.Data, Value: c.Value}
}
