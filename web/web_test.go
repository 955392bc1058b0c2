package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestHandler checks what a browser needs of each file: the status, the
// MIME type (module scripts refuse others), and revalidation by ETag.
func TestHandler(t *testing.T) {
	h := Handler()
	tests := []struct {
		path, wantType string
		wantStatus     int
		wantBody       string
	}{
		{"/", "text/html; charset=utf-8", 200, `<script type="module" src="app.js">`},
		{"/index.html", "text/html; charset=utf-8", 200, `<div id="app">`},
		{"/app.js", "text/javascript; charset=utf-8", 200, ""},
		{"/app.css", "text/css; charset=utf-8", 200, ""},
		{"/missing.js", "", 404, ""},
		{"/../web.go", "", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != tt.wantStatus {
				t.Fatalf("status %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantStatus != 200 {
				return
			}
			if got := rec.Header().Get("Content-Type"); got != tt.wantType {
				t.Errorf("Content-Type %q, want %q", got, tt.wantType)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) || rec.Body.Len() == 0 {
				t.Errorf("body lacks %q (%d bytes)", tt.wantBody, rec.Body.Len())
			}
			etag := rec.Header().Get("ETag")
			again := httptest.NewRequest("GET", tt.path, nil)
			again.Header.Set("If-None-Match", etag)
			rec2 := httptest.NewRecorder()
			h.ServeHTTP(rec2, again)
			if rec2.Code != http.StatusNotModified {
				t.Errorf("revalidation with ETag %s: status %d, want 304", etag, rec2.Code)
			}
		})
	}
}
