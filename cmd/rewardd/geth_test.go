package main

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/gethnet"
)

// TestDaemonOnGethNetwork: rewardd settles epochs of a real three-signer
// geth Clique network, its roots land, and a delegator claims with a proof
// fetched from the API.
func TestDaemonOnGethNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a geth network")
	}
	if _, err := gethnet.FindGeth(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("geth v1.13.15 is required in CI (.ci/install-geth.sh): %v", err)
		}
		t.Skipf("geth v1.13.15 not installed: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	net, err := gethnet.Start(ctx, gethnet.Config{Signers: 3, Period: 1, ChainID: 4344, Dir: filepath.Join(dir, "geth"), Logf: t.Logf})
	if err != nil {
		t.Fatal(err)
	}
	defer net.Close()
	client, err := ethclient.DialContext(ctx, net.RPC(0))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	funded := net.FundedKey()
	vals := []common.Address{net.Signer(0), net.Signer(1), net.Signer(2)}
	vs := contracts.NewValidatorSet()
	rcpt := gethTx(ctx, t, client, funded, nil, nil, append(common.FromHex(contracts.ValidatorSetMetaData.Bin), vs.PackConstructor(vals, big.NewInt(1))...))
	contract := rcpt.ContractAddress
	gethTx(ctx, t, client, funded, &contract, new(big.Int).Mul(big.NewInt(1e18), big.NewInt(1000)), nil)
	gethTx(ctx, t, client, funded, &contract, big.NewInt(2e18), vs.PackStake(vals[1]))
	head, _ := client.HeaderByNumber(ctx, nil)

	ks, pw := writeKey(t, dir, net.SignerKey(0), "secret", 0o600)
	cfgPath := filepath.Join(dir, "rewardd.json")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`{"rpc_url": %q, "chain_id": 4344, "contract": %q, "clique_epoch": 30000, "confirmations": 2,
  "ledger_path": %q, "epoch": {"start": %q, "length": "15s"},
  "standing": {"window": 30, "threshold": 5},
  "follower": {"poll_interval": "500ms", "rpc_timeout": "5s"},
  "settle": {"schedule": "@every 1s", "publish_dir": %q},
  "submit": {"keystore_file": %q, "password_file": %q, "confirmations": 2, "resend_after": "10s"},
  "api": {"listen": "127.0.0.1:0"}}`, net.RPC(1), contract.Hex(), filepath.Join(dir, "ledger.db"),
		time.Unix(int64(head.Time+1), 0).UTC().Format(time.RFC3339), filepath.Join(dir, "pub"), ks, pw)), 0o600)

	dctx, stop := context.WithCancel(ctx)
	var log lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(dctx, []string{"--config", cfgPath, "--log-format", "console"}, &log) }()
	defer func() { stop(); <-done }()
	apiURL := waitForAPI(t, &log, done)
	waitSettled(t, apiURL, 2, &log)

	delegator := crypto.PubkeyToAddress(funded.PublicKey)
	resp, err := http.Get(fmt.Sprintf("%s/v1/epochs/1/proofs/%s", apiURL, delegator.Hex()))
	if err != nil {
		t.Fatal(err)
	}
	var p api.Proof
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if len(p.Calldata) == 0 {
		t.Fatalf("no proof for %s", delegator.Hex())
	}
	claimer, _ := crypto.ToECDSA(crypto.Keccak256([]byte("claimer")))
	claimerAddr := crypto.PubkeyToAddress(claimer.PublicKey)
	gethTx(ctx, t, client, funded, &claimerAddr, big.NewInt(1e18), nil)
	before, _ := client.BalanceAt(ctx, delegator, nil)
	gethTx(ctx, t, client, claimer, &contract, nil, p.Calldata)
	after, _ := client.BalanceAt(ctx, delegator, nil)
	if got := new(big.Int).Sub(after, before); got.String() != p.Cumulative {
		t.Fatalf("claim paid %s, want %s", got, p.Cumulative)
	}
}

// gethTx signs, sends and waits for a successful receipt.
func gethTx(ctx context.Context, t *testing.T, c *ethclient.Client, key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte) *types.Receipt {
	t.Helper()
	chainID, err := c.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := c.PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if value == nil {
		value = new(big.Int)
	}
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(50e9), Gas: 3_000_000, To: to, Value: value, Data: data,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	for {
		if r, err := c.TransactionReceipt(ctx, tx.Hash()); err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				t.Fatalf("transaction %s reverted", tx.Hash().Hex())
			}
			return r
		}
		select {
		case <-ctx.Done():
			t.Fatalf("transaction %s not mined", tx.Hash().Hex())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
