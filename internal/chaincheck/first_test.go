package chaincheck

import (
	"errors"
	"strings"
	"testing"

	"github.com/cmt-rewards/cmt-rewards/epoch"
)

// TestStartCheck applies the first-epoch rule to the cases it exists for.
// Blocks are a second apart from t0, block b at t0 + b; epochs last a
// minute.
func TestStartCheck(t *testing.T) {
	t.Parallel()
	const t0 = 1_794_740_700 // = 29,912,345 minutes after 1970
	at := func(start uint64, first, current, next, startBlock uint64) Start {
		b0 := max(startBlock, 1)
		return Start{Schedule: epoch.Schedule{Start: start, Length: 60}, FirstEpoch: first, Current: current, NextEpoch: next,
			StartBlock: startBlock, Block: b0, Known: true, BlockTime: t0 + b0, PrevTime: t0 + b0 - 1, HasPrev: b0 > 1}
	}
	unknown := at(0, 0, 0, 0, 0)
	unknown.Known = false
	tests := []struct {
		name string
		s    Start
		want []string // substrings of the error; none: no error
	}{
		{"genesis timestamp 0 as the start", at(0, 0, 0, 0, 0), []string{
			"epoch.start 1970-01-01T00:00:00Z puts block 1 (the first the ledger can settle; start_block 0) in epoch 29,912,345",
			"the first epoch this daemon would settle is 0 and the contract expects epoch 0 next: epochs 0 to 29,912,344 hold no block of the ledger",
			"With settle.first_epoch 0 use an epoch.start at or after 2026-11-15T11:04:02Z; 2026-11-15T11:05:01Z makes block 1 the first of epoch 0",
		}},
		{"start at the first block", at(t0+1, 0, 0, 0, 0), nil},
		{"start a little before the first block", at(t0-58, 0, 0, 0, 0), nil},
		{"start a whole epoch before the first block", at(t0-59, 0, 0, 0, 0), []string{"puts block 1 (the first the ledger can settle; start_block 0) in epoch 1"}},
		{"blocks before epoch 0 (the dev system)", at(t0+500, 0, 0, 0, 0), nil},
		{"start far in the future", at(t0+1_000_000, 0, 0, 0, 0), nil},
		{"first epoch ahead of the contract", at(t0+1, 3, 3, 1, 0), []string{
			"settle.first_epoch: the first epoch this daemon would settle is 3, but the contract expects epoch 1 next and accepts epochs only in order; use settle.first_epoch 1 or earlier",
		}},
		{"ledger ahead of the contract", at(t0+1, 0, 5, 3, 0), []string{"the first epoch this daemon would settle is 5 (settle.first_epoch 0; its ledger holds 0 to 4 as accepted), but the contract expects epoch 3 next"}},
		{"catching up on accepted epochs", at(t0+1, 0, 0, 10, 0), nil},
		{"restart after settling", at(t0+1, 0, 5, 5, 0), nil},
		{"epoch reaches back before start_block", at(t0+50, 0, 0, 0, 100), []string{
			"epoch.start 2026-11-15T11:05:50Z puts block 99, before start_block 100, in epoch 0, and the first epoch this daemon would settle is 0: the ledger lacks the history to compute it",
			"use an epoch.start at or after 2026-11-15T11:06:40Z; 2026-11-15T11:06:40Z makes block 100 the first of epoch 0",
		}},
		{"start_block opens epoch 0", at(t0+100, 0, 0, 0, 100), nil},
		{"later first epoch, start_block opens it", at(t0+100-120, 2, 2, 2, 100), nil},
		{"node short of the start block: only the order is judged", unknown, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Check()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrFirstEpoch) {
				t.Fatalf("error %v does not wrap ErrFirstEpoch", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\nlacks %q", err, w)
				}
			}
		})
	}
}

func TestGroup(t *testing.T) {
	t.Parallel()
	for n, want := range map[uint64]string{0: "0", 999: "999", 1000: "1,000", 29912345: "29,912,345", 1234567890: "1,234,567,890"} {
		if got := group(n); got != want {
			t.Errorf("group(%d) = %q, want %q", n, got, want)
		}
	}
}
