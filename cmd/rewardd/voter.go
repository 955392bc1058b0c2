package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
	"github.com/cmt-rewards/cmt-rewards/submitter"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// submitVoter adapts the submitter to settle.Voter and counts attempts for
// the metrics.
type submitVoter struct {
	s       *submitter.Submitter
	timeout time.Duration // one Vote call waits at most this long, then reports Pending

	mu       sync.Mutex
	attempts map[uint64]int
}

// submitterConfig passes every setting of the vote path from submit.*
// explicitly: the submitter's defaults for zero fields are for its
// library users, never rewardd's.
func submitterConfig(cfg *config.Config) submitter.Config {
	return submitter.Config{
		Config: txsend.Config{
			ChainID: cfg.ChainID, Confirmations: cfg.Submit.Confirmations, ResendAfter: cfg.Submit.ResendAfter.D(),
			BumpPercent: cfg.Submit.BumpPercent, MaxFeeCap: cfg.Submit.MaxFeeCapWei(), MaxTipCap: cfg.Submit.MaxTipCapWei(),
			PollInterval: cfg.Submit.PollInterval.D(), RPCTimeout: cfg.Submit.RPCTimeout.D(),
		},
		Contract:     cfg.Contract,
		KeystoreFile: cfg.Submit.KeystoreFile, PasswordFile: cfg.Submit.PasswordFile,
	}
}

// openLedgerAndVoter opens the ledger and the submitter on it. If the
// submitter refuses (bad key, wrong password, wrong chain) and the ledger
// file was created by this call, the file is removed again: a failed start
// leaves nothing behind.
func openLedgerAndVoter(ctx context.Context, cfg *config.Config, b submitter.Backend, log *zap.Logger, onStep func(string, uint64)) (*ledger.Ledger, *submitVoter, error) {
	_, statErr := os.Stat(cfg.LedgerPath)
	created := errors.Is(statErr, os.ErrNotExist)
	l, err := ledger.Open(cfg.LedgerPath, ledger.Identity{ChainID: cfg.ChainID, Contract: cfg.Contract, StartBlock: cfg.StartBlock}, 2*time.Second)
	if err != nil {
		return nil, nil, err
	}
	scfg := submitterConfig(cfg)
	scfg.OnStep = onStep
	s, err := submitter.New(ctx, scfg, b, l, log, nil)
	if err != nil {
		l.Close()
		if created {
			os.Remove(cfg.LedgerPath)
		}
		return nil, nil, fmt.Errorf("submit: %w", err)
	}
	return l, &submitVoter{s: s, timeout: 5 * time.Minute, attempts: map[uint64]int{}}, nil
}

func (v *submitVoter) Address() common.Address { return v.s.Address() }

// Chain implements settle.Voter.
func (v *submitVoter) Chain(ctx context.Context, k uint64) (settle.ChainView, error) {
	view, err := v.s.View(ctx, k)
	if err != nil {
		return settle.ChainView{}, err
	}
	return settle.ChainView{NextEpoch: view.NextEpoch, Accepted: view.Accepted, Ours: view.Ours, Available: view.Available}, nil
}

// Vote implements settle.Voter.
func (v *submitVoter) Vote(ctx context.Context, vote settle.Vote) (settle.Outcome, error) {
	ctx, cancel := context.WithTimeout(ctx, v.timeout)
	defer cancel()
	out, err := v.s.Submit(ctx, vote) // one Vote type: contracts.Vote
	v.mu.Lock()
	if out.Attempts > v.attempts[vote.Epoch] {
		v.attempts[vote.Epoch] = out.Attempts
	}
	v.mu.Unlock()
	if err != nil {
		return settle.Outcome{}, err
	}
	res := settle.Outcome{TxHash: out.TxHash, Accepted: out.Accepted}
	switch out.State {
	case submitter.Pending:
		res.Kind = settle.Pending
	case submitter.Confirmed, submitter.AlreadyVoted:
		res.Kind = settle.Voted
	case submitter.Accepted:
		res.Kind = settle.Accepted
	case submitter.Disputed:
		res.Kind = settle.Disputed
	case submitter.Conflict:
		res.Kind = settle.Conflict
	default:
		return settle.Outcome{}, fmt.Errorf("submitter returned %s", out.State)
	}
	return res, nil
}

// Attempts implements api.Counters: transactions signed for the epochs
// this process voted on (per epoch, over all runs).
func (v *submitVoter) Attempts() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	var n uint64
	for _, a := range v.attempts {
		n += uint64(a)
	}
	return n
}
