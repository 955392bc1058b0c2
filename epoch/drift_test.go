package epoch

import (
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

func TestSetDrift(t *testing.T) {
	a, b, c, d := addr(1), addr(2), addr(3), addr(4)
	sa := addr(0x91) // a's signer key when mapped
	list := func(as ...common.Address) []common.Address { return as }
	tests := []struct {
		name                string
		active, signers     []common.Address
		mapping             map[common.Address]common.Address
		notSigners, notVals []common.Address
	}{
		{name: "in step", active: list(a, b, c), signers: list(c, b, a)},
		{name: "both empty"},
		{
			name:   "promoted in the contract, not voted into Clique",
			active: list(a, b, d), signers: list(a, b),
			notSigners: list(d),
		},
		{
			name:   "voted into Clique, not promoted",
			active: list(a, b), signers: list(a, b, c),
			notVals: list(c),
		},
		{
			name:   "both ways, sorted",
			active: list(d, b, a), signers: list(c, a),
			notSigners: list(b, d), notVals: list(c),
		},
		{
			name:   "mapped signer in Clique",
			active: list(a, b), signers: list(sa, b), mapping: map[common.Address]common.Address{sa: a},
		},
		{
			name:   "mapped validator whose own address is the Clique signer",
			active: list(a), signers: list(a), mapping: map[common.Address]common.Address{sa: a},
			notSigners: list(a), notVals: list(a),
		},
		{
			// a signs for b, so validator a has no signer and signer b
			// (whose validator's signer is a) signs for nobody.
			name:   "validator whose address signs for another validator",
			active: list(a, b), signers: list(a, b), mapping: map[common.Address]common.Address{a: b},
			notSigners: list(a), notVals: list(b),
		},
		{
			name:   "duplicates count once",
			active: list(a, a, b), signers: list(c, c),
			notSigners: list(a, b), notVals: list(c),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			notSigners, notVals := SetDrift(tc.active, tc.signers, tc.mapping)
			if !slices.Equal(notSigners, tc.notSigners) || !slices.Equal(notVals, tc.notVals) {
				t.Fatalf("got %v, %v; want %v, %v", notSigners, notVals, tc.notSigners, tc.notVals)
			}
		})
	}
}
