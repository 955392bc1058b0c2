package merkle

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

func TestWriteDumpFile(t *testing.T) {
	full, err := Build([]Leaf{{addr(1), uint256.NewInt(5)}, {addr(2), uint256.NewInt(7)}})
	if err != nil {
		t.Fatal(err)
	}
	empty := &Tree{}
	var want bytes.Buffer
	if err := full.WriteDump(&want); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		stale       bool // a file is at the path before
		tree        *Tree
		wantWritten bool
	}{
		{name: "tree with leaves", tree: full, wantWritten: true},
		{name: "tree with leaves over an old dump", stale: true, tree: full, wantWritten: true},
		{name: "empty tree: no file", tree: empty},
		{name: "empty tree: stale dump removed", stale: true, tree: empty},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "epoch-000001-tree.json")
			if tc.stale {
				if err := os.WriteFile(path, []byte("stale"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			written, err := WriteDumpFile(path, 0, tc.tree)
			if err != nil || written != tc.wantWritten {
				t.Fatalf("written %v, %v; want %v", written, err, tc.wantWritten)
			}
			got, err := os.ReadFile(path)
			switch {
			case tc.wantWritten && (err != nil || !bytes.Equal(got, want.Bytes())):
				t.Fatalf("dump file: %v, %d bytes", err, len(got))
			case !tc.wantWritten && !errors.Is(err, fs.ErrNotExist):
				t.Fatalf("a dump file is at the path: %v", err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != map[bool]int{true: 1, false: 0}[tc.wantWritten] {
				t.Fatalf("directory holds %v", ents)
			}
			// What a reader makes of it: the tree, empty or not.
			rt, err := ReadDumpFile(path, tc.tree.Root())
			if err != nil || rt.Root() != tc.tree.Root() || rt.Len() != tc.tree.Len() {
				t.Fatalf("ReadDumpFile: %v", err)
			}
		})
	}
	t.Run("unwritable directory", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "no", "such", "tree.json")
		if written, err := WriteDumpFile(path, 0, full); err == nil || written {
			t.Fatalf("written %v, %v", written, err)
		}
	})
}

func TestReadDumpFile(t *testing.T) {
	full, err := Build([]Leaf{{addr(1), uint256.NewInt(5)}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	present := filepath.Join(dir, "tree.json")
	if _, err := WriteDumpFile(present, 0, full); err != nil {
		t.Fatal(err)
	}
	garbage := filepath.Join(dir, "garbage.json")
	os.WriteFile(garbage, []byte("{}"), 0o644)
	missing := filepath.Join(dir, "missing.json")
	zero := common.Hash{}
	tests := []struct {
		name     string
		path     string
		root     common.Hash
		wantLen  int
		wantErrs []error
	}{
		{name: "dump of the root", path: present, root: full.Root(), wantLen: 1},
		{name: "dump of another root", path: present, root: common.HexToHash("0x01"), wantErrs: []error{ErrBadDump}},
		{name: "dump of a tree, zero root expected", path: present, root: zero, wantErrs: []error{ErrBadDump}},
		{name: "missing dump, zero root: the empty tree", path: missing, root: zero},
		{name: "missing dump, other root", path: missing, root: full.Root(), wantErrs: []error{ErrNoDump, fs.ErrNotExist}},
		{name: "not a dump", path: garbage, root: full.Root(), wantErrs: []error{ErrBadDump}},
		{name: "legacy empty dump, zero root", path: writeFile(t, dir, legacyEmptyDump), root: zero},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := ReadDumpFile(tc.path, tc.root)
			if len(tc.wantErrs) > 0 {
				for _, want := range tc.wantErrs {
					if !errors.Is(err, want) {
						t.Fatalf("error %v, want %v", err, want)
					}
				}
				return
			}
			if err != nil || tr.Len() != tc.wantLen || tr.Root() != tc.root {
				t.Fatalf("tree of %d leaves, root %s, %v", tr.Len(), tr.Root().Hex(), err)
			}
		})
	}
}

func TestMissingDump(t *testing.T) {
	if tr, err := MissingDump(common.Hash{}); err != nil || tr.Len() != 0 || tr.Root() != (common.Hash{}) {
		t.Fatalf("zero root: %v", err)
	}
	if _, err := MissingDump(common.HexToHash("0x01")); !errors.Is(err, ErrNoDump) || !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("other root: %v", err)
	}
}

func writeFile(t *testing.T, dir, content string) string {
	t.Helper()
	f, err := os.CreateTemp(dir, "dump-*.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(content); err != nil {
		t.Fatal(err)
	}
	return f.Name()
}
