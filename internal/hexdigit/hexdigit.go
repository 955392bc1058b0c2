// Package hexdigit reads hex digits by table, for the decoders that parse
// millions of addresses and hashes (calc's input scanner, the follower's
// header scanner).
package hexdigit

// Value is the value of each hex digit byte ('0'–'9', 'a'–'f', 'A'–'F')
// and 0xff for every other byte, so a pair's values OR-ed together exceed
// 0xf exactly when one of them is not a digit.
var Value = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = byte(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = byte(c-'a') + 10
		t[c-'a'+'A'] = byte(c-'a') + 10
	}
	return t
}()
