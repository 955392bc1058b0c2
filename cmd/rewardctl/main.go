// Command rewardctl is the CMT rewards tool for everyone around the DAO:
// computing and exporting epochs offline, auditing them against the chain,
// reporting, getting and sending claims, and the contract's other actions
// (deploying, staking, candidacy, the DAO's votes). The work is done by packages
// (calc, export, audit, report, published, actions); this command parses flags,
// prints, and maps outcomes to exit codes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/ethereum/go-ethereum/common"
)

// Exit codes, the same for every command; usage() prints this table.
const (
	exitOK        = 0  // done (audit: match)
	exitFailure   = 1  // the command ran and failed: bad input, I/O, the node, the contract (audit: mismatch)
	exitUndecided = 2  // audit only: could not decide
	exitUsage     = 64 // bad command line: unknown command, bad, missing or conflicting flags (sysexits EX_USAGE)
)

// exitCodes is the table in rewardctl's usage text.
const exitCodes = `exit codes:
  0   ok (audit: match)
  1   failure: bad input, a write, the node or the contract failed (audit: mismatch)
  2   audit only: undecided, the epoch could not be compared
  64  usage: unknown command, bad, missing or conflicting flags`

type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch, injected so tests run commands
// in-process against real files.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// errUsage is wrapped by every command-line error: exit 64.
var errUsage = errors.New("usage")

func commands() map[string]command {
	return map[string]command{
		"calc":      {"compute one epoch offline from a cmt-epoch-input-v1 file", runCalc},
		"export":    {"write an epoch's cmt-epoch-input-v1 file from the ledger or a node", runExport},
		"audit":     {"recompute an epoch from chain data and compare it with the chain and a published result", runAudit},
		"report":    {"exchange report (CSV or JSON) of published epochs, with per-epoch totals", runReport},
		"proof":     {"an account's claim arguments (and calldata) from a published result", runProof},
		"claim":     {"send an account's claim from a keystore account", runClaim},
		"deploy":    {"deploy the validator contract and write a rewardd configuration stub", runDeploy},
		"stake":     {"stake CMT at a validator or candidate", runStake},
		"unstake":   {"unstake matured stake into the withdrawable balance", runUnstake},
		"withdraw":  {"withdraw the whole withdrawable balance", runWithdraw},
		"candidacy": {"declare or withdraw a validator candidacy (candidacy declare|withdraw)", runCandidacy},
		"vote":      {"vote, as an active validator, to promote a candidate or remove a validator (vote promote|remove)", runVote},
		"status":    {"the daemon's status from its API", runStatus},
		"version":   {"the build's module version and commit", runVersion},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr})
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, e *env) int {
	cmds := commands()
	if len(args) == 0 {
		usage(e.stderr, cmds)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(e.stdout, cmds)
		return exitOK
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "rewardctl: unknown command %q\n\n", args[0])
		usage(e.stderr, cmds)
		return exitUsage
	}
	err := c.run(ctx, e, args[1:])
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	}
	fmt.Fprintf(e.stderr, "rewardctl %s: %v\n", args[0], err)
	var ce codedError
	switch {
	case errors.Is(err, errUsage):
		return exitUsage
	case errors.As(err, &ce):
		return ce.code
	}
	return exitFailure
}

// codedError carries a specific exit code.
type codedError struct {
	code int
	err  error
}

func (c codedError) Error() string { return c.err.Error() }
func (c codedError) Unwrap() error { return c.err }

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: rewardctl <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintf(w, "\n%s\n\nrun 'rewardctl <command> -h' for a command's flags\n", exitCodes)
}

// commonExits is the exit-code line of a command's usage (audit has its own).
const commonExits = "exit 0 ok, 1 failure, 64 usage"

// newFlags returns a flag set that reports errors instead of exiting;
// its usage shows synopsis, the flags, and exits (the command's exit codes).
func newFlags(e *env, name, synopsis, exits string) *flag.FlagSet {
	fs := flag.NewFlagSet("rewardctl "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: rewardctl %s %s\n\nflags:\n", name, synopsis)
		fs.PrintDefaults()
		fmt.Fprintf(e.stderr, "\n%s\n", exits)
	}
	return fs
}

// parseFlags parses args and rejects positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

// parseAddress parses a command-line account address.
func parseAddress(flagName, s string) (common.Address, error) {
	if !common.IsHexAddress(s) || !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return common.Address{}, fmt.Errorf("%w: %s %q: expected a 0x-prefixed 20-byte hex address", errUsage, flagName, s)
	}
	return common.HexToAddress(s), nil
}
