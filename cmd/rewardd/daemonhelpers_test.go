package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// testDaemon is a rewardd running in this process.
type testDaemon struct {
	key    int // index into the network's signers
	stderr lockedBuffer
	done   chan int
	api    string
}

// startDaemon runs a daemon for validator key with its own ledger and
// files; shareBps != 0 changes its rewards configuration.
func startDaemon(t *testing.T, ctx context.Context, n *testnet.Net, key int, shareBps uint64) *testDaemon {
	t.Helper()
	d := &testDaemon{key: key, done: make(chan int, 1)}
	dir := t.TempDir()
	ks, pw := writeKey(t, dir, n.Signers[key], "secret", 0o600)
	cfg := writeConfig(t, dir, testConfig{rpc: n.Chain.RPCURL(), chain: n.Chain.ChainID().Uint64(), contract: n.Contract.Hex(),
		keystore: ks, password: pw, genesis: n.Chain.HeaderByNumber(0).Time, shareBps: shareBps})
	go func() { d.done <- run(ctx, []string{"--config", cfg, "--log-format", "console"}, &d.stderr) }()
	d.api = waitForAPI(t, &d.stderr, d.done)
	return d
}

// get fetches path from the daemon's API: status code and body.
func (d *testDaemon) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(d.api + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// record returns the daemon's record of epoch k, nil if none yet.
func (d *testDaemon) record(t *testing.T, k uint64) *settle.Record {
	t.Helper()
	code, body := d.get(t, fmt.Sprintf("/v1/epochs/%d", k))
	if code != http.StatusOK {
		return nil
	}
	var rec settle.Record
	if err := json.Unmarshal([]byte(body), &rec); err != nil {
		t.Fatalf("epoch %d: %v: %s", k, err, body)
	}
	return &rec
}

// waitState waits until the daemon's record of epoch k is in state.
func (d *testDaemon) waitState(t *testing.T, k uint64, state settle.State) *settle.Record {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if rec := d.record(t, k); rec != nil && rec.State == state {
			return rec
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("validator %d: epoch %d never reached %s: %+v\n%s", d.key, k, state, d.record(t, k), d.stderr.String())
	return nil
}

func (d *testDaemon) stop(t *testing.T, cancel context.CancelFunc) {
	cancel()
	if code := <-d.done; code != 0 {
		t.Errorf("validator %d exited %d:\n%s", d.key, code, d.stderr.String())
	}
}

// acceptances counts RootAccepted events per epoch.
func acceptances(t *testing.T, n *testnet.Net) map[uint64]int {
	t.Helper()
	logs, err := n.Chain.Client().FilterLogs(context.Background(), ethereum.FilterQuery{Addresses: []common.Address{n.Contract},
		Topics: [][]common.Hash{{crypto.Keccak256Hash([]byte("RootAccepted(uint256,bytes32,uint256,bytes32)"))}}})
	if err != nil {
		t.Fatal(err)
	}
	out := map[uint64]int{}
	for _, l := range logs {
		out[l.Topics[1].Big().Uint64()]++
	}
	return out
}
