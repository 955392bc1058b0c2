package main

// Loading the files rewardd publishes, from a directory or over HTTP (a
// static file server, or rewardd's API), shared by audit, report and proof.

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
	"github.com/holiman/uint256"
	"github.com/shopspring/decimal"

	"github.com/cmt-rewards/cmt-rewards/calc"
	"github.com/cmt-rewards/cmt-rewards/calc/merkle"
	"github.com/cmt-rewards/cmt-rewards/settle"
)

// defaultSource is rewardd's API on its default listen address.
const defaultSource = "http://127.0.0.1:8480"

// fetchTimeout bounds one HTTP fetch of a published file.
const fetchTimeout = 60 * time.Second

// maxFetch is the largest published file read (a result of millions of
// accounts is a few hundred MB).
const maxFetch = 4 << 30

var httpClient = &http.Client{Timeout: fetchTimeout}

// errNotPublished is wrapped when a published file does not exist (a
// missing file, or HTTP 404).
var errNotPublished = errors.New("not published")

func isURL(loc string) bool {
	return strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://")
}

// fetch reads a file path or an http(s) URL. HTTP errors name the URL and
// the status, with the server's error message when it sends one.
func fetch(ctx context.Context, loc string) ([]byte, error) {
	if !isURL(loc) {
		b, err := os.ReadFile(loc)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %v", errNotPublished, err)
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
			err = fmt.Errorf("%w: %w", errNotPublished, err)
		}
		return nil, err
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

// source is where published epochs are read: a publish directory, or the
// base URL of rewardd's API.
type source struct {
	loc string
}

func newSource(loc string) (source, error) {
	if loc == "" {
		return source{}, fmt.Errorf("%w: --source is empty", errUsage)
	}
	if isURL(loc) {
		u, err := url.Parse(loc)
		if err != nil || u.Host == "" {
			return source{}, fmt.Errorf("%w: --source %q is not a valid URL", errUsage, loc)
		}
		return source{loc: strings.TrimRight(loc, "/")}, nil
	}
	return source{loc: loc}, nil
}

func (s source) isAPI() bool { return isURL(s.loc) }

// resultLoc is where epoch k's result file is.
func (s source) resultLoc(k uint64) string {
	if s.isAPI() {
		return fmt.Sprintf("%s/v1/epochs/%d/result", s.loc, k)
	}
	_, _, _, result := settle.FileNames(k)
	return filepath.Join(s.loc, result)
}

// inputLoc is where epoch k's input file is; the API does not serve inputs.
func (s source) inputLoc(k uint64) (string, bool) {
	if s.isAPI() {
		return "", false
	}
	in, _, _, _ := settle.FileNames(k)
	return filepath.Join(s.loc, in), true
}

// result reads and checks epoch k's published result: it must be a
// consistent cmt-epoch-payouts-v1 document (its tree rebuilt, its root
// checked) of epoch k.
func (s source) result(ctx context.Context, k uint64) (*calc.Result, error) {
	loc := s.resultLoc(k)
	raw, err := fetch(ctx, loc)
	if err != nil {
		return nil, fmt.Errorf("result of epoch %d: %w", k, err)
	}
	res, err := calc.DecodeResult(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", loc, err)
	}
	if res.Epoch != k {
		return nil, fmt.Errorf("%s is the result of epoch %d, not %d", loc, res.Epoch, k)
	}
	return res, nil
}

var apiResultPath = regexp.MustCompile(`/v1/epochs/([0-9]+)/result$`)

// siblingResult returns where the result of epoch k is published, given
// where another epoch's result is: the same directory (or URL directory)
// with FileNames(k), or the API path of epoch k.
func siblingResult(loc string, k uint64) string {
	_, _, _, name := settle.FileNames(k)
	if !isURL(loc) {
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

// cumulatives are every account's cumulative payout after one epoch, from
// its published result or tree dump, with the root they make.
type cumulatives struct {
	Balances []calc.Balance
	Root     common.Hash
	Epoch    *uint64 // nil for a tree dump, which does not say
	Kind     string  // "result" or "tree"
}

// loadCumulatives reads an epoch's published result (cmt-epoch-payouts-v1)
// or tree dump (standard-v1) and returns its leaves and root; both are
// checked for internal consistency (the root is recomputed).
func loadCumulatives(ctx context.Context, loc string) (*cumulatives, error) {
	raw, err := fetch(ctx, loc)
	if err != nil {
		return nil, err
	}
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, fmt.Errorf("%s: not a JSON object: %v", loc, err)
	}
	switch head.Format {
	case merkle.DumpFormat:
		t, err := merkle.ReadDump(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", loc, err)
		}
		c := &cumulatives{Root: t.Root(), Kind: "tree", Balances: make([]calc.Balance, t.Len())}
		for i := range t.Len() {
			l := t.Leaf(i)
			c.Balances[i] = calc.Balance{Account: l.Account, Amount: *l.Cumulative}
		}
		return c, nil
	default:
		res, err := calc.DecodeResult(bytes.NewReader(raw))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", loc, err)
		}
		c := &cumulatives{Root: res.MerkleRoot, Kind: "result", Epoch: &res.Epoch, Balances: make([]calc.Balance, len(res.Payouts))}
		for i, p := range res.Payouts {
			c.Balances[i] = calc.Balance{Account: p.Account, Amount: p.Cumulative}
		}
		return c, nil
	}
}

// cmt renders wei as CMT with exactly 18 decimals.
func cmt(wei *uint256.Int) string {
	return decimal.NewFromBigInt(wei.ToBig(), -18).StringFixed(18)
}

// parseAddress parses a command-line account address.
func parseAddress(flagName, s string) (common.Address, error) {
	if !common.IsHexAddress(s) || !strings.HasPrefix(s, "0x") && !strings.HasPrefix(s, "0X") {
		return common.Address{}, fmt.Errorf("%w: %s %q: expected a 0x-prefixed 20-byte hex address", errUsage, flagName, s)
	}
	return common.HexToAddress(s), nil
}
