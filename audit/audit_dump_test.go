package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/ethereum/go-ethereum/ethclient"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/published"
)

// TestAuditPreviousMissingDump: an empty tree has no dump (rewards-v1 §6,
// 1.1), so a --previous dump that does not exist is the empty tree when
// the contract's root for that epoch is all zeros (as it is for an epoch
// the contract has not accepted, the only way to get a zero root here), and
// a missing file stays an error when --previous was not given.
func TestAuditPreviousMissingDump(t *testing.T) {
	t.Parallel()
	n := testnet.New(t, testnet.Options{})
	cfg := config.Default()
	cfg.RPCURL, cfg.Contract = n.Chain.RPCURL(), n.Contract
	eth, err := ethclient.Dial(cfg.RPCURL)
	if err != nil {
		t.Fatal(err)
	}
	defer eth.Close()
	dir := t.TempDir()
	missing := filepath.Join(dir, "epoch-000004-tree.json")
	tests := []struct {
		name         string
		prevLoc      string
		resultLoc    string
		wantErr      bool
		wantPrevious string
	}{
		{name: "missing dump, zero root: the empty tree", prevLoc: missing, wantPrevious: KindEmptyTree},
		{name: "missing result beside --result: still an error", resultLoc: filepath.Join(dir, "epoch-000005-result.json"), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &auditor{Request: Request{Config: &cfg, Epoch: 5, Previous: tc.prevLoc, Result: tc.resultLoc, Progress: func(string, ...any) {}},
				contract: NewContract(eth, cfg.Contract, cfg.RPCURL, 0)}
			rep := &Report{}
			balances, err := a.loadPrevious(context.Background(), rep)
			if tc.wantErr {
				if err == nil || !errors.Is(err, published.ErrNotPublished) {
					t.Fatalf("error %v, want not published", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(balances) != 0 || rep.Previous == nil || rep.Previous.Kind != tc.wantPrevious || *rep.Previous.Root != *rep.Previous.ChainRoot {
				t.Fatalf("balances %v, previous %+v", balances, rep.Previous)
			}
			if _, err := os.Stat(tc.prevLoc); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the audit created %s", tc.prevLoc)
			}
		})
	}
}
