package audit

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
)

// maxDiffLines is how many differences the text report lists before
// "and K more".
const maxDiffLines = 20

// maxMissedShown is how many missed-block entries (single blocks or
// ranges) the text report lists per validator.
const maxMissedShown = 12

// errWriter keeps the first write error, so the text is written with
// plain Fprintf calls and checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// weiCMT renders a decimal amount of wei with its value in CMT.
func weiCMT(dec string) string {
	c, err := units.FormatDecimalWei(dec)
	if err != nil {
		return dec + " wei"
	}
	return fmt.Sprintf("%s wei (%s CMT)", dec, c)
}

// WriteText writes the report for people: the epoch, the recomputation
// and what the chain holds, where the cumulative amounts before came from,
// every validator's standing and award (with the missed blocks as
// evidence), the account asked about, every check, the first
// differences, and the verdict on the last line (MATCH, MISMATCH or
// UNDECIDED). It stops at the first write error and returns it.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	r.writeText(ew)
	return ew.err
}

func (r *Report) writeText(w io.Writer) {
	if r.Empty {
		fmt.Fprintf(w, "epoch %d: no blocks (first block would be %d): nothing minted, the tree is carried over\n", r.Epoch, r.FirstBlock)
	} else {
		fmt.Fprintf(w, "epoch %d: blocks %d–%d (%d blocks)\n", r.Epoch, r.FirstBlock, r.LastBlock, r.Blocks)
	}
	rc := r.Recomputed
	fmt.Fprintf(w, "  recomputed from chain data: merkle root %s, total %s, %d accounts\n", rc.Root.Hex(), weiCMT(rc.Total), rc.Accounts)
	fmt.Fprintf(w, "    minted %s wei, distributed %s wei, forfeited %s wei, unallocated %s wei, rounding dust %s wei\n",
		rc.Minted, rc.Distributed, rc.Forfeited, rc.Unallocated, rc.RoundingDust)
	fmt.Fprintf(w, "    result hash %s\n", rc.ResultHash.Hex())
	fmt.Fprintf(w, "  on chain, epochRoot(%d): merkle root %s, total %s wei, result hash %s (next epoch %d)\n",
		r.Epoch, r.Chain.Root.Hex(), r.Chain.Total, r.Chain.ResultHash.Hex(), r.Chain.NextEpoch)
	if p := r.Previous; p != nil {
		switch p.From {
		case FromNone:
			fmt.Fprintf(w, "  cumulative amounts before: none (first settled epoch)\n")
		case FromFile:
			fmt.Fprintf(w, "  cumulative amounts before: %s of epoch %d, %s, %d accounts, root %s = epochRoot(%d).root\n",
				p.Kind, r.Epoch-1, p.Location, p.Accounts, p.Root.Hex(), r.Epoch-1)
		case FromFull:
			fmt.Fprintf(w, "  cumulative amounts before: recomputed %d epoch(s) from chain data, %d accounts, epoch %d root %s\n",
				p.Epochs, p.Accounts, r.Epoch-1, p.Root.Hex())
		}
	}
	if p := r.Published; p != nil {
		fmt.Fprintf(w, "  published result %s: keccak256 %s\n", p.Location, p.Keccak256.Hex())
	}

	fmt.Fprintf(w, "\nvalidators:\n")
	if len(r.Validators) == 0 {
		fmt.Fprintf(w, "  (none active in the epoch)\n")
	}
	for _, v := range r.Validators {
		standing := "in good standing"
		if !v.GoodStanding {
			var runs []string
			for _, run := range v.NotGoodRuns {
				runs = append(runs, blockRange(run.From, run.To))
			}
			standing = "NOT in good standing in blocks " + strings.Join(runs, ", ")
		}
		elig := "eligible"
		if !v.Eligible {
			elig = "INELIGIBLE: " + reasonText(v.Reason)
		}
		fmt.Fprintf(w, "  %s  active %d blocks, missed %d slots, %s; %s\n", v.Validator, v.ActiveBlocks, v.MissedSlots, standing, elig)
		fmt.Fprintf(w, "      validator reward %s wei, delegator rewards %s wei\n", v.ValidatorReward, v.DelegatorRewards)
		if len(v.MissedBlocks) > 0 {
			fmt.Fprintf(w, "      missed blocks: %s\n", compactBlocks(v.MissedBlocks, maxMissedShown))
		}
	}

	if a := r.Account; a != nil {
		fmt.Fprintf(w, "\naccount %s:\n", a.Account)
		fmt.Fprintf(w, "  award for epoch %d: %s\n", r.Epoch, weiCMT(a.Award))
		for _, l := range a.Lines {
			v := l.Validator
			if v == "" {
				v = "(no validator)"
			}
			fmt.Fprintf(w, "    %-14s %s  %s\n", l.Role, v, weiCMT(l.Amount))
		}
		fmt.Fprintf(w, "  cumulative before: %s\n", weiCMT(a.PreviousCumulative))
		fmt.Fprintf(w, "  cumulative after:  %s\n", weiCMT(a.CumulativeWei))
		switch {
		case !a.HasLeaf:
			fmt.Fprintf(w, "  no leaf in epoch %d's tree: nothing to claim\n", r.Epoch)
		case *a.ProofVerifies:
			fmt.Fprintf(w, "  proof verifies against the on-chain root %s (%d hashes)\n", r.Chain.Root.Hex(), len(a.Proof))
		default:
			fmt.Fprintf(w, "  proof does NOT verify against the on-chain root %s\n", r.Chain.Root.Hex())
		}
	}

	fmt.Fprintf(w, "\nchecks:\n")
	for _, c := range r.Checks {
		mark := "ok      "
		if !c.OK {
			mark = "MISMATCH"
		}
		fmt.Fprintf(w, "  %s  %s\n", mark, c.Check)
	}
	for _, u := range r.Undecided {
		fmt.Fprintf(w, "  ?         %s\n", u)
	}
	if len(r.Differences) > 0 {
		fmt.Fprintf(w, "\ndifferences:\n")
		for i, d := range r.Differences {
			if i == maxDiffLines {
				fmt.Fprintf(w, "  and %d more\n", len(r.Differences)-maxDiffLines)
				break
			}
			fmt.Fprintf(w, "  %s\n", d)
		}
	}
	fmt.Fprintln(w)
	switch r.Status {
	case Match:
		fmt.Fprintf(w, "MATCH: epoch %d recomputed from chain data equals what the contract accepted", r.Epoch)
		if r.Published != nil {
			fmt.Fprintf(w, " and the published result")
		}
		fmt.Fprintln(w)
	case Mismatch:
		fmt.Fprintf(w, "MISMATCH: epoch %d: %d difference(s)\n", r.Epoch, len(r.Differences))
	default:
		fmt.Fprintf(w, "UNDECIDED: epoch %d\n", r.Epoch)
	}
}

func reasonText(reason string) string {
	switch reason {
	case calc.ReasonMissedSlots:
		return reason + " (not in good standing during the epoch)"
	case calc.ReasonNotActive:
		return reason + " (not active in every block of the epoch)"
	}
	return reason
}

func blockRange(from, to uint64) string {
	if from == to {
		return strconv.FormatUint(from, 10)
	}
	return fmt.Sprintf("%d–%d", from, to)
}

// compactBlocks renders ascending block numbers as ranges of consecutive
// blocks, at most max entries, then how many blocks are left.
func compactBlocks(blocks []uint64, max int) string {
	var parts []string
	shown := 0
	for i := 0; i < len(blocks); {
		j := i
		for j+1 < len(blocks) && blocks[j+1] == blocks[j]+1 {
			j++
		}
		if len(parts) == max {
			parts = append(parts, fmt.Sprintf("… and %d more", len(blocks)-shown))
			break
		}
		parts = append(parts, blockRange(blocks[i], blocks[j]))
		shown += j - i + 1
		i = j + 1
	}
	return fmt.Sprintf("%s (%d blocks)", strings.Join(parts, ", "), len(blocks))
}
