package txsend

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
)

func testRecord(n int) *Record {
	r := &Record{ChainID: 4242, From: common.Address{1}, Call: Call{To: common.Address{2}, Data: []byte{0xab}, Value: big.NewInt(3)}, State: RecordOpen}
	for i := 0; i < n; i++ {
		r.Attempts = append(r.Attempts, Attempt{Nonce: 7, Hash: common.Hash{byte(i)}, Gas: 21000, TipCap: big.NewInt(1), FeeCap: big.NewInt(2),
			Raw: []byte{0x02, byte(i)}, Created: time.Unix(int64(i), 0).UTC()})
	}
	return r
}

func TestTxFileStore(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "records")
	s, err := OpenFileStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("OpenFileStore created the directory before anything was recorded")
	}
	if r, err := s.Load("claim-1"); r != nil || err != nil {
		t.Fatalf("Load of nothing: %+v, %v", r, err)
	}
	if err := s.Each(func(*Record) error { return errors.New("called") }); err != nil {
		t.Fatalf("Each of nothing: %v", err)
	}

	want := testRecord(2)
	if err := s.Update("claim-1", func(cur *Record) (*Record, error) {
		if cur != nil {
			t.Errorf("Update found %+v", cur)
		}
		return want, nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("claim-1")
	if err != nil {
		t.Fatal(err)
	}
	if got.ChainID != want.ChainID || got.From != want.From || !got.Call.Equal(want.Call) || got.State != RecordOpen ||
		len(got.Attempts) != 2 || got.Attempts[1].Hash != want.Attempts[1].Hash || got.Attempts[1].FeeCap.Int64() != 2 {
		t.Fatalf("round trip: %+v", got)
	}
	fi, err := os.Stat(s.Path("claim-1"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("record file: %v, mode %v", err, fi.Mode())
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Fatalf("record directory: %v, mode %v", err, fi.Mode())
	}

	// An error from change writes nothing and is returned as is.
	errNo := errors.New("no")
	if err := s.Update("claim-1", func(*Record) (*Record, error) { return nil, errNo }); err != errNo {
		t.Fatalf("Update error %v, want the change's", err)
	}
	if again, _ := s.Load("claim-1"); len(again.Attempts) != 2 {
		t.Fatal("a failed Update changed the record")
	}

	// A leftover temporary file of an interrupted write, the lock and
	// foreign files are not records.
	for _, name := range []string{".claim-2.json.tmp-123", "notes.txt", ".lock"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	if err := s.Each(func(r *Record) error { n++; return nil }); err != nil || n != 1 {
		t.Fatalf("Each: %d records, %v; want 1", n, err)
	}

	for _, tc := range []struct {
		name, key, content, want string
	}{
		{"other version", "v2", `{"version":2,"key":"v2"}`, "has version 2; this build reads version 1"},
		{"key of another file", "moved", `{"version":1,"key":"claim-1"}`, `holds key "claim-1"`},
		{"not JSON", "broken", `{"version":`, "decode record"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(s.Path(tc.key), []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			defer os.Remove(s.Path(tc.key))
			if _, err := s.Load(tc.key); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: %v, want %q", err, tc.want)
			}
			if err := s.Each(func(*Record) error { return nil }); err == nil {
				t.Fatal("Each skipped a bad record")
			}
		})
	}

	for _, key := range []string{"", "../x", "a/b", ".hidden", strings.Repeat("k", 201), "with space"} {
		if _, err := s.Load(key); err == nil {
			t.Errorf("Load(%q) accepted the key", key)
		}
		if err := s.Update(key, func(*Record) (*Record, error) { return testRecord(0), nil }); err == nil {
			t.Errorf("Update(%q) accepted the key", key)
		}
	}
}

// TestTxFileStoreSerialisesUpdates: concurrent read-modify-writes of one
// record, from two FileStores on the same directory (as two processes
// would have), lose nothing.
func TestTxFileStoreSerialisesUpdates(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	stores := make([]*FileStore, 2)
	for i := range stores {
		var err error
		if stores[i], err = OpenFileStore(dir); err != nil {
			t.Fatal(err)
		}
	}
	const each = 20
	var wg sync.WaitGroup
	for i := 0; i < 2*each; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := stores[i%2].Update("k", func(cur *Record) (*Record, error) {
				if cur == nil {
					cur = testRecord(0)
				}
				cur.Attempts = append(cur.Attempts, testRecord(1).Attempts[0])
				return cur, nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if r, err := stores[0].Load("k"); err != nil || len(r.Attempts) != 2*each {
		t.Fatalf("%d attempts recorded (%v), want %d", len(r.Attempts), err, 2*each)
	}
}
