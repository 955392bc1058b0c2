package merkle

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"
)

// baseDump is the dump of a three-leaf tree used by the ReadDump tests.
func baseDump(t *testing.T) (*Tree, string) {
	t.Helper()
	tr, err := Build([]Leaf{
		{common.HexToAddress("0x5B38Da6a701c568545dCfcB03FcB875f56beddC4"), uint256.NewInt(1)},
		{common.HexToAddress("0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2"), uint256.NewInt(2)},
		{common.HexToAddress("0xfFfFFFfFfFfffFfffffFfFfFfffffFFfFFFfffff"), new(uint256.Int).SetAllOne()},
	})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.WriteDump(&buf); err != nil {
		t.Fatal(err)
	}
	return tr, buf.String()
}

// mutate decodes a dump into generic JSON, applies f and re-encodes it.
func mutate(t *testing.T, dump string, f func(m map[string]any)) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(dump))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func value(m map[string]any, i int) map[string]any { return m["values"].([]any)[i].(map[string]any) }
func pair(m map[string]any, i int) []any           { return value(m, i)["value"].([]any) }

func TestReadDumpRoundTrip(t *testing.T) {
	tr, dump := baseDump(t)
	rt, err := ReadDump(strings.NewReader(dump))
	if err != nil {
		t.Fatal(err)
	}
	if rt.Root() != tr.Root() || rt.Len() != tr.Len() {
		t.Fatal("round trip changed the tree")
	}
	var again bytes.Buffer
	if err := rt.WriteDump(&again); err != nil || again.String() != dump {
		t.Fatalf("re-dump differs: %v\n%s\n%s", err, again.String(), dump)
	}

	// Key order, whitespace and lower-case addresses are free.
	loose := mutate(t, dump, func(m map[string]any) {
		p := pair(m, 0)
		p[0] = strings.ToLower(p[0].(string))
	})
	loose = strings.ReplaceAll(loose, ",", " ,\n\t")
	if rt, err := ReadDump(strings.NewReader(loose)); err != nil || rt.Root() != tr.Root() {
		t.Fatalf("loose dump: %v", err)
	}

	// Reads in small pieces and refills of the read buffer (which move its
	// contents) do not matter.
	for name, r := range map[string]io.Reader{
		"one byte": iotest.OneByteReader(strings.NewReader(loose)),
		"half":     iotest.HalfReader(strings.NewReader(loose)),
		"data+err": iotest.DataErrReader(strings.NewReader(loose)),
		"timeout":  iotest.TimeoutReader(strings.NewReader(loose)),
	} {
		if rt, err := ReadDump(r); err != nil || rt.Root() != tr.Root() {
			if name == "timeout" && err != nil {
				continue // a read error may surface
			}
			t.Fatalf("%s reader: %v", name, err)
		}
	}

	// Random trees round-trip exactly; 5000 leaves exceed the read buffer.
	r := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 2, 5, 33, 257, 5000} {
		tr, _ := Build(randomLeaves(r, n))
		var buf bytes.Buffer
		if err := tr.WriteDump(&buf); err != nil {
			t.Fatal(err)
		}
		rt, err := ReadDump(iotest.HalfReader(bytes.NewReader(buf.Bytes())))
		if err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		var buf2 bytes.Buffer
		rt.WriteDump(&buf2)
		if rt.Root() != tr.Root() || !bytes.Equal(buf.Bytes(), buf2.Bytes()) {
			t.Fatalf("n=%d: round trip differs", n)
		}
	}
}

func TestReadDumpRejects(t *testing.T) {
	_, dump := baseDump(t)
	set := func(f func(m map[string]any)) string { return mutate(t, dump, f) }
	tests := []struct {
		name   string
		dump   string
		substr string
		is     error
	}{
		{"not json", "nope", "expected '{' at byte 0, found 'n'", nil},
		{"empty input", "", "unexpected end of input at byte 0", nil},
		{"array", "[]", "expected '{' at byte 0, found '['", nil},
		{"truncated", dump[:len(dump)/2], "", nil},
		{"trailing data", strings.TrimSpace(dump) + "{}", "after the dump object", nil},
		{"wrong format", set(func(m map[string]any) { m["format"] = "standard-v2" }), `format: "standard-v2"`, nil},
		{"format missing", set(func(m map[string]any) { delete(m, "format") }), "format: missing", nil},
		{"format number", set(func(m map[string]any) { m["format"] = 1 }), "format:", nil},
		{"leafEncoding other", set(func(m map[string]any) { m["leafEncoding"] = []any{"address", "uint128"} }), "leafEncoding", nil},
		{"leafEncoding swapped", set(func(m map[string]any) { m["leafEncoding"] = []any{"uint256", "address"} }), "leafEncoding", nil},
		{"leafEncoding missing", set(func(m map[string]any) { delete(m, "leafEncoding") }), "leafEncoding: missing", nil},
		{"tree missing", set(func(m map[string]any) { delete(m, "tree") }), "tree: missing", nil},
		{"tree null", set(func(m map[string]any) { m["tree"] = nil }), "tree: expected '[' at byte", nil},
		{"values missing", set(func(m map[string]any) { delete(m, "values") }), "values: missing", nil},
		{"unknown key", set(func(m map[string]any) { m["extra"] = 1 }), `"extra": unknown key`, nil},
		{"duplicate key", strings.Replace(dump, `"format":"standard-v1",`, `"format":"standard-v1","format":"standard-v1",`, 1), `"format": duplicate key`, nil},
		{"tree number", set(func(m map[string]any) { m["tree"].([]any)[2] = 5 }), "tree[2]:", nil},
		{"tree short hash", set(func(m map[string]any) { m["tree"].([]any)[1] = "0x1234" }), "tree[1]:", nil},
		{"tree no 0x", set(func(m map[string]any) { m["tree"].([]any)[1] = strings.Repeat("ab", 33) }), "tree[1]:", nil},
		{"tree bad hex", set(func(m map[string]any) { m["tree"].([]any)[0] = "0x" + strings.Repeat("zz", 32) }), "tree[0]:", nil},
		{"tree altered root", set(func(m map[string]any) { m["tree"].([]any)[0] = "0x" + strings.Repeat("00", 32) }), "tree[0]: stored 0x0000", nil},
		{"tree extra node", set(func(m map[string]any) { m["tree"] = append(m["tree"].([]any), m["tree"].([]any)[0]) }), "tree: 6 nodes, want 5 for 3 values", nil},
		{"tree empty", set(func(m map[string]any) { m["tree"] = []any{} }), "tree: 0 nodes, want 5", nil},
		{"values empty", set(func(m map[string]any) { m["values"] = []any{} }), "tree: 5 nodes, want 0", nil},
		{"value not object", set(func(m map[string]any) { m["values"].([]any)[1] = "x" }), "values[1]:", nil},
		{"value unknown field", set(func(m map[string]any) { value(m, 1)["extra"] = 1 }), `values[1]["extra"]: unknown key`, nil},
		{"value missing", set(func(m map[string]any) { delete(value(m, 1), "value") }), "values[1].value: missing", nil},
		{"value three elements", set(func(m map[string]any) { value(m, 2)["value"] = append(pair(m, 2), "1") }), "values[2].value: more than 2 elements", nil},
		{"value one element", set(func(m map[string]any) { value(m, 0)["value"] = pair(m, 0)[:1] }), "values[0].value: want 2 elements, got 1", nil},
		{"address short", set(func(m map[string]any) { pair(m, 0)[0] = "0x1234" }), "values[0].value[0]:", nil},
		{"address no 0x", set(func(m map[string]any) { pair(m, 0)[0] = strings.Repeat("ab", 21) }), "values[0].value[0]:", nil},
		{"address bad checksum", set(func(m map[string]any) { pair(m, 0)[0] = "0x5b38Da6a701c568545dCfcB03FcB875f56beddC4" }), "values[0].value[0]: \"0x5b38Da6a701c568545dCfcB03FcB875f56beddC4\" has a bad EIP-55 checksum", nil},
		{"address number", set(func(m map[string]any) { pair(m, 0)[0] = 12 }), "values[0].value[0]:", nil},
		{"amount number", set(func(m map[string]any) { pair(m, 1)[1] = json.Number("2") }), "values[1].value[1]:", nil},
		{"amount negative", set(func(m map[string]any) { pair(m, 1)[1] = "-2" }), "values[1].value[1]:", nil},
		{"amount plus", set(func(m map[string]any) { pair(m, 1)[1] = "+2" }), "values[1].value[1]:", nil},
		{"amount fraction", set(func(m map[string]any) { pair(m, 1)[1] = "1.5" }), "values[1].value[1]:", nil},
		{"amount hex", set(func(m map[string]any) { pair(m, 1)[1] = "0x02" }), "values[1].value[1]:", nil},
		{"amount leading zero", set(func(m map[string]any) { pair(m, 1)[1] = "02" }), "values[1].value[1]: \"02\" has leading zeros", nil},
		{"amount empty", set(func(m map[string]any) { pair(m, 1)[1] = "" }), "values[1].value[1]: empty", nil},
		{"amount overflow", set(func(m map[string]any) {
			pair(m, 2)[1] = "115792089237316195423570985008687907853269984665640564039457584007913129639936"
		}), "values[2].value[1]:", nil},
		{"amount changed", set(func(m map[string]any) { pair(m, 1)[1] = "3" }), "values[1]: leaf hash", nil},
		{"treeIndex missing", set(func(m map[string]any) { delete(value(m, 0), "treeIndex") }), "values[0].treeIndex: missing", nil},
		{"treeIndex string", set(func(m map[string]any) { value(m, 0)["treeIndex"] = "4" }), "values[0].treeIndex:", nil},
		{"treeIndex float", set(func(m map[string]any) { value(m, 0)["treeIndex"] = json.Number("4.0") }), "values[0].treeIndex:", nil},
		{"treeIndex negative", set(func(m map[string]any) { value(m, 0)["treeIndex"] = -1 }), "values[0].treeIndex:", nil},
		{"treeIndex out of range", set(func(m map[string]any) { value(m, 0)["treeIndex"] = 5 }), "values[0].treeIndex: 5 is outside tree", nil},
		{"treeIndex inner node", set(func(m map[string]any) { value(m, 0)["treeIndex"] = 0 }), "values[0]: leaf hash", nil},
		{"treeIndex swapped", set(func(m map[string]any) {
			value(m, 0)["treeIndex"], value(m, 1)["treeIndex"] = value(m, 1)["treeIndex"], value(m, 0)["treeIndex"]
		}), "values[0]: leaf hash", nil},
		{"duplicate account", set(func(m map[string]any) { pair(m, 2)[0] = pair(m, 0)[0] }), "values[2].value[0]: duplicate account 0x5B38Da6a701c568545dCfcB03FcB875f56beddC4 (also values[0])", ErrDuplicateAccount},
		{"value dropped", set(func(m map[string]any) { m["values"] = m["values"].([]any)[1:] }), "tree: 5 nodes, want 3 for 2 values", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadDump(strings.NewReader(tt.dump))
			if err == nil || got != nil {
				t.Fatalf("ReadDump accepted %s", tt.dump)
			}
			t.Log(err)
			if !errors.Is(err, ErrBadDump) {
				t.Fatalf("error %v does not wrap ErrBadDump", err)
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

// TestReadDumpRejectsUnsortedTree: OZ accepts a tree built with
// sortLeaves: false, but it is not the canonical tree of its values.
func TestReadDumpRejectsUnsortedTree(t *testing.T) {
	leaves := randomLeaves(rand.New(rand.NewPCG(2, 2)), 4)
	tr, _ := Build(leaves)
	// Lay the leaves out in input order instead of hash order.
	n := len(leaves)
	nodes := make([]common.Hash, 2*n-1)
	for i, l := range leaves {
		nodes[len(nodes)-1-i] = LeafHash(l.Account, l.Cumulative)
	}
	for i := n - 2; i >= 0; i-- {
		nodes[i] = HashPair(nodes[2*i+1], nodes[2*i+2])
	}
	if nodes[0] == tr.Root() {
		t.Skip("random order happens to be sorted")
	}
	unsorted := &Tree{nodes: nodes, accounts: tr.accounts, amounts: tr.amounts, pos: make([]int32, n)}
	for i := range n {
		unsorted.pos[i] = int32(len(nodes) - 1 - i)
	}
	var buf bytes.Buffer
	unsorted.WriteDump(&buf)
	_, err := ReadDump(&buf)
	if !errors.Is(err, ErrBadDump) || !strings.Contains(err.Error(), "sorted by hash") {
		t.Fatalf("unsorted tree: %v", err)
	}
}

type failWriter struct{ after int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.after <= 0 {
		return 0, errors.New("disk full")
	}
	w.after--
	return len(p), nil
}

func TestWriteDumpError(t *testing.T) {
	tr, _ := Build(randomLeaves(rand.New(rand.NewPCG(3, 3)), 5000))
	for _, after := range []int{0, 1, 3} {
		err := tr.WriteDump(&failWriter{after: after})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("after %d writes: %v", after, err)
		}
	}
}

func TestChecksumAddress(t *testing.T) {
	h := newHasher()
	for _, s := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
		"0x0000000000000000000000000000000000000000",
	} {
		a := common.HexToAddress(s)
		if got := string(h.appendChecksumAddress(nil, &a)); got != s {
			t.Errorf("checksum %s, want %s", got, s)
		}
	}
}

func TestReadDumpJSONSyntax(t *testing.T) {
	tr, dump := baseDump(t)
	dump = strings.TrimSuffix(dump, "\n")
	// Pull the tree and values arrays out of the dump as raw JSON.
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(dump), &raw); err != nil {
		t.Fatal(err)
	}
	tree, values := string(raw["tree"]), string(raw["values"])
	spaced := strings.NewReplacer(",", " ,\r\n", ":", "\t: ", "[", "[ \n", "]", " ]\n", "{", "{\n ", "}", "\n}").Replace(dump)

	accept := map[string]string{
		"reordered keys":   `{"values":` + values + `,"tree":` + tree + `,"leafEncoding":["address","uint256"],"format":"standard-v1"}`,
		"whitespace":       " \n" + spaced + "\r\n\t ",
		"escaped format":   strings.Replace(dump, `"standard-v1"`, `"standard\u002dv1"`, 1),
		"escaped key":      strings.Replace(dump, `"tree":`, `"tre\u0065":`, 1),
		"escaped hex":      strings.Replace(dump, `"0x`, `"\u0030x`, 1),
		"escaped slash":    strings.Replace(dump, `"uint256"`, `"uint\u0032\u00356"`, 1),
		"no final newline": dump,
	}
	for name, in := range accept {
		got, err := ReadDump(strings.NewReader(in))
		if err != nil {
			t.Errorf("%s: %v", name, err)
		} else if got.Root() != tr.Root() {
			t.Errorf("%s: root changed", name)
		}
	}

	reject := map[string]string{
		"control char":       strings.Replace(dump, `"standard-v1"`, "\"standard\t-v1\"", 1),
		"long string":        strings.Replace(dump, `"standard-v1"`, `"`+strings.Repeat("x", maxDumpString+10)+`"`, 1),
		"long escaped":       strings.Replace(dump, `"standard-v1"`, `"\"`+strings.Repeat("x", maxDumpString+10)+`"`, 1),
		"unterminated":       `{"format":"standard-v1"`,
		"unterminated str":   `{"format":"standard-v1`,
		"missing colon":      strings.Replace(dump, `"format":`, `"format"`, 1),
		"missing comma":      strings.Replace(dump, `,"tree"`, ` "tree"`, 1),
		"trailing comma":     strings.Replace(dump, `"uint256"]`, `"uint256",]`, 1),
		"bad escape":         strings.Replace(dump, `"standard-v1"`, `"standard\x-v1"`, 1),
		"escaped quote":      strings.Replace(dump, `"0x`, `"0x\"`, 1),
		"two objects":        dump + dump,
		"nested value":       strings.Replace(dump, `"treeIndex":`, `"treeIndex":{"a":`, 1),
		"number key":         strings.Replace(dump, `"format":`, `1:`, 1),
		"tree not array":     strings.Replace(dump, `"tree":[`, `"tree":{`, 1),
		"index garbage":      strings.Replace(dump, `"treeIndex":`, `"treeIndex":x`, 1),
		"index long":         strings.Replace(dump, `"treeIndex":`, `"treeIndex":123456789012345678901234567890`, 1),
		"leafEncoding long":  strings.Replace(dump, `"uint256"]`, `"uint256","bytes"]`, 1),
		"leafEncoding short": strings.Replace(dump, `"address","uint256"]`, `"address"]`, 1),
	}
	// Syntax errors inside arrays are reported at the array.
	located := []struct{ in, substr string }{
		{strings.Replace(dump, `","0x`, `" "0x`, 1), `tree: expected ',' or ']' at byte`},
		{strings.Replace(dump, `},{`, `} {`, 1), `values: expected ',' or ']' at byte`},
		{strings.Replace(dump, `"],"treeIndex"`, `" "treeIndex"`, 1), `values[0].value: expected ',' or ']' at byte`},
		{strings.Replace(dump, `,"treeIndex"`, ` "treeIndex"`, 1), `values[0]: expected ',' or '}' at byte`},
		{strings.Replace(dump, `"treeIndex":`, `"treeIndex" `, 1), `values[0]: expected ':' at byte`},
		{strings.Replace(dump, `"tree":[`, `"tree":[,`, 1), `tree[0]: expected a string at byte`},
		{strings.Replace(dump, `"tree":[`, `"tree":[]`, 1), `expected ',' or '}' at byte`},
	}
	for _, tt := range located {
		if _, err := ReadDump(strings.NewReader(tt.in)); err == nil || !strings.Contains(err.Error(), tt.substr) {
			t.Errorf("error %v does not contain %q", err, tt.substr)
		}
	}

	for name, in := range reject {
		if _, err := ReadDump(strings.NewReader(in)); !errors.Is(err, ErrBadDump) {
			t.Errorf("%s: accepted or wrong error: %v", name, err)
		} else {
			t.Logf("%s: %.150v", name, err)
		}
	}
}

func TestParseDecimal(t *testing.T) {
	maxU := new(uint256.Int).SetAllOne()
	tests := []struct {
		in   string
		want *uint256.Int // nil: rejected
	}{
		{"0", new(uint256.Int)},
		{"1", uint256.NewInt(1)},
		{"9999999999999999999", uint256.NewInt(9999999999999999999)},
		{"18446744073709551616", new(uint256.Int).Lsh(uint256.NewInt(1), 64)},
		{maxU.Dec(), maxU},
		{"100000000000000000000000000000000000000000000000000000000000000000000000000000", uint256.MustFromDecimal("1" + strings.Repeat("0", 77))},
		{"115792089237316195423570985008687907853269984665640564039457584007913129639936", nil}, // 2^256
		{strings.Repeat("9", 78), nil},
		{"1" + strings.Repeat("0", 78), nil},
		{strings.Repeat("9", 200), nil},
		{"", nil},
		{"00", nil},
		{"-1", nil},
		{"1_000", nil},
		{" 1", nil},
	}
	for _, tt := range tests {
		var v uint256.Int
		err := parseDecimal(&v, []byte(tt.in))
		switch {
		case tt.want == nil && err == nil:
			t.Errorf("%q accepted as %s", tt.in, v.Dec())
		case tt.want != nil && err != nil:
			t.Errorf("%q: %v", tt.in, err)
		case tt.want != nil && !v.Eq(tt.want):
			t.Errorf("%q parsed as %s", tt.in, v.Dec())
		}
	}
	r := rand.New(rand.NewPCG(4, 4))
	for range 10000 {
		want := &uint256.Int{r.Uint64(), r.Uint64(), r.Uint64(), r.Uint64()}
		want.Rsh(want, uint(r.IntN(256)))
		var v uint256.Int
		if err := parseDecimal(&v, []byte(want.Dec())); err != nil || !v.Eq(want) {
			t.Fatalf("%s: %s, %v", want.Dec(), v.Dec(), err)
		}
		if got := string(appendDecimal(nil, want)); got != want.Dec() {
			t.Fatalf("appendDecimal %s, want %s", got, want.Dec())
		}
	}
}
