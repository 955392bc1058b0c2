package follower

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/internal/retry"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// ErrReorgTooDeep stops the follower when the chain reorganised below
// MaxReorgDepth blocks: that needs a human, not a retry.
var ErrReorgTooDeep = errors.New("reorg deeper than the configured maximum")

// RPC is the part of go-ethereum's rpc.Client the follower uses.
type RPC interface {
	CallContext(ctx context.Context, result any, method string, args ...any) error
	BatchCallContext(ctx context.Context, b []rpc.BatchElem) error
}

// Config configures a Follower and its Fetcher; zero fields take the
// defaults given.
type Config struct {
	Contract      common.Address
	Confirmations uint64 // the follower ingests up to the node's head − Confirmations
	CliqueEpoch   uint64 // default epoch.DefaultCliqueEpoch
	BatchSize     int    // blocks per JSON-RPC batch (default 500); a ledger transaction holds one or more batches
	Concurrency   int    // header batches requested at once (default 4); up to twice as many are fetched ahead of the ledger
	PollInterval  time.Duration
	RPCTimeout    time.Duration // one call or batch, one attempt (default 15s)
	MaxReorgDepth uint64        // default 10,000
	// Attempts is how often one batch is tried before SyncOnce fails
	// (default 5), with jittered exponential backoff from RetryDelay
	// (default 200ms).
	Attempts   int
	RetryDelay time.Duration
	// LogSpan is the block span of one eth_getLogs call in FetchEvents
	// (default 10,000).
	LogSpan uint64
	// Clock is where the waits between retries and polls and
	// Stats.LastSuccess take time from (default: the system clock).
	// RPCTimeout is wall-clock time whatever Clock is.
	Clock retry.Clock
}

func (cfg Config) withDefaults() Config {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.CliqueEpoch == 0 {
		cfg.CliqueEpoch = epoch.DefaultCliqueEpoch
	}
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = 4
	}
	if cfg.Attempts <= 0 {
		cfg.Attempts = 5
	}
	if cfg.RetryDelay <= 0 {
		cfg.RetryDelay = 200 * time.Millisecond
	}
	if cfg.RPCTimeout <= 0 {
		cfg.RPCTimeout = 15 * time.Second
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 3 * time.Second
	}
	if cfg.MaxReorgDepth == 0 {
		cfg.MaxReorgDepth = 10000
	}
	if cfg.LogSpan == 0 {
		cfg.LogSpan = 10_000
	}
	if cfg.Clock == nil {
		cfg.Clock = retry.System
	}
	return cfg
}

func orNop(log *zap.Logger) *zap.Logger {
	if log == nil {
		return zap.NewNop()
	}
	return log
}

// Stats are counters for metrics and status; read them with Load.
type Stats struct {
	ChainHead   atomic.Uint64 // the node's head at the last look
	LedgerHead  atomic.Uint64 // the ledger's head
	Blocks      atomic.Uint64 // blocks ingested
	Events      atomic.Uint64 // events ingested
	Reorgs      atomic.Uint64 // reorgs handled
	RPCErrors   atomic.Uint64 // failed or rejected RPC calls
	LastSuccess atomic.Int64  // unix nanoseconds (Config.Clock) of the last successful sync
}

// Follower ingests the chain into a ledger, fetching through a Fetcher.
// Run it from one goroutine; Stats may be read concurrently.
type Follower struct {
	cfg   Config
	fetch *Fetcher
	l     *ledger.Ledger
	log   *zap.Logger
	Stats Stats
}

// New returns a follower of client into l, which must not be nil (to read
// a node without a ledger, use NewFetcher).
func New(cfg Config, client RPC, l *ledger.Ledger, log *zap.Logger) *Follower {
	if l == nil {
		panic("follower.New: nil ledger; use NewFetcher to read a node without one")
	}
	cfg, log = cfg.withDefaults(), orNop(log)
	f := &Follower{cfg: cfg, l: l, log: log}
	f.fetch = newFetcher(cfg, client, log, &f.Stats.RPCErrors)
	return f
}

// Run follows the chain until ctx is cancelled (it then returns nil) or a
// reorg deeper than MaxReorgDepth (ErrReorgTooDeep). Other errors are
// logged and retried with jittered backoff from RetryDelay up to 30s; after
// a successful sync it waits PollInterval. A cancellation interrupts at
// most the batch being fetched; committed batches stay.
func (f *Follower) Run(ctx context.Context) error {
	p := retry.Policy{
		Initial: f.cfg.RetryDelay, Max: 30 * time.Second, Jitter: 0.5, Clock: f.cfg.Clock,
		OnRetry: func(_ int, err error, wait time.Duration) {
			f.log.Warn("sync failed; retrying", zap.Error(err), zap.Duration("backoff", wait))
		},
	}
	for {
		err := retry.Do(ctx, p, func(ctx context.Context) error {
			_, err := f.SyncOnce(ctx)
			if errors.Is(err, ErrReorgTooDeep) {
				return retry.Permanent(err)
			}
			return err
		})
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		if f.cfg.Clock.Sleep(ctx, f.cfg.PollInterval) != nil {
			return nil // cancelled
		}
	}
}

// SyncOnce ingests every block up to the node's head − Confirmations and
// returns the ledger's new head. It resolves reorgs it meets on the way
// and retries each batch (Attempts) before it fails. Call it from one
// goroutine at a time (Run does); cancelling ctx stops it within the
// batches being fetched, and committed batches stay.
func (f *Follower) SyncOnce(ctx context.Context) (uint64, error) {
	head, err := f.fetch.Head(ctx)
	if err != nil {
		return 0, err
	}
	f.Stats.ChainHead.Store(head)
	if head < f.cfg.Confirmations {
		return 0, nil
	}
	target := head - f.cfg.Confirmations
	for attempt := 0; ; attempt++ {
		if err := f.checkHead(ctx); err != nil {
			return 0, err
		}
		next, err := f.l.Next()
		if err != nil {
			return 0, err
		}
		if next > target {
			f.Stats.LastSuccess.Store(f.cfg.Clock.Now().UnixNano())
			return next - 1, nil
		}
		err = f.ingest(ctx, next, target)
		if err == nil {
			continue
		}
		if errors.Is(err, ledger.ErrNotContiguous) && attempt < 3 {
			continue // checkHead resolves it on the next round
		}
		return 0, err
	}
}

// checkHead verifies that the ledger's head is still canonical and, if it
// is not, rewinds to the common ancestor.
func (f *Follower) checkHead(ctx context.Context) error {
	h, ok, err := f.l.Head()
	if err != nil || !ok {
		return err
	}
	canon, err := f.fetch.header(ctx, h.Number)
	if err != nil {
		return err
	}
	if canon.Hash == h.Hash {
		f.Stats.LedgerHead.Store(h.Number)
		return nil
	}
	// Walk back until the ledger and the node agree; the blocks after the
	// common ancestor go. If even the start block differs, everything goes.
	start := f.l.Identity().StartBlock
	cut := h.Number
	for cut > start {
		if h.Number-cut >= f.cfg.MaxReorgDepth {
			return fmt.Errorf("%w: ledger block %d differs from the chain and no common ancestor within %d blocks", ErrReorgTooDeep, h.Number, f.cfg.MaxReorgDepth)
		}
		b, err := f.l.Block(cut - 1)
		if err != nil {
			return err
		}
		canon, err := f.fetch.header(ctx, cut-1)
		if err != nil {
			return err
		}
		if canon.Hash == b.Hash {
			break
		}
		cut--
	}
	f.log.Warn("chain reorganised; truncating ledger", zap.Uint64("ledger_head", h.Number), zap.Uint64("from", cut), zap.Uint64("depth", h.Number-cut+1))
	f.Stats.Reorgs.Add(1)
	return f.l.Truncate(cut)
}

// mergeBatches is how many fetched batches the follower commits in one
// ledger transaction when they are ready together (a ledger write that
// fell behind catches up in fewer, larger transactions).
const mergeBatches = 8

// ingest fetches [from, to] through the fetcher's pipeline and commits the
// batches in order, one ledger transaction per batch or run of ready
// batches.
func (f *Follower) ingest(ctx context.Context, from, to uint64) error {
	return f.fetch.pipeline(ctx, from, to, mergeBatches, func(lo, hi uint64, blocks []ledger.Block, events []ledger.Event) error {
		if err := f.l.Append(blocks, events); err != nil {
			return fmt.Errorf("store blocks %d-%d: %w", lo, hi, err)
		}
		f.Stats.Blocks.Add(uint64(len(blocks)))
		f.Stats.Events.Add(uint64(len(events)))
		f.Stats.LedgerHead.Store(hi)
		f.log.Debug("ingested", zap.Uint64("from", lo), zap.Uint64("to", hi), zap.Int("events", len(events)))
		return nil
	})
}
