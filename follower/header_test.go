package follower

import (
	"bytes"
	"encoding/json"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/internal/seal"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// sealedReply returns a geth-shaped header-only block reply for a header
// like the ones a Clique signer seals (checkpoint signer list when
// number % epoch == 0), sealed by key, with the members geth adds.
func sealedReply(t testing.TB, number uint64, epoch uint64, vote bool, baseFee *big.Int) []byte {
	t.Helper()
	extra := make([]byte, 32, 32+2*20+65)
	copy(extra, "vanity")
	if number%epoch == 0 {
		extra = append(extra, testnet.Addr(testnet.Key(1)).Bytes()...)
		extra = append(extra, testnet.Addr(testnet.Key(2)).Bytes()...)
	}
	extra = append(extra, make([]byte, 65)...)
	h := &types.Header{
		ParentHash: common.Hash{1, 2, 3}, UncleHash: types.EmptyUncleHash, Root: common.Hash{4}, TxHash: types.EmptyTxsHash,
		ReceiptHash: types.EmptyReceiptsHash, Difficulty: big.NewInt(2), Number: new(big.Int).SetUint64(number),
		GasLimit: 30_000_000, GasUsed: 21000, Time: 1_700_000_000 + number, Extra: extra, BaseFee: baseFee,
	}
	h.Bloom[3], h.Bloom[200] = 0x10, 0x80
	if vote {
		h.Coinbase = common.Address{9, 9}
		h.Nonce = types.BlockNonce{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	}
	sig, err := crypto.Sign(clique.SealHash(h).Bytes(), testnet.Key(1))
	if err != nil {
		t.Fatal(err)
	}
	copy(h.Extra[len(h.Extra)-65:], sig)
	raw, err := json.Marshal(h)
	if err != nil {
		t.Fatal(err)
	}
	// geth's block reply adds these around the header's own members.
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	m["size"], m["totalDifficulty"], m["uncles"] = "0x25c", "0x1234", []string{}
	m["transactions"] = []string{common.Hash{7}.Hex(), common.Hash{8}.Hex()}
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// toHeader is h as a go-ethereum header.
func (h *fastHeader) toHeader() *types.Header {
	g := &types.Header{
		ParentHash: h.parentHash, UncleHash: h.uncleHash, Coinbase: h.coinbase, Root: h.root, TxHash: h.txHash,
		ReceiptHash: h.receiptHash, Bloom: h.bloom, Difficulty: new(big.Int).SetBytes(h.difficulty),
		Number: new(big.Int).SetUint64(h.number), GasLimit: h.gasLimit, GasUsed: h.gasUsed, Time: h.time,
		Extra: bytes.Clone(h.extra), MixDigest: h.mixDigest, Nonce: h.nonce,
	}
	if h.hasBaseFee {
		g.BaseFee = new(big.Int).SetBytes(h.baseFee)
	}
	return g
}

// checkFastSlow demands that the fast path agree with encoding/json and
// go-ethereum wherever it accepts, and that the decoder's verdict be the
// slow path's.
func checkFastSlow(t *testing.T, raw []byte, n, cliqueEpoch uint64) {
	t.Helper()
	var fh fastHeader
	if scanHeader(raw, &fh) {
		var h types.Header
		if err := json.Unmarshal(raw, &h); err != nil {
			t.Fatalf("fast path accepted what encoding/json rejects (%v): %q", err, raw)
		}
		got := fh.toHeader()
		if h.Extra == nil {
			h.Extra = []byte{}
		}
		if !reflect.DeepEqual(got, &h) && got.Hash() != h.Hash() {
			t.Fatalf("fast path decoded\n%+v\nencoding/json\n%+v", got, &h)
		}
		if rh, ok := replyHash(raw); !ok || rh != fh.hash {
			t.Fatalf("fast path hash %s, replyHash %s %v", fh.hash, rh, ok)
		}
		if len(fh.extra) >= 65 && len(h.Extra) >= 65 && h.WithdrawalsHash == nil {
			hm, sm, _ := fh.messages(nil)
			hash, seal := crypto.Keccak256Hash(hm), crypto.Keccak256Hash(sm)
			if hash != h.Hash() || seal != clique.SealHash(&h) {
				t.Fatalf("fast hashes %s %s, go-ethereum %s %s", hash, seal, h.Hash(), clique.SealHash(&h))
			}
		}
	}
	var bloom types.Bloom
	fb, ferr := newHeaderDecoder(nil).decode(raw, n, cliqueEpoch, &bloom)
	sb, sbloom, serr := decodeHeaderBloom(raw, n, cliqueEpoch)
	if (ferr == nil) != (serr == nil) || (ferr != nil && ferr.Error() != serr.Error()) {
		t.Fatalf("decoder error %v, slow path %v", ferr, serr)
	}
	if ferr == nil && (!reflect.DeepEqual(fb, sb) || bloom != sbloom) {
		t.Fatalf("decoder %+v, slow path %+v", fb, sb)
	}
}

func TestFastHeaderMatchesSlow(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		n       uint64
		vote    bool
		baseFee *big.Int
	}{
		{1, false, big.NewInt(875000000)}, {30000, false, big.NewInt(7)}, {60000, true, big.NewInt(0)},
		{7, true, nil}, {1 << 40, false, new(big.Int).Lsh(big.NewInt(1), 200)},
	} {
		raw := sealedReply(t, tt.n, 30000, tt.vote, tt.baseFee)
		var fh fastHeader
		if !scanHeader(raw, &fh) {
			t.Fatalf("fast path refused a plain reply: %s", raw)
		}
		b, ok := fastBlock(&fh, tt.n, 30000)
		if !ok || b.Sealer != testnet.Addr(testnet.Key(1)) || b.VoteAuth != tt.vote || (len(b.Signers) == 2) != (tt.n%30000 == 0) {
			t.Fatalf("block %d: fast path %v %+v", tt.n, ok, b)
		}
		checkFastSlow(t, raw, tt.n, 30000)
		checkFastSlow(t, raw, tt.n+1, 30000) // wrong number
		// Mutations the fast path must leave to encoding/json, or reject
		// as the slow path does.
		s := string(raw)
		for _, m := range [][2]string{
			{`"number"`, `"Number"`}, {`"difficulty":"0x2"`, `"difficulty":"0x02"`}, {`"difficulty":"0x2"`, `"difficulty":2`},
			{`"difficulty":"0x2"`, `"difficulty":null`}, {`"gasUsed":"0x5208"`, `"gasUsed":"0x5208","gasUsed":"0x5209"`},
			{`"miner":"0x`, `"miner":"0X`}, {`"timestamp":"0x`, `"timestamp":"0x0`}, {`"hash":"0x`, `"hash":"0x00`},
			{`"parentHash":"0x01`, `"parentHash":"0x02`}, {`"size":"0x25c"`, `"size":"0x25c","withdrawals":[]`},
			{`"transactions":[`, `"transactions":[{},`}, {`}`, `} `}, {`}`, `}x`}, {`"size"`, `"si\u007ae"`},
			{`"gasLimit":"0x1c9c380"`, `"gasLimit":"0x1c9c380","baseFeePerGas":"0x1"`}, {`"nonce":"0x`, `"nonce":"0x01`},
			{`"extraData":"0x`, `"extraData":"0x0`}, {`"logsBloom":"0x`, `"logsBloom":"0xg`},
		} {
			checkFastSlow(t, []byte(strings.Replace(s, m[0], m[1], 1)), tt.n, 30000)
		}
	}
}

// TestFastHeaderOfChain runs the decoder over real replies of the
// embedded chain (checkpoints every 5 blocks) and the slow path agrees.
func TestFastHeaderOfChain(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{CliqueEpoch: 5})
	n.Mine(t, 12)
	client := n.Chain.Client().Client()
	for i := uint64(0); i <= 12; i++ {
		var raw json.RawMessage
		if err := client.Call(&raw, "eth_getBlockByNumber", hexUint(i), false); err != nil {
			t.Fatal(err)
		}
		var fh fastHeader
		if !scanHeader(raw, &fh) {
			t.Fatalf("block %d: the fast path refused the node's reply %s", i, raw)
		}
		if _, ok := fastBlock(&fh, i, 5); !ok {
			t.Fatalf("block %d: the fast path refused the node's header", i)
		}
		checkFastSlow(t, raw, i, 5)
	}
}

// fastBlock is the fast path alone on one scanned header, hashing one by
// one: ok is false where the decoder falls back to the slow path.
func fastBlock(h *fastHeader, n, cliqueEpoch uint64) (ledger.Block, bool) {
	b, ok := h.precheck(n, cliqueEpoch)
	if !ok {
		return b, false
	}
	hm, sm, _ := h.messages(nil)
	if crypto.Keccak256Hash(hm) != h.hash {
		return b, false
	}
	b.Hash = h.hash
	if n > 0 {
		pub, err := crypto.Ecrecover(crypto.Keccak256(sm), h.extra[len(h.extra)-crypto.SignatureLength:])
		if err != nil {
			return b, false
		}
		copy(b.Sealer[:], crypto.Keccak256(pub[1:])[12:])
	}
	return b, true
}

func hexUint(i uint64) string { return "0x" + new(big.Int).SetUint64(i).Text(16) }

// FuzzFastHeader: whatever the fast path accepts, encoding/json decodes to
// the same header, and the decoder's verdict is always the slow path's.
func FuzzFastHeader(f *testing.F) {
	f.Add(sealedReply(f, 1, 30000, false, big.NewInt(875000000)), uint64(1))
	f.Add(sealedReply(f, 30000, 30000, true, nil), uint64(30000))
	f.Add([]byte(headerReply), uint64(1))
	f.Add([]byte(`{"number":"0x1"}`), uint64(1))
	f.Fuzz(func(t *testing.T, raw []byte, n uint64) {
		checkFastSlow(t, raw, n, 30000)
	})
}

func TestBloomBits(t *testing.T) {
	t.Parallel()
	for i := range 200 {
		a := crypto.Keccak256([]byte{byte(i), byte(i >> 8)})[:20]
		bits := newBloomBits(a)
		var with, other types.Bloom
		with.Add(a)
		other.Add(crypto.Keccak256([]byte{byte(i), 1}))
		other.Add(crypto.Keccak256([]byte{byte(i), 2}))
		for _, bl := range []*types.Bloom{&with, &other, {}} {
			if bits.in(bl) != bl.Test(a) {
				t.Fatalf("address %x: in %v, Test %v", a, bits.in(bl), bl.Test(a))
			}
		}
		var full types.Bloom
		for j := range full {
			full[j] = 0xff
		}
		if !bits.in(&full) {
			t.Fatal("not in a full bloom")
		}
	}
}

// TestDecodeGroup: eight replies checked together give what the slow path
// gives one by one, including a reply only the slow path takes, and the
// lowest failing reply's error.
func TestDecodeGroup(t *testing.T) {
	n := testnet.New(t, testnet.Options{CliqueEpoch: 5})
	n.Mine(t, 10)
	client := n.Chain.Client().Client()
	raws := make([]json.RawMessage, group)
	for i := range raws {
		if err := client.Call(&raws[i], "eth_getBlockByNumber", hexUint(uint64(i+1)), false); err != nil {
			t.Fatal(err)
		}
	}
	// Reply 2 in a shape the fast path leaves to encoding/json.
	raws[2] = json.RawMessage(strings.Replace(string(raws[2]), "}", "} ", 1))
	d := newHeaderDecoder(nil)
	check := func(raws []json.RawMessage) error {
		blocks, blooms := make([]ledger.Block, len(raws)), make([]types.Bloom, len(raws))
		err := d.decodeGroup(raws, blocks, blooms, 1, 5)
		for i := range raws {
			sb, sbloom, serr := decodeHeaderBloom(raws[i], uint64(i+1), 5)
			if serr != nil {
				if err == nil || err.Error() != serr.Error() {
					t.Fatalf("group error %v, slow path's first %v", err, serr)
				}
				return err
			}
			if err == nil && (!reflect.DeepEqual(blocks[i], sb) || blooms[i] != sbloom) {
				t.Fatalf("reply %d: group %+v, slow path %+v", i, blocks[i], sb)
			}
		}
		if err != nil {
			t.Fatalf("group error %v, slow path none", err)
		}
		return nil
	}
	// (On an error the group's blocks are not defined: only the error is
	// compared.)
	if err := check(raws); err != nil {
		t.Fatal(err)
	}
	// With a ring: the first pass recovers every seal and learns the
	// signers' keys, the second checks the in-turn seals against them;
	// a ring that guesses a stranger for every block falls back to
	// recovery. All give the slow path's blocks.
	stranger, _ := crypto.GenerateKey()
	wrong := seal.NewRing()
	wrong.Checkpoint(1<<40, []common.Address{crypto.PubkeyToAddress(stranger.PublicKey)})
	wrong.Learn(crypto.PubkeyToAddress(stranger.PublicKey), crypto.FromECDSAPub(&stranger.PublicKey))
	for _, c := range []struct {
		name     string
		ring     *seal.Ring
		wantFast bool
	}{{"learning", seal.NewRing(), true}, {"stranger", wrong, false}} {
		d = newHeaderDecoder(c.ring)
		for pass := range 2 {
			d.fastSeals = 0
			if err := check(raws); err != nil {
				t.Fatalf("%s, pass %d: %v", c.name, pass, err)
			}
		}
		if got := d.fastSeals > 0; got != c.wantFast {
			t.Fatalf("%s: %d seals checked against a guess on the second pass", c.name, d.fastSeals)
		}
	}
	d = newHeaderDecoder(nil)
	bad := slices.Clone(raws)
	bad[5] = json.RawMessage(strings.Replace(string(bad[5]), `"parentHash":"0x`, `"parentHash":"0x1`, 1))
	bad[3] = json.RawMessage(strings.Replace(string(bad[3]), `"timestamp":"0x`, `"timestamp":"0x1`, 1))
	if err := check(bad); err == nil {
		t.Fatal("corrupted replies accepted")
	}
}
