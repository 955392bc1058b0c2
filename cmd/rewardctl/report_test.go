package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
	"github.com/shopspring/decimal"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/report"
)

func readCSV(t *testing.T, b []byte) [][]string {
	t.Helper()
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatalf("not RFC 4180 CSV: %v\n%s", err, b)
	}
	return rows
}

// TestReport reports settled epochs of a real chain: per validator and
// role from a publish directory with inputs, per account from the API,
// with totals equal to distributed_wei in a separate summary.
func TestReport(t *testing.T) {
	t.Parallel()
	s := newSettled(t)
	results := map[uint64]*calc.Result{}
	for k := uint64(0); k < 2; k++ {
		f, _ := os.Open(s.file(k, "result"))
		r, err := calc.DecodeResult(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		results[k] = r
	}
	cfgStart := mustLoad(t, s.cfg).Schedule()

	t.Run("csv from the publish directory", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "report.csv")
		code, stdout, stderr := runCmd(t, "report", "--epochs", "0-1", "--source", s.pub, "--config", s.cfg, "--out", out)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		data, _ := os.ReadFile(out)
		rows := readCSV(t, data)
		if !slices.Equal(rows[0], report.Header) {
			t.Fatalf("header %v", rows[0])
		}
		sums := map[string]*uint256.Int{"0": new(uint256.Int), "1": new(uint256.Int)}
		roles := map[string]bool{}
		for _, r := range rows[1:] {
			k, root := r[0], r[11]
			res := results[map[string]uint64{"0": 0, "1": 1}[k]]
			if root != res.MerkleRoot.Hex() || r[1] != itoa(res.FirstBlock) || r[2] != itoa(res.LastBlock) {
				t.Errorf("row %v", r)
			}
			n := map[string]uint64{"0": 0, "1": 1}[k]
			if want := time.Unix(int64(cfgStart.Start+(n+1)*cfgStart.Length), 0).UTC().Format(time.RFC3339); r[3] != want {
				t.Errorf("epoch_end_time %s, want %s", r[3], want)
			}
			roles[r[5]] = true
			if r[6] == "" {
				t.Errorf("breakdown row without validator: %v", r)
			}
			amt, err := uint256.FromDecimal(r[7])
			if err != nil {
				t.Fatal(err)
			}
			if d, _ := decimal.NewFromString(r[8]); !d.Shift(18).Equal(decimal.NewFromBigInt(amt.ToBig(), 0)) || len(strings.Split(r[8], ".")[1]) != 18 {
				t.Errorf("amount_cmt %s for %s wei", r[8], r[7])
			}
			i, ok := res.Tree.Lookup(commonAddr(t, r[4]))
			if !ok || res.Payouts[i].Cumulative.Dec() != r[9] {
				t.Errorf("cumulative of %s: %s", r[4], r[9])
			}
			sums[k].Add(sums[k], amt)
		}
		if !roles["validator"] || !roles["delegator"] {
			t.Errorf("roles %v", roles)
		}
		for k, res := range results {
			if got := sums[itoa(k)]; !got.Eq(&res.Distributed) {
				t.Errorf("epoch %d: rows sum to %s, distributed %s", k, got.Dec(), res.Distributed.Dec())
			}
		}
		// The totals are on standard output, not among the rows.
		sum := readCSV(t, []byte(stdout))
		if len(sum) != 3 || !slices.Equal(sum[0], report.TotalsHeader) || sum[1][4] != "yes" || sum[2][4] != "yes" ||
			sum[1][3] != results[0].Distributed.Dec() || sum[2][2] != results[1].Distributed.Dec() {
			t.Errorf("summary %v", sum)
		}
	})

	t.Run("json with a summary file", func(t *testing.T) {
		summary := filepath.Join(t.TempDir(), "summary.json")
		code, stdout, stderr := runCmd(t, "report", "--epoch", "1", "--format", "json", "--source", s.pub, "--config", s.cfg, "--summary", summary)
		if code != 0 || stderr != "" {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		var lines []report.Line
		if err := json.Unmarshal([]byte(stdout), &lines); err != nil || len(lines) == 0 {
			t.Fatalf("%v\n%s", err, stdout)
		}
		var totals []report.Total
		b, _ := os.ReadFile(summary)
		if err := json.Unmarshal(b, &totals); err != nil || len(totals) != 1 || !totals[0].Equal || totals[0].Lines != len(lines) ||
			totals[0].DistributedWei != results[1].Distributed.Dec() {
			t.Fatalf("summary %v: %s", err, b)
		}
	})

	// The API serves inputs too: the same lines, byte for byte, as from
	// the publish directory.
	t.Run("the same report from the API", func(t *testing.T) {
		code, fromDir, stderr := runCmd(t, "report", "--epochs", "0-1", "--source", s.pub, "--config", s.cfg)
		if code != 0 {
			t.Fatalf("directory: exit %d\n%s", code, stderr)
		}
		code, fromAPI, stderr := runCmd(t, "report", "--epochs", "0-1", "--source", s.apiServer(t), "--config", s.cfg)
		if code != 0 {
			t.Fatalf("API: exit %d\n%s", code, stderr)
		}
		if fromAPI != fromDir {
			t.Fatalf("API report differs from the directory's:\n%s\nwant\n%s", fromAPI, fromDir)
		}
		for _, r := range readCSV(t, []byte(fromAPI))[1:] {
			if (r[5] != "validator" && r[5] != "delegator") || r[6] == "" {
				t.Errorf("row %v", r)
			}
		}
		if sum := readCSV(t, []byte(stderr)); len(sum) != 3 || sum[1][4] != "yes" || sum[2][4] != "yes" {
			t.Errorf("summary on standard error: %q", stderr)
		}
	})

	// An epoch with blocks whose input is missing cannot be broken down:
	// an error, not a report of another shape.
	t.Run("input missing", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, s.file(1, "result"), filepath.Join(dir, filepath.Base(s.file(1, "result"))))
		out := filepath.Join(dir, "report.csv")
		code, _, stderr := runCmd(t, "report", "--epoch", "1", "--source", dir, "--config", s.cfg, "--out", out)
		if code != 1 || !strings.Contains(stderr, "input of epoch 1: not published") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("report written")
		}
	})

	t.Run("input that does not compute the published root", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, s.file(1, "result"), filepath.Join(dir, filepath.Base(s.file(1, "result"))))
		in, _ := os.ReadFile(s.file(1, "input"))
		in = bytes.Replace(in, []byte(`"validator_share_bps": 2000`), []byte(`"validator_share_bps": 2500`), 1)
		os.WriteFile(filepath.Join(dir, filepath.Base(s.file(1, "input"))), in, 0o644)
		out := filepath.Join(dir, "report.csv")
		code, _, stderr := runCmd(t, "report", "--epoch", "1", "--source", dir, "--config", s.cfg, "--out", out)
		if code != 1 || !strings.Contains(stderr, "computes merkle root") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Error("report written")
		}
	})

	t.Run("missing epoch", func(t *testing.T) {
		code, _, stderr := runCmd(t, "report", "--epochs", "1-2", "--source", s.apiServer(t), "--config", s.cfg)
		if code != 1 || !strings.Contains(stderr, "/v1/epochs/2/result: 404") {
			t.Fatalf("exit %d: %s", code, stderr)
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, c := range []struct {
			args []string
			flag string
		}{
			{[]string{"--epochs", "3-1"}, "--epochs"},
			{[]string{"--epochs", "x"}, "--epochs"},
			{[]string{"--epoch", "1", "--format", "xml"}, "--format"},
			{[]string{"--epoch", "1", "--epochs", "1-2"}, "--epochs"},
			{[]string{}, "--epoch"},
		} {
			args := append([]string{"report", "--config", s.cfg, "--source", s.pub}, c.args...)
			if code, _, stderr := runCmd(t, args...); code != exitUsage || !strings.Contains(stderr, c.flag) {
				t.Errorf("%v: exit %d: %s", c.args, code, stderr)
			}
		}
	})
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }

func commonAddr(t *testing.T, s string) common.Address {
	t.Helper()
	if !common.IsHexAddress(s) || common.HexToAddress(s).Hex() != s {
		t.Fatalf("%q is not an EIP-55 address", s)
	}
	return common.HexToAddress(s)
}
