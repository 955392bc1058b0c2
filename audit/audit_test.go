package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/devchain"
	"github.com/cmt-rewards/cmt-rewards/internal/settletest"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	cfg := config.Default()
	cfg.Settle.FirstEpoch = 2
	for _, tc := range []struct {
		name string
		req  Request
		want string // "" for valid
	}{
		{"first epoch alone", Request{Config: &cfg, Epoch: 2}, ""},
		{"later epoch with --result", Request{Config: &cfg, Epoch: 3, Result: "r.json"}, ""},
		{"later epoch with --previous", Request{Config: &cfg, Epoch: 3, Previous: "p.json"}, ""},
		{"later epoch with --full", Request{Config: &cfg, Epoch: 3, Full: true}, ""},
		{"no configuration", Request{Epoch: 2}, "no configuration"},
		{"before the first epoch", Request{Config: &cfg, Epoch: 1}, "--epoch 1 is before the configuration's settle.first_epoch 2"},
		{"previous and full", Request{Config: &cfg, Epoch: 3, Full: true, Previous: "p.json"}, "--previous and --full exclude each other"},
		{"no way to the cumulative amounts", Request{Config: &cfg, Epoch: 3}, "epoch 3 needs the cumulative amounts of epoch 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrRequest) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want ErrRequest with %q", err, tc.want)
			}
			if _, err := Run(context.Background(), tc.req); !errors.Is(err, ErrRequest) {
				t.Fatalf("Run: %v, want ErrRequest", err)
			}
		})
	}
}

// settledConfig is the configuration of the chain fx settled (one-minute
// epochs from just after genesis, standing window 30, while-active), with
// rpcURL as its node.
func settledConfig(t *testing.T, fx *settletest.Settlement, rpcURL string) config.Config {
	t.Helper()
	genesis := fx.N.Chain.HeaderByNumber(0).Time
	cfg, err := config.Decode(strings.NewReader(fmt.Sprintf(`{
  "rpc_url": %q, "chain_id": %d, "contract": %q, "clique_epoch": 50, "confirmations": 2,
  "epoch": {"start": %q, "length": "60s"},
  "standing": {"window": 30, "threshold": 5},
  "rewards": {"eligibility": "while-active"}
}`, rpcURL, fx.N.Chain.ChainID().Uint64(), fx.N.Contract.Hex(), time.Unix(int64(genesis+1), 0).UTC().Format(time.RFC3339))))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// TestRun audits epochs a real chain settled: the verdicts and what makes
// them, and cancellation.
func TestRun(t *testing.T) {
	t.Parallel()
	fx := settletest.NewSettlement(t)
	if err := fx.N.Chain.Run(context.Background(), []devchain.Step{{Blocks: 70}, {Blocks: 30, Offline: []int{2}}, {Blocks: 40}}); err != nil {
		t.Fatal(err)
	}
	fx.Pass(t)
	cfg := settledConfig(t, fx, fx.N.Chain.RPCURL())
	pub := filepath.Join(fx.Dir, "pub")
	file := func(k uint64) string { _, _, _, r := settle.FileNames(k); return filepath.Join(pub, r) }
	tampered := filepath.Join(t.TempDir(), "tampered.json")
	raw, _ := os.ReadFile(file(1))
	os.WriteFile(tampered, bytes.Replace(raw, []byte(`"rounding_dust_wei": "`), []byte(`"rounding_dust_wei": "1`), 1), 0o644)
	user := testnet.Addr(fx.N.Users[0])
	rec1, _ := fx.S.Record(1)

	for _, tc := range []struct {
		name      string
		req       Request
		status    Status
		wantDiffs []string
		wantErr   string
	}{
		{name: "first epoch", req: Request{Epoch: 0}, status: Match},
		{name: "published result and the previous beside it", req: Request{Epoch: 1, Result: file(1), Account: &user}, status: Match},
		{name: "full recomputation", req: Request{Epoch: 1, Full: true}, status: Match},
		{name: "tampered result", req: Request{Epoch: 1, Result: tampered, Previous: file(0)}, status: Mismatch,
			wantDiffs: []string{"rounding_dust_wei: published 1", "hashes to"}},
		{name: "result unreadable", req: Request{Epoch: 1, Result: filepath.Join(t.TempDir(), "gone.json"), Previous: file(0)}, status: Undecided},
		{name: "previous of the wrong epoch", req: Request{Epoch: 1, Previous: file(1)}, wantErr: "is the result of epoch 1, not of epoch 0"},
		{name: "not final", req: Request{Epoch: 2, Full: true}, wantErr: "not final"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.req.Config = &cfg
			rep, err := Run(context.Background(), tc.req)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Status != tc.status {
				t.Fatalf("status %s, want %s: differences %v, undecided %v", rep.Status, tc.status, rep.Differences, rep.Undecided)
			}
			for _, d := range tc.wantDiffs {
				if !strings.Contains(strings.Join(rep.Differences, "\n"), d) {
					t.Errorf("differences %v lack %q", rep.Differences, d)
				}
			}
			if rep.Epoch == 1 && rep.Chain.Root != rec1.Root {
				t.Errorf("chain root %s, want %s", rep.Chain.Root.Hex(), rec1.Root.Hex())
			}
			if tc.req.Account != nil && (rep.Account == nil || rep.Account.ProofVerifies == nil || !*rep.Account.ProofVerifies || len(rep.Account.Lines) == 0) {
				t.Errorf("account %+v", rep.Account)
			}
		})
	}

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Run(ctx, Request{Config: &cfg, Epoch: 1, Full: true}); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

// TestDiffResult names every field of a published result that differs
// from the recomputation.
func TestDiffResult(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile("../examples/epoch-result.json")
	if err != nil {
		t.Fatal(err)
	}
	res, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	acc := res.Payouts[0].Account.Hex()
	val := res.Validators[0].Validator.Hex()
	for _, tc := range []struct {
		name     string
		old, new string
		want     string // "" for no difference
	}{
		{"identical", "", "", ""},
		{"minted", `"minted_wei": "`, `"minted_wei": "9`, "minted_wei: published 9"},
		{"epoch", `"epoch": 3`, `"epoch": 4`, "epoch: published 4, recomputed 3"},
		{"merkle root", `"merkle_root": "0x`, `"merkle_root": "0x00`, "merkle_root: published 0x00"},
		{"payout amount", `"account": "` + acc + `", "amount_wei": "`, `"account": "` + acc + `", "amount_wei": "7`, "account " + acc + " amount_wei: published 7"},
		{"validator missing", `"validator": "` + val + `"`, `"validator": "0x000000000000000000000000000000000000dEaD"`, "validator " + val + ": missing from the published result"},
		{"not JSON", `{`, `[`, "cannot be read for comparison"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := []byte(strings.Replace(string(raw), tc.old, tc.new, 1))
			if tc.old != "" && bytes.Equal(doc, raw) {
				t.Fatalf("%q not in the example result", tc.old)
			}
			diffs := diffResult(res, doc)
			if tc.want == "" {
				if len(diffs) != 0 {
					t.Fatalf("differences %v", diffs)
				}
				return
			}
			if !strings.Contains(strings.Join(diffs, "\n"), tc.want) {
				t.Fatalf("differences %v lack %q", diffs, tc.want)
			}
		})
	}
}
