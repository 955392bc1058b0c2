package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/rpc"
	bolt "go.etcd.io/bbolt"

	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/rpcproxy"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// TestMain keeps the tests' header caches out of the user's cache
// directory: a request without CacheDir uses $XDG_CACHE_HOME's.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "audit-test-cache-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Setenv("XDG_CACHE_HOME", dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// headerCounter counts the header reads (eth_getHeaderByNumber and
// eth_getBlockByNumber calls) through a proxy:
// all of them, and those in batches (the bulk reads and the probes that
// prove a cached run canonical; Locate's single calls are not batched).
type headerCounter struct {
	all, batched atomic.Int64
}

func countHeaders(t *testing.T, target string) (*rpcproxy.Proxy, *headerCounter) {
	t.Helper()
	p, err := rpcproxy.Start(target, rpcproxy.Faults{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	c := &headerCounter{}
	p.SetIntercept(func(body []byte) bool {
		var msgs []struct{ Method string }
		batch := len(body) > 0 && bytes.TrimSpace(body)[0] == '['
		if batch {
			json.Unmarshal(body, &msgs)
		} else {
			msgs = make([]struct{ Method string }, 1)
			json.Unmarshal(body, &msgs[0])
		}
		for _, m := range msgs {
			if m.Method == "eth_getBlockByNumber" || m.Method == "eth_getHeaderByNumber" {
				c.all.Add(1)
				if batch {
					c.batched.Add(1)
				}
			}
		}
		return false
	})
	return p, c
}

// TestCacheReorg reads ranges of blocks through the cache: a second read
// fetches no header but the one that proves the run canonical, a longer
// range only the new blocks, and after a reorg that replaced cached
// blocks exactly those are fetched again; every read hands out what the
// node serves, as a read without the cache does.
func TestCacheReorg(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	n.Commit(t, n.Stake(t, 0, 1, 2e18))
	n.Mine(t, 150)
	n.Commit(t, n.Stake(t, 1, 2, 1e18))
	n.Mine(t, 150)
	proxy, count := countHeaders(t, n.Chain.RPCURL())
	client, err := rpc.Dial(proxy.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	f := follower.NewFetcher(follower.Config{Contract: n.Contract, CliqueEpoch: 50, BatchSize: 40}, client, nil)
	plain := &chainSource{f: f, batch: 40, workers: 3}
	ctx := context.Background()
	genesis, err := plain.hashAt(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cache, err := OpenCache(dir, n.Chain.ChainID().Uint64(), genesis, n.Contract, 50)
	if err != nil {
		t.Fatal(err)
	}
	defer cache.Close()
	cached := &chainSource{f: f, batch: 40, workers: 3, cache: cache}
	read := func(s *chainSource, from, to uint64) []ledger.Block {
		t.Helper()
		var out []ledger.Block
		if err := s.Blocks(ctx, from, to, func(bs []ledger.Block) error { out = append(out, bs...); return nil }); err != nil {
			t.Fatal(err)
		}
		if uint64(len(out)) != to-from+1 || out[0].Number != from {
			t.Fatalf("read %d-%d: %d blocks from %d", from, to, len(out), out[0].Number)
		}
		return out
	}
	// check reads [from, to] through the cache and wants fetched headers
	// read from the node and at most probes more calls.
	check := func(what string, from, to uint64, fetched, probes int64) {
		t.Helper()
		want := read(plain, from, to)
		count.all.Store(0)
		cached.fetched = 0
		got := read(cached, from, to)
		if int64(cached.fetched) != fetched || count.all.Load() > fetched+probes {
			t.Errorf("%s: fetched %d headers in %d calls, want %d headers and at most %d probes", what, cached.fetched, count.all.Load(), fetched, probes)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: the cache hands out other blocks than the node's", what)
		}
		var evs, wantEvs []ledger.Event
		cached.events = eventMemo{}
		if err := cached.Events(ctx, from, to, func(e []ledger.Event) error { evs = append(evs, e...); return nil }); err != nil {
			t.Fatal(err)
		}
		if err := f.FetchEvents(ctx, from, to, func(e []ledger.Event) error { wantEvs = append(wantEvs, e...); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(wantEvs) == 0 {
			t.Fatalf("%s: no events in %d-%d", what, from, to)
		}
		if !reflect.DeepEqual(evs, wantEvs) {
			t.Fatalf("%s: events %+v, the node's %+v", what, evs, wantEvs)
		}
	}
	check("first read", 0, 250, 251, 0)
	check("again", 0, 250, 0, 1)
	check("a sub-range", 60, 200, 0, 1)
	check("longer", 0, 290, 40, 1)
	check("from a later start", 100, 295, 5, 1)

	head := n.Chain.Head().Number.Uint64()
	const depth = 20 // replaces blocks head−19 … head, some of them cached
	if _, err := n.Chain.Reorg(devchain.Fork{Depth: depth, Length: depth + 1}); err != nil {
		t.Fatal(err)
	}
	stale := 295 - (head - depth + 1) + 1
	check("after the reorg", 0, 295, int64(stale), 12) // 1 + a binary search over 296 blocks
	check("again after the reorg", 0, 295, 0, 1)
}

// TestCacheRefused: a file that is not a header cache, the cache of
// another chain, and a cache in use are refused with an error naming the
// file.
func TestCacheRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	g1, g2 := common.HexToHash("0x01"), common.HexToHash("0x02")
	contract := common.HexToAddress("0xc0")
	c, err := OpenCache(dir, 7, g1, contract, 50)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.put([]ledger.Block{{Number: 1, Hash: common.HexToHash("0xb1")}}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenCache(dir, 7, g1, contract, 50); !errors.Is(err, ErrCache) || !strings.Contains(err.Error(), "another audit") {
		t.Errorf("second open: %v, want ErrCache: another audit", err)
	}
	// A malformed entry: a clear error naming the file, no panic.
	c.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketBlocks).Put(cacheKey(2, common.HexToHash("0xb2")), []byte{1, 2, 3})
	})
	noNode := func(context.Context, uint64) (common.Hash, error) { return common.Hash{}, errors.New("no node") }
	if _, err := c.plan(context.Background(), 0, 10, 1, noNode); !errors.Is(err, ErrCache) || !strings.Contains(err.Error(), c.Path()) || !strings.Contains(err.Error(), "block 2") {
		t.Errorf("malformed entry: %v", err)
	}
	path := c.Path()
	c.Close()

	foreign := filepath.Join(dir, fmt.Sprintf("chain-7-%x-%x-clique50.db", g2[:], contract[:]))
	raw, _ := os.ReadFile(path)
	os.WriteFile(foreign, raw, 0o600)
	if _, err := OpenCache(dir, 7, g2, contract, 50); !errors.Is(err, ErrCache) || !strings.Contains(err.Error(), foreign) || !strings.Contains(err.Error(), "not this chain's header cache") {
		t.Errorf("foreign cache: %v", err)
	}
	os.WriteFile(path, bytes.Repeat([]byte("not a database "), 1000), 0o600)
	if _, err := OpenCache(dir, 7, g1, contract, 50); !errors.Is(err, ErrCache) || !strings.Contains(err.Error(), path) {
		t.Errorf("garbage file: %v", err)
	}
}

// TestRunFullCached audits epoch 1 with --full twice through one cache:
// the second audit reads no header of the chain from the node but the
// probes proving the cached runs canonical, and every report equals the
// report of an audit without the cache.
func TestRunFullCached(t *testing.T) {
	t.Parallel()
	fx := settletest.NewSettlement(t)
	if err := fx.N.Chain.Run(context.Background(), []devchain.Step{{Blocks: 70}, {Blocks: 30, Offline: []int{2}}, {Blocks: 40}}); err != nil {
		t.Fatal(err)
	}
	fx.Pass(t)
	proxy, count := countHeaders(t, fx.N.Chain.RPCURL())
	cfg := settledConfig(t, fx, proxy.URL())
	audit := func(req Request) []byte {
		t.Helper()
		req.Config, req.Epoch, req.Full = &cfg, 1, true
		rep, err := Run(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Status != Match {
			t.Fatalf("status %s: %v %v", rep.Status, rep.Differences, rep.Undecided)
		}
		var buf bytes.Buffer
		rep.WriteJSON(&buf)
		return buf.Bytes()
	}
	want := audit(Request{NoCache: true})
	dir := t.TempDir()
	count.batched.Store(0)
	if got := audit(Request{CacheDir: dir}); !bytes.Equal(got, want) {
		t.Fatalf("report with an empty cache:\n%s\nwithout:\n%s", got, want)
	}
	first := count.batched.Load()
	count.batched.Store(0)
	if got := audit(Request{CacheDir: dir}); !bytes.Equal(got, want) {
		t.Fatalf("report with the cache filled:\n%s\nwithout:\n%s", got, want)
	}
	// Probes: the genesis, the top of the one cached run of epoch 1's
	// events, and of each epoch's headers (epoch 0's events are epoch 1's).
	if second := count.batched.Load(); second > 4 || first < 100 {
		t.Errorf("headers read in batches: %d with an empty cache, %d with the cache filled (want at most 4)", first, second)
	}
}
