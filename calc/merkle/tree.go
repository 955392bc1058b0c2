package merkle

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"math/bits"
	"runtime"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
	"github.com/cmt-rewards/cmt-rewards/internal/keccak8"
)

// Leaf is one (account, cumulative) entry of the payout tree. Cumulative is
// the account's total payout in wei over all epochs so far (rewards-v1 §6).
type Leaf struct {
	Account    common.Address
	Cumulative *uint256.Int
}

// Sentinel errors. Errors returned by this package wrap one of them (test
// with errors.Is) and add the offending address or field.
var (
	// ErrDuplicateAccount: Build was given the same account twice.
	ErrDuplicateAccount = errors.New("merkle: duplicate account")
	// ErrNoSuchAccount: the tree has no leaf for the account asked about.
	ErrNoSuchAccount = errors.New("merkle: no such account")
	// ErrBadDump: ReadDump's input is not a well-formed, self-consistent
	// standard-v1 dump of an ["address","uint256"] tree, or ReadDumpFile's
	// dump is not of the expected root.
	ErrBadDump = errors.New("merkle: bad tree dump")
	// ErrEmptyTree: WriteDump was given a tree with no leaves, which has no
	// dump (rewards-v1 §6, 1.1: OZ's standard-v1 format cannot hold one).
	ErrEmptyTree = errors.New("merkle: an empty tree has no dump")
	// ErrNoDump: a tree's dump is missing although its root is not all
	// zeros, so it is not the empty tree (MissingDump, ReadDumpFile).
	ErrNoDump = errors.New("merkle: tree dump missing")
)

// wrapError is an error with its own message that wraps err.
type wrapError struct {
	msg string
	err error
}

func (e wrapError) Error() string { return e.msg }
func (e wrapError) Unwrap() error { return e.err }

// MaxLeaves is the largest number of leaves Build accepts (tree indices are
// stored as int32).
const MaxLeaves = 1 << 30

// Tree is a built payout tree. It is immutable and safe for concurrent reads.
// The zero Tree is the empty tree (no leaves, all-zero root); others come
// from Build or ReadDump.
type Tree struct {
	nodes    []common.Hash // OZ layout, 2n−1 entries (none when n = 0)
	accounts []common.Address
	amounts  []uint256.Int
	pos      []int32                     // pos[i]: tree index of the leaf of input i
	index    *bulk.Index[common.Address] // over accounts; nil when empty
	seed     maphash.Seed

	// hex holds the 40 EIP-55 hex digits of every account, computed once
	// (on every core) by the first writer that needs them: the result and
	// the dump both list every account.
	hexOnce sync.Once
	hex     []byte

	indexOnce sync.Once // builds index, now or on the first lookup
}

// accountHex returns the EIP-55 hex digits (without 0x) of every account,
// 40 bytes per leaf in input order.
func (t *Tree) accountHex() []byte {
	t.hexOnce.Do(func() {
		n := len(t.accounts)
		hex := make([]byte, 40*n)
		parallel(n, func(lo, hi int) {
			checksumHex(hex[40*lo:40*hi], t.accounts[lo:hi])
		})
		t.hex = hex
	})
	return t.hex
}

// AppendChecksumAccount appends the EIP-55 form of a (what a.Hex()
// returns) to dst. When a is the account of leaf i it is taken from a
// cache the tree computes once, on every core, for all its leaves.
func (t *Tree) AppendChecksumAccount(dst []byte, i int, a *common.Address) []byte {
	if i < 0 || i >= len(t.accounts) || t.accounts[i] != *a {
		return AppendChecksumAddress(dst, a)
	}
	dst = append(dst, "0x"...)
	return append(dst, t.accountHex()[40*i:40*i+40]...)
}

// hasher is a reusable keccak256 state with scratch space; one per goroutine.
type hasher struct {
	st   crypto.KeccakState
	buf  [64]byte
	addr [42]byte // an EIP-55 address being checked
}

func newHasher() *hasher { return &hasher{st: crypto.NewKeccakState()} }

var hasherPool = sync.Pool{New: func() any { return newHasher() }}

// leaf stores LeafHash(account, amount) in out.
func (h *hasher) leaf(out *common.Hash, account *common.Address, amount *uint256.Int) {
	clear(h.buf[:12])
	copy(h.buf[12:32], account[:])
	amount.WriteToArray32((*[32]byte)(h.buf[32:64]))
	h.st.Reset()
	h.st.Write(h.buf[:64])
	h.st.Read(h.buf[:32])
	h.st.Reset()
	h.st.Write(h.buf[:32])
	h.st.Read(h.buf[:32])
	*out = common.Hash(h.buf[:32])
}

// pair stores HashPair(*a, *b) in out (out may alias a or b).
func (h *hasher) pair(out, a, b *common.Hash) {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b = b, a
	}
	copy(h.buf[:32], a[:])
	copy(h.buf[32:], b[:])
	h.st.Reset()
	h.st.Write(h.buf[:64])
	h.st.Read(h.buf[:32])
	*out = common.Hash(h.buf[:32])
}

// LeafHash returns the leaf hash of (account, cumulative):
// keccak256(keccak256(abi.encode(account, cumulative))), where abi.encode is
// 12 zero bytes, the 20 address bytes, then cumulative as 32 bytes big-endian.
// This equals OZ's standardLeafHash(["address","uint256"], [account, cumulative]).
// A nil cumulative hashes as zero.
func LeafHash(account common.Address, cumulative *uint256.Int) common.Hash {
	if cumulative == nil {
		cumulative = new(uint256.Int)
	}
	h := hasherPool.Get().(*hasher)
	var out common.Hash
	h.leaf(&out, &account, cumulative)
	hasherPool.Put(h)
	return out
}

// HashPair returns the parent of two nodes: keccak256 of the 64 bytes
// min(a,b) ‖ max(a,b), comparing bytewise. It is symmetric, HashPair(a,b) ==
// HashPair(b,a), and equals OZ's standardNodeHash and the node hash of
// OpenZeppelin's MerkleProof.sol.
func HashPair(a, b common.Hash) common.Hash {
	h := hasherPool.Get().(*hasher)
	var out common.Hash
	h.pair(&out, &a, &b)
	hasherPool.Put(h)
	return out
}

// Build builds the tree of leaves. Leaf i of the input is Leaf(i) of the
// result, and dumps list values in input order; callers should pass leaves
// sorted by account so dumps are canonical, though any order gives the same
// root. Build copies what it keeps, so the caller may reuse leaves and their
// Cumulative values afterwards.
//
// It fails with an error wrapping ErrDuplicateAccount (naming the address and
// both positions) if an account appears twice, and with an error if a
// Cumulative is nil or there are more than MaxLeaves leaves. Zero amounts are
// allowed. An empty input gives a tree with no leaves and the all-zero root.
func Build(leaves []Leaf) (*Tree, error) {
	n := len(leaves)
	if n > MaxLeaves {
		return nil, fmt.Errorf("merkle: %d leaves exceed the maximum of %d", n, MaxLeaves)
	}
	accounts := make([]common.Address, n)
	amounts := make([]uint256.Int, n)
	for i := range leaves {
		if leaves[i].Cumulative == nil {
			return nil, fmt.Errorf("merkle: leaves[%d] (%s): nil cumulative", i, leaves[i].Account.Hex())
		}
		accounts[i] = leaves[i].Account
		amounts[i] = *leaves[i].Cumulative
	}
	return build(accounts, amounts, "leaves")
}

// BuildFrom is Build of the leaves (accounts[i], amounts[i]), taking
// ownership of both slices (the caller must not change them afterwards):
// it saves Build's copy when the caller lays leaves out that way anyway.
// Errors name the leaves as Build's do. It panics if the lengths differ.
func BuildFrom(accounts []common.Address, amounts []uint256.Int) (*Tree, error) {
	if len(accounts) != len(amounts) {
		panic("merkle: BuildFrom: accounts and amounts differ in length")
	}
	if n := len(accounts); n > MaxLeaves {
		return nil, fmt.Errorf("merkle: %d leaves exceed the maximum of %d", n, MaxLeaves)
	}
	return build(accounts, amounts, "leaves")
}

// build makes a Tree that takes ownership of accounts and amounts. what names
// the input in errors ("leaves" or "values").
func build(accounts []common.Address, amounts []uint256.Int, what string) (*Tree, error) {
	n := len(accounts)
	t := &Tree{accounts: accounts, amounts: amounts, pos: make([]int32, n)}
	// Accounts in ascending order (every tree calc builds, every canonical
	// dump) cannot repeat unless two neighbours are equal: the index is
	// then built on the first lookup, if any. Otherwise it is built now,
	// alongside the hashing, to find the first repeated account.
	sorted, dup := ascending(accounts)
	if dup > 0 {
		return nil, t.duplicate(what, dup, dup-1)
	}
	var dupErr error
	indexDone := make(chan struct{})
	if sorted {
		close(indexDone)
	} else {
		go func() {
			defer close(indexDone)
			t.indexOnce.Do(func() { dupErr = t.indexAccounts(what) })
		}()
	}
	if n > 0 {
		t.nodes = makeNodes(accounts, amounts, t.pos)
	}
	<-indexDone
	if dupErr != nil {
		return nil, dupErr
	}
	return t, nil
}

// ascending reports whether accounts are in non-decreasing byte order and,
// if the first repeat within that order is at i, returns i (else 0). In an
// ascending prefix the first account seen before is the first one equal to
// its predecessor.
func ascending(accounts []common.Address) (sorted bool, dup int) {
	for i := 1; i < len(accounts); i++ {
		switch c := bytes.Compare(accounts[i-1][:], accounts[i][:]); {
		case c == 0:
			return true, i
		case c > 0:
			return false, 0
		}
	}
	return true, 0
}

// indexAccounts indexes each account by its input index, failing on the
// first account (in input order) seen before.
func (t *Tree) indexAccounts(what string) error {
	accounts := t.accounts
	t.seed = maphash.MakeSeed()
	t.index = bulk.NewIndex(len(accounts), func(j int32) common.Address { return accounts[j] })
	i, j := t.index.InsertAll(len(accounts), func(i int32) (uint64, common.Address) {
		return maphash.Comparable(t.seed, accounts[i]), accounts[i]
	})
	if i < 0 {
		return nil
	}
	return t.duplicate(what, int(i), int(j))
}

// duplicate is the error for account i repeating account j < i.
func (t *Tree) duplicate(what string, i, j int) error {
	a := t.accounts[i]
	if what == "leaves" {
		return fmt.Errorf("%w %s: leaves[%d] and leaves[%d]", ErrDuplicateAccount, a.Hex(), j, i)
	}
	return wrapError{fmt.Sprintf("%s[%d].value[0]: duplicate account %s (also %s[%d])", what, i, a.Hex(), what, j), ErrDuplicateAccount}
}

// sortKey orders leaves by hash: key is the hash's first 8 bytes big-endian,
// src the input index, whose full hash breaks ties.
type sortKey struct {
	key uint64
	src int32
}

// makeNodes returns the node array of n ≥ 1 leaves in OZ's layout and sets
// pos[i] to the tree index of input leaf i.
func makeNodes(accounts []common.Address, amounts []uint256.Int, pos []int32) []common.Hash {
	n := len(accounts)

	// Hash the leaves on every core, then sort them by hash on every core.
	hashes := make([]common.Hash, n)
	keys := make([]sortKey, n)
	cmpKeys := func(a, b sortKey) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return bytes.Compare(hashes[a.src][:], hashes[b.src][:])
	}
	parallel(n, func(lo, hi int) {
		leaves(hashes[lo:hi], accounts[lo:hi], amounts[lo:hi])
		for i := lo; i < hi; i++ {
			keys[i] = sortKey{binary.BigEndian.Uint64(hashes[i][:8]), int32(i)}
		}
	})
	keys = sortKeys(keys, cmpKeys)

	// Leaves at the end in reverse order: sorted leaf k at index 2n−2−k.
	nodes := make([]common.Hash, 2*n-1)
	last := len(nodes) - 1
	parallel(n, func(lo, hi int) {
		for k := lo; k < hi; k++ {
			src := keys[k].src
			nodes[last-k] = hashes[src]
			pos[src] = int32(last - k)
		}
	})

	// Inner nodes n−2 … 0, one heap level at a time (deepest first) so the
	// nodes of a level can be hashed in parallel: level d holds indices
	// 2^d−1 … 2^(d+1)−2, and every child of a level-d node lies beyond it.
	for d := bits.Len(uint(n-1)) - 1; d >= 0; d-- {
		lo := 1<<d - 1
		hi := min(1<<(d+1)-1, n-1) // exclusive
		parallel(hi-lo, func(a, b int) {
			pairs(nodes, lo+a, lo+b)
		})
	}
	return nodes
}

// bucketBits is how many top bits of the hash key sortKeys distributes
// leaves by before sorting each bucket.
const bucketBits = 16

// sortKeys returns keys sorted by cmp, which orders them by key first.
// Keys are the leading bytes of leaf hashes, uniform: distributing them
// into 2¹⁶ buckets by their top bits leaves a few per bucket, which are
// sorted (with cmp's tie-break on the full hash) on every core. A bucket
// made big on purpose (accounts ground to share leading hash bits) is
// still sorted in n·log n. Small inputs are sorted directly.
func sortKeys(keys []sortKey, cmp func(a, b sortKey) int) []sortKey {
	if len(keys) < 1<<bucketBits {
		bulk.SortFunc(keys, cmp)
		return keys
	}
	// A counting sort by bucket on every core: each worker counts its
	// share's keys per bucket, then writes them from where its bucket's
	// part begins (after the same bucket's keys of earlier workers), so
	// every bucket keeps the keys' order, as one pass would.
	const nb = 1 << bucketBits
	workers := max(1, min(runtime.GOMAXPROCS(0), len(keys)/(1<<bucketBits)))
	counts := make([][]int32, workers)
	bulk.Chunks(len(keys), workers, func(w, lo, hi int) {
		c := make([]int32, nb)
		for _, k := range keys[lo:hi] {
			c[k.key>>(64-bucketBits)]++
		}
		counts[w] = c
	})
	start := make([]int32, nb+1)
	var at int32
	for b := 0; b < nb; b++ {
		start[b] = at
		for w := range counts {
			c := counts[w][b]
			counts[w][b] = at // now where worker w writes bucket b
			at += c
		}
	}
	start[nb] = at
	out := make([]sortKey, len(keys))
	bulk.Chunks(len(keys), workers, func(w, lo, hi int) {
		next := counts[w]
		for _, k := range keys[lo:hi] {
			b := k.key >> (64 - bucketBits)
			out[next[b]] = k
			next[b]++
		}
	})
	parallel(1<<bucketBits, func(lo, hi int) {
		for b := lo; b < hi; b++ {
			if bucket := out[start[b]:start[b+1]]; len(bucket) > 1 {
				slices.SortFunc(bucket, cmp)
			}
		}
	})
	return out
}

// leaves sets out[i] to LeafHash(accounts[i], amounts[i]), eight at a
// time: both hashes of eight leaves in one keccak8 call.
func leaves(out []common.Hash, accounts []common.Address, amounts []uint256.Int) {
	// enc holds eight abi.encode(account, amount); the first 12 bytes of
	// each stay zero.
	var enc [keccak8.Lanes * 64]byte
	for i := 0; i < len(out); i += keccak8.Lanes {
		k := min(keccak8.Lanes, len(out)-i)
		for j := 0; j < k; j++ {
			e := (*[64]byte)(enc[64*j:])
			copy(e[12:32], accounts[i+j][:])
			amounts[i+j].WriteToArray32((*[32]byte)(e[32:]))
		}
		keccak8.Sum256Twice(out[i:i+k], enc[:64*k], 64)
	}
}

// pairs sets nodes[i] to HashPair(nodes[2i+1], nodes[2i+2]) for lo ≤ i < hi,
// eight at a time. The children of every such i lie beyond hi, and those of
// i … i+7 are the sixteen nodes from 2i+1 on.
func pairs(nodes []common.Hash, lo, hi int) {
	for i := lo; i < hi; i += keccak8.Lanes {
		k := min(keccak8.Lanes, hi-i)
		keccak8.SumPairs(nodes[i:i+k], nodes[2*i+1:2*i+1+2*k])
	}
}

// parallelMin is the smallest job split across goroutines.
const parallelMin = 4096

// parallel runs fn over [0, n) in contiguous chunks, one per core, each
// of at least parallelMin/2 elements (directly when n is small).
func parallel(n int, fn func(lo, hi int)) {
	workers := max(1, min(runtime.GOMAXPROCS(0), n/(parallelMin/2)))
	bulk.Chunks(n, workers, func(_, lo, hi int) { fn(lo, hi) })
}

// Root returns the root: node 0 of the tree, the leaf hash itself for a
// single leaf, and the all-zero hash for a tree with no leaves.
func (t *Tree) Root() common.Hash {
	if len(t.nodes) == 0 {
		return common.Hash{}
	}
	return t.nodes[0]
}

func (t *Tree) lookup(account common.Address) (int32, bool) {
	if len(t.accounts) == 0 {
		return 0, false
	}
	// A tree built from ascending accounts indexes them on first use; they
	// are known distinct, so this cannot fail.
	t.indexOnce.Do(func() { _ = t.indexAccounts("leaves") })
	if t.index == nil {
		return 0, false
	}
	return t.index.Lookup(maphash.Comparable(t.seed, account), account)
}

// Len returns the number of leaves.
func (t *Tree) Len() int { return len(t.accounts) }

// Leaf returns leaf i in input order (the order given to Build, or the dump's
// values order for ReadDump). Cumulative is a fresh copy the caller may keep
// or modify. It panics unless 0 ≤ i < Len().
func (t *Tree) Leaf(i int) Leaf {
	return Leaf{Account: t.accounts[i], Cumulative: new(uint256.Int).Set(&t.amounts[i])}
}

// Lookup returns the input-order index of account's leaf, and whether there
// is one.
func (t *Tree) Lookup(account common.Address) (int, bool) {
	i, ok := t.lookup(account)
	return int(i), ok
}

// TreeIndex returns the position of leaf i (input order) in the node array
// of the dump, the "treeIndex" of values[i]. It panics unless 0 ≤ i < Len().
func (t *Tree) TreeIndex(i int) int { return int(t.pos[i]) }

// Proof returns the proof for account's leaf, as ProofAt does, or an error
// wrapping ErrNoSuchAccount.
func (t *Tree) Proof(account common.Address) ([]common.Hash, error) {
	i, ok := t.lookup(account)
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchAccount, account.Hex())
	}
	return t.ProofAt(int(i)), nil
}

// ProofAt returns a new slice holding the proof of leaf i (input order): the
// sibling hashes from the leaf's level up to just below the root, the same
// list OZ's getProof returns and MerkleProof.verify expects. A single-leaf
// tree gives an empty, non-nil proof. It panics unless 0 ≤ i < Len().
func (t *Tree) ProofAt(i int) []common.Hash {
	p := t.pos[i]
	return t.AppendProof(make([]common.Hash, 0, bits.Len32(uint32(p)+1)-1), i)
}

// AppendProof appends the proof of leaf i (input order) to dst and returns
// the extended slice. It does not allocate when dst has room for the proof
// (at most ⌈log2 Len()⌉ hashes), so reusing dst[:0] streams every proof
// without allocation. It panics unless 0 ≤ i < Len().
func (t *Tree) AppendProof(dst []common.Hash, i int) []common.Hash {
	for p := int(t.pos[i]); p > 0; p = (p - 1) / 2 {
		if p%2 == 1 {
			dst = append(dst, t.nodes[p+1])
		} else {
			dst = append(dst, t.nodes[p-1])
		}
	}
	return dst
}

// Verify reports whether proof proves the leaf (account, cumulative) against
// root: folding HashPair over proof starting from LeafHash(account,
// cumulative) yields root. It accepts exactly what OpenZeppelin's
// MerkleProof.verify(proof, root, leaf) accepts for that leaf, and is false
// for a nil cumulative.
func Verify(root common.Hash, account common.Address, cumulative *uint256.Int, proof []common.Hash) bool {
	if cumulative == nil {
		return false
	}
	h := hasherPool.Get().(*hasher)
	defer hasherPool.Put(h)
	var acc common.Hash
	h.leaf(&acc, &account, cumulative)
	for k := range proof {
		h.pair(&acc, &acc, &proof[k])
	}
	return acc == root
}
