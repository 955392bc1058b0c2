package merkle

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/holiman/uint256"
)

func addr(b byte) common.Address { return common.Address{19: b} }

func TestLeafHashLayout(t *testing.T) {
	a := common.HexToAddress("0x5B38Da6a701c568545dCfcB03FcB875f56beddC4")
	v := uint256.MustFromDecimal("1000000000000000000")
	enc := make([]byte, 64)
	copy(enc[12:32], a[:])
	b := v.Bytes32()
	copy(enc[32:], b[:])
	want := crypto.Keccak256Hash(crypto.Keccak256(enc))
	if got := LeafHash(a, v); got != want {
		t.Fatalf("LeafHash %s, want %s", got.Hex(), want.Hex())
	}
	if LeafHash(a, nil) != LeafHash(a, new(uint256.Int)) {
		t.Fatal("nil cumulative should hash as zero")
	}
}

func TestHashPair(t *testing.T) {
	x := common.HexToHash("0x01")
	y := common.HexToHash("0xff00")
	want := crypto.Keccak256Hash(x[:], y[:])
	if HashPair(x, y) != want || HashPair(y, x) != want {
		t.Fatal("HashPair is not keccak(min ‖ max)")
	}
}

// legacyEmptyDump is the dump of the empty tree that writers before
// rewards-v1 1.1 produced, and that OZ refuses to load.
const legacyEmptyDump = `{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":[],"values":[]}` + "\n"

func TestEmptyTree(t *testing.T) {
	for _, leaves := range [][]Leaf{nil, {}} {
		tr, err := Build(leaves)
		if err != nil {
			t.Fatal(err)
		}
		if tr.Root() != (common.Hash{}) || tr.Len() != 0 {
			t.Fatalf("root %s len %d", tr.Root().Hex(), tr.Len())
		}
		if _, err := tr.Proof(addr(1)); !errors.Is(err, ErrNoSuchAccount) {
			t.Fatalf("Proof on empty tree: %v", err)
		}
		// An empty tree has no dump (rewards-v1 §6, 1.1).
		var sb strings.Builder
		if err := tr.WriteDump(&sb); !errors.Is(err, ErrEmptyTree) || sb.Len() != 0 {
			t.Fatalf("WriteDump of the empty tree: %v, wrote %q", err, sb.String())
		}
		// What writers before 1.1 wrote still reads as the empty tree.
		rt, err := ReadDump(strings.NewReader(legacyEmptyDump))
		if err != nil || rt.Len() != 0 || rt.Root() != (common.Hash{}) {
			t.Fatalf("ReadDump of empty dump: %v", err)
		}
	}
}

func TestSingleLeaf(t *testing.T) {
	v := uint256.NewInt(42)
	tr, err := Build([]Leaf{{addr(7), v}})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Root() != LeafHash(addr(7), v) {
		t.Fatal("single-leaf root is not the leaf hash")
	}
	p, err := tr.Proof(addr(7))
	if err != nil || p == nil || len(p) != 0 {
		t.Fatalf("proof %v, %v; want empty non-nil", p, err)
	}
	if !Verify(tr.Root(), addr(7), v, p) || Verify(tr.Root(), addr(7), uint256.NewInt(43), p) {
		t.Fatal("Verify on single leaf")
	}
	if tr.TreeIndex(0) != 0 {
		t.Fatalf("TreeIndex %d", tr.TreeIndex(0))
	}
}

func TestBuildErrors(t *testing.T) {
	one := uint256.NewInt(1)
	tests := []struct {
		name   string
		leaves []Leaf
		is     error
		substr string
	}{
		{"duplicate", []Leaf{{addr(1), one}, {addr(2), one}, {addr(1), uint256.NewInt(5)}}, ErrDuplicateAccount,
			"0x0000000000000000000000000000000000000001: leaves[0] and leaves[2]"},
		{"duplicate adjacent", []Leaf{{addr(9), one}, {addr(9), one}}, ErrDuplicateAccount, "leaves[0] and leaves[1]"},
		{"nil cumulative", []Leaf{{addr(1), one}, {addr(2), nil}}, nil, "leaves[1]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr, err := Build(tt.leaves)
			if err == nil || tr != nil {
				t.Fatalf("Build succeeded")
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("error %v does not wrap %v", err, tt.is)
			}
			if !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("error %q does not contain %q", err, tt.substr)
			}
		})
	}
}

func TestNoSuchAccount(t *testing.T) {
	tr, err := Build([]Leaf{{addr(1), uint256.NewInt(1)}, {addr(2), uint256.NewInt(2)}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = tr.Proof(addr(3))
	if !errors.Is(err, ErrNoSuchAccount) || !strings.Contains(err.Error(), addr(3).Hex()) {
		t.Fatalf("Proof(unknown) = %v", err)
	}
	if _, ok := tr.Lookup(addr(3)); ok {
		t.Fatal("Lookup found an unknown account")
	}
	if i, ok := tr.Lookup(addr(2)); !ok || i != 1 {
		t.Fatalf("Lookup = %d, %v", i, ok)
	}
}

func TestBuildCopiesInput(t *testing.T) {
	leaves := []Leaf{{addr(1), uint256.NewInt(10)}, {addr(2), uint256.NewInt(20)}, {addr(3), uint256.NewInt(30)}}
	tr, err := Build(leaves)
	if err != nil {
		t.Fatal(err)
	}
	root := tr.Root()
	leaves[0].Cumulative.SetUint64(999)
	leaves[1].Account = addr(9)
	got := tr.Leaf(0)
	got.Cumulative.SetUint64(12345) // Leaf returns a copy
	if tr.Leaf(0).Cumulative.Uint64() != 10 || tr.Leaf(1).Account != addr(2) {
		t.Fatal("tree shares memory with its input or output")
	}
	if again, _ := Build([]Leaf{{addr(1), uint256.NewInt(10)}, {addr(2), uint256.NewInt(20)}, {addr(3), uint256.NewInt(30)}}); again.Root() != root {
		t.Fatal("root changed")
	}
}

func TestRootIndependentOfOrder(t *testing.T) {
	leaves := randomLeaves(rand.New(rand.NewPCG(1, 2)), 50)
	a, _ := Build(leaves)
	rand.New(rand.NewPCG(3, 4)).Shuffle(len(leaves), func(i, j int) { leaves[i], leaves[j] = leaves[j], leaves[i] })
	b, _ := Build(leaves)
	if a.Root() != b.Root() {
		t.Fatal("root depends on input order")
	}
}

func TestVerifyRejects(t *testing.T) {
	leaves := randomLeaves(rand.New(rand.NewPCG(5, 6)), 13)
	tr, err := Build(leaves)
	if err != nil {
		t.Fatal(err)
	}
	root := tr.Root()
	l := tr.Leaf(4)
	proof := tr.ProofAt(4)
	if !Verify(root, l.Account, l.Cumulative, proof) {
		t.Fatal("valid proof rejected")
	}
	wrongAmount := new(uint256.Int).AddUint64(l.Cumulative, 1)
	other := tr.Leaf(5)
	flipped := append([]common.Hash(nil), proof...)
	flipped[1][31] ^= 1
	tests := []struct {
		name    string
		root    common.Hash
		account common.Address
		amount  *uint256.Int
		proof   []common.Hash
	}{
		{"wrong amount", root, l.Account, wrongAmount, proof},
		{"nil amount", root, l.Account, nil, proof},
		{"wrong account", root, other.Account, l.Cumulative, proof},
		{"other leaf's proof", root, l.Account, l.Cumulative, tr.ProofAt(5)},
		{"corrupted proof", root, l.Account, l.Cumulative, flipped},
		{"truncated proof", root, l.Account, l.Cumulative, proof[:len(proof)-1]},
		{"extra proof node", root, l.Account, l.Cumulative, append(append([]common.Hash(nil), proof...), root)},
		{"empty proof", root, l.Account, l.Cumulative, nil},
		{"wrong root", common.Hash{1}, l.Account, l.Cumulative, proof},
	}
	for _, tt := range tests {
		if Verify(tt.root, tt.account, tt.amount, tt.proof) {
			t.Errorf("%s: Verify accepted", tt.name)
		}
	}
}

// randomLeaves returns n leaves with distinct random accounts and amounts
// mixing edge values and random 256-bit numbers.
func randomLeaves(r *rand.Rand, n int) []Leaf {
	leaves := make([]Leaf, 0, n)
	seen := map[common.Address]bool{}
	for len(leaves) < n {
		var a common.Address
		for k := range a {
			a[k] = byte(r.Uint32())
		}
		if seen[a] {
			continue
		}
		seen[a] = true
		v := new(uint256.Int)
		switch r.IntN(4) {
		case 0:
			v.SetUint64(r.Uint64N(3))
		case 1:
			v.SetAllOne()
		default:
			v = &uint256.Int{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		}
		leaves = append(leaves, Leaf{a, v})
	}
	return leaves
}

// refRoot computes the root the slow, obvious way from OZ's description.
func refRoot(leaves []Leaf) common.Hash {
	n := len(leaves)
	hs := make([]common.Hash, n)
	for i, l := range leaves {
		hs[i] = LeafHash(l.Account, l.Cumulative)
	}
	for i := 1; i < n; i++ { // insertion sort
		for j := i; j > 0 && string(hs[j][:]) < string(hs[j-1][:]); j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
	tree := make([]common.Hash, 2*n-1)
	for i, h := range hs {
		tree[len(tree)-1-i] = h
	}
	for i := len(tree) - 1 - n; i >= 0; i-- {
		tree[i] = HashPair(tree[2*i+1], tree[2*i+2])
	}
	return tree[0]
}

func TestEveryProofVerifies(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for n := 1; n <= 300; n++ {
		leaves := randomLeaves(r, n)
		tr, err := Build(leaves)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tr.Root(), refRoot(leaves); got != want {
			t.Fatalf("n=%d: root %s, reference %s", n, got.Hex(), want.Hex())
		}
		var buf []common.Hash
		for i, l := range leaves {
			buf = tr.AppendProof(buf[:0], i)
			if !Verify(tr.Root(), l.Account, l.Cumulative, buf) {
				t.Fatalf("n=%d: proof %d does not verify", n, i)
			}
			if tr.Leaf(i).Account != l.Account {
				t.Fatalf("n=%d: Leaf(%d) out of order", n, i)
			}
		}
	}
}

// TestParallelBuild crosses the parallel threshold and checks against the
// serial reference and concurrent readers.
// With GOMAXPROCS up to 7 it also exercises merging an odd number of sorted
// runs.
func TestParallelBuild(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, n := range []int{parallelMin - 1, parallelMin, 3*parallelMin + 17, 40000} {
		leaves := randomLeaves(rand.New(rand.NewPCG(uint64(n), 9)), n)
		want := refRootFast(leaves)
		var tr *Tree
		for _, procs := range []int{1, 2, 3, 4, 7} {
			runtime.GOMAXPROCS(procs)
			var err error
			if tr, err = Build(leaves); err != nil {
				t.Fatal(err)
			}
			if got := tr.Root(); got != want {
				t.Fatalf("n=%d procs=%d: root %s, reference %s", n, procs, got.Hex(), want.Hex())
			}
		}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Go(func() {
				var buf []common.Hash
				for i := w; i < n; i += 4 {
					buf = tr.AppendProof(buf[:0], i)
					if !Verify(tr.Root(), leaves[i].Account, leaves[i].Cumulative, buf) {
						t.Errorf("n=%d: proof %d does not verify", n, i)
						return
					}
				}
			})
		}
		wg.Wait()
	}
}

// refRootFast is refRoot with a library sort, for larger n.
func refRootFast(leaves []Leaf) common.Hash {
	n := len(leaves)
	hs := make([]string, n)
	for i, l := range leaves {
		h := LeafHash(l.Account, l.Cumulative)
		hs[i] = string(h[:])
	}
	slices.Sort(hs)
	tree := make([]common.Hash, 2*n-1)
	for i, h := range hs {
		tree[len(tree)-1-i] = common.BytesToHash([]byte(h))
	}
	for i := len(tree) - 1 - n; i >= 0; i-- {
		tree[i] = HashPair(tree[2*i+1], tree[2*i+2])
	}
	return tree[0]
}

func TestAppendProofNoAlloc(t *testing.T) {
	leaves := randomLeaves(rand.New(rand.NewPCG(10, 11)), 1000)
	tr, _ := Build(leaves)
	buf := make([]common.Hash, 0, 16)
	allocs := testing.AllocsPerRun(10, func() {
		for i := range leaves {
			buf = tr.AppendProof(buf[:0], i)
		}
	})
	if allocs != 0 {
		t.Fatalf("AppendProof allocates %.1f times per run", allocs)
	}
	l := tr.Leaf(3)
	proof := tr.ProofAt(3)
	allocs = testing.AllocsPerRun(100, func() {
		if !Verify(tr.Root(), l.Account, l.Cumulative, proof) {
			t.Fatal("rejected")
		}
		LeafHash(l.Account, l.Cumulative)
		HashPair(proof[0], proof[1])
	})
	if allocs != 0 {
		t.Fatalf("Verify, LeafHash and HashPair allocate %.1f times per run", allocs)
	}
}

// TestSortKeysBuckets: the bucket sort orders keys as a plain sort does,
// with uniform keys, a bucket made big on purpose and equal keys (ties
// broken by cmp).
func TestSortKeysBuckets(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	cmp := func(a, b sortKey) int {
		if a.key != b.key {
			if a.key < b.key {
				return -1
			}
			return 1
		}
		return int(a.src) - int(b.src)
	}
	for _, n := range []int{10, 1<<bucketBits - 1, 1 << bucketBits, 300_000} {
		keys := make([]sortKey, n)
		for i := range keys {
			k := r.Uint64()
			switch r.IntN(10) {
			case 0: // a crowded bucket
				k = 0xabcd<<48 | k>>16
			case 1: // equal keys
				k = 42
			}
			keys[i] = sortKey{k, int32(i)}
		}
		want := slices.Clone(keys)
		slices.SortFunc(want, cmp)
		if got := sortKeys(slices.Clone(keys), cmp); !slices.Equal(got, want) {
			t.Fatalf("%d keys: bucket order differs from the sorted one", n)
		}
	}
}

// TestBuildFrom: BuildFrom gives Build's tree and Build's errors.
func TestBuildFrom(t *testing.T) {
	var leaves []Leaf
	for i := 0; i < 300; i++ {
		var a common.Address
		a[0], a[18], a[19] = byte(i*7), byte(i>>8), byte(i)
		leaves = append(leaves, Leaf{Account: a, Cumulative: uint256.NewInt(uint64(i))})
	}
	split := func(ls []Leaf) ([]common.Address, []uint256.Int) {
		as, ms := make([]common.Address, len(ls)), make([]uint256.Int, len(ls))
		for i, l := range ls {
			as[i], ms[i] = l.Account, *l.Cumulative
		}
		return as, ms
	}
	a, errA := Build(leaves)
	b, errB := BuildFrom(split(leaves))
	if errA != nil || errB != nil || a.Root() != b.Root() || a.Len() != b.Len() {
		t.Fatalf("Build %v %v, BuildFrom %v %v", a.Root(), errA, b.Root(), errB)
	}
	dup := append(slices.Clone(leaves), leaves[17])
	_, errA = Build(dup)
	_, errB = BuildFrom(split(dup))
	if errA == nil || errB == nil || errA.Error() != errB.Error() {
		t.Fatalf("duplicate: Build %v, BuildFrom %v", errA, errB)
	}
}
