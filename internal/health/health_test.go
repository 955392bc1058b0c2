package health

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"

	"github.com/cmt-rewards/cmt-rewards/settle"
)

// TestTrackerPasses: failed passes count in a row, a success resets the
// count, a disputed epoch is not a failure; the problem appears at the
// bound and is logged once at error level.
func TestTrackerPasses(t *testing.T) {
	t.Parallel()
	boom := errors.New("publish directory: not a directory")
	tests := []struct {
		name   string
		passes []error
		want   string // the problem; "" for none
		failed uint64
		logged int // error lines "settlement failing"
	}{
		{"none", nil, "", 0, 0},
		{"below the bound", []error{boom, boom}, "", 2, 0},
		{"at the bound", []error{boom, boom, boom}, "settlement failed 3 passes in a row (bound settle.max_failed_passes 3): publish directory: not a directory", 3, 1},
		{"beyond the bound", []error{boom, boom, boom, boom}, "settlement failed 4 passes in a row", 4, 1},
		{"a success resets", []error{boom, boom, boom, nil, boom}, "", 1, 1},
		{"disputes do not count", []error{boom, fmt.Errorf("epoch 3: %w: x", settle.ErrDisputed), boom}, "", 2, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			core, logs := observer.New(zap.InfoLevel)
			tr := NewTracker(3, zap.New(core))
			for _, err := range tt.passes {
				tr.Pass(err)
			}
			got := strings.Join(tr.Problems(context.Background()), "\n")
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Errorf("problems %q, want %q", got, tt.want)
			}
			if tr.Failed() != tt.failed {
				t.Errorf("failed %d, want %d", tr.Failed(), tt.failed)
			}
			if n := logs.FilterMessage("settlement failing: /healthz fails until a pass succeeds").Len(); n != tt.logged {
				t.Errorf("logged the failure %d times", n)
			}
		})
	}
}

// TestTrackerIdentity: the identity problem is reported while it lasts and
// logged on each change only.
func TestTrackerIdentity(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.InfoLevel)
	tr := NewTracker(3, zap.New(core))
	tr.Identity(nil)
	changed := errors.New("the node serves chain 7, the ledger is for chain 18")
	tr.Identity(changed)
	tr.Identity(changed)
	if p := tr.Problems(context.Background()); len(p) != 1 || p[0] != "chain identity: "+changed.Error() {
		t.Fatalf("problems %q", p)
	}
	tr.Identity(nil)
	if p := tr.Problems(context.Background()); len(p) != 0 {
		t.Fatalf("problems %q after recovery", p)
	}
	if logs.Len() != 2 {
		t.Errorf("%d log lines, want 2 (lost, regained): %v", logs.Len(), logs.All())
	}
}

// TestWatch logs each change of the problems once.
func TestWatch(t *testing.T) {
	t.Parallel()
	core, logs := observer.New(zap.InfoLevel)
	w := NewWatch(zap.New(core))
	for _, p := range [][]string{nil, nil, {"a"}, {"a"}, {"a", "b"}, nil, nil} {
		w.Update(p)
	}
	var got []string
	for _, e := range logs.All() {
		got = append(got, e.Message)
	}
	want := []string{"not ready: /healthz fails", "not ready: /healthz fails", "ready: /healthz passes"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("logged %q, want %q", got, want)
	}
}
