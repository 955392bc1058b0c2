package devchain

import (
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/consensus/misc/eip1559"
	"github.com/ethereum/go-ethereum/core"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// bulkBatch is how many empty blocks MineN builds before inserting them
// with one InsertChain call.
const bulkBatch = 512

// pendingChain is the chain as the builder of a batch sees it: the node's
// blockchain extended by the sealed blocks of the batch not yet inserted.
// Clique's Prepare reads the parents (and its signer snapshot) through it.
type pendingChain struct {
	*core.BlockChain
	byHash map[common.Hash]*types.Header
	byNum  map[uint64]*types.Header
	head   *types.Header
}

func (p *pendingChain) add(h *types.Header) {
	p.byHash[h.Hash()] = h
	p.byNum[h.Number.Uint64()] = h
	p.head = h
}

func (p *pendingChain) CurrentHeader() *types.Header { return p.head }

func (p *pendingChain) GetHeader(hash common.Hash, number uint64) *types.Header {
	if h, ok := p.byHash[hash]; ok && h.Number.Uint64() == number {
		return h
	}
	return p.BlockChain.GetHeader(hash, number)
}

func (p *pendingChain) GetHeaderByHash(hash common.Hash) *types.Header {
	if h, ok := p.byHash[hash]; ok {
		return h
	}
	return p.BlockChain.GetHeaderByHash(hash)
}

func (p *pendingChain) GetHeaderByNumber(number uint64) *types.Header {
	if h, ok := p.byNum[number]; ok {
		return h
	}
	return p.BlockChain.GetHeaderByNumber(number)
}

// mineEmptyLocked mines up to n empty blocks with Mine's signer choice: it
// builds and seals them on one state (each block's only change is the award
// credited by the engine's Finalize), then inserts them with a single
// InsertChain, which verifies every header and seal with the node's
// unmodified engine and re-executes every block against its state root. It
// returns how many blocks are now in the chain. c.mu is held.
func (c *Chain) mineEmptyLocked(n int) (int, error) {
	head := c.bc.CurrentHeader()
	statedb, err := c.bc.StateAt(head.Root, head.Number, head.Time)
	if err != nil {
		return 0, fmt.Errorf("devchain: state of block %d: %w", head.Number.Uint64(), err)
	}
	pc := &pendingChain{BlockChain: c.bc, byHash: make(map[common.Hash]*types.Header, n),
		byNum: make(map[uint64]*types.Header, n), head: head}
	cfg := c.bc.Config()
	blocks := make(types.Blocks, 0, n)
	parent := head
	var buildErr error
	for len(blocks) < n {
		number := parent.Number.Uint64() + 1
		t := parent.Time + c.cfg.Period
		if len(blocks) == 0 {
			t += c.addTime
		}
		if now := uint64(time.Now().Unix()); t > now {
			buildErr = fmt.Errorf("%w: block %d at %d, wall clock %d (%d s ahead)", ErrFutureBlock, number, t, now, t-now)
			break
		}
		hist, err := c.historyIn(pc, parent)
		if err != nil {
			buildErr = err
			break
		}
		i, _, err := c.choose(number, hist)
		if err != nil {
			buildErr = err
			break
		}
		key := c.keys[i]
		addr := c.addrs[i]
		header := &types.Header{
			ParentHash: parent.Hash(),
			Number:     new(big.Int).SetUint64(number),
			GasLimit:   core.CalcGasLimit(parent.GasLimit, c.cfg.GasLimit),
			Time:       t,
			Coinbase:   addr,
			Extra:      make([]byte, 32),
		}
		if cfg.IsLondon(header.Number) {
			header.BaseFee = eip1559.CalcBaseFee(cfg, parent)
		}
		c.clique.Authorize(addr)
		if err := c.engine.Prepare(pc, header); err != nil {
			buildErr = fmt.Errorf("devchain: build block %d: %w", number, err)
			break
		}
		body := &types.Body{}
		c.engine.Finalize(pc, header, statedb, body)
		block := core.AssembleBlock(pc, header, statedb, body, nil, nil)
		if err := statedb.Error(); err != nil {
			buildErr = fmt.Errorf("devchain: build block %d: %w", number, err)
			break
		}
		h := block.Header()
		sig, err := crypto.Sign(clique.SealHash(h).Bytes(), key)
		if err != nil {
			buildErr = fmt.Errorf("devchain: seal block %d: %w", number, err)
			break
		}
		copy(h.Extra[len(h.Extra)-crypto.SignatureLength:], sig)
		block = block.WithSeal(h)
		blocks = append(blocks, block)
		pc.add(block.Header())
		c.remember(block.Hash(), addr)
		parent = block.Header()
	}
	if len(blocks) == 0 {
		return 0, buildErr
	}
	done, err := c.bc.InsertChain(blocks)
	if done > 0 || err == nil {
		c.addTime = 0
	}
	if perr := c.persist(); perr != nil && err == nil {
		err = perr
	}
	if err != nil {
		return done, fmt.Errorf("devchain: insert block %d: %w", blocks[min(done, len(blocks)-1)].NumberU64(), err)
	}
	c.log.Debug("devchain blocks", "from", blocks[0].NumberU64(), "to", blocks[len(blocks)-1].NumberU64(),
		"head", blocks[len(blocks)-1].Hash())
	return len(blocks), buildErr
}
