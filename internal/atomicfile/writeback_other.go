//go:build !linux

package atomicfile

import "os"

// startWriteback does nothing where sync_file_range does not exist: the
// final fsync writes everything.
func startWriteback(*os.File, int64, int64) {}

// dropCache does nothing where posix_fadvise is not called.
func dropCache(string) {}
