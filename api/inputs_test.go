package api_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// TestAPIServesInputs: /v1/epochs/{n}/input is the published input file
// byte for byte; an epoch without blocks has none (404 saying so), nor has
// an epoch not computed (404 saying that).
func TestAPIServesInputs(t *testing.T) {
	t.Parallel()
	fx := settletest.NewSettlement(t)
	fx.N.Mine(t, 60-int(fx.N.Chain.Head().Number.Uint64())) // epoch 0 is blocks 1–60
	if err := fx.N.Chain.Run(context.Background(), []devchain.Step{{Blocks: 80, Advance: 65 * time.Second}}); err != nil {
		t.Fatal(err)
	}
	fx.Pass(t)
	if rec, _ := fx.S.Record(1); rec == nil || !rec.Empty {
		t.Fatalf("epoch 1 is not empty: %+v", rec)
	}
	srv := httptest.NewServer(api.New(fx.S, &fx.F.Stats, nil, zap.NewNop(), api.Options{}))
	defer srv.Close()

	for _, k := range []uint64{0, 2} {
		name, _, _, _ := settle.FileNames(k)
		want, err := os.ReadFile(filepath.Join(fx.Dir, "pub", name))
		if err != nil {
			t.Fatal(err)
		}
		if got := get(t, srv.URL+"/v1/epochs/"+strconv.FormatUint(k, 10)+"/input", http.StatusOK); !bytes.Equal(got, want) {
			t.Errorf("epoch %d: input differs from the published %s", k, name)
		}
	}
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{"/v1/epochs/1/input", http.StatusNotFound, "epoch 1 has no blocks and so no input"},
		{"/v1/epochs/9/input", http.StatusNotFound, "epoch 9 has not been computed"},
		{"/v1/epochs/x/input", http.StatusBadRequest, "expected a non-negative whole number"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if b := get(t, srv.URL+tc.path, tc.code); !strings.Contains(string(b), tc.want) {
				t.Errorf("%s: %s, want %q", tc.path, b, tc.want)
			}
		})
	}
}
