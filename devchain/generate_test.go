package devchain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rlp"
)

// genConfig is a chain in a data directory with three signers, a funded
// user, the block award and a short Clique epoch (checkpoints every 50
// blocks).
func genConfig(t testing.TB) (Config, *Config) {
	t.Helper()
	user := testKey(t, "user")
	cfg := Config{
		Signers: testKeys(t, 3),
		Alloc: types.GenesisAlloc{
			crypto.PubkeyToAddress(user.PublicKey): {Balance: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))},
		},
		Epoch:           50,
		GenesisTime:     uint64(time.Now().Add(-24 * time.Hour).Unix()),
		DataDir:         t.TempDir(),
		RewardCollector: common.HexToAddress("0xc011ec7"),
		BlockReward:     new(big.Int).Mul(big.NewInt(5), big.NewInt(params.Ether)),
	}
	return cfg, &cfg
}

// genTxs returns a Txs function: in block 3 the user deploys storeContract,
// in every 7th block after it stores a value (a log) and sends a transfer.
func genTxs(t testing.TB, c Config, topic common.Hash) (func(number, time uint64) ([]*types.Transaction, error), *common.Address) {
	user := testKey(t, "user")
	from := crypto.PubkeyToAddress(user.PublicKey)
	chainCfg := *params.AllCliqueProtocolChanges
	chainCfg.ChainID = new(big.Int).SetUint64(DefaultChainID)
	if c.ChainID != 0 {
		chainCfg.ChainID = new(big.Int).SetUint64(c.ChainID)
	}
	signer := types.LatestSigner(&chainCfg)
	contract := crypto.CreateAddress(from, 0)
	var nonce uint64
	sign := func(to *common.Address, value int64, gas uint64, data []byte) *types.Transaction {
		tx, err := types.SignNewTx(user, signer, &types.DynamicFeeTx{
			ChainID: chainCfg.ChainID, Nonce: nonce, GasTipCap: big.NewInt(params.GWei), GasFeeCap: big.NewInt(100 * params.GWei),
			Gas: gas, To: to, Value: big.NewInt(value), Data: data,
		})
		if err != nil {
			t.Fatal(err)
		}
		nonce++
		return tx
	}
	return func(number, _ uint64) ([]*types.Transaction, error) {
		switch {
		case number == 3:
			return []*types.Transaction{sign(nil, 0, 200_000, storeContract(topic))}, nil
		case number > 3 && number%7 == 0:
			to := common.BigToAddress(big.NewInt(int64(0x10000 + number)))
			return []*types.Transaction{
				sign(&contract, 0, 100_000, common.BigToHash(big.NewInt(int64(number))).Bytes()),
				sign(&to, 1, params.TxGas, nil),
			}, nil
		}
		return nil, nil
	}, &contract
}

// Generated blocks are ones the node's unmodified engine accepts: imported
// into a fresh chain with the same genesis through InsertChain (seals,
// Clique rules, checkpoints, state roots with the award, receipts), they
// give the same head. The generated directory reopens at its head, serves
// balances, receipts and logs, and keeps producing blocks.
func TestGenerateImportsAndReopens(t *testing.T) {
	cfg, _ := genConfig(t)
	topic := common.HexToHash("0x70b1c")
	txs, contract := genTxs(t, cfg, topic)
	const n = 1100
	// Blocks 0..1000 go to the freezer as the node's freezer would move
	// them at a 90,000-block distance.
	defer func(v uint64) { immutabilityThreshold = v }(immutabilityThreshold)
	immutabilityThreshold = 100
	var progress []uint64
	offline := func(number uint64) []int { // signer 1's node is down for blocks 200-259
		if number >= 200 && number < 260 {
			return []int{1}
		}
		return nil
	}
	head, err := Generate(cfg, GenerateOptions{Blocks: n, Txs: txs, Offline: offline,
		Progress: func(d uint64) { progress = append(progress, d) }})
	if err != nil {
		t.Fatal(err)
	}
	if head.Number.Uint64() != n || len(progress) != 1 || progress[0] != n {
		t.Fatalf("head %d, progress %v", head.Number, progress)
	}

	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Head().Hash() != head.Hash() {
		t.Fatalf("reopened at %d %s, want %s", c.Head().Number, c.Head().Hash(), head.Hash())
	}
	if frozen, err := c.eth.ChainDb().Ancients(); err != nil || frozen != n-100+1 {
		t.Fatalf("%d blocks in the freezer (%v), want %d", frozen, err, n-100+1)
	}
	ctx := context.Background()
	cl := c.Client()
	bal, err := cl.BalanceAt(ctx, cfg.RewardCollector, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := awardAt(cfg.BlockReward, n); bal.Cmp(want) != 0 {
		t.Fatalf("collector balance %s, want %s", bal, want)
	}
	// Archive state: every block's state is on disk.
	for i := uint64(0); i <= n; i++ {
		if bal, err := cl.BalanceAt(ctx, cfg.RewardCollector, new(big.Int).SetUint64(i)); err != nil || bal.Cmp(awardAt(cfg.BlockReward, i)) != 0 {
			t.Fatalf("collector balance at %d: %v %v", i, bal, err)
		}
	}
	blk, err := cl.BlockByNumber(ctx, big.NewInt(14))
	if err != nil || len(blk.Transactions()) != 2 {
		t.Fatalf("block 14: %v, %v", blk, err)
	}
	rcpt, err := cl.TransactionReceipt(ctx, blk.Transactions()[0].Hash())
	if err != nil || rcpt.Status != types.ReceiptStatusSuccessful || len(rcpt.Logs) != 1 || rcpt.Logs[0].Topics[0] != topic ||
		rcpt.Logs[0].Address != *contract || rcpt.BlockHash != blk.Hash() {
		t.Fatalf("receipt: %+v, %v", rcpt, err)
	}
	if got := sealer(t, blk.Header()); got != c.Signers()[c.InTurn(14)] {
		t.Fatalf("block 14 sealed by %s, want the in-turn signer", got)
	}
	outOfTurn := 0
	for i := uint64(195); i < 265; i++ {
		h := c.HeaderByNumber(i)
		s := sealer(t, h)
		if i >= 200 && i < 260 && s == c.Signers()[1] {
			t.Fatalf("block %d sealed by the offline signer", i)
		}
		if h.Difficulty.Int64() == 1 {
			outOfTurn++
		}
		if (h.Difficulty.Int64() == 2) != (s == c.Signers()[c.InTurn(i)]) {
			t.Fatalf("block %d: difficulty %d, sealed by %s", i, h.Difficulty, s)
		}
	}
	if outOfTurn < 20 {
		t.Fatalf("%d blocks out of turn while a signer of 3 was offline for 60", outOfTurn)
	}
	if _, err := c.Mine(); err != nil {
		t.Fatalf("mine on a generated chain: %v", err)
	}

	// Import into a fresh in-memory chain through the engine.
	fresh := cfg
	fresh.DataDir = ""
	f, err := New(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var blocks types.Blocks
	for i := uint64(1); i <= n; i++ {
		blocks = append(blocks, c.bc.GetBlockByNumber(i))
	}
	if k, err := f.Import(blocks); err != nil {
		t.Fatalf("import of generated block %d: %v", k+1, err)
	}
	if f.Head().Hash() != head.Hash() {
		t.Fatalf("imported head %s, want %s", f.Head().Hash(), head.Hash())
	}

	// Generate stored the Clique snapshot the engine computes itself.
	snapKey := append(append([]byte(nil), rawdb.CliqueSnapshotPrefix...), blocks[1023].Hash().Bytes()...)
	var snaps [2]clique.Snapshot
	for i, db := range []ethdb.KeyValueReader{c.eth.ChainDb(), f.eth.ChainDb()} {
		blob, err := db.Get(snapKey)
		if err != nil {
			t.Fatalf("snapshot %d in chain %d: %v", 1024, i, err)
		}
		if err := json.Unmarshal(blob, &snaps[i]); err != nil {
			t.Fatal(err)
		}
	}
	if g, e := snaps[0], snaps[1]; g.Number != e.Number || g.Hash != e.Hash || !reflect.DeepEqual(g.Signers, e.Signers) ||
		!reflect.DeepEqual(g.Recents, e.Recents) || len(g.Votes) != len(e.Votes) || len(g.Tally) != len(e.Tally) {
		t.Fatalf("generated snapshot %+v, engine's %+v", g, e)
	}

	// A tampered generated block is rejected: the check above has teeth.
	bad := types.CopyHeader(blocks[n-1].Header())
	bad.Root[0] ^= 1
	g, err := New(fresh)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	tampered := append(types.Blocks(nil), blocks[:n-1]...)
	tampered = append(tampered, blocks[n-1].WithSeal(bad))
	if k, err := g.Import(tampered); err == nil || k != n-1 {
		t.Fatalf("a block with a wrong state root: %d imported, %v", k, err)
	}

	// The genesis JSON builds the same genesis block, and the export is
	// the blocks, RLP one after another.
	js, err := c.GenesisJSON()
	if err != nil {
		t.Fatal(err)
	}
	var gen core.Genesis
	if err := json.Unmarshal(js, &gen); err != nil {
		t.Fatal(err)
	}
	if gen.ToBlock().Hash() != c.bc.Genesis().Hash() {
		t.Fatal("genesis JSON gives another genesis block")
	}
	var buf bytes.Buffer
	if err := c.ExportRLP(&buf, 1, 5); err != nil {
		t.Fatal(err)
	}
	s := rlp.NewStream(&buf, 0)
	for i := uint64(1); i <= 5; i++ {
		var b types.Block
		if err := s.Decode(&b); err != nil || b.Hash() != blocks[i-1].Hash() {
			t.Fatalf("exported block %d: %v", i, err)
		}
	}
}

// Generate appends to a chain that already has blocks, and refuses what it
// cannot do without writing anything.
func TestGenerateAppendsAndRefuses(t *testing.T) {
	cfg, _ := genConfig(t)
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MineN(5); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	head, err := Generate(cfg, GenerateOptions{Blocks: 100})
	if err != nil {
		t.Fatal(err)
	}
	if head.Number.Uint64() != 105 {
		t.Fatalf("head %d, want 105", head.Number)
	}
	if _, err := Generate(cfg, GenerateOptions{Blocks: 1 << 40}); !errors.Is(err, ErrFutureBlock) {
		t.Fatalf("far future: %v", err)
	}
	if _, err := Generate(cfg, GenerateOptions{Blocks: 3, Txs: func(uint64, uint64) ([]*types.Transaction, error) {
		return nil, errors.New("boom")
	}}); err == nil {
		t.Fatal("a Txs error did not stop Generate")
	}
	noDir := cfg
	noDir.DataDir = ""
	if _, err := Generate(noDir, GenerateOptions{Blocks: 1}); err == nil {
		t.Fatal("generated without a data directory")
	}
	c, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Head().Number.Uint64() != 105 {
		t.Fatalf("reopened at %d, want 105", c.Head().Number)
	}
	if err := c.MineN(3); err != nil {
		t.Fatal(err)
	}
}
