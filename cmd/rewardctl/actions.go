package main

// rewardctl stake, unstake, withdraw, candidacy and vote: the holders' and
// validators' contract actions, the same as the web app's (package
// actions builds and checks them), each sent through txsend or shown with
// --dry-run.

import (
	"context"
	"flag"
	"fmt"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/actions"
)

// actionSynopsis is the common part of every action's usage line.
const actionSynopsis = "--rpc URL --contract ADDR --keystore FILE --password-file FILE [--request-id ID] [--dry-run] [--max-fee-gwei G] [--confirmations N] [--record-dir DIR]"

func runStake(ctx context.Context, e *env, args []string) error {
	a, contract, v, wei, err := stakeFlags(e, "stake", args, "the active validator or candidate to stake at",
		"CMT to stake, exact to the wei (up to 18 decimal places); sent as the call's value")
	if err != nil {
		return err
	}
	return a.do(ctx, e, actions.Stake(contract, v, wei), nil)
}

func runUnstake(ctx context.Context, e *env, args []string) error {
	a, contract, v, wei, err := stakeFlags(e, "unstake", args, "the validator staked at",
		"CMT to unstake, exact to the wei; at most the matured stake (each stake matures 7 days after its block)")
	if err != nil {
		return err
	}
	return a.do(ctx, e, actions.Unstake(contract, v, wei),
		func(ctx context.Context, c *ethclient.Client, from common.Address) error {
			return actions.CheckUnstake(ctx, c, contract, from, v, wei)
		})
}

// stakeFlags parses the flags of stake and unstake: --validator and
// --amount besides the common ones.
func stakeFlags(e *env, name string, args []string, validatorHelp, amountHelp string) (a *actionFlags, contract, validator common.Address, wei *uint256.Int, err error) {
	fs := newFlags(e, name, "--validator ADDR --amount CMT "+actionSynopsis, commonExits)
	v := fs.String("validator", "", validatorHelp)
	amount := fs.String("amount", "", amountHelp)
	a = addActionFlags(fs, true)
	if contract, validator, err = a.parseWith(fs, args, "--validator", v); err != nil {
		return
	}
	wei, err = parseAmount("--amount", *amount)
	return
}

func runWithdraw(ctx context.Context, e *env, args []string) error {
	return runNoArgs(ctx, e, "withdraw", args, actions.Withdraw)
}

// runNoArgs runs an action whose call takes no argument but the contract.
func runNoArgs(ctx context.Context, e *env, name string, args []string, build func(contract common.Address) actions.Call) error {
	fs := newFlags(e, name, actionSynopsis, commonExits)
	a := addActionFlags(fs, true)
	contract, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	return a.do(ctx, e, build(contract), nil)
}

func runCandidacy(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "candidacy", args, map[string]func(context.Context, *env, []string) error{
		"declare":  runCandidacyDeclare,
		"withdraw": runCandidacyWithdraw,
	})
}

func runCandidacyDeclare(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "candidacy declare", "--pubkey HEX|--node-key FILE "+actionSynopsis, commonExits)
	pubkey := fs.String("pubkey", "", "the node's public key: 128 hex digits, uncompressed, without the 04 prefix (the enode id)")
	nodeKey := fs.String("node-key", "", "the node's key file (geth's nodekey, hex), to derive the public key from")
	a := addActionFlags(fs, true)
	contract, err := a.parse(fs, args)
	if err != nil {
		return err
	}
	var key []byte
	switch {
	case (*pubkey == "") == (*nodeKey == ""):
		return fmt.Errorf("%w: give exactly one of --pubkey and --node-key", errUsage)
	case *pubkey != "":
		if key, err = actions.ParsePubkey(*pubkey); err != nil {
			return fmt.Errorf("%w: --pubkey %v", errUsage, err)
		}
	default:
		if key, err = actions.PubkeyFromNodeKey(*nodeKey); err != nil {
			return fmt.Errorf("--node-key: %w", err)
		}
	}
	return a.do(ctx, e, actions.DeclareCandidacy(contract, key), nil)
}

func runCandidacyWithdraw(ctx context.Context, e *env, args []string) error {
	return runNoArgs(ctx, e, "candidacy withdraw", args, actions.WithdrawCandidacy)
}

func runVote(ctx context.Context, e *env, args []string) error {
	return subcommand(ctx, e, "vote", args, map[string]func(context.Context, *env, []string) error{
		"promote": func(ctx context.Context, e *env, args []string) error {
			return runVoteOn(ctx, e, args, "promote", "--candidate", "the candidate to promote to the active set", actions.VotePromote)
		},
		"remove": func(ctx context.Context, e *env, args []string) error {
			return runVoteOn(ctx, e, args, "remove", "--validator", "the active validator to remove (it becomes a candidate)", actions.VoteRemove)
		},
	})
}

// runVoteOn is "vote promote" and "vote remove": a DAO vote, as an active
// validator, on one target.
func runVoteOn(ctx context.Context, e *env, args []string, sub, targetFlag, help string, build func(contract, target common.Address) actions.Call) error {
	fs := newFlags(e, "vote "+sub, targetFlag+" ADDR "+actionSynopsis, commonExits)
	target := fs.String(targetFlag[2:], "", help)
	a := addActionFlags(fs, true)
	contract, t, err := a.parseWith(fs, args, targetFlag, target)
	if err != nil {
		return err
	}
	return a.do(ctx, e, build(contract, t), nil)
}

// parseWith parses args and returns --contract and the address flag
// flagName, which is required.
func (a *actionFlags) parseWith(fs *flag.FlagSet, args []string, flagName string, value *string) (common.Address, common.Address, error) {
	contract, err := a.parse(fs, args)
	if err != nil {
		return common.Address{}, common.Address{}, err
	}
	if *value == "" {
		return common.Address{}, common.Address{}, fmt.Errorf("%w: %s is required", errUsage, flagName)
	}
	v, err := parseAddress(flagName, *value)
	return contract, v, err
}
