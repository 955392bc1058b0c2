package follower

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// BenchmarkFollowEpoch ingests one epoch of blocks (216,000 by default;
// BENCH_BLOCKS overrides) from a local node (the embedded Clique chain over
// loopback HTTP) and, in the same run against the same node, a bare batched
// eth_getBlockByNumber loop with the same batch size and concurrency. The
// figure is the ratio of the two rates.
func BenchmarkFollowEpoch(b *testing.B) {
	blocks := 216_000
	if s := os.Getenv("BENCH_BLOCKS"); s != "" {
		blocks, _ = strconv.Atoi(s)
	}
	n := testnet.New(b, testnet.Options{CliqueEpoch: 30000})
	start := time.Now()
	for mined := 0; mined < blocks; {
		n.Commit(b, n.Stake(b, 0, mined%3, int64(1+mined)))
		step := min(1000, blocks-mined)
		n.Mine(b, step)
		mined += step
	}
	head := n.Chain.Head().Number.Uint64()
	b.Logf("mined %d blocks in %s", head, time.Since(start).Round(time.Second))
	client, err := rpc.Dial(n.Chain.RPCURL())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	const batch, conc = 500, 4

	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if err := bareLoop(client, head, batch, conc); err != nil {
			b.Fatal(err)
		}
		bare := time.Since(t0)

		l, err := ledger.Open(filepath.Join(b.TempDir(), "l.db"), ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
		if err != nil {
			b.Fatal(err)
		}
		f := New(Config{Contract: n.Contract, CliqueEpoch: 30000, BatchSize: batch, Concurrency: conc}, client, l, zap.NewNop())
		t1 := time.Now()
		if got, err := f.SyncOnce(context.Background()); err != nil || got != head {
			b.Fatalf("synced to %d: %v", got, err)
		}
		follow := time.Since(t1)
		l.Close()
		bareRate := float64(head) / bare.Seconds()
		followRate := float64(head) / follow.Seconds()
		b.ReportMetric(bareRate, "bare-blocks/s")
		b.ReportMetric(followRate, "follower-blocks/s")
		b.ReportMetric(followRate/bareRate, "ratio")
	}
}

// bareLoop fetches headers 1..head in JSON-RPC batches, conc batches at a
// time, and decodes them; no checks, no logs, no storage.
func bareLoop(client *rpc.Client, head uint64, batch, conc int) error {
	var wg sync.WaitGroup
	errs := make(chan error, conc)
	next := make(chan uint64)
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for lo := range next {
				hi := min(lo+uint64(batch)-1, head)
				hs := make([]*types.Header, hi-lo+1)
				elems := make([]rpc.BatchElem, len(hs))
				for i := range elems {
					elems[i] = rpc.BatchElem{Method: "eth_getBlockByNumber", Args: []any{hexutil.Uint64(lo + uint64(i)), false}, Result: &hs[i]}
				}
				if err := client.BatchCallContext(context.Background(), elems); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	for lo := uint64(1); lo <= head; lo += uint64(batch) {
		next <- lo
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
		return nil
	}
}
