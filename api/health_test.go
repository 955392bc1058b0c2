package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// TestHealth: /livez answers while the process serves; /healthz fails, and
// /v1/status says why in the same words, for each condition that makes the
// daemon unready.
func TestHealth(t *testing.T) {
	t.Parallel()
	l, err := ledger.Open(filepath.Join(t.TempDir(), "ledger.db"), ledger.Identity{ChainID: 1, Contract: common.HexToAddress("0x1")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	s := settle.New(settle.Config{}, l, nil, nil, nil)
	now := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name          string
		synced        time.Duration // how long ago the last sync was; 0: never
		chain, ledger uint64
		health        []string
		want          []string // substrings of the problems, in order; none: healthy
	}{
		{"healthy", time.Second, 110, 100, nil, nil},
		{"no sync yet", 0, 0, 0, nil, []string{"no successful sync yet"}},
		{"stale", 10 * time.Minute, 110, 100, nil, []string{"last successful sync 10m0s ago (bound 5m0s)"}},
		{"lag", time.Second, 200, 100, nil, []string{"the ledger lags 100 blocks behind the node's head 200 (bound 20)"}},
		{"lag at the bound", time.Second, 120, 100, nil, nil},
		{"daemon problems", time.Second, 110, 100, []string{"settlement failed 5 passes in a row", "chain identity: the node serves chain 7"},
			[]string{"settlement failed 5 passes in a row", "chain identity: the node serves chain 7"}},
		{"all at once", 10 * time.Minute, 300, 100, []string{"settlement failed 5 passes in a row"},
			[]string{"last successful sync", "the ledger lags 200 blocks", "settlement failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stats := &follower.Stats{}
			stats.ChainHead.Store(tt.chain)
			stats.LedgerHead.Store(tt.ledger)
			if tt.synced > 0 {
				stats.LastSuccess.Store(now.Add(-tt.synced).UnixNano())
			}
			srv := httptest.NewServer(api.New(s, stats, nil, zap.NewNop(), api.Options{
				Stale: 5 * time.Minute, MaxLagBlocks: 20, Now: func() time.Time { return now },
				Health: func(context.Context) []string { return tt.health },
			}))
			defer srv.Close()
			get(t, srv.URL+"/livez", http.StatusOK)
			code := http.StatusOK
			if len(tt.want) > 0 {
				code = http.StatusServiceUnavailable
			}
			var h struct {
				OK       bool     `json:"ok"`
				Problems []string `json:"problems"`
			}
			json.Unmarshal(get(t, srv.URL+"/healthz", code), &h)
			if h.OK != (len(tt.want) == 0) || len(h.Problems) != len(tt.want) {
				t.Fatalf("healthz %+v, want problems %q", h, tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(h.Problems[i], w) {
					t.Errorf("problem %d %q, want %q", i, h.Problems[i], w)
				}
			}
			var st api.Status
			json.Unmarshal(get(t, srv.URL+"/v1/status", http.StatusOK), &st)
			if st.Healthy != h.OK || !slices.Equal(st.Problems, h.Problems) {
				t.Errorf("status says healthy %v %q, healthz %v %q", st.Healthy, st.Problems, h.OK, h.Problems)
			}
		})
	}
}
