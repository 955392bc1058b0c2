package main

// rewardctl audit: recompute an epoch from chain data alone and compare it
// with what the contract accepted and with a published result.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// maxDiffLines is how many differences the text report lists before
// "and K more".
const maxDiffLines = 20

// maxMissedShown is how many missed-block entries (single blocks or
// ranges) the text report lists per validator.
const maxMissedShown = 12

const auditSynopsis = "--epoch N --config FILE [--rpc URL] [--contract ADDR] [--address ACCOUNT] [--result FILE|URL] [--previous FILE|URL | --full] [--json]"

func runAudit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "audit", auditSynopsis)
	cfgPath := fs.String("config", "", "rewardd configuration file: chain, contract, epoch schedule, standing and rewards parameters")
	k := fs.Int64("epoch", -1, "epoch number to audit")
	rpcURL := fs.String("rpc", "", "JSON-RPC URL of any full node (headers, logs and calls at the head only); overrides the configuration's rpc_url")
	contractFlag := fs.String("contract", "", "validator contract address; overrides the configuration's contract")
	address := fs.String("address", "", "also show this account's award split by validator and role, its cumulative amount and whether its proof verifies")
	resultLoc := fs.String("result", "", "published result (cmt-epoch-payouts-v1) of the epoch to compare, a file or an http(s) URL")
	prevLoc := fs.String("previous", "", "published result or tree dump of epoch N−1, a file or URL, for the cumulative amounts before N (default: beside --result); a missing dump is the empty tree when epoch N−1's on-chain root is all zeros")
	full := fs.Bool("full", false, "recompute every epoch from settle.first_epoch instead of reading epoch N−1's published file")
	asJSON := fs.Bool("json", false, "print the report as one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return fmt.Errorf("%w: --config is required", errUsage)
	}
	if *k < 0 {
		return fmt.Errorf("%w: --epoch is required (a number ≥ 0)", errUsage)
	}
	if *full && *prevLoc != "" {
		return fmt.Errorf("%w: --previous and --full exclude each other", errUsage)
	}
	a := &auditor{epoch: uint64(*k), resultLoc: *resultLoc, prevLoc: *prevLoc, full: *full}
	if *address != "" {
		acc, err := parseAddress("--address", *address)
		if err != nil {
			return err
		}
		a.account = &acc
	}
	if *contractFlag != "" {
		c, err := parseAddress("--contract", *contractFlag)
		if err != nil {
			return err
		}
		a.contractOverride = &c
	}
	// --rpc and --contract go in before the configuration is checked, so
	// a file of public parameters without them is enough.
	overrides := map[string]string{}
	if *rpcURL != "" {
		overrides["rpc_url"] = *rpcURL
	}
	if a.contractOverride != nil {
		overrides["contract"] = a.contractOverride.Hex()
	}
	// Exit 1 is kept for a mismatch: anything that stops the audit from
	// comparing, a bad configuration included, leaves it undecided (2).
	cfg, err := loadConfigWith(*cfgPath, overrides)
	if err != nil {
		return codedError{code: exitUndecide, err: err}
	}
	if a.epoch < cfg.Settle.FirstEpoch {
		return fmt.Errorf("%w: --epoch %d is before the configuration's settle.first_epoch %d", errUsage, a.epoch, cfg.Settle.FirstEpoch)
	}
	if a.epoch > cfg.Settle.FirstEpoch && !a.full && a.prevLoc == "" && a.resultLoc == "" {
		return fmt.Errorf("%w: epoch %d needs the cumulative amounts of epoch %d: give --previous, --result (epoch %d's file is then read beside it) or --full",
			errUsage, a.epoch, a.epoch-1, a.epoch-1)
	}
	a.cfg = &cfg
	a.prog = newProgress(e.stderr)

	rep, err := a.run(ctx)
	a.prog.done()
	if err != nil {
		// Every failure before the comparison leaves the audit undecided
		// (the node, the chain, an auxiliary file); exit 1 is a mismatch.
		if *asJSON {
			b, _ := json.MarshalIndent(struct {
				Epoch  uint64 `json:"epoch"`
				Status string `json:"status"`
				Error  string `json:"error"`
			}{a.epoch, "undecided", err.Error()}, "", "  ")
			e.stdout.Write(append(b, '\n'))
		}
		return codedError{code: exitUndecide, err: err}
	}
	if *asJSON {
		if err := writeAuditJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		var buf bytes.Buffer
		writeAuditText(&buf, rep)
		if _, err := e.stdout.Write(buf.Bytes()); err != nil {
			return err
		}
	}
	switch rep.Status {
	case "mismatch":
		return fmt.Errorf("epoch %d does not match: %d difference(s)", a.epoch, len(rep.Differences))
	case "undecided":
		return codedError{code: exitUndecide, err: fmt.Errorf("epoch %d: could not decide: %s", a.epoch, strings.Join(rep.Undecided, "; "))}
	}
	return nil
}

// loadConfigWith loads a configuration file with some top-level settings
// replaced before it is checked.
func loadConfigWith(path string, overrides map[string]string) (config.Config, error) {
	if len(overrides) == 0 {
		return config.Load(path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return config.Config{}, fmt.Errorf("read configuration: %w", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return config.Config{}, fmt.Errorf("%s: %w: %v", path, config.ErrInvalid, err)
	}
	for k, v := range overrides {
		doc[k], _ = json.Marshal(v)
	}
	raw, _ = json.Marshal(doc)
	c, err := config.Decode(bytes.NewReader(raw))
	if err != nil {
		return config.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// undecided is an error that stops the audit before it can compare; every
// error of auditor.run is one (exit 2).
func undecided(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

type auditor struct {
	cfg              *config.Config
	epoch            uint64
	account          *common.Address
	contractOverride *common.Address
	resultLoc        string
	prevLoc          string
	full             bool
	prog             *progress

	params export.Params
	src    export.Source // the node, headers and logs only
	eth    *ethclient.Client
	vs     *contracts.ValidatorSet
}

// chainRoot is what the contract accepted for an epoch.
type chainRoot struct {
	Root       common.Hash
	Total      *uint256.Int
	ResultHash common.Hash
}

func (a *auditor) run(ctx context.Context) (*auditReport, error) {
	cfg := a.cfg
	p, err := export.ParamsFrom(cfg)
	if err != nil {
		return nil, err
	}
	a.params = p
	a.prog.set("connecting to %s", cfg.RPCURL)
	client, err := rpc.DialContext(ctx, cfg.RPCURL)
	if err != nil {
		return nil, undecided("dial %s: %w", cfg.RPCURL, err)
	}
	defer client.Close()
	a.eth = ethclient.NewClient(client)
	a.vs = contracts.NewValidatorSet()
	a.src = export.RPCSource{F: follower.New(export.FollowerConfig(cfg), client, nil, zap.NewNop())}

	cctx, cancel := context.WithTimeout(ctx, cfg.Follower.RPCTimeout.D())
	id, err := a.eth.ChainID(cctx)
	cancel()
	if err != nil {
		return nil, undecided("%s: read chain ID: %w", cfg.RPCURL, err)
	}
	if !id.IsUint64() || id.Uint64() != cfg.ChainID {
		return nil, undecided("the node at %s serves chain %s, the configuration says chain_id %d", cfg.RPCURL, id, cfg.ChainID)
	}
	next, err := a.nextEpoch(ctx)
	if err != nil {
		return nil, err
	}

	// Epoch N's chain data first: an epoch that is not final fails fast,
	// before any earlier epoch is read or recomputed.
	ep, err := a.export(ctx, a.epoch)
	if err != nil {
		return nil, err
	}
	if next <= a.epoch {
		return nil, undecided("epoch %d is final but not accepted on chain yet (the contract's next epoch is %d): nothing to compare with", a.epoch, next)
	}
	onChain, err := a.epochRoot(ctx, a.epoch)
	if err != nil {
		return nil, err
	}

	rep := &auditReport{
		Epoch: a.epoch, FirstBlock: ep.Bounds.First, LastBlock: ep.Bounds.Last, Empty: ep.Bounds.Empty,
		Chain:       auditChain{NextEpoch: next, Root: onChain.Root, Total: onChain.Total.Dec(), ResultHash: onChain.ResultHash},
		Checks:      []auditCheck{},
		Differences: []string{},
		Undecided:   []string{},
		Validators:  []auditValidator{},
	}
	if !ep.Bounds.Empty {
		rep.Blocks = ep.Bounds.Last - ep.Bounds.First + 1
	}

	// Cumulative amounts before epoch N.
	var previous []calc.Balance
	switch {
	case a.epoch == a.cfg.Settle.FirstEpoch:
		rep.Previous = &auditPrevious{From: "none"}
	case a.full:
		if previous, err = a.recomputeBefore(ctx, rep); err != nil {
			return nil, err
		}
	default:
		if previous, err = a.loadPrevious(ctx, rep); err != nil {
			return nil, err
		}
	}

	// Epoch N itself.
	a.prog.set("epoch %d: computing", a.epoch)
	res, lines, err := a.compute(ep, previous)
	if err != nil {
		return nil, err
	}
	var canon bytes.Buffer
	if err := res.WriteJSON(&canon); err != nil {
		return nil, err
	}
	total := sumCumulative(res)
	rep.Recomputed = auditRecomputed{
		Root: res.MerkleRoot, Total: total.Dec(), ResultHash: crypto.Keccak256Hash(canon.Bytes()),
		Minted: res.Minted.Dec(), Distributed: res.Distributed.Dec(), Forfeited: res.Forfeited.Dec(),
		Unallocated: res.Unallocated.Dec(), RoundingDust: res.RoundingDust.Dec(), Accounts: len(res.Payouts),
	}
	rep.check(fmt.Sprintf("recomputed merkle root equals epochRoot(%d).root", a.epoch), res.MerkleRoot == onChain.Root,
		fmt.Sprintf("recomputed merkle root %s, on chain %s", res.MerkleRoot.Hex(), onChain.Root.Hex()))
	rep.check(fmt.Sprintf("recomputed total equals epochRoot(%d).total", a.epoch), total.Eq(onChain.Total),
		fmt.Sprintf("recomputed total %s wei, on chain %s wei", total.Dec(), onChain.Total.Dec()))
	rep.check(fmt.Sprintf("keccak256 of the recomputed result equals epochRoot(%d).resultHash", a.epoch), rep.Recomputed.ResultHash == onChain.ResultHash,
		fmt.Sprintf("recomputed result hashes to %s, on chain %s", rep.Recomputed.ResultHash.Hex(), onChain.ResultHash.Hex()))

	rep.Validators = validatorReport(ep, res)

	if a.resultLoc != "" {
		a.comparePublished(ctx, rep, res, canon.Bytes(), onChain)
	}
	if a.account != nil {
		rep.Account = accountReport(*a.account, res, lines, previous, onChain.Root)
		if rep.Account.ProofVerifies != nil {
			rep.check(fmt.Sprintf("proof of %s verifies against epochRoot(%d).root", a.account.Hex(), a.epoch), *rep.Account.ProofVerifies,
				fmt.Sprintf("the proof of %s (cumulative %s wei) from the recomputed tree does not verify against the on-chain root %s",
					a.account.Hex(), rep.Account.CumulativeWei, onChain.Root.Hex()))
		}
	}
	switch {
	case len(rep.Differences) > 0:
		rep.Status = "mismatch"
	case len(rep.Undecided) > 0:
		rep.Status = "undecided"
	default:
		rep.Status = "match"
	}
	return rep, nil
}

// export exports epoch k from the node; an empty epoch gives its bounds
// and a nil Input.
func (a *auditor) export(ctx context.Context, k uint64) (*export.Epoch, error) {
	a.prog.set("epoch %d: locating", k)
	ep, err := export.Export(ctx, progressSource{Source: a.src, p: a.prog, label: fmt.Sprintf("epoch %d", k)}, a.params, k, nil)
	switch {
	case err == nil:
		return ep, nil
	case errors.Is(err, export.ErrEmpty):
		ep.Input = nil
		return ep, nil
	case errors.Is(err, export.ErrNotFinal):
		return nil, undecided("%w: it ends when a block at or after %s exists with %d confirmations",
			err, time.Unix(int64(a.params.Schedule.Start+(k+1)*a.params.Schedule.Length), 0).UTC().Format(time.RFC3339), a.params.Confirmations)
	case ctx.Err() != nil:
		return nil, undecided("epoch %d: %w", k, ctx.Err())
	default:
		return nil, undecided("read epoch %d from %s: %w", k, a.cfg.RPCURL, err)
	}
}

// compute computes an exported epoch on top of previous; an empty epoch
// carries the tree over.
func (a *auditor) compute(ep *export.Epoch, previous []calc.Balance) (*calc.Result, []calc.Line, error) {
	if ep.Input == nil {
		res, err := calc.CarryOver(ep.Bounds.Epoch, ep.Bounds.First, previous)
		if err != nil {
			return nil, nil, undecided("epoch %d: carry the tree over: %w", ep.Bounds.Epoch, err)
		}
		return res, nil, nil
	}
	in := *ep.Input
	in.PreviousCumulative = slices.Clone(previous)
	if in.PreviousCumulative == nil {
		in.PreviousCumulative = []calc.Balance{}
	}
	slices.SortFunc(in.PreviousCumulative, func(x, y calc.Balance) int { return bytes.Compare(x.Account[:], y.Account[:]) })
	var (
		res   *calc.Result
		lines []calc.Line
		err   error
	)
	if a.account != nil && ep.Bounds.Epoch == a.epoch {
		res, lines, err = calc.ComputeBreakdown(&in)
	} else {
		res, err = calc.Compute(&in)
	}
	if err != nil {
		return nil, nil, undecided("compute epoch %d from the chain data: %w", ep.Bounds.Epoch, err)
	}
	return res, lines, nil
}

// recomputeBefore recomputes every epoch from settle.first_epoch to N−1,
// chaining the cumulative amounts, and checks each root against the chain.
func (a *auditor) recomputeBefore(ctx context.Context, rep *auditReport) ([]calc.Balance, error) {
	first := a.cfg.Settle.FirstEpoch
	prev := &auditPrevious{From: "full", Epochs: a.epoch - first}
	rep.Previous = prev
	var balances []calc.Balance
	allMatch := true
	for k := first; k < a.epoch; k++ {
		a.prog.set("recomputing epoch %d (%d of %d)", k, k-first+1, a.epoch-first)
		ep, err := a.export(ctx, k)
		if err != nil {
			return nil, err
		}
		res, _, err := a.compute(ep, balances)
		if err != nil {
			return nil, err
		}
		onChain, err := a.epochRoot(ctx, k)
		if err != nil {
			return nil, err
		}
		if res.MerkleRoot != onChain.Root {
			allMatch = false
			rep.check(fmt.Sprintf("recomputed merkle root of epoch %d equals epochRoot(%d).root", k, k), false,
				fmt.Sprintf("epoch %d: recomputed merkle root %s, on chain %s", k, res.MerkleRoot.Hex(), onChain.Root.Hex()))
		}
		balances = export.Previous(res)
		prev.Root, prev.ChainRoot = &res.MerkleRoot, &onChain.Root
	}
	if allMatch {
		name := fmt.Sprintf("recomputed roots of epochs %d–%d equal the chain's", first, a.epoch-1)
		if first == a.epoch-1 {
			name = fmt.Sprintf("recomputed merkle root of epoch %d equals epochRoot(%d).root", first, first)
		}
		rep.check(name, true, "")
	}
	prev.Accounts = len(balances)
	return balances, nil
}

// loadPrevious reads epoch N−1's published result or tree and accepts it
// only if its root is the one the contract accepted for N−1.
func (a *auditor) loadPrevious(ctx context.Context, rep *auditReport) ([]calc.Balance, error) {
	k := a.epoch - 1
	loc := a.prevLoc
	if loc == "" {
		loc = siblingResult(a.resultLoc, k)
	}
	a.prog.set("reading epoch %d's published file %s", k, loc)
	c, err := loadCumulatives(ctx, loc)
	if errors.Is(err, errNotPublished) && a.prevLoc != "" {
		c, err = a.missingDump(ctx, k, err)
	}
	if err != nil {
		hint := ""
		if a.prevLoc == "" {
			hint = " (derived from --result; give --previous or --full)"
		}
		return nil, undecided("cumulative amounts before epoch %d: %w%s", a.epoch, err, hint)
	}
	if c.Epoch != nil && *c.Epoch != k {
		return nil, undecided("%s is the result of epoch %d, not of epoch %d", loc, *c.Epoch, k)
	}
	onChain, err := a.epochRoot(ctx, k)
	if err != nil {
		return nil, err
	}
	if c.Root != onChain.Root {
		return nil, undecided("%s (%s of epoch %d) has merkle root %s, but the contract accepted %s for epoch %d: "+
			"its cumulative amounts cannot be trusted, so epoch %d cannot be checked; use the right file or --full",
			loc, c.Kind, k, c.Root.Hex(), onChain.Root.Hex(), k, a.epoch)
	}
	rep.Previous = &auditPrevious{From: "file", Location: loc, Kind: c.Kind, Root: &c.Root, ChainRoot: &onChain.Root, Accounts: len(c.Balances)}
	rep.check(fmt.Sprintf("epoch %d's %s root equals epochRoot(%d).root", k, c.Kind, k), true, "")
	return c.Balances, nil
}

// missingDump stands in for epoch k's tree dump given with --previous but
// not found (notFound): an empty tree has no dump (rewards-v1 §6, 1.1), so
// when the contract's root for k is all zeros the cumulative amounts are
// those of the empty tree. Otherwise notFound stands.
func (a *auditor) missingDump(ctx context.Context, k uint64, notFound error) (*cumulatives, error) {
	onChain, err := a.epochRoot(ctx, k)
	if err != nil {
		return nil, err
	}
	t, err := merkle.MissingDump(onChain.Root)
	if err != nil {
		return nil, notFound
	}
	return &cumulatives{Root: t.Root(), Kind: kindEmptyTree, Balances: []calc.Balance{}}, nil
}

// kindEmptyTree is the kind of the previous epoch's cumulative amounts
// when its dump is missing and its root is all zeros.
const kindEmptyTree = "empty tree (no dump)"

// comparePublished compares a published result with the recomputation
// and with the chain's result hash.
func (a *auditor) comparePublished(ctx context.Context, rep *auditReport, res *calc.Result, canon []byte, onChain *chainRoot) {
	a.prog.set("reading published result %s", a.resultLoc)
	raw, err := fetch(ctx, a.resultLoc)
	if err != nil {
		rep.Undecided = append(rep.Undecided, fmt.Sprintf("published result: %v", err))
		return
	}
	pub := &auditPublished{Location: a.resultLoc, Keccak256: crypto.Keccak256Hash(raw)}
	rep.Published = pub
	pub.MatchesChainHash = pub.Keccak256 == onChain.ResultHash
	rep.check(fmt.Sprintf("keccak256 of the published result equals epochRoot(%d).resultHash", a.epoch), pub.MatchesChainHash,
		fmt.Sprintf("published result %s hashes to %s, the contract accepted resultHash %s", a.resultLoc, pub.Keccak256.Hex(), onChain.ResultHash.Hex()))
	pub.EqualsRecomputation = bytes.Equal(raw, canon)
	if pub.EqualsRecomputation {
		rep.check("published result equals the recomputation byte for byte", true, "")
		return
	}
	diffs := []string{}
	if _, err := calc.DecodeResult(bytes.NewReader(raw)); err != nil {
		diffs = append(diffs, fmt.Sprintf("published result is not a consistent cmt-epoch-payouts-v1 document: %v", err))
	}
	diffs = append(diffs, diffResult(res, raw)...)
	if len(diffs) == 0 {
		diffs = append(diffs, "published result has the recomputed figures but not the canonical encoding (different bytes)")
	}
	rep.check("published result equals the recomputation", false, "")
	rep.Differences = append(rep.Differences, diffs...)
}

func (a *auditor) call(ctx context.Context, what string, data []byte) ([]byte, error) {
	cctx, cancel := context.WithTimeout(ctx, a.cfg.Follower.RPCTimeout.D())
	defer cancel()
	out, err := a.eth.CallContract(cctx, ethereum.CallMsg{To: &a.cfg.Contract, Data: data}, nil)
	if err != nil {
		return nil, undecided("call %s on %s at %s: %s", what, a.cfg.Contract.Hex(), a.cfg.RPCURL, contracts.DecodeRevert(err))
	}
	if len(out) == 0 {
		return nil, undecided("call %s: no contract at %s on %s", what, a.cfg.Contract.Hex(), a.cfg.RPCURL)
	}
	return out, nil
}

func (a *auditor) nextEpoch(ctx context.Context) (uint64, error) {
	out, err := a.call(ctx, "nextEpoch()", a.vs.PackNextEpoch())
	if err != nil {
		return 0, err
	}
	n, err := a.vs.UnpackNextEpoch(out)
	if err != nil {
		return 0, undecided("decode nextEpoch(): %w", err)
	}
	if !n.IsUint64() {
		return 0, undecided("nextEpoch() returned %s", n)
	}
	return n.Uint64(), nil
}

func (a *auditor) epochRoot(ctx context.Context, k uint64) (*chainRoot, error) {
	what := fmt.Sprintf("epochRoot(%d)", k)
	out, err := a.call(ctx, what, a.vs.PackEpochRoot(new(big.Int).SetUint64(k)))
	if err != nil {
		return nil, err
	}
	r, err := a.vs.UnpackEpochRoot(out)
	if err != nil {
		return nil, undecided("decode %s: %w", what, err)
	}
	total, overflow := uint256.FromBig(r.Total)
	if overflow {
		return nil, undecided("%s: total %s exceeds 256 bits", what, r.Total)
	}
	return &chainRoot{Root: r.Root, Total: total, ResultHash: r.ResultHash}, nil
}

func sumCumulative(res *calc.Result) *uint256.Int {
	total := new(uint256.Int)
	for i := range res.Payouts {
		total.Add(total, &res.Payouts[i].Cumulative)
	}
	return total
}

// ---- the report ----

type auditReport struct {
	Epoch       uint64            `json:"epoch"`
	Status      string            `json:"status"` // match, mismatch or undecided
	Error       string            `json:"error,omitempty"`
	FirstBlock  uint64            `json:"first_block"`
	LastBlock   uint64            `json:"last_block"`
	Blocks      uint64            `json:"blocks"`
	Empty       bool              `json:"empty"`
	Recomputed  auditRecomputed   `json:"recomputed"`
	Chain       auditChain        `json:"chain"`
	Previous    *auditPrevious    `json:"previous,omitempty"`
	Published   *auditPublished   `json:"published_result,omitempty"`
	Validators  []auditValidator  `json:"validators"`
	Account     *auditAccountInfo `json:"account,omitempty"`
	Checks      []auditCheck      `json:"checks"`
	Differences []string          `json:"differences"`
	Undecided   []string          `json:"undecided,omitempty"`
}

type auditRecomputed struct {
	Root         common.Hash `json:"merkle_root"`
	Total        string      `json:"total_wei"`
	ResultHash   common.Hash `json:"result_hash"`
	Minted       string      `json:"minted_wei"`
	Distributed  string      `json:"distributed_wei"`
	Forfeited    string      `json:"forfeited_wei"`
	Unallocated  string      `json:"unallocated_wei"`
	RoundingDust string      `json:"rounding_dust_wei"`
	Accounts     int         `json:"accounts"`
}

type auditChain struct {
	NextEpoch  uint64      `json:"next_epoch"`
	Root       common.Hash `json:"merkle_root"`
	Total      string      `json:"total_wei"`
	ResultHash common.Hash `json:"result_hash"`
}

type auditPrevious struct {
	From      string       `json:"from"` // none, file or full
	Location  string       `json:"location,omitempty"`
	Kind      string       `json:"kind,omitempty"`   // result, tree or kindEmptyTree
	Epochs    uint64       `json:"epochs,omitempty"` // recomputed, for full
	Root      *common.Hash `json:"merkle_root,omitempty"`
	ChainRoot *common.Hash `json:"chain_root,omitempty"`
	Accounts  int          `json:"accounts"`
}

type auditPublished struct {
	Location            string      `json:"location"`
	Keccak256           common.Hash `json:"keccak256"`
	MatchesChainHash    bool        `json:"matches_chain_result_hash"`
	EqualsRecomputation bool        `json:"equals_recomputation"`
}

type auditRun struct {
	From uint64 `json:"from_block"`
	To   uint64 `json:"to_block"`
}

type auditValidator struct {
	Validator        string     `json:"validator"` // EIP-55
	ActiveBlocks     uint64     `json:"active_blocks"`
	MissedSlots      int        `json:"missed_slots"`
	MissedBlocks     []uint64   `json:"missed_blocks"`
	GoodStanding     bool       `json:"good_standing"`
	NotGoodRuns      []auditRun `json:"not_good_runs"`
	Eligible         bool       `json:"eligible"`
	Reason           string     `json:"reason"`
	ValidatorReward  string     `json:"validator_reward_wei"`
	DelegatorRewards string     `json:"delegator_rewards_wei"`
}

type auditLine struct {
	Validator string `json:"validator"`
	Role      string `json:"role"`
	Amount    string `json:"amount_wei"`
}

type auditAccountInfo struct {
	Account            string        `json:"account"` // EIP-55
	Award              string        `json:"award_wei"`
	Lines              []auditLine   `json:"lines"`
	PreviousCumulative string        `json:"previous_cumulative_wei"`
	CumulativeWei      string        `json:"cumulative_wei"`
	HasLeaf            bool          `json:"has_leaf"`
	Proof              []common.Hash `json:"proof,omitempty"`
	ProofVerifies      *bool         `json:"proof_verifies,omitempty"`
}

type auditCheck struct {
	Check  string `json:"check"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail,omitempty"`
}

// check records a check; a failed one with a detail is a difference.
func (r *auditReport) check(name string, ok bool, detail string) {
	c := auditCheck{Check: name, OK: ok}
	if !ok {
		c.Detail = detail
		if detail != "" {
			r.Differences = append(r.Differences, detail)
		}
	}
	r.Checks = append(r.Checks, c)
}

func validatorReport(ep *export.Epoch, res *calc.Result) []auditValidator {
	byAddr := map[common.Address]*auditValidator{}
	var order []common.Address
	get := func(a common.Address) *auditValidator {
		v, ok := byAddr[a]
		if !ok {
			v = &auditValidator{Validator: a.Hex(), MissedBlocks: []uint64{}, NotGoodRuns: []auditRun{}, GoodStanding: true, ValidatorReward: "0", DelegatorRewards: "0"}
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
			v.NotGoodRuns = append(v.NotGoodRuns, auditRun{From: r.From, To: r.To})
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
	out := make([]auditValidator, 0, len(order))
	for _, a := range order {
		out = append(out, *byAddr[a])
	}
	return out
}

func accountReport(acc common.Address, res *calc.Result, lines []calc.Line, previous []calc.Balance, root common.Hash) *auditAccountInfo {
	info := &auditAccountInfo{Account: acc.Hex(), Award: "0", PreviousCumulative: "0", CumulativeWei: "0", Lines: []auditLine{}}
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
		info.Lines = append(info.Lines, auditLine{Validator: v, Role: string(l.Role), Amount: l.Amount.Dec()})
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

// diffResult compares a published result document, read leniently so a
// tampered or broken file still shows what differs, with the recomputed
// result.
func diffResult(res *calc.Result, raw []byte) []string {
	type looseValidator struct {
		Validator        string `json:"validator"`
		Eligible         *bool  `json:"eligible"`
		Reason           string `json:"reason"`
		ValidatorReward  string `json:"validator_reward_wei"`
		DelegatorRewards string `json:"delegator_rewards_wei"`
	}
	type loosePayout struct {
		Account    string `json:"account"`
		Amount     string `json:"amount_wei"`
		Cumulative string `json:"cumulative_wei"`
	}
	var doc struct {
		Format       string           `json:"format"`
		Epoch        json.Number      `json:"epoch"`
		FirstBlock   json.Number      `json:"first_block"`
		LastBlock    json.Number      `json:"last_block"`
		Minted       string           `json:"minted_wei"`
		Distributed  string           `json:"distributed_wei"`
		Forfeited    string           `json:"forfeited_wei"`
		Unallocated  string           `json:"unallocated_wei"`
		RoundingDust string           `json:"rounding_dust_wei"`
		Validators   []looseValidator `json:"validators"`
		Payouts      []loosePayout    `json:"payouts"`
		MerkleRoot   string           `json:"merkle_root"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return []string{fmt.Sprintf("published result cannot be read for comparison: %v", err)}
	}
	var diffs []string
	field := func(name, got, want string) {
		if got != want {
			diffs = append(diffs, fmt.Sprintf("%s: published %s, recomputed %s", name, quoteEmpty(got), want))
		}
	}
	field("format", doc.Format, calc.ResultFormat)
	field("epoch", doc.Epoch.String(), strconv.FormatUint(res.Epoch, 10))
	field("first_block", doc.FirstBlock.String(), strconv.FormatUint(res.FirstBlock, 10))
	field("last_block", doc.LastBlock.String(), strconv.FormatUint(res.LastBlock, 10))
	field("minted_wei", doc.Minted, res.Minted.Dec())
	field("distributed_wei", doc.Distributed, res.Distributed.Dec())
	field("forfeited_wei", doc.Forfeited, res.Forfeited.Dec())
	field("unallocated_wei", doc.Unallocated, res.Unallocated.Dec())
	field("rounding_dust_wei", doc.RoundingDust, res.RoundingDust.Dec())
	if !strings.EqualFold(doc.MerkleRoot, res.MerkleRoot.Hex()) {
		diffs = append(diffs, fmt.Sprintf("merkle_root: published %s, recomputed %s", quoteEmpty(doc.MerkleRoot), res.MerkleRoot.Hex()))
	}

	ours := map[common.Address]*calc.ValidatorResult{}
	for i := range res.Validators {
		ours[res.Validators[i].Validator] = &res.Validators[i]
	}
	seen := map[common.Address]bool{}
	for i, v := range doc.Validators {
		if !common.IsHexAddress(v.Validator) {
			diffs = append(diffs, fmt.Sprintf("validators[%d]: bad address %q", i, v.Validator))
			continue
		}
		addr := common.HexToAddress(v.Validator)
		seen[addr] = true
		o := ours[addr]
		if o == nil {
			diffs = append(diffs, fmt.Sprintf("validator %s: published but not active in the recomputed epoch", addr.Hex()))
			continue
		}
		name := "validator " + addr.Hex()
		if v.Eligible == nil || *v.Eligible != o.Eligible {
			got := "missing"
			if v.Eligible != nil {
				got = strconv.FormatBool(*v.Eligible)
			}
			diffs = append(diffs, fmt.Sprintf("%s eligible: published %s, recomputed %t", name, got, o.Eligible))
		}
		if v.Reason != o.Reason {
			diffs = append(diffs, fmt.Sprintf("%s reason: published %s, recomputed %s", name, quoteEmpty(v.Reason), quoteEmpty(o.Reason)))
		}
		field(name+" validator_reward_wei", v.ValidatorReward, o.ValidatorReward.Dec())
		field(name+" delegator_rewards_wei", v.DelegatorRewards, o.DelegatorRewards.Dec())
	}
	for _, o := range res.Validators {
		if !seen[o.Validator] {
			diffs = append(diffs, fmt.Sprintf("validator %s: missing from the published result (recomputed validator reward %s wei, delegator rewards %s wei)",
				o.Validator.Hex(), o.ValidatorReward.Dec(), o.DelegatorRewards.Dec()))
		}
	}

	pays := map[common.Address]*calc.Payout{}
	for i := range res.Payouts {
		pays[res.Payouts[i].Account] = &res.Payouts[i]
	}
	seen = map[common.Address]bool{}
	for i, p := range doc.Payouts {
		if !common.IsHexAddress(p.Account) {
			diffs = append(diffs, fmt.Sprintf("payouts[%d]: bad address %q", i, p.Account))
			continue
		}
		addr := common.HexToAddress(p.Account)
		seen[addr] = true
		o := pays[addr]
		if o == nil {
			diffs = append(diffs, fmt.Sprintf("account %s: published (amount %s wei, cumulative %s wei) but has no leaf in the recomputation",
				addr.Hex(), p.Amount, p.Cumulative))
			continue
		}
		name := "account " + addr.Hex()
		field(name+" amount_wei", p.Amount, o.Amount.Dec())
		field(name+" cumulative_wei", p.Cumulative, o.Cumulative.Dec())
	}
	for _, o := range res.Payouts {
		if !seen[o.Account] {
			diffs = append(diffs, fmt.Sprintf("account %s: missing from the published result (recomputed amount %s wei, cumulative %s wei)",
				o.Account.Hex(), o.Amount.Dec(), o.Cumulative.Dec()))
		}
	}
	return diffs
}

func quoteEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

func writeAuditJSON(w io.Writer, rep *auditReport) error {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

func weiCMT(dec string) string {
	v, err := uint256.FromDecimal(dec)
	if err != nil {
		return dec + " wei"
	}
	return fmt.Sprintf("%s wei (%s CMT)", dec, cmt(v))
}

func writeAuditText(w io.Writer, r *auditReport) {
	if r.Empty {
		fmt.Fprintf(w, "epoch %d: no blocks (first block would be %d): nothing minted, the tree is carried over\n", r.Epoch, r.FirstBlock)
	} else {
		fmt.Fprintf(w, "epoch %d: blocks %d–%d (%d blocks)\n", r.Epoch, r.FirstBlock, r.LastBlock, r.Blocks)
	}
	rc := r.Recomputed
	fmt.Fprintf(w, "  recomputed from chain data: merkle root %s, total %s, %d accounts\n", rc.Root.Hex(), weiCMT(rc.Total), rc.Accounts)
	fmt.Fprintf(w, "    minted %s wei, distributed %s wei, forfeited %s wei, unallocated %s wei, rounding dust %s wei\n",
		rc.Minted, rc.Distributed, rc.Forfeited, rc.Unallocated, rc.RoundingDust)
	fmt.Fprintf(w, "    result hash %s\n", rc.ResultHash.Hex())
	fmt.Fprintf(w, "  on chain, epochRoot(%d): merkle root %s, total %s wei, result hash %s (next epoch %d)\n",
		r.Epoch, r.Chain.Root.Hex(), r.Chain.Total, r.Chain.ResultHash.Hex(), r.Chain.NextEpoch)
	if p := r.Previous; p != nil {
		switch p.From {
		case "none":
			fmt.Fprintf(w, "  cumulative amounts before: none (first settled epoch)\n")
		case "file":
			fmt.Fprintf(w, "  cumulative amounts before: %s of epoch %d, %s, %d accounts, root %s = epochRoot(%d).root\n",
				p.Kind, r.Epoch-1, p.Location, p.Accounts, p.Root.Hex(), r.Epoch-1)
		case "full":
			fmt.Fprintf(w, "  cumulative amounts before: recomputed %d epoch(s) from chain data, %d accounts, epoch %d root %s\n",
				p.Epochs, p.Accounts, r.Epoch-1, p.Root.Hex())
		}
	}
	if p := r.Published; p != nil {
		fmt.Fprintf(w, "  published result %s: keccak256 %s\n", p.Location, p.Keccak256.Hex())
	}

	fmt.Fprintf(w, "\nvalidators:\n")
	if len(r.Validators) == 0 {
		fmt.Fprintf(w, "  (none active in the epoch)\n")
	}
	for _, v := range r.Validators {
		standing := "in good standing"
		if !v.GoodStanding {
			var runs []string
			for _, run := range v.NotGoodRuns {
				runs = append(runs, blockRange(run.From, run.To))
			}
			standing = "NOT in good standing in blocks " + strings.Join(runs, ", ")
		}
		elig := "eligible"
		if !v.Eligible {
			elig = "INELIGIBLE: " + reasonText(v.Reason)
		}
		fmt.Fprintf(w, "  %s  active %d blocks, missed %d slots, %s; %s\n", v.Validator, v.ActiveBlocks, v.MissedSlots, standing, elig)
		fmt.Fprintf(w, "      validator reward %s wei, delegator rewards %s wei\n", v.ValidatorReward, v.DelegatorRewards)
		if len(v.MissedBlocks) > 0 {
			fmt.Fprintf(w, "      missed blocks: %s\n", compactBlocks(v.MissedBlocks, maxMissedShown))
		}
	}

	if a := r.Account; a != nil {
		fmt.Fprintf(w, "\naccount %s:\n", a.Account)
		fmt.Fprintf(w, "  award for epoch %d: %s\n", r.Epoch, weiCMT(a.Award))
		for _, l := range a.Lines {
			v := l.Validator
			if v == "" {
				v = "(no validator)"
			}
			fmt.Fprintf(w, "    %-14s %s  %s\n", l.Role, v, weiCMT(l.Amount))
		}
		fmt.Fprintf(w, "  cumulative before: %s\n", weiCMT(a.PreviousCumulative))
		fmt.Fprintf(w, "  cumulative after:  %s\n", weiCMT(a.CumulativeWei))
		switch {
		case !a.HasLeaf:
			fmt.Fprintf(w, "  no leaf in epoch %d's tree: nothing to claim\n", r.Epoch)
		case *a.ProofVerifies:
			fmt.Fprintf(w, "  proof verifies against the on-chain root %s (%d hashes)\n", r.Chain.Root.Hex(), len(a.Proof))
		default:
			fmt.Fprintf(w, "  proof does NOT verify against the on-chain root %s\n", r.Chain.Root.Hex())
		}
	}

	fmt.Fprintf(w, "\nchecks:\n")
	for _, c := range r.Checks {
		mark := "ok      "
		if !c.OK {
			mark = "MISMATCH"
		}
		fmt.Fprintf(w, "  %s  %s\n", mark, c.Check)
	}
	for _, u := range r.Undecided {
		fmt.Fprintf(w, "  ?         %s\n", u)
	}
	if len(r.Differences) > 0 {
		fmt.Fprintf(w, "\ndifferences:\n")
		for i, d := range r.Differences {
			if i == maxDiffLines {
				fmt.Fprintf(w, "  and %d more\n", len(r.Differences)-maxDiffLines)
				break
			}
			fmt.Fprintf(w, "  %s\n", d)
		}
	}
	fmt.Fprintln(w)
	switch r.Status {
	case "match":
		fmt.Fprintf(w, "MATCH: epoch %d recomputed from chain data equals what the contract accepted", r.Epoch)
		if r.Published != nil {
			fmt.Fprintf(w, " and the published result")
		}
		fmt.Fprintln(w)
	case "mismatch":
		fmt.Fprintf(w, "MISMATCH: epoch %d: %d difference(s)\n", r.Epoch, len(r.Differences))
	default:
		fmt.Fprintf(w, "UNDECIDED: epoch %d\n", r.Epoch)
	}
}

func reasonText(reason string) string {
	switch reason {
	case calc.ReasonMissedSlots:
		return reason + " (not in good standing during the epoch)"
	case calc.ReasonNotActive:
		return reason + " (not active in every block of the epoch)"
	}
	return reason
}

func blockRange(from, to uint64) string {
	if from == to {
		return strconv.FormatUint(from, 10)
	}
	return fmt.Sprintf("%d–%d", from, to)
}

// compactBlocks renders ascending block numbers as ranges of consecutive
// blocks, at most max entries, then how many blocks are left.
func compactBlocks(blocks []uint64, max int) string {
	var parts []string
	shown := 0
	for i := 0; i < len(blocks); {
		j := i
		for j+1 < len(blocks) && blocks[j+1] == blocks[j]+1 {
			j++
		}
		if len(parts) == max {
			parts = append(parts, fmt.Sprintf("… and %d more", len(blocks)-shown))
			break
		}
		parts = append(parts, blockRange(blocks[i], blocks[j]))
		shown += j - i + 1
		i = j + 1
	}
	return fmt.Sprintf("%s (%d blocks)", strings.Join(parts, ", "), len(blocks))
}

// ---- progress on a terminal ----

// progress shows one status line on standard error while the audit
// fetches, only when standard error is a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, on: isTerminal(w)} }

// isTerminal reports whether w is a character device (a terminal).
// golang.org/x/term is in the module graph but not required by go.mod, so
// the file mode is checked instead.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) set(format string, args ...any) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.shown && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	msg := fmt.Sprintf(format, args...)
	if len(msg) > 100 {
		msg = msg[:100] + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", msg)
}

func (p *progress) done() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}

// progressSource reports fetching progress of a Source.
type progressSource struct {
	export.Source
	p     *progress
	label string
}

func (s progressSource) Blocks(ctx context.Context, from, to uint64, fn func([]ledger.Block) error) error {
	total, done := to-from+1, uint64(0)
	return s.Source.Blocks(ctx, from, to, func(bs []ledger.Block) error {
		done += uint64(len(bs))
		s.p.set("%s: headers %d/%d", s.label, done, total)
		return fn(bs)
	})
}

func (s progressSource) Events(ctx context.Context, from, to uint64, fn func([]ledger.Event) error) error {
	s.p.set("%s: contract logs of blocks %d–%d", s.label, from, to)
	return s.Source.Events(ctx, from, to, func(evs []ledger.Event) error {
		if len(evs) > 0 {
			s.p.set("%s: contract logs up to block %d of %d", s.label, evs[len(evs)-1].Block, to)
		}
		return fn(evs)
	})
}
