package export

import (
	"context"
	"fmt"

	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// LedgerSource reads a ledger the follower keeps.
type LedgerSource struct{ L *ledger.Ledger }

// Head is the ledger's head; an empty ledger is an ErrHistory.
func (s LedgerSource) Head(ctx context.Context) (uint64, error) {
	h, ok, err := s.L.Head()
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("ledger is empty: %w", ErrHistory)
	}
	return h.Number, nil
}

// TimeAt reads block n's time from the ledger.
func (s LedgerSource) TimeAt(ctx context.Context, n uint64) (uint64, error) {
	b, err := s.L.Block(n)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrHistory, err)
	}
	return b.Time, nil
}

// Blocks reads blocks from the ledger in chunks of 4096.
func (s LedgerSource) Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	chunk := make([]ledger.Block, 0, 4096)
	err := s.L.Blocks(from, to, func(b *ledger.Block) error {
		chunk = append(chunk, *b)
		if len(chunk) == cap(chunk) {
			if err := fn(chunk); err != nil {
				return err
			}
			chunk = chunk[:0]
			return ctx.Err()
		}
		return nil
	})
	if err != nil || len(chunk) == 0 {
		return err
	}
	return fn(chunk)
}

// Events reads events from the ledger.
func (s LedgerSource) Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	var evs []ledger.Event
	if err := s.L.Events(from, to, func(ev *ledger.Event) error { evs = append(evs, *ev); return nil }); err != nil {
		return err
	}
	return fn(evs)
}

// RPCSource reads a node directly, checking every reply as the follower
// does (no ledger, no archive state: headers and logs only). Head is the
// node's head.
type RPCSource struct{ F *follower.Follower }

func (s RPCSource) Head(ctx context.Context) (uint64, error) { return s.F.Head(ctx) }

func (s RPCSource) TimeAt(ctx context.Context, n uint64) (uint64, error) { return s.F.TimeAt(ctx, n) }

func (s RPCSource) Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	return s.F.FetchBlocks(ctx, from, to, func(b []ledger.Block, _ []ledger.Event) error { return fn(b) })
}

func (s RPCSource) Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	return s.F.FetchEvents(ctx, from, to, fn)
}
