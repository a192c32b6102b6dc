package notify

import (
	"fmt"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// BenchmarkSyncPass is one pass of the notifier when nothing changed (what
// each new event costs the depot): the reminders over 2,000 lot-tracked
// parts with a lot each in stock, 200 of them expiring and already
// announced, and the diff against the open notices.
func BenchmarkSyncPass(b *testing.B) {
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openStore(b, b.TempDir(), c)
	defer s.Close()
	loc := inventory.Location{Code: "A"}
	mustAppend(b, s, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &loc})
	const parts = 2000
	for i := range parts {
		p := inventory.Part{SKU: fmt.Sprintf("P%05d", i), Tracking: inventory.TrackLot}
		mustAppend(b, s, inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &p})
		expiry := "2027-01-01"
		if i%10 == 0 {
			expiry = "2026-03-20"
		}
		mustAppend(b, s, receipt("", inventory.Line{SKU: p.SKU, Qty: 5, To: "A", Lot: "L1", Expiry: expiry}))
	}
	n := New(s, Options{Now: c.Now, Log: quiet()})
	if _, err := n.Sync(); err != nil {
		b.Fatal(err)
	}
	if open, err := s.OpenNotices(); err != nil || len(open) != parts/10 {
		b.Fatalf("open %d, %v", len(open), err)
	}
	b.ReportAllocs()
	for b.Loop() {
		w, err := n.Sync()
		if err != nil || len(w) != 0 {
			b.Fatalf("wrote %d, %v", len(w), err)
		}
	}
}
