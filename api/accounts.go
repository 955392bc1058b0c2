package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// AccountView is /v1/accounts/{address}: an account's payouts epoch by
// epoch, what it has claimed and can claim, and its stakes.
type AccountView struct {
	Account    common.Address `json:"account"`
	LedgerHead uint64         `json:"ledger_head"`
	// Epochs are the computed epochs that paid the account, oldest first.
	Epochs []AccountEpoch `json:"epochs"`
	// Cumulative is the account's cumulative payout at the latest computed
	// epoch, accepted or not.
	Cumulative Amount `json:"cumulative"`
	// AcceptedEpoch is the latest epoch whose root the contract accepted
	// (ours); claims verify against it alone. Absent before the first.
	AcceptedEpoch *uint64 `json:"accepted_epoch,omitempty"`
	// AcceptedCumulative is the account's cumulative payout in that
	// epoch's tree: what claim() pays up to.
	AcceptedCumulative Amount `json:"accepted_cumulative"`
	// Claimed is the contract's claimed(account); Claimable is
	// AcceptedCumulative − Claimed (never negative). Both need the
	// contract.
	Claimed   *Amount `json:"claimed,omitempty"`
	Claimable *Amount `json:"claimable,omitempty"`
	// Stakes are the account's stakes per validator after the ledger's
	// head, from the contract's events, with the contract's locked lots.
	Stakes []AccountStake `json:"stakes"`
	// Withdrawable is the contract's withdrawable(account): unstaked wei
	// that withdraw() pays.
	Withdrawable  *Amount `json:"withdrawable,omitempty"`
	ContractError string  `json:"contract_error,omitempty"`
}

// AccountEpoch is one epoch's payout to the account.
type AccountEpoch struct {
	Epoch uint64 `json:"epoch"`
	State string `json:"state"`
	// Accepted reports that the contract accepted this epoch's root.
	Accepted   bool   `json:"accepted"`
	Amount     Amount `json:"amount"`
	Cumulative Amount `json:"cumulative"`
	// Lines split Amount by validator and role (calc.ComputeBreakdown);
	// validator is the zero address for redistribution.
	Lines []AccountLine `json:"lines"`
}

// AccountLine is one part of an epoch's payout.
type AccountLine struct {
	Validator common.Address `json:"validator"`
	Role      calc.Role      `json:"role"`
	Amount    Amount         `json:"amount"`
}

// AccountStake is a stake at one validator. Unlocked and Locked come from
// the contract, as of the node's head.
type AccountStake struct {
	Validator common.Address `json:"validator"`
	Amount    Amount         `json:"amount"`
	Unlocked  *Amount        `json:"unlocked,omitempty"`
	Locked    []Lot          `json:"locked_lots,omitempty"`
}

// cachedBreakdown is one computed epoch broken down by account, valid
// while the stored result has the same hash.
type cachedBreakdown struct {
	hash       common.Hash
	validators []calc.ValidatorResult
	accounts   map[common.Address]*accountEpoch
}

type accountEpoch struct {
	amount, cumulative uint256.Int
	lines              []calc.Line
}

// breakdown returns epoch k's payouts by account, recomputing the stored
// input with calc.ComputeBreakdown once per stored result. An epoch
// without blocks (no input) pays nobody: its entry has no accounts. It
// returns ledger.ErrNotFound for an epoch not computed.
func (s *Server) breakdown(k uint64) (*cachedBreakdown, error) {
	h, err := s.resultHash(k)
	if err != nil {
		return nil, err
	}
	s.holders.mu.Lock()
	e, ok := s.holders.breaks[k]
	s.holders.mu.Unlock()
	if ok && e.hash == h {
		return &e, nil
	}
	raw, err := s.resultBytes(k, h)
	if err != nil {
		return nil, err
	}
	e = cachedBreakdown{hash: h, accounts: map[common.Address]*accountEpoch{}}
	in, err := s.settler.InputBytes(k)
	switch {
	case errors.Is(err, ledger.ErrNotFound): // empty epoch: carried over
		res, err := calc.DecodeResult(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("stored result of epoch %d: %w", k, err)
		}
		e.validators = res.Validators
	case err != nil:
		return nil, fmt.Errorf("stored input of epoch %d: %w", k, err)
	default:
		input, err := calc.DecodeInput(bytes.NewReader(in))
		if err != nil {
			return nil, fmt.Errorf("stored input of epoch %d: %w", k, err)
		}
		res, lines, err := calc.ComputeBreakdown(input)
		if err != nil {
			return nil, fmt.Errorf("recompute epoch %d: %w", k, err)
		}
		e.validators = res.Validators
		for _, p := range res.Payouts {
			e.accounts[p.Account] = &accountEpoch{amount: p.Amount, cumulative: p.Cumulative}
		}
		for _, l := range lines {
			if a := e.accounts[l.Account]; a != nil {
				a.lines = append(a.lines, l)
			}
		}
	}
	s.holders.mu.Lock()
	s.holders.breaks[k] = e
	s.holders.mu.Unlock()
	return &e, nil
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	a, ok := addressParam(w, r, "address")
	if !ok {
		return
	}
	head, ok := s.holders.headOrError(w)
	if !ok {
		return
	}
	v, err := s.accountView(r.Context(), a, head)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) accountView(ctx context.Context, a common.Address, head ledger.Head) (*AccountView, error) {
	recs, err := s.settler.Records()
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	zero := new(uint256.Int)
	v := &AccountView{Account: a, LedgerHead: head.Number, Epochs: []AccountEpoch{}, Stakes: []AccountStake{},
		Cumulative: amountOf(zero), AcceptedCumulative: amountOf(zero), ContractError: s.holders.noContract()}
	// cum is the account's leaf in the latest tree so far: every tree holds
	// every account ever paid, and an epoch without blocks carries the
	// previous tree over.
	var cum, accepted uint256.Int
	for _, rec := range recs {
		b, err := s.breakdown(rec.Epoch)
		if errors.Is(err, ledger.ErrNotFound) {
			continue // not computed yet
		}
		if err != nil {
			return nil, err
		}
		if ae := b.accounts[a]; ae != nil {
			cum = ae.cumulative
			if !ae.amount.IsZero() {
				e := AccountEpoch{Epoch: rec.Epoch, State: string(rec.State), Accepted: rec.Settled(),
					Amount: amountOf(&ae.amount), Cumulative: amountOf(&ae.cumulative), Lines: []AccountLine{}}
				for _, l := range ae.lines {
					e.Lines = append(e.Lines, AccountLine{Validator: l.Validator, Role: l.Role, Amount: amountOf(&l.Amount)})
				}
				v.Epochs = append(v.Epochs, e)
			}
		}
		if rec.Settled() {
			k := rec.Epoch
			v.AcceptedEpoch, accepted = &k, cum
		}
	}
	v.Cumulative = amountOf(&cum)
	v.AcceptedCumulative = amountOf(&accepted)

	_, stakes, err := s.holders.stateAt(ctx, head)
	if err != nil {
		return nil, err
	}
	var cerr contractErr
	c := s.holders.Contract
	for _, st := range stakes {
		if st.Delegator != a {
			continue
		}
		as := AccountStake{Validator: st.Validator, Amount: amountOf(&st.Amount)}
		if c != nil {
			if u, err := c.UnlockedStakeOf(ctx, a, st.Validator); err == nil {
				amt := amountOfBig(u)
				as.Unlocked = &amt
			} else {
				cerr.note(err)
			}
			lots, err := c.LockedLotsOf(ctx, a, st.Validator)
			cerr.note(err)
			as.Locked = lots
		}
		v.Stakes = append(v.Stakes, as)
	}
	if c != nil {
		if cl, err := c.Claimed(ctx, a); err == nil {
			claimed := amountOfBig(cl)
			v.Claimed = &claimed
			rest := new(big.Int).Sub(accepted.ToBig(), cl)
			if rest.Sign() < 0 {
				rest.SetInt64(0)
			}
			claimable := amountOfBig(rest)
			v.Claimable = &claimable
		} else {
			cerr.note(err)
		}
		if wd, err := c.Withdrawable(ctx, a); err == nil {
			amt := amountOfBig(wd)
			v.Withdrawable = &amt
		} else {
			cerr.note(err)
		}
	}
	if cerr.msg != "" {
		v.ContractError = cerr.msg
	}
	return v, nil
}
