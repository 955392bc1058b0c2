package audit

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/benchchain"
)

// serveEnv names the chain directory TestServeBenchChain serves.
const serveEnv = "AUDIT_BENCH_SERVE_DIR"

// TestServeBenchChain is not a test: with AUDIT_BENCH_SERVE_DIR set, it
// serves that benchchain directory (BenchmarkAuditEpochProcess re-runs
// the test binary for it, so that the node has a process of its own),
// prints the node's URL on a line of its own and serves until its stdin
// closes. Without the variable it skips.
func TestServeBenchChain(t *testing.T) {
	dir := os.Getenv(serveEnv)
	if dir == "" {
		t.Skip("serves a benchchain directory for BenchmarkAuditEpochProcess")
	}
	url, stop, err := benchchain.Serve(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	fmt.Printf("URL %s\n", url)
	io.Copy(io.Discard, os.Stdin)
}

// BenchmarkAuditEpochProcess audits epoch 0 of a benchchain chain (a full
// 216,000-block epoch with staking history; BENCH_BLOCKS overrides the
// size) with rewardctl in its own process against the chain served by
// another process, and reports the cold audit's wall time (s/audit, an
// empty header cache), its peak RSS (GNU time), blocks/s, and the wall
// time of a second audit with the cache filled (warm-s/audit) and of one
// without the cache (nocache-s/audit). The chain is generated once into
// BENCH_CHAIN_DIR (default $TMPDIR/cmt-rewards-bench/audit-chain-vV-N)
// and epoch 0's root is voted on it there, so later runs start at once.
// BENCH_REWARDCTL names a rewardctl binary to use instead of building one.
func BenchmarkAuditEpochProcess(b *testing.B) {
	if _, err := exec.LookPath("/usr/bin/time"); err != nil {
		b.Skip("needs GNU time (/usr/bin/time) for peak memory")
	}
	o := benchchain.Options{EpochBlocks: benchchain.DefaultEpochBlocks}
	if s := os.Getenv("BENCH_BLOCKS"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v == 0 {
			b.Fatalf("BENCH_BLOCKS=%q", s)
		}
		o.EpochBlocks = v
	}
	dir := os.Getenv("BENCH_CHAIN_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "cmt-rewards-bench", fmt.Sprintf("audit-chain-v%d-%d", benchchain.Version, o.EpochBlocks))
	}
	r, err := benchchain.Load(dir)
	if err != nil {
		os.RemoveAll(dir)
		t0 := time.Now()
		if r, err = benchchain.Generate(dir, o); err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d blocks into %s in %s", r.Head, dir, time.Since(t0).Round(time.Second))
	}
	work := b.TempDir()
	cfgPath := filepath.Join(work, "rewardd.json")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`{"rpc_url": "http://127.0.0.1:1", "chain_id": %d, "contract": %q, "clique_epoch": %d, "confirmations": 2,
  "start_block": %d, "epoch": {"start": %q, "length": "%ds"}}`, r.ChainID, r.Contract.Hex(), r.CliqueEpoch, r.Deployed,
		r.EpochStartTime().Format(time.RFC3339), r.EpochLength)), 0o600)
	t0 := time.Now()
	voteEpoch0(b, dir, cfgPath)
	b.Logf("%s: epoch 0 accepted", time.Since(t0).Round(time.Millisecond))
	url := serveChain(b, dir)
	b.Logf("%s: served", time.Since(t0).Round(time.Millisecond))
	bin := os.Getenv("BENCH_REWARDCTL") // a rewardctl built already
	if bin == "" {
		bin = filepath.Join(work, "rewardctl")
		if o, err := exec.Command("go", "build", "-o", bin, "../cmd/rewardctl").CombinedOutput(); err != nil {
			b.Fatalf("build: %v\n%s", err, o)
		}
	}
	b.Logf("%s: built", time.Since(t0).Round(time.Millisecond))
	re := regexp.MustCompile(`maxrss=(\d+) wall=([0-9.]+) cpu=([0-9.]+)\+([0-9.]+)`)
	audit := func(cache ...string) (wall, rssMiB float64) {
		args := append([]string{"-f", "maxrss=%M wall=%e cpu=%U+%S", bin, "audit", "--epoch", "0", "--config", cfgPath, "--rpc", url}, cache...)
		out, err := exec.Command("/usr/bin/time", args...).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "MATCH") {
			b.Fatalf("audit: %v\n%s", err, out)
		}
		m := re.FindSubmatch(out)
		if m == nil {
			b.Fatalf("no GNU time figures in\n%s", out)
		}
		kb, _ := strconv.ParseFloat(string(m[1]), 64)
		wall, _ = strconv.ParseFloat(string(m[2]), 64)
		user, _ := strconv.ParseFloat(string(m[3]), 64)
		sys, _ := strconv.ParseFloat(string(m[4]), 64)
		b.Logf("audit %v: %.2fs wall, %.2fs CPU (user %.2f, sys %.2f), %.0f MiB peak", cache, wall, user+sys, user, sys, kb/1024)
		return wall, kb / 1024
	}
	blocks := float64(r.LastBlock - r.FirstBlock + 1)
	var warmDir string
	for b.Loop() {
		warmDir = b.TempDir()
		wall, rss := audit("--cache-dir", warmDir)
		b.ReportMetric(wall, "s/audit")
		b.ReportMetric(rss, "peak-RSS-MiB")
		b.ReportMetric(blocks/wall, "blocks/s")
	}
	wall, rss := audit("--cache-dir", warmDir)
	b.ReportMetric(wall, "warm-s/audit")
	b.ReportMetric(rss, "warm-peak-RSS-MiB")
	wall, _ = audit("--no-cache")
	b.ReportMetric(wall, "nocache-s/audit")
	b.ReportMetric(blocks, "blocks")
}

// serveChain serves the chain in dir from a process of its own (this
// test binary running TestServeBenchChain) until the benchmark ends, and
// returns its URL.
func serveChain(b *testing.B, dir string) string {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeBenchChain$", "-test.count=1")
	cmd.Env = append(os.Environ(), serveEnv+"="+dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { stdin.Close(); cmd.Wait() })
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if url, ok := strings.CutPrefix(sc.Text(), "URL "); ok {
			go io.Copy(io.Discard, stdout)
			return url
		}
	}
	b.Fatalf("the chain server printed no URL: %v", sc.Err())
	return ""
}

// voteEpoch0 computes epoch 0 of the chain in dir, served in this process
// for the time being, and has every signer vote its root unless the
// contract accepted one already.
func voteEpoch0(b *testing.B, dir, cfgPath string) {
	b.Helper()
	c, r, err := benchchain.Open(dir, true)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	vs := contracts.NewValidatorSet()
	next := func() uint64 {
		out, err := c.Client().CallContract(ctx, ethereumCall(r.Contract, vs.PackNextEpoch()), nil)
		if err != nil {
			b.Fatal(err)
		}
		n, err := vs.UnpackNextEpoch(out)
		if err != nil {
			b.Fatal(err)
		}
		return n.Uint64()
	}
	if next() > 0 {
		return
	}
	cfg, err := config.Load(cfgPath)
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Now()
	data := epoch0Vote(b, &cfg, c.RPCURL())
	for _, k := range r.SignerKeys() {
		if next() > 0 {
			break
		}
		tx, err := c.SendTx(ctx, k, &r.Contract, nil, data)
		if err != nil {
			continue // not a validator
		}
		c.Commit(tx)
	}
	if next() == 0 {
		b.Fatal("epoch 0's root was not accepted")
	}
	b.Logf("computed and voted epoch 0 in %s", time.Since(t0).Round(time.Second))
}

func ethereumCall(to common.Address, data []byte) ethereum.CallMsg {
	return ethereum.CallMsg{To: &to, Data: data}
}
