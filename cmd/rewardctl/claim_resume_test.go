package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/internal/txtest"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// claimRun is a settled epoch 1 on a chain whose blocks are mined only
// when a test says so, and the claim of Users[0], sending through a proxy
// that counts (and can drop) broadcasts, recording in records.
type claimRun struct {
	fx      *settletest.Settlement
	px      *txtest.SendProxy
	args    []string
	records string
}

func newClaimRun(t *testing.T) *claimRun {
	t.Helper()
	fx := settletest.NewSettlement(t)
	fx.N.Mine(t, 140)
	fx.Pass(t)
	c := &claimRun{fx: fx, records: t.TempDir()}
	ks, pw := testnet.WriteKeystore(t, t.TempDir(), fx.N.Users[0], "pw", 0o600)
	c.px = txtest.StartSendProxy(t, fx.N.Chain.RPCURL())
	c.args = []string{"claim", "--epoch", "1", "--rpc", c.px.URL(), "--contract", fx.N.Contract.Hex(), "--keystore", ks,
		"--password-file", pw, "--source", filepath.Join(fx.Dir, "pub"), "--wait", "30s", "--record-dir", c.records}
	return c
}

func (c *claimRun) nonce(t *testing.T) uint64 {
	t.Helper()
	n, err := c.fx.N.Chain.Client().NonceAt(context.Background(), testnet.Addr(c.fx.N.Users[0]), nil)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// killAfterRecord runs the claim without mining and cancels it once its
// transaction is recorded and a broadcast was attempted; it returns the
// record.
func (c *claimRun) killAfterRecord(t *testing.T) *txsend.Record {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stdout, stderr bytes.Buffer
	done := make(chan int)
	go func() { done <- run(ctx, c.args, &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr}) }()
	var rec *txsend.Record
	for deadline := time.Now().Add(20 * time.Second); rec == nil || c.px.Sends.Load() == 0; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			cancel()
			<-done
			t.Fatalf("the claim was not recorded and broadcast in time\n%s", stderr.String())
		}
		rec = recordedClaim(t, c.records)
	}
	cancel()
	if code := <-done; code != exitFailure || !strings.Contains(stderr.String(), "claim interrupted") ||
		!strings.Contains(stderr.String(), "running the same command again resumes it") {
		t.Fatalf("interrupted claim: exit %d\n%s\n%s", code, stdout.String(), stderr.String())
	}
	if len(rec.Attempts) != 1 || rec.State != txsend.RecordOpen {
		t.Fatalf("record after the first run: %+v", rec)
	}
	return rec
}

// runMining runs rewardctl with args while blocks are mined.
func (c *claimRun) runMining(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	mining := c.fx.N.KeepMining(ctx, 20*time.Millisecond)
	defer func() { stop(); mining() }()
	return runCmd(t, args...)
}

// TestClaimResumesAfterKill interrupts a claim after its transaction is
// recorded and before it is confirmed — before the broadcast reached the
// node, or with it pending in the pool — and runs the claim again: the
// second run resumes the recorded transaction, and the sender's account
// has exactly one transaction more on chain, the recorded one.
func TestClaimResumesAfterKill(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		drop bool // the first run's broadcasts never reach the node
	}{
		{"recorded, broadcast lost", true},
		{"broadcast, not mined", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newClaimRun(t)
			before := c.nonce(t)
			c.px.DropAll.Store(tc.drop)
			recorded := c.killAfterRecord(t).Attempts[0].Hash

			c.px.DropAll.Store(false)
			code, out, errOut := c.runMining(t, c.args...)
			if code != 0 || !strings.Contains(out, "claimed ") || !strings.Contains(out, recorded.Hex()) ||
				!strings.Contains(errOut, "resuming the claim recorded in") {
				t.Fatalf("second run: exit %d, want the recorded transaction %s\n%s\n%s", code, recorded.Hex(), out, errOut)
			}
			t.Logf("second run:\n%s%s", out, errOut)
			after := c.nonce(t)
			if after != before+1 {
				t.Fatalf("the sender sent %d transactions, want exactly 1", after-before)
			}
			if rec := recordedClaim(t, c.records); rec.State != txsend.RecordConfirmed || rec.Final.Tx != recorded || len(rec.Attempts) != 1 {
				t.Fatalf("record after the second run: %+v", rec)
			}

			// A third run finds nothing to claim and sends nothing.
			if code, _, errOut := runCmd(t, c.args...); code != exitFailure || !strings.Contains(errOut, "nothing to claim") {
				t.Fatalf("third run: exit %d: %s", code, errOut)
			}
			if n := c.nonce(t); n != after {
				t.Fatalf("the third run sent %d transactions", n-after)
			}
		})
	}
}

// TestClaimRevertIsNamed: a claim is recorded but killed before its
// broadcast; someone else claims for the account meanwhile; the resumed
// claim is mined, reverts, and rewardctl exits 1 naming the contract's
// error. The record is closed, so a later run starts over from the chain.
func TestClaimRevertIsNamed(t *testing.T) {
	t.Parallel()
	c := newClaimRun(t)
	c.px.DropAll.Store(true)
	recorded := c.killAfterRecord(t).Attempts[0].Hash
	c.px.DropAll.Store(false)

	// Users[1] claims for Users[0] (anyone may), recording elsewhere.
	ks, pw := testnet.WriteKeystore(t, t.TempDir(), c.fx.N.Users[1], "pw", 0o600)
	other := []string{"claim", "--epoch", "1", "--rpc", c.fx.N.Chain.RPCURL(), "--contract", c.fx.N.Contract.Hex(),
		"--keystore", ks, "--password-file", pw, "--address", testnet.Addr(c.fx.N.Users[0]).Hex(),
		"--source", filepath.Join(c.fx.Dir, "pub"), "--wait", "30s", "--record-dir", t.TempDir()}
	if code, out, errOut := c.runMining(t, other...); code != 0 {
		t.Fatalf("claim by another account: exit %d\n%s\n%s", code, out, errOut)
	}

	code, _, errOut := c.runMining(t, c.args...)
	want := "reverted: NothingToClaim(account=" + testnet.Addr(c.fx.N.Users[0]).Hex() + ")"
	if code != exitFailure || !strings.Contains(errOut, want) || !strings.Contains(errOut, recorded.Hex()) {
		t.Fatalf("resumed claim: exit %d, want %q naming %s\n%s", code, want, recorded.Hex(), errOut)
	}
	t.Logf("resumed claim:\n%s", errOut)
	if rec := recordedClaim(t, c.records); rec.State != txsend.RecordClosed {
		t.Fatalf("record after the revert: %+v", rec)
	}
	if code, _, errOut := runCmd(t, c.args...); code != exitFailure || !strings.Contains(errOut, "nothing to claim") {
		t.Fatalf("run after the revert: exit %d: %s", code, errOut)
	}
}

// recordedClaim returns the one claim record under the record directory,
// or nil if there is none yet.
func recordedClaim(t *testing.T, records string) *txsend.Record {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(records, "*", "*", "claim-*.json"))
	if err != nil || len(files) > 1 {
		t.Fatalf("claim records %v: %v", files, err)
	}
	if len(files) == 0 {
		return nil
	}
	s, err := txsend.OpenFileStore(filepath.Dir(files[0]))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.Load(strings.TrimSuffix(filepath.Base(files[0]), ".json"))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}
