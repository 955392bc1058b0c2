package main

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// rewardctlBin is the rewardctl binary TestMain builds, so that exit codes
// are checked as a shell sees them.
var rewardctlBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "rewardctl-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Header caches and transaction records default to the user's cache
	// directory: keep the tests' out of the real one.
	os.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	rewardctlBin = filepath.Join(dir, "rewardctl")
	if out, err := exec.Command("go", "build", "-o", rewardctlBin, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build rewardctl: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// runBin runs the built rewardctl and returns its exit code and output.
func runBin(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command(rewardctlBin, args...)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0, stdout.String(), stderr.String()
	case errors.As(err, &ee):
		return ee.ExitCode(), stdout.String(), stderr.String()
	}
	t.Fatalf("run %v: %v", args, err)
	return 0, "", ""
}

// TestExitCodes runs the built binary: 0 ok, 1 failure or mismatch, 2
// undecided (audit only), 64 usage, as rewardctl --help documents.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	s := newSettled(t)
	user0 := testnet.Addr(s.fx.N.Users[0]).Hex()
	tampered := filepath.Join(t.TempDir(), "epoch-000001-result.json")
	raw, _ := os.ReadFile(s.file(1, "result"))
	re := regexp.MustCompile(`("account": "` + user0 + `", "amount_wei": ")([0-9]+)`)
	os.WriteFile(tampered, re.ReplaceAll(raw, []byte("${1}1")), 0o644)
	copyFile(t, s.file(0, "result"), filepath.Join(filepath.Dir(tampered), "epoch-000000-result.json"))

	for _, tc := range []struct {
		name   string
		args   []string
		code   int
		stdout string // a substring, if set
		stderr string
	}{
		{"no arguments", nil, exitUsage, "", "exit codes:"},
		{"help", []string{"--help"}, exitOK, "64  usage", ""},
		{"unknown command", []string{"frobnicate"}, exitUsage, "", `unknown command "frobnicate"`},
		{"bad flag", []string{"calc", "--nope"}, exitUsage, "", "flag provided but not defined: -nope"},
		{"missing flag", []string{"calc"}, exitUsage, "", "--input is required"},
		{"positional argument", []string{"version", "extra"}, exitUsage, "", `unexpected argument "extra"`},
		{"command help", []string{"audit", "-h"}, exitOK, "", "exit 0 match, 1 mismatch, 2 undecided"},
		{"version", []string{"version"}, exitOK, "rewardctl github.com/cmt-rewards/cmt-rewards ", ""},
		{"failure", []string{"calc", "--input", filepath.Join(t.TempDir(), "missing.json")}, exitFailure, "", "missing.json"},
		{"audit match", []string{"audit", "--config", s.cfg, "--epoch", "1", "--result", s.file(1, "result")}, exitOK, "MATCH: epoch 1", ""},
		{"audit mismatch", []string{"audit", "--config", s.cfg, "--epoch", "1", "--result", tampered}, exitFailure, "MISMATCH: epoch 1", "does not match"},
		{"audit undecided", []string{"audit", "--config", s.cfg, "--epoch", "2", "--full"}, exitUndecided, "", "not final"},
		{"audit usage", []string{"audit", "--config", s.cfg, "--epoch", "1"}, exitUsage, "", "needs the cumulative amounts of epoch 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runBin(t, tc.args...)
			if code != tc.code || !strings.Contains(stdout, tc.stdout) || !strings.Contains(stderr, tc.stderr) {
				t.Fatalf("rewardctl %v: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", tc.args, code, tc.code, stdout, stderr)
			}
		})
	}
}
