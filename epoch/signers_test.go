package epoch

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// name returns a fixed address for a one-letter account name. The addresses
// are hashes, so their byte order differs from the letters' order and every
// test exercises the sorting.
func name(s string) common.Address {
	return common.BytesToAddress(crypto.Keccak256([]byte("epoch-test-account-" + s))[12:])
}

func names(letters string) []common.Address {
	out := make([]common.Address, 0, len(letters))
	for _, c := range letters {
		out = append(out, name(string(c)))
	}
	return out
}

func sortedNames(letters string) []common.Address {
	out := names(letters)
	slices.SortFunc(out, common.Address.Cmp)
	return out
}

// letters maps addresses back to names for readable failures.
func letters(addrs []common.Address) string {
	var b strings.Builder
	for _, a := range addrs {
		found := false
		for c := 'A'; c <= 'Z'; c++ {
			if name(string(c)) == a {
				b.WriteRune(c)
				found = true
				break
			}
		}
		if !found {
			b.WriteString("?")
		}
	}
	return b.String()
}

// step is one block of a scripted chain, written as
//
//	X      X seals, no vote
//	X+Y    X seals and votes to authorize Y
//	X-Y    X seals and votes to drop Y
//	X|LIST X seals a checkpoint header listing the signers LIST
type step struct {
	by, target string
	auth       bool
	checkpoint *string
}

func parseScript(t *testing.T, script string) []step {
	t.Helper()
	var out []step
	for _, tok := range strings.Fields(script) {
		switch {
		case len(tok) == 1:
			out = append(out, step{by: tok})
		case len(tok) == 3 && (tok[1] == '+' || tok[1] == '-'):
			out = append(out, step{by: tok[:1], target: tok[2:], auth: tok[1] == '+'})
		case len(tok) >= 2 && tok[1] == '|':
			list := tok[2:]
			out = append(out, step{by: tok[:1], checkpoint: &list})
		default:
			t.Fatalf("bad script token %q", tok)
		}
	}
	return out
}

// header builds the header for step s at block n, with the difficulty the
// sealer's turn calls for according to the tracker (the scenarios are about
// votes; difficulty is checked separately).
func (s step) header(tr *SignerTracker, n uint64) Header {
	h := Header{Number: n, Sealer: name(s.by), Difficulty: DiffNoTurn}
	if s.target != "" {
		h.Coinbase, h.VoteAuth = name(s.target), s.auth
	}
	if s.checkpoint != nil {
		h.Signers = sortedNames(*s.checkpoint)
	}
	if in, n := tr.InTurn(); n > 0 && in == h.Sealer {
		h.Difficulty = DiffInTurn
	}
	return h
}

// TestSignerTrackerScenarios runs go-ethereum's published Clique voting
// scenarios (consensus/clique/snapshot_test.go, TestClique), re-expressed in
// the script notation above, plus a few of our own consistency checks.
func TestSignerTrackerScenarios(t *testing.T) {
	const long = "A-C B C A-D B-C C A B-D C-D"
	tests := []struct {
		name    string
		epoch   uint64 // 0 = DefaultCliqueEpoch
		signers string
		script  string
		want    string // final signer set (any order)
		wantErr error
	}{
		{name: "single signer, no votes", signers: "A", script: "A", want: "A"},
		{name: "single signer adds one; second needs two votes", signers: "A", script: "A+B B A+C", want: "AB"},
		{name: "two signers add two; third needs three votes", signers: "AB", script: "A+C B+C A+D B+D C A+E B+E", want: "ABCD"},
		{name: "single signer drops itself", signers: "A", script: "A-A", want: ""},
		{name: "two signers, one drop vote is not enough", signers: "AB", script: "A-B", want: "AB"},
		{name: "two signers, mutual consent drops", signers: "AB", script: "A-B B-B", want: "A"},
		{name: "three signers, two drop the third", signers: "ABC", script: "A-C B-C", want: "AB"},
		{name: "four signers, two are not a majority", signers: "ABCD", script: "A-C B-C", want: "ABCD"},
		{name: "four signers, three drop the fourth", signers: "ABCD", script: "A-D B-D C-D", want: "ABC"},
		{name: "authorize counted once per signer and target", signers: "AB", script: "A+C B A+C B A+C", want: "AB"},
		{name: "concurrent authorizations", signers: "AB", script: "A+C B A+D B A B+D A B+C", want: "ABCD"},
		{name: "deauthorize counted once per signer and target", signers: "AB", script: "A-B B A-B B A-B", want: "AB"},
		{name: "concurrent deauthorizations", signers: "ABCD", script: "A-C B C A-D B C A B-D C-D A B-C", want: "AB"},
		{name: "dropped signer's drop votes are withdrawn", signers: "ABC", script: "C-B A-C B-C A-B", want: "AB"},
		{name: "dropped signer's add votes are withdrawn", signers: "ABC", script: "C+D A-C B-C A+D", want: "AB"},
		{name: "no cascading changes", signers: "ABCD", script: long, want: "ABC"},
		{name: "out-of-bounds consensus executes on touch", signers: "ABCD", script: long + " A C+C", want: "AB"},
		{name: "out-of-bounds consensus may be lost on first touch", signers: "ABCD", script: long + " A B+C", want: "ABC"},
		{
			name:    "pending votes do not survive a status change",
			signers: "ABCDE",
			script:  "A+F B+F C+F D-F E-F B-F C-F D+F E+F B-A C-A D-A B+F",
			want:    "BCDEF",
		},
		{name: "checkpoint resets votes", epoch: 3, signers: "AB", script: "A+C B A|AB B+C", want: "AB"},
		{name: "unauthorized sealer", signers: "A", script: "B", wantErr: ErrUnauthorizedSealer},
		{name: "recently signed", signers: "AB", script: "A A", wantErr: ErrRecentlySigned},
		{name: "recents survive a checkpoint", epoch: 3, signers: "ABC", script: "A B A|ABC A", wantErr: ErrRecentlySigned},

		// Our own.
		{name: "recency window slides", signers: "ABC", script: "A B A C B", want: "ABC"},
		{name: "checkpoint list must match the replay", epoch: 3, signers: "AB", script: "A+C B+C A|AB", wantErr: ErrCheckpointSigners},
		{name: "checkpoint list matches after a vote", epoch: 3, signers: "AB", script: "A+C B+C C|ABC", want: "ABC"},
		{name: "votes to add existing signers are ignored", signers: "AB", script: "A+B B+A A", want: "AB"},
		{name: "votes to drop non-signers are ignored", signers: "AB", script: "A-C B-C A", want: "AB"},
		{name: "drop shrinks the recency window", signers: "ABC", script: "A-C B-C A", want: "AB"},
		{name: "recency after a drop", signers: "ABC", script: "A-C B-C B", wantErr: ErrRecentlySigned},
		{name: "dropped signer may not seal", signers: "ABC", script: "A-C B-C C", wantErr: ErrUnauthorizedSealer},
		{name: "re-vote in the other direction replaces", signers: "ABC", script: "A+D B A-D B+D", want: "ABC"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			epoch := tc.epoch
			if epoch == 0 {
				epoch = DefaultCliqueEpoch
			}
			tr, err := NewSignerTracker(epoch, Header{Number: 0, Signers: names(tc.signers)})
			if err != nil {
				t.Fatal(err)
			}
			steps := parseScript(t, tc.script)
			for i, s := range steps {
				n := uint64(i + 1)
				err = tr.Apply(s.header(tr, n))
				if err != nil {
					if i != len(steps)-1 {
						t.Fatalf("block %d: unexpected error %v", n, err)
					}
					break
				}
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				return
			}
			if got, want := tr.Signers(), sortedNames(tc.want); !slices.Equal(got, want) {
				t.Fatalf("signers %s, want %s", letters(got), letters(want))
			}
			if tr.Next() != uint64(len(steps)+1) {
				t.Fatalf("Next %d, want %d", tr.Next(), len(steps)+1)
			}
		})
	}
}

func TestSignerTrackerHeaderChecks(t *testing.T) {
	abc := sortedNames("ABC")
	newTr := func(t *testing.T) *SignerTracker {
		tr, err := NewSignerTracker(4, Header{Number: 0, Signers: names("CAB")})
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	inTurn := func(n uint64) common.Address { return abc[n%3] }
	outTurn := func(n uint64) common.Address { return abc[(n+1)%3] }
	tests := []struct {
		name    string
		pre     []Header // applied first, must succeed
		h       Header
		wantErr error
	}{
		{name: "in turn", h: Header{Number: 1, Sealer: inTurn(1), Difficulty: 2}},
		{name: "out of turn", h: Header{Number: 1, Sealer: outTurn(1), Difficulty: 1}},
		{name: "in turn with difficulty 1", h: Header{Number: 1, Sealer: inTurn(1), Difficulty: 1}, wantErr: ErrWrongDifficulty},
		{name: "out of turn with difficulty 2", h: Header{Number: 1, Sealer: outTurn(1), Difficulty: 2}, wantErr: ErrWrongDifficulty},
		{name: "difficulty 3", h: Header{Number: 1, Sealer: inTurn(1), Difficulty: 3}, wantErr: ErrWrongDifficulty},
		{name: "skips a block", h: Header{Number: 2, Sealer: inTurn(2), Difficulty: 2}, wantErr: ErrNotNext},
		{name: "repeats the checkpoint", h: Header{Number: 0, Signers: abc}, wantErr: ErrNotNext},
		{name: "signer list off checkpoint", h: Header{Number: 1, Sealer: inTurn(1), Difficulty: 2, Signers: abc}, wantErr: ErrExtraSigners},
		{name: "unauthorized", h: Header{Number: 1, Sealer: name("D"), Difficulty: 1}, wantErr: ErrUnauthorizedSealer},
		{name: "zero sealer", h: Header{Number: 1, Difficulty: 1}, wantErr: ErrUnauthorizedSealer},
		{
			name: "checkpoint ok",
			pre:  []Header{{Number: 1, Sealer: inTurn(1), Difficulty: 2}, {Number: 2, Sealer: inTurn(2), Difficulty: 2}, {Number: 3, Sealer: inTurn(3), Difficulty: 2}},
			h:    Header{Number: 4, Sealer: inTurn(4), Difficulty: 2, Signers: abc},
		},
		{
			name:    "checkpoint without a list",
			pre:     []Header{{Number: 1, Sealer: inTurn(1), Difficulty: 2}, {Number: 2, Sealer: inTurn(2), Difficulty: 2}, {Number: 3, Sealer: inTurn(3), Difficulty: 2}},
			h:       Header{Number: 4, Sealer: inTurn(4), Difficulty: 2},
			wantErr: ErrCheckpointSigners,
		},
		{
			name:    "checkpoint list unsorted",
			pre:     []Header{{Number: 1, Sealer: inTurn(1), Difficulty: 2}, {Number: 2, Sealer: inTurn(2), Difficulty: 2}, {Number: 3, Sealer: inTurn(3), Difficulty: 2}},
			h:       Header{Number: 4, Sealer: inTurn(4), Difficulty: 2, Signers: []common.Address{abc[2], abc[0], abc[1]}},
			wantErr: ErrCheckpointSigners,
		},
		{
			name:    "checkpoint casting a vote",
			pre:     []Header{{Number: 1, Sealer: inTurn(1), Difficulty: 2}, {Number: 2, Sealer: inTurn(2), Difficulty: 2}, {Number: 3, Sealer: inTurn(3), Difficulty: 2}},
			h:       Header{Number: 4, Sealer: inTurn(4), Difficulty: 2, Signers: abc, Coinbase: name("D"), VoteAuth: true},
			wantErr: ErrCheckpointVote,
		},
		{
			name:    "checkpoint with an authorize nonce",
			pre:     []Header{{Number: 1, Sealer: inTurn(1), Difficulty: 2}, {Number: 2, Sealer: inTurn(2), Difficulty: 2}, {Number: 3, Sealer: inTurn(3), Difficulty: 2}},
			h:       Header{Number: 4, Sealer: inTurn(4), Difficulty: 2, Signers: abc, VoteAuth: true},
			wantErr: ErrCheckpointVote,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := newTr(t)
			for _, h := range tc.pre {
				if err := tr.Apply(h); err != nil {
					t.Fatal(err)
				}
			}
			before := tr.Clone()
			err := tr.Apply(tc.h)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err != nil && (tr.Next() != before.Next() || !slices.Equal(tr.Signers(), before.Signers())) {
				t.Fatal("failed Apply changed the tracker")
			}
		})
	}
}

func TestNewSignerTrackerErrors(t *testing.T) {
	tests := []struct {
		name    string
		epoch   uint64
		h       Header
		wantErr error
	}{
		{"epoch 0", 0, Header{Signers: names("A")}, ErrBadCliqueEpoch},
		{"not a checkpoint", 10, Header{Number: 5, Signers: names("A")}, ErrBadCheckpoint},
		{"no signers", 10, Header{Number: 10}, ErrBadCheckpoint},
		{"ok later checkpoint", 10, Header{Number: 20, Signers: names("BA")}, nil},
		{"duplicates collapse", 10, Header{Number: 0, Signers: names("BAB")}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := NewSignerTracker(tc.epoch, tc.h)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if err == nil {
				if got := tr.Signers(); !slices.Equal(got, sortedNames("AB")) {
					t.Fatalf("signers %s", letters(got))
				}
				if tr.Next() != tc.h.Number+1 {
					t.Fatalf("Next %d", tr.Next())
				}
			}
		})
	}
}

func TestSignerTrackerCloneIsIndependent(t *testing.T) {
	tr, err := NewSignerTracker(100, Header{Signers: names("AB")})
	if err != nil {
		t.Fatal(err)
	}
	steps := parseScript(t, "A+C")
	if err := tr.Apply(steps[0].header(tr, 1)); err != nil {
		t.Fatal(err)
	}
	c := tr.Clone()
	// B's vote passes C on the clone only.
	s := parseScript(t, "B+C")[0]
	if err := c.Apply(s.header(c, 2)); err != nil {
		t.Fatal(err)
	}
	if got := letters(c.Signers()); len(got) != 3 {
		t.Fatalf("clone signers %s", got)
	}
	if got := tr.Signers(); !slices.Equal(got, sortedNames("AB")) {
		t.Fatalf("original changed: %s", letters(got))
	}
	// The original still has A's pending vote: B's vote passes it there too.
	if err := tr.Apply(s.header(tr, 2)); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tr.Signers(), c.Signers()) {
		t.Fatalf("original %s, clone %s", letters(tr.Signers()), letters(c.Signers()))
	}
	if n, _ := tr.Head(); n != 2 {
		t.Fatalf("head %d", n)
	}
}
