package calc

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/internal/hexdigit"
)

// ErrInvalidInput is wrapped by every rejection of an epoch input or epoch
// result document, so callers can tell bad data from I/O failures.
var ErrInvalidInput = errors.New("invalid epoch data")

// FieldError names the offending field of a document by its JSON path, e.g.
// "events[12].amount_wei", and says what was expected.
type FieldError struct {
	Path string
	Msg  string
	Err  error // optional cause, e.g. ErrOverflow
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Msg
	}
	return e.Path + ": " + e.Msg
}

// Unwrap makes every FieldError match ErrInvalidInput, and its cause.
func (e *FieldError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrInvalidInput}
	}
	return []error{ErrInvalidInput, e.Err}
}

// overflowErr rejects input whose values overflow 256 bits in what.
func overflowErr(path, format string, args ...any) error {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...) + " overflows 256 bits", Err: ErrOverflow}
}

func fieldErr(path, format string, args ...any) error {
	return &FieldError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

func idx(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// jsonKind names the JSON type of a raw value for error messages.
func jsonKind(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "nothing"
	}
	switch raw[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	default:
		return "a number"
	}
}

// parseUint reads a required JSON number that must be a whole, non-negative
// integer fitting 64 bits.
func parseUint(path string, raw json.RawMessage) (uint64, error) {
	if raw == nil {
		return 0, fieldErr(path, "missing; expected a non-negative whole number")
	}
	if k := jsonKind(raw); k != "a number" {
		return 0, fieldErr(path, "expected a non-negative whole number, got %s", k)
	}
	s := string(raw)
	if s[0] == '-' {
		return 0, fieldErr(path, "expected a non-negative whole number, got %s", s)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fieldErr(path, "expected a whole number, got %s", s)
		}
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fieldErr(path, "%s does not fit 64 bits", s)
	}
	return v, nil
}

// parseString reads a required JSON string.
func parseString(path string, raw json.RawMessage) (string, error) {
	if raw == nil {
		return "", fieldErr(path, "missing; expected a string")
	}
	if raw[0] != '"' {
		return "", fieldErr(path, "expected a string, got %s", jsonKind(raw))
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", fieldErr(path, "bad string: %v", err)
	}
	return s, nil
}

// parseAddress reads a required 0x-prefixed 20-byte hex address in any case;
// mixed case is not checked as an EIP-55 checksum (rewards-v1 §9).
func parseAddress(path string, raw json.RawMessage) (common.Address, error) {
	var a common.Address
	if raw == nil {
		return a, fieldErr(path, "missing; expected a 0x-prefixed 20-byte hex address")
	}
	if raw[0] != '"' {
		return a, fieldErr(path, "expected a 0x-prefixed 20-byte hex address, got %s", jsonKind(raw))
	}
	s := raw[1 : len(raw)-1]
	if len(s) != 42 || s[0] != '0' || s[1] != 'x' {
		return a, fieldErr(path, "expected a 0x-prefixed 20-byte hex address, got %s", clip(raw))
	}
	for i := 0; i < 20; i++ {
		hi, ok1 := unhex(s[2+2*i])
		lo, ok2 := unhex(s[3+2*i])
		if !ok1 || !ok2 {
			return a, fieldErr(path, "expected a 0x-prefixed 20-byte hex address, got %s", clip(raw))
		}
		a[i] = hi<<4 | lo
	}
	return a, nil
}

func unhex(c byte) (byte, bool) {
	v := hexdigit.Value[c]
	return v, v <= 0xf
}

// parseAmount reads a required amount in wei: a JSON string of decimal digits
// whose value fits 256 bits. Leading zeros are accepted; signs, fractions,
// exponents and JSON numbers are not (a JSON number would silently lose
// precision in most other readers of the same file).
func parseAmount(path string, raw json.RawMessage, z *uint256.Int) error {
	if raw == nil {
		return fieldErr(path, "missing; expected a decimal string of wei")
	}
	if raw[0] != '"' {
		return fieldErr(path, "expected a decimal string of wei, got %s", jsonKind(raw))
	}
	s := raw[1 : len(raw)-1]
	if len(s) == 0 {
		return fieldErr(path, "expected a decimal string of wei, got an empty string")
	}
	if len(s) <= 19 {
		var v uint64
		for _, c := range s {
			if c < '0' || c > '9' {
				return badAmount(path, raw)
			}
			v = v*10 + uint64(c-'0')
		}
		z.SetUint64(v)
		return nil
	}
	z.Clear()
	var ten, d uint256.Int
	ten.SetUint64(10)
	for _, c := range s {
		if c < '0' || c > '9' {
			return badAmount(path, raw)
		}
		if _, over := z.MulOverflow(z, &ten); over {
			return fieldErr(path, "amount %s exceeds 256 bits", clip(raw))
		}
		d.SetUint64(uint64(c - '0'))
		if _, over := z.AddOverflow(z, &d); over {
			return fieldErr(path, "amount %s exceeds 256 bits", clip(raw))
		}
	}
	return nil
}

func badAmount(path string, raw json.RawMessage) error {
	s := raw[1 : len(raw)-1]
	switch {
	case len(s) > 0 && s[0] == '-':
		return fieldErr(path, "amount must not be negative, got %s", clip(raw))
	case containsByte(s, '.') || containsByte(s, 'e') || containsByte(s, 'E'):
		return fieldErr(path, "amount must be a whole number of wei, got %s", clip(raw))
	}
	return fieldErr(path, "expected a decimal string of wei, got %s", clip(raw))
}

func containsByte(s []byte, c byte) bool {
	for _, b := range s {
		if b == c {
			return true
		}
	}
	return false
}

// clip keeps error messages short when a field holds a huge value.
func clip(raw []byte) string {
	if len(raw) > 100 {
		return string(raw[:97]) + "..."
	}
	return string(raw)
}

// appendJSONString appends s as a JSON string. strconv.Quote is not JSON
// (it writes \x escapes), so anything but plain printable ASCII goes through
// encoding/json.
func appendJSONString(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // cannot fail for a string
			return append(buf, b...)
		}
	}
	buf = append(buf, '"')
	buf = append(buf, s...)
	return append(buf, '"')
}
