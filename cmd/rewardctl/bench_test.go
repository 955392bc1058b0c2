package main

import (
	"bytes"
	"context"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// BenchmarkAuditFullEpoch audits one 15-day epoch (216,000 blocks; BENCH_BLOCKS
// overrides) from a local node — the embedded Clique chain over loopback
// HTTP — with the rewardctl binary in its own process, and reports its wall
// time and peak resident memory (GNU time). The epoch's root is first
// computed and accepted on chain so that the audit has something to match.
func BenchmarkAuditFullEpoch(b *testing.B) {
	blocks := 216_000
	if s := os.Getenv("BENCH_BLOCKS"); s != "" {
		blocks, _ = strconv.Atoi(s)
	}
	if _, err := exec.LookPath("/usr/bin/time"); err != nil {
		b.Skip("needs GNU time (/usr/bin/time) for peak memory")
	}
	n := testnet.New(b, testnet.Options{CliqueEpoch: 30000})
	ctx := context.Background()
	for i := 0; i < 6; i++ {
		n.Commit(b, n.Stake(b, i%2, i%3, int64(1e18)*int64(i+1)))
	}
	start := time.Now()
	for mined := int(n.Chain.Head().Number.Uint64()); mined < blocks+20; mined += 1000 {
		n.Mine(b, 1000)
	}
	b.Logf("mined %d blocks in %s", n.Chain.Head().Number.Uint64(), time.Since(start).Round(time.Second))
	genesis := n.Chain.HeaderByNumber(0).Time
	dir := b.TempDir()
	cfg := filepath.Join(dir, "rewardd.json")
	os.WriteFile(cfg, []byte(fmt.Sprintf(`{"rpc_url": %q, "chain_id": %d, "contract": %q, "clique_epoch": 30000, "confirmations": 2,
  "ledger_path": "unused.db", "epoch": {"start": %q, "length": "%ds"}}`, n.Chain.RPCURL(), n.Chain.ChainID().Uint64(), n.Contract.Hex(),
		time.Unix(int64(genesis+1), 0).UTC().Format(time.RFC3339), blocks)), 0o600)

	// Settle epoch 0 on chain: compute it and vote its root.
	loaded, err := config.Load(cfg)
	if err != nil {
		b.Fatal(err)
	}
	c := &loaded
	p, err := export.ParamsFrom(c)
	if err != nil {
		b.Fatal(err)
	}
	client, err := rpc.DialContext(ctx, n.Chain.RPCURL())
	if err != nil {
		b.Fatal(err)
	}
	defer client.Close()
	ep, err := export.Export(ctx, export.RPCSource{F: follower.NewFetcher(export.FollowerConfig(c), client, zap.NewNop())}, p, 0, nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := calc.Compute(ep.Input)
	if err != nil {
		b.Fatal(err)
	}
	var out bytes.Buffer
	res.WriteJSON(&out)
	total := new(big.Int)
	for _, po := range res.Payouts {
		total.Add(total, po.Cumulative.ToBig())
	}
	vote, err := n.Chain.SendTx(ctx, n.Signers[0], &n.Contract, nil, contracts.NewValidatorSet().PackSubmitRoot(big.NewInt(0), res.MerkleRoot, total, crypto.Keccak256Hash(out.Bytes())))
	if err != nil {
		b.Fatal(err)
	}
	n.Commit(b, vote)

	rewardctl := filepath.Join(dir, "rewardctl")
	if o, err := exec.Command("go", "build", "-o", rewardctl, ".").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, o)
	}
	rss := regexp.MustCompile(`maxrss=(\d+)`)
	b.ResetTimer()
	for b.Loop() {
		cmd := exec.Command("/usr/bin/time", "-f", "maxrss=%M wall=%e", rewardctl, "audit", "--epoch", "0", "--config", cfg, "--full")
		o, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(o), "MATCH") {
			b.Fatalf("audit: %v\n%s", err, o)
		}
		if m := rss.FindSubmatch(o); m != nil {
			kb, _ := strconv.ParseFloat(string(m[1]), 64)
			b.ReportMetric(kb/1024, "peak-MiB")
		}
	}
	b.ReportMetric(float64(blocks), "blocks")
}
