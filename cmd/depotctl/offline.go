package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

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
	st, err := inventory.Open(inventory.Options{Dir: dir, Log: a.logger(), GCInterval: -1})
	if err != nil {
		if errors.Is(err, inventory.ErrNoStore) {
			return nil, badInput("%s holds no Partsedge store", dir)
		}
		if errors.Is(err, inventory.ErrLocked) {
			return nil, &exitError{code: 1, msg: fmt.Sprintf("the store in %s is in use by another process: is depotd running on it?\n"+
				"Stop depotd first, or leave out --data to do this through the running depotd.", dir)}
		}
		return nil, err
	}
	return st, nil
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
