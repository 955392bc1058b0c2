package export

import (
	"context"
	"fmt"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/epoch"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// Drift is where the validator contract's active set and the Clique signer
// set disagree after one block (rewards-v1 §7, 1.1); see epoch.SetDrift for
// what the DAO must do about each list.
type Drift struct {
	Block uint64 `json:"block"`
	// NotSigners are active validators whose signer is not a Clique
	// signer: not in good standing (not-a-signer) until the signers vote it
	// in, or the DAO removes the validator.
	NotSigners []common.Address `json:"validators_not_signing"`
	// NotValidators are Clique signers that sign for no active validator:
	// they seal blocks and earn nothing; the signers should vote them out,
	// or the DAO promote them.
	NotValidators []common.Address `json:"signers_not_validators"`
}

// Empty reports that the two sets correspond one to one.
func (d *Drift) Empty() bool { return len(d.NotSigners) == 0 && len(d.NotValidators) == 0 }

// DriftAt compares the contract's active set and the Clique signer set in
// force after block at, both replayed from src alone: the active set from
// the contract's events since p.StartBlock, the signers from the Clique
// checkpoint at or below at and the votes after it.
func DriftAt(ctx context.Context, src Source, p Params, at uint64) (*Drift, error) {
	active, _, err := StateAt(ctx, src, p, at)
	if err != nil {
		return nil, err // names the block
	}

	cp := at / p.CliqueEpoch * p.CliqueEpoch
	var tracker *epoch.SignerTracker
	err = src.Blocks(ctx, cp, at, func(blocks []ledger.Block) error {
		for i := range blocks {
			h := toHeader(&blocks[i])
			if tracker == nil {
				var err error
				tracker, err = epoch.NewSignerTracker(p.CliqueEpoch, h)
				if err != nil {
					return err
				}
				continue
			}
			if err := tracker.Apply(h); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && (tracker == nil || tracker.Next() != at+1) {
		err = fmt.Errorf("headers %d-%d missing: %w", cp, at, ErrHistory)
	}
	if err != nil {
		return nil, fmt.Errorf("clique signers at block %d: %w", at, err)
	}
	d := &Drift{Block: at}
	d.NotSigners, d.NotValidators = epoch.SetDrift(active, tracker.Signers(), p.Standing.SignerToValidator)
	return d, nil
}
