package devchain

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/params"
	"github.com/ethereum/go-ethereum/rpc"
)

// MaxCommitBlocks bounds how many blocks Commit mines while waiting for its
// transactions.
const MaxCommitBlocks = 16

// TransactOpts returns bind options that sign with key for this chain's ID,
// for abigen bindings used with Client().
func (c *Chain) TransactOpts(key *ecdsa.PrivateKey) *bind.TransactOpts {
	return bind.NewKeyedTransactor(key, c.chainID)
}

// SendTx signs an EIP-1559 transaction from key (the account's next nonce
// counting pending pool transactions, gas
// estimated on the head state as if in the next block, with that block's
// number and synthetic time; tip 1 gwei, fee cap twice the head's base fee
// plus the tip) and adds it to the pool. to == nil creates a contract with
// data as init code. value may be nil. It does not mine; see Commit.
func (c *Chain) SendTx(ctx context.Context, key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte) (*types.Transaction, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	if value == nil {
		value = new(big.Int)
	}
	c.mu.Lock()
	if err := c.usable(); err != nil {
		c.mu.Unlock()
		return nil, err
	}
	head := c.bc.CurrentHeader()
	nextTime := head.Time + c.cfg.Period + c.addTime
	c.mu.Unlock()
	call := map[string]any{"from": from, "value": (*hexutil.Big)(value), "input": hexutil.Bytes(data)}
	if to != nil {
		call["to"] = *to
	}
	next := map[string]any{
		"number": (*hexutil.Big)(new(big.Int).Add(head.Number, common.Big1)),
		"time":   hexutil.Uint64(nextTime),
	}
	var gas hexutil.Uint64
	err := c.client.Client().CallContext(ctx, &gas, "eth_estimateGas", call,
		rpc.BlockNumberOrHashWithHash(head.Hash(), false), nil, next)
	if err != nil {
		return nil, fmt.Errorf("devchain: estimate gas: %w", err)
	}
	tip := big.NewInt(params.GWei)
	feeCap := new(big.Int).Mul(head.BaseFee, big.NewInt(2))
	feeCap.Add(feeCap, tip)
	tx, err := types.SignNewTx(key, c.txSign, &types.DynamicFeeTx{
		ChainID:   c.chainID,
		Nonce:     c.nextNonce(from),
		GasTipCap: tip,
		GasFeeCap: feeCap,
		Gas:       uint64(gas),
		To:        to,
		Value:     value,
		Data:      data,
	})
	if err != nil {
		return nil, fmt.Errorf("devchain: sign tx: %w", err)
	}
	if err := c.AddTx(tx); err != nil {
		return nil, err
	}
	return tx, nil
}

// nextNonce is the nonce for from's next transaction: the pool's pending
// nonce, or the head state's nonce while the pool's asynchronous reset still
// lags behind the head.
func (c *Chain) nextNonce(from common.Address) uint64 {
	n := c.eth.TxPool().PoolNonce(from)
	if st, err := c.bc.State(); err == nil {
		n = max(n, st.GetNonce(from))
	}
	return n
}

// AddTx adds signed transactions to the pool, as eth_sendRawTransaction
// would, and returns the first rejection.
func (c *Chain) AddTx(txs ...*types.Transaction) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.usable(); err != nil {
		return err
	}
	// The pool checks balances and nonces against the head it last reset
	// to, which lags the chain when blocks arrive in quick succession (a
	// transaction from an account funded in the newest block would be
	// refused for want of funds): let it catch up first.
	if err := c.eth.TxPool().Sync(); err != nil {
		return fmt.Errorf("devchain: sync the transaction pool: %w", err)
	}
	for i, err := range c.eth.TxPool().Add(txs, true) {
		if err != nil {
			return fmt.Errorf("devchain: add tx %s: %w", txs[i].Hash(), err)
		}
	}
	return nil
}

// Commit mines blocks (Mine's signer choice, at least one block) until every
// given transaction is in the canonical chain, and returns their receipts in
// the order given. Each transaction must be in the pool when Commit starts;
// after MaxCommitBlocks blocks it gives up. Receipts are read from the chain
// directly, not from the (asynchronous) transaction index.
func (c *Chain) Commit(txs ...*types.Transaction) ([]*types.Receipt, error) {
	where := make(map[common.Hash]*types.Receipt, len(txs))
	pool := c.eth.TxPool()
	for _, tx := range txs {
		if !pool.Has(tx.Hash()) {
			return nil, fmt.Errorf("devchain: tx %s is not in the pool", tx.Hash())
		}
		where[tx.Hash()] = nil
	}
	missing := len(txs)
	for n := 0; n < MaxCommitBlocks && (n == 0 || missing > 0); n++ {
		block, err := c.Mine()
		if err != nil {
			return nil, err
		}
		if len(block.Transactions()) == 0 {
			continue
		}
		receipts := c.bc.GetReceiptsByHash(block.Hash())
		for i, tx := range block.Transactions() {
			if r, want := where[tx.Hash()]; want && r == nil && i < len(receipts) {
				where[tx.Hash()] = receipts[i]
				missing--
			}
		}
	}
	out := make([]*types.Receipt, len(txs))
	for i, tx := range txs {
		if out[i] = where[tx.Hash()]; out[i] == nil {
			return nil, fmt.Errorf("devchain: tx %s not included after %d blocks", tx.Hash(), MaxCommitBlocks)
		}
	}
	return out, nil
}

// Deploy sends a contract creation from key with init code code, mines it
// and returns the contract's address and receipt. A reverted creation is an
// error.
func (c *Chain) Deploy(ctx context.Context, key *ecdsa.PrivateKey, code []byte) (common.Address, *types.Receipt, error) {
	tx, err := c.SendTx(ctx, key, nil, nil, code)
	if err != nil {
		return common.Address{}, nil, err
	}
	rs, err := c.Commit(tx)
	if err != nil {
		return common.Address{}, nil, err
	}
	if rs[0].Status != types.ReceiptStatusSuccessful {
		return common.Address{}, rs[0], fmt.Errorf("devchain: deployment %s reverted", tx.Hash())
	}
	return rs[0].ContractAddress, rs[0], nil
}
