// Package health keeps rewardd's own health facts — settlement passes
// failing in a row, the chain changing under the ledger — for the API's
// readiness check, and logs every change of the daemon's problems, so that
// the log, /healthz and /v1/status tell the same story.
package health

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/settle"
)

// Tracker counts consecutive failed settlement passes and holds the last
// chain identity check. It is safe for concurrent use.
type Tracker struct {
	maxFailed uint64
	log       *zap.Logger

	mu       sync.Mutex
	failed   uint64 // consecutive failed passes
	lastErr  error
	identity error
}

// NewTracker returns a Tracker that reports settlement as failing once
// maxFailed passes in a row have failed (settle.max_failed_passes).
func NewTracker(maxFailed uint64, log *zap.Logger) *Tracker {
	if log == nil {
		log = zap.NewNop()
	}
	return &Tracker{maxFailed: maxFailed, log: log}
}

// Pass records a settlement pass's outcome and logs it. A disputed epoch
// is not a failed pass: settlement stops on purpose, and the epoch's
// record says why. Any other error counts; a pass without one resets the
// count.
func (t *Tracker) Pass(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err == nil:
		if t.failed >= t.maxFailed {
			t.log.Info("settlement recovered", zap.Uint64("failed_passes", t.failed))
		}
		t.failed, t.lastErr = 0, nil
	case errors.Is(err, settle.ErrDisputed):
		t.log.Error("settlement halted", zap.Error(err))
	default:
		t.failed++
		t.lastErr = err
		if t.failed == t.maxFailed {
			t.log.Error("settlement failing: /healthz fails until a pass succeeds", zap.Uint64("failed_passes", t.failed), zap.Error(err))
		} else {
			t.log.Warn("settlement pass failed; the next trigger retries", zap.Uint64("failed_passes", t.failed), zap.Error(err))
		}
	}
}

// Identity records the outcome of a chain identity check (nil: the node
// serves the ledger's chain) and logs a change.
func (t *Tracker) Identity(err error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case err != nil && (t.identity == nil || t.identity.Error() != err.Error()):
		t.log.Error("the node no longer serves the ledger's chain: settlement paused", zap.Error(err))
	case err == nil && t.identity != nil:
		t.log.Info("the node serves the ledger's chain again")
	}
	t.identity = err
}

// Failed returns the number of consecutive failed passes.
func (t *Tracker) Failed() uint64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.failed
}

// Problems is the tracker's part of the readiness check (api.Options.Health).
func (t *Tracker) Problems(context.Context) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	if t.identity != nil {
		out = append(out, "chain identity: "+t.identity.Error())
	}
	if t.failed >= t.maxFailed {
		out = append(out, fmt.Sprintf("settlement failed %d passes in a row (bound settle.max_failed_passes %d): %v", t.failed, t.maxFailed, t.lastErr))
	}
	return out
}

// Watch logs the daemon's problems each time they change.
type Watch struct {
	log  *zap.Logger
	mu   sync.Mutex
	last []string
	seen bool
}

// NewWatch returns a Watch logging to log.
func NewWatch(log *zap.Logger) *Watch { return &Watch{log: log} }

// Update logs problems if they differ from the last ones: a warning
// listing them, or that the daemon is ready again. The first Update logs
// only problems.
func (w *Watch) Update(problems []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen && slices.Equal(problems, w.last) {
		return
	}
	switch {
	case len(problems) > 0:
		w.log.Warn("not ready: /healthz fails", zap.Strings("problems", problems))
	case w.seen:
		w.log.Info("ready: /healthz passes")
	}
	w.last, w.seen = slices.Clone(problems), true
}
