package follower

import (
	"math/big"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
)

func ethFilter(contract common.Address, to uint64) ethereum.FilterQuery {
	return ethereum.FilterQuery{
		FromBlock: big.NewInt(0), ToBlock: new(big.Int).SetUint64(to),
		Addresses: []common.Address{contract}, Topics: [][]common.Hash{Topics()},
	}
}
