package calc

import (
	"github.com/ethereum/go-ethereum/common"
	"golang.org/x/sys/cpu"
)

// useHexAddr512 is set when hexAddr512 can run: it compares, adds and
// narrows bytes in ZMM registers and masks byte loads and stores.
var useHexAddr512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW

// hexAddr512 sets dst to the 20 bytes of the 40 hex digits (any case) at
// src and reports whether all 40 are hex digits; dst is untouched if not.
// It reads exactly 40 bytes.
//
//go:noescape
func hexAddr512(dst *common.Address, src *byte) bool
