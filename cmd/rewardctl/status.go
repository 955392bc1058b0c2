package main

// rewardctl status: the daemon's status, readable by a person.

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/cmt-rewards/cmt-rewards/api"
	"github.com/cmt-rewards/cmt-rewards/internal/units"
	"github.com/cmt-rewards/cmt-rewards/published"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

func runStatus(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "status", "[--api URL] [--json]", commonExits)
	apiURL := fs.String("api", published.DefaultSource, "rewardd's API base URL")
	asJSON := fs.Bool("json", false, "print the status as JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	base := strings.TrimRight(*apiURL, "/")
	raw, err := published.Fetch(ctx, base+"/v1/status")
	if err != nil {
		return err
	}
	if *asJSON {
		_, err := e.stdout.Write(raw)
		return err
	}
	var st api.Status
	if err := json.Unmarshal(raw, &st); err != nil {
		return fmt.Errorf("%s/v1/status: %w", base, err)
	}
	var recs []settle.Record
	if raw, err := published.Fetch(ctx, base+"/v1/epochs"); err == nil {
		json.Unmarshal(raw, &recs)
	}
	health := "healthy"
	if raw, err := published.Fetch(ctx, base+"/healthz"); err != nil {
		health = "UNHEALTHY: " + err.Error()
	} else if !strings.Contains(string(raw), `"ok": true`) {
		health = "UNHEALTHY: " + strings.Join(strings.Fields(string(raw)), " ")
	}
	w := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "rewardd\t%s (%s)\n", base, health)
	fmt.Fprintf(w, "chain head\t%d\n", st.ChainHead)
	fmt.Fprintf(w, "ledger height\t%d (%d blocks behind)\n", st.LedgerHeight, st.LagBlocks)
	if st.LastSync != nil {
		fmt.Fprintf(w, "last sync\t%s (%s ago)\n", st.LastSync.Format(time.RFC3339), time.Since(*st.LastSync).Round(time.Second))
	}
	fmt.Fprintf(w, "rpc errors\t%d, reorgs %d, vote transactions %d\n", st.RPCErrors, st.Reorgs, st.SubmitAttempt)
	if d := st.SetDrift; d != nil {
		for _, v := range d.NotSigners {
			fmt.Fprintf(w, "set drift\tvalidator %s is not a Clique signer (not in good standing): vote it into Clique or remove it\n", v.Hex())
		}
		for _, s := range d.NotValidators {
			fmt.Fprintf(w, "set drift\tClique signer %s validates for no active validator: vote it out of Clique or promote it\n", s.Hex())
		}
	}
	if st.DriftError != "" {
		fmt.Fprintf(w, "set drift\tunknown: %s\n", st.DriftError)
	}
	w.Flush()
	if len(recs) == 0 {
		fmt.Fprintln(e.stdout, "\nno epoch computed yet")
		return nil
	}
	fmt.Fprintln(e.stdout)
	w = tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "EPOCH\tBLOCKS\tSTATE\tACCEPTED\tDISTRIBUTED (CMT)\tACCOUNTS\tROOT\tNOTE")
	for _, r := range recs {
		blocks := fmt.Sprintf("%d-%d", r.FirstBlock, r.LastBlock)
		if r.Empty {
			blocks = "none"
		}
		note := r.Error
		switch r.State {
		case settle.StateDisputed:
			note = r.Reason + ": chain root " + r.ChainRoot.Hex()
		case settle.StateUnderfunded:
			note = r.Reason
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%v\t%s\t%d\t%s\t%s\n", r.Epoch, blocks, r.State, r.Accepted, cmtOf(r.Distributed), r.Accounts, shortHash(r.Root.Hex()), note)
	}
	return w.Flush()
}

// cmtOf renders a record's decimal wei as CMT, or as is if it is not one.
func cmtOf(wei string) string {
	if c, err := units.FormatDecimalWei(wei); err == nil {
		return c
	}
	return wei
}

func shortHash(h string) string {
	if len(h) < 14 {
		return h
	}
	return h[:10] + "…" + h[len(h)-4:]
}
