package main

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// TestMain lets the test binary run as rewardd with a crash point, so the
// crash test can have it SIGKILL itself at an exact step.
func TestMain(m *testing.M) {
	if os.Getenv("REWARDD_CRASH_CHILD") == "1" {
		os.Exit(crashChild())
	}
	if os.Getenv("REWARDD_DEV_CHILD") == "1" {
		os.Exit(devChild())
	}
	os.Exit(m.Run())
}

// crashChild runs rewardd with --config $REWARDD_CONFIG and kills itself
// with SIGKILL when $REWARDD_CRASH_AT ("settle:<state>:<epoch>" or
// "submit:<step>:<epoch>") is reached.
func crashChild() int {
	kill := func() { syscall.Kill(os.Getpid(), syscall.SIGKILL) }
	var h hooks
	if at := os.Getenv("REWARDD_CRASH_AT"); at != "" {
		h.afterSave = func(r settle.Record) {
			if at == fmt.Sprintf("settle:%s:%d", r.State, r.Epoch) {
				kill()
			}
		}
		h.onStep = func(step string, epoch uint64) {
			if at == fmt.Sprintf("submit:%s:%d", step, epoch) {
				kill()
			}
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	return runWith(ctx, []string{"--config", os.Getenv("REWARDD_CONFIG"), "--log-format", "console"}, os.Stdout, os.Stderr, h)
}

// TestCrashAtEveryStep kills the daemon with SIGKILL at each step of the
// state machine — after computing, after publishing, after saving the
// signed transaction, after broadcasting it, while waiting for its
// confirmations — restarting it each time, and demands exactly one vote and
// one accepted root per epoch and a consistent ledger.
func TestCrashAtEveryStep(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Parallel()
	// One contract validator: this daemon alone is the majority.
	n := testnet.New(t, testnet.Options{Validators: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n.Commit(t, n.Stake(t, 0, 0, 3e18))
	dir := t.TempDir()
	ks, pw := writeKey(t, dir, n.Signers[0], "secret", 0o600)
	cfg := writeConfig(t, dir, testConfig{rpc: n.Chain.RPCURL(), chain: n.Chain.ChainID().Uint64(), contract: n.Contract.Hex(),
		keystore: ks, password: pw, genesis: n.Chain.HeaderByNumber(0).Time})
	miner := n.KeepMining(ctx, 25*time.Millisecond)
	defer func() { cancel(); miner() }()

	child := func(crashAt string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "REWARDD_CRASH_CHILD=1", "REWARDD_CONFIG="+cfg, "REWARDD_CRASH_AT="+crashAt)
		var out lockedBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			return out.String(), err
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			<-done
			return out.String(), fmt.Errorf("timed out")
		}
	}
	for _, at := range []string{
		"settle:computed:0", "settle:published:0", "submit:recorded:0", "submit:broadcast:0", "submit:mined:0",
		"settle:voted:0", "submit:recorded:1", "submit:mined:1",
	} {
		out, err := child(at)
		if err == nil || !strings.Contains(err.Error(), "killed") {
			t.Fatalf("crash at %s: the daemon was not killed (%v):\n%s", at, err, out)
		}
		t.Logf("killed at %s", at)
	}
	// A last run without crash settles epochs 0 and 1 (and is then stopped).
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "REWARDD_CRASH_CHILD=1", "REWARDD_CONFIG="+cfg)
	var out lockedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	apiURL := waitForAPIOut(t, &out)
	waitSettled(t, apiURL, 2, &out)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("graceful stop: %v\n%s", err, out.String())
	}

	logs, err := n.Chain.Client().FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{n.Contract}})
	if err != nil {
		t.Fatal(err)
	}
	voted, accepted := map[uint64]int{}, map[uint64]int{}
	for _, l := range logs {
		switch l.Topics[0] {
		case crypto.Keccak256Hash([]byte("RootVoted(uint256,address,bytes32,uint256,bytes32)")):
			voted[l.Topics[1].Big().Uint64()]++
		case crypto.Keccak256Hash([]byte("RootAccepted(uint256,bytes32,uint256,bytes32)")):
			accepted[l.Topics[1].Big().Uint64()]++
		}
	}
	// The contract would revert a second identical vote without an event,
	// so the events alone cannot show a daemon that votes twice: count the
	// validator's transactions, reverted ones included.
	sent := voteTxs(t, n, testnet.Addr(n.Signers[0]))
	for e := uint64(0); e < 2; e++ {
		if voted[e] != 1 || accepted[e] != 1 || sent[e] != 1 {
			t.Errorf("epoch %d: %d vote transactions, %d votes, %d acceptances; want 1, 1 and 1", e, sent[e], voted[e], accepted[e])
		}
	}
	// The ledger is consistent: records confirmed, results stored, files published.
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"), ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s := settle.New(settle.Config{}, l, nil, nil, nil)
	for e := uint64(0); e < 2; e++ {
		rec, err := s.Record(e)
		if err != nil || rec == nil || rec.State != settle.StateAccepted || !rec.Accepted {
			t.Fatalf("epoch %d record %+v %v", e, rec, err)
		}
		raw, err := s.ResultBytes(e)
		if err != nil || crypto.Keccak256Hash(raw) != rec.ResultHash {
			t.Fatalf("epoch %d: stored result does not match the voted hash", e)
		}
		_, _, _, result := settle.FileNames(e)
		pub, err := os.ReadFile(filepath.Join(dir, "pub", result))
		if err != nil || crypto.Keccak256Hash(pub) != rec.ResultHash {
			t.Fatalf("epoch %d: published file does not match the voted hash (%v)", e, err)
		}
	}
}

// waitForAPIOut is waitForAPI for a child process's output.
func waitForAPIOut(t *testing.T, out *lockedBuffer) string {
	t.Helper()
	done := make(chan int)
	return waitForAPI(t, out, done)
}

// voteTxs counts, per epoch, the submitRoot transactions from sender mined
// in the canonical chain, successful or reverted.
func voteTxs(t *testing.T, n *testnet.Net, sender common.Address) map[uint64]int {
	t.Helper()
	return callsOf(t, n.Chain, n.Contract, sender, submitRootSelector())
}

func submitRootSelector() []byte {
	return contracts.NewValidatorSet().PackSubmitRoot(new(big.Int), common.Hash{}, new(big.Int), common.Hash{})[:4]
}

// callsOf counts the transactions from sender to contract that call the
// function with selector, mined in the canonical chain, successful or
// reverted, by their first argument read as a number (the epoch of a
// submitRoot).
func callsOf(t *testing.T, chain *devchain.Chain, contract, sender common.Address, selector []byte) map[uint64]int {
	t.Helper()
	ctx := context.Background()
	client := chain.Client()
	head, err := client.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	signer := types.LatestSignerForChainID(chain.ChainID())
	out := map[uint64]int{}
	for b := uint64(1); b <= head; b++ {
		blk, err := client.BlockByNumber(ctx, new(big.Int).SetUint64(b))
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range blk.Transactions() {
			from, err := types.Sender(signer, tx)
			if err != nil || from != sender || tx.To() == nil || *tx.To() != contract || len(tx.Data()) < 36 || !bytes.Equal(tx.Data()[:4], selector) {
				continue
			}
			out[new(big.Int).SetBytes(tx.Data()[4:36]).Uint64()]++
		}
	}
	return out
}
