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
	for _, tc := range cases {
		head := st.Head().Seq
		out, err := r.Scan(context.Background(), station, "kim", tc.aim, tc.data)
		if err != nil {
			t.Fatal(err)
		}
		if out.Good != tc.good || out.Code != tc.code || out.Operation != op || ref != "" && out.Ref != ref || !strings.Contains(out.Message, tc.msg) {
			t.Errorf("%s: %+v", tc.name, out)
			continue
		}
		if tc.good && (out.Seq != head+1 || st.Head().Seq != head+1) {
			t.Errorf("%s: seq %d, head %d -> %d", tc.name, out.Seq, head, st.Head().Seq)
		}
		if !tc.good && st.Head().Seq != head {
			t.Errorf("%s: a rejected scan wrote an event", tc.name)
		}
	}
}
