// Package benchchain builds, for benchmarks, a full-size persisted chain: an
// embedded Clique chain (devchain) with the validator contract deployed, a
// staking history and one complete reward epoch of 216,000 blocks, in
// under a minute on two cores (about 30 CPU-seconds), and serves it again
// from its directory in any later process.
//
// # What is built
//
// Generate writes into an empty directory:
//
//   - chain/: a devchain data directory (hash scheme, every block's state
//     kept), produced by devchain.Generate: every block sealed by the
//     Clique signer devchain's Mine would choose (the in-turn one unless
//     its node is offline), every transaction executed by go-ethereum's
//     state processor, and (unless Options.NoAwards) the CyberMiles block
//     award of 5 CMT credited to the contract in every block, as `rewardd
//     --dev` does.
//   - benchchain.json: the Result, everything a later benchmark needs
//     (genesis time, chain ID, contract, epoch schedule and block range,
//     key derivations).
//
// The history: block 1 deploys the ValidatorSet contract (delegator 0's
// first transaction, so the contract is the block award's collector from
// block 1) with the first Validators signers as its validators; the next
// blocks hold the candidacies of the other signers and every delegator's
// initial stakes (each at one validator, every third also at a second one,
// some at the candidates), a hundred transactions a block. Epoch 0 starts a
// few blocks later and lasts EpochBlocks blocks of Period seconds (216,000
// blocks of 6 s: 15 days, CyberMiles' epoch). During it, every EventEvery
// blocks one or two staking events happen: a stake, an unstake of stake
// whose 7-day lock is over, or a withdrawal of an unstaked balance; in its
// middle the validators vote the first candidate into the active set; and
// three times signer 2's node is offline for OfflineBlocks blocks, which
// the others seal out of turn. Margin blocks follow the epoch, so that it
// is final. Everything is
// derived from Options (Seed included): the same options give the same
// chain but for the genesis time.
//
// # Using it
//
// Load reads the Result back; Result.ApplyTo fills a daemon's or
// auditor's config.Config (contract, start block, epoch schedule).
// Result.ChainConfig gives the devchain.Config that reopens the chain
// (devchain.New: the DataDir reopen path), Open does so, and Serve runs it
// alone in the calling process with JSON-RPC over loopback HTTP, for
// benchmarks that need the chain in its own process:
//
//	url, stop, err := benchchain.Serve(dir) // e.g. in a hidden CLI subcommand
//	...
//	defer stop()
package benchchain

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/devchain"
)

// Version is Result.Version for what this build generates. It changes
// whenever the same Options would give another chain, so that a cached
// directory of another version can be told apart.
const Version = 1

// Defaults of Options' zero fields.
const (
	DefaultEpochBlocks = 216_000 // 15 days of 6-second blocks
	DefaultPeriod      = 6       // seconds per block
	DefaultSigners     = 5
	DefaultValidators  = 4
	DefaultDelegators  = 1000
	DefaultEventEvery  = 300
	DefaultMargin      = 100
	// DefaultOfflineBlocks is the length of each offline stretch.
	DefaultOfflineBlocks = 600
	DefaultChainID       = devchain.DefaultChainID
	// DefaultSlack is how far before the wall clock the last generated
	// block is dated: room for blocks mined after a reopen.
	DefaultSlack = 24 * time.Hour
)

// BlockAwardWei is the award credited to the contract in every block after
// the genesis unless Options.NoAwards: CyberMiles 2.0's 5 CMT.
const BlockAwardWei = 5_000_000_000_000_000_000

// File names in a Generate directory.
const (
	ResultFile = "benchchain.json"
	ChainDir   = "chain"
)

// CliqueEpoch is the chain's Clique checkpoint interval (the config's
// clique_epoch).
const CliqueEpoch = 30000

// Options shape the chain. Zero fields take the defaults above.
type Options struct {
	EpochBlocks uint64 // blocks in epoch 0
	Period      uint64 // Clique period: seconds between blocks
	Signers     int    // Clique signers, at most devchain.MaxSigners
	// Validators is how many of the signers (the first ones) the contract
	// is deployed with; the others declare candidacy before the epoch.
	// 1..Signers; 0 means DefaultValidators with the default Signers,
	// otherwise all signers.
	Validators int
	Delegators int    // funded accounts that stake
	EventEvery uint64 // blocks between staking events during the epoch
	Margin     uint64 // blocks after the epoch's last block
	ChainID    uint64
	Seed       uint64
	// NoAwards builds a chain without the block award: stock go-ethereum
	// Clique, so that stock geth accepts its blocks.
	NoAwards bool
	// NoPromotion keeps the candidates out of the active set (no
	// promotion in the middle of the epoch).
	NoPromotion bool
	// OfflineBlocks is the length of each of the three stretches of the
	// epoch (starting at its first, second and third quarter) during
	// which signer 2's node is offline, so that other signers seal its
	// blocks out of turn: runs of missed blocks. Default 600; needs at
	// least 3 signers (with fewer there are none).
	OfflineBlocks uint64
	// NoOffline keeps every signer online.
	NoOffline bool
	// Slack dates the last block this long before the wall clock
	// (default DefaultSlack).
	Slack time.Duration
	// Progress, if not nil, is called now and then with the number of
	// blocks written and the total.
	Progress func(done, total uint64)
}

// Result describes a generated chain; it is stored as benchchain.json.
type Result struct {
	Version     int    `json:"version"`
	ChainID     uint64 `json:"chain_id"`
	GenesisTime uint64 `json:"genesis_time"` // unix seconds; reopening needs it
	Period      uint64 `json:"period"`
	CliqueEpoch uint64 `json:"clique_epoch"`
	Signers     int    `json:"signers"`    // keys: SignerKey(0..Signers-1), Clique signers in this order
	Validators  int    `json:"validators"` // the contract's initial validators: signers 0..Validators-1
	Delegators  int    `json:"delegators"` // keys: DelegatorKey(0..Delegators-1)
	Seed        uint64 `json:"seed"`

	Contract common.Address `json:"contract"` // the ValidatorSet, deployed by DelegatorKey(0) with nonce 0
	Deployed uint64         `json:"deployed"` // block of the deployment
	// BlockAward is the wei credited to Contract in every block after the
	// genesis; nil without awards.
	BlockAward *big.Int `json:"block_award"`

	// Epoch 0: blocks whose timestamp lies in [EpochStart,
	// EpochStart+EpochLength), which are FirstBlock..LastBlock (config:
	// epoch.start = EpochStart, epoch.length = EpochLength seconds,
	// first_epoch 0, start_block Deployed or earlier).
	EpochStart  uint64 `json:"epoch_start"`
	EpochLength uint64 `json:"epoch_length"`
	FirstBlock  uint64 `json:"first_block"`
	LastBlock   uint64 `json:"last_block"`

	Head     uint64      `json:"head"`
	HeadHash common.Hash `json:"head_hash"`
	// Offline lists the stretches during which a signer was offline.
	Offline []Stretch `json:"offline"`
	// Promoted is the candidate voted into the active set during the
	// epoch and PromotedAt the block of the deciding vote; zero if none.
	Promoted   common.Address `json:"promoted"`
	PromotedAt uint64         `json:"promoted_at"`
	// Counts counts the staking transactions.
	Counts       Counts `json:"counts"`
	Transactions int    `json:"transactions"` // all transactions, deployment and votes included

	dir string
}

// Counts counts a history's staking transactions: all of them, and
// (InEpoch) those inside epoch 0.
type Counts struct {
	Stakes             int `json:"stakes"`
	Unstakes           int `json:"unstakes"`
	Withdrawals        int `json:"withdrawals"`
	InEpochStakes      int `json:"in_epoch_stakes"`
	InEpochUnstakes    int `json:"in_epoch_unstakes"`
	InEpochWithdrawals int `json:"in_epoch_withdrawals"`
}

// Stretch is a run of blocks, First..Last, during which signer Signer
// (an index into the signers) sealed nothing.
type Stretch struct {
	Signer int    `json:"signer"`
	First  uint64 `json:"first"`
	Last   uint64 `json:"last"`
}

// SignerKey is Clique signer i's key (signers 0..Validators-1 are the
// contract's initial validators).
func SignerKey(i int) *ecdsa.PrivateKey { return key("signer", i) }

// DelegatorKey is delegator i's key; delegator 0 also deployed the
// contract.
func DelegatorKey(i int) *ecdsa.PrivateKey { return key("delegator", i) }

func key(label string, i int) *ecdsa.PrivateKey {
	return devchain.DerivedKey(fmt.Sprintf("cmt-rewards benchchain %s %d", label, i))
}

func addr(k *ecdsa.PrivateKey) common.Address { return crypto.PubkeyToAddress(k.PublicKey) }

// Dir is the directory the Result was generated into or loaded from.
func (r *Result) Dir() string { return r.dir }

// SignerKeys returns the Clique signers' keys in order.
func (r *Result) SignerKeys() []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, r.Signers)
	for i := range keys {
		keys[i] = SignerKey(i)
	}
	return keys
}

// ValidatorAddrs returns the contract's initial validators.
func (r *Result) ValidatorAddrs() []common.Address {
	out := make([]common.Address, r.Validators)
	for i := range out {
		out[i] = addr(SignerKey(i))
	}
	return out
}

// EpochStartTime is EpochStart as a time (config epoch.start).
func (r *Result) EpochStartTime() time.Time { return time.Unix(int64(r.EpochStart), 0).UTC() }

// EpochDuration is EpochLength as a duration (config epoch.length).
func (r *Result) EpochDuration() time.Duration { return time.Duration(r.EpochLength) * time.Second }

// ApplyTo sets in c what a daemon or auditor following this chain at
// rpcURL needs: the RPC URL, chain ID, contract, start block (the
// deployment), Clique epoch, the epoch schedule with epoch 0 the generated
// one, and first epoch 0. Everything else is left as it is (start from
// config.Default()); the reward per block there is already 5 CMT.
func (r *Result) ApplyTo(c *config.Config, rpcURL string) {
	c.RPCURL, c.ChainID, c.Contract = rpcURL, r.ChainID, r.Contract
	c.StartBlock, c.CliqueEpoch = r.Deployed, r.CliqueEpoch
	c.Epoch = config.EpochConfig{Start: r.EpochStartTime(), Length: config.Duration(r.EpochDuration())}
	c.Settle.FirstEpoch = 0
}

// fundsWei is what every signer and delegator holds at the genesis.
var fundsWei = new(big.Int).Mul(big.NewInt(1_000_000), big.NewInt(params.Ether))

// ChainConfig returns the devchain configuration that opens the chain in
// Dir()/chain (devchain.New reopens it at its head); set HTTP or Logger as
// needed.
func (r *Result) ChainConfig() devchain.Config {
	alloc := types.GenesisAlloc{}
	for i := 0; i < r.Signers; i++ {
		alloc[addr(SignerKey(i))] = types.Account{Balance: new(big.Int).Set(fundsWei)}
	}
	for i := 0; i < r.Delegators; i++ {
		alloc[addr(DelegatorKey(i))] = types.Account{Balance: new(big.Int).Set(fundsWei)}
	}
	cfg := devchain.Config{
		ChainID: r.ChainID, Signers: r.SignerKeys(), Alloc: alloc, Period: r.Period, Epoch: r.CliqueEpoch,
		GenesisTime: r.GenesisTime, DataDir: filepath.Join(r.dir, ChainDir),
	}
	if r.BlockAward != nil {
		cfg.RewardCollector, cfg.BlockReward = r.Contract, new(big.Int).Set(r.BlockAward)
	}
	return cfg
}

// Load reads the Result of the chain generated into dir. It fails for a
// directory without one or of another Version.
func Load(dir string) (*Result, error) {
	data, err := os.ReadFile(filepath.Join(dir, ResultFile))
	if err != nil {
		return nil, fmt.Errorf("benchchain: load %s: %w", dir, err)
	}
	r := new(Result)
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("benchchain: load %s: %w", dir, err)
	}
	if r.Version != Version {
		return nil, fmt.Errorf("benchchain: %s holds a chain of version %d, this build reads %d", dir, r.Version, Version)
	}
	r.dir = dir
	return r, nil
}

// Open reopens the chain in dir (see Load) with devchain.New, serving
// JSON-RPC on loopback HTTP if http is set. Close the chain.
func Open(dir string, http bool) (*devchain.Chain, *Result, error) {
	r, err := Load(dir)
	if err != nil {
		return nil, nil, err
	}
	cfg := r.ChainConfig()
	cfg.HTTP = http
	c, err := devchain.New(cfg)
	if err != nil {
		return nil, nil, fmt.Errorf("benchchain: open %s: %w", dir, err)
	}
	if h := c.Head(); h.Number.Uint64() < r.Head {
		c.Close()
		return nil, nil, fmt.Errorf("benchchain: open %s: chain head %d is below the generated head %d", dir, h.Number, r.Head)
	}
	return c, r, nil
}

// Serve opens the chain generated into dir and serves it over JSON-RPC on
// 127.0.0.1 with an OS-assigned port (namespaces eth, net, web3, clique; the
// node of devchain with Config.HTTP). It returns the endpoint
// (http://127.0.0.1:port) and a function that stops the node and releases
// the directory. Nothing produces blocks: the chain stays at its head
// unless the caller mines. Only one process may serve a directory at a
// time (the node locks it). The first open after Generate takes a few
// seconds more than later ones: the database replays its write-ahead log.
func Serve(dir string) (url string, closeFn func() error, err error) {
	c, _, err := Open(dir, true)
	if err != nil {
		return "", nil, err
	}
	return c.RPCURL(), c.Close, nil
}

// ErrNotEmpty is returned by Generate for a directory that holds files.
var ErrNotEmpty = errors.New("benchchain: directory is not empty")

func (o *Options) normalize() error {
	if o.EpochBlocks == 0 {
		o.EpochBlocks = DefaultEpochBlocks
	}
	if o.Period == 0 {
		o.Period = DefaultPeriod
	}
	if o.Signers == 0 {
		o.Signers = DefaultSigners
		if o.Validators == 0 {
			o.Validators = DefaultValidators
		}
	}
	if o.Validators == 0 {
		o.Validators = o.Signers
	}
	if o.Signers < 1 || o.Signers > devchain.MaxSigners || o.Validators < 1 || o.Validators > o.Signers {
		return fmt.Errorf("benchchain: %d validators among %d signers (1 ≤ validators ≤ signers ≤ %d)", o.Validators, o.Signers, devchain.MaxSigners)
	}
	if o.Delegators == 0 {
		o.Delegators = DefaultDelegators
	}
	if o.Delegators < 1 {
		return fmt.Errorf("benchchain: %d delegators", o.Delegators)
	}
	if o.EventEvery == 0 {
		o.EventEvery = DefaultEventEvery
	}
	if o.Margin == 0 {
		o.Margin = DefaultMargin
	}
	if o.ChainID == 0 {
		o.ChainID = DefaultChainID
	}
	if o.Slack == 0 {
		o.Slack = DefaultSlack
	}
	if o.OfflineBlocks == 0 {
		o.OfflineBlocks = DefaultOfflineBlocks
	}
	return nil
}

// Generate builds the chain described in the package documentation into
// dir, which must be missing or empty (ErrNotEmpty), and returns its
// Result, also written to dir/benchchain.json. The chain is closed when
// Generate returns. If Generate fails, dir holds an unusable partial
// chain: remove it.
func Generate(dir string, o Options) (*Result, error) {
	if err := o.normalize(); err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrNotEmpty, dir)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("benchchain: generate: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("benchchain: generate: %w", err)
	}
	h := newHistory(o)
	total := h.epochFirst - 1 + o.EpochBlocks + o.Margin
	span := time.Duration(total*o.Period) * time.Second
	r := &Result{
		Version: Version, ChainID: o.ChainID, Period: o.Period, CliqueEpoch: CliqueEpoch,
		Signers: o.Signers, Validators: o.Validators, Delegators: o.Delegators, Seed: o.Seed,
		GenesisTime: uint64(time.Now().Add(-span - o.Slack).Unix()),
		Contract:    h.contract, Deployed: 1, dir: dir,
		EpochLength: o.EpochBlocks * o.Period, FirstBlock: h.epochFirst, LastBlock: h.epochFirst + o.EpochBlocks - 1,
	}
	if !o.NoAwards {
		r.BlockAward = new(big.Int).SetUint64(BlockAwardWei)
	}
	r.EpochStart = r.GenesisTime + h.epochFirst*o.Period
	cfg := r.ChainConfig()
	h.signer = types.LatestSignerForChainID(new(big.Int).SetUint64(o.ChainID))
	h.chainID = new(big.Int).SetUint64(o.ChainID)
	if !o.NoOffline && o.Signers >= 3 {
		for q := uint64(1); q <= 3; q++ {
			first := h.epochFirst + q*o.EpochBlocks/4
			r.Offline = append(r.Offline, Stretch{Signer: 2, First: first, Last: first + o.OfflineBlocks - 1})
		}
	}
	gopts := devchain.GenerateOptions{Blocks: total, Txs: h.txs, Offline: func(number uint64) []int {
		for _, st := range r.Offline {
			if number >= st.First && number <= st.Last {
				return []int{st.Signer}
			}
		}
		return nil
	}}
	if o.Progress != nil {
		gopts.Progress = func(done uint64) { o.Progress(done, total) }
	}
	head, err := devchain.Generate(cfg, gopts)
	if err != nil {
		return nil, fmt.Errorf("benchchain: generate: %w", err)
	}
	if h.err != nil {
		return nil, fmt.Errorf("benchchain: generate: %w", h.err)
	}
	r.Head, r.HeadHash = head.Number.Uint64(), head.Hash()
	r.Promoted, r.PromotedAt = h.promoted, h.promotedAt
	r.Counts = h.counts
	r.Transactions = h.ntx
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("benchchain: generate: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ResultFile), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("benchchain: generate: %w", err)
	}
	return r, nil
}

// history decides the transactions of every block (devchain.Generate's
// Txs) and keeps the model of the contract they need to succeed.
type history struct {
	o          Options
	rng        *rand.Rand
	vs         *contracts.ValidatorSet
	signer     types.Signer
	chainID    *big.Int
	contract   common.Address
	signers    []*ecdsa.PrivateKey
	delegators []*ecdsa.PrivateKey
	nonces     map[common.Address]uint64

	initial    [][]stakeTx // the stakes of the blocks after the deployment
	epochFirst uint64

	positions  []*position          // every (delegator, validator) with stake
	byKey      map[[2]int]*position // (delegator, target) -> position
	pending    map[int]bool         // delegators with a withdrawable balance
	pendingQ   []int                // the same, in the order they unstaked
	targets    []common.Address     // validators then candidates
	promoted   common.Address
	promotedAt uint64
	votes      int
	counts     Counts
	ntx        int
	err        error
}

type stakeTx struct {
	d, target int
	amount    *big.Int
}

type position struct {
	d, target int
	staked    *big.Int
	lastStake uint64 // time of the last stake: all of it unlocks 7 days later
}

const (
	lockPeriod  = 7 * 24 * 3600 // the contract's LOCK_PERIOD
	txsPerBlock = 100
	txGas       = 400_000
	deployGas   = 6_000_000
)

func cmt(n uint64) *big.Int {
	return new(big.Int).Mul(new(big.Int).SetUint64(n), big.NewInt(params.Ether))
}

func newHistory(o Options) *history {
	h := &history{
		o: o, rng: rand.New(rand.NewPCG(o.Seed, 0xbe4c4a1)), vs: contracts.NewValidatorSet(),
		nonces: map[common.Address]uint64{}, byKey: map[[2]int]*position{}, pending: map[int]bool{},
	}
	for i := 0; i < o.Signers; i++ {
		h.signers = append(h.signers, SignerKey(i))
		h.targets = append(h.targets, addr(h.signers[i]))
	}
	for i := 0; i < o.Delegators; i++ {
		h.delegators = append(h.delegators, DelegatorKey(i))
	}
	h.contract = crypto.CreateAddress(addr(h.delegators[0]), 0)
	// Initial stakes: every delegator at one validator, every third also
	// at a second target (a candidate if there are any, for some).
	var all []stakeTx
	for d := 0; d < o.Delegators; d++ {
		all = append(all, stakeTx{d, d % o.Validators, cmt(1000 + h.rng.Uint64N(50_000))})
		if d%3 == 0 {
			t := h.rng.IntN(o.Signers)
			if t == d%o.Validators {
				t = (t + 1) % o.Signers
			}
			if t != d%o.Validators {
				all = append(all, stakeTx{d, t, new(big.Int).Add(cmt(100+h.rng.Uint64N(20_000)), big.NewInt(int64(h.rng.Uint32())))})
			}
		}
	}
	for len(all) > 0 {
		n := min(txsPerBlock, len(all))
		h.initial = append(h.initial, all[:n])
		all = all[n:]
	}
	// Block 1: deployment; block 2: candidacies; then the stakes; the
	// epoch starts 10 blocks later.
	h.epochFirst = 2 + uint64(len(h.initial)) + 10
	return h
}

func (h *history) tx(k *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte) (*types.Transaction, error) {
	return h.txGas(k, to, value, data, txGas)
}

func (h *history) txGas(k *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte, gas uint64) (*types.Transaction, error) {
	from := addr(k)
	tx, err := types.SignNewTx(k, h.signer, &types.DynamicFeeTx{
		ChainID: h.chainID, Nonce: h.nonces[from], GasTipCap: big.NewInt(params.GWei), GasFeeCap: big.NewInt(100 * params.GWei),
		Gas: gas, To: to, Value: value, Data: data,
	})
	if err != nil {
		return nil, err
	}
	h.nonces[from]++
	h.ntx++
	return tx, nil
}

func (h *history) stake(d, target int, amount *big.Int, t uint64, inEpoch bool) (*types.Transaction, error) {
	tx, err := h.tx(h.delegators[d], &h.contract, amount, h.vs.PackStake(h.targets[target]))
	if err != nil {
		return nil, err
	}
	p := h.byKey[[2]int{d, target}]
	if p == nil {
		p = &position{d: d, target: target, staked: new(big.Int)}
		h.byKey[[2]int{d, target}] = p
		h.positions = append(h.positions, p)
	}
	p.staked.Add(p.staked, amount)
	p.lastStake = t
	h.counts.Stakes++
	if inEpoch {
		h.counts.InEpochStakes++
	}
	return tx, nil
}

// txs is devchain.GenerateOptions.Txs.
func (h *history) txs(number, t uint64) ([]*types.Transaction, error) {
	txs, err := h.block(number, t)
	if err != nil && h.err == nil {
		h.err = err
	}
	return txs, err
}

func (h *history) block(number, t uint64) ([]*types.Transaction, error) {
	o := h.o
	switch {
	case number == 1:
		args := h.vs.PackConstructor(h.targets[:o.Validators], big.NewInt(5000))
		tx, err := h.txGas(h.delegators[0], nil, nil, append(common.FromHex(contracts.ValidatorSetMetaData.Bin), args...), deployGas)
		if err != nil {
			return nil, err
		}
		return []*types.Transaction{tx}, nil
	case number == 2:
		var txs []*types.Transaction
		for i := o.Validators; i < o.Signers; i++ {
			tx, err := h.tx(h.signers[i], &h.contract, nil, h.vs.PackDeclareCandidacy(crypto.FromECDSAPub(&h.signers[i].PublicKey)[1:]))
			if err != nil {
				return nil, err
			}
			txs = append(txs, tx)
		}
		return txs, nil
	case number-3 < uint64(len(h.initial)):
		var txs []*types.Transaction
		for _, s := range h.initial[number-3] {
			tx, err := h.stake(s.d, s.target, s.amount, t, false)
			if err != nil {
				return nil, err
			}
			txs = append(txs, tx)
		}
		return txs, nil
	case number < h.epochFirst:
		return nil, nil
	}
	off := number - h.epochFirst
	inEpoch := off < o.EpochBlocks
	if !inEpoch {
		return nil, nil
	}
	var txs []*types.Transaction
	// The promotion: the validators vote one per block from the middle of
	// the epoch until the candidate is in (a strict majority).
	if !o.NoPromotion && o.Validators < o.Signers && off >= o.EpochBlocks/2 && h.promotedAt == 0 {
		v := h.votes
		tx, err := h.tx(h.signers[v], &h.contract, nil, h.vs.PackVotePromote(h.targets[o.Validators]))
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
		h.votes++
		if 2*h.votes > o.Validators {
			h.promoted, h.promotedAt = h.targets[o.Validators], number
		}
	}
	if off%o.EventEvery != o.EventEvery/2 {
		return txs, nil
	}
	for n := 1 + h.rng.IntN(2); n > 0; n-- {
		tx, err := h.event(t)
		if err != nil {
			return nil, err
		}
		txs = append(txs, tx)
	}
	return txs, nil
}

// event is one staking event at time t: a withdrawal (15%), an unstake of
// unlocked stake (35%) or a stake; the first two fall back to a stake when
// no delegator can make them.
func (h *history) event(t uint64) (*types.Transaction, error) {
	switch x := h.rng.IntN(100); {
	case x < 15 && len(h.pendingQ) > 0:
		i := h.rng.IntN(len(h.pendingQ))
		d := h.pendingQ[i]
		h.pendingQ = append(h.pendingQ[:i], h.pendingQ[i+1:]...)
		delete(h.pending, d)
		h.counts.Withdrawals++
		h.counts.InEpochWithdrawals++
		return h.tx(h.delegators[d], &h.contract, nil, h.vs.PackWithdraw())
	case x < 50:
		for try := 0; try < 20; try++ {
			p := h.positions[h.rng.IntN(len(h.positions))]
			if p.staked.Sign() == 0 || t < p.lastStake+lockPeriod {
				continue
			}
			amount := new(big.Int).Div(new(big.Int).Mul(p.staked, big.NewInt(int64(1+h.rng.IntN(100)))), big.NewInt(100))
			if amount.Sign() == 0 {
				amount.Set(p.staked)
			}
			tx, err := h.tx(h.delegators[p.d], &h.contract, nil, h.vs.PackUnstake(h.targets[p.target], amount))
			if err != nil {
				return nil, err
			}
			p.staked.Sub(p.staked, amount)
			if !h.pending[p.d] {
				h.pending[p.d] = true
				h.pendingQ = append(h.pendingQ, p.d)
			}
			h.counts.Unstakes++
			h.counts.InEpochUnstakes++
			return tx, nil
		}
	}
	d := h.rng.IntN(len(h.delegators))
	target := h.rng.IntN(len(h.targets))
	return h.stake(d, target, new(big.Int).Add(cmt(1+h.rng.Uint64N(10_000)), big.NewInt(int64(h.rng.Uint32()))), t, true)
}
