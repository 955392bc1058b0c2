package keccak8

import (
	"encoding/binary"
	"fmt"

	"github.com/ethereum/go-ethereum/crypto"
)

// Lanes is how many messages one call hashes at most.
const Lanes = 8

// MaxLen is the longest message hashed in one permutation: the Keccak-256
// rate (136 bytes) minus the padding byte.
const MaxLen = 135

// state is 25 Keccak lanes of eight independent states: state[l][i] is lane
// l (x + 5y) of message i.
type state [25][Lanes]uint64

// Accelerated reports whether Sum256 runs eight permutations at once (amd64
// with AVX-512) rather than one message at a time.
func Accelerated() bool { return useAVX512 }

// Sum256 sets out[i] (a [32]byte or a type like common.Hash) to the Keccak-256 hash of msgs[i*n : (i+1)*n] for every
// i < len(out). All messages have the same length n, 0 ≤ n ≤ MaxLen;
// len(out) ≤ Lanes and len(msgs) == len(out)*n, or it panics (a programming
// error, never an input error). It does not allocate and is safe for
// concurrent use.
func Sum256[H ~[32]byte](out []H, msgs []byte, n int) {
	k := len(out)
	if k > Lanes || n < 0 || n > MaxLen || len(msgs) != k*n {
		panic(fmt.Sprintf("keccak8: %d messages of %d bytes in %d bytes", k, n, len(msgs)))
	}
	if k == 0 {
		return
	}
	if !useAVX512 || k == 1 {
		sumEach(out, msgs, n)
		return
	}
	var st state
	words := n / 8
	for i := 0; i < k; i++ {
		m := msgs[i*n : (i+1)*n]
		for w := 0; w < words; w++ {
			st[w][i] = binary.LittleEndian.Uint64(m[8*w:])
		}
		// The tail bytes, then the 0x01 that starts the padding; the
		// rate's last byte gets the 0x80 that ends it.
		var tail uint64
		for j, c := range m[8*words:] {
			tail |= uint64(c) << (8 * j)
		}
		tail |= 1 << (8 * (n % 8))
		st[words][i] ^= tail
		st[16][i] ^= 0x80 << 56
	}
	permute8(&st)
	for i := 0; i < k; i++ {
		var h [32]byte
		for w := 0; w < 4; w++ {
			binary.LittleEndian.PutUint64(h[8*w:], st[w][i])
		}
		out[i] = H(h)
	}
}

// sumEach is Sum256 one message at a time.
func sumEach[H ~[32]byte](out []H, msgs []byte, n int) {
	h := crypto.NewKeccakState()
	for i := range out {
		h.Reset()
		h.Write(msgs[i*n : (i+1)*n])
		var sum [32]byte
		h.Read(sum[:])
		out[i] = H(sum)
	}
}
