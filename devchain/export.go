package devchain

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/ethereum/go-ethereum/core/types"
)

// Import inserts blocks built elsewhere (by Generate into another data
// directory, or read from another node) through the node's unmodified
// engine, as a peer's blocks would be: every header, seal, Clique rule,
// transaction and state root (with the block award) is verified, and the
// last valid block becomes the head. It returns how many blocks were
// inserted before the first invalid one, with that block's error.
func (c *Chain) Import(blocks types.Blocks) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return 0, err
	}
	n, err := c.bc.InsertChain(blocks)
	if perr := c.persist(); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return n, fmt.Errorf("devchain: import block %d: %w", blocks[min(n, len(blocks)-1)].NumberU64(), err)
	}
	return n, nil
}

// ExportRLP writes the canonical blocks from..to (inclusive) to w, RLP
// encoded one after another: the format of `geth export` that `geth
// import` reads. A chain with a block award can only be imported by a node
// that awards the same way; one without (Config.BlockReward nil) is stock
// Clique.
func (c *Chain) ExportRLP(w io.Writer, from, to uint64) error {
	if err := c.bc.ExportN(w, from, to); err != nil {
		return fmt.Errorf("devchain: export blocks %d-%d: %w", from, to, err)
	}
	return nil
}

// GenesisJSON returns the chain's genesis in the JSON of `geth init`
// (chain configuration with Clique, London from block 0, no Shanghai;
// extraData with the signers; the allocation), from which stock
// go-ethereum builds the same genesis block. The block award is not part
// of it: stock geth cannot follow a chain that has one.
func (c *Chain) GenesisJSON() ([]byte, error) {
	data, err := json.MarshalIndent(c.genesis, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("devchain: encode genesis: %w", err)
	}
	return data, nil
}
