package config

import (
	"encoding/json"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func writeValid(t *testing.T, doc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rewardd.json")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func envOf(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// parseFlags registers the settings' flags and parses args.
func parseFlags(t *testing.T, args ...string) (*Flags, error) {
	t.Helper()
	fs := flag.NewFlagSet("rewardd", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fl := RegisterFlags(fs)
	return fl, fs.Parse(args)
}

// TestPrecedence: a flag beats its variable, the variable beats the file,
// the file beats the default, for settings of every kind.
func TestPrecedence(t *testing.T) {
	t.Parallel()
	file := strings.Replace(valid, `"chain_id": 18,`, `"chain_id": 18, "follower": {"batch_size": 300, "poll_interval": "4s"},
  "submit": {"keystore_file": "/file/key.json"},`, 1)
	path := writeValid(t, file)
	type result struct {
		batch   int
		poll    time.Duration
		key     string
		rpc     string
		start   string
		reward  string
		retries int
	}
	get := func(c Config) result {
		return result{c.Follower.BatchSize, c.Follower.PollInterval.D(), c.Submit.KeystoreFile, c.RPCURL,
			c.Epoch.Start.Format(time.RFC3339), c.Rewards.RewardPerBlock.String(), c.Follower.Attempts}
	}
	fromFile := result{300, 4 * time.Second, "/file/key.json", "http://127.0.0.1:8545", "2023-09-27T00:00:00Z", "5", 5}
	tests := []struct {
		name  string
		env   map[string]string
		flags []string
		want  result
	}{
		{"file over defaults", nil, nil, fromFile},
		{"env over file", map[string]string{
			"REWARDD_FOLLOWER_BATCH_SIZE": "200", "REWARDD_FOLLOWER_POLL_INTERVAL": "5s", "REWARDD_SUBMIT_KEYSTORE_FILE": "/env/key.json",
			"REWARDD_RPC_URL": "http://env:8545", "REWARDD_EPOCH_START": "2024-01-01T00:00:00Z", "REWARDD_REWARDS_REWARD_PER_BLOCK_CMT": "4.5",
			"REWARDD_FOLLOWER_ATTEMPTS": "7",
		}, nil, result{200, 5 * time.Second, "/env/key.json", "http://env:8545", "2024-01-01T00:00:00Z", "4.5", 7}},
		{"flag over env", map[string]string{"REWARDD_FOLLOWER_BATCH_SIZE": "200", "REWARDD_SUBMIT_KEYSTORE_FILE": "/env/key.json", "REWARDD_RPC_URL": "http://env:8545"},
			[]string{"--follower.batch-size", "100", "--submit.keystore-file=/flag/key.json", "--rpc-url", "http://flag:8545", "--epoch.start", "2025-01-01T00:00:00Z"},
			result{100, 4 * time.Second, "/flag/key.json", "http://flag:8545", "2025-01-01T00:00:00Z", "5", 5}},
		{"unrelated variables are ignored", map[string]string{"REWARDD_CRASH_AT": "x", "OTHER_FOLLOWER_BATCH_SIZE": "9"}, nil, fromFile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fl, err := parseFlags(t, tt.flags...)
			if err != nil {
				t.Fatal(err)
			}
			c, err := LoadWith(path, envOf(tt.env), fl)
			if err != nil {
				t.Fatal(err)
			}
			if got := get(c); got != tt.want {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

// TestBadEnv: a variable that does not parse, or parses to a value Check
// rejects, is an error naming the variable and the field.
func TestBadEnv(t *testing.T) {
	t.Parallel()
	path := writeValid(t, valid)
	tests := []struct{ name, value, want string }{
		{"REWARDD_FOLLOWER_BATCH_SIZE", "many", `follower.batch_size (set by REWARDD_FOLLOWER_BATCH_SIZE): "many": expected a whole number`},
		{"REWARDD_CHAIN_ID", "-1", `chain_id (set by REWARDD_CHAIN_ID): "-1": expected a whole number from 0 to 2^64-1`},
		{"REWARDD_EPOCH_START", "yesterday", `epoch.start (set by REWARDD_EPOCH_START): "yesterday": parsing time`},
		{"REWARDD_CONTRACT", "0x12", `contract (set by REWARDD_CONTRACT): "0x12": hex string has length 2, want 40`},
		{"REWARDD_SUBMIT_POLL_INTERVAL", "3", `submit.poll_interval (set by REWARDD_SUBMIT_POLL_INTERVAL): "3": expected a duration`},
		{"REWARDD_SUBMIT_MAX_FEE_CAP_GWEI", "lots", `submit.max_fee_cap_gwei (set by REWARDD_SUBMIT_MAX_FEE_CAP_GWEI): "lots"`},
		{"REWARDD_FOLLOWER_BATCH_SIZE", "0", `follower.batch_size (set by REWARDD_FOLLOWER_BATCH_SIZE): 0: expected 1 to 10000`},
		{"REWARDD_RPC_URL", "", `rpc_url (set by REWARDD_RPC_URL): missing`},
		{"REWARDD_REWARDS_ELIGIBILITY", "sometimes", `rewards.eligibility (set by REWARDD_REWARDS_ELIGIBILITY): unknown policy "sometimes"`},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			_, err := LoadWith(path, envOf(map[string]string{tt.name: tt.value}), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v\nwant %q", err, tt.want)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Error("does not wrap ErrInvalid")
			}
		})
	}
}

// TestBadFlag: a flag that does not parse fails FlagSet.Parse, naming the
// flag; one that Check rejects names the flag as the source.
func TestBadFlag(t *testing.T) {
	t.Parallel()
	if _, err := parseFlags(t, "--follower.batch-size", "many"); err == nil || !strings.Contains(err.Error(), `invalid value "many" for flag -follower.batch-size`) {
		t.Fatalf("parse error %v", err)
	}
	fl, err := parseFlags(t, "--api.listen", "8480")
	if err != nil {
		t.Fatal(err)
	}
	_, err = LoadWith(writeValid(t, valid), nil, fl)
	if err == nil || !strings.Contains(err.Error(), `api.listen (set by --api.listen): "8480": expected host:port`) {
		t.Fatalf("error %v", err)
	}
	if got := fl.Given(); len(got) != 1 || got[0] != "--api.listen" {
		t.Errorf("Given %v", got)
	}
}

// TestSettingsNames pins the naming scheme and that every setting is
// documented.
func TestSettingsNames(t *testing.T) {
	t.Parallel()
	byPath := map[string]Setting{}
	envs, flags := map[string]bool{}, map[string]bool{}
	for _, s := range Settings() {
		byPath[s.Path] = s
		if s.Help == "" {
			t.Errorf("%s has no help", s.Path)
		}
		if envs[s.Env] || flags[s.Flag] {
			t.Errorf("%s: duplicate name", s.Path)
		}
		envs[s.Env], flags[s.Flag] = true, true
	}
	for path, want := range map[string][2]string{
		"rpc_url":                      {"REWARDD_RPC_URL", "rpc-url"},
		"submit.keystore_file":         {"REWARDD_SUBMIT_KEYSTORE_FILE", "submit.keystore-file"},
		"follower.max_reorg_depth":     {"REWARDD_FOLLOWER_MAX_REORG_DEPTH", "follower.max-reorg-depth"},
		"rewards.reward_per_block_cmt": {"REWARDD_REWARDS_REWARD_PER_BLOCK_CMT", "rewards.reward-per-block-cmt"},
		"api.max_lag_blocks":           {"REWARDD_API_MAX_LAG_BLOCKS", "api.max-lag-blocks"},
	} {
		s, ok := byPath[path]
		if !ok || s.Env != want[0] || s.Flag != want[1] {
			t.Errorf("%s: %+v, want %v", path, s, want)
		}
	}
	if _, ok := byPath["signers"]; ok {
		t.Error("signers is a map, not a scalar setting")
	}
	if s := byPath["follower.poll_interval"]; s.Default != "3s" || s.Required {
		t.Errorf("follower.poll_interval default %q", s.Default)
	}
	if s := byPath["epoch.start"]; !s.Required {
		t.Error("epoch.start has no default")
	}
	// Every field of the default configuration survives a round trip
	// through its text form, so the defaults shown in --help are exact.
	d, c := Default(), Default()
	for _, s := range Settings() {
		if s.Required {
			continue
		}
		if err := s.set(&c, s.Default); err != nil {
			t.Errorf("%s: default %q does not parse: %v", s.Path, s.Default, err)
		}
	}
	if format := func(c Config) string { b, _ := jsonOf(c); return b }; format(c) != format(d) {
		t.Errorf("defaults changed by their text form:\n%s\n%s", format(c), format(d))
	}
}

func jsonOf(c Config) (string, error) {
	b, err := json.Marshal(c)
	return string(b), err
}

func TestUnknownEnv(t *testing.T) {
	t.Parallel()
	got := UnknownEnv([]string{"REWARDD_RPC_URL=x", "REWARDD_RPCURL=y", "REWARDD_CONFIG=z", "HOME=/root", "REWARDD_FOLLOWER_BATCHSIZE=1"}, "REWARDD_CONFIG")
	if strings.Join(got, " ") != "REWARDD_RPCURL REWARDD_FOLLOWER_BATCHSIZE" {
		t.Errorf("unknown %q", got)
	}
}
