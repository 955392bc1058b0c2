package follower

import (
	"encoding/binary"
	"encoding/json"
	"slices"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/internal/hexdigit"
	"github.com/cmt-rewards/cmt-rewards/internal/keccak8"
	"github.com/cmt-rewards/cmt-rewards/internal/seal"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// The fast header path. A Clique node's header-only eth_getBlockByNumber
// reply has a fixed set of members, all hex strings (and two arrays of
// hashes); scanHeader reads exactly that shape without reflection and
// without allocating, and sealHashes RLP-encodes the header once for both
// its hash and its seal hash. Anything else (an unknown or duplicate
// member, a null, an escape, a number not in canonical hex, a post-London
// field, any failed check) is not an error here: the caller decodes the
// reply again with encoding/json and the checks of decodeHeaderBloom,
// which give the verdict and the error message. FuzzFastHeader checks that
// whatever the fast path accepts, the slow path accepts with the same
// result.

// fastHeader is a header decoded by scanHeader. Big numbers are kept as
// their minimal big-endian bytes, as RLP encodes them.
type fastHeader struct {
	parentHash, uncleHash, root, txHash, receiptHash, mixDigest, hash common.Hash
	coinbase                                                          common.Address
	bloom                                                             types.Bloom
	nonce                                                             types.BlockNonce
	number, gasLimit, gasUsed, time                                   uint64
	difficulty, baseFee                                               []byte // minimal big-endian; into buf
	hasBaseFee                                                        bool
	extra                                                             []byte // into buf
	buf                                                               [2 * 32]byte
	extraBuf                                                          []byte
}

// Member bits, for required and duplicate members.
const (
	fParentHash = 1 << iota
	fUncleHash
	fMiner
	fRoot
	fTxHash
	fReceiptHash
	fBloom
	fDifficulty
	fNumber
	fGasLimit
	fGasUsed
	fTime
	fExtra
	fMixDigest
	fNonce
	fBaseFee
	fHash
	fSize
	fTotalDifficulty
	fTransactions
	fUncles

	fRequired = fParentHash | fUncleHash | fRoot | fTxHash | fReceiptHash | fBloom | fDifficulty | fNumber |
		fGasLimit | fGasUsed | fTime | fExtra | fHash
)

// scanHeader decodes raw into h; false means "not the plain shape: ask
// encoding/json".
func scanHeader(raw []byte, h *fastHeader) bool {
	*h = fastHeader{extraBuf: h.extraBuf}
	s := scan{b: raw}
	if !s.tok('{') {
		return false
	}
	var seen uint32
	for first := true; ; first = false {
		if first && s.tok('}') {
			break
		}
		key, ok := s.key()
		if !ok {
			return false
		}
		var bit uint32
		switch string(key) {
		case "size":
			bit = fSize
		case "totalDifficulty":
			bit = fTotalDifficulty
		case "transactions":
			bit = fTransactions
		case "uncles":
			bit = fUncles
		}
		if bit != 0 {
			// Skipped members: a string, or an array of strings.
			if s.tok('[') {
				if !s.tok(']') {
					for {
						if _, ok := s.str(); !ok {
							return false
						}
						if s.tok(']') {
							break
						}
						if !s.tok(',') {
							return false
						}
					}
				}
			} else if _, ok := s.str(); !ok {
				return false
			}
		} else {
			v, ok := s.str()
			if !ok || len(v) < 3 || v[0] != '0' || v[1] != 'x' {
				return false
			}
			v = v[2:]
			switch string(key) {
			case "parentHash":
				bit, ok = fParentHash, hexFixed(h.parentHash[:], v)
			case "sha3Uncles":
				bit, ok = fUncleHash, hexFixed(h.uncleHash[:], v)
			case "miner":
				bit, ok = fMiner, hexFixed(h.coinbase[:], v)
			case "stateRoot":
				bit, ok = fRoot, hexFixed(h.root[:], v)
			case "transactionsRoot":
				bit, ok = fTxHash, hexFixed(h.txHash[:], v)
			case "receiptsRoot":
				bit, ok = fReceiptHash, hexFixed(h.receiptHash[:], v)
			case "logsBloom":
				bit, ok = fBloom, hexFixed(h.bloom[:], v)
			case "mixHash":
				bit, ok = fMixDigest, hexFixed(h.mixDigest[:], v)
			case "nonce":
				bit, ok = fNonce, hexFixed(h.nonce[:], v)
			case "hash":
				bit, ok = fHash, hexFixed(h.hash[:], v)
			case "difficulty":
				bit = fDifficulty
				h.difficulty, ok = hexBig(h.buf[:32], v)
			case "baseFeePerGas":
				bit = fBaseFee
				h.baseFee, ok = hexBig(h.buf[32:], v)
				h.hasBaseFee = true
			case "number":
				bit = fNumber
				h.number, ok = hexUint64(v)
			case "gasLimit":
				bit = fGasLimit
				h.gasLimit, ok = hexUint64(v)
			case "gasUsed":
				bit = fGasUsed
				h.gasUsed, ok = hexUint64(v)
			case "timestamp":
				bit = fTime
				h.time, ok = hexUint64(v)
			case "extraData":
				bit = fExtra
				if len(v)%2 != 0 {
					return false
				}
				h.extraBuf = slices.Grow(h.extraBuf[:0], len(v)/2)[:len(v)/2]
				h.extra, ok = h.extraBuf, hexFixed(h.extraBuf, v)
			default:
				return false // unknown member: encoding/json decides
			}
			if !ok {
				return false
			}
		}
		if seen&bit != 0 {
			return false // duplicate member
		}
		seen |= bit
		if s.tok(',') {
			continue
		}
		if s.tok('}') {
			break
		}
		return false
	}
	s.ws()
	return s.i == len(s.b) && seen&fRequired == fRequired
}

// "0x" is not part of the hex arguments below.

// hexFixed decodes exactly len(dst) bytes of hex.
func hexFixed(dst []byte, v []byte) bool {
	if len(v) != 2*len(dst) {
		return false
	}
	for i := range dst {
		hi, lo := hexdigit.Value[v[2*i]], hexdigit.Value[v[2*i+1]]
		if hi > 15 || lo > 15 {
			return false
		}
		dst[i] = hi<<4 | lo
	}
	return true
}

// hexQuantity checks a hex quantity of at most max digits, as hexutil
// does: no leading zero digits except "0" itself.
func hexQuantity(v []byte, max int) bool {
	return len(v) > 0 && len(v) <= max && (v[0] != '0' || len(v) == 1)
}

// hexUint64 decodes a hex quantity that fits in 64 bits.
func hexUint64(v []byte) (uint64, bool) {
	if !hexQuantity(v, 16) {
		return 0, false
	}
	var x uint64
	for _, c := range v {
		d := hexdigit.Value[c]
		if d > 15 {
			return 0, false
		}
		x = x<<4 | uint64(d)
	}
	return x, true
}

// hexBig decodes a hex quantity of at most 256 bits into its minimal
// big-endian bytes (empty for zero), in buf (32 bytes).
func hexBig(buf []byte, v []byte) ([]byte, bool) {
	if !hexQuantity(v, 64) {
		return nil, false
	}
	if len(v) == 1 && v[0] == '0' {
		return buf[:0], true
	}
	n := (len(v) + 1) / 2
	out := buf[:n]
	i := 0
	if len(v)%2 == 1 {
		d := hexdigit.Value[v[0]]
		if d > 15 {
			return nil, false
		}
		out[0] = d
		i, v = 1, v[1:]
	}
	return out, hexFixed(out[i:], v)
}

// rlpString appends the RLP encoding of the byte string b.
func rlpString(dst, b []byte) []byte {
	switch {
	case len(b) == 1 && b[0] < 0x80:
		return append(dst, b[0])
	case len(b) < 56:
		return append(append(dst, 0x80+byte(len(b))), b...)
	default:
		return append(rlpLength(dst, 0xb7, len(b)), b...)
	}
}

// rlpLength appends a long string or list prefix (base 0xb7 or 0xf7) for
// length n.
func rlpLength(dst []byte, base byte, n int) []byte {
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], uint64(n))
	k := 0
	for k < 7 && be[k] == 0 {
		k++
	}
	return append(append(dst, base+byte(8-k)), be[k:]...)
}

// rlpUint appends the RLP encoding of x.
func rlpUint(dst []byte, x uint64) []byte {
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], x)
	k := 0
	for k < 8 && be[k] == 0 {
		k++
	}
	return rlpString(dst, be[k:])
}

// rlpListHeader appends the list prefix for a payload of n bytes.
func rlpListHeader(dst []byte, n int) []byte {
	if n < 56 {
		return append(dst, 0xc0+byte(n))
	}
	return rlpLength(dst, 0xf7, n)
}

// messages appends to buf the two byte strings whose keccaks are the
// header's hash (its RLP encoding, as types.Header.Hash) and its Clique
// seal hash (the same without the last 65 bytes of extra, as
// clique.SealHash), and returns them (slices of the returned buffer).
// len(h.extra) must be at least 65.
func (h *fastHeader) messages(buf []byte) (hashMsg, sealMsg, _ []byte) {
	// head: the fields before extra; tail: those after it.
	var fields [2 * 1024]byte
	b := fields[:0]
	b = rlpString(b, h.parentHash[:])
	b = rlpString(b, h.uncleHash[:])
	b = rlpString(b, h.coinbase[:])
	b = rlpString(b, h.root[:])
	b = rlpString(b, h.txHash[:])
	b = rlpString(b, h.receiptHash[:])
	b = rlpString(b, h.bloom[:])
	b = rlpString(b, h.difficulty)
	b = rlpUint(b, h.number)
	b = rlpUint(b, h.gasLimit)
	b = rlpUint(b, h.gasUsed)
	b = rlpUint(b, h.time)
	headEnd := len(b)
	b = rlpString(b, h.extra)
	extraEnd := len(b)
	b = rlpString(b, h.extra[:len(h.extra)-crypto.SignatureLength])
	sealExtraEnd := len(b)
	b = rlpString(b, h.mixDigest[:])
	b = rlpString(b, h.nonce[:])
	if h.hasBaseFee {
		b = rlpString(b, h.baseFee)
	}
	tailEnd := len(b)
	head, extra, sealExtra, tail := b[:headEnd], b[headEnd:extraEnd], b[extraEnd:sealExtraEnd], b[sealExtraEnd:tailEnd]
	msg := func(buf, extra []byte) ([]byte, []byte) {
		start := len(buf)
		buf = rlpListHeader(buf, len(head)+len(extra)+len(tail))
		buf = append(buf, head...)
		buf = append(buf, extra...)
		buf = append(buf, tail...)
		return buf, buf[start:]
	}
	buf, hashMsg = msg(buf, extra)
	buf, sealMsg = msg(buf, sealExtra)
	return hashMsg, sealMsg, buf
}

// precheck checks h as the reply for block n (number, Clique nonce, extra
// and checkpoint signer list) and returns its block without Hash and
// Sealer; ok is false if a check fails (the slow path then says why).
func (h *fastHeader) precheck(n, cliqueEpoch uint64) (b ledger.Block, ok bool) {
	if h.number != n || len(h.difficulty) > 8 || len(h.extra) < 32+crypto.SignatureLength || cliqueEpoch == 0 {
		return b, false
	}
	var vote bool
	switch h.nonce {
	case types.BlockNonce{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}:
		vote = true
	case types.BlockNonce{}:
	default:
		return b, false
	}
	list := h.extra[32 : len(h.extra)-crypto.SignatureLength]
	var signers []common.Address
	if epoch.IsCheckpoint(n, cliqueEpoch) {
		if len(list)%common.AddressLength != 0 {
			return b, false
		}
		signers = make([]common.Address, len(list)/common.AddressLength)
		for i := range signers {
			copy(signers[i][:], list[i*common.AddressLength:])
		}
	} else if len(list) != 0 {
		return b, false
	}
	var diff uint64
	for _, c := range h.difficulty {
		diff = diff<<8 | uint64(c)
	}
	return ledger.Block{
		Number: n, ParentHash: h.parentHash, Time: h.time, Difficulty: diff,
		Coinbase: h.coinbase, VoteAuth: vote, Signers: signers,
	}, true
}

// headerDecoder decodes and checks header replies, by the fast path when
// it can; one per goroutine (it holds scratch space).
type headerDecoder struct {
	h    [group]fastHeader
	buf  []byte
	ring *seal.Ring // shared; nil: every seal is recovered

	fastSeals int // seals shown by seal.Check (for tests)
}

// group is how many headers decodeGroup checks together: keccak8.Lanes, so
// their hashes, seal hashes and sealer addresses are computed eight at a
// time.
const group = keccak8.Lanes

// newHeaderDecoder returns a decoder that checks seals against ring's
// guesses first (ring may be nil).
func newHeaderDecoder(ring *seal.Ring) *headerDecoder {
	return &headerDecoder{buf: make([]byte, 0, 4*group*1024), ring: ring}
}

// decodeGroup is decodeHeaderBloom for up to group replies raws of blocks
// first, first+1, …: blocks[j] and blooms[j] get the checked ledger block
// and logs bloom of raws[j]. It returns the error of the lowest failing
// reply, as checking them one by one would.
func (d *headerDecoder) decodeGroup(raws []json.RawMessage, blocks []ledger.Block, blooms []types.Bloom, first, cliqueEpoch uint64) error {
	k := len(raws)
	var fast [group]bool
	var msgs [2 * group][]byte
	var idx [group]int // fast replies, in order
	nf := 0
	d.buf = d.buf[:0]
	for j := 0; j < k; j++ {
		h := &d.h[j]
		if !scanHeader(raws[j], h) {
			continue
		}
		b, ok := h.precheck(first+uint64(j), cliqueEpoch)
		if !ok {
			continue
		}
		blocks[j] = b
		var hm, sm []byte
		hm, sm, d.buf = h.messages(d.buf)
		msgs[2*nf], msgs[2*nf+1] = hm, sm
		idx[nf] = j
		fast[j] = true
		nf++
	}
	// msgs may point into an older d.buf if it grew: they stay valid.
	var sums [2 * group]common.Hash
	keccak8.SumEach(sums[:2*nf], msgs[:2*nf])
	var seals [group]common.Hash
	for t, j := range idx[:nf] {
		if sums[2*t] != d.h[j].hash {
			fast[j] = false
			continue
		}
		blocks[j].Hash, seals[j] = sums[2*t], sums[2*t+1]
	}
	// Seals: an in-turn block's is first checked against the guessed
	// signer's key (seal.Check, several times cheaper than recovery); a
	// checkpoint's list updates the guesses first. Anything not shown
	// that way is recovered below.
	var jobs [group]seal.Job
	if d.ring != nil {
		for _, j := range idx[:nf] {
			n := first + uint64(j)
			if !fast[j] || n == 0 {
				continue
			}
			if blocks[j].Signers != nil {
				d.ring.Checkpoint(n, blocks[j].Signers)
			}
			if blocks[j].Difficulty == epoch.DiffInTurn {
				jobs[j] = seal.Job{Key: d.ring.Guess(n), Hash: seals[j], Sig: d.h[j].seal()}
			}
		}
		seal.Check(jobs[:k])
	}
	// In order: a reply the fast path did not take is decoded (and
	// rejected, if it must be) by the slow path; seals are recovered.
	var pubs, keys [group][]byte // recovered keys without and with their 0x04 prefix
	var recovered [group]int
	nr := 0
	for j := 0; j < k; j++ {
		n := first + uint64(j)
		if fast[j] && n > 0 {
			if jobs[j].OK {
				blocks[j].Sealer = jobs[j].Key.Address
				d.fastSeals++
			} else if pub, err := crypto.Ecrecover(seals[j][:], d.h[j].seal()); err == nil && len(pub) == 65 {
				pubs[nr], keys[nr], recovered[nr] = pub[1:], pub, j
				nr++
			} else {
				fast[j] = false
			}
		}
		if fast[j] {
			blooms[j] = d.h[j].bloom
			continue
		}
		b, bl, err := decodeHeaderBloom(raws[j], n, cliqueEpoch)
		if err != nil {
			return err
		}
		blocks[j], blooms[j] = b, bl
	}
	var addrs [group]common.Hash
	keccak8.SumEach(addrs[:nr], pubs[:nr])
	for t, j := range recovered[:nr] {
		copy(blocks[j].Sealer[:], addrs[t][12:])
		d.ring.Learn(blocks[j].Sealer, keys[t])
	}
	return nil
}

// seal is the 65-byte seal at the end of the header's extra data.
func (h *fastHeader) seal() []byte {
	return h.extra[len(h.extra)-crypto.SignatureLength:]
}

// decode is decodeHeaderBloom of one reply: the checked ledger block of raw
// for block n, and the header's logs bloom in *bloom.
func (d *headerDecoder) decode(raw []byte, n, cliqueEpoch uint64, bloom *types.Bloom) (ledger.Block, error) {
	var b [1]ledger.Block
	var bl [1]types.Bloom
	err := d.decodeGroup([]json.RawMessage{raw}, b[:], bl[:], n, cliqueEpoch)
	*bloom = bl[0]
	return b[0], err
}
