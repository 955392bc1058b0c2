package devchain

import (
	"context"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/core/types"
)

// MaxReorgDepth is the deepest fork point Reorg can use in general: the node
// keeps the states of the last 128 blocks only. (A deeper fork works when the
// state has not changed since, e.g. over empty blocks.)
const MaxReorgDepth = 128

// Fork describes a competing branch for Reorg.
type Fork struct {
	// Depth is how many blocks of the current chain the branch replaces: it
	// forks from the canonical block at head-Depth. At least 1.
	Depth int
	// Length is the number of blocks in the new branch. At least 1. With the
	// default signer choice, Length > Depth normally makes it heavier.
	Length int
	// Signers optionally names the sealer of each new block (indexes into
	// Config.Signers); its length must be Length. Empty means Mine's choice,
	// applied to the branch's own history. Offline signers are refused.
	Signers []int
	// Txs go into the branch's first block and must be valid on top of the
	// fork point. The branch includes nothing from the pool.
	Txs []*types.Transaction
}

// Reorg builds the branch described by f, has the engine verify every block
// as it is inserted beside the canonical chain, and then makes the branch
// canonical in one step (BlockChain.SetCanonical). As go-ethereum v1.17 has
// no total-difficulty fork choice, Reorg applies Clique's: if the branch's
// total difficulty does not exceed that of the blocks it replaces, it returns
// ErrLighterBranch before building anything. Afterwards the RPC serves the
// new branch, and transactions only in the old branch are back in the pool:
// the next Mine re-includes them if still valid (go-ethereum's pool skips
// this when the old and new head numbers differ by more than 64). Branch
// blocks are timestamped parent.Time + Period and carry a vanity marker so
// that they differ from the blocks they replace. Reorg returns the branch's
// blocks; on error the canonical chain is unchanged (blocks of a branch that
// failed midway stay in the database as a side chain).
func (c *Chain) Reorg(f Fork) ([]*types.Block, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return nil, err
	}
	head := c.bc.CurrentHeader()
	if f.Depth < 1 || uint64(f.Depth) > head.Number.Uint64() {
		return nil, fmt.Errorf("devchain: reorg depth %d out of range [1,%d]", f.Depth, head.Number.Uint64())
	}
	if f.Length < 1 {
		return nil, fmt.Errorf("devchain: reorg length %d must be at least 1", f.Length)
	}
	if len(f.Signers) != 0 && len(f.Signers) != f.Length {
		return nil, fmt.Errorf("devchain: reorg has %d signers for %d blocks", len(f.Signers), f.Length)
	}
	base := c.bc.GetHeaderByNumber(head.Number.Uint64() - uint64(f.Depth))
	if base == nil {
		return nil, fmt.Errorf("devchain: missing canonical header %d", head.Number.Uint64()-uint64(f.Depth))
	}
	if !c.bc.HasState(base.Root) {
		return nil, fmt.Errorf("devchain: reorg: the state of fork point %d is no longer kept (only the last %d blocks' states are)",
			base.Number.Uint64(), MaxReorgDepth)
	}
	oldTD := new(big.Int)
	for h := head; h.Number.Cmp(base.Number) > 0; h = c.bc.GetHeader(h.ParentHash, h.Number.Uint64()-1) {
		oldTD.Add(oldTD, h.Difficulty)
	}

	// Plan the sealers and the difficulty Clique will require of each.
	hist, err := c.history(base)
	if err != nil {
		return nil, err
	}
	signers := make([]int, f.Length)
	newTD := new(big.Int)
	for k := range signers {
		number := base.Number.Uint64() + 1 + uint64(k)
		var i int
		var diff int64
		if len(f.Signers) > 0 {
			i = f.Signers[k]
			if i < 0 || i >= len(c.keys) {
				return nil, fmt.Errorf("devchain: reorg block %d: signer index %d out of range", k, i)
			}
			if c.offline[i] {
				return nil, fmt.Errorf("devchain: reorg block %d: signer %d: %w", k, i, ErrOffline)
			}
			diff = 1
			if c.InTurn(number) == i {
				diff = 2
			}
		} else if i, diff, err = c.choose(number, hist); err != nil {
			return nil, fmt.Errorf("devchain: reorg block %d: %w", k, err)
		}
		signers[k] = i
		hist[i] = int64(number)
		newTD.Add(newTD, big.NewInt(diff))
	}
	if newTD.Cmp(oldTD) <= 0 {
		return nil, fmt.Errorf("%w: branch difficulty %s, replaced blocks %s", ErrLighterBranch, newTD, oldTD)
	}

	c.forks++
	var vanity [32]byte
	copy(vanity[:], fmt.Sprintf("devchain fork %d", c.forks))
	blocks := make([]*types.Block, 0, f.Length)
	parent := base
	for k, i := range signers {
		txs, empty := f.Txs, len(f.Txs) == 0
		if k > 0 {
			txs, empty = nil, true
		}
		block, err := c.build(parent, c.keys[i], parent.Time+c.cfg.Period, nil, vanity, txs, empty)
		if err != nil {
			return nil, fmt.Errorf("devchain: reorg block %d: %w", k, err)
		}
		if _, err := c.bc.InsertBlockWithoutSetHead(context.Background(), block, false); err != nil {
			return nil, fmt.Errorf("devchain: reorg: insert block %d: %w", block.NumberU64(), err)
		}
		blocks = append(blocks, block)
		parent = block.Header()
	}
	if _, err := c.bc.SetCanonical(blocks[len(blocks)-1]); err != nil {
		return nil, fmt.Errorf("devchain: reorg: set canonical head %d: %w", parent.Number.Uint64(), err)
	}
	if err := c.persist(); err != nil {
		return nil, err
	}
	if err := c.eth.TxPool().Sync(); err != nil {
		return nil, fmt.Errorf("devchain: reorg: sync tx pool: %w", err)
	}
	c.log.Info("devchain reorg", "depth", f.Depth, "length", f.Length, "from", base.Number,
		"oldHead", head.Hash(), "newHead", parent.Hash(), "oldTD", oldTD, "newTD", newTD)
	return blocks, nil
}
