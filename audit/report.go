package audit

import (
	"bytes"
	"encoding/json"
	"io"
	"slices"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/export"
)

// Status is an audit's verdict.
type Status string

const (
	// Match: every check passed. The recomputation from chain data equals
	// the contract's epochRoot(N) (root, total, result hash), and the
	// published result, if one was given, equals it byte for byte.
	Match Status = "match"
	// Mismatch: at least one check failed; Report.Differences says what
	// differs. Only a comparison that was made and failed is a mismatch.
	Mismatch Status = "mismatch"
	// Undecided: nothing differed, but something could not be compared
	// (the published result could not be read); Report.Undecided says
	// what. An audit that could not compare at all returns an error
	// instead of a report, which is undecided too.
	Undecided Status = "undecided"
)

// Report is an audit's findings; its JSON form is what rewardctl audit
// --json prints.
type Report struct {
	Epoch       uint64      `json:"epoch"`
	Status      Status      `json:"status"`
	Error       string      `json:"error,omitempty"`
	FirstBlock  uint64      `json:"first_block"`
	LastBlock   uint64      `json:"last_block"`
	Blocks      uint64      `json:"blocks"`
	Empty       bool        `json:"empty"`
	Recomputed  Recomputed  `json:"recomputed"`
	Chain       OnChain     `json:"chain"`
	Previous    *Previous   `json:"previous,omitempty"`
	Published   *Published  `json:"published_result,omitempty"`
	Validators  []Validator `json:"validators"`
	Account     *Account    `json:"account,omitempty"`
	Checks      []Check     `json:"checks"`
	Differences []string    `json:"differences"`
	Undecided   []string    `json:"undecided,omitempty"`
}

// Recomputed is epoch N as recomputed from chain data.
type Recomputed struct {
	Root         common.Hash `json:"merkle_root"`
	Total        string      `json:"total_wei"` // sum of the cumulative amounts, as voted
	ResultHash   common.Hash `json:"result_hash"`
	Minted       string      `json:"minted_wei"`
	Distributed  string      `json:"distributed_wei"`
	Forfeited    string      `json:"forfeited_wei"`
	Unallocated  string      `json:"unallocated_wei"`
	RoundingDust string      `json:"rounding_dust_wei"`
	Accounts     int         `json:"accounts"`
}

// OnChain is what the contract holds: nextEpoch() and epochRoot(N).
type OnChain struct {
	NextEpoch  uint64      `json:"next_epoch"`
	Root       common.Hash `json:"merkle_root"`
	Total      string      `json:"total_wei"`
	ResultHash common.Hash `json:"result_hash"`
}

// Where the cumulative amounts before epoch N came from (Previous.From).
const (
	FromNone = "none" // N is the first epoch
	FromFile = "file" // epoch N−1's published result or tree dump
	FromFull = "full" // every epoch before N recomputed
)

// KindEmptyTree is Previous.Kind when epoch N−1's dump is missing and its
// root on chain is all zeros: an empty tree has no dump (rewards-v1 §6, 1.1).
const KindEmptyTree = "empty tree (no dump)"

// Previous says where the cumulative amounts before epoch N came from.
type Previous struct {
	From      string       `json:"from"` // FromNone, FromFile or FromFull
	Location  string       `json:"location,omitempty"`
	Kind      string       `json:"kind,omitempty"`   // published.KindResult, published.KindTree or KindEmptyTree
	Epochs    uint64       `json:"epochs,omitempty"` // recomputed, for FromFull
	Root      *common.Hash `json:"merkle_root,omitempty"`
	ChainRoot *common.Hash `json:"chain_root,omitempty"`
	Accounts  int          `json:"accounts"`
}

// Published is the published result compared.
type Published struct {
	Location            string      `json:"location"`
	Keccak256           common.Hash `json:"keccak256"`
	MatchesChainHash    bool        `json:"matches_chain_result_hash"`
	EqualsRecomputation bool        `json:"equals_recomputation"`
}

// NotGoodRun is a run of blocks in which a validator was not in good
// standing.
type NotGoodRun struct {
	From uint64 `json:"from_block"`
	To   uint64 `json:"to_block"`
}

// Validator is one validator's standing and award in the epoch.
type Validator struct {
	Validator        string       `json:"validator"` // EIP-55
	ActiveBlocks     uint64       `json:"active_blocks"`
	MissedSlots      int          `json:"missed_slots"`
	MissedBlocks     []uint64     `json:"missed_blocks"`
	GoodStanding     bool         `json:"good_standing"`
	NotGoodRuns      []NotGoodRun `json:"not_good_runs"`
	Eligible         bool         `json:"eligible"`
	Reason           string       `json:"reason"`
	ValidatorReward  string       `json:"validator_reward_wei"`
	DelegatorRewards string       `json:"delegator_rewards_wei"`
}

// Line is one part of an account's award: by validator and role.
type Line struct {
	Validator string `json:"validator"` // "" for none
	Role      string `json:"role"`
	Amount    string `json:"amount_wei"`
}

// Account is the award, cumulative amount and proof of the account asked
// about (Request.Account).
type Account struct {
	Account            string        `json:"account"` // EIP-55
	Award              string        `json:"award_wei"`
	Lines              []Line        `json:"lines"`
	PreviousCumulative string        `json:"previous_cumulative_wei"`
	CumulativeWei      string        `json:"cumulative_wei"`
	HasLeaf            bool          `json:"has_leaf"`
	Proof              []common.Hash `json:"proof,omitempty"`
	ProofVerifies      *bool         `json:"proof_verifies,omitempty"` // against the on-chain root
}

// Check is one comparison made.
type Check struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// check records a check; a failed one with a detail is a difference.
func (r *Report) check(name string, ok bool, detail string) {
	c := Check{Check: name, OK: ok}
	if !ok {
		c.Detail = detail
		if detail != "" {
			r.Differences = append(r.Differences, detail)
		}
	}
	r.Checks = append(r.Checks, c)
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func validatorReport(ep *export.Epoch, res *calc.Result) []Validator {
	byAddr := map[common.Address]*Validator{}
	var order []common.Address
	get := func(a common.Address) *Validator {
		v, ok := byAddr[a]
		if !ok {
			v = &Validator{Validator: a.Hex(), MissedBlocks: []uint64{}, NotGoodRuns: []NotGoodRun{}, GoodStanding: true, ValidatorReward: "0", DelegatorRewards: "0"}
			byAddr[a] = v
			order = append(order, a)
		}
		return v
	}
	for _, s := range ep.Standing {
		v := get(s.Validator)
		v.ActiveBlocks = s.ActiveBlocks
		v.MissedSlots = len(s.Missed)
		v.MissedBlocks = append(v.MissedBlocks, s.Missed...)
		for _, r := range s.Runs {
			v.NotGoodRuns = append(v.NotGoodRuns, NotGoodRun{From: r.From, To: r.To})
		}
		v.GoodStanding = len(s.Runs) == 0
	}
	for _, r := range res.Validators {
		v := get(r.Validator)
		v.Eligible, v.Reason = r.Eligible, r.Reason
		v.ValidatorReward, v.DelegatorRewards = r.ValidatorReward.Dec(), r.DelegatorRewards.Dec()
		if v.ActiveBlocks == 0 {
			v.ActiveBlocks = r.ActiveBlocks
		}
	}
	slices.SortFunc(order, func(x, y common.Address) int { return bytes.Compare(x[:], y[:]) })
	out := make([]Validator, 0, len(order))
	for _, a := range order {
		out = append(out, *byAddr[a])
	}
	return out
}

func accountReport(acc common.Address, res *calc.Result, lines []calc.Line, previous []calc.Balance, root common.Hash) *Account {
	info := &Account{Account: acc.Hex(), Award: "0", PreviousCumulative: "0", CumulativeWei: "0", Lines: []Line{}}
	for _, b := range previous {
		if b.Account == acc {
			info.PreviousCumulative = b.Amount.Dec()
		}
	}
	for _, l := range lines {
		if l.Account != acc {
			continue
		}
		v := ""
		if l.Validator != (common.Address{}) {
			v = l.Validator.Hex()
		}
		info.Lines = append(info.Lines, Line{Validator: v, Role: string(l.Role), Amount: l.Amount.Dec()})
	}
	i, ok := res.Tree.Lookup(acc)
	if !ok {
		return info
	}
	p := &res.Payouts[i]
	info.HasLeaf = true
	info.Award, info.CumulativeWei = p.Amount.Dec(), p.Cumulative.Dec()
	info.Proof = res.Tree.ProofAt(i)
	verifies := merkle.Verify(root, acc, &p.Cumulative, info.Proof)
	info.ProofVerifies = &verifies
	return info
}
