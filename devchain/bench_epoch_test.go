package devchain

import (
	"math/big"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
)

// BenchmarkMineEpoch mines BENCH_BLOCKS blocks (default 20,000) with the
// block award on, three signers and, every 100th block, a few transfers (the
// staking history's transactions), and reports the rate over the first and
// the last tenth of the run: a superlinear slowdown shows as end << start.
// BENCH_BLOCKS=216000 mines a full CyberMiles epoch.
func BenchmarkMineEpoch(b *testing.B) {
	n := benchBlocks(b)
	const txEvery, txPerBlock = 100, 4
	for i := 0; i < b.N; i++ {
		c, user := newChain(b, 3, func(cfg *Config) {
			cfg.RewardCollector = common.HexToAddress("0xc011ec7")
			cfg.BlockReward = new(big.Int).Mul(big.NewInt(5), big.NewInt(params.Ether))
		})
		var nonce uint64
		tenth := max(n/10, 1)
		var startRate, endRate float64
		t0 := time.Now()
		tMark := t0
		startDone, endMarked := false, false
		for k := 1; k <= n; {
			if k%txEvery == 0 {
				head := c.Head()
				feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), big.NewInt(params.GWei))
				var txs []*types.Transaction
				for j := 0; j < txPerBlock; j++ {
					to := common.BigToAddress(big.NewInt(int64(k*txPerBlock + j)))
					tx, err := types.SignNewTx(user, c.txSign, &types.DynamicFeeTx{
						ChainID: c.chainID, Nonce: nonce, GasTipCap: big.NewInt(params.GWei), GasFeeCap: feeCap,
						Gas: params.TxGas, To: &to, Value: big.NewInt(1),
					})
					if err != nil {
						b.Fatal(err)
					}
					nonce++
					txs = append(txs, tx)
				}
				if err := c.AddTx(txs...); err != nil {
					b.Fatal(err)
				}
				blk, err := c.Mine()
				if err != nil {
					b.Fatal(err)
				}
				if len(blk.Transactions()) != txPerBlock {
					b.Fatalf("block %d: %d txs, want %d", blk.NumberU64(), len(blk.Transactions()), txPerBlock)
				}
				k++
			} else {
				// Empty blocks up to the next transfer block or the end of
				// the run, stopping at the measurement marks.
				to := min((k/txEvery+1)*txEvery-1, n)
				if !startDone && to > tenth {
					to = max(tenth, k)
				} else if !endMarked && k <= n-tenth && to > n-tenth {
					to = n - tenth
				}
				if err := c.MineN(to - k + 1); err != nil {
					b.Fatal(err)
				}
				k = to + 1
			}
			if !startDone && k > tenth {
				startDone = true
				startRate = float64(k-1) / time.Since(t0).Seconds()
			}
			if !endMarked && k > n-tenth {
				endMarked = true
				tMark = time.Now()
				tenth = n - (k - 1)
			}
		}
		endRate = float64(tenth) / time.Since(tMark).Seconds()
		total := time.Since(t0)
		if got := c.Head().Number.Uint64(); got != uint64(n) {
			b.Fatalf("head %d, want %d", got, n)
		}
		st, err := c.bc.State()
		if err != nil {
			b.Fatal(err)
		}
		want := new(big.Int).Mul(big.NewInt(int64(n)), c.cfg.BlockReward)
		if got := st.GetBalance(c.cfg.RewardCollector).ToBig(); got.Cmp(want) != 0 {
			b.Fatalf("collector balance %s, want %s", got, want)
		}
		b.ReportMetric(float64(n)/total.Seconds(), "blocks/s")
		b.ReportMetric(startRate, "start-blocks/s")
		b.ReportMetric(endRate, "end-blocks/s")
		b.ReportMetric(total.Seconds(), "s/run")
	}
}

// BenchmarkGenerate appends BENCH_BLOCKS blocks (default 20,000) with
// Generate to a data directory: the block award on, three signers, and
// every 100th block a contract call and a transfer (the staking history's
// share of transactions). BENCH_BLOCKS=216000 is a full CyberMiles epoch.
func BenchmarkGenerate(b *testing.B) {
	n := benchBlocks(b)
	for i := 0; i < b.N; i++ {
		cfg, _ := genConfig(b)
		cfg.Epoch = DefaultEpoch
		cfg.GenesisTime = uint64(time.Now().Add(-DefaultGenesisAge).Unix())
		txs, _ := genTxs(b, cfg, common.HexToHash("0x70b1c"))
		every := func(number, t uint64) ([]*types.Transaction, error) {
			if number == 3 || number%100 == 0 {
				return txs(map[bool]uint64{true: 3, false: 7}[number == 3], t)
			}
			return nil, nil
		}
		t0 := time.Now()
		head, err := Generate(cfg, GenerateOptions{Blocks: uint64(n), Txs: every})
		if err != nil {
			b.Fatal(err)
		}
		total := time.Since(t0)
		if head.Number.Uint64() != uint64(n) {
			b.Fatalf("head %d", head.Number)
		}
		b.ReportMetric(float64(n)/total.Seconds(), "blocks/s")
		b.ReportMetric(total.Seconds(), "s/run")
	}
}

// benchBlocks is BENCH_BLOCKS, 20,000 by default.
func benchBlocks(b *testing.B) int {
	s := os.Getenv("BENCH_BLOCKS")
	if s == "" {
		return 20_000
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		b.Fatalf("BENCH_BLOCKS=%q", s)
	}
	return v
}
