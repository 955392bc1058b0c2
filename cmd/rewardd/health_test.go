package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cmt-rewards/cmt-rewards/internal/rpcproxy"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// healthDaemon runs a daemon of the only contract validator against the
// chain through a transparent proxy, with settle.max_failed_passes 3 and
// api.max_lag_blocks 40.
func healthDaemon(t *testing.T, ctx context.Context, publishDir string) (*testnet.Net, *rpcproxy.Proxy, *lockedBuffer, string) {
	t.Helper()
	n := testnet.New(t, testnet.Options{Validators: 1})
	n.Commit(t, n.Stake(t, 0, 0, 3e18))
	proxy, err := rpcproxy.Start(n.Chain.RPCURL(), rpcproxy.Faults{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { proxy.Close() })
	dir := t.TempDir()
	ks, pw := writeKey(t, dir, n.Signers[0], "secret", 0o600)
	cfg := writeConfig(t, dir, testConfig{rpc: proxy.URL(), chain: n.Chain.ChainID().Uint64(), contract: n.Contract.Hex(),
		keystore: ks, password: pw, genesis: n.Chain.HeaderByNumber(0).Time, publishDir: publishDir})
	miner := n.KeepMining(ctx, 20*time.Millisecond)
	var stderr lockedBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, []string{"--config", cfg, "--log-format", "console"}, &stderr) }()
	t.Cleanup(func() {
		miner()
		if code := <-done; code != 0 {
			t.Errorf("exit %d:\n%s", code, stderr.String())
		}
	})
	return n, proxy, &stderr, waitForAPI(t, &stderr, done)
}

// waitHealth polls /healthz until it passes (want "") or fails with a
// problem matching want, and checks that /v1/status says the same.
func waitHealth(t *testing.T, apiURL, want string, log *lockedBuffer) {
	t.Helper()
	re := regexp.MustCompile(want)
	var last string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := http.Get(apiURL + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last = string(body)
		var h struct {
			Problems []string `json:"problems"`
		}
		json.Unmarshal(body, &h)
		matched := false
		for _, p := range h.Problems {
			matched = matched || re.MatchString(p)
		}
		if (want == "" && resp.StatusCode == http.StatusOK) || (want != "" && resp.StatusCode == http.StatusServiceUnavailable && matched) {
			st := status(t, apiURL)
			if st.Healthy != (want == "") || (want != "" && !re.MatchString(strings.Join(st.Problems, "\n"))) {
				t.Fatalf("/healthz %s but /v1/status healthy %v, problems %q", body, st.Healthy, st.Problems)
			}
			if resp, err := http.Get(apiURL + "/livez"); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("/livez: %v %v", resp, err)
			}
			return
		}
	}
	t.Fatalf("/healthz never matched %q; last %s\n%s", want, last, log.String())
}

// TestHealthFailedPasses: settlement that fails pass after pass (the
// publish directory is a file) fails /healthz at settle.max_failed_passes,
// says why in the status and the log, and recovers once a pass succeeds.
func TestHealthFailedPasses(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pub := filepath.Join(t.TempDir(), "pub")
	if err := os.WriteFile(pub, []byte("not a directory"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, log, apiURL := healthDaemon(t, ctx, pub)
	waitHealth(t, apiURL, `^settlement failed [3-9] passes in a row \(bound settle.max_failed_passes 3\): epoch 0: publish directory: `, log)
	if n := strings.Count(log.String(), "settlement failing: /healthz fails until a pass succeeds"); n != 1 {
		t.Errorf("the failure was logged %d times, want once", n)
	}
	os.Remove(pub)
	waitHealth(t, apiURL, "", log)
	for _, w := range []string{"settlement recovered", "ready: /healthz passes"} {
		if !strings.Contains(log.String(), w) {
			t.Errorf("the log lacks %q", w)
		}
	}
	cancel()
}

// TestHealthLagAndIdentity: a follower that cannot fetch blocks while the
// chain grows fails /healthz on api.max_lag_blocks; a node that starts to
// serve another chain ID fails it and pauses settlement; both recover.
func TestHealthLagAndIdentity(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	n, proxy, log, apiURL := healthDaemon(t, ctx, "")
	waitHealth(t, apiURL, "", log)

	// The follower fetches blocks in batches: drop them all.
	proxy.SetIntercept(func(body []byte) bool { return bytes.HasPrefix(bytes.TrimSpace(body), []byte("[")) })
	waitHealth(t, apiURL, `^the ledger lags \d+ blocks behind the node's head \d+ \(bound 40\)$`, log)
	proxy.SetIntercept(nil)
	waitHealth(t, apiURL, "", log)

	id := n.Chain.ChainID().Uint64()
	proxy.SetRewrite(func(body, reply []byte) []byte {
		if !bytes.Contains(body, []byte(`"eth_chainId"`)) {
			return reply
		}
		return regexp.MustCompile(`"result":"0x[0-9a-f]+"`).ReplaceAll(reply, []byte(fmt.Sprintf(`"result":"%#x"`, id+1)))
	})
	waitHealth(t, apiURL, fmt.Sprintf(`^chain identity: .*the node serves chain %d, the ledger is for chain %d$`, id+1, id), log)
	if !strings.Contains(log.String(), "the node no longer serves the ledger's chain: settlement paused") {
		t.Error("the log does not say why settlement paused")
	}
	proxy.SetRewrite(nil)
	waitHealth(t, apiURL, "", log)
	cancel()
}
