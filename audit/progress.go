package audit

import (
	"context"

	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// progressSource tells Request.Progress how far fetching from a Source got.
type progressSource struct {
	export.Source
	progress func(format string, args ...any)
	label    string
}

func (s progressSource) Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	total, done := to-from+1, uint64(0)
	return s.Source.Blocks(ctx, from, to, func(bs []ledger.Block) error {
		done += uint64(len(bs))
		s.progress("%s: headers %d/%d", s.label, done, total)
		return fn(bs)
	})
}

func (s progressSource) Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	s.progress("%s: contract logs of blocks %d–%d", s.label, from, to)
	return s.Source.Events(ctx, from, to, func(evs []ledger.Event) error {
		if len(evs) > 0 {
			s.progress("%s: contract logs up to block %d of %d", s.label, evs[len(evs)-1].Block, to)
		}
		return fn(evs)
	})
}
