package main

// rewardctl claim: send an account's claim from a keystore account.

import (
	"context"
	"fmt"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/holiman/uint256"

	"github.com/cmt-rewards/cmt-rewards/audit"
	"github.com/cmt-rewards/cmt-rewards/contracts"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
	"github.com/cmt-rewards/cmt-rewards/published"
	"github.com/cmt-rewards/cmt-rewards/txsend"
)

func runClaim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "claim", "[--epoch N] --rpc URL --contract ADDR --keystore FILE --password-file FILE [--address ACCOUNT] [--source DIR|URL]", commonExits)
	k := fs.Int64("epoch", -1, "the epoch to claim against; it must be the latest accepted, whose root is the contract's current root (default: read from the contract)")
	rpcURL := fs.String("rpc", "", "JSON-RPC URL of a node")
	contract := fs.String("contract", "", "validator contract address")
	ks := fs.String("keystore", "", "keystore file of the sending account (pays the gas)")
	pwFile := fs.String("password-file", "", "file holding the keystore password")
	address := fs.String("address", "", "the account to claim for (default: the sending account); the CMT always goes to this account")
	src := fs.String("source", published.DefaultSource, "published epochs: rewardd's publish directory, or its API base URL")
	wait := fs.Duration("wait", 2*time.Minute, "how long to wait for the transaction to be confirmed")
	tf := addTxFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	switch {
	case *rpcURL == "":
		return fmt.Errorf("%w: --rpc is required", errUsage)
	case *ks == "" || *pwFile == "":
		return fmt.Errorf("%w: --keystore and --password-file are required", errUsage)
	}
	to, err := parseAddress("--contract", *contract)
	if err != nil {
		return err
	}
	s, err := newSource(*src)
	if err != nil {
		return err
	}
	key, err := loadKeystore(*ks, *pwFile)
	if err != nil {
		return err
	}
	from := crypto.PubkeyToAddress(key.PublicKey)
	account := from
	if *address != "" {
		if account, err = parseAddress("--address", *address); err != nil {
			return err
		}
	}
	c, err := ethclient.DialContext(ctx, *rpcURL)
	if err != nil {
		return fmt.Errorf("--rpc %s: %w", *rpcURL, err)
	}
	defer c.Close()
	vs := audit.NewContract(c, to, *rpcURL, 0)
	n, err := claimEpoch(ctx, e, "claim", *k, vs, s)
	if err != nil {
		return err
	}
	res, err := s.Result(ctx, n)
	if err != nil {
		return err
	}
	cum, proof, ok := claimArgs(res, account)
	if !ok {
		return fmt.Errorf("%s has no leaf in epoch %d: nothing to claim", account.Hex(), n)
	}
	snd, store, err := tf.sender(ctx, e, c, key)
	if err != nil {
		return err
	}
	in := txsend.Intent{
		Key:  fmt.Sprintf("claim-%s-%s-%s", to.Hex(), account.Hex(), cum.Dec()),
		Name: "claim",
		Call: txsend.Call{To: to, Data: contracts.ClaimCalldata(account, cum, proof)},
	}
	var due *uint256.Int
	rec, err := store.Load(in.Key)
	if err != nil {
		return err
	}
	if a := rec.Latest(); a != nil && rec.State == txsend.RecordOpen {
		// This very claim was signed before and may be pending or mined:
		// resume it rather than check the chain, which may already count it.
		fmt.Fprintf(e.stderr, "rewardctl claim: resuming the claim recorded in %s (transaction %s)\n", store.Path(in.Key), a.Hash.Hex())
	} else {
		// Check against the chain before paying gas: the root must be the
		// current one, and something must be left to claim.
		if err := notCurrent(ctx, vs, n, res.MerkleRoot); err != nil {
			return err
		}
		claimed, err := vs.Claimed(ctx, account)
		if err != nil {
			return fmt.Errorf("read claimed: %w", err)
		}
		if !cum.Gt(claimed) {
			return fmt.Errorf("%s already claimed its cumulative %s wei: nothing to claim", account.Hex(), cum.Dec())
		}
		if rec != nil && rec.State == txsend.RecordConfirmed && rec.Final != nil {
			// Never send a claim again on our own: a person decides.
			return fmt.Errorf("this claim is recorded as confirmed in block %d (transaction %s), yet the contract has not paid it: "+
				"a reorg deeper than its confirmations? To send it again, remove %s", rec.Final.Block, rec.Final.Tx.Hex(), store.Path(in.Key))
		}
		due = new(uint256.Int).Sub(cum, claimed)
	}
	r, err := send(ctx, snd, store, in, *wait)
	if err != nil {
		return err
	}
	if paid := claimedAmount(r.Receipt, to, account); paid != nil {
		due = paid
	}
	amount := "the amount due"
	if due != nil {
		amount = fmt.Sprintf("%s CMT (%s wei)", units.FormatCMT(due), due.Dec())
	}
	fee := "unknown"
	if r.Fee != nil {
		fee = units.FormatCMT(uint256.MustFromBig(r.Fee)) + " CMT"
	}
	fmt.Fprintf(e.stdout, "claimed %s for %s against epoch %d, in block %d, transaction %s; gas fee %s\n",
		amount, account.Hex(), n, r.Block, r.TxHash.Hex(), fee)
	return nil
}

// claimedAmount is the amount account's Claimed event in rcpt (nil: none)
// paid, or nil.
func claimedAmount(rcpt *types.Receipt, contract, account common.Address) *uint256.Int {
	if rcpt == nil {
		return nil
	}
	vs := contracts.NewValidatorSet()
	for _, l := range rcpt.Logs {
		if ev, err := vs.UnpackClaimedEvent(l); err == nil && l.Address == contract && ev.Account == account {
			if amount, overflow := uint256.FromBig(ev.Amount); !overflow {
				return amount
			}
		}
	}
	return nil
}
