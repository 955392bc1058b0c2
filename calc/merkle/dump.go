package merkle

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/internal/bulk"
	"github.com/cmt-rewards/cmt-rewards/internal/hexdigit"
	"github.com/cmt-rewards/cmt-rewards/internal/keccak8"
)

// DumpFormat is the "format" of OZ's StandardMerkleTree dump.
const DumpFormat = "standard-v1"

// dumpHead is everything before the first node of a dump.
const dumpHead = `{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":[`

// nodeText is the length of a node after the first in the dump:
// `,"0x` + 64 hex digits + `"`.
const nodeText = 69

// WriteDump writes the tree as OZ's standard-v1 JSON, exactly the bytes
// JSON.stringify(StandardMerkleTree.of(values, ["address","uint256"]).dump())
// produces when the values are [EIP-55 address, decimal string] pairs in input
// order, followed by one newline:
//
//	{"format":"standard-v1","leafEncoding":["address","uint256"],
//	 "tree":["0x<64 lowercase hex>",…],
//	 "values":[{"value":["0x<EIP-55 address>","<decimal>"],"treeIndex":N},…]}
//
// (on one line, without spaces). tree is the node array (see the package
// comment); values lists the leaves in input order, each with its index in
// tree. The output is streamed through a buffer, so its size does not matter.
//
// StandardMerkleTree.load accepts every dump WriteDump writes. A tree with
// no leaves has no dump (rewards-v1 §6, 1.1: OZ v1.0.8's load rejects
// "tree":[] with "Merkle tree is invalid"): WriteDump writes nothing and
// returns ErrEmptyTree. Use WriteDumpFile to write or remove a dump file.
func (t *Tree) WriteDump(w io.Writer) error {
	if t.Len() == 0 {
		return ErrEmptyTree
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	bw.WriteString(dumpHead)
	// Nodes and values are encoded in chunks on every core and written in
	// order (one chunk is a few hundred kilobytes).
	err := bulk.WriteChunks(bw, len(t.nodes), 4096, t.appendNodes)
	if err == nil {
		bw.WriteString(`],"values":[`)
		hex := t.accountHex()
		err = bulk.WriteChunks(bw, len(t.accounts), 2048, func(buf []byte, lo, hi int) []byte {
			for i := lo; i < hi; i++ {
				if i > 0 {
					buf = append(buf, ',')
				}
				buf = append(buf, `{"value":["`...)
				buf = append(buf, "0x"...)
				buf = append(buf, hex[40*i:40*i+40]...)
				buf = append(buf, `","`...)
				buf = bulk.AppendDecimal(buf, &t.amounts[i])
				buf = append(buf, `"],"treeIndex":`...)
				buf = strconv.AppendInt(buf, int64(t.pos[i]), 10)
				buf = append(buf, '}')
			}
			return buf
		})
	}
	if err != nil {
		return fmt.Errorf("merkle: write dump: %w", err)
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("merkle: write dump: %w", err)
	}
	return nil
}

// appendNodes appends nodes lo … hi−1 as the dump's tree lists them:
// `"0x`, 64 hex digits and `"` each, with a comma before all but node 0.
func (t *Tree) appendNodes(buf []byte, lo, hi int) []byte {
	if lo == 0 && hi > 0 {
		buf = append(buf, `"0x`...)
		buf = hexdigit.AppendEncode(buf, t.nodes[0][:])
		buf = append(buf, '"')
		lo = 1
	}
	if lo >= hi {
		return buf
	}
	// Every later node is `,"0x`, 64 digits and `"`: the room is made
	// once and the nodes written in place.
	off := len(buf)
	buf = slices.Grow(buf, nodeText*(hi-lo))[:off+nodeText*(hi-lo)]
	hexNodes(buf[off:], t.nodes[lo:hi])
	return buf
}

// hexNodes writes each node as `,"0x`, its 64 hex digits and `"` to
// dst[nodeText·i:], with AVX-512 BW when the CPU has it. len(dst) must be
// nodeText·len(nodes).
func hexNodes(dst []byte, nodes []common.Hash) {
	if len(dst) != nodeText*len(nodes) {
		panic("merkle: hexNodes: wrong output size")
	}
	if useAVX512BW && len(nodes) > 0 {
		hexNodes512(&dst[0], &nodes[0], len(nodes))
		return
	}
	hexNodesGo(dst, nodes)
}

// hexNodesGo is hexNodes in Go, eight digits at a time (hexdigit.Encode).
func hexNodesGo(dst []byte, nodes []common.Hash) {
	for i := range nodes {
		rec := (*[nodeText]byte)(dst[nodeText*i:])
		copy(rec[:4], `,"0x`)
		hexdigit.Encode(rec[4:68], nodes[i][:])
		rec[68] = '"'
	}
}

// AppendChecksumAddress appends the EIP-55 form of a (what a.Hex()
// returns) to dst, without allocating.
func AppendChecksumAddress(dst []byte, a *common.Address) []byte {
	h := hasherPool.Get().(*hasher)
	dst = h.appendChecksumAddress(dst, a)
	hasherPool.Put(h)
	return dst
}

// appendChecksumAddress appends the EIP-55 form of a: 0x and 40 hex digits,
// a letter upper-cased when the matching nibble of keccak256 of the
// lower-case hex (as ASCII) is 8 or more.
func (h *hasher) appendChecksumAddress(dst []byte, a *common.Address) []byte {
	dst = append(dst, "0x"...)
	start := len(dst)
	dst = hexdigit.AppendEncode(dst, a[:])
	digits := dst[start:]
	h.st.Reset()
	h.st.Write(digits)
	h.st.Read(h.buf[:32])
	applyChecksum(digits, (*common.Hash)(h.buf[:32]))
	return dst
}

// checksumHex writes the 40 EIP-55 hex digits (no 0x) of each address to
// dst[40i:40i+40], hashing eight addresses at a time. len(dst) must be
// 40·len(addrs).
func checksumHex(dst []byte, addrs []common.Address) {
	if len(dst) != 40*len(addrs) {
		panic("merkle: checksumHex: wrong output size")
	}
	if len(addrs) == 0 {
		return
	}
	vector := useAVX512BW
	if vector {
		hexAddrs512(&dst[0], &addrs[0], len(addrs))
	} else {
		for i := range addrs {
			hexdigit.Encode(dst[40*i:], addrs[i][:])
		}
	}
	var sums [keccak8.Lanes]common.Hash
	for i := 0; i < len(addrs); i += keccak8.Lanes {
		k := min(keccak8.Lanes, len(addrs)-i)
		digits := dst[40*i : 40*(i+k)]
		keccak8.Sum256(sums[:k], digits, 40)
		if vector {
			caseAddrs512(&digits[0], &sums[0], k)
			continue
		}
		for j := 0; j < k; j++ {
			applyChecksum(digits[40*j:40*j+40], &sums[j])
		}
	}
}

// applyChecksum upper-cases each letter of the 40 lower-case hex digits
// whose nibble of sum (keccak256 of the digits) is 8 or more. Eight digits
// at a time and without branches (the nibbles are random, so branches
// mispredict half the time): a letter a–f has bit 6 set and a digit 0–9
// not, upper case is bit 5 clear, and with the hash's nibbles spread one
// per byte (in digit order) a nibble is 8 or more when its bit 3 is set;
// each is moved to bit 5. len(digits) must be at least 40.
func applyChecksum(digits []byte, sum *common.Hash) {
	d := (*[40]byte)(digits)
	for j := 0; j < 5; j++ {
		c := binary.BigEndian.Uint64(d[8*j:])
		high := hexdigit.Nibbles(binary.BigEndian.Uint32(sum[4*j:])) << 2
		binary.BigEndian.PutUint64(d[8*j:], c&^(c>>1&high&0x2020202020202020))
	}
}

// appendDecimal appends v in decimal without leading zeros.
func appendDecimal(dst []byte, v *uint256.Int) []byte { return bulk.AppendDecimal(dst, v) }

// ReadDump reads a standard-v1 dump, such as WriteDump or OZ's
// JSON.stringify(tree.dump()) writes, and returns the tree, whose Leaf order
// is the dump's values order. Key order and JSON whitespace are free, but the
// content is checked strictly:
//
//   - the top level is an object with exactly the keys format
//     ("standard-v1"), leafEncoding (exactly ["address","uint256"]), tree and
//     values, and nothing follows it;
//   - every tree entry is a string "0x" + 64 hex digits;
//   - every value is an object with exactly the keys value, [address,
//     amount], and treeIndex, N: address a string "0x" + 40 hex digits, all
//     lower case, all upper case or a valid EIP-55 checksum; amount a decimal
//     string of at most 2^256−1 without sign or leading zeros; N a
//     non-negative integer;
//   - no account appears twice (the error also wraps ErrDuplicateAccount);
//   - tree is exactly the tree Build makes from the values: every node is
//     recomputed, and each treeIndex must point at its value's leaf. So only
//     trees with leaves sorted by hash (OZ's default) are accepted.
//
// Errors wrap ErrBadDump and name the offending field, e.g.
// "values[3].value[1]: ...". An empty dump ("tree":[] and "values":[], which
// writers before rewards-v1 1.1 produced) gives an empty tree with the
// all-zero root; under 1.1 an empty tree has no dump, see ReadDumpFile and
// MissingDump. The input is streamed; memory use is
// that of the resulting tree plus the stored node array.
func ReadDump(r io.Reader) (*Tree, error) {
	d := &dumpReader{r: bufio.NewReaderSize(r, maxDumpString)}
	t, err := d.read()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadDump, err)
	}
	return t, nil
}

// maxDumpString bounds the length of any JSON string in a dump.
const maxDumpString = 64 << 10

// dumpReader parses the fixed shape of a standard-v1 dump from a stream. It
// is a small JSON parser for exactly that shape: since unknown keys are
// rejected it never has to skip arbitrary values.
type dumpReader struct {
	r   *bufio.Reader
	off int64 // bytes consumed
	h   *hasher

	stored   []common.Hash
	accounts []common.Address
	amounts  []uint256.Int
	indices  []int
}

func (d *dumpReader) read() (*Tree, error) {
	d.h = hasherPool.Get().(*hasher)
	defer hasherPool.Put(d.h)
	seen := map[string]bool{}
	more, err := d.open('{')
	for ; more && err == nil; more, err = d.next('}') {
		var key string
		if key, err = d.key(); err != nil {
			break
		}
		if seen[key] {
			return nil, at(strconv.Quote(key), errors.New("duplicate key"))
		}
		seen[key] = true
		switch key {
		case "format":
			err = d.format()
		case "leafEncoding":
			err = d.leafEncoding()
		case "tree":
			err = d.tree()
		case "values":
			err = d.values()
		default:
			err = errors.New("unknown key")
		}
		if err != nil {
			return nil, at(quoteKey(key), err)
		}
	}
	if err != nil {
		return nil, err
	}
	if c, err := d.peek(); err != io.EOF {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("unexpected %q at byte %d after the dump object", c, d.off)
	}
	for _, key := range []string{"format", "leafEncoding", "tree", "values"} {
		if !seen[key] {
			return nil, at(key, errors.New("missing"))
		}
	}
	return d.check()
}

// quoteKey names a top-level key in errors: known keys bare, others quoted.
func quoteKey(key string) string {
	switch key {
	case "format", "leafEncoding", "tree", "values":
		return key
	}
	return quoteShort(key)
}

func (d *dumpReader) format() error {
	s, err := d.str()
	if err != nil {
		return err
	}
	if string(s) != DumpFormat {
		return fmt.Errorf("%s, want %q", quoteShort(string(s)), DumpFormat)
	}
	return nil
}

func (d *dumpReader) leafEncoding() error {
	want := [2]string{"address", "uint256"}
	n := 0
	more, err := d.open('[')
	for ; more && err == nil; more, err = d.next(']') {
		s, e := d.str()
		if e != nil {
			return at(idx(n), e)
		}
		if n >= len(want) || string(s) != want[n] {
			break
		}
		n++
	}
	if err != nil {
		return err
	}
	if more || n != len(want) {
		return errors.New(`want ["address","uint256"]`)
	}
	return nil
}

func (d *dumpReader) tree() error {
	more, err := d.open('[')
	for i := 0; more && err == nil; i++ {
		if e := d.node(); e != nil {
			return at(idx(i), e)
		}
		more, err = d.next(']')
	}
	return err
}

// node parses one element of tree.
func (d *dumpReader) node() error {
	s, err := d.str()
	if err != nil {
		return err
	}
	h, err := parseHash(s)
	if err != nil {
		return err
	}
	if len(d.stored) == cap(d.stored) {
		d.stored = slices.Grow(d.stored, max(len(d.stored), 1024))
	}
	d.stored = append(d.stored, h)
	return nil
}

func (d *dumpReader) values() error {
	if n := (len(d.stored) + 1) / 2; n > 0 && n <= MaxLeaves { // tree came first: expect n values
		d.accounts = make([]common.Address, 0, n)
		d.amounts = make([]uint256.Int, 0, n)
		d.indices = make([]int, 0, n)
	}
	more, err := d.open('[')
	for i := 0; more && err == nil; i++ {
		if e := d.value(); e != nil {
			return at(idx(i), e)
		}
		more, err = d.next(']')
	}
	return err
}

// value parses one element of values.
func (d *dumpReader) value() error {
	var (
		account          common.Address
		amount           uint256.Int
		treeIndex        int
		hasValue, hasIdx bool
	)
	more, err := d.open('{')
	for ; more && err == nil; more, err = d.next('}') {
		var key string
		if key, err = d.key(); err != nil {
			return err
		}
		switch key {
		case "value":
			if hasValue {
				return at(".value", errors.New("duplicate key"))
			}
			hasValue = true
			if account, err = d.pair(&amount); err != nil {
				return at(".value", err)
			}
		case "treeIndex":
			if hasIdx {
				return at(".treeIndex", errors.New("duplicate key"))
			}
			hasIdx = true
			if treeIndex, err = d.readIndex(); err != nil {
				return at(".treeIndex", err)
			}
		default:
			return at("["+quoteShort(key)+"]", errors.New("unknown key"))
		}
	}
	switch {
	case err != nil:
		return err
	case !hasValue:
		return at(".value", errors.New("missing"))
	case !hasIdx:
		return at(".treeIndex", errors.New("missing"))
	}
	d.accounts = append(d.accounts, account)
	d.amounts = append(d.amounts, amount)
	d.indices = append(d.indices, treeIndex)
	return nil
}

// pair parses [address, amount], storing the amount in amount.
func (d *dumpReader) pair(amount *uint256.Int) (common.Address, error) {
	var account common.Address
	n := 0
	more, err := d.open('[')
	for ; more && err == nil; more, err = d.next(']') {
		if n == 2 {
			return account, errors.New("more than 2 elements")
		}
		s, e := d.str()
		if e == nil && n == 0 {
			account, e = d.h.parseAddress(s)
		} else if e == nil {
			e = parseDecimal(amount, s)
		}
		if e != nil {
			return account, at(idx(n), e)
		}
		n++
	}
	if err == nil && n != 2 {
		err = fmt.Errorf("want 2 elements, got %d", n)
	}
	return account, err
}

// check builds the tree of the values read and compares it with the stored
// one.
func (d *dumpReader) check() (*Tree, error) {
	if len(d.accounts) > MaxLeaves {
		return nil, fmt.Errorf("values: %d values exceed the maximum of %d", len(d.accounts), MaxLeaves)
	}
	t, err := build(d.accounts, d.amounts, "values")
	if err != nil {
		return nil, err
	}
	stored := d.stored
	if len(stored) != len(t.nodes) {
		return nil, fmt.Errorf("tree: %d nodes, want %d for %d values", len(stored), len(t.nodes), len(d.accounts))
	}
	for i, idx := range d.indices {
		if idx >= len(stored) {
			return nil, fmt.Errorf("values[%d].treeIndex: %d is outside tree (%d nodes)", i, idx, len(stored))
		}
		leaf := t.nodes[t.pos[i]]
		if stored[idx] != leaf {
			return nil, fmt.Errorf("values[%d]: leaf hash %s is not at tree[%d] (found %s)", i, leaf.Hex(), idx, stored[idx].Hex())
		}
		if idx != int(t.pos[i]) {
			return nil, fmt.Errorf("values[%d].treeIndex: %d, want %d (leaves must be sorted by hash)", i, idx, t.pos[i])
		}
	}
	for i := range stored {
		if stored[i] != t.nodes[i] {
			return nil, fmt.Errorf("tree[%d]: stored %s, recomputed %s", i, stored[i].Hex(), t.nodes[i].Hex())
		}
	}
	return t, nil
}

// pathError is an error at a field of the dump, such as values[3].value[1].
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

// at prefixes the path of err, if any, with path.
func at(path string, err error) error {
	if pe, ok := err.(*pathError); ok {
		return &pathError{path + pe.path, pe.err}
	}
	return &pathError{path, err}
}

func idx(i int) string { return "[" + strconv.Itoa(i) + "]" }

// peek skips whitespace and returns the next byte without consuming it.
func (d *dumpReader) peek() (byte, error) {
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			return 0, err
		}
		if c != ' ' && c != '\t' && c != '\n' && c != '\r' {
			d.r.UnreadByte()
			return c, nil
		}
		d.off++
	}
}

// skip consumes the byte peek returned.
func (d *dumpReader) skip() {
	d.r.ReadByte()
	d.off++
}

// eof turns io.EOF into a message.
func (d *dumpReader) eof(err error) error {
	if err == io.EOF {
		return fmt.Errorf("unexpected end of input at byte %d", d.off)
	}
	return err
}

// open consumes the opening bracket c ('[' or '{') of an array or object and
// reports whether an element follows (false for an empty one, whose closing
// bracket it also consumes).
func (d *dumpReader) open(c byte) (bool, error) {
	got, err := d.peek()
	if err != nil {
		return false, d.eof(err)
	}
	if got != c {
		return false, fmt.Errorf("expected %q at byte %d, found %q", c, d.off, got)
	}
	d.skip()
	if got, err = d.peek(); err != nil {
		return false, d.eof(err)
	}
	if got == c+2 { // ']' or '}'
		d.skip()
		return false, nil
	}
	return true, nil
}

// next consumes what follows an element of an array or object closed by
// closer: ',' (another element follows, true) or closer (false).
func (d *dumpReader) next(closer byte) (bool, error) {
	c, err := d.peek()
	if err != nil {
		return false, d.eof(err)
	}
	switch c {
	case ',':
		d.skip()
		return true, nil
	case closer:
		d.skip()
		return false, nil
	}
	return false, fmt.Errorf("expected ',' or %q at byte %d, found %q", closer, d.off, c)
}

// key parses an object key and the colon after it.
func (d *dumpReader) key() (string, error) {
	k, err := d.str()
	if err != nil {
		return "", fmt.Errorf("object key: %w", err)
	}
	// k is only valid until the next read: keep it as a string, without
	// allocating for the keys of the format.
	var key string
	switch string(k) {
	case "value":
		key = "value"
	case "treeIndex":
		key = "treeIndex"
	case "format":
		key = "format"
	case "leafEncoding":
		key = "leafEncoding"
	case "tree":
		key = "tree"
	case "values":
		key = "values"
	default:
		key = string(k)
	}
	c, err := d.peek()
	if err != nil {
		return "", d.eof(err)
	}
	if c != ':' {
		return "", fmt.Errorf("expected ':' at byte %d, found %q", d.off, c)
	}
	d.skip()
	return key, nil
}

// str parses a JSON string and returns its contents, valid until the next
// read.
func (d *dumpReader) str() ([]byte, error) {
	if c, err := d.peek(); err != nil {
		return nil, d.eof(err)
	} else if c != '"' {
		return nil, fmt.Errorf("expected a string at byte %d, found %q", d.off, c)
	}
	d.skip()
	start := d.off
	chunk, err := d.r.ReadSlice('"')
	d.off += int64(len(chunk))
	if err != nil {
		return nil, d.strErr(err, start)
	}
	s := chunk[:len(chunk)-1]
	if bytes.IndexByte(s, '\\') < 0 {
		for _, c := range s {
			if c < 0x20 {
				return nil, fmt.Errorf("control character in string at byte %d", start)
			}
		}
		return s, nil
	}
	// Escapes: collect the whole literal and let encoding/json decode it.
	lit := append([]byte{'"'}, chunk...)
	for quoteEscaped(lit) {
		chunk, err := d.r.ReadSlice('"')
		d.off += int64(len(chunk))
		if err != nil {
			return nil, d.strErr(err, start)
		}
		if lit = append(lit, chunk...); len(lit) > maxDumpString {
			return nil, d.strErr(bufio.ErrBufferFull, start)
		}
	}
	var out string
	if err := json.Unmarshal(lit, &out); err != nil {
		return nil, fmt.Errorf("bad string at byte %d: %w", start, err)
	}
	return []byte(out), nil
}

func (d *dumpReader) strErr(err error, start int64) error {
	if err == bufio.ErrBufferFull {
		return fmt.Errorf("string at byte %d is longer than %d bytes", start, maxDumpString)
	}
	if err == io.EOF {
		return fmt.Errorf("unterminated string at byte %d", start)
	}
	return err
}

// quoteEscaped reports whether the final '"' of lit is escaped by an odd
// number of backslashes.
func quoteEscaped(lit []byte) bool {
	n := 0
	for i := len(lit) - 2; i >= 1 && lit[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// readIndex parses a tree index: a JSON number that is a non-negative integer
// in plain notation.
func (d *dumpReader) readIndex() (int, error) {
	if _, err := d.peek(); err != nil {
		return 0, d.eof(err)
	}
	var tok [21]byte
	n := 0
	for n < len(tok) {
		c, err := d.r.ReadByte()
		if err != nil {
			break
		}
		if !('0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E') {
			d.r.UnreadByte()
			break
		}
		tok[n] = c
		n++
		d.off++
	}
	if n == 0 {
		c, _ := d.peek()
		return 0, fmt.Errorf("expected a number at byte %d, found %q", d.off, c)
	}
	v := 0
	for i, c := range tok[:n] {
		if c < '0' || c > '9' || n > 10 || (i == 0 && c == '0' && n > 1) {
			return 0, fmt.Errorf("%s is not a non-negative integer", tok[:n])
		}
		v = v*10 + int(c-'0')
	}
	return v, nil
}

// parseHash parses "0x" followed by 64 hex digits (either case).
func parseHash(s []byte) (common.Hash, error) {
	var h common.Hash
	if len(s) != 66 || s[0] != '0' || s[1] != 'x' {
		return h, fmt.Errorf("%s is not 0x and 64 hex digits", quoteShort(string(s)))
	}
	if _, err := hex.Decode(h[:], s[2:]); err != nil {
		return h, fmt.Errorf("%s is not 0x and 64 hex digits", quoteShort(string(s)))
	}
	return h, nil
}

// parseAddress parses "0x" followed by 40 hex digits that are all lower
// case, all upper case, or EIP-55 checksummed.
func (h *hasher) parseAddress(s []byte) (common.Address, error) {
	var a common.Address
	if len(s) != 42 || s[0] != '0' || s[1] != 'x' {
		return a, fmt.Errorf("%s is not 0x and 40 hex digits", quoteShort(string(s)))
	}
	if _, err := hex.Decode(a[:], s[2:]); err != nil {
		return a, fmt.Errorf("%s is not 0x and 40 hex digits", quoteShort(string(s)))
	}
	var lower, upper bool
	for _, c := range s[2:] {
		lower = lower || ('a' <= c && c <= 'f')
		upper = upper || ('A' <= c && c <= 'F')
	}
	if lower && upper {
		if sum := h.appendChecksumAddress(h.addr[:0], &a); !bytes.Equal(sum, s) {
			return a, fmt.Errorf("%s has a bad EIP-55 checksum (want %s)", quoteShort(string(s)), sum)
		}
	}
	return a, nil
}

// parseDecimal parses a canonical decimal uint256: digits only, no leading
// zeros except "0" itself, at most 2^256−1.
func parseDecimal(v *uint256.Int, s []byte) error {
	if len(s) == 0 {
		return errors.New("empty amount")
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return fmt.Errorf("%s is not a decimal integer", quoteShort(string(s)))
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return fmt.Errorf("%s has leading zeros", quoteShort(string(s)))
	}
	// Horner's rule in chunks of up to 19 digits, which fit a uint64.
	all := s
	v.Clear()
	var chunk, scale uint256.Int
	for len(s) > 0 {
		k := min(len(s), 19)
		var c, p uint64 = 0, 1
		for _, d := range s[:k] {
			c = c*10 + uint64(d-'0')
			p *= 10
		}
		s = s[k:]
		_, over1 := v.MulOverflow(v, scale.SetUint64(p))
		_, over2 := v.AddOverflow(v, chunk.SetUint64(c))
		if over1 || over2 {
			return fmt.Errorf("%s does not fit in uint256", quoteShort(string(all)))
		}
	}
	return nil
}

// quoteShort quotes s for an error message, cutting it if long.
func quoteShort(s string) string {
	if len(s) > 80 {
		return strconv.Quote(s[:80]) + "…"
	}
	return strconv.Quote(s)
}
