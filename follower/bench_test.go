package follower

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"

	"github.com/cmt-rewards/cmt-rewards/internal/gethnet"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

const benchBatch, benchConc = 500, 4

func benchBlocks(def int) int {
	if s := os.Getenv("BENCH_BLOCKS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			panic("BENCH_BLOCKS: " + s)
		}
		return n
	}
	return def
}

// mineBench mines blocks blocks on n with a stake every 300 blocks (so
// about one block in 300 has contract logs) and returns the head.
func mineBench(b *testing.B, n *testnet.Net, blocks int) uint64 {
	start := time.Now()
	for mined := 0; mined < blocks; {
		n.Commit(b, n.Stake(b, mined%2, mined%3, int64(1+mined)))
		step := min(300, blocks-mined)
		n.Mine(b, step)
		mined += step
	}
	head := n.Chain.Head().Number.Uint64()
	b.Logf("mined %d blocks in %s", head, time.Since(start).Round(time.Second))
	return head
}

// reportCompare runs the bare loop (BareLoop) and the follower against
// url, rounds times (BENCH_ROUNDS, default 3), alternating which goes
// first, and reports the best rate of each, the median of the rounds'
// ratios, and (with nodePID, the node's process) the ratio of CPU time
// per block, node and client together: what the ratio tends to when the
// host's cores are the bottleneck.
func reportCompare(b *testing.B, url string, contract common.Address, head uint64, nodePID int) {
	rounds := 3
	if s := os.Getenv("BENCH_ROUNDS"); s != "" {
		rounds, _ = strconv.Atoi(s)
	}
	cfg := Config{Contract: contract, CliqueEpoch: 30000, BatchSize: benchBatch, Concurrency: benchConc}
	// As BenchCompare: one connection setup (no gzip to the loopback
	// node); the bare loop reads through go-ethereum's client over it, the
	// follower through the Client's lean batch path, as rewardd does.
	fc, err := Dial(context.Background(), url, benchConc)
	if err != nil {
		b.Fatal(err)
	}
	defer fc.Close()
	client := fc.Client
	var chainID hexutil.Big
	if err := client.Call(&chainID, "eth_chainId"); err != nil {
		b.Fatal(err)
	}
	method, err := fc.headerMethod(context.Background()) // both sides use it
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("headers by %s", method)
	// run times one of the two and the CPU time the node and this process
	// spent meanwhile.
	run := func(follow bool) (wall, cpu time.Duration) {
		node0, self0 := procCPU(nodePID), procCPU(os.Getpid())
		t0 := time.Now()
		if follow {
			if _, err := benchFollow(context.Background(), fc, chainID.ToInt().Uint64(), cfg, head); err != nil {
				b.Fatal(err)
			}
		} else if err := BareLoop(context.Background(), client, method, head, benchBatch, benchConc); err != nil {
			b.Fatal(err)
		}
		wall = time.Since(t0)
		return wall, procCPU(nodePID) - node0 + procCPU(os.Getpid()) - self0
	}
	for b.Loop() {
		var bestBare, bestFollow, cpuBare, cpuFollow time.Duration
		var ratios []float64
		for r := range max(rounds, 1) {
			var bare, follow, bc, fc time.Duration
			if r%2 == 0 {
				bare, bc = run(false)
				follow, fc = run(true)
			} else {
				follow, fc = run(true)
				bare, bc = run(false)
			}
			cpuBare, cpuFollow = cpuBare+bc, cpuFollow+fc
			ratios = append(ratios, bare.Seconds()/follow.Seconds())
			b.Logf("round %d: bare %s (%.0f blocks/s, CPU %s), follower %s (%.0f blocks/s, CPU %s), ratio %.3f", r,
				bare.Round(time.Millisecond), float64(head)/bare.Seconds(), bc, follow.Round(time.Millisecond), float64(head)/follow.Seconds(), fc,
				bare.Seconds()/follow.Seconds())
			if bestBare == 0 || bare < bestBare {
				bestBare = bare
			}
			if bestFollow == 0 || follow < bestFollow {
				bestFollow = follow
			}
		}
		slices.Sort(ratios)
		b.ReportMetric(float64(head)/bestBare.Seconds(), "bare-blocks/s")
		b.ReportMetric(float64(head)/bestFollow.Seconds(), "follower-blocks/s")
		b.ReportMetric(ratios[len(ratios)/2], "ratio")
		b.ReportMetric(float64(head), "blocks")
		if nodePID != 0 {
			b.ReportMetric(cpuBare.Seconds()/cpuFollow.Seconds(), "cpu-ratio")
		}
	}
}

// BenchmarkFollowEpoch compares the follower with a bare batched
// eth_getBlockByNumber loop (BareLoop, same batch size and concurrency)
// against the embedded Clique chain over loopback HTTP, in this process,
// over 216,000 blocks (BENCH_BLOCKS overrides). The node shares this
// process's CPU. Reported as by BenchmarkFollowGeth, without cpu-ratio.
func BenchmarkFollowEpoch(b *testing.B) {
	n := testnet.New(b, testnet.Options{CliqueEpoch: 30000})
	head := mineBench(b, n, benchBlocks(216_000))
	reportCompare(b, n.Chain.RPCURL(), n.Contract, head, 0)
}

// benchChain is what BenchmarkFollowGeth keeps of a chain it imported.
type benchChain struct {
	Contract    common.Address
	ChainID     uint64
	GenesisHash common.Hash
	Head        uint64
	HeadHash    common.Hash
}

// BenchmarkFollowGeth compares the follower with a bare batched
// eth_getBlockByNumber loop (BareLoop, same batch size and concurrency)
// against a real geth 1.13.15 in its own process, serving a chain of
// 100,000 blocks (BENCH_BLOCKS overrides) mined on the embedded chain
// (no block award, which stock geth would reject; a stake every 300
// blocks) and imported with gethnet.Import. The imported datadir is kept
// in $TMPDIR/cmt-rewards-follow-geth-<blocks> (BENCH_GETH_DIR overrides)
// and reused by later runs. It reports the best rate of each, the median
// ratio of BENCH_ROUNDS rounds (default 3; the order alternates) and the
// ratio of CPU time (geth's and this process's) per block. It is skipped
// without geth.
func BenchmarkFollowGeth(b *testing.B) {
	if _, err := gethnet.FindGeth(); err != nil {
		b.Skipf("geth %s not found, so no real node to follow (bash .ci/install-geth.sh): %v", gethnet.GethVersion, err)
	}
	blocks := benchBlocks(100_000)
	dir := os.Getenv("BENCH_GETH_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("cmt-rewards-follow-geth-%d", blocks))
	}
	ctx := context.Background()
	metaPath := filepath.Join(dir, "chain.json")
	var meta benchChain
	cfg := gethnet.ImportConfig{Dir: filepath.Join(dir, "node"), Logf: b.Logf}
	if raw, err := os.ReadFile(metaPath); err == nil {
		if err := json.Unmarshal(raw, &meta); err != nil {
			b.Fatal(err)
		}
		b.Logf("reusing the geth datadir in %s", dir)
	} else {
		if err := os.RemoveAll(dir); err != nil {
			b.Fatal(err)
		}
		// Old enough that geth does not take the last block for a future one.
		genesisTime := uint64(time.Now().Unix()) - 2*uint64(blocks) - 3600
		n := testnet.New(b, testnet.Options{NoAwards: true, CliqueEpoch: 30000, GenesisTime: genesisTime})
		head := mineBench(b, n, blocks)
		ex, err := gethnet.ExportChain(ctx, n.Chain.Backend().ChainDb(), n.Chain.Backend().BlockChain(), head, filepath.Join(dir, "export"))
		if err != nil {
			b.Fatal(err)
		}
		meta = benchChain{Contract: n.Contract, ChainID: n.Chain.ChainID().Uint64(), GenesisHash: ex.GenesisHash, Head: head, HeadHash: ex.HeadHash}
		cfg.Genesis, cfg.Blocks = ex.GenesisPath, ex.BlocksPath
	}
	cfg.ChainID, cfg.GenesisHash = meta.ChainID, meta.GenesisHash
	node, err := gethnet.Import(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer node.Close()
	head, hash, err := node.Head(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if head != meta.Head || hash != meta.HeadHash {
		b.Fatalf("geth's head is %d (%s), want %d (%s)", head, hash, meta.Head, meta.HeadHash)
	}
	if cfg.Blocks != "" {
		raw, _ := json.Marshal(meta)
		if err := os.WriteFile(metaPath, raw, 0o644); err != nil {
			b.Fatal(err)
		}
		os.RemoveAll(filepath.Join(dir, "export"))
	}
	b.Logf("geth %s serves %d blocks", node.URL(), head)
	reportCompare(b, node.URL(), meta.Contract, head, node.PID())
}

// procCPU returns the user+system CPU time of process pid so far (Linux;
// 0 elsewhere or on error).
func procCPU(pid int) time.Duration {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// Fields after the parenthesised command: state is field 3; utime and
	// stime are fields 14 and 15, in clock ticks (100 per second).
	s := string(raw)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseUint(f[11], 10, 64)
	st, _ := strconv.ParseUint(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}
