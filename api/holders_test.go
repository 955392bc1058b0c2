package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
)

// holdersServer serves fx's ledger with the holders' endpoints, reading
// the contract on the embedded chain.
func holdersServer(t *testing.T, fx *settletest.Settlement) *httptest.Server {
	t.Helper()
	call := func(ctx context.Context, data []byte) ([]byte, error) {
		return fx.N.Chain.Client().CallContract(ctx, ethereum.CallMsg{To: &fx.N.Contract, Data: data}, nil)
	}
	srv := httptest.NewServer(api.New(fx.S, &fx.F.Stats, nil, zap.NewNop(), api.Options{
		Holders: &api.Holders{Ledger: fx.L, Params: fx.Params, Contract: api.NewContractReader(call)},
	}))
	t.Cleanup(srv.Close)
	return srv
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	if err := json.Unmarshal(get(t, url, http.StatusOK), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// TestHolders settles two epochs in which validator 2's signer is offline
// for a stretch, then checks the holders' endpoints against the settled
// results: the forecast of a finished epoch is the settlement's verdict.
func TestHolders(t *testing.T) {
	if testing.Short() {
		t.Skip("settles epochs on the embedded chain")
	}
	t.Parallel()
	fx := settletest.NewSettlement(t)
	ctx := context.Background()
	srv := holdersServer(t, fx)
	get(t, srv.URL+"/v1/validators", http.StatusServiceUnavailable) // empty ledger

	fx.N.Chain.SetOffline(2, true)
	fx.N.Mine(t, 40)
	fx.N.Chain.SetOffline(2, false)
	fx.N.Mine(t, 100)
	fx.Pass(t)
	recs, err := fx.S.Records()
	if err != nil || len(recs) != 2 || !recs[1].Settled() {
		t.Fatalf("records %+v, %v", recs, err)
	}
	v2 := testnet.Addr(fx.N.Signers[2])

	t.Run("forecast equals settlement", func(t *testing.T) {
		for _, rec := range recs {
			var v api.ValidatorsView
			getJSON(t, srv.URL+"/v1/validators?epoch="+itoa(rec.Epoch), &v)
			res, err := fx.S.Result(rec.Epoch)
			if err != nil {
				t.Fatal(err)
			}
			if !v.Final || v.FirstBlock != rec.FirstBlock || v.LastBlock != rec.LastBlock {
				t.Fatalf("epoch %d: view covers %d-%d (final %v), record %d-%d", rec.Epoch, v.FirstBlock, v.LastBlock, v.Final, rec.FirstBlock, rec.LastBlock)
			}
			byAddr := map[common.Address]api.ValidatorView{}
			for _, vv := range v.Validators {
				byAddr[vv.Address] = vv
				if want := (v.Blocks + v.StripBucket - 1) / v.StripBucket; uint64(len(vv.Strip)) != want {
					t.Errorf("epoch %d %s: strip of %d cells, want %d", rec.Epoch, vv.Address, len(vv.Strip), want)
				}
			}
			for _, vr := range res.Validators {
				vv, ok := byAddr[vr.Validator]
				switch {
				case !ok:
					t.Errorf("epoch %d: %s missing", rec.Epoch, vr.Validator)
				case vv.Eligible != vr.Eligible || vv.Reason != vr.Reason:
					t.Errorf("epoch %d %s: forecast eligible %v (%q), settled %v (%q)", rec.Epoch, vr.Validator, vv.Eligible, vv.Reason, vr.Eligible, vr.Reason)
				case vv.ValidatorReward.Wei != vr.ValidatorReward.Dec() || vv.DelegatorRewards.Wei != vr.DelegatorRewards.Dec():
					t.Errorf("epoch %d %s: forecast %s/%s, settled %s/%s", rec.Epoch, vr.Validator, vv.ValidatorReward.Wei, vv.DelegatorRewards.Wei, vr.ValidatorReward.Dec(), vr.DelegatorRewards.Dec())
				}
			}
		}
		var v api.ValidatorsView
		getJSON(t, srv.URL+"/v1/validators?epoch=0", &v)
		for _, vv := range v.Validators {
			if vv.Address != v2 {
				continue
			}
			if vv.Eligible || len(vv.Missed) == 0 || len(vv.NotGoodRuns) == 0 || !strings.ContainsRune(vv.Strip, api.StripMissed) {
				t.Errorf("offline validator: %+v", vv)
			}
		}
	})

	t.Run("current epoch", func(t *testing.T) {
		var v api.ValidatorsView
		getJSON(t, srv.URL+"/v1/validators", &v)
		if v.Epoch != 2 || v.Final || v.LastBlock != v.LedgerHead || len(v.Validators) != 3 {
			t.Fatalf("current view %+v", v)
		}
		for _, vv := range v.Validators {
			if vv.Status != "active" || !vv.Eligible || strings.ContainsRune(vv.Strip, api.StripMissed) {
				t.Errorf("%+v", vv)
			}
		}
		if v.Validators[0].Address == testnet.Addr(fx.N.Signers[0]) && v.Validators[0].TotalStake.Wei != "3000000000000000000" {
			t.Errorf("stake %+v", v.Validators[0].TotalStake)
		}
	})

	t.Run("account", func(t *testing.T) {
		user := testnet.Addr(fx.N.Users[0])
		var a api.AccountView
		getJSON(t, srv.URL+"/v1/accounts/"+user.Hex(), &a)
		var p api.Proof
		getJSON(t, srv.URL+"/v1/epochs/1/proofs/"+user.Hex(), &p)
		if len(a.Epochs) == 0 || a.AcceptedEpoch == nil || *a.AcceptedEpoch != 1 || a.AcceptedCumulative.Wei != p.Cumulative {
			t.Fatalf("account %+v, proof cumulative %s", a, p.Cumulative)
		}
		if a.Claimed == nil || a.Claimed.Wei != "0" || a.Claimable == nil || a.Claimable.Wei != p.Cumulative {
			t.Fatalf("claimed %+v claimable %+v", a.Claimed, a.Claimable)
		}
		for _, e := range a.Epochs {
			if len(e.Lines) == 0 || e.Lines[0].Role != "delegator" || e.Lines[0].Validator != testnet.Addr(fx.N.Signers[0]) {
				t.Errorf("epoch %d lines %+v", e.Epoch, e.Lines)
			}
		}
		if len(a.Stakes) != 1 || a.Stakes[0].Amount.Wei != "3000000000000000000" || a.Stakes[0].Unlocked == nil || a.Withdrawable == nil {
			t.Fatalf("stakes %+v withdrawable %+v", a.Stakes, a.Withdrawable)
		}
		tx, err := fx.N.Chain.SendTx(ctx, fx.N.Users[1], &fx.N.Contract, nil, p.Calldata)
		if err != nil {
			t.Fatal(err)
		}
		fx.N.Commit(t, tx)
		getJSON(t, srv.URL+"/v1/accounts/"+user.Hex(), &a)
		if a.Claimed.Wei != p.Cumulative || a.Claimable.Wei != "0" {
			t.Fatalf("after the claim: claimed %+v claimable %+v", a.Claimed, a.Claimable)
		}
		b := get(t, srv.URL+"/v1/accounts/0x12", http.StatusBadRequest)
		if !strings.Contains(string(b), `"error": "address \"0x12\"`) {
			t.Fatalf("bad address: %s", b)
		}
	})

	t.Run("ballots", func(t *testing.T) {
		tx, err := fx.N.Chain.SendTx(ctx, fx.N.Signers[0], &fx.N.Contract, nil, contracts.NewValidatorSet().PackVoteRemove(v2))
		if err != nil {
			t.Fatal(err)
		}
		fx.N.Commit(t, tx)
		var b api.BallotsView
		getJSON(t, srv.URL+"/v1/ballots", &b)
		if b.ActiveValidators != 3 || b.VotesNeeded != 2 || len(b.Removals) != 3 || len(b.Promotions) != 0 || b.ContractError != "" {
			t.Fatalf("ballots %+v", b)
		}
		for _, r := range b.Removals {
			if r.Target != v2 {
				continue
			}
			if r.Votes == nil || *r.Votes != 1 || len(r.Voted) != 1 || r.Voted[0] != testnet.Addr(fx.N.Signers[0]) {
				t.Errorf("removal of %s: %+v", v2, r)
			}
			if len(r.Recent) != 2 || r.Recent[0].Epoch != 1 || r.Recent[1].Epoch != 0 || r.Recent[1].Eligible {
				t.Errorf("evidence %+v", r.Recent)
			}
		}
		if b.OpenEpoch == nil || *b.OpenEpoch != 2 || len(b.Roots) != 3 {
			t.Fatalf("roots %+v", b.Roots)
		}
		closed := b.Roots[1] // epoch 1
		if closed.Epoch != 1 || closed.Accepted == nil || closed.Accepted.Root != recs[1].Root || closed.Computed == nil || closed.Computed.Root != recs[1].Root {
			t.Fatalf("epoch 1 roots %+v", closed)
		}
		voted := 0
		for _, v := range closed.Votes {
			if v.Vote != nil && v.Vote.Root == recs[1].Root {
				voted++
			}
		}
		if voted != 2 {
			t.Errorf("epoch 1: %d votes for the accepted root, want 2: %+v", voted, closed.Votes)
		}
	})

	t.Run("bad parameters", func(t *testing.T) {
		for _, tc := range []struct{ path, want string }{
			{"/v1/validators?epoch=x", `epoch \"x\"`},
			{"/v1/validators?epoch=99", `epoch 99`},
			{"/v1/accounts/nope", `address \"nope\"`},
		} {
			t.Run(tc.path, func(t *testing.T) {
				resp, err := http.Get(srv.URL + tc.path)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var e struct{ Error string }
				json.NewDecoder(resp.Body).Decode(&e)
				if resp.StatusCode < 400 || !strings.Contains(e.Error, strings.ReplaceAll(tc.want, `\"`, `"`)) {
					t.Fatalf("%d %q, want an error naming %s", resp.StatusCode, e.Error, tc.want)
				}
			})
		}
	})
}

func itoa(k uint64) string { b, _ := json.Marshal(k); return string(b) }
