package export

import (
	"context"
	"fmt"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// LedgerSource reads a ledger the follower keeps. The ledger holds only
// confirmed blocks (the follower ingests up to head − confirmations), so
// export it with Params.ForLedger.
type LedgerSource struct{ L *ledger.Ledger }

// Head is the ledger's head; an empty ledger is an ErrHistory.
func (s LedgerSource) Head(ctx context.Context) (uint64, error) {
	h, ok, err := s.L.Head()
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("ledger is empty: %w", ErrHistory)
	}
	return h.Number, nil
}

// TimeAt reads block n's time from the ledger.
func (s LedgerSource) TimeAt(ctx context.Context, n uint64) (uint64, error) {
	b, err := s.L.Block(n)
	if err != nil {
		return 0, fmt.Errorf("%w: %v", ErrHistory, err)
	}
	return b.Time, nil
}

// Blocks reads blocks from the ledger in chunks of 4096.
func (s LedgerSource) Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	chunk := make([]ledger.Block, 0, 4096)
	err := s.L.Blocks(from, to, func(b *ledger.Block) error {
		chunk = append(chunk, *b)
		if len(chunk) == cap(chunk) {
			if err := fn(chunk); err != nil {
				return err
			}
			chunk = chunk[:0]
			return ctx.Err()
		}
		return nil
	})
	if err != nil || len(chunk) == 0 {
		return err
	}
	return fn(chunk)
}

// Events reads events from the ledger.
func (s LedgerSource) Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	var evs []ledger.Event
	if err := s.L.Events(from, to, func(ev *ledger.Event) error { evs = append(evs, *ev); return nil }); err != nil {
		return err
	}
	return fn(evs)
}

// RPCSource reads a node directly, checking every reply as the follower
// does (no ledger, no archive state: headers and logs only). Head is the
// node's head, so export it with the configured confirmations.
type RPCSource struct{ F *follower.Fetcher }

func (s RPCSource) Head(ctx context.Context) (uint64, error) { return s.F.Head(ctx) }

func (s RPCSource) TimeAt(ctx context.Context, n uint64) (uint64, error) { return s.F.TimeAt(ctx, n) }

func (s RPCSource) Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	return s.F.FetchBlocks(ctx, from, to, func(b []ledger.Block, _ []ledger.Event) error { return fn(b) })
}

func (s RPCSource) Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	return s.F.FetchEvents(ctx, from, to, fn)
}

// ParamsFrom takes an export's parameters from the configuration, which
// should have passed config.Check. It repeats the two checks an export
// cannot run without, by config's own rules: the reward in wei and a
// one-to-one signers map.
func ParamsFrom(c *config.Config) (Params, error) {
	wei, err := c.Rewards.RewardWei()
	if err != nil {
		return Params{}, fmt.Errorf("rewards.reward_per_block_cmt: %w", err)
	}
	if err := c.Signers.Check(); err != nil {
		return Params{}, err
	}
	return Params{
		ChainID: c.ChainID, StartBlock: c.StartBlock, Schedule: c.Schedule(),
		Confirmations: c.Confirmations, CliqueEpoch: c.CliqueEpoch,
		Standing:       c.StandingRules(),
		RewardPerBlock: *wei, ValidatorShareBps: c.Rewards.ValidatorShareBps,
		Eligibility: c.Rewards.Eligibility, ForfeitPolicy: c.Rewards.ForfeitPolicy,
	}, nil
}

// FollowerConfig takes the follower's settings from the configuration,
// every one explicitly: the follower's own defaults for zero fields serve
// its library users, never rewardd.
func FollowerConfig(c *config.Config) follower.Config {
	return follower.Config{
		Contract: c.Contract, Confirmations: c.Confirmations, CliqueEpoch: c.CliqueEpoch,
		BatchSize: c.Follower.BatchSize, Concurrency: c.Follower.Concurrency,
		PollInterval: c.Follower.PollInterval.D(), RPCTimeout: c.Follower.RPCTimeout.D(),
		MaxReorgDepth: c.Follower.MaxReorgDepth,
		Attempts:      c.Follower.Attempts, RetryDelay: c.Follower.RetryDelay.D(), LogSpan: c.Follower.LogSpan,
	}
}

// Previous returns the cumulative payouts a result carries, as the
// previous_cumulative of the next epoch; nil for a nil result.
func Previous(r *calc.Result) []calc.Balance {
	if r == nil {
		return nil
	}
	out := make([]calc.Balance, len(r.Payouts))
	for i, p := range r.Payouts {
		out[i] = calc.Balance{Account: p.Account, Amount: p.Cumulative}
	}
	return out
}
