package inventory

import (
	"bufio"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// A backup file is a magic line, a JSON header line, then the store's keys
// and values, each as uvarint key length, key, uvarint value length, value,
// carried in frames (a 4-byte big-endian length and the bytes), ended by an
// empty frame and the SHA-256 of everything the frames carried.
//
// Header and records come from one Badger read transaction, so a backup taken
// while the depot writes is one consistent point in time, with the header's
// seq exactly where its log ends. (Badger's own DB.Backup streams key ranges
// from several transactions and cannot promise that.) The checksum is checked
// before a restored store is let go, so a truncated or damaged file never
// becomes a depot's ledger.
const backupMagic = "PARTSEDGE-BACKUP 2\n"

// BackupHeader describes what a backup holds.
type BackupHeader struct {
	Depot   string    `json:"depot"`
	Epoch   uint32    `json:"epoch"`
	Seq     uint64    `json:"seq"`
	Created time.Time `json:"created"`
}

// Progress is told how many bytes have been written or read so far.
type Progress func(bytes int64)

type frameWriter struct {
	w        *bufio.Writer
	sum      hash.Hash
	n        int64
	progress Progress
}

func (f *frameWriter) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		chunk := p[:min(len(p), 1<<20)]
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], uint32(len(chunk)))
		if _, err := f.w.Write(hdr[:]); err != nil {
			return written, err
		}
		if _, err := f.w.Write(chunk); err != nil {
			return written, err
		}
		f.sum.Write(chunk)
		f.n += int64(len(chunk))
		written += len(chunk)
		p = p[len(chunk):]
		if f.progress != nil {
			f.progress(f.n)
		}
	}
	return written, nil
}

// Backup writes a consistent snapshot of the whole store to w while the
// depot keeps working.
func (s *Store) Backup(w io.Writer, progress Progress) (BackupHeader, error) {
	var hdr BackupHeader
	err := s.read(func(txn *badger.Txn) error {
		var head Head
		if item, err := txn.Get(keyHead); err == nil {
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &head) }); err != nil {
				return fmt.Errorf("decode head: %w", err)
			}
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		} else {
			head.Epoch = 1
		}
		hdr = BackupHeader{Depot: s.opts.Depot, Epoch: head.Epoch, Seq: head.Seq, Created: s.opts.Clock.Now().UTC()}
		bw := bufio.NewWriterSize(w, 256<<10)
		if _, err := bw.WriteString(backupMagic); err != nil {
			return err
		}
		hb, _ := json.Marshal(hdr)
		if _, err := bw.Write(append(hb, '\n')); err != nil {
			return err
		}
		fw := &frameWriter{w: bw, sum: sha256.New(), progress: progress}
		rec := bufio.NewWriterSize(fw, 1<<20)
		it := txn.NewIterator(badger.IteratorOptions{PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		var lenBuf [binary.MaxVarintLen64]byte
		for it.Rewind(); it.Valid(); it.Next() {
			item := it.Item()
			k := item.Key()
			rec.Write(lenBuf[:binary.PutUvarint(lenBuf[:], uint64(len(k)))])
			rec.Write(k)
			err := item.Value(func(v []byte) error {
				rec.Write(lenBuf[:binary.PutUvarint(lenBuf[:], uint64(len(v)))])
				_, err := rec.Write(v)
				return err
			})
			if err != nil {
				return fmt.Errorf("backup: %w", err)
			}
		}
		if err := rec.Flush(); err != nil {
			return fmt.Errorf("backup: %w", err)
		}
		if _, err := bw.Write([]byte{0, 0, 0, 0}); err != nil {
			return err
		}
		if _, err := bw.Write(fw.sum.Sum(nil)); err != nil {
			return err
		}
		return bw.Flush()
	})
	return hdr, err
}

// ReadBackupHeader reads the header of a backup stream, leaving r at the frames.
func ReadBackupHeader(r *bufio.Reader) (BackupHeader, error) {
	var hdr BackupHeader
	magic := make([]byte, len(backupMagic))
	if _, err := io.ReadFull(r, magic); err != nil || string(magic) != backupMagic {
		return hdr, errf(CodeInvalid, "backup", "not a Partsedge backup file")
	}
	line, err := r.ReadBytes('\n')
	if err != nil {
		return hdr, errf(CodeInvalid, "backup", "truncated header")
	}
	if err := json.Unmarshal(line, &hdr); err != nil {
		return hdr, errf(CodeInvalid, "backup", "bad header: %v", err)
	}
	return hdr, nil
}

// frameReader turns the frames back into Badger's stream and checks the sum.
type frameReader struct {
	r        *bufio.Reader
	left     uint32
	sum      hash.Hash
	n        int64
	done     bool
	progress Progress
}

var errBackupDamaged = errf(CodeInvalid, "backup", "the backup is truncated or damaged (checksum mismatch)")

func (f *frameReader) Read(p []byte) (int, error) {
	if f.done {
		return 0, io.EOF
	}
	if f.left == 0 {
		var hdr [4]byte
		if _, err := io.ReadFull(f.r, hdr[:]); err != nil {
			return 0, errBackupDamaged
		}
		f.left = binary.BigEndian.Uint32(hdr[:])
		if f.left == 0 {
			want := make([]byte, sha256.Size)
			if _, err := io.ReadFull(f.r, want); err != nil || string(want) != string(f.sum.Sum(nil)) {
				return 0, errBackupDamaged
			}
			f.done = true
			return 0, io.EOF
		}
	}
	if uint32(len(p)) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.sum.Write(p[:n])
	f.left -= uint32(n)
	f.n += int64(n)
	if f.progress != nil {
		f.progress(f.n)
	}
	if errors.Is(err, io.EOF) {
		return n, errBackupDamaged
	}
	return n, err
}

// loadRecords writes the backup's records into db. Nothing in them is trusted
// until the frame reader has seen the checksum at the end; until then the
// folder is the restore's own and is removed on any error.
func loadRecords(db *badger.DB, fr *frameReader) error {
	r := bufio.NewReaderSize(fr, 1<<20)
	wb := db.NewWriteBatch()
	defer wb.Cancel()
	readField := func(max uint64) ([]byte, error) {
		n, err := binary.ReadUvarint(r)
		if err != nil {
			return nil, err
		}
		if n > max {
			return nil, errf(CodeInvalid, "backup", "a record of %d bytes is beyond what a store holds", n)
		}
		b := make([]byte, n)
		_, err = io.ReadFull(r, b)
		return b, err
	}
	for {
		k, err := readField(1 << 16)
		if errors.Is(err, io.EOF) {
			break
		}
		if err == nil && len(k) == 0 {
			err = errf(CodeInvalid, "backup", "a record with an empty key")
		}
		var v []byte
		if err == nil {
			v, err = readField(64 << 20)
		}
		if err != nil {
			if CodeOf(err) != "" {
				return err
			}
			return errBackupDamaged
		}
		if err := wb.Set(k, v); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if !fr.done {
		return errBackupDamaged
	}
	if err := wb.Flush(); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	return db.Sync()
}

// CheckBackup reads a whole backup stream and checks its checksum without
// restoring it.
func CheckBackup(r io.Reader) (BackupHeader, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	hdr, err := ReadBackupHeader(br)
	if err != nil {
		return hdr, err
	}
	if _, err := io.Copy(io.Discard, &frameReader{r: br, sum: sha256.New()}); err != nil {
		return hdr, err
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		return hdr, errf(CodeInvalid, "backup", "the backup has data after its end")
	}
	return hdr, nil
}

// Restore creates a store in dir (which must not exist or be empty) from a
// backup and bumps its epoch, so HQ can tell the restored log from the one
// that went on before the restore. It returns the backup's header and the
// new epoch.
func Restore(dir string, r io.Reader, progress Progress, opts Options) (BackupHeader, uint32, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	hdr, err := ReadBackupHeader(br)
	if err != nil {
		return hdr, 0, err
	}
	entries, err := os.ReadDir(dir)
	existed := err == nil
	if existed && len(entries) > 0 {
		return hdr, 0, errf(CodeInvalid, "data", "%s is not empty: restore into a new folder", dir)
	}
	opts.Dir, opts.Depot = dir, hdr.Depot
	opts.defaults()
	db, err := badger.Open(badgerOptions(opts))
	if err != nil {
		return hdr, 0, fmt.Errorf("open %s: %w", dir, err)
	}
	fail := func(err error) (BackupHeader, uint32, error) {
		db.Close()
		// Take away what the restore made, and no more: a folder the
		// operator prepared (a mount point, with its owner) stays.
		if existed {
			made, _ := os.ReadDir(dir)
			for _, e := range made {
				os.RemoveAll(filepath.Join(dir, e.Name()))
			}
		} else {
			os.RemoveAll(dir)
		}
		return hdr, 0, err
	}
	if err := loadRecords(db, &frameReader{r: br, sum: sha256.New(), progress: progress}); err != nil {
		return fail(err)
	}
	if _, err := br.ReadByte(); !errors.Is(err, io.EOF) {
		return fail(errf(CodeInvalid, "backup", "the backup has data after its end"))
	}
	var head Head
	err = db.Update(func(txn *badger.Txn) error {
		item, err := txn.Get(keyHead)
		if errors.Is(err, badger.ErrKeyNotFound) {
			head = Head{Epoch: 1}
		} else if err != nil {
			return err
		} else if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &head) }); err != nil {
			return err
		}
		if head.Seq != hdr.Seq {
			return errf(CodeInvalid, "backup", "header says seq %d, the data ends at %d", hdr.Seq, head.Seq)
		}
		head.Epoch++
		b, _ := json.Marshal(head)
		return txn.Set(keyHead, b)
	})
	if err != nil {
		return fail(err)
	}
	if err := db.Close(); err != nil {
		return hdr, 0, err
	}
	return hdr, head.Epoch, nil
}
