package api

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// MaxStripCells bounds a validator's per-block strip: an epoch of more
// blocks is shown in buckets of StripBucket consecutive blocks per cell.
const MaxStripCells = 1024

// Strip cell states, one character per block (or bucket of blocks). A
// bucket shows the first state of this order that any of its blocks has:
// StripMissed, StripNotSigner, StripNotActive, StripInTurn, StripOutOfTurn,
// StripIdle, so a bucket never hides a miss.
const (
	StripMissed    = 'M' // a miss was charged to the validator (rewards-v1 §7)
	StripNotSigner = 'X' // active, but its signer was not a Clique signer
	StripNotActive = '-' // not in the contract's active set
	StripInTurn    = 'I' // its signer sealed the block in turn
	StripOutOfTurn = 'O' // its signer sealed the block out of turn
	StripIdle      = '.' // active signer, not its block to seal
)

var stripOrder = []byte{StripMissed, StripNotSigner, StripNotActive, StripInTurn, StripOutOfTurn, StripIdle}

// ValidatorsView is /v1/validators: every active validator and candidate
// with this epoch's standing so far and what it would be paid if the
// epoch ended at LastBlock. It is computed by the settlement's own code
// (export.ForecastAt, calc.Compute) over [FirstBlock, LastBlock], so for
// a finished epoch it equals the settled result.
type ValidatorsView struct {
	Epoch      uint64 `json:"epoch"`
	FirstBlock uint64 `json:"first_block"`
	// LastBlock is the last block the view covers: the ledger's head while
	// the epoch is open.
	LastBlock uint64 `json:"last_block"`
	Blocks    uint64 `json:"blocks"`
	// Final reports that the epoch is over in the ledger: LastBlock is its
	// last block.
	Final       bool   `json:"final"`
	LedgerHead  uint64 `json:"ledger_head"`
	Eligibility string `json:"eligibility_policy"`
	Window      uint64 `json:"window"`
	Threshold   uint64 `json:"threshold"`
	// Minted is Blocks × the reward per block; ValidatorPool and
	// DelegatorPool are its validators' and delegators' shares.
	Minted        Amount `json:"minted"`
	ValidatorPool Amount `json:"validator_pool"`
	DelegatorPool Amount `json:"delegator_pool"`
	// StripBucket is how many blocks one strip character stands for (1
	// up to MaxStripCells blocks); the last cell may hold fewer.
	StripBucket uint64        `json:"strip_bucket_blocks"`
	StripLegend string        `json:"strip_legend"`
	SetDrift    *export.Drift `json:"set_drift,omitempty"`
	DriftError  string        `json:"set_drift_error,omitempty"`
	// ContractError says why fields only the contract knows (a candidate's
	// standing as candidate) are missing.
	ContractError string          `json:"contract_error,omitempty"`
	Validators    []ValidatorView `json:"validators"`
}

// ValidatorView is one validator's or candidate's line.
type ValidatorView struct {
	Address common.Address `json:"address"`
	// Status is "active" or "candidate" after LastBlock (a removed
	// validator is a candidate again); "none" for a validator of the
	// epoch that since withdrew its candidacy (the contract says so).
	Status string         `json:"status"`
	Signer common.Address `json:"signer,omitempty"` // the Clique signer that seals for it
	// TotalStake is the sum of its delegators' stakes after LastBlock.
	TotalStake Amount `json:"total_stake"`
	Delegators int    `json:"delegators"`
	// ValidatorReward (V_i) and DelegatorRewards (Σ_j D_ij) are its
	// entitlements if the epoch ended at LastBlock, before any forfeiture,
	// in exact wei as calc computes them: proportional to stake among the
	// active validators block by block, each rounded down (rewards-v1 §3;
	// the dust is the epoch's unallocated remainder).
	ValidatorReward  Amount `json:"validator_reward"`
	DelegatorRewards Amount `json:"delegator_rewards"`
	ActiveBlocks     uint64 `json:"active_blocks"`
	SealedInTurn     uint64 `json:"sealed_in_turn"`
	SealedOutOfTurn  uint64 `json:"sealed_out_of_turn"`
	// Missed lists the blocks of the epoch at which a miss was charged.
	Missed []uint64 `json:"missed_blocks"`
	// Strip has one character per block (or StripBucket blocks) from
	// FirstBlock to LastBlock; see StripLegend.
	Strip       string    `json:"strip"`
	NotGoodRuns []RunView `json:"not_good_runs"`
	// Eligible is the eligibility so far under the configured policy;
	// Reason says why not (calc's reason).
	Eligible bool   `json:"eligible"`
	Reason   string `json:"reason,omitempty"`
	// NotSigning flags an active validator whose signer is not a Clique
	// signer at the ledger's head (SetDrift).
	NotSigning bool `json:"not_signing"`
}

// RunView is a run of blocks in which a validator was not in good
// standing, with its evidence (the misses in its window).
type RunView struct {
	From   uint64   `json:"from_block"`
	To     uint64   `json:"to_block"`
	Reason string   `json:"reason"`
	Missed []uint64 `json:"missed_blocks"`
}

func (s *Server) validators(w http.ResponseWriter, r *http.Request) {
	k, set, ok := uintQuery(w, r, "epoch")
	if !ok {
		return
	}
	head, ok := s.holders.headOrError(w)
	if !ok {
		return
	}
	cur, err := s.holders.currentEpoch(r.Context(), head.Number)
	if err != nil {
		writeError(w, http.StatusNotFound, "%v", err)
		return
	}
	if !set {
		k = cur
	} else if k > cur {
		writeError(w, http.StatusNotFound, "epoch %d: not begun (the ledger's head %d is in epoch %d)", k, head.Number, cur)
		return
	}
	v, err := s.holders.view(r.Context(), head, k)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// currentEpoch is the epoch of block n's timestamp.
func (h *holders) currentEpoch(ctx context.Context, n uint64) (uint64, error) {
	t, err := h.source().TimeAt(ctx, n)
	if err != nil {
		return 0, fmt.Errorf("time of block %d: %w", n, err)
	}
	k, ok := h.Params.Schedule.EpochOf(t)
	if !ok {
		return 0, fmt.Errorf("no epoch has begun at block %d (time %d)", n, t)
	}
	return k, nil
}

// view returns epoch k's view as of head, from the cache when head (number
// and hash) is the same: the forecast replays the epoch's headers, too
// much for every request. The contract's part (candidacies) is as of the
// entry's computation. Concurrent requests for a new head may compute it
// twice; both answers are the same.
func (h *holders) view(ctx context.Context, head ledger.Head, k uint64) (*ValidatorsView, error) {
	key := viewKey{head: head, epoch: k}
	h.mu.Lock()
	v := h.views[key]
	h.mu.Unlock()
	if v != nil {
		return v, nil
	}
	v, err := h.computeView(ctx, head.Number, k)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	if len(h.views) >= maxCachedViews {
		clear(h.views)
	}
	h.views[key] = v
	h.mu.Unlock()
	return v, nil
}

// blockSlot is what the strip needs of one block, kept compact: an epoch
// holds up to a few hundred thousand blocks.
type blockSlot struct {
	sealer, inTurn, charged common.Address // charged: the validator a miss is charged to
	set                     int32          // index of the signer set in force
}

func (h *holders) computeView(ctx context.Context, through, k uint64) (*ValidatorsView, error) {
	p := h.Params
	var slots []blockSlot
	var sets [][]common.Address
	fc, err := export.ForecastAt(ctx, h.source(), p, k, through, func(s epoch.Slot) {
		if n := len(sets); n == 0 || !sameSlice(sets[n-1], s.Signers) {
			sets = append(sets, s.Signers) // never changed in place (epoch.Slot)
		}
		bs := blockSlot{sealer: s.Sealer, inTurn: s.InTurn, set: int32(len(sets) - 1)}
		if m, ok := p.Standing.MissOf(s); ok {
			bs.charged = m.Validator
		}
		slots = append(slots, bs)
	})
	empty := errors.Is(err, export.ErrEmpty)
	if err != nil && !empty {
		return nil, fmt.Errorf("forecast epoch %d: %w", k, err)
	}
	v := &ValidatorsView{
		Epoch: k, FirstBlock: fc.Bounds.First, LastBlock: fc.Bounds.Last, Final: fc.Bounds.Final, LedgerHead: through,
		Eligibility: string(p.Eligibility), Window: p.Standing.Window, Threshold: p.Standing.Threshold,
		StripBucket: 1, StripLegend: "M missed, X not a signer, - not active, I sealed in turn, O sealed out of turn, . not its turn; a bucket shows the first of these its blocks have",
		Validators: []ValidatorView{},
	}
	if empty {
		v.LastBlock, v.Final = v.FirstBlock-1, false
	} else {
		v.Blocks = v.LastBlock - v.FirstBlock + 1
		v.StripBucket = (v.Blocks + MaxStripCells - 1) / MaxStripCells
	}
	var minted, vpool uint256.Int
	minted.Mul(&p.RewardPerBlock, uint256.NewInt(v.Blocks))
	vpool.Mul(&minted, uint256.NewInt(p.ValidatorShareBps))
	vpool.Div(&vpool, uint256.NewInt(10000))
	v.Minted, v.ValidatorPool = amountOf(&minted), amountOf(&vpool)
	dpool := new(uint256.Int).Sub(&minted, &vpool)
	v.DelegatorPool = amountOf(dpool)

	active, stakes := fc.Active, fc.Stakes
	if empty {
		if active, stakes, err = export.StateAt(ctx, h.source(), p, through); err != nil {
			return nil, err
		}
	}
	var results map[common.Address]*calc.ValidatorResult
	var standing map[common.Address]*export.ValidatorStanding
	var ranges map[common.Address][]epoch.Range
	if !empty {
		res, err := calc.Compute(fc.Input)
		if err != nil {
			return nil, fmt.Errorf("compute epoch %d through block %d: %w", k, through, err)
		}
		results = map[common.Address]*calc.ValidatorResult{}
		for i := range res.Validators {
			results[res.Validators[i].Validator] = &res.Validators[i]
		}
		standing = map[common.Address]*export.ValidatorStanding{}
		for i := range fc.Standing {
			standing[fc.Standing[i].Validator] = &fc.Standing[i]
		}
		ranges = export.ActiveRanges(fc.Input)
	}

	drift, derr := export.DriftAt(ctx, h.source(), p, through)
	notSigning := map[common.Address]bool{}
	if derr != nil {
		v.DriftError = derr.Error()
	} else {
		for _, a := range drift.NotSigners {
			notSigning[a] = true
		}
		if !drift.Empty() {
			v.SetDrift = drift
		}
	}

	// Every validator active after LastBlock or during the epoch, and every
	// address with stake: a candidate, or a former validator.
	tot, _ := stakeTotals(stakes)
	isActive := map[common.Address]bool{}
	addrs := slices.Clone(active)
	for _, a := range active {
		isActive[a] = true
	}
	for a := range results {
		if !isActive[a] {
			addrs = append(addrs, a)
		}
	}
	for a := range tot {
		if !isActive[a] && results[a] == nil {
			addrs = append(addrs, a)
		}
	}
	slices.SortFunc(addrs, func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) })
	addrs = slices.Compact(addrs)

	var cerr contractErr
	v.ContractError = h.noContract()
	for _, a := range addrs {
		vv := ValidatorView{Address: a, Status: "active", Missed: []uint64{}, NotGoodRuns: []RunView{}, NotSigning: notSigning[a]}
		if !isActive[a] {
			vv.Status = "candidate"
			if h.Contract != nil {
				c, err := h.Contract.IsCandidate(ctx, a)
				cerr.note(err)
				if err == nil && !c {
					vv.Status = "none" // neither: withdrew its candidacy, or was never one
				}
			}
		}
		if sg, ok := p.Standing.SignerOf(a); ok {
			vv.Signer = sg
		}
		t := tot.of(a)
		vv.TotalStake, vv.Delegators = amountOf(&t.stake), t.delegators
		zero := new(uint256.Int)
		vv.ValidatorReward, vv.DelegatorRewards = amountOf(zero), amountOf(zero)
		if res := results[a]; res != nil {
			vv.ValidatorReward, vv.DelegatorRewards = amountOf(&res.ValidatorReward), amountOf(&res.DelegatorRewards)
			vv.Eligible, vv.Reason = res.Eligible, res.Reason
			vv.ActiveBlocks = res.ActiveBlocks
		}
		if st := standing[a]; st != nil {
			if st.Missed != nil {
				vv.Missed = st.Missed
			}
			for _, run := range st.Runs {
				vv.NotGoodRuns = append(vv.NotGoodRuns, RunView{From: run.From, To: run.To, Reason: run.Reason, Missed: orEmpty(run.Missed)})
			}
		}
		if !empty {
			sg, hasSigner := p.Standing.SignerOf(a)
			vv.Strip, vv.SealedInTurn, vv.SealedOutOfTurn = strip(slots, sets, v.FirstBlock, v.StripBucket, a, sg, hasSigner, ranges[a])
		}
		if vv.Status == "none" && results[a] == nil {
			continue
		}
		v.Validators = append(v.Validators, vv)
	}
	if cerr.msg != "" {
		v.ContractError = cerr.msg
	}
	return v, nil
}

// strip encodes validator a's blocks (see the Strip constants) and counts
// its seals.
func strip(slots []blockSlot, sets [][]common.Address, first, bucket uint64, a, signer common.Address, hasSigner bool, active []epoch.Range) (string, uint64, uint64) {
	var inTurn, outOfTurn uint64
	out := make([]byte, 0, (uint64(len(slots))+bucket-1)/bucket)
	cell := -1 // index in stripOrder of the current cell's state
	ri := 0
	for i, s := range slots {
		b := first + uint64(i)
		for ri < len(active) && active[ri].To < b {
			ri++
		}
		var st byte
		switch {
		case ri >= len(active) || active[ri].From > b:
			st = StripNotActive
		case s.charged == a:
			st = StripMissed
		case !hasSigner || !contains(sets[s.set], signer):
			st = StripNotSigner
		case s.sealer == signer && s.inTurn == signer:
			st = StripInTurn
		case s.sealer == signer:
			st = StripOutOfTurn
		default:
			st = StripIdle
		}
		if hasSigner && s.sealer == signer {
			if s.inTurn == signer {
				inTurn++
			} else {
				outOfTurn++
			}
		}
		if o := bytes.IndexByte(stripOrder, st); cell < 0 || o < cell {
			cell = o
		}
		if uint64(i+1)%bucket == 0 || i == len(slots)-1 {
			out = append(out, stripOrder[cell])
			cell = -1
		}
	}
	return string(out), inTurn, outOfTurn
}

func contains(sorted []common.Address, a common.Address) bool {
	_, ok := slices.BinarySearchFunc(sorted, a, func(x, y common.Address) int { return bytes.Compare(x[:], y[:]) })
	return ok
}

// sameSlice reports whether a and b are the same slice (not merely equal):
// the miss tracker hands out one slice per signer set.
func sameSlice(a, b []common.Address) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

func orEmpty(s []uint64) []uint64 {
	if s == nil {
		return []uint64{}
	}
	return s
}
