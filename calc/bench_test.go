package calc_test

import (
	"bytes"
	"testing"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/internal/benchgen"
)

// BenchmarkComputeFullEpoch: one 15-day epoch, 216,000 blocks, 21
// validators, 1,000,000 delegations, 50,000 stake events, including the
// payout tree.
func BenchmarkComputeFullEpoch(b *testing.B) {
	in := benchgen.Epoch(benchgen.FullEpoch, 1)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := calc.Compute(in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeFullEpoch: parsing and checking the same epoch's input file.
func BenchmarkDecodeFullEpoch(b *testing.B) {
	var buf bytes.Buffer
	if err := benchgen.Epoch(benchgen.FullEpoch, 1).WriteJSON(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := calc.DecodeInput(bytes.NewReader(buf.Bytes())); err != nil {
			b.Fatal(err)
		}
	}
}
