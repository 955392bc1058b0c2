package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestWriteAll(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	if err := os.WriteFile(a, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err := WriteAll([]File{
		{Path: a, Write: func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }},
		{Path: b, Write: func(w io.Writer) error { io.WriteString(w, "half"); return boom }},
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want boom", err)
	}
	if got, _ := os.ReadFile(a); string(got) != "old" {
		t.Errorf("a changed to %q after a failed set", got)
	}
	if _, err := os.Stat(b); !os.IsNotExist(err) {
		t.Errorf("b exists after a failed write")
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("temporary files left: %v", ents)
	}
	if err := WriteAll([]File{
		{Path: a, Write: func(w io.Writer) error { _, err := io.WriteString(w, "new"); return err }},
		{Path: b, Perm: 0o600, Write: func(w io.Writer) error { _, err := io.WriteString(w, "B"); return err }},
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(a); string(got) != "new" {
		t.Errorf("a = %q", got)
	}
	if st, _ := os.Stat(b); st.Mode().Perm() != 0o600 {
		t.Errorf("b mode %v", st.Mode())
	}
}

func TestRemove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f.json")
	if err := os.WriteFile(path, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("still there: %v", err)
	}
	if err := Remove(path); err != nil {
		t.Fatalf("removing a missing file: %v", err)
	}
}
