package api

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// Holders is what the holders' endpoints (/v1/validators,
// /v1/accounts/{address}, /v1/ballots) read besides the settler's
// records: the ledger the follower keeps, the settlement's parameters and
// the contract.
type Holders struct {
	Ledger *ledger.Ledger
	// Params are the settler's; the endpoints apply ForLedger themselves,
	// so that a forecast uses exactly the rules settlement will.
	Params export.Params
	// Contract reads what only the contract knows. Nil leaves those fields
	// out, and contract_error says so.
	Contract ContractReader
}

// holders is the holders' endpoints' state. Everything derived from the
// ledger alone is cached per ledger head (number and hash): a new block or
// a reorg makes a new entry.
type holders struct {
	Holders
	mu     sync.Mutex
	views  map[viewKey]*ValidatorsView
	state  *cachedState               // the staking state at the last head asked for
	breaks map[uint64]cachedBreakdown // per epoch, checked against the result's hash
}

type viewKey struct {
	head  ledger.Head
	epoch uint64
}

// maxCachedViews bounds the per-head cache: the current epoch and a few
// past epochs asked for explicitly.
const maxCachedViews = 8

// registerHolders adds the holders' endpoints when o.Holders is set.
func (s *Server) registerHolders(o Options) {
	if o.Holders == nil {
		return
	}
	h := *o.Holders
	h.Params = h.Params.ForLedger()
	s.holders = &holders{Holders: h, views: map[viewKey]*ValidatorsView{}, breaks: map[uint64]cachedBreakdown{}}
	s.mux.HandleFunc("GET /v1/validators", s.validators)
	s.mux.HandleFunc("GET /v1/accounts/{address}", s.account)
	s.mux.HandleFunc("GET /v1/ballots", s.ballots)
}

func (h *holders) source() export.Source { return export.LedgerSource{L: h.Ledger} }

// head is the ledger's head; errNoHead when the ledger is empty.
func (h *holders) head() (ledger.Head, error) {
	hd, ok, err := h.Ledger.Head()
	if err != nil {
		return ledger.Head{}, fmt.Errorf("ledger head: %w", err)
	}
	if !ok {
		return ledger.Head{}, errNoHead
	}
	return hd, nil
}

var errNoHead = errors.New("the ledger holds no block yet")

// headOrError returns the ledger's head, or answers 503 while the ledger
// is empty (the follower has not synced) and 500 when it cannot be read.
func (h *holders) headOrError(w http.ResponseWriter) (ledger.Head, bool) {
	hd, err := h.head()
	switch {
	case errors.Is(err, errNoHead):
		writeError(w, http.StatusServiceUnavailable, "%v", err)
	case err != nil:
		writeError(w, http.StatusInternalServerError, "%v", err)
	default:
		return hd, true
	}
	return ledger.Head{}, false
}

// addressParam parses the path parameter name as an address, answering
// 400 naming the parameter when it is not one.
func addressParam(w http.ResponseWriter, r *http.Request, name string) (common.Address, bool) {
	a := r.PathValue(name)
	if !common.IsHexAddress(a) {
		writeError(w, http.StatusBadRequest, "%s %q: expected a 0x-prefixed 20-byte hex address", name, a)
		return common.Address{}, false
	}
	return common.HexToAddress(a), true
}

// uintQuery parses the optional query parameter name; ok is false after
// answering 400 naming it.
func uintQuery(w http.ResponseWriter, r *http.Request, name string) (v uint64, set, ok bool) {
	q := r.URL.Query()
	if !q.Has(name) {
		return 0, false, true
	}
	v, err := strconv.ParseUint(q.Get(name), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "%s %q: expected a non-negative whole number", name, q.Get(name))
		return 0, false, false
	}
	return v, true, true
}

// Amount is an amount of wei as a decimal string, with the same amount in
// CMT (exactly 18 decimals, units.FormatCMT) for people.
type Amount struct {
	Wei string `json:"wei"`
	CMT string `json:"cmt"`
}

func amountOf(v *uint256.Int) Amount { return Amount{Wei: v.Dec(), CMT: units.FormatCMT(v)} }

func amountOfBig(v *big.Int) Amount {
	u, overflow := uint256.FromBig(v)
	if overflow || v.Sign() < 0 {
		return Amount{Wei: v.String(), CMT: ""} // the contract never holds such an amount
	}
	return amountOf(u)
}

func cmtOfBig(v *big.Int) string { return amountOfBig(v).CMT }

// contractErr records the first contract error of a response: the
// response still carries everything the ledger tells.
type contractErr struct{ msg string }

func (c *contractErr) note(err error) {
	if err != nil && c.msg == "" {
		c.msg = err.Error()
	}
}

func (h *holders) noContract() string {
	if h.Contract == nil {
		return "no contract reader configured: fields only the contract knows are left out"
	}
	return ""
}

// stakeTotal is the stake at one validator.
type stakeTotal struct {
	stake      uint256.Int // wei, all delegators together
	delegators int
}

type stakeMap map[common.Address]*stakeTotal

// of returns a's total, zero for an address without stake.
func (t stakeMap) of(a common.Address) stakeTotal {
	if x := t[a]; x != nil {
		return *x
	}
	return stakeTotal{}
}

// stakeTotals sums stakes (sorted by validator, as export returns them)
// per validator; order lists the validators in that order.
func stakeTotals(stakes []calc.Stake) (tot stakeMap, order []common.Address) {
	tot = stakeMap{}
	for _, st := range stakes {
		t := tot[st.Validator]
		if t == nil {
			t = &stakeTotal{}
			tot[st.Validator] = t
			order = append(order, st.Validator)
		}
		t.stake.Add(&t.stake, &st.Amount)
		t.delegators++
	}
	return tot, order
}

// cachedState is the staking state after one ledger head.
type cachedState struct {
	head   ledger.Head
	active []common.Address
	stakes []calc.Stake
}

// stateAt is export.StateAt after head, cached for the last head: it
// replays every contract event since the start block. The slices are
// shared and must not be modified.
func (h *holders) stateAt(ctx context.Context, head ledger.Head) ([]common.Address, []calc.Stake, error) {
	h.mu.Lock()
	c := h.state
	h.mu.Unlock()
	if c != nil && c.head == head {
		return c.active, c.stakes, nil
	}
	active, stakes, err := export.StateAt(ctx, h.source(), h.Params, head.Number)
	if err != nil {
		return nil, nil, err
	}
	h.mu.Lock()
	h.state = &cachedState{head: head, active: active, stakes: stakes}
	h.mu.Unlock()
	return active, stakes, nil
}
