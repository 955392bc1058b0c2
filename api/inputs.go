package api

import (
	"errors"
	"net/http"

	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// input serves /v1/epochs/{n}/input: epoch n's cmt-epoch-input-v1 file
// exactly as published, so that a client can recompute the epoch and
// break its payouts down by account, role and validator. 404 for an epoch
// not computed, and for an epoch without blocks, which has no input (its
// result carries the tree over); the message says which.
func (s *Server) input(w http.ResponseWriter, r *http.Request) {
	k, ok := epochParam(w, r)
	if !ok {
		return
	}
	raw, err := s.settler.InputBytes(k)
	if err == nil {
		w.Header().Set("Content-Type", "application/json")
		w.Write(raw)
		return
	}
	rec, rerr := s.settler.Record(k)
	switch {
	case !errors.Is(err, ledger.ErrNotFound):
		writeError(w, http.StatusInternalServerError, "ledger: %v", err)
	case rerr != nil:
		writeError(w, http.StatusInternalServerError, "ledger: %v", rerr)
	case rec != nil && rec.Empty:
		writeError(w, http.StatusNotFound, "epoch %d has no blocks and so no input: its result carries the tree over", k)
	default:
		writeError(w, http.StatusNotFound, "epoch %d has not been computed", k)
	}
}
