package inventory

import (
	"reflect"
	"testing"
	"time"
)

func openCountCmd(actor, number string, sc CountScope, blind bool, counters ...string) Command {
	return Command{Type: EvCountOpened, Actor: actor, Ref: number,
		Count: &CountPayload{Session: &CountSession{Number: number, Scope: sc, Blind: blind, Counters: counters}}}
}

func entryCmd(actor, number, bin string, items ...CountItem) Command {
	return Command{Type: EvCountEntered, Actor: actor, Ref: number,
		Count: &CountPayload{Entry: &CountEntry{Bin: bin, Items: items, Source: "scan"}}}
}

func recountCmd(actor, number string, bins ...string) Command {
	return Command{Type: EvCountRecount, Actor: actor, Ref: number, Count: &CountPayload{Recount: bins}}
}

func approveCmd(actor, number string) Command {
	return Command{Type: EvCountAdjustment, Actor: actor, Ref: number, Count: &CountPayload{Approve: true}}
}

func onHand(t *testing.T, s *Store, sku, loc, lot, serial string) int64 {
	t.Helper()
	rows, err := s.Stock(StockFilter{SKU: sku, Location: loc, Lot: lot, Serial: serial}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		if lot == "" && serial == "" && (r.Lot != "" || r.Serial != "") {
			n += r.OnHand
			continue
		}
		n += r.OnHand
	}
	return n
}

// zoned adds zone Z with bins Z1, Z2 and Z3, and stock in them:
// Z1: PN 10, PS s1 s2; Z2: PN 5, PL lot L1 7; Z3: PS s3.
func zoned(t *testing.T) *Store {
	s := seeded(t)
	for _, l := range []Location{{Code: "Z1", Zone: "Z"}, {Code: "Z2", Zone: "Z"}, {Code: "Z3", Zone: "Z"}} {
		mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	}
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 10, To: "Z1"}, Line{SKU: "PN", Qty: 5, To: "Z2"},
		Line{SKU: "PS", Qty: 2, To: "Z1", Serials: []string{"s1", "s2"}}, Line{SKU: "PL", Qty: 7, To: "Z2", Lot: "L1"},
		Line{SKU: "PS", Qty: 1, To: "Z3", Serials: []string{"s3"}}))
	return s
}

func TestCountShapeIsRefused(t *testing.T) {
	s := zoned(t)
	zone := CountScope{Zone: "Z"}
	cases := []shapeCase{
		{"no payload", Command{Type: EvCountOpened, Actor: "sup", Ref: "C1"}, "count"},
		{"payload on a move", Command{Type: EvMove, Actor: "sk", Count: &CountPayload{Approve: true}, Lines: []Line{{SKU: "PN", Qty: 1, From: "A", To: "B"}}}, "count"},
		{"two payloads", Command{Type: EvCountOpened, Actor: "sup", Ref: "C1", Count: &CountPayload{Session: &CountSession{Number: "C1", Scope: zone}, Approve: true}}, "count"},
		{"no scope", openCountCmd("sup", "C1", CountScope{}, false), "count.session.scope"},
		{"two scopes", openCountCmd("sup", "C1", CountScope{Zone: "Z", Parts: []string{"PN"}}, false), "count.session.scope"},
		{"empty bin list", openCountCmd("sup", "C1", CountScope{Bins: []string{}}, false), "count.session.scope.bins"},
		{"bin twice", openCountCmd("sup", "C1", CountScope{Bins: []string{"A", "A"}}, false), "count.session.scope.bins"},
		{"bad class", openCountCmd("sup", "C1", CountScope{ABC: "D"}, false), "count.session.scope.abc"},
		{"bad basis", openCountCmd("sup", "C1", CountScope{ABC: "A", ABCBasis: "value"}, false), "count.session.scope.abcBasis"},
		{"basis without class", openCountCmd("sup", "C1", CountScope{Zone: "Z", ABCBasis: "qty"}, false), "count.session.scope.abcBasis"},
		{"resolved bins given", Command{Type: EvCountOpened, Actor: "sup", Ref: "C1", Count: &CountPayload{Session: &CountSession{Number: "C1", Scope: zone, Bins: []string{"Z1"}}}}, "count.session.bins"},
		{"ref and number differ", Command{Type: EvCountOpened, Actor: "sup", Ref: "C2", Count: &CountPayload{Session: &CountSession{Number: "C1", Scope: zone}}}, "ref"},
		{"bad counter", openCountCmd("sup", "C1", zone, false, "a\tb"), "count.session.counters[0]"},
		{"entry without ref", Command{Type: EvCountEntered, Actor: "sk", Count: &CountPayload{Entry: &CountEntry{Bin: "Z1"}}}, "ref"},
		{"entry without bin", entryCmd("sk", "C1", ""), "count.entry.bin"},
		{"zero qty", entryCmd("sk", "C1", "Z1", CountItem{SKU: "PN"}), "count.entry.items[0].qty"},
		{"serials and qty differ", entryCmd("sk", "C1", "Z1", CountItem{SKU: "PS", Qty: 2, Serials: []string{"s1"}}), "count.entry.items[0].serials"},
		{"bad source", Command{Type: EvCountEntered, Actor: "sk", Ref: "C1", Count: &CountPayload{Entry: &CountEntry{Bin: "Z1", Source: "guess"}}}, "count.entry.source"},
		{"recount nothing", recountCmd("sup", "C1"), "count"},
		{"recount empty list", Command{Type: EvCountRecount, Actor: "sup", Ref: "C1", Count: &CountPayload{Recount: []string{}}}, "count.recount"},
		{"recount bin twice", recountCmd("sup", "C1", "Z1", "Z1"), "count.recount"},
		{"approval without ref", approveCmd("sup", ""), "ref"},
		{"adjustment payload without approve", Command{Type: EvCountAdjustment, Actor: "sup", Ref: "C1", Count: &CountPayload{Recount: []string{"Z1"}}}, "count.approve"},
	}
	wantShapesRefused(t, s, cases)
	// A serial listed twice in one entry is a double count, not a typo.
	wantRefusedOn(t, s, entryCmd("sk", "C1", "Z1", CountItem{SKU: "PS", Qty: 2, Serials: []string{"s1", "s1"}}), CodeAlreadyCounted, "count.entry.items[0].serials")
}

// TestClassifyABC checks the ABC rule on a hand-worked example.
//
// Usage over the year (qty issued): P1 500, P2 300, P3 100, P4 60, P5 30,
// P6 10, P7 0; total 1000. Ranked, with the cumulative share of the parts
// ranked above each:
//
//	P1 500  before   0%  -> A (under 80%)
//	P2 300  before  50%  -> A (under 80%; P2 takes the total to 80%)
//	P3 100  before  80%  -> B (not under 80%, under 95%)
//	P4  60  before  90%  -> B (under 95%; P4 takes it to 96%)
//	P5  30  before  96%  -> C
//	P6  10  before  99%  -> C
//	P7   0               -> C (no usage)
func TestClassifyABC(t *testing.T) {
	got := ClassifyABC([]string{"P7", "P6", "P5", "P4", "P3", "P2", "P1"},
		map[string]int64{"P1": 500, "P2": 300, "P3": 100, "P4": 60, "P5": 30, "P6": 10})
	want := []ABCUsage{{"P1", 500, "A"}, {"P2", 300, "A"}, {"P3", 100, "B"}, {"P4", 60, "B"}, {"P5", 30, "C"}, {"P6", 10, "C"}, {"P7", 0, "C"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v\nwant %v", got, want)
	}
	// Ties rank by SKU; one part with all usage is A alone.
	got = ClassifyABC([]string{"X", "Y"}, map[string]int64{"Y": 5})
	if got[0] != (ABCUsage{"Y", 5, "A"}) || got[1] != (ABCUsage{"X", 0, "C"}) {
		t.Fatalf("got %v", got)
	}
	if got := ClassifyABC([]string{"X"}, nil); got[0].Class != ClassC {
		t.Fatalf("a part without usage is C, got %v", got)
	}
}

// TestCountOpenByABC opens sessions over an ABC class computed from a
// year of issues; an issue older than the window does not count.
func TestCountOpenByABC(t *testing.T) {
	clk := &fixedClock{t: time.Date(2025, 1, 1, 8, 0, 0, 0, time.UTC)}
	s := openTest(t, clk)
	for _, sku := range []string{"P1", "P2", "P3", "P4"} {
		p := Part{SKU: sku}
		mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	}
	l := Location{Code: "A"}
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "P1", Qty: 1000, To: "A"}, Line{SKU: "P2", Qty: 1000, To: "A"},
		Line{SKU: "P3", Qty: 1000, To: "A"}, Line{SKU: "P4", Qty: 1000, To: "A"}))
	// Out of the window by the day of the count: 900 of P4.
	mustAppend(t, s, cmd(EvIssue, "WO-0", Line{SKU: "P4", Qty: 900, From: "A"}))
	clk.set(time.Date(2026, 2, 1, 8, 0, 0, 0, time.UTC))
	// In the window: P1 80 in one issue; P2 15 in three issues; P3 5 in five.
	mustAppend(t, s, cmd(EvIssue, "WO-1", Line{SKU: "P1", Qty: 80, From: "A"}))
	for i := 0; i < 3; i++ {
		mustAppend(t, s, cmd(EvIssue, "WO-2", Line{SKU: "P2", Qty: 5, From: "A"}))
	}
	for i := 0; i < 5; i++ {
		mustAppend(t, s, cmd(EvIssue, "WO-3", Line{SKU: "P3", Qty: 1, From: "A"}))
	}
	clk.set(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC))
	// By qty: total 100; P1 80 (before 0%) A; P2 15 (before 80%) B; P3 5
	// (before 95%) C; P4 0 C.
	r := mustAppend(t, s, openCountCmd("sup", "CA", CountScope{ABC: "A"}, false))
	if got := r.Event.Count.Session.Parts; !reflect.DeepEqual(got, []string{"P1"}) {
		t.Fatalf("class A by qty: %v", got)
	}
	r = mustAppend(t, s, openCountCmd("sup", "CC", CountScope{ABC: "C"}, false))
	if got := r.Event.Count.Session.Parts; !reflect.DeepEqual(got, []string{"P3", "P4"}) {
		t.Fatalf("class C by qty: %v", got)
	}
	// By issues: total 9; P3 5 (before 0%) A; P2 3 (before 55%) A; P1 1
	// (before 88%) B; P4 0 C.
	r = mustAppend(t, s, openCountCmd("sup", "CI", CountScope{ABC: "A", ABCBasis: ABCByIssues}, false))
	if got := r.Event.Count.Session.Parts; !reflect.DeepEqual(got, []string{"P2", "P3"}) {
		t.Fatalf("class A by issues: %v", got)
	}
	// An entry for a part outside the class is out of scope.
	wantRefusedOn(t, s, entryCmd("sk", "CA", "A", CountItem{SKU: "P2", Qty: 1}), CodeNotInScope, "count.entry.items[0].sku")
	mustAppend(t, s, entryCmd("sk", "CA", "A", CountItem{SKU: "P1", Qty: 920}))
	mustVerify(t, s)
}

// TestCountWhileTheDepotWorks is the heart of counting without freezing
// the depot: each bin is compared with its balance when its count began.
func TestCountWhileTheDepotWorks(t *testing.T) {
	s := zoned(t)
	mustAppend(t, s, openCountCmd("sup", "C1", CountScope{Zone: "Z"}, true, "ann", "bob"))
	// Z1 is counted right: PN 10, s1, s2.
	mustAppend(t, s, entryCmd("ann", "C1", "Z1", CountItem{SKU: "PN", Qty: 10}, CountItem{SKU: "PS", Qty: 2, Serials: []string{"s1", "s2"}}))
	// After its count, 4 PN and s2 leave Z1 for Z2, which is not counted
	// yet: neither move may show up as a variance.
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PN", Qty: 4, From: "Z1", To: "Z2"}, Line{SKU: "PS", Qty: 1, From: "Z1", To: "Z2", Serials: []string{"s2"}}))
	// Z2 holds PN 9 and s2 now, and lot L1 7; bob finds PN 9, s2, and 6 of
	// L1 (one short: a real variance) in two entries.
	mustAppend(t, s, entryCmd("bob", "C1", "Z2", CountItem{SKU: "PN", Qty: 5}, CountItem{SKU: "PS", Qty: 1, Serials: []string{"s2"}}))
	mustAppend(t, s, entryCmd("bob", "C1", "Z2", CountItem{SKU: "PN", Qty: 4}, CountItem{SKU: "PL", Lot: "L1", Qty: 6}))
	// And a move out of a counted bin after its count, again.
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PN", Qty: 2, From: "Z2", To: "A"}))
	// Z3 should hold s3; ann finds s4 there instead (never seen before).
	mustAppend(t, s, entryCmd("ann", "C1", "Z3", CountItem{SKU: "PS", Qty: 1, Serials: []string{"s4"}}))

	rep, err := s.CountReport("C1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Variance{
		{Bin: "Z2", SKU: "PL", Lot: "L1", Expected: 7, Counted: 6, Variance: -1},
		{Bin: "Z3", SKU: "PS", Serial: "s3", Expected: 1, Counted: 0, Variance: -1},
		{Bin: "Z3", SKU: "PS", Serial: "s4", Expected: 0, Counted: 1, Variance: 1},
	}
	if !reflect.DeepEqual(rep.Variances, want) {
		t.Fatalf("variances %+v\nwant %+v", rep.Variances, want)
	}
	if !reflect.DeepEqual(rep.CountedBy, []string{"ann", "bob"}) || rep.Entries != 4 {
		t.Fatalf("counted by %v, %d entries", rep.CountedBy, rep.Entries)
	}
	mustVerify(t, s)

	// Someone who counted may not approve.
	wantRefusedOn(t, s, approveCmd("bob", "C1"), CodeApproverCounted, "actor")
	res := mustAppend(t, s, approveCmd("sup", "C1"))
	wantLines := []Line{
		{SKU: "PL", Location: "Z2", Lot: "L1", Qty: -1},
		{SKU: "PS", Location: "Z3", Qty: -1, Serials: []string{"s3"}},
		{SKU: "PS", Location: "Z3", Qty: 1, Serials: []string{"s4"}},
	}
	if res.Event.Type != EvCountAdjustment || res.Event.Ref != "C1" || !reflect.DeepEqual(res.Event.Lines, wantLines) {
		t.Fatalf("approval %s %s %+v", res.Event.Type, res.Event.Ref, res.Event.Lines)
	}
	for _, c := range []struct {
		sku, loc, lot, serial string
		want                  int64
	}{{"PN", "Z1", "", "", 6}, {"PN", "Z2", "", "", 7}, {"PL", "Z2", "L1", "", 6}, {"PS", "Z3", "", "s4", 1}, {"PS", "Z3", "", "s3", 0}, {"PS", "Z2", "", "s2", 1}} {
		if got := onHand(t, s, c.sku, c.loc, c.lot, c.serial); got != c.want {
			t.Errorf("%s@%s %s%s: %d on hand, want %d", c.sku, c.loc, c.lot, c.serial, got, c.want)
		}
	}
	st, err := s.CountSession("C1")
	if err != nil || st.Status != CountApproved || st.ApprovedBy != "sup" || st.ApprovedSeq != res.Event.Seq {
		t.Fatalf("%+v %v", st, err)
	}
	// An approved session takes nothing more.
	wantRefusedOn(t, s, entryCmd("ann", "C1", "Z1", CountItem{SKU: "PN", Qty: 1}), CodeDocumentClosed, "ref")
	wantRefusedOn(t, s, approveCmd("admin", "C1"), CodeDocumentClosed, "ref")
	wantRefusedOn(t, s, recountCmd("admin", "C1", "Z1"), CodeDocumentClosed, "ref")
	mustVerify(t, s)
}

// TestCountRejections walks every refusal of the count rules; none writes.
func TestCountRejections(t *testing.T) {
	s := zoned(t)
	mustAppend(t, s, openCountCmd("sup", "C1", CountScope{Bins: []string{"Z1", "Z2"}}, false, "ann"))
	mustAppend(t, s, openCountCmd("sup", "CP", CountScope{Parts: []string{"PS"}}, false))
	mustAppend(t, s, entryCmd("ann", "C1", "Z1", CountItem{SKU: "PS", Qty: 1, Serials: []string{"s1"}}))
	cases := []struct {
		name  string
		c     Command
		code  Code
		field string
	}{
		{"session exists", openCountCmd("sup", "C1", CountScope{Zone: "Z"}, false), CodeDocumentExists, "ref"},
		{"empty zone", openCountCmd("sup", "C9", CountScope{Zone: "nowhere"}, false), CodeUnknownLocation, "count.session.scope.zone"},
		{"unknown scope bin", openCountCmd("sup", "C9", CountScope{Bins: []string{"Z1", "NOPE"}}, false), CodeUnknownLocation, "count.session.scope.bins[1]"},
		{"transit scope bin", openCountCmd("sup", "C9", CountScope{Bins: []string{"TR"}}, false), CodeLocationKind, "count.session.scope.bins[0]"},
		{"unknown scope part", openCountCmd("sup", "C9", CountScope{Parts: []string{"NOPE"}}, false), CodeUnknownPart, "count.session.scope.parts[0]"},
		{"empty class", openCountCmd("sup", "C9", CountScope{ABC: "A"}, false), CodeNotFound, "count.session.scope.abc"},
		{"no session", entryCmd("ann", "C9", "Z1"), CodeNotFound, "ref"},
		{"not a counter", entryCmd("bob", "C1", "Z1", CountItem{SKU: "PN", Qty: 1}), CodeNotCounter, "actor"},
		{"unknown bin", entryCmd("ann", "C1", "NOPE"), CodeUnknownLocation, "count.entry.bin"},
		{"transit bin", entryCmd("ann", "CP", "TR"), CodeLocationKind, "count.entry.bin"},
		{"bin out of scope", entryCmd("ann", "C1", "Z3", CountItem{SKU: "PS", Qty: 1, Serials: []string{"s3"}}), CodeNotInScope, "count.entry.bin"},
		{"part out of scope", entryCmd("ann", "CP", "Z1", CountItem{SKU: "PN", Qty: 1}), CodeNotInScope, "count.entry.items[0].sku"},
		{"unknown part", entryCmd("ann", "C1", "Z1", CountItem{SKU: "NOPE", Qty: 1}), CodeUnknownPart, "count.entry.items[0].sku"},
		{"serial part without serials", entryCmd("ann", "C1", "Z1", CountItem{SKU: "PS", Qty: 1}), CodeTracking, "count.entry.items[0].serials"},
		{"lot part without lot", entryCmd("ann", "C1", "Z2", CountItem{SKU: "PL", Qty: 1}), CodeTracking, "count.entry.items[0].lot"},
		{"untracked part with lot", entryCmd("ann", "C1", "Z2", CountItem{SKU: "PN", Lot: "L1", Qty: 1}), CodeTracking, "count.entry.items[0]"},
		{"serial counted twice", entryCmd("ann", "C1", "Z2", CountItem{SKU: "PS", Qty: 1, Serials: []string{"s1"}}), CodeAlreadyCounted, "count.entry.items[0].serials"},
		{"recount an uncounted bin", recountCmd("sup", "C1", "Z2"), CodeNotCounted, "count.recount[0]"},
		{"recount in no session", recountCmd("sup", "C9", "Z1"), CodeNotFound, "ref"},
		{"approve nothing counted", approveCmd("sup", "CP"), CodeNotCounted, "ref"},
		{"approve no session", approveCmd("sup", "C9"), CodeNotFound, "ref"},
		{"counter approves", approveCmd("ann", "C1"), CodeApproverCounted, "actor"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantRefusedOn(t, s, tc.c, tc.code, tc.field) })
	}
	mustVerify(t, s)
}

// TestCountRecountSupersedes: a recount throws a bin's entries away, so
// its serials may be counted again and only the new count is compared.
func TestCountRecountSupersedes(t *testing.T) {
	s := zoned(t)
	mustAppend(t, s, openCountCmd("sup", "C1", CountScope{Zone: "Z"}, false))
	mustAppend(t, s, entryCmd("ann", "C1", "Z1", CountItem{SKU: "PN", Qty: 3}, CountItem{SKU: "PS", Qty: 1, Serials: []string{"s1"}}))
	rep, _ := s.CountReport("C1")
	if len(rep.Variances) != 2 { // PN -7, s2 missing
		t.Fatalf("before recount: %+v", rep.Variances)
	}
	// Z1 changes between the counts: the recount compares with the balance
	// when it began, not when the first count did.
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PN", Qty: 1, From: "Z1", To: "A"}))
	mustAppend(t, s, recountCmd("sup", "C1", "Z1"))
	rep, _ = s.CountReport("C1")
	if len(rep.CountedBins) != 0 || rep.Superseded != 1 || len(rep.Variances) != 0 {
		t.Fatalf("after recount: %+v", rep)
	}
	mustAppend(t, s, entryCmd("cy", "C1", "Z1", CountItem{SKU: "PN", Qty: 9}, CountItem{SKU: "PS", Qty: 2, Serials: []string{"s1", "s2"}}))
	rep, _ = s.CountReport("C1")
	if len(rep.Variances) != 0 || rep.Bins[0].Recounts != 1 || rep.Bins[0].BeganSeq != s.Head().Seq {
		t.Fatalf("recounted: %+v", rep)
	}
	// ann's superseded entry still makes her a counter of the session.
	wantRefusedOn(t, s, approveCmd("ann", "C1"), CodeApproverCounted, "actor")
	res := mustAppend(t, s, approveCmd("sup", "C1"))
	if len(res.Event.Lines) != 0 {
		t.Fatalf("nothing to adjust, got %+v", res.Event.Lines)
	}
	mustVerify(t, s)
}

// TestCountRelocatesAFoundSerial: a serial the ledger has in one bin and
// the count finds in another is taken out there and put where it was
// found, in the approval event; a negative adjustment that today's stock
// cannot take refuses the approval whole.
func TestCountRelocatesAFoundSerial(t *testing.T) {
	s := zoned(t)
	mustAppend(t, s, openCountCmd("sup", "C1", CountScope{Zone: "Z"}, false))
	mustAppend(t, s, entryCmd("ann", "C1", "Z1", CountItem{SKU: "PN", Qty: 10}, CountItem{SKU: "PS", Qty: 1, Serials: []string{"s1"}}))
	mustAppend(t, s, entryCmd("ann", "C1", "Z3", CountItem{SKU: "PS", Qty: 2, Serials: []string{"s2", "s3"}}))
	res := mustAppend(t, s, approveCmd("sup", "C1"))
	want := []Line{{SKU: "PS", Location: "Z1", Qty: -1, Serials: []string{"s2"}}, {SKU: "PS", Location: "Z3", Qty: 1, Serials: []string{"s2"}}}
	if !reflect.DeepEqual(res.Event.Lines, want) {
		t.Fatalf("lines %+v", res.Event.Lines)
	}
	if onHand(t, s, "PS", "Z3", "", "s2") != 1 {
		t.Fatal("s2 is not where it was counted")
	}
	mustVerify(t, s)

	mustAppend(t, s, openCountCmd("sup", "C2", CountScope{Bins: []string{"Z2"}}, false))
	mustAppend(t, s, entryCmd("ann", "C2", "Z2", CountItem{SKU: "PN", Qty: 1}))
	// 4 of 5 are missing; then 3 are reserved, so only 2 are available to
	// write off: the approval is refused and writes nothing.
	mustAppend(t, s, cmd(EvReserve, "WO-1", Line{SKU: "PN", Qty: 3, Location: "Z2"}))
	wantRefused(t, s, approveCmd("sup", "C2"), CodeInsufficientStock)
	mustVerify(t, s)
}

// TestVerifyFindsCountTampering edits a stored count and a stored bin.
func TestVerifyFindsCountTampering(t *testing.T) {
	s := zoned(t)
	mustAppend(t, s, openCountCmd("sup", "C1", CountScope{Zone: "Z"}, false))
	mustAppend(t, s, entryCmd("ann", "C1", "Z1", CountItem{SKU: "PN", Qty: 10}))
	rep := wantTamperingFound(t, s, func(t *testing.T, s *Store) {
		tamper(t, s, countBinKey("C1", "Z1"), []byte(`{"bin":"Z1","beganSeq":1,"expected":[],"counted":[],"entries":[],"recounts":0}`))
		tamper(t, s, countSerialKey("C1", "PS", "s9"), []byte("Z1"))
	})
	if rep.ProblemCount != 2 {
		t.Fatalf("verify: %+v", rep)
	}
}
