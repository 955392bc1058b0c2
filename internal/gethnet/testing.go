package gethnet

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"os"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// Require skips t when geth v1.13.15 is not installed, except in CI
// (CI=true), where its absence fails the test: CI installs it.
func Require(t testing.TB) {
	t.Helper()
	if _, err := FindGeth(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("geth v1.13.15 is required in CI (.ci/install-geth.sh): %v", err)
		}
		t.Skipf("geth v1.13.15 not installed (bash .ci/install-geth.sh): %v", err)
	}
}

// Transact signs an EIP-1559 transaction from key (nonce from the pending
// state, 3M gas, 1 gwei tip, 50 gwei fee cap), sends it through c and
// waits for its receipt; a reverted transaction is an error. to == nil
// creates a contract; value may be nil.
func Transact(ctx context.Context, c *ethclient.Client, key *ecdsa.PrivateKey, to *common.Address, value *big.Int, data []byte) (*types.Receipt, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	nonce, err := c.PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		return nil, err
	}
	if value == nil {
		value = new(big.Int)
	}
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: nonce, GasTipCap: big.NewInt(1e9), GasFeeCap: big.NewInt(50e9), Gas: 3_000_000, To: to, Value: value, Data: data,
	})
	if err != nil {
		return nil, err
	}
	if err := c.SendTransaction(ctx, tx); err != nil {
		return nil, err
	}
	for {
		if r, err := c.TransactionReceipt(ctx, tx.Hash()); err == nil {
			if r.Status != types.ReceiptStatusSuccessful {
				return r, fmt.Errorf("transaction %s reverted", tx.Hash().Hex())
			}
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("transaction %s not mined: %w", tx.Hash().Hex(), ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// StartWithContract starts a network for t (skipping or failing as
// Require does), dials node 0, and deploys the ValidatorSet with every
// signer as a first validator and root quorum 1, from the funded key. The
// network and client are closed when the test ends.
func StartWithContract(ctx context.Context, t testing.TB, cfg Config) (*Network, *ethclient.Client, common.Address) {
	t.Helper()
	Require(t)
	n, err := Start(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	c, err := ethclient.DialContext(ctx, n.RPC(0))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	var vals []common.Address
	for i := 0; i < n.Nodes(); i++ {
		vals = append(vals, n.Signer(i))
	}
	args := contracts.NewValidatorSet().PackConstructor(vals, big.NewInt(5000)) // roots by strict majority
	r, err := Transact(ctx, c, n.FundedKey(), nil, nil, append(common.FromHex(contracts.ValidatorSetMetaData.Bin), args...))
	if err != nil {
		t.Fatalf("deploy the validator contract: %v", err)
	}
	return n, c, r.ContractAddress
}
