package devchain

import (
	"context"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

var (
	collector = common.HexToAddress("0xc011ec7000000000000000000000000000000005")
	fiveCMT   = new(big.Int).Mul(big.NewInt(5), big.NewInt(params.Ether))
)

// awardAt is the collector's balance after block n: n awards.
func awardAt(award *big.Int, n uint64) *big.Int {
	if award == nil {
		return new(big.Int)
	}
	return new(big.Int).Mul(award, new(big.Int).SetUint64(n))
}

// dialHTTP returns a JSON-RPC client over the chain's HTTP endpoint, so that
// balances are read the way any client reads them.
func dialHTTP(t *testing.T, c *Chain) *ethclient.Client {
	t.Helper()
	rc, err := ethclient.DialContext(context.Background(), c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rc.Close)
	return rc
}

func balanceAt(t *testing.T, rc *ethclient.Client, a common.Address, n uint64) *big.Int {
	t.Helper()
	bal, err := rc.BalanceAt(context.Background(), a, new(big.Int).SetUint64(n))
	if err != nil {
		t.Fatalf("eth_getBalance(%s, %d): %v", a, n, err)
	}
	return bal
}

// checkCollector checks the collector's balance over RPC at every height up
// to the head: exactly one award per block after the genesis, which fails
// if any block credits it twice or not at all.
func checkCollector(t *testing.T, c *Chain, rc *ethclient.Client, award *big.Int) {
	t.Helper()
	for n := uint64(0); n <= c.Head().Number.Uint64(); n++ {
		if got, want := balanceAt(t, rc, collector, n), awardAt(award, n); got.Cmp(want) != 0 {
			t.Errorf("collector balance at block %d = %s wei, want %s", n, got, want)
		}
	}
	latest, err := c.Client().BalanceAt(context.Background(), collector, nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := awardAt(award, c.Head().Number.Uint64()); latest.Cmp(want) != 0 {
		t.Errorf("collector balance at the head (in-process client) = %s, want %s", latest, want)
	}
}

func TestBlockAward(t *testing.T) {
	for _, tc := range []struct {
		name  string
		award *big.Int
	}{
		{"5 CMT", fiveCMT},
		{"1 wei", big.NewInt(1)},
		{"nil", nil},
		{"zero", new(big.Int)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, user := newChain(t, 3, func(cfg *Config) {
				cfg.HTTP = true
				cfg.RewardCollector = collector
				cfg.BlockReward = tc.award
			})
			rc := dialHTTP(t, c)
			ctx := context.Background()
			if err := c.MineN(3); err != nil {
				t.Fatal(err)
			}
			// A block with transactions: its sealer earns the tips.
			a, err := c.SendTx(ctx, user, &common.Address{0xaa}, big.NewInt(1), nil)
			if err != nil {
				t.Fatal(err)
			}
			b, err := c.SendTx(ctx, user, &common.Address{0xbb}, big.NewInt(2), nil)
			if err != nil {
				t.Fatal(err)
			}
			rs, err := c.Commit(a, b)
			if err != nil {
				t.Fatal(err)
			}
			txBlock := rs[1].BlockNumber.Uint64()
			if rs[0].BlockNumber.Uint64() != txBlock {
				t.Fatalf("txs in blocks %d and %d", rs[0].BlockNumber, txBlock)
			}
			// An out-of-turn block.
			next := c.Head().Number.Uint64() + 1
			ob, err := c.MineBy(c.InTurn(next + 1))
			if err != nil {
				t.Fatal(err)
			}
			if ob.Difficulty().Int64() != 1 {
				t.Fatalf("block %d: difficulty %d, want out of turn", next, ob.Difficulty())
			}
			if err := c.MineN(2); err != nil {
				t.Fatal(err)
			}

			checkCollector(t, c, rc, tc.award)

			// Signers earn their blocks' tips and nothing else: an award
			// credited to the sealer would show here.
			head := c.Head().Number.Uint64()
			fees := make(map[common.Address]*big.Int)
			for _, s := range c.Signers() {
				fees[s] = new(big.Int)
			}
			for n := uint64(1); n <= head; n++ {
				h := c.HeaderByNumber(n)
				rcpts, err := rc.BlockReceipts(ctx, rpc.BlockNumberOrHashWithHash(h.Hash(), false))
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range rcpts {
					tip := new(big.Int).Sub(r.EffectiveGasPrice, h.BaseFee)
					fees[sealer(t, h)].Add(fees[sealer(t, h)], tip.Mul(tip, new(big.Int).SetUint64(r.GasUsed)))
				}
			}
			if f := fees[sealer(t, c.HeaderByNumber(txBlock))]; f.Sign() <= 0 {
				t.Fatalf("sealer of block %d earned no tips (%s): the test checks nothing", txBlock, f)
			}
			for s, want := range fees {
				if s == collector {
					t.Fatal("collector is a signer")
				}
				if got := balanceAt(t, rc, s, head); got.Cmp(want) != 0 {
					t.Errorf("signer %s balance %s wei, want its tips %s", s, got, want)
				}
			}
		})
	}
}

// The award is consensus: two chains with the same genesis, one awarding
// and one not, reject each other's blocks on the state root.
func TestBlockAwardIsConsensus(t *testing.T) {
	gt := uint64(time.Now().Add(-time.Hour).Unix())
	plain, _ := newChain(t, 2, func(cfg *Config) { cfg.GenesisTime = gt })
	awarding, _ := newChain(t, 2, func(cfg *Config) {
		cfg.GenesisTime = gt
		cfg.RewardCollector = collector
		cfg.BlockReward = fiveCMT
	})
	if plain.HeaderByNumber(0).Hash() != awarding.HeaderByNumber(0).Hash() {
		t.Fatal("the award changed the genesis block")
	}
	signer := plain.InTurn(1)
	pb, err := plain.MineBy(signer)
	if err != nil {
		t.Fatal(err)
	}
	ab, err := awarding.MineBy(signer)
	if err != nil {
		t.Fatal(err)
	}
	if pb.Root() == ab.Root() {
		t.Fatal("awarding and plain block 1 have the same state root")
	}
	for _, x := range []struct {
		name  string
		into  *Chain
		block *types.Block
	}{
		{"plain block into awarding chain", awarding, pb},
		{"awarding block into plain chain", plain, ab},
	} {
		head := x.into.Head().Hash()
		_, err := x.into.bc.InsertChain(types.Blocks{x.block})
		if err == nil || !strings.Contains(err.Error(), "invalid merkle root") {
			t.Errorf("%s: got %v, want invalid merkle root", x.name, err)
		}
		if x.into.Head().Hash() != head {
			t.Errorf("%s: head moved", x.name)
		}
	}
}

func TestBlockAwardReorg(t *testing.T) {
	c, _ := newChain(t, 5, func(cfg *Config) {
		cfg.HTTP = true
		cfg.RewardCollector = collector
		cfg.BlockReward = fiveCMT
	})
	rc := dialHTTP(t, c)
	if err := c.MineN(6); err != nil {
		t.Fatal(err)
	}
	// Three out-of-turn blocks (total difficulty 3), each sealed by the
	// signer whose turn is the next block.
	for k := 0; k < 3; k++ {
		if _, err := c.MineBy(c.InTurn(c.Head().Number.Uint64() + 2)); err != nil {
			t.Fatal(err)
		}
	}
	oldHead := c.Head()
	if oldHead.Number.Uint64() != 9 || oldHead.Difficulty.Int64() != 1 {
		t.Fatalf("head %d difficulty %d", oldHead.Number, oldHead.Difficulty)
	}
	checkCollector(t, c, rc, fiveCMT)

	for _, f := range []Fork{
		{Depth: 3, Length: 2}, // two in-turn blocks outweigh three out-of-turn ones: the head goes down
		{Depth: 2, Length: 4},
	} {
		before := c.Head()
		blocks, err := c.Reorg(f)
		if err != nil {
			t.Fatal(err)
		}
		head := c.Head().Number.Uint64()
		if want := before.Number.Uint64() - uint64(f.Depth) + uint64(f.Length); head != want || c.Head().Hash() != blocks[len(blocks)-1].Hash() {
			t.Fatalf("reorg %+v: head %d, want %d", f, head, want)
		}
		checkCollector(t, c, rc, fiveCMT)
	}
	// The replaced blocks' states still hold their own awards.
	bal, err := rc.BalanceAtHash(context.Background(), collector, oldHead.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if want := awardAt(fiveCMT, 9); bal.Cmp(want) != 0 {
		t.Errorf("collector balance at the replaced head = %s, want %s", bal, want)
	}
}

func TestBlockAwardDataDirReopen(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{
		Signers:         testKeys(t, 2),
		DataDir:         dir,
		GenesisTime:     uint64(time.Now().Add(-time.Hour).Unix()),
		RewardCollector: collector,
		BlockReward:     fiveCMT,
		HTTP:            true,
	}
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

	// Another award rule on the same blocks is refused.
	other := cfg
	other.BlockReward = big.NewInt(1)
	none := cfg
	none.BlockReward = nil
	elsewhere := cfg
	elsewhere.RewardCollector = common.Address{1}
	for name, bad := range map[string]Config{"other award": other, "no award": none, "other collector": elsewhere} {
		c, err := New(bad)
		if err == nil {
			c.Close()
			t.Fatalf("%s: reopened", name)
		}
		if !strings.Contains(err.Error(), "data directory holds 5 blocks") {
			t.Errorf("%s: %v", name, err)
		}
	}

	c, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if n := c.Head().Number.Uint64(); n != 5 {
		t.Fatalf("reopened at block %d, want 5", n)
	}
	if err := c.MineN(2); err != nil {
		t.Fatal(err)
	}
	checkCollector(t, c, dialHTTP(t, c), fiveCMT)
}

// A data directory whose chain has blocks but no award cannot be reopened
// with one.
func TestBlockAwardDataDirNoAwardChain(t *testing.T) {
	cfg := Config{Signers: testKeys(t, 1), DataDir: t.TempDir(), GenesisTime: uint64(time.Now().Add(-time.Hour).Unix())}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MineN(1); err != nil {
		t.Fatal(err)
	}
	c.Close()
	cfg.RewardCollector, cfg.BlockReward = collector, fiveCMT
	if c, err := New(cfg); err == nil || !strings.Contains(err.Error(), "built with no block award") {
		if err == nil {
			c.Close()
		}
		t.Fatalf("got %v", err)
	}
}

func TestBlockAwardConfig(t *testing.T) {
	huge := new(big.Int).Lsh(big.NewInt(1), 256)
	for _, tc := range []struct {
		name      string
		collector common.Address
		award     *big.Int
		err       string
	}{
		{"negative", collector, big.NewInt(-1), "negative block reward"},
		{"over 256 bits", collector, huge, "does not fit in 256 bits"},
		{"largest", collector, new(big.Int).Sub(huge, common.Big1), ""},
		{"no collector", common.Address{}, fiveCMT, "without a reward collector"},
		{"zero award without collector", common.Address{}, new(big.Int), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Config{Signers: testKeys(t, 1), RewardCollector: tc.collector, BlockReward: tc.award})
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				c.Close()
				return
			}
			if err == nil {
				c.Close()
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("got %v, want %q", err, tc.err)
			}
		})
	}

	// New and Config copy the award: the caller's value may change.
	award := new(big.Int).Set(fiveCMT)
	c, _ := newChain(t, 1, func(cfg *Config) { cfg.RewardCollector, cfg.BlockReward = collector, award })
	award.SetInt64(1)
	c.Config().BlockReward.SetInt64(2)
	if _, err := c.Mine(); err != nil {
		t.Fatal(err)
	}
	if got := c.Config().BlockReward; got.Cmp(fiveCMT) != 0 {
		t.Errorf("Config().BlockReward = %s", got)
	}
	bal, err := c.Client().BalanceAt(context.Background(), collector, nil)
	if err != nil || bal.Cmp(fiveCMT) != 0 {
		t.Errorf("collector balance %s, %v", bal, err)
	}
}

// BenchmarkMineAward is BenchmarkMineEmpty with the block award: every
// block then changes the state.
func BenchmarkMineAward(b *testing.B) {
	c, _ := newChain(b, 3, func(cfg *Config) { cfg.RewardCollector, cfg.BlockReward = collector, fiveCMT })
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := c.Mine(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
}
