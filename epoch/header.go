package epoch

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/consensus/clique"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// ErrMalformedHeader is returned by HeaderFromGeth for a header that cannot
// be a valid Clique header (short extraData, an unrecoverable seal, a nonce
// that is not a vote, a signer list where none belongs).
var ErrMalformedHeader = errors.New("malformed clique header")

// Clique constants (go-ethereum consensus/clique).
const (
	// DefaultCliqueEpoch is the checkpoint interval go-ethereum uses when the
	// genesis config leaves clique.epoch unset (or 0). The constructors here
	// reject 0, so pass this value explicitly in that case.
	DefaultCliqueEpoch = 30000

	// DiffInTurn is the difficulty of a block sealed by the in-turn signer.
	DiffInTurn = 2
	// DiffNoTurn is the difficulty of a block sealed out of turn.
	DiffNoTurn = 1

	extraVanity = 32                     // extraData prefix reserved for vanity
	extraSeal   = crypto.SignatureLength // extraData suffix holding the seal
)

// Header is what standing needs from one Clique block header.
type Header struct {
	Number     uint64
	Hash       common.Hash
	Time       uint64
	Difficulty uint64           // 2 in turn, 1 out of turn
	Sealer     common.Address   // recovered from the seal in extraData (not coinbase)
	Coinbase   common.Address   // Clique vote target; zero = no vote
	VoteAuth   bool             // nonce 0xffffffffffffffff = vote to authorize, 0 = vote to drop
	Signers    []common.Address // the signer list in extraData; non-nil only on checkpoint headers (Number % cliqueEpoch == 0, incl. genesis)
}

// IsCheckpoint reports whether block number n is a Clique checkpoint for the
// given checkpoint interval (n % cliqueEpoch == 0, the genesis included).
// cliqueEpoch must be positive.
func IsCheckpoint(n, cliqueEpoch uint64) bool { return n%cliqueEpoch == 0 }

// HeaderFromGeth converts a go-ethereum header of a Clique chain with the
// given checkpoint interval.
//
// The sealer is recovered from the 65-byte seal at the end of extraData over
// clique.SealHash (the coinbase of a Clique block is a vote target, not its
// author); the genesis block carries no seal and gets the zero Sealer. The
// nonce must be one of Clique's two vote values. On a checkpoint header the
// signer list between the 32-byte vanity and the seal is returned in Signers
// as it appears (a non-nil slice, possibly empty); any other header must have
// no signer bytes and gets a nil Signers. The hash is h.Hash().
//
// It checks only what the conversion needs; the consensus rules (authorized
// sealer, recency, difficulty, checkpoint list) are SignerTracker's job.
func HeaderFromGeth(h *types.Header, cliqueEpoch uint64) (Header, error) {
	if h == nil {
		return Header{}, fmt.Errorf("%w: missing or out-of-range block number", ErrMalformedHeader)
	}
	return HeaderFromGethHashed(h, h.Hash(), cliqueEpoch)
}

// HeaderFromGethHashed is HeaderFromGeth for a caller that has already
// computed hash = h.Hash() (the follower checks it against the node's reply
// before paying for the seal recovery).
func HeaderFromGethHashed(h *types.Header, hash common.Hash, cliqueEpoch uint64) (Header, error) {
	if cliqueEpoch == 0 {
		return Header{}, fmt.Errorf("%w: clique epoch is 0", ErrBadCliqueEpoch)
	}
	if h == nil || h.Number == nil || !h.Number.IsUint64() {
		return Header{}, fmt.Errorf("%w: missing or out-of-range block number", ErrMalformedHeader)
	}
	n := h.Number.Uint64()
	if h.Difficulty == nil || !h.Difficulty.IsUint64() {
		return Header{}, fmt.Errorf("%w: block %d: missing or out-of-range difficulty", ErrMalformedHeader, n)
	}
	out := Header{
		Number:     n,
		Hash:       hash,
		Time:       h.Time,
		Difficulty: h.Difficulty.Uint64(),
		Coinbase:   h.Coinbase,
	}
	switch h.Nonce {
	case types.BlockNonce{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}:
		out.VoteAuth = true
	case types.BlockNonce{}:
	default:
		return Header{}, fmt.Errorf("%w: block %d: nonce %x is not a clique vote", ErrMalformedHeader, n, h.Nonce[:])
	}
	if len(h.Extra) < extraVanity+extraSeal {
		return Header{}, fmt.Errorf("%w: block %d: extraData is %d bytes, need at least %d", ErrMalformedHeader, n, len(h.Extra), extraVanity+extraSeal)
	}
	list := h.Extra[extraVanity : len(h.Extra)-extraSeal]
	if IsCheckpoint(n, cliqueEpoch) {
		if len(list)%common.AddressLength != 0 {
			return Header{}, fmt.Errorf("%w: block %d: checkpoint signer list is %d bytes, not a multiple of %d", ErrMalformedHeader, n, len(list), common.AddressLength)
		}
		out.Signers = make([]common.Address, len(list)/common.AddressLength)
		for i := range out.Signers {
			copy(out.Signers[i][:], list[i*common.AddressLength:])
		}
	} else if len(list) != 0 {
		return Header{}, fmt.Errorf("%w: block %d: non-checkpoint header carries %d signer-list bytes", ErrMalformedHeader, n, len(list))
	}
	if n > 0 {
		pub, err := crypto.SigToPub(clique.SealHash(h).Bytes(), h.Extra[len(h.Extra)-extraSeal:])
		if err != nil {
			return Header{}, fmt.Errorf("%w: block %d: recover sealer: %w", ErrMalformedHeader, n, err)
		}
		out.Sealer = crypto.PubkeyToAddress(*pub)
	}
	return out, nil
}
