package actions

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"math/big"
	"strings"
	"time"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// Deploy is the creation of a ValidatorSet with the first validators and
// the root quorum in basis points of the active set (5000 to 10000; the
// constructor reverts InvalidQuorum otherwise).
func Deploy(validators []common.Address, quorumBps uint64) Call {
	data := append(common.FromHex(contracts.ValidatorSetMetaData.Bin),
		vs.PackConstructor(validators, new(big.Int).SetUint64(quorumBps))...)
	return Call{Name: "deploy", Value: new(uint256.Int), Data: data}
}

// ParsePubkey parses a node's public key as the contract wants it: 64 bytes
// (128 hex digits, an optional 0x), uncompressed and without the 0x04
// prefix, and a point on secp256k1.
func ParsePubkey(s string) ([]byte, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if err != nil || len(b) != 64 {
		return nil, fmt.Errorf("%q: expected 128 hex digits, the node's uncompressed public key without the 04 prefix", s)
	}
	if _, err := crypto.UnmarshalPubkey(append([]byte{4}, b...)); err != nil {
		return nil, fmt.Errorf("%q: not a secp256k1 public key: %w", s, err)
	}
	return b, nil
}

// PubkeyFromNodeKey reads a node key file (geth's nodekey: the private key
// in hex) and returns its 64-byte public key, the enode id.
func PubkeyFromNodeKey(path string) ([]byte, error) {
	k, err := crypto.LoadECDSA(path)
	if err != nil {
		return nil, fmt.Errorf("node key %s: %w", path, err)
	}
	return crypto.FromECDSAPub(&k.PublicKey)[1:], nil
}

// EpochStart is the epoch.start of a contract deployed in a block with
// timestamp blockTime: the next whole UTC hour strictly after it. So the
// deployment block, start_block, lies just before epoch 0, which satisfies
// rewardd's start rule (internal/chaincheck: the block before start_block
// is before epoch 0, and start_block is in epoch 0 or before it), and at
// most an hour of blocks precedes the first epoch.
func EpochStart(blockTime uint64) time.Time {
	t := time.Unix(int64(blockTime), 0).UTC()
	return t.Truncate(time.Hour).Add(time.Hour)
}

// ConfigStub is a rewardd configuration for a contract deployed at block
// on the chain chainID served at rpcURL: the defaults of config.Default,
// start_block the deployment block and epoch.start EpochStart of its
// time. It passes config.Check; the submit key files are left empty for
// the operator (config.CheckDaemon names them).
func ConfigStub(rpcURL string, chainID uint64, contract common.Address, block, blockTime uint64) config.Config {
	c := config.Default()
	c.RPCURL, c.ChainID, c.Contract = rpcURL, chainID, contract
	c.StartBlock = block
	c.Epoch.Start = EpochStart(blockTime)
	c.Signers = config.Signers{}
	return c
}

// DeployBackend is the part of an ethclient.Client SendDeploy uses.
type DeployBackend interface {
	Caller
	HeaderByNumber(ctx context.Context, number *big.Int) (*types.Header, error)
	PendingNonceAt(ctx context.Context, account common.Address) (uint64, error)
	SuggestGasTipCap(ctx context.Context) (*big.Int, error)
	SuggestGasPrice(ctx context.Context) (*big.Int, error)
	EstimateGas(ctx context.Context, msg ethereum.CallMsg) (uint64, error)
	SendTransaction(ctx context.Context, tx *types.Transaction) error
	TransactionReceipt(ctx context.Context, txHash common.Hash) (*types.Receipt, error)
}

// SendDeploy signs the creation c from key for cfg.ChainID, priced as txsend
// prices a first attempt (tip: the node's suggestion capped at MaxTipCap;
// fee cap: 2 × base fee + tip capped at MaxFeeCap; gas: the estimate plus
// 20%), calls signed with the contract's address and the transaction before
// it broadcasts anything, and waits, polling every poll, until the receipt
// is cfg.Confirmations deep or ctx ends.
//
// A creation is not a txsend intent (txsend sends calls to a contract), so
// nothing is recorded: a deployment interrupted after signed was called
// may still be mined, at the address signed was given, and running it
// again deploys another contract. The nonce is the pending one, so that a
// transaction of the key waiting in the pool is never replaced.
func SendDeploy(ctx context.Context, b DeployBackend, key *ecdsa.PrivateKey, c Call, cfg txsend.Config, poll time.Duration,
	signed func(contract common.Address, tx *types.Transaction)) (*types.Receipt, error) {
	cfg = cfg.WithDefaults()
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := b.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("read the nonce: %w", err)
	}
	gas, err := b.EstimateGas(ctx, ethereum.CallMsg{From: from, Data: c.Data})
	if err != nil {
		return nil, fmt.Errorf("estimate gas: %s", contracts.DecodeRevert(err))
	}
	gas += (gas + 4) / 5
	head, err := b.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("read the head: %w", err)
	}
	chainID := new(big.Int).SetUint64(cfg.ChainID)
	var inner types.TxData
	if head.BaseFee == nil {
		price, err := b.SuggestGasPrice(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the gas price: %w", err)
		}
		inner = &types.LegacyTx{Nonce: nonce, GasPrice: minBig(price, cfg.MaxFeeCap), Gas: gas, Data: c.Data}
	} else {
		tip, err := b.SuggestGasTipCap(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the gas tip: %w", err)
		}
		tip = minBig(tip, cfg.MaxTipCap)
		feeCap := minBig(new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip), cfg.MaxFeeCap)
		inner = &types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: minBig(tip, feeCap), GasFeeCap: feeCap, Gas: gas, Data: c.Data}
	}
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), inner)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	if signed != nil {
		signed(crypto.CreateAddress(from, nonce), tx)
	}
	if err := b.SendTransaction(ctx, tx); err != nil {
		return nil, fmt.Errorf("broadcast %s: %w", tx.Hash().Hex(), err)
	}
	for {
		if r, err := b.TransactionReceipt(ctx, tx.Hash()); err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				return r, fmt.Errorf("%w: the deployment %s failed in block %s", txsend.ErrReverted, tx.Hash().Hex(), r.BlockNumber)
			}
			if h, err := b.HeaderByNumber(ctx, nil); err == nil && h.Number.Uint64()+1 >= r.BlockNumber.Uint64()+cfg.Confirmations {
				return r, nil
			}
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("deployment %s not confirmed: %w", tx.Hash().Hex(), ctx.Err())
		case <-time.After(poll):
		}
	}
}

func minBig(a, b *big.Int) *big.Int {
	if a.Cmp(b) < 0 {
		return a
	}
	return new(big.Int).Set(b)
}
