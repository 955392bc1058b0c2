package gethnet

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Clique extra-data layout: 32 bytes of vanity, the signer addresses (only
// in the genesis and in epoch checkpoint blocks), 65 bytes of seal.
const (
	extraVanity = 32
	extraSeal   = crypto.SignatureLength
)

// DefaultEpoch is the Clique epoch (checkpoint interval) of the genesis.
const DefaultEpoch = 30000

// DefaultBalance is what every signer and the funded account start with:
// 10^9 ether.
var DefaultBalance = new(big.Int).Mul(big.NewInt(1e9), big.NewInt(1e18))

// deterministicKey derives a private key from a label. The keys are for
// throwaway test networks only.
func deterministicKey(label string) *ecdsa.PrivateKey {
	for ctr := 0; ; ctr++ {
		seed := crypto.Keccak256([]byte(fmt.Sprintf("cmt-rewards gethnet %s %d", label, ctr)))
		if k, err := crypto.ToECDSA(seed); err == nil {
			return k
		}
	}
}

// signerKeys returns n deterministic signer keys sorted by address, so that
// key i is the i-th entry of Clique's (sorted) signer list.
func signerKeys(n int) []*ecdsa.PrivateKey {
	keys := make([]*ecdsa.PrivateKey, n)
	for i := range keys {
		keys[i] = deterministicKey(fmt.Sprintf("signer %d", i))
	}
	sort.Slice(keys, func(a, b int) bool {
		return bytes.Compare(crypto.PubkeyToAddress(keys[a].PublicKey).Bytes(),
			crypto.PubkeyToAddress(keys[b].PublicKey).Bytes()) < 0
	})
	return keys
}

// fundedKey is the prefunded non-signer account.
func fundedKey() *ecdsa.PrivateKey { return deterministicKey("funded") }

// genesisJSON builds the genesis file for geth 1.13: all fork blocks up to
// London at 0, no Shanghai/Cancun times and no terminalTotalDifficulty (geth
// 1.13's Clique would otherwise expect withdrawals or a merge), Clique with
// the given period, signers (sorted) in extraData.
func genesisJSON(chainID, period uint64, signers []common.Address, alloc map[common.Address]*big.Int, now time.Time) ([]byte, error) {
	sorted := append([]common.Address(nil), signers...)
	sort.Slice(sorted, func(a, b int) bool { return bytes.Compare(sorted[a].Bytes(), sorted[b].Bytes()) < 0 })
	extra := make([]byte, extraVanity, extraVanity+len(sorted)*common.AddressLength+extraSeal)
	for _, s := range sorted {
		extra = append(extra, s.Bytes()...)
	}
	extra = append(extra, make([]byte, extraSeal)...)

	type account struct {
		Balance string `json:"balance"`
	}
	accounts := map[string]account{}
	for addr, bal := range alloc {
		if bal == nil || bal.Sign() < 0 {
			return nil, fmt.Errorf("gethnet: bad balance %v for %s", bal, addr)
		}
		// geth's genesis alloc keys are unprefixed hex.
		accounts[hex.EncodeToString(addr.Bytes())] = account{Balance: "0x" + bal.Text(16)}
	}
	genesis := map[string]any{
		"config": map[string]any{
			"chainId":             chainID,
			"homesteadBlock":      0,
			"eip150Block":         0,
			"eip155Block":         0,
			"eip158Block":         0,
			"byzantiumBlock":      0,
			"constantinopleBlock": 0,
			"petersburgBlock":     0,
			"istanbulBlock":       0,
			"muirGlacierBlock":    0,
			"berlinBlock":         0,
			"londonBlock":         0,
			"arrowGlacierBlock":   0,
			"grayGlacierBlock":    0,
			"clique": map[string]any{
				"period": period,
				"epoch":  DefaultEpoch,
			},
		},
		"nonce":      "0x0",
		"timestamp":  fmt.Sprintf("0x%x", now.Unix()),
		"extraData":  "0x" + hex.EncodeToString(extra),
		"gasLimit":   "0x1c9c380", // 30,000,000
		"difficulty": "0x1",
		"mixHash":    common.Hash{}.Hex(),
		"coinbase":   common.Address{}.Hex(),
		"number":     "0x0",
		"gasUsed":    "0x0",
		"parentHash": common.Hash{}.Hex(),
		"alloc":      accounts,
	}
	return json.MarshalIndent(genesis, "", "  ")
}
