package api

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/cmt-rewards/cmt-rewards/settle"
)

// livez is liveness: the process serves HTTP. It never looks at the chain
// or the ledger, so a supervisor restarts only a process that stopped
// answering, not one waiting for a node.
func (s *Server) livez(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// healthz is readiness: 200 while Problems is empty, 503 with the
// problems otherwise.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	if problems := s.Problems(r.Context()); len(problems) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"ok": false, "problems": problems})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true})
}

// Problems returns why the daemon is not ready, each a sentence, in a
// fixed order: following (no sync yet, a stale sync, lag beyond the
// bound), the daemon's own checks (Options.Health), and epochs that are
// disputed or underfunded. Empty when all is well. /healthz and
// /v1/status both answer from it, and rewardd logs its changes, so the
// three always agree.
func (s *Server) Problems(ctx context.Context) []string {
	var problems []string
	last := s.stats.LastSuccess.Load()
	if last == 0 {
		problems = append(problems, "no successful sync yet")
	} else if age := s.now().Sub(time.Unix(0, last)); age > s.stale {
		problems = append(problems, fmt.Sprintf("last successful sync %s ago (bound %s)", age.Round(time.Second), s.stale))
	}
	if lag := s.lag(); s.maxLag > 0 && lag > s.maxLag {
		problems = append(problems, fmt.Sprintf("the ledger lags %d blocks behind the node's head %d (bound %d)", lag, s.stats.ChainHead.Load(), s.maxLag))
	}
	if s.health != nil {
		problems = append(problems, s.health(ctx)...)
	}
	recs, err := s.settler.Records()
	if err != nil {
		problems = append(problems, "ledger: "+err.Error())
	}
	for _, rec := range recs {
		switch rec.State {
		case settle.StateDisputed:
			problems = append(problems, fmt.Sprintf("epoch %d disputed: %s", rec.Epoch, rec.Reason))
		case settle.StateUnderfunded:
			problems = append(problems, fmt.Sprintf("epoch %d underfunded: %s", rec.Epoch, rec.Reason))
		}
	}
	return problems
}
