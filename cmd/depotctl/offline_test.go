package main

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// seededDir makes a store with some events in a folder and closes it, as a
// stopped depotd would leave it.
func seededDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	st := openTestStore(t, dir)
	seed(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	return dir
}

// noServer is an environment where any call to depotd would fail, so the
// offline commands are seen to need none.
func noServer(t *testing.T) map[string]string {
	return map[string]string{"PARTSEDGE_SERVER": deadServer(t)}
}

func TestOfflineBackupRestoreVerify(t *testing.T) {
	env := noServer(t)
	src := seededDir(t)
	file := filepath.Join(t.TempDir(), "d1.bak")

	r := mustRun(t, env, "", "backup", "--data", src, "-o", file, "--format", "json")
	if !strings.Contains(r.stderr, "backup: 0 B\n") || !strings.Contains(r.stderr, "backup: depot D1, seq 12, epoch 1: ") ||
		!strings.Contains(r.stderr, "written to "+file) {
		t.Errorf("backup progress: %q", r.stderr)
	}
	var info struct {
		File  string
		Depot string
		Seq   uint64
		Epoch uint32
		Bytes int64
	}
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info.Depot != "D1" || info.Seq != 12 || info.Epoch != 1 {
		t.Errorf("backup json %+v %v", info, err)
	}
	if fi, err := os.Stat(file); err != nil || fi.Size() != info.Bytes || info.File != file {
		t.Errorf("backup file: %v %v", fi, err)
	}
	if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 1 {
		t.Errorf("backup left more than the file: %v", entries)
	}

	dst := filepath.Join(t.TempDir(), "restored")
	r = mustRun(t, env, "", "restore", "--data", dst, file)
	if !strings.Contains(r.stdout, "depot         D1\nseq           12\nepoch         2 (the backup's was 1)\n") {
		t.Errorf("restore output: %v", r)
	}
	if !strings.Contains(r.stderr, "restore: 0 B of ") || !strings.Contains(r.stderr, "restore: done in ") ||
		!strings.Contains(r.stderr, "start depotd on the new folder: depotd --data ") {
		t.Errorf("restore stderr: %q", r.stderr)
	}
	orig, err := inventory.Open(inventory.Options{Dir: src, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	assertSameLedger(t, orig, dst, 2)
	orig.Close()

	r = mustRun(t, env, "", "verify", "--data", dst)
	if !strings.Contains(r.stdout, "depot     D1\nepoch     2\nevents    12\n") || !strings.Contains(r.stdout, "result    OK\n") {
		t.Errorf("verify output: %v", r)
	}
	if !strings.Contains(r.stderr, "verify: 0 of 12 events") || !strings.Contains(r.stderr, "verify: 12 events checked in ") {
		t.Errorf("verify progress: %q", r.stderr)
	}

	// PARTSEDGE_DATA names the folder when --data is not given.
	dst2 := filepath.Join(t.TempDir(), "from-env")
	env["PARTSEDGE_DATA"] = dst2
	r = mustRun(t, env, "", "restore", "--format", "json", file)
	var res struct {
		Depot         string
		Seq           uint64
		Epoch         uint32
		PreviousEpoch uint32
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || res.Epoch != 2 || res.PreviousEpoch != 1 || res.Seq != 12 {
		t.Errorf("restore json: %+v %v", res, err)
	}
	if _, err := os.Stat(filepath.Join(dst2, "MANIFEST")); err != nil {
		t.Errorf("restore from env: %v", err)
	}
}

func TestRestoreRefusesATruncatedBackup(t *testing.T) {
	env := noServer(t)
	src := seededDir(t)
	file := filepath.Join(t.TempDir(), "d1.bak")
	mustRun(t, env, "", "backup", "--data", src, "-o", file)
	full, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, cut := range []int{len(full) - 1, len(full) - 40, len(full) / 2, 30} {
		short := writeFile(t, "short.bak", string(full[:cut]))
		// Into a folder that does not exist: none is left behind.
		dst := filepath.Join(t.TempDir(), "new")
		r := runCLI(t, env, "", "restore", "--data", dst, short)
		if r.code != 2 || !strings.Contains(r.stderr, "depotctl: invalid_request: ") {
			t.Errorf("cut at %d of %d: %v", cut, len(full), r)
		}
		if _, err := os.Stat(dst); !os.IsNotExist(err) {
			t.Errorf("cut at %d: %s was left behind (%v)", cut, dst, err)
		}
		// Into an empty folder the user made: it stays, empty.
		empty := t.TempDir()
		r = runCLI(t, env, "", "restore", "--data", empty, short)
		entries, err := os.ReadDir(empty)
		if r.code != 2 || err != nil || len(entries) != 0 {
			t.Errorf("cut at %d into an empty folder: %v; folder %v %v", cut, r, entries, err)
		}
	}
	// Not a backup at all.
	r := runCLI(t, env, "", "restore", "--data", filepath.Join(t.TempDir(), "new"), writeFile(t, "x.bak", "hello"))
	if r.code != 2 || !strings.Contains(r.stderr, "not a Partsedge backup file") {
		t.Errorf("not a backup: %v", r)
	}
}

func TestOfflineCommandsSayWhenTheStoreIsInUse(t *testing.T) {
	env := noServer(t)
	dir := seededDir(t)
	st := openTestStore(t, dir) // as depotd would hold it
	file := filepath.Join(t.TempDir(), "d1.bak")
	for _, args := range [][]string{{"backup", "--data", dir, "-o", file}, {"verify", "--data", dir}} {
		r := runCLI(t, env, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "is in use by another process: is depotd running on it?") {
			t.Errorf("%q on a store in use: %v", args, r)
		}
	}
	if _, err := os.Stat(file); !os.IsNotExist(err) {
		t.Errorf("a backup file was left: %v", err)
	}
	st.Close()
}

func TestOfflineVerifyFindsProblems(t *testing.T) {
	env := noServer(t)
	dir := seededDir(t)
	// Change a balance behind the log's back: P1 in A-01 (7 on hand) becomes 999.
	db, err := badger.Open(badger.DefaultOptions(dir).WithLogger(nil))
	if err != nil {
		t.Fatal(err)
	}
	key := []byte("bP1\x00A-01\x00\x00")
	err = db.Update(func(txn *badger.Txn) error {
		if _, err := txn.Get(key); err != nil {
			return err // the key layout changed: this test must follow it
		}
		return txn.Set(key, binary.AppendVarint(binary.AppendVarint(nil, 999), 2))
	})
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	r := runCLI(t, env, "", "verify", "--data", dir)
	if r.code != 1 || !strings.Contains(r.stdout, "result    1 problem(s)\n  - balance P1@A-01") ||
		!strings.Contains(r.stderr, "depotctl: verify found 1 problem(s)") {
		t.Errorf("verify of a tampered store: %v", r)
	}
	r = runCLI(t, env, "", "verify", "--data", dir, "--format", "json")
	var rep inventory.VerifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); r.code != 1 || err != nil || rep.OK || len(rep.Problems) != 1 {
		t.Errorf("verify json: %+v %v %v", rep, err, r)
	}
}
