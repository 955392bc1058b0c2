// Package seal checks Clique seals fast when the signer can be guessed.
//
// Recovering the signer of a seal (what go-ethereum's crypto.Ecrecover
// does, through libsecp256k1) costs a variable-base scalar multiplication:
// about 60 µs here, and most of what following or auditing a chain costs.
// But a Clique chain has at most a few dozen signers, and the in-turn one
// seals almost every block. For a guessed public key Q the same question
// — does this seal recover to Q? — is answered by computing
// R′ = (e/s)·G + (r/s)·Q and comparing it with the R the seal names (x = r,
// y of parity v): R′ = R exactly when recovery gives Q. With a table of
// multiples of Q (and of G) that is 66 point additions and no doublings,
// and the inversions are shared by a group of seals.
//
// A "no" from Check never means the seal is bad, only that the fast path
// did not show it recovers to the guess: the caller then recovers it the
// usual way, which gives the authoritative signer or error. So a wrong
// guess costs time, never correctness.
package seal

import (
	"encoding/binary"
	"errors"
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// ErrBadKey is returned by NewKey for a public key that is not an
// uncompressed point on secp256k1.
var ErrBadKey = errors.New("not an uncompressed secp256k1 public key")

// Key is a signer's public key with a table of its multiples (270 KiB).
// It is immutable and safe for concurrent use.
type Key struct {
	Address common.Address
	tab     *table
}

// NewKey returns the Key of the 65-byte uncompressed public key pub
// (0x04 ‖ x ‖ y), as crypto.Ecrecover returns it. Building the table
// takes about a millisecond.
func NewKey(pub []byte) (*Key, error) {
	if len(pub) != 65 || pub[0] != 4 {
		return nil, ErrBadKey
	}
	var a affine
	a.x.setBytes(pub[1:33])
	a.y.setBytes(pub[33:65])
	if !a.onCurve() || a.x != normalized(&a.x) || a.y != normalized(&a.y) {
		return nil, ErrBadKey
	}
	k := &Key{tab: newTable(&a)}
	copy(k.Address[:], crypto.Keccak256(pub[1:])[12:])
	return k, nil
}

// normalized returns x reduced below p.
func normalized(x *fe) fe {
	n := *x
	n.normalize()
	return n
}

var (
	gOnce  sync.Once
	gTable *table
)

// generator returns the table of secp256k1's base point G.
func generator() *table {
	gOnce.Do(func() {
		var g affine
		g.x.setBytes(common.FromHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798"))
		g.y.setBytes(common.FromHex("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"))
		gTable = newTable(&g)
	})
	return gTable
}

// Job is one seal to check: does the 65-byte signature Sig (r ‖ s ‖ v,
// as in a Clique header's extra data) over Hash recover to Key?
type Job struct {
	Key  *Key // the guessed signer; a nil Key is skipped (OK stays false)
	Hash [32]byte
	Sig  []byte
	OK   bool // set by Check
}

// Check sets each job's OK to whether crypto.Ecrecover(Hash, Sig) would
// return exactly Key's public key. OK false only means not shown: v
// other than 0 or 1, r or s outside [1, n), and additions that hit a
// doubling are left to recovery. Jobs are taken sixteen at a time, with
// one scalar inversion (Montgomery's trick) and, on AVX-512 IFMA, the sums
// eight at a time (sum8); otherwise one by one. Safe for concurrent use.
func Check(jobs []Job) {
	const stack = 16
	for len(jobs) > stack {
		Check(jobs[:stack])
		jobs = jobs[stack:]
	}
	var (
		sInv  [stack]secp256k1.ModNScalar
		rs    [stack]secp256k1.ModNScalar
		pre   [stack]secp256k1.ModNScalar
		live  [stack]int
		nl    int
		accs  [stack]jacobian
		zs    [stack]*fe
		zbuf  [stack]fe
		nz    int
		ready [stack]int
	)
	for i := range jobs {
		j := &jobs[i]
		j.OK = false
		if j.Key == nil || len(j.Sig) != 65 || j.Sig[64] > 1 {
			continue
		}
		var r, s secp256k1.ModNScalar
		if r.SetByteSlice(j.Sig[:32]) || r.IsZero() || s.SetByteSlice(j.Sig[32:64]) || s.IsZero() {
			continue
		}
		sInv[nl], rs[nl] = s, r
		live[nl] = i
		nl++
	}
	if nl == 0 {
		return
	}
	// Invert every s with one inversion (Montgomery's trick).
	pre[0] = sInv[0]
	for t := 1; t < nl; t++ {
		pre[t].Mul2(&pre[t-1], &sInv[t])
	}
	var inv secp256k1.ModNScalar
	inv.InverseValNonConst(&pre[nl-1])
	for t := nl - 1; t > 0; t-- {
		var st secp256k1.ModNScalar
		st.Mul2(&inv, &pre[t-1])
		inv.Mul(&sInv[t])
		sInv[t] = st
	}
	sInv[0] = inv

	g := generator()
	var k1s, k2s [stack][32]byte
	var keys [stack]*table
	for t := 0; t < nl; t++ {
		j := &jobs[live[t]]
		var e, u1, u2 secp256k1.ModNScalar
		e.SetByteSlice(j.Hash[:]) // reduced mod n, as libsecp256k1 does
		u1.Mul2(&e, &sInv[t])
		u2.Mul2(&rs[t], &sInv[t])
		k1s[t], k2s[t] = littleEndian(&u1), littleEndian(&u2)
		keys[t] = j.Key.tab
	}
	// R′ = u1·G + u2·Q for each: eight at a time (madd8) where the CPU
	// can, else one by one. A sum that degenerated is left out.
	var ok [stack]bool
	if useIFMA {
		for t := 0; t < nl; t += lanes {
			e := min(t+lanes, nl)
			sum8(g, keys[t:e], k1s[t:e], k2s[t:e], accs[t:e], ok[t:e])
		}
	} else {
		for t := 0; t < nl; t++ {
			started := false
			ok[t] = g.mulAdd(&accs[t], &started, &k1s[t]) && keys[t].mulAdd(&accs[t], &started, &k2s[t]) && started
		}
	}
	for t := 0; t < nl; t++ {
		if !ok[t] || accs[t].z.isZero() {
			continue
		}
		accs[nz] = accs[t]
		ready[nz] = live[t]
		zs[nz] = &accs[nz].z
		nz++
	}
	batchInv(zs[:nz], zbuf[:nz])
	for t := 0; t < nz; t++ {
		j := &jobs[ready[t]]
		var a affine
		toAffine(&a, &accs[t], &accs[t].z)
		var r fe
		r.setBytes(j.Sig[:32])
		// r < n < p, so r is normalized, as a.x is.
		j.OK = a.x == r && byte(a.y[0]&1) == j.Sig[64]
	}
}

// littleEndian returns s as 32 little-endian bytes.
func littleEndian(s *secp256k1.ModNScalar) [32]byte {
	be := s.Bytes()
	var le [32]byte
	for i := 0; i < 4; i++ {
		binary.LittleEndian.PutUint64(le[8*i:], binary.BigEndian.Uint64(be[32-8*(i+1):]))
	}
	return le
}
