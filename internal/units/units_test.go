package units

import (
	"errors"
	"testing"

	"github.com/holiman/uint256"
)

func TestFormatCMT(t *testing.T) {
	t.Parallel()
	max := new(uint256.Int).SetAllOne()
	for _, tc := range []struct {
		name string
		wei  *uint256.Int
		want string
	}{
		{"nil", nil, "0.000000000000000000"},
		{"zero", uint256.NewInt(0), "0.000000000000000000"},
		{"one wei", uint256.NewInt(1), "0.000000000000000001"},
		{"one and a half CMT", uint256.NewInt(1_500_000_000_000_000_000), "1.500000000000000000"},
		{"block award", uint256.MustFromDecimal("5000000000000000000"), "5.000000000000000000"},
		{"max uint256", max, "115792089237316195423570985008687907853269984665640564039457.584007913129639935"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := FormatCMT(tc.wei); got != tc.want {
				t.Errorf("FormatCMT = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestFormatDecimalWei(t *testing.T) {
	t.Parallel()
	if got, err := FormatDecimalWei("1500000000000000000"); err != nil || got != "1.500000000000000000" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, bad := range []string{"", "x", "-1", "1.5", "0x10"} {
		if _, err := FormatDecimalWei(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestParseCMT(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    string // wei
		wantErr error
	}{
		{in: "0", want: "0"},
		{in: "1", want: "1000000000000000000"},
		{in: "1.5", want: "1500000000000000000"},
		{in: "0.000000000000000001", want: "1"},
		{in: "007.100", want: "7100000000000000000"},
		{in: "1.000000000000000000", want: "1000000000000000000"},
		{in: "115792089237316195423570985008687907853269984665640564039457.584007913129639935",
			want: "115792089237316195423570985008687907853269984665640564039457584007913129639935"},
		{in: "0.0000000000000000001", wantErr: ErrPrecision},
		{in: "1.0000000000000000000", wantErr: ErrPrecision},
		{in: "-1", wantErr: ErrNegative},
		{in: "-0.5", wantErr: ErrNegative},
		{in: "115792089237316195423570985008687907853269984665640564039457.584007913129639936", wantErr: ErrRange},
		{in: "", wantErr: ErrSyntax},
		{in: ".5", wantErr: ErrSyntax},
		{in: "5.", wantErr: ErrSyntax},
		{in: "+1", wantErr: ErrSyntax},
		{in: "1e18", wantErr: ErrSyntax},
		{in: "1,000", wantErr: ErrSyntax},
		{in: " 1", wantErr: ErrSyntax},
		{in: "1.2.3", wantErr: ErrSyntax},
		{in: "-x", wantErr: ErrSyntax},
		{in: "CMT", wantErr: ErrSyntax},
		{in: "١", wantErr: ErrSyntax}, // a non-ASCII digit
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseCMT(tc.in)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("ParseCMT(%q) = %v, %v; want %v", tc.in, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || got.Dec() != tc.want {
				t.Fatalf("ParseCMT(%q) = %v, %v; want %s wei", tc.in, got, err, tc.want)
			}
		})
	}
}

// FuzzParseCMT: whatever ParseCMT accepts it reads exactly (formatting the
// wei back gives the same number), and what it rejects is one of its
// documented errors.
func FuzzParseCMT(f *testing.F) {
	for _, s := range []string{"0", "1.5", "0.000000000000000001", "-1", "1e3", "1.0000000000000000000", "99999999999999999999999999999999999999999999999999999999999999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseCMT(s)
		if err != nil {
			if !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrNegative) && !errors.Is(err, ErrPrecision) && !errors.Is(err, ErrRange) {
				t.Fatalf("ParseCMT(%q): undocumented error %v", s, err)
			}
			return
		}
		back, err := ParseCMT(FormatCMT(v))
		if err != nil || !back.Eq(v) {
			t.Fatalf("ParseCMT(%q) = %s wei; formatted %q reads back as %v, %v", s, v.Dec(), FormatCMT(v), back, err)
		}
	})
}

// FuzzFormatCMT: every uint256 formats to 18 decimal places and parses
// back to itself.
func FuzzFormatCMT(f *testing.F) {
	f.Add([]byte{0})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 32 {
			b = b[:32]
		}
		v := new(uint256.Int).SetBytes(b)
		s := FormatCMT(v)
		if i := len(s) - Decimals - 1; i < 1 || s[i] != '.' {
			t.Fatalf("FormatCMT(%s) = %q: not 18 decimal places", v.Dec(), s)
		}
		back, err := ParseCMT(s)
		if err != nil || !back.Eq(v) {
			t.Fatalf("FormatCMT(%s) = %q reads back as %v, %v", v.Dec(), s, back, err)
		}
	})
}
