package main

// rewardctl claim: send an account's claim from a keystore account.

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/shopspring/decimal"

	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/submitter"
)

func runClaim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "claim", "--epoch N --rpc URL --contract ADDR --keystore FILE --password-file FILE [--address ACCOUNT] [--source DIR|URL]")
	k := fs.Int64("epoch", -1, "the latest accepted epoch (its root is the contract's current root)")
	rpcURL := fs.String("rpc", "", "JSON-RPC URL of a node")
	contract := fs.String("contract", "", "validator contract address")
	ks := fs.String("keystore", "", "keystore file of the sending account (pays the gas)")
	pwFile := fs.String("password-file", "", "file holding the keystore password")
	address := fs.String("address", "", "the account to claim for (default: the sending account); the CMT always goes to this account")
	src := fs.String("source", defaultSource, "published epochs: rewardd's publish directory, or its API base URL")
	wait := fs.Duration("wait", 2*time.Minute, "how long to wait for the transaction to be mined")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *k < 0:
		return fmt.Errorf("%w: --epoch is required (a number ≥ 0)", errUsage)
	case *rpcURL == "":
		return fmt.Errorf("%w: --rpc is required", errUsage)
	case *ks == "" || *pwFile == "":
		return fmt.Errorf("%w: --keystore and --password-file are required", errUsage)
	}
	to, err := parseAddress("--contract", *contract)
	if err != nil {
		return err
	}
	key, err := loadKeystore(*ks, *pwFile)
	if err != nil {
		return err
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	account := from
	if *address != "" {
		if account, err = parseAddress("--address", *address); err != nil {
			return err
		}
	}
	s, err := newSource(*src)
	if err != nil {
		return err
	}
	res, err := s.result(ctx, uint64(*k))
	if err != nil {
		return err
	}
	i, ok := res.Tree.Lookup(account)
	if !ok {
		return fmt.Errorf("%s has no leaf in epoch %d: nothing to claim", account.Hex(), *k)
	}
	cum := res.Payouts[i].Cumulative.ToBig()
	proof := res.Tree.ProofAt(i)
	p32 := make([][32]byte, len(proof))
	for j := range proof {
		p32[j] = proof[j]
	}
	c, err := ethclient.DialContext(ctx, *rpcURL)
	if err != nil {
		return fmt.Errorf("--rpc %s: %w", *rpcURL, err)
	}
	defer c.Close()
	vs := contracts.NewValidatorSet()
	// Check against the chain before paying gas: the root must be the
	// current one, and something must be left to claim.
	if raw, err := callContract(ctx, c, to, vs.PackCurrentRoot()); err != nil {
		return fmt.Errorf("read current root: %w", err)
	} else if root, _ := vs.UnpackCurrentRoot(raw); root != res.MerkleRoot {
		return fmt.Errorf("epoch %d's root %s is not the contract's current root %x: claim against the latest accepted epoch", *k, res.MerkleRoot.Hex(), root)
	}
	raw, err := callContract(ctx, c, to, vs.PackClaimed(account))
	if err != nil {
		return fmt.Errorf("read claimed: %w", err)
	}
	claimed, _ := vs.UnpackClaimed(raw)
	due := new(big.Int).Sub(cum, claimed)
	if due.Sign() <= 0 {
		return fmt.Errorf("%s already claimed its cumulative %s wei: nothing to claim", account.Hex(), cum)
	}
	tx, err := sendTx(ctx, c, key, to, vs.PackClaim(account, cum, p32))
	if err != nil {
		return fmt.Errorf("send claim: %s", contracts.DecodeRevert(err))
	}
	fmt.Fprintf(e.stderr, "claim %s sent; waiting for it to be mined\n", tx.Hash().Hex())
	wctx, cancel := context.WithTimeout(ctx, *wait)
	defer cancel()
	for {
		r, err := c.TransactionReceipt(wctx, tx.Hash())
		if err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				return fmt.Errorf("claim %s reverted in block %d", tx.Hash().Hex(), r.BlockNumber)
			}
			fmt.Fprintf(e.stdout, "claimed %s CMT (%s wei) for %s in block %d, transaction %s\n",
				decimal.NewFromBigInt(due, -18).String(), due, account.Hex(), r.BlockNumber, tx.Hash().Hex())
			return nil
		}
		select {
		case <-wctx.Done():
			return codedError{code: exitUndecide, err: fmt.Errorf("claim %s not mined within %s; it may still be", tx.Hash().Hex(), *wait)}
		case <-time.After(time.Second):
		}
	}
}

// loadKeystore decrypts a keystore file with the submitter's rules (owner
// only files, first line of the password file).
func loadKeystore(path, pwPath string) (*ecdsa.PrivateKey, error) {
	k, err := submitter.LoadKey(path, pwPath)
	if errors.Is(err, submitter.ErrWrongPassword) {
		return nil, fmt.Errorf("%s: wrong password (from %s)", path, pwPath)
	}
	return k, err
}

func callContract(ctx context.Context, c *ethclient.Client, to common.Address, data []byte) ([]byte, error) {
	return c.CallContract(ctx, ethereum.CallMsg{To: &to, Data: data}, nil)
}

// sendTx signs an EIP-1559 transaction (legacy on a chain without base fee)
// with gas estimated, and sends it. A revert in the estimate is returned
// as is, so callers can decode the contract's error.
func sendTx(ctx context.Context, c *ethclient.Client, key *ecdsa.PrivateKey, to common.Address, data []byte) (*types.Transaction, error) {
	from := crypto.PubkeyToAddress(key.PublicKey)
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	nonce, err := c.PendingNonceAt(ctx, from)
	if err != nil {
		return nil, err
	}
	gas, err := c.EstimateGas(ctx, ethereum.CallMsg{From: from, To: &to, Data: data})
	if err != nil {
		return nil, err
	}
	gas += gas / 5
	head, err := c.HeaderByNumber(ctx, nil)
	if err != nil {
		return nil, err
	}
	var inner types.TxData
	if head.BaseFee != nil {
		tip, err := c.SuggestGasTipCap(ctx)
		if err != nil {
			return nil, err
		}
		feeCap := new(big.Int).Add(new(big.Int).Mul(head.BaseFee, big.NewInt(2)), tip)
		inner = &types.DynamicFeeTx{ChainID: chainID, Nonce: nonce, GasTipCap: tip, GasFeeCap: feeCap, Gas: gas, To: &to, Data: data}
	} else {
		price, err := c.SuggestGasPrice(ctx)
		if err != nil {
			return nil, err
		}
		inner = &types.LegacyTx{Nonce: nonce, GasPrice: price, Gas: gas, To: &to, Data: data}
	}
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), inner)
	if err != nil {
		return nil, err
	}
	return tx, c.SendTransaction(ctx, tx)
}

// weiToCMT renders a decimal string of wei as CMT, or returns it as is.
func weiToCMT(wei string) string {
	d, err := decimal.NewFromString(wei)
	if err != nil {
		return wei
	}
	return d.Shift(-18).String()
}
