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
