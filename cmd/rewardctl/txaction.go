package main

// The common path of rewardctl's contract actions (stake, unstake,
// withdraw, candidacy, vote, deploy): flags, --dry-run, and sending through
// txsend under a request id.
//
// Request ids: txsend sends one transaction per record key, and an action
// may legitimately repeat (two stakes of the same amount), so the key is
// "ACTION-CONTRACT-REQUESTID" ("deploy-REQUESTID" for a deployment).
// Without --request-id a fresh random id is made and printed before
// anything is signed; running the command again with that id — after a
// crash, a kill, a timeout — resumes the recorded transaction (or reports
// it confirmed) and never sends a second one. The same id with another
// call is refused by txsend (one key, one intent).

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"flag"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/actions"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

// actionFlags are the flags every contract action has.
type actionFlags struct {
	rpc, contract, keystore, password, requestID *string
	dryRun                                       *bool
	wait                                         *time.Duration
	tx                                           *txFlags
}

// addActionFlags defines the common flags on fs: the node, the key,
// --request-id, --dry-run, --wait and txsend's flags, and with withContract
// --contract (deploy has none).
func addActionFlags(fs *flag.FlagSet, withContract bool) *actionFlags {
	a := &actionFlags{
		rpc:       fs.String("rpc", "", "JSON-RPC URL of a node"),
		keystore:  fs.String("keystore", "", "keystore file of the sending account (pays the gas)"),
		password:  fs.String("password-file", "", "file holding the keystore password"),
		requestID: fs.String("request-id", "", "names this request in the write-ahead records: the same id again resumes its transaction instead of sending another (default: a fresh random id, printed)"),
		dryRun:    fs.Bool("dry-run", false, "print the call and the result of its simulation (eth_call) and send nothing"),
		wait:      fs.Duration("wait", 2*time.Minute, "how long to wait for the transaction to be confirmed"),
		tx:        addTxFlags(fs),
	}
	if withContract {
		a.contract = fs.String("contract", "", "validator contract address")
	}
	return a
}

// check reports missing common flags.
func (a *actionFlags) check() error {
	switch {
	case *a.rpc == "":
		return fmt.Errorf("%w: --rpc is required", errUsage)
	case *a.keystore == "" || *a.password == "":
		return fmt.Errorf("%w: --keystore and --password-file are required", errUsage)
	}
	if a.requestID != nil && *a.requestID != "" {
		if err := actions.CheckRequestID(*a.requestID); err != nil {
			return fmt.Errorf("%w: --request-id %v", errUsage, err)
		}
	}
	return nil
}

// parse parses args and returns --contract.
func (a *actionFlags) parse(fs *flag.FlagSet, args []string) (common.Address, error) {
	if err := parseFlags(fs, args); err != nil {
		return common.Address{}, err
	}
	return parseAddress("--contract", *a.contract)
}

// parseAmount parses a CMT amount flag exactly; zero is refused, as the
// contract refuses it.
func parseAmount(flagName, s string) (*uint256.Int, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: %s is required (CMT, up to 18 decimal places)", errUsage, flagName)
	}
	v, err := units.ParseCMT(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s %v", errUsage, flagName, err)
	}
	if v.IsZero() {
		return nil, fmt.Errorf("%w: %s %q: expected more than 0 CMT", errUsage, flagName, s)
	}
	return v, nil
}

// connect checks the common flags, decrypts the keystore and dials the
// node; the caller closes the client.
func (a *actionFlags) connect(ctx context.Context) (*ecdsa.PrivateKey, *ethclient.Client, error) {
	if err := a.check(); err != nil {
		return nil, nil, err
	}
	key, err := loadKeystore(*a.keystore, *a.password)
	if err != nil {
		return nil, nil, err
	}
	c, err := ethclient.DialContext(ctx, *a.rpc)
	if err != nil {
		return nil, nil, fmt.Errorf("--rpc %s: %w", *a.rpc, err)
	}
	return key, c, nil
}

// do dry-runs or sends call from the keystore's account. precheck (may be nil) runs before a new transaction is signed, not when a
// recorded one is resumed or reported: the chain may already count it.
func (a *actionFlags) do(ctx context.Context, e *env, call actions.Call, precheck func(ctx context.Context, c *ethclient.Client, from common.Address) error) error {
	key, c, err := a.connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if *a.dryRun {
		return dryRun(ctx, e, c, crypto.PubkeyToAddress(key.PublicKey), call)
	}
	r, id, err := a.send(ctx, e, c, key, call, precheck, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "%s confirmed in block %d, transaction %s; gas fee %s; request id %s\n", call.Name, r.Block, r.TxHash.Hex(), feeCMT(r), id)
	return nil
}

// send sends call from key through txsend under --request-id (a fresh one,
// printed before anything is signed, if none is given) and waits up to
// --wait for it to be confirmed; it returns the result and the request id.
// precheck (may be nil) runs before a new transaction is signed, not when
// a recorded one is resumed or reported: the chain may already count it.
// recorded (may be nil) is called with the record once a new transaction
// is signed and recorded, before its broadcast.
func (a *actionFlags) send(ctx context.Context, e *env, c *ethclient.Client, key *ecdsa.PrivateKey, call actions.Call,
	precheck func(ctx context.Context, c *ethclient.Client, from common.Address) error, recorded func(rec *txsend.Record, path string)) (txsend.Result, string, error) {
	snd, store, err := a.tx.sender(ctx, e, c, key)
	if err != nil {
		return txsend.Result{}, "", err
	}
	id := *a.requestID
	if id == "" {
		if id, err = actions.NewRequestID(); err != nil {
			return txsend.Result{}, "", err
		}
	}
	in := txsend.Intent{Key: actions.RecordKey(call, id), Name: call.Name, Call: call.TxCall()}
	if recorded != nil {
		in.OnStep = func(step string) {
			if step != txsend.StepRecorded {
				return
			}
			if rec, err := store.Load(in.Key); err == nil && rec != nil {
				recorded(rec, store.Path(in.Key))
			}
		}
	}
	rec, err := store.Load(in.Key)
	if err != nil {
		return txsend.Result{}, "", err
	}
	switch {
	case rec != nil && rec.State == txsend.RecordConfirmed:
		fmt.Fprintf(e.stderr, "rewardctl: request %s is recorded as confirmed in %s; nothing is sent\n", id, store.Path(in.Key))
	case rec.Latest() != nil && rec.State == txsend.RecordOpen:
		fmt.Fprintf(e.stderr, "rewardctl: resuming request %s, recorded in %s (transaction %s)\n", id, store.Path(in.Key), rec.Latest().Hash.Hex())
	case precheck != nil:
		if err := precheck(ctx, c, snd.Address()); err != nil {
			return txsend.Result{}, "", err
		}
	}
	fmt.Fprintf(e.stderr, "rewardctl: request id %s (run again with --request-id %s to resume it rather than send another)\n", id, id)
	r, err := send(ctx, snd, store, in, *a.wait)
	switch {
	case errors.Is(err, txsend.ErrReverted):
		return r, id, err // the record is closed: the same id starts over
	case err != nil:
		return r, id, fmt.Errorf("%w with --request-id %s", err, id)
	}
	return r, id, nil
}

// feeCMT renders a confirmed transaction's gas fee.
func feeCMT(r txsend.Result) string {
	if r.Fee == nil {
		return "unknown"
	}
	return units.FormatCMT(uint256.MustFromBig(r.Fee)) + " CMT"
}

// dryRun prints the call and its simulation. A call that would revert is a
// failure (exit 1), so that scripts can check before they send.
func dryRun(ctx context.Context, e *env, c *ethclient.Client, from common.Address, call actions.Call) error {
	decoded, err := call.Decode()
	if err != nil {
		return fmt.Errorf("decode the calldata: %w", err)
	}
	to := "(contract creation)"
	if call.To != nil {
		to = call.To.Hex()
	}
	fmt.Fprintf(e.stdout, "dry run: nothing is sent\nfrom:     %s\nto:       %s\nvalue:    %s wei (%s CMT)\nfunction: %s\ncalldata: 0x%x\n",
		from.Hex(), to, call.Value.Dec(), units.FormatCMT(call.Value), decoded, call.Data)
	revert, err := actions.Simulate(ctx, c, from, call)
	if err != nil {
		return err
	}
	if revert != "" {
		fmt.Fprintf(e.stdout, "simulation: reverts: %s\n", revert)
		return fmt.Errorf("the call would revert: %s", revert)
	}
	fmt.Fprintln(e.stdout, "simulation: succeeds")
	return nil
}

// subcommand dispatches "rewardctl NAME SUB …" to subs.
func subcommand(ctx context.Context, e *env, name string, args []string, subs map[string]func(context.Context, *env, []string) error) error {
	names := strings.Join(slices.Sorted(maps.Keys(subs)), "|")
	if len(args) == 0 {
		return fmt.Errorf("%w: expected a subcommand: rewardctl %s %s", errUsage, name, names)
	}
	run, ok := subs[args[0]]
	if !ok {
		return fmt.Errorf("%w: unknown subcommand %q: expected rewardctl %s %s", errUsage, args[0], name, names)
	}
	return run(ctx, e, args[1:])
}
