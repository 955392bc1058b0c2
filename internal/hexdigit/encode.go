package hexdigit

import (
	"encoding/binary"
	"slices"
)

// lower is the digit of each value 0–15.
const lower = "0123456789abcdef"

// Nibbles spreads the eight nibbles of v over the bytes of the result, one
// per byte, most significant first when the result is stored big-endian:
// Nibbles(0x12345678) is 0x0102030405060708.
func Nibbles(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000ffff0000ffff
	x = (x | x<<8) & 0x00ff00ff00ff00ff
	return (x | x<<4) & 0x0f0f0f0f0f0f0f0f
}

// digits8 returns the eight lower-case hex digits of v, most significant
// first when stored big-endian. Eight at a time without branches or table
// loads: '0'+n for every nibble n, plus 'a'−'0'−10 = 39 where n ≥ 10 (where
// n+6 carries into bit 4).
func digits8(v uint32) uint64 {
	x := Nibbles(v)
	letters := (x + 0x0606060606060606) >> 4 & 0x0101010101010101
	return x + 0x3030303030303030 + letters*39
}

// Encode writes the lower-case hex digits of src to dst, two per byte, and
// returns 2·len(src): the same bytes as encoding/hex.Encode, eight bytes of
// src in a few word operations instead of sixteen table loads. It panics
// if len(dst) < 2·len(src). src and dst must not overlap.
func Encode(dst, src []byte) int {
	n := len(src)
	dst = dst[:2*n]
	i := 0
	for ; i+8 <= n; i += 8 {
		v := binary.BigEndian.Uint64(src[i:])
		d := (*[16]byte)(dst[2*i:])
		binary.BigEndian.PutUint64(d[:8], digits8(uint32(v>>32)))
		binary.BigEndian.PutUint64(d[8:], digits8(uint32(v)))
	}
	if i+4 <= n {
		binary.BigEndian.PutUint64(dst[2*i:], digits8(binary.BigEndian.Uint32(src[i:])))
		i += 4
	}
	for ; i < n; i++ {
		dst[2*i] = lower[src[i]>>4]
		dst[2*i+1] = lower[src[i]&0xf]
	}
	return 2 * n
}

// AppendEncode appends the lower-case hex digits of src to dst and returns
// the extended slice, as encoding/hex.AppendEncode does.
func AppendEncode(dst, src []byte) []byte {
	n := len(dst)
	dst = slices.Grow(dst, 2*len(src))[:n+2*len(src)]
	Encode(dst[n:], src)
	return dst
}
