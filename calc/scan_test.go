package calc

import (
	"bytes"
	"encoding/binary"
	"math/big"
	"math/rand/v2"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/holiman/uint256"
)

// decodeReference is the slow, obviously right decoder: encoding/json, then
// Check. DecodeInput must agree with it on every input.
func decodeReference(data []byte) (*Input, error) {
	return decodeInputJSON(data)
}

// sameDecode reports how DecodeInput, and the fast path with every array
// split across cores (down to one element a chunk), differ from the
// reference on data, or "".
func sameDecode(data []byte) string {
	want, werr := decodeReference(data)
	got, gerr := DecodeInput(bytes.NewReader(data))
	if diff := compareDecode("fast", got, gerr, want, werr); diff != "" {
		return diff
	}
	if par, ok := fastDecodeInputMin(data, 1); ok {
		return compareDecode("parallel fast", par, par.Check(), want, werr)
	}
	return ""
}

func compareDecode(name string, got *Input, gerr error, want *Input, werr error) string {
	switch {
	case (gerr == nil) != (werr == nil):
		return "accept/reject differs: " + name + " " + errString(gerr) + ", reference " + errString(werr)
	case gerr != nil:
		if gerr.Error() != werr.Error() {
			return "errors differ: " + name + " " + gerr.Error() + ", reference " + werr.Error()
		}
		return ""
	}
	normalize(got)
	normalize(want)
	if !reflect.DeepEqual(got, want) {
		return name + " decodes differently"
	}
	return ""
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestFastDecodeAcceptsWrittenInputs: the fast path is not merely a detour
// to the reference: it takes every document WriteJSON writes, and compact
// and reordered forms of them, and decodes them as the reference does.
func TestFastDecodeAcceptsWrittenInputs(t *testing.T) {
	t.Parallel()
	docs := [][]byte{[]byte(validDoc)}
	if b, err := os.ReadFile("../examples/epoch-input.json"); err == nil {
		docs = append(docs, b)
	}
	for seed := 0; seed < 300; seed++ {
		var buf bytes.Buffer
		if err := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 11))).WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		docs = append(docs, buf.Bytes())
	}
	for i, doc := range docs {
		for _, d := range [][]byte{doc, compact(doc), []byte(strings.Replace(string(doc), "{\n  \"format\": \"cmt-epoch-input-v1\",", "{\"format\":\"cmt-epoch-input-v1\" ,\r\n\t", 1))} {
			fast, ok := fastDecodeInput(d)
			if !ok {
				t.Fatalf("doc %d: fast path gave up on a valid document\n%s", i, d)
			}
			par, ok := fastDecodeInputMin(d, 1)
			if !ok {
				t.Fatalf("doc %d: parallel fast path gave up on a valid document\n%s", i, d)
			}
			normalize(par)
			normalize(fast)
			if !reflect.DeepEqual(fast, par) {
				t.Fatalf("doc %d: parallel fast path decodes differently", i)
			}
			want, err := decodeReference(d)
			if err != nil {
				if fast.Check() == nil {
					t.Fatalf("doc %d: reference rejects (%v), fast path and Check accept", i, err)
				}
				continue
			}
			normalize(fast)
			normalize(want)
			if !reflect.DeepEqual(fast, want) {
				t.Fatalf("doc %d: decoded differently\nfast %+v\nref  %+v", i, fast, want)
			}
		}
	}
}

// compact removes the whitespace WriteJSON puts outside strings.
func compact(doc []byte) []byte {
	var out []byte
	in := false
	for _, c := range doc {
		if c == '"' {
			in = !in
		}
		if !in && isSpace(c) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// TestFastDecodeTrickyInputs: what encoding/json accepts or rejects in its
// own way (case-insensitive keys, duplicates, null, escapes, odd numbers)
// gets the same answer and the same error.
func TestFastDecodeTrickyInputs(t *testing.T) {
	t.Parallel()
	edits := [][2]string{
		{`"format"`, `"Format"`},
		{`"epoch": 7`, `"EPOCH": 7`},
		{`"epoch": 7`, `"epoch": 7, "epoch": 8`},
		{`"epoch": 7`, `"epoch": null`},
		{`"epoch": 7`, `"epoch": 07`},
		{`"epoch": 7`, `"epoch": 7.0`},
		{`"epoch": 7`, `"epoch": 7e0`},
		{`"epoch": 7`, `"epoch": -0`},
		{`"epoch": 7`, `"epoch": 18446744073709551615`},
		{`"epoch": 7`, `"epoch": 18446744073709551616`},
		{`"epoch": 7`, `"epoch": 99999999999999999999`},
		{`"chain_id": 18`, `"chain_id": 18 `},
		{`"amount_wei": "3"`, `"amount_wei": "0003"`},
		{`"amount_wei": "3"`, `"amount_wei": "\u0033"`},
		{`"amount_wei": "3"`, `"amount_wei": ""`},
		{`"amount_wei": "3"`, `"amount_wei": null`},
		{`"amount_wei": "3"`, `"amount_wei": "115792089237316195423570985008687907853269984665640564039457584007913129639935"`},
		{`"amount_wei": "3"`, `"amount_wei": "000000000000000000000000000000115792089237316195423570985008687907853269984665640564039457584007913129639935"`},
		{`"amount_wei": "3"`, `"amount_wei": "115792089237316195423570985008687907853269984665640564039457584007913129639936"`},
		{`"amount_wei": "3"`, `"amount_wei": "1157920892373161954235709850086879078532699846656405640394575840079131296399350"`},
		{`"reason": "missed-slots"`, `"reason": "missed\u002dslots"`},
		{`"reason": "missed-slots"`, "\"reason\": \"missed-slöts\""},
		{`"reason": "missed-slots"`, "\"reason\": \"missed-\xffslots\""},
		{`"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "eligibility": null,`},
		{`"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "eligibility": "",`},
		{`"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "eligibility": "while-active", "forfeit_policy": "redistribute",`},
		{`"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "previous_cumulative": [],`},
		{`"validator_share_bps": 2000,`, `"validator_share_bps": 2000, "previous_cumulative": null,`},
		{`"events": [`, `"events": null, "x": [`},
		{`"kind": "validator_added", "validator": "0x00000000000000000000000000000000000000a3"`, `"kind": "validator_added", "validator": "0x00000000000000000000000000000000000000a3", "delegator": null`},
		{`"kind": "stake"`, `"kind": "Stake"`},
		{`"kind": "stake"`, `"Kind": "stake"`},
		{`"delegator": "0x00000000000000000000000000000000000000d2", `, ``},
		{`"0x00000000000000000000000000000000000000a1"`, `"0X00000000000000000000000000000000000000a1"`},
		{"\n}", "\n}\n\t "},
		{"\n}", "\n}x"},
		{"\n}", "\n"},
		{"{\n", "\ufeff{\n"},
		{"{\n", "[{\n"},
	}
	for _, e := range edits {
		doc := strings.Replace(validDoc, e[0], e[1], 1)
		if doc == validDoc && e[0] != e[1] {
			t.Fatalf("edit %q not found", e[0])
		}
		if diff := sameDecode([]byte(doc)); diff != "" {
			t.Errorf("%q → %q: %s", e[0], e[1], diff)
		}
	}
}

// FuzzDecodeInputDifferential: DecodeInput and the encoding/json-based
// reference accept and reject the same inputs, with the same errors, and
// decode identically.
func FuzzDecodeInputDifferential(f *testing.F) {
	f.Add([]byte(validDoc))
	f.Add(compact([]byte(validDoc)))
	for seed := 0; seed < 5; seed++ {
		var buf bytes.Buffer
		if err := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 13))).WriteJSON(&buf); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if diff := sameDecode(data); diff != "" {
			t.Fatal(diff)
		}
	})
}

// TestDecodeDifferentialMutations runs the differential check over random
// byte-level mutations of valid documents, without the fuzzing engine.
func TestDecodeDifferentialMutations(t *testing.T) {
	t.Parallel()
	n := 20000
	if testing.Short() {
		n = 2000
	}
	r := rand.New(rand.NewPCG(5, 6))
	alphabet := []byte(" \n\t{}[]:,\"\\0123456789-+.eEabcdefxXnul")
	var bases [][]byte
	bases = append(bases, []byte(validDoc), compact([]byte(validDoc)))
	for seed := 0; seed < 4; seed++ {
		var buf bytes.Buffer
		if err := randomEpoch(rand.New(rand.NewPCG(uint64(seed), 17))).WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		bases = append(bases, buf.Bytes())
	}
	for i := 0; i < n; i++ {
		doc := bytes.Clone(bases[r.IntN(len(bases))])
		for m := 1 + r.IntN(3); m > 0 && len(doc) > 0; m-- {
			p := r.IntN(len(doc))
			switch r.IntN(3) {
			case 0:
				doc[p] = alphabet[r.IntN(len(alphabet))]
			case 1:
				doc = append(doc[:p], doc[p+1:]...)
			default:
				doc = append(doc[:p], append([]byte{alphabet[r.IntN(len(alphabet))]}, doc[p:]...)...)
			}
		}
		if diff := sameDecode(doc); diff != "" {
			t.Fatalf("mutation %d: %s\n%s", i, diff, doc)
		}
	}
}

// TestReadAll: whatever the reader says about its size, readAll returns
// exactly its content.
func TestReadAll(t *testing.T) {
	t.Parallel()
	data := bytes.Repeat([]byte("0123456789abcdef"), 10_000)
	path := t.TempDir() + "/in.json"
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	readers := map[string]func() any{
		"file":         func() any { f.Seek(0, 0); return f },
		"bytes.Reader": func() any { return bytes.NewReader(data) },
		"strings":      func() any { return strings.NewReader(string(data)) },
		"plain":        func() any { return struct{ *bytes.Reader }{bytes.NewReader(data)} },
		"understated":  func() any { return lenReader{bytes.NewReader(data), 10} },
		"overstated":   func() any { return lenReader{bytes.NewReader(data), len(data) * 2} },
		"partly read":  func() any { r := bytes.NewReader(data); r.Seek(7, 0); return r },
		"empty":        func() any { return bytes.NewReader(nil) },
	}
	for name, mk := range readers {
		r := mk().(interface{ Read([]byte) (int, error) })
		got, err := readAll(r)
		want := data
		switch name {
		case "partly read":
			want = data[7:]
		case "empty":
			want = nil
		}
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
	}
}

type lenReader struct {
	*bytes.Reader
	n int
}

func (r lenReader) Len() int { return r.n }

// TestIndexByte: the search on every core finds what bytes.IndexByte
// finds, the byte placed at and around the window boundaries, or absent.
func TestIndexByte(t *testing.T) {
	b := bytes.Repeat([]byte{'x'}, 40<<20)
	for _, at := range []int{-1, 0, 1, 8<<20 - 1, 8 << 20, 8<<20 + 1, 24<<20 - 1, 24 << 20, len(b) - 1} {
		for _, workers := range []int{2, 3} {
			if at >= 0 {
				b[at] = ']'
				if at+5 < len(b) {
					b[at+5] = ']' // a later one must not win
				}
			}
			if got, want := indexByte(b, ']', workers), bytes.IndexByte(b, ']'); got != want {
				t.Fatalf("at %d, %d workers: indexByte = %d, want %d", at, workers, got, want)
			}
			if at >= 0 {
				b[at] = 'x'
				if at+5 < len(b) {
					b[at+5] = 'x'
				}
			}
		}
	}
}

// TestDecimalU256: amounts of every length up to 80 digits, with and
// without a stray byte, parse as math/big parses them (and are refused
// exactly when they are not all digits or exceed 256 bits).
func TestDecimalU256(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	max256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	for n := 1; n <= 80; n++ {
		for trial := 0; trial < 300; trial++ {
			v := make([]byte, n)
			for i := range v {
				v[i] = byte('0' + r.IntN(10))
				if trial%3 == 0 && r.IntN(4) == 0 {
					v[i] = '9' // long runs of nines carry
				}
			}
			if trial%5 == 4 {
				v[r.IntN(n)] = byte(r.IntN(256))
			}
			want, ok := new(big.Int).SetString(string(v), 10)
			ok = ok && want.Cmp(max256) <= 0 && bytes.IndexFunc(v, func(c rune) bool { return c < '0' || c > '9' }) < 0
			var z uint256.Int
			got := decimalU256(&z, v)
			if got != ok || ok && z.ToBig().Cmp(want) != 0 {
				t.Fatalf("decimalU256(%q) = %v, %v; want %v, %v", v, z.Dec(), got, want, ok)
			}
		}
	}
	var z uint256.Int
	if decimalU256(&z, nil) {
		t.Fatal("decimalU256 accepted no digits")
	}
}

// TestEightDigits: every byte value in every position, among digits.
func TestEightDigits(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			w := []byte("31415926")
			w[pos] = byte(c)
			got, ok := eightDigits(binary.LittleEndian.Uint64(w))
			want, err := strconv.ParseUint(string(w), 10, 64)
			if wantOK := c >= '0' && c <= '9'; ok != wantOK || ok && (err != nil || got != want) {
				t.Fatalf("eightDigits(%q) = %d, %v; want %d, %v", w, got, ok, want, wantOK)
			}
		}
	}
}

// TestDigitRun: every byte value ending a run of digits at every length up
// to 40, against a byte loop.
func TestDigitRun(t *testing.T) {
	for n := 0; n <= 40; n++ {
		for c := 0; c < 256; c++ {
			for tail := 0; tail < 10; tail += 9 {
				b := append(bytes.Repeat([]byte("7"), n), byte(c))
				b = append(b, bytes.Repeat([]byte("1"), tail)...)
				want := 0
				for want < len(b) && b[want] >= '0' && b[want] <= '9' {
					want++
				}
				if got := digitRun(b); got != want {
					t.Fatalf("digitRun(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}
