package devchain

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/beacon"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/eth"
	"github.com/ethereum/go-ethereum/eth/downloader"
	"github.com/ethereum/go-ethereum/eth/ethconfig"
	"github.com/ethereum/go-ethereum/eth/filters"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/miner"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
	"github.com/holiman/uint256"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultChainID  = 4242
	DefaultPeriod   = 1     // seconds between blocks
	DefaultEpoch    = 30000 // Clique checkpoint interval, blocks
	DefaultGasLimit = 30_000_000

	// DefaultGenesisAge is how far before the wall clock the genesis is dated
	// when Config.GenesisTime is zero. It bounds how far synthetic time
	// (Period per block plus AdjustTime) can advance: Clique rejects blocks
	// dated after the wall clock.
	DefaultGenesisAge = 365 * 24 * time.Hour

	// MaxSigners is the largest signer set New accepts.
	MaxSigners = 21
)

var (
	// ErrClosed is returned by every block-producing method after Close.
	ErrClosed = errors.New("devchain: chain is closed")
	// ErrFutureBlock is returned when the next block would be dated after the
	// wall clock, which Clique rejects. Date the genesis further in the past.
	ErrFutureBlock = errors.New("devchain: block time is ahead of the wall clock")
	// ErrOffline is returned by MineBy for a signer marked offline.
	ErrOffline = errors.New("devchain: signer is offline")
	// ErrNoSigner is returned by Mine when every online signer is barred by
	// Clique's recency rule (or all are offline): a real network stalls too.
	ErrNoSigner = errors.New("devchain: no online signer may seal the next block")
	// ErrLighterBranch is returned by Reorg when the new branch would not
	// have a higher total difficulty than the blocks it replaces.
	ErrLighterBranch = errors.New("devchain: new branch is not heavier than the current one")
)

// Config describes a chain. Signers is required; every other zero field gets
// a default.
type Config struct {
	ChainID     uint64              // default DefaultChainID
	Signers     []*ecdsa.PrivateKey // required, 1..MaxSigners distinct keys: the genesis signer set
	Alloc       types.GenesisAlloc  // funded accounts and predeployed code
	Period      uint64              // Clique period: seconds added to the parent's time per block (default 1)
	Epoch       uint64              // Clique checkpoint interval in blocks (default 30000)
	GasLimit    uint64              // genesis and target block gas limit (default 30M)
	GenesisTime uint64              // unix seconds; default now - DefaultGenesisAge
	HTTP        bool                // serve JSON-RPC on 127.0.0.1 with an OS-assigned port
	LogIndex    bool                // run go-ethereum's log indexer (3-4x fewer blocks/s); eth_getLogs works without it
	DataDir     string              // "" runs the chain in a temporary directory that Close removes; to reopen a chain, pass the same Config with GenesisTime set (it reopens at its last block even after SIGKILL)
	Logger      *slog.Logger        // nil discards devchain's and the node's logs

	// RewardCollector receives BlockReward in every block after the genesis,
	// like CyberMiles 2.0's config.clique.reward: the award is credited in
	// the consensus engine's Finalize, so it is part of each block's state
	// root, checked on import and visible through eth_getBalance. The
	// block's signer gets no award (only its transaction tips). Required
	// when BlockReward is set.
	RewardCollector common.Address
	// BlockReward is the award per block in wei (CyberMiles 2.0: 5 CMT, 5e18
	// wei). nil or zero: no award, stock go-ethereum Clique. It must fit in
	// 256 bits. A chain reopened from DataDir must keep the award and the
	// collector it was built with; New refuses others.
	BlockReward *big.Int
}

// Chain is a running in-process Clique chain. All methods are safe for
// concurrent use; block production (Mine*, Run, Commit, Reorg) is serialized,
// so each block is built on the head left by the previous call, while RPC
// requests are served concurrently by the node.
type Chain struct {
	cfg     Config
	log     *slog.Logger
	stack   *node.Node
	eth     *eth.Ethereum
	bc      *core.BlockChain
	clique  *clique.Clique
	engine  *buildEngine
	miner   *miner.Miner
	client  *ethclient.Client
	genesis *core.Genesis
	tmpDir  string // the node's data directory when Config.DataDir is empty; removed by Close
	chainID *big.Int
	txSign  types.Signer

	keys  []*ecdsa.PrivateKey
	addrs []common.Address // Config.Signers order
	turn  []int            // turn[k] is the Config index of the k-th signer in ascending address order

	mu       sync.Mutex // serializes block production and guards the fields below
	offline  []bool
	addTime  uint64                         // seconds added to the next block's time (AdjustTime)
	forks    uint64                         // Reorg calls so far, used to make branch headers distinct
	sealers  map[common.Hash]common.Address // recent block hash -> sealer, bounded
	closed   bool
	closeErr error
}

// New builds the genesis, starts the node and returns a chain whose head is
// the genesis block. The caller must Close it.
func New(cfg Config) (*Chain, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	c := &Chain{
		cfg:     cfg,
		log:     cfg.Logger,
		chainID: new(big.Int).SetUint64(cfg.ChainID),
		keys:    cfg.Signers,
		offline: make([]bool, len(cfg.Signers)),
		sealers: make(map[common.Hash]common.Address),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	seen := make(map[common.Address]bool)
	for i, k := range cfg.Signers {
		if k == nil {
			return nil, fmt.Errorf("devchain: signer %d is nil", i)
		}
		a := crypto.PubkeyToAddress(k.PublicKey)
		if seen[a] {
			return nil, fmt.Errorf("devchain: signer %d (%s) is listed twice", i, a)
		}
		seen[a] = true
		c.addrs = append(c.addrs, a)
		c.turn = append(c.turn, i)
	}
	sort.Slice(c.turn, func(x, y int) bool {
		return bytes.Compare(c.addrs[c.turn[x]][:], c.addrs[c.turn[y]][:]) < 0
	})

	chainCfg := *params.AllCliqueProtocolChanges // London, no Shanghai, TTD never reached
	chainCfg.ChainID = c.chainID
	chainCfg.Clique = &params.CliqueConfig{Period: cfg.Period, Epoch: cfg.Epoch}
	c.txSign = types.LatestSigner(&chainCfg)

	extra := make([]byte, 32, 32+len(c.turn)*common.AddressLength+crypto.SignatureLength)
	for _, i := range c.turn {
		extra = append(extra, c.addrs[i][:]...)
	}
	extra = append(extra, make([]byte, crypto.SignatureLength)...)
	c.genesis = &core.Genesis{
		Config:     &chainCfg,
		Timestamp:  cfg.GenesisTime,
		ExtraData:  extra,
		GasLimit:   cfg.GasLimit,
		Difficulty: big.NewInt(1),
		BaseFee:    big.NewInt(params.InitialBaseFee),
		Alloc:      cfg.Alloc,
	}

	// Without a data directory the node still gets one, temporary (removed
	// by Close): go-ethereum's in-memory database moves blocks 90,000 below
	// the head to its in-memory freezer by iterating over the whole store
	// for each block, which makes long chains quadratic; pebble does not.
	nodeDir := cfg.DataDir
	if nodeDir == "" {
		tmp, err := os.MkdirTemp("", "devchain-")
		if err != nil {
			return nil, fmt.Errorf("devchain: temporary data directory: %w", err)
		}
		c.tmpDir, nodeDir = tmp, tmp
	}
	nodeCfg := &node.Config{
		Name:    "devchain",
		DataDir: nodeDir,
		P2P:     p2p.Config{NoDiscovery: true, MaxPeers: 0, ListenAddr: ""},
		Logger:  log.NewLogger(c.log.Handler()),
	}
	if cfg.HTTP {
		nodeCfg.HTTPHost = "127.0.0.1"
		nodeCfg.HTTPPort = 0
		nodeCfg.HTTPModules = []string{"eth", "net", "web3", "clique"}
		nodeCfg.HTTPVirtualHosts = []string{"localhost", "127.0.0.1"}
		// The holders' web app reads the chain from the page (?rpc=).
		nodeCfg.HTTPCors = []string{"*"}
	}
	ok := false
	defer func() {
		if !ok && c.tmpDir != "" {
			os.RemoveAll(c.tmpDir)
		}
	}()
	stack, err := node.New(nodeCfg)
	if err != nil {
		return nil, fmt.Errorf("devchain: create node: %w", err)
	}
	c.stack = stack
	defer func() {
		if !ok {
			stack.Close()
		}
	}()

	ethCfg := ethconfig.Defaults
	ethCfg.Genesis = c.genesis
	ethCfg.NetworkId = cfg.ChainID
	ethCfg.SyncMode = downloader.FullSync
	ethCfg.TxPool.NoLocals = true
	ethCfg.TxPool.Journal = ""
	ethCfg.Miner.GasCeil = cfg.GasLimit
	ethCfg.DatabaseCache = 16
	ethCfg.TrieCleanCache = 16
	ethCfg.TrieDirtyCache = 16
	ethCfg.SnapshotCache = 16
	if cfg.DataDir != "" {
		// A chain in a data directory must reopen at its head even after
		// SIGKILL: the path scheme keeps recent state in memory and, killed,
		// reopens with the head's state missing and rewinds to the genesis.
		// The hash scheme in archive mode commits every block's state, and
		// persist syncs each block; without snapshots nothing is journaled
		// only on a clean stop.
		ethCfg.StateScheme = rawdb.HashScheme
		ethCfg.NoPruning = true
		ethCfg.SnapshotCache = 0
	}
	// The log indexer (filtermaps) cuts block throughput by a factor of 3-4;
	// without it eth_getLogs scans header blooms, which is fast at test scale.
	ethCfg.LogNoHistory = !cfg.LogIndex
	if cfg.BlockReward != nil {
		// Before eth.New: after it, an error return would leave the
		// blockchain open (only a started node's Close stops it).
		if err := checkBeaconLayout(); err != nil {
			return nil, err
		}
	}
	backend, err := eth.New(stack, &ethCfg)
	if err != nil {
		return nil, fmt.Errorf("devchain: create eth service: %w", err)
	}
	c.eth = backend
	c.bc = backend.BlockChain()

	b, isBeacon := backend.Engine().(*beacon.Beacon)
	if !isBeacon {
		return nil, fmt.Errorf("devchain: unexpected consensus engine %T", backend.Engine())
	}
	cl, isClique := b.InnerEngine().(*clique.Clique)
	if !isClique {
		return nil, fmt.Errorf("devchain: unexpected inner consensus engine %T", b.InnerEngine())
	}
	c.clique = cl
	if cfg.BlockReward != nil {
		award := &awardEngine{Clique: cl, collector: cfg.RewardCollector, award: uint256.MustFromBig(cfg.BlockReward)}
		if err := installAward(b, award); err != nil {
			return nil, err
		}
	}
	// buildEngine wraps the same Beacon the blockchain imports with, so the
	// blocks devchain builds carry the award the importer expects.
	c.engine = &buildEngine{Engine: backend.Engine()}
	minerCfg := ethCfg.Miner
	c.miner = miner.New(backend, minerCfg, c.engine)

	filterSystem := filters.NewFilterSystem(backend.APIBackend, filters.Config{})
	stack.RegisterAPIs([]rpc.API{
		{Namespace: "eth", Service: filters.NewFilterAPI(filterSystem)},
		{Namespace: "clique", Service: &cliqueAPI{c: c}},
	})
	if err := stack.Start(); err != nil {
		return nil, fmt.Errorf("devchain: start node: %w", err)
	}
	// Checked on the started node: only a started node's Close stops the
	// blockchain and releases its locks, so a refused reopen leaves the
	// data directory usable.
	if cfg.DataDir != "" {
		if err := checkAwardRecord(backend.ChainDb(), &cfg, c.bc.CurrentHeader().Number.Uint64()); err != nil {
			return nil, err
		}
	}
	c.client = ethclient.NewClient(stack.Attach())
	ok = true
	c.log.Info("devchain started", "chainID", cfg.ChainID, "signers", len(c.addrs),
		"genesis", c.bc.Genesis().Hash(), "genesisTime", cfg.GenesisTime, "rpc", c.RPCURL(),
		"blockReward", cfg.BlockReward, "rewardCollector", cfg.RewardCollector)
	return c, nil
}

func (cfg *Config) normalize() error {
	if n := len(cfg.Signers); n == 0 || n > MaxSigners {
		return fmt.Errorf("devchain: need 1..%d signers, got %d", MaxSigners, n)
	}
	if cfg.ChainID == 0 {
		cfg.ChainID = DefaultChainID
	}
	if cfg.Period == 0 {
		cfg.Period = DefaultPeriod
	}
	if cfg.Epoch == 0 {
		cfg.Epoch = DefaultEpoch
	}
	if cfg.GasLimit == 0 {
		cfg.GasLimit = DefaultGasLimit
	}
	now := uint64(time.Now().Unix())
	if cfg.GenesisTime == 0 {
		cfg.GenesisTime = now - uint64(DefaultGenesisAge/time.Second)
	}
	if cfg.GenesisTime > now {
		return fmt.Errorf("devchain: genesis time %d is after the wall clock (%d)", cfg.GenesisTime, now)
	}
	cfg.Signers = append([]*ecdsa.PrivateKey(nil), cfg.Signers...)
	switch r := cfg.BlockReward; {
	case r == nil || r.Sign() == 0:
		cfg.BlockReward = nil // no award: leave the engine alone
	case r.Sign() < 0:
		return fmt.Errorf("devchain: negative block reward %s wei", r)
	case r.BitLen() > 256:
		return fmt.Errorf("devchain: block reward %s wei does not fit in 256 bits", r)
	case cfg.RewardCollector == (common.Address{}):
		return errors.New("devchain: block reward set without a reward collector")
	default:
		cfg.BlockReward = new(big.Int).Set(r) // the caller's value may change
	}
	return nil
}

// Close stops the node: RPC endpoints (the port is released), the eth
// service and the in-process client, and removes the temporary data
// directory of a chain without Config.DataDir. Block production in
// progress finishes first. Close is idempotent and returns the first close
// error.
func (c *Chain) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return c.closeErr
	}
	c.closed = true
	c.client.Close()
	if err := c.stack.Close(); err != nil {
		c.closeErr = fmt.Errorf("devchain: close node: %w", err)
	}
	if c.tmpDir != "" {
		if err := os.RemoveAll(c.tmpDir); err != nil && c.closeErr == nil {
			c.closeErr = fmt.Errorf("devchain: remove temporary data directory: %w", err)
		}
	}
	return c.closeErr
}

// RPCURL returns the HTTP JSON-RPC endpoint (http://127.0.0.1:port), or ""
// when Config.HTTP is false.
func (c *Chain) RPCURL() string {
	if !c.cfg.HTTP {
		return ""
	}
	return c.stack.HTTPEndpoint()
}

// Client returns an in-process client (no network) for all of the node's
// RPC namespaces. It is owned by the chain and closed by Close.
func (c *Chain) Client() *ethclient.Client { return c.client }

// ChainID returns the chain ID.
func (c *Chain) ChainID() *big.Int { return new(big.Int).Set(c.chainID) }

// Config returns the configuration with defaults filled in.
func (c *Chain) Config() Config {
	cfg := c.cfg
	cfg.Signers = append([]*ecdsa.PrivateKey(nil), c.keys...)
	if cfg.BlockReward != nil {
		cfg.BlockReward = new(big.Int).Set(cfg.BlockReward)
	}
	return cfg
}

// Signers returns the signer addresses in Config.Signers order.
func (c *Chain) Signers() []common.Address {
	return append([]common.Address(nil), c.addrs...)
}

// InTurn returns the index (into Config.Signers) of the signer whose turn
// block number is: the (number mod N)-th signer in ascending address order.
func (c *Chain) InTurn(number uint64) int {
	return c.turn[number%uint64(len(c.turn))]
}

// Head returns a copy of the current head header.
func (c *Chain) Head() *types.Header { return types.CopyHeader(c.bc.CurrentHeader()) }

// HeaderByNumber returns a copy of the canonical header at number, or nil.
func (c *Chain) HeaderByNumber(number uint64) *types.Header {
	h := c.bc.GetHeaderByNumber(number)
	if h == nil {
		return nil
	}
	return types.CopyHeader(h)
}

// Backend exposes the underlying eth service for what this package does not
// wrap. Producing blocks through it bypasses devchain and is not supported.
func (c *Chain) Backend() *eth.Ethereum { return c.eth }

// Sealer recovers the address that sealed a Clique header from the signature
// at the end of its extraData (the coinbase of a Clique block is not its
// author).
func Sealer(h *types.Header) (common.Address, error) {
	if len(h.Extra) < 32+crypto.SignatureLength {
		return common.Address{}, fmt.Errorf("devchain: header %d: extraData too short for a seal (%d bytes)", h.Number, len(h.Extra))
	}
	pub, err := crypto.SigToPub(clique.SealHash(h).Bytes(), h.Extra[len(h.Extra)-crypto.SignatureLength:])
	if err != nil {
		return common.Address{}, fmt.Errorf("devchain: header %d: recover sealer: %w", h.Number, err)
	}
	return crypto.PubkeyToAddress(*pub), nil
}
