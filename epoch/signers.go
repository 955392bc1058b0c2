package epoch

import (
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/ethereum/go-ethereum/common"
)

var (
	// ErrBadCliqueEpoch is returned for a Clique checkpoint interval of 0.
	ErrBadCliqueEpoch = errors.New("clique epoch must be positive")
	// ErrBadCheckpoint is returned by the constructors for a start header
	// that is not a checkpoint or carries no signers.
	ErrBadCheckpoint = errors.New("not a usable checkpoint header")
	// ErrNotNext is returned by Apply for a header that is not the next block.
	ErrNotNext = errors.New("header is not the next block")
	// ErrUnauthorizedSealer is returned by Apply when the sealer is not in
	// the signer set in force for the block (go-ethereum:
	// errUnauthorizedSigner).
	ErrUnauthorizedSealer = errors.New("sealer is not an authorized signer")
	// ErrRecentlySigned is returned by Apply when the sealer is among the
	// recent signers Clique bars from sealing (go-ethereum: errRecentlySigned).
	ErrRecentlySigned = errors.New("sealer signed recently")
	// ErrWrongDifficulty is returned by Apply when the difficulty is neither
	// 1 nor 2 or does not match whether the sealer is in turn.
	ErrWrongDifficulty = errors.New("difficulty does not match the sealer's turn")
	// ErrCheckpointSigners is returned by Apply when a checkpoint header's
	// signer list differs from the replayed signer set (a consistency check:
	// the replay or the header feed is wrong).
	ErrCheckpointSigners = errors.New("checkpoint signer list disagrees with the replayed set")
	// ErrCheckpointVote is returned by Apply for a checkpoint header that
	// casts a vote (non-zero coinbase or an authorize nonce), which Clique
	// forbids.
	ErrCheckpointVote = errors.New("checkpoint header casts a vote")
	// ErrExtraSigners is returned by Apply for a non-checkpoint header with a
	// signer list.
	ErrExtraSigners = errors.New("non-checkpoint header carries a signer list")
)

// vote is one vote cast by an authorized signer and still pending.
type vote struct {
	signer    common.Address
	target    common.Address
	authorize bool
}

// tally is the running count of votes about one account. Votes against the
// proposal are not counted (they are not valid votes).
type tally struct {
	authorize bool
	votes     int
}

// SignerTracker replays the Clique signer set from a checkpoint header,
// following go-ethereum's consensus/clique Snapshot.apply rule for rule:
//
//   - a header votes with its coinbase (target) and nonce (all ones =
//     authorize, zero = drop); a vote counts only if it would change the
//     target's status (so a zero coinbase with nonce 0, what Clique writes
//     when it does not vote, counts for nothing, while a zero coinbase with
//     the authorize nonce is, as in go-ethereum, a vote to add the zero
//     address);
//   - a signer's new vote about a target replaces its previous vote about
//     the same target;
//   - a proposal passes when its tally exceeds half the current signer count
//     (votes > N/2, integer division); a dropped signer's own pending votes
//     are withdrawn, and all pending votes about the changed account are
//     discarded;
//   - at every checkpoint block (number % epoch == 0) all pending votes are
//     discarded before the header is processed;
//   - the sealer must be in the set and not among the recent signers, which
//     are the sealers of the last ⌊N/2⌋ blocks replayed (go-ethereum's
//     Recents; empty at the start checkpoint, exactly as go-ethereum's
//     snapshot taken at a trusted checkpoint).
//
// Apply additionally checks what go-ethereum's header verification checks
// against the set: the difficulty matches the sealer's turn, a checkpoint
// header casts no vote and lists exactly the replayed set, and other headers
// list no signers.
//
// The zero value is not usable; call NewSignerTracker. A SignerTracker is not
// safe for concurrent use; Clone makes an independent copy.
type SignerTracker struct {
	epoch   uint64
	number  uint64 // last block applied (or the start checkpoint)
	hash    common.Hash
	signers []common.Address // ascending, no duplicates
	recents map[uint64]common.Address
	nrecent map[common.Address]int // how often each address occurs in recents
	votes   []vote                 // chronological
	tally   map[common.Address]tally
}

// NewSignerTracker starts a tracker at a checkpoint header: cliqueEpoch is
// the chain's Clique checkpoint interval (> 0), checkpoint.Number must be a
// multiple of it (the genesis included) and checkpoint.Signers the non-empty
// list from its extraData. The list is taken as a set (go-ethereum does the
// same for the genesis list); duplicates collapse. The checkpoint header
// itself counts as applied: Next() is checkpoint.Number+1.
func NewSignerTracker(cliqueEpoch uint64, checkpoint Header) (*SignerTracker, error) {
	if cliqueEpoch == 0 {
		return nil, fmt.Errorf("new signer tracker: %w", ErrBadCliqueEpoch)
	}
	if !IsCheckpoint(checkpoint.Number, cliqueEpoch) {
		return nil, fmt.Errorf("new signer tracker: %w: block %d is not a multiple of the clique epoch %d", ErrBadCheckpoint, checkpoint.Number, cliqueEpoch)
	}
	if len(checkpoint.Signers) == 0 {
		return nil, fmt.Errorf("new signer tracker: %w: block %d lists no signers", ErrBadCheckpoint, checkpoint.Number)
	}
	s := slices.Clone(checkpoint.Signers)
	slices.SortFunc(s, common.Address.Cmp)
	s = slices.Compact(s)
	return &SignerTracker{
		epoch:   cliqueEpoch,
		number:  checkpoint.Number,
		hash:    checkpoint.Hash,
		signers: s,
		recents: make(map[uint64]common.Address),
		nrecent: make(map[common.Address]int),
		tally:   make(map[common.Address]tally),
	}, nil
}

// Clone returns an independent copy of the tracker (for example to keep the
// state at a block while replaying a branch that may be reorganised away).
func (t *SignerTracker) Clone() *SignerTracker {
	return &SignerTracker{
		epoch:   t.epoch,
		number:  t.number,
		hash:    t.hash,
		signers: slices.Clone(t.signers),
		recents: maps.Clone(t.recents),
		nrecent: maps.Clone(t.nrecent),
		votes:   slices.Clone(t.votes),
		tally:   maps.Clone(t.tally),
	}
}

// Next returns the number of the block Apply expects next: the last applied
// block plus one.
func (t *SignerTracker) Next() uint64 { return t.number + 1 }

// Head returns the number and hash of the last applied header (initially the
// start checkpoint).
func (t *SignerTracker) Head() (uint64, common.Hash) { return t.number, t.hash }

// CliqueEpoch returns the checkpoint interval the tracker was built with.
func (t *SignerTracker) CliqueEpoch() uint64 { return t.epoch }

// Signers returns signers(Next()): the signer set in force for the next
// block, sorted ascending by address bytes. The slice is a copy.
func (t *SignerTracker) Signers() []common.Address { return slices.Clone(t.signers) }

// InTurn returns the in-turn signer of the next block,
// sorted(signers)[Next() mod N], and N. N is 0 (and the address zero) only
// after the last signer voted itself out, when no block can follow.
func (t *SignerTracker) InTurn() (common.Address, int) {
	n := len(t.signers)
	if n == 0 {
		return common.Address{}, 0
	}
	return t.signers[t.Next()%uint64(n)], n
}

// IsSigner reports whether addr is in the set in force for the next block.
func (t *SignerTracker) IsSigner(addr common.Address) bool {
	_, ok := t.find(addr)
	return ok
}

// find returns the position of addr in the sorted set, or where it would be
// inserted, and whether it is there.
func (t *SignerTracker) find(addr common.Address) (int, bool) {
	lo, hi := 0, len(t.signers)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if compareAddr(&t.signers[m], &addr) < 0 {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < len(t.signers) && t.signers[lo] == addr
}

// compareAddr orders addresses by their bytes, like bytes.Compare.
func compareAddr(a, b *common.Address) int {
	if c := cmp.Compare(binary.BigEndian.Uint64(a[0:8]), binary.BigEndian.Uint64(b[0:8])); c != 0 {
		return c
	}
	if c := cmp.Compare(binary.BigEndian.Uint64(a[8:16]), binary.BigEndian.Uint64(b[8:16])); c != 0 {
		return c
	}
	return cmp.Compare(binary.BigEndian.Uint32(a[16:20]), binary.BigEndian.Uint32(b[16:20]))
}

// forget deletes block num from the recent signers.
func (t *SignerTracker) forget(num uint64) {
	if a, ok := t.recents[num]; ok {
		delete(t.recents, num)
		if t.nrecent[a]--; t.nrecent[a] == 0 {
			delete(t.nrecent, a)
		}
	}
}

// Apply processes header h, which must be block Next(). On success the
// tracker moves to h (Next() becomes h.Number+1) and Signers() is the set in
// force for the block after h. On error the tracker is unchanged.
//
// Errors (all wrapped, test with errors.Is): ErrNotNext, ErrExtraSigners,
// ErrCheckpointVote, ErrCheckpointSigners, ErrUnauthorizedSealer,
// ErrRecentlySigned, ErrWrongDifficulty.
func (t *SignerTracker) Apply(h Header) error {
	if err := t.check(h); err != nil {
		return fmt.Errorf("signer tracker: block %d: %w", h.Number, err)
	}
	t.apply(h)
	return nil
}

// check validates h against the current state without changing it.
func (t *SignerTracker) check(h Header) error {
	n := h.Number
	if n != t.Next() {
		return fmt.Errorf("%w: want block %d", ErrNotNext, t.Next())
	}
	if IsCheckpoint(n, t.epoch) {
		if h.Coinbase != (common.Address{}) || h.VoteAuth {
			return ErrCheckpointVote
		}
		if !slices.Equal(h.Signers, t.signers) {
			return fmt.Errorf("%w: header lists %d signers %v, replayed set has %d %v", ErrCheckpointSigners, len(h.Signers), h.Signers, len(t.signers), t.signers)
		}
	} else if len(h.Signers) != 0 {
		return ErrExtraSigners
	}
	if _, ok := t.find(h.Sealer); !ok {
		return fmt.Errorf("%w: %s", ErrUnauthorizedSealer, h.Sealer)
	}
	// go-ethereum drops the entry n-limit before looking at Recents.
	limit := uint64(len(t.signers)/2 + 1)
	count := t.nrecent[h.Sealer]
	if n >= limit && count > 0 && t.recents[n-limit] == h.Sealer {
		count--
	}
	if count > 0 {
		var seen []uint64
		for num, r := range t.recents {
			if r == h.Sealer && !(n >= limit && num == n-limit) {
				seen = append(seen, num)
			}
		}
		slices.Sort(seen)
		return fmt.Errorf("%w: %s sealed block %v", ErrRecentlySigned, h.Sealer, seen)
	}
	inTurn, _ := t.InTurn()
	want := uint64(DiffNoTurn)
	if h.Sealer == inTurn {
		want = DiffInTurn
	}
	if h.Difficulty != want {
		return fmt.Errorf("%w: difficulty %d, want %d (in-turn signer %s)", ErrWrongDifficulty, h.Difficulty, want, inTurn)
	}
	return nil
}

// apply mirrors Snapshot.apply for one header that check accepted.
func (t *SignerTracker) apply(h Header) {
	n := h.Number
	if IsCheckpoint(n, t.epoch) {
		t.votes = nil
		clear(t.tally)
	}
	if limit := uint64(len(t.signers)/2 + 1); n >= limit {
		t.forget(n - limit)
	}
	t.recents[n] = h.Sealer
	t.nrecent[h.Sealer]++

	// A signer's new vote about a target replaces its previous one.
	for i, v := range t.votes {
		if v.signer == h.Sealer && v.target == h.Coinbase {
			t.uncast(v.target, v.authorize)
			t.votes = slices.Delete(t.votes, i, i+1)
			break
		}
	}
	if t.cast(h.Coinbase, h.VoteAuth) {
		t.votes = append(t.votes, vote{signer: h.Sealer, target: h.Coinbase, authorize: h.VoteAuth})
	}
	if tl := t.tally[h.Coinbase]; tl.votes > len(t.signers)/2 {
		target := h.Coinbase
		// The set is replaced, never changed in place: MissTracker hands
		// the slice out as Slot.Signers, which must stay the set in force
		// at that block.
		if tl.authorize {
			if i, ok := t.find(target); !ok {
				t.signers = slices.Insert(slices.Clip(t.signers), i, target)
			}
		} else {
			if i, ok := t.find(target); ok {
				t.signers = slices.Delete(slices.Clone(t.signers), i, i+1)
			}
			if limit := uint64(len(t.signers)/2 + 1); n >= limit {
				t.forget(n - limit)
			}
			// Withdraw every vote the dropped signer still had pending.
			kept := t.votes[:0]
			for _, v := range t.votes {
				if v.signer == target {
					t.uncast(v.target, v.authorize)
					continue
				}
				kept = append(kept, v)
			}
			t.votes = kept
		}
		// Pending votes about the changed account are void.
		t.votes = slices.DeleteFunc(t.votes, func(v vote) bool { return v.target == target })
		delete(t.tally, target)
	}
	t.number = n
	t.hash = h.Hash
}

// cast counts a vote if it would change the target's status.
func (t *SignerTracker) cast(target common.Address, authorize bool) bool {
	if t.IsSigner(target) == authorize {
		return false
	}
	tl, ok := t.tally[target]
	if ok {
		tl.votes++
	} else {
		tl = tally{authorize: authorize, votes: 1}
	}
	t.tally[target] = tl
	return true
}

// uncast withdraws a counted vote from the tally.
func (t *SignerTracker) uncast(target common.Address, authorize bool) {
	tl, ok := t.tally[target]
	if !ok || tl.authorize != authorize {
		return
	}
	if tl.votes > 1 {
		tl.votes--
		t.tally[target] = tl
	} else {
		delete(t.tally, target)
	}
}
