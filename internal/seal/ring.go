package seal

import (
	"bytes"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ethereum/go-ethereum/common"
)

// MaxKeys bounds how many keys a Ring keeps (270 KiB each): a node feeding
// seals of made-up signers can make the ring full, and so the follower
// slower, but never wrong.
const MaxKeys = 64

// Ring holds the keys of the signers it has learned and guesses the
// in-turn signer of a block. It is a cache for Check: every guess is
// verified, so a stale signer list costs only speed. Safe for concurrent
// use; Guess takes no lock. A nil *Ring guesses nothing and learns
// nothing.
type Ring struct {
	mu    sync.Mutex // serializes writers
	state atomic.Pointer[ringState]
}

// ringState is immutable once published.
type ringState struct {
	// order is the signer list in Clique's turn order (ascending
	// address): the latest checkpoint's list when one was seen, else the
	// learned keys'.
	order      []common.Address
	checkpoint uint64 // block of the list in order; 0 if learned
	fromList   bool
	keys       map[common.Address]*Key
	byTurn     []*Key // keys[order[i]] or nil
}

// NewRing returns an empty ring.
func NewRing() *Ring {
	r := new(Ring)
	r.state.Store(&ringState{keys: map[common.Address]*Key{}})
	return r
}

// Guess returns the key of block n's in-turn signer (Clique: the signer
// list sorted by address, index n mod its length), or nil if the ring
// has no list or not that key.
func (r *Ring) Guess(n uint64) *Key {
	if r == nil {
		return nil
	}
	s := r.state.Load()
	if len(s.byTurn) == 0 {
		return nil
	}
	return s.byTurn[n%uint64(len(s.byTurn))]
}

// Known reports whether the ring holds a key for addr.
func (r *Ring) Known(addr common.Address) bool {
	if r == nil {
		return false
	}
	_, ok := r.state.Load().keys[addr]
	return ok
}

// Checkpoint records the signer list of checkpoint block n, replacing an
// older block's list (blocks may be checked out of order).
func (r *Ring) Checkpoint(n uint64, signers []common.Address) {
	if r == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.state.Load()
	if s.fromList && n <= s.checkpoint {
		return
	}
	next := &ringState{order: sortedCopy(signers), checkpoint: n, fromList: true, keys: s.keys}
	next.index()
	r.state.Store(next)
}

// Learn adds the 65-byte public key pub of address addr (the caller has
// hashed it already), which recovery found sealed a block, building its
// table. Without a checkpoint list any key is kept (until MaxKeys); with
// one, only its members. Bad keys, and keys that are not addr's, are
// ignored.
func (r *Ring) Learn(addr common.Address, pub []byte) {
	if r == nil || len(pub) != 65 {
		return
	}
	if r.Known(addr) {
		return // the common case: no lock
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.state.Load()
	if len(s.keys) >= MaxKeys {
		return
	}
	if _, ok := s.keys[addr]; ok {
		return
	}
	if s.fromList && !slices.Contains(s.order, addr) {
		return
	}
	k, err := NewKey(pub)
	if err != nil || k.Address != addr {
		return
	}
	next := &ringState{order: s.order, checkpoint: s.checkpoint, fromList: s.fromList, keys: make(map[common.Address]*Key, len(s.keys)+1)}
	for a, key := range s.keys {
		next.keys[a] = key
	}
	next.keys[addr] = k
	if !next.fromList {
		next.order = make([]common.Address, 0, len(next.keys))
		for a := range next.keys {
			next.order = append(next.order, a)
		}
		slices.SortFunc(next.order, byAddress)
	}
	next.index()
	r.state.Store(next)
}

func (s *ringState) index() {
	s.byTurn = make([]*Key, len(s.order))
	for i, a := range s.order {
		s.byTurn[i] = s.keys[a]
	}
}

func sortedCopy(list []common.Address) []common.Address {
	out := slices.Clone(list)
	slices.SortFunc(out, byAddress)
	return out
}

// byAddress orders addresses as Clique orders signers: by their bytes.
func byAddress(a, b common.Address) int { return bytes.Compare(a[:], b[:]) }
