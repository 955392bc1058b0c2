package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// TestExportThenCalc exports two epochs of a real chain straight from its
// node and computes them, chaining the cumulative payouts.
func TestExportThenCalc(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	genesis := n.Chain.HeaderByNumber(0).Time
	n.Commit(t, n.Stake(t, 0, 0, 3e18))
	n.Commit(t, n.Stake(t, 1, 1, 1e18))
	if err := n.Chain.Run(context.Background(), []devchain.Step{{Blocks: 60}, {Blocks: 30, Offline: []int{2}}, {Blocks: 60}}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "rewardd.json")
	start := time.Unix(int64(genesis+1), 0).UTC().Format(time.RFC3339)
	os.WriteFile(cfg, []byte(fmt.Sprintf(`{
  "rpc_url": %q, "chain_id": %d, "contract": %q, "clique_epoch": 50, "confirmations": 3,
  "ledger_path": %q,
  "epoch": {"start": %q, "length": "60s"},
  "standing": {"window": 30, "threshold": 5}
}`, n.Chain.RPCURL(), n.Chain.ChainID().Uint64(), n.Contract.Hex(), filepath.Join(dir, "ledger.db"), start)), 0o600)

	in0, res0 := filepath.Join(dir, "in0.json"), filepath.Join(dir, "res0.json")
	if code, _, stderr := runCmd(t, "export", "--config", cfg, "--epoch", "0", "--rpc", n.Chain.RPCURL(), "--out", in0); code != 0 {
		t.Fatalf("export 0: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "calc", "--input", in0, "--out", res0); code != 0 {
		t.Fatalf("calc 0: exit %d: %s", code, stderr)
	}
	// Epoch 1 needs epoch 0's result.
	code, _, stderr := runCmd(t, "export", "--config", cfg, "--epoch", "1", "--rpc", n.Chain.RPCURL())
	if code != exitUsage || !strings.Contains(stderr, "--previous is required") {
		t.Fatalf("export 1 without --previous: exit %d: %s", code, stderr)
	}
	in1, ev1 := filepath.Join(dir, "in1.json"), filepath.Join(dir, "ev1.json")
	if code, _, stderr := runCmd(t, "export", "--config", cfg, "--epoch", "1", "--rpc", n.Chain.RPCURL(), "--previous", res0, "--out", in1, "--evidence", ev1); code != 0 {
		t.Fatalf("export 1: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCmd(t, "calc", "--input", in1)
	if code != 0 {
		t.Fatalf("calc 1: exit %d: %s", code, stderr)
	}
	offline := testnet.Addr(n.Signers[2]).Hex()
	if !strings.Contains(stdout, `{"validator": "`+offline+`", "eligible": false, "reason": "missed-slots"`) {
		t.Errorf("offline validator not ineligible in epoch 1:\n%s", stdout)
	}
	evidence, _ := os.ReadFile(ev1)
	if !strings.Contains(string(evidence), `"not_good_runs": [`) || !strings.Contains(string(evidence), offline) {
		t.Errorf("evidence:\n%s", evidence)
	}
	res1 := filepath.Join(dir, "res1.json")
	os.WriteFile(res1, []byte(stdout), 0o644)

	// --previous over HTTP gives the same input; a file of another epoch
	// is refused, naming the field, with nothing written; the first epoch
	// takes none.
	srv := httptest.NewServer(http.FileServer(http.Dir(dir)))
	defer srv.Close()
	if code, viaURL, stderr := runCmd(t, "export", "--config", cfg, "--epoch", "1", "--rpc", n.Chain.RPCURL(), "--previous", srv.URL+"/res0.json"); code != 0 {
		t.Fatalf("export 1 with a URL: exit %d: %s", code, stderr)
	} else if want, _ := os.ReadFile(in1); viaURL != string(want) {
		t.Error("export 1 with --previous as a URL differs from the file's")
	}
	out2 := filepath.Join(dir, "in2.json")
	for _, tc := range []struct {
		name, epoch, previous string
		code                  int
		want                  string
	}{
		{"result of another epoch", "2", res0, 1, "--previous " + res0 + ": epoch is 0, expected 1"},
		{"not a result", "2", in1, 1, "--previous " + in1},
		{"missing", "2", filepath.Join(dir, "nope.json"), 1, "not published"},
		{"first epoch", "0", res0, exitUsage, "--previous: epoch 0 is settle.first_epoch"},
		{"not final", "2", res1, 1, "not final"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, "export", "--config", cfg, "--epoch", tc.epoch, "--rpc", n.Chain.RPCURL(), "--previous", tc.previous, "--out", out2)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Fatalf("exit %d, want %d: %s (want %q)", code, tc.code, stderr, tc.want)
			}
			if _, err := os.Stat(out2); !os.IsNotExist(err) {
				t.Error("output written")
			}
		})
	}
}

func mustLoad(t *testing.T, path string) *config.Config {
	t.Helper()
	c, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return &c
}
