package retry

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"testing/quick"
	"time"
)

var (
	errFlaky = errors.New("flaky")
	errFatal = errors.New("fatal")
	epoch0   = time.Unix(1_700_000_000, 0)
)

// failing returns an operation that fails n times with errFlaky (then
// succeeds) and counts its calls.
func failing(n int, calls *int) func(context.Context) error {
	return func(context.Context) error {
		*calls++
		if *calls <= n {
			return fmt.Errorf("call %d: %w", *calls, errFlaky)
		}
		return nil
	}
}

func TestDo(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	tests := []struct {
		name      string
		policy    Policy
		failures  int
		fn        func(calls *int) func(context.Context) error // overrides failures
		wantErr   []error                                      // errors.Is each; nil: success
		wantCalls int
		wantWaits []time.Duration
	}{
		{
			name:      "first call succeeds",
			policy:    Policy{Initial: 10 * ms},
			wantCalls: 1,
		},
		{
			name:      "exponential, capped",
			policy:    Policy{Initial: 10 * ms, Max: 50 * ms, Multiplier: 2},
			failures:  5,
			wantCalls: 6,
			wantWaits: []time.Duration{10 * ms, 20 * ms, 40 * ms, 50 * ms, 50 * ms},
		},
		{
			name:      "defaults",
			failures:  2,
			wantCalls: 3,
			wantWaits: []time.Duration{100 * ms, 200 * ms},
		},
		{
			name:      "attempts run out",
			policy:    Policy{Initial: 10 * ms, MaxAttempts: 3},
			failures:  10,
			wantErr:   []error{ErrExhausted, errFlaky},
			wantCalls: 3,
			wantWaits: []time.Duration{10 * ms, 20 * ms},
		},
		{
			name: "time runs out before a wait would end past it",
			// waits 10, 20, 40: the third would end at 70ms > 60ms.
			policy:    Policy{Initial: 10 * ms, MaxElapsed: 60 * ms},
			failures:  10,
			wantErr:   []error{ErrExhausted, errFlaky},
			wantCalls: 3,
			wantWaits: []time.Duration{10 * ms, 20 * ms},
		},
		{
			name:   "permanent error returned at once, as returned",
			policy: Policy{Initial: 10 * ms},
			fn: func(calls *int) func(context.Context) error {
				return func(context.Context) error {
					*calls++
					if *calls < 3 {
						return errFlaky
					}
					return fmt.Errorf("wrapped: %w", Permanent(errFatal))
				}
			},
			wantErr:   []error{errFatal},
			wantCalls: 3,
			wantWaits: []time.Duration{10 * ms, 20 * ms},
		},
		{
			name:      "jitter within [wait, wait·(1+Jitter))",
			policy:    Policy{Initial: 10 * ms, Jitter: 0.5, Rand: func() float64 { return 0.999 }},
			failures:  2,
			wantCalls: 3,
			wantWaits: []time.Duration{10*ms + 4995*time.Microsecond, 20*ms + 9990*time.Microsecond},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := NewFakeClock(epoch0)
			tt.policy.Clock = clock
			var calls int
			fn := failing(tt.failures, &calls)
			if tt.fn != nil {
				fn = tt.fn(&calls)
			}
			var notified int
			tt.policy.OnRetry = func(attempt int, err error, wait time.Duration) {
				notified++
				if attempt != notified || !errors.Is(err, errFlaky) {
					t.Errorf("OnRetry(%d, %v, %s) as retry %d", attempt, err, wait, notified)
				}
			}
			err := Do(context.Background(), tt.policy, fn)
			for _, want := range tt.wantErr {
				if !errors.Is(err, want) {
					t.Errorf("error %v, want one wrapping %v", err, want)
				}
			}
			if tt.wantErr == nil && err != nil {
				t.Errorf("error %v", err)
			}
			if calls != tt.wantCalls {
				t.Errorf("%d calls, want %d", calls, tt.wantCalls)
			}
			got := clock.Sleeps()
			if fmt.Sprint(got) != fmt.Sprint(tt.wantWaits) {
				t.Errorf("waits %v, want %v", got, tt.wantWaits)
			}
			if notified != len(got) {
				t.Errorf("OnRetry called %d times for %d waits", notified, len(got))
			}
		})
	}
}

func TestDoContext(t *testing.T) {
	t.Parallel()
	t.Run("done before the first call", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		var calls int
		if err := Do(ctx, Policy{Clock: NewFakeClock(epoch0)}, failing(0, &calls)); !errors.Is(err, context.Canceled) || calls != 0 {
			t.Fatalf("error %v after %d calls", err, calls)
		}
	})
	t.Run("done during an attempt", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		clock := NewFakeClock(epoch0)
		var calls int
		err := Do(ctx, Policy{Clock: clock}, func(context.Context) error {
			calls++
			if calls == 3 {
				cancel()
			}
			return errFlaky
		})
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) || calls != 3 || len(clock.Sleeps()) != 2 {
			t.Fatalf("error %v after %d calls, %d waits", err, calls, len(clock.Sleeps()))
		}
	})
	t.Run("system clock wait cut short", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		var calls int
		start := time.Now()
		err := Do(ctx, Policy{Initial: time.Hour}, func(context.Context) error {
			calls++
			time.AfterFunc(time.Millisecond, cancel)
			return errFlaky
		})
		if !errors.Is(err, context.Canceled) || calls != 1 || time.Since(start) > 10*time.Second {
			t.Fatalf("error %v after %d calls in %s", err, calls, time.Since(start))
		}
	})
}

// TestDoProperties: whatever the policy, the waits grow by the multiplier
// up to the cap, each jittered within its bound; the calls stop at the
// attempt bound; and no wait ends past the time bound.
func TestDoProperties(t *testing.T) {
	t.Parallel()
	prop := func(initialMs, maxMs uint16, mult10, jitter100, attempts, elapsedMs uint8, seed uint32) bool {
		r := seed
		p := Policy{
			Initial: time.Duration(initialMs%1000+1) * time.Millisecond, Max: time.Duration(maxMs%5000+1) * time.Millisecond,
			Multiplier: 1 + float64(mult10%30)/10, Jitter: float64(jitter100%101) / 100,
			MaxAttempts: int(attempts % 20), MaxElapsed: time.Duration(elapsedMs) * 50 * time.Millisecond,
			Rand: func() float64 { r = r*1664525 + 1013904223; return float64(r>>8) / (1 << 24) },
		}
		if p.MaxAttempts == 0 && p.MaxElapsed == 0 {
			p.MaxAttempts = 30 // keep it finite
		}
		clock := NewFakeClock(epoch0)
		p.Clock = clock
		var calls int
		err := Do(context.Background(), p, failing(1<<30, &calls))
		if !errors.Is(err, ErrExhausted) || !errors.Is(err, errFlaky) {
			t.Logf("error %v", err)
			return false
		}
		waits := clock.Sleeps()
		if len(waits) != calls-1 || (p.MaxAttempts > 0 && calls > p.MaxAttempts) {
			t.Logf("%d calls, %d waits, policy %+v", calls, len(waits), p)
			return false
		}
		var total time.Duration
		base := min(p.Initial, p.Max)
		for i, w := range waits {
			if w < base || float64(w) >= float64(base)*(1+p.Jitter)+1 {
				t.Logf("wait %d: %s outside [%s, %s·(1+%g))", i, w, base, base, p.Jitter)
				return false
			}
			total += w
			base = p.next(base)
		}
		if p.MaxElapsed > 0 && total > p.MaxElapsed {
			t.Logf("waited %s past the bound %s", total, p.MaxElapsed)
			return false
		}
		return true
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 500}); err != nil {
		t.Fatal(err)
	}
}

func TestPermanent(t *testing.T) {
	t.Parallel()
	if Permanent(nil) != nil {
		t.Fatal("Permanent(nil) is not nil")
	}
	err := fmt.Errorf("ctx: %w", Permanent(errFatal))
	if !IsPermanent(err) || !errors.Is(err, errFatal) || err.Error() != "ctx: fatal" {
		t.Fatalf("%v: permanent %v", err, IsPermanent(err))
	}
	if IsPermanent(errFatal) {
		t.Fatal("unmarked error is permanent")
	}
}
