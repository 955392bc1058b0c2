package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/big"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
	"github.com/shopspring/decimal"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
)

// ErrInvalid is wrapped by every configuration error.
var ErrInvalid = errors.New("invalid configuration")

// Config is the whole configuration. The zero value is not valid; start
// from Default. Every scalar field can also be set by an environment
// variable and a flag (see Settings); the help tags are their help texts,
// and required marks the fields that have no default.
type Config struct {
	RPCURL        string         `json:"rpc_url" required:"true" help:"JSON-RPC URL of a CyberMiles (Clique) node"`
	ChainID       uint64         `json:"chain_id" required:"true" help:"expected chain ID (18 for CyberMiles); the node's is checked at start"`
	Contract      common.Address `json:"contract" required:"true" help:"the validator contract's address"`
	StartBlock    uint64         `json:"start_block" help:"first block the ledger holds: the contract's deployment block or earlier"`
	LedgerPath    string         `json:"ledger_path" help:"the bbolt ledger file"`
	Confirmations uint64         `json:"confirmations" help:"a block is ingested once head - number >= confirmations"`
	CliqueEpoch   uint64         `json:"clique_epoch" help:"the chain's Clique checkpoint interval, blocks"`

	Epoch    EpochConfig    `json:"epoch"`
	Standing StandingConfig `json:"standing"`
	Rewards  RewardsConfig  `json:"rewards"`
	Follower FollowerConfig `json:"follower"`
	// Signers maps a Clique signer to its validator's contract address;
	// a signer not in the map is its own validator. File only: it is not
	// a scalar, so no variable or flag sets it.
	Signers Signers `json:"signers"`

	Settle SettleConfig `json:"settle"`
	Submit SubmitConfig `json:"submit"`
	API    APIConfig    `json:"api"`
}

// Signers maps Clique signers to validator contract addresses (rewards-v1
// §7). It must be one-to-one: two signers of one validator would charge
// one's misses to the other.
type Signers map[common.Address]common.Address

// SettleConfig schedules settlement and says where results go.
type SettleConfig struct {
	Schedule        string `json:"schedule" help:"robfig/cron spec (\"@every 2m\", \"*/5 * * * *\") that triggers a settlement pass"`
	PublishDir      string `json:"publish_dir" help:"directory for the published epoch files"`
	FirstEpoch      uint64 `json:"first_epoch" help:"first epoch this deployment settles: the contract's nextEpoch or earlier"`
	MaxFailedPasses uint64 `json:"max_failed_passes" help:"settlement passes that may fail in a row before /healthz fails"`
}

// SubmitConfig is the validator's root-vote transaction path.
type SubmitConfig struct {
	KeystoreFile  string          `json:"keystore_file" required:"true" help:"the validator's go-ethereum keystore JSON file, mode 0600"`
	PasswordFile  string          `json:"password_file" required:"true" help:"file whose first line is the keystore password, mode 0600"`
	Confirmations uint64          `json:"confirmations" help:"receipt depth before a vote counts, at most 128"`
	ResendAfter   Duration        `json:"resend_after" help:"an unmined vote is broadcast again after this long, replaced after twice this"`
	BumpPercent   uint64          `json:"bump_percent" help:"fee rise per replacement, at least 10"`
	MaxFeeCapGwei decimal.Decimal `json:"max_fee_cap_gwei" help:"highest fee cap ever bid, gwei"`
	MaxTipCapGwei decimal.Decimal `json:"max_tip_cap_gwei" help:"highest priority fee ever bid, gwei; at most max_fee_cap_gwei"`
	PollInterval  Duration        `json:"poll_interval" help:"how often receipts and the contract are read while a vote is in flight"`
	RPCTimeout    Duration        `json:"rpc_timeout" help:"bound of every RPC call of the vote path"`
}

// APIConfig is the read-only HTTP API and what its health checks demand.
type APIConfig struct {
	Listen       string   `json:"listen" help:"host:port of the API; loopback by default, empty disables it"`
	MaxLagBlocks uint64   `json:"max_lag_blocks" help:"/healthz fails when the ledger is more blocks than this behind the node's head; above confirmations"`
	StaleAfter   Duration `json:"stale_after" help:"/healthz fails when the follower has not synced for this long"`
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed to
	// read the API from another origin, for a holders' page served
	// elsewhere; "*" allows any origin (not recommended: any web page can
	// then read the daemon's API through a visitor's browser). Empty, the
	// default, sends no CORS headers. A list: set in the file only.
	CORSOrigins []string `json:"cors_origins"`
}

// EpochConfig places epochs in time (rewards-v1 §8).
type EpochConfig struct {
	Start  time.Time `json:"start" required:"true" help:"RFC 3339 time at which epoch 0 begins"`
	Length Duration  `json:"length" help:"epoch length, a whole number of seconds (360h: 15 days)"`
}

// StandingConfig is rewards-v1 §7's window W and threshold T.
type StandingConfig struct {
	Window    uint64 `json:"window" help:"W: blocks over which misses count"`
	Threshold uint64 `json:"threshold" help:"T: misses within the window that end good standing"`
}

// RewardsConfig fixes the reward parameters of every epoch input.
type RewardsConfig struct {
	RewardPerBlock    decimal.Decimal    `json:"reward_per_block_cmt" help:"CMT minted per block, exact to the wei"`
	ValidatorShareBps uint64             `json:"validator_share_bps" help:"validators' share of the awards, basis points"`
	Eligibility       calc.Eligibility   `json:"eligibility" help:"entire-epoch or while-active"`
	ForfeitPolicy     calc.ForfeitPolicy `json:"forfeit_policy" help:"retain or redistribute"`
}

// FollowerConfig tunes chain following.
type FollowerConfig struct {
	BatchSize     int      `json:"batch_size" help:"blocks per JSON-RPC batch"`
	Concurrency   int      `json:"concurrency" help:"batches fetched at once"`
	PollInterval  Duration `json:"poll_interval" help:"how often to look for new blocks when caught up"`
	RPCTimeout    Duration `json:"rpc_timeout" help:"bound of every request"`
	MaxReorgDepth uint64   `json:"max_reorg_depth" help:"deeper reorgs stop the follower for a human"`
	Attempts      int      `json:"attempts" help:"tries of one batch before a sync fails"`
	RetryDelay    Duration `json:"retry_delay" help:"first backoff between tries, doubled each time"`
	LogSpan       uint64   `json:"log_span" help:"blocks per eth_getLogs call when reading events straight from a node"`
}

// Duration is a time.Duration written as a Go duration string ("15s").
type Duration time.Duration

// MarshalText writes the duration as a Go duration string.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText reads a Go duration string.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("expected a duration such as \"15s\" or \"360h\", got %q", b)
	}
	*d = Duration(v)
	return nil
}

// UnmarshalJSON reads a JSON string holding a Go duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expected a duration string such as \"15s\" or \"360h\", got %s", b)
	}
	if err := d.UnmarshalText([]byte(s)); err != nil {
		return fmt.Errorf("expected a duration string such as \"15s\" or \"360h\", got %q", s)
	}
	return nil
}

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

// Default returns the defaults of rewards-v1 and sensible operating
// settings: every field has its value here, and no package downstream
// fills in one of its own. RPCURL, ChainID, Contract, Epoch.Start and the
// submit key files have no default.
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
			Attempts: 5, RetryDelay: Duration(200 * time.Millisecond), LogSpan: 10_000,
		},
		Settle: SettleConfig{Schedule: "@every 2m", PublishDir: "published", MaxFailedPasses: 5},
		Submit: SubmitConfig{
			Confirmations: 12, ResendAfter: Duration(time.Minute), BumpPercent: 15,
			MaxFeeCapGwei: decimal.NewFromInt(500), MaxTipCapGwei: decimal.NewFromInt(50),
			PollInterval: Duration(3 * time.Second), RPCTimeout: Duration(15 * time.Second),
		},
		API: APIConfig{Listen: "127.0.0.1:8480", MaxLagBlocks: 120, StaleAfter: Duration(5 * time.Minute)},
	}
}

// Load reads a JSON configuration file over Default and checks it.
func Load(path string) (Config, error) {
	return LoadWith(path, nil, nil)
}

// Decode reads a JSON configuration over Default and checks it.
func Decode(r io.Reader) (Config, error) {
	c := Default()
	if err := c.decode(r); err != nil {
		return c, err
	}
	return c, c.Check()
}

// decode reads a JSON configuration over c without checking it. Unknown
// fields are errors naming the field, so a misspelt setting never silently
// keeps its default.
func (c *Config) decode(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	t := reflect.TypeOf(*c)
	if path, known := unknownField(data, t, ""); path != "" {
		return &FieldError{Field: path, Problem: "unknown field; expected one of " + strings.Join(known, ", ")}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(c); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &FieldError{Field: te.Field, Problem: fmt.Sprintf("expected %s, got a JSON %s", te.Type, te.Value)}
		}
		if path, ferr := locate(data, t, ""); path != "" {
			return &FieldError{Field: path, Problem: ferr.Error()}
		}
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return nil
}

// isLeaf reports whether a field of type t is one setting rather than a
// section of settings.
func isLeaf(t reflect.Type) bool {
	return t.Kind() != reflect.Struct || t == reflect.TypeOf(time.Time{}) || t == reflect.TypeOf(decimal.Decimal{})
}

// jsonName is a struct field's JSON key.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return name
}

// unknownField returns the dotted path of the first key of data (in key
// order) that names no field of the section type t, with the keys t
// knows; "" if there is none or data is not an object.
func unknownField(data []byte, t reflect.Type, prefix string) (string, []string) {
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return "", nil
	}
	fields := map[string]reflect.StructField{}
	var known []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fields[jsonName(f)] = f
		known = append(known, jsonName(f))
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		f, ok := fields[k]
		if !ok {
			return prefix + k, known
		}
		if !isLeaf(f.Type) {
			if path, sub := unknownField(obj[k], f.Type, prefix+k+"."); path != "" {
				return path, sub
			}
		}
	}
	return "", nil
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
		raw, ok := obj[jsonName(f)]
		if !ok {
			continue
		}
		if !isLeaf(f.Type) {
			if path, err := locate(raw, f.Type, prefix+jsonName(f)+"."); path != "" {
				return path, err
			}
		}
		if err := json.Unmarshal(raw, reflect.New(f.Type).Interface()); err != nil {
			return prefix + jsonName(f), err
		}
	}
	return "", nil
}

// RewardWei converts the configured CMT per block to wei, rejecting
// negative values and fractions of a wei.
func (r RewardsConfig) RewardWei() (*uint256.Int, error) {
	return weiOf(r.RewardPerBlock, 18, "CMT")
}

// weiOf converts an amount in a unit of 10^shift wei to wei.
func weiOf(amount decimal.Decimal, shift int32, unit string) (*uint256.Int, error) {
	wei := amount.Shift(shift)
	if wei.IsNegative() {
		return nil, fmt.Errorf("%s is negative", amount)
	}
	if !wei.IsInteger() {
		return nil, fmt.Errorf("%s %s is not a whole number of wei", amount, unit)
	}
	v, overflow := uint256.FromBig(wei.BigInt())
	if overflow {
		return nil, fmt.Errorf("%s %s exceeds 256 bits of wei", amount, unit)
	}
	return v, nil
}

// Schedule returns the epoch schedule in the epoch package's terms.
func (c *Config) Schedule() epoch.Schedule {
	return epoch.Schedule{Start: uint64(c.Epoch.Start.Unix()), Length: uint64(c.Epoch.Length.D() / time.Second)}
}

// StandingRules returns the standing rules in the epoch package's terms.
func (c *Config) StandingRules() epoch.StandingConfig {
	return epoch.StandingConfig{Window: c.Standing.Window, Threshold: c.Standing.Threshold, SignerToValidator: c.Signers}
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

// MaxTipCapWei is the submit priority fee cap in wei.
func (c SubmitConfig) MaxTipCapWei() *big.Int {
	return c.MaxTipCapGwei.Shift(9).BigInt()
}
