package main

// rewardctl report: the exchange report of published epochs, as CSV or
// JSON lines per (account, role, validator), with per-epoch totals in a
// separate summary.

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
)

// reportHeader is the CSV header of the report's data rows.
var reportHeader = []string{"epoch", "first_block", "last_block", "epoch_end_time", "account", "role", "validator",
	"amount_wei", "amount_cmt", "cumulative_wei", "cumulative_cmt", "merkle_root"}

// summaryHeader is the CSV header of the per-epoch totals.
var summaryHeader = []string{"epoch", "lines", "sum_amount_wei", "distributed_wei", "equal"}

// roleTotal is the role of an account's single line when the epoch's input
// is not available for a breakdown.
const roleTotal = "total"

type reportLine struct {
	Epoch         uint64 `json:"epoch"`
	FirstBlock    uint64 `json:"first_block"`
	LastBlock     uint64 `json:"last_block"`
	EpochEndTime  string `json:"epoch_end_time"`
	Account       string `json:"account"`
	Role          string `json:"role"`
	Validator     string `json:"validator"`
	AmountWei     string `json:"amount_wei"`
	AmountCMT     string `json:"amount_cmt"`
	CumulativeWei string `json:"cumulative_wei"`
	CumulativeCMT string `json:"cumulative_cmt"`
	MerkleRoot    string `json:"merkle_root"`
}

func (l *reportLine) record() []string {
	return []string{strconv.FormatUint(l.Epoch, 10), strconv.FormatUint(l.FirstBlock, 10), strconv.FormatUint(l.LastBlock, 10),
		l.EpochEndTime, l.Account, l.Role, l.Validator, l.AmountWei, l.AmountCMT, l.CumulativeWei, l.CumulativeCMT, l.MerkleRoot}
}

type reportTotal struct {
	Epoch          uint64 `json:"epoch"`
	Lines          int    `json:"lines"`
	SumAmountWei   string `json:"sum_amount_wei"`
	DistributedWei string `json:"distributed_wei"`
	Equal          bool   `json:"equal"`
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "report", "--epoch N | --epochs A-B --config FILE [--format csv|json] [--source DIR|URL] [--out FILE] [--summary FILE]")
	k := fs.Int64("epoch", -1, "one epoch")
	epochs := fs.String("epochs", "", "an inclusive range of epochs, A-B")
	format := fs.String("format", "csv", "csv (RFC 4180 with a header row) or json (an array of objects)")
	src := fs.String("source", defaultSource, "published epochs: rewardd's publish directory, or its API base URL")
	cfgPath := fs.String("config", "", "rewardd configuration file (for the epoch schedule)")
	out := fs.String("out", "", "write the report here (atomically) instead of standard output; the totals then go to standard output")
	summary := fs.String("summary", "", "write the per-epoch totals here (default: standard output with --out, else standard error)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var from, to uint64
	switch {
	case *k >= 0 && *epochs != "":
		return fmt.Errorf("%w: --epoch and --epochs exclude each other", errUsage)
	case *k >= 0:
		from, to = uint64(*k), uint64(*k)
	case *epochs != "":
		a, b, ok := strings.Cut(*epochs, "-")
		x, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 64)
		y, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
		if !ok || err1 != nil || err2 != nil {
			return fmt.Errorf("%w: --epochs %q: expected a range A-B of epoch numbers, e.g. 3-7", errUsage, *epochs)
		}
		if x > y {
			return fmt.Errorf("%w: --epochs %q: the first epoch %d is after the last %d", errUsage, *epochs, x, y)
		}
		from, to = x, y
	default:
		return fmt.Errorf("%w: --epoch or --epochs is required", errUsage)
	}
	if *format != "csv" && *format != "json" {
		return fmt.Errorf("%w: --format %q: expected csv or json", errUsage, *format)
	}
	if *cfgPath == "" {
		return fmt.Errorf("%w: --config is required (for the epoch schedule)", errUsage)
	}
	if *out != "" && *out == *summary {
		return fmt.Errorf("%w: --out and --summary name the same file", errUsage)
	}
	s, err := newSource(*src)
	if err != nil {
		return err
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	sched := cfg.Schedule()

	var lines []reportLine
	var totals []reportTotal
	var bad []string
	for n := from; ; n++ {
		ls, tot, err := reportEpoch(ctx, s, n, sched.Start+(n+1)*sched.Length)
		if err != nil {
			return err
		}
		lines = append(lines, ls...)
		totals = append(totals, tot)
		if !tot.Equal {
			bad = append(bad, fmt.Sprintf("epoch %d: the lines sum to %s wei, distributed_wei is %s", n, tot.SumAmountWei, tot.DistributedWei))
		}
		if n == to {
			break
		}
	}

	writeData := func(w io.Writer) error { return writeReport(w, *format, lines) }
	writeSummary := func(w io.Writer) error { return writeTotals(w, *format, totals) }
	var files []atomicfile.File
	var stdout, stderr bytes.Buffer
	if len(bad) == 0 { // a report whose totals do not add up is not written
		if *out != "" {
			files = append(files, atomicfile.File{Path: *out, Write: writeData})
		} else if err := writeData(&stdout); err != nil {
			return err
		}
	}
	switch {
	case *summary != "":
		files = append(files, atomicfile.File{Path: *summary, Write: writeSummary})
	case *out != "":
		if err := writeSummary(&stdout); err != nil {
			return err
		}
	default:
		if err := writeSummary(&stderr); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteAll(files); err != nil {
		return err
	}
	if _, err := e.stdout.Write(stdout.Bytes()); err != nil {
		return err
	}
	if _, err := e.stderr.Write(stderr.Bytes()); err != nil {
		return err
	}
	if len(bad) > 0 {
		return fmt.Errorf("totals differ from distributed_wei, report not written: %s", strings.Join(bad, "; "))
	}
	return nil
}

// reportEpoch builds epoch k's lines from its published result and, when
// the source has it, its input: the input is recomputed for the breakdown
// by validator and role, and its root must be the published root.
func reportEpoch(ctx context.Context, s source, k uint64, end uint64) ([]reportLine, reportTotal, error) {
	res, err := s.result(ctx, k)
	if err != nil {
		return nil, reportTotal{}, err
	}
	var breakdown []calc.Line
	haveBreakdown := false
	if loc, ok := s.inputLoc(k); ok {
		raw, err := fetch(ctx, loc)
		switch {
		case errors.Is(err, errNotPublished):
			// No input (an empty epoch, or not published): totals only.
		case err != nil:
			return nil, reportTotal{}, fmt.Errorf("input of epoch %d: %w", k, err)
		default:
			in, err := calc.DecodeInput(bytes.NewReader(raw))
			if err != nil {
				return nil, reportTotal{}, fmt.Errorf("%s: %w", loc, err)
			}
			if in.Epoch != k {
				return nil, reportTotal{}, fmt.Errorf("%s is the input of epoch %d, not %d", loc, in.Epoch, k)
			}
			r2, ls, err := calc.ComputeBreakdown(in)
			if err != nil {
				return nil, reportTotal{}, fmt.Errorf("%s: %w", loc, err)
			}
			if r2.MerkleRoot != res.MerkleRoot {
				return nil, reportTotal{}, fmt.Errorf("%s computes merkle root %s, but the published result of epoch %d has %s",
					loc, r2.MerkleRoot.Hex(), k, res.MerkleRoot.Hex())
			}
			breakdown, haveBreakdown = ls, true
		}
	}
	cum := make(map[common.Address]*uint256.Int, len(res.Payouts))
	for i := range res.Payouts {
		cum[res.Payouts[i].Account] = &res.Payouts[i].Cumulative
	}
	endTime := time.Unix(int64(end), 0).UTC().Format(time.RFC3339)
	root := res.MerkleRoot.Hex()
	line := func(acc common.Address, role, validator string, amount *uint256.Int) (reportLine, error) {
		c, ok := cum[acc]
		if !ok {
			return reportLine{}, fmt.Errorf("epoch %d: %s is paid %s wei but has no leaf in the published result", k, acc.Hex(), amount.Dec())
		}
		return reportLine{
			Epoch: k, FirstBlock: res.FirstBlock, LastBlock: res.LastBlock, EpochEndTime: endTime,
			Account: acc.Hex(), Role: role, Validator: validator,
			AmountWei: amount.Dec(), AmountCMT: cmt(amount), CumulativeWei: c.Dec(), CumulativeCMT: cmt(c), MerkleRoot: root,
		}, nil
	}
	var lines []reportLine
	sum := new(uint256.Int)
	add := func(l reportLine, amount *uint256.Int) error {
		if _, over := sum.AddOverflow(sum, amount); over {
			return fmt.Errorf("epoch %d: sum of amounts overflows 256 bits", k)
		}
		lines = append(lines, l)
		return nil
	}
	if haveBreakdown {
		for i := range breakdown {
			b := &breakdown[i]
			v := ""
			if b.Validator != (common.Address{}) {
				v = b.Validator.Hex()
			}
			l, err := line(b.Account, string(b.Role), v, &b.Amount)
			if err != nil {
				return nil, reportTotal{}, err
			}
			if err := add(l, &b.Amount); err != nil {
				return nil, reportTotal{}, err
			}
		}
	} else {
		for i := range res.Payouts {
			p := &res.Payouts[i]
			if p.Amount.IsZero() {
				continue // a leaf carried over, nothing paid this epoch
			}
			l, err := line(p.Account, roleTotal, "", &p.Amount)
			if err != nil {
				return nil, reportTotal{}, err
			}
			if err := add(l, &p.Amount); err != nil {
				return nil, reportTotal{}, err
			}
		}
	}
	tot := reportTotal{Epoch: k, Lines: len(lines), SumAmountWei: sum.Dec(), DistributedWei: res.Distributed.Dec(),
		Equal: sum.Eq(&res.Distributed)}
	return lines, tot, nil
}

func writeReport(w io.Writer, format string, lines []reportLine) error {
	if format == "json" {
		if lines == nil {
			lines = []reportLine{}
		}
		return writeJSONArray(w, lines)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // RFC 4180
	cw.Write(reportHeader)
	for i := range lines {
		cw.Write(lines[i].record())
	}
	cw.Flush()
	return cw.Error()
}

func writeTotals(w io.Writer, format string, totals []reportTotal) error {
	if format == "json" {
		return writeJSONArray(w, totals)
	}
	cw := csv.NewWriter(w)
	cw.UseCRLF = true
	cw.Write(summaryHeader)
	for _, t := range totals {
		cw.Write([]string{strconv.FormatUint(t.Epoch, 10), strconv.Itoa(t.Lines), t.SumAmountWei, t.DistributedWei, yesNo(t.Equal)})
	}
	cw.Flush()
	return cw.Error()
}

func writeJSONArray(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
