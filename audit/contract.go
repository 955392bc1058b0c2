package audit

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"time"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/contracts"
)

// ErrNoContract is wrapped when a call returns no data: nothing is
// deployed at the address (or it is not a ValidatorSet).
var ErrNoContract = contracts.ErrNoContract

// Contract reads the validator contract (contracts.ValidatorSet) at the
// node's head, with contracts.Reader: the one place rewardctl reads it.
// Reverts are described with contracts.DecodeRevert; every error names the
// call, the contract and the node.
type Contract struct {
	r    *contracts.Reader
	addr common.Address
	node string
}

// NewContract reads the contract at addr through eth; node names the node
// in errors (its URL). Each call is bounded by timeout (0: by ctx only).
func NewContract(eth *ethclient.Client, addr common.Address, node string, timeout time.Duration) *Contract {
	call := func(ctx context.Context, data []byte, block *big.Int) ([]byte, error) {
		if timeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, timeout)
			defer cancel()
		}
		out, err := eth.CallContract(ctx, ethereum.CallMsg{To: &addr, Data: data}, block)
		if err != nil {
			return nil, fmt.Errorf("contract %s on %s: %s", addr.Hex(), node, contracts.DecodeRevert(err))
		}
		return out, nil
	}
	return &Contract{r: contracts.NewReader(call), addr: addr, node: node}
}

// Root is what the contract accepted for an epoch: epochRoot(k).
type Root struct {
	Root       common.Hash
	Total      *uint256.Int
	ResultHash common.Hash
}

// where adds the contract and the node to a "no contract" error.
func (c *Contract) where(err error) error {
	if errors.Is(err, ErrNoContract) {
		return fmt.Errorf("%w at %s on %s", err, c.addr.Hex(), c.node)
	}
	return err
}

// NextEpoch is nextEpoch(): the epoch whose root is voted on now; every
// epoch before it is accepted.
func (c *Contract) NextEpoch(ctx context.Context) (uint64, error) {
	n, err := c.r.NextEpoch(ctx, nil)
	return n, c.where(err)
}

// LatestAccepted is the latest epoch the contract accepted, nextEpoch()−1,
// whose root is currentRoot(), the only root claims verify against; ok is
// false when no epoch is accepted yet.
func (c *Contract) LatestAccepted(ctx context.Context) (k uint64, ok bool, err error) {
	n, err := c.NextEpoch(ctx)
	if err != nil || n == 0 {
		return 0, false, err
	}
	return n - 1, true, nil
}

// EpochRoot is epochRoot(k): all zeros for an epoch not accepted.
func (c *Contract) EpochRoot(ctx context.Context, k uint64) (*Root, error) {
	v, err := c.r.EpochRoot(ctx, nil, k)
	if err != nil {
		return nil, c.where(err)
	}
	if v == nil {
		return &Root{Total: new(uint256.Int)}, nil
	}
	total, overflow := uint256.FromBig(v.Total)
	if overflow {
		return nil, fmt.Errorf("epochRoot(%d): total %s exceeds 256 bits", k, v.Total)
	}
	return &Root{Root: v.Root, Total: total, ResultHash: v.ResultHash}, nil
}

// CurrentRoot is currentRoot(): the latest accepted epoch's root (all zeros
// before any), the root claim() verifies proofs against.
func (c *Contract) CurrentRoot(ctx context.Context) (common.Hash, error) {
	h, err := c.r.CurrentRoot(ctx, nil)
	return h, c.where(err)
}

// Claimed is claimed(account): what account has claimed so far, in wei.
func (c *Contract) Claimed(ctx context.Context, account common.Address) (*uint256.Int, error) {
	n, err := c.r.Claimed(ctx, nil, account)
	if err != nil {
		return nil, c.where(err)
	}
	v, overflow := uint256.FromBig(n)
	if overflow {
		return nil, fmt.Errorf("claimed(%s) = %s exceeds 256 bits", account.Hex(), n)
	}
	return v, nil
}
