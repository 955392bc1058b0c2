package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
	"github.com/cmt-rewards/cmt-rewards/published"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// publish writes an epoch's input (unless nil) and result into dir under
// the names rewardd publishes them.
func publish(t *testing.T, dir string, in []byte, res *calc.Result) {
	t.Helper()
	inName, _, _, resName := settle.FileNames(res.Epoch)
	if in != nil {
		if err := os.WriteFile(filepath.Join(dir, inName), in, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := res.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, resName), b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// example is the worked example's epoch 3: its input and result.
func example(t *testing.T) ([]byte, *calc.Result) {
	t.Helper()
	raw, err := os.ReadFile("../examples/epoch-input.json")
	if err != nil {
		t.Fatal(err)
	}
	in, err := calc.DecodeInput(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	res, err := calc.Compute(in)
	if err != nil {
		t.Fatal(err)
	}
	return raw, res
}

func TestEpoch(t *testing.T) {
	t.Parallel()
	raw, res := example(t)
	end := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	empty, err := calc.CarryOver(4, res.LastBlock+1, []calc.Balance{{Account: res.Payouts[0].Account, Amount: res.Payouts[0].Cumulative}})
	if err != nil {
		t.Fatal(err)
	}
	wrong := bytes.Replace(raw, []byte(`"validator_share_bps": 2000`), []byte(`"validator_share_bps": 2500`), 1)

	for _, tc := range []struct {
		name    string
		in      []byte
		res     *calc.Result
		lines   bool // some lines, summing to distributed_wei
		wantErr string
		is      error
	}{
		{name: "input and result", in: raw, res: res, lines: true},
		{name: "empty epoch: no input, no lines", res: empty},
		{name: "input missing", res: res, wantErr: "input of epoch 3: not published", is: published.ErrNotPublished},
		{name: "input of other parameters", in: wrong, res: res, wantErr: "computes merkle root"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			publish(t, dir, tc.in, tc.res)
			src, err := published.NewSource(dir)
			if err != nil {
				t.Fatal(err)
			}
			lines, tot, err := Epoch(context.Background(), src, tc.res.Epoch, end)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || tc.is != nil && !errors.Is(err, tc.is) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !tot.Equal || tot.Lines != len(lines) || tot.DistributedWei != tc.res.Distributed.Dec() || (len(lines) > 0) != tc.lines {
				t.Fatalf("total %+v for %d lines", tot, len(lines))
			}
			sum := new(uint256.Int)
			for _, l := range lines {
				amt := uint256.MustFromDecimal(l.AmountWei)
				sum.Add(sum, amt)
				if l.AmountCMT != units.FormatCMT(amt) || l.EpochEndTime != "2026-01-02T03:04:05Z" || l.MerkleRoot != tc.res.MerkleRoot.Hex() ||
					(l.Role != string(calc.RoleValidator) && l.Role != string(calc.RoleDelegator) && l.Role != string(calc.RoleRedistribution)) {
					t.Errorf("line %+v", l)
				}
			}
			if !sum.Eq(&tc.res.Distributed) {
				t.Errorf("lines sum to %s, distributed %s", sum.Dec(), tc.res.Distributed.Dec())
			}
		})
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	lines := []Line{{Epoch: 3, FirstBlock: 1, LastBlock: 2, EpochEndTime: "2026-01-02T03:04:05Z", Account: "0xA", Role: "delegator", Validator: "0xV",
		AmountWei: "1500000000000000000", AmountCMT: "1.500000000000000000", CumulativeWei: "2", CumulativeCMT: "0.000000000000000002", MerkleRoot: "0xR"}}
	var b bytes.Buffer
	if err := Write(&b, CSV, lines); err != nil {
		t.Fatal(err)
	}
	want := strings.Join(Header, ",") + "\r\n3,1,2,2026-01-02T03:04:05Z,0xA,delegator,0xV,1500000000000000000,1.500000000000000000,2,0.000000000000000002,0xR\r\n"
	if b.String() != want {
		t.Errorf("CSV:\n%q\nwant\n%q", b.String(), want)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil || len(rows) != 2 || len(rows[1]) != len(Header) {
		t.Fatalf("%v %v", rows, err)
	}
	b.Reset()
	if err := Write(&b, JSON, nil); err != nil || b.String() != "[]\n" {
		t.Errorf("JSON of no lines: %q, %v", b.String(), err)
	}
	b.Reset()
	totals := []Total{{Epoch: 3, Lines: 1, SumAmountWei: "5", DistributedWei: "5", Equal: true}, {Epoch: 4, SumAmountWei: "0", DistributedWei: "1"}}
	if err := WriteTotals(&b, CSV, totals); err != nil || b.String() != "epoch,lines,sum_amount_wei,distributed_wei,equal\r\n3,1,5,5,yes\r\n4,0,0,1,no\r\n" {
		t.Errorf("totals CSV %q, %v", b.String(), err)
	}
	b.Reset()
	var back []Total
	if err := WriteTotals(&b, JSON, totals); err != nil || json.Unmarshal(b.Bytes(), &back) != nil || len(back) != 2 || back[1].Equal {
		t.Errorf("totals JSON %s, %v", b.String(), err)
	}
}
