package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/devsys"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// devTestBlock is the dev system's wall time per block in these tests: an
// epoch of 60 blocks takes 2.4 s.
const devTestBlock = 40 * time.Millisecond

// devChild runs `rewardd --dev --dev-dir $REWARDD_DEV_DIR` with fast
// blocks, for the restart test to kill.
func devChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	args := []string{"--dev", "--dev-dir", os.Getenv("REWARDD_DEV_DIR"), "--dev-api", "127.0.0.1:0"}
	return runWith(ctx, args, os.Stdout, os.Stderr, hooks{devBlock: devTestBlock})
}

// TestDevRestart kills the dev system with SIGKILL twice and starts it
// again in the same directory each time: it must resume where it stopped
// — the chain at its last block, the history not redone, the daemons'
// ledgers reused — and keep settling, every validator voting at most once
// per epoch over all three runs.
func TestDevRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the dev system three times")
	}
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "dev")
	accepted := 0
	for run := 1; run <= 3; run++ {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "REWARDD_DEV_CHILD=1", "REWARDD_DEV_DIR="+dir)
		var out lockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		apiURL := waitIntro(t, &out)
		if resumed := strings.Contains(out.String(), "(resumed at block"); resumed != (run > 1) {
			t.Fatalf("run %d: resumed %v:\n%s", run, resumed, out.String())
		}
		// Two more epochs accepted than the last run saw: the ledgers kept
		// their records and settlement goes on from there.
		st := waitSettled(t, apiURL, accepted+2, &out)
		if n := st.Epochs[string(settle.StateAccepted)]; n < accepted+2 {
			t.Fatalf("run %d: %d epochs accepted", run, n)
		}
		accepted = st.Epochs[string(settle.StateAccepted)]
		t.Logf("run %d: %d epochs accepted, latest %d", run, accepted, st.LatestEpoch.Epoch)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
	}

	sys, err := devsys.Open(context.Background(), dir, "", devTestBlock, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer sys.Close()
	vote := submitRootSelector()
	votes := map[uint64]int{}
	for i := 0; i < devsys.Validators; i++ {
		for e, n := range callsOf(t, sys.Chain, sys.Contract(), sys.Validator(i), vote) {
			if n != 1 {
				t.Errorf("validator %d sent %d votes for epoch %d, want at most 1", i, n, e)
			}
			votes[e] += n
		}
	}
	for e := uint64(0); e < uint64(accepted); e++ {
		if votes[e] < 2 {
			t.Errorf("epoch %d: %d votes, yet accepted", e, votes[e])
		}
	}
	// The history ran once: one promotion vote each from validators 1 and 2.
	promote := contracts.NewValidatorSet().PackVotePromote(sys.Validator(3))[:4]
	for _, i := range []int{1, 2} {
		total := 0
		for _, n := range callsOf(t, sys.Chain, sys.Contract(), sys.Validator(i), promote) {
			total += n
		}
		if total != 1 {
			t.Errorf("validator %d voted the promotion %d times", i, total)
		}
	}
}

// waitIntro waits for the dev system's introduction and returns its API
// address.
func waitIntro(t *testing.T, out *lockedBuffer) string {
	t.Helper()
	const label = "  api        "
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if i := strings.Index(out.String(), label); i >= 0 {
			rest := out.String()[i+len(label):]
			if j := strings.IndexByte(rest, '\n'); j >= 0 {
				return strings.TrimSpace(rest[:j])
			}
		}
	}
	t.Fatalf("no introduction:\n%s", out.String())
	return ""
}

// TestDevDirRefused: a non-empty directory without this version's marker
// is refused with a clear message and exit 1, and left as it was.
func TestDevDirRefused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"not a dev directory", map[string]string{"notes.txt": "mine"}, "is not empty and has no dev-version: it is not a dev system directory"},
		{"another version", map[string]string{"dev-version": "cmt-rewards dev system 0\n", "dev-state.json": "{}"},
			`holds a dev system of version "cmt-rewards dev system 0", this build runs "` + devsys.Version + `"; remove it or use another --dev-dir`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
			}
			var stdout, stderr lockedBuffer
			code := runWith(context.Background(), []string{"--dev", "--dev-dir", dir, "--dev-api", "127.0.0.1:0"}, &stdout, &stderr, hooks{})
			if code != 1 || !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", code, stderr.String(), tt.want)
			}
			entries, _ := os.ReadDir(dir)
			if len(entries) != len(tt.files) {
				t.Errorf("the directory changed: %d entries", len(entries))
			}
		})
	}
}

// status reads the daemon's /v1/status.
func status(t *testing.T, apiURL string) api.Status {
	t.Helper()
	resp, err := http.Get(apiURL + "/v1/status")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var st api.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		t.Fatal(fmt.Errorf("status: %w", err))
	}
	return st
}
