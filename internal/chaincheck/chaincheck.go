// Package chaincheck holds rewardd's checks of the node against its
// configuration and its ledger: at start, that the node serves the
// configured chain and contract (Dial), that it is the chain the ledger was
// built from (Identity), and that the epoch schedule lets the contract
// accept the first epoch the daemon would settle (FirstEpoch); while
// running, Identity again before every settlement pass.
package chaincheck

import (
	"context"
	"errors"
	"fmt"
	"math/big"

	ethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// ErrIdentity is wrapped by Identity's errors: the node does not serve
// the chain the ledger was built from.
var ErrIdentity = errors.New("chain identity changed under the ledger")

// Dial connects to cfg.RPCURL and checks that the node serves cfg.ChainID
// and has code at cfg.Contract. Errors name the field at fault.
func Dial(ctx context.Context, cfg *config.Config) (*rpc.Client, error) {
	cctx, cancel := context.WithTimeout(ctx, cfg.Follower.RPCTimeout.D())
	defer cancel()
	client, err := rpc.DialContext(cctx, cfg.RPCURL)
	if err != nil {
		return nil, fmt.Errorf("rpc_url %s: %w", cfg.RPCURL, err)
	}
	id, err := chainID(cctx, client)
	if err != nil {
		client.Close()
		return nil, fmt.Errorf("rpc_url %s: node unreachable: %w", cfg.RPCURL, err)
	}
	if id != cfg.ChainID {
		client.Close()
		return nil, fmt.Errorf("chain_id: node at %s serves chain %d, configured %d", cfg.RPCURL, id, cfg.ChainID)
	}
	var code hexutil.Bytes
	if err := client.CallContext(cctx, &code, "eth_getCode", cfg.Contract, "latest"); err != nil {
		client.Close()
		return nil, fmt.Errorf("contract: read code at %s: %w", cfg.Contract.Hex(), err)
	}
	if len(code) == 0 {
		client.Close()
		return nil, fmt.Errorf("contract: no contract at %s on chain %d", cfg.Contract.Hex(), cfg.ChainID)
	}
	return client, nil
}

func chainID(ctx context.Context, client *rpc.Client) (uint64, error) {
	var id hexutil.Uint64
	err := client.CallContext(ctx, &id, "eth_chainId")
	return uint64(id), err
}

// Identity checks that the node still serves the chain the ledger was
// built from. ledger.Identity records the chain ID, the contract and the
// start block but no genesis hash, so the chain is recognised by the
// blocks the ledger holds:
//
//   - the node's chain ID must be the ledger's;
//   - a ledger that starts at block 0 holds the genesis, which no reorg
//     replaces: the node's must be the same;
//   - the ledger's block maxReorgDepth below its head (when it holds one)
//     must be the node's block at that height. A difference that deep is
//     no reorg the follower would accept (it stops with ErrReorgTooDeep):
//     the node serves another chain, or a fork of this one.
//
// Errors wrap ErrIdentity, or are the node's, which say nothing about the
// identity.
func Identity(ctx context.Context, client *rpc.Client, l *ledger.Ledger, maxReorgDepth uint64) error {
	id, err := chainID(ctx, client)
	if err != nil {
		return fmt.Errorf("read the node's chain ID: %w", err)
	}
	want := l.Identity()
	if id != want.ChainID {
		return fmt.Errorf("%w: the node serves chain %d, the ledger is for chain %d", ErrIdentity, id, want.ChainID)
	}
	head, ok, err := l.Head()
	if err != nil || !ok {
		return err // an empty ledger belongs to any chain of its ID
	}
	if want.StartBlock == 0 {
		if err := sameBlock(ctx, client, l, 0, "genesis"); err != nil {
			return err
		}
	}
	if head.Number >= want.StartBlock+maxReorgDepth && maxReorgDepth > 0 {
		n := head.Number - maxReorgDepth
		what := fmt.Sprintf("block %d, %d below the ledger's head (follower.max_reorg_depth)", n, maxReorgDepth)
		if err := sameBlock(ctx, client, l, n, what); err != nil {
			return err
		}
	}
	return nil
}

// sameBlock compares the node's and the ledger's block n.
func sameBlock(ctx context.Context, client *rpc.Client, l *ledger.Ledger, n uint64, what string) error {
	b, err := l.Block(n)
	if err != nil {
		return fmt.Errorf("read ledger block %d: %w", n, err)
	}
	h, err := header(ctx, client, n)
	if errors.Is(err, ethereum.NotFound) {
		return fmt.Errorf("%w: the node has no %s, the ledger has %s", ErrIdentity, what, b.Hash.Hex())
	}
	if err != nil {
		return fmt.Errorf("read the node's block %d: %w", n, err)
	}
	if h.Hash() != b.Hash {
		return fmt.Errorf("%w: the node's %s is %s, the ledger's %s", ErrIdentity, what, h.Hash().Hex(), b.Hash.Hex())
	}
	return nil
}

func header(ctx context.Context, client *rpc.Client, n uint64) (*types.Header, error) {
	return ethclient.NewClient(client).HeaderByNumber(ctx, new(big.Int).SetUint64(n))
}
