package merkle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
)

// WriteDumpFile publishes t's dump at path (rewards-v1 §6, 1.1). A tree
// with leaves is written through a temporary file renamed into place
// (internal/atomicfile), so a reader sees the old file or the complete new
// one; perm 0 means 0o644. A tree with no leaves has no dump: nothing is
// written, and a file already at path (a stale dump of another tree) is
// removed, so that a reader finds no dump and, the root being all zeros,
// takes the empty tree (ReadDumpFile). written reports which of the two
// happened.
func WriteDumpFile(path string, perm os.FileMode, t *Tree) (written bool, err error) {
	if t.Len() == 0 {
		if err := atomicfile.Remove(path); err != nil {
			return false, fmt.Errorf("merkle: remove stale dump of the empty tree: %w", err)
		}
		return false, nil
	}
	if err := atomicfile.Write(path, perm, t.WriteDump); err != nil {
		return false, fmt.Errorf("merkle: write dump: %w", err)
	}
	return true, nil
}

// MissingDump returns the tree that a missing dump of a tree with the given
// root stands for (rewards-v1 §6, 1.1): the empty tree when the root is all
// zeros, since an empty tree has no dump. For any other root the dump
// should exist, and the error wraps ErrNoDump and fs.ErrNotExist. It is for
// readers that fetch dumps themselves (over HTTP, say); ReadDumpFile does
// this for files.
func MissingDump(root common.Hash) (*Tree, error) {
	if root == (common.Hash{}) {
		return &Tree{}, nil
	}
	return nil, fmt.Errorf("%w (%w): root %s is not the empty tree's", ErrNoDump, fs.ErrNotExist, root.Hex())
}

// ReadDumpFile reads the dump at path of a tree whose root is root. A
// missing file is the empty tree when root is all zeros (see MissingDump)
// and otherwise an error wrapping ErrNoDump and fs.ErrNotExist. A dump
// that ReadDump rejects, or whose tree has another root, gives an error
// wrapping ErrBadDump.
func ReadDumpFile(path string, root common.Hash) (*Tree, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		t, err := MissingDump(root)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		return t, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := ReadDump(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if t.Root() != root {
		return nil, fmt.Errorf("%s: %w: root %s, want %s", path, ErrBadDump, t.Root().Hex(), root.Hex())
	}
	return t, nil
}
