package api

import (
	"context"
	"errors"
	"net/http"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// Bounds of /v1/ballots' evidence.
const (
	// RecentEligibility is how many of a validator's last computed epochs
	// a removal ballot shows.
	RecentEligibility = 6
	// RecentRoots is how many epochs before the open one the root votes
	// are shown for.
	RecentRoots = 3
)

// BallotsView is /v1/ballots: the DAO's pending ballots with their
// evidence, and the root votes of the open and recent epochs. The sets
// are the ledger's, after its head; votes are the contract's, at the
// node's head.
type BallotsView struct {
	LedgerHead       uint64 `json:"ledger_head"`
	ActiveValidators int    `json:"active_validators"`
	// VotesNeeded is a strict majority of the active set: what a promotion
	// or removal needs now.
	VotesNeeded   int              `json:"votes_needed"`
	Promotions    []Ballot         `json:"promotions"`
	Removals      []Ballot         `json:"removals"`
	Roots         []RootBallot     `json:"roots"`
	OpenEpoch     *uint64          `json:"open_epoch,omitempty"` // the contract's nextEpoch
	Active        []common.Address `json:"active"`
	ContractError string           `json:"contract_error,omitempty"`
}

// Ballot is the pending promotion of a candidate or removal of an active
// validator.
type Ballot struct {
	Target common.Address `json:"target"`
	// Votes is the contract's pendingVotes(target); Voted the active
	// validators for which hasVotedOn(v, target). Both need the contract.
	Votes       *uint64          `json:"votes,omitempty"`
	Voted       []common.Address `json:"voted"`
	VotesNeeded int              `json:"votes_needed"`
	// Evidence: the target's stake and delegators; for a removal, its
	// eligibility in its last computed epochs, newest first.
	Stake      Amount             `json:"stake"`
	Delegators int                `json:"delegators"`
	Recent     []EpochEligibility `json:"recent_epochs,omitempty"`
}

// EpochEligibility is a validator's eligibility in one computed epoch.
type EpochEligibility struct {
	Epoch    uint64 `json:"epoch"`
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason,omitempty"`
}

// RootBallot is the root votes of one epoch.
type RootBallot struct {
	Epoch uint64 `json:"epoch"`
	Open  bool   `json:"open"`
	// Accepted is the contract's accepted root (absent while open).
	Accepted *RootVote `json:"accepted,omitempty"`
	// Computed is this daemon's result for the epoch, if it computed one.
	Computed *RootVote `json:"computed,omitempty"`
	// Votes are each active validator's counted vote (voteOf); a null
	// vote is none.
	Votes []ValidatorVote `json:"votes"`
}

// ValidatorVote is one validator's root vote in an epoch.
type ValidatorVote struct {
	Validator common.Address `json:"validator"`
	Vote      *RootVote      `json:"vote"`
}

func (s *Server) ballots(w http.ResponseWriter, r *http.Request) {
	head, ok := s.holders.headOrError(w)
	if !ok {
		return
	}
	v, err := s.ballotsView(r.Context(), head)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) ballotsView(ctx context.Context, head ledger.Head) (*BallotsView, error) {
	active, stakes, err := s.holders.stateAt(ctx, head)
	if err != nil {
		return nil, err
	}
	c := s.holders.Contract
	var cerr contractErr
	v := &BallotsView{LedgerHead: head.Number, ActiveValidators: len(active), VotesNeeded: len(active)/2 + 1,
		Promotions: []Ballot{}, Removals: []Ballot{}, Roots: []RootBallot{}, Active: active, ContractError: s.holders.noContract()}
	tot, order := stakeTotals(stakes) // order: validators with stake, ascending
	isActive := map[common.Address]bool{}
	for _, a := range active {
		isActive[a] = true
	}
	ballot := func(target common.Address) Ballot {
		b := Ballot{Target: target, Voted: []common.Address{}, VotesNeeded: v.VotesNeeded}
		t := tot.of(target)
		b.Stake, b.Delegators = amountOf(&t.stake), t.delegators
		if c == nil {
			return b
		}
		if n, err := c.PendingVotes(ctx, target); err == nil {
			b.Votes = &n
		} else {
			cerr.note(err)
		}
		for _, voter := range active {
			ok, err := c.HasVotedOn(ctx, voter, target)
			cerr.note(err)
			if ok {
				b.Voted = append(b.Voted, voter)
			}
		}
		return b
	}

	recent, err := s.recentEligibility()
	if err != nil {
		return nil, err
	}
	for _, a := range active {
		b := ballot(a)
		b.Recent = recent[a]
		v.Removals = append(v.Removals, b)
	}
	// Candidates the ledger knows of: addresses with stake that are not
	// active (the ledger keeps staking and set events, not candidacies);
	// the contract says which of them still are candidates.
	for _, a := range order {
		if isActive[a] {
			continue
		}
		if c != nil {
			ok, err := c.IsCandidate(ctx, a)
			cerr.note(err)
			if err == nil && !ok {
				continue
			}
		}
		v.Promotions = append(v.Promotions, ballot(a))
	}

	if err := s.rootBallots(ctx, v, active, &cerr); err != nil {
		return nil, err
	}
	if cerr.msg != "" {
		v.ContractError = cerr.msg
	}
	return v, nil
}

// recentEligibility returns each validator's eligibility in the last
// RecentEligibility computed epochs that it was part of, newest first.
func (s *Server) recentEligibility() (map[common.Address][]EpochEligibility, error) {
	recs, err := s.settler.Records()
	if err != nil {
		return nil, err
	}
	out := map[common.Address][]EpochEligibility{}
	for i := len(recs) - 1; i >= 0; i-- {
		b, err := s.breakdown(recs[i].Epoch)
		if errors.Is(err, ledger.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, vr := range b.validators {
			if len(out[vr.Validator]) < RecentEligibility {
				out[vr.Validator] = append(out[vr.Validator], EpochEligibility{Epoch: recs[i].Epoch, Eligible: vr.Eligible, Reason: vr.Reason})
			}
		}
	}
	return out, nil
}

// rootBallots fills v.Roots with the open epoch and the RecentRoots before
// it; the votes are the contract's, so without a contract it leaves Roots
// empty.
func (s *Server) rootBallots(ctx context.Context, v *BallotsView, active []common.Address, cerr *contractErr) error {
	c := s.holders.Contract
	if c == nil {
		return nil
	}
	open, err := c.NextEpoch(ctx)
	if err != nil {
		cerr.note(err)
		return nil
	}
	v.OpenEpoch = &open
	for k := open - min(open, RecentRoots); k <= open; k++ {
		rb := RootBallot{Epoch: k, Open: k == open, Votes: []ValidatorVote{}}
		if k < open {
			acc, err := c.EpochRoot(ctx, k)
			cerr.note(err)
			rb.Accepted = acc
		}
		rec, err := s.settler.Record(k)
		if err != nil {
			return err
		}
		if rec != nil && rec.Root != (common.Hash{}) {
			rb.Computed = &RootVote{Root: rec.Root, Total: rec.Total, ResultHash: rec.ResultHash}
		}
		for _, a := range active {
			vote, err := c.VoteOf(ctx, k, a)
			cerr.note(err)
			rb.Votes = append(rb.Votes, ValidatorVote{Validator: a, Vote: vote})
		}
		v.Roots = append(v.Roots, rb)
	}
	return nil
}
