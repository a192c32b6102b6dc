package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/partsedge/partsedge/inventory"
)

func (a *app) restore(name string, args []string) error {
	fs := a.newFlags(name, "--data DIR FILE [--format table|json]",
		"Create a depot's store in DIR from the backup FILE (- for stdin). Offline only: DIR must be new\n"+
			"or empty, and depotd is then started on it. The restored store gets a new epoch so HQ can tell\n"+
			"its log from what the depot wrote after the backup. A damaged or truncated backup is refused\n"+
			"and leaves no store behind.")
	data := fs.fs.String("data", "", "the new data `DIR` (env PARTSEDGE_DATA)")
	format := fs.addFormat("table", "json")
	pos, err := fs.parse(args, 1, 1)
	if err != nil {
		return err
	}
	dir := firstNonEmpty(*data, a.getenv("PARTSEDGE_DATA"))
	if dir == "" {
		return fs.usageError("--data DIR is required")
	}
	if err := checkRestoreDir(dir); err != nil {
		return err
	}

	var in io.Reader = a.stdin
	var size int64
	if file := pos[0]; file != "-" {
		f, err := os.Open(file)
		if errors.Is(err, os.ErrNotExist) {
			return badInput("%s: no such file", file)
		} else if err != nil {
			return err
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		in = f
	}
	m := a.newMeter(byteRender("restore", size))
	m.update(0)
	hdr, epoch, err := inventory.Restore(dir, &countingReader{ctx: a.ctx, r: in}, m.update, inventory.Options{Log: a.logger()})
	if err != nil {
		m.done("")
		return err
	}
	m.done(fmt.Sprintf("restore: done in %s", fmtDuration(m.elapsed())))
	abs, _ := filepath.Abs(dir)
	if *format == "json" {
		err = writeJSON(a.stdout, struct {
			Depot         string `json:"depot"`
			Seq           uint64 `json:"seq"`
			Epoch         uint32 `json:"epoch"`
			PreviousEpoch uint32 `json:"previousEpoch"`
			Data          string `json:"data"`
		}{hdr.Depot, hdr.Seq, epoch, hdr.Epoch, abs})
	} else {
		t := &table{}
		t.add("depot", hdr.Depot)
		t.add("seq", strconv.FormatUint(hdr.Seq, 10))
		t.add("epoch", fmt.Sprintf("%d (the backup's was %d)", epoch, hdr.Epoch))
		t.add("backup taken", fmtTime(hdr.Created))
		t.add("data", abs)
		err = t.write(a.stdout)
	}
	fmt.Fprintf(a.stderr, "depotctl: start depotd on the new folder: depotd --data %s (or PARTSEDGE_DATA=%s)\n", abs, abs)
	return err
}

// checkRestoreDir refuses a DIR that holds anything before the backup is
// read, so a wrong path fails at once rather than after a long read.
func checkRestoreDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return badInput("%s is not a folder", dir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return badInput("%s is not empty: restore into a new folder (depotd must then be started on it)", dir)
	}
	return nil
}
