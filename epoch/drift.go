package epoch

import (
	"bytes"
	"slices"

	"github.com/ethereum/go-ethereum/common"
)

// SetDrift compares the validator contract's active set with the Clique
// signer set in force at one block, through the signer↔validator mapping
// of the configuration (signerToValidator, as StandingConfig's
// SignerToValidator; nil for none). The two sets should correspond one to
// one; SetDrift returns where they do not, each list sorted by address
// bytes and nil when empty:
//
//   - notSigners: active validators (contract addresses) whose signer is not
//     a Clique signer, or that have no signer because their address is
//     mapped to another validator. Such a validator seals nothing and is not
//     in good standing (reason not-a-signer, rewards-v1 §7), so it forfeits
//     its epoch. The DAO must vote its signer (StandingConfig.SignerOf) into
//     Clique, or remove the validator from the contract.
//   - notValidators: Clique signers that are not the signer of any active
//     validator. They seal blocks but earn nothing and are held to no
//     standing. The DAO must remove them from Clique, or promote them
//     (StandingConfig.ValidatorOf, their own address unless mapped) to
//     validator in the contract.
//
// Duplicates in either input count once.
func SetDrift(active, signers []common.Address, signerToValidator map[common.Address]common.Address) (notSigners, notValidators []common.Address) {
	cfg := StandingConfig{SignerToValidator: signerToValidator}
	isSigner := make(map[common.Address]bool, len(signers))
	for _, s := range signers {
		isSigner[s] = true
	}
	isActive := make(map[common.Address]bool, len(active))
	for _, v := range active {
		isActive[v] = true
	}
	for v := range isActive {
		if s, ok := cfg.SignerOf(v); !ok || !isSigner[s] {
			notSigners = append(notSigners, v)
		}
	}
	for s := range isSigner {
		if v, ok := cfg.ValidatorOf(s); !ok || !isActive[v] {
			notValidators = append(notValidators, s)
		}
	}
	byBytes := func(a, b common.Address) int { return bytes.Compare(a[:], b[:]) }
	slices.SortFunc(notSigners, byBytes)
	slices.SortFunc(notValidators, byBytes)
	return notSigners, notValidators
}
