package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
	"github.com/robfig/cron/v3"
	"github.com/shopspring/decimal"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
)

// ErrInvalid is wrapped by every configuration error.
var ErrInvalid = errors.New("invalid configuration")

// Config is the whole configuration. The zero value is not valid; start
// from Default.
type Config struct {
	// RPCURL is the JSON-RPC endpoint of a CyberMiles (Clique) node.
	RPCURL string `json:"rpc_url"`
	// ChainID is the expected chain ID; the node's is checked at start.
	ChainID uint64 `json:"chain_id"`
	// Contract is the validator contract's address.
	Contract common.Address `json:"contract"`
	// StartBlock is the first block the ledger holds: the contract's
	// deployment block (or earlier). Stakes are rebuilt from its events on.
	StartBlock uint64 `json:"start_block"`
	// LedgerPath is the bbolt ledger file.
	LedgerPath string `json:"ledger_path"`
	// Confirmations: a block is ingested once head − number ≥ Confirmations.
	Confirmations uint64 `json:"confirmations"`
	// CliqueEpoch is the chain's Clique checkpoint interval in blocks.
	CliqueEpoch uint64 `json:"clique_epoch"`

	Epoch    EpochConfig                       `json:"epoch"`
	Standing StandingConfig                    `json:"standing"`
	Rewards  RewardsConfig                     `json:"rewards"`
	Follower FollowerConfig                    `json:"follower"`
	Signers  map[common.Address]common.Address `json:"signers"` // signer → validator; absent: the same address

	Settle SettleConfig `json:"settle"`
	Submit SubmitConfig `json:"submit"`
	API    APIConfig    `json:"api"`
}

// SettleConfig schedules settlement and says where results go.
type SettleConfig struct {
	// Schedule is a robfig/cron spec ("@every 2m", "*/5 * * * *") that
	// triggers a settlement pass; a pass decides from state what to do.
	Schedule   string `json:"schedule"`
	PublishDir string `json:"publish_dir"`
	FirstEpoch uint64 `json:"first_epoch"`
}

// SubmitConfig is the validator's root-vote transaction path.
type SubmitConfig struct {
	KeystoreFile  string          `json:"keystore_file"` // go-ethereum keystore JSON, mode 0600
	PasswordFile  string          `json:"password_file"` // mode 0600
	Confirmations uint64          `json:"confirmations"` // receipt depth before a vote counts
	ResendAfter   Duration        `json:"resend_after"`
	BumpPercent   uint64          `json:"bump_percent"`
	MaxFeeCapGwei decimal.Decimal `json:"max_fee_cap_gwei"`
}

// APIConfig is the read-only HTTP API.
type APIConfig struct {
	Listen string `json:"listen"` // host:port; loopback by default, empty disables the API
}

// EpochConfig places epochs in time (rewards-v1 §8).
type EpochConfig struct {
	Start  time.Time `json:"start"`  // RFC 3339
	Length Duration  `json:"length"` // e.g. "360h" (15 days)
}

// StandingConfig is rewards-v1 §7's window W and threshold T.
type StandingConfig struct {
	Window    uint64 `json:"window"`
	Threshold uint64 `json:"threshold"`
}

// RewardsConfig fixes the reward parameters of every epoch input.
type RewardsConfig struct {
	RewardPerBlock    decimal.Decimal    `json:"reward_per_block_cmt"` // CMT, exact to the wei
	ValidatorShareBps uint64             `json:"validator_share_bps"`
	Eligibility       calc.Eligibility   `json:"eligibility"`
	ForfeitPolicy     calc.ForfeitPolicy `json:"forfeit_policy"`
}

// FollowerConfig tunes chain following.
type FollowerConfig struct {
	BatchSize     int      `json:"batch_size"`      // blocks per JSON-RPC batch
	Concurrency   int      `json:"concurrency"`     // batches fetched at once
	PollInterval  Duration `json:"poll_interval"`   // how often to look for new blocks when caught up
	RPCTimeout    Duration `json:"rpc_timeout"`     // per request
	MaxReorgDepth uint64   `json:"max_reorg_depth"` // deeper reorgs stop the follower for a human
}

// Duration is a time.Duration written as a Go duration string ("15s").
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a duration string such as \"15s\" or \"360h\", got %s", b)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("expected a duration string such as \"15s\" or \"360h\", got %q", s)
	}
	*d = Duration(v)
	return nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Default returns the defaults of rewards-v1 and sensible follower settings.
// RPCURL, ChainID, Contract and Epoch.Start have no default.
func Default() Config {
	return Config{
		LedgerPath:    "rewardd.db",
		Confirmations: 12,
		CliqueEpoch:   30000,
		Epoch:         EpochConfig{Length: Duration(15 * 24 * time.Hour)},
		Standing:      StandingConfig{Window: 14400, Threshold: 50},
		Rewards: RewardsConfig{
			RewardPerBlock: decimal.NewFromInt(5), ValidatorShareBps: 2000,
			Eligibility: calc.EntireEpoch, ForfeitPolicy: calc.Retain,
		},
		Follower: FollowerConfig{
			BatchSize: 500, Concurrency: 4, PollInterval: Duration(3 * time.Second),
			RPCTimeout: Duration(15 * time.Second), MaxReorgDepth: 10000,
		},
		Settle: SettleConfig{Schedule: "@every 2m", PublishDir: "published"},
		Submit: SubmitConfig{Confirmations: 12, ResendAfter: Duration(time.Minute), BumpPercent: 15, MaxFeeCapGwei: decimal.NewFromInt(500)},
		API:    APIConfig{Listen: "127.0.0.1:8480"},
	}
}

// Load reads a JSON configuration file over Default and checks it.
func Load(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("read configuration: %w", err)
	}
	defer f.Close()
	c, err := Decode(f)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Decode reads a JSON configuration over Default and checks it. Unknown
// fields are errors, so a misspelt setting never silently keeps its default.
func Decode(r io.Reader) (Config, error) {
	c := Default()
	data, err := io.ReadAll(r)
	if err != nil {
		return c, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return c, fmt.Errorf("%w: %s: expected %s, got a JSON %s", ErrInvalid, te.Field, te.Type, te.Value)
		}
		if path, ferr := locate(data, reflect.TypeOf(c), ""); path != "" {
			return c, fmt.Errorf("%w: %s: %v", ErrInvalid, path, ferr)
		}
		return c, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := c.Check(); err != nil {
		return c, err
	}
	return c, nil
}

// locate finds the field whose value fails to decode, since errors from a
// field's own UnmarshalJSON or UnmarshalText (a bad address, a bad
// duration) do not say which field they came from.
func locate(data []byte, t reflect.Type, prefix string) (string, error) {
	var obj map[string]json.RawMessage
	if t.Kind() != reflect.Struct || json.Unmarshal(data, &obj) != nil {
		return "", nil
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		raw, ok := obj[name]
		if !ok {
			continue
		}
		if f.Type.Kind() == reflect.Struct && f.Type != reflect.TypeOf(time.Time{}) {
			if path, err := locate(raw, f.Type, prefix+name+"."); path != "" {
				return path, err
			}
		}
		if err := json.Unmarshal(raw, reflect.New(f.Type).Interface()); err != nil {
			return prefix + name, err
		}
	}
	return "", nil
}

// Check returns every invalid field, joined; nil if the configuration is
// usable.
func (c *Config) Check() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s: %s", ErrInvalid, field, fmt.Sprintf(format, args...)))
	}
	if c.RPCURL == "" {
		bad("rpc_url", "missing; expected the node's JSON-RPC URL, e.g. http://127.0.0.1:8545")
	} else if u, err := url.Parse(c.RPCURL); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		bad("rpc_url", "%q is not an http(s) or ws(s) URL", c.RPCURL)
	}
	if c.ChainID == 0 {
		bad("chain_id", "missing; expected the chain ID (18 for CyberMiles)")
	}
	if c.Contract == (common.Address{}) {
		bad("contract", "missing; expected the validator contract's address")
	}
	if c.LedgerPath == "" {
		bad("ledger_path", "empty; expected a file path")
	}
	if c.CliqueEpoch == 0 {
		bad("clique_epoch", "must be positive (30000 on most Clique chains)")
	}
	if c.Epoch.Start.IsZero() {
		bad("epoch.start", "missing; expected an RFC 3339 time such as 2023-09-27T00:00:00Z")
	} else if c.Epoch.Start.Unix() < 0 {
		bad("epoch.start", "before 1970")
	}
	if c.Epoch.Length.D() < time.Second || c.Epoch.Length.D()%time.Second != 0 {
		bad("epoch.length", "%s: expected a whole number of seconds, at least 1s", c.Epoch.Length.D())
	}
	if c.Standing.Window == 0 {
		bad("standing.window", "must be positive (blocks)")
	}
	if c.Standing.Threshold == 0 {
		bad("standing.threshold", "must be positive (misses)")
	}
	if _, err := c.Rewards.RewardWei(); err != nil {
		bad("rewards.reward_per_block_cmt", "%v", err)
	}
	if c.Rewards.ValidatorShareBps > 10000 {
		bad("rewards.validator_share_bps", "%d exceeds 10000", c.Rewards.ValidatorShareBps)
	}
	switch c.Rewards.Eligibility {
	case calc.EntireEpoch, calc.WhileActive:
	default:
		bad("rewards.eligibility", "unknown policy %q, expected %q or %q", c.Rewards.Eligibility, calc.EntireEpoch, calc.WhileActive)
	}
	switch c.Rewards.ForfeitPolicy {
	case calc.Retain, calc.Redistribute:
	default:
		bad("rewards.forfeit_policy", "unknown policy %q, expected %q or %q", c.Rewards.ForfeitPolicy, calc.Retain, calc.Redistribute)
	}
	if c.Follower.BatchSize < 1 || c.Follower.BatchSize > 10000 {
		bad("follower.batch_size", "%d: expected 1 to 10000", c.Follower.BatchSize)
	}
	if c.Follower.Concurrency < 1 || c.Follower.Concurrency > 64 {
		bad("follower.concurrency", "%d: expected 1 to 64", c.Follower.Concurrency)
	}
	if c.Follower.PollInterval.D() <= 0 {
		bad("follower.poll_interval", "must be positive")
	}
	if c.Follower.RPCTimeout.D() <= 0 {
		bad("follower.rpc_timeout", "must be positive")
	}
	if c.Follower.MaxReorgDepth == 0 {
		bad("follower.max_reorg_depth", "must be positive")
	}
	if _, err := cron.ParseStandard(c.Settle.Schedule); err != nil {
		bad("settle.schedule", "%q: %v", c.Settle.Schedule, err)
	}
	if c.Settle.PublishDir == "" {
		bad("settle.publish_dir", "empty; expected a directory for published epoch files")
	}
	if c.Submit.Confirmations == 0 {
		bad("submit.confirmations", "must be positive")
	}
	if c.Submit.ResendAfter.D() <= 0 {
		bad("submit.resend_after", "must be positive")
	}
	if c.Submit.BumpPercent < 10 {
		bad("submit.bump_percent", "%d: nodes reject replacements below +10%%", c.Submit.BumpPercent)
	}
	if !c.Submit.MaxFeeCapGwei.IsPositive() {
		bad("submit.max_fee_cap_gwei", "must be positive")
	}
	if c.API.Listen != "" {
		if _, _, err := net.SplitHostPort(c.API.Listen); err != nil {
			bad("api.listen", "%q: expected host:port", c.API.Listen)
		}
	}
	for s, v := range c.Signers {
		if s == (common.Address{}) || v == (common.Address{}) {
			bad("signers", "zero address in mapping %s → %s", s.Hex(), v.Hex())
		}
	}
	return errors.Join(errs...)
}

// RewardWei converts the configured CMT per block to wei, rejecting
// negative values and fractions of a wei.
func (r RewardsConfig) RewardWei() (*uint256.Int, error) {
	wei := r.RewardPerBlock.Shift(18)
	if wei.IsNegative() {
		return nil, fmt.Errorf("%s is negative", r.RewardPerBlock)
	}
	if !wei.IsInteger() {
		return nil, fmt.Errorf("%s CMT is not a whole number of wei", r.RewardPerBlock)
	}
	v, overflow := uint256.FromBig(wei.BigInt())
	if overflow {
		return nil, fmt.Errorf("%s CMT exceeds 256 bits of wei", r.RewardPerBlock)
	}
	return v, nil
}

// Schedule returns the epoch schedule in the epoch package's terms.
func (c *Config) Schedule() epoch.Schedule {
	return epoch.Schedule{Start: uint64(c.Epoch.Start.Unix()), Length: uint64(c.Epoch.Length.D() / time.Second)}
}

// Validator maps a Clique signer to its validator contract address.
func (c *Config) Validator(signer common.Address) common.Address {
	if v, ok := c.Signers[signer]; ok {
		return v
	}
	return signer
}

// MaxFeeCapWei is the submit fee cap in wei.
func (c SubmitConfig) MaxFeeCapWei() *big.Int {
	return c.MaxFeeCapGwei.Shift(9).BigInt()
}

// CheckDaemon reports the settings rewardd needs beyond what rewardctl
// needs: the validator's key and password files.
func (c *Config) CheckDaemon() error {
	var errs []error
	if c.Submit.KeystoreFile == "" {
		errs = append(errs, fmt.Errorf("%w: submit.keystore_file: missing; expected the validator's keystore JSON file", ErrInvalid))
	}
	if c.Submit.PasswordFile == "" {
		errs = append(errs, fmt.Errorf("%w: submit.password_file: missing; expected a file holding the keystore password", ErrInvalid))
	}
	return errors.Join(errs...)
}
