// Command bench prints issue 12's performance table: each figure of the
// project side by side with its baseline, measured in the same run on the
// same machine, as a ratio and as absolute numbers.
//
//	go run ./tools/bench [-rounds 3] [-only calc,tree,follower,audit,chain] [-dir DIR]
//
// (make bench). Rows:
//   - calc: `rewardctl calc --out --tree` on a full epoch (216,000 blocks,
//     1,000,000 delegations) vs Python's json.load of the same file; peak RSS.
//   - tree: `rewardctl calc` end to end on a 50,000-delegator epoch vs
//     OpenZeppelin's StandardMerkleTree.of on its payout leaves alone (needs
//     node and tools/ozjs/node_modules).
//   - follower: the follower vs a bare batched header loop on one real
//     geth v1.13.15 in its own process (needs geth); both read headers by
//     eth_getHeaderByNumber.
//   - audit: `rewardctl audit` of one 216,000-block epoch against a node in
//     its own process.
//   - chain: the embedded Clique chain generating a 216,000-block epoch with
//     its staking history.
//
// Runs of the two sides alternate and medians are compared, so a busy
// machine slows both alike. Inputs are cached in DIR (default
// $TMPDIR/cmt-rewards-bench), keyed by the generator's version.
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/cmt-rewards/cmt-rewards/internal/benchgen"
	"github.com/cmt-rewards/cmt-rewards/internal/keccak8"
)

// row is one line of the table.
type row struct {
	what, project, baseline, ratio, goal, met string
}

type bench struct {
	ctx    context.Context
	dir    string
	rounds int
	rows   []row
	logf   func(format string, args ...any)
}

func main() {
	rounds := flag.Int("rounds", 3, "runs of each side (medians are compared)")
	only := flag.String("only", "calc,tree,follower,audit,chain", "comma-separated rows to measure")
	dir := flag.String("dir", filepath.Join(os.TempDir(), "cmt-rewards-bench"), "cache directory for inputs and binaries")
	flag.Parse()
	if *rounds < 1 {
		fmt.Fprintln(os.Stderr, "bench: -rounds must be at least 1")
		os.Exit(64)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	b := &bench{ctx: context.Background(), dir: *dir, rounds: *rounds,
		logf: func(f string, a ...any) { fmt.Fprintf(os.Stderr, f+"\n", a...) }}
	steps := map[string]func() error{
		"calc": b.calc, "tree": b.tree, "follower": b.follower, "audit": b.audit, "chain": b.chain,
	}
	failed := false
	for _, name := range strings.Split(*only, ",") {
		step, ok := steps[strings.TrimSpace(name)]
		if !ok {
			fmt.Fprintf(os.Stderr, "bench: -only: unknown row %q (want calc, tree, follower, audit or chain)\n", name)
			os.Exit(64)
		}
		if err := step(); err != nil {
			b.logf("%s: %v", name, err)
			b.rows = append(b.rows, row{what: name, project: "error: " + firstLine(err.Error())})
			failed = true
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("\ncmt-rewards bench: %s %s/%s, %d cores, load %s, keccak8 accelerated %v, %d rounds\n\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), strings.Join(strings.Fields(string(load))[:min(3, len(strings.Fields(string(load))))], " "),
		keccak8.Accelerated(), b.rounds)
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "row\tproject\tbaseline\tratio\tgoal\tmet")
	for _, r := range b.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.what, r.project, r.baseline, r.ratio, r.goal, r.met)
	}
	tw.Flush()
	if failed {
		os.Exit(1)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func yesNo(ok bool) string {
	if ok {
		return "yes"
	}
	return "no"
}

// run is one child process's wall time and peak resident memory.
type run struct {
	wall time.Duration
	rss  int64 // bytes
	out  []byte
}

// measure runs the command and returns its wall time and peak RSS.
func (b *bench) measure(name string, args ...string) (run, error) {
	cmd := exec.CommandContext(b.ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	t0 := time.Now()
	err := cmd.Run()
	wall := time.Since(t0)
	if err != nil {
		return run{}, fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, tail(errb.Bytes()))
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss * 1024
	}
	return run{wall: wall, rss: rss, out: out.Bytes()}, nil
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// rewardctl builds the binary once per bench run.
func (b *bench) rewardctl() (string, error) {
	path := filepath.Join(b.dir, "rewardctl")
	cmd := exec.CommandContext(b.ctx, "go", "build", "-o", path, "./cmd/rewardctl")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %w: %s", err, out)
	}
	return path, nil
}

// input writes the benchmark epoch of the given shape once.
func (b *bench) input(name string, s benchgen.Shape) (string, error) {
	path := filepath.Join(b.dir, fmt.Sprintf("%s-v%d-%d.json", name, benchgen.Version, s.Delegations))
	if fi, err := os.Stat(path); err == nil && fi.Size() > 0 {
		return path, nil
	}
	b.logf("generating %s ...", path)
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	err = benchgen.Epoch(s, 1).WriteJSON(w)
	if err == nil {
		err = w.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// calc: rewardctl calc on the full epoch vs python3 json.load.
func (b *bench) calc() error {
	bin, err := b.rewardctl()
	if err != nil {
		return err
	}
	in, err := b.input("full-epoch", benchgen.FullEpoch)
	if err != nil {
		return err
	}
	if _, err := exec.LookPath("python3"); err != nil {
		return errors.New("python3 not found: it is the baseline")
	}
	out := filepath.Join(b.dir, "out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	var ct, pt []time.Duration
	var peak int64
	for r := 0; r < b.rounds; r++ {
		c, err := b.measure(bin, "calc", "--input", in, "--out", filepath.Join(out, "result.json"), "--tree", filepath.Join(out, "tree.json"))
		if err != nil {
			return err
		}
		p, err := b.measure("python3", "-c", "import json,sys; json.load(open(sys.argv[1]))", in)
		if err != nil {
			return err
		}
		ct, pt = append(ct, c.wall), append(pt, p.wall)
		peak = max(peak, c.rss)
		b.logf("calc round %d: rewardctl calc %.2fs (peak %d MiB), python json.load %.2fs", r+1, c.wall.Seconds(), c.rss>>20, p.wall.Seconds())
	}
	c, p := median(ct), median(pt)
	ratio := c.Seconds() / p.Seconds()
	b.rows = append(b.rows,
		row{what: "calc full epoch, 1M delegations (wall)", project: fmt.Sprintf("%.2f s", c.Seconds()),
			baseline: fmt.Sprintf("python json.load %.2f s", p.Seconds()), ratio: fmt.Sprintf("%.2f×", ratio), goal: "≤ 0.50×", met: yesNo(ratio <= 0.5)},
		row{what: "calc full epoch (peak RSS)", project: fmt.Sprintf("%d MiB", peak>>20), goal: "≤ 1024 MiB", met: yesNo(peak <= 1<<30)})
	return nil
}

// smallEpoch is the 50,000-delegator epoch: 216,000 blocks, 5,000
// events; about 50,000 payout leaves.
var smallEpoch = benchgen.Shape{Blocks: 216_000, Validators: 21, Candidates: 5, Delegations: 105_000, Events: 5_000, Runs: 3, Previous: 8_000}

// tree: rewardctl calc end to end on the 50k epoch vs OZ building the tree
// of its leaves.
func (b *bench) tree() error {
	if _, err := exec.LookPath("node"); err != nil {
		return errors.New("node not found (OpenZeppelin's tree is the baseline)")
	}
	if _, err := os.Stat("tools/ozjs/node_modules"); err != nil {
		return errors.New("tools/ozjs/node_modules missing: cd tools/ozjs && npm ci")
	}
	bin, err := b.rewardctl()
	if err != nil {
		return err
	}
	in, err := b.input("epoch-50k", smallEpoch)
	if err != nil {
		return err
	}
	res, dump := filepath.Join(b.dir, "small-result.json"), filepath.Join(b.dir, "small-tree.json")
	reRoot := regexp.MustCompile(`leaves=(\d+) root=(0x[0-9a-f]+) best=(\d+) ms`)
	var ct, ot []time.Duration
	var leaves string
	for r := 0; r < b.rounds; r++ {
		c, err := b.measure(bin, "calc", "--input", in, "--out", res, "--tree", dump)
		if err != nil {
			return err
		}
		o, err := b.measure("node", "tools/ozjs/ofdump.js", dump, "1")
		if err != nil {
			return err
		}
		m := reRoot.FindSubmatch(o.out)
		if m == nil {
			return fmt.Errorf("ofdump.js printed %q", o.out)
		}
		doc, err := os.ReadFile(res)
		if err != nil {
			return err
		}
		if !bytes.Contains(doc, []byte(`"merkle_root": "`+string(m[2])+`"`)) {
			return fmt.Errorf("OpenZeppelin's root %s is not the result's merkle_root", m[2])
		}
		ms, _ := strconv.Atoi(string(m[3]))
		leaves = string(m[1])
		ct, ot = append(ct, c.wall), append(ot, time.Duration(ms)*time.Millisecond)
		b.logf("tree round %d: rewardctl calc %.3fs, OZ StandardMerkleTree.of %d ms (%s leaves, same root)", r+1, c.wall.Seconds(), ms, leaves)
	}
	c, o := median(ct), median(ot)
	ratio := c.Seconds() / o.Seconds()
	b.rows = append(b.rows, row{what: fmt.Sprintf("calc 50k-delegator epoch (%s leaves), end to end", leaves), project: fmt.Sprintf("%.3f s", c.Seconds()),
		baseline: fmt.Sprintf("OZ tree build %.2f s", o.Seconds()), ratio: fmt.Sprintf("%.4f×", ratio), goal: "≤ 0.05×", met: yesNo(ratio <= 0.05)})
	return nil
}

// goBench runs one Go benchmark once and returns its reported metrics by
// unit (ns/op and every b.ReportMetric).
func (b *bench) goBench(pkg, name string, env ...string) (map[string]float64, error) {
	cmd := exec.CommandContext(b.ctx, "go", "test", "-count=1", "-run", "^$", "-bench", "^"+name+"$", "-benchtime", "1x", "-timeout", "60m", pkg)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("go test -bench %s %s: %w: %s", name, pkg, err, tail(out))
	}
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], name) {
			continue
		}
		if strings.Contains(line, "SKIP") {
			break
		}
		m := map[string]float64{}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return nil, fmt.Errorf("%s: metric %q: %w", name, f[i+1], err)
			}
			m[f[i+1]] = v
		}
		return m, nil
	}
	return nil, fmt.Errorf("%s printed no result (skipped?): %s", name, tail(out))
}

func need(m map[string]float64, units ...string) error {
	for _, u := range units {
		if _, ok := m[u]; !ok {
			return fmt.Errorf("benchmark reported no %q metric", u)
		}
	}
	return nil
}

// follower: the follower vs a bare batched header loop on one real geth.
func (b *bench) follower() error {
	m, err := b.goBench("./follower/", "BenchmarkFollowGeth")
	if err != nil {
		return err
	}
	if err := need(m, "bare-blocks/s", "follower-blocks/s", "ratio", "blocks"); err != nil {
		return err
	}
	b.rows = append(b.rows, row{what: fmt.Sprintf("follower, %.0f blocks from geth v1.13.15 (own process)", m["blocks"]),
		project: fmt.Sprintf("%.0f blocks/s", m["follower-blocks/s"]), baseline: fmt.Sprintf("bare batched loop %.0f blocks/s", m["bare-blocks/s"]),
		ratio: fmt.Sprintf("%.2f×", m["ratio"]), goal: "≥ 0.90×", met: yesNo(m["ratio"] >= 0.9)})
	return nil
}

// audit: one 216,000-block epoch from a node in its own process.
func (b *bench) audit() error {
	m, err := b.goBench("./audit/", "BenchmarkAuditEpochProcess")
	if err != nil {
		return err
	}
	if err := need(m, "s/audit", "peak-RSS-MiB", "blocks"); err != nil {
		return err
	}
	b.rows = append(b.rows, row{what: fmt.Sprintf("rewardctl audit, one %.0f-block epoch (node in its own process)", m["blocks"]),
		project: fmt.Sprintf("%.1f s, %.0f MiB peak", m["s/audit"], m["peak-RSS-MiB"]), goal: "≤ 15 s", met: yesNo(m["s/audit"] <= 15)})
	return nil
}

// chain: the embedded chain generating a full epoch with staking history.
func (b *bench) chain() error {
	m, err := b.goBench("./internal/benchchain/", "BenchmarkGenerateEpoch")
	if err != nil {
		return err
	}
	if err := need(m, "s/run", "blocks/s", "blocks"); err != nil {
		return err
	}
	b.rows = append(b.rows, row{what: fmt.Sprintf("embedded chain, %.0f blocks with staking history (%.0f txs)", m["blocks"], m["txs"]),
		project: fmt.Sprintf("%.1f s (%.0f blocks/s)", m["s/run"], m["blocks/s"]), goal: "≤ 60 s", met: yesNo(m["s/run"] <= 60)})
	return nil
}
