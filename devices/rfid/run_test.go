package rfid

import (
	"context"
	"testing"
	"time"
)

func TestRunReportsArrivalsDeparturesAndFlushes(t *testing.T) {
	s, _ := New(dock())
	in := make(chan Read)
	tick := make(chan time.Time)
	var got []Event
	done := make(chan struct{})
	go func() {
		Run(context.Background(), s, in, tick, func(e Event) { got = append(got, e) })
		close(done)
	}()
	in <- *rd(1, "E1", -50, 0)
	in <- *rd(1, "E2", -50, 0)
	in <- *rd(2, "E1", -50, 800)
	tick <- at(1500) // E2 gone, E1 still present
	close(in)        // the reader stops: E1 is flushed as gone
	<-done
	want := []struct {
		kind Kind
		epc  string
	}{{TagSeen, "E1"}, {TagSeen, "E2"}, {TagGone, "E2"}, {TagGone, "E1"}}
	if len(got) != len(want) {
		t.Fatalf("events %+v", got)
	}
	for i, w := range want {
		if got[i].Kind != w.kind || got[i].EPC != w.epc {
			t.Fatalf("event %d: %+v, want %v %s", i, got[i], w.kind, w.epc)
		}
	}
}
