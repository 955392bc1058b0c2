package published

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

func TestNewSource(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		loc   string
		api   bool
		str   string
		isErr bool
	}{
		{loc: "/pub", str: "/pub"},
		{loc: "http://127.0.0.1:8480/", api: true, str: "http://127.0.0.1:8480"},
		{loc: "", isErr: true},
		{loc: "http://", isErr: true},
	} {
		s, err := NewSource(tc.loc)
		if (err != nil) != tc.isErr || err == nil && (s.IsAPI() != tc.api || s.String() != tc.str) {
			t.Errorf("NewSource(%q) = %v, %v", tc.loc, s, err)
		}
	}
}

// TestSource reads the worked example's input and result from a publish
// directory and from an API-shaped server, and the latest accepted epoch
// from the API's records.
func TestSource(t *testing.T) {
	t.Parallel()
	inRaw, err := os.ReadFile("../examples/epoch-input.json")
	if err != nil {
		t.Fatal(err)
	}
	resRaw, err := os.ReadFile("../examples/epoch-result.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	inName, _, _, resName := settle.FileNames(3)
	os.WriteFile(filepath.Join(dir, inName), inRaw, 0o644)
	os.WriteFile(filepath.Join(dir, resName), resRaw, 0o644)
	records := `[{"epoch": 2, "state": "accepted"}, {"epoch": 3, "state": "accepted"}, {"epoch": 4, "state": "voted"}]`
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/epochs/3/input", func(w http.ResponseWriter, r *http.Request) { w.Write(inRaw) })
	mux.HandleFunc("GET /v1/epochs/3/result", func(w http.ResponseWriter, r *http.Request) { w.Write(resRaw) })
	mux.HandleFunc("GET /v1/epochs", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(records)) })
	srv := httptest.NewServer(mux)
	defer srv.Close()

	want, _ := calc.DecodeResult(bytes.NewReader(resRaw))
	ctx := context.Background()
	for _, loc := range []string{dir, srv.URL} {
		s, err := NewSource(loc)
		if err != nil {
			t.Fatal(err)
		}
		t.Run(loc, func(t *testing.T) {
			res, err := s.Result(ctx, 3)
			if err != nil || res.MerkleRoot != want.MerkleRoot {
				t.Fatalf("Result: %v", err)
			}
			in, err := s.Input(ctx, 3)
			if err != nil || in.Epoch != 3 {
				t.Fatalf("Input: %v", err)
			}
			if _, err := s.Result(ctx, 5); !errors.Is(err, ErrNotPublished) || !strings.Contains(err.Error(), "result of epoch 5") {
				t.Errorf("missing result: %v", err)
			}
			if _, err := s.Input(ctx, 5); !errors.Is(err, ErrNotPublished) || !strings.Contains(err.Error(), "input of epoch 5") {
				t.Errorf("missing input: %v", err)
			}
			k, ok, err := s.LatestAccepted(ctx)
			if s.IsAPI() {
				if err != nil || !ok || k != 3 {
					t.Errorf("LatestAccepted = %d, %v, %v; want 3", k, ok, err)
				}
			} else if err == nil {
				t.Error("LatestAccepted of a directory: no error")
			}
		})
	}

	// A file of another epoch under this epoch's name is refused.
	other := t.TempDir()
	_, _, _, res4 := settle.FileNames(4)
	os.WriteFile(filepath.Join(other, res4), resRaw, 0o644)
	s, _ := NewSource(other)
	if _, err := s.Result(ctx, 4); err == nil || !strings.Contains(err.Error(), "is the result of epoch 3, not 4") {
		t.Errorf("result of another epoch: %v", err)
	}
}

// TestLoadCumulatives reads the cumulative amounts of a result and of the
// tree dump of the same epoch: the same leaves and root.
func TestLoadCumulatives(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r, err := LoadCumulatives(ctx, "../examples/epoch-result.json")
	if err != nil || r.Kind != KindResult || r.Epoch == nil || *r.Epoch != 3 {
		t.Fatalf("result: %+v, %v", r, err)
	}
	d, err := LoadCumulatives(ctx, "../examples/epoch-tree.json")
	if err != nil || d.Kind != KindTree || d.Epoch != nil || d.Root != r.Root || len(d.Balances) != len(r.Balances) {
		t.Fatalf("dump: %+v, %v", d, err)
	}
	if _, err := LoadCumulatives(ctx, filepath.Join(t.TempDir(), "none.json")); !errors.Is(err, ErrNotPublished) {
		t.Errorf("missing: %v", err)
	}
}
