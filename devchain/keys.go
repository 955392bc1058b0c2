package devchain

import (
	"crypto/ecdsa"

	"github.com/ethereum/go-ethereum/crypto"
)

// DerivedKey returns the key whose scalar is keccak256(label): the same
// key for the same label on every run, for the dev system's and the
// benchmark chains' accounts. Never for real funds.
func DerivedKey(label string) *ecdsa.PrivateKey {
	k, err := crypto.ToECDSA(crypto.Keccak256([]byte(label)))
	if err != nil {
		panic(err) // a keccak output is a valid key with overwhelming probability
	}
	return k
}
