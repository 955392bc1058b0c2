package follower

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/epoch"
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

// Config configures a Follower.
type Config struct {
	Contract      common.Address
	Confirmations uint64
	CliqueEpoch   uint64
	BatchSize     int
	Concurrency   int
	PollInterval  time.Duration
	RPCTimeout    time.Duration
	MaxReorgDepth uint64
	// Attempts is how often one batch is tried before SyncOnce fails
	// (default 5), with exponential backoff from RetryDelay (default 200ms).
	Attempts   int
	RetryDelay time.Duration
	// LogSpan is the block span of one eth_getLogs call in FetchEvents
	// (default 10,000).
	LogSpan uint64
}

// Stats are counters for metrics and status; read them with Load.
type Stats struct {
	ChainHead   atomic.Uint64 // the node's head at the last look
	LedgerHead  atomic.Uint64 // the ledger's head
	Blocks      atomic.Uint64 // blocks ingested
	Events      atomic.Uint64 // events ingested
	Reorgs      atomic.Uint64 // reorgs handled
	RPCErrors   atomic.Uint64 // failed or rejected RPC calls
	LastSuccess atomic.Int64  // unix nanoseconds of the last successful sync
}

// Follower ingests the chain into a ledger. Run it from one goroutine; Stats
// may be read concurrently.
type Follower struct {
	cfg   Config
	rpc   RPC
	l     *ledger.Ledger
	log   *zap.Logger
	Stats Stats
}

// New returns a follower of rpc into l. l may be nil for a follower used
// only to fetch (FetchBlocks, FetchEvents, Head, TimeAt).
func New(cfg Config, client RPC, l *ledger.Ledger, log *zap.Logger) *Follower {
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
	if log == nil {
		log = zap.NewNop()
	}
	return &Follower{cfg: cfg, rpc: client, l: l, log: log}
}

// Run follows the chain until ctx is cancelled (it then returns nil) or a
// reorg deeper than MaxReorgDepth (ErrReorgTooDeep). Other errors are
// logged and retried with backoff. A cancellation interrupts at most the
// batch being fetched; committed batches stay.
func (f *Follower) Run(ctx context.Context) error {
	backoff := f.cfg.RetryDelay
	for {
		_, err := f.SyncOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		wait := f.cfg.PollInterval
		if err != nil {
			if errors.Is(err, ErrReorgTooDeep) {
				return err
			}
			f.log.Warn("sync failed; retrying", zap.Error(err), zap.Duration("backoff", backoff))
			wait = backoff
			backoff = min(backoff*2, 30*time.Second)
		} else {
			backoff = f.cfg.RetryDelay
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// SyncOnce ingests every block up to the node's head − Confirmations and
// returns the ledger's new head. It resolves reorgs it meets on the way.
func (f *Follower) SyncOnce(ctx context.Context) (uint64, error) {
	head, err := f.Head(ctx)
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
			f.Stats.LastSuccess.Store(time.Now().UnixNano())
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
	canon, err := f.hashAt(ctx, h.Number)
	if err != nil {
		return err
	}
	if canon == h.Hash {
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
		canon, err := f.hashAt(ctx, cut-1)
		if err != nil {
			return err
		}
		if canon == b.Hash {
			break
		}
		cut--
	}
	f.log.Warn("chain reorganised; truncating ledger", zap.Uint64("ledger_head", h.Number), zap.Uint64("from", cut), zap.Uint64("depth", h.Number-cut+1))
	f.Stats.Reorgs.Add(1)
	return f.l.Truncate(cut)
}

func (f *Follower) hashAt(ctx context.Context, n uint64) (common.Hash, error) {
	var raw json.RawMessage
	if err := f.call(ctx, &raw, "eth_getBlockByNumber", hexutil.Uint64(n), false); err != nil {
		return common.Hash{}, fmt.Errorf("get block %d: %w", n, err)
	}
	b, err := decodeHeader(raw, n, f.cfg.CliqueEpoch)
	if err != nil {
		f.Stats.RPCErrors.Add(1)
		return common.Hash{}, err
	}
	return b.Hash, nil
}

type batch struct {
	from, to uint64
	blocks   []ledger.Block
	events   []ledger.Event
	err      error
	done     chan struct{}
}

// ingest fetches [from, to] in batches, Concurrency at a time, and commits
// them in order.
func (f *Follower) ingest(ctx context.Context, from, to uint64) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	size := uint64(f.cfg.BatchSize)
	// tokens bounds batches fetched but not yet committed, so a slow ledger
	// cannot make the fetchers run ahead without limit; fetching bounds the
	// requests in flight. With twice as many tokens, Concurrency fetches
	// keep running while a batch is being committed.
	tokens := make(chan struct{}, 2*f.cfg.Concurrency)
	fetching := make(chan struct{}, f.cfg.Concurrency)
	queue := make(chan *batch, 2*f.cfg.Concurrency)
	go func() {
		defer close(queue)
		for lo := from; lo <= to; lo += size {
			b := &batch{from: lo, to: min(lo+size-1, to), done: make(chan struct{})}
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				return
			}
			go func() {
				defer close(b.done)
				select {
				case fetching <- struct{}{}:
				case <-ctx.Done():
					b.err = ctx.Err()
					return
				}
				b.blocks, b.events, b.err = f.fetchWithRetry(ctx, b.from, b.to)
				<-fetching
			}()
			select {
			case queue <- b:
			case <-ctx.Done():
				return
			}
			if lo+size < lo { // overflow guard
				return
			}
		}
	}()
	for b := range queue {
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-tokens
		if b.err != nil {
			return b.err
		}
		if err := f.l.Append(b.blocks, b.events); err != nil {
			return fmt.Errorf("store blocks %d-%d: %w", b.from, b.to, err)
		}
		f.Stats.Blocks.Add(uint64(len(b.blocks)))
		f.Stats.Events.Add(uint64(len(b.events)))
		f.Stats.LedgerHead.Store(b.to)
		f.log.Debug("ingested", zap.Uint64("from", b.from), zap.Uint64("to", b.to), zap.Int("events", len(b.events)))
	}
	return ctx.Err()
}

func (f *Follower) fetchWithRetry(ctx context.Context, from, to uint64) ([]ledger.Block, []ledger.Event, error) {
	delay := f.cfg.RetryDelay
	var err error
	for attempt := 1; ; attempt++ {
		var blocks []ledger.Block
		var events []ledger.Event
		blocks, events, err = f.fetch(ctx, from, to)
		if err == nil {
			return blocks, events, nil
		}
		f.Stats.RPCErrors.Add(1)
		if ctx.Err() != nil || attempt >= f.cfg.Attempts {
			return nil, nil, fmt.Errorf("fetch blocks %d-%d (%d attempts): %w", from, to, attempt, err)
		}
		f.log.Debug("fetch failed; retrying", zap.Uint64("from", from), zap.Uint64("to", to), zap.Error(err))
		jitter := time.Duration(rand.Int64N(int64(delay)/2 + 1))
		select {
		case <-time.After(delay + jitter):
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
		delay = min(delay*2, 10*time.Second)
	}
}

// fetch gets and checks the headers and contract logs of [from, to].
func (f *Follower) fetch(ctx context.Context, from, to uint64) ([]ledger.Block, []ledger.Event, error) {
	cctx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
	defer cancel()
	blocks, blooms, err := f.fetchHeaders(cctx, from, to)
	if err != nil {
		return nil, nil, err
	}
	events, err := f.fetchBlockLogs(cctx, blocks, blooms)
	if err != nil {
		return nil, nil, err
	}
	return blocks, events, nil
}

func (f *Follower) fetchHeaders(ctx context.Context, from, to uint64) ([]ledger.Block, []types.Bloom, error) {
	n := int(to - from + 1)
	raws := make([]json.RawMessage, n)
	elems := make([]rpc.BatchElem, n)
	for i := range elems {
		elems[i] = rpc.BatchElem{Method: "eth_getBlockByNumber", Args: []any{hexutil.Uint64(from + uint64(i)), false}, Result: &raws[i]}
	}
	if err := f.rpc.BatchCallContext(ctx, elems); err != nil {
		return nil, nil, fmt.Errorf("batch get blocks: %w", err)
	}
	blocks := make([]ledger.Block, n)
	blooms := make([]types.Bloom, n)
	for i := range elems {
		if elems[i].Error != nil {
			return nil, nil, fmt.Errorf("get block %d: %w", from+uint64(i), elems[i].Error)
		}
		b, bloom, err := decodeHeaderBloom(raws[i], from+uint64(i), f.cfg.CliqueEpoch)
		if err != nil {
			return nil, nil, err
		}
		blooms[i] = bloom
		if i > 0 && b.ParentHash != blocks[i-1].Hash {
			// The chain moved under us between elements; the retry sees a
			// consistent view.
			return nil, nil, fmt.Errorf("block %d does not link to block %d in the same reply", b.Number, b.Number-1)
		}
		blocks[i] = b
	}
	return blocks, blooms, nil
}

// fetchBlockLogs gets the contract's relevant logs of the given blocks,
// whose headers (and so logs blooms) are hash-checked.
//
// Logs are asked for block by block hash (eth_getLogs with blockHash, in
// one JSON-RPC batch), so a reply cannot mix branches. Only blocks whose
// bloom may hold a log of the contract address are asked: a bloom has no
// false negatives, and most blocks hold no contract log, so this is what
// keeps following as fast as fetching headers. Every returned log must be
// of the asked block (hash and number) and the contract, not removed, of
// one of the asked events, and its address and every topic must be in the
// block's bloom.
//
// Log data is covered by no hash the follower holds (only the receipts
// root, which would need every receipt of the block), so the batch is
// fetched twice and the replies must agree byte for byte, block by block:
// a reply garbled in transit, or a log dropped from one reply, does not
// repeat itself identically. (A node that lies consistently is for the
// audit against another node to catch.)
func (f *Follower) fetchBlockLogs(ctx context.Context, blocks []ledger.Block, blooms []types.Bloom) ([]ledger.Event, error) {
	var asked []int // indexes of the blocks to ask
	for i := range blooms {
		if blooms[i].Test(f.cfg.Contract[:]) {
			asked = append(asked, i)
		}
	}
	if len(asked) == 0 {
		return nil, nil
	}
	raws, err := f.batchLogs(ctx, blocks, asked)
	if err != nil {
		return nil, err
	}
	again, err := f.batchLogs(ctx, blocks, asked)
	if err != nil {
		return nil, err
	}
	var events []ledger.Event
	for j, i := range asked {
		b := &blocks[i]
		if !bytes.Equal(raws[j], again[j]) {
			return nil, fmt.Errorf("%w: two eth_getLogs replies for block %d (%s) differ", ErrBadReply, b.Number, b.Hash.Hex())
		}
		if events, err = f.appendBlockEvents(events, raws[j], b, &blooms[i]); err != nil {
			return nil, err
		}
	}
	return events, nil
}

// appendBlockEvents decodes the eth_getLogs reply raw for block b, whose
// logs bloom is bloom, checks every log (checkBlockLog) and appends the
// events to events.
func (f *Follower) appendBlockEvents(events []ledger.Event, raw json.RawMessage, b *ledger.Block, bloom *types.Bloom) ([]ledger.Event, error) {
	var logs []types.Log
	if err := json.Unmarshal(raw, &logs); err != nil {
		return nil, fmt.Errorf("%w: logs of block %d: %v", ErrBadReply, b.Number, err)
	}
	for i := range logs {
		if err := f.checkBlockLog(&logs[i], b, bloom); err != nil {
			return nil, err
		}
	}
	return appendEvents(events, logs)
}

// batchLogs asks for the contract's logs of blocks[i] for every i in asked,
// by block hash, in one batch; the replies are in asked's order.
func (f *Follower) batchLogs(ctx context.Context, blocks []ledger.Block, asked []int) ([]json.RawMessage, error) {
	raws := make([]json.RawMessage, len(asked))
	elems := make([]rpc.BatchElem, len(asked))
	for j, i := range asked {
		q := map[string]any{"blockHash": blocks[i].Hash, "address": f.cfg.Contract, "topics": [][]common.Hash{Topics()}}
		elems[j] = rpc.BatchElem{Method: "eth_getLogs", Args: []any{q}, Result: &raws[j]}
	}
	if err := f.rpc.BatchCallContext(ctx, elems); err != nil {
		return nil, fmt.Errorf("batch get logs: %w", err)
	}
	for j, i := range asked {
		if elems[j].Error != nil {
			return nil, fmt.Errorf("get logs of block %d (%s): %w", blocks[i].Number, blocks[i].Hash.Hex(), elems[j].Error)
		}
	}
	return raws, nil
}

// checkBlockLog checks one log returned for block b, whose logs bloom is
// bloom: of b, hash and number; then checkLog; then its address and every
// topic in the bloom (types.BloomLookup; a garbled or foreign topic is
// caught there, since a bloom holds the address and every topic of every
// log of its block).
func (f *Follower) checkBlockLog(l *types.Log, b *ledger.Block, bloom *types.Bloom) error {
	if l.BlockHash != b.Hash || l.BlockNumber != b.Number {
		return fmt.Errorf("%w: log (%d, %d) is from block %d (%s), asked for block %d (%s)",
			ErrBadReply, l.BlockNumber, l.Index, l.BlockNumber, l.BlockHash.Hex(), b.Number, b.Hash.Hex())
	}
	if err := f.checkLog(l); err != nil {
		return err
	}
	if !bloom.Test(l.Address[:]) {
		return fmt.Errorf("%w: log (%d, %d): address %s is not in its block's bloom filter", ErrBadReply, l.BlockNumber, l.Index, l.Address.Hex())
	}
	for i, t := range l.Topics {
		if !bloom.Test(t[:]) {
			return fmt.Errorf("%w: log (%d, %d): topic %d %s is not in its block's bloom filter", ErrBadReply, l.BlockNumber, l.Index, i, t.Hex())
		}
	}
	return nil
}

// checkLog checks what a log must satisfy whatever block it is from: not
// removed by a reorg, of the contract, and of one of the asked events.
func (f *Follower) checkLog(l *types.Log) error {
	if l.Removed {
		return fmt.Errorf("log (%d, %d) was removed by a reorg", l.BlockNumber, l.Index)
	}
	if l.Address != f.cfg.Contract {
		return fmt.Errorf("%w: log (%d, %d) from %s, not the contract", ErrBadReply, l.BlockNumber, l.Index, l.Address.Hex())
	}
	if len(l.Topics) == 0 || !slices.Contains(Topics(), l.Topics[0]) {
		return fmt.Errorf("%w: log (%d, %d) is not of an asked event", ErrBadReply, l.BlockNumber, l.Index)
	}
	return nil
}

// appendEvents decodes checked logs into events and appends them to
// events, demanding (block, log_index) order throughout, as the ledger
// does (nodes return logs in order; make sure).
func appendEvents(events []ledger.Event, logs []types.Log) ([]ledger.Event, error) {
	for i := range logs {
		ev, ok, err := decodeLog(&logs[i])
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		if n := len(events); n > 0 {
			p := &events[n-1]
			if ev.Block < p.Block || (ev.Block == p.Block && ev.LogIndex <= p.LogIndex) {
				return nil, fmt.Errorf("%w: logs out of order at (%d, %d)", ErrBadReply, ev.Block, ev.LogIndex)
			}
		}
		events = append(events, ev)
	}
	return events, nil
}

// fetchRangeLogs gets the contract's relevant logs of blocks [from, to]
// with one eth_getLogs over the range, for FetchEvents, which has no
// headers to check them against. Like fetchBlockLogs it fetches twice and
// demands agreement, and checks every log with checkLog and its block
// number against the range.
func (f *Follower) fetchRangeLogs(ctx context.Context, from, to uint64) ([]ledger.Event, error) {
	q := map[string]any{
		"fromBlock": hexutil.Uint64(from), "toBlock": hexutil.Uint64(to),
		"address": f.cfg.Contract, "topics": [][]common.Hash{Topics()},
	}
	var rawLogs, rawAgain json.RawMessage
	if err := f.rpc.CallContext(ctx, &rawLogs, "eth_getLogs", q); err != nil {
		return nil, fmt.Errorf("get logs %d-%d: %w", from, to, err)
	}
	if err := f.rpc.CallContext(ctx, &rawAgain, "eth_getLogs", q); err != nil {
		return nil, fmt.Errorf("get logs %d-%d: %w", from, to, err)
	}
	if !bytes.Equal(rawLogs, rawAgain) {
		return nil, fmt.Errorf("%w: two eth_getLogs replies for %d-%d differ", ErrBadReply, from, to)
	}
	var logs []types.Log
	if err := json.Unmarshal(rawLogs, &logs); err != nil {
		return nil, fmt.Errorf("%w: logs %d-%d: %v", ErrBadReply, from, to, err)
	}
	for i := range logs {
		l := &logs[i]
		if l.BlockNumber < from || l.BlockNumber > to {
			return nil, fmt.Errorf("%w: log in block %d outside %d-%d", ErrBadReply, l.BlockNumber, from, to)
		}
		if err := f.checkLog(l); err != nil {
			return nil, err
		}
	}
	return appendEvents(make([]ledger.Event, 0, len(logs)), logs)
}

// FetchBlocks fetches, checks and returns blocks [from, to] and their
// events without storing them (for audits straight from a node), in
// batches of BatchSize with retries. It needs no ledger.
func (f *Follower) FetchBlocks(ctx context.Context, from, to uint64, fn func([]ledger.Block, []ledger.Event) error) error {
	size := uint64(f.cfg.BatchSize)
	for lo := from; lo <= to; lo += size {
		hi := min(lo+size-1, to)
		blocks, events, err := f.fetchWithRetry(ctx, lo, hi)
		if err != nil {
			return err
		}
		if err := fn(blocks, events); err != nil {
			return err
		}
		if hi == to {
			break
		}
	}
	return nil
}

// FetchEvents fetches the contract's events in [from, to] with eth_getLogs
// in spans of LogSpan blocks (default 10,000), with retries, without
// headers. Each reply is fetched twice and must agree.
func (f *Follower) FetchEvents(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	span := f.cfg.LogSpan
	if span == 0 {
		span = 10_000
	}
	for lo := from; lo <= to; lo += span {
		hi := min(lo+span-1, to)
		var events []ledger.Event
		delay := f.cfg.RetryDelay
		for attempt := 1; ; attempt++ {
			cctx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
			var err error
			events, err = f.fetchRangeLogs(cctx, lo, hi)
			cancel()
			if err == nil {
				break
			}
			f.Stats.RPCErrors.Add(1)
			if ctx.Err() != nil || attempt >= f.cfg.Attempts {
				return fmt.Errorf("fetch events %d-%d (%d attempts): %w", lo, hi, attempt, err)
			}
			select {
			case <-time.After(delay):
			case <-ctx.Done():
				return ctx.Err()
			}
			delay = min(delay*2, 10*time.Second)
		}
		if err := fn(events); err != nil {
			return err
		}
		if hi == to {
			break
		}
	}
	return nil
}

// Head returns the node's current block number.
func (f *Follower) Head(ctx context.Context) (uint64, error) {
	var head hexutil.Uint64
	if err := f.call(ctx, &head, "eth_blockNumber"); err != nil {
		return 0, fmt.Errorf("get head: %w", err)
	}
	return uint64(head), nil
}

// TimeAt returns block n's timestamp, from a hash-checked header.
func (f *Follower) TimeAt(ctx context.Context, n uint64) (uint64, error) {
	var raw json.RawMessage
	if err := f.call(ctx, &raw, "eth_getBlockByNumber", hexutil.Uint64(n), false); err != nil {
		return 0, fmt.Errorf("get block %d: %w", n, err)
	}
	b, err := decodeHeader(raw, n, f.cfg.CliqueEpoch)
	if err != nil {
		return 0, err
	}
	return b.Time, nil
}

func (f *Follower) call(ctx context.Context, result any, method string, args ...any) error {
	cctx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
	defer cancel()
	err := f.rpc.CallContext(cctx, result, method, args...)
	if err != nil {
		f.Stats.RPCErrors.Add(1)
	}
	return err
}
