package merkle

import (
	"bytes"
	"errors"
	"testing"
	"testing/iotest"
)

// FuzzReadDump: ReadDump never panics, does not depend on how the input is
// split into reads, and whatever it accepts re-dumps to something it accepts
// again with the same root and leaves.
func FuzzReadDump(f *testing.F) {
	v := loadVectors(f)
	for _, set := range v.Sets {
		f.Add([]byte(set.Dump))
	}
	f.Add([]byte(`{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":[],"values":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadDump(bytes.NewReader(data))
		// Reading in one-byte pieces gives the same result.
		tr1, err1 := ReadDump(iotest.OneByteReader(bytes.NewReader(data)))
		if (err == nil) != (err1 == nil) || (err != nil && err.Error() != err1.Error()) {
			t.Fatalf("whole read: %v; one-byte reads: %v", err, err1)
		}
		if err != nil {
			return
		}
		if tr1.Root() != tr.Root() {
			t.Fatal("one-byte reads give another root")
		}
		var buf bytes.Buffer
		if tr.Len() == 0 {
			// A legacy empty dump: the empty tree has no dump of its own.
			if err := tr.WriteDump(&buf); !errors.Is(err, ErrEmptyTree) {
				t.Fatalf("WriteDump of the empty tree: %v", err)
			}
			return
		}
		if err := tr.WriteDump(&buf); err != nil {
			t.Fatal(err)
		}
		again, err := ReadDump(&buf)
		if err != nil {
			t.Fatalf("re-dump rejected: %v", err)
		}
		if again.Root() != tr.Root() || again.Len() != tr.Len() {
			t.Fatalf("re-dump changed the tree")
		}
		for i := range tr.Len() {
			a, b := tr.Leaf(i), again.Leaf(i)
			if a.Account != b.Account || !a.Cumulative.Eq(b.Cumulative) || tr.TreeIndex(i) != again.TreeIndex(i) {
				t.Fatalf("leaf %d changed", i)
			}
		}
	})
}
