package main

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// TestClaimAndStatus: a delegator claims from its keystore with the
// published files, a second claim finds nothing left, and status reads the
// daemon's API.
func TestClaimAndStatus(t *testing.T) {
	t.Parallel()
	fx := settletest.NewSettlement(t)
	fx.N.Mine(t, 140)
	fx.Pass(t)
	ctx := context.Background()
	dir := t.TempDir()
	user := fx.N.Users[0]
	ks, pw := testnet.WriteKeystore(t, dir, user, "pw", 0o600)
	pub := filepath.Join(fx.Dir, "pub")
	// Without --epoch: the latest accepted, epoch 1.
	args := []string{"claim", "--rpc", fx.N.Chain.RPCURL(), "--contract", fx.N.Contract.Hex(), "--keystore", ks, "--password-file", pw, "--source", pub, "--wait", "30s",
		"--record-dir", t.TempDir()}

	before, _ := fx.N.Chain.Client().BalanceAt(ctx, testnet.Addr(user), nil)
	stop, done := make(chan struct{}), make(chan struct{})
	go func() { // the chain keeps producing blocks while claim waits
		defer close(done)
		for {
			select {
			case <-stop:
				return
			case <-time.After(20 * time.Millisecond):
				fx.N.Chain.Mine()
			}
		}
	}()
	code, stdout, stderr := runCmd(t, args...)
	close(stop)
	<-done
	if code != 0 || !strings.Contains(stdout, "claimed ") || !strings.Contains(stdout, "against epoch 1") ||
		!strings.Contains(stderr, "epoch 1, the latest accepted according to the contract") {
		t.Fatalf("claim: exit %d\n%s\n%s", code, stdout, stderr)
	}
	after, _ := fx.N.Chain.Client().BalanceAt(ctx, testnet.Addr(user), nil)
	if after.Cmp(before) <= 0 {
		t.Fatalf("balance %s → %s: the claim paid nothing net of gas", before, after)
	}
	if code, _, stderr := runCmd(t, args...); code != 1 || !strings.Contains(stderr, "nothing to claim") {
		t.Fatalf("second claim: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCmd(t, "claim", "--epoch", "0", "--rpc", fx.N.Chain.RPCURL(), "--contract", fx.N.Contract.Hex(), "--keystore", ks, "--password-file", pw, "--source", pub); code != 1 || !strings.Contains(stderr, "epoch 0's root 0x") ||
		!strings.Contains(stderr, "is not the contract's current root 0x") || !strings.Contains(stderr, "which is epoch 1's") {
		t.Fatalf("claim against an old root: exit %d: %s", code, stderr)
	}
	wrong := filepath.Join(dir, "wrong")
	if err := os.WriteFile(wrong, []byte("nope\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCmd(t, "claim", "--epoch", "1", "--rpc", fx.N.Chain.RPCURL(), "--contract", fx.N.Contract.Hex(), "--keystore", ks, "--password-file", wrong, "--source", pub); code != 1 || !strings.Contains(stderr, "wrong password") {
		t.Fatalf("wrong password: exit %d: %s", code, stderr)
	}

	srv := httptest.NewServer(api.New(fx.S, &fx.F.Stats, nil, zap.NewNop(), api.Options{}))
	defer srv.Close()
	code, stdout, stderr = runCmd(t, "status", "--api", srv.URL)
	if code != 0 || !strings.Contains(stdout, "accepted") || !strings.Contains(stdout, "healthy") {
		t.Fatalf("status: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if code, _, stderr := runCmd(t, "status", "--api", "http://127.0.0.1:1"); code != 1 || stderr == "" {
		t.Fatalf("status of nothing: exit %d", code)
	}
}
