// Package retry calls an operation again after it fails, waiting longer
// after every failure (exponential backoff, with jitter), until it
// succeeds, fails permanently, runs out of attempts or time, or its context
// is done. Waiting goes through an injected Clock, so that tests run
// without sleeping.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// ErrExhausted is wrapped by Do's error when the policy's attempts or time
// ran out; the last attempt's error is wrapped too.
var ErrExhausted = errors.New("retries exhausted")

// Policy says how often and how long Do retries. The zero Policy retries
// without bound, from 100ms, doubling up to 1 minute, without jitter, on
// the system clock.
type Policy struct {
	// Initial is the wait after the first failure (0: 100ms).
	Initial time.Duration
	// Max caps one wait, before jitter (0: 1 minute).
	Max time.Duration
	// Multiplier grows the wait after every failure (below 1: 2).
	Multiplier float64
	// Jitter adds to every wait a random fraction of it, uniform in
	// [0, Jitter), so that clients that failed together do not retry
	// together (0: none).
	Jitter float64
	// MaxAttempts bounds the calls of the operation, the first one
	// included (0: no bound).
	MaxAttempts int
	// MaxElapsed bounds the time since the first call: Do gives up rather
	// than begin a wait that would end later (0: no bound).
	MaxElapsed time.Duration
	// Clock is where time comes from (nil: the system clock).
	Clock Clock
	// Rand returns uniform numbers in [0, 1) for the jitter (nil:
	// math/rand/v2). Tests make it deterministic.
	Rand func() float64
	// OnRetry, if set, is called after every failed attempt that is
	// retried, with the attempt's number (1 for the first), its error and
	// the wait before the next; for logging and counting.
	OnRetry func(attempt int, err error, wait time.Duration)
}

func (p Policy) withDefaults() Policy {
	if p.Initial <= 0 {
		p.Initial = 100 * time.Millisecond
	}
	if p.Max <= 0 {
		p.Max = time.Minute
	}
	if p.Multiplier < 1 {
		p.Multiplier = 2
	}
	if p.Clock == nil {
		p.Clock = System
	}
	if p.Rand == nil {
		p.Rand = rand.Float64
	}
	return p
}

// next returns the wait that follows wait, capped at Max. The comparison is
// in floating point so that a long run of failures cannot overflow.
func (p *Policy) next(wait time.Duration) time.Duration {
	if f := float64(wait) * p.Multiplier; f < float64(p.Max) {
		return time.Duration(f)
	}
	return p.Max
}

func (p *Policy) jittered(wait time.Duration) time.Duration {
	if p.Jitter <= 0 {
		return wait
	}
	return wait + time.Duration(p.Rand()*p.Jitter*float64(wait))
}

// Do calls fn until it returns nil, and returns nil. It stops early, and
// returns an error, when fn's error is permanent (marked with Permanent:
// that error, as fn returned it), when the policy's attempts or time run
// out (an error wrapping ErrExhausted and fn's last error), or when ctx is
// done (an error wrapping ctx.Err() and fn's last error, or ctx.Err()
// alone before the first call). fn gets ctx and should return promptly
// when it is done. Do calls fn from the calling goroutine only.
func Do(ctx context.Context, p Policy, fn func(ctx context.Context) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p = p.withDefaults()
	start := p.Clock.Now()
	wait := min(p.Initial, p.Max)
	for attempt := 1; ; attempt++ {
		err := fn(ctx)
		switch {
		case err == nil:
			return nil
		case IsPermanent(err):
			return err
		case ctx.Err() != nil:
			return fmt.Errorf("%w (%d attempts): %w", ctx.Err(), attempt, err)
		case p.MaxAttempts > 0 && attempt >= p.MaxAttempts:
			return fmt.Errorf("%w (%d attempts): %w", ErrExhausted, attempt, err)
		}
		d := p.jittered(wait)
		if p.MaxElapsed > 0 && p.Clock.Now().Add(d).Sub(start) > p.MaxElapsed {
			return fmt.Errorf("%w (%d attempts in %s): %w", ErrExhausted, attempt, p.Clock.Now().Sub(start), err)
		}
		if p.OnRetry != nil {
			p.OnRetry(attempt, err, d)
		}
		if cerr := p.Clock.Sleep(ctx, d); cerr != nil {
			return fmt.Errorf("%w (%d attempts): %w", cerr, attempt, err)
		}
		wait = p.next(wait)
	}
}

// permanent marks an error that retrying cannot cure.
type permanent struct{ err error }

func (e permanent) Error() string { return e.err.Error() }
func (e permanent) Unwrap() error { return e.err }

// Permanent marks err so that Do returns it at once instead of retrying.
// The mark keeps err's message and its chain for errors.Is and errors.As.
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent.
func IsPermanent(err error) bool {
	var p permanent
	return errors.As(err, &p)
}
