package epoch

import (
	"errors"
	"fmt"
	"maps"

	"github.com/ethereum/go-ethereum/common"
)

var (
	// ErrNotWarm is returned by MissTracker.Apply when a block it must judge
	// needs the sealers of blocks before the tracker's start: it was started
	// too late (see NewMissTracker and WarmCheckpoint).
	ErrNotWarm = errors.New("tracker started too late to judge the block")
	// ErrNoSigners is returned by MissTracker.Apply when the signer set is
	// empty (the last signer voted itself out), so no block can follow.
	ErrNoSigners = errors.New("signer set is empty")
)

// Slot is MissTracker's verdict on one block b.
type Slot struct {
	Block  uint64
	Sealer common.Address
	// InTurn is inturn(b) = sorted(signers(b))[b mod N].
	InTurn common.Address
	// N is |signers(b)|.
	N int
	// Signers is signers(b), the set in force at b, sorted ascending. It is
	// shared with the tracker (which never changes a set in place) and must
	// not be modified.
	Signers []common.Address
	// Judged is false for warm-up blocks (before the tracker's from); their
	// Missed is always false.
	Judged bool
	// Missed reports that a miss is charged to InTurn at b (rewards-v1 §7):
	// b is out of turn (difficulty 1) and InTurn sealed none of the blocks
	// b−⌊N/2⌋ … b−1.
	Missed bool
}

// MissTracker decides, block by block, whether a missed slot is charged to
// the in-turn signer (rewards-v1 §7). It wraps a SignerTracker (so it also
// replays votes and checks every header the same way) and remembers the last
// block each signer sealed.
//
// Whether inturn(b) sealed one of b−⌊N/2⌋ … b−1 needs those blocks' sealers,
// so the tracker must see the ⌊N/2⌋ headers before the first block it
// judges. Headers applied before from are a warm-up: they update the signer
// set and the sealer history but are not judged. Start at a checkpoint no
// later than from−1−⌊maxN/2⌋ (WarmCheckpoint computes one); Apply returns
// ErrNotWarm rather than guess when the history does not reach back far
// enough.
//
// A MissTracker is not safe for concurrent use; Clone makes an independent
// copy.
type MissTracker struct {
	st    *SignerTracker
	from  uint64
	known uint64                    // lowest block whose sealer is known
	last  map[common.Address]uint64 // highest block each address sealed, among blocks ≥ known
}

// NewMissTracker starts a MissTracker at a checkpoint header (as
// NewSignerTracker) that judges the blocks numbered from and later.
// from must be after the checkpoint. The checkpoint's own sealer counts as
// known history when it is set (it is zero for the genesis, which has no
// sealer and is known to have none).
func NewMissTracker(cliqueEpoch uint64, checkpoint Header, from uint64) (*MissTracker, error) {
	if from <= checkpoint.Number {
		return nil, fmt.Errorf("new miss tracker: %w: judging from block %d, checkpoint %d is not before it", ErrNotWarm, from, checkpoint.Number)
	}
	st, err := NewSignerTracker(cliqueEpoch, checkpoint)
	if err != nil {
		return nil, fmt.Errorf("new miss tracker: %w", err)
	}
	m := &MissTracker{st: st, from: from, known: checkpoint.Number, last: make(map[common.Address]uint64)}
	switch {
	case checkpoint.Number == 0:
		// The genesis block has no sealer: known, and nobody sealed it.
	case checkpoint.Sealer == (common.Address{}):
		m.known = checkpoint.Number + 1
	default:
		m.last[checkpoint.Sealer] = checkpoint.Number
	}
	return m, nil
}

// WarmCheckpoint returns the latest checkpoint block at which a MissTracker
// judging from block from can start, given that the signer set never has
// more than maxSigners members: the largest multiple of cliqueEpoch that is
// ≤ from−1−⌊maxSigners/2⌋ (0, the genesis, when that is negative).
// cliqueEpoch must be positive.
//
// For NotGoodRuns over [first, last], from is StandingConfig.MissesFrom(first).
func WarmCheckpoint(cliqueEpoch, from uint64, maxSigners int) uint64 {
	need := uint64(maxSigners/2) + 1
	if maxSigners < 0 || from < need {
		return 0
	}
	x := from - need
	return x - x%cliqueEpoch
}

// Clone returns an independent copy of the tracker.
func (m *MissTracker) Clone() *MissTracker {
	return &MissTracker{st: m.st.Clone(), from: m.from, known: m.known, last: maps.Clone(m.last)}
}

// Next returns the number of the block Apply expects next.
func (m *MissTracker) Next() uint64 { return m.st.Next() }

// From returns the first block the tracker judges.
func (m *MissTracker) From() uint64 { return m.from }

// Signers returns the signer set in force for the next block, sorted
// ascending (see SignerTracker.Signers).
func (m *MissTracker) Signers() []common.Address { return m.st.Signers() }

// SignerTracker returns a copy of the wrapped signer tracker's state.
func (m *MissTracker) SignerTracker() *SignerTracker { return m.st.Clone() }

// Apply processes header h, which must be block Next(), and returns the
// verdict on it. The header is checked as SignerTracker.Apply checks it; on
// any error the tracker is unchanged.
func (m *MissTracker) Apply(h Header) (Slot, error) {
	inTurn, n := m.st.InTurn()
	if n == 0 {
		return Slot{}, fmt.Errorf("miss tracker: block %d: %w", h.Number, ErrNoSigners)
	}
	if err := m.st.check(h); err != nil {
		return Slot{}, fmt.Errorf("miss tracker: block %d: %w", h.Number, err)
	}
	s := Slot{Block: h.Number, Sealer: h.Sealer, InTurn: inTurn, N: n, Signers: m.st.signers, Judged: h.Number >= m.from}
	if s.Judged && h.Difficulty == DiffNoTurn {
		b := h.Number
		lo := uint64(0) // first block of the recency window b−⌊N/2⌋ … b−1
		if half := uint64(n / 2); b > half {
			lo = b - half
		}
		l, ok := m.last[inTurn]
		recent := ok && l >= lo
		if !recent && lo < m.known {
			return Slot{}, fmt.Errorf("miss tracker: block %d: %w: its recency window starts at block %d, history starts at %d", b, ErrNotWarm, lo, m.known)
		}
		s.Missed = !recent
	}
	m.st.apply(h)
	m.last[h.Sealer] = h.Number
	return s, nil
}
