// Package rpcproxy is a JSON-RPC HTTP proxy for tests that injects the
// faults a flaky node or network produces: dropped requests, delayed
// replies, and replies garbled in transit. It is a fault injector for the
// one thing a real node here will not do on demand; everything behind it
// is real.
package rpcproxy

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Faults sets the share of requests (0..1) that get each fault. They are
// drawn independently in this order: drop, garble, delay.
type Faults struct {
	Drop     float64 // answer 502 without forwarding, or cut the connection
	Garble   float64 // forward, then corrupt one byte of the reply's result
	Delay    float64 // forward after waiting DelayFor
	DelayFor time.Duration
}

// Proxy forwards to a target JSON-RPC URL over loopback.
type Proxy struct {
	target string
	srv    *http.Server
	ln     net.Listener

	mu        sync.Mutex
	faults    Faults
	rng       *rand.Rand
	intercept func(body []byte) (drop bool)
	rewrite   func(body, reply []byte) []byte

	Requests, Dropped, Garbled, Delayed atomic.Int64
}

// Start listens on 127.0.0.1 and forwards to target. seed makes the fault
// sequence repeatable for a given request order.
func Start(target string, faults Faults, seed uint64) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, faults: faults, rng: rand.New(rand.NewPCG(seed, 1))}
	p.srv = &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	go p.srv.Serve(ln)
	return p, nil
}

// URL is the proxy's address.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// SetFaults changes the fault rates; zero Faults makes the proxy transparent.
func (p *Proxy) SetFaults(f Faults) {
	p.mu.Lock()
	p.faults = f
	p.mu.Unlock()
}

// SetIntercept installs f, called with every request body before the
// random faults; when it returns true the request is dropped (502) without
// reaching the target. Tests use it to count or drop particular methods.
func (p *Proxy) SetIntercept(f func(body []byte) (drop bool)) {
	p.mu.Lock()
	p.intercept = f
	p.mu.Unlock()
}

// SetRewrite installs f, called with every forwarded request body and the
// target's reply before the random faults touch it; the proxy sends what f
// returns instead of the reply. Tests use it to play a node that answers
// wrongly in a particular way. f may be called concurrently; nil removes
// it.
func (p *Proxy) SetRewrite(f func(body, reply []byte) []byte) {
	p.mu.Lock()
	p.rewrite = f
	p.mu.Unlock()
}

// Close stops the proxy.
func (p *Proxy) Close() error { return p.srv.Close() }

func (p *Proxy) draw() (drop, garble, delay bool, d time.Duration, pos float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := p.faults
	drop = p.rng.Float64() < f.Drop
	garble = p.rng.Float64() < f.Garble
	delay = p.rng.Float64() < f.Delay
	return drop, garble, delay, f.DelayFor, p.rng.Float64()
}

func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.Requests.Add(1)
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	p.mu.Lock()
	intercept, rewrite := p.intercept, p.rewrite
	p.mu.Unlock()
	if intercept != nil && intercept(body) {
		p.Dropped.Add(1)
		http.Error(w, "dropped by the test's intercept", http.StatusBadGateway)
		return
	}
	drop, garble, delay, d, pos := p.draw()
	if drop {
		p.Dropped.Add(1)
		if pos < 0.5 {
			http.Error(w, "injected fault", http.StatusBadGateway)
			return
		}
		if hj, ok := w.(http.Hijacker); ok {
			if c, _, err := hj.Hijack(); err == nil {
				c.Close()
				return
			}
		}
		http.Error(w, "injected fault", http.StatusBadGateway)
		return
	}
	if delay {
		p.Delayed.Add(1)
		select {
		case <-time.After(d):
		case <-r.Context().Done():
			return
		}
	}
	req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, p.target, bytes.NewReader(body))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	reply, err := io.ReadAll(resp.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if rewrite != nil {
		reply = rewrite(body, reply)
	}
	if garble && corrupt(reply, pos) {
		p.Garbled.Add(1)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	w.Write(reply)
}

// corrupt changes one hex digit inside the reply (past the "result" key),
// at relative position pos, keeping the JSON well-formed so that only a
// receiver that checks content notices. It reports whether it changed
// anything.
func corrupt(reply []byte, pos float64) bool {
	start := bytes.Index(reply, []byte(`"result"`))
	if start < 0 {
		return false
	}
	var hexes []int
	for i := start + 8; i < len(reply); i++ {
		c := reply[i]
		if (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') {
			// Only digits inside 0x-strings: skip keys like "hash".
			if i >= 2 && isHexRun(reply, i) {
				hexes = append(hexes, i)
			}
		}
	}
	if len(hexes) == 0 {
		return false
	}
	i := hexes[int(pos*float64(len(hexes)))%len(hexes)]
	if reply[i] == '0' {
		reply[i] = '1'
	} else {
		reply[i] = '0'
	}
	return true
}

// isHexRun reports whether reply[i] lies in a "0x…" JSON string.
func isHexRun(reply []byte, i int) bool {
	j := i
	for j > 0 && isHex(reply[j-1]) {
		j--
	}
	return j >= 2 && reply[j-1] == 'x' && reply[j-2] == '0' && j >= 3 && reply[j-3] == '"' && i > j
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}
