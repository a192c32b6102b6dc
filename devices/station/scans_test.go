package station

import (
	"context"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// scanCase is one scan at a station and the outcome it must have.
type scanCase struct {
	name, aim, data string
	good            bool
	code, msg       string // msg: a part of the outcome's message
}

// runScans scans each case at station and checks its outcome (operation,
// and ref when not empty) and that a good scan wrote one event and a
// rejection none.
func runScans(t *testing.T, r *Router, st *inventory.Store, station, op, ref string, cases []scanCase) {
	t.Helper()
	runScansBy(t, r, st, station, op, ref, cases, nil, nil)
}

// runScansBy is runScans for operations where some good scans write
// nothing (a bin scan that only chooses the bin): writes says which cases
// write their one event (nil: the good ones). ok, when set, is more that
// every outcome must be.
func runScansBy(t *testing.T, r *Router, st *inventory.Store, station, op, ref string, cases []scanCase,
	writes func(scanCase) bool, ok func(Outcome) bool) {
	t.Helper()
	if writes == nil {
		writes = func(tc scanCase) bool { return tc.good }
	}
	for _, tc := range cases {
		head := st.Head().Seq
		out, err := r.Scan(context.Background(), station, "kim", tc.aim, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if out.Good != tc.good || out.Code != tc.code || out.Operation != op || ref != "" && out.Ref != ref || !strings.Contains(out.Message, tc.msg) ||
			ok != nil && !ok(out) {
			t.Errorf("%s: %+v", tc.name, out)
			continue
		}
		if writes(tc) && (out.Seq != head+1 || st.Head().Seq != head+1) {
			t.Errorf("%s: seq %d, head %d -> %d", tc.name, out.Seq, head, st.Head().Seq)
		}
		if !writes(tc) && st.Head().Seq != head {
			t.Errorf("%s: head %d -> %d: the scan wrote an event", tc.name, head, st.Head().Seq)
		}
	}
}

// openDepot opens an empty store of depot, closed when the test ends.
func openDepot(tb testing.TB, depot string) *inventory.Store {
	tb.Helper()
	st, err := inventory.Open(inventory.Options{Dir: tb.TempDir(), Depot: depot})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// appendAll appends each command to st, in the name of actor when the
// command names nobody.
func appendAll(tb testing.TB, st *inventory.Store, actor string, cmds []inventory.Command) {
	tb.Helper()
	for _, c := range cmds {
		if c.Actor == "" {
			c.Actor = actor
		}
		if _, err := st.Append(context.Background(), c); err != nil {
			tb.Fatalf("%s: %v", c.Type, err)
		}
	}
}

// seedDepot is a store of depot that holds cmds, written by "test".
func seedDepot(tb testing.TB, depot string, cmds []inventory.Command) *inventory.Store {
	tb.Helper()
	st := openDepot(tb, depot)
	appendAll(tb, st, "test", cmds)
	return st
}
