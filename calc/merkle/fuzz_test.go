package merkle

import (
	"bytes"
	"testing"
)

// FuzzReadDump: ReadDump never panics, and whatever it accepts re-dumps to
// something it accepts again with the same root and leaves.
func FuzzReadDump(f *testing.F) {
	v := loadVectors(f)
	for _, set := range v.Sets {
		f.Add([]byte(set.Dump))
	}
	f.Add([]byte(`{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":[],"values":[]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := ReadDump(bytes.NewReader(data))
		if err != nil {
			return
		}
		var buf bytes.Buffer
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
