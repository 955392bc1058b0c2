package txsend

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/cmt-rewards/cmt-rewards/internal/atomicfile"
)

// fileRecordVersion is the version of a FileStore record file. A file of
// another version is refused, never guessed at.
const fileRecordVersion = 1

// validKey is what a FileStore key may be: a plain file name.
var validKey = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$`)

// FileStore is a Store of one JSON file per intent in a directory, for
// commands without a ledger:
//
//	DIR/KEY.json  {"version":1, "key":"KEY", "chain_id":…, "from":"0x…",
//	               "call":{"to":"0x…","data":"0x…","value":…},
//	               "state":"open", "attempts":[…], "final":{…}}
//
// Every Update writes the whole file atomically (a temporary file, fsync,
// rename, fsync of the directory; the directories it creates are synced
// too), so a crash leaves the old or the new record, never a mix, and an
// Update that returned nil survives it. Updates are serialised within the process by a
// mutex and across processes by an exclusive lock on DIR/.lock (where the
// platform has flock). A FileStore is safe for concurrent use.
type FileStore struct {
	dir string
	mu  sync.Mutex
}

// fileRecord is a FileStore file: the record with its version and key.
type fileRecord struct {
	Version int    `json:"version"`
	Key     string `json:"key"`
	Record
}

// OpenFileStore returns the FileStore in dir. The directory is created
// (mode 0700: records name the accounts a user sends from) by the first
// Update, so that a command that sends nothing leaves nothing behind.
func OpenFileStore(dir string) (*FileStore, error) {
	if dir == "" {
		return nil, errors.New("open record directory: no directory given")
	}
	return &FileStore{dir: dir}, nil
}

// Path returns the file that holds key's record.
func (f *FileStore) Path(key string) string { return filepath.Join(f.dir, key+".json") }

// Load implements Store.
func (f *FileStore) Load(key string) (*Record, error) {
	if !validKey.MatchString(key) {
		return nil, fmt.Errorf("record key %q: want letters, digits, '.', '_' or '-', at most 200", key)
	}
	return f.read(key)
}

func (f *FileStore) read(key string) (*Record, error) {
	b, err := os.ReadFile(f.Path(key))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read record: %w", err)
	}
	return decodeFile(f.Path(key), key, b)
}

func decodeFile(path, key string, b []byte) (*Record, error) {
	var fr fileRecord
	if err := json.Unmarshal(b, &fr); err != nil {
		return nil, fmt.Errorf("decode record %s: %w", path, err)
	}
	if fr.Version != fileRecordVersion {
		return nil, fmt.Errorf("record %s has version %d; this build reads version %d", path, fr.Version, fileRecordVersion)
	}
	if fr.Key != key {
		return nil, fmt.Errorf("record %s holds key %q", path, fr.Key)
	}
	return &fr.Record, nil
}

// Update implements Store.
func (f *FileStore) Update(key string, change func(cur *Record) (*Record, error)) error {
	if !validKey.MatchString(key) {
		return fmt.Errorf("record key %q: want letters, digits, '.', '_' or '-', at most 200", key)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := atomicfile.MkdirAll(f.dir, 0o700); err != nil {
		return fmt.Errorf("record directory: %w", err)
	}
	unlock, err := lockDir(f.dir)
	if err != nil {
		return err
	}
	defer unlock()
	cur, err := f.read(key)
	if err != nil {
		return err
	}
	next, err := change(cur)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(fileRecord{Version: fileRecordVersion, Key: key, Record: *next}, "", "  ")
	if err != nil {
		return fmt.Errorf("encode record: %w", err)
	}
	return atomicfile.Write(f.Path(key), 0o600, func(w io.Writer) error {
		_, err := w.Write(append(b, '\n'))
		return err
	})
}

// Each implements Store. Files that are not records (temporary files of
// an interrupted write, the lock) are skipped; a record file that does not
// decode is an error.
func (f *FileStore) Each(fn func(r *Record) error) error {
	entries, err := os.ReadDir(f.dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("list records: %w", err)
	}
	for _, e := range entries {
		key, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || !e.Type().IsRegular() || !validKey.MatchString(key) {
			continue
		}
		r, err := f.read(key)
		if err != nil {
			return err
		}
		if r == nil {
			continue // removed since the listing
		}
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}
