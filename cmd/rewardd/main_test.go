package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

func writeKey(t *testing.T, dir string, key *ecdsa.PrivateKey, password string, perm os.FileMode) (string, string) {
	return testnet.WriteKeystore(t, dir, key, password, perm)
}

type testConfig struct {
	rpc, contract, keystore, password string
	chain                             uint64
	genesis                           uint64 // epoch 0 starts a second after this
	shareBps                          uint64 // rewards.validator_share_bps; 0: the default
	firstEpoch                        uint64 // settle.first_epoch
	publishDir                        string // settle.publish_dir; "": dir/pub
}

func writeConfig(t *testing.T, dir string, c testConfig) string {
	t.Helper()
	path := filepath.Join(dir, "rewardd.json")
	start := time.Unix(int64(c.genesis+1), 0).UTC().Format(time.RFC3339)
	share := ""
	if c.shareBps != 0 {
		share = fmt.Sprintf(`, "validator_share_bps": %d`, c.shareBps)
	}
	pub := c.publishDir
	if pub == "" {
		pub = filepath.Join(dir, "pub")
	}
	doc := fmt.Sprintf(`{"rpc_url": %q, "chain_id": %d, "contract": %q, "clique_epoch": 50, "confirmations": 2,
  "ledger_path": %q, "epoch": {"start": %q, "length": "60s"},
  "standing": {"window": 30, "threshold": 5},
  "rewards": {"eligibility": "while-active"`+share+`},
  "follower": {"poll_interval": "50ms", "rpc_timeout": "2s"},
  "settle": {"schedule": "@every 1s", "publish_dir": %q, "first_epoch": %d, "max_failed_passes": 3},
  "submit": {"keystore_file": %q, "password_file": %q, "confirmations": 2, "resend_after": "2s", "poll_interval": "50ms", "rpc_timeout": "2s"},
  "api": {"listen": "127.0.0.1:0", "max_lag_blocks": 40}}`, c.rpc, c.chain, c.contract, filepath.Join(dir, "ledger.db"), start,
		pub, c.firstEpoch, c.keystore, c.password)
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestDaemonSettles runs rewardd against the embedded chain while blocks
// keep coming: epochs settle, roots land, and a delegator claims with a
// proof fetched from the API.
func TestDaemonSettles(t *testing.T) {
	t.Parallel()
	// One contract validator, so that this daemon alone is a majority;
	// signers 1 and 2 seal blocks but are not validators.
	n := testnet.New(t, testnet.Options{Validators: 1})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n.Commit(t, n.Stake(t, 0, 0, 3e18))
	n.Commit(t, n.Stake(t, 1, 0, 1e18))
	dir := t.TempDir()
	ks, pw := writeKey(t, dir, n.Signers[0], "secret", 0o600)
	cfg := writeConfig(t, dir, testConfig{rpc: n.Chain.RPCURL(), chain: n.Chain.ChainID().Uint64(), contract: n.Contract.Hex(),
		keystore: ks, password: pw, genesis: n.Chain.HeaderByNumber(0).Time})

	miner := n.KeepMining(ctx, 20*time.Millisecond)
	defer func() { cancel(); miner() }()
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--config", cfg, "--log-format", "console"}, &stderr) }()

	apiURL := waitForAPI(t, &stderr, done)
	st := waitSettled(t, apiURL, 2, &stderr)
	// Signers 1 and 2 seal but validate nothing: the status says so.
	want := []common.Address{testnet.Addr(n.Signers[1]), testnet.Addr(n.Signers[2])}
	slices.SortFunc(want, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	if st.SetDrift == nil || len(st.SetDrift.NotSigners) != 0 || !slices.Equal(st.SetDrift.NotValidators, want) {
		t.Fatalf("set drift %+v (%s), want signers %v not validating", st.SetDrift, st.DriftError, want)
	}
	user := testnet.Addr(n.Users[0])
	resp, err := http.Get(fmt.Sprintf("%s/v1/epochs/1/proofs/%s", apiURL, user.Hex()))
	if err != nil {
		t.Fatal(err)
	}
	var p api.Proof
	json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	before, _ := n.Chain.Client().BalanceAt(ctx, user, nil)
	tx, err := n.Chain.SendTx(ctx, n.Users[1], &n.Contract, nil, p.Calldata)
	if err != nil {
		t.Fatal(err)
	}
	n.Commit(t, tx)
	after, _ := n.Chain.Client().BalanceAt(ctx, user, nil)
	if got := new(big.Int).Sub(after, before); got.String() != p.Cumulative {
		t.Fatalf("claim paid %s, want %s", got, p.Cumulative)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	l, err := ledger.Open(filepath.Join(dir, "ledger.db"), ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}

// TestTwoDaemonsQuorum: two of three validators' daemons, a majority,
// settle the same epochs together; each epoch is accepted once.
func TestTwoDaemonsQuorum(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n.Commit(t, n.Stake(t, 0, 2, 5e18))
	miner := n.KeepMining(ctx, 20*time.Millisecond)
	defer func() { cancel(); miner() }()
	type daemon struct {
		stderr lockedBuffer
		done   chan int
		api    string
	}
	var ds [2]*daemon
	for i := range ds {
		d := &daemon{done: make(chan int, 1)}
		dir := t.TempDir()
		ks, pw := writeKey(t, dir, n.Signers[i], "secret", 0o600)
		cfg := writeConfig(t, dir, testConfig{rpc: n.Chain.RPCURL(), chain: n.Chain.ChainID().Uint64(), contract: n.Contract.Hex(),
			keystore: ks, password: pw, genesis: n.Chain.HeaderByNumber(0).Time})
		go func() { d.done <- run(ctx, []string{"--config", cfg, "--log-format", "console"}, &d.stderr) }()
		ds[i] = d
	}
	for _, d := range ds {
		d.api = waitForAPI(t, &d.stderr, d.done)
	}
	for i, d := range ds {
		st := waitSettled(t, d.api, 2, &d.stderr)
		if st.LatestEpoch.TxHash == (common.Hash{}) {
			t.Errorf("daemon %d did not vote: %+v", i, st.LatestEpoch)
		}
	}
	// Each epoch has exactly two votes and one acceptance on chain.
	logs, err := n.Chain.Client().FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{n.Contract}})
	if err != nil {
		t.Fatal(err)
	}
	voted, accepted := map[common.Hash]int{}, map[common.Hash]int{}
	for _, l := range logs {
		switch l.Topics[0] {
		case crypto.Keccak256Hash([]byte("RootVoted(uint256,address,bytes32,uint256,bytes32)")):
			voted[l.Topics[1]]++
		case crypto.Keccak256Hash([]byte("RootAccepted(uint256,bytes32,uint256,bytes32)")):
			accepted[l.Topics[1]]++
		}
	}
	for e := 0; e < 2; e++ {
		k := common.BigToHash(big.NewInt(int64(e)))
		if voted[k] != 2 || accepted[k] != 1 {
			t.Errorf("epoch %d: %d votes, %d acceptances", e, voted[k], accepted[k])
		}
	}
	cancel()
	for _, d := range ds {
		<-d.done
	}
}

// waitSettled polls the API until at least n epochs are accepted and the
// latest is too.
func waitSettled(t *testing.T, apiURL string, n int, log *lockedBuffer) api.Status {
	t.Helper()
	var st api.Status
	deadline := time.Now().Add(90 * time.Second)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("epochs did not settle: %+v\n%s", st, log.String())
		}
		time.Sleep(200 * time.Millisecond)
		resp, err := http.Get(apiURL + "/v1/status")
		if err != nil {
			continue
		}
		st = api.Status{}
		json.NewDecoder(resp.Body).Decode(&st)
		resp.Body.Close()
		if st.Epochs[string(settle.StateAccepted)] >= n && st.LatestEpoch != nil && st.LatestEpoch.Accepted {
			return st
		}
	}
}

// waitForAPI reads the API address from the daemon's log.
func waitForAPI(t *testing.T, stderr *lockedBuffer, done chan int) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case code := <-done:
			t.Fatalf("exited early with %d:\n%s", code, stderr.String())
		default:
		}
		if i := strings.Index(stderr.String(), `"url": "http://`); i >= 0 {
			rest := stderr.String()[i+len(`"url": "`):]
			return rest[:strings.IndexByte(rest, '"')]
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no API address in the log:\n%s", stderr.String())
	return ""
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
