package calc_test

import (
	"bytes"
	"io"
	"os"
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
	doc := fullEpochJSON(b)
	for b.Loop() {
		if _, err := calc.DecodeInput(bytes.NewReader(doc)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCalcFullEpoch: what `rewardctl calc --out --tree` does with the
// same epoch, minus the files: decode, compute, encode the result and the
// tree dump.
func BenchmarkCalcFullEpoch(b *testing.B) {
	doc := fullEpochJSON(b)
	for b.Loop() {
		in, err := calc.DecodeInput(bytes.NewReader(doc))
		if err != nil {
			b.Fatal(err)
		}
		res, err := calc.Compute(in)
		if err != nil {
			b.Fatal(err)
		}
		if err := res.WriteJSON(io.Discard); err != nil {
			b.Fatal(err)
		}
		if err := res.Tree.WriteDump(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// fullEpochJSON returns the full epoch's input document, and sets up b to
// measure by it.
func fullEpochJSON(b *testing.B) []byte {
	var buf bytes.Buffer
	if err := benchgen.Epoch(benchgen.FullEpoch, 1).WriteJSON(&buf); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(buf.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	return buf.Bytes()
}

// TestWriteFullEpochInput writes the full-epoch benchmark input to
// $BENCH_WRITE_INPUT, for timing `rewardctl calc` end to end (wall time
// and peak memory of the process; make bench-calc): skipped unless set.
func TestWriteFullEpochInput(t *testing.T) {
	path := os.Getenv("BENCH_WRITE_INPUT")
	if path == "" {
		t.Skip("set BENCH_WRITE_INPUT=FILE")
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := benchgen.Epoch(benchgen.FullEpoch, 1).WriteJSON(f); err != nil {
		t.Fatal(err)
	}
}
