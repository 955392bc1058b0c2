package config

import (
	"strings"
	"testing"
)

func TestCORSOrigins(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		origin string
		ok     bool
	}{
		{"https://holders.example.org", true},
		{"http://127.0.0.1:5173", true},
		{"http://[::1]:8080", true},
		{"*", true},
		{"https://holders.example.org/", false},
		{"https://holders.example.org/app", false},
		{"holders.example.org", false},
		{"ftp://holders.example.org", false},
		{"HTTPS://holders.example.org", false},
		{"https://holders.example.org:0", false},
		{"https://holders.example.org:99999", false},
		{"https://:8080", false},
		{"https://user@holders.example.org", false},
		{"", false},
	} {
		t.Run(tc.origin, func(t *testing.T) {
			c := Default().API
			c.CORSOrigins = []string{"https://ok.example.org", tc.origin}
			err := c.Check()
			if tc.ok && err != nil {
				t.Fatalf("rejected: %v", err)
			}
			if !tc.ok && (err == nil || !strings.Contains(err.Error(), "api.cors_origins[1]")) {
				t.Fatalf("error %v does not name api.cors_origins[1]", err)
			}
		})
	}
}

// TestCORSDefault: no origin by default, so the API sends no CORS headers.
func TestCORSDefault(t *testing.T) {
	t.Parallel()
	if o := Default().API.CORSOrigins; len(o) != 0 {
		t.Fatalf("default cors_origins %v, want none", o)
	}
}
