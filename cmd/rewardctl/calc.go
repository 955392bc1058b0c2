package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
)

// calcMemoryLimit is the heap size at which calc collects garbage. A full
// epoch (a million delegations, a 225 MB input) stays below it and never
// collects; the process peaks at about 500 MiB.
const calcMemoryLimit = 800 << 20

func runCalc(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "calc", "--input FILE [--out FILE] [--tree FILE]", commonExits)
	input := fs.String("input", "", "epoch input file (cmt-epoch-input-v1); - for standard input")
	out := fs.String("out", "", "write the epoch result (cmt-epoch-payouts-v1) here instead of standard output")
	tree := fs.String("tree", "", "also write the payout tree as an OpenZeppelin standard-v1 dump here (an empty tree has no dump: the file is removed)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *input == "" {
		return fmt.Errorf("%w: --input is required", errUsage)
	}
	// One epoch is one burst of allocation: unless the user tuned the
	// collector, collect only as the heap nears a limit rather than every
	// time it doubles.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(calcMemoryLimit))
	}
	var r io.Reader = e.stdin
	if *input != "-" {
		f, err := os.Open(*input)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	in, err := calc.DecodeInput(r)
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	res, err := calc.Compute(in)
	if err != nil {
		return fmt.Errorf("%s: %w", *input, err)
	}
	// Nothing is written unless everything succeeds: files go through
	// temporary files renamed together, standard output gets the whole
	// document in one write after the files are in place.
	var files []atomicfile.File
	if *out != "" {
		files = append(files, atomicfile.File{Path: *out, Write: res.WriteJSON})
	}
	// An empty tree has no dump (rewards-v1 §6, 1.1): none is written and
	// a stale one at the path is removed, once everything else succeeded.
	emptyTree := res.Tree.Len() == 0
	if *tree != "" && !emptyTree {
		files = append(files, atomicfile.File{Path: *tree, Write: res.Tree.WriteDump})
	}
	var stdout bytes.Buffer
	if *out == "" {
		if err := res.WriteJSON(&stdout); err != nil {
			return err
		}
	}
	if err := atomicfile.WriteAll(files); err != nil {
		return err
	}
	if *tree != "" && emptyTree {
		if _, err := merkle.WriteDumpFile(*tree, 0, res.Tree); err != nil {
			return err
		}
	}
	if stdout.Len() > 0 {
		if _, err := e.stdout.Write(stdout.Bytes()); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	}
	if *tree != "" && emptyTree {
		fmt.Fprintf(e.stderr, "rewardctl calc: the payout tree is empty (all-zero root) and has no dump: no %s written\n", *tree)
	}
	return nil
}
