package main

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// progress shows one status line on standard error while the audit
// fetches, only when standard error is a terminal.
type progress struct {
	mu    sync.Mutex
	w     io.Writer
	on    bool
	last  time.Time
	shown bool
}

func newProgress(w io.Writer) *progress { return &progress{w: w, on: isTerminal(w)} }

// isTerminal reports whether w is a character device (a terminal).
// golang.org/x/term is in the module graph but not required by go.mod, so
// the file mode is checked instead.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (p *progress) set(format string, args ...any) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.shown && now.Sub(p.last) < 100*time.Millisecond {
		return
	}
	p.last, p.shown = now, true
	msg := fmt.Sprintf(format, args...)
	if len(msg) > 100 {
		msg = msg[:100] + "…"
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", msg)
}

func (p *progress) done() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}
