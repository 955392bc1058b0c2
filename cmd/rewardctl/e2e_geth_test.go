package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/gethnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// TestGethNetworkEndToEnd is the outside check: three real geth v1.13.15
// Clique signers on loopback run the validator contract; one signer's
// process is stopped for a while and started again. The ledger must show
// that validator's missed slots and a not-good run, the other two clean,
// and the exported epoch must compute with rewardctl calc.
func TestGethNetworkEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a geth network")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := t.TempDir()
	net, client, contract := gethnet.StartWithContract(ctx, t, gethnet.Config{Signers: 3, Period: 1, ChainID: 4343, Dir: filepath.Join(dir, "geth"), Logf: t.Logf})
	funded := net.FundedKey()
	vals := []common.Address{net.Signer(0), net.Signer(1), net.Signer(2)}

	// Stake at every validator.
	for i, v := range vals {
		sendAndWait(ctx, t, client, funded, &contract, big.NewInt(int64(i+1)*1e18), contracts.NewValidatorSet().PackStake(v))
	}
	startBlock, _ := client.HeaderByNumber(ctx, nil)
	t.Logf("contract %s; stakes done by block %d", contract.Hex(), startBlock.Number)

	// Validator 2 goes offline for a while.
	waitFor(ctx, t, net, startBlock.Number.Uint64()+6)
	if err := net.Stop(2); err != nil {
		t.Fatal(err)
	}
	stopped, _ := client.HeaderByNumber(ctx, nil)
	waitFor(ctx, t, net, stopped.Number.Uint64()+24)
	if err := net.Restart(2); err != nil {
		t.Fatal(err)
	}
	restarted, _ := client.HeaderByNumber(ctx, nil)
	waitFor(ctx, t, net, restarted.Number.Uint64()+12)
	end, _ := client.HeaderByNumber(ctx, nil)
	t.Logf("validator 2 offline from block %d to %d; epoch ends at block %d", stopped.Number, restarted.Number, end.Number)

	// Epoch 0 spans from the first block after the stakes to the current
	// head; it is final once 2 more blocks exist.
	first, _ := client.HeaderByNumber(ctx, new(big.Int).Add(startBlock.Number, big.NewInt(1)))
	waitFor(ctx, t, net, end.Number.Uint64()+4)
	cfgPath := filepath.Join(dir, "rewardd.json")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`{
  "rpc_url": %q, "chain_id": 4343, "contract": %q, "clique_epoch": 30000, "confirmations": 2,
  "ledger_path": %q,
  "epoch": {"start": %q, "length": "%ds"},
  "standing": {"window": 40, "threshold": 3}
}`, net.RPC(0), contract.Hex(), filepath.Join(dir, "ledger.db"),
		time.Unix(int64(first.Time), 0).UTC().Format(time.RFC3339), end.Time+1-first.Time)), 0o600)

	// Follow into the ledger, as rewardd does.
	rc, err := rpc.DialContext(ctx, net.RPC(1))
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"), ledger.Identity{ChainID: 4343, Contract: contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	f := follower.New(follower.Config{Contract: contract, CliqueEpoch: 30000, Confirmations: 2}, rc, l, zap.NewNop())
	if _, err := f.SyncOnce(ctx); err != nil {
		t.Fatal(err)
	}
	l.Close()

	// Export from the ledger and compute it with rewardctl calc.
	in0, ev0 := filepath.Join(dir, "in0.json"), filepath.Join(dir, "ev0.json")
	if code, _, stderr := runCmd(t, "export", "--config", cfgPath, "--epoch", "0", "--out", in0, "--evidence", ev0); code != 0 {
		t.Fatalf("export: exit %d: %s", code, stderr)
	}
	inFile, _ := os.Open(in0)
	in, err := calc.DecodeInput(inFile)
	inFile.Close()
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runCmd(t, "calc", "--input", in0)
	if code != 0 {
		t.Fatalf("calc: exit %d: %s", code, stderr)
	}
	evidence, _ := os.ReadFile(ev0)
	t.Logf("epoch 0: blocks %d-%d; evidence:\n%s", in.FirstBlock, in.LastBlock, evidence)
	if len(in.NotInGoodStanding) != 1 || in.NotInGoodStanding[0].Validator != vals[2] {
		t.Fatalf("not-good runs %+v, want one for %s", in.NotInGoodStanding, vals[2].Hex())
	}
	if !strings.Contains(stdout, `{"validator": "`+vals[2].Hex()+`", "eligible": false, "reason": "missed-slots"`) {
		t.Errorf("offline validator eligible:\n%s", stdout)
	}
	for _, v := range vals[:2] {
		if !strings.Contains(stdout, `{"validator": "`+v.Hex()+`", "eligible": true`) {
			t.Errorf("%s not eligible:\n%s", v.Hex(), stdout)
		}
	}

	// The same epoch read straight from another node agrees with the ledger.
	p, _ := export.ParamsFrom(mustLoad(t, cfgPath))
	direct, err := export.Export(ctx, export.RPCSource{F: follower.NewFetcher(follower.Config{Contract: contract, CliqueEpoch: 30000}, rc, zap.NewNop())}, p, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, vs := range direct.Standing {
		if (vs.Validator == vals[2]) != (len(vs.Missed) > 0) {
			t.Errorf("standing %d: %s missed %v", i, vs.Validator.Hex(), vs.Missed)
		}
	}
	if len(direct.Input.NotInGoodStanding) != 1 || direct.Input.FirstBlock != in.FirstBlock || direct.Input.LastBlock != in.LastBlock {
		t.Errorf("node export differs from ledger export: %+v", direct.Input.NotInGoodStanding)
	}
}

func waitFor(ctx context.Context, t *testing.T, net *gethnet.Network, n uint64) {
	t.Helper()
	if err := net.WaitBlock(ctx, n); err != nil {
		t.Fatal(err)
	}
}

// sendAndWait sends a transaction and fails the test unless it succeeds.
func sendAndWait(ctx context.Context, t *testing.T, c *ethclient.Client, key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte) *types.Receipt {
	t.Helper()
	r, err := gethnet.Transact(ctx, c, key, to, value, data)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
