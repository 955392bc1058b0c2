package calc

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"runtime"
	"sync"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
	"github.com/cmt-rewards/cmt-rewards/internal/hexdigit"
)

// The fast path of DecodeInput: a hand-written scanner over the whole
// document for the shape WriteJSON and every sane producer write. It decodes
// straight into an Input, without reflection, RawMessage copies or big.Int.
//
// It never produces an error of its own. Whatever it does not recognise as
// plainly valid — a syntax error, an unknown, duplicate or differently cased
// key, null, an escape or a non-ASCII byte in a string, a number that is not
// a plain non-negative 64-bit integer, an amount or address that does not
// parse, a field a kind of event must not have — makes it give up, and
// DecodeInput decodes the document again with the encoding/json-based
// decoder (decodeInputJSON), which produces the exact field-and-index error.
// So the fast path only has to be right about what it accepts: for every
// document it accepts, decodeInputJSON accepts it too and decodes the same
// Input (FuzzDecodeInputDifferential checks this).

type scanner struct {
	b      []byte
	i      int
	parMin int // the smallest array (in bytes) parsed on every core
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// ws skips JSON whitespace.
func (s *scanner) ws() {
	for s.i < len(s.b) && isSpace(s.b[s.i]) {
		s.i++
	}
}

// tok skips whitespace and consumes c, reporting whether it was there.
func (s *scanner) tok(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// peek skips whitespace and returns the next byte (0 at the end).
func (s *scanner) peek() byte {
	s.ws()
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

// str consumes a string of printable ASCII without escapes and returns its
// content (a slice of the document).
func (s *scanner) str() ([]byte, bool) {
	if !s.tok('"') {
		return nil, false
	}
	start := s.i
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c == '"' {
			s.i++
			return s.b[start : s.i-1], true
		}
		if c < 0x20 || c >= 0x80 || c == '\\' {
			return nil, false
		}
		s.i++
	}
	return nil, false
}

// key consumes an object key and the colon after it.
func (s *scanner) key() ([]byte, bool) {
	k, ok := s.str()
	if !ok || !s.tok(':') {
		return nil, false
	}
	return k, true
}

// uint consumes a JSON number that is a plain non-negative integer fitting
// 64 bits (no leading zeros, fraction or exponent).
func (s *scanner) uint() (uint64, bool) {
	s.ws()
	start := s.i
	var v uint64
	for s.i < len(s.b) {
		c := s.b[s.i]
		if c < '0' || c > '9' {
			break
		}
		d := uint64(c - '0')
		if v > (1<<64-1-d)/10 {
			return 0, false
		}
		v = v*10 + d
		s.i++
	}
	n := s.i - start
	if n == 0 || (n > 1 && s.b[start] == '0') {
		return 0, false
	}
	// A number ends at a delimiter; anything else (".5", "e3") is for the
	// slow path.
	if s.i < len(s.b) {
		if c := s.b[s.i]; c != ',' && c != '}' && c != ']' && !isSpace(c) {
			return 0, false
		}
	}
	return v, true
}

// address consumes a string holding 0x and 40 hex digits in any case.
// The hex table rejects every byte str would (quotes, escapes, control and
// non-ASCII bytes), so the string is not scanned first.
func (s *scanner) address(a *common.Address) bool {
	if !s.tok('"') || s.i+43 > len(s.b) {
		return false
	}
	v := s.b[s.i : s.i+43]
	if v[0] != '0' || v[1] != 'x' || v[42] != '"' {
		return false
	}
	if useHexAddr512 { // all 40 digits at once
		if !hexAddr512(a, &v[2]) {
			return false
		}
		s.i += 43
		return true
	}
	for i := 0; i < 20; i++ {
		hi, lo := hexdigit.Value[v[2+2*i]], hexdigit.Value[v[3+2*i]]
		if hi|lo > 0xf {
			return false
		}
		a[i] = hi<<4 | lo
	}
	s.i += 43
	return true
}

// amount consumes a non-empty string of decimal digits whose value fits 256
// bits.
func (s *scanner) amount(z *uint256.Int) bool {
	if !s.tok('"') {
		return false
	}
	start := s.i
	s.i += digitRun(s.b[s.i:])
	if s.i == len(s.b) || s.b[s.i] != '"' {
		return false
	}
	s.i++
	return decimalU256(z, s.b[start:s.i-1])
}

// digitRun returns how many ASCII digits b starts with, eight bytes at a
// time while eight remain: XOR with '0' makes digits 0–9, and a byte is
// not one when, with bit 7 cleared, adding 0x76 carries into bit 7, or
// when bit 7 was set.
func digitRun(b []byte) int {
	n := 0
	for ; n+8 <= len(b); n += 8 {
		x := binary.LittleEndian.Uint64(b[n:]) ^ 0x3030303030303030
		if other := ((x & 0x7f7f7f7f7f7f7f7f) + 0x7676767676767676 | x) & 0x8080808080808080; other != 0 {
			return n + bits.TrailingZeros64(other)/8
		}
	}
	for n < len(b) && b[n]-'0' <= 9 {
		n++
	}
	return n
}

// pow10u64[k] is 10^k.
var pow10u64 = func() (t [20]uint64) {
	t[0] = 1
	for k := 1; k < len(t); k++ {
		t[k] = t[k-1] * 10
	}
	return t
}()

// decimalU256 sets z to the value of the decimal digits v and reports
// whether v is non-empty, all digits, and fits 256 bits. Up to 38 digits
// (every real amount: 10^38 wei is 10^20 CMT) it is two 64-bit numbers
// of at most 19 digits; longer ones go 19 digits at a time through
// 256-bit arithmetic.
func decimalU256(z *uint256.Int, v []byte) bool {
	if len(v) == 0 {
		return false
	}
	if len(v) <= 38 {
		split := max(0, len(v)-19)
		hi, ok1 := digits19(v[:split])
		lo, ok2 := digits19(v[split:])
		if !ok1 || !ok2 {
			return false
		}
		h, l := bits.Mul64(hi, pow10u64[19])
		l, c := bits.Add64(l, lo, 0)
		z[0], z[1], z[2], z[3] = l, h+c, 0, 0
		return true
	}
	z.Clear()
	first := true
	for len(v) > 0 {
		n := len(v) % 19
		if n == 0 {
			n = 19
		}
		chunk, ok := digits19(v[:n])
		if !ok {
			return false
		}
		v = v[n:]
		if first {
			z.SetUint64(chunk)
			first = false
			continue
		}
		var m, c uint256.Int
		m.SetUint64(pow10u64[n])
		if _, over := z.MulOverflow(z, &m); over {
			return false
		}
		c.SetUint64(chunk)
		if _, over := z.AddOverflow(z, &c); over {
			return false
		}
	}
	return true
}

// digits19 returns the value of at most 19 decimal digits (0 for none)
// and whether they are all digits: the leading len%8 one at a time, then
// eight at a time (eightDigits).
func digits19(v []byte) (uint64, bool) {
	var x uint64
	k := len(v) % 8
	for _, c := range v[:k] {
		if c-'0' > 9 {
			return 0, false
		}
		x = x*10 + uint64(c-'0')
	}
	for v = v[k:]; len(v) >= 8; v = v[8:] {
		d, ok := eightDigits(binary.LittleEndian.Uint64(v))
		if !ok {
			return 0, false
		}
		x = x*100_000_000 + d
	}
	return x, true
}

// eightDigits returns the value of the eight ASCII digits in the
// little-endian word w (the first digit in its lowest byte), and whether
// they are all digits, without a branch per byte: a digit's high nibble
// is 3, and adding 6 to its low nibble does not carry; then the digits
// are combined in pairs, pairs of pairs and halves by multiplications.
func eightDigits(w uint64) (uint64, bool) {
	const nibbles = 0xf0f0f0f0f0f0f0f0
	if w&nibbles|(w+0x0606060606060606)&nibbles>>4 != 0x3333333333333333 {
		return 0, false
	}
	w -= 0x3030303030303030
	w = w*10 + w>>8 // each even byte: 10·d[2k] + d[2k+1]
	w = ((w&0x000000ff000000ff)*(100+1000000<<32) + (w>>16&0x000000ff000000ff)*(1+10000<<32)) >> 32
	return w, true
}

// object calls field for each key of an object: field consumes the value
// and returns the key's bit (0 for an unknown key) and whether the value
// was accepted. It returns the bits of the keys seen, and whether the
// object was well formed, without duplicate or unknown keys, and every
// value was accepted.
func (s *scanner) object(field func(k []byte) (uint32, bool)) (uint32, bool) {
	if !s.tok('{') {
		return 0, false
	}
	var seen uint32
	if s.tok('}') {
		return seen, true
	}
	for {
		k, ok := s.key()
		if !ok {
			return 0, false
		}
		bit, ok := field(k)
		if !ok || bit == 0 || seen&bit != 0 {
			return 0, false
		}
		seen |= bit
		if s.tok('}') {
			return seen, true
		}
		if !s.tok(',') {
			return 0, false
		}
	}
}

// array calls elem for each element of an array.
func (s *scanner) array(elem func() bool) bool {
	if !s.tok('[') {
		return false
	}
	if s.tok(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.tok(']') {
			return true
		}
		if !s.tok(',') {
			return false
		}
	}
}

// fastDecodeInput decodes data as described above, or reports false. It
// does not run Check.
func fastDecodeInput(data []byte) (*Input, bool) {
	return fastDecodeInputMin(data, parMin)
}

// fastDecodeInputMin is fastDecodeInput splitting arrays of at least
// parMin bytes across cores (tests make every array parallel).
func fastDecodeInputMin(data []byte, parMin int) (*Input, bool) {
	s := &scanner{b: data, parMin: parMin}
	in := &Input{Eligibility: EntireEpoch, ForfeitPolicy: Retain}
	const (
		fFormat = 1 << iota
		fChain
		fEpoch
		fFirst
		fLast
		fReward
		fShare
		fElig
		fForfeit
		fVals
		fStakes
		fEvents
		fRuns
		fPrev
	)
	have, ok := s.object(func(k []byte) (uint32, bool) {
		var ok bool
		switch string(k) {
		case "format":
			v, good := s.str()
			return fFormat, good && string(v) == InputFormat
		case "chain_id":
			in.ChainID, ok = s.uint()
			return fChain, ok
		case "epoch":
			in.Epoch, ok = s.uint()
			return fEpoch, ok
		case "first_block":
			in.FirstBlock, ok = s.uint()
			return fFirst, ok
		case "last_block":
			in.LastBlock, ok = s.uint()
			return fLast, ok
		case "reward_per_block_wei":
			return fReward, s.amount(&in.RewardPerBlock)
		case "validator_share_bps":
			in.ValidatorShareBps, ok = s.uint()
			return fShare, ok
		case "eligibility":
			v, ok := s.str()
			in.Eligibility = Eligibility(v)
			return fElig, ok
		case "forfeit_policy":
			v, ok := s.str()
			in.ForfeitPolicy = ForfeitPolicy(v)
			return fForfeit, ok
		case "validators_at_start":
			in.ValidatorsAtStart = make([]common.Address, 0, 32)
			return fVals, s.array(func() bool {
				in.ValidatorsAtStart = append(in.ValidatorsAtStart, common.Address{})
				return s.address(&in.ValidatorsAtStart[len(in.ValidatorsAtStart)-1])
			})
		case "stakes_at_start":
			in.StakesAtStart, ok = parseArray(s, (*scanner).stake)
			return fStakes, ok
		case "events":
			in.Events, ok = parseArray(s, (*scanner).event)
			return fEvents, ok
		case "not_in_good_standing":
			in.NotInGoodStanding = make([]NotGoodRun, 0, 4)
			return fRuns, s.array(func() bool {
				in.NotInGoodStanding = append(in.NotInGoodStanding, NotGoodRun{})
				return s.run(&in.NotInGoodStanding[len(in.NotInGoodStanding)-1])
			})
		case "previous_cumulative":
			in.PreviousCumulative, ok = parseArray(s, (*scanner).balance)
			return fPrev, ok
		}
		return 0, false
	})
	const required = fFormat | fChain | fEpoch | fFirst | fLast | fReward | fShare | fVals | fStakes | fEvents | fRuns
	if !ok || have&required != required {
		return nil, false
	}
	if s.ws(); s.i != len(s.b) {
		return nil, false
	}
	if in.PreviousCumulative == nil {
		in.PreviousCumulative = []Balance{}
	}
	return in, true
}

// lit consumes l if the bytes at the cursor are exactly l.
func (s *scanner) lit(l string) bool {
	if len(s.b)-s.i >= len(l) && string(s.b[s.i:s.i+len(l)]) == l {
		s.i += len(l)
		return true
	}
	return false
}

func (s *scanner) stake(st *Stake) bool {
	// The layout export and WriteJSON write, read without looking keys
	// up: a million stakes spend most of their time on keys otherwise.
	// Anything else goes through object, which decides.
	start := s.i
	if s.ws(); s.lit(`{"validator": `) && s.address(&st.Validator) && s.lit(`, "delegator": `) &&
		s.address(&st.Delegator) && s.lit(`, "amount_wei": `) && s.amount(&st.Amount) && s.lit("}") {
		return true
	}
	s.i, *st = start, Stake{}
	have, ok := s.object(func(k []byte) (uint32, bool) {
		switch string(k) {
		case "validator":
			return 1, s.address(&st.Validator)
		case "delegator":
			return 2, s.address(&st.Delegator)
		case "amount_wei":
			return 4, s.amount(&st.Amount)
		}
		return 0, false
	})
	return ok && have == 7
}

func (s *scanner) event(ev *Event) bool {
	const fB, fL, fK, fV, fD, fA = 1, 2, 4, 8, 16, 32
	have, ok := s.object(func(k []byte) (uint32, bool) {
		var ok bool
		switch string(k) {
		case "block":
			ev.Block, ok = s.uint()
			return fB, ok
		case "log_index":
			ev.LogIndex, ok = s.uint()
			return fL, ok
		case "kind":
			v, ok := s.str()
			switch string(v) {
			case string(KindStake):
				ev.Kind = KindStake
			case string(KindUnstake):
				ev.Kind = KindUnstake
			case string(KindValidatorAdded):
				ev.Kind = KindValidatorAdded
			case string(KindValidatorRemoved):
				ev.Kind = KindValidatorRemoved
			default:
				ok = false
			}
			return fK, ok
		case "validator":
			return fV, s.address(&ev.Validator)
		case "delegator":
			return fD, s.address(&ev.Delegator)
		case "amount_wei":
			return fA, s.amount(&ev.Amount)
		}
		return 0, false
	})
	if !ok || have&(fB|fL|fK|fV) != fB|fL|fK|fV {
		return false
	}
	if ev.Kind == KindStake || ev.Kind == KindUnstake {
		return have&(fD|fA) == fD|fA
	}
	return have&(fD|fA) == 0
}

func (s *scanner) run(g *NotGoodRun) bool {
	have, ok := s.object(func(k []byte) (uint32, bool) {
		var ok bool
		switch string(k) {
		case "validator":
			return 1, s.address(&g.Validator)
		case "from_block":
			g.FromBlock, ok = s.uint()
			return 2, ok
		case "to_block":
			g.ToBlock, ok = s.uint()
			return 4, ok
		case "reason":
			v, ok := s.str()
			g.Reason = string(v)
			return 8, ok
		}
		return 0, false
	})
	return ok && have == 15
}

func (s *scanner) balance(b *Balance) bool {
	start := s.i // the written layout first, as in stake
	if s.ws(); s.lit(`{"account": `) && s.address(&b.Account) && s.lit(`, "amount_wei": `) && s.amount(&b.Amount) && s.lit("}") {
		return true
	}
	s.i, *b = start, Balance{}
	have, ok := s.object(func(k []byte) (uint32, bool) {
		switch string(k) {
		case "account":
			return 1, s.address(&b.Account)
		case "amount_wei":
			return 2, s.amount(&b.Amount)
		}
		return 0, false
	})
	return ok && have == 3
}

// parMin is the smallest array (in bytes) parseArray splits across cores.
const parMin = 1 << 20

// parseArray parses an array of flat objects (stakes, events, balances),
// on every core when it is big.
func parseArray[T any](s *scanner, elem func(*scanner, *T) bool) ([]T, bool) {
	if !s.tok('[') {
		return nil, false
	}
	if s.tok(']') {
		return []T{}, true
	}
	if out, end, ok := parseArrayParallel(s.b, s.i, s.parMin, elem); ok {
		s.i = end + 1
		return out, true
	}
	out := make([]T, 0, 64)
	for {
		var zero T
		out = append(out, zero)
		if !elem(s, &out[len(out)-1]) {
			return nil, false
		}
		if s.tok(']') {
			return out, true
		}
		if !s.tok(',') {
			return nil, false
		}
	}
}

// parseArrayParallel parses the elements of the array whose first element
// starts at b[start:], splitting it into four chunks per core at element
// boundaries, and returns them with the index of the closing bracket.
//
// It relies on what holds in every array the fast path accepts: elements
// are objects whose strings contain no brackets or braces. So the array
// ends at the first ']', it holds as many elements as '{', and a comma
// between a '}' and a '{' separates two elements. Each chunk is parsed
// independently and must hold exactly the elements its '{' promise;
// parsed one after the other, the chunks are exactly the sequential parse
// of the array. Whenever any of this does not hold it reports false and the
// caller parses the array sequentially, which decides.
func parseArrayParallel[T any](b []byte, start, parMin int, elem func(*scanner, *T) bool) ([]T, int, bool) {
	workers := runtime.GOMAXPROCS(0)
	if workers < 2 {
		return nil, 0, false
	}
	rel := indexByte(b[start:], ']', workers)
	if rel < parMin {
		return nil, 0, false
	}
	end := start + rel
	// Chunk k is b[bounds[k]:limits[k]]: it starts at an element and ends
	// just before the comma after its last element (or at the bracket).
	bounds, limits := []int{start}, []int{}
	// Four pieces per core, so that a core that finishes early takes
	// another piece rather than waiting for the slowest.
	pieces := 4 * workers
	for k := 1; k < pieces; k++ {
		p := max(start+k*rel/pieces, bounds[len(bounds)-1]+1)
		for p < end {
			c := bytes.IndexByte(b[p:end], ',')
			if c < 0 {
				p = end
				break
			}
			p += c
			if prevNonSpace(b, p) == '}' && nextNonSpace(b, p+1, end) == '{' {
				break
			}
			p++
		}
		if p >= end {
			break
		}
		limits = append(limits, p)
		bounds = append(bounds, p+1)
	}
	limits = append(limits, end)
	counts := make([]int, len(bounds))
	offs := make([]int, len(bounds)+1)
	var wg sync.WaitGroup
	for k := range bounds {
		wg.Go(func() { counts[k] = bytes.Count(b[bounds[k]:limits[k]], []byte{'{'}) })
	}
	wg.Wait()
	for k := range counts {
		offs[k+1] = offs[k] + counts[k]
	}
	out := make([]T, offs[len(counts)])
	good := make([]bool, len(bounds))
	for k := range bounds {
		wg.Go(func() {
			sc := &scanner{b: b[:limits[k]], i: bounds[k], parMin: parMin}
			dst := out[offs[k]:offs[k+1]]
			for j := range dst {
				if !elem(sc, &dst[j]) {
					return
				}
				if sc.ws(); sc.i == len(sc.b) {
					good[k] = j == len(dst)-1
					return
				}
				if !sc.tok(',') {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, g := range good {
		if !g {
			return nil, 0, false
		}
	}
	return out, end, true
}

// indexByte is bytes.IndexByte(b, c) on every core, in windows that
// double from 8 MiB: finding the end of a 170 MB array is otherwise one
// core's 30 ms while the other waits.
func indexByte(b []byte, c byte, workers int) int {
	found := make([]int, workers)
	for lo, win := 0, 8<<20; lo < len(b); lo, win = lo+win, 2*win {
		w := b[lo:min(len(b), lo+win)]
		bulk.Chunks(len(w), workers, func(k, lo, hi int) {
			found[k] = -1
			if i := bytes.IndexByte(w[lo:hi], c); i >= 0 {
				found[k] = lo + i
			}
		})
		for _, i := range found {
			if i >= 0 {
				return lo + i
			}
		}
	}
	return -1
}

func prevNonSpace(b []byte, i int) byte {
	for i--; i >= 0; i-- {
		if !isSpace(b[i]) {
			return b[i]
		}
	}
	return 0
}

func nextNonSpace(b []byte, i, end int) byte {
	for ; i < end; i++ {
		if !isSpace(b[i]) {
			return b[i]
		}
	}
	return 0
}
