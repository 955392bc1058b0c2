package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// settled is a settlement whose epochs 0 and 1 are settled, published and
// accepted on chain, with signer 2 offline for 30 blocks of epoch 1; cfg is
// a rewardd configuration with the fixture's parameters and pub its
// publish directory.
type settled struct {
	fx  *settletest.Settlement
	cfg string
	pub string
}

func newSettled(t *testing.T) *settled {
	t.Helper()
	return newSettledWith(t, func(t *testing.T, fx *settletest.Settlement) {
		if err := fx.N.Chain.Run(context.Background(), []devchain.Step{{Blocks: 70}, {Blocks: 30, Offline: []int{2}}, {Blocks: 40}}); err != nil {
			t.Fatal(err)
		}
	}, 2)
}

// newSettledWith builds the chain with mine and settles it, expecting the
// first epochs to be accepted.
func newSettledWith(t *testing.T, mine func(*testing.T, *settletest.Settlement), epochs uint64) *settled {
	t.Helper()
	fx := settletest.NewSettlement(t)
	mine(t, fx)
	fx.Pass(t)
	for k := uint64(0); k < epochs; k++ {
		rec, err := fx.S.Record(k)
		if err != nil || rec == nil || !rec.Accepted {
			t.Fatalf("epoch %d not settled: %+v, %v", k, rec, err)
		}
	}
	genesis := fx.N.Chain.HeaderByNumber(0).Time
	cfg := filepath.Join(t.TempDir(), "rewardd.json")
	err := os.WriteFile(cfg, []byte(fmt.Sprintf(`{
  "rpc_url": %q, "chain_id": %d, "contract": %q, "clique_epoch": 50, "confirmations": 2,
  "epoch": {"start": %q, "length": "60s"},
  "standing": {"window": 30, "threshold": 5},
  "rewards": {"eligibility": "while-active"}
}`, fx.N.Chain.RPCURL(), fx.N.Chain.ChainID().Uint64(), fx.N.Contract.Hex(),
		time.Unix(int64(genesis+1), 0).UTC().Format(time.RFC3339))), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	return &settled{fx: fx, cfg: cfg, pub: filepath.Join(fx.Dir, "pub")}
}

func (s *settled) file(k uint64, which string) string {
	in, tree, proofs, result := settle.FileNames(k)
	name := map[string]string{"input": in, "tree": tree, "proofs": proofs, "result": result}[which]
	return filepath.Join(s.pub, name)
}

// apiServer serves the settlement through rewardd's API.
func (s *settled) apiServer(t *testing.T) string {
	srv := httptest.NewServer(api.New(s.fx.S, &s.fx.F.Stats, nil, zap.NewNop(), api.Options{}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// fileServer serves the publish directory as static files.
func (s *settled) fileServer(t *testing.T) string {
	srv := httptest.NewServer(http.FileServer(http.Dir(s.pub)))
	t.Cleanup(srv.Close)
	return srv.URL
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
