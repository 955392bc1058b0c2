// Package atomicfile writes files so that a reader, or a process restarted
// after a crash, sees either the old content or the complete new content,
// never a prefix.
package atomicfile

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// File is one file to write: its final path, its permissions, and a function
// that writes its whole content.
type File struct {
	Path  string
	Perm  os.FileMode // 0 means 0o644
	Write func(w io.Writer) error
}

// Write writes one file atomically. See WriteAll.
func Write(path string, perm os.FileMode, write func(w io.Writer) error) error {
	return WriteAll([]File{{Path: path, Perm: perm, Write: write}})
}

// WriteAll writes every file to a temporary file beside its target, syncs
// it, and only when all of them were written renames them into place and
// syncs their directories. If any write fails, no target is touched and the
// temporary files are removed. The renames themselves are atomic one by one;
// a crash between two renames can leave the first file new and the second
// old, which callers that publish several files must tolerate (write the
// file that declares the set last). The files are written and synced
// concurrently, one goroutine each, so their Write functions must be safe
// to run at the same time (they read what they write out); the error
// returned is that of the first failing file in files' order.
func WriteAll(files []File) (err error) {
	temps := make([]string, len(files))
	errs := make([]error, len(files))
	defer func() {
		if err != nil {
			for _, t := range temps {
				if t != "" {
					os.Remove(t)
				}
			}
		}
	}()
	var wg sync.WaitGroup
	for i, f := range files {
		wg.Go(func() { temps[i], errs[i] = writeTemp(f) })
		wg.Go(func() { dropCache(f.Path) })
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	dirs := map[string]bool{}
	for i, f := range files {
		if err := os.Rename(temps[i], f.Path); err != nil {
			return fmt.Errorf("rename %s: %w", f.Path, err)
		}
		dirs[filepath.Dir(f.Path)] = true
	}
	clear(temps)
	for d := range dirs {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func writeTemp(f File) (string, error) {
	perm := f.Perm
	if perm == 0 {
		perm = 0o644
	}
	dir, base := filepath.Split(f.Path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("create temporary file for %s: %w", f.Path, err)
	}
	name := tmp.Name()
	werr := f.Write(&writebackWriter{f: tmp})
	if werr == nil {
		werr = tmp.Chmod(perm)
	}
	if werr == nil {
		werr = tmp.Sync()
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return name, fmt.Errorf("write %s: %w", f.Path, werr)
	}
	return name, nil
}

// writebackSpan is how many bytes a file is written before the kernel is
// asked to start putting them on disk. A file of hundreds of megabytes
// (calc's tree dump) then reaches its fsync mostly written, instead of
// the whole of it waiting for the disk at the end.
const writebackSpan = 8 << 20

// writebackWriter writes to a file and starts the writeback of every
// writebackSpan bytes written.
type writebackWriter struct {
	f       *os.File
	written int64 // bytes written
	started int64 // bytes whose writeback was started
}

func (w *writebackWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.written += int64(n)
	if w.written-w.started >= writebackSpan {
		startWriteback(w.f, w.started, w.written-w.started)
		w.started = w.written
	}
	return n, err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open directory %s: %w", dir, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	// Some filesystems do not support syncing a directory; the rename is
	// still atomic there.
	if err != nil && !errors.Is(err, os.ErrInvalid) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

// Remove removes the file at path, if there is one, and syncs its
// directory so that the removal survives a crash. A missing file is not an
// error.
func Remove(path string) error {
	err := os.Remove(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}
