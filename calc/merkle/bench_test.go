package merkle

import (
	"bytes"
	"encoding/binary"
	"io"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

// genLeaves returns the benchmark leaves, identical to genValues in
// tools/ozjs/lib.js (used by tools/ozjs/bench.js):
//
//	account(i) = last 20 bytes of keccak256(uint256(i) as 32 bytes big-endian)
//	amount(i)  = i * 10^15 + 1
//
// for i = 0 .. n-1, then sorted by account ascending (as callers pass leaves).
func genLeaves(n int) []Leaf {
	leaves := make([]Leaf, n)
	var word [32]byte
	milli := uint256.NewInt(1_000_000_000_000_000)
	for i := range leaves {
		binary.BigEndian.PutUint64(word[24:], uint64(i))
		amount := new(uint256.Int).Mul(uint256.NewInt(uint64(i)), milli)
		leaves[i] = Leaf{
			Account:    common.BytesToAddress(crypto.Keccak256(word[:])[12:]),
			Cumulative: amount.AddUint64(amount, 1),
		}
	}
	slices.SortFunc(leaves, func(a, b Leaf) int { return bytes.Compare(a.Account[:], b.Account[:]) })
	return leaves
}

var (
	leaves1M   = sync.OnceValue(func() []Leaf { return genLeaves(1_000_000) })
	leaves100k = sync.OnceValue(func() []Leaf { return genLeaves(100_000) })
	leaves50k  = sync.OnceValue(func() []Leaf { return genLeaves(50_000) })
)

// TestGenLeavesMatchesJS ties genLeaves to the JS generator through the
// "generated-100" vector set.
func TestGenLeavesMatchesJS(t *testing.T) {
	for _, set := range loadVectors(t).Sets {
		if set.Name != "generated-100" {
			continue
		}
		want := vectorLeaves(t, set.Values)
		got := genLeaves(100)
		for i := range want {
			if got[i].Account != want[i].Account || !got[i].Cumulative.Eq(want[i].Cumulative) {
				t.Fatalf("leaf %d: %s %s, JS %s %s", i, got[i].Account.Hex(), got[i].Cumulative.Dec(),
					want[i].Account.Hex(), want[i].Cumulative.Dec())
			}
		}
		return
	}
	t.Fatal("no generated-100 vector set")
}

func reportCPU(b *testing.B, start time.Duration) {
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// ozRoot100k is the root tools/ozjs/bench.js prints for its 100,000 leaves.
const ozRoot100k = "0xd000df72ebe7f6a0959b5b0ce16f0298531666290be7089fdbf5bf4fcb433df1"

func TestGenLeaves100kRootMatchesJS(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	tr, err := Build(leaves100k())
	if err != nil {
		t.Fatal(err)
	}
	if got := tr.Root().Hex(); got != ozRoot100k {
		t.Fatalf("root %s, bench.js %s", got, ozRoot100k)
	}
}

func benchBuild(b *testing.B, leaves []Leaf) {
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if _, err := Build(leaves); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

func benchBuildAllProofs(b *testing.B, leaves []Leaf) {
	b.ReportAllocs()
	proof := make([]common.Hash, 0, 64)
	start := cpuTime()
	for b.Loop() {
		tr, err := Build(leaves)
		if err != nil {
			b.Fatal(err)
		}
		nodes := 0
		for i := range leaves {
			proof = tr.AppendProof(proof[:0], i)
			nodes += len(proof)
		}
		if nodes == 0 {
			b.Fatal("no proofs")
		}
	}
	reportCPU(b, start)
}

func BenchmarkBuild1M(b *testing.B)            { benchBuild(b, leaves1M()) }
func BenchmarkBuild100k(b *testing.B)          { benchBuild(b, leaves100k()) }
func BenchmarkBuildAllProofs1M(b *testing.B)   { benchBuildAllProofs(b, leaves1M()) }
func BenchmarkBuildAllProofs100k(b *testing.B) { benchBuildAllProofs(b, leaves100k()) }

// BenchmarkBuildAllProofs50k is what `node tools/ozjs/bench.js 50000` times
// (make bench-calc compares the two).
func BenchmarkBuildAllProofs50k(b *testing.B) { benchBuildAllProofs(b, leaves50k()) }
func BenchmarkWriteDump1M(b *testing.B)       { benchDump(b, leaves1M(), false) }
func BenchmarkReadDump1M(b *testing.B)        { benchDump(b, leaves1M(), true) }
func BenchmarkVerify(b *testing.B)            { benchVerify(b, leaves100k()) }

func benchDump(b *testing.B, leaves []Leaf, read bool) {
	tr, err := Build(leaves)
	if err != nil {
		b.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.WriteDump(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	start := cpuTime()
	for b.Loop() {
		if read {
			if _, err := ReadDump(bytes.NewReader(buf.Bytes())); err != nil {
				b.Fatal(err)
			}
		} else if err := tr.WriteDump(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

func benchVerify(b *testing.B, leaves []Leaf) {
	tr, _ := Build(leaves)
	proof := tr.ProofAt(7)
	l := tr.Leaf(7)
	b.ReportAllocs()
	for b.Loop() {
		if !Verify(tr.Root(), l.Account, l.Cumulative, proof) {
			b.Fatal("rejected")
		}
	}
}

// BenchmarkHashPair measures one node hash (one keccak-f permutation), the
// unit of Build's cost: about 3 per leaf.
func BenchmarkHashPair(b *testing.B) {
	h := newHasher()
	var x, y common.Hash
	y[0] = 1
	for b.Loop() {
		h.pair(&x, &x, &y)
	}
}
