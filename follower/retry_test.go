package follower

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/cmt-rewards/cmt-rewards/internal/retry"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

var errDown = errors.New("node down")

// scriptedRPC answers CallContext from a script: the n-th call of a method
// gets replies[method][n] (the last one repeats): a JSON result, or an
// error. before, if set, runs before every call. Batches are not scripted.
type scriptedRPC struct {
	mu      sync.Mutex
	replies map[string][]any // string (JSON) or error
	calls   map[string]int
	before  func(method string, n int)
}

func (s *scriptedRPC) CallContext(ctx context.Context, result any, method string, _ ...any) error {
	s.mu.Lock()
	n := s.calls[method]
	s.calls[method]++
	script := s.replies[method]
	s.mu.Unlock()
	if s.before != nil {
		s.before(method, n)
	}
	if len(script) == 0 {
		return fmt.Errorf("unscripted %s", method)
	}
	switch r := script[min(n, len(script)-1)].(type) {
	case error:
		return r
	case string:
		return json.Unmarshal([]byte(r), result)
	}
	panic("bad script")
}

func (s *scriptedRPC) BatchCallContext(context.Context, []rpc.BatchElem) error {
	return errors.New("unscripted batch")
}

func fails(n int, then string) []any {
	out := make([]any, 0, n+1)
	for range n {
		out = append(out, errDown)
	}
	return append(out, then)
}

// checkBackoff demands that waits are the jittered exponential backoff from
// initial: wait i in [initial·2^i, initial·2^i·1.5), capped at most.
func checkBackoff(t *testing.T, waits []time.Duration, initial, most time.Duration) {
	t.Helper()
	base := initial
	for i, w := range waits {
		if w < base || w >= base+base/2+1 {
			t.Errorf("wait %d: %s, want [%s, %s)", i, w, base, base+base/2)
		}
		base = min(2*base, most)
	}
}

// TestFetchEventsRetries: a failing span is retried with backoff on the
// injected clock (nothing sleeps), every failure counted, until it
// succeeds, the attempts run out, or the context is done.
func TestFetchEventsRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		failures  int
		cancel    bool
		want      error // nil: success
		wantWaits int
	}{
		{name: "recovers", failures: 3, wantWaits: 3},
		{name: "attempts run out", failures: 10, want: retry.ErrExhausted, wantWaits: 4},
		{name: "cancelled", failures: 10, cancel: true, want: context.Canceled, wantWaits: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			node := &scriptedRPC{replies: map[string][]any{"eth_getLogs": fails(tt.failures, "[]")}, calls: map[string]int{}}
			if tt.cancel {
				// The second attempt's first call finds the context done.
				node.before = func(_ string, n int) {
					if n == 1 {
						cancel()
					}
				}
			}
			clock := retry.NewFakeClock(time.Unix(0, 0))
			f := NewFetcher(Config{Contract: common.Address{1}, Attempts: 5, RetryDelay: 100 * time.Millisecond, Clock: clock}, node, nil)
			var got int
			err := f.FetchEvents(ctx, 1, 100, func(evs []ledger.Event) error { got++; return nil })
			if tt.want == nil && (err != nil || got != 1) {
				t.Fatalf("error %v, %d spans", err, got)
			}
			if tt.want != nil && (!errors.Is(err, tt.want) || got != 0) {
				t.Fatalf("error %v, %d spans; want %v", err, got, tt.want)
			}
			waits := clock.Sleeps()
			if len(waits) != tt.wantWaits {
				t.Fatalf("waits %v, want %d", waits, tt.wantWaits)
			}
			checkBackoff(t, waits, 100*time.Millisecond, 10*time.Second)
			if f.RPCErrors() == 0 {
				t.Fatal("failures not counted")
			}
		})
	}
}

// TestRunBacksOffThenPolls: Run retries a failing sync with growing waits
// and, once a sync succeeds, waits the poll interval, all on the injected
// clock; cancelling stops it with nil.
func TestRunBacksOffThenPolls(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l, err := ledger.Open(filepath.Join(t.TempDir(), "l.db"), ledger.Identity{ChainID: 1}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// Four failures, then a head below the confirmations: a successful
	// sync with nothing to ingest. The sixth look cancels.
	node := &scriptedRPC{replies: map[string][]any{"eth_blockNumber": fails(4, `"0x3"`)}, calls: map[string]int{},
		before: func(_ string, n int) {
			if n == 5 {
				cancel()
			}
		}}
	clock := retry.NewFakeClock(time.Unix(0, 0))
	f := New(Config{Confirmations: 5, RetryDelay: 10 * time.Second, PollInterval: time.Minute, Clock: clock}, node, l, nil)
	if err := f.Run(ctx); err != nil {
		t.Fatalf("Run: %v", err)
	}
	waits := clock.Sleeps()
	if len(waits) != 5 || waits[4] != time.Minute {
		t.Fatalf("waits %v: want 4 backoffs and a poll", waits)
	}
	checkBackoff(t, waits[:4], 10*time.Second, 30*time.Second)
	if f.Stats.RPCErrors.Load() != 4 || f.Stats.ChainHead.Load() != 3 {
		t.Fatalf("RPC errors %d, chain head %d", f.Stats.RPCErrors.Load(), f.Stats.ChainHead.Load())
	}
}

func TestNewNeedsLedger(t *testing.T) {
	t.Parallel()
	defer func() {
		if recover() == nil {
			t.Fatal("New without a ledger did not panic")
		}
	}()
	New(Config{}, &scriptedRPC{}, nil, nil)
}
