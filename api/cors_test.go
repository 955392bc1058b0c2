package api_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/follower"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	const page = "https://holders.example.org"
	for _, tc := range []struct {
		name      string
		origins   []string
		method    string
		origin    string
		preflight bool
		code      int
		allow     string // Access-Control-Allow-Origin, "" for none
		methods   string // Access-Control-Allow-Methods
	}{
		{name: "none configured: GET", method: "GET", origin: page, code: 200},
		{name: "none configured: preflight goes to the mux", method: "OPTIONS", origin: page, preflight: true, code: 405},
		{name: "allowed GET", origins: []string{page}, method: "GET", origin: page, code: 200, allow: page},
		{name: "allowed preflight", origins: []string{page}, method: "OPTIONS", origin: page, preflight: true, code: 204, allow: page, methods: "GET, OPTIONS"},
		{name: "other origin GET", origins: []string{page}, method: "GET", origin: "https://evil.example", code: 200},
		{name: "other origin preflight", origins: []string{page}, method: "OPTIONS", origin: "https://evil.example", preflight: true, code: 204},
		{name: "same-origin GET", origins: []string{page}, method: "GET", code: 200},
		{name: "any origin", origins: []string{"*"}, method: "GET", origin: "https://anyone.example", code: 200, allow: "*"},
		{name: "any origin preflight", origins: []string{"*"}, method: "OPTIONS", origin: "https://anyone.example", preflight: true, code: 204, allow: "*", methods: "GET, OPTIONS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(api.New(nil, &follower.Stats{}, nil, zap.NewNop(), api.Options{CORSOrigins: tc.origins}))
			defer srv.Close()
			req, _ := http.NewRequest(tc.method, srv.URL+"/livez", nil)
			if tc.origin != "" {
				req.Header.Set("Origin", tc.origin)
			}
			if tc.preflight {
				req.Header.Set("Access-Control-Request-Method", "GET")
				req.Header.Set("Access-Control-Request-Headers", "content-type")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.code {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.code)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != tc.allow {
				t.Errorf("Access-Control-Allow-Origin %q, want %q", got, tc.allow)
			}
			if got := resp.Header.Get("Access-Control-Allow-Methods"); got != tc.methods {
				t.Errorf("Access-Control-Allow-Methods %q, want %q", got, tc.methods)
			}
			if len(tc.origins) > 0 && resp.Header.Get("Vary") != "Origin" {
				t.Errorf("Vary %q, want Origin", resp.Header.Get("Vary"))
			}
		})
	}
}

// TestAPIListensOnLoopbackByDefault: serving holders' pages does not open
// the daemon to the network; exposing it stays an explicit api.listen.
func TestAPIListensOnLoopbackByDefault(t *testing.T) {
	t.Parallel()
	c := config.Default()
	host, _, err := net.SplitHostPort(c.API.Listen)
	if err != nil {
		t.Fatal(err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Fatalf("default api.listen %q is not a loopback address", c.API.Listen)
	}
	if len(c.API.CORSOrigins) != 0 {
		t.Fatalf("default api.cors_origins %v, want none", c.API.CORSOrigins)
	}
}
