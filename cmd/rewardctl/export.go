package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/config"
	"github.com/cmt-rewards/cmt-rewards/export"
	"github.com/cmt-rewards/cmt-rewards/follower"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
	"github.com/cmt-rewards/cmt-rewards/ledger"
	"github.com/cmt-rewards/cmt-rewards/published"
)

const exportSynopsis = `--config FILE --epoch N [--previous FILE|URL] [--rpc URL] [--out FILE] [--evidence FILE]

--previous is required for every epoch after the configuration's
settle.first_epoch, and refused for that first epoch, which starts from nothing.`

func runExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "export", exportSynopsis, commonExits)
	cfgPath := fs.String("config", "", "rewardd configuration file (chain, contract, epoch schedule, standing, rewards)")
	k := fs.Int64("epoch", -1, "epoch number")
	rpcURL := fs.String("rpc", "", "read straight from this node instead of the ledger (headers and logs only)")
	prevLoc := fs.String("previous", "", "epoch N−1's published result (cmt-epoch-payouts-v1), a file or an http(s) URL, for previous_cumulative; required unless N is settle.first_epoch")
	out := fs.String("out", "", "write the epoch input here instead of standard output")
	evidence := fs.String("evidence", "", "also write each validator's standing (active blocks, missed blocks, not-good runs) as JSON here")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return fmt.Errorf("%w: --config is required", errUsage)
	}
	if *k < 0 {
		return fmt.Errorf("%w: --epoch is required (a number ≥ 0)", errUsage)
	}
	cfg, err := config.Load(*cfgPath)
	if err != nil {
		return err
	}
	n, first := uint64(*k), cfg.Settle.FirstEpoch
	var previous []calc.Balance
	switch {
	case n < first:
		return fmt.Errorf("%w: --epoch %d is before the configuration's settle.first_epoch %d", errUsage, n, first)
	case n == first && *prevLoc != "":
		return fmt.Errorf("%w: --previous: epoch %d is settle.first_epoch, which has no previous epoch", errUsage, n)
	case n > first && *prevLoc == "":
		return fmt.Errorf("%w: --previous is required for epoch %d: epoch %d's published result", errUsage, n, n-1)
	case n > first:
		if previous, err = loadPrevious(ctx, *prevLoc, n-1); err != nil {
			return err
		}
	}
	p, err := export.ParamsFrom(&cfg)
	if err != nil {
		return err
	}
	var src export.Source
	if *rpcURL != "" || cfg.LedgerPath == "" {
		url := *rpcURL
		if url == "" {
			url = cfg.RPCURL
		}
		client, err := follower.Dial(ctx, url, cfg.Follower.Concurrency)
		if err != nil {
			return fmt.Errorf("dial %s: %w", url, err)
		}
		defer client.Close()
		src = export.RPCSource{F: follower.NewFetcher(export.FollowerConfig(&cfg), client, zap.NewNop())}
	} else {
		if _, err := os.Stat(cfg.LedgerPath); err != nil {
			return fmt.Errorf("ledger %s: %w (run rewardd first, or use --rpc)", cfg.LedgerPath, err)
		}
		l, err := ledger.Open(cfg.LedgerPath, ledger.Identity{ChainID: cfg.ChainID, Contract: cfg.Contract, StartBlock: cfg.StartBlock}, 2*time.Second)
		if err != nil {
			return fmt.Errorf("%w (if rewardd is running it holds the ledger; use --rpc)", err)
		}
		defer l.Close()
		src, p = export.LedgerSource{L: l}, p.ForLedger() // the ledger holds only confirmed blocks
	}
	ep, err := export.Export(ctx, src, p, n, previous)
	if err != nil {
		return err
	}
	var files []atomicfile.File
	var stdout bytes.Buffer
	if *out != "" {
		files = append(files, atomicfile.File{Path: *out, Write: ep.Input.WriteJSON})
	} else if err := ep.Input.WriteJSON(&stdout); err != nil {
		return err
	}
	if *evidence != "" {
		files = append(files, atomicfile.File{Path: *evidence, Write: func(w io.Writer) error { return writeEvidence(w, ep) }})
	}
	if err := atomicfile.WriteAll(files); err != nil {
		return err
	}
	_, err = e.stdout.Write(stdout.Bytes())
	return err
}

// loadPrevious reads --previous, which must be epoch k's published result.
func loadPrevious(ctx context.Context, loc string, k uint64) ([]calc.Balance, error) {
	raw, err := published.Fetch(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("--previous: %w", err)
	}
	prev, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("--previous %s: %w", loc, err)
	}
	if prev.Epoch != k {
		return nil, fmt.Errorf("--previous %s: epoch is %d, expected %d (the result of the epoch before the one exported)", loc, prev.Epoch, k)
	}
	return export.Previous(prev), nil
}

type evidenceRun struct {
	From   uint64   `json:"from_block"`
	To     uint64   `json:"to_block"`
	Reason string   `json:"reason"`
	Missed []uint64 `json:"missed_blocks"`
}

type evidenceValidator struct {
	Validator    string        `json:"validator"`
	ActiveBlocks uint64        `json:"active_blocks"`
	Missed       []uint64      `json:"missed_blocks"`
	Runs         []evidenceRun `json:"not_good_runs"`
}

func writeEvidence(w io.Writer, ep *export.Epoch) error {
	doc := struct {
		Epoch      uint64              `json:"epoch"`
		First      uint64              `json:"first_block"`
		Last       uint64              `json:"last_block"`
		Validators []evidenceValidator `json:"validators"`
	}{Epoch: ep.Input.Epoch, First: ep.Input.FirstBlock, Last: ep.Input.LastBlock, Validators: []evidenceValidator{}}
	for _, vs := range ep.Standing {
		v := evidenceValidator{Validator: vs.Validator.Hex(), ActiveBlocks: vs.ActiveBlocks, Missed: vs.Missed, Runs: []evidenceRun{}}
		if v.Missed == nil {
			v.Missed = []uint64{}
		}
		for _, r := range vs.Runs {
			v.Runs = append(v.Runs, evidenceRun{From: r.From, To: r.To, Reason: r.Reason, Missed: r.Missed})
		}
		doc.Validators = append(doc.Validators, v)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
