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
var ErrNoContract = errors.New("no contract")

// Contract reads the validator contract (contracts.ValidatorSet) at the
// node's head: the one place rewardctl reads it. Reverts are described
// with contracts.DecodeRevert; every error names the call, the contract
// and the node.
type Contract struct {
	eth     *ethclient.Client
	addr    common.Address
	node    string
	timeout time.Duration
	vs      *contracts.ValidatorSet
}

// NewContract reads the contract at addr through eth; node names the node
// in errors (its URL). Each call is bounded by timeout (0: by ctx only).
func NewContract(eth *ethclient.Client, addr common.Address, node string, timeout time.Duration) *Contract {
	return &Contract{eth: eth, addr: addr, node: node, timeout: timeout, vs: contracts.NewValidatorSet()}
}

// Root is what the contract accepted for an epoch: epochRoot(k).
type Root struct {
	Root       common.Hash
	Total      *uint256.Int
	ResultHash common.Hash
}

func (c *Contract) call(ctx context.Context, what string, data []byte) ([]byte, error) {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	out, err := c.eth.CallContract(ctx, ethereum.CallMsg{To: &c.addr, Data: data}, nil)
	if err != nil {
		return nil, fmt.Errorf("call %s on %s at %s: %s", what, c.addr.Hex(), c.node, contracts.DecodeRevert(err))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("call %s: %w at %s on %s", what, ErrNoContract, c.addr.Hex(), c.node)
	}
	return out, nil
}

// NextEpoch is nextEpoch(): the epoch whose root is voted on now; every
// epoch before it is accepted.
func (c *Contract) NextEpoch(ctx context.Context) (uint64, error) {
	out, err := c.call(ctx, "nextEpoch()", c.vs.PackNextEpoch())
	if err != nil {
		return 0, err
	}
	n, err := c.vs.UnpackNextEpoch(out)
	if err != nil {
		return 0, fmt.Errorf("decode nextEpoch(): %w", err)
	}
	if !n.IsUint64() {
		return 0, fmt.Errorf("nextEpoch() returned %s", n)
	}
	return n.Uint64(), nil
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
	what := fmt.Sprintf("epochRoot(%d)", k)
	out, err := c.call(ctx, what, c.vs.PackEpochRoot(new(big.Int).SetUint64(k)))
	if err != nil {
		return nil, err
	}
	r, err := c.vs.UnpackEpochRoot(out)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	total, overflow := uint256.FromBig(r.Total)
	if overflow {
		return nil, fmt.Errorf("%s: total %s exceeds 256 bits", what, r.Total)
	}
	return &Root{Root: r.Root, Total: total, ResultHash: r.ResultHash}, nil
}

// CurrentRoot is currentRoot(): the latest accepted epoch's root (all zeros
// before any), the root claim() verifies proofs against.
func (c *Contract) CurrentRoot(ctx context.Context) (common.Hash, error) {
	out, err := c.call(ctx, "currentRoot()", c.vs.PackCurrentRoot())
	if err != nil {
		return common.Hash{}, err
	}
	root, err := c.vs.UnpackCurrentRoot(out)
	if err != nil {
		return common.Hash{}, fmt.Errorf("decode currentRoot(): %w", err)
	}
	return root, nil
}

// Claimed is claimed(account): what account has claimed so far, in wei.
func (c *Contract) Claimed(ctx context.Context, account common.Address) (*uint256.Int, error) {
	what := fmt.Sprintf("claimed(%s)", account.Hex())
	out, err := c.call(ctx, what, c.vs.PackClaimed(account))
	if err != nil {
		return nil, err
	}
	n, err := c.vs.UnpackClaimed(out)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", what, err)
	}
	v, overflow := uint256.FromBig(n)
	if overflow {
		return nil, fmt.Errorf("%s returned %s, more than 256 bits", what, n)
	}
	return v, nil
}
