package devchain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

func testKey(t testing.TB, name string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(name)))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func testKeys(t testing.TB, n int) []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		keys[i] = testKey(t, fmt.Sprintf("signer %d", i))
	}
	return keys
}

// newChain starts a chain with n signers and one funded user and closes it
// when the test ends.
func newChain(t testing.TB, n int, mod func(*Config)) (*Chain, *ecdsa.PrivateKey) {
	t.Helper()
	user := testKey(t, "user")
	cfg := Config{
		Signers: testKeys(t, n),
		Alloc: types.GenesisAlloc{
			crypto.PubkeyToAddress(user.PublicKey): {Balance: new(big.Int).Mul(big.NewInt(1000), big.NewInt(params.Ether))},
		},
	}
	if mod != nil {
		mod(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return c, user
}

func sealer(t testing.TB, h *types.Header) common.Address {
	t.Helper()
	a, err := Sealer(h)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestMineInTurnAndRPC(t *testing.T) {
	c, _ := newChain(t, 3, func(cfg *Config) { cfg.HTTP = true })
	if !strings.HasPrefix(c.RPCURL(), "http://127.0.0.1:") {
		t.Fatalf("RPCURL = %q", c.RPCURL())
	}
	if err := c.MineN(12); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rc, err := ethclient.DialContext(ctx, c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	id, err := rc.ChainID(ctx)
	if err != nil || id.Uint64() != DefaultChainID {
		t.Fatalf("chain id %v, %v", id, err)
	}
	signers := c.Signers()
	genesis := c.HeaderByNumber(0)
	for n := uint64(1); n <= 12; n++ {
		h, err := rc.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		if h.Hash() != c.HeaderByNumber(n).Hash() {
			t.Fatalf("block %d: RPC hash %s differs from the chain's", n, h.Hash())
		}
		if h.Difficulty.Int64() != 2 {
			t.Errorf("block %d: difficulty %d, want 2 (all in turn)", n, h.Difficulty)
		}
		if got, want := sealer(t, h), signers[c.InTurn(n)]; got != want {
			t.Errorf("block %d: sealed by %s, want in-turn %s", n, got, want)
		}
		if len(h.Extra) != 32+65 {
			t.Errorf("block %d: extraData is %d bytes", n, len(h.Extra))
		}
		if want := genesis.Time + n*DefaultPeriod; h.Time != want {
			t.Errorf("block %d: time %d, want %d", n, h.Time, want)
		}
		if h.BaseFee == nil || h.WithdrawalsHash != nil {
			t.Errorf("block %d: want London header without withdrawals", n)
		}
	}
	// The in-turn order is ascending address order.
	for n := uint64(0); n < 3; n++ {
		a, b := signers[c.InTurn(n)], signers[c.InTurn(n+1)]
		if n < 2 && a.Cmp(b) >= 0 {
			t.Errorf("turn order not ascending at %d", n)
		}
	}
	var version string
	if err := rc.Client().CallContext(ctx, &version, "web3_clientVersion"); err != nil || version == "" {
		t.Errorf("web3_clientVersion: %q, %v", version, err)
	}
	var netVersion string
	if err := rc.Client().CallContext(ctx, &netVersion, "net_version"); err != nil || netVersion != "4242" {
		t.Errorf("net_version: %q, %v", netVersion, err)
	}
}

func TestEngineRejects(t *testing.T) {
	c, _ := newChain(t, 3, nil)
	if err := c.MineN(3); err != nil {
		t.Fatal(err)
	}
	head := c.Head()
	next := head.Number.Uint64() + 1
	in := c.InTurn(next)
	out := c.InTurn(next + 1)

	expectReject := func(name string, want string, f func() (*types.Block, error)) {
		t.Helper()
		_, err := f()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want error containing %q", name, err, want)
		}
		if c.Head().Hash() != head.Hash() {
			t.Fatalf("%s: head moved", name)
		}
	}
	expectReject("non-signer", "unauthorized signer", func() (*types.Block, error) {
		return c.MineWith(BlockOpts{Key: testKey(t, "intruder")})
	})
	expectReject("in-turn with difficulty 1", "wrong difficulty", func() (*types.Block, error) {
		return c.MineWith(BlockOpts{Key: c.cfg.Signers[in], Difficulty: big.NewInt(1)})
	})
	expectReject("out-of-turn with difficulty 2", "wrong difficulty", func() (*types.Block, error) {
		return c.MineWith(BlockOpts{Key: c.cfg.Signers[out], Difficulty: big.NewInt(2)})
	})
	expectReject("difficulty 3", "invalid difficulty", func() (*types.Block, error) {
		return c.MineWith(BlockOpts{Key: c.cfg.Signers[in], Difficulty: big.NewInt(3)})
	})
	last := c.InTurn(head.Number.Uint64()) // sealed the head
	expectReject("recently signed", "recently signed", func() (*types.Block, error) {
		return c.MineBy(last)
	})
	expectReject("timestamp too close", "invalid timestamp", func() (*types.Block, error) {
		return c.MineWith(BlockOpts{Key: c.cfg.Signers[in], Time: head.Time})
	})

	// A valid out-of-turn block gets difficulty 1 and is accepted.
	b, err := c.MineBy(out)
	if err != nil {
		t.Fatal(err)
	}
	if b.Difficulty().Int64() != 1 || sealer(t, b.Header()) != c.Signers()[out] {
		t.Fatalf("out-of-turn block: difficulty %d, sealer %s", b.Difficulty(), sealer(t, b.Header()))
	}
}

func TestOfflineSigner(t *testing.T) {
	c, _ := newChain(t, 3, nil)
	err := c.Run(context.Background(), []Step{
		{Blocks: 9},
		{Blocks: 30, Offline: []int{2}},
		{Blocks: 12},
	})
	if err != nil {
		t.Fatal(err)
	}
	signers := c.Signers()
	missed := 0
	for n := uint64(1); n <= 51; n++ {
		h := c.HeaderByNumber(n)
		by := sealer(t, h)
		in := c.InTurn(n)
		if h.Difficulty.Int64() == 2 && by != signers[in] || h.Difficulty.Int64() == 1 && by == signers[in] {
			t.Errorf("block %d: difficulty %d inconsistent with sealer %s (in turn %s)", n, h.Difficulty, by, signers[in])
		}
		outage := n >= 10 && n <= 39
		if outage && by == signers[2] {
			t.Errorf("block %d sealed by offline signer 2", n)
		}
		if outage && in == 2 {
			missed++
			if h.Difficulty.Int64() != 1 {
				t.Errorf("block %d: signer 2's slot has difficulty %d, want 1", n, h.Difficulty)
			}
		}
		if !outage && h.Difficulty.Int64() != 2 && n < 10 {
			t.Errorf("block %d before the outage is out of turn", n)
		}
	}
	if missed != 10 {
		t.Errorf("signer 2 had %d slots during the outage, want 10", missed)
	}
	// Back online, signer 2 seals its slots again and the chain returns to
	// in-turn blocks.
	tail := 0
	for n := uint64(40); n <= 51; n++ {
		h := c.HeaderByNumber(n)
		if c.InTurn(n) == 2 && sealer(t, h) == signers[2] {
			tail++
		}
	}
	if tail == 0 {
		t.Error("signer 2 sealed nothing after coming back")
	}
	for n := uint64(46); n <= 51; n++ {
		if d := c.HeaderByNumber(n).Difficulty.Int64(); d != 2 {
			t.Errorf("block %d after recovery: difficulty %d", n, d)
		}
	}
}

func TestNoSignerAvailable(t *testing.T) {
	c, _ := newChain(t, 3, nil)
	c.SetOffline(0, true)
	c.SetOffline(1, true)
	// Signer 2 alone may seal only every other block.
	if _, err := c.Mine(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Mine(); !errors.Is(err, ErrNoSigner) {
		t.Fatalf("got %v, want ErrNoSigner", err)
	}
	if _, err := c.MineBy(0); !errors.Is(err, ErrOffline) {
		t.Fatalf("MineBy offline: got %v, want ErrOffline", err)
	}
}

func TestSingleSigner(t *testing.T) {
	c, _ := newChain(t, 1, nil)
	if err := c.MineN(5); err != nil {
		t.Fatal(err)
	}
	if c.Head().Difficulty.Int64() != 2 {
		t.Fatal("single signer is always in turn")
	}
}

func TestRunCancel(t *testing.T) {
	c, _ := newChain(t, 2, nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Run(ctx, []Step{{Blocks: 5}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if c.Head().Number.Uint64() != 0 {
		t.Fatal("mined after cancellation")
	}
}

func TestEpochCheckpoints(t *testing.T) {
	c, _ := newChain(t, 4, func(cfg *Config) { cfg.Epoch = 10; cfg.HTTP = true })
	if err := c.MineN(25); err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 0, 80)
	for _, i := range c.turn {
		want = append(want, c.addrs[i][:]...)
	}
	for n := uint64(1); n <= 25; n++ {
		h := c.HeaderByNumber(n)
		list := h.Extra[32 : len(h.Extra)-65]
		if n%10 == 0 {
			if string(list) != string(want) {
				t.Errorf("checkpoint %d: signer list %x", n, list)
			}
		} else if len(list) != 0 {
			t.Errorf("block %d: unexpected signer list", n)
		}
	}

	ctx := context.Background()
	rc, err := rpc.DialContext(ctx, c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var got []common.Address
	if err := rc.CallContext(ctx, &got, "clique_getSigners"); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("clique_getSigners: %v", got)
	}
	for k, i := range c.turn {
		if got[k] != c.addrs[i] {
			t.Errorf("clique_getSigners[%d] = %s, want %s", k, got[k], c.addrs[i])
		}
	}
	if err := rc.CallContext(ctx, &got, "clique_getSigners", "0x7"); err != nil || len(got) != 4 {
		t.Fatalf("clique_getSigners(7): %v %v", got, err)
	}
	if err := rc.CallContext(ctx, &got, "clique_getSignersAtHash", c.HeaderByNumber(13).Hash()); err != nil || len(got) != 4 {
		t.Fatalf("clique_getSignersAtHash: %v %v", got, err)
	}
	var who common.Address
	if err := rc.CallContext(ctx, &who, "clique_getSigner", "0x5"); err != nil || who != c.addrs[c.InTurn(5)] {
		t.Fatalf("clique_getSigner(5) = %s, %v", who, err)
	}
}

func TestAdjustTime(t *testing.T) {
	c, _ := newChain(t, 2, func(cfg *Config) { cfg.Period = 6 })
	b1, err := c.Mine()
	if err != nil {
		t.Fatal(err)
	}
	week := 7 * 24 * time.Hour
	if err := c.AdjustTime(week); err != nil {
		t.Fatal(err)
	}
	b2, err := c.Mine()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := b2.Time()-b1.Time(), uint64(6+7*24*3600); got != want {
		t.Fatalf("time step %d, want %d", got, want)
	}
	b3, err := c.Mine()
	if err != nil {
		t.Fatal(err)
	}
	if b3.Time()-b2.Time() != 6 {
		t.Fatal("AdjustTime applied twice")
	}
	// Beyond the wall clock: refused, head unchanged, nothing waits.
	if err := c.AdjustTime(2 * DefaultGenesisAge); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.Mine(); !errors.Is(err, ErrFutureBlock) {
		t.Fatalf("got %v, want ErrFutureBlock", err)
	}
	if time.Since(start) > time.Second || c.Head().Hash() != b3.Hash() {
		t.Fatal("future block handling waited or moved the head")
	}
	if err := c.AdjustTime(-time.Second); err == nil {
		t.Fatal("negative AdjustTime accepted")
	}
}

// SendTx estimates gas as the next block will run the transaction: here a
// creation that reverts before the unlock time succeeds in the block that
// AdjustTime moves past it, although it would revert on the head.
func TestTimeLockedDeploy(t *testing.T) {
	c, user := newChain(t, 3, nil)
	week := uint64(7 * 24 * 3600)
	unlock := c.Head().Time + DefaultPeriod + week
	code := []byte{0x67} // PUSH8 unlock
	code = append(code, new(big.Int).SetUint64(unlock).FillBytes(make([]byte, 8))...)
	code = append(code,
		0x42, 0x10, 0x60, 0x0f, 0x57, // TIMESTAMP LT PUSH1 0x0f JUMPI (revert if time < unlock)
		0x00,                         // STOP: deploy empty code
		0x5b, 0x60, 0x00, 0x80, 0xfd, // JUMPDEST REVERT(0,0)
	)
	if _, err := c.SendTx(context.Background(), user, nil, nil, code); err == nil || !strings.Contains(err.Error(), "revert") {
		t.Fatalf("creation before the unlock time: got %v, want a revert in estimation", err)
	}
	if err := c.AdjustTime(time.Duration(week) * time.Second); err != nil {
		t.Fatal(err)
	}
	tx, err := c.SendTx(context.Background(), user, nil, nil, code)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.Commit(tx)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Status != 1 || c.Head().Time != unlock {
		t.Fatalf("status %d at time %d, unlock %d", rs[0].Status, c.Head().Time, unlock)
	}
}

func TestGenesisTime(t *testing.T) {
	gt := uint64(time.Now().Add(-48 * time.Hour).Unix())
	c, _ := newChain(t, 1, func(cfg *Config) { cfg.GenesisTime = gt })
	if c.HeaderByNumber(0).Time != gt {
		t.Fatal("genesis time not applied")
	}
	// 48 h of headroom at 1 s per block: a day of blocks fits at once.
	if err := c.AdjustTime(24 * time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Mine(); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{Signers: testKeys(t, 1), GenesisTime: uint64(time.Now().Add(time.Hour).Unix())}); err == nil {
		t.Fatal("future genesis accepted")
	}
}

func TestConfigErrors(t *testing.T) {
	if _, err := New(Config{}); err == nil {
		t.Error("no signers accepted")
	}
	if _, err := New(Config{Signers: testKeys(t, 22)}); err == nil {
		t.Error("22 signers accepted")
	}
	k := testKey(t, "dup")
	if _, err := New(Config{Signers: []*ecdsa.PrivateKey{k, k}}); err == nil {
		t.Error("duplicate signers accepted")
	}
}

// storeContract returns init code for a contract without PUSH0: a call with
// 32 bytes of calldata stores them in slot 0 and emits LOG1(topic, value); a
// call without calldata returns slot 0.
func storeContract(topic common.Hash) []byte {
	runtime := []byte{
		0x36, 0x15, 0x60, 0x36, 0x57, // CALLDATASIZE ISZERO PUSH1 getter JUMPI
		0x60, 0x00, 0x35, 0x80, 0x60, 0x00, 0x55, // v=CALLDATALOAD(0) DUP1 SSTORE(0,v)
		0x60, 0x00, 0x52, // MSTORE(0,v)
		0x7f, // PUSH32 topic
	}
	runtime = append(runtime, topic[:]...)
	runtime = append(runtime,
		0x60, 0x20, 0x60, 0x00, 0xa1, 0x00, // LOG1(0,32,topic) STOP
		0x5b, 0x60, 0x00, 0x54, 0x60, 0x00, 0x52, // getter: JUMPDEST MSTORE(0,SLOAD(0))
		0x60, 0x20, 0x60, 0x00, 0xf3, // RETURN(0,32)
	)
	if runtime[0x36] != 0x5b {
		panic("bad jump target")
	}
	initCode := []byte{0x60, byte(len(runtime)), 0x80, 0x60, 0x0b, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3}
	return append(initCode, runtime...)
}

func TestContractReceiptsAndLogs(t *testing.T) {
	for _, index := range []bool{false, true} {
		t.Run(fmt.Sprintf("LogIndex=%v", index), func(t *testing.T) { testContract(t, index) })
	}
}

func testContract(t *testing.T, logIndex bool) {
	c, user := newChain(t, 3, func(cfg *Config) { cfg.HTTP = true; cfg.LogIndex = logIndex })
	ctx := context.Background()
	if err := c.MineN(2); err != nil {
		t.Fatal(err)
	}
	topic := crypto.Keccak256Hash([]byte("Stored(uint256)"))
	addr, rcpt, err := c.Deploy(ctx, user, storeContract(topic))
	if err != nil {
		t.Fatal(err)
	}
	if rcpt.BlockNumber.Uint64() != 3 {
		t.Errorf("deployed in block %d, want 3", rcpt.BlockNumber)
	}
	value := common.BigToHash(big.NewInt(42))
	tx, err := c.SendTx(ctx, user, &addr, nil, value[:])
	if err != nil {
		t.Fatal(err)
	}
	if tx.Type() != types.DynamicFeeTxType {
		t.Fatalf("tx type %d", tx.Type())
	}
	rs, err := c.Commit(tx)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].Status != 1 || len(rs[0].Logs) != 1 {
		t.Fatalf("store receipt: status %d, %d logs", rs[0].Status, len(rs[0].Logs))
	}

	// Everything again through JSON-RPC over HTTP.
	rc, err := ethclient.DialContext(ctx, c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var r *types.Receipt
	for deadline := time.Now().Add(5 * time.Second); ; {
		// The transaction index is built asynchronously after startup.
		r, err = rc.TransactionReceipt(ctx, tx.Hash())
		if err == nil || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != 1 || r.BlockHash != rs[0].BlockHash || len(r.Logs) != 1 || r.Logs[0].Topics[0] != topic {
		t.Fatalf("RPC receipt %+v", r)
	}
	blk, err := rc.BlockByHash(ctx, r.BlockHash)
	if err != nil {
		t.Fatal(err)
	}
	if blk.BaseFee() == nil || blk.BaseFee().Cmp(big.NewInt(params.InitialBaseFee)) >= 0 {
		t.Errorf("base fee %v should have fallen below the initial one on near-empty blocks", blk.BaseFee())
	}
	logs, err := rc.FilterLogs(ctx, ethereum.FilterQuery{
		FromBlock: big.NewInt(0), Addresses: []common.Address{addr}, Topics: [][]common.Hash{{topic}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(logs) != 1 || common.BytesToHash(logs[0].Data) != value || logs[0].TxHash != tx.Hash() {
		t.Fatalf("eth_getLogs: %+v", logs)
	}
	out, err := rc.CallContract(ctx, ethereum.CallMsg{To: &addr}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if common.BytesToHash(out) != value {
		t.Fatalf("eth_call returned %x", out)
	}
	// The block was sealed by its signer, who received the tip.
	if sealer(t, blk.Header()) != c.Signers()[c.InTurn(blk.NumberU64())] {
		t.Error("tx block not sealed in turn")
	}

	// A transaction submitted over RPC is picked up by Mine too.
	nonce, err := rc.PendingNonceAt(ctx, crypto.PubkeyToAddress(user.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	head := c.Head()
	raw, err := types.SignNewTx(user, c.txSign, &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(params.GWei),
		GasFeeCap: new(big.Int).Add(head.BaseFee, big.NewInt(2*params.GWei)), Gas: 21000,
		To: &common.Address{1}, Value: big.NewInt(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.SendTransaction(ctx, raw); err != nil {
		t.Fatal(err)
	}
	b, err := c.Mine()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Transactions()) != 1 || b.Transactions()[0].Hash() != raw.Hash() {
		t.Fatalf("RPC-submitted tx not mined: %d txs", len(b.Transactions()))
	}
	bal, err := rc.BalanceAt(ctx, common.Address{1}, nil)
	if err != nil || bal.Int64() != 1 {
		t.Fatalf("balance %v, %v", bal, err)
	}
}

func TestReorg(t *testing.T) {
	c, user := newChain(t, 3, func(cfg *Config) { cfg.HTTP = true })
	ctx := context.Background()
	if err := c.MineN(5); err != nil {
		t.Fatal(err)
	}
	to := common.Address{0xaa}
	tx, err := c.SendTx(ctx, user, &to, big.NewInt(7), nil)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := c.Commit(tx) // block 6
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MineN(2); err != nil { // head 8
		t.Fatal(err)
	}
	old := make(map[uint64]common.Hash)
	for n := uint64(1); n <= 8; n++ {
		old[n] = c.HeaderByNumber(n).Hash()
	}
	if rs[0].BlockNumber.Uint64() != 6 {
		t.Fatalf("tx in block %d", rs[0].BlockNumber)
	}

	rc, err := ethclient.DialContext(ctx, c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()

	// A branch that is not heavier is refused before anything changes.
	if _, err := c.Reorg(Fork{Depth: 3, Length: 3}); !errors.Is(err, ErrLighterBranch) {
		t.Fatalf("equal-length branch: got %v, want ErrLighterBranch", err)
	}
	if c.Head().Hash() != old[8] {
		t.Fatal("refused reorg moved the head")
	}

	blocks, err := c.Reorg(Fork{Depth: 3, Length: 4}) // replaces 6..8 with 6..9
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 4 || c.Head().Hash() != blocks[3].Hash() || c.Head().Number.Uint64() != 9 {
		t.Fatalf("head %d %s after reorg", c.Head().Number, c.Head().Hash())
	}
	for n := uint64(1); n <= 9; n++ {
		h, err := rc.HeaderByNumber(ctx, new(big.Int).SetUint64(n))
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case n <= 5 && h.Hash() != old[n]:
			t.Errorf("block %d below the fork point changed", n)
		case n >= 6 && h.Hash() != blocks[n-6].Hash():
			t.Errorf("block %d over RPC is %s, want new branch %s", n, h.Hash(), blocks[n-6].Hash())
		case n >= 6 && n <= 8 && h.Hash() == old[n]:
			t.Errorf("block %d still the old one", n)
		}
	}
	var raw map[string]any
	if err := rc.Client().CallContext(ctx, &raw, "eth_getBlockByNumber", "0x6", false); err != nil {
		t.Fatal(err)
	}
	if raw["hash"] != blocks[0].Hash().Hex() {
		t.Errorf("eth_getBlockByNumber(6).hash = %v", raw["hash"])
	}
	if _, err := rc.TransactionReceipt(ctx, tx.Hash()); !errors.Is(err, ethereum.NotFound) {
		t.Errorf("receipt of the dropped tx: %v, want not found", err)
	}
	bal, err := rc.BalanceAt(ctx, to, nil)
	if err != nil || bal.Sign() != 0 {
		t.Errorf("balance on the new branch %v, %v", bal, err)
	}
	// The dropped transaction went back to the pool and is mined again.
	rs, err = c.Commit(tx)
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].BlockNumber.Uint64() != 10 || rs[0].Status != 1 {
		t.Fatalf("re-included in block %d status %d", rs[0].BlockNumber, rs[0].Status)
	}
	// Every block of the new chain is a valid Clique block: the engine
	// accepted it, and the sealers follow the recency rule.
	for n := uint64(6); n <= 10; n++ {
		h := c.HeaderByNumber(n)
		p := c.HeaderByNumber(n - 1)
		if sealer(t, h) == sealer(t, p) {
			t.Errorf("blocks %d and %d have the same sealer", n-1, n)
		}
	}

	// A branch with an explicit tx and chosen signers, forking above block 10.
	if _, err := c.Mine(); err != nil {
		t.Fatal(err)
	}
	to2 := common.Address{0xbb}
	nonce := c.nextNonce(crypto.PubkeyToAddress(user.PublicKey))
	head := c.Head()
	tx2, err := types.SignNewTx(user, c.txSign, &types.DynamicFeeTx{
		ChainID: c.ChainID(), Nonce: nonce, GasTipCap: big.NewInt(1), GasFeeCap: new(big.Int).Mul(head.BaseFee, big.NewInt(3)),
		Gas: 21000, To: &to2, Value: big.NewInt(5),
	})
	if err != nil {
		t.Fatal(err)
	}
	in1 := c.InTurn(head.Number.Uint64())
	in2 := c.InTurn(head.Number.Uint64() + 1)
	blocks, err = c.Reorg(Fork{Depth: 1, Length: 2, Signers: []int{in1, in2}, Txs: []*types.Transaction{tx2}})
	if err != nil {
		t.Fatal(err)
	}
	if blocks[0].Transactions().Len() != 1 || blocks[0].Difficulty().Int64() != 2 {
		t.Fatalf("branch block: %d txs, difficulty %d", blocks[0].Transactions().Len(), blocks[0].Difficulty())
	}
	if bal, _ := rc.BalanceAt(ctx, to2, nil); bal.Int64() != 5 {
		t.Fatalf("balance %v after reorg with tx", bal)
	}
}

func TestReorgRejectedByEngine(t *testing.T) {
	c, _ := newChain(t, 3, nil)
	if err := c.MineN(4); err != nil {
		t.Fatal(err)
	}
	head := c.Head()
	// The same signer twice in a row breaks the recency rule.
	s := c.InTurn(head.Number.Uint64())
	_, err := c.Reorg(Fork{Depth: 1, Length: 3, Signers: []int{s, s, s}})
	if err == nil || !strings.Contains(err.Error(), "recently signed") {
		t.Fatalf("got %v, want recently signed", err)
	}
	if c.Head().Hash() != head.Hash() {
		t.Fatal("rejected branch became canonical")
	}
}

func TestDeepReorg(t *testing.T) {
	c, user := newChain(t, 2, nil)
	ctx := context.Background()
	// Two transactions per block, so every block has its own state.
	for i := 0; i < MaxReorgDepth+5; i++ {
		a, err := c.SendTx(ctx, user, &common.Address{1}, big.NewInt(1), nil)
		if err != nil {
			t.Fatal(i, err)
		}
		b, err := c.SendTx(ctx, user, &common.Address{2}, big.NewInt(1), nil)
		if err != nil {
			t.Fatal(i, err)
		}
		rs, err := c.Commit(a, b)
		if err != nil {
			t.Fatal(i, err)
		}
		if rs[0].BlockNumber.Cmp(rs[1].BlockNumber) != 0 {
			t.Fatalf("pending txs of one account split over blocks %d and %d", rs[0].BlockNumber, rs[1].BlockNumber)
		}
	}
	head := c.Head()
	if _, err := c.Reorg(Fork{Depth: MaxReorgDepth + 2, Length: MaxReorgDepth + 3}); err == nil || !strings.Contains(err.Error(), "no longer kept") {
		t.Fatalf("too deep: got %v", err)
	}
	if c.Head().Hash() != head.Hash() {
		t.Fatal("failed reorg moved the head")
	}
	if _, err := c.Reorg(Fork{Depth: MaxReorgDepth, Length: MaxReorgDepth + 1}); err != nil {
		t.Fatal(err)
	}
	if c.Head().Number.Uint64() != head.Number.Uint64()+1 {
		t.Fatalf("head %d", c.Head().Number)
	}
	// The dropped transactions are pending again and fit in one block.
	b, err := c.Mine()
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Transactions()) == 0 {
		t.Fatal("dropped transactions were not re-included")
	}
}

func TestCloseReleasesPortAndGoroutines(t *testing.T) {
	// Warm up once: go-ethereum starts a few process-wide workers lazily.
	warm, _ := newChain(t, 1, func(cfg *Config) { cfg.HTTP = true })
	if err := warm.MineN(2); err != nil {
		t.Fatal(err)
	}
	warm.Close()
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()

	c, user := newChain(t, 3, func(cfg *Config) { cfg.HTTP = true })
	if _, _, err := c.Deploy(context.Background(), user, storeContract(common.Hash{1})); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Client().BlockNumber(context.Background()); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := c.Mine(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Mine after Close: %v", err)
	}
	if _, err := c.SendTx(context.Background(), user, &common.Address{1}, nil, nil); !errors.Is(err, ErrClosed) {
		t.Fatalf("SendTx after Close: %v", err)
	}
	l, err := net.Listen("tcp", u.Host)
	if err != nil {
		t.Fatalf("port not released: %v", err)
	}
	l.Close()

	var after int
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if after = runtime.NumGoroutine(); after <= before {
			return
		}
	}
	buf := make([]byte, 1<<20)
	t.Errorf("goroutines: %d before, %d after Close\n%s", before, after, buf[:runtime.Stack(buf, true)])
}

func BenchmarkMineEmpty(b *testing.B) {
	for _, n := range []int{1, 3, 21} {
		b.Run(fmt.Sprintf("signers=%d", n), func(b *testing.B) {
			c, _ := newChain(b, n, nil)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := c.Mine(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "blocks/s")
		})
	}
}

func TestDataDirReopen(t *testing.T) {
	dir := t.TempDir()
	gt := uint64(time.Now().Add(-time.Hour).Unix())
	cfg := Config{Signers: testKeys(t, 2), DataDir: dir, GenesisTime: gt}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.MineN(5); err != nil {
		t.Fatal(err)
	}
	head := c.Head().Hash()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	c, err = New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if c.Head().Hash() != head {
		t.Fatalf("reopened at %d, want head %s", c.Head().Number, head)
	}
	if err := c.MineN(2); err != nil {
		t.Fatal(err)
	}
}

// Blocks are produced while clients read over RPC and another goroutine
// sends transactions; run with -race.
func TestConcurrentUse(t *testing.T) {
	c, user := newChain(t, 3, func(cfg *Config) { cfg.HTTP = true })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rc, err := ethclient.DialContext(ctx, c.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	done := make(chan error, 2)
	go func() {
		var last uint64
		for ctx.Err() == nil {
			n, err := rc.BlockNumber(ctx)
			if err != nil {
				if ctx.Err() != nil {
					break
				}
				done <- err
				return
			}
			if n < last {
				done <- fmt.Errorf("block number went back from %d to %d", last, n)
				return
			}
			last = n
			if _, err := c.Client().HeaderByNumber(ctx, nil); err != nil && ctx.Err() == nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	sent := make(chan *types.Transaction, 20)
	go func() {
		defer close(sent)
		for i := 0; i < 20; i++ {
			tx, err := c.SendTx(ctx, user, &common.Address{9}, big.NewInt(1), nil)
			if err != nil {
				done <- err
				return
			}
			sent <- tx
		}
		done <- nil
	}()
	if err := c.Run(ctx, []Step{{Blocks: 100}, {Blocks: 60, Offline: []int{1}}, {Blocks: 40}}); err != nil {
		t.Fatal(err)
	}
	var txs []*types.Transaction
	for tx := range sent {
		txs = append(txs, tx)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := c.Commit(); err != nil {
		t.Fatal(err)
	}
	bal, err := c.Client().BalanceAt(context.Background(), common.Address{9}, nil)
	if err != nil || bal.Int64() != int64(len(txs)) {
		t.Fatalf("balance %v (%v), want %d", bal, err, len(txs))
	}
}
