// Package units converts between wei and CMT (1 CMT = 10^18 wei) for people:
// every amount a command shows or reads in CMT goes through here, so all of
// them agree to the wei.
//
// Amounts in files and on chain stay in wei (decimal strings, uint256);
// CMT is only ever for display and for command-line input, which is why
// shopspring/decimal is used here and nowhere in the reward arithmetic.
package units

import (
	"errors"
	"fmt"
	"strings"

	"github.com/holiman/uint256"
	"github.com/shopspring/decimal"
)

// Decimals is how many decimal places of CMT one wei is.
const Decimals = 18

// Errors of ParseCMT, wrapped with the offending text.
var (
	// ErrSyntax: not a plain decimal number (digits, at most one point).
	ErrSyntax = errors.New("not a decimal amount of CMT")
	// ErrNegative: a negative amount.
	ErrNegative = errors.New("negative amount")
	// ErrPrecision: more than 18 decimal places, a fraction of a wei.
	ErrPrecision = errors.New("more than 18 decimal places (a fraction of a wei)")
	// ErrRange: more wei than 256 bits hold.
	ErrRange = errors.New("exceeds 2^256-1 wei")
)

// FormatCMT renders wei as CMT with exactly 18 decimal places, e.g.
// 1500000000000000000 wei as "1.500000000000000000": exact, and the same
// width for every amount so columns line up. A nil amount is "0" CMT.
func FormatCMT(wei *uint256.Int) string {
	if wei == nil {
		wei = new(uint256.Int)
	}
	return decimal.NewFromBigInt(wei.ToBig(), -Decimals).StringFixed(Decimals)
}

// FormatDecimalWei renders a decimal string of wei (as the JSON documents
// hold amounts) as CMT like FormatCMT. A string that is not a decimal
// uint256 is an error naming it.
func FormatDecimalWei(wei string) (string, error) {
	v, err := uint256.FromDecimal(wei)
	if err != nil {
		return "", fmt.Errorf("%q: not a decimal amount of wei: %w", wei, err)
	}
	return FormatCMT(v), nil
}

// ParseCMT parses a decimal amount of CMT, such as "1.5", "0.000000000000000001"
// or "42", into wei, exactly. It accepts digits, optionally followed by a
// point and 1 to 18 more digits (".5", "5.", a leading "+", exponents,
// spaces and thousands separators are refused); negatives, fractions of a wei and
// amounts beyond 256 bits are errors wrapping ErrNegative, ErrPrecision or
// ErrRange, anything else ErrSyntax.
func ParseCMT(s string) (*uint256.Int, error) {
	abs, negative := strings.CutPrefix(s, "-")
	whole, frac, hasPoint := strings.Cut(abs, ".")
	if !digits(whole) || hasPoint && !digits(frac) {
		return nil, fmt.Errorf("%q: %w: expected digits with at most one decimal point, e.g. 1.5", s, ErrSyntax)
	}
	if negative {
		return nil, fmt.Errorf("%q: %w", s, ErrNegative)
	}
	if len(frac) > Decimals {
		return nil, fmt.Errorf("%q: %w", s, ErrPrecision)
	}
	d, err := decimal.NewFromString(s)
	if err != nil { // unreachable after the syntax check; kept as a guard
		return nil, fmt.Errorf("%q: %w: %v", s, ErrSyntax, err)
	}
	v, overflow := uint256.FromBig(d.Shift(Decimals).BigInt())
	if overflow {
		return nil, fmt.Errorf("%q: %w", s, ErrRange)
	}
	return v, nil
}

// digits reports whether s is one or more ASCII digits.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
