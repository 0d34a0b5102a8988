package sshd

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// DefaultHostKeyPath is the host key beside the database file.
func DefaultHostKeyPath(dbPath string) string {
	return filepath.Join(filepath.Dir(dbPath), HostKeyName)
}

// ensureHostKey reads the host key at path, first creating an ed25519 key
// there (OpenSSH PEM, mode 0600, its folder 0700) if there is none. A key
// file readable by others is made 0600, as sshd would demand.
func ensureHostKey(path string) (pemBytes []byte, created bool, oldMode fs.FileMode, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := writeHostKey(path); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, false, 0, err
		} else if err == nil {
			created = true
		}
		data, err = os.ReadFile(path)
	}
	if err != nil {
		return nil, false, 0, fmt.Errorf("sshd: host key: %w", err)
	}
	if oldMode, err = keepPrivate(path); err != nil {
		return nil, false, 0, err
	}
	return data, created, oldMode, nil
}

func writeHostKey(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("sshd: host key folder: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("sshd: host key: %w", err)
	}
	blk, err := gossh.MarshalPrivateKey(priv, "offduty host key")
	if err != nil {
		return fmt.Errorf("sshd: host key: %w", err)
	}
	// O_EXCL: two servers starting at once do not overwrite each other's key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return err
		}
		return fmt.Errorf("sshd: host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(blk)); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("sshd: host key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("sshd: host key: %w", err)
	}
	return f.Close()
}

// keepPrivate makes the key file mode 0600 if it is anything else, and
// returns the mode it had then (0 if it was 0600).
func keepPrivate(path string) (fs.FileMode, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, fmt.Errorf("sshd: host key: %w", err)
	}
	if fi.IsDir() {
		return 0, fmt.Errorf("sshd: host key %s is a folder", path)
	}
	if m := fi.Mode().Perm(); m != 0o600 {
		if err := os.Chmod(path, 0o600); err != nil {
			return 0, fmt.Errorf("sshd: host key %s is mode %04o and cannot be made 0600: %w", path, m, err)
		}
		return m, nil
	}
	return 0, nil
}
