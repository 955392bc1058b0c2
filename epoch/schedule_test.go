package epoch

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"testing"
)

// chainTimes serves block timestamps from a slice and counts the calls.
type chainTimes struct {
	times []uint64 // times[n] is block n's timestamp
	calls int
}

func (c *chainTimes) at(_ context.Context, n uint64) (uint64, error) {
	c.calls++
	if n >= uint64(len(c.times)) {
		return 0, fmt.Errorf("no block %d", n)
	}
	return c.times[n], nil
}

// locateRef is the linear scan over blocks 1…head: the epoch's blocks are
// those whose timestamp lies in [from, to); it is final once the first block
// at or after to has conf blocks on top of it.
func locateRef(s Schedule, k uint64, times []uint64, head, conf uint64) Bounds {
	from, to := s.Start+k*s.Length, s.Start+(k+1)*s.Length
	var in []uint64
	atOrAfterFrom := head + 1
	for n := uint64(1); n <= head; n++ {
		if times[n] >= from && times[n] < to {
			in = append(in, n)
		}
		if times[n] >= from && atOrAfterFrom == head+1 {
			atOrAfterFrom = n
		}
	}
	b := Bounds{Epoch: k}
	for n := uint64(1); n <= head; n++ {
		if times[n] >= to {
			b.Final = head-n >= conf
			break
		}
	}
	if len(in) > 0 {
		b.First, b.Last = in[0], in[len(in)-1]
	} else {
		b.Empty = true
		b.First, b.Last = atOrAfterFrom, atOrAfterFrom-1
	}
	return b
}

func TestLocateMatchesLinearScan(t *testing.T) {
	for trial := range 2000 {
		rng := rand.New(rand.NewPCG(uint64(trial), 5))
		n := 1 + rng.IntN(200)
		times := make([]uint64, n+1)
		times[0] = uint64(rng.IntN(1000))
		for i := 1; i <= n; i++ {
			step := uint64(rng.IntN(8))
			if rng.IntN(15) == 0 {
				step = uint64(rng.IntN(300)) // a stall: empty epochs
			}
			times[i] = times[i-1] + step
		}
		s := Schedule{Start: uint64(rng.IntN(1200)), Length: 1 + uint64(rng.IntN(60))}
		head := uint64(rng.IntN(n + 1))
		conf := uint64(rng.IntN(5))
		k := uint64(rng.IntN(40))
		if kk, ok := s.EpochOf(times[head]); ok && rng.IntN(2) == 0 {
			k = kk // the epoch the head is in, or one near it
			if rng.IntN(3) == 0 && k > 0 {
				k--
			}
		}
		ct := &chainTimes{times: times}
		got, err := Locate(context.Background(), s, k, head, conf, ct.at)
		if err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
		want := locateRef(s, k, times, head, conf)
		if got != want {
			t.Fatalf("trial %d: schedule %+v epoch %d head %d conf %d times %v:\ngot  %+v\nwant %+v", trial, s, k, head, conf, times[:head+1], got, want)
		}
		if limit := 2*bits.Len64(head+1) + 2; ct.calls > limit {
			t.Fatalf("trial %d: %d timeAt calls for head %d, limit %d", trial, ct.calls, head, limit)
		}
	}
}

func TestLocateCases(t *testing.T) {
	// Blocks 1–10 at times 10, 20, …, 100; the genesis (time 0) is in no epoch.
	times := make([]uint64, 11)
	for i := range times {
		times[i] = uint64(10 * i)
	}
	s := Schedule{Start: 0, Length: 30} // epoch 0 = [0,30), 1 = [30,60), …
	tests := []struct {
		name    string
		k, head uint64
		conf    uint64
		want    Bounds
	}{
		{name: "epoch 0 without the genesis", k: 0, head: 10, want: Bounds{Epoch: 0, First: 1, Last: 2, Final: true}},
		{name: "middle epoch", k: 1, head: 10, want: Bounds{Epoch: 1, First: 3, Last: 5, Final: true}},
		{name: "confirmations met exactly", k: 1, head: 10, conf: 4, want: Bounds{Epoch: 1, First: 3, Last: 5, Final: true}},
		{name: "one confirmation short", k: 1, head: 10, conf: 5, want: Bounds{Epoch: 1, First: 3, Last: 5}},
		{name: "conf 0: the next block's existence suffices", k: 1, head: 6, want: Bounds{Epoch: 1, First: 3, Last: 5, Final: true}},
		{name: "head inside the epoch", k: 1, head: 4, want: Bounds{Epoch: 1, First: 3, Last: 4}},
		{name: "head at the epoch's last block", k: 1, head: 5, want: Bounds{Epoch: 1, First: 3, Last: 5}},
		{name: "epoch after head", k: 5, head: 10, want: Bounds{Epoch: 5, First: 11, Last: 10, Empty: true}},
		{name: "last epoch so far", k: 3, head: 10, want: Bounds{Epoch: 3, First: 9, Last: 10}},
		{name: "only the genesis", k: 0, head: 0, want: Bounds{Epoch: 0, First: 1, Last: 0, Empty: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct := &chainTimes{times: times}
			got, err := Locate(context.Background(), s, tc.k, tc.head, tc.conf, ct.at)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}

	t.Run("empty final epoch", func(t *testing.T) {
		// A stall from 20 to 100 leaves epoch [30,60) and [60,90) without blocks.
		ct := &chainTimes{times: []uint64{0, 10, 20, 100, 110}}
		got, err := Locate(context.Background(), s, 1, 4, 1, ct.at)
		if err != nil {
			t.Fatal(err)
		}
		if want := (Bounds{Epoch: 1, First: 3, Last: 2, Empty: true, Final: true}); got != want {
			t.Fatalf("got %+v, want %+v", got, want)
		}
	})
	t.Run("decreasing timestamps", func(t *testing.T) {
		ct := &chainTimes{times: []uint64{0, 50, 40, 30, 20, 10, 5, 4, 3}}
		_, err := Locate(context.Background(), s, 1, 8, 0, ct.at)
		if !errors.Is(err, ErrNotMonotonic) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("timeAt error", func(t *testing.T) {
		ct := &chainTimes{times: times}
		_, err := Locate(context.Background(), s, 1, 50, 0, ct.at)
		if err == nil {
			t.Fatal("no error for a missing block")
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ct := &chainTimes{times: times}
		if _, err := Locate(ctx, s, 1, 10, 0, ct.at); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
		if ct.calls != 0 {
			t.Fatalf("%d calls after cancel", ct.calls)
		}
	})
	t.Run("bad schedule", func(t *testing.T) {
		ct := &chainTimes{times: times}
		if _, err := Locate(context.Background(), Schedule{}, 1, 10, 0, ct.at); !errors.Is(err, ErrSchedule) {
			t.Fatalf("got %v", err)
		}
		if _, err := Locate(context.Background(), Schedule{Start: 1, Length: math.MaxUint64 / 2}, 2, 10, 0, ct.at); !errors.Is(err, ErrEpochOverflow) {
			t.Fatalf("got %v", err)
		}
	})
}

func TestLocateCallsLogarithmic(t *testing.T) {
	const head = 10_000_000
	s := Schedule{Start: 1_695_608_495, Length: DefaultEpochLength}
	at := func(_ context.Context, n uint64) (uint64, error) { return s.Start + 6*n, nil }
	calls := 0
	counted := func(ctx context.Context, n uint64) (uint64, error) { calls++; return at(ctx, n) }
	b, err := Locate(context.Background(), s, 3, head, 200, counted)
	if err != nil {
		t.Fatal(err)
	}
	// 216,000 blocks of 6 s per 15-day epoch: epoch 3 is blocks 648000–863999.
	if want := (Bounds{Epoch: 3, First: 648_000, Last: 863_999, Final: true}); b != want {
		t.Fatalf("got %+v, want %+v", b, want)
	}
	if calls > 2*24+2 {
		t.Fatalf("%d calls", calls)
	}
	t.Logf("%d timeAt calls for head %d", calls, head)
}

func TestScheduleEpochOfAndSpan(t *testing.T) {
	s := Schedule{Start: 1000, Length: DefaultEpochLength}
	tests := []struct {
		t      uint64
		k      uint64
		wantOK bool
	}{
		{999, 0, false},
		{1000, 0, true},
		{1000 + DefaultEpochLength - 1, 0, true},
		{1000 + DefaultEpochLength, 1, true},
		{math.MaxUint64, (math.MaxUint64 - 1000) / DefaultEpochLength, true},
	}
	for _, tc := range tests {
		k, ok := s.EpochOf(tc.t)
		if ok != tc.wantOK || (ok && k != tc.k) {
			t.Errorf("EpochOf(%d) = %d, %v; want %d, %v", tc.t, k, ok, tc.k, tc.wantOK)
		}
		if ok {
			from, to, err := s.Span(k)
			if err == nil && (tc.t < from || tc.t >= to) {
				t.Errorf("Span(%d) = [%d,%d) does not contain %d", k, from, to, tc.t)
			}
		}
	}
	if _, ok := (Schedule{}).EpochOf(5); ok {
		t.Error("EpochOf with Length 0")
	}
	if err := (Schedule{Start: 5}).Check(); !errors.Is(err, ErrSchedule) {
		t.Errorf("Check: %v", err)
	}
	if _, _, err := s.Span(math.MaxUint64); !errors.Is(err, ErrEpochOverflow) {
		t.Errorf("Span(max): %v", err)
	}
}
