package follower

import (
	"context"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap/zaptest"

	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// TestFetchBlocksPipeline: FetchBlocks hands over every batch in order,
// BatchSize blocks each (the last one shorter), with the events (3
// validators added, 4 stakes),
// however many batches are fetched at once; an error from fn stops it.
func TestFetchBlocksPipeline(t *testing.T) {
	t.Parallel()
	n := newTestNet(t)
	for i := range 4 {
		n.Commit(t, n.stake(t, i%3, int64(100+i)))
		n.Mine(t, 30)
	}
	head := n.Chain.Head().Number.Uint64()
	client, err := rpc.Dial(n.Chain.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	ctx := context.Background()
	for _, conc := range []int{1, 3, 8} {
		f := NewFetcher(Config{Contract: n.Contract, CliqueEpoch: 50, BatchSize: 7, Concurrency: conc}, client, zaptest.NewLogger(t))
		next, events := uint64(0), 0
		err := f.FetchBlocks(ctx, 0, head, func(bs []ledger.Block, evs []ledger.Event) error {
			if bs[0].Number != next || (len(bs) != 7 && bs[len(bs)-1].Number != head) {
				t.Fatalf("concurrency %d: batch %d-%d after %d", conc, bs[0].Number, bs[len(bs)-1].Number, next-1)
			}
			for i := range bs {
				if h := n.Chain.HeaderByNumber(bs[i].Number); h.Hash() != bs[i].Hash {
					t.Fatalf("block %d: hash %s, chain %s", bs[i].Number, bs[i].Hash, h.Hash())
				}
			}
			next = bs[len(bs)-1].Number + 1
			events += len(evs)
			return nil
		})
		if err != nil || next != head+1 || events != 4+3 {
			t.Fatalf("concurrency %d: ended before %d (head %d), %d events: %v", conc, next, head, events, err)
		}
		stop := errors.New("stop")
		calls := 0
		err = f.FetchBlocks(ctx, 0, head, func([]ledger.Block, []ledger.Event) error {
			calls++
			if calls == 3 {
				return stop
			}
			return nil
		})
		if !errors.Is(err, stop) || calls != 3 {
			t.Fatalf("concurrency %d: %d calls, error %v", conc, calls, err)
		}
	}
}
