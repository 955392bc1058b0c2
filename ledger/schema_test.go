package ledger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	bolt "go.etcd.io/bbolt"

	"github.com/cmt-rewards/cmt-rewards/calc"
)

// v1Ledger is what a version 1 ledger holds: blocks, events and the
// free-form kv namespaces, namespace → key → value.
type v1Ledger struct {
	id     Identity
	blocks []Block
	events []Event
	kv     map[string]map[string][]byte
}

// withBolt runs fn in one bbolt transaction (writable or not) on the file
// at path, bypassing Open, and fails the test on any error.
func withBolt(t *testing.T, path string, writable bool, fn func(tx *bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if writable {
		err = db.Update(fn)
	} else {
		err = db.View(fn)
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
}

// writeV1 lays l out with bbolt exactly as schema version 1 did. Block and
// event records did not change in version 2, so their encoders serve.
func writeV1(t *testing.T, path string, l v1Ledger) {
	t.Helper()
	withBolt(t, path, true, func(tx *bolt.Tx) error {
		bk := map[string]*bolt.Bucket{}
		for _, name := range []string{"meta", "blocks", "events", "kv"} {
			b, err := tx.CreateBucket([]byte(name))
			if err != nil {
				return err
			}
			bk[name] = b
		}
		meta := bk["meta"]
		if err := meta.Put([]byte("schema"), []byte{0, 0, 0, 1}); err != nil {
			return err
		}
		id := binary.BigEndian.AppendUint64(nil, l.id.ChainID)
		id = binary.BigEndian.AppendUint64(append(id, l.id.Contract[:]...), l.id.StartBlock)
		if err := meta.Put([]byte("identity"), id); err != nil {
			return err
		}
		for i := range l.blocks {
			if err := bk["blocks"].Put(binary.BigEndian.AppendUint64(nil, l.blocks[i].Number), encodeBlock(&l.blocks[i])); err != nil {
				return err
			}
		}
		if n := len(l.blocks); n > 0 {
			head := binary.BigEndian.AppendUint64(nil, l.blocks[n-1].Number)
			if err := meta.Put([]byte("head"), append(head, l.blocks[n-1].Hash[:]...)); err != nil {
				return err
			}
		}
		for i := range l.events {
			v, err := encodeEvent(&l.events[i])
			if err != nil {
				return err
			}
			k := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, l.events[i].Block), uint32(l.events[i].LogIndex))
			if err := bk["events"].Put(k, v); err != nil {
				return err
			}
		}
		for ns, keys := range l.kv {
			b, err := bk["kv"].CreateBucket([]byte(ns))
			if err != nil {
				return err
			}
			for k, v := range keys {
				if err := b.Put([]byte(k), v); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func v1EpochKey(prefix string, k uint64) string {
	return string(binary.BigEndian.AppendUint64([]byte(prefix), k))
}

// fixtureV1 is a version 1 ledger as the code before version 2 left it:
// 31 blocks, events, epochs 0 and 1 computed (epoch 1 without blocks, so
// without input), and the submitter's vote record of epoch 0.
func fixtureV1() v1Ledger {
	events := []Event{stake(100, 0, 1), stake(105, 2, 5), {Event: calc.Event{Block: 120, LogIndex: 1, Kind: calc.KindValidatorRemoved, Validator: common.Address{1}}}}
	return v1Ledger{
		id: testID, blocks: chain(common.Hash{}, 100, 130, 'a'), events: events,
		kv: map[string]map[string][]byte{
			"epochs": {
				v1EpochKey("rec/", 0):    []byte(`{"epoch":0,"state":"accepted"}`),
				v1EpochKey("result/", 0): []byte(`{"result":0}`),
				v1EpochKey("input/", 0):  []byte(`{"input":0}`),
				v1EpochKey("rec/", 1):    []byte(`{"epoch":1,"state":"computed","empty":true}`),
				v1EpochKey("result/", 1): []byte(`{"result":1}`),
			},
			"submitter": {
				v1EpochKey("vote/", 0): []byte(`{"version":1,"epoch":0,"state":"confirmed"}`),
			},
		},
	}
}

// storedSchema reads the schema version and whether kv exists, with bbolt.
func storedSchema(t *testing.T, path string) (version uint32, hasKV bool) {
	t.Helper()
	withBolt(t, path, false, func(tx *bolt.Tx) error {
		version = binary.BigEndian.Uint32(tx.Bucket([]byte("meta")).Get([]byte("schema")))
		hasKV = tx.Bucket([]byte("kv")) != nil
		return nil
	})
	return version, hasKV
}

// TestMigrateV1 opens a ledger written by schema version 1 and demands
// that it is migrated to the current version and reads exactly as written:
// blocks, events, head, settlement records, and the submitter's records.
func TestMigrateV1(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "ledger.db")
	fx := fixtureV1()
	writeV1(t, path, fx)

	l := open(t, path)
	var blocks []Block
	if err := l.Blocks(0, 1000, func(b *Block) error { blocks = append(blocks, *b); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(blocks, fx.blocks) {
		t.Fatalf("blocks differ after migration")
	}
	var events []Event
	if err := l.Events(0, 1000, func(ev *Event) error { events = append(events, *ev); return nil }); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(events, fx.events) {
		t.Fatalf("events %+v", events)
	}
	if h, ok, err := l.Head(); err != nil || !ok || h.Number != 130 || h.Hash != fx.blocks[30].Hash {
		t.Fatalf("head %+v %v %v", h, ok, err)
	}
	epochs, votes := fx.kv["epochs"], fx.kv["submitter"]
	for k := range uint64(2) {
		for _, c := range []struct {
			prefix string
			read   func(uint64) ([]byte, error)
		}{{"rec/", l.EpochRecord}, {"result/", l.EpochResult}, {"input/", l.EpochInput}} {
			got, err := c.read(k)
			want, ok := epochs[v1EpochKey(c.prefix, k)]
			if !ok {
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("epoch %d %s: %q %v, want not found", k, c.prefix, got, err)
				}
				continue
			}
			if err != nil || string(got) != string(want) {
				t.Errorf("epoch %d %s: %q %v, want %q", k, c.prefix, got, err, want)
			}
		}
	}
	seen := map[string][]byte{}
	err := l.Records(BucketSubmitter).Each(0, func(k uint64, v []byte) error {
		seen[v1EpochKey("vote/", k)] = bytes.Clone(v)
		return nil
	})
	if err != nil || !reflect.DeepEqual(seen, votes) {
		t.Errorf("submitter records %q %v, want %q", seen, err, votes)
	}
	l.Close()

	if v, hasKV := storedSchema(t, path); v != schemaVersion || hasKV {
		t.Fatalf("after migration: schema %d, kv bucket %v", v, hasKV)
	}
	open(t, path).Close() // a migrated ledger opens as a current one
}

// TestOpenRefuses: Open refuses what it cannot read, with ErrSchema or
// ErrIdentity and a clear message, and leaves the file untouched (a
// version 1 ledger is not half migrated).
func TestOpenRefuses(t *testing.T) {
	t.Parallel()
	otherID := testID
	otherID.StartBlock = 0
	setSchema := func(v uint32) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			open(t, path).Close()
			withBolt(t, path, true, func(tx *bolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint32(nil, v))
			})
		}
	}
	tests := []struct {
		name     string
		make     func(t *testing.T, path string)
		id       Identity
		want     error
		msg      string
		v1Intact bool
	}{
		{name: "future version", make: setSchema(schemaVersion + 1), id: testID, want: ErrSchema, msg: "version 3 is newer than this build's version 2"},
		{name: "unknown old version", make: setSchema(0), id: testID, want: ErrSchema, msg: "unknown version 0"},
		{name: "other identity", make: func(t *testing.T, path string) { open(t, path).Close() }, id: otherID, want: ErrIdentity, msg: "start block 100; configured chain 18"},
		{
			name: "foreign file",
			make: func(t *testing.T, path string) {
				withBolt(t, path, true, func(tx *bolt.Tx) error { _, err := tx.CreateBucket([]byte("other")); return err })
			},
			id: testID, want: ErrSchema, msg: "no schema version",
		},
		{
			name: "version 1 of another chain",
			make: func(t *testing.T, path string) { writeV1(t, path, fixtureV1()) },
			id:   otherID, want: ErrIdentity, v1Intact: true,
		},
		{
			name: "version 1 with an undeclared key",
			make: func(t *testing.T, path string) {
				fx := fixtureV1()
				fx.kv["epochs"]["notes"] = []byte("x")
				writeV1(t, path, fx)
			},
			id: testID, want: ErrSchema, msg: `"notes" in "epochs"`, v1Intact: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "ledger.db")
			tt.make(t, path)
			l, err := Open(path, tt.id, 0)
			if err == nil {
				l.Close()
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("Open: %v; want %v with %q", err, tt.want, tt.msg)
			}
			if tt.v1Intact {
				if v, hasKV := storedSchema(t, path); v != 1 || !hasKV {
					t.Fatalf("refused version 1 ledger changed: schema %d, kv %v", v, hasKV)
				}
			}
		})
	}
}
