package keccak8

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"unsafe"

	"github.com/ethereum/go-ethereum/crypto"
)

// Lanes is how many messages one call hashes at most.
const Lanes = 8

// rate is Keccak-256's rate in bytes: what one permutation absorbs.
const rate = 136

// state is 25 Keccak lanes of eight independent states: state[l][i] is lane
// l (x + 5y) of message i.
type state [25][Lanes]uint64

// Accelerated reports whether Sum256 runs eight permutations at once (amd64
// with AVX-512) rather than one message at a time.
func Accelerated() bool { return useAVX512 }

// Sum256 sets out[i] (a [32]byte or a type like common.Hash) to the
// Keccak-256 hash of msgs[i*n : (i+1)*n] for every i < len(out). All
// messages have the same length n ≥ 0; len(out) ≤ Lanes and len(msgs) ==
// len(out)*n, or it panics (a programming error, never an input error). It
// does not allocate and is safe for concurrent use.
func Sum256[H ~[32]byte](out []H, msgs []byte, n int) {
	k := len(out)
	if k > Lanes || n < 0 || len(msgs) != k*n {
		panic(fmt.Sprintf("keccak8: %d messages of %d bytes in %d bytes", k, n, len(msgs)))
	}
	if k == 0 {
		return
	}
	if oneBlock8(k, n) {
		sum8(lanes(out), unsafe.SliceData(msgs), n/8, false)
		return
	}
	if !useAVX512 || k == 1 {
		sumEach(out, msgs, n)
		return
	}
	var st state
	// Every full block of rate bytes, then the last, partial one with
	// the padding: 0x01 after the message, 0x80 in the rate's last byte.
	full := n / rate
	for blk := 0; blk < full; blk++ {
		for i := 0; i < k; i++ {
			m := msgs[i*n+blk*rate : i*n+blk*rate+rate]
			for w := 0; w < rate/8; w++ {
				st[w][i] ^= binary.LittleEndian.Uint64(m[8*w:])
			}
		}
		permute8(&st)
	}
	r := n - full*rate
	words := r / 8
	for i := 0; i < k; i++ {
		m := msgs[i*n+full*rate : (i+1)*n]
		for w := 0; w < words; w++ {
			st[w][i] ^= binary.LittleEndian.Uint64(m[8*w:])
		}
		var tail uint64
		for j, c := range m[8*words:] {
			tail |= uint64(c) << (8 * j)
		}
		tail |= 1 << (8 * (r % 8))
		st[words][i] ^= tail
		st[rate/8-1][i] ^= 0x80 << 56
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

// oneBlock8 reports whether sum8 hashes k messages of n bytes: eight of
// them, in whole words (its loads are quadword gathers) and one block.
func oneBlock8(k, n int) bool { return useAVX512 && k == Lanes && n%8 == 0 && n < rate }

// lanes is out as sum8's and pairs8's output; len(out) must be Lanes.
func lanes[H ~[32]byte](out []H) *[Lanes][32]byte {
	return (*[Lanes][32]byte)(unsafe.Pointer(unsafe.SliceData(out)))
}

// Sum256Twice sets out[i] to the Keccak-256 hash of the Keccak-256 hash
// of msgs[i*n : (i+1)*n], under Sum256's contract (sizes, panics,
// concurrency). It is OpenZeppelin's standard Merkle leaf,
// keccak256(keccak256(abi.encode(...))): with AVX-512, eight messages of
// whole words that fit one block are hashed twice without leaving the
// vector registers (the first hashes are the second message's first four
// lanes).
func Sum256Twice[H ~[32]byte](out []H, msgs []byte, n int) {
	k := len(out)
	if k > Lanes || n < 0 || len(msgs) != k*n {
		panic(fmt.Sprintf("keccak8: %d messages of %d bytes in %d bytes", k, n, len(msgs)))
	}
	if oneBlock8(k, n) {
		sum8(lanes(out), unsafe.SliceData(msgs), n/8, true)
		return
	}
	var inner [Lanes * 32]byte
	Sum256(out, msgs, n)
	for i := range out {
		copy(inner[32*i:], out[i][:])
	}
	Sum256(out, inner[:32*k], 32)
}

// SumPairs sets out[i] to the Keccak-256 hash of the 64 bytes
// min(a, b) ‖ max(a, b), where a, b = nodes[2i], nodes[2i+1] and the
// order is bytewise: OpenZeppelin's commutative node hash (its
// MerkleProof and StandardMerkleTree). len(nodes) must be 2·len(out) and
// len(out) ≤ Lanes, or it panics. out may overlap nodes: all of nodes is
// read first. It does not allocate and is safe for concurrent use.
func SumPairs[H ~[32]byte](out []H, nodes []H) {
	k := len(out)
	if k > Lanes || len(nodes) != 2*k {
		panic(fmt.Sprintf("keccak8: %d outputs for %d nodes", k, len(nodes)))
	}
	if useAVX512BW && k == Lanes {
		pairs8(lanes(out), (*[2 * Lanes][32]byte)(unsafe.Pointer(unsafe.SliceData(nodes))))
		return
	}
	var enc [Lanes * 64]byte
	for i := 0; i < k; i++ {
		a, b := nodes[2*i][:], nodes[2*i+1][:]
		if bytes.Compare(a, b) > 0 {
			a, b = b, a
		}
		copy(enc[64*i:], a)
		copy(enc[64*i+32:], b)
	}
	Sum256(out, enc[:64*k], 64)
}

// SumEach sets out[i] to the Keccak-256 hash of msgs[i], for messages of
// any lengths: those of equal length are hashed eight at a time (in the
// order they come), the rest one by one. len(out) must be len(msgs). It
// is safe for concurrent use.
func SumEach[H ~[32]byte](out []H, msgs [][]byte) {
	if len(out) != len(msgs) {
		panic(fmt.Sprintf("keccak8: %d outputs for %d messages", len(out), len(msgs)))
	}
	var doneBuf [64]bool
	var done []bool
	if len(msgs) <= len(doneBuf) {
		done = doneBuf[:len(msgs)]
	} else {
		done = make([]bool, len(msgs))
	}
	var buf []byte
	var idx [Lanes]int
	var sums [Lanes]H
	for i := range msgs {
		if done[i] {
			continue
		}
		n := len(msgs[i])
		k := 0
		for j := i; j < len(msgs) && k < Lanes; j++ {
			if !done[j] && len(msgs[j]) == n {
				idx[k] = j
				k++
			}
		}
		buf = buf[:0]
		for _, j := range idx[:k] {
			buf = append(buf, msgs[j]...)
			done[j] = true
		}
		Sum256(sums[:k], buf, n)
		for t, j := range idx[:k] {
			out[j] = sums[t]
		}
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
