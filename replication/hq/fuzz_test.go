package hq

import (
	"errors"
	"testing"
)

// FuzzHandleEvents: whatever arrives on a depot's events topic, HQ either
// applies it as the exact continuation (the HWM moves to its end and HQ
// holds exactly the events up to the HWM), acknowledges a duplicate, counts
// a gap, or rejects it for a named reason; the store never fails. HQ's store
// lives across inputs, so sequences of batches are exercised too. Seeds:
// real batches (testdata/fuzz and below).
func FuzzHandleEvents(f *testing.F) {
	d := newDepot(f, "D1", f.TempDir())
	d.grow(6)
	for _, r := range [][2]uint64{{1, 3}, {4, 6}, {2, 5}, {1, 1}} {
		f.Add(d.batch(r[0], r[1]))
	}
	f.Add([]byte(`{"v":1,"depot":"D1","epoch":1,"from":1,"to":1,"events":[{}]}`))
	h := openHQ(f, f.TempDir())
	f.Cleanup(func() { h.Close() })
	known := map[string]bool{"undecodable": true, "version": true, "foreign": true, "range": true, "too-large": true,
		"event": true, ReasonStaleEpoch: true, ReasonUnchained: true, ReasonConflict: true}
	f.Fuzz(func(t *testing.T, payload []byte) {
		before := h.hwm("D1")
		out := h.HandleEvents("D1", payload)
		if out.Err != nil {
			t.Fatalf("store failure: %v", out.Err)
		}
		after := h.hwm("D1")
		switch out.Kind {
		case Applied:
			if out.Ack == nil || out.Ack.Seq != after.Seq || after.Seq <= before.Seq {
				t.Fatalf("applied: %+v, HWM %+v -> %+v", out, before, after)
			}
		case Duplicate:
			if out.Ack == nil || out.Ack.Seq != before.Seq || after != before {
				t.Fatalf("duplicate: %+v, HWM %+v -> %+v", out, before, after)
			}
		case Gap, Rejected:
			if out.Ack != nil || after != before || (out.Kind == Rejected && !known[out.Reason]) {
				t.Fatalf("%s: %+v, HWM %+v -> %+v", out.Kind, out, before, after)
			}
		default:
			t.Fatalf("outcome %+v", out)
		}
		evs, err := h.Events("D1", 0, 0)
		if err != nil && !errors.Is(err, ErrUnknownDepot) {
			t.Fatal(err)
		}
		if uint64(len(evs)) != after.Seq {
			t.Fatalf("HWM %d but %d events held", after.Seq, len(evs))
		}
	})
}
