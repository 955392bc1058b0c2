package api

import (
	"net/http"
	"slices"
)

// corsPolicy answers cross-origin reads for the origins configured in
// api.cors_origins: the API is read-only, so only GET (and its preflight)
// is allowed, without credentials. With no origins it does nothing, and
// browsers keep other origins' pages from reading the API.
type corsPolicy struct {
	any     bool     // "*": every origin (not recommended)
	origins []string // exact scheme://host[:port] strings, as config checks them
}

func newCORS(origins []string) corsPolicy {
	return corsPolicy{any: slices.Contains(origins, "*"), origins: slices.Clone(origins)}
}

// preflightMaxAge is how long a browser may cache a preflight answer, in
// seconds.
const preflightMaxAge = "600"

// handle adds the CORS headers for an allowed origin, and answers a
// preflight request itself (204), reporting true when it did so.
func (c corsPolicy) handle(w http.ResponseWriter, r *http.Request) bool {
	if !c.any && len(c.origins) == 0 {
		return false
	}
	h := w.Header()
	// The answer depends on Origin, so caches must key on it.
	h.Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	allowed := origin != "" && (c.any || slices.Contains(c.origins, origin))
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if !allowed {
		if preflight {
			// No CORS headers: the browser refuses the request it asked about.
			w.WriteHeader(http.StatusNoContent)
			return true
		}
		return false
	}
	if c.any {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if !preflight {
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
		h.Set("Access-Control-Allow-Headers", "Content-Type")
	}
	h.Set("Access-Control-Max-Age", preflightMaxAge)
	w.WriteHeader(http.StatusNoContent)
	return true
}
