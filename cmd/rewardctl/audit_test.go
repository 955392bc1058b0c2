package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/audit"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// TestAudit audits epochs a real chain settled, published and accepted:
// they match from their published files, from the API, and recomputed
// from the first epoch; a tampered result, an epoch not final and a
// previous file the chain did not accept are caught.
func TestAudit(t *testing.T) {
	t.Parallel()
	s := newSettled(t)
	n := s.fx.N
	offline := testnet.Addr(n.Signers[2]).Hex()
	user0 := testnet.Addr(n.Users[0]).Hex()
	signer0 := testnet.Addr(n.Signers[0]).Hex()

	t.Run("epoch 0", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "0", "--result", s.file(0, "result"))
		if code != 0 || !strings.Contains(stdout, "MATCH: epoch 0") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if stderr != "" {
			t.Errorf("stderr on a non-terminal: %q", stderr)
		}
	})

	t.Run("epoch 1 with the previous beside the result", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--result", s.file(1, "result"))
		if code != 0 || !strings.Contains(stdout, "MATCH: epoch 1") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		// The offline validator: missed slots, not in good standing,
		// ineligible, and the missed blocks as evidence.
		var line, evidence string
		lines := strings.Split(stdout, "\n")
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), offline) {
				line, evidence = l, lines[i+2]
			}
		}
		if !strings.Contains(line, "NOT in good standing") || !strings.Contains(line, "INELIGIBLE: missed-slots") ||
			!regexp.MustCompile(`missed ([1-9][0-9]*) slots`).MatchString(line) {
			t.Errorf("offline validator line: %q\n%s", line, stdout)
		}
		if !regexp.MustCompile(`missed blocks: [0-9]+, [0-9]+`).MatchString(evidence) {
			t.Errorf("offline validator evidence: %q", evidence)
		}
		if !strings.Contains(stdout, "cumulative amounts before: result of epoch 0") {
			t.Errorf("previous not read beside the result:\n%s", stdout)
		}
	})

	t.Run("address with --previous", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--previous", s.file(0, "result"), "--address", user0)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if !regexp.MustCompile(`delegator +`+signer0+` +[1-9][0-9]* wei`).MatchString(stdout) || !strings.Contains(stdout, "proof verifies against the on-chain root") {
			t.Errorf("account split:\n%s", stdout)
		}
	})

	t.Run("full recomputation", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--full", "--address", signer0, "--result", s.file(1, "result"))
		if code != 0 || !strings.Contains(stdout, "recomputed 1 epoch(s) from chain data") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		if !regexp.MustCompile(`validator +`+signer0+` +[1-9][0-9]* wei`).MatchString(stdout) || !strings.Contains(stdout, "proof verifies") {
			t.Errorf("validator's split:\n%s", stdout)
		}
	})

	t.Run("header cache", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "headers")
		var outs []string
		for _, args := range [][]string{{"--cache-dir", dir}, {"--cache-dir", dir}, {"--no-cache"}} {
			code, stdout, stderr := runCmd(t, append([]string{"audit", "--config", s.cfg, "--epoch", "1", "--full", "--result", s.file(1, "result")}, args...)...)
			if code != 0 || !strings.Contains(stdout, "MATCH: epoch 1") {
				t.Fatalf("%v: exit %d\n%s\n%s", args, code, stdout, stderr)
			}
			outs = append(outs, stdout)
		}
		if outs[1] != outs[0] || outs[2] != outs[0] {
			t.Errorf("reports differ with the cache empty, filled and off:\n%s\n%s\n%s", outs[0], outs[1], outs[2])
		}
		if files, _ := filepath.Glob(filepath.Join(dir, "chain-*.db")); len(files) != 1 {
			t.Errorf("cache files in %s: %v, want one", dir, files)
		}
		files, _ := filepath.Glob(filepath.Join(dir, "chain-*.db"))
		os.WriteFile(files[0], bytes.Repeat([]byte("x"), 8192), 0o600)
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--full", "--cache-dir", dir)
		if code != exitUndecided || !strings.Contains(stderr, files[0]) || !strings.Contains(stderr, "header cache") {
			t.Errorf("corrupted cache: exit %d\n%s\n%s", code, stdout, stderr)
		}
	})

	t.Run("json", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--previous", s.file(0, "tree"), "--json", "--address", user0)
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		var rep audit.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		if rep.Status != "match" || len(rep.Validators) != 3 || rep.Account == nil || rep.Account.ProofVerifies == nil || !*rep.Account.ProofVerifies ||
			rep.Previous == nil || rep.Previous.Kind != "tree" || rep.Recomputed.Root != rep.Chain.Root {
			t.Fatalf("report %+v", rep)
		}
		for _, v := range rep.Validators {
			if v.Validator == offline && (v.GoodStanding || v.Eligible || len(v.MissedBlocks) == 0 || len(v.MissedBlocks) != v.MissedSlots || len(v.NotGoodRuns) == 0) {
				t.Errorf("offline validator %+v", v)
			}
		}
	})

	t.Run("over http", func(t *testing.T) {
		for _, url := range []string{s.fileServer(t) + "/epoch-000001-result.json", s.apiServer(t) + "/v1/epochs/1/result"} {
			code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--result", url)
			if code != 0 || !strings.Contains(stdout, "MATCH") {
				t.Fatalf("%s: exit %d\n%s\n%s", url, code, stdout, stderr)
			}
		}
	})

	t.Run("tampered result", func(t *testing.T) {
		dir := t.TempDir()
		copyFile(t, s.file(0, "result"), filepath.Join(dir, "epoch-000000-result.json"))
		raw, _ := os.ReadFile(s.file(1, "result"))
		re := regexp.MustCompile(`("account": "` + user0 + `", "amount_wei": ")([0-9]+)`)
		m := re.FindSubmatch(raw)
		if m == nil {
			t.Fatalf("no payout of %s in\n%s", user0, raw)
		}
		amt, _ := uint256.FromDecimal(string(m[2]))
		amt.AddUint64(amt, 1)
		raw = re.ReplaceAll(raw, []byte("${1}"+amt.Dec()))
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		tampered := filepath.Join(dir, "epoch-000001-result.json")
		os.WriteFile(tampered, raw, 0o644)
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--result", tampered)
		if code != 1 || !strings.Contains(stdout, "account "+user0+" amount_wei: published "+amt.Dec()) ||
			!strings.Contains(stdout, "hashes to") || !strings.Contains(stdout, "MISMATCH") || !strings.Contains(stderr, "does not match") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		code, stdout, _ = runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--result", tampered, "--json")
		var rep audit.Report
		if err := json.Unmarshal([]byte(stdout), &rep); err != nil || code != 1 || rep.Status != "mismatch" || len(rep.Differences) < 2 {
			t.Fatalf("json: exit %d, %v\n%s", code, err, stdout)
		}
	})

	t.Run("not final", func(t *testing.T) {
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "2", "--full")
		if code != 2 || !strings.Contains(stderr, "not final") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		code, stdout, _ = runCmd(t, "audit", "--config", s.cfg, "--epoch", "2", "--full", "--json")
		if code != 2 || !strings.Contains(stdout, `"status": "undecided"`) {
			t.Fatalf("json: exit %d\n%s", code, stdout)
		}
	})

	// A previous file whose root is not the one the chain accepted cannot
	// supply the cumulative amounts: the audit cannot decide (exit 2) and
	// says so, rather than blaming epoch 1 for an input it was not given.
	t.Run("previous not accepted on chain", func(t *testing.T) {
		one := uint256.NewInt(1)
		tree, err := merkle.Build([]merkle.Leaf{{Account: testnet.Addr(n.Users[0]), Cumulative: one}})
		if err != nil {
			t.Fatal(err)
		}
		bogus := filepath.Join(t.TempDir(), "tree.json")
		f, _ := os.Create(bogus)
		tree.WriteDump(f)
		f.Close()
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--previous", bogus, "--result", s.file(1, "result"))
		if code != 2 || !strings.Contains(stderr, "but the contract accepted") || !strings.Contains(stderr, "cannot be trusted") || stdout != "" {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
		// The wrong epoch's result is refused too.
		code, _, stderr = runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--previous", s.file(1, "result"))
		if code != 2 || !strings.Contains(stderr, "is the result of epoch 1, not of epoch 0") {
			t.Fatalf("exit %d\n%s", code, stderr)
		}
	})

	// Parameters other than the ones the chain settled with: the
	// recomputation differs from the chain and from the published file,
	// account by account.
	t.Run("different parameters", func(t *testing.T) {
		b, _ := os.ReadFile(s.cfg)
		other := filepath.Join(t.TempDir(), "other.json")
		os.WriteFile(other, bytes.Replace(b, []byte(`"rewards": {`), []byte(`"rewards": {"validator_share_bps": 2500, `), 1), 0o600)
		code, stdout, stderr := runCmd(t, "audit", "--config", other, "--epoch", "1", "--full", "--result", s.file(1, "result"))
		if code != 1 || !strings.Contains(stdout, "epoch 0: recomputed merkle root") || !strings.Contains(stdout, "account "+user0+" amount_wei: published") ||
			!strings.Contains(stdout, "MISMATCH  recomputed merkle root equals epochRoot(1).root") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})

	t.Run("public parameters with --rpc and --contract", func(t *testing.T) {
		b, _ := os.ReadFile(s.cfg)
		b = regexp.MustCompile(`"rpc_url": "[^"]*", `).ReplaceAll(b, nil)
		b = regexp.MustCompile(`"contract": "[^"]*", `).ReplaceAll(b, nil)
		public := filepath.Join(t.TempDir(), "public.json")
		os.WriteFile(public, b, 0o600)
		if code, _, stderr := runCmd(t, "audit", "--config", public, "--epoch", "0"); code != 2 || !strings.Contains(stderr, "rpc_url") {
			t.Fatalf("without --rpc: exit %d: %s", code, stderr)
		}
		code, stdout, stderr := runCmd(t, "audit", "--config", public, "--epoch", "0", "--rpc", n.Chain.RPCURL(), "--contract", n.Contract.Hex())
		if code != 0 || !strings.Contains(stdout, "MATCH") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})

	t.Run("node and contract", func(t *testing.T) {
		code, _, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "0", "--contract", "0x000000000000000000000000000000000000dEaD")
		if code != 2 || !strings.Contains(stderr, "no contract at 0x000000000000000000000000000000000000dEaD") {
			t.Errorf("wrong contract: exit %d: %s", code, stderr)
		}
		code, _, stderr = runCmd(t, "audit", "--config", s.cfg, "--epoch", "0", "--rpc", "http://127.0.0.1:1")
		if code != 2 || !strings.Contains(stderr, "http://127.0.0.1:1") {
			t.Errorf("unreachable node: exit %d: %s", code, stderr)
		}
	})

	t.Run("usage", func(t *testing.T) {
		for _, args := range [][]string{
			{"--config", s.cfg},
			{"--epoch", "1"},
			{"--config", s.cfg, "--epoch", "1"},
			{"--config", s.cfg, "--epoch", "1", "--full", "--previous", s.file(0, "result")},
			{"--config", s.cfg, "--epoch", "1", "--full", "--address", "0x12"},
		} {
			if code, _, stderr := runCmd(t, append([]string{"audit"}, args...)...); code != exitUsage || !strings.Contains(stderr, "--") {
				t.Errorf("%v: exit %d: %s", args, code, stderr)
			}
		}
	})

	// Last, as it moves the chain on: epoch 2 is final but the contract
	// has not accepted it.
	t.Run("not accepted", func(t *testing.T) {
		n.Mine(t, 60)
		code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "2", "--full")
		if code != 2 || !strings.Contains(stderr, "not accepted on chain yet (the contract's next epoch is 2)") {
			t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
		}
	})
}

// TestAuditEmptyEpoch audits around an epoch without blocks, whose result
// carries the tree over: it matches alone, as the previous epoch of the
// next one, and recomputed from the first epoch.
func TestAuditEmptyEpoch(t *testing.T) {
	t.Parallel()
	s := newSettledWith(t, func(t *testing.T, fx *settletest.Settlement) {
		fx.N.Mine(t, 60-int(fx.N.Chain.Head().Number.Uint64())) // epoch 0 is blocks 1–60
		if err := fx.N.Chain.Run(context.Background(), []devchain.Step{{Blocks: 80, Advance: 65 * time.Second}}); err != nil {
			t.Fatal(err)
		}
	}, 3)
	if rec, _ := s.fx.S.Record(1); !rec.Empty {
		t.Fatalf("epoch 1 is not empty: %+v", rec)
	}
	code, stdout, stderr := runCmd(t, "audit", "--config", s.cfg, "--epoch", "1", "--result", s.file(1, "result"))
	if code != 0 || !strings.Contains(stdout, "epoch 1: no blocks") || !strings.Contains(stdout, "MATCH") {
		t.Fatalf("epoch 1: exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, args := range [][]string{{"--result", s.file(2, "result")}, {"--full", "--result", s.file(2, "result")}} {
		code, stdout, stderr := runCmd(t, append([]string{"audit", "--config", s.cfg, "--epoch", "2"}, args...)...)
		if code != 0 || !strings.Contains(stdout, "MATCH") {
			t.Fatalf("epoch 2 %v: exit %d\n%s\n%s", args, code, stdout, stderr)
		}
	}
	// The report has no lines for the empty epoch, from either source.
	for _, src := range []string{s.pub, s.apiServer(t)} {
		code, stdout, stderr = runCmd(t, "report", "--config", s.cfg, "--epochs", "0-2", "--source", src, "--summary", filepath.Join(t.TempDir(), "s.csv"))
		if code != 0 || strings.Contains(stdout, "\n1,") || !strings.Contains(stdout, "\n2,") {
			t.Fatalf("report from %s: exit %d\n%s\n%s", src, code, stdout, stderr)
		}
	}
}
