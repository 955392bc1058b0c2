package main

import (
	"context"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// These tests run real daemons against the real contract on the embedded
// chain and fail when the daemon is wrong, not only when the contract
// reverts: they count each validator's transactions and pit daemons that
// disagree against each other.

// TestMinorityDaemonDisputed: three validators, a majority of two. Two
// daemons agree; the third runs another rewards configuration. The two
// settle every epoch; the third ends epoch 0 disputed — never accepted —
// sends at most its one vote for it and nothing after, fails its health
// check and serves no proofs for its root.
func TestMinorityDaemonDisputed(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	n.Commit(t, n.Stake(t, 0, 2, 5e18))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	miner := n.KeepMining(ctx, 20*time.Millisecond)
	defer func() { cancel(); miner() }()

	a := startDaemon(t, ctx, n, 0, 0)
	b := startDaemon(t, ctx, n, 1, 0)
	c := startDaemon(t, ctx, n, 2, 3000) // 30% to validators: a different root
	for _, d := range []*testDaemon{a, b} {
		d.waitState(t, 2, settle.StateAccepted)
	}
	rec := c.waitState(t, 0, settle.StateDisputed)
	ours := a.record(t, 0)
	if rec.ChainRoot != ours.Root || rec.Root == ours.Root || !strings.Contains(rec.Reason, "accepted a different vote") {
		t.Fatalf("minority record %+v; the majority's root %s", rec, ours.Root.Hex())
	}
	sent := voteTxs(t, n, testnet.Addr(n.Signers[2]))
	if sent[0] > 1 || sent[1] != 0 || sent[2] != 0 {
		t.Fatalf("the disputed daemon sent vote transactions %v; want at most 1 for epoch 0 and none after", sent)
	}
	for k := uint64(1); k <= 2; k++ {
		if r := c.record(t, k); r != nil {
			t.Fatalf("the disputed daemon went on to epoch %d: %+v", k, r)
		}
	}
	if code, body := c.get(t, "/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "epoch 0 disputed") {
		t.Fatalf("healthz: %d %s", code, body)
	}
	if code, body := c.get(t, "/v1/epochs/0/proofs/"+testnet.Addr(n.Users[0]).Hex()); code != http.StatusConflict {
		t.Fatalf("proof of a disputed epoch: %d %s", code, body)
	}
	if code, _ := a.get(t, "/v1/epochs/0/proofs/"+testnet.Addr(n.Users[0]).Hex()); code != http.StatusOK {
		t.Fatalf("the majority's proof: %d", code)
	}
	for k, c := range acceptances(t, n) {
		if c != 1 {
			t.Errorf("epoch %d accepted %d times", k, c)
		}
	}
	for _, d := range []*testDaemon{a, b, c} {
		d.stop(t, cancel)
	}
}

// TestMinorityCannotAccept: seven validators; two daemons vote and stay
// "voted" — no root is accepted and neither believes otherwise — until two
// more daemons make four, a majority.
func TestMinorityCannotAccept(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{Signers: 7})
	n.Commit(t, n.Stake(t, 0, 0, 5e18))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	miner := n.KeepMining(ctx, 20*time.Millisecond)
	defer func() { cancel(); miner() }()

	ds := []*testDaemon{startDaemon(t, ctx, n, 0, 0), startDaemon(t, ctx, n, 1, 0)}
	for _, d := range ds {
		d.waitState(t, 0, settle.StateVoted)
	}
	time.Sleep(3 * time.Second) // several passes and more epochs
	if acc := acceptances(t, n); len(acc) != 0 {
		t.Fatalf("2 of 7 got roots accepted: %v", acc)
	}
	for _, d := range ds {
		if r := d.record(t, 0); r.State != settle.StateVoted || r.Accepted {
			t.Fatalf("validator %d believes %+v", d.key, r)
		}
		if sent := voteTxs(t, n, testnet.Addr(n.Signers[d.key])); sent[0] != 1 || len(sent) != 1 {
			t.Fatalf("validator %d sent %v", d.key, sent)
		}
	}
	ds = append(ds, startDaemon(t, ctx, n, 2, 0), startDaemon(t, ctx, n, 3, 0))
	for _, d := range ds {
		d.waitState(t, 1, settle.StateAccepted)
	}
	for _, d := range ds {
		d.stop(t, cancel)
	}
}

// TestUnderfunded: a contract without block awards cannot pay the epoch.
// The daemon holds it as underfunded — no transaction, one log line, an
// unhealthy status — and settles it once funds arrive.
func TestUnderfunded(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{Validators: 1, NoAwards: true})
	n.Commit(t, n.Stake(t, 0, 0, 5e18))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	miner := n.KeepMining(ctx, 20*time.Millisecond)
	defer func() { cancel(); miner() }()

	d := startDaemon(t, ctx, n, 0, 0)
	rec := d.waitState(t, 0, settle.StateUnderfunded)
	if rec.Available != "0" || !strings.Contains(rec.Reason, "reward funds do not cover") {
		t.Fatalf("record %+v", rec)
	}
	time.Sleep(3 * time.Second) // several passes
	if sent := voteTxs(t, n, testnet.Addr(n.Signers[0])); len(sent) != 0 {
		t.Fatalf("vote transactions while underfunded: %v", sent)
	}
	if got := strings.Count(d.stderr.String(), "epoch underfunded"); got != 1 {
		t.Fatalf("%d underfunded log lines, want 1:\n%s", got, d.stderr.String())
	}
	if code, body := d.get(t, "/healthz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "underfunded") {
		t.Fatalf("healthz: %d %s", code, body)
	}
	n.Fund(t, 1000)
	d.waitState(t, 1, settle.StateAccepted)
	if sent := voteTxs(t, n, testnet.Addr(n.Signers[0])); sent[0] != 1 || sent[1] != 1 {
		t.Fatalf("vote transactions %v, want one per epoch", sent)
	}
	if !strings.Contains(d.stderr.String(), "epoch funded") {
		t.Fatal("no log line when the funds arrived")
	}
	d.stop(t, cancel)
}

// TestSameKeyTwoDaemons: two daemons with one validator key and separate
// ledgers. With the same configuration the key votes once per epoch. With
// different ones, the vote of whichever came first stands; the other daemon
// sees a vote of its key it did not send and stops (disputed) instead of
// replacing it.
func TestSameKeyTwoDaemons(t *testing.T) {
	t.Parallel()
	t.Run("same configuration", func(t *testing.T) {
		t.Parallel()
		n := testnet.New(t, testnet.Options{Validators: 1})
		n.Commit(t, n.Stake(t, 0, 0, 5e18))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		miner := n.KeepMining(ctx, 20*time.Millisecond)
		defer func() { cancel(); miner() }()
		ds := []*testDaemon{startDaemon(t, ctx, n, 0, 0), startDaemon(t, ctx, n, 0, 0)}
		for _, d := range ds {
			d.waitState(t, 1, settle.StateAccepted)
		}
		if sent := voteTxs(t, n, testnet.Addr(n.Signers[0])); sent[0] != 1 || sent[1] != 1 {
			t.Fatalf("vote transactions %v, want one per epoch", sent)
		}
		for _, d := range ds {
			d.stop(t, cancel)
		}
	})
	t.Run("different configuration", func(t *testing.T) {
		t.Parallel()
		n := testnet.New(t, testnet.Options{}) // 3 validators: one vote leaves the epoch open
		n.Commit(t, n.Stake(t, 0, 0, 5e18))
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		miner := n.KeepMining(ctx, 20*time.Millisecond)
		defer func() { cancel(); miner() }()
		ds := []*testDaemon{startDaemon(t, ctx, n, 0, 0), startDaemon(t, ctx, n, 0, 3000)}
		var voted, disputed *testDaemon
		deadline := time.Now().Add(60 * time.Second)
		for voted == nil || disputed == nil {
			if time.Now().After(deadline) {
				t.Fatalf("no voted/disputed pair:\n%s\n----\n%s", ds[0].stderr.String(), ds[1].stderr.String())
			}
			time.Sleep(100 * time.Millisecond)
			for i, d := range ds {
				if r := d.record(t, 0); r != nil && r.State == settle.StateVoted {
					voted, disputed = d, ds[1-i]
				}
			}
			if voted != nil {
				if r := disputed.record(t, 0); r == nil || r.State != settle.StateDisputed {
					disputed = nil
				}
			}
		}
		r := disputed.record(t, 0)
		if !strings.Contains(r.Reason, "did not send") || r.ChainRoot != voted.record(t, 0).Root {
			t.Fatalf("disputed record %+v", r)
		}
		if sent := voteTxs(t, n, testnet.Addr(n.Signers[0])); sent[0] != 1 {
			t.Fatalf("vote transactions %v, want exactly one", sent)
		}
		vs := contracts.NewValidatorSet()
		out, err := n.Chain.Client().CallContract(ctx, ethereum.CallMsg{To: &n.Contract, Data: vs.PackVoteOf(big.NewInt(0), testnet.Addr(n.Signers[0]))}, nil)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := vs.UnpackVoteOf(out)
		if common.Hash(got.Root) != voted.record(t, 0).Root {
			t.Fatal("the first vote was replaced")
		}
		for _, d := range ds {
			d.stop(t, cancel)
		}
	})
}
