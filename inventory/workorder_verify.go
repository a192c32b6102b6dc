package inventory

import (
	"slices"
)

// replayWO carries one event into the work orders' states with the very
// functions the store ran, and reports events whose store-made parts
// (reservations, billing, releases, mismatches) are not what those
// functions make of the log.
func replayWO(ev *Event, wos map[string]*WorkOrderState, r *VerifyReport) {
	switch ev.Type {
	case EvWOCreated:
		if ev.WorkOrder == nil {
			r.problem("event %d: %s without a work order", ev.Seq, ev.Type)
			return
		}
		if old, ok := wos[ev.WorkOrder.Number]; ok {
			r.problem("event %d: work order %s was already created by event %d", ev.Seq, ev.WorkOrder.Number, old.CreatedSeq)
			return
		}
		st, err := newWOState(ev)
		if err != nil {
			r.problem("event %d: %v", ev.Seq, err)
			return
		}
		wos[ev.WorkOrder.Number] = st
	case EvWOClosed:
		st := wos[ev.Ref]
		switch {
		case st == nil:
			r.problem("event %d: closes work order %s, which does not exist", ev.Seq, ev.Ref)
			return
		case st.Status == WOClosed:
			r.problem("event %d: closes work order %s again (closed by event %d)", ev.Seq, ev.Ref, st.ClosedSeq)
			return
		}
		sameLines(r, ev, "releases", st.close(ev), ev.Lines)
	case EvIssue, EvReturn:
		st := wos[ev.Ref]
		if st == nil {
			return
		}
		cp := *ev
		cp.Released = nil
		cp.Lines = slices.Clone(ev.Lines)
		for i := range cp.Lines {
			cp.Lines[i].Billing, cp.Lines[i].Mismatch = "", ""
			if ev.Type == EvReturn {
				cp.Lines[i].WOLine = 0
			}
		}
		var err error
		if ev.Type == EvIssue {
			// The store matched each line to its work order line, and
			// checked substitutes against the catalogue as it was then.
			err = st.issue(&cp, func(string, string) (bool, error) { return true, nil })
		} else {
			err = st.giveBack(&cp)
		}
		if err != nil {
			r.problem("event %d: %s on work order %s: %v", ev.Seq, ev.Type, ev.Ref, err)
			return
		}
		sameLines(r, ev, "lines", cp.Lines, ev.Lines)
		sameLines(r, ev, "released", cp.Released, ev.Released)
	}
}

func sameLines(r *VerifyReport, ev *Event, what string, want, got []Line) {
	if w, g, same := jsonDiff(want, got); !same {
		r.problem("event %d: %s of work order %s are %s, the log says %s", ev.Seq, what, ev.Ref, g, w)
	}
}
