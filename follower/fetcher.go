package follower

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/internal/retry"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// Fetcher reads block headers and the validator contract's logs from a
// node and checks every reply (see the package doc) before handing it
// out. It holds no ledger and stores nothing: the Follower stores what it
// fetches, and audits and exports read a node through it directly. A
// Fetcher is safe for concurrent use.
type Fetcher struct {
	cfg       Config
	rpc       RPC
	log       *zap.Logger
	rpcErrors *atomic.Uint64 // failed or rejected RPC calls
}

// NewFetcher returns a Fetcher of client. Of cfg it uses Contract,
// CliqueEpoch, BatchSize, RPCTimeout, Attempts, RetryDelay, LogSpan and
// Clock; the rest is the Follower's.
func NewFetcher(cfg Config, client RPC, log *zap.Logger) *Fetcher {
	return &Fetcher{cfg: cfg.withDefaults(), rpc: client, log: orNop(log), rpcErrors: new(atomic.Uint64)}
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
func (f *Fetcher) fetchWithRetry(ctx context.Context, from, to uint64) ([]ledger.Block, []ledger.Event, error) {
	var blocks []ledger.Block
	var events []ledger.Event
	err := retry.Do(ctx, f.retryPolicy("blocks", from, to), func(ctx context.Context) error {
		var err error
		if blocks, events, err = f.fetch(ctx, from, to); err != nil {
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

// fetch gets and checks the headers and contract logs of [from, to].
func (f *Fetcher) fetch(ctx context.Context, from, to uint64) ([]ledger.Block, []ledger.Event, error) {
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

func (f *Fetcher) fetchHeaders(ctx context.Context, from, to uint64) ([]ledger.Block, []types.Bloom, error) {
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
func (f *Fetcher) fetchBlockLogs(ctx context.Context, blocks []ledger.Block, blooms []types.Bloom) ([]ledger.Event, error) {
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
// retrying each batch (Attempts, from RetryDelay). It stores nothing; an
// error from fn stops it and is returned. Cancelling ctx stops it within
// the current attempt or wait.
func (f *Fetcher) FetchBlocks(ctx context.Context, from, to uint64, fn func([]ledger.Block, []ledger.Event) error) error {
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
