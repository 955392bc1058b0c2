package gethnet_test

import (
	"context"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/cmt-rewards/cmt-rewards/internal/gethnet"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// TestImport exports an embedded chain with contract logs, imports it into
// geth 1.13.15 and checks that geth serves the same genesis, head and logs.
func TestImport(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: not starting geth")
	}
	gethnet.Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	n := testnet.New(t, testnet.Options{NoAwards: true, CliqueEpoch: 100, GenesisTime: uint64(time.Now().Add(-time.Hour).Unix())})
	n.Commit(t, n.Stake(t, 0, 1, 7))
	n.Mine(t, 250)
	n.Commit(t, n.Stake(t, 1, 2, 9))
	head := n.Chain.Head()
	ex, err := gethnet.ExportChain(ctx, n.Chain.Backend().ChainDb(), n.Chain.Backend().BlockChain(), head.Number.Uint64(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if ex.HeadHash != head.Hash() {
		t.Fatalf("exported head %s, chain head %s", ex.HeadHash, head.Hash())
	}
	dir := t.TempDir()
	node, err := gethnet.Import(ctx, gethnet.ImportConfig{
		Dir: dir, Genesis: ex.GenesisPath, Blocks: ex.BlocksPath, GenesisHash: ex.GenesisHash,
		ChainID: n.Chain.ChainID().Uint64(), Logf: t.Logf,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer node.Close()
	num, hash, err := node.Head(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if num != ex.Head || hash != ex.HeadHash {
		t.Fatalf("geth head %d %s, exported %d %s", num, hash, ex.Head, ex.HeadHash)
	}
	want, err := n.Chain.Client().FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{n.Contract}, ToBlock: big.NewInt(int64(num))})
	if err != nil {
		t.Fatal(err)
	}
	c, err := ethclient.DialContext(ctx, node.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := c.FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{n.Contract}, FromBlock: big.NewInt(0), ToBlock: big.NewInt(int64(num))})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) || len(got) < 2 {
		t.Fatalf("geth has %d contract logs, the chain %d", len(got), len(want))
	}
	for i := range got {
		if got[i].TxHash != want[i].TxHash || got[i].BlockHash != want[i].BlockHash {
			t.Fatalf("log %d differs: %+v vs %+v", i, got[i], want[i])
		}
	}
	// A second Import of the same directory serves the chain without
	// init or import.
	node.Close()
	again, err := gethnet.Import(ctx, gethnet.ImportConfig{Dir: dir, GenesisHash: ex.GenesisHash, ChainID: n.Chain.ChainID().Uint64()})
	if err != nil {
		t.Fatalf("reopen: %v (log %s)", err, filepath.Join(dir, "geth.log"))
	}
	defer again.Close()
	if num2, hash2, err := again.Head(ctx); err != nil || num2 != num || hash2 != hash {
		t.Fatalf("reopened head %d %s (%v), want %d %s", num2, hash2, err, num, hash)
	}
}
