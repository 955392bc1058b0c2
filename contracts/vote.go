package contracts

import (
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/common"
)

// Vote is a root vote for an epoch: what submitRoot sends, what voteOf
// returns for a validator and epochRoot for an accepted epoch. Settlement,
// the submitter and the readers all speak it.
type Vote struct {
	Epoch      uint64
	Root       common.Hash
	Total      *big.Int // wei, the sum of the tree's cumulative payouts
	ResultHash common.Hash
}

// Equal reports whether two votes are the same (epoch, root, total, result
// hash); two nil votes are equal, a nil and a non-nil are not.
func (v *Vote) Equal(o *Vote) bool {
	if v == nil || o == nil {
		return v == o
	}
	if v.Epoch != o.Epoch || v.Root != o.Root || v.ResultHash != o.ResultHash || (v.Total == nil) != (o.Total == nil) {
		return false
	}
	return v.Total == nil || v.Total.Cmp(o.Total) == 0
}

// String describes the vote for logs and errors.
func (v Vote) String() string {
	return fmt.Sprintf("epoch %d root %s total %s result %s", v.Epoch, v.Root.Hex(), v.Total, v.ResultHash.Hex())
}
