package main

// rewardctl report: the exchange report of published epochs, as CSV or
// JSON lines per (account, role, validator), with per-epoch totals in a
// separate summary (package report builds them).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
	"github.com/cmt-rewards/cmt-rewards/published"
	"github.com/cmt-rewards/cmt-rewards/report"
)

func runReport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "report", "--epoch N | --epochs A-B --config FILE [--format csv|json] [--source DIR|URL] [--out FILE] [--summary FILE]", commonExits)
	k := fs.Int64("epoch", -1, "one epoch")
	epochs := fs.String("epochs", "", "an inclusive range of epochs, A-B")
	format := fs.String("format", report.CSV, "csv (RFC 4180 with a header row) or json (an array of objects)")
	src := fs.String("source", published.DefaultSource, "published epochs: rewardd's publish directory, or its API base URL")
	cfgPath := fs.String("config", "", "rewardd configuration file (for the epoch schedule)")
	out := fs.String("out", "", "write the report here (atomically) instead of standard output; the totals then go to standard output")
	summary := fs.String("summary", "", "write the per-epoch totals here (default: standard output with --out, else standard error)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	from, to, err := epochRange(*k, *epochs)
	if err != nil {
		return err
	}
	if *format != report.CSV && *format != report.JSON {
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

	var lines []report.Line
	var totals []report.Total
	var bad []string
	for n := from; ; n++ {
		end := time.Unix(int64(sched.Start+(n+1)*sched.Length), 0)
		ls, tot, err := report.Epoch(ctx, s, n, end)
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

	writeData := func(w io.Writer) error { return report.Write(w, *format, lines) }
	writeSummary := func(w io.Writer) error { return report.WriteTotals(w, *format, totals) }
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

// epochRange reads --epoch N or --epochs A-B (exactly one of them).
func epochRange(k int64, epochs string) (from, to uint64, err error) {
	switch {
	case k >= 0 && epochs != "":
		return 0, 0, fmt.Errorf("%w: --epoch and --epochs exclude each other", errUsage)
	case k >= 0:
		return uint64(k), uint64(k), nil
	case epochs == "":
		return 0, 0, fmt.Errorf("%w: --epoch or --epochs is required", errUsage)
	}
	a, b, ok := strings.Cut(epochs, "-")
	x, err1 := strconv.ParseUint(strings.TrimSpace(a), 10, 64)
	y, err2 := strconv.ParseUint(strings.TrimSpace(b), 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return 0, 0, fmt.Errorf("%w: --epochs %q: expected a range A-B of epoch numbers, e.g. 3-7", errUsage, epochs)
	}
	if x > y {
		return 0, 0, fmt.Errorf("%w: --epochs %q: the first epoch %d is after the last %d", errUsage, epochs, x, y)
	}
	return x, y, nil
}
