package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/robfig/cron/v3"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
)

// Bounds the vote path depends on. The submitter checks the same for its
// library users; rewardd learns of a bad value here, at start, with the
// field's name.
const (
	// MinBumpPercent is go-ethereum's replacement rule: a transaction with
	// the nonce of a pending one replaces it only if both its tip and fee
	// cap are at least 10% higher.
	MinBumpPercent = 10
	// MaxSubmitConfirmations bounds submit.confirmations: verdicts are read
	// from the contract's state at the confirmed height, and a non-archive
	// geth node keeps the state of the last 128 blocks only.
	MaxSubmitConfirmations = 128
)

// FieldError is one invalid setting. It wraps ErrInvalid.
type FieldError struct {
	Field   string // dotted JSON path, e.g. "follower.batch_size"
	Problem string // what is wrong and what was expected
	// Source names where the value came from when not the file or the
	// default: an environment variable or a flag.
	Source string
}

func (e *FieldError) Error() string {
	if e.Source != "" {
		return fmt.Sprintf("%v: %s (set by %s): %s", ErrInvalid, e.Field, e.Source, e.Problem)
	}
	return fmt.Sprintf("%v: %s: %s", ErrInvalid, e.Field, e.Problem)
}

// Unwrap lets errors.Is find ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// problems collects FieldErrors.
type problems []error

func (p *problems) bad(field, format string, args ...any) {
	*p = append(*p, &FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

// add appends the errors of a component's Check.
func (p *problems) add(err error) {
	if err != nil {
		*p = append(*p, err)
	}
}

func (p problems) err() error { return errors.Join(p...) }

func positive(p *problems, field string, d Duration) {
	if d.D() <= 0 {
		p.bad(field, "%s: must be positive", d.D())
	}
}

// Check returns every invalid field, joined, each a *FieldError naming the
// field; nil if the configuration is usable. It runs every component's
// Check and the checks that span components.
func (c *Config) Check() error {
	var p problems
	if c.RPCURL == "" {
		p.bad("rpc_url", "missing; expected the node's JSON-RPC URL, e.g. http://127.0.0.1:8545")
	} else if u, err := url.Parse(c.RPCURL); err != nil || (u.Scheme != "http" && u.Scheme != "https" && u.Scheme != "ws" && u.Scheme != "wss") || u.Host == "" {
		p.bad("rpc_url", "%q is not an http(s) or ws(s) URL", c.RPCURL)
	}
	if c.ChainID == 0 {
		p.bad("chain_id", "missing; expected the chain ID (18 for CyberMiles)")
	}
	if c.Contract == (common.Address{}) {
		p.bad("contract", "missing; expected the validator contract's address")
	}
	if c.LedgerPath == "" {
		p.bad("ledger_path", "empty; expected a file path")
	}
	if c.CliqueEpoch == 0 {
		p.bad("clique_epoch", "must be positive (30000 on most Clique chains)")
	}
	p.add(c.Epoch.Check())
	p.add(c.Standing.Check())
	p.add(c.Rewards.Check())
	p.add(c.Follower.Check())
	p.add(c.Signers.Check())
	p.add(c.Settle.Check())
	p.add(c.Submit.Check())
	p.add(c.API.Check())
	if c.API.MaxLagBlocks <= c.Confirmations {
		// The follower stays confirmations blocks behind the head by design.
		p.bad("api.max_lag_blocks", "%d: must exceed confirmations (%d), which the follower always lags by", c.API.MaxLagBlocks, c.Confirmations)
	}
	return p.err()
}

// CheckDaemon reports the settings rewardd needs beyond what rewardctl
// needs: the validator's key and password files.
func (c *Config) CheckDaemon() error {
	var p problems
	if c.Submit.KeystoreFile == "" {
		p.bad("submit.keystore_file", "missing; expected the validator's keystore JSON file")
	}
	if c.Submit.PasswordFile == "" {
		p.bad("submit.password_file", "missing; expected a file holding the keystore password")
	}
	return p.err()
}

// Check reports an invalid schedule.
func (c EpochConfig) Check() error {
	var p problems
	if c.Start.IsZero() {
		p.bad("epoch.start", "missing; expected an RFC 3339 time such as 2023-09-27T00:00:00Z")
	} else if c.Start.Unix() < 0 {
		p.bad("epoch.start", "%s is before 1970", c.Start.Format(time.RFC3339))
	}
	if c.Length.D() < time.Second || c.Length.D()%time.Second != 0 {
		p.bad("epoch.length", "%s: expected a whole number of seconds, at least 1s", c.Length.D())
	}
	return p.err()
}

// Check reports a zero window or threshold.
func (c StandingConfig) Check() error {
	var p problems
	if c.Window == 0 {
		p.bad("standing.window", "must be positive (blocks)")
	}
	if c.Threshold == 0 {
		p.bad("standing.threshold", "must be positive (misses)")
	}
	return p.err()
}

// Check reports an amount that is not a whole number of wei, a share
// above 100% and unknown policies.
func (c RewardsConfig) Check() error {
	var p problems
	if _, err := c.RewardWei(); err != nil {
		p.bad("rewards.reward_per_block_cmt", "%v", err)
	}
	if c.ValidatorShareBps > 10000 {
		p.bad("rewards.validator_share_bps", "%d exceeds 10000", c.ValidatorShareBps)
	}
	switch c.Eligibility {
	case calc.EntireEpoch, calc.WhileActive:
	default:
		p.bad("rewards.eligibility", "unknown policy %q, expected %q or %q", c.Eligibility, calc.EntireEpoch, calc.WhileActive)
	}
	switch c.ForfeitPolicy {
	case calc.Retain, calc.Redistribute:
	default:
		p.bad("rewards.forfeit_policy", "unknown policy %q, expected %q or %q", c.ForfeitPolicy, calc.Retain, calc.Redistribute)
	}
	return p.err()
}

// Check reports settings out of their ranges.
func (c FollowerConfig) Check() error {
	var p problems
	if c.BatchSize < 1 || c.BatchSize > 10000 {
		p.bad("follower.batch_size", "%d: expected 1 to 10000", c.BatchSize)
	}
	if c.Concurrency < 1 || c.Concurrency > 64 {
		p.bad("follower.concurrency", "%d: expected 1 to 64", c.Concurrency)
	}
	positive(&p, "follower.poll_interval", c.PollInterval)
	positive(&p, "follower.rpc_timeout", c.RPCTimeout)
	if c.MaxReorgDepth == 0 {
		p.bad("follower.max_reorg_depth", "must be positive")
	}
	if c.Attempts < 1 || c.Attempts > 100 {
		p.bad("follower.attempts", "%d: expected 1 to 100", c.Attempts)
	}
	positive(&p, "follower.retry_delay", c.RetryDelay)
	if c.LogSpan == 0 {
		p.bad("follower.log_span", "must be positive (blocks)")
	}
	return p.err()
}

// Check reports a zero address and a map that is not one-to-one, by
// epoch.StandingConfig's rule (the one the standing computation applies).
func (s Signers) Check() error {
	var p problems
	for _, err := range unjoin((epoch.StandingConfig{Window: 1, Threshold: 1, SignerToValidator: s}).Check()) {
		p.bad("signers", "%v; expected each signer and each validator once, no zero address", err)
	}
	return p.err()
}

// unjoin splits an errors.Join result into its errors.
func unjoin(err error) []error {
	if err == nil {
		return nil
	}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Check reports a bad schedule, no publish directory and a zero failure
// bound.
func (c SettleConfig) Check() error {
	var p problems
	if _, err := cron.ParseStandard(c.Schedule); err != nil {
		p.bad("settle.schedule", "%q: %v", c.Schedule, err)
	}
	if c.PublishDir == "" {
		p.bad("settle.publish_dir", "empty; expected a directory for published epoch files")
	}
	if c.MaxFailedPasses == 0 {
		p.bad("settle.max_failed_passes", "must be positive (passes)")
	}
	return p.err()
}

// Check reports settings the vote path cannot work with. The key files
// are checked by CheckDaemon (rewardctl needs none).
func (c SubmitConfig) Check() error {
	var p problems
	if c.Confirmations == 0 || c.Confirmations > MaxSubmitConfirmations {
		p.bad("submit.confirmations", "%d: expected 1 to %d (a non-archive node keeps the state of the last %d blocks only)",
			c.Confirmations, MaxSubmitConfirmations, MaxSubmitConfirmations)
	}
	positive(&p, "submit.resend_after", c.ResendAfter)
	if c.BumpPercent < MinBumpPercent {
		p.bad("submit.bump_percent", "%d: nodes reject replacements below +%d%%", c.BumpPercent, MinBumpPercent)
	}
	if _, err := weiOf(c.MaxFeeCapGwei, 9, "gwei"); err != nil || !c.MaxFeeCapGwei.IsPositive() {
		p.bad("submit.max_fee_cap_gwei", "%s: must be a positive whole number of wei", c.MaxFeeCapGwei)
	}
	if _, err := weiOf(c.MaxTipCapGwei, 9, "gwei"); err != nil || !c.MaxTipCapGwei.IsPositive() {
		p.bad("submit.max_tip_cap_gwei", "%s: must be a positive whole number of wei", c.MaxTipCapGwei)
	} else if c.MaxTipCapGwei.GreaterThan(c.MaxFeeCapGwei) {
		p.bad("submit.max_tip_cap_gwei", "%s exceeds submit.max_fee_cap_gwei %s", c.MaxTipCapGwei, c.MaxFeeCapGwei)
	}
	positive(&p, "submit.poll_interval", c.PollInterval)
	positive(&p, "submit.rpc_timeout", c.RPCTimeout)
	return p.err()
}

// Check reports a listen address that is not host:port and a zero
// staleness bound. The lag bound is checked against confirmations by
// Config.Check.
func (c APIConfig) Check() error {
	var p problems
	if c.Listen != "" {
		if _, _, err := net.SplitHostPort(c.Listen); err != nil {
			p.bad("api.listen", "%q: expected host:port", c.Listen)
		}
	}
	positive(&p, "api.stale_after", c.StaleAfter)
	for i, o := range c.CORSOrigins {
		if err := checkOrigin(o); err != nil {
			p.bad(fmt.Sprintf("api.cors_origins[%d]", i), "%q: %v", o, err)
		}
	}
	return p.err()
}

// checkOrigin accepts "*" and a browser origin as the Origin header spells
// it: http or https, a host, an optional port, nothing else (no path, no
// trailing slash), since CORS compares origins as exact strings.
func checkOrigin(o string) error {
	if o == "*" {
		return nil
	}
	u, err := url.Parse(o)
	switch {
	case err != nil:
		return errors.New("expected scheme://host[:port]")
	case u.Scheme != "http" && u.Scheme != "https":
		return errors.New("expected an http or https origin, scheme://host[:port]")
	case u.Host == "" || u.Hostname() == "":
		return errors.New("expected scheme://host[:port]: no host")
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" || strings.HasSuffix(o, "?") || strings.HasSuffix(o, "#"):
		return errors.New("expected scheme://host[:port] and nothing after it (no path, not even a trailing slash)")
	case u.Port() != "":
		if n, err := strconv.ParseUint(u.Port(), 10, 16); err != nil || n == 0 {
			return fmt.Errorf("port %q: expected 1-65535", u.Port())
		}
	case strings.HasSuffix(u.Host, ":"):
		return errors.New("expected scheme://host[:port]: empty port")
	}
	if o != strings.ToLower(u.Scheme)+"://"+u.Host {
		return errors.New("expected scheme://host[:port] exactly as a browser sends it, in lower case")
	}
	return nil
}
