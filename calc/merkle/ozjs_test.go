package merkle

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// ozjsDir holds the Node project with @openzeppelin/merkle-tree.
const ozjsDir = "../../tools/ozjs"

// ozLoad runs tools/ozjs/loaddump.js on dump, which loads it with OZ's
// StandardMerkleTree.load; it returns OZ's root and proofs.
func ozLoad(t *testing.T, dump []byte) (common.Hash, [][]common.Hash, error) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "dump.json")
	if err := os.WriteFile(file, dump, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("node", filepath.Join(ozjsDir, "loaddump.js"), file, "--proofs")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return common.Hash{}, nil, errors.New(strings.TrimSpace(stderr.String()))
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	proofs := make([][]common.Hash, 0, len(lines)-1)
	for _, line := range lines[1:] {
		proof := []common.Hash{}
		if line != "" {
			for _, h := range strings.Split(line, ",") {
				proof = append(proof, common.HexToHash(h))
			}
		}
		proofs = append(proofs, proof)
	}
	return common.HexToHash(lines[0]), proofs, nil
}

// TestOZLoadsGoDump checks that OZ's StandardMerkleTree.load accepts dumps
// written by WriteDump and derives the same root and proofs. It needs node
// and `npm install` in tools/ozjs, and is skipped otherwise.
func TestOZLoadsGoDump(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node not installed")
	}
	if _, err := os.Stat(filepath.Join(ozjsDir, "node_modules", "@openzeppelin", "merkle-tree")); err != nil {
		t.Skip("tools/ozjs/node_modules missing; run npm install there")
	}
	r := rand.New(rand.NewPCG(42, 42))
	for _, n := range []int{1, 2, 3, 10, 129, 1000} {
		tr, err := Build(randomLeaves(r, n))
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := tr.WriteDump(&buf); err != nil {
			t.Fatal(err)
		}
		root, proofs, err := ozLoad(t, buf.Bytes())
		if err != nil {
			t.Fatalf("n=%d: OZ rejects our dump: %v", n, err)
		}
		checkAgainstVector(t, tr, root, proofs)
	}

	// OZ v1.0.8 refuses an empty tree, which rewards-v1 allows (zero root):
	// why an empty tree has no dump (1.1) and WriteDump refuses to write one.
	if _, _, err := ozLoad(t, []byte(legacyEmptyDump)); err == nil || !strings.Contains(err.Error(), "Merkle tree is invalid") {
		t.Fatalf("OZ on the empty dump: %v (expected it to refuse)", err)
	}
}
