package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// TestDevSystem runs the dev system (faster blocks than the default) and
// checks it with rewardctl as a person would: status, audits of several
// epochs (match), a tampered published result (mismatch), and the CSV
// report's totals against each epoch's result.
func TestDevSystem(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the dev system")
	}
	t.Parallel()
	rewardctl := filepath.Join(t.TempDir(), "rewardctl")
	if out, err := exec.Command("go", "build", "-o", rewardctl, "../rewardctl").CombinedOutput(); err != nil {
		t.Fatalf("build rewardctl: %v\n%s", err, out)
	}
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	var intro lockedBuffer
	done := make(chan error, 1)
	go func() { done <- runDev(ctx, dir, "127.0.0.1:0", 40*time.Millisecond, &intro, zap.NewNop()) }()
	defer func() { cancel(); <-done }()

	var apiURL string
	for deadline := time.Now().Add(30 * time.Second); apiURL == ""; {
		if time.Now().After(deadline) {
			t.Fatalf("no intro:\n%s", intro.String())
		}
		if i := strings.Index(intro.String(), "  api        "); i >= 0 {
			rest := intro.String()[i+len("  api        "):]
			apiURL = strings.TrimSpace(rest[:strings.IndexByte(rest, '\n')])
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitSettled(t, apiURL, 4, &intro)

	ctl := func(args ...string) (int, string) {
		cmd := exec.Command(rewardctl, args...)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		if ee, ok := err.(*exec.ExitError); ok {
			return ee.ExitCode(), out.String()
		} else if err != nil {
			t.Fatal(err)
		}
		return 0, out.String()
	}
	if code, out := ctl("status", "--api", apiURL); code != 0 || !strings.Contains(out, "healthy") {
		t.Fatalf("status: %d\n%s", code, out)
	}
	cfg := filepath.Join(dir, "rewardd.json")
	pub := filepath.Join(dir, "published")
	for e := 0; e < 4; e++ {
		_, _, _, result := settle.FileNames(uint64(e))
		code, out := ctl("audit", "--epoch", fmt.Sprint(e), "--config", cfg, "--result", filepath.Join(pub, result))
		if code != 0 || !strings.Contains(out, "MATCH") {
			t.Fatalf("audit epoch %d: exit %d\n%s", e, code, out)
		}
		if e == 2 && !strings.Contains(out, "INELIGIBLE: missed-slots") {
			t.Errorf("epoch 2 audit does not show the offline validator:\n%s", out)
		}
	}
	// A tampered copy of epoch 3's result: one amount moved between two
	// accounts, so the file stays internally consistent.
	_, _, _, result3 := settle.FileNames(3)
	raw, err := os.ReadFile(filepath.Join(pub, result3))
	if err != nil {
		t.Fatal(err)
	}
	res, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	tampered := filepath.Join(t.TempDir(), result3)
	a, b := &res.Payouts[0], &res.Payouts[1]
	a.Amount.AddUint64(&a.Amount, 1)
	a.Cumulative.AddUint64(&a.Cumulative, 1)
	b.Amount.SubUint64(&b.Amount, 1)
	b.Cumulative.SubUint64(&b.Cumulative, 1)
	tree, _ := merkleOf(res)
	res.Tree, res.MerkleRoot = tree, tree.Root()
	var buf bytes.Buffer
	res.WriteJSON(&buf)
	os.WriteFile(tampered, buf.Bytes(), 0o644)
	prev2 := filepath.Join(pub, func() string { _, _, _, r := settle.FileNames(2); return r }())
	if code, out := ctl("audit", "--epoch", "3", "--config", cfg, "--result", tampered, "--previous", prev2); code != 1 || !strings.Contains(out, a.Account.Hex()) {
		t.Fatalf("tampered audit: exit %d\n%s", code, out)
	}
	// The CSV report's amounts add up to each epoch's distributed_wei.
	code, out := ctl("report", "--epochs", "0-3", "--format", "csv", "--source", pub, "--config", cfg, "--out", filepath.Join(dir, "report.csv"))
	if code != 0 {
		t.Fatalf("report: exit %d\n%s", code, out)
	}
	f, _ := os.Open(filepath.Join(dir, "report.csv"))
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(rows) < 2 {
		t.Fatalf("report.csv: %v (%d rows)", err, len(rows))
	}
	sums := map[string]*bigSum{}
	for _, r := range rows[1:] {
		if sums[r[0]] == nil {
			sums[r[0]] = newBigSum()
		}
		sums[r[0]].add(r[7])
	}
	for e := 0; e < 4; e++ {
		_, _, _, name := settle.FileNames(uint64(e))
		raw, _ := os.ReadFile(filepath.Join(pub, name))
		r, err := calc.DecodeResult(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		if got := sums[fmt.Sprint(e)]; got == nil || got.String() != r.Distributed.Dec() {
			t.Errorf("epoch %d: CSV amounts sum to %v, distributed_wei %s", e, got, r.Distributed.Dec())
		}
	}
}
