//go:build !unix

package txsend

// lockDir is a no-op where there is no flock: FileStore's mutex still
// serialises the writers of one process.
func lockDir(string) (unlock func(), err error) { return func() {}, nil }
