package devchain

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rpc"
)

// cliqueAPI serves the clique RPC namespace. go-ethereum v1.17 no longer
// ships clique.API, so this is a small replacement for the read-only calls.
// The signer set comes from the epoch checkpoint header at or below the
// block; it is exact here because devchain chains cast no votes.
type cliqueAPI struct{ c *Chain }

// GetSigners returns the signers (ascending address order) in force at the
// given block; no argument means the latest block.
func (api *cliqueAPI) GetSigners(ctx context.Context, at *rpc.BlockNumberOrHash) ([]common.Address, error) {
	h, err := api.header(ctx, at)
	if err != nil {
		return nil, err
	}
	return api.signersAt(h)
}

// GetSignersAtHash returns the signers in force at the block with the hash.
func (api *cliqueAPI) GetSignersAtHash(ctx context.Context, hash common.Hash) ([]common.Address, error) {
	at := rpc.BlockNumberOrHashWithHash(hash, false)
	return api.GetSigners(ctx, &at)
}

// GetSigner returns the address that sealed the given block (latest if
// omitted), recovered from its extraData.
func (api *cliqueAPI) GetSigner(ctx context.Context, at *rpc.BlockNumberOrHash) (common.Address, error) {
	h, err := api.header(ctx, at)
	if err != nil {
		return common.Address{}, err
	}
	if h.Number.Sign() == 0 {
		return common.Address{}, fmt.Errorf("the genesis block is not sealed")
	}
	return Sealer(h)
}

func (api *cliqueAPI) header(ctx context.Context, at *rpc.BlockNumberOrHash) (*types.Header, error) {
	ref := rpc.BlockNumberOrHashWithNumber(rpc.LatestBlockNumber)
	if at != nil {
		ref = *at
	}
	if n, ok := ref.Number(); ok && n == rpc.PendingBlockNumber {
		ref = rpc.BlockNumberOrHashWithNumber(rpc.LatestBlockNumber)
	}
	h, err := api.c.eth.APIBackend.HeaderByNumberOrHash(ctx, ref)
	if err != nil {
		return nil, err
	}
	if h == nil {
		return nil, fmt.Errorf("unknown block")
	}
	return h, nil
}

func (api *cliqueAPI) signersAt(h *types.Header) ([]common.Address, error) {
	bc := api.c.bc
	epoch := api.c.cfg.Epoch
	// Walk back along h's own branch to the checkpoint.
	for h.Number.Uint64()%epoch != 0 {
		number := h.Number.Uint64()
		if bc.GetCanonicalHash(number) == h.Hash() {
			h = bc.GetHeaderByNumber(number - number%epoch)
		} else {
			h = bc.GetHeader(h.ParentHash, number-1)
		}
		if h == nil {
			return nil, fmt.Errorf("missing ancestor header")
		}
	}
	list := h.Extra[32 : len(h.Extra)-crypto.SignatureLength]
	if len(list)%common.AddressLength != 0 {
		return nil, fmt.Errorf("malformed checkpoint %d", h.Number)
	}
	out := make([]common.Address, len(list)/common.AddressLength)
	for i := range out {
		copy(out[i][:], list[i*common.AddressLength:])
	}
	return out, nil
}
