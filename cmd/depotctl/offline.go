package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/partsedge/partsedge/inventory"
)

// This file holds what the offline commands (verify, backup and restore
// with --data) share: opening a stopped depot's store, and writing files
// that appear whole or not at all.

// openStore opens the store in dir, adopting its depot. It refuses a folder
// that holds no store before Badger would create one there, and says
// plainly when depotd (or anything else) holds the store's lock.
func (a *app) openStore(dir string) (*inventory.Store, error) {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, badInput("%s does not exist", dir)
	case err != nil:
		return nil, err
	case !fi.IsDir():
		return nil, badInput("%s is not a folder", dir)
	}
	if _, err := os.Stat(filepath.Join(dir, "MANIFEST")); err != nil {
		return nil, badInput("%s holds no Partsedge store", dir)
	}
	st, err := inventory.Open(inventory.Options{Dir: dir, Log: a.logger(), GCInterval: -1})
	if err != nil {
		if isLocked(err) {
			return nil, &exitError{code: 1, msg: fmt.Sprintf("the store in %s is in use by another process: is depotd running on it?\n"+
				"Stop depotd first, or leave out --data to do this through the running depotd.", dir)}
		}
		return nil, err
	}
	return st, nil
}

// isLocked recognises Badger's directory lock error, which it returns as
// text only (its "Cannot acquire directory lock" wrapper drops the errno).
func isLocked(err error) bool {
	return errors.Is(err, syscall.EWOULDBLOCK) || strings.Contains(err.Error(), "Cannot acquire directory lock")
}

func (a *app) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// atomicFile is written under a temporary name next to its final one and
// renamed into place only when complete and synced, so a failed or
// interrupted write never leaves a partial file under the final name.
type atomicFile struct {
	*os.File
	final string
	ended bool // committed or aborted
}

func createAtomic(final string) (*atomicFile, error) {
	f, err := os.CreateTemp(filepath.Dir(final), "."+filepath.Base(final)+".partial-*")
	if err != nil {
		return nil, err
	}
	return &atomicFile{File: f, final: final}, nil
}

// commit syncs the file, renames it into place and syncs the folder so the
// rename survives a power cut.
func (f *atomicFile) commit() error {
	f.ended = true
	if err := f.Sync(); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(f.Name())
		return err
	}
	if err := os.Rename(f.Name(), f.final); err != nil {
		os.Remove(f.Name())
		return err
	}
	d, err := os.Open(filepath.Dir(f.final))
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// abort removes the temporary file, unless commit or abort ran already.
func (f *atomicFile) abort() {
	if f.ended {
		return
	}
	f.ended = true
	f.Close()
	os.Remove(f.Name())
}

var errBackupIncomplete = errors.New("the backup is truncated or damaged (its checksum does not match)")

// checkBackup reads a whole backup stream and checks that it ends with the
// checksum of its frames. The format is inventory's (backup.go: a magic
// line, a JSON header line, length-prefixed frames, an empty frame and the
// SHA-256 of the frames' bytes); inventory offers no check of a file short
// of restoring it, so this walks the frames itself.
func checkBackup(r io.Reader) (inventory.BackupHeader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	hdr, err := inventory.ReadBackupHeader(br)
	if err != nil {
		return hdr, err
	}
	sum := sha256.New()
	var size [4]byte
	for {
		if _, err := io.ReadFull(br, size[:]); err != nil {
			return hdr, errBackupIncomplete
		}
		n := binary.BigEndian.Uint32(size[:])
		if n == 0 {
			break
		}
		if _, err := io.CopyN(sum, br, int64(n)); err != nil {
			return hdr, errBackupIncomplete
		}
	}
	want := make([]byte, sha256.Size)
	if _, err := io.ReadFull(br, want); err != nil || !bytes.Equal(want, sum.Sum(nil)) {
		return hdr, errBackupIncomplete
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return hdr, errors.New("the backup has data after its end")
	}
	return hdr, nil
}
