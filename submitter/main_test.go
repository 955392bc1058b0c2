package submitter

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// processWide are goroutines go-ethereum starts once per process and never
// stops (the transaction sender cache's workers).
var processWide = []string{"core.(*txSenderCacher).cache"}

// TestMain fails the package if goroutines outlive the tests: Submit
// starts none, and every chain, proxy, client and miner of the tests must
// be stopped by their cleanups.
func TestMain(m *testing.M) {
	before := goroutines()
	code := m.Run()
	if code == 0 {
		var after []string
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
			http.DefaultTransport.(*http.Transport).CloseIdleConnections()
			if after = goroutines(); len(after) <= len(before) {
				break
			}
		}
		if len(after) > len(before) {
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before the tests, %d after\n\n%s\n", len(before), len(after), strings.Join(after, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// goroutines returns the stacks of all goroutines but the process-wide
// ones.
func goroutines() []string {
	buf := make([]byte, 4<<20)
	var out []string
	for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
		keep := true
		for _, p := range processWide {
			if strings.Contains(g, p) {
				keep = false
			}
		}
		if keep {
			out = append(out, g)
		}
	}
	return out
}
