//go:build !amd64

package calc

import "github.com/ethereum/go-ethereum/common"

// useHexAddr512 is false where there is no assembly; it is a variable so
// tests can switch it on every architecture.
var useHexAddr512 = false

func hexAddr512(*common.Address, *byte) bool { panic("calc: hexAddr512 without AVX-512") }
