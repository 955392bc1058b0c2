package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

func writeConfig(t *testing.T, dir, rpcURL string, chainID uint64, contract string) string {
	t.Helper()
	path := filepath.Join(dir, "rewardd.json")
	doc := fmt.Sprintf(`{"rpc_url": %q, "chain_id": %d, "contract": %q, "clique_epoch": 50, "confirmations": 2,
  "ledger_path": %q, "epoch": {"start": "2025-01-01T00:00:00Z", "length": "60s"},
  "follower": {"poll_interval": "50ms", "rpc_timeout": "2s"}}`, rpcURL, chainID, contract, filepath.Join(dir, "ledger.db"))
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	id := n.Chain.ChainID().Uint64()
	tests := []struct {
		name           string
		rpc            string
		chain          uint64
		contract, want string
		code           int
	}{
		{"unreachable rpc", "http://127.0.0.1:1", id, n.Contract.Hex(), "node unreachable", 1},
		{"wrong chain", n.Chain.RPCURL(), id + 1, n.Contract.Hex(), fmt.Sprintf("chain_id: node at %s serves chain %d, configured %d", n.Chain.RPCURL(), id, id+1), 1},
		{"no contract", n.Chain.RPCURL(), id, "0x000000000000000000000000000000000000dEaD", "contract: no contract at 0x000000000000000000000000000000000000dEaD", 1},
		{"bad config", n.Chain.RPCURL(), 0, n.Contract.Hex(), "chain_id: missing", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfg := writeConfig(t, dir, tt.rpc, tt.chain, tt.contract)
			var stderr bytes.Buffer
			code := run(context.Background(), []string{"--config", cfg}, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tt.code, tt.want)
			}
			if _, err := os.Stat(filepath.Join(dir, "ledger.db")); !os.IsNotExist(err) {
				t.Error("a ledger was created although start failed")
			}
		})
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), nil, &stderr); code != 2 {
		t.Errorf("no flags: exit %d", code)
	}
}

func TestFollowsUntilStopped(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	n.Commit(t, n.Stake(t, 0, 1, 1e18))
	n.Mine(t, 30)
	dir := t.TempDir()
	cfg := writeConfig(t, dir, n.Chain.RPCURL(), n.Chain.ChainID().Uint64(), n.Contract.Hex())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr lockedBuffer
	go func() { done <- run(ctx, []string{"--config", cfg, "--log-format", "console"}, &stderr) }()
	want := n.Chain.Head().Number.Uint64() - 2
	deadline := time.After(20 * time.Second)
	for {
		time.Sleep(100 * time.Millisecond)
		select {
		case <-deadline:
			cancel()
			<-done
			t.Fatalf("ledger did not reach %d; log:\n%s", want, stderr.String())
		case code := <-done:
			t.Fatalf("exited early with %d:\n%s", code, stderr.String())
		default:
		}
		// The daemon holds the ledger; stop it to look.
		if strings.Contains(stderr.String(), "following") {
			break
		}
	}
	time.Sleep(500 * time.Millisecond)
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"), ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if h, ok, _ := l.Head(); !ok || h.Number < want {
		t.Fatalf("ledger head %+v, want ≥ %d", h, want)
	}
}

// lockedBuffer is a bytes.Buffer the daemon may write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
