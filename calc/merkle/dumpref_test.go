package merkle

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// refDump is WriteDump's output written out plainly (encoding/hex,
// go-ethereum's EIP-55, one append at a time), the reference the chunked,
// in-place writer is held to.
func refDump(t *Tree) []byte {
	var b []byte
	b = append(b, dumpHead...)
	for i, h := range t.nodes {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `"0x`+hex.EncodeToString(h[:])+`"`...)
	}
	b = append(b, `],"values":[`...)
	for i, a := range t.accounts {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"value":["`+a.Hex()+`","`+t.amounts[i].Dec()+`"],"treeIndex":`+strconv.Itoa(int(t.pos[i]))+`}`...)
	}
	return append(b, "]}\n"...)
}

// TestWriteDumpReference compares WriteDump with refDump on trees of
// one, a few and many chunks (the node chunks are 4096 nodes).
func TestWriteDumpReference(t *testing.T) {
	t.Run("default", testWriteDumpReference)
	t.Run("portable", func(t *testing.T) {
		portableHex(t)
		testWriteDumpReference(t)
	})
}

// portableHex turns the vector hex encoder off for the rest of the test.
func portableHex(t testing.TB) {
	saved := useAVX512BW
	useAVX512BW = false
	t.Cleanup(func() { useAVX512BW = saved })
}

func testWriteDumpReference(t *testing.T) {
	all := leaves100k()
	for _, n := range []int{1, 2, 3, 9, 2048, 2049, 4097, 30_001} {
		tr, err := Build(genLeaves(n))
		if n == 30_001 {
			tr, err = Build(all[:n])
		}
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := tr.WriteDump(&buf); err != nil {
			t.Fatal(err)
		}
		if want := refDump(tr); !bytes.Equal(buf.Bytes(), want) {
			i := 0
			for i < min(buf.Len(), len(want)) && buf.Bytes()[i] == want[i] {
				i++
			}
			t.Fatalf("%d leaves: dump differs from the reference at byte %d of %d (want %d)", n, i, buf.Len(), len(want))
		}
	}
}

// checkHexNodes compares hexNodes (both paths) with encoding/hex, and
// checks it writes nothing around its records.
func checkHexNodes(t testing.TB, nodes []common.Hash) {
	want := []byte{'#'}
	for _, h := range nodes {
		want = append(want, `,"0x`+hex.EncodeToString(h[:])+`"`...)
	}
	want = append(want, '#')
	for _, vector := range []bool{true, false} {
		got := bytes.Repeat([]byte{'#'}, nodeText*len(nodes)+2)
		if vector && useAVX512BW {
			hexNodes(got[1:len(got)-1], nodes)
		} else {
			hexNodesGo(got[1:len(got)-1], nodes)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d nodes (vector %v):\n got %s\nwant %s", len(nodes), vector && useAVX512BW, got, want)
		}
	}
}

// TestHexNodes: every byte value at every position, all-zero and all-ones
// nodes, and random ones, 0 to 20 at a time.
func TestHexNodes(t *testing.T) {
	t.Logf("AVX-512 BW: %v", useAVX512BW)
	var all []common.Hash
	for off := 0; off < 32; off++ {
		var h common.Hash
		for j := range h {
			h[j] = byte(8*off + j)
		}
		all = append(all, h)
	}
	for i := range 8 {
		var h common.Hash
		for j := range h {
			h[j] = byte(32*i + j)
		}
		all = append(all, h, common.Hash{}, common.Hash(bytes.Repeat([]byte{0xff}, 32)))
	}
	checkHexNodes(t, all)
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 20; n++ {
		nodes := make([]common.Hash, n)
		for i := range nodes {
			for j := range nodes[i] {
				nodes[i][j] = byte(r.Uint32())
			}
		}
		checkHexNodes(t, nodes)
	}
}

func FuzzHexNodes(f *testing.F) {
	f.Add(bytes.Repeat([]byte{0x9a, 0xf0, 0x0f}, 40))
	f.Fuzz(func(t *testing.T, data []byte) {
		nodes := make([]common.Hash, len(data)/32)
		for i := range nodes {
			nodes[i] = common.Hash(data[32*i:])
		}
		checkHexNodes(t, nodes)
	})
}
