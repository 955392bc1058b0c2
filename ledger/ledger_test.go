package ledger

import (
	"errors"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"

	"github.com/cmt-rewards/cmt-rewards/calc"
)

var testID = Identity{ChainID: 18, Contract: common.HexToAddress("0xc0ffee"), StartBlock: 100}

func open(t *testing.T, path string) *Ledger {
	t.Helper()
	l, err := Open(path, testID, 0)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// chain makes blocks from..to linked by hash, on a branch named by salt.
func chain(parent common.Hash, from, to uint64, salt byte) []Block {
	var out []Block
	for n := from; n <= to; n++ {
		b := Block{Number: n, ParentHash: parent, Time: 1000 + n, Difficulty: 2, Sealer: common.Address{salt, byte(n)}}
		b.Hash = crypto.Keccak256Hash([]byte{salt, byte(n >> 8), byte(n)})
		if n%10 == 0 {
			b.Signers = []common.Address{{1}, {2}}
		}
		if n%7 == 0 {
			b.Coinbase, b.VoteAuth = common.Address{9}, true
		}
		out = append(out, b)
		parent = b.Hash
	}
	return out
}

func stake(block, li uint64, amt uint64) Event {
	ev := Event{Event: calc.Event{Block: block, LogIndex: li, Kind: calc.KindStake, Validator: common.Address{1}, Delegator: common.Address{2}}}
	ev.Amount.SetUint64(amt)
	ev.TxHash = common.Hash{byte(block)}
	return ev
}

func TestAppendReadRewind(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ledger.db")
	l := open(t, path)
	blocks := chain(common.Hash{}, 100, 130, 'a')
	events := []Event{stake(100, 0, 1), stake(105, 2, 5), stake(105, 7, 6), {Event: calc.Event{Block: 120, LogIndex: 1, Kind: calc.KindValidatorRemoved, Validator: common.Address{1}}}}
	if err := l.Append(blocks[:20], events[:3]); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(blocks[20:], events[3:]); err != nil {
		t.Fatal(err)
	}
	head, ok, err := l.Head()
	if err != nil || !ok || head.Number != 130 || head.Hash != blocks[30].Hash {
		t.Fatalf("head %+v %v %v", head, ok, err)
	}
	l.Close()

	l = open(t, path) // persisted
	defer l.Close()
	for _, want := range blocks {
		got, err := l.Block(want.Number)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("block %d: got %+v want %+v", want.Number, got, want)
		}
	}
	var got []Event
	if err := l.Events(100, 130, func(ev *Event) error { got = append(got, *ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, events) {
		t.Fatalf("events %+v", got)
	}

	// A competing branch from 111 does not continue the head.
	fork := chain(blocks[10].Hash, 111, 135, 'b')
	if err := l.Append(fork, nil); !errors.Is(err, ErrNotContiguous) {
		t.Fatalf("append fork: %v", err)
	}
	if err := l.Truncate(111); err != nil {
		t.Fatal(err)
	}
	if err := l.Append(fork, []Event{stake(111, 0, 9)}); err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	if err := l.Events(0, 1000, func(ev *Event) error { got = append(got, *ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 || got[3].Block != 111 {
		t.Fatalf("events after reorg: %+v", got)
	}
	var n int
	if err := l.Blocks(0, 1000, func(b *Block) error {
		n++
		if b.Number > 110 && b.Sealer[0] != 'b' {
			t.Errorf("block %d from the old branch survived", b.Number)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if n != 36 {
		t.Fatalf("%d blocks, want 36", n)
	}
	// Truncating at the start empties the ledger.
	if err := l.Truncate(100); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := l.Head(); ok {
		t.Fatal("head after full rewind")
	}
	if next, _ := l.Next(); next != 100 {
		t.Fatalf("next %d", next)
	}
}

func TestAppendRejects(t *testing.T) {
	t.Parallel()
	l := open(t, filepath.Join(t.TempDir(), "ledger.db"))
	defer l.Close()
	blocks := chain(common.Hash{}, 100, 110, 'a')
	tests := []struct {
		name   string
		blocks []Block
		events []Event
	}{
		{"wrong first number", blocks[1:], nil},
		{"gap", append(append([]Block{}, blocks[:3]...), blocks[4:]...), nil},
		{"event outside", blocks[:5], []Event{stake(107, 0, 1)}},
		{"events out of order", blocks[:5], []Event{stake(102, 3, 1), stake(102, 3, 1)}},
		{"unknown kind", blocks[:5], []Event{{Event: calc.Event{Block: 101, Kind: "slash"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := l.Append(tt.blocks, tt.events); err == nil {
				t.Fatal("accepted")
			}
			if _, ok, _ := l.Head(); ok {
				t.Fatal("something was written")
			}
		})
	}
}
