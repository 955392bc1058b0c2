package merkle

import (
	"bufio"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// DumpFormat is the "format" of OZ's StandardMerkleTree dump.
const DumpFormat = "standard-v1"

// dumpHead is everything before the first node of a dump.
const dumpHead = `{"format":"standard-v1","leafEncoding":["address","uint256"],"tree":[`

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
// StandardMerkleTree.load accepts every dump with at least one leaf. For a
// tree with no leaves WriteDump writes "tree":[] and "values":[], which
// ReadDump accepts but OZ v1.0.8's load rejects ("Merkle tree is invalid").
func (t *Tree) WriteDump(w io.Writer) error {
	bw := bufio.NewWriterSize(w, 256<<10)
	buf := make([]byte, 0, 256)
	bw.WriteString(dumpHead)
	for i := range t.nodes {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `"0x`...)
		buf = hex.AppendEncode(buf, t.nodes[i][:])
		buf = append(buf, '"')
		bw.Write(buf)
	}
	bw.WriteString(`],"values":[`)
	h := hasherPool.Get().(*hasher)
	defer hasherPool.Put(h)
	for i := range t.accounts {
		buf = buf[:0]
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"value":["`...)
		buf = h.appendChecksumAddress(buf, &t.accounts[i])
		buf = append(buf, `","`...)
		buf = appendDecimal(buf, &t.amounts[i])
		buf = append(buf, `"],"treeIndex":`...)
		buf = strconv.AppendInt(buf, int64(t.pos[i]), 10)
		buf = append(buf, '}')
		bw.Write(buf)
	}
	bw.WriteString("]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("merkle: write dump: %w", err)
	}
	return nil
}

// appendChecksumAddress appends the EIP-55 form of a: 0x and 40 hex digits,
// a letter upper-cased when the matching nibble of keccak256 of the
// lower-case hex (as ASCII) is 8 or more.
func (h *hasher) appendChecksumAddress(dst []byte, a *common.Address) []byte {
	dst = append(dst, "0x"...)
	start := len(dst)
	dst = hex.AppendEncode(dst, a[:])
	digits := dst[start:]
	h.st.Reset()
	h.st.Write(digits)
	h.st.Read(h.buf[:32])
	for j, c := range digits {
		nibble := h.buf[j/2]
		if j%2 == 0 {
			nibble >>= 4
		}
		if c >= 'a' && nibble&0xf >= 8 {
			digits[j] = c - 'a' + 'A'
		}
	}
	return dst
}

// appendDecimal appends v in decimal without leading zeros.
func appendDecimal(dst []byte, v *uint256.Int) []byte {
	if v.IsUint64() {
		return strconv.AppendUint(dst, v.Uint64(), 10)
	}
	return append(dst, v.Dec()...)
}

// ReadDump reads a standard-v1 dump, such as WriteDump or OZ's
// JSON.stringify(tree.dump()) writes, and returns the tree, whose Leaf order
// is the dump's values order. Key order and JSON whitespace are free, but the
// content is checked strictly:
//
//   - the top level has exactly the keys format ("standard-v1"), leafEncoding
//     (exactly ["address","uint256"]), tree and values, and nothing follows it;
//   - every tree entry is a string "0x" + 64 hex digits;
//   - every value is {"value":[address, amount],"treeIndex":N}: address a
//     string "0x" + 40 hex digits, either all one case or a valid EIP-55
//     checksum; amount a decimal string of at most 2^256−1 without sign or
//     leading zeros; N a non-negative integer;
//   - no account appears twice (the error also wraps ErrDuplicateAccount);
//   - tree is exactly the tree Build makes from the values: every node is
//     recomputed, and each treeIndex must point at its value's leaf. So only
//     trees with leaves sorted by hash (OZ's default) are accepted.
//
// Errors wrap ErrBadDump and name the offending field, e.g.
// "values[3].value[1]: ...". An empty dump ("tree":[] and "values":[]) gives
// an empty tree with the all-zero root.
func ReadDump(r io.Reader) (*Tree, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields() // inside values elements
	t, err := readDump(dec)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadDump, err)
	}
	return t, nil
}

func readDump(dec *json.Decoder) (*Tree, error) {
	if err := expectDelim(dec, '{'); err != nil {
		return nil, fmt.Errorf("top level: %w", err)
	}
	var (
		seen     = map[string]bool{}
		stored   []common.Hash
		accounts []common.Address
		amounts  []uint256.Int
		indices  []int
	)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("top level: %w", err)
		}
		key, ok := tok.(string)
		if !ok {
			return nil, fmt.Errorf("top level: unexpected %v", tok)
		}
		if seen[key] {
			return nil, fmt.Errorf("%s: duplicate key", strconv.Quote(key))
		}
		seen[key] = true
		switch key {
		case "format":
			var f string
			if err := dec.Decode(&f); err != nil {
				return nil, fmt.Errorf("format: %w", err)
			}
			if f != DumpFormat {
				return nil, fmt.Errorf("format: %q, want %q", f, DumpFormat)
			}
		case "leafEncoding":
			var enc []string
			if err := dec.Decode(&enc); err != nil {
				return nil, fmt.Errorf("leafEncoding: %w", err)
			}
			if len(enc) != 2 || enc[0] != "address" || enc[1] != "uint256" {
				return nil, fmt.Errorf("leafEncoding: %q, want [\"address\" \"uint256\"]", enc)
			}
		case "tree":
			if err := expectDelim(dec, '['); err != nil {
				return nil, fmt.Errorf("tree: %w", err)
			}
			for i := 0; dec.More(); i++ {
				var s string
				if err := dec.Decode(&s); err != nil {
					return nil, fmt.Errorf("tree[%d]: %w", i, err)
				}
				h, err := parseHash(s)
				if err != nil {
					return nil, fmt.Errorf("tree[%d]: %w", i, err)
				}
				stored = append(stored, h)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return nil, fmt.Errorf("tree: %w", err)
			}
		case "values":
			if err := expectDelim(dec, '['); err != nil {
				return nil, fmt.Errorf("values: %w", err)
			}
			for i := 0; dec.More(); i++ {
				a, v, idx, err := decodeValue(dec)
				if err != nil {
					return nil, fmt.Errorf("values[%d]%w", i, err)
				}
				accounts = append(accounts, a)
				amounts = append(amounts, v)
				indices = append(indices, idx)
			}
			if err := expectDelim(dec, ']'); err != nil {
				return nil, fmt.Errorf("values: %w", err)
			}
		default:
			return nil, fmt.Errorf("%s: unknown key", strconv.Quote(key))
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, fmt.Errorf("top level: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("top level: data after the dump object")
	}
	for _, key := range []string{"format", "leafEncoding", "tree", "values"} {
		if !seen[key] {
			return nil, fmt.Errorf("%s: missing", key)
		}
	}
	if len(accounts) > MaxLeaves {
		return nil, fmt.Errorf("values: %d values exceed the maximum of %d", len(accounts), MaxLeaves)
	}

	t, err := build(accounts, amounts, "values")
	if err != nil {
		return nil, err
	}
	if len(stored) != len(t.nodes) {
		return nil, fmt.Errorf("tree: %d nodes, want %d for %d values", len(stored), len(t.nodes), len(accounts))
	}
	for i, idx := range indices {
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

// expectDelim consumes the next token, which must be the delimiter d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return fmt.Errorf("expected %v, found end of input", d)
		}
		return err
	}
	if tok == nil {
		return fmt.Errorf("expected %v, found null", d)
	}
	if tok != d {
		return fmt.Errorf("expected %v, found %v", d, tok)
	}
	return nil
}

// dumpValue is one element of a dump's values array.
type dumpValue struct {
	Value     []json.RawMessage `json:"value"`
	TreeIndex json.RawMessage   `json:"treeIndex"`
}

// decodeValue decodes and checks one values element. Its errors start with
// the field path below values[i] (".value[1]: …" or ": …").
func decodeValue(dec *json.Decoder) (common.Address, uint256.Int, int, error) {
	var (
		dv   dumpValue
		a    common.Address
		v    uint256.Int
		addr string
		amt  string
	)
	if err := dec.Decode(&dv); err != nil {
		return a, v, 0, fmt.Errorf(": %w", err)
	}
	if dv.Value == nil {
		return a, v, 0, errors.New(".value: missing")
	}
	if len(dv.Value) != 2 {
		return a, v, 0, fmt.Errorf(".value: %d elements, want 2", len(dv.Value))
	}
	if err := json.Unmarshal(dv.Value[0], &addr); err != nil {
		return a, v, 0, fmt.Errorf(".value[0]: %w", err)
	}
	a, err := parseAddress(addr)
	if err != nil {
		return a, v, 0, fmt.Errorf(".value[0]: %w", err)
	}
	if err := json.Unmarshal(dv.Value[1], &amt); err != nil {
		return a, v, 0, fmt.Errorf(".value[1]: %w", err)
	}
	if err := parseDecimal(&v, amt); err != nil {
		return a, v, 0, fmt.Errorf(".value[1]: %w", err)
	}
	if dv.TreeIndex == nil {
		return a, v, 0, errors.New(".treeIndex: missing")
	}
	idx, err := parseIndex(dv.TreeIndex)
	if err != nil {
		return a, v, 0, fmt.Errorf(".treeIndex: %w", err)
	}
	return a, v, idx, nil
}

// parseHash parses "0x" followed by 64 hex digits (either case).
func parseHash(s string) (common.Hash, error) {
	var h common.Hash
	if len(s) != 66 || s[:2] != "0x" {
		return h, fmt.Errorf("%s is not 0x and 64 hex digits", quoteShort(s))
	}
	if _, err := hex.Decode(h[:], []byte(s[2:])); err != nil {
		return h, fmt.Errorf("%s is not 0x and 64 hex digits", quoteShort(s))
	}
	return h, nil
}

// parseAddress parses "0x" followed by 40 hex digits that are all lower
// case, all upper case, or EIP-55 checksummed.
func parseAddress(s string) (common.Address, error) {
	var a common.Address
	if len(s) != 42 || s[:2] != "0x" {
		return a, fmt.Errorf("%s is not 0x and 40 hex digits", quoteShort(s))
	}
	if _, err := hex.Decode(a[:], []byte(s[2:])); err != nil {
		return a, fmt.Errorf("%s is not 0x and 40 hex digits", quoteShort(s))
	}
	var lower, upper bool
	for _, c := range s[2:] {
		lower = lower || ('a' <= c && c <= 'f')
		upper = upper || ('A' <= c && c <= 'F')
	}
	if lower && upper && a.Hex() != s {
		return a, fmt.Errorf("%s has a bad EIP-55 checksum (want %s)", quoteShort(s), a.Hex())
	}
	return a, nil
}

// parseDecimal parses a canonical decimal uint256: digits only, no leading
// zeros except "0" itself, at most 2^256−1.
func parseDecimal(v *uint256.Int, s string) error {
	if s == "" {
		return errors.New("empty amount")
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return fmt.Errorf("%s is not a decimal integer", quoteShort(s))
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return fmt.Errorf("%s has leading zeros", quoteShort(s))
	}
	if err := v.SetFromDecimal(s); err != nil {
		return fmt.Errorf("%s does not fit in uint256", quoteShort(s))
	}
	return nil
}

// parseIndex parses a JSON number that is a non-negative integer in plain
// notation.
func parseIndex(raw json.RawMessage) (int, error) {
	s := string(raw)
	bad := fmt.Errorf("%.80s is not a non-negative integer", s)
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return 0, bad
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, bad
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, nil
}

// quoteShort quotes s for an error message, cutting it if long.
func quoteShort(s string) string {
	if len(s) > 80 {
		return strconv.Quote(s[:80]) + "…"
	}
	return strconv.Quote(s)
}
