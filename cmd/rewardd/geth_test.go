package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/gethnet"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// TestDaemonOnGethNetwork: two validators' rewardd, a majority, settle
// epochs of a real three-signer geth Clique network while the third
// signer's process is stopped for a while;
// its roots land, a delegator claims with a proof fetched from the API, and
// rewardctl audit, recomputing from the chain alone, agrees with the daemon
// on every epoch, the offline validator included.
func TestDaemonOnGethNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a geth network")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	net, client, contract := gethnet.StartWithContract(ctx, t, gethnet.Config{Signers: 3, Period: 1, ChainID: 4344, Dir: filepath.Join(dir, "geth"), Logf: t.Logf})
	funded := net.FundedKey()
	vals := []common.Address{net.Signer(0), net.Signer(1), net.Signer(2)}
	vs := contracts.NewValidatorSet()
	// Stock geth mints no block awards (CyberMiles' node credits them to
	// the contract), so the rewards are funded with a transfer here.
	gethTx(ctx, t, client, funded, &contract, new(big.Int).Mul(big.NewInt(1e18), big.NewInt(1000)), nil)
	gethTx(ctx, t, client, funded, &contract, big.NewInt(2e18), vs.PackStake(vals[1]))
	head, _ := client.HeaderByNumber(ctx, nil)

	// Validators 0 and 1 each run a daemon: 2 of 3, a majority. Validator
	// 0's follows node 1, validator 1's node 0.
	var cfgPath, apiURL string
	var log lockedBuffer
	dctx, stop := context.WithCancel(ctx)
	var dones []chan int
	defer func() {
		stop()
		for _, d := range dones {
			<-d
		}
	}()
	for i := 0; i < 2; i++ {
		vdir := filepath.Join(dir, fmt.Sprintf("validator-%d", i))
		if err := os.MkdirAll(vdir, 0o700); err != nil {
			t.Fatal(err)
		}
		ks, pw := writeKey(t, vdir, net.SignerKey(i), "secret", 0o600)
		path := filepath.Join(vdir, "rewardd.json")
		os.WriteFile(path, []byte(fmt.Sprintf(`{"rpc_url": %q, "chain_id": 4344, "contract": %q, "clique_epoch": 30000, "confirmations": 2,
  "ledger_path": %q, "epoch": {"start": %q, "length": "15s"},
  "standing": {"window": 30, "threshold": 5},
  "follower": {"poll_interval": "500ms", "rpc_timeout": "5s"},
  "settle": {"schedule": "@every 1s", "publish_dir": %q},
  "submit": {"keystore_file": %q, "password_file": %q, "confirmations": 2, "resend_after": "10s"},
  "api": {"listen": "127.0.0.1:0"}}`, net.RPC(1-i), contract.Hex(), filepath.Join(vdir, "ledger.db"),
			time.Unix(int64(head.Time+1), 0).UTC().Format(time.RFC3339), filepath.Join(vdir, "pub"), ks, pw)), 0o600)
		out := &log
		if i > 0 {
			out = new(lockedBuffer)
		}
		done := make(chan int, 1)
		go func() { done <- run(dctx, []string{"--config", path, "--log-format", "console"}, out) }()
		dones = append(dones, done)
		url := waitForAPI(t, out, done)
		if i == 0 {
			cfgPath, apiURL, dir = path, url, vdir
		}
	}
	// Validator 2's node goes offline for ~20 blocks inside epoch 1.
	if err := net.WaitBlock(ctx, head.Number.Uint64()+18); err != nil {
		t.Fatal(err)
	}
	if err := net.Stop(2); err != nil {
		t.Fatal(err)
	}
	stopped, _ := client.HeaderByNumber(ctx, nil)
	if err := net.WaitBlock(ctx, stopped.Number.Uint64()+20); err != nil {
		t.Fatal(err)
	}
	if err := net.Restart(2); err != nil {
		t.Fatal(err)
	}
	waitSettled(t, apiURL, 3, &log)

	// Claim against the latest accepted epoch (its root is the contract's
	// current root); if a newer epoch lands meanwhile, try again.
	delegator := crypto.PubkeyToAddress(funded.PublicKey)
	claimer, _ := crypto.ToECDSA(crypto.Keccak256([]byte("claimer")))
	claimerAddr := crypto.PubkeyToAddress(claimer.PublicKey)
	gethTx(ctx, t, client, funded, &claimerAddr, big.NewInt(1e18), nil)
	for attempt := 0; ; attempt++ {
		st := waitSettled(t, apiURL, 3, &log)
		resp, err := http.Get(fmt.Sprintf("%s/v1/epochs/%d/proofs/%s", apiURL, st.LatestEpoch.Epoch, delegator.Hex()))
		if err != nil {
			t.Fatal(err)
		}
		var p api.Proof
		json.NewDecoder(resp.Body).Decode(&p)
		resp.Body.Close()
		if len(p.Calldata) == 0 {
			t.Fatalf("no proof for %s", delegator.Hex())
		}
		before, _ := client.BalanceAt(ctx, delegator, nil)
		if _, err := gethnet.Transact(ctx, client, claimer, &contract, nil, p.Calldata); err != nil {
			if attempt < 3 {
				t.Logf("claim against epoch %d: %v; retrying", st.LatestEpoch.Epoch, err)
				continue
			}
			t.Fatal(err)
		}
		after, _ := client.BalanceAt(ctx, delegator, nil)
		if got := new(big.Int).Sub(after, before); got.String() != p.Cumulative {
			t.Fatalf("claim paid %s, want %s", got, p.Cumulative)
		}
		break
	}

	// rewardctl audit agrees with the daemon on every settled epoch.
	rewardctl := filepath.Join(t.TempDir(), "rewardctl")
	if out, err := exec.Command("go", "build", "-o", rewardctl, "../rewardctl").CombinedOutput(); err != nil {
		t.Fatalf("build rewardctl: %v\n%s", err, out)
	}
	sawOffline := false
	for e := 0; e < 3; e++ {
		_, _, _, result := settle.FileNames(uint64(e))
		out, err := exec.Command(rewardctl, "audit", "--epoch", fmt.Sprint(e), "--config", cfgPath, "--rpc", net.RPC(0),
			"--result", filepath.Join(dir, "pub", result)).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "MATCH") {
			t.Fatalf("audit epoch %d: %v\n%s", e, err, out)
		}
		if strings.Contains(string(out), vals[2].Hex()+"  active") && strings.Contains(string(out), "INELIGIBLE: missed-slots") {
			sawOffline = true
		}
	}
	if !sawOffline {
		t.Error("no audited epoch shows the offline validator as ineligible")
	}
}

// gethTx sends a transaction and fails the test unless it succeeds.
func gethTx(ctx context.Context, t *testing.T, c *ethclient.Client, key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte) *types.Receipt {
	t.Helper()
	r, err := gethnet.Transact(ctx, c, key, to, value, data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
