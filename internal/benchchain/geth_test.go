package benchchain

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestStockGethImport: a chain without block awards, given to stock geth
// (GETH=/path/to/geth, v1.13.15 or later) as GenesisJSON and ExportRLP,
// is initialized and imported by it, every block verified by its own
// Clique engine. Skipped without GETH.
func TestStockGethImport(t *testing.T) {
	geth := os.Getenv("GETH")
	if geth == "" {
		t.Skip("GETH is not set")
	}
	o := small()
	o.NoAwards, o.EpochBlocks = true, 400
	r, err := Generate(filepath.Join(t.TempDir(), "gen"), o)
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := Open(r.Dir(), false)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	genesis, blocks := filepath.Join(dir, "genesis.json"), filepath.Join(dir, "chain.rlp")
	js, err := c.GenesisJSON()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(genesis, js, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(blocks)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ExportRLP(f, 1, r.Head); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	c.Close()
	data := filepath.Join(dir, "geth")
	for _, args := range [][]string{
		{"--datadir", data, "init", genesis},
		{"--datadir", data, "--syncmode", "full", "--nodiscover", "import", blocks},
	} {
		out, err := exec.Command(geth, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("geth %v: %v\n%s", args, err, out)
		}
	}
	out, err := exec.Command(geth, "--datadir", data, "--nodiscover", "--maxpeers", "0", "--ipcdisable",
		"--exec", "eth.getBlock('latest').hash", "console").CombinedOutput()
	if err != nil {
		t.Fatalf("geth console: %v\n%s", err, out)
	}
	if want := r.HeadHash.Hex(); !strings.Contains(string(out), want) {
		t.Fatalf("geth's head is not %s:\n%s", want, out)
	}
}
