package main

// rewardctl deploy: deploy the validator contract and write the rewardd
// configuration stub that follows it from its deployment block. The
// creation goes through txsend like every other action: recorded before
// its broadcast under a request id, so that running the command again with
// that id resumes (or reports) the recorded creation and never deploys a
// second contract.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/actions"
	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// awardReminder is printed after every deployment: without it, a contract
// on CyberMiles holds nothing to pay rewards with.
const awardReminder = `note: CyberMiles' node credits every block award to its genesis clique.reward
address; rewards are paid from the contract's balance, so the contract must be
that address (a new chain's genesis names it) or be funded by transfers.`

func runDeploy(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "deploy", "--rpc URL --keystore FILE --password-file FILE --validators A,B,… [--quorum-bps 5000] [--config-out FILE] [--request-id ID] [--dry-run] [--max-fee-gwei G] [--confirmations N] [--record-dir DIR]", commonExits)
	validators := fs.String("validators", "", "comma-separated addresses of the first active validators (1 to 21, distinct)")
	quorum := fs.Uint64("quorum-bps", 5000, "root quorum in basis points of the active set: 5000 (a strict majority) to 10000 (unanimity)")
	configOut := fs.String("config-out", "", "write a rewardd configuration stub for the new contract to this file (must not exist)")
	a := addActionFlags(fs, false)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	vals, err := parseValidators(*validators)
	if err != nil {
		return err
	}
	if *quorum < 5000 || *quorum > 10000 {
		return fmt.Errorf("%w: --quorum-bps %d: expected 5000 to 10000", errUsage, *quorum)
	}
	if err := a.check(); err != nil {
		return err
	}
	if *configOut != "" {
		if _, err := os.Lstat(*configOut); err == nil {
			return fmt.Errorf("--config-out %s exists; it is never overwritten", *configOut)
		}
	}
	key, c, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	call := actions.Deploy(vals, *quorum)
	if *a.dryRun {
		return dryRun(ctx, e, c, crypto.PubkeyToAddress(key.PublicKey), call)
	}
	id, err := c.ChainID(ctx)
	if err != nil {
		return fmt.Errorf("read the chain ID: %w", err)
	}
	r, reqID, err := a.send(ctx, e, c, key, call, nil, func(rec *txsend.Record, path string) {
		at := rec.Latest()
		fmt.Fprintf(e.stderr, "rewardctl deploy: deploying ValidatorSet at %s: transaction %s (nonce %d), recorded in %s\n",
			rec.Contract().Hex(), at.Hash.Hex(), at.Nonce, path)
	})
	if err != nil {
		return err
	}
	block, err := c.HeaderByNumber(ctx, new(big.Int).SetUint64(r.Block))
	if err != nil {
		return fmt.Errorf("read block %d: %w", r.Block, err)
	}
	fmt.Fprintf(e.stdout, "deployed ValidatorSet at %s in block %d (transaction %s); gas fee %s; request id %s\n",
		r.Contract.Hex(), r.Block, r.TxHash.Hex(), feeCMT(r), reqID)
	if *configOut != "" {
		stub := actions.ConfigStub(*a.rpc, id.Uint64(), r.Contract, r.Block, block.Time)
		err := atomicfile.Write(*configOut, 0o600, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(stub)
		})
		if err != nil {
			return fmt.Errorf("--config-out: %w", err)
		}
		fmt.Fprintf(e.stdout, "wrote %s: start_block %d, epoch.start %s (the next whole hour after the deployment block);\n"+
			"fill in submit.keystore_file and submit.password_file (left empty), and check clique_epoch (%d) against the chain's genesis\n",
			*configOut, stub.StartBlock, stub.Epoch.Start.Format("2006-01-02T15:04:05Z07:00"), stub.CliqueEpoch)
	}
	fmt.Fprintln(e.stdout, awardReminder)
	return nil
}

// parseValidators parses --validators: 1 to 21 distinct 0x addresses.
func parseValidators(s string) ([]common.Address, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: --validators is required", errUsage)
	}
	var vals []common.Address
	seen := map[common.Address]bool{}
	for _, part := range strings.Split(s, ",") {
		v, err := parseAddress("--validators", strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		if seen[v] {
			return nil, fmt.Errorf("%w: --validators: %s is given twice", errUsage, v.Hex())
		}
		seen[v] = true
		vals = append(vals, v)
	}
	if len(vals) > 21 {
		return nil, fmt.Errorf("%w: --validators: %d addresses, at most 21", errUsage, len(vals))
	}
	return vals, nil
}
