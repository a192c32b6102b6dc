package inventory

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// auditStore is the seeded store (events 1-9 by admin, 2026-03-01 08:00)
// and five more by two people over two days:
//
//	10 kim  receipt  R-1    PN 5 -> A        03-01
//	11 kim  receipt  R-2    PS S1 -> A       03-01
//	12 lee  move            PN 2 A -> B      03-02
//	13 lee  issue    WO-1   PS S1 from A     03-02
//	14 kim  scrap           PN 1 from B      03-02
func auditStore(t *testing.T) (*Store, *fixedClock) {
	t.Helper()
	clock := &fixedClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openTest(t, clock)
	for _, p := range []Part{{SKU: "PN"}, {SKU: "PL", Tracking: TrackLot}, {SKU: "PS", Tracking: TrackSerial}} {
		mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []Location{{Code: "A"}, {Code: "B"}, {Code: "Q", Kind: KindQuarantine},
		{Code: "DEF", Kind: KindDefective}, {Code: "VAN", Kind: KindVan}, {Code: "TR", Kind: KindTransit}} {
		mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	}
	as := func(actor string, c Command) { c.Actor = actor; mustAppend(t, s, c) }
	as("kim", cmd(EvReceipt, "R-1", Line{SKU: "PN", Qty: 5, To: "A"}))
	as("kim", cmd(EvReceipt, "R-2", Line{SKU: "PS", Qty: 1, To: "A", Serials: []string{"S1"}}))
	clock.set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	as("lee", cmd(EvMove, "", Line{SKU: "PN", Qty: 2, From: "A", To: "B"}))
	as("lee", cmd(EvIssue, "WO-1", Line{SKU: "PS", Qty: 1, From: "A", Serials: []string{"S1"}}))
	as("kim", cmd(EvScrap, "", Line{SKU: "PN", Qty: 1, From: "B"}))
	return s, clock
}

func seqsOf(pg AuditPage) []uint64 {
	out := []uint64{}
	for _, e := range pg.Entries {
		out = append(out, e.Event.Seq)
	}
	return out
}

func TestAuditFilters(t *testing.T) {
	s, _ := auditStore(t)
	day2 := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		f    AuditFilter
		want []uint64
	}{
		{"everything, newest first", AuditFilter{}, []uint64{14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"by actor", AuditFilter{Actor: "kim"}, []uint64{14, 11, 10}},
		{"by type", AuditFilter{Types: []EventType{EvMove, EvScrap}}, []uint64{14, 12}},
		{"by ref", AuditFilter{Ref: "WO-1"}, []uint64{13}},
		{"by part, definition included", AuditFilter{SKU: "PS"}, []uint64{13, 11, 3}},
		{"since a day", AuditFilter{Since: day2}, []uint64{14, 13, 12}},
		{"until a day", AuditFilter{Until: day2, Actor: "kim"}, []uint64{11, 10}},
		{"nobody", AuditFilter{Actor: "eve"}, []uint64{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pg, err := s.Audit(tc.f, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := seqsOf(pg); !slices.Equal(got, tc.want) {
				t.Fatalf("seqs %v, want %v", got, tc.want)
			}
			if pg.Examined != 14 || len(pg.Broken) != 0 || pg.Next != 0 {
				t.Fatalf("examined %d, broken %v, next %d", pg.Examined, pg.Broken, pg.Next)
			}
			for _, e := range pg.Entries {
				if !e.HashOK || e.LinkOK == nil || !*e.LinkOK {
					t.Fatalf("entry %d: hash %v link %v", e.Event.Seq, e.HashOK, e.LinkOK)
				}
			}
		})
	}
}

// TestAuditPages walks the trail two entries at a time: the pages join up,
// each entry's link is checked even at a page's end, and the last page
// says there is no more.
func TestAuditPages(t *testing.T) {
	s, _ := auditStore(t)
	var got []uint64
	before := uint64(0)
	for range 10 {
		pg, err := s.Audit(AuditFilter{Actor: "kim"}, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, seqsOf(pg)...)
		for _, e := range pg.Entries {
			if e.LinkOK == nil || !*e.LinkOK {
				t.Fatalf("entry %d: link not checked: %v", e.Event.Seq, e.LinkOK)
			}
		}
		if pg.Next == 0 {
			break
		}
		before = pg.Next
	}
	if !slices.Equal(got, []uint64{14, 11, 10}) {
		t.Fatalf("paged seqs %v", got)
	}
}

// TestAuditShowsTampering edits one stored event's content, and rewrites
// another with a consistent hash but a false link: the trail marks exactly
// the events whose checks fail, so an auditor sees where the log was
// changed. Re-sealing 10 changes its hash, so 11's link breaks too.
func TestAuditShowsTampering(t *testing.T) {
	s, _ := auditStore(t)
	ev, err := s.Event(12)
	if err != nil {
		t.Fatal(err)
	}
	ev.Actor = "kim" // someone shifts the blame; the hash no longer fits
	b, _ := json.Marshal(ev)
	tamper(t, s, eventKey(12), b)
	ev, _ = s.Event(10)
	ev.PrevHash = "00"
	if _, err := sealEvent(&ev); err != nil { // a consistent hash, a broken link
		t.Fatal(err)
	}
	b, _ = json.Marshal(ev)
	tamper(t, s, eventKey(10), b)
	pg, err := s.Audit(AuditFilter{Actor: "kim"}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(pg.Broken, []uint64{10, 11, 12}) {
		t.Fatalf("broken %v, want [10 11 12]", pg.Broken)
	}
	for _, e := range pg.Entries {
		wantHash, wantLink := e.Event.Seq != 12, e.Event.Seq != 10 && e.Event.Seq != 11
		if e.HashOK != wantHash || e.LinkOK == nil || *e.LinkOK != wantLink {
			t.Errorf("entry %d: hash %v link %v", e.Event.Seq, e.HashOK, *e.LinkOK)
		}
	}
	// 13's prevHash is 12's recorded hash, which is unchanged: 12's content
	// is what is wrong, not 13's link.
	if !slices.Equal(seqsOf(pg), []uint64{14, 12, 11, 10}) {
		t.Fatalf("the edited event shows under its new actor: %v", seqsOf(pg))
	}
}
