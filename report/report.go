// Package report builds the exchange report of published epochs: one line
// per (account, role, validator) with amounts in wei and exact CMT, and
// per-epoch totals that must equal the result's distributed_wei.
//
// Lines come from recomputing the epoch's published input (the only way
// to split an account's payout by validator and role), checked against
// the published result's root; the report has this one shape whatever the
// source, a publish directory or rewardd's API.
package report

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
	"github.com/cmt-rewards/cmt-rewards/published"
)

// Formats of Write and WriteTotals.
const (
	CSV  = "csv"  // RFC 4180 with a header row, CRLF line ends
	JSON = "json" // one indented JSON array
)

// Header is the CSV header of the report's lines.
var Header = []string{"epoch", "first_block", "last_block", "epoch_end_time", "account", "role", "validator",
	"amount_wei", "amount_cmt", "cumulative_wei", "cumulative_cmt", "merkle_root"}

// TotalsHeader is the CSV header of the per-epoch totals.
var TotalsHeader = []string{"epoch", "lines", "sum_amount_wei", "distributed_wei", "equal"}

// Line is one (account, role, validator) award of an epoch.
type Line struct {
	Epoch         uint64 `json:"epoch"`
	FirstBlock    uint64 `json:"first_block"`
	LastBlock     uint64 `json:"last_block"`
	EpochEndTime  string `json:"epoch_end_time"` // RFC 3339, UTC
	Account       string `json:"account"`        // EIP-55
	Role          string `json:"role"`           // calc.Role: validator or delegator
	Validator     string `json:"validator"`      // EIP-55
	AmountWei     string `json:"amount_wei"`
	AmountCMT     string `json:"amount_cmt"` // exactly 18 decimal places
	CumulativeWei string `json:"cumulative_wei"`
	CumulativeCMT string `json:"cumulative_cmt"`
	MerkleRoot    string `json:"merkle_root"`
}

func (l *Line) record() []string {
	return []string{strconv.FormatUint(l.Epoch, 10), strconv.FormatUint(l.FirstBlock, 10), strconv.FormatUint(l.LastBlock, 10),
		l.EpochEndTime, l.Account, l.Role, l.Validator, l.AmountWei, l.AmountCMT, l.CumulativeWei, l.CumulativeCMT, l.MerkleRoot}
}

// Total is an epoch's check: its lines must sum to distributed_wei.
type Total struct {
	Epoch          uint64 `json:"epoch"`
	Lines          int    `json:"lines"`
	SumAmountWei   string `json:"sum_amount_wei"`
	DistributedWei string `json:"distributed_wei"`
	Equal          bool   `json:"equal"`
}

// Epoch builds epoch k's lines from its published result and input in
// src; end is when the epoch ended. The input is recomputed and must give
// the result's merkle root. An epoch without blocks (its result carries
// the tree over) has no input and no lines; any other epoch whose input
// is missing is an error wrapping published.ErrNotPublished. The Total is
// returned whether or not the lines add up; the caller decides.
func Epoch(ctx context.Context, src published.Source, k uint64, end time.Time) ([]Line, Total, error) {
	res, err := src.Result(ctx, k)
	if err != nil {
		return nil, Total{}, err
	}
	var breakdown []calc.Line
	in, err := src.Input(ctx, k)
	switch {
	case errors.Is(err, published.ErrNotPublished) && res.LastBlock < res.FirstBlock:
		// An epoch without blocks pays nothing: no lines.
	case err != nil:
		return nil, Total{}, fmt.Errorf("%w (the report splits each payout by role and validator from the input)", err)
	default:
		r2, ls, err := calc.ComputeBreakdown(in)
		if err != nil {
			return nil, Total{}, fmt.Errorf("%s: %w", src.InputLoc(k), err)
		}
		if r2.MerkleRoot != res.MerkleRoot {
			return nil, Total{}, fmt.Errorf("%s computes merkle root %s, but the published result of epoch %d has %s",
				src.InputLoc(k), r2.MerkleRoot.Hex(), k, res.MerkleRoot.Hex())
		}
		breakdown = ls
	}
	cum := make(map[common.Address]*uint256.Int, len(res.Payouts))
	for i := range res.Payouts {
		cum[res.Payouts[i].Account] = &res.Payouts[i].Cumulative
	}
	endTime := end.UTC().Format(time.RFC3339)
	root := res.MerkleRoot.Hex()
	lines := make([]Line, 0, len(breakdown))
	sum := new(uint256.Int)
	for i := range breakdown {
		b := &breakdown[i]
		c, ok := cum[b.Account]
		if !ok {
			return nil, Total{}, fmt.Errorf("epoch %d: %s is paid %s wei but has no leaf in the published result", k, b.Account.Hex(), b.Amount.Dec())
		}
		if _, over := sum.AddOverflow(sum, &b.Amount); over {
			return nil, Total{}, fmt.Errorf("epoch %d: sum of amounts overflows 256 bits", k)
		}
		v := ""
		if b.Validator != (common.Address{}) {
			v = b.Validator.Hex()
		}
		lines = append(lines, Line{
			Epoch: k, FirstBlock: res.FirstBlock, LastBlock: res.LastBlock, EpochEndTime: endTime,
			Account: b.Account.Hex(), Role: string(b.Role), Validator: v,
			AmountWei: b.Amount.Dec(), AmountCMT: units.FormatCMT(&b.Amount), CumulativeWei: c.Dec(), CumulativeCMT: units.FormatCMT(c), MerkleRoot: root,
		})
	}
	tot := Total{Epoch: k, Lines: len(lines), SumAmountWei: sum.Dec(), DistributedWei: res.Distributed.Dec(), Equal: sum.Eq(&res.Distributed)}
	return lines, tot, nil
}

// Write writes lines as CSV (with Header) or JSON (an array, [] for none).
func Write(w io.Writer, format string, lines []Line) error {
	if format == JSON {
		if lines == nil {
			lines = []Line{}
		}
		return writeJSON(w, lines)
	}
	rows := make([][]string, len(lines))
	for i := range lines {
		rows[i] = lines[i].record()
	}
	return writeCSV(w, Header, rows)
}

// WriteTotals writes totals as CSV (with TotalsHeader; equal is yes or no)
// or JSON.
func WriteTotals(w io.Writer, format string, totals []Total) error {
	if format == JSON {
		return writeJSON(w, totals)
	}
	rows := make([][]string, len(totals))
	for i, t := range totals {
		equal := "no"
		if t.Equal {
			equal = "yes"
		}
		rows[i] = []string{strconv.FormatUint(t.Epoch, 10), strconv.Itoa(t.Lines), t.SumAmountWei, t.DistributedWei, equal}
	}
	return writeCSV(w, TotalsHeader, rows)
}

func writeCSV(w io.Writer, header []string, rows [][]string) error {
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	cw.Write(header)
	cw.WriteAll(rows)
	return cw.Error()
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
