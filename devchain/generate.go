package devchain

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/rawdb"
	"github.com/ethereum/go-ethereum/core/state"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/core/vm"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethdb"
	"github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/node"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rlp"
	"github.com/ethereum/go-ethereum/trie"
	"github.com/ethereum/go-ethereum/trie/trienode"
	"github.com/ethereum/go-ethereum/triedb"
	"github.com/ethereum/go-ethereum/triedb/database"
	"github.com/ethereum/go-ethereum/triedb/hashdb"
	"github.com/holiman/uint256"
)

// GenerateOptions describe the blocks Generate appends.
type GenerateOptions struct {
	// Blocks is how many blocks to append after the chain's head; at least 1.
	Blocks uint64
	// Txs, if not nil, returns the transactions of block number, dated
	// time, in order. It is called once per block, in block order, after
	// every earlier block has been executed (not necessarily sealed), from
	// the goroutine that called Generate; nil means an empty block. An
	// error stops Generate.
	Txs func(number, time uint64) ([]*types.Transaction, error)
	// Offline, if not nil, returns the signers (Config.Signers indices)
	// whose nodes are offline for block number: the block is then sealed
	// as Mine would seal it, by the online signer allowed to that has gone
	// longest without sealing, out of turn (difficulty 1). Called once per
	// block, in order, from the goroutine that called Generate. If no
	// online signer may seal a block, Generate fails with ErrNoSigner.
	Offline func(number uint64) []int
	// Progress, if not nil, is called with the number of blocks written so
	// far, every 10,000 blocks and at the end, from Generate's sealing
	// goroutine (never concurrently with itself).
	Progress func(done uint64)
}

// ErrReverted is wrapped by Generate's error when a transaction of
// GenerateOptions.Txs is included but reverted.
var ErrReverted = errors.New("devchain: generated transaction reverted")

// Generate appends o.Blocks blocks to the chain in cfg.DataDir (created with
// its genesis if empty) without running the node, and returns the new head.
// It is the bulk path for benchmarks: 5,000 to 10,000 blocks a second on
// two cores, where MineN makes about 2,000. Block building and state run on
// the calling goroutine, sealing and writing on another.
//
// The blocks are those MineN would produce with no AdjustTime and the
// signers o.Offline names offline (by default all are online): each sealed
// by Mine's choice of signer (the in-turn one, difficulty 2, when it is
// online and allowed) with that signer's key, dated parent.Time + Period,
// with Clique's checkpoint signer list every Epoch blocks, London base fee
// and gas limit, the transactions o.Txs returns executed by go-ethereum's
// state processor with the sealer as coinbase, and the block award
// credited by the same engine Finalize the node imports with (in a block
// without transactions, where the award is the only change, it is credited
// to the collector's account in the state trie directly, which is several
// times cheaper and gives the same root). They are written with
// go-ethereum's own database accessors as an import would write them: the
// block, its receipts, the canonical index, the transaction index, the
// head markers, every block's state (hash scheme, archive, as a DataDir
// chain keeps it) and Clique's signer snapshots; a new chain's blocks more
// than 90,000 below the final head go straight to the freezer, where the
// node's own freezer would move them. No block is re-verified on the way
// in (that is what makes it fast); tests import generated blocks into a
// fresh chain through the node's unmodified engine (Import) to show that
// they are blocks any Clique node with the same rules accepts.
//
// cfg must be the Config the chain is (or will be) opened with, with
// DataDir set and GenesisTime fixed (reopening needs it); the chain must
// not be open elsewhere. Every transaction must be valid and must succeed:
// one that cannot be executed fails Generate, one that reverts fails it
// with ErrReverted. The last block must not be dated after the wall clock
// (ErrFutureBlock, checked before anything is written). If Generate fails
// after it started writing, the directory holds a partial chain that may
// not reopen: discard it. Reopen the result with New(cfg).
func Generate(cfg Config, o GenerateOptions) (*types.Header, error) {
	if cfg.DataDir == "" {
		return nil, errors.New("devchain: generate: Config.DataDir is required")
	}
	if o.Blocks == 0 {
		return nil, errors.New("devchain: generate: no blocks requested")
	}
	// New writes the genesis and the award record, checks a reopened
	// directory against cfg and leaves the chain cleanly closed.
	cfg.HTTP = false
	c, err := New(cfg)
	if err != nil {
		return nil, err
	}
	g := &generator{
		c:      c,
		cfg:    c.cfg,
		chain:  c.bc.Config(),
		engine: c.bc.Engine(),
		head:   types.CopyHeader(c.bc.CurrentHeader()),
	}
	if c.cfg.BlockReward != nil {
		g.award = uint256.MustFromBig(c.cfg.BlockReward)
	}
	if err := c.Close(); err != nil {
		return nil, err
	}
	last := g.head.Time + o.Blocks*g.cfg.Period
	if now := uint64(time.Now().Unix()); last > now {
		return nil, fmt.Errorf("%w: block %d would be dated %d, wall clock %d (%d s ahead)", ErrFutureBlock,
			g.head.Number.Uint64()+o.Blocks, last, now, last-now)
	}
	return g.run(o)
}

type generator struct {
	c      *Chain // closed; for its signer order and keys
	cfg    Config
	chain  *params.ChainConfig
	engine consensus.Engine
	db     ethdb.Database
	head   *types.Header // the head Generate starts from
	award  *uint256.Int  // cfg.BlockReward, nil without
}

// The generator is the chain reader handed to the EVM and to the engine's
// Finalize; neither reads headers (BLOCKHASH is served by hashes), so it
// shows the chain as it was before Generate.
func (g *generator) Config() *params.ChainConfig  { return g.chain }
func (g *generator) CurrentHeader() *types.Header { return g.head }
func (g *generator) Engine() consensus.Engine     { return g.engine }
func (g *generator) GetHeader(hash common.Hash, number uint64) *types.Header {
	return rawdb.ReadHeader(g.db, hash, number)
}
func (g *generator) GetHeaderByNumber(number uint64) *types.Header {
	return rawdb.ReadHeader(g.db, rawdb.ReadCanonicalHash(g.db, number), number)
}
func (g *generator) GetHeaderByHash(hash common.Hash) *types.Header {
	if n, ok := rawdb.ReadHeaderNumber(g.db, hash); ok {
		return rawdb.ReadHeader(g.db, hash, n)
	}
	return nil
}

// Generate's batching: block data is written to the key-value store in
// batches of about genBatchBytes, and to the freezer (ancient store) in
// groups of genAncientBlocks.
const (
	genBatchBytes    = 4 << 20
	genAncientBlocks = 4096
	// genCacheMB is the database cache while generating: pebble's
	// memtables are an eighth of it each (256 MB). Smaller ones flush the
	// randomly keyed trie nodes into many small tables, and compaction
	// then costs more than everything else (and stalls writes); the
	// memory is only touched as it fills.
	genCacheMB = 2048
)

// immutabilityThreshold is how many blocks below the head the node's
// freezer leaves in the key-value store (params.FullImmutabilityThreshold;
// a variable for tests). Generate writes older blocks of a new chain
// straight to the freezer, where the node's own freezer would move them.
var immutabilityThreshold uint64 = params.FullImmutabilityThreshold

// built is a block executed by Generate's state stage: final but for its
// parent hash and seal, which the sealing stage adds.
type built struct {
	block    *types.Block
	receipts types.Receipts
	signer   int // Config index
	nodes    []trieNode
}

// trieNode is a new node of the state trie, stored under its hash.
type trieNode struct {
	hash common.Hash
	blob []byte
}

// hashes publishes the hashes of sealed blocks to the state stage, whose
// EVM needs them for BLOCKHASH. Generated blocks only: older ones are read
// from the database.
type hashes struct {
	mu     sync.Mutex
	cond   *sync.Cond
	ring   [256]common.Hash // BLOCKHASH's window, by number mod 256
	sealed uint64           // highest sealed block number
	failed chan struct{}    // closed when the sealing stage fails
}

func (hs *hashes) publish(number uint64, hash common.Hash) {
	hs.mu.Lock()
	hs.ring[number%uint64(len(hs.ring))] = hash
	hs.sealed = number
	hs.mu.Unlock()
	hs.cond.Broadcast()
}

func (hs *hashes) fail() {
	hs.mu.Lock()
	close(hs.failed)
	hs.mu.Unlock()
	hs.cond.Broadcast()
}

func (hs *hashes) isFailed() bool {
	select {
	case <-hs.failed:
		return true
	default:
		return false
	}
}

// wait returns the hash of generated block number once it is sealed (the
// zero hash if sealing failed).
func (hs *hashes) wait(number uint64) common.Hash {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for hs.sealed < number && !hs.isFailed() {
		hs.cond.Wait()
	}
	if hs.isFailed() {
		return common.Hash{}
	}
	return hs.ring[number%uint64(len(hs.ring))]
}

func (g *generator) run(o GenerateOptions) (head *types.Header, err error) {
	stack, err := node.New(&node.Config{Name: "devchain", DataDir: g.cfg.DataDir, Logger: log.NewLogger(g.c.log.Handler())})
	if err != nil {
		return nil, fmt.Errorf("devchain: generate: open data directory: %w", err)
	}
	defer func() {
		if cerr := stack.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("devchain: generate: close data directory: %w", cerr)
		}
	}()
	db, err := stack.OpenDatabaseWithOptions("chaindata", node.DatabaseOptions{Cache: genCacheMB, Handles: 256})
	if err != nil {
		return nil, fmt.Errorf("devchain: generate: open database: %w", err)
	}
	g.db = db
	// Only the generated state's live nodes are kept in tdb's memory;
	// the sealing stage writes them all (see build).
	tdb := triedb.NewDatabase(db, &triedb.Config{HashDB: &hashdb.Config{CleanCacheSize: 64 << 20}})
	defer tdb.Close()

	base := g.head.Number.Uint64()
	w := &writer{g: g, db: db, batch: &sortedBatch{db: db}, progress: o.Progress, base: base}
	// A new chain's blocks that the node's freezer would move to the
	// ancient store go there directly, the genesis first.
	if frozen, aerr := db.Ancients(); aerr == nil && frozen == 0 && base == 0 && base+o.Blocks > immutabilityThreshold {
		w.freezeTo = base + o.Blocks - immutabilityThreshold + 1
		genesis := rawdb.ReadBlock(db, g.head.Hash(), 0)
		if genesis == nil {
			return nil, errors.New("devchain: generate: genesis block missing")
		}
		w.ancient = append(w.ancient, genesis)
		w.ancientRcpts = append(w.ancientRcpts, rawdb.ReadReceiptsRLP(db, genesis.Hash(), 0))
	}
	hs := &hashes{sealed: base, failed: make(chan struct{})}
	hs.cond = sync.NewCond(&hs.mu)
	queue := make(chan built, 256)
	sealErr := make(chan error, 1)
	go func() {
		err := w.seal(queue, hs)
		if err != nil {
			hs.fail() // stops the state stage
		}
		sealErr <- err
	}()
	buildErr := g.build(o, tdb, hs, queue)
	close(queue)
	if err := <-sealErr; err != nil {
		return nil, err
	}
	if buildErr != nil {
		return nil, buildErr
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	return types.CopyHeader(w.parent), nil
}

// build is Generate's state stage: it executes each block on the state of
// the previous one, commits the state (every block's, as an archive node
// keeps it) and hands the block to the sealing stage.
func (g *generator) build(o GenerateOptions, tdb *triedb.Database, hs *hashes, queue chan<- built) error {
	sdb := state.NewDatabase(tdb, nil)
	base := g.head.Number.Uint64()
	// getHash serves BLOCKHASH: generated blocks once sealed, older ones
	// from the database.
	getHash := func(n uint64) common.Hash {
		if n > base {
			return hs.wait(n)
		}
		return rawdb.ReadCanonicalHash(g.db, n)
	}
	parent := g.head
	run := &awardRun{tdb: tdb, base: parent.Root, root: parent.Root}
	hist, err := g.c.historyIn(g, g.head)
	if err != nil {
		return fmt.Errorf("devchain: generate: %w", err)
	}
	extraLen := 32 + crypto.SignatureLength
	checkpointExtra := make([]byte, 32, extraLen+len(g.c.turn)*common.AddressLength)
	for _, i := range g.c.turn {
		checkpointExtra = append(checkpointExtra, g.c.addrs[i][:]...)
	}
	checkpointExtra = append(checkpointExtra, make([]byte, crypto.SignatureLength)...)
	for done := uint64(0); done < o.Blocks; done++ {
		number := parent.Number.Uint64() + 1
		clear(g.c.offline)
		if o.Offline != nil {
			for _, i := range o.Offline(number) {
				if i < 0 || i >= len(g.c.offline) {
					return fmt.Errorf("devchain: generate: block %d: offline signer index %d out of range [0,%d)", number, i, len(g.c.offline))
				}
				g.c.offline[i] = true
			}
		}
		k, diff, err := g.c.choose(number, hist)
		if err != nil {
			return fmt.Errorf("devchain: generate: %w", err)
		}
		hist[k] = int64(number)
		header := &types.Header{
			Number:     new(big.Int).SetUint64(number),
			GasLimit:   core.CalcGasLimit(parent.GasLimit, g.cfg.GasLimit),
			Time:       parent.Time + g.cfg.Period,
			Difficulty: big.NewInt(diff),
			BaseFee:    eip1559.CalcBaseFee(g.chain, parent),
			Extra:      make([]byte, extraLen),
		}
		if number%g.cfg.Epoch == 0 {
			header.Extra = append([]byte(nil), checkpointExtra...)
		}
		var txs []*types.Transaction
		if o.Txs != nil {
			if txs, err = o.Txs(number, header.Time); err != nil {
				return fmt.Errorf("devchain: generate: transactions of block %d: %w", number, err)
			}
		}
		var (
			block    *types.Block
			receipts types.Receipts
			nodes    []trieNode
		)
		if len(txs) == 0 {
			root, ns, ok, err := g.awardOnly(run, parent.Root, number)
			if err != nil {
				return err
			}
			if ok {
				header.Root, nodes = root, ns
				block = types.NewBlock(header, &types.Body{}, nil, trie.NewStackTrie(nil))
			}
		}
		if block == nil {
			if err := run.flush(); err != nil { // the parent's state into tdb
				return fmt.Errorf("devchain: generate: state of block %d: %w", parent.Number.Uint64(), err)
			}
			if block, receipts, nodes, err = g.execute(sdb, parent, header, k, txs, getHash); err != nil {
				return err
			}
			if header.Root != parent.Root {
				tdb.Dereference(parent.Root) // a no-op for nodes on disk
			}
			run.base, run.root = header.Root, header.Root
		}
		select {
		case queue <- built{block: block, receipts: receipts, signer: k, nodes: nodes}:
		case <-hs.failed:
			return nil // the sealing stage failed and reports why
		}
		parent = block.Header()
	}
	return nil
}

// execute runs a block the general way: txs executed by go-ethereum's
// state processor on the parent's state with the sealer (signer k) as
// coinbase, then the engine's Finalize (the award), the state root and
// the commit. header gets its Root and GasUsed; the receipts and the new
// trie nodes are returned with the block.
func (g *generator) execute(sdb state.Database, parent, header *types.Header, k int, txs []*types.Transaction, getHash vm.GetHashFunc) (*types.Block, types.Receipts, []trieNode, error) {
	number := header.Number.Uint64()
	st, err := state.New(parent.Root, sdb)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("devchain: generate: state of block %d: %w", parent.Number.Uint64(), err)
	}
	body := &types.Body{}
	var receipts types.Receipts
	if len(txs) > 0 {
		sealer := g.c.addrs[k]
		bctx := core.NewEVMBlockContext(header, g, &sealer)
		bctx.GetHash = getHash
		evm := vm.NewEVM(bctx, st, g.chain, vm.Config{})
		gp := core.NewGasPool(header.GasLimit)
		for i, tx := range txs {
			st.SetTxContext(tx.Hash(), i, uint32(i+1))
			r, _, err := core.ApplyTransaction(context.Background(), evm, gp, st, header, tx)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("devchain: generate: block %d transaction %d (%s): %w", number, i, tx.Hash(), err)
			}
			if r.Status != types.ReceiptStatusSuccessful {
				return nil, nil, nil, fmt.Errorf("%w: block %d transaction %d (%s)", ErrReverted, number, i, tx.Hash())
			}
			receipts = append(receipts, r)
		}
		header.GasUsed = gp.Used()
		body.Transactions = txs
	}
	// The node's engine: the award (if any) and Clique's own Finalize.
	g.engine.Finalize(g, header, st, body)
	rules := g.chain.Rules(header.Number, false, header.Time)
	header.Root = st.IntermediateRoot(rules)
	block := types.NewBlock(header, body, receipts, trie.NewStackTrie(nil))
	// The state goes to the disk through the sealing stage's batch (it
	// writes every new trie node under its hash, as the hash scheme's
	// Commit would); the trie database keeps the live nodes in memory and
	// build drops the previous state's dead ones, so that no block reads a
	// node that is not yet written.
	root, update, err := st.CommitWithUpdate(rules, number)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("devchain: generate: commit state of block %d: %w", number, err)
	}
	if root != header.Root {
		return nil, nil, nil, fmt.Errorf("devchain: generate: block %d: committed state root %s, header has %s", number, root, header.Root)
	}
	var nodes []trieNode
	if update.Nodes != nil {
		for _, set := range update.Nodes.Sets {
			nodes = appendNodes(nodes, set)
		}
	}
	return block, receipts, nodes, nil
}

func appendNodes(nodes []trieNode, set *trienode.NodeSet) []trieNode {
	for _, n := range set.Nodes {
		if !n.IsDeleted() {
			nodes = append(nodes, trieNode{n.Hash, n.Blob})
		}
	}
	return nodes
}

// awardOnly is the state transition of a block without transactions,
// without the general machinery: the award engine's Finalize credits the
// award to the collector and nothing else changes (Clique's Finalize does
// nothing, no account is touched), so only the collector's account is
// updated, in the account trie directly, and committed as StateDB.Commit
// commits it (leaves collected, so that the trie database links the
// account's storage). Without an award the state is the parent's. It
// reports false, for execute to do the block, when the collector does not
// exist yet (StateDB creates it). Import tests check that the roots are
// the engine's.
func (g *generator) awardOnly(run *awardRun, parentRoot common.Hash, number uint64) (common.Hash, []trieNode, bool, error) {
	if g.award == nil {
		return parentRoot, nil, true, nil
	}
	tr, err := trie.NewStateTrie(trie.StateTrieID(parentRoot), run)
	if err != nil {
		return common.Hash{}, nil, false, fmt.Errorf("devchain: generate: state of block %d: %w", number-1, err)
	}
	acct, err := tr.GetAccount(g.cfg.RewardCollector)
	if err != nil {
		return common.Hash{}, nil, false, fmt.Errorf("devchain: generate: collector in block %d: %w", number-1, err)
	}
	if acct == nil {
		return common.Hash{}, nil, false, nil
	}
	acct.Balance = new(uint256.Int).Add(acct.Balance, g.award)
	if err := tr.UpdateAccount(g.cfg.RewardCollector, acct, 0); err != nil {
		return common.Hash{}, nil, false, fmt.Errorf("devchain: generate: award of block %d: %w", number, err)
	}
	root, set := tr.Commit(true)
	if set == nil {
		return root, nil, true, nil
	}
	run.add(root, set, number)
	return root, appendNodes(nil, set), true, nil
}

// awardRun holds the state of a run of award-only blocks outside the trie
// database: each such block replaces the whole path from the root to the
// collector's account, so the newest block's new nodes, over the state of
// the block before the run (base, in the trie database), are the whole
// state; keeping them here spares the trie database's reference counting
// for every block. flush moves them into the trie database before a
// block that goes through StateDB.
type awardRun struct {
	tdb    *triedb.Database
	base   common.Hash // the state in tdb the run builds on
	root   common.Hash // the run's newest state; base if the run is empty
	nodes  map[common.Hash][]byte
	set    *trienode.NodeSet // nodes as committed, with the leaves
	number uint64
}

func (r *awardRun) add(root common.Hash, set *trienode.NodeSet, number uint64) {
	r.nodes = make(map[common.Hash][]byte, len(set.Nodes))
	for _, n := range set.Nodes {
		if !n.IsDeleted() {
			r.nodes[n.Hash] = n.Blob
		}
	}
	r.root, r.set, r.number = root, set, number
}

// flush inserts the run's newest state into the trie database in place of
// the base.
func (r *awardRun) flush() error {
	if r.root == r.base {
		return nil
	}
	if err := r.tdb.Update(r.root, r.base, r.number, trienode.NewWithNodeSet(r.set), nil); err != nil {
		return err
	}
	r.tdb.Dereference(r.base)
	r.base, r.nodes, r.set = r.root, nil, nil
	return nil
}

// NodeReader makes the run the node database of the award-only blocks'
// tries: the run's nodes, then the base state's.
func (r *awardRun) NodeReader(common.Hash) (database.NodeReader, error) {
	base, err := r.tdb.NodeReader(r.base)
	if err != nil {
		return nil, err
	}
	return &awardRunReader{r.nodes, base}, nil
}

type awardRunReader struct {
	nodes map[common.Hash][]byte
	base  database.NodeReader
}

func (rr *awardRunReader) Node(owner common.Hash, path []byte, hash common.Hash) ([]byte, error) {
	if blob, ok := rr.nodes[hash]; ok && owner == (common.Hash{}) {
		return blob, nil
	}
	return rr.base.Node(owner, path, hash)
}

// writer is Generate's sealing stage: it links each built block to its
// parent, seals it with its signer's key and writes it as an import would,
// to the freezer for blocks below freezeTo (a new chain's old blocks),
// otherwise to the key-value store.
type writer struct {
	g        *generator
	db       ethdb.Database
	batch    *sortedBatch
	progress func(uint64)
	base     uint64 // head number before Generate

	parent       *types.Header // last sealed block
	parentHash   common.Hash
	freezeTo     uint64 // blocks numbered below go to the freezer; 0: none
	ancient      []*types.Block
	ancientRcpts []rlp.RawValue
	sealers      []common.Address // sealers of the generated blocks, by number mod len
}

func (w *writer) seal(queue <-chan built, hs *hashes) error {
	w.sealers = make([]common.Address, len(w.g.c.addrs))
	w.parent = w.g.head
	w.parentHash = w.g.head.Hash()
	for b := range queue {
		h := b.block.Header()
		number := h.Number.Uint64()
		h.ParentHash = w.parentHash
		sig, err := crypto.Sign(clique.SealHash(h).Bytes(), w.g.c.keys[b.signer])
		if err != nil {
			return fmt.Errorf("devchain: generate: seal block %d: %w", number, err)
		}
		copy(h.Extra[len(h.Extra)-crypto.SignatureLength:], sig)
		block := b.block.WithSeal(h)
		hash := block.Hash()
		hs.publish(number, hash)
		for _, n := range b.nodes {
			rawdb.WriteLegacyTrieNode(w.batch, n.hash, n.blob)
		}

		if number < w.freezeTo {
			// As the node's freezer leaves a frozen block: data in the
			// freezer, the hash-to-number index in the key-value store.
			enc, err := rlp.EncodeToBytes(storageReceipts(b.receipts))
			if err != nil {
				return fmt.Errorf("devchain: generate: encode receipts of block %d: %w", number, err)
			}
			w.ancient = append(w.ancient, block)
			w.ancientRcpts = append(w.ancientRcpts, enc)
			rawdb.WriteHeaderNumber(w.batch, hash, number)
		} else {
			rawdb.WriteBlock(w.batch, block)
			rawdb.WriteReceipts(w.batch, hash, number, b.receipts)
			rawdb.WriteCanonicalHash(w.batch, hash, number)
		}
		rawdb.WriteTxLookupEntriesByBlock(w.batch, block)
		w.sealers[number%uint64(len(w.sealers))] = w.g.c.addrs[b.signer]
		if number%cliqueCheckpoint == 0 {
			if err := w.snapshot(number, hash); err != nil {
				return err
			}
		}
		w.parent, w.parentHash = h, hash
		if len(w.ancient) >= genAncientBlocks || w.batch.ValueSize() >= genBatchBytes {
			if err := w.flush(); err != nil {
				return err
			}
		}
		if done := number - w.base; w.progress != nil && done%10_000 == 0 {
			w.progress(done)
		}
	}
	return nil
}

// cliqueCheckpoint is Clique's snapshot interval (checkpointInterval in
// go-ethereum's clique package): the engine stores its signer snapshot at
// every multiple and, looking for one, loads it from there.
const cliqueCheckpoint = 1024

// snapshot stores Clique's snapshot after block number, as the engine
// stores it when it verifies the block: the genesis signers (devchain has
// no voting), no votes, and the sealers of the last N/2+1 blocks, which
// the recency rule looks at. Without it the node's first new block after
// a reopen would make the engine walk back, recovering every seal, to a
// trusted checkpoint up to 120,000 blocks deep. Only written when those
// sealers are all generated ones.
func (w *writer) snapshot(number uint64, hash common.Hash) error {
	limit := uint64(len(w.g.c.addrs)/2 + 1)
	if number < w.base+limit {
		return nil
	}
	snap := clique.Snapshot{Number: number, Hash: hash, Signers: map[common.Address]struct{}{},
		Recents: map[uint64]common.Address{}, Votes: []*clique.Vote{}, Tally: map[common.Address]clique.Tally{}}
	for _, a := range w.g.c.addrs {
		snap.Signers[a] = struct{}{}
	}
	for n := number - limit + 1; n <= number; n++ {
		snap.Recents[n] = w.sealers[n%uint64(len(w.sealers))]
	}
	blob, err := json.Marshal(&snap)
	if err != nil {
		return fmt.Errorf("devchain: generate: encode Clique snapshot %d: %w", number, err)
	}
	return w.batch.Put(append(append([]byte(nil), rawdb.CliqueSnapshotPrefix...), hash[:]...), blob)
}

// sortedBatch collects the sealing stage's key-value writes and applies
// them in key order: pebble inserts ascending keys into its memtable
// several times faster than random ones (trie nodes and hash indexes are
// keyed by hashes), which was a tenth of Generate's time.
type sortedBatch struct {
	db   ethdb.KeyValueStore
	kvs  []sortedKV
	size int
}

type sortedKV struct {
	key, value []byte
	seq        int // order of the Put, to keep the later of two writes of a key
}

// Put keeps key and value, which the caller must not change afterwards
// (go-ethereum's rawdb accessors allocate both).
func (b *sortedBatch) Put(key, value []byte) error {
	b.kvs = append(b.kvs, sortedKV{key, value, len(b.kvs)})
	b.size += len(key) + len(value)
	return nil
}

func (b *sortedBatch) Delete(key []byte) error {
	return fmt.Errorf("devchain: generate: unexpected delete of key %x", key)
}

func (b *sortedBatch) ValueSize() int { return b.size }

// Write applies the writes in key order; for a key written twice the
// later value wins, as in a batch.
func (b *sortedBatch) Write() error {
	slices.SortFunc(b.kvs, func(x, y sortedKV) int {
		if c := bytes.Compare(x.key, y.key); c != 0 {
			return c
		}
		return x.seq - y.seq
	})
	batch := b.db.NewBatchWithSize(b.size + 16*len(b.kvs))
	for _, kv := range b.kvs {
		if err := batch.Put(kv.key, kv.value); err != nil {
			return err
		}
	}
	return batch.Write()
}

func (b *sortedBatch) Reset() {
	clear(b.kvs)
	b.kvs, b.size = b.kvs[:0], 0
}

func storageReceipts(rs types.Receipts) []*types.ReceiptForStorage {
	out := make([]*types.ReceiptForStorage, len(rs))
	for i, r := range rs {
		out[i] = (*types.ReceiptForStorage)(r)
	}
	return out
}

// flush writes the freezer's pending blocks, then the key-value batch
// with the head markers at the last sealed block.
func (w *writer) flush() error {
	if len(w.ancient) > 0 {
		if _, err := rawdb.WriteAncientBlocks(w.db, w.ancient, w.ancientRcpts); err != nil {
			return fmt.Errorf("devchain: generate: write blocks %d-%d to the freezer: %w",
				w.ancient[0].NumberU64(), w.ancient[len(w.ancient)-1].NumberU64(), err)
		}
		w.ancient, w.ancientRcpts = w.ancient[:0], w.ancientRcpts[:0]
	}
	rawdb.WriteHeadHeaderHash(w.batch, w.parentHash)
	rawdb.WriteHeadFastBlockHash(w.batch, w.parentHash)
	rawdb.WriteHeadBlockHash(w.batch, w.parentHash)
	if err := w.batch.Write(); err != nil {
		return fmt.Errorf("devchain: generate: write blocks up to %d: %w", w.parent.Number.Uint64(), err)
	}
	w.batch.Reset()
	return nil
}

// finish writes what is pending and makes it durable.
func (w *writer) finish() error {
	// Every transaction is indexed: the node's indexer has nothing to do.
	rawdb.WriteTxIndexTail(w.batch, 0)
	if err := w.flush(); err != nil {
		return err
	}
	if w.freezeTo > 0 {
		if err := w.db.SyncAncient(); err != nil {
			return fmt.Errorf("devchain: generate: sync freezer: %w", err)
		}
	}
	if err := w.db.SyncKeyValue(); err != nil {
		return fmt.Errorf("devchain: generate: sync database: %w", err)
	}
	if w.progress != nil && (w.parent.Number.Uint64()-w.base)%10_000 != 0 {
		w.progress(w.parent.Number.Uint64() - w.base)
	}
	return nil
}
