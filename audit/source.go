package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// chainSource is the audit's export.Source: the node through a
// follower.Fetcher (every reply checked as the follower checks it), with
// headers fetched several batches at once and handed out in order, each
// block linked to the one before it by its parent hash, and, with a
// cache, the blocks (standing fields and events) of earlier audits read
// from the cache once their canonicity is proven (see Cache).
//
// Memory is flat in the number of blocks: at most window batches are in
// flight or waiting to be handed out.
type chainSource struct {
	f       *follower.Fetcher
	batch   uint64 // blocks per FetchBlocks call: one JSON-RPC batch
	workers int    // FetchBlocks calls at once
	cache   *Cache // nil: every header from the node
	// fetched counts the headers read from the node by Blocks (not the
	// probes that prove a cached run canonical), for tests and progress.
	fetched uint64
	events  eventMemo
	// seen is the events of the blocks the last Blocks call handed out,
	// which the Events call after it asks for again (export reads the
	// headers first): kept, they need no eth_getLogs over the range.
	seen eventMemo
}

func (s *chainSource) Head(ctx context.Context) (uint64, error) { return s.f.Head(ctx) }

func (s *chainSource) TimeAt(ctx context.Context, n uint64) (uint64, error) {
	return s.f.TimeAt(ctx, n)
}

// Events hands out the contract's events of [from, to]. The events of
// the widest range asked from one from so far are kept (an audit asks
// from the start block every time, and --full once per epoch): a range
// inside it is served from them, a longer one reads only the rest, so
// that recomputing N epochs reads each log once, not N times. They are as
// many as the contract's events, few next to the blocks. Of the rest, the
// blocks the Blocks call before read (the epoch and its standing warm-up:
// export reads them first) come with their events, checked against their
// headers' blooms; the blocks before them come from the cache or from
// eth_getLogs over the range.
func (s *chainSource) Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	m := &s.events
	if !m.ok || m.from != from {
		*m = eventMemo{from: from, next: from, ok: true}
	}
	if to >= m.next {
		var more []ledger.Event
		collect := func(evs []ledger.Event) error { more = append(more, evs...); return nil }
		lo := m.next
		if seen := &s.seen; seen.ok && seen.from <= to && to < seen.next {
			// The blocks from max(seen.from, lo) to to were read with
			// their events: read only those before.
			mid := max(seen.from, lo)
			if lo < mid {
				if err := s.events1(ctx, lo, mid-1, collect); err != nil {
					return err
				}
			}
			for _, e := range seen.evs {
				if e.Block >= mid && e.Block <= to {
					more = append(more, e)
				}
			}
		} else if err := s.events1(ctx, lo, to, collect); err != nil {
			return err
		}
		m.evs, m.next = append(m.evs, more...), to+1
	}
	n, _ := slices.BinarySearchFunc(m.evs, to+1, func(e ledger.Event, b uint64) int { return cmp.Compare(e.Block, b) })
	return fn(m.evs[:n:n])
}

// events1 reads the events of [from, to]: from the cache's entries where
// it holds a proven run of the blocks, with eth_getLogs over the range
// elsewhere.
func (s *chainSource) events1(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	if s.cache == nil {
		return s.f.FetchEvents(ctx, from, to, fn)
	}
	plan, err := s.cache.plan(ctx, from, to, minCachedRun, s.hashAt)
	if err != nil {
		return err
	}
	for _, seg := range plan {
		if seg.cached {
			err = s.cache.read(seg.from, seg.to, func(_ []ledger.Block, evs []ledger.Event) error { return fn(evs) })
		} else {
			err = s.f.FetchEvents(ctx, seg.from, seg.to, fn)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// eventMemo is the events of blocks [from, next) when ok.
type eventMemo struct {
	from, next uint64
	ok         bool
	evs        []ledger.Event
}

// Blocks hands out blocks [from, to] in order, from the cache where it
// holds a proven run of them and from the node otherwise, and fails when a
// block does not link to the one before it: the chain changed under the
// audit (run it again).
func (s *chainSource) Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	s.seen = eventMemo{}
	seen := eventMemo{from: from, next: to + 1, ok: true}
	if err := s.blocks(ctx, from, to, fn, &seen.evs); err != nil {
		return err
	}
	s.seen = seen
	return nil
}

// blocks is Blocks, appending the events of the blocks to evs.
func (s *chainSource) blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error, evs *[]ledger.Event) error {
	var prev common.Hash
	linked := func(bs []ledger.Block) error {
		for i := range bs {
			b := &bs[i]
			if b.Number != from && b.ParentHash != prev {
				return fmt.Errorf("block %d (%s) does not link to block %d (%s): the chain changed during the audit; run it again",
					b.Number, b.Hash.Hex(), b.Number-1, prev.Hex())
			}
			prev = b.Hash
		}
		return fn(bs)
	}
	if s.cache == nil {
		return s.fetch(ctx, from, to, func(bs []ledger.Block, e []ledger.Event) error {
			*evs = append(*evs, e...)
			return linked(bs)
		})
	}
	plan, err := s.cache.plan(ctx, from, to, minCachedRun, s.hashAt)
	if err != nil {
		return err
	}
	for _, seg := range plan {
		if seg.cached {
			err = s.cache.read(seg.from, seg.to, func(bs []ledger.Block, e []ledger.Event) error {
				*evs = append(*evs, e...)
				return linked(bs)
			})
		} else {
			w := s.cache.writer()
			err = s.fetch(ctx, seg.from, seg.to, func(bs []ledger.Block, e []ledger.Event) error {
				if err := w.add(fetched{bs, e}); err != nil {
					return err
				}
				*evs = append(*evs, e...)
				return linked(bs)
			})
			if cerr := w.close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// minCachedRun is the shortest run of cached blocks worth a probe of the
// node to prove it canonical; shorter runs are read again.
const minCachedRun = 8

// hashAt is the node's block n's hash, from a hash-checked header.
func (s *chainSource) hashAt(ctx context.Context, n uint64) (common.Hash, error) {
	var h common.Hash
	err := s.f.FetchBlocks(ctx, n, n, func(bs []ledger.Block, _ []ledger.Event) error {
		if len(bs) != 1 || bs[0].Number != n {
			return fmt.Errorf("asked for block %d, got %d blocks", n, len(bs))
		}
		h = bs[0].Hash
		return nil
	})
	return h, err
}

// fetch reads blocks [from, to] and the contract's events in them from
// the node, s.batch blocks per FetchBlocks call and s.workers calls at
// once, and calls fn with each batch in order. It returns the first
// error, fn's included, after every call it started has returned.
func (s *chainSource) fetch(ctx context.Context, from, to uint64, fn func([]ledger.Block, []ledger.Event) error) error {
	if from > to {
		return nil
	}
	type result struct {
		blocks []ledger.Block
		events []ledger.Event
		err    error
	}
	type job struct {
		lo, hi uint64
		out    chan result
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	workers := max(s.workers, 1)
	window := 2 * workers // batches fetched or waiting, ahead of fn
	jobs := make(chan job)
	order := make(chan chan result, window)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var r result
				r.err = s.f.FetchBlocks(ctx, j.lo, j.hi, func(bs []ledger.Block, evs []ledger.Event) error {
					r.blocks = append(r.blocks, bs...)
					r.events = append(r.events, evs...)
					return nil
				})
				j.out <- r
			}
		}()
	}
	// The producer queues the batches in order; order's capacity bounds
	// how far it runs ahead of fn.
	go func() {
		defer close(order)
		defer close(jobs)
		for lo := from; ; lo += s.batch {
			hi := min(lo+s.batch-1, to)
			out := make(chan result, 1)
			select {
			case order <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{lo, hi, out}:
			case <-ctx.Done():
				return
			}
			if hi == to {
				return
			}
		}
	}()
	var err error
	for out := range order {
		var r result
		select {
		case r = <-out:
		case <-ctx.Done():
			r.err = ctx.Err()
		}
		if r.err == nil {
			s.fetched += uint64(len(r.blocks))
			r.err = fn(r.blocks, r.events)
		}
		if r.err != nil {
			err = r.err
			cancel()
			break
		}
	}
	cancel()
	for range order { // let the producer see the cancellation and stop
	}
	wg.Wait()
	return err
}

// source returns the audit's chain source for the node client serves
// (chaincheck.Dial checked it): headers in Follower.BatchSize batches,
// Follower.Concurrency at once, over a connection of their own, through
// the header cache unless NoCache.
func (a *auditor) source(ctx context.Context, client *rpc.Client) (*chainSource, func(), error) {
	cfg := a.Config
	bulk, closeBulk := bulkClient(ctx, cfg.RPCURL, cfg.Follower.Concurrency, client)
	s := &chainSource{
		f:     follower.NewFetcher(export.FollowerConfig(cfg), bulk, zap.NewNop()),
		batch: uint64(max(cfg.Follower.BatchSize, 1)), workers: max(cfg.Follower.Concurrency, 1),
	}
	if a.NoCache {
		return s, closeBulk, nil
	}
	dir := a.CacheDir
	if dir == "" {
		var err error
		if dir, err = DefaultCacheDir(); err != nil {
			closeBulk()
			return nil, nil, err
		}
	}
	genesis, err := s.hashAt(ctx, 0)
	if err != nil {
		closeBulk()
		return nil, nil, fmt.Errorf("read the genesis block from %s: %w", cfg.RPCURL, err)
	}
	if s.cache, err = OpenCache(dir, cfg.ChainID, genesis, cfg.Contract, cfg.CliqueEpoch); err != nil {
		closeBulk()
		return nil, nil, err
	}
	a.Progress("header cache %s", s.cache.Path())
	return s, func() { s.cache.Close(); closeBulk() }, nil
}

// bulkClient dials rpcURL again for the header batches with
// follower.Dial (keep-alive connections for workers batches at once, the
// lean batch path, no gzip to a node on this machine); if that fails, the
// header batches share client.
func bulkClient(ctx context.Context, rpcURL string, workers int, client *rpc.Client) (follower.RPC, func()) {
	c, err := follower.Dial(ctx, rpcURL, workers)
	if err != nil {
		return client, func() {}
	}
	return c, c.Close
}
