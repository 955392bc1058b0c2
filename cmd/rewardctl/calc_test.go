package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runCmd runs rewardctl in-process and returns its exit code and output.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
	return code, out.String(), errb.String()
}

func TestCalcExample(t *testing.T) {
	t.Parallel()
	want, err := os.ReadFile("../../examples/epoch-result.json")
	if err != nil {
		t.Fatal(err)
	}
	wantTree, err := os.ReadFile("../../examples/epoch-tree.json")
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "calc", "--input", "../../examples/epoch-input.json")
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if stdout != string(want) {
		t.Errorf("stdout differs from examples/epoch-result.json:\n%s", stdout)
	}
	dir := t.TempDir()
	out, tree := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.json")
	code, stdout, stderr = runCmd(t, "calc", "--input", "../../examples/epoch-input.json", "--out", out, "--tree", tree)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, want) {
		t.Error("--out file differs from examples/epoch-result.json")
	}
	if got, _ := os.ReadFile(tree); !bytes.Equal(got, wantTree) {
		t.Error("--tree file differs from examples/epoch-tree.json")
	}
}

func TestCalcErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	doc, err := os.ReadFile("../../examples/epoch-input.json")
	if err != nil {
		t.Fatal(err)
	}
	badDoc := strings.Replace(string(doc), `"amount_wei": "50000000000000000000000"`, `"amount_wei": "5000000000000000000000000"`, 1)
	if err := os.WriteFile(bad, []byte(badDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no input flag", []string{"calc"}, exitUsage, "rewardctl calc: usage: --input is required"},
		{"unknown flag", []string{"calc", "--inptu", "x"}, exitUsage, "flag provided but not defined: -inptu"},
		{"stray argument", []string{"calc", "--input", bad, "extra"}, exitUsage, `unexpected argument "extra"`},
		{"missing file", []string{"calc", "--input", filepath.Join(dir, "nope.json")}, 1, "no such file or directory"},
		{"invalid epoch", []string{"calc", "--input", bad, "--out", out}, 1,
			"events[1].amount_wei: unstake of 5000000000000000000000000 exceeds stake 250000000000000000000000"},
		{"unwritable out", []string{"calc", "--input", "../../examples/epoch-input.json", "--out", filepath.Join(dir, "no", "dir", "r.json")}, 1, "create temporary file"},
		{"unknown command", []string{"calcc"}, exitUsage, `unknown command "calcc"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCmd(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d", code, tt.code)
			}
			if stdout != "" {
				t.Errorf("wrote %d bytes to stdout on failure", len(stdout))
			}
			if !strings.Contains(stderr, tt.stderr) {
				t.Errorf("stderr %q does not contain %q", stderr, tt.stderr)
			}
		})
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("--out written for a rejected input")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("files left behind: %v", ents)
	}
}

// TestCalcEmptyTree: an epoch without leaves has no tree dump (rewards-v1
// §6, 1.1). --tree writes none, removes a stale one, and says so.
func TestCalcEmptyTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	input := filepath.Join(dir, "in.json")
	const doc = `{"format":"cmt-epoch-input-v1","chain_id":18,"epoch":0,"first_block":1,"last_block":10,` +
		`"reward_per_block_wei":"5000000000000000000","validator_share_bps":2000,` +
		`"validators_at_start":[],"stakes_at_start":[],"events":[],"not_in_good_standing":[]}`
	if err := os.WriteFile(input, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, stale := range []bool{false, true} {
		t.Run(map[bool]string{false: "no file", true: "stale dump"}[stale], func(t *testing.T) {
			out, tree := filepath.Join(dir, "r.json"), filepath.Join(dir, "t.json")
			if stale {
				if err := os.WriteFile(tree, []byte(`{"format":"standard-v1"}`), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			code, stdout, stderr := runCmd(t, "calc", "--input", input, "--out", out, "--tree", tree)
			if code != 0 || stdout != "" || !strings.Contains(stderr, "empty (all-zero root) and has no dump") {
				t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
			}
			if _, err := os.Stat(tree); !os.IsNotExist(err) {
				t.Fatalf("tree file: %v", err)
			}
			if b, err := os.ReadFile(out); err != nil || !strings.Contains(string(b), `"merkle_root": "0x0000000000000000000000000000000000000000000000000000000000000000"`) {
				t.Fatalf("result: %v\n%s", err, b)
			}
		})
	}
}
