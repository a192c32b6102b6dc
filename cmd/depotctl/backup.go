package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

func (a *app) backup(name string, args []string) error {
	fs := a.newFlags(name, "-o FILE [--data DIR] [--force] [--format table|json]",
		"Write a backup of the depot's store to FILE (- for stdout). Online through depotd by default,\n"+
			"while the depot keeps working; with --data, from the store of a stopped depotd.\n"+
			"The file appears under its name only once it is complete, checked and synced to disk.")
	fs.connFlags()
	out := fs.fs.String("o", "", "the backup `FILE` to write (- for stdout)")
	data := fs.fs.String("data", "", "back up the store in this folder directly (depotd must be stopped)")
	force := fs.fs.Bool("force", false, "replace FILE if it exists")
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	switch {
	case *out == "":
		return fs.usageError("-o FILE is required")
	case *out == "-" && *format == "json":
		return fs.usageError("-o - writes the backup to stdout: --format json has nowhere to go")
	case *out != "-" && !*force:
		if _, err := os.Stat(*out); err == nil {
			return badInput("%s exists: choose another name or pass --force to replace it", *out)
		}
	}

	var c *client
	var st *inventory.Store
	var err error
	if *data != "" {
		if st, err = a.openStore(*data); err != nil {
			return err
		}
		defer st.Close()
	} else if c, err = a.client(defaultTimeout); err != nil {
		return err
	}

	var w io.Writer = a.stdout
	var file *atomicFile
	if *out != "-" {
		if file, err = createAtomic(*out); err != nil {
			return err
		}
		defer file.abort() // a no-op once committed
		w = file
	}
	var hdr inventory.BackupHeader
	var n int64
	var m *meter
	if st != nil {
		m = a.newMeter(byteRender("backup", 0))
		m.update(0)
		cw := &countingWriter{ctx: a.ctx, w: w}
		hdr, err = st.Backup(cw, m.update)
		n = cw.n
		if err == nil {
			err = st.Close()
		}
	} else {
		n, m, err = a.download(c, w)
		if err == nil && file != nil {
			// An HTTP stream can end cleanly while the backup is cut short
			// (depotd failed after its headers): check the file's own trailer.
			if _, err = file.Seek(0, io.SeekStart); err == nil {
				hdr, err = inventory.CheckBackup(file)
				if inventory.CodeOf(err) == inventory.CodeInvalid {
					// Not the user's input at fault: %v keeps it out of exit 2.
					err = fmt.Errorf("the backup depotd sent is incomplete: %v; nothing was kept", err)
				}
			}
		}
	}
	if err != nil {
		if m != nil {
			m.done("")
		}
		return err
	}
	if file != nil {
		if err := file.commit(); err != nil {
			return err
		}
	}
	elapsed := m.elapsed()
	summary := fmt.Sprintf("backup: %s in %s%s", fmtBytes(n), fmtDuration(elapsed), rate(n, elapsed))
	if file != nil {
		summary = fmt.Sprintf("backup: depot %s, seq %d, epoch %d: %s in %s%s, written to %s",
			hdr.Depot, hdr.Seq, hdr.Epoch, fmtBytes(n), fmtDuration(elapsed), rate(n, elapsed), *out)
	}
	m.done(summary)
	if *format == "json" {
		return writeJSON(a.stdout, struct {
			File string `json:"file"`
			inventory.BackupHeader
			Bytes int64 `json:"bytes"`
		}{*out, hdr, n})
	}
	return nil
}

var errStalled = errors.New("depotd stopped sending the backup")

// download streams GET /admin/backup into w. It has no overall deadline (a
// backup takes as long as it takes) but gives up when no byte arrives for
// the client's timeout.
func (a *app) download(c *client, w io.Writer) (int64, *meter, error) {
	ctx, cancel := context.WithCancelCause(a.ctx)
	defer cancel(nil)
	idle := time.AfterFunc(c.timeout, func() { cancel(errStalled) })
	defer idle.Stop()
	resp, err := c.send(ctx, request{method: http.MethodGet, path: apiPath("admin", "backup")})
	if err != nil {
		if errors.Is(context.Cause(ctx), errStalled) {
			return 0, nil, &netError{server: c.base, err: context.DeadlineExceeded}
		}
		return 0, nil, err
	}
	defer resp.Body.Close()
	m := a.newMeter(byteRender("backup", resp.ContentLength))
	m.update(0)
	r := &countingReader{ctx: ctx, r: resp.Body, on: func(n int64) {
		idle.Reset(c.timeout)
		m.update(n)
	}}
	n, err := io.Copy(w, r)
	switch {
	case err == nil:
	case errors.Is(context.Cause(ctx), errStalled):
		err = fmt.Errorf("depotd at %s sent nothing for %s after %s: giving up (raise --timeout?)", c.base, c.timeout, fmtBytes(n))
	case a.ctx.Err() != nil:
		err = a.ctx.Err()
	case r.n == n: // reading failed, not writing
		err = &netError{server: c.base, err: fmt.Errorf("the backup stream broke off after %s: %w", fmtBytes(n), err)}
	}
	return n, m, err
}
