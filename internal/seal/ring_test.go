package seal

import (
	"bytes"
	"slices"
	"testing"

	"github.com/ethereum/go-ethereum/common"
)

// TestRing: the in-turn guess follows Clique's order (addresses sorted,
// block n mod N) over the learned keys, then over the newest checkpoint's
// list, which also limits what is learned; a nil ring is inert.
func TestRing(t *testing.T) {
	ss := newSigners(t, 4)
	slices.SortFunc(ss, func(a, b signer) int { return bytes.Compare(a.k.Address[:], b.k.Address[:]) })
	r := NewRing()
	if r.Guess(7) != nil {
		t.Fatal("an empty ring guessed")
	}
	for _, i := range []int{2, 0, 1} {
		r.Learn(ss[i].k.Address, ss[i].pub)
	}
	r.Learn(ss[0].k.Address, ss[0].pub) // again: nothing changes
	for n := uint64(0); n < 6; n++ {
		if g := r.Guess(n); g == nil || g.Address != ss[n%3].k.Address {
			t.Fatalf("learned: block %d guessed %v, want %s", n, g, ss[n%3].k.Address)
		}
	}
	// A checkpoint's list (in any order) takes over: signer 3 is in it but
	// not learned yet, so its turns guess nothing until it is.
	list := []common.Address{ss[3].k.Address, ss[1].k.Address}
	r.Checkpoint(100, list)
	r.Checkpoint(50, []common.Address{ss[0].k.Address}) // older: ignored
	if g := r.Guess(0); g == nil || g.Address != ss[1].k.Address {
		t.Fatalf("checkpoint: block 0 guessed %v, want %s", g, ss[1].k.Address)
	}
	if g := r.Guess(1); g != nil {
		t.Fatalf("block 1 guessed %s before its signer's key was learned", g.Address)
	}
	r.Learn(ss[3].k.Address, ss[3].pub)
	if g := r.Guess(1); g == nil || g.Address != ss[3].k.Address {
		t.Fatalf("block 1 guessed %v, want %s", g, ss[3].k.Address)
	}
	before := len(r.state.Load().keys)
	other := newSigners(t, 1)
	r.Learn(other[0].k.Address, other[0].pub) // not in the list
	if r.Known(other[0].k.Address) || len(r.state.Load().keys) != before {
		t.Fatal("learned a key outside the checkpoint's list")
	}
	mixed := NewRing()
	mixed.Learn(ss[0].k.Address, ss[1].pub) // a key that is not the address's
	if mixed.Known(ss[0].k.Address) || mixed.Known(ss[1].k.Address) {
		t.Fatal("learned a key under another address")
	}
	var nilRing *Ring
	nilRing.Learn(ss[0].k.Address, ss[0].pub)
	nilRing.Checkpoint(1, list)
	if nilRing.Guess(1) != nil || nilRing.Known(ss[0].k.Address) {
		t.Fatal("a nil ring is not inert")
	}
}

// TestRingBound: a ring keeps at most MaxKeys keys.
func TestRingBound(t *testing.T) {
	if testing.Short() {
		t.Skip("builds MaxKeys tables")
	}
	r := NewRing()
	ss := newSigners(t, MaxKeys+2)
	for _, s := range ss {
		r.Learn(s.k.Address, s.pub)
	}
	if n := len(r.state.Load().keys); n != MaxKeys {
		t.Fatalf("%d keys, want %d", n, MaxKeys)
	}
}
