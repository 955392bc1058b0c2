package api_test

import (
	"context"
	"encoding/json"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

func get(t *testing.T, url string, wantCode int) []byte {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantCode {
		t.Fatalf("GET %s: %d, want %d: %s", url, resp.StatusCode, wantCode, b)
	}
	return b
}

// TestAPIServesSettledEpochs settles two epochs on a real chain, then a
// delegator fetches its proof from the API and claims with the calldata
// the API returns.
func TestAPIServesSettledEpochs(t *testing.T) {
	t.Parallel()
	fx := settletest.NewSettlement(t)
	ctx := context.Background()
	srv := httptest.NewServer(api.New(fx.S, &fx.F.Stats, nil, zap.NewNop(), api.Options{}))
	defer srv.Close()
	get(t, srv.URL+"/healthz", http.StatusServiceUnavailable) // no sync yet

	fx.N.Mine(t, 140)
	fx.Pass(t)
	if b := get(t, srv.URL+"/healthz", http.StatusOK); !strings.Contains(string(b), `"ok": true`) {
		t.Fatalf("healthz: %s", b)
	}
	var st api.Status
	json.Unmarshal(get(t, srv.URL+"/v1/status", http.StatusOK), &st)
	if st.Epochs["accepted"] != 2 || st.LedgerHeight == 0 || st.LatestEpoch == nil || st.LatestEpoch.Epoch != 1 {
		t.Fatalf("status %+v", st)
	}
	var recs []settle.Record
	json.Unmarshal(get(t, srv.URL+"/v1/epochs", http.StatusOK), &recs)
	if len(recs) != 2 {
		t.Fatalf("epochs %+v", recs)
	}
	var d api.EpochDetail
	json.Unmarshal(get(t, srv.URL+"/v1/epochs/1", http.StatusOK), &d)
	if len(d.Validators) != 3 || d.Root != recs[1].Root {
		t.Fatalf("epoch 1 detail %+v", d)
	}
	if raw := get(t, srv.URL+"/v1/epochs/1/result", http.StatusOK); crypto.Keccak256Hash(raw) != recs[1].ResultHash {
		t.Fatal("result bytes do not hash to the voted hash")
	}
	user := testnet.Addr(fx.N.Users[0])
	var p api.Proof
	json.Unmarshal(get(t, srv.URL+"/v1/epochs/1/proofs/"+user.Hex(), http.StatusOK), &p)
	if p.Account != user || p.MerkleRoot != recs[1].Root || len(p.Calldata) == 0 {
		t.Fatalf("proof %+v", p)
	}
	before, _ := fx.N.Chain.Client().BalanceAt(ctx, user, nil)
	tx, err := fx.N.Chain.SendTx(ctx, fx.N.Users[1], &fx.N.Contract, nil, p.Calldata)
	if err != nil {
		t.Fatal(err)
	}
	fx.N.Commit(t, tx)
	after, _ := fx.N.Chain.Client().BalanceAt(ctx, user, nil)
	if got := new(big.Int).Sub(after, before); got.String() != p.Cumulative {
		t.Fatalf("claim paid %s, want %s", got, p.Cumulative)
	}

	get(t, srv.URL+"/v1/epochs/7", http.StatusNotFound)
	get(t, srv.URL+"/v1/epochs/x", http.StatusBadRequest)
	get(t, srv.URL+"/v1/epochs/1/proofs/0x12", http.StatusBadRequest)
	get(t, srv.URL+"/v1/epochs/1/proofs/0x000000000000000000000000000000000000dEaD", http.StatusNotFound)
	metrics := string(get(t, srv.URL+"/metrics", http.StatusOK))
	for _, m := range []string{"rewardd_chain_head", "rewardd_ledger_height", "rewardd_lag_blocks", `rewardd_epochs{state="accepted"} 2`, "rewardd_submission_attempts_total", "rewardd_rpc_errors_total"} {
		if !strings.Contains(metrics, m) {
			t.Errorf("metrics lack %s", m)
		}
	}
}
