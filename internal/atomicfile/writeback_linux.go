package atomicfile

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to start writing f's bytes [off, off+n)
// to disk without waiting for it (sync_file_range SYNC_FILE_RANGE_WRITE).
// It is only a hint that lets the disk work while the content is still
// being produced, so that the final fsync waits for little; errors are
// ignored, fsync reports what matters.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}

// dropCache asks the kernel to drop the cached pages of the file at path,
// if there is one, without waiting for anything. WriteAll does it for a
// file it is about to replace: the rename that replaces it would
// otherwise evict all its pages (hundreds of megabytes for calc's
// outputs) at the very end, when nothing else is left to run. The old
// content stays on disk and readable; errors are ignored.
func dropCache(path string) {
	f, err := os.Open(path)
	if err != nil {
		return
	}
	_ = unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
	f.Close()
}
