// Package audit recomputes an epoch of CMT rewards from chain data alone
// and compares it with what the validator contract accepted and with a
// published result (rewards-v1; rewardctl audit is its command line).
//
// The chain data are the headers and contract logs of any full node (no
// ledger, no clique_getSigners), read and checked as rewardd's follower
// reads them; the cumulative amounts before the epoch come from epoch
// N−1's published result or tree dump, accepted only when its root is the
// one the contract accepted for N−1, or from recomputing every epoch from
// the configuration's settle.first_epoch.
//
// Headers are read Follower.Concurrency batches at once and streamed into
// the standing computation, which keeps only misses and signer-set
// changes, so memory does not grow with the epoch's blocks. What the
// audit needs of each header is kept in a header cache (Cache), so that
// auditing again, or epoch N after the epochs before it, reads each
// header from the node once; a cached header is used only once the node
// has confirmed that it is still on its chain.
package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/internal/chaincheck"
	"github.com/cmt-rewards/cmt-rewards/published"
)

// ErrRequest is wrapped by Request.Validate (and so by Run) for a request
// that cannot be audited as asked: the caller's mistake, not the chain's.
var ErrRequest = errors.New("bad audit request")

// Request is what to audit.
type Request struct {
	// Config holds the chain (rpc_url, chain_id), the contract, the epoch
	// schedule and the standing and rewards parameters; it must have been
	// checked (config.Load or config.Decode).
	Config *config.Config
	// Epoch is the epoch N to audit, at or after Config.Settle.FirstEpoch.
	Epoch uint64
	// Account, if set, is also reported: its award by validator and role,
	// cumulative amount, and whether its proof verifies on chain.
	Account *common.Address
	// Result, if set, is epoch N's published result (a file or an http(s)
	// URL) to compare byte for byte and field by field.
	Result string
	// Previous is epoch N−1's published result or tree dump (file or URL)
	// for the cumulative amounts before N; empty means epoch N−1's result
	// beside Result. A dump given here that does not exist is the empty
	// tree when epoch N−1's root on chain is all zeros.
	Previous string
	// Full recomputes every epoch from Config.Settle.FirstEpoch instead of
	// reading epoch N−1's file; it excludes Previous.
	Full bool
	// CacheDir is the directory of the header cache (see Cache), which
	// Run creates if needed: "" is DefaultCacheDir. NoCache reads every
	// header from the node instead and touches no cache.
	CacheDir string
	NoCache  bool
	// Progress, if set, is told what the audit is doing (for a status
	// line); it may be called often and should be cheap.
	Progress func(format string, args ...any)
}

// Validate reports, wrapping ErrRequest, a request that cannot be audited:
// no configuration, an epoch before settle.first_epoch, Previous with
// Full, or an epoch after the first without a way to its cumulative
// amounts before (Previous, Result or Full).
func (r *Request) Validate() error {
	switch {
	case r.Config == nil:
		return fmt.Errorf("%w: no configuration", ErrRequest)
	case r.Full && r.Previous != "":
		return fmt.Errorf("%w: --previous and --full exclude each other", ErrRequest)
	case r.Epoch < r.Config.Settle.FirstEpoch:
		return fmt.Errorf("%w: --epoch %d is before the configuration's settle.first_epoch %d", ErrRequest, r.Epoch, r.Config.Settle.FirstEpoch)
	case r.Epoch > r.Config.Settle.FirstEpoch && !r.Full && r.Previous == "" && r.Result == "":
		return fmt.Errorf("%w: epoch %d needs the cumulative amounts of epoch %d: give --previous, --result (epoch %d's file is then read beside it) or --full",
			ErrRequest, r.Epoch, r.Epoch-1, r.Epoch-1)
	}
	return nil
}

// Run audits the epoch. It reads the node and the contract at the head and
// the files named; it writes nothing.
//
// The report's Status is the verdict: Match, Mismatch (the differences
// listed) or Undecided (what could not be compared listed). An error means
// the audit could not compare at all and is undecided too: a bad request
// (ErrRequest), an unreachable node or one of another chain, no contract,
// an epoch not final or not accepted yet, an unreadable or untrusted file
// for the cumulative amounts before. Cancelling ctx stops Run with an
// error wrapping ctx.Err().
func Run(ctx context.Context, req Request) (*Report, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	a := &auditor{Request: req}
	if a.Progress == nil {
		a.Progress = func(string, ...any) {}
	}
	return a.run(ctx)
}

type auditor struct {
	Request
	params   export.Params
	src      export.Source // the node, headers and logs only
	contract *Contract
}

func (a *auditor) run(ctx context.Context) (*Report, error) {
	cfg := a.Config
	p, err := export.ParamsFrom(cfg)
	if err != nil {
		return nil, err
	}
	a.params = p
	a.Progress("connecting to %s", cfg.RPCURL)
	// The node must serve the configured chain and have code at the
	// contract, checked as rewardd checks them at start.
	client, err := chaincheck.Dial(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	a.contract = NewContract(ethclient.NewClient(client), cfg.Contract, cfg.RPCURL, cfg.Follower.RPCTimeout.D())
	src, closeSrc, err := a.source(ctx, client)
	if err != nil {
		return nil, err
	}
	defer closeSrc()
	a.src = src
	next, err := a.contract.NextEpoch(ctx)
	if err != nil {
		return nil, err
	}

	// Epoch N's chain data first: an epoch that is not final fails fast,
	// before any earlier epoch is read or recomputed.
	ep, err := a.export(ctx, a.Epoch)
	if err != nil {
		return nil, err
	}
	if next <= a.Epoch {
		return nil, fmt.Errorf("epoch %d is final but not accepted on chain yet (the contract's next epoch is %d): nothing to compare with", a.Epoch, next)
	}
	onChain, err := a.contract.EpochRoot(ctx, a.Epoch)
	if err != nil {
		return nil, err
	}

	rep := &Report{
		Epoch: a.Epoch, FirstBlock: ep.Bounds.First, LastBlock: ep.Bounds.Last, Empty: ep.Bounds.Empty,
		Chain:       OnChain{NextEpoch: next, Root: onChain.Root, Total: onChain.Total.Dec(), ResultHash: onChain.ResultHash},
		Checks:      []Check{},
		Differences: []string{},
		Undecided:   []string{},
		Validators:  []Validator{},
	}
	if !ep.Bounds.Empty {
		rep.Blocks = ep.Bounds.Last - ep.Bounds.First + 1
	}

	// Cumulative amounts before epoch N.
	var previous []calc.Balance
	switch {
	case a.Epoch == cfg.Settle.FirstEpoch:
		rep.Previous = &Previous{From: FromNone}
	case a.Full:
		if previous, err = a.recomputeBefore(ctx, rep); err != nil {
			return nil, err
		}
	default:
		if previous, err = a.loadPrevious(ctx, rep); err != nil {
			return nil, err
		}
	}

	// Epoch N itself.
	a.Progress("epoch %d: computing", a.Epoch)
	res, lines, err := a.compute(ep, previous)
	if err != nil {
		return nil, err
	}
	var canon bytes.Buffer
	if err := res.WriteJSON(&canon); err != nil {
		return nil, err
	}
	total := sumCumulative(res)
	rep.Recomputed = Recomputed{
		Root: res.MerkleRoot, Total: total.Dec(), ResultHash: crypto.Keccak256Hash(canon.Bytes()),
		Minted: res.Minted.Dec(), Distributed: res.Distributed.Dec(), Forfeited: res.Forfeited.Dec(),
		Unallocated: res.Unallocated.Dec(), RoundingDust: res.RoundingDust.Dec(), Accounts: len(res.Payouts),
	}
	rep.check(fmt.Sprintf("recomputed merkle root equals epochRoot(%d).root", a.Epoch), res.MerkleRoot == onChain.Root,
		fmt.Sprintf("recomputed merkle root %s, on chain %s", res.MerkleRoot.Hex(), onChain.Root.Hex()))
	rep.check(fmt.Sprintf("recomputed total equals epochRoot(%d).total", a.Epoch), total.Eq(onChain.Total),
		fmt.Sprintf("recomputed total %s wei, on chain %s wei", total.Dec(), onChain.Total.Dec()))
	rep.check(fmt.Sprintf("keccak256 of the recomputed result equals epochRoot(%d).resultHash", a.Epoch), rep.Recomputed.ResultHash == onChain.ResultHash,
		fmt.Sprintf("recomputed result hashes to %s, on chain %s", rep.Recomputed.ResultHash.Hex(), onChain.ResultHash.Hex()))

	rep.Validators = validatorReport(ep, res)

	if a.Result != "" {
		a.comparePublished(ctx, rep, res, canon.Bytes(), onChain)
	}
	if a.Account != nil {
		rep.Account = accountReport(*a.Account, res, lines, previous, onChain.Root)
		if rep.Account.ProofVerifies != nil {
			rep.check(fmt.Sprintf("proof of %s verifies against epochRoot(%d).root", a.Account.Hex(), a.Epoch), *rep.Account.ProofVerifies,
				fmt.Sprintf("the proof of %s (cumulative %s wei) from the recomputed tree does not verify against the on-chain root %s",
					a.Account.Hex(), rep.Account.CumulativeWei, onChain.Root.Hex()))
		}
	}
	switch {
	case len(rep.Differences) > 0:
		rep.Status = Mismatch
	case len(rep.Undecided) > 0:
		rep.Status = Undecided
	default:
		rep.Status = Match
	}
	return rep, nil
}

// export exports epoch k from the node; an empty epoch gives its bounds
// and a nil Input.
func (a *auditor) export(ctx context.Context, k uint64) (*export.Epoch, error) {
	a.Progress("epoch %d: locating", k)
	ep, err := export.Export(ctx, progressSource{Source: a.src, progress: a.Progress, label: fmt.Sprintf("epoch %d", k)}, a.params, k, nil)
	switch {
	case err == nil:
		return ep, nil
	case errors.Is(err, export.ErrEmpty):
		ep.Input = nil
		return ep, nil
	case errors.Is(err, export.ErrNotFinal):
		return nil, fmt.Errorf("%w: it ends when a block at or after %s exists with %d confirmations",
			err, time.Unix(int64(a.params.Schedule.Start+(k+1)*a.params.Schedule.Length), 0).UTC().Format(time.RFC3339), a.params.Confirmations)
	case ctx.Err() != nil:
		return nil, fmt.Errorf("epoch %d: %w", k, ctx.Err())
	default:
		return nil, fmt.Errorf("read epoch %d from %s: %w", k, a.Config.RPCURL, err)
	}
}

// compute computes an exported epoch on top of previous; an empty epoch
// carries the tree over.
func (a *auditor) compute(ep *export.Epoch, previous []calc.Balance) (*calc.Result, []calc.Line, error) {
	if ep.Input == nil {
		res, err := calc.CarryOver(ep.Bounds.Epoch, ep.Bounds.First, previous)
		if err != nil {
			return nil, nil, fmt.Errorf("epoch %d: carry the tree over: %w", ep.Bounds.Epoch, err)
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
	if a.Account != nil && ep.Bounds.Epoch == a.Epoch {
		res, lines, err = calc.ComputeBreakdown(&in)
	} else {
		res, err = calc.Compute(&in)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("compute epoch %d from the chain data: %w", ep.Bounds.Epoch, err)
	}
	return res, lines, nil
}

// recomputeBefore recomputes every epoch from settle.first_epoch to N−1,
// chaining the cumulative amounts, and checks each root against the chain.
func (a *auditor) recomputeBefore(ctx context.Context, rep *Report) ([]calc.Balance, error) {
	first := a.Config.Settle.FirstEpoch
	prev := &Previous{From: FromFull, Epochs: a.Epoch - first}
	rep.Previous = prev
	var balances []calc.Balance
	allMatch := true
	for k := first; k < a.Epoch; k++ {
		a.Progress("recomputing epoch %d (%d of %d)", k, k-first+1, a.Epoch-first)
		ep, err := a.export(ctx, k)
		if err != nil {
			return nil, err
		}
		res, _, err := a.compute(ep, balances)
		if err != nil {
			return nil, err
		}
		onChain, err := a.contract.EpochRoot(ctx, k)
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
		name := fmt.Sprintf("recomputed roots of epochs %d–%d equal the chain's", first, a.Epoch-1)
		if first == a.Epoch-1 {
			name = fmt.Sprintf("recomputed merkle root of epoch %d equals epochRoot(%d).root", first, first)
		}
		rep.check(name, true, "")
	}
	prev.Accounts = len(balances)
	return balances, nil
}

// loadPrevious reads epoch N−1's published result or tree and accepts it
// only if its root is the one the contract accepted for N−1.
func (a *auditor) loadPrevious(ctx context.Context, rep *Report) ([]calc.Balance, error) {
	k := a.Epoch - 1
	loc := a.Previous
	if loc == "" {
		loc = published.SiblingResult(a.Result, k)
	}
	a.Progress("reading epoch %d's published file %s", k, loc)
	c, err := published.LoadCumulatives(ctx, loc)
	if errors.Is(err, published.ErrNotPublished) && a.Previous != "" {
		c, err = a.missingDump(ctx, k, err)
	}
	if err != nil {
		hint := ""
		if a.Previous == "" {
			hint = " (derived from --result; give --previous or --full)"
		}
		return nil, fmt.Errorf("cumulative amounts before epoch %d: %w%s", a.Epoch, err, hint)
	}
	if c.Epoch != nil && *c.Epoch != k {
		return nil, fmt.Errorf("%s is the result of epoch %d, not of epoch %d", loc, *c.Epoch, k)
	}
	onChain, err := a.contract.EpochRoot(ctx, k)
	if err != nil {
		return nil, err
	}
	if c.Root != onChain.Root {
		return nil, fmt.Errorf("%s (%s of epoch %d) has merkle root %s, but the contract accepted %s for epoch %d: "+
			"its cumulative amounts cannot be trusted, so epoch %d cannot be checked; use the right file or --full",
			loc, c.Kind, k, c.Root.Hex(), onChain.Root.Hex(), k, a.Epoch)
	}
	rep.Previous = &Previous{From: FromFile, Location: loc, Kind: c.Kind, Root: &c.Root, ChainRoot: &onChain.Root, Accounts: len(c.Balances)}
	rep.check(fmt.Sprintf("epoch %d's %s root equals epochRoot(%d).root", k, c.Kind, k), true, "")
	return c.Balances, nil
}

// missingDump stands in for epoch k's tree dump given with --previous but
// not found (notFound): an empty tree has no dump (rewards-v1 §6, 1.1), so
// when the contract's root for k is all zeros the cumulative amounts are
// those of the empty tree. Otherwise notFound stands.
func (a *auditor) missingDump(ctx context.Context, k uint64, notFound error) (*published.Cumulatives, error) {
	onChain, err := a.contract.EpochRoot(ctx, k)
	if err != nil {
		return nil, err
	}
	t, err := merkle.MissingDump(onChain.Root)
	if err != nil {
		return nil, notFound
	}
	return &published.Cumulatives{Root: t.Root(), Kind: KindEmptyTree, Balances: []calc.Balance{}}, nil
}

// comparePublished compares a published result with the recomputation
// and with the chain's result hash.
func (a *auditor) comparePublished(ctx context.Context, rep *Report, res *calc.Result, canon []byte, onChain *Root) {
	a.Progress("reading published result %s", a.Result)
	raw, err := published.Fetch(ctx, a.Result)
	if err != nil {
		rep.Undecided = append(rep.Undecided, fmt.Sprintf("published result: %v", err))
		return
	}
	pub := &Published{Location: a.Result, Keccak256: crypto.Keccak256Hash(raw)}
	rep.Published = pub
	pub.MatchesChainHash = pub.Keccak256 == onChain.ResultHash
	rep.check(fmt.Sprintf("keccak256 of the published result equals epochRoot(%d).resultHash", a.Epoch), pub.MatchesChainHash,
		fmt.Sprintf("published result %s hashes to %s, the contract accepted resultHash %s", a.Result, pub.Keccak256.Hex(), onChain.ResultHash.Hex()))
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

// sumCumulative is the total a root is voted with: the sum of every
// account's cumulative amount.
func sumCumulative(res *calc.Result) *uint256.Int {
	total := new(uint256.Int)
	for i := range res.Payouts {
		total.Add(total, &res.Payouts[i].Cumulative)
	}
	return total
}
