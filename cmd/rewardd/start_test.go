package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// TestStartErrors: every check at start fails with exit 1 (64 for bad
// usage), an error printed once that names what is wrong, and no ledger
// left behind.
func TestStartErrors(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	n.Mine(t, 3)
	id := n.Chain.ChainID().Uint64()
	good := func(dir string) testConfig {
		ks, pw := writeKey(t, dir, n.Signers[0], "secret", 0o600)
		return testConfig{rpc: n.Chain.RPCURL(), chain: id, contract: n.Contract.Hex(), keystore: ks, password: pw, genesis: n.Chain.HeaderByNumber(0).Time}
	}
	t1 := time.Unix(int64(n.Chain.HeaderByNumber(1).Time), 0).UTC()
	tests := []struct {
		name string
		edit func(dir string, c *testConfig)
		args []string          // more flags
		env  map[string]string // the environment
		code int
		want string
	}{
		{"unreachable rpc", func(_ string, c *testConfig) { c.rpc = "http://127.0.0.1:1" }, nil, nil, 1, "node unreachable"},
		{"wrong chain", func(_ string, c *testConfig) { c.chain = id + 1 }, nil, nil, 1, fmt.Sprintf("chain_id: node at %s serves chain %d, configured %d", n.Chain.RPCURL(), id, id+1)},
		{"no contract", func(_ string, c *testConfig) { c.contract = "0x000000000000000000000000000000000000dEaD" }, nil, nil, 1, "contract: no contract at 0x000000000000000000000000000000000000dEaD"},
		{"bad config", func(_ string, c *testConfig) { c.chain = 0 }, nil, nil, 1, "chain_id: missing"},
		{"missing key", func(dir string, c *testConfig) { c.keystore = filepath.Join(dir, "nope.json") }, nil, nil, 1, "nope.json"},
		{"wrong password", func(dir string, c *testConfig) { os.WriteFile(c.password, []byte("guess\n"), 0o600) }, nil, nil, 1, "wrong keystore password"},
		{"key readable by others", func(dir string, c *testConfig) { os.Chmod(c.keystore, 0o644) }, nil, nil, 1, "key file is accessible to group or others"},
		{"epoch.start of a genesis timestamp 0", func(_ string, c *testConfig) { c.genesis = 0 }, nil, nil, 1,
			"epoch.start 1970-01-01T00:00:01Z puts block 1 (the first the ledger can settle; start_block 0) in epoch " +
				"; With settle.first_epoch 0 use an epoch.start at or after "},
		{"first epoch ahead of the contract", func(_ string, c *testConfig) { c.firstEpoch = 2 }, nil, nil, 1,
			"settle.first_epoch: the first epoch this daemon would settle is 2, but the contract expects epoch 0 next"},
		{"the environment fixes the start", func(_ string, c *testConfig) { c.genesis = 0 }, nil,
			map[string]string{"REWARDD_EPOCH_START": t1.Format(time.RFC3339), "REWARDD_RPC_URL": "http://127.0.0.1:1"}, 1, "node unreachable"},
		{"a flag beats the environment", nil, []string{"--rpc-url", "http://127.0.0.1:2"}, map[string]string{"REWARDD_RPC_URL": "http://127.0.0.1:1"}, 1, "rpc_url http://127.0.0.1:2: node unreachable"},
		{"bad environment value", nil, nil, map[string]string{"REWARDD_FOLLOWER_BATCH_SIZE": "many"}, 1, `follower.batch_size (set by REWARDD_FOLLOWER_BATCH_SIZE): "many": expected a whole number`},
		{"bad flag value", nil, []string{"--follower.batch-size", "many"}, nil, exitUsage, `invalid value "many" for flag -follower.batch-size`},
		{"flag out of range", nil, []string{"--follower.batch-size", "0"}, nil, 1, `follower.batch_size (set by --follower.batch-size): 0: expected 1 to 10000`},
		{"settings flags with --dev", nil, []string{"--dev", "--rpc-url", "http://x"}, nil, exitUsage, "--rpc-url: the dev system makes its own configuration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := good(dir)
			if tt.edit != nil {
				tt.edit(dir, &c)
			}
			cfg := writeConfig(t, dir, c)
			args := []string{"--config", cfg}
			if slices.Contains(tt.args, "--dev") {
				args = nil
			}
			env := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
			var stdout, stderr bytes.Buffer
			code := runWith(context.Background(), append(args, tt.args...), &stdout, &stderr, hooks{env: env})
			for _, w := range strings.Split(tt.want, "; ") {
				if code != tt.code || !strings.Contains(stderr.String(), w) {
					t.Fatalf("exit %d, stderr %q; want %d and %q", code, stderr.String(), tt.code, w)
				}
			}
			if n := strings.Count(stderr.String(), strings.Split(tt.want, "; ")[0]); n != 1 {
				t.Errorf("the error is printed %d times, want once:\n%s", n, stderr.String())
			}
			if _, err := os.Stat(filepath.Join(dir, "ledger.db")); !os.IsNotExist(err) {
				t.Error("a ledger was left behind although start failed")
			}
		})
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), nil, &stderr); code != exitUsage {
		t.Errorf("no flags: exit %d", code)
	}
}

// TestHelpAndVersion: --help lists every setting's flag with its
// variable and default; --version prints the build.
func TestHelpAndVersion(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := runWith(context.Background(), []string{"--help"}, &stdout, &stderr, hooks{}); code != 0 {
		t.Fatalf("--help: exit %d", code)
	}
	help := stderr.String()
	for _, s := range config.Settings() {
		want := fmt.Sprintf("(%s; env %s; default %q)", s.Kind, s.Env, s.Default)
		if s.Required {
			want = fmt.Sprintf("(%s; env %s; required, no default)", s.Kind, s.Env)
		}
		if !strings.Contains(help, "-"+s.Flag+" "+s.Kind+"\n") || !strings.Contains(help, want) {
			t.Errorf("--help lacks -%s with %s", s.Flag, want)
		}
	}
	for _, w := range []string{"-config string", "(env REWARDD_CONFIG)", "-version", "-dev-dir"} {
		if !strings.Contains(help, w) {
			t.Errorf("--help lacks %q", w)
		}
	}
	stdout.Reset()
	if code := runWith(context.Background(), []string{"--version"}, &stdout, &stderr, hooks{}); code != 0 || !strings.HasPrefix(stdout.String(), "rewardd ") {
		t.Fatalf("--version: exit %d, %q", code, stdout.String())
	}
}

// TestSubmitterConfigExplicit: the vote path gets every setting from
// submit.*, none left zero for the submitter to default, and its own poll
// interval and RPC timeout rather than the follower's.
func TestSubmitterConfigExplicit(t *testing.T) {
	t.Parallel()
	c, err := config.Load("../../examples/rewardd.json")
	if err != nil {
		t.Fatal(err)
	}
	c.Submit.PollInterval, c.Submit.RPCTimeout = config.Duration(7*time.Second), config.Duration(9*time.Second)
	sc := submitterConfig(&c)
	v := reflect.ValueOf(sc)
	for i := 0; i < v.NumField(); i++ {
		if v.Field(i).Kind() != reflect.Func && v.Field(i).IsZero() {
			t.Errorf("submitter.Config.%s is zero: the submitter would default it", v.Type().Field(i).Name)
		}
	}
	if sc.PollInterval != 7*time.Second || sc.RPCTimeout != 9*time.Second || sc.MaxTipCap.Cmp(c.Submit.MaxTipCapWei()) != 0 {
		t.Errorf("submitter config %+v", sc)
	}
}
