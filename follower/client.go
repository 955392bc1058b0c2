package follower

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"sync"

	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/rpc"
)

// Client is a node connection for bulk reading: an *rpc.Client for every
// call, plus, over HTTP(S), a lean path for the one request the Fetcher
// makes by the thousand — a batch of headers by number. It asks for them
// with eth_getHeaderByNumber(n) where the node has it (geth does; it
// costs the node about a quarter less than a header-only block, which
// carries the same header fields), else eth_getBlockByNumber(n, false).
// That batch is written and its reply split into per-block JSON without
// go-ethereum's generic JSON-RPC decoding (about half the client's CPU per
// block); whatever the splitter does not recognise is decoded by
// encoding/json instead, so errors read the same. The node sees the same
// requests either way. To a loopback node it does not ask for gzip, which
// costs both sides CPU for no gain. A Client is safe for concurrent use.
type Client struct {
	*rpc.Client
	url  string // "" when the lean path is off (not HTTP)
	http *http.Client

	mu     sync.Mutex
	method string // the header method, once known
}

// The header methods, preferred first.
const (
	methodHeader = "eth_getHeaderByNumber"
	methodBlock  = "eth_getBlockByNumber"
)

// errMethodNotFound is JSON-RPC's code for a method the node does not
// have.
const errMethodNotFound = -32601

// headerMethod returns the method headers are read with: on first use it
// asks the node for header 0 with eth_getHeaderByNumber, and a node that
// answers "method not found" gets eth_getBlockByNumber. Other errors are
// returned and decide nothing.
func (c *Client) headerMethod(ctx context.Context) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.method != "" {
		return c.method, nil
	}
	var raw json.RawMessage
	err := c.CallContext(ctx, &raw, methodHeader, "0x0")
	var re rpc.Error
	switch {
	case err == nil:
		c.method = methodHeader
	case errors.As(err, &re) && re.ErrorCode() == errMethodNotFound:
		c.method = methodBlock
	default:
		return "", fmt.Errorf("probe %s: %w", methodHeader, err)
	}
	return c.method, nil
}

// headerParams closes the params of a header request the lean path
// writes by hand (the number is written before it): headerArgs as JSON.
func headerParams(method string) string {
	if method == methodBlock {
		return `",false]}`
	}
	return `"]}`
}

// headerArgs are the params of method's request for header n: the
// number, and for eth_getBlockByNumber false (no transactions).
func headerArgs(method string, n uint64) []any {
	if method == methodBlock {
		return []any{hexutil.Uint64(n), false}
	}
	return []any{hexutil.Uint64(n)}
}

// maxBatchReply bounds the reply to one header batch.
const maxBatchReply = 256 << 20

// Dial connects to a node for bulk reading with up to conns requests in
// flight. Non-HTTP URLs (ws, ipc) get a plain rpc.Client.
func Dial(ctx context.Context, rawURL string, conns int) (*Client, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		c, err := rpc.DialContext(ctx, rawURL)
		if err != nil {
			return nil, err
		}
		return &Client{Client: c}, nil
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(conns, 1) + 2
	tr.DisableCompression = isLoopback(u.Hostname())
	hc := &http.Client{Transport: tr}
	c, err := rpc.DialOptions(ctx, rawURL, rpc.WithHTTPClient(hc))
	if err != nil {
		return nil, err
	}
	return &Client{Client: c, url: rawURL, http: hc}, nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// headerBatcher is the lean path the Fetcher uses when its RPC has one.
type headerBatcher interface {
	blocksByNumber(ctx context.Context, from, to uint64) ([]json.RawMessage, error)
}

// blocksByNumber returns header n (by the method headerMethod picks) for n in [from, to]
// as each block's raw JSON result ("null" for none), in one batch request.
// A JSON-RPC error for a block is returned as "get block N: message".
func (c *Client) blocksByNumber(ctx context.Context, from, to uint64) ([]json.RawMessage, error) {
	method, err := c.headerMethod(ctx)
	if err != nil {
		return nil, fmt.Errorf("batch get blocks: %w", err)
	}
	if c.url == "" {
		return batchHeadersRPC(ctx, c.Client, method, from, to)
	}
	params := headerParams(method)
	n := int(to - from + 1)
	body := make([]byte, 0, n*80)
	body = append(body, '[')
	for i := 0; i < n; i++ {
		if i > 0 {
			body = append(body, ',')
		}
		body = append(body, `{"jsonrpc":"2.0","id":`...)
		body = strconv.AppendInt(body, int64(i), 10)
		body = append(body, `,"method":"`...)
		body = append(body, method...)
		body = append(body, `","params":["0x`...)
		body = strconv.AppendUint(body, from+uint64(i), 16)
		body = append(body, params...)
	}
	body = append(body, ']')
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("batch get blocks: %w", err)
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(io.LimitReader(resp.Body, maxBatchReply+1))
	if err != nil {
		return nil, fmt.Errorf("batch get blocks: read reply: %w", err)
	}
	if len(reply) > maxBatchReply {
		return nil, fmt.Errorf("batch get blocks: reply exceeds %d bytes", maxBatchReply)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("batch get blocks: %s: %s", resp.Status, bytes.TrimSpace(reply[:min(len(reply), 200)]))
	}
	raws, ok := splitBatch(reply, n)
	if !ok {
		return decodeBatch(reply, n, from)
	}
	return raws, nil
}

// batchBlocksRPC is blocksByNumber through an RPC's batch call, with
// eth_getBlockByNumber (any node has it).
func batchBlocksRPC(ctx context.Context, c RPC, from, to uint64) ([]json.RawMessage, error) {
	return batchHeadersRPC(ctx, c, methodBlock, from, to)
}

// batchHeadersRPC is blocksByNumber through an RPC's batch call of method
// (methodHeader or methodBlock).
func batchHeadersRPC(ctx context.Context, c RPC, method string, from, to uint64) ([]json.RawMessage, error) {
	n := int(to - from + 1)
	raws := make([]json.RawMessage, n)
	elems := make([]rpc.BatchElem, n)
	for i := range elems {
		elems[i] = rpc.BatchElem{Method: method, Args: headerArgs(method, from+uint64(i)), Result: &raws[i]}
	}
	if err := c.BatchCallContext(ctx, elems); err != nil {
		return nil, fmt.Errorf("batch get blocks: %w", err)
	}
	for i := range elems {
		if elems[i].Error != nil {
			return nil, fmt.Errorf("get block %d: %w", from+uint64(i), elems[i].Error)
		}
	}
	return raws, nil
}

// rpcError is a JSON-RPC error object.
type rpcError struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

// decodeBatch is the slow, obviously right reading of a batch reply of n
// answers with ids 0..n-1.
func decodeBatch(reply []byte, n int, from uint64) ([]json.RawMessage, error) {
	var answers []struct {
		ID     json.RawMessage  `json:"id"`
		Result json.RawMessage  `json:"result"`
		Error  *json.RawMessage `json:"error"`
	}
	if err := json.Unmarshal(reply, &answers); err != nil {
		var single struct {
			Error *rpcError `json:"error"`
		}
		if json.Unmarshal(reply, &single) == nil && single.Error != nil {
			return nil, fmt.Errorf("batch get blocks: %s (code %d)", single.Error.Message, single.Error.Code)
		}
		return nil, fmt.Errorf("batch get blocks: %w: reply is not a JSON-RPC batch: %v", ErrBadReply, err)
	}
	raws := make([]json.RawMessage, n)
	for _, a := range answers {
		id, err := strconv.Atoi(string(a.ID))
		if err != nil || id < 0 || id >= n || raws[id] != nil {
			return nil, fmt.Errorf("batch get blocks: %w: unexpected or repeated id %s", ErrBadReply, a.ID)
		}
		if a.Error != nil {
			var e rpcError
			if json.Unmarshal(*a.Error, &e) != nil {
				return nil, fmt.Errorf("get block %d: %w: error %s", from+uint64(id), ErrBadReply, *a.Error)
			}
			return nil, fmt.Errorf("get block %d: %s", from+uint64(id), e.Message)
		}
		if a.Result == nil {
			a.Result = json.RawMessage("null")
		}
		raws[id] = a.Result
	}
	for i, r := range raws {
		if r == nil {
			return nil, fmt.Errorf("get block %d: %w: no answer in the batch reply", from+uint64(i), ErrBadReply)
		}
	}
	return raws, nil
}

// splitBatch splits a batch reply of exactly n answers shaped
// {"jsonrpc":"2.0","id":K,"result":V} (keys in any order, K distinct in
// 0..n-1) into the raw V of each id, slices of reply. Anything else (an
// error answer, another key, escapes in keys, a malformed value) reports
// false, for decodeBatch.
func splitBatch(reply []byte, n int) ([]json.RawMessage, bool) {
	s := &scan{b: reply}
	raws := make([]json.RawMessage, n)
	if !s.tok('[') {
		return nil, false
	}
	for k := 0; k < n; k++ {
		if k > 0 && !s.tok(',') {
			return nil, false
		}
		if !s.tok('{') {
			return nil, false
		}
		id, result, version := -1, json.RawMessage(nil), false
		for first := true; ; first = false {
			if s.tok('}') {
				break
			}
			if !first && !s.tok(',') {
				return nil, false
			}
			key, ok := s.key()
			if !ok {
				return nil, false
			}
			switch string(key) {
			case "jsonrpc":
				v, ok := s.value()
				if !ok || version || string(v) != `"2.0"` {
					return nil, false
				}
				version = true
			case "id":
				v, ok := s.value()
				if !ok || id >= 0 {
					return nil, false
				}
				x, err := strconv.Atoi(string(v))
				if err != nil || x < 0 || x >= n || raws[x] != nil || (len(v) > 1 && v[0] == '0') {
					return nil, false
				}
				id = x
			case "result":
				v, ok := s.value()
				if !ok || result != nil {
					return nil, false
				}
				result = v
			default:
				return nil, false
			}
		}
		if id < 0 || result == nil || !version {
			return nil, false
		}
		raws[id] = result
	}
	if !s.tok(']') {
		return nil, false
	}
	s.ws()
	return raws, s.i == len(s.b)
}

// scan is a JSON scanner over one document: the primitives of the batch
// splitter and the header scanner (strings without escapes, punctuation,
// the extents of values).
type scan struct {
	b []byte
	i int
}

func (s *scan) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\n' || s.b[s.i] == '\t' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *scan) tok(c byte) bool {
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str reads a JSON string without escapes or control characters and
// returns its contents.
func (s *scan) str() ([]byte, bool) {
	if !s.tok('"') {
		return nil, false
	}
	start := s.i
	s.i += special(s.b[s.i:])
	if s.i < len(s.b) && s.b[s.i] == '"' {
		s.i++
		return s.b[start : s.i-1], true
	}
	return nil, false
}

// special returns the index of b's first byte that is '"', '\\' or a
// control character (below 0x20), or len(b): eight bytes at a time, since
// most of a header reply is long hex strings. Each test below is the
// exact "some byte is zero / below n" word trick; the byte loop then
// finds which.
func special(b []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		q, bs := w^(ones*'"'), w^(ones*'\\')
		if ((q-ones)&^q|(bs-ones)&^bs|(w-ones*0x20)&^w)&highs != 0 {
			break
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c == '"' || c == '\\' || c < 0x20 {
			return i
		}
	}
	return len(b)
}

// key reads a plain object key (a str) and its colon.
func (s *scan) key() ([]byte, bool) {
	k, ok := s.str()
	return k, ok && s.tok(':')
}

// value returns the extent of the next JSON value: a string without
// escapes, a number or literal (checked by json.Valid), or an object or
// array (brackets matched outside strings, not validated: see below).
func (s *scan) value() ([]byte, bool) {
	s.ws()
	if s.i >= len(s.b) {
		return nil, false
	}
	start := s.i
	switch c := s.b[s.i]; {
	case c == '"':
		if _, ok := s.str(); !ok {
			return nil, false
		}
		return s.b[start:s.i], true
	case c == '{' || c == '[':
		depth, inStr := 0, false
		for ; s.i < len(s.b); s.i++ {
			c := s.b[s.i]
			switch {
			case inStr:
				// Skip to the next quote, backslash or control
				// character (a control character is not valid JSON;
				// it is left to the validating user).
				s.i += special(s.b[s.i:])
				if s.i >= len(s.b) {
					return nil, false
				}
				if s.b[s.i] == '\\' {
					s.i++
				} else if s.b[s.i] == '"' {
					inStr = false
				}
			case c == '"':
				inStr = true
			case c == '{' || c == '[':
				depth++
			case c == '}' || c == ']':
				depth--
				if depth == 0 {
					s.i++
					// Not validated here: the one user, the header
					// decoder, accepts only valid JSON.
					return s.b[start:s.i], true
				}
			}
		}
		return nil, false
	default:
	scalar:
		for ; s.i < len(s.b); s.i++ {
			switch s.b[s.i] {
			case ',', '}', ']', ' ', '\n', '\t', '\r':
				break scalar
			}
		}
		v := s.b[start:s.i]
		return v, len(v) > 0 && json.Valid(v)
	}
}
