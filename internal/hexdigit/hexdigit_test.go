package hexdigit

import (
	"strconv"
	"testing"
)

// TestValue: every byte's entry is what strconv reads it as, or 0xff.
func TestValue(t *testing.T) {
	for b := 0; b < 256; b++ {
		want := byte(0xff)
		if v, err := strconv.ParseUint(string([]byte{byte(b)}), 16, 8); err == nil {
			want = byte(v)
		}
		if Value[b] != want {
			t.Fatalf("Value[%#x] = %#x, want %#x", b, Value[b], want)
		}
	}
}
