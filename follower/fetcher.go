package follower

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/internal/retry"
	"github.com/cmt-rewards/cmt-rewards/internal/seal"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// Fetcher reads block headers and the validator contract's logs from a
// node and checks every reply (see the package doc) before handing it
// out. It holds no ledger and stores nothing: the Follower stores what it
// fetches, and audits and exports read a node through it directly. A
// Fetcher is safe for concurrent use.
type Fetcher struct {
	cfg           Config
	rpc           RPC
	log           *zap.Logger
	rpcErrors     *atomic.Uint64 // failed or rejected RPC calls
	contractBloom bloomBits      // the contract address's bits in a logs bloom
	ring          *seal.Ring     // signers' keys learned from the seals checked
}

// NewFetcher returns a Fetcher of client. Of cfg it uses Contract,
// CliqueEpoch, BatchSize, Concurrency, RPCTimeout, Attempts, RetryDelay,
// LogSpan and Clock; the rest is the Follower's.
func NewFetcher(cfg Config, client RPC, log *zap.Logger) *Fetcher {
	return newFetcher(cfg.withDefaults(), client, orNop(log), new(atomic.Uint64))
}

func newFetcher(cfg Config, client RPC, log *zap.Logger, rpcErrors *atomic.Uint64) *Fetcher {
	return &Fetcher{cfg: cfg, rpc: client, log: log, rpcErrors: rpcErrors, contractBloom: newBloomBits(cfg.Contract[:]), ring: seal.NewRing()}
}

// bloomBits are the three bits types.Bloom sets for one value.
type bloomBits [3]struct {
	i    int
	mask byte
}

func newBloomBits(v []byte) (b bloomBits) {
	var bl types.Bloom
	bl.Add(v)
	k := 0
	for i, c := range bl {
		for bit := 0; bit < 8 && c != 0; bit++ {
			if c&(1<<bit) != 0 && k < 3 {
				b[k].i, b[k].mask = i, 1<<bit
				k++
			}
		}
	}
	for ; k < 3; k++ { // two of the three bits coincide
		b[k] = b[0]
	}
	return b
}

// in is bloom.Test(v) for the value v the bits are of.
func (b *bloomBits) in(bloom *types.Bloom) bool {
	return bloom[b[0].i]&b[0].mask != 0 && bloom[b[1].i]&b[1].mask != 0 && bloom[b[2].i]&b[2].mask != 0
}

// retryPolicy is how one batch of blocks or span of events (what, from
// to) is retried: Attempts, from RetryDelay doubling up to 10s, jittered.
func (f *Fetcher) retryPolicy(what string, from, to uint64) retry.Policy {
	return retry.Policy{
		Initial: f.cfg.RetryDelay, Max: 10 * time.Second, Jitter: 0.5, MaxAttempts: f.cfg.Attempts, Clock: f.cfg.Clock,
		OnRetry: func(attempt int, err error, wait time.Duration) {
			f.log.Debug("fetch failed; retrying", zap.String("what", what), zap.Uint64("from", from), zap.Uint64("to", to),
				zap.Int("attempt", attempt), zap.Duration("wait", wait), zap.Error(err))
		},
	}
}

// RPCErrors returns how many RPC calls failed or were rejected so far.
func (f *Fetcher) RPCErrors() uint64 { return f.rpcErrors.Load() }

// fetchWithRetry is fetch, retried; every failed attempt counts as an RPC
// error.
func (f *Fetcher) fetchWithRetry(ctx context.Context, from, to uint64, slots chan struct{}) ([]ledger.Block, []ledger.Event, error) {
	var blocks []ledger.Block
	var events []ledger.Event
	err := retry.Do(ctx, f.retryPolicy("blocks", from, to), func(ctx context.Context) error {
		var err error
		if blocks, events, err = f.fetch(ctx, from, to, slots); err != nil {
			f.rpcErrors.Add(1)
		}
		return err
	})
	if err != nil {
		return nil, nil, fmt.Errorf("fetch blocks %d-%d: %w", from, to, err)
	}
	return blocks, events, nil
}

// header returns the node's block n, from a hash-checked header; a
// rejected reply counts as an RPC error.
func (f *Fetcher) header(ctx context.Context, n uint64) (ledger.Block, error) {
	var raw json.RawMessage
	if err := f.call(ctx, &raw, "eth_getBlockByNumber", hexutil.Uint64(n), false); err != nil {
		return ledger.Block{}, fmt.Errorf("get block %d: %w", n, err)
	}
	b, err := decodeHeader(raw, n, f.cfg.CliqueEpoch)
	if err != nil {
		f.rpcErrors.Add(1)
	}
	return b, err
}

// fetch gets and checks the headers and contract logs of [from, to]. The
// header batch request holds a slot of slots (if not nil) while it is in
// flight, so that the checks of one batch (decoding, hashing, seal
// recovery: CPU work) overlap the next batches' requests.
func (f *Fetcher) fetch(ctx context.Context, from, to uint64, slots chan struct{}) ([]ledger.Block, []ledger.Event, error) {
	raws, err := f.batchHeaders(ctx, from, to, slots)
	if err != nil {
		return nil, nil, err
	}
	blocks, blooms, err := f.checkHeaders(raws, from)
	if err != nil {
		return nil, nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
	defer cancel()
	events, err := f.fetchBlockLogs(cctx, blocks, blooms)
	if err != nil {
		return nil, nil, err
	}
	return blocks, events, nil
}

// batchHeaders gets the replies for blocks [from, to] in one JSON-RPC
// batch within RPCTimeout, holding a slot of slots (if not nil) meanwhile;
// the wait for a slot does not count against the timeout.
func (f *Fetcher) batchHeaders(ctx context.Context, from, to uint64, slots chan struct{}) ([]json.RawMessage, error) {
	if slots != nil {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	cctx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
	var raws []json.RawMessage
	var err error
	if hb, ok := f.rpc.(headerBatcher); ok {
		raws, err = hb.blocksByNumber(cctx, from, to)
	} else {
		raws, err = batchBlocksRPC(cctx, f.rpc, from, to)
	}
	cancel()
	if slots != nil {
		<-slots
	}
	return raws, err
}

// checkHeaders decodes and checks the replies raws for blocks from,
// from+1, …: each hashes to its reported hash and links to the one
// before it; the sealers are recovered. The replies are decoded in
// GOMAXPROCS chunks at once (seal recovery is most of the work). A header
// that fails its checks is reported before a broken link, the lowest such
// block first.
func (f *Fetcher) checkHeaders(raws []json.RawMessage, from uint64) ([]ledger.Block, []types.Bloom, error) {
	blocks := make([]ledger.Block, len(raws))
	blooms := make([]types.Bloom, len(raws))
	workers := min(runtime.GOMAXPROCS(0), (len(raws)+minChunk-1)/minChunk)
	errs := make([]error, max(workers, 1))
	decode := func(w, lo, hi int) {
		d := newHeaderDecoder(f.ring)
		for g := lo; g < hi; g += group {
			e := min(g+group, hi)
			if err := d.decodeGroup(raws[g:e], blocks[g:e], blooms[g:e], from+uint64(g), f.cfg.CliqueEpoch); err != nil {
				errs[w] = err
				return
			}
		}
	}
	if workers <= 1 {
		decode(0, 0, len(raws))
	} else {
		var wg sync.WaitGroup
		chunk := (len(raws) + workers - 1) / workers
		for w := range workers {
			wg.Go(func() { decode(w, w*chunk, min((w+1)*chunk, len(raws))) })
		}
		wg.Wait()
	}
	for _, err := range errs {
		if err != nil {
			return nil, nil, err
		}
	}
	for i := 1; i < len(blocks); i++ {
		if blocks[i].ParentHash != blocks[i-1].Hash {
			// The chain moved under us between elements; the retry sees a
			// consistent view.
			return nil, nil, fmt.Errorf("block %d does not link to block %d in the same reply", blocks[i].Number, blocks[i].Number-1)
		}
	}
	return blocks, blooms, nil
}

// minChunk is the fewest headers checkHeaders gives a goroutine of its own.
const minChunk = 64

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
func (f *Fetcher) fetchBlockLogs(ctx context.Context, blocks []ledger.Block, blooms []types.Bloom) ([]ledger.Event, error) {
	var asked []int // indexes of the blocks to ask
	for i := range blooms {
		if f.contractBloom.in(&blooms[i]) {
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
func (f *Fetcher) appendBlockEvents(events []ledger.Event, raw json.RawMessage, b *ledger.Block, bloom *types.Bloom) ([]ledger.Event, error) {
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
func (f *Fetcher) batchLogs(ctx context.Context, blocks []ledger.Block, asked []int) ([]json.RawMessage, error) {
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
func (f *Fetcher) checkBlockLog(l *types.Log, b *ledger.Block, bloom *types.Bloom) error {
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
func (f *Fetcher) checkLog(l *types.Log) error {
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
func (f *Fetcher) fetchRangeLogs(ctx context.Context, from, to uint64) ([]ledger.Event, error) {
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

// FetchBlocks fetches and checks blocks [from, to] and their events and
// calls fn with them, a batch of BatchSize blocks at a time, in order,
// retrying each batch (Attempts, from RetryDelay). Up to Concurrency batch
// requests are in flight while earlier batches are checked and handed to
// fn (fn is called from one goroutine at a time). It stores nothing; an
// error from fn stops it and is returned. Cancelling ctx stops it within
// the current attempts or waits.
func (f *Fetcher) FetchBlocks(ctx context.Context, from, to uint64, fn func([]ledger.Block, []ledger.Event) error) error {
	return f.pipeline(ctx, from, to, 1, func(_, _ uint64, blocks []ledger.Block, events []ledger.Event) error {
		return fn(blocks, events)
	})
}

// fetched is one batch of a pipeline.
type fetched struct {
	from, to uint64
	blocks   []ledger.Block
	events   []ledger.Event
	err      error
	done     chan struct{}
}

// pipeline fetches and checks [from, to] in batches of BatchSize and calls
// fn with them in order, from this goroutine. Each batch is fetched (with
// retries) by its own goroutine; Concurrency header requests are in
// flight at a time, and up to 2×Concurrency batches are fetched ahead of
// fn, so that the checks (CPU) of some batches overlap the requests of
// others and fn (a ledger write) overlaps both. fn gets up to merge
// consecutive batches that are ready at once, concatenated (from and to
// are the blocks' span). An error from a batch or from fn stops the
// pipeline; the batches before it have been handed to fn.
func (f *Fetcher) pipeline(ctx context.Context, from, to uint64, merge int, fn func(from, to uint64, blocks []ledger.Block, events []ledger.Event) error) error {
	// On return, cancel whatever is still being fetched and wait for it:
	// nothing of this call outlives it.
	var wg sync.WaitGroup
	defer wg.Wait()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	size := uint64(f.cfg.BatchSize)
	ahead := make(chan struct{}, 2*f.cfg.Concurrency) // batches fetched but not yet handed to fn
	slots := make(chan struct{}, f.cfg.Concurrency)   // header requests in flight
	queue := make(chan *fetched, 2*f.cfg.Concurrency)
	wg.Go(func() {
		defer close(queue)
		for lo := from; lo <= to; lo += size {
			b := &fetched{from: lo, to: min(lo+size-1, to), done: make(chan struct{})}
			select {
			case ahead <- struct{}{}:
			case <-ctx.Done():
				return
			}
			wg.Go(func() {
				defer close(b.done)
				b.blocks, b.events, b.err = f.fetchWithRetry(ctx, b.from, b.to, slots)
			})
			select {
			case queue <- b:
			case <-ctx.Done():
				return
			}
			if b.to == to || lo+size < lo { // done, or overflow
				return
			}
		}
	})
	var next *fetched // taken from the queue but not handed on
	for {
		b := next
		next = nil
		if b == nil {
			var ok bool
			if b, ok = <-queue; !ok {
				return ctx.Err()
			}
		}
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		<-ahead
		if b.err != nil {
			return b.err
		}
		lo, hi, blocks, events := b.from, b.to, b.blocks, b.events
	merging:
		for k := 1; k < merge; k++ {
			var nb *fetched
			select {
			case nb = <-queue: // nil once the queue is closed
			default:
			}
			if nb == nil {
				break
			}
			select {
			case <-nb.done:
			default:
				next = nb
				break merging
			}
			if nb.err != nil {
				next = nb
				break
			}
			<-ahead
			hi = nb.to
			blocks, events = append(blocks, nb.blocks...), append(events, nb.events...)
		}
		if err := fn(lo, hi, blocks, events); err != nil {
			return err
		}
	}
}

// FetchEvents fetches the contract's events in [from, to] with eth_getLogs
// in spans of LogSpan blocks (default 10,000), without headers, and calls
// fn with each span's events in (block, log_index) order. Each reply is
// fetched twice and must agree; a span is retried as in FetchBlocks.
func (f *Fetcher) FetchEvents(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	span := f.cfg.LogSpan
	for lo := from; lo <= to; lo += span {
		hi := min(lo+span-1, to)
		var events []ledger.Event
		err := retry.Do(ctx, f.retryPolicy("events", lo, hi), func(ctx context.Context) error {
			cctx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
			defer cancel()
			var err error
			if events, err = f.fetchRangeLogs(cctx, lo, hi); err != nil {
				f.rpcErrors.Add(1)
			}
			return err
		})
		if err != nil {
			return fmt.Errorf("fetch events %d-%d: %w", lo, hi, err)
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
func (f *Fetcher) Head(ctx context.Context) (uint64, error) {
	var head hexutil.Uint64
	if err := f.call(ctx, &head, "eth_blockNumber"); err != nil {
		return 0, fmt.Errorf("get head: %w", err)
	}
	return uint64(head), nil
}

// TimeAt returns block n's timestamp, from a hash-checked header.
func (f *Fetcher) TimeAt(ctx context.Context, n uint64) (uint64, error) {
	b, err := f.header(ctx, n)
	return b.Time, err
}

// call makes one RPC call within RPCTimeout; a failure counts as an RPC
// error.
func (f *Fetcher) call(ctx context.Context, result any, method string, args ...any) error {
	cctx, cancel := context.WithTimeout(ctx, f.cfg.RPCTimeout)
	defer cancel()
	err := f.rpc.CallContext(cctx, result, method, args...)
	if err != nil {
		f.rpcErrors.Add(1)
	}
	return err
}
