package merkle

import (
	"encoding/hex"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// The benchmarks below time the payout tree's hashing and hex stages one
// core at a time, per leaf (per node for pairs), on the first 100,000
// benchmark leaves.

func benchInputs() ([]common.Address, []uint256.Int) {
	leaves := leaves100k()
	accounts := make([]common.Address, len(leaves))
	amounts := make([]uint256.Int, len(leaves))
	for i := range leaves {
		accounts[i] = leaves[i].Account
		amounts[i] = *leaves[i].Cumulative
	}
	return accounts, amounts
}

func BenchmarkLeaves(b *testing.B) {
	accounts, amounts := benchInputs()
	out := make([]common.Hash, len(accounts))
	for b.Loop() {
		leaves(out, accounts, amounts)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(out)), "ns/leaf")
}

func BenchmarkPairs(b *testing.B) {
	accounts, amounts := benchInputs()
	n := len(accounts)
	nodes := make([]common.Hash, 2*n-1)
	leaves(nodes[n-1:], accounts, amounts)
	for b.Loop() {
		pairs(nodes, n/2-1, n-1)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*(n/2)), "ns/node")
}

func BenchmarkChecksumHex(b *testing.B) {
	accounts, _ := benchInputs()
	hex := make([]byte, 40*len(accounts))
	for b.Loop() {
		checksumHex(hex, accounts)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(accounts)), "ns/leaf")
}

// appendNodesBaseline is appendNodes as it was before hexdigit.Encode:
// one append at a time, encoding/hex's digits.
func (t *Tree) appendNodesBaseline(buf []byte, lo, hi int) []byte {
	for i := lo; i < hi; i++ {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `"0x`...)
		buf = hex.AppendEncode(buf, t.nodes[i][:])
		buf = append(buf, '"')
	}
	return buf
}

// BenchmarkDumpNodes times the dump's node list, one 4096-node chunk at a
// time as WriteDump encodes them, per node.
func BenchmarkDumpNodes(b *testing.B) {
	tr, err := Build(leaves100k())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		f    func(buf []byte, lo, hi int) []byte
	}{{"new", tr.appendNodes}, {"baseline", tr.appendNodesBaseline}} {
		b.Run(bc.name, func(b *testing.B) {
			var buf []byte
			n := len(tr.nodes)
			for b.Loop() {
				for lo := 0; lo < n; lo += 4096 {
					buf = bc.f(buf[:0], lo, min(lo+4096, n))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/node")
		})
	}
}

// TestAppendNodesBaseline: the baseline benchmarked against writes the
// same bytes, so the comparison is fair.
func TestAppendNodesBaseline(t *testing.T) {
	tr, err := Build(genLeaves(5000))
	if err != nil {
		t.Fatal(err)
	}
	n := len(tr.nodes)
	for _, c := range [][2]int{{0, 0}, {0, 1}, {0, 2}, {1, 2}, {0, 4096}, {4096, n}, {n - 1, n}} {
		if got, want := tr.appendNodes([]byte("x"), c[0], c[1]), tr.appendNodesBaseline([]byte("x"), c[0], c[1]); string(got) != string(want) {
			t.Fatalf("nodes %d…%d: %.100s, baseline %.100s", c[0], c[1], got, want)
		}
	}
}
