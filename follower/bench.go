package follower

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// BenchCompare measures, against the node at rpcURL, a bare batched
// header loop and the Follower over blocks 1..head: BareLoop with
// cfg.BatchSize and cfg.Concurrency (defaults 500 and 4), then a Follower
// with cfg (Contract and CliqueEpoch must be the chain's) on a Client
// (Dial) syncing a new
// ledger, in a temporary directory removed afterwards, from block 0 to
// head (Confirmations is ignored: head must be at most the node's head).
// It returns the wall-clock time of each; the follower's rate relative to
// the bare loop is bare/follow. Cancelling ctx stops it with ctx's error.
func BenchCompare(ctx context.Context, rpcURL string, cfg Config, head uint64) (bare, follow time.Duration, err error) {
	cfg = cfg.withDefaults()
	// One connection setup for both sides (no gzip to a loopback node):
	// the bare loop reads through go-ethereum's client over it, the
	// Follower through Client's lean batch path, as rewardd does.
	fc, err := Dial(ctx, rpcURL, cfg.Concurrency)
	if err != nil {
		return 0, 0, err
	}
	defer fc.Close()
	client := fc.Client
	var chainID hexutil.Big
	if err := client.CallContext(ctx, &chainID, "eth_chainId"); err != nil {
		return 0, 0, fmt.Errorf("chain id: %w", err)
	}
	// Both sides read headers by the same method (the one the Follower
	// picks for this node).
	method, err := fc.headerMethod(ctx)
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	if err := BareLoop(ctx, client, method, head, cfg.BatchSize, cfg.Concurrency); err != nil {
		return 0, 0, fmt.Errorf("bare loop: %w", err)
	}
	bare = time.Since(t0)
	if follow, err = benchFollow(ctx, fc, chainID.ToInt().Uint64(), cfg, head); err != nil {
		return 0, 0, err
	}
	return bare, follow, nil
}

// BareLoop is the baseline the follower is measured against: it fetches
// headers 1..head with method (eth_getHeaderByNumber or
// eth_getBlockByNumber, header only) in JSON-RPC batches of batch blocks,
// conc batches at a time, and decodes each into a types.Header
// (encoding/json); no checks, no logs, no storage. It returns the first
// error; cancelling ctx stops it.
func BareLoop(ctx context.Context, client *rpc.Client, method string, head uint64, batch, conc int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	next := make(chan uint64)
	for range conc {
		wg.Go(func() {
			for lo := range next {
				hi := min(lo+uint64(batch)-1, head)
				hs := make([]*types.Header, hi-lo+1)
				elems := make([]rpc.BatchElem, len(hs))
				for i := range elems {
					elems[i] = rpc.BatchElem{Method: method, Args: headerArgs(method, lo+uint64(i)), Result: &hs[i]}
				}
				err := client.BatchCallContext(ctx, elems)
				for i := range elems {
					if err == nil && elems[i].Error != nil {
						err = elems[i].Error
					}
					if err == nil && hs[i] == nil {
						err = fmt.Errorf("no block %d", lo+uint64(i))
					}
				}
				if err != nil {
					once.Do(func() { first = err; cancel() })
				}
			}
		})
	}
feed:
	for lo := uint64(1); lo <= head; lo += uint64(batch) {
		select {
		case next <- lo:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = ctx.Err()
	}
	return first
}

// benchFollow times a Follower with cfg following blocks 0..head into a
// new ledger in a temporary directory.
func benchFollow(ctx context.Context, client RPC, chainID uint64, cfg Config, head uint64) (time.Duration, error) {
	dir, err := os.MkdirTemp("", "follower-bench-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"), ledger.Identity{ChainID: chainID, Contract: cfg.Contract}, 0)
	if err != nil {
		return 0, err
	}
	defer l.Close()
	f := New(cfg, client, l, zap.NewNop())
	t0 := time.Now()
	if err := f.ingest(ctx, 0, head); err != nil {
		return 0, fmt.Errorf("follow: %w", err)
	}
	took := time.Since(t0)
	if next, err := l.Next(); err != nil || next != head+1 {
		return 0, fmt.Errorf("follow: ledger ends at %d (%v), want %d", next-1, err, head)
	}
	return took, nil
}
