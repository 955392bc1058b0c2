package main

import (
	"bytes"
	"context"
	"math/big"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/internal/txtest"
)

var requestIDRE = regexp.MustCompile(`request id ([0-9a-f]{16})`)

// TestStakeRequestIDResumes interrupts a stake after its transaction is
// recorded and its broadcast lost, and runs it again with the request id
// the first run printed: the sender has exactly one transaction more on
// chain and the stake grew once. The same id once more sends nothing; a new
// id sends the same stake again, as two stakes of one amount are two
// requests.
func TestStakeRequestIDResumes(t *testing.T) {
	t.Parallel()
	a := newActionNet(t, false)
	px := txtest.StartSendProxy(t, a.n.Chain.RPCURL())
	user, v := a.n.Users[1], testnet.Addr(a.n.Signers[0])
	vs := contracts.NewValidatorSet()
	stakeOf := func() *big.Int { return a.view(t, vs.PackStakeOf(testnet.Addr(user), v)).(*big.Int) }
	args := a.args(t, user, "stake", "--validator", v.Hex(), "--amount", "2")
	args = withFlag(args, "--rpc", px.URL())
	stake0, nonce0 := stakeOf(), a.nonce(t, user)

	// First run, in-process: recorded, broadcast dropped, interrupted.
	px.DropAll.Store(true)
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, args, &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}) }()
	for deadline := time.Now().Add(20 * time.Second); px.Sends.Load() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the stake was not broadcast in time\n%s", stderr.String())
		}
	}
	cancel()
	if code := <-done; code != exitFailure || !strings.Contains(stderr.String(), "stake interrupted") {
		t.Fatalf("interrupted stake: exit %d\n%s%s", code, stdout.String(), stderr.String())
	}
	m := requestIDRE.FindStringSubmatch(stderr.String())
	if m == nil || !strings.Contains(stderr.String(), "with --request-id "+m[1]) {
		t.Fatalf("the interrupted run does not name its request id:\n%s", stderr.String())
	}
	id := m[1]
	if files, _ := filepath.Glob(filepath.Join(a.records, "*", "*", "stake-*-"+id+".json")); len(files) != 1 {
		t.Fatalf("records of request %s: %v", id, files)
	}
	px.DropAll.Store(false)

	ctx, stop := context.WithCancel(context.Background())
	mining := a.n.KeepMining(ctx, 20*time.Millisecond)
	defer func() { stop(); mining() }()
	two := big.NewInt(2e18)
	for _, tc := range []struct {
		name   string
		id     string // "": none given
		amount string
		code   int
		want   string
		sends  uint64
	}{
		{"same id resumes", id, "2", exitOK, "resuming request " + id, 1},
		{"same id again sends nothing", id, "2", exitOK, "recorded as confirmed", 0},
		{"same id, another amount", id, "3", exitFailure, "the record under this key is for another intent", 0},
		{"new id stakes again", "", "2", exitOK, "stake confirmed", 1},
	} {
		before, stakeBefore := a.nonce(t, user), stakeOf()
		runArgs := withFlag(args, "--amount", tc.amount)
		if tc.id != "" {
			runArgs = append(runArgs, "--request-id", tc.id)
		}
		code, out, errOut := runBin(t, runArgs...)
		if code != tc.code || !strings.Contains(out+errOut, tc.want) {
			t.Fatalf("%s: exit %d, want %d and %q\n%s%s", tc.name, code, tc.code, tc.want, out, errOut)
		}
		sent := a.nonce(t, user) - before
		grew := new(big.Int).Sub(stakeOf(), stakeBefore)
		if sent != tc.sends || grew.Cmp(new(big.Int).Mul(two, new(big.Int).SetUint64(tc.sends))) != 0 {
			t.Fatalf("%s: %d transactions sent, stake grew by %s wei; want %d\n%s%s", tc.name, sent, grew, tc.sends, out, errOut)
		}
	}
	if total := new(big.Int).Sub(stakeOf(), stake0); a.nonce(t, user) != nonce0+2 || total.Cmp(big.NewInt(4e18)) != 0 {
		t.Fatalf("after all runs: %d transactions, stake grew by %s wei; want 2 and 4 CMT", a.nonce(t, user)-nonce0, total)
	}
}
