package txsend

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// Every RPC call below is bounded by cfg.RPCTimeout. A nil block means the
// latest block. Errors that the next poll may not meet again are marked
// with retry.

// Header reads the header at number (nil: the latest), bounded by
// RPCTimeout; a node that answers without a header is an error.
func (s *Sender) Header(ctx context.Context, number *big.Int) (*types.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	h, err := s.b.HeaderByNumber(ctx, number)
	if err == nil && (h == nil || h.Number == nil) {
		err = errors.New("node returned no header")
	}
	return h, err
}

func (s *Sender) receipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	return s.b.TransactionReceipt(ctx, hash)
}

func (s *Sender) nonceAt(ctx context.Context, block *big.Int) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	n, err := s.b.NonceAt(ctx, s.addr, block)
	if err != nil {
		return 0, retry("read account nonce", err)
	}
	return n, nil
}

func (s *Sender) estimateGas(ctx context.Context, c Call) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	est, err := s.b.EstimateGas(ctx, s.msg(c))
	if err != nil {
		return 0, callError("estimate gas", err)
	}
	return est, nil
}

// callError classifies the error of an eth_call or gas estimate: a revert
// is ErrReverted with the decoded custom error, a balance below the call's
// value ErrInsufficientFunds, anything else an RPC failure worth a retry.
func callError(what string, err error) error {
	switch {
	case isRevert(err):
		return fmt.Errorf("%w: %s", ErrReverted, contracts.DecodeRevert(err))
	case strings.Contains(strings.ToLower(err.Error()), "insufficient funds"):
		return fmt.Errorf("%w: %s: %w", ErrInsufficientFunds, what, err)
	}
	return retry(what, err)
}

// marketFees prices a transaction now (see doc.go, Fees).
func (s *Sender) marketFees(ctx context.Context, head *types.Header) (fees, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	if head.BaseFee == nil {
		p, err := s.b.SuggestGasPrice(ctx)
		if err != nil {
			return fees{}, retry("suggest gas price", err)
		}
		return legacyFees(p, s.cfg.MaxFeeCap), nil
	}
	tip, err := s.b.SuggestGasTipCap(ctx)
	if err != nil {
		return fees{}, retry("suggest gas tip", err)
	}
	return dynamicFees(head.BaseFee, tip, s.cfg.MaxFeeCap, s.cfg.MaxTipCap), nil
}

// affordable reports whether our latest balance pays gas at f's fee cap
// plus value; need is that sum.
func (s *Sender) affordable(ctx context.Context, gas uint64, f fees, value *big.Int) (ok bool, bal, need *big.Int, err error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	bal, err = s.b.BalanceAt(ctx, s.addr, nil)
	if err != nil {
		return false, nil, nil, retry("read balance", err)
	}
	need = f.maxCost(gas)
	if value != nil {
		need.Add(need, value)
	}
	return bal.Cmp(need) >= 0, bal, need, nil
}

// sign builds and signs the call's transaction (without a recipient for a
// creation).
func (s *Sender) sign(c Call, nonce, gas uint64, f fees) (Attempt, error) {
	var inner types.TxData
	if f.legacy() {
		inner = &types.LegacyTx{Nonce: nonce, GasPrice: f.GasPrice, Gas: gas, To: c.to(), Value: c.value(), Data: c.Data}
	} else {
		inner = &types.DynamicFeeTx{ChainID: s.chainID, Nonce: nonce, GasTipCap: f.TipCap, GasFeeCap: f.FeeCap,
			Gas: gas, To: c.to(), Value: c.value(), Data: c.Data}
	}
	tx, err := types.SignNewTx(s.key, s.signer, inner)
	if err != nil {
		return Attempt{}, fmt.Errorf("sign transaction: %w", err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return Attempt{}, fmt.Errorf("encode transaction: %w", err)
	}
	return Attempt{Nonce: nonce, Hash: tx.Hash(), Gas: gas, TipCap: f.TipCap, FeeCap: f.FeeCap, GasPrice: f.GasPrice,
		Raw: raw, Created: s.now().UTC()}, nil
}

// isRevert reports whether a call or gas estimate failed because the
// contract reverted, as opposed to the RPC failing.
func isRevert(err error) bool {
	if _, ok := contracts.RevertData(err); ok {
		return true
	}
	return strings.Contains(err.Error(), "execution reverted")
}

type sendKind int

const (
	sendOK    sendKind = iota
	sendKnown          // the node has it, or the nonce is used: receipts decide
	sendFatal          // waiting cannot fix it
	sendRetry          // anything else: network, pool full, replacement underpriced
)

// sendErrorKind classifies a SendTransaction error. JSON-RPC loses Go
// error identity, so errors are matched by the text of go-ethereum's core
// and txpool errors.
func sendErrorKind(err error) sendKind {
	if err == nil {
		return sendOK
	}
	knownSendErrors := []string{"already known", "known transaction", "nonce too low"}
	fatalSendErrors := []string{
		"insufficient funds",             // core.ErrInsufficientFunds
		"intrinsic gas too low",          // core.ErrIntrinsicGas
		"exceeds block gas limit",        // txpool.ErrGasLimit
		"invalid sender",                 // txpool.ErrInvalidSender: wrong chain ID
		"oversized data",                 // txpool.ErrOversizedData
		"exceeds the configured cap",     // the node's RPC tx fee cap
		"only replay-protected",          // the node refuses pre-EIP-155 transactions
		"transaction type not supported", // no London on this chain
	}
	msg := strings.ToLower(err.Error())
	for _, s := range knownSendErrors {
		if strings.Contains(msg, s) {
			return sendKnown
		}
	}
	for _, s := range fatalSendErrors {
		if strings.Contains(msg, s) {
			return sendFatal
		}
	}
	return sendRetry
}

// confirmed reports whether a receipt in block is c deep under head:
// head − block + 1 ≥ c, written so that nothing underflows.
func confirmed(block, head, c uint64) bool { return block+c <= head+1 }
