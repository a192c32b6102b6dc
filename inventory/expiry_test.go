package inventory

import (
	"testing"
	"time"
)

// TestExpiringLots: on 2026-03-01 with the default 30-day window, lot L1
// (expires 03-10, in A and Q) is expiring, L0 (expired 02-20) is expired,
// L2 (04-30) is not yet due, L3 is only in the defective store, waiting
// to go back to its supplier, where its date is nobody's to act on. Moving the clock on
// turns L1 expired and brings L2 in; picking the stock away ends it.
func TestExpiringLots(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openTest(t, clock)
	for _, p := range []Part{{SKU: "PL", Tracking: TrackLot}, {SKU: "PN"}} {
		mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []Location{{Code: "A"}, {Code: "Q", Kind: KindQuarantine}, {Code: "DEF", Kind: KindDefective}} {
		mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	}
	mustAppend(t, s, cmd(EvReceipt, "",
		Line{SKU: "PL", Qty: 4, To: "A", Lot: "L1", Expiry: "2026-03-10"},
		Line{SKU: "PL", Qty: 2, To: "Q", Lot: "L1"},
		Line{SKU: "PL", Qty: 3, To: "A", Lot: "L2", Expiry: "2026-04-30"},
		Line{SKU: "PL", Qty: 5, To: "Q", Lot: "L3", Expiry: "2026-03-02"},
		Line{SKU: "PN", Qty: 9, To: "A"}))
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PL", Qty: 5, From: "Q", To: "DEF", Lot: "L3"}))
	// An expired lot cannot be received any more; it got old on the shelf.
	clock.set(time.Date(2026, 1, 1, 8, 0, 0, 0, time.UTC))
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PL", Qty: 1, To: "A", Lot: "L0", Expiry: "2026-02-20"}))
	clock.set(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))

	type want struct {
		kind     ReminderKind
		lot, exp string
		qty      int64
	}
	check := func(name string, wants ...want) {
		t.Helper()
		all, err := s.Reminders()
		if err != nil {
			t.Fatal(err)
		}
		var got []Reminder
		for _, r := range all {
			if r.Kind == ReminderLotExpiring || r.Kind == ReminderLotExpired {
				got = append(got, r)
			}
		}
		if len(got) != len(wants) {
			t.Fatalf("%s: %+v, want %+v", name, got, wants)
		}
		for i, w := range wants {
			g := got[i]
			if g.Kind != w.kind || g.SKU != "PL" || g.Lot != w.lot || g.Ref != w.lot || g.Expiry != w.exp || g.Qty != w.qty || g.Message == "" {
				t.Errorf("%s: reminder %d = %+v, want %+v", name, i, g, w)
			}
		}
	}
	check("today",
		want{ReminderLotExpired, "L0", "2026-02-20", 1},
		want{ReminderLotExpiring, "L1", "2026-03-10", 6})

	clock.set(time.Date(2026, 4, 5, 8, 0, 0, 0, time.UTC))
	check("five weeks on",
		want{ReminderLotExpired, "L0", "2026-02-20", 1},
		want{ReminderLotExpired, "L1", "2026-03-10", 6},
		want{ReminderLotExpiring, "L2", "2026-04-30", 3})

	mustAppend(t, s, Command{Type: EvScrap, Actor: "sk", Note: "expired", Lines: []Line{
		{SKU: "PL", Qty: 1, From: "A", Lot: "L0"}, {SKU: "PL", Qty: 4, From: "A", Lot: "L1"}, {SKU: "PL", Qty: 2, From: "Q", Lot: "L1"}}})
	check("scrapped", want{ReminderLotExpiring, "L2", "2026-04-30", 3})

	// A narrower window is the caller's to ask for.
	got, err := s.ExpiringLots(clock.Now(), 7*24*time.Hour)
	if err != nil || len(got) != 0 {
		t.Fatalf("ExpiringLots within a week = %+v, %v", got, err)
	}
}

func TestExpiryWindowOption(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s, err := Open(Options{Dir: t.TempDir(), Depot: "D1", Clock: clock, GCInterval: -1, ExpiryWindow: 90 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p := Part{SKU: "PL", Tracking: TrackLot}
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	l := Location{Code: "A"}
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PL", Qty: 4, To: "A", Lot: "L1", Expiry: "2026-05-01"}))
	r, err := s.Reminders()
	if err != nil || len(r) != 1 || r[0].Kind != ReminderLotExpiring {
		t.Fatalf("with a 90-day window: %+v, %v", r, err)
	}
}
