package devchain

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/beacon/engine"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/miner"
)

// buildEngine is the consensus engine handed to devchain's own miner. It is
// the node's engine (beacon wrapping clique) with one change in Prepare:
// Clique's Prepare raises the timestamp to the wall clock, which would make
// synthetic time impossible, so the timestamp the miner asked for is put
// back. A forged difficulty (tests of the engine's checks) is applied there
// too. Blocks are still verified by the node's unmodified engine on insert.
type buildEngine struct {
	consensus.Engine

	mu         sync.Mutex
	forgeFor   common.Hash // parent hash the forged difficulty applies to
	forgedDiff *big.Int
}

func (e *buildEngine) Prepare(chain consensus.ChainHeaderReader, header *types.Header) error {
	requested := header.Time
	if err := e.Engine.Prepare(chain, header); err != nil {
		return err
	}
	header.Time = requested
	e.mu.Lock()
	if e.forgedDiff != nil && e.forgeFor == header.ParentHash {
		header.Difficulty = new(big.Int).Set(e.forgedDiff)
	}
	e.mu.Unlock()
	return nil
}

func (e *buildEngine) forge(parent common.Hash, diff *big.Int) {
	e.mu.Lock()
	e.forgeFor, e.forgedDiff = parent, diff
	e.mu.Unlock()
}

// BlockOpts describes one block for MineWith. Zero fields mean "what Mine
// would do"; the overrides exist to test that the engine rejects bad blocks.
type BlockOpts struct {
	// Key seals the block; required. It need not belong to a signer.
	Key *ecdsa.PrivateKey
	// Difficulty replaces the difficulty Clique computes for Key (2 in turn,
	// 1 out of turn).
	Difficulty *big.Int
	// Time replaces the timestamp (default parent.Time + Period + AdjustTime).
	// The AdjustTime amount is consumed either way.
	Time uint64
	// Txs are included instead of the pool's pending transactions; they must
	// all be valid, in order.
	Txs []*types.Transaction
	// Empty builds a block without transactions.
	Empty bool
}

// MineBy seals the next block with Config.Signers[signer], including the
// pool's pending transactions. The difficulty is Clique's (2 in turn, 1 out
// of turn). If Clique forbids the block (for example the signer sealed one
// of the last N/2 blocks) the engine's verification error is returned and
// the head does not move. An offline signer gives ErrOffline.
func (c *Chain) MineBy(signer int) (*types.Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	if signer < 0 || signer >= len(c.keys) {
		return nil, fmt.Errorf("devchain: signer index %d out of range [0,%d)", signer, len(c.keys))
	}
	if c.offline[signer] {
		return nil, fmt.Errorf("devchain: signer %d: %w", signer, ErrOffline)
	}
	return c.mineLocked(BlockOpts{Key: c.keys[signer]})
}

// Mine seals the next block with the signer a live network would use: the
// in-turn signer if it is online and not barred by the recency rule,
// otherwise the online signer allowed to seal that has gone longest without
// sealing. It never uses an offline signer and returns ErrNoSigner when no
// signer may seal.
func (c *Chain) Mine() (*types.Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	head := c.bc.CurrentHeader()
	hist, err := c.history(head)
	if err != nil {
		return nil, err
	}
	i, _, err := c.choose(head.Number.Uint64()+1, hist)
	if err != nil {
		return nil, err
	}
	return c.mineLocked(BlockOpts{Key: c.keys[i]})
}

// MineWith seals the next block as described by o, with no check of its own
// beyond the wall clock: the engine decides whether the block is valid.
func (c *Chain) MineWith(o BlockOpts) (*types.Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	if o.Key == nil {
		return nil, fmt.Errorf("devchain: BlockOpts.Key is required")
	}
	return c.mineLocked(o)
}

// MineN mines n blocks as n calls of Mine would and stops at the first
// error. While the pool holds no transactions it builds empty blocks in
// batches and inserts each batch with one InsertChain call: every block is
// still sealed by its signer's key and verified (seal, Clique rules, state
// root with the award) by the node's engine on insert, but the per-block
// overhead of the node's head-event consumers (pool resets, indexers) is
// paid once per batch.
func (c *Chain) MineN(n int) error {
	for done := 0; done < n; {
		c.mu.Lock()
		if err := c.usable(); err != nil {
			c.mu.Unlock()
			return fmt.Errorf("devchain: block %d of %d: %w", done+1, n, err)
		}
		if pending, queued := c.eth.TxPool().Stats(); pending+queued == 0 {
			k, err := c.mineEmptyLocked(min(n-done, bulkBatch))
			c.mu.Unlock()
			done += k
			if err != nil {
				return fmt.Errorf("devchain: block %d of %d: %w", done+1, n, err)
			}
			continue
		}
		c.mu.Unlock()
		if _, err := c.Mine(); err != nil {
			return fmt.Errorf("devchain: block %d of %d: %w", done+1, n, err)
		}
		done++
	}
	return nil
}

// SetOffline marks a signer offline (it seals nothing: Mine skips it and
// MineBy refuses it) or back online.
func (c *Chain) SetOffline(signer int, offline bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if signer >= 0 && signer < len(c.offline) {
		c.offline[signer] = offline
	}
}

// AdjustTime adds d (whole seconds; the remainder is dropped) to the
// timestamp of the next block, on top of Period; calls accumulate until a
// block is mined. The chain never waits: the next block simply carries the
// later time. It fails for negative d. If the result would be after the wall
// clock, the next Mine fails with ErrFutureBlock and the adjustment stays.
func (c *Chain) AdjustTime(d time.Duration) error {
	if d < 0 {
		return fmt.Errorf("devchain: cannot move time backwards (%s)", d)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.addTime += uint64(d / time.Second)
	return nil
}

// Step is one stretch of a scripted run.
type Step struct {
	Blocks  int           // blocks to mine with Mine's signer choice
	Offline []int         // signers offline during this step; all others are online
	Advance time.Duration // added to the time of the step's first block (AdjustTime)
}

// Run mines the steps in order. During a step exactly Step.Offline is
// offline; the offline set in force before Run is restored when it returns.
// Run checks ctx before every block and returns ctx's error (wrapped) if it
// is cancelled; blocks already mined stay. Other producers may interleave
// blocks between Run's blocks; don't call SetOffline concurrently with Run.
func (c *Chain) Run(ctx context.Context, steps []Step) error {
	c.mu.Lock()
	saved := append([]bool(nil), c.offline...)
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		copy(c.offline, saved)
		c.mu.Unlock()
	}()
	for si, st := range steps {
		c.mu.Lock()
		for i := range c.offline {
			c.offline[i] = false
		}
		for _, i := range st.Offline {
			if i < 0 || i >= len(c.offline) {
				c.mu.Unlock()
				return fmt.Errorf("devchain: step %d: signer index %d out of range", si, i)
			}
			c.offline[i] = true
		}
		c.mu.Unlock()
		if st.Advance > 0 {
			if err := c.AdjustTime(st.Advance); err != nil {
				return fmt.Errorf("devchain: step %d: %w", si, err)
			}
		}
		for b := 0; b < st.Blocks; b++ {
			if err := ctx.Err(); err != nil {
				return fmt.Errorf("devchain: step %d block %d: %w", si, b, err)
			}
			if _, err := c.Mine(); err != nil {
				return fmt.Errorf("devchain: step %d block %d: %w", si, b, err)
			}
		}
	}
	return nil
}

func (c *Chain) usable() error {
	if c.closed {
		return ErrClosed
	}
	return nil
}

// mineLocked builds the next block on the current head, seals it with o.Key
// and inserts it. c.mu is held.
func (c *Chain) mineLocked(o BlockOpts) (*types.Block, error) {
	head := c.bc.CurrentHeader()
	t := o.Time
	if t == 0 {
		t = head.Time + c.cfg.Period + c.addTime
	}
	if now := uint64(time.Now().Unix()); t > now {
		return nil, fmt.Errorf("%w: block %d at %d, wall clock %d (%d s ahead)", ErrFutureBlock,
			head.Number.Uint64()+1, t, now, t-now)
	}
	txs, empty := o.Txs, o.Empty
	if !empty && txs == nil {
		// Let the pool catch up with the head (it resets asynchronously) so
		// that it offers no transactions that were just included.
		if pending, queued := c.eth.TxPool().Stats(); pending+queued == 0 {
			empty = true
		} else if err := c.eth.TxPool().Sync(); err != nil {
			return nil, fmt.Errorf("devchain: sync tx pool: %w", err)
		}
	}
	block, err := c.build(head, o.Key, t, o.Difficulty, [32]byte{}, txs, empty)
	if err != nil {
		return nil, err
	}
	if _, err := c.bc.InsertChain(types.Blocks{block}); err != nil {
		return nil, fmt.Errorf("devchain: insert block %d: %w", block.NumberU64(), err)
	}
	if err := c.persist(); err != nil {
		return nil, err
	}
	c.addTime = 0
	c.remember(block.Hash(), crypto.PubkeyToAddress(o.Key.PublicKey))
	c.log.Debug("devchain block", "number", block.NumberU64(), "hash", block.Hash(),
		"difficulty", block.Difficulty(), "txs", len(block.Transactions()), "time", block.Time())
	return block, nil
}

// persist makes the new head durable when the chain lives in a data
// directory: go-ethereum writes without syncing, and a process killed
// before its write-ahead log fills a block would reopen at an older head,
// a reorg of blocks that others have already seen. One sync per block is
// cheap at the rates a development chain runs. c.mu is held.
func (c *Chain) persist() error {
	if c.cfg.DataDir == "" {
		return nil
	}
	if err := c.eth.ChainDb().SyncKeyValue(); err != nil {
		return fmt.Errorf("devchain: sync data directory: %w", err)
	}
	return nil
}

// build has the miner assemble a block on parent and seals it with key.
// txs == nil && !empty takes the pool's pending transactions.
func (c *Chain) build(parent *types.Header, key *ecdsa.PrivateKey, t uint64, diff *big.Int, vanity [32]byte, txs []*types.Transaction, empty bool) (*types.Block, error) {
	addr := crypto.PubkeyToAddress(key.PublicKey)
	c.clique.Authorize(addr) // Clique's Prepare derives the difficulty from it
	c.engine.forge(parent.Hash(), diff)
	defer c.engine.forge(common.Hash{}, nil)

	args := &miner.BuildPayloadArgs{
		Parent:       parent.Hash(),
		Timestamp:    t,
		FeeRecipient: addr, // the EVM coinbase on import is the recovered sealer
		Version:      engine.PayloadV1,
	}
	block, _, err := c.miner.BuildTestingPayload(args, txs, empty, vanity[:])
	if err != nil {
		return nil, fmt.Errorf("devchain: build block %d: %w", parent.Number.Uint64()+1, err)
	}
	h := block.Header()
	sig, err := crypto.Sign(clique.SealHash(h).Bytes(), key)
	if err != nil {
		return nil, fmt.Errorf("devchain: seal block %d: %w", h.Number.Uint64(), err)
	}
	copy(h.Extra[len(h.Extra)-crypto.SignatureLength:], sig)
	return block.WithSeal(h), nil
}

// sealHistory holds, for each signer (Config index), the number of the last
// block it sealed among recent blocks, or -1.
type sealHistory []int64

// history looks back from head far enough to know who sealed each of the
// last N blocks. c.mu is held.
func (c *Chain) history(head *types.Header) (sealHistory, error) {
	return c.historyIn(c.bc, head)
}

// historyIn is history reading headers from chain.
func (c *Chain) historyIn(chain interface {
	GetHeader(common.Hash, uint64) *types.Header
}, head *types.Header) (sealHistory, error) {
	hist := make(sealHistory, len(c.keys))
	for i := range hist {
		hist[i] = -1
	}
	hash, number := head.Hash(), head.Number.Uint64()
	for k := 0; k < len(c.keys) && number > 0; k++ {
		h := chain.GetHeader(hash, number)
		if h == nil {
			return nil, fmt.Errorf("devchain: missing header %d (%s)", number, hash)
		}
		a, ok := c.sealers[hash]
		if !ok {
			var err error
			if a, err = Sealer(h); err != nil {
				return nil, err
			}
			c.remember(hash, a)
		}
		for i, s := range c.addrs {
			if s == a && hist[i] < 0 {
				hist[i] = int64(number)
			}
		}
		hash, number = h.ParentHash, number-1
	}
	return hist, nil
}

// remember caches the sealer of a block. c.mu is held.
func (c *Chain) remember(hash common.Hash, sealer common.Address) {
	if len(c.sealers) >= 4*MaxSigners*64 {
		clear(c.sealers) // cheap bound; the cache refills from headers
	}
	c.sealers[hash] = sealer
}

// recent reports whether Clique's recency rule bars signer i from sealing
// block number: it sealed one of the last N/2 blocks.
func (c *Chain) recent(hist sealHistory, i int, number uint64) bool {
	limit := int64(len(c.keys)/2 + 1)
	return hist[i] >= 0 && hist[i] > int64(number)-limit
}

// choose picks the signer for block number the way Mine documents and
// returns it with the difficulty Clique will require.
func (c *Chain) choose(number uint64, hist sealHistory) (int, int64, error) {
	in := c.InTurn(number)
	if !c.offline[in] && !c.recent(hist, in, number) {
		return in, 2, nil
	}
	best := -1
	// Walk in turn order after the in-turn signer so ties are broken the way
	// the turn rotates.
	n := len(c.turn)
	for k := 1; k < n; k++ {
		i := c.turn[(int(number%uint64(n))+k)%n]
		if c.offline[i] || c.recent(hist, i, number) {
			continue
		}
		if best < 0 || hist[i] < hist[best] {
			best = i
		}
	}
	if best < 0 {
		return 0, 0, fmt.Errorf("%w (block %d)", ErrNoSigner, number)
	}
	return best, 1, nil
}
