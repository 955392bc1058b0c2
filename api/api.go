package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// Counters is what the submitter reports for metrics.
type Counters interface {
	Attempts() uint64 // transactions signed and broadcast, bumps included
}

// Server serves the API. Its handlers are safe for concurrent use.
type Server struct {
	settler  *settle.Settler
	stats    *follower.Stats
	counters Counters
	log      *zap.Logger
	now      func() time.Time
	stale    time.Duration
	maxLag   uint64
	health   func(ctx context.Context) []string
	mux      *http.ServeMux
	reg      *prometheus.Registry

	drift func(ctx context.Context) (*export.Drift, error)

	holders *holders   // nil without Options.Holders (holders.go)
	cors    corsPolicy // cors.go

	mu    sync.Mutex
	trees map[uint64]cachedResult // recently served results with their trees
	order []uint64
}

// Options configure a Server.
type Options struct {
	// Drift, if set, compares the contract's active set with the Clique
	// signer set at the ledger's head for /v1/status.
	Drift func(ctx context.Context) (*export.Drift, error)
	// Stale is how long without a successful sync /healthz tolerates
	// (default 5m; rewardd passes api.stale_after).
	Stale time.Duration
	// MaxLagBlocks, if positive, fails /healthz while the node's head is
	// more than this many blocks ahead of the ledger (api.max_lag_blocks).
	MaxLagBlocks uint64
	// Health, if set, reports the daemon's further problems, each a
	// sentence saying what is wrong (settlement failing pass after pass, a
	// chain that changed under the ledger); /healthz fails while there is
	// one, and /v1/status lists them.
	Health func(ctx context.Context) []string
	Now    func() time.Time
	// Holders, if set, adds the holders' endpoints (holders.go).
	Holders *Holders
	// CORSOrigins are the origins allowed to read the API from a browser
	// (api.cors_origins, cors.go); none sends no CORS headers.
	CORSOrigins []string
}

// New returns a Server over the settler's records and the follower's stats.
// counters may be nil.
func New(s *settle.Settler, stats *follower.Stats, counters Counters, log *zap.Logger, o Options) *Server {
	if o.Stale == 0 {
		o.Stale = 5 * time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if log == nil {
		log = zap.NewNop()
	}
	srv := &Server{settler: s, stats: stats, counters: counters, log: log, now: o.Now, stale: o.Stale, drift: o.Drift,
		maxLag: o.MaxLagBlocks, health: o.Health, mux: http.NewServeMux(), reg: prometheus.NewRegistry(), trees: map[uint64]cachedResult{}}
	srv.registerMetrics()
	srv.mux.HandleFunc("GET /livez", srv.livez)
	srv.mux.HandleFunc("GET /healthz", srv.healthz)
	srv.mux.Handle("GET /metrics", promhttp.HandlerFor(srv.reg, promhttp.HandlerOpts{}))
	srv.mux.HandleFunc("GET /v1/status", srv.status)
	srv.mux.HandleFunc("GET /v1/epochs", srv.epochs)
	srv.mux.HandleFunc("GET /v1/epochs/{n}", srv.epoch)
	srv.mux.HandleFunc("GET /v1/epochs/{n}/result", srv.result)
	srv.mux.HandleFunc("GET /v1/epochs/{n}/input", srv.input)
	srv.mux.HandleFunc("GET /v1/epochs/{n}/proofs/{address}", srv.proof)
	srv.registerHolders(o)
	srv.cors = newCORS(o.CORSOrigins)
	return srv
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cors.handle(w, r) {
		return
	}
	s.mux.ServeHTTP(w, r)
}

func (s *Server) registerMetrics() {
	gauge := func(name, help string, f func() float64) {
		s.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Namespace: "rewardd", Name: name, Help: help}, f))
	}
	counter := func(name, help string, f func() float64) {
		s.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Namespace: "rewardd", Name: name, Help: help}, f))
	}
	gauge("chain_head", "Block number of the node's head at the last look.", func() float64 { return float64(s.stats.ChainHead.Load()) })
	gauge("ledger_height", "Block number of the ledger's head.", func() float64 { return float64(s.stats.LedgerHead.Load()) })
	gauge("lag_blocks", "Chain head minus ledger height.", func() float64 { return float64(s.lag()) })
	counter("rpc_errors_total", "Failed or rejected JSON-RPC calls.", func() float64 { return float64(s.stats.RPCErrors.Load()) })
	counter("reorgs_total", "Chain reorganisations handled.", func() float64 { return float64(s.stats.Reorgs.Load()) })
	counter("blocks_ingested_total", "Blocks written to the ledger.", func() float64 { return float64(s.stats.Blocks.Load()) })
	counter("submission_attempts_total", "Root vote transactions signed and broadcast, fee bumps included.", func() float64 {
		if s.counters == nil {
			return 0
		}
		return float64(s.counters.Attempts())
	})
	s.reg.MustRegister(&epochCollector{s: s, desc: prometheus.NewDesc("rewardd_epochs", "Epochs by settlement state.", []string{"state"}, nil)})
	s.reg.MustRegister(collectors.NewGoCollector())
}

type epochCollector struct {
	s    *Server
	desc *prometheus.Desc
}

func (c *epochCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *epochCollector) Collect(ch chan<- prometheus.Metric) {
	recs, err := c.s.settler.Records()
	if err != nil {
		return
	}
	counts := map[settle.State]int{}
	for _, r := range recs {
		counts[r.State]++
	}
	for _, st := range settle.States {
		ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(counts[st]), string(st))
	}
}

func (s *Server) lag() uint64 {
	h, l := s.stats.ChainHead.Load(), s.stats.LedgerHead.Load()
	if h < l {
		return 0
	}
	return h - l
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, format string, args ...any) {
	writeJSON(w, code, map[string]string{"error": fmt.Sprintf(format, args...)})
}

// Status is /v1/status.
type Status struct {
	ChainHead     uint64         `json:"chain_head"`
	LedgerHeight  uint64         `json:"ledger_height"`
	LagBlocks     uint64         `json:"lag_blocks"`
	LastSync      *time.Time     `json:"last_sync,omitempty"`
	RPCErrors     uint64         `json:"rpc_errors"`
	Reorgs        uint64         `json:"reorgs"`
	Epochs        map[string]int `json:"epochs"`
	LatestEpoch   *settle.Record `json:"latest_epoch,omitempty"`
	SubmitAttempt uint64         `json:"submission_attempts"`
	// SetDrift is where the contract's active set and the Clique signers
	// differ at the ledger's head (absent when they match or are unknown).
	SetDrift *export.Drift `json:"set_drift,omitempty"`
	// DriftError says why SetDrift could not be computed.
	DriftError string `json:"set_drift_error,omitempty"`
	// Healthy is what /healthz answers; Problems say why not, the same
	// sentences /healthz lists.
	Healthy  bool     `json:"healthy"`
	Problems []string `json:"problems,omitempty"`
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	st := Status{
		ChainHead: s.stats.ChainHead.Load(), LedgerHeight: s.stats.LedgerHead.Load(), LagBlocks: s.lag(),
		RPCErrors: s.stats.RPCErrors.Load(), Reorgs: s.stats.Reorgs.Load(), Epochs: map[string]int{},
	}
	if ns := s.stats.LastSuccess.Load(); ns != 0 {
		t := time.Unix(0, ns).UTC()
		st.LastSync = &t
	}
	if s.counters != nil {
		st.SubmitAttempt = s.counters.Attempts()
	}
	recs, err := s.settler.Records()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "ledger: %v", err)
		return
	}
	for _, rec := range recs {
		st.Epochs[string(rec.State)]++
	}
	if len(recs) > 0 {
		st.LatestEpoch = &recs[len(recs)-1]
	}
	st.Problems = s.Problems(r.Context())
	st.Healthy = len(st.Problems) == 0
	if s.drift != nil && st.LedgerHeight > 0 {
		d, err := s.drift(r.Context())
		switch {
		case err != nil:
			st.DriftError = err.Error()
		case !d.Empty():
			st.SetDrift = d
		}
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) epochs(w http.ResponseWriter, r *http.Request) {
	recs, err := s.settler.Records()
	if err != nil {
		writeError(w, http.StatusInternalServerError, "ledger: %v", err)
		return
	}
	if recs == nil {
		recs = []settle.Record{}
	}
	writeJSON(w, http.StatusOK, recs)
}

func epochParam(w http.ResponseWriter, r *http.Request) (uint64, bool) {
	k, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
	if err != nil {
		writeError(w, http.StatusBadRequest, "epoch %q: expected a non-negative whole number", r.PathValue("n"))
		return 0, false
	}
	return k, true
}

// EpochDetail is /v1/epochs/{n}.
type EpochDetail struct {
	settle.Record
	Validators []ValidatorDetail `json:"validators"`
}

// ValidatorDetail is one validator's line of an epoch.
type ValidatorDetail struct {
	Validator        common.Address `json:"validator"`
	Eligible         bool           `json:"eligible"`
	Reason           string         `json:"reason"`
	ValidatorReward  string         `json:"validator_reward_wei"`
	DelegatorRewards string         `json:"delegator_rewards_wei"`
}

func (s *Server) epoch(w http.ResponseWriter, r *http.Request) {
	k, ok := epochParam(w, r)
	if !ok {
		return
	}
	rec, err := s.settler.Record(k)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "ledger: %v", err)
		return
	}
	if rec == nil {
		writeError(w, http.StatusNotFound, "epoch %d has not been computed", k)
		return
	}
	d := EpochDetail{Record: *rec, Validators: []ValidatorDetail{}}
	if res, err := s.resultOf(k); err == nil {
		for _, v := range res.Validators {
			d.Validators = append(d.Validators, ValidatorDetail{Validator: v.Validator, Eligible: v.Eligible, Reason: v.Reason,
				ValidatorReward: v.ValidatorReward.Dec(), DelegatorRewards: v.DelegatorRewards.Dec()})
		}
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) result(w http.ResponseWriter, r *http.Request) {
	k, ok := epochParam(w, r)
	if !ok {
		return
	}
	raw, err := s.settler.ResultBytes(k)
	if errors.Is(err, ledger.ErrNotFound) {
		writeError(w, http.StatusNotFound, "epoch %d has not been computed", k)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "ledger: %v", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

// Proof is /v1/epochs/{n}/proofs/{address}: the arguments of the
// contract's claim(account, cumulative, proof) against epoch n's root.
type Proof struct {
	Epoch      uint64         `json:"epoch"`
	Account    common.Address `json:"account"`
	Amount     string         `json:"amount_wei"`     // this epoch's payout
	Cumulative string         `json:"cumulative_wei"` // what claim() takes
	Proof      []common.Hash  `json:"proof"`
	MerkleRoot common.Hash    `json:"merkle_root"`
	// Accepted reports that the contract accepted this root for the epoch;
	// until then the claim reverts InvalidProof.
	Accepted bool          `json:"accepted"`
	Calldata hexutil.Bytes `json:"calldata"` // ABI-encoded claim call
}

func (s *Server) proof(w http.ResponseWriter, r *http.Request) {
	k, ok := epochParam(w, r)
	if !ok {
		return
	}
	a := r.PathValue("address")
	if !common.IsHexAddress(a) {
		writeError(w, http.StatusBadRequest, "address %q: expected a 0x-prefixed 20-byte hex address", a)
		return
	}
	account := common.HexToAddress(a)
	rec, err := s.settler.Record(k)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "ledger: %v", err)
		return
	}
	if rec != nil && rec.State == settle.StateDisputed {
		// Our root is not the chain's: a proof against it cannot be claimed
		// and would only mislead.
		writeError(w, http.StatusConflict, "epoch %d is disputed (%s): the contract holds root %s, this daemon computed %s; no proofs are served",
			k, rec.Reason, rec.ChainRoot.Hex(), rec.Root.Hex())
		return
	}
	res, err := s.resultOf(k)
	if errors.Is(err, ledger.ErrNotFound) {
		writeError(w, http.StatusNotFound, "epoch %d has not been computed", k)
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "%v", err)
		return
	}
	i, found := res.Tree.Lookup(account)
	if !found {
		writeError(w, http.StatusNotFound, "%s has no leaf in epoch %d", account.Hex(), k)
		return
	}
	p := res.Payouts[i]
	proof := res.Tree.ProofAt(i)
	writeJSON(w, http.StatusOK, Proof{
		Epoch: k, Account: account, Amount: p.Amount.Dec(), Cumulative: p.Cumulative.Dec(), Proof: proof, MerkleRoot: res.MerkleRoot,
		Accepted: rec != nil && rec.Settled(),
		Calldata: contracts.ClaimCalldata(account, &p.Cumulative, proof),
	})
}

// resultOf returns epoch k's result, keeping the last few in memory: a
// million-leaf tree takes a second to rebuild. An entry is used only while
// the stored result still has the same hash (a reorg recomputes epochs).
func (s *Server) resultOf(k uint64) (*calc.Result, error) {
	// The record carries the hash of the result stored with it (one ledger
	// transaction), so a cache hit needs neither the file nor a keccak of it.
	h, err := s.resultHash(k)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if e, ok := s.trees[k]; ok && e.hash == h {
		return e.res, nil
	}
	raw, err := s.resultBytes(k, h)
	if err != nil {
		return nil, err
	}
	res, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("stored result of epoch %d: %w", k, err)
	}
	if _, ok := s.trees[k]; !ok {
		s.order = append(s.order, k)
	}
	s.trees[k] = cachedResult{hash: h, res: res}
	if len(s.order) > 3 {
		delete(s.trees, s.order[0])
		s.order = s.order[1:]
	}
	return res, nil
}

// resultHash is the hash of epoch k's stored result, from its record (the
// two are stored in one ledger transaction): what caches of the result are
// keyed by, without reading or hashing the file. ledger.ErrNotFound for an
// epoch not computed.
func (s *Server) resultHash(k uint64) (common.Hash, error) {
	rec, err := s.settler.Record(k)
	if err != nil {
		return common.Hash{}, err
	}
	if rec == nil {
		return common.Hash{}, fmt.Errorf("result of epoch %d: %w", k, ledger.ErrNotFound)
	}
	return rec.ResultHash, nil
}

// resultBytes reads epoch k's stored result and checks it hashes to h.
func (s *Server) resultBytes(k uint64, h common.Hash) ([]byte, error) {
	raw, err := s.settler.ResultBytes(k)
	if err != nil {
		return nil, err
	}
	if got := crypto.Keccak256Hash(raw); got != h {
		return nil, fmt.Errorf("stored result of epoch %d hashes to %s, its record says %s", k, got.Hex(), h.Hex())
	}
	return raw, nil
}

type cachedResult struct {
	hash common.Hash
	res  *calc.Result
}
