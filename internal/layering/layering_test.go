// Package layering_test holds the module's import rules: the packages that
// compute and store (calc, epoch, ledger) must build without a chain
// client, so that they stay usable offline and cannot reach a node by
// accident.
package layering_test

import (
	"os/exec"
	"strings"
	"testing"
)

// chainClients are go-ethereum's packages that talk to, or are, a node;
// each also forbids the packages below it.
var chainClients = []string{
	"github.com/ethereum/go-ethereum/ethclient",
	"github.com/ethereum/go-ethereum/rpc",
	"github.com/ethereum/go-ethereum/eth",
	"github.com/ethereum/go-ethereum/node",
}

func TestNoChainClient(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go tool in PATH")
	}
	for _, pkg := range []string{"./calc/...", "./epoch/", "./ledger/"} {
		t.Run(pkg, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(goTool, "list", "-deps", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, pkg)
			cmd.Dir = "../.."
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list -deps %s: %v\n%s", pkg, err, exitStderr(err))
			}
			for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
				fields := strings.Fields(line)
				if len(fields) == 0 {
					continue
				}
				for _, dep := range fields[1:] {
					if c := clientOf(dep); c != "" {
						t.Errorf("%s pulls in the chain client %s: %s imports %s", pkg, c, fields[0], dep)
					}
				}
			}
		})
	}
}

// clientOf returns the entry of chainClients that path is or lies below,
// or "".
func clientOf(path string) string {
	for _, c := range chainClients {
		if path == c || strings.HasPrefix(path, c+"/") {
			return c
		}
	}
	return ""
}

func exitStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func TestClientOf(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"github.com/ethereum/go-ethereum/rpc", "github.com/ethereum/go-ethereum/rpc"},
		{"github.com/ethereum/go-ethereum/eth/ethconfig", "github.com/ethereum/go-ethereum/eth"},
		{"github.com/ethereum/go-ethereum/ethclient/gethclient", "github.com/ethereum/go-ethereum/ethclient"},
		{"github.com/ethereum/go-ethereum/ethdb", ""},
		{"github.com/ethereum/go-ethereum/trie/trienode", ""},
		{"github.com/ethereum/go-ethereum/rpcx", ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := clientOf(tt.path); got != tt.want {
				t.Fatalf("clientOf(%s) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}
