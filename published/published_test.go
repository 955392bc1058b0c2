package published

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSiblingResult(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, want string }{
		{"/pub/epoch-000005-result.json", "/pub/epoch-000004-result.json"},
		{"epoch-000005-result.json", "epoch-000004-result.json"},
		{"http://h:8480/v1/epochs/5/result", "http://h:8480/v1/epochs/4/result"},
		{"https://h/files/epoch-000005-result.json?x=1", "https://h/files/epoch-000004-result.json"},
	} {
		if got := SiblingResult(c.in, 4); got != c.want {
			t.Errorf("SiblingResult(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestFetchNamesURLAndStatus(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error": "epoch 9 has not been computed"}`))
	}))
	defer srv.Close()
	_, err := Fetch(context.Background(), srv.URL+"/v1/epochs/9/result")
	if err == nil || !strings.Contains(err.Error(), srv.URL+"/v1/epochs/9/result") || !strings.Contains(err.Error(), "404") ||
		!strings.Contains(err.Error(), "has not been computed") {
		t.Fatalf("err = %v", err)
	}
}
