package main

// rewardctl audit: recompute an epoch from chain data alone and compare it
// with what the contract accepted and with a published result (package
// audit does the work).

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"

	"github.com/cmt-rewards/cmt-rewards/audit"
	"github.com/cmt-rewards/cmt-rewards/config"
)

const auditSynopsis = "--epoch N --config FILE [--rpc URL] [--contract ADDR] [--address ACCOUNT] [--result FILE|URL] [--previous FILE|URL | --full] [--cache-dir DIR | --no-cache] [--json]"

// auditExits are audit's exit codes: it alone has "undecided".
const auditExits = "exit 0 match, 1 mismatch, 2 undecided (the epoch could not be compared), 64 usage"

func runAudit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "audit", auditSynopsis, auditExits)
	cfgPath := fs.String("config", "", "rewardd configuration file: chain, contract, epoch schedule, standing and rewards parameters")
	k := fs.Int64("epoch", -1, "epoch number to audit")
	rpcURL := fs.String("rpc", "", "JSON-RPC URL of any full node (headers, logs and calls at the head only); overrides the configuration's rpc_url")
	contractFlag := fs.String("contract", "", "validator contract address; overrides the configuration's contract")
	address := fs.String("address", "", "also show this account's award split by validator and role, its cumulative amount and whether its proof verifies")
	resultLoc := fs.String("result", "", "published result (cmt-epoch-payouts-v1) of the epoch to compare, a file or an http(s) URL")
	prevLoc := fs.String("previous", "", "published result or tree dump of epoch N−1, a file or URL, for the cumulative amounts before N (default: beside --result); a missing dump is the empty tree when epoch N−1's on-chain root is all zeros")
	full := fs.Bool("full", false, "recompute every epoch from settle.first_epoch instead of reading epoch N−1's published file")
	defCache, _ := audit.DefaultCacheDir()
	cacheDir := fs.String("cache-dir", defCache, "directory of the header cache: headers read from the node once, per chain (chain ID and genesis hash) and block hash, and proven canonical against the node before reuse")
	noCache := fs.Bool("no-cache", false, "read every header from the node; read and write no header cache")
	asJSON := fs.Bool("json", false, "print the report as one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *cfgPath == "" {
		return fmt.Errorf("%w: --config is required", errUsage)
	}
	if *k < 0 {
		return fmt.Errorf("%w: --epoch is required (a number ≥ 0)", errUsage)
	}
	if !*noCache && *cacheDir == "" {
		return fmt.Errorf("%w: --cache-dir is required: there is no user cache directory ($XDG_CACHE_HOME or $HOME); or give --no-cache", errUsage)
	}
	req := audit.Request{Epoch: uint64(*k), Result: *resultLoc, Previous: *prevLoc, Full: *full, CacheDir: *cacheDir, NoCache: *noCache}
	if *address != "" {
		acc, err := parseAddress("--address", *address)
		if err != nil {
			return err
		}
		req.Account = &acc
	}
	// --rpc and --contract go in before the configuration is checked, so
	// a file of public parameters without them is enough.
	overrides := map[string]string{}
	if *rpcURL != "" {
		overrides["rpc_url"] = *rpcURL
	}
	if *contractFlag != "" {
		c, err := parseAddress("--contract", *contractFlag)
		if err != nil {
			return err
		}
		overrides["contract"] = c.Hex()
	}
	// Exit 1 is kept for a mismatch: anything that stops the audit from
	// comparing, a bad configuration included, leaves it undecided (2).
	cfg, err := loadConfigWith(*cfgPath, overrides)
	if err != nil {
		return codedError{code: exitUndecided, err: err}
	}
	req.Config = &cfg
	if err := req.Validate(); err != nil { // --epoch before the first, --previous with --full, …
		return fmt.Errorf("%w: %w", errUsage, err)
	}
	prog := newProgress(e.stderr)
	req.Progress = prog.set
	rep, err := audit.Run(ctx, req)
	prog.done()
	if err != nil {
		if *asJSON {
			b, _ := json.MarshalIndent(struct {
				Epoch  uint64       `json:"epoch"`
				Status audit.Status `json:"status"`
				Error  string       `json:"error"`
			}{req.Epoch, audit.Undecided, err.Error()}, "", "  ")
			e.stdout.Write(append(b, '\n'))
		}
		return codedError{code: exitUndecided, err: err}
	}
	var buf bytes.Buffer
	if *asJSON {
		err = rep.WriteJSON(&buf)
	} else {
		err = rep.WriteText(&buf)
	}
	if err != nil {
		return err
	}
	if _, err := e.stdout.Write(buf.Bytes()); err != nil {
		return err
	}
	switch rep.Status {
	case audit.Mismatch:
		return fmt.Errorf("epoch %d does not match: %d difference(s)", req.Epoch, len(rep.Differences))
	case audit.Undecided:
		return codedError{code: exitUndecided, err: fmt.Errorf("epoch %d: could not decide: %s", req.Epoch, strings.Join(rep.Undecided, "; "))}
	}
	return nil
}

// loadConfigWith loads a configuration file with some top-level settings
// replaced before it is checked.
func loadConfigWith(path string, overrides map[string]string) (config.Config, error) {
	if len(overrides) == 0 {
		return config.Load(path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return config.Config{}, fmt.Errorf("read configuration: %w", err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return config.Config{}, fmt.Errorf("%s: %w: %v", path, config.ErrInvalid, err)
	}
	for k, v := range overrides {
		doc[k], _ = json.Marshal(v)
	}
	raw, _ = json.Marshal(doc)
	c, err := config.Decode(bytes.NewReader(raw))
	if err != nil {
		return config.Config{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
