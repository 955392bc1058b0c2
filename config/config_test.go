package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const valid = `{
  "rpc_url": "http://127.0.0.1:8545",
  "chain_id": 18,
  "contract": "0xe5B22d8240F479f34aBA4913A67964f3Df9dAFCc",
  "epoch": {"start": "2023-09-27T00:00:00Z", "length": "360h"},
  "rewards": {"reward_per_block_cmt": "5"},
  "signers": {"0x38672b2206b095e0dd47f9be052c1279a1edcca5": "0x1111111111111111111111111111111111111111"}
}`

func TestDecodeValid(t *testing.T) {
	t.Parallel()
	c, err := Decode(strings.NewReader(valid))
	if err != nil {
		t.Fatal(err)
	}
	if c.Confirmations != 12 || c.Standing.Window != 14400 || c.Follower.BatchSize != 500 {
		t.Errorf("defaults not kept: %+v", c)
	}
	wei, _ := c.Rewards.RewardWei()
	if wei.Dec() != "5000000000000000000" {
		t.Errorf("reward %s", wei.Dec())
	}
	if s := c.Schedule(); s.Length != 15*24*3600 || s.Start != 1695772800 {
		t.Errorf("schedule %+v", s)
	}
	path := filepath.Join(t.TempDir(), "c.json")
	os.WriteFile(path, []byte(valid), 0o600)
	if _, err := Load(path); err != nil {
		t.Fatal(err)
	}
}

func TestDecodeRejects(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, old, new, want string }{
		{"missing rpc", `"rpc_url": "http://127.0.0.1:8545",`, ``, "rpc_url: missing"},
		{"bad rpc", `http://127.0.0.1:8545`, `127.0.0.1:8545`, `rpc_url: "127.0.0.1:8545" is not an http(s) or ws(s) URL`},
		{"no chain id", `"chain_id": 18,`, ``, "chain_id: missing"},
		{"bad contract", `0xe5B22d8240F479f34aBA4913A67964f3Df9dAFCc`, `0xe5B2`, "contract"},
		{"no epoch start", `"start": "2023-09-27T00:00:00Z", `, ``, "epoch.start: missing"},
		{"bad length", `"360h"`, `"15 days"`, `expected a duration string such as "15s" or "360h", got "15 days"`},
		{"fraction of wei", `"5"`, `"0.0000000000000000001"`, "rewards.reward_per_block_cmt: 0.0000000000000000001 CMT is not a whole number of wei"},
		{"negative reward", `"5"`, `"-1"`, "rewards.reward_per_block_cmt: -1 is negative"},
		{"share", `"reward_per_block_cmt": "5"`, `"reward_per_block_cmt": "5", "validator_share_bps": 10001`, "rewards.validator_share_bps: 10001 exceeds 10000"},
		{"policy", `"reward_per_block_cmt": "5"`, `"reward_per_block_cmt": "5", "forfeit_policy": "burn"`, `rewards.forfeit_policy: unknown policy "burn"`},
		{"unknown field", `"chain_id": 18,`, `"chain_id": 18, "confirmation": 3,`, `confirmation: unknown field; expected one of rpc_url, chain_id`},
		{"unknown nested field", `"chain_id": 18,`, `"chain_id": 18, "follower": {"batchsize": 3},`, `follower.batchsize: unknown field; expected one of batch_size, concurrency`},
		{"signers not one-to-one", `"0x38672b2206b095e0dd47f9be052c1279a1edcca5": "0x1111111111111111111111111111111111111111"`,
			`"0x38672b2206b095e0dd47f9be052c1279a1edcca5": "0x1111111111111111111111111111111111111111", "0x48672b2206b095e0dd47f9be052c1279a1edcca5": "0x1111111111111111111111111111111111111111"`,
			"both map to validator 0x1111111111111111111111111111111111111111; expected each signer and each validator once"},
		{"zero signer", `"0x38672b2206b095e0dd47f9be052c1279a1edcca5": "0x1111111111111111111111111111111111111111"`,
			`"0x38672b2206b095e0dd47f9be052c1279a1edcca5": "0x0000000000000000000000000000000000000000"`, "signers: invalid standing config: "},
		{"tip above fee cap", `"chain_id": 18,`, `"chain_id": 18, "submit": {"max_fee_cap_gwei": "10", "max_tip_cap_gwei": "20"},`, "submit.max_tip_cap_gwei: 20 exceeds submit.max_fee_cap_gwei 10"},
		{"submit confirmations", `"chain_id": 18,`, `"chain_id": 18, "submit": {"confirmations": 129},`, "submit.confirmations: 129: expected 1 to 128"},
		{"submit poll", `"chain_id": 18,`, `"chain_id": 18, "submit": {"poll_interval": "0s"},`, "submit.poll_interval: 0s: must be positive"},
		{"lag within confirmations", `"chain_id": 18,`, `"chain_id": 18, "confirmations": 200,`, "api.max_lag_blocks: 120: must exceed confirmations (200)"},
		{"failed passes", `"chain_id": 18,`, `"chain_id": 18, "settle": {"max_failed_passes": 0},`, "settle.max_failed_passes: must be positive"},
		{"attempts", `"chain_id": 18,`, `"chain_id": 18, "follower": {"attempts": 0},`, "follower.attempts: 0: expected 1 to 100"},
		{"bad address", `0xe5B22d8240F479f34aBA4913A67964f3Df9dAFCc`, `0xe5B2`, "contract: hex string has length 4, want 40 for common.Address"},
		{"wrong type", `"chain_id": 18,`, `"chain_id": "18",`, "chain_id: expected uint64, got a JSON string"},
		{"batch size", `"chain_id": 18,`, `"chain_id": 18, "follower": {"batch_size": 0},`, "follower.batch_size: 0: expected 1 to 10000"},
		{"schedule", `"chain_id": 18,`, `"chain_id": 18, "settle": {"schedule": "every two minutes", "publish_dir": "p"},`, `settle.schedule: "every two minutes"`},
		{"bump", `"chain_id": 18,`, `"chain_id": 18, "submit": {"confirmations": 1, "resend_after": "1m", "bump_percent": 5, "max_fee_cap_gwei": "100"},`, "submit.bump_percent: 5: nodes reject replacements below +10%"},
		{"listen", `"chain_id": 18,`, `"chain_id": 18, "api": {"listen": "8480"},`, `api.listen: "8480": expected host:port`},
		{"window", `"chain_id": 18,`, `"chain_id": 18, "standing": {"window": 0, "threshold": 50},`, "standing.window: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := strings.Replace(valid, tt.old, tt.new, 1)
			if doc == valid {
				t.Fatal("edit not applied")
			}
			_, err := Decode(strings.NewReader(doc))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Error("does not wrap ErrInvalid")
			}
		})
	}
}

func TestCheckNamesEveryField(t *testing.T) {
	t.Parallel()
	c := Default()
	c.LedgerPath, c.CliqueEpoch, c.Epoch.Length = "", 0, Duration(time.Millisecond)
	err := c.Check()
	for _, field := range []string{"rpc_url", "chain_id", "contract", "ledger_path", "clique_epoch", "epoch.start", "epoch.length"} {
		if err == nil || !strings.Contains(err.Error(), field+":") {
			t.Errorf("error does not name %s: %v", field, err)
		}
	}
}

// TestExampleConfig keeps the README's example configuration valid.
func TestExampleConfig(t *testing.T) {
	t.Parallel()
	c, err := Load("../examples/rewardd.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckDaemon(); err != nil {
		t.Fatal(err)
	}
	// It spells out every setting, so that it documents them all.
	raw, err := os.ReadFile("../examples/rewardd.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, s := range Settings() {
		var v any = doc
		for _, part := range strings.Split(s.Path, ".") {
			m, _ := v.(map[string]any)
			v = m[part]
		}
		if v == nil {
			t.Errorf("examples/rewardd.json does not set %s", s.Path)
		}
	}
}
