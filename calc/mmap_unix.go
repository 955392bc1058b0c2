//go:build unix

package calc

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps a regular file of at least minMap bytes read-only and returns
// its bytes and the function that unmaps them, or ok false to read it
// instead. Mapping skips copying a big input into the heap (and the page
// faults of a fresh heap): the kernel's page cache pages are used directly.
// Nothing the decoders return refers to the mapped bytes.
func mapFile(f *os.File) (data []byte, unmap func(), ok bool) {
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() || fi.Size() < minMap || fi.Size() != int64(int(fi.Size())) {
		return nil, nil, false
	}
	data, err = unix.Mmap(int(f.Fd()), 0, int(fi.Size()), unix.PROT_READ, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return nil, nil, false
	}
	return data, func() { _ = unix.Munmap(data) }, true
}
