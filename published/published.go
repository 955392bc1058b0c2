// Package published reads the files rewardd publishes for each epoch
// (settle.FileNames: input, tree dump, proofs, result) from a publish
// directory, a static file server, or rewardd's API, for the tools that
// check and use them (rewardctl audit, report, proof, claim, export).
//
// Everything read is checked before it is returned: a result is a
// consistent cmt-epoch-payouts-v1 document of the epoch asked for (its tree
// rebuilt, its root recomputed), an input a valid cmt-epoch-input-v1 of that
// epoch, a tree dump a valid standard-v1 dump.
package published

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ethereum/go-ethereum/common"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// ErrNotPublished is wrapped when a published file does not exist: a
// missing file, or HTTP 404 (rewardd's API answers 404 for an epoch it has
// not computed, and for the input of an epoch without blocks).
var ErrNotPublished = errors.New("not published")

// DefaultSource is rewardd's API on its default listen address.
const DefaultSource = "http://127.0.0.1:8480"

// fetchTimeout bounds one HTTP fetch of a published file.
const fetchTimeout = 60 * time.Second

// maxFetch is the largest published file read (a result of millions of
// accounts is a few hundred MB).
const maxFetch = 4 << 30

var httpClient = &http.Client{Timeout: fetchTimeout}

// IsURL reports whether loc is an http(s) URL rather than a file path.
func IsURL(loc string) bool {
	return strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://")
}

// Fetch reads a file path or an http(s) URL, whole. HTTP errors name the
// URL and the status, with the server's error message when it sends one;
// a missing file or a 404 wraps ErrNotPublished.
func Fetch(ctx context.Context, loc string) ([]byte, error) {
	if !IsURL(loc) {
		b, err := os.ReadFile(loc)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %v", ErrNotPublished, err)
		}
		return b, err
	}
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc, nil)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", loc, err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // it repeats the URL
		}
		return nil, fmt.Errorf("GET %s: %w", loc, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, statusError(loc, resp)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFetch+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", loc, err)
	}
	if len(b) > maxFetch {
		return nil, fmt.Errorf("GET %s: larger than %d bytes", loc, maxFetch)
	}
	return b, nil
}

// statusError describes a non-200 answer, with the API's {"error": …}
// message or the start of the body.
func statusError(loc string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	msg := strings.TrimSpace(string(body))
	var apiErr struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &apiErr) == nil && apiErr.Error != "" {
		msg = apiErr.Error
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	err := fmt.Errorf("GET %s: %s", loc, resp.Status)
	if msg != "" {
		err = fmt.Errorf("GET %s: %s: %s", loc, resp.Status, msg)
	}
	if resp.StatusCode == http.StatusNotFound {
		err = fmt.Errorf("%w: %w", ErrNotPublished, err)
	}
	return err
}

// Source is where published epochs are read: a publish directory, or the
// base URL of rewardd's API.
type Source struct {
	loc string
}

// NewSource returns the source at loc: an http(s) URL is rewardd's API
// base URL, anything else a publish directory.
func NewSource(loc string) (Source, error) {
	if loc == "" {
		return Source{}, errors.New("empty: expected a publish directory or rewardd's API URL")
	}
	if IsURL(loc) {
		u, err := url.Parse(loc)
		if err != nil || u.Host == "" {
			return Source{}, fmt.Errorf("%q is not a valid URL", loc)
		}
		return Source{loc: strings.TrimRight(loc, "/")}, nil
	}
	return Source{loc: loc}, nil
}

// IsAPI reports whether the source is rewardd's API.
func (s Source) IsAPI() bool { return IsURL(s.loc) }

// String is the directory or base URL.
func (s Source) String() string { return s.loc }

// ResultLoc is where epoch k's result is.
func (s Source) ResultLoc(k uint64) string {
	if s.IsAPI() {
		return fmt.Sprintf("%s/v1/epochs/%d/result", s.loc, k)
	}
	_, _, _, result := settle.FileNames(k)
	return filepath.Join(s.loc, result)
}

// InputLoc is where epoch k's input is (none for an epoch without blocks).
func (s Source) InputLoc(k uint64) string {
	if s.IsAPI() {
		return fmt.Sprintf("%s/v1/epochs/%d/input", s.loc, k)
	}
	in, _, _, _ := settle.FileNames(k)
	return filepath.Join(s.loc, in)
}

// Result reads and checks epoch k's published result: a consistent
// cmt-epoch-payouts-v1 document (its tree rebuilt, its root checked) of
// epoch k. A result not published wraps ErrNotPublished.
func (s Source) Result(ctx context.Context, k uint64) (*calc.Result, error) {
	return fetchEpoch(ctx, s.ResultLoc(k), "result", k, calc.DecodeResult, func(r *calc.Result) uint64 { return r.Epoch })
}

// Input reads and checks epoch k's published input: a valid
// cmt-epoch-input-v1 document of epoch k. An epoch without blocks has no
// input; that, like an input not published, wraps ErrNotPublished.
func (s Source) Input(ctx context.Context, k uint64) (*calc.Input, error) {
	return fetchEpoch(ctx, s.InputLoc(k), "input", k, calc.DecodeInput, func(in *calc.Input) uint64 { return in.Epoch })
}

// fetchEpoch reads the document at loc with decode and checks that it is
// epoch k's; what names the kind of document in errors.
func fetchEpoch[T any](ctx context.Context, loc, what string, k uint64, decode func(io.Reader) (T, error), epochOf func(T) uint64) (T, error) {
	var zero T
	raw, err := Fetch(ctx, loc)
	if err != nil {
		return zero, fmt.Errorf("%s of epoch %d: %w", what, k, err)
	}
	doc, err := decode(bytes.NewReader(raw))
	if err != nil {
		return zero, fmt.Errorf("%s: %w", loc, err)
	}
	if e := epochOf(doc); e != k {
		return zero, fmt.Errorf("%s is the %s of epoch %d, not %d", loc, what, e, k)
	}
	return doc, nil
}

// LatestAccepted asks rewardd's API for the latest epoch whose root the
// contract accepted (as the daemon last saw it); ok is false when none is.
// Only an API source knows: a publish directory does not record
// acceptance, and the call is an error.
func (s Source) LatestAccepted(ctx context.Context) (k uint64, ok bool, err error) {
	if !s.IsAPI() {
		return 0, false, fmt.Errorf("%s is a publish directory, which does not record which epochs the contract accepted", s.loc)
	}
	loc := s.loc + "/v1/epochs"
	raw, err := Fetch(ctx, loc)
	if err != nil {
		return 0, false, err
	}
	var recs []settle.Record
	if err := json.Unmarshal(raw, &recs); err != nil {
		return 0, false, fmt.Errorf("%s: %w", loc, err)
	}
	for _, r := range recs {
		if r.Settled() && (!ok || r.Epoch > k) {
			k, ok = r.Epoch, true
		}
	}
	return k, ok, nil
}

var apiResultPath = regexp.MustCompile(`/v1/epochs/([0-9]+)/result$`)

// SiblingResult returns where the result of epoch k is published, given
// where another epoch's result is: the same directory (or URL directory)
// with settle.FileNames(k), or the API path of epoch k. It returns "" for
// a URL that does not parse.
func SiblingResult(loc string, k uint64) string {
	_, _, _, name := settle.FileNames(k)
	if !IsURL(loc) {
		return filepath.Join(filepath.Dir(loc), name)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return ""
	}
	u.RawQuery, u.Fragment = "", ""
	if apiResultPath.MatchString(u.Path) {
		u.Path = apiResultPath.ReplaceAllString(u.Path, "/v1/epochs/"+strconv.FormatUint(k, 10)+"/result")
	} else {
		u.Path = path.Join(path.Dir(u.Path), name)
	}
	u.RawPath = ""
	return u.String()
}

// Kinds of Cumulatives.
const (
	KindResult = "result" // from a cmt-epoch-payouts-v1 result
	KindTree   = "tree"   // from a standard-v1 tree dump
)

// Cumulatives are every account's cumulative payout after one epoch, from
// its published result or tree dump, with the root they make.
type Cumulatives struct {
	Balances []calc.Balance
	Root     common.Hash
	Epoch    *uint64 // nil for a tree dump, which does not say
	Kind     string  // KindResult or KindTree
}

// LoadCumulatives reads an epoch's published result (cmt-epoch-payouts-v1)
// or tree dump (standard-v1), a file or URL, and returns its leaves and
// root; both are checked for internal consistency (the root is recomputed).
// A file not published wraps ErrNotPublished.
func LoadCumulatives(ctx context.Context, loc string) (*Cumulatives, error) {
	raw, err := Fetch(ctx, loc)
	if err != nil {
		return nil, err
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", loc, err)
	}
	if head.Format == merkle.DumpFormat {
		t, err := merkle.ReadDump(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", loc, err)
		}
		c := &Cumulatives{Root: t.Root(), Kind: KindTree, Balances: make([]calc.Balance, t.Len())}
		for i := range t.Len() {
			l := t.Leaf(i)
			c.Balances[i] = calc.Balance{Account: l.Account, Amount: *l.Cumulative}
		}
		return c, nil
	}
	res, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", loc, err)
	}
	c := &Cumulatives{Root: res.MerkleRoot, Kind: KindResult, Epoch: &res.Epoch, Balances: make([]calc.Balance, len(res.Payouts))}
	for i, p := range res.Payouts {
		c.Balances[i] = calc.Balance{Account: p.Account, Amount: p.Cumulative}
	}
	return c, nil
}
