package follower

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/ethereum/go-ethereum/rpc"
	"go.uber.org/zap"

	"github.com/cmt-rewards/cmt-rewards/internal/testnet"
	"github.com/cmt-rewards/cmt-rewards/ledger"
)

// TestClientMatchesRPC: the lean batch path returns byte for byte what
// go-ethereum's client returns for the same blocks of a real node, and a
// Follower on it ingests the same ledger.
func TestClientMatchesRPC(t *testing.T) {
	ctx := context.Background()
	n := testnet.New(t, testnet.Options{CliqueEpoch: 5})
	n.Commit(t, n.Stake(t, 0, 1, 7))
	n.Mine(t, 40)
	head := n.Chain.Head().Number.Uint64()
	c, err := Dial(ctx, n.Chain.RPCURL(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	plain, err := rpc.Dial(n.Chain.RPCURL())
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	lean, err := c.blocksByNumber(ctx, 0, head+2) // two past the head: null
	if err != nil {
		t.Fatal(err)
	}
	if c.method != methodHeader {
		t.Fatalf("header method %q on a node that has %s", c.method, methodHeader)
	}
	want, err := batchHeadersRPC(ctx, plain, methodHeader, 0, head+2)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !bytes.Equal(lean[i], want[i]) {
			t.Fatalf("block %d: lean %s, rpc %s", i, lean[i], want[i])
		}
	}
	// And with eth_getBlockByNumber, as for a node without the other.
	cb, err := Dial(ctx, n.Chain.RPCURL(), 2)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	cb.method = methodBlock
	leanBlocks, err := cb.blocksByNumber(ctx, 0, head+2)
	if err != nil {
		t.Fatal(err)
	}
	if want, err = batchBlocksRPC(ctx, plain, 0, head+2); err != nil {
		t.Fatal(err)
	}
	for i := range want {
		if !bytes.Equal(leanBlocks[i], want[i]) {
			t.Fatalf("block %d: lean %s, rpc %s", i, leanBlocks[i], want[i])
		}
	}
	if string(lean[head+1]) != "null" {
		t.Fatalf("past the head: %s", lean[head+1])
	}

	sync := func(client RPC) []ledger.Block {
		l, err := ledger.Open(t.TempDir()+"/l.db", ledger.Identity{ChainID: n.Chain.ChainID().Uint64(), Contract: n.Contract}, 0)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		f := New(Config{Contract: n.Contract, CliqueEpoch: 5, BatchSize: 7, Concurrency: 3, Confirmations: 1}, client, l, zap.NewNop())
		if _, err := f.SyncOnce(ctx); err != nil {
			t.Fatal(err)
		}
		var blocks []ledger.Block
		if err := l.Blocks(1, head, func(b *ledger.Block) error { blocks = append(blocks, *b); return nil }); err != nil {
			t.Fatal(err)
		}
		return blocks
	}
	// Headers by eth_getHeaderByNumber (lean), blocks by
	// eth_getBlockByNumber (lean and go-ethereum's client): one ledger.
	a, b, bb := sync(c), sync(plain), sync(cb)
	if len(a) < int(head)-1 || len(a) != len(b) || fmt.Sprint(a) != fmt.Sprint(b) || fmt.Sprint(a) != fmt.Sprint(bb) {
		t.Fatalf("lean ledger %d blocks, rpc ledger %d blocks, or they differ", len(a), len(b))
	}
}

// TestClientHeaderMethod: a node that does not have eth_getHeaderByNumber
// is read with eth_getBlockByNumber; a failed probe decides nothing.
func TestClientHeaderMethod(t *testing.T) {
	ctx := context.Background()
	n := testnet.New(t, testnet.Options{CliqueEpoch: 5})
	n.Mine(t, 3)
	var mu sync.Mutex // guards failing and asked
	failing := true
	var asked []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if bytes.Contains(body, []byte(methodHeader)) {
			asked = append(asked, "header")
			if failing {
				http.Error(w, "restarting", http.StatusServiceUnavailable)
				return
			}
			w.Write([]byte(`{"jsonrpc":"2.0","id":1,"error":{"code":-32601,"message":"the method eth_getHeaderByNumber does not exist/is not available"}}`))
			return
		}
		asked = append(asked, "block")
		resp, err := http.Post(n.Chain.RPCURL(), "application/json", bytes.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		io.Copy(w, resp.Body)
	}))
	defer srv.Close()
	c, err := Dial(ctx, srv.URL, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.blocksByNumber(ctx, 1, 2); err == nil || !strings.Contains(err.Error(), "probe eth_getHeaderByNumber") {
		t.Fatalf("probe failed with 503: got %v", err)
	}
	mu.Lock()
	failing = false
	mu.Unlock()
	raws, err := c.blocksByNumber(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if c.method != methodBlock || strings.Join(asked, ",") != "header,header,block" {
		t.Fatalf("method %q after asking %v", c.method, asked)
	}
	if _, err := decodeHeader(raws[1], 2, 5); err != nil {
		t.Fatal(err)
	}
}

// TestClientReplies: the lean path's answer to odd or failing replies.
func TestClientReplies(t *testing.T) {
	ctx := context.Background()
	ok := `[{"jsonrpc":"2.0","id":1,"result":{"a":"}"}},{"id":0,"jsonrpc":"2.0","result":null}]`
	for _, tc := range []struct {
		name, reply string
		status      int
		want        []string // the two raws
		err         string
	}{
		{"reordered", ok, 200, []string{"null", `{"a":"}"}`}, ""},
		{"spaces", "[ {\"jsonrpc\" : \"2.0\", \"id\":0 ,\"result\": [1, {\"b\":[]}] } ,\n{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":\"x\"}]\n", 200, []string{`[1, {"b":[]}]`, `"x"`}, ""},
		{"escaped result", `[{"jsonrpc":"2.0","id":0,"result":"a\"b"},{"jsonrpc":"2.0","id":1,"result":1}]`, 200, []string{`"a\"b"`, "1"}, ""},
		{"error answer", `[{"jsonrpc":"2.0","id":0,"result":1},{"jsonrpc":"2.0","id":1,"error":{"code":-32000,"message":"header not found"}}]`, 200, nil, "get block 11: header not found"},
		{"whole-batch error", `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"batch too large"}}`, 200, nil, "batch get blocks: batch too large (code -32600)"},
		{"missing answer", `[{"jsonrpc":"2.0","id":0,"result":1}]`, 200, nil, "get block 11: bad RPC reply: no answer in the batch reply"},
		{"repeated id", `[{"jsonrpc":"2.0","id":0,"result":1},{"jsonrpc":"2.0","id":0,"result":1}]`, 200, nil, "unexpected or repeated id 0"},
		{"id out of range", `[{"jsonrpc":"2.0","id":0,"result":1},{"jsonrpc":"2.0","id":2,"result":1}]`, 200, nil, "unexpected or repeated id 2"},
		{"not json", `<html>`, 200, nil, "reply is not a JSON-RPC batch"},
		{"http error", `overloaded`, 503, nil, "batch get blocks: 503 Service Unavailable: overloaded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Accept-Encoding") == "gzip" {
					t.Errorf("asked a loopback node for gzip")
				}
				w.WriteHeader(tc.status)
				w.Write([]byte(tc.reply))
			}))
			defer srv.Close()
			c, err := Dial(ctx, srv.URL, 1)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.method = methodBlock // this server answers every request alike
			raws, err := c.blocksByNumber(ctx, 10, 11)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("got %v, want an error containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for i, w := range tc.want {
				if string(raws[i]) != w {
					t.Fatalf("raw %d = %s, want %s", i, raws[i], w)
				}
			}
		})
	}
}

// FuzzSplitBatch: whatever the fast splitter accepts, encoding/json reads
// the same way (when the values are valid JSON, which the header decoder
// requires of them).
func FuzzSplitBatch(f *testing.F) {
	f.Add([]byte(`[{"jsonrpc":"2.0","id":1,"result":{"a":"}"}},{"id":0,"jsonrpc":"2.0","result":null}]`), uint8(2))
	f.Add([]byte(`[{"jsonrpc":"2.0","id":0,"result":[1,"]",{"x":{}}]}]`), uint8(1))
	f.Fuzz(func(t *testing.T, reply []byte, n uint8) {
		k := int(n%8) + 1
		raws, ok := splitBatch(reply, k)
		if !ok {
			return
		}
		for _, r := range raws {
			if !json.Valid(r) {
				return
			}
		}
		want, err := decodeBatch(reply, k, 0)
		if err != nil {
			t.Fatalf("split %q but encoding/json: %v", reply, err)
		}
		for i := range want {
			if !bytes.Equal(raws[i], want[i]) {
				t.Fatalf("answer %d: split %s, encoding/json %s", i, raws[i], want[i])
			}
		}
	})
}

// TestSpecial: the word-at-a-time search finds what a byte loop finds.
func TestSpecial(t *testing.T) {
	r := rand.New(rand.NewSource(6))
	alphabet := []byte("0123456789abcdefx\"\\\x00\x1f \x7f\x80\xff")
	for i := 0; i < 20000; i++ {
		b := make([]byte, r.Intn(40))
		for j := range b {
			if r.Intn(8) == 0 {
				b[j] = alphabet[r.Intn(len(alphabet))]
			} else {
				b[j] = "0123456789abcdef"[r.Intn(16)]
			}
		}
		want := len(b)
		for j, c := range b {
			if c == '"' || c == '\\' || c < 0x20 {
				want = j
				break
			}
		}
		if got := special(b); got != want {
			t.Fatalf("special(%q) = %d, want %d", b, got, want)
		}
	}
}
