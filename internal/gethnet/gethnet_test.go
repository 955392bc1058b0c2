package gethnet

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
)

// gethOrSkip returns the geth binary, skipping the test when there is none,
// except under CI=true, where a missing geth is a failure.
func gethOrSkip(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: not starting a geth network")
	}
	p, err := FindGeth()
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("%v", err)
	}
	return p
}

// sealer recovers the Clique signer of a header.
func sealer(t *testing.T, h *types.Header) common.Address {
	t.Helper()
	if len(h.Extra) < extraVanity+extraSeal {
		t.Fatalf("block %d: extra data too short (%d bytes)", h.Number, len(h.Extra))
	}
	pub, err := crypto.SigToPub(clique.SealHash(h).Bytes(), h.Extra[len(h.Extra)-extraSeal:])
	if err != nil {
		t.Fatalf("block %d: recover sealer: %v", h.Number, err)
	}
	return crypto.PubkeyToAddress(*pub)
}

// sealedBlock is what the test checks about one block.
type sealedBlock struct {
	number     uint64
	sealer     int // node index
	difficulty int64
}

// headers fetches blocks [from, to] from one node, checks their parent links
// (which also checks that headers decoded by go-ethereum v1.17 hash as geth
// 1.13 hashed them), recovers each sealer and checks Clique's difficulty
// rule: 2 exactly when the sealer is in turn (number % N == its index).
func headers(t *testing.T, ctx context.Context, ec *ethclient.Client, n *Network, from, to uint64) []sealedBlock {
	t.Helper()
	index := map[common.Address]int{}
	for i := range n.Nodes() {
		index[n.Signer(i)] = i
	}
	var out []sealedBlock
	var prev *types.Header
	for num := from; num <= to; num++ {
		h, err := ec.HeaderByNumber(ctx, new(big.Int).SetUint64(num))
		if err != nil {
			t.Fatalf("header %d: %v", num, err)
		}
		if prev != nil && h.ParentHash != prev.Hash() {
			t.Fatalf("block %d: parent hash %s, but block %d hashes to %s", num, h.ParentHash, num-1, prev.Hash())
		}
		prev = h
		s := sealer(t, h)
		i, ok := index[s]
		if !ok {
			t.Fatalf("block %d sealed by %s, not a signer", num, s)
		}
		if h.Coinbase != (common.Address{}) {
			t.Errorf("block %d: coinbase %s, Clique leaves it zero outside votes", num, h.Coinbase)
		}
		if h.WithdrawalsHash != nil || h.BaseFee == nil {
			t.Errorf("block %d: not a London-only header (withdrawals %v, base fee %v)", num, h.WithdrawalsHash, h.BaseFee)
		}
		inTurn := num%uint64(n.Nodes()) == uint64(i)
		want := int64(1)
		if inTurn {
			want = 2
		}
		if h.Difficulty.Int64() != want {
			t.Errorf("block %d sealed by node %d (in turn: %v) has difficulty %s, want %d", num, i, inTurn, h.Difficulty, want)
		}
		out = append(out, sealedBlock{number: num, sealer: i, difficulty: h.Difficulty.Int64()})
	}
	return out
}

func describe(blocks []sealedBlock) string {
	var b strings.Builder
	for _, s := range blocks {
		fmt.Fprintf(&b, " %d:n%d/d%d", s.number, s.sealer, s.difficulty)
	}
	return b.String()
}

func headNumber(t *testing.T, ctx context.Context, ec *ethclient.Client) uint64 {
	t.Helper()
	num, err := ec.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return num
}

func TestCliqueNetwork(t *testing.T) {
	geth := gethOrSkip(t)
	began := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	dir := t.TempDir()
	extra := common.HexToAddress("0x00000000000000000000000000000000000c0ffe")
	extraBalance := new(big.Int).Mul(big.NewInt(5), big.NewInt(1e18))
	n, err := Start(ctx, Config{
		Signers:  3,
		Period:   1,
		ChainID:  31337,
		Alloc:    map[common.Address]*big.Int{extra: extraBalance},
		Dir:      dir,
		GethPath: geth,
		Logf:     t.Logf,
	})
	if err != nil {
		logs, _ := filepath.Glob(filepath.Join(dir, "node*", "geth.log"))
		for _, l := range logs {
			t.Logf("%s ends:\n%s", l, logTail(l, 4000))
		}
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i := range n.Nodes() {
				t.Logf("node %d log (%s) ends:\n%s", i, n.LogPath(i), logTail(n.LogPath(i), 4000))
			}
		}
		if err := n.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		t.Logf("whole test: %s", time.Since(began).Round(time.Millisecond))
	})
	t.Logf("Start took %s", time.Since(began).Round(time.Millisecond))

	clients := make([]*ethclient.Client, n.Nodes())
	for i := range clients {
		c, err := ethclient.Dial(n.RPC(i))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		clients[i] = c
	}
	ec := clients[0]

	// Chain id, allocations.
	if id, err := ec.ChainID(ctx); err != nil || id.Uint64() != 31337 {
		t.Fatalf("chain id %v, %v", id, err)
	}
	funded := crypto.PubkeyToAddress(n.FundedKey().PublicKey)
	for addr, want := range map[common.Address]*big.Int{funded: DefaultBalance, extra: extraBalance, n.Signer(1): DefaultBalance} {
		bal, err := ec.BalanceAt(ctx, addr, nil)
		if err != nil || bal.Cmp(want) != 0 {
			t.Errorf("balance of %s = %v (%v), want %v", addr, bal, err, want)
		}
	}
	for i := range n.Nodes() {
		if crypto.PubkeyToAddress(n.SignerKey(i).PublicKey) != n.Signer(i) {
			t.Errorf("SignerKey(%d) does not match Signer(%d)", i, i)
		}
		if funded == n.Signer(i) {
			t.Errorf("funded account is signer %d", i)
		}
	}

	// clique_getSigners over RPC, on every node.
	for i := range n.Nodes() {
		rc, err := rpc.Dial(n.RPC(i))
		if err != nil {
			t.Fatal(err)
		}
		var signers []common.Address
		err = rc.CallContext(ctx, &signers, "clique_getSigners", "latest")
		rc.Close()
		if err != nil {
			t.Fatalf("node %d: clique_getSigners: %v", i, err)
		}
		want := []common.Address{n.Signer(0), n.Signer(1), n.Signer(2)}
		if len(signers) != 3 || signers[0] != want[0] || signers[1] != want[1] || signers[2] != want[2] {
			t.Fatalf("node %d: clique_getSigners = %v, want %v", i, signers, want)
		}
	}

	// Phase 1: all three seal.
	if err := n.WaitBlock(ctx, 10); err != nil {
		t.Fatal(err)
	}
	blocks := headers(t, ctx, ec, n, 1, 10)
	t.Logf("blocks 1-10:%s", describe(blocks))
	sealed := map[int]int{}
	for _, b := range blocks {
		sealed[b.sealer]++
	}
	for i := range n.Nodes() {
		if sealed[i] == 0 {
			t.Errorf("node %d sealed none of blocks 1-10", i)
		}
	}
	// All nodes agree on an older block.
	want, err := ec.HeaderByNumber(ctx, big.NewInt(8))
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range clients {
		h, err := c.HeaderByNumber(ctx, big.NewInt(8))
		if err != nil || h.Hash() != want.Hash() {
			t.Errorf("node %d block 8: %v (%v), node 0 has %s", i, h, err, want.Hash())
		}
	}

	// Phase 2: node 2 goes offline; 0 and 1 keep the chain going, sealing
	// 2's in-turn slots out of turn (difficulty 1).
	stoppedAt := time.Now()
	if err := n.Stop(2); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop(2) took %s", time.Since(stoppedAt).Round(time.Millisecond))
	// The block after the stop may still be node 2's, sealed just before.
	first := headNumber(t, ctx, ec) + 2
	last := first + 7
	if err := n.WaitBlock(ctx, last); err != nil {
		t.Fatal(err)
	}
	t.Logf("8 blocks without node 2 in %s", time.Since(stoppedAt).Round(time.Millisecond))
	blocks = headers(t, ctx, ec, n, first, last)
	t.Logf("blocks %d-%d without node 2:%s", first, last, describe(blocks))
	sealed = map[int]int{}
	for _, b := range blocks {
		sealed[b.sealer]++
		if b.number%3 == 2 && b.difficulty != 1 {
			t.Errorf("block %d is in node 2's slot but has difficulty %d", b.number, b.difficulty)
		}
	}
	if sealed[2] != 0 || sealed[0] == 0 || sealed[1] == 0 {
		t.Errorf("while node 2 was offline, blocks by node: %v", sealed)
	}
	if _, err := clients[2].BlockNumber(ctx); err == nil {
		t.Errorf("node 2 still answers RPC after Stop")
	}

	// Phase 3: node 2 comes back, resyncs, and seals again.
	restartedAt := time.Now()
	if err := n.Restart(2); err != nil {
		t.Fatal(err)
	}
	t.Logf("Restart(2) took %s", time.Since(restartedAt).Round(time.Millisecond))
	ec2, err := ethclient.Dial(n.RPC(2)) // the port may have changed
	if err != nil {
		t.Fatal(err)
	}
	defer ec2.Close()
	from := headNumber(t, ctx, ec2) + 1
	if from <= last {
		t.Errorf("node 2 at block %d after Restart, the others were at %d before it", from-1, last)
	}
	deadline := time.Now().Add(30 * time.Second)
	for found := false; !found; {
		if time.Now().After(deadline) {
			t.Fatalf("node 2 sealed no block from %d within 30 s of Restart", from)
		}
		head := headNumber(t, ctx, ec)
		if head < from {
			time.Sleep(200 * time.Millisecond)
			continue
		}
		blocks = headers(t, ctx, ec, n, from, head)
		for _, b := range blocks {
			if b.sealer == 2 {
				found = true
				t.Logf("node 2 sealed block %d (difficulty %d), %s after Restart was called", b.number, b.difficulty, time.Since(restartedAt).Round(time.Millisecond))
			}
		}
		if !found {
			time.Sleep(500 * time.Millisecond)
		}
	}
	// Node 2 follows the same chain as node 0.
	top := headNumber(t, ctx, ec) - 1
	if err := n.WaitBlock(ctx, top+1); err != nil {
		t.Fatal(err)
	}
	h0, err := ec.HeaderByNumber(ctx, new(big.Int).SetUint64(top))
	if err != nil {
		t.Fatal(err)
	}
	h2, err := ec2.HeaderByNumber(ctx, new(big.Int).SetUint64(top))
	if err != nil || h2.Hash() != h0.Hash() {
		t.Errorf("block %d: node 2 has %v (%v), node 0 has %s", top, h2, err, h0.Hash())
	}
}

// TestGenesis checks the genesis layout without geth.
func TestGenesis(t *testing.T) {
	keys := signerKeys(3)
	var signers []common.Address
	for _, k := range keys {
		signers = append(signers, crypto.PubkeyToAddress(k.PublicKey))
	}
	for i := 1; i < len(signers); i++ {
		if bytes.Compare(signers[i-1].Bytes(), signers[i].Bytes()) >= 0 {
			t.Fatalf("signers not sorted: %v", signers)
		}
	}
	if again := signerKeys(3); crypto.PubkeyToAddress(again[0].PublicKey) != signers[0] {
		t.Fatal("signer keys are not deterministic")
	}
	// Pass them unsorted: the genesis sorts.
	shuffled := []common.Address{signers[2], signers[0], signers[1]}
	raw, err := genesisJSON(7, 1, shuffled, map[common.Address]*big.Int{signers[0]: big.NewInt(255)}, time.Unix(1700000000, 0))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Config    map[string]json.RawMessage `json:"config"`
		ExtraData string                     `json:"extraData"`
		Timestamp string                     `json:"timestamp"`
		Alloc     map[string]struct {
			Balance string `json:"balance"`
		} `json:"alloc"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	for _, forbidden := range []string{"shanghaiTime", "cancunTime", "pragueTime", "terminalTotalDifficulty", "mergeNetsplitBlock"} {
		if _, ok := g.Config[forbidden]; ok {
			t.Errorf("genesis config has %s", forbidden)
		}
	}
	if string(g.Config["londonBlock"]) != "0" || string(g.Config["chainId"]) != "7" {
		t.Errorf("londonBlock %s chainId %s", g.Config["londonBlock"], g.Config["chainId"])
	}
	var cl struct{ Period, Epoch uint64 }
	if err := json.Unmarshal(g.Config["clique"], &cl); err != nil || cl.Period != 1 || cl.Epoch != DefaultEpoch {
		t.Errorf("clique %s: %+v %v", g.Config["clique"], cl, err)
	}
	extra, err := hex.DecodeString(strings.TrimPrefix(g.ExtraData, "0x"))
	if err != nil {
		t.Fatal(err)
	}
	if len(extra) != 32+3*20+65 {
		t.Fatalf("extraData is %d bytes", len(extra))
	}
	if !bytes.Equal(extra[:32], make([]byte, 32)) || !bytes.Equal(extra[32+60:], make([]byte, 65)) {
		t.Errorf("extraData vanity/seal not zero: %x", extra)
	}
	for i, s := range signers {
		if !bytes.Equal(extra[32+20*i:32+20*(i+1)], s.Bytes()) {
			t.Errorf("extraData signer %d = %x, want %s", i, extra[32+20*i:32+20*(i+1)], s)
		}
	}
	if g.Timestamp != "0x6553f100" {
		t.Errorf("timestamp %s", g.Timestamp)
	}
	key := hex.EncodeToString(signers[0].Bytes())
	if g.Alloc[key].Balance != "0xff" || len(g.Alloc) != 1 {
		t.Errorf("alloc %v", g.Alloc)
	}
}
