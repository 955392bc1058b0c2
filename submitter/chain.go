package submitter

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"strings"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"

	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// Every RPC call below is bounded by cfg.RPCTimeout. A nil block means the
// latest block.

func (s *Submitter) header(ctx context.Context, number *big.Int) (*types.Header, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	h, err := s.b.HeaderByNumber(ctx, number)
	if err == nil && (h == nil || h.Number == nil) {
		err = errors.New("node returned no header")
	}
	return h, err
}

func (s *Submitter) receipt(ctx context.Context, hash common.Hash) (*types.Receipt, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	return s.b.TransactionReceipt(ctx, hash)
}

func (s *Submitter) nonceAt(ctx context.Context, block *big.Int) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	n, err := s.b.NonceAt(ctx, s.addr, block)
	if err != nil {
		return 0, transient("read account nonce", err)
	}
	return n, nil
}

// call runs an eth_call of the contract from our address.
func (s *Submitter) call(ctx context.Context, data []byte, block *big.Int) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	return s.b.CallContract(ctx, ethereum.CallMsg{From: s.addr, To: &s.cfg.Contract, Data: data}, block)
}

func (s *Submitter) nextEpoch(ctx context.Context, block *big.Int) (uint64, error) {
	out, err := s.call(ctx, s.abi.PackNextEpoch(), block)
	if err != nil {
		return 0, err
	}
	n, err := s.abi.UnpackNextEpoch(out)
	if err != nil {
		return 0, fmt.Errorf("decode nextEpoch: %w", err)
	}
	if !n.IsUint64() {
		return 0, fmt.Errorf("nextEpoch %s exceeds 64 bits", n)
	}
	return n.Uint64(), nil
}

func (s *Submitter) isActive(ctx context.Context) (bool, error) {
	out, err := s.call(ctx, s.abi.PackIsActive(s.addr), nil)
	if err != nil {
		return false, err
	}
	return s.abi.UnpackIsActive(out)
}

// chainState is what the contract says about an epoch at one block.
type chainState struct {
	next     uint64 // nextEpoch()
	ours     *Vote  // voteOf(epoch, us), nil if we have no vote
	accepted *Vote  // epochRoot(epoch) when next > epoch
}

// readState reads the contract's view of epoch at block. Errors are
// transient.
func (s *Submitter) readState(ctx context.Context, epoch uint64, block *big.Int) (chainState, error) {
	var st chainState
	next, err := s.nextEpoch(ctx, block)
	if err != nil {
		return st, transient("read nextEpoch", err)
	}
	st.next = next
	e := new(big.Int).SetUint64(epoch)
	out, err := s.call(ctx, s.abi.PackVoteOf(e, s.addr), block)
	if err != nil {
		return st, transient("read voteOf", err)
	}
	vo, err := s.abi.UnpackVoteOf(out)
	if err != nil {
		return st, transient("decode voteOf", err)
	}
	if vo.Root != ([32]byte{}) || vo.Total.Sign() != 0 || vo.ResultHash != ([32]byte{}) {
		st.ours = &Vote{Epoch: epoch, Root: vo.Root, Total: vo.Total, ResultHash: vo.ResultHash}
	}
	if next > epoch {
		out, err := s.call(ctx, s.abi.PackEpochRoot(e), block)
		if err != nil {
			return st, transient("read epochRoot", err)
		}
		er, err := s.abi.UnpackEpochRoot(out)
		if err != nil {
			return st, transient("decode epochRoot", err)
		}
		st.accepted = &Vote{Epoch: epoch, Root: er.Root, Total: er.Total, ResultHash: er.ResultHash}
	}
	return st, nil
}

// View is the contract's view of one epoch at the confirmed height.
type View struct {
	// Block is the confirmed height the view was read at.
	Block     uint64
	NextEpoch uint64
	// Accepted is epochRoot(epoch) once the epoch is accepted, else nil.
	Accepted *Vote
	// Ours is this validator's vote for the epoch (voteOf), nil if none.
	Ours *Vote
	// Available is totalClaimed + rewardFunds, wei: the largest total a
	// root may have (the contract reverts TotalExceedsFunds above it).
	Available *big.Int
}

// View reads the contract's view of epoch at the confirmed height (head −
// Confirmations + 1), retrying nothing: errors are for the caller's next
// pass.
func (s *Submitter) View(ctx context.Context, epoch uint64) (View, error) {
	head, err := s.header(ctx, nil)
	if err != nil {
		return View{}, fmt.Errorf("read head: %w", err)
	}
	at, ok := confirmedHeight(head.Number.Uint64(), s.cfg.Confirmations)
	if !ok {
		at = big.NewInt(0)
	}
	st, err := s.readState(ctx, epoch, at)
	if err != nil {
		return View{}, err
	}
	v := View{Block: at.Uint64(), NextEpoch: st.next, Accepted: st.accepted, Ours: st.ours, Available: new(big.Int)}
	for _, read := range []struct {
		name   string
		data   []byte
		unpack func([]byte) (*big.Int, error)
	}{
		{"totalClaimed", s.abi.PackTotalClaimed(), s.abi.UnpackTotalClaimed},
		{"rewardFunds", s.abi.PackRewardFunds(), s.abi.UnpackRewardFunds},
	} {
		out, err := s.call(ctx, read.data, at)
		if err != nil {
			return View{}, fmt.Errorf("read %s: %w", read.name, err)
		}
		n, err := read.unpack(out)
		if err != nil {
			return View{}, fmt.Errorf("decode %s: %w", read.name, err)
		}
		v.Available.Add(v.Available, n)
	}
	return v, nil
}

// marketFees prices a transaction now (see doc.go, Fees). Errors are
// transient.
func (s *Submitter) marketFees(ctx context.Context, head *types.Header) (fees, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	if head.BaseFee == nil {
		p, err := s.b.SuggestGasPrice(ctx)
		if err != nil {
			return fees{}, transient("suggest gas price", err)
		}
		return legacyFees(p, s.cfg.MaxFeeCap), nil
	}
	tip, err := s.b.SuggestGasTipCap(ctx)
	if err != nil {
		return fees{}, transient("suggest gas tip", err)
	}
	return dynamicFees(head.BaseFee, tip, s.cfg.MaxFeeCap, s.cfg.MaxTipCap), nil
}

// affordable reports whether our latest balance pays gas at f's fee cap.
func (s *Submitter) affordable(ctx context.Context, gas uint64, f fees) (bool, *big.Int, error) {
	ctx, cancel := context.WithTimeout(ctx, s.cfg.RPCTimeout)
	defer cancel()
	bal, err := s.b.BalanceAt(ctx, s.addr, nil)
	if err != nil {
		return false, nil, transient("read balance", err)
	}
	return bal.Cmp(f.maxCost(gas)) >= 0, bal, nil
}

// sign builds and signs the vote transaction.
func (s *Submitter) sign(nonce, gas uint64, f fees, data []byte) (attempt, error) {
	var inner types.TxData
	if f.legacy() {
		inner = &types.LegacyTx{Nonce: nonce, GasPrice: f.GasPrice, Gas: gas, To: &s.cfg.Contract, Data: data}
	} else {
		inner = &types.DynamicFeeTx{ChainID: s.chainID, Nonce: nonce, GasTipCap: f.TipCap, GasFeeCap: f.FeeCap,
			Gas: gas, To: &s.cfg.Contract, Data: data}
	}
	tx, err := types.SignNewTx(s.key, s.signer, inner)
	if err != nil {
		return attempt{}, fmt.Errorf("sign vote: %w", err)
	}
	raw, err := tx.MarshalBinary()
	if err != nil {
		return attempt{}, fmt.Errorf("encode vote: %w", err)
	}
	return attempt{Nonce: nonce, Hash: tx.Hash(), Gas: gas, TipCap: f.TipCap, FeeCap: f.FeeCap, GasPrice: f.GasPrice,
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
