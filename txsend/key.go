package txsend

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
)

// maxKeyFileSize bounds what is read from a keystore or password file.
const maxKeyFileSize = 1 << 20

// LoadKey decrypts the keystore file with the first line of the password
// file (as geth's --password does; a trailing "\r" is dropped). Either file
// being accessible to group or others is refused before anything is read
// from it.
func LoadKey(keystoreFile, passwordFile string) (*ecdsa.PrivateKey, error) {
	blob, err := readPrivate(keystoreFile)
	if err != nil {
		return nil, err
	}
	pw, err := readPrivate(passwordFile)
	if err != nil {
		return nil, err
	}
	pass, _, _ := strings.Cut(string(pw), "\n")
	pass = strings.TrimSuffix(pass, "\r")
	key, err := keystore.DecryptKey(blob, pass)
	if err != nil {
		if errors.Is(err, keystore.ErrDecrypt) {
			return nil, fmt.Errorf("decrypt keystore %s: %w (password from %s)", keystoreFile, ErrWrongPassword, passwordFile)
		}
		return nil, fmt.Errorf("decrypt keystore %s: %w", keystoreFile, err)
	}
	return key.PrivateKey, nil
}

// readPrivate reads a file that only its owner may access. The mode is
// taken from the open descriptor, so the file checked is the file read.
func readPrivate(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("open key file: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat key file %s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("key file %s is not a regular file", path)
	}
	if perm := st.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%w: %s has mode %04o; allow its owner only (chmod 600 %s)", ErrInsecureKeyFile, path, perm, path)
	}
	b, err := io.ReadAll(io.LimitReader(f, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read key file %s: %w", path, err)
	}
	if len(b) > maxKeyFileSize {
		return nil, fmt.Errorf("key file %s is larger than %d bytes", path, maxKeyFileSize)
	}
	return b, nil
}
