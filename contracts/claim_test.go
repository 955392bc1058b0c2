package contracts

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// TestClaimCalldata: the calldata is claim's selector and exactly the
// given account, cumulative amount and proof, for proofs of any length.
func TestClaimCalldata(t *testing.T) {
	t.Parallel()
	m := NewValidatorSet().abi.Methods["claim"]
	acc := common.HexToAddress("0x00000000000000000000000000000000000000a1")
	for _, tc := range []struct {
		name  string
		cum   *uint256.Int
		proof []common.Hash
	}{
		{"single leaf", uint256.NewInt(1), nil},
		{"two hashes", uint256.MustFromDecimal("1500000000000000000"), []common.Hash{{1}, {2}}},
		{"max amount", new(uint256.Int).SetAllOne(), []common.Hash{{3}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := ClaimCalldata(acc, tc.cum, tc.proof)
			if !bytes.Equal(data[:4], m.ID) {
				t.Fatalf("selector %x, want %x", data[:4], m.ID)
			}
			args, err := m.Inputs.Unpack(data[4:])
			if err != nil {
				t.Fatal(err)
			}
			proof := args[2].([][32]byte)
			if args[0].(common.Address) != acc || args[1].(*big.Int).Cmp(tc.cum.ToBig()) != 0 || len(proof) != len(tc.proof) {
				t.Fatalf("args %v", args)
			}
			for i := range proof {
				if common.Hash(proof[i]) != tc.proof[i] {
					t.Errorf("proof[%d] = %x, want %x", i, proof[i], tc.proof[i])
				}
			}
		})
	}
}
