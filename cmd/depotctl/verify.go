package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

func (a *app) verify(name string, args []string) error {
	fs := a.newFlags(name, "[--data DIR] [--format table|json]",
		"Replay the whole event log: check that seqs have no gap, that every event's hash chains to the\n"+
			"one before, and that the stored balances and indexes equal what the log implies.\n"+
			"Online through depotd by default; with --data, on the store of a stopped depotd.\n"+
			"Online, depotctl waits up to 30m for the answer unless --timeout says otherwise.\n"+
			"Exits 0 when the store is sound and 1 when problems were found.")
	fs.connFlags()
	data := fs.fs.String("data", "", "verify the store in this folder directly (depotd must be stopped)")
	format := fs.addFormat("table", "json")
	if _, err := fs.parse(args, 0, 0); err != nil {
		return err
	}
	var rep inventory.VerifyReport
	var raw []byte
	if *data != "" {
		var err error
		if rep, err = a.verifyOffline(*data); err != nil {
			return err
		}
	} else {
		// Verifying reads the whole log: allow it far longer than a lookup.
		c, err := a.client(30 * time.Minute)
		if err != nil {
			return err
		}
		fmt.Fprintf(a.stderr, "depotctl: verifying on depotd at %s...\n", c.base)
		path := apiPath("admin", "verify")
		if raw, _, err = c.post(a.ctx, path, nil, ""); err != nil {
			return err
		}
		if err := decodeAnswer(path, raw, &rep); err != nil {
			return err
		}
	}
	var err error
	switch {
	case *format == "json" && raw != nil:
		err = writeRawJSON(a.stdout, raw)
	case *format == "json":
		err = writeJSON(a.stdout, rep)
	default:
		err = writeReport(a, rep)
	}
	if err != nil {
		return err
	}
	if !rep.OK {
		return &exitError{code: 1, msg: fmt.Sprintf("verify found %d problem(s)", len(rep.Problems))}
	}
	return nil
}

func (a *app) verifyOffline(dir string) (inventory.VerifyReport, error) {
	st, err := a.openStore(dir)
	if err != nil {
		return inventory.VerifyReport{}, err
	}
	defer st.Close()
	total := st.Head().Seq
	m := a.newMeter(func(n int64, elapsed time.Duration) string {
		s := fmt.Sprintf("verify: %d of %d events", n, total)
		if elapsed > 10*time.Millisecond {
			s += fmt.Sprintf(", %.0f/s", float64(n)/elapsed.Seconds())
		}
		return s
	})
	m.update(0)
	rep, err := st.Verify(a.ctx, func(n uint64) { m.update(int64(n)) })
	if err != nil {
		m.done("")
		return rep, err
	}
	m.done(fmt.Sprintf("verify: %d events checked in %s", rep.Events, fmtDuration(m.elapsed())))
	return rep, st.Close()
}

func writeReport(a *app, rep inventory.VerifyReport) error {
	t := &table{}
	t.add("depot", rep.Depot)
	t.add("epoch", strconv.FormatUint(uint64(rep.Epoch), 10))
	t.add("events", strconv.FormatUint(rep.Events, 10))
	t.add("balances", strconv.Itoa(rep.Balances))
	t.add("serials", strconv.Itoa(rep.Serials))
	result := "OK"
	if !rep.OK {
		result = fmt.Sprintf("%d problem(s)", len(rep.Problems))
	}
	t.add("result", result)
	if err := t.write(a.stdout); err != nil {
		return err
	}
	for _, p := range rep.Problems {
		fmt.Fprintf(a.stdout, "  - %s\n", p)
	}
	return nil
}
