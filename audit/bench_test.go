package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// BenchmarkAuditEpoch audits epoch 0 of BENCH_BLOCKS blocks (default
// 20,000) from the embedded chain over loopback HTTP, in this process:
// Clique epoch 30,000, the default standing window (14,400) and threshold,
// six stakes. The epoch's root is computed and accepted on chain first, so
// the audit runs every check (MATCH). Each iteration starts with an empty
// header cache (a fresh directory); the "warm" sub-benchmark reuses one.
// It reports blocks/s and the Go heap's peak in use (sampled).
func BenchmarkAuditEpoch(b *testing.B) {
	blocks := 20_000
	if s := os.Getenv("BENCH_BLOCKS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v <= 0 {
			b.Fatalf("BENCH_BLOCKS=%q", s)
		}
		blocks = v
	}
	cfg := benchChain(b, blocks)
	run := func(b *testing.B, cache func() string) {
		b.Helper()
		var peak uint64
		stop := sampleHeap(&peak)
		if f := os.Getenv("BENCH_CPUPROFILE"); f != "" { // the audit alone, not the mining
			out, err := os.Create(f)
			if err != nil {
				b.Fatal(err)
			}
			pprof.StartCPUProfile(out)
			defer func() { pprof.StopCPUProfile(); out.Close() }()
		}
		for b.Loop() {
			c := *cfg
			dir := cache()
			rep, err := Run(context.Background(), Request{Config: &c, Epoch: 0, CacheDir: dir, NoCache: dir == ""})
			if err != nil {
				b.Fatal(err)
			}
			if rep.Status != Match {
				b.Fatalf("status %s: %v %v", rep.Status, rep.Differences, rep.Undecided)
			}
		}
		stop()
		b.ReportMetric(float64(blocks)*float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
	}
	if os.Getenv("BENCH_OWN_PROCESS") != "" {
		benchOwnProcess(b, cfg, blocks)
		return
	}
	b.Run("cold", func(b *testing.B) { run(b, func() string { return b.TempDir() }) })
	b.Run("nocache", func(b *testing.B) { run(b, func() string { return "" }) })
	dir := b.TempDir()
	c := *cfg
	if _, err := Run(context.Background(), Request{Config: &c, Epoch: 0, CacheDir: dir}); err != nil { // fill the cache
		b.Fatal(err)
	}
	b.Run("warm", func(b *testing.B) { run(b, func() string { return dir }) })
}

// sampleHeap records the highest HeapInuse seen every 20 ms until stop.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			*peak = max(*peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// benchChain mines an epoch 0 of blocks blocks with six stakes on the
// embedded chain, accepts its root on chain and returns the audit's
// configuration.
func benchChain(b *testing.B, blocks int) *config.Config {
	b.Helper()
	n := testnet.New(b, testnet.Options{CliqueEpoch: 30000})
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		n.Commit(b, n.Stake(b, i%2, i%3, int64(1e18)*int64(i+1)))
	}
	start := time.Now()
	for mined := int(n.Chain.Head().Number.Uint64()); mined < blocks+20; mined += 1000 {
		n.Mine(b, 1000)
	}
	b.Logf("mined %d blocks in %s", n.Chain.Head().Number.Uint64(), time.Since(start).Round(time.Second))
	genesis := n.Chain.HeaderByNumber(0).Time
	cfg, err := config.Decode(strings.NewReader(fmt.Sprintf(`{"rpc_url": %q, "chain_id": %d, "contract": %q, "clique_epoch": 30000, "confirmations": 2,
  "epoch": {"start": %q, "length": "%ds"}}`, n.Chain.RPCURL(), n.Chain.ChainID().Uint64(), n.Contract.Hex(),
		time.Unix(int64(genesis+1), 0).UTC().Format(time.RFC3339), blocks)))
	if err != nil {
		b.Fatal(err)
	}
	data := epoch0Vote(b, &cfg, n.Chain.RPCURL())
	for _, k := range n.Signers[:2] { // 2 of 3 validators: a majority
		vote, err := n.Chain.SendTx(ctx, k, &n.Contract, nil, data)
		if err != nil {
			b.Fatal(err)
		}
		n.Commit(b, vote)
	}
	return &cfg
}

// epoch0Vote computes epoch 0 of cfg's chain from the node at url and
// returns the submitRoot calldata of its root.
func epoch0Vote(b *testing.B, cfg *config.Config, url string) []byte {
	b.Helper()
	ctx := context.Background()
	p, err := export.ParamsFrom(cfg)
	if err != nil {
		b.Fatal(err)
	}
	client, err := rpc.DialContext(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	ep, err := export.Export(ctx, export.RPCSource{F: follower.NewFetcher(export.FollowerConfig(cfg), client, zap.NewNop())}, p, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := calc.Compute(ep.Input)
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	if err := res.WriteJSON(&out); err != nil {
		b.Fatal(err)
	}
	total := new(big.Int)
	for _, po := range res.Payouts {
		total.Add(total, po.Cumulative.ToBig())
	}
	return contracts.NewValidatorSet().PackSubmitRoot(big.NewInt(0), res.MerkleRoot, total, crypto.Keccak256Hash(out.Bytes()))
}

// benchOwnProcess runs rewardctl audit in its own process against the
// embedded chain (this process), with GNU time for wall time and peak
// RSS: cold cache, no cache, warm cache.
func benchOwnProcess(b *testing.B, cfg *config.Config, blocks int) {
	if _, err := exec.LookPath("/usr/bin/time"); err != nil {
		b.Skip("needs GNU time (/usr/bin/time) for peak memory")
	}
	dir := b.TempDir()
	path := filepath.Join(dir, "rewardd.json")
	raw, _ := json.Marshal(map[string]any{"rpc_url": cfg.RPCURL, "chain_id": cfg.ChainID, "contract": cfg.Contract.Hex(),
		"clique_epoch": cfg.CliqueEpoch, "confirmations": cfg.Confirmations,
		"epoch": map[string]string{"start": time.Unix(int64(cfg.Schedule().Start), 0).UTC().Format(time.RFC3339), "length": fmt.Sprintf("%ds", blocks)}})
	os.WriteFile(path, raw, 0o600)
	bin := filepath.Join(dir, "rewardctl")
	if o, err := exec.Command("go", "build", "-o", bin, "../cmd/rewardctl").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, o)
	}
	rss := regexp.MustCompile(`maxrss=(\d+) wall=([0-9.]+)`)
	warm := filepath.Join(dir, "warm")
	for _, tc := range []struct {
		name  string
		cache func() []string
	}{
		{"cold", func() []string { return []string{"--cache-dir", b.TempDir()} }},
		{"nocache", func() []string { return []string{"--no-cache"} }},
		{"warm", func() []string { return []string{"--cache-dir", warm} }},
	} {
		audit := func(b *testing.B) []byte {
			args := append([]string{"-f", "maxrss=%M wall=%e", bin, "audit", "--epoch", "0", "--config", path}, tc.cache()...)
			o, err := exec.Command("/usr/bin/time", args...).CombinedOutput()
			if err != nil || !strings.Contains(string(o), "MATCH") {
				b.Fatalf("audit: %v\n%s", err, o)
			}
			return o
		}
		b.Run(tc.name, func(b *testing.B) {
			if tc.name == "warm" {
				audit(b) // fill the cache
			}
			for b.Loop() {
				o := audit(b)
				if m := rss.FindSubmatch(o); m != nil {
					kb, _ := strconv.ParseFloat(string(m[1]), 64)
					wall, _ := strconv.ParseFloat(string(m[2]), 64)
					b.ReportMetric(kb/1024, "peak-RSS-MiB")
					b.ReportMetric(float64(blocks)/wall, "blocks/s")
				}
			}
		})
	}
}
