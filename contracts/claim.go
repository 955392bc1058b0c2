package contracts

import (
	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// ClaimCalldata is the ABI-encoded call claim(account, cumulative, proof):
// account's cumulative payout after an epoch and the sibling hashes from
// its leaf to that epoch's root, as calc's tree gives them. The contract
// pays account the cumulative amount minus what it already claimed, and
// only while the root is currentRoot() (the latest accepted epoch's);
// otherwise the call reverts InvalidProof. Every place that builds a claim
// (the API, rewardctl proof and claim) builds it here.
func ClaimCalldata(account common.Address, cumulative *uint256.Int, proof []common.Hash) []byte {
	p32 := make([][32]byte, len(proof))
	for i := range proof {
		p32[i] = proof[i]
	}
	return NewValidatorSet().PackClaim(account, cumulative.ToBig(), p32)
}
