package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func trRequest(number string, lines ...TransferLine) Command {
	return Command{Type: EvTransferRequested, Actor: "sk", Ref: number,
		Transfer: &Transfer{Number: number, From: "D1", To: "DST", Expected: "2026-03-05", Lines: lines}}
}

func trCmd(t EventType, actor, ref string, lines ...Line) Command {
	return Command{Type: t, Actor: actor, Ref: ref, Lines: lines}
}

func trDispatch(ref string) Command {
	return Command{Type: EvTransferDispatched, Actor: "sk", Ref: ref, Shipment: &Shipment{CompanyPrefix: "0614141", ExtensionDigit: 3}}
}

// stocked is a seeded store with PN 10, PL lot L1 6 and PS serials S1..S3 in A.
func stocked(t *testing.T) *Store {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 10, To: "A"}, Line{SKU: "PL", Qty: 6, To: "A", Lot: "L1", Expiry: "2027-01-31"},
		Line{SKU: "PS", Qty: 3, To: "A", Serials: []string{"S1", "S2", "S3"}}))
	return s
}

// shipTR1 runs the source's side of TR-1 up to the sealed shipment.
func shipTR1(t *testing.T, s *Store) Event {
	mustAppend(t, s, trRequest("TR-1", TransferLine{SKU: "PN", Qty: 5}, TransferLine{SKU: "PL", Qty: 4}, TransferLine{SKU: "PS", Qty: 2}))
	mustAppend(t, s, trCmd(EvTransferApproved, "planner", "TR-1"))
	mustAppend(t, s, trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PN", Qty: 3, From: "A", To: "TRANSIT-TR-1"}))
	mustAppend(t, s, trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PN", Qty: 2, From: "A", To: "TRANSIT-TR-1"},
		Line{SKU: "PL", Qty: 4, From: "A", To: "TRANSIT-TR-1", Lot: "L1"}))
	mustAppend(t, s, trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PS", Qty: 1, From: "A", To: "TRANSIT-TR-1", Serials: []string{"S2"}}))
	mustAppend(t, s, trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PS", Qty: 1, From: "A", To: "TRANSIT-TR-1", Serials: []string{"S3"}}))
	return mustAppend(t, s, trDispatch("TR-1")).Event
}

// TestTransferBetweenTwoDepots runs a transfer through both ledgers: the
// source picks into transit and seals; the destination books the manifest
// into its own transit, receives one filter short and one serial damaged,
// closes with the report, writes the short unit off; both Verify clean.
func TestTransferBetweenTwoDepots(t *testing.T) {
	src := stocked(t)
	sealed := shipTR1(t, src)
	sh := sealed.Shipment
	// Extension 3, prefix 0614141, serial reference = the event's seq.
	want := NewSSCC(3, "0614141", sealed.Seq)
	if sh.SSCC != want || len(sh.SSCC) != 18 || sh.SSCC[:8] != "30614141" {
		t.Fatalf("SSCC %s, want %s", sh.SSCC, want)
	}
	if _, err := ParseSSCC(sh.SSCC); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(sh.Lines); got != "[{PN 5   []} {PL 4 L1 2027-01-31 []} {PS 2   [S2 S3]}]" {
		t.Fatalf("manifest %s", got)
	}
	tr, err := src.Transfer("TR-1")
	if err != nil || tr.Status != TransferShipped || tr.SSCC != sh.SSCC || tr.ApprovedBy != "planner" {
		t.Fatalf("source TR-1: %+v %v", tr, err)
	}
	// The goods have left the source: nothing in transit, the rest in A.
	if b, _ := src.Stock(StockFilter{Location: "TRANSIT-TR-1"}, 100); len(b) != 0 {
		t.Fatalf("source transit after sealing: %+v", b)
	}
	if b, _ := src.Stock(StockFilter{SKU: "PN"}, 100); len(b) != 1 || b[0].OnHand != 5 {
		t.Fatalf("source PN: %+v", b)
	}
	mustVerify(t, src)

	dst := seeded(t)
	ann := mustAppend(t, dst, Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "TR-1",
		Transfer: &Transfer{Number: "TR-1", From: "SRC", To: "D1", Expected: "2026-03-05",
			Lines: []TransferLine{{SKU: "PN", Qty: 5}, {SKU: "PL", Qty: 4}, {SKU: "PS", Qty: 2}}},
		Shipment: &Shipment{SSCC: sh.SSCC, Lines: sh.Lines}}).Event
	if ann.Location == nil || ann.Location.Code != "TRANSIT-TR-1" || ann.Location.Kind != KindTransit {
		t.Fatalf("announce defines no transit location: %+v", ann.Location)
	}
	if b, _ := dst.Stock(StockFilter{Location: "TRANSIT-TR-1"}, 100); len(b) != 4 {
		t.Fatalf("destination transit: %+v", b)
	}
	mustAppend(t, dst, trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 4, From: "TRANSIT-TR-1", To: "A"},
		Line{SKU: "PL", Qty: 4, From: "TRANSIT-TR-1", To: "A", Lot: "L1"},
		Line{SKU: "PS", Qty: 1, From: "TRANSIT-TR-1", To: "A", Serials: []string{"S2"}}))
	// A unit found in the box beyond the manifest comes in as a receipt.
	mustAppend(t, dst, trCmd(EvReceipt, "sk", "TR-1", Line{SKU: "PL", Qty: 1, To: "A", Lot: "L1"}))
	closed := mustAppend(t, dst, Command{Type: EvTransferClosed, Actor: "sk", Ref: "TR-1", Note: "S3 crushed",
		Lines: []Line{{SKU: "PS", Qty: 1, From: "TRANSIT-TR-1", To: "DEF", Serials: []string{"S3"}}}}).Event
	r := closed.TransferReport
	if r == nil || r.Shipped != 11 || r.Received != 9 || r.Damaged != 1 || r.Over != 1 || r.Short != 1 {
		t.Fatalf("report %+v", r)
	}
	if got := fmt.Sprint(r.Lines[0]); got != "{PN 5 5 4 0 0 1 0}" {
		t.Fatalf("PN line %s", got)
	}
	tr, _ = dst.Transfer("TR-1")
	if tr.Status != TransferReceived {
		t.Fatalf("after close: %s", tr.Status)
	}
	lines, err := dst.WriteOffLines("TR-1")
	if err != nil || len(lines) != 1 || lines[0].SKU != "PN" || lines[0].Qty != 1 || lines[0].From != "TRANSIT-TR-1" {
		t.Fatalf("write-off lines %v %v", lines, err)
	}
	mustAppend(t, dst, Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Note: "lost in transit", Lines: lines})
	tr, _ = dst.Transfer("TR-1")
	if tr.Status != TransferClosed || tr.Lines[0].WrittenOff != 1 {
		t.Fatalf("after write-off: %+v", tr)
	}
	if b, _ := dst.Stock(StockFilter{Location: "TRANSIT-TR-1"}, 100); len(b) != 0 {
		t.Fatalf("destination transit after write-off: %+v", b)
	}
	mustVerify(t, dst)

	// HQ relays the destination's report back: the source's copy settles.
	// First the report as the close made it (one short), then the one after
	// the write-off. No stock moves at the source.
	stockBefore, _ := src.Stock(StockFilter{}, 100)
	settle := func(key string, rep TransferReport) TransferInfo {
		t.Helper()
		ev := mustAppend(t, src, Command{Type: EvTransferClosed, Actor: "hq", IdempotencyKey: key, Ref: "TR-1", TransferReport: &rep}).Event
		if len(ev.Lines) != 0 || ev.TransferReport == nil || ev.TransferReport.Received != rep.Received {
			t.Fatalf("settlement event %+v", ev)
		}
		tr, err := src.Transfer("TR-1")
		if err != nil {
			t.Fatal(err)
		}
		return tr
	}
	tr = settle("hq-cmd-7", *r)
	if tr.Status != TransferReceived || tr.ReceivedSeq == 0 || tr.ClosedSeq != 0 || tr.Report.Short != 1 || tr.Report.Over != 1 ||
		fmt.Sprint(tr.Lines[0]) != "{PN 5 5 4 0 0 1 0}" {
		t.Fatalf("source after the first settlement: %+v", tr)
	}
	final, _ := dst.Transfer("TR-1")
	tr = settle("hq-cmd-8", final.Report)
	if tr.Status != TransferClosed || tr.ClosedSeq == 0 || fmt.Sprint(tr.Lines) != fmt.Sprint(final.Lines) {
		t.Fatalf("source after the second settlement: %+v, destination %+v", tr.Lines, final.Lines)
	}
	// HQ resending its command is answered from the idempotency record.
	if res, err := src.Append(context.Background(), Command{Type: EvTransferClosed, Actor: "hq", IdempotencyKey: "hq-cmd-8", Ref: "TR-1", TransferReport: &final.Report}); err != nil || !res.Replayed {
		t.Fatalf("resent settlement: %+v %v", res, err)
	}
	if after, _ := src.Stock(StockFilter{}, 100); fmt.Sprint(after) != fmt.Sprint(stockBefore) {
		t.Fatalf("settlement moved stock: %+v -> %+v", stockBefore, after)
	}
	mustVerify(t, src)
}

// TestTransferRejections: every refusal writes nothing, neither an event
// nor a change of the transfer's state.
func TestTransferRejections(t *testing.T) {
	req := trRequest("TR-1", TransferLine{SKU: "PN", Qty: 2}, TransferLine{SKU: "PS", Qty: 1})
	approve := trCmd(EvTransferApproved, "planner", "TR-1")
	ship := func(l Line) Command {
		if l.To == "" {
			l.To = "TRANSIT-TR-1"
		}
		if l.From == "" {
			l.From = "A"
		}
		return trCmd(EvTransferShipped, "sk", "TR-1", l)
	}
	manifest := []ShipmentLine{{SKU: "PN", Qty: 2}}
	announce := func(sscc string, m []ShipmentLine) Command {
		return Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "TR-1",
			Transfer: &Transfer{Number: "TR-1", From: "SRC", To: "D1", Lines: []TransferLine{{SKU: "PN", Qty: 2}}},
			Shipment: &Shipment{SSCC: sscc, Lines: m}}
	}
	good := "006141411234567890" // the GS1 General Specifications' example SSCC
	closeC := trCmd(EvTransferClosed, "sk", "TR-1")
	cases := []struct {
		name  string
		steps []step
	}{
		{"shape", []step{
			{Command{Type: EvTransferRequested, Actor: "sk", Ref: "TR-1"}, CodeInvalid},
			{trRequest("TR-1"), CodeInvalid},
			{trRequest("TR-1", TransferLine{SKU: "PN", Qty: 1}, TransferLine{SKU: "PN", Qty: 1}), CodeInvalid},
			{trRequest("TR-1", TransferLine{SKU: "PN", Qty: 0}), CodeInvalid},
			{Command{Type: EvTransferRequested, Actor: "sk", Ref: "TR-1", Transfer: &Transfer{Number: "TR-1", From: "X", To: "X", Lines: []TransferLine{{SKU: "PN", Qty: 1}}}}, CodeInvalid},
			{Command{Type: EvTransferRequested, Actor: "sk", Ref: "TR-1", Transfer: &Transfer{Number: "TR-1", From: "X", To: "Y", Expected: "2026-02-30", Lines: []TransferLine{{SKU: "PN", Qty: 1}}}}, CodeInvalid},
			{Command{Type: EvReceipt, Actor: "sk", Transfer: &Transfer{}, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, CodeInvalid},
			{trCmd(EvTransferApproved, "planner", ""), CodeInvalid},
			{Command{Type: EvTransferDispatched, Actor: "sk", Ref: "TR-1"}, CodeInvalid},
			{Command{Type: EvTransferDispatched, Actor: "sk", Ref: "TR-1", Shipment: &Shipment{CompanyPrefix: "12345"}}, CodeInvalid},
			{Command{Type: EvTransferDispatched, Actor: "sk", Ref: "TR-1", Shipment: &Shipment{CompanyPrefix: "0614141", ExtensionDigit: 10}}, CodeInvalid},
			{Command{Type: EvTransferDispatched, Actor: "sk", Ref: "TR-1", Shipment: &Shipment{CompanyPrefix: "0614141", SSCC: good}}, CodeInvalid},
			{trRequest("TR-1", TransferLine{SKU: "NOPE", Qty: 1}), CodeUnknownPart},
			{Command{Type: EvTransferRequested, Actor: "sk", Ref: "TR-1", Transfer: &Transfer{From: "D9", To: "DST", Lines: []TransferLine{{SKU: "PN", Qty: 1}}}}, CodeInvalid},
			{Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "TR-1", Transfer: &Transfer{From: "D9", To: "DST", Lines: []TransferLine{{SKU: "PN", Qty: 1}}},
				Shipment: &Shipment{SSCC: good, Lines: manifest}}, CodeInvalid},
			{approve, CodeNotFound}}},
		{"approval", []step{
			{req, ""},
			{trCmd(EvTransferApproved, "sk", "TR-1"), CodeSelfApproval},
			{ship(Line{SKU: "PN", Qty: 1}), CodeUnknownLocation}, // no transit before approval
			{trDispatch("TR-1"), CodeTransferState},
			{approve, ""},
			{approve, CodeTransferState},
			{req, CodeDocumentExists}}},
		{"picking", []step{
			{req, ""}, {approve, ""},
			{ship(Line{SKU: "PL", Qty: 1, Lot: "L1"}), CodeNotOnTransfer},
			{ship(Line{SKU: "PN", Qty: 3}), CodeOverShipped},
			{ship(Line{SKU: "PN", Qty: 2, To: "TR"}), CodeLocationKind}, // another transit location
			{ship(Line{SKU: "PN", Qty: 2, To: "B"}), CodeLocationKind},
			// Another document may not use T's transit location.
			{trCmd(EvTransferShipped, "sk", "DOC-9", Line{SKU: "PN", Qty: 1, From: "A", To: "TRANSIT-TR-1"}), CodeLocationKind},
			{ship(Line{SKU: "PS", Qty: 1, Serials: []string{"S9"}}), CodeSerialNotHere},
			{trDispatch("TR-1"), CodeTransferState}, // nothing picked
			{ship(Line{SKU: "PN", Qty: 2}), ""},
			{ship(Line{SKU: "PN", Qty: 1}), CodeOverShipped},
			{trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1", To: "A"}), CodeTransferState},
			{Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Lines: []Line{{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1"}}}, CodeTransferState},
			{trDispatch("TR-1"), ""},
			{ship(Line{SKU: "PS", Qty: 1, Serials: []string{"S1"}}), CodeTransferState},
			{trDispatch("TR-1"), CodeTransferState}}},
		{"announcing", []step{
			{announce("006141411234567891", manifest), CodeInvalid}, // wrong check digit
			{announce("0061414112345678", manifest), CodeInvalid},
			{announce(good, nil), CodeInvalid},
			{announce(good, []ShipmentLine{{SKU: "PS", Qty: 1, Serials: []string{"S1"}}}), CodeNotOnTransfer},
			{announce(good, []ShipmentLine{{SKU: "PN", Qty: 1, Lot: "L1"}}), CodeTracking},
			{Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "TR-1", Transfer: &Transfer{Number: "TR-1", From: "S", To: "D1", Lines: []TransferLine{{SKU: "PN", Qty: 1}}},
				Shipment: &Shipment{SSCC: good, Lines: manifest}, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, CodeInvalid},
			{announce(good, manifest), ""},
			{announce(good, manifest), CodeDocumentExists},
			{ship(Line{SKU: "PN", Qty: 1}), CodeTransferState},
			{trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 3, From: "TRANSIT-TR-1", To: "A"}), CodeInsufficientStock},
			{trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 1, From: "TR", To: "A"}), CodeLocationKind},
			{trCmd(EvTransferReceived, "sk", "DOC-9", Line{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1", To: "A"}), CodeLocationKind},
			{Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Lines: []Line{{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1"}}}, CodeTransferState},
			{Command{Type: EvScrap, Actor: "planner", Ref: "OTHER", Lines: []Line{{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1"}}}, CodeLocationKind},
			{trCmd(EvTransferClosed, "sk", "TR-1", Line{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1", To: "A"}), CodeLocationKind},
			{trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1", To: "A"}), ""},
			{closeC, ""},
			{closeC, CodeTransferState},
			{trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1", To: "A"}), CodeTransferState},
			{Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Lines: []Line{{SKU: "PN", Qty: 2, From: "TRANSIT-TR-1"}}}, CodeInsufficientStock},
			{Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Lines: []Line{{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1"}, {SKU: "PN", Qty: 1, From: "A"}}}, CodeInvalid},
			{Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Lines: []Line{{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1"}}}, ""},
			{Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Lines: []Line{{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1"}}}, CodeTransferState}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := stocked(t)
			runSteps(t, s, tc.steps, func() string { tr, _ := s.Transfer("TR-1"); return fmt.Sprint(tr) })
			mustVerify(t, s)
		})
	}
}

// TestSSCCCheckDigit checks the GS1 mod-10 check digit against the GS1
// General Specifications' example SSCC 0 0614141 123456789 0 and a
// hand-worked ones: 1 0614141 123456789 -> weights 3,1,3... from the right
// give 143, and 10 - 3 = 7; 9 061414112345 0001 -> 108, and 10 - 8 = 2.
func TestSSCCCheckDigit(t *testing.T) {
	for _, tc := range []struct {
		ext    int
		prefix string
		ref    uint64
		want   string
	}{
		{0, "0614141", 123456789, "006141411234567890"},
		{1, "0614141", 123456789, "106141411234567897"},
		{9, "061414112345", 1, "906141411234500012"},
	} {
		got := NewSSCC(tc.ext, tc.prefix, tc.ref)
		if got != tc.want {
			t.Errorf("NewSSCC(%d, %s, %d) = %s, want %s", tc.ext, tc.prefix, tc.ref, got, tc.want)
		}
		if _, err := ParseSSCC("(00)" + got); err != nil {
			t.Errorf("ParseSSCC(%s): %v", got, err)
		}
	}
	for _, bad := range []string{"", "006141411234567891", "00614141123456789", "0061414112345678900", "00614141123456789x"} {
		if _, err := ParseSSCC(bad); err == nil {
			t.Errorf("ParseSSCC(%q) accepted", bad)
		}
	}
}

// TestTransferOverdue: an announced transfer past its expected day by the
// store's clock is overdue until its receipt is closed.
func TestTransferOverdue(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openTest(t, clock)
	p := Part{SKU: "PN"}
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	bin := Location{Code: "BIN"}
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &bin})
	for _, n := range []string{"T-1", "T-2"} {
		mustAppend(t, s, Command{Type: EvTransferAnnounced, Actor: "hq", Ref: n,
			Transfer: &Transfer{Number: n, From: "S", To: "D1", Expected: "2026-03-05", Lines: []TransferLine{{SKU: "PN", Qty: 2}}},
			Shipment: &Shipment{SSCC: "006141411234567890", Lines: []ShipmentLine{{SKU: "PN", Qty: 2}}}})
	}
	overdue := func() []string {
		l, err := s.Transfers(TransferFilter{Overdue: true}, Page{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range l {
			out = append(out, x.Number)
		}
		return out
	}
	if o := overdue(); len(o) != 0 {
		t.Fatalf("overdue on 2026-03-01: %v", o)
	}
	clock.set(time.Date(2026, 3, 5, 23, 0, 0, 0, time.UTC))
	if o := overdue(); len(o) != 0 {
		t.Fatalf("overdue on the expected day: %v", o)
	}
	clock.set(time.Date(2026, 3, 6, 0, 0, 1, 0, time.UTC))
	if o := fmt.Sprint(overdue()); o != "[T-1 T-2]" {
		t.Fatalf("overdue on 2026-03-06: %s", o)
	}
	mustAppend(t, s, trCmd(EvTransferReceived, "sk", "T-1", Line{SKU: "PN", Qty: 2, From: "TRANSIT-T-1", To: "BIN"}))
	mustAppend(t, s, trCmd(EvTransferClosed, "sk", "T-1"))
	if o := fmt.Sprint(overdue()); o != "[T-2]" {
		t.Fatalf("overdue after T-1 was received: %s", o)
	}
	if tr, _ := s.Transfer("T-2"); !tr.Overdue {
		t.Fatal("T-2 has no overdue flag")
	}
	mustVerify(t, s)
}

// FuzzParseSSCC: SSCCs come from outside (announced manifests, scans).
// Whatever ParseSSCC accepts is 18 digits with the right check digit and
// parses to itself again; it never panics.
func FuzzParseSSCC(f *testing.F) {
	for _, s := range []string{"006141411234567890", "(00)106141411234567897", "00106141411234567897",
		"006141411234567891", "", "(00)", "00", "0061414112345678901", "abcdefghijklmnopqr", "(00)(00)006141411234567890"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSSCC(s)
		if err != nil {
			if CodeOf(err) != CodeInvalid {
				t.Fatalf("refusal without its code: %v", err)
			}
			return
		}
		if len(got) != 18 || !allDigits(got) || gs1CheckDigit(got[:17]) != got[17] {
			t.Fatalf("accepted %q as %q", s, got)
		}
		if again, err := ParseSSCC(got); err != nil || again != got {
			t.Fatalf("%q does not parse to itself: %q %v", got, again, err)
		}
	})
}

// TestVerifyFindsTransferTampering: the stored transfer states and the
// reports and manifests in the log are checked against the replayed log.
// reseal rewrites event seq with edit applied and rebuilds the chain head,
// as someone rewriting the log would; only the transfer rules can then tell.
func reseal(t *testing.T, s *Store, seq uint64, edit func(ev *Event)) {
	t.Helper()
	ev, err := s.Event(seq)
	if err != nil {
		t.Fatal(err)
	}
	edit(&ev)
	raw, err := sealEvent(&ev)
	if err != nil {
		t.Fatal(err)
	}
	tamper(t, s, eventKey(ev.Seq), raw)
	if ev.Seq == s.Head().Seq {
		hb, _ := json.Marshal(Head{Seq: ev.Seq, Epoch: ev.Epoch, Hash: ev.Hash, HLC: ev.HLC})
		tamper(t, s, keyHead, hb)
	}
}

func TestVerifyFindsTransferTampering(t *testing.T) {
	cases := []struct {
		name string
		want string
		edit func(t *testing.T, src, dst *Store)
	}{
		{"stored state edited", "transfer TR-1: stored", func(t *testing.T, src, _ *Store) {
			tr, _ := src.Transfer("TR-1")
			st := tr.TransferState
			st.Lines[0].Shipped--
			b, _ := json.Marshal(st)
			tamper(t, src, transferKey("TR-1"), b)
		}},
		{"record deleted", "the store has no record", func(t *testing.T, src, _ *Store) {
			if err := src.db.Update(func(txn *badger.Txn) error { return txn.Delete(transferKey("TR-1")) }); err != nil {
				t.Fatal(err)
			}
		}},
		{"record invented", "the log never created it", func(t *testing.T, _, dst *Store) {
			tr, _ := dst.Transfer("TR-1")
			st := tr.TransferState
			st.Number = "TR-X"
			b, _ := json.Marshal(st)
			tamper(t, dst, transferKey("TR-X"), b)
		}},
		{"closing report edited", "report of transfer TR-1", func(t *testing.T, _, dst *Store) {
			reseal(t, dst, dst.Head().Seq, func(ev *Event) { ev.TransferReport.Short = 0 })
		}},
		{"sealed manifest edited", "differs from what was picked", func(t *testing.T, src, _ *Store) {
			reseal(t, src, src.Head().Seq, func(ev *Event) { ev.Shipment.Lines[0].Qty = 4; ev.Lines[0].Qty = 4 })
		}},
		{"settlement report edited", "is not the 5 shipped", func(t *testing.T, src, _ *Store) {
			r := settlementReport()
			mustAppend(t, src, Command{Type: EvTransferClosed, Actor: "hq", Ref: "TR-1", TransferReport: &r})
			reseal(t, src, src.Head().Seq, func(ev *Event) { ev.TransferReport.Lines[0].Received = 5 })
		}},
		{"settlement of another part", "PX is not on transfer TR-1", func(t *testing.T, src, _ *Store) {
			r := settlementReport()
			mustAppend(t, src, Command{Type: EvTransferClosed, Actor: "hq", Ref: "TR-1", TransferReport: &r})
			reseal(t, src, src.Head().Seq, func(ev *Event) { ev.TransferReport.Lines[1].SKU = "PX" })
		}},
		{"settlement on the inbound end", "report of transfer TR-1 is", func(t *testing.T, _, dst *Store) {
			reseal(t, dst, dst.Head().Seq, func(ev *Event) {
				r := settlementReport()
				ev.TransferReport = &r
			})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src := stocked(t)
			sealed := shipTR1(t, src)
			dst := seeded(t)
			mustAppend(t, dst, Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "TR-1",
				Transfer: &Transfer{From: "SRC", To: "D1", Lines: []TransferLine{{SKU: "PN", Qty: 5}, {SKU: "PL", Qty: 4}, {SKU: "PS", Qty: 2}}},
				Shipment: &Shipment{SSCC: sealed.Shipment.SSCC, Lines: sealed.Shipment.Lines}})
			mustAppend(t, dst, trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 4, From: "TRANSIT-TR-1", To: "A"}))
			mustAppend(t, dst, trCmd(EvTransferClosed, "sk", "TR-1"))
			mustVerify(t, src)
			mustVerify(t, dst)
			tc.edit(t, src, dst)
			var problems []string
			for _, s := range []*Store{src, dst} {
				rep, err := s.Verify(context.Background(), nil)
				if err != nil {
					t.Fatal(err)
				}
				problems = append(problems, rep.Problems...)
			}
			if !strings.Contains(strings.Join(problems, "\n"), tc.want) {
				t.Fatalf("want a problem with %q, got %v", tc.want, problems)
			}
		})
	}
}

// inboundOrder is HQ's order for transfer number from SRC to this depot
// (D1), sent ahead of the goods.
func inboundOrder(number string, lines ...TransferLine) Command {
	return Command{Type: EvTransferRequested, Actor: "hq", Ref: number,
		Transfer: &Transfer{Number: number, From: "SRC", To: "D1", Expected: "2026-03-05", Lines: lines}}
}

// announceFrom is the announcement of transfer number with its manifest.
func announceFrom(number, from string, lines []TransferLine, manifest ...ShipmentLine) Command {
	return Command{Type: EvTransferAnnounced, Actor: "hq", Ref: number,
		Transfer: &Transfer{Number: number, From: from, To: "D1", Lines: lines},
		Shipment: &Shipment{SSCC: NewSSCC(3, "0614141", 42), Lines: manifest}}
}

// TestTransferInboundOrder: HQ's order reaches the destination first. It
// opens an inbound document that moves no stock, is listed, and counts in
// the position as inbound; the announcement continues that document, and
// from then on the manifest in transit counts instead, never both.
func TestTransferInboundOrder(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 2, To: "A"}))
	pos := func(sku string) string {
		t.Helper()
		p, err := s.Position(sku)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("available %d on order %d inbound %d total %d", p.Available, p.OnOrder, p.Inbound, p.Total)
	}
	lines := []TransferLine{{SKU: "PN", Qty: 5}, {SKU: "PS", Qty: 2}}
	ev := mustAppend(t, s, inboundOrder("TR-9", lines...)).Event
	if ev.Location != nil || len(ev.Lines) != 0 {
		t.Fatalf("an inbound order defines or moves something: %+v", ev)
	}
	if _, err := s.Location(TransitLocation("TR-9")); CodeOf(err) != CodeNotFound {
		t.Fatalf("transit location before the announcement: %v", err)
	}
	tr, err := s.Transfer("TR-9")
	if err != nil || tr.Direction != TransferInbound || tr.Status != TransferRequested || tr.Transit != "" ||
		tr.Expected != "2026-03-05" || tr.RequestedBy != "hq" || tr.CreatedSeq != ev.Seq || tr.Overdue ||
		fmt.Sprint(tr.Lines) != "[{PN 5 0 0 0 0 0 0} {PS 2 0 0 0 0 0 0}]" {
		t.Fatalf("inbound order: %+v %v", tr, err)
	}
	if l, err := s.Transfers(TransferFilter{Direction: TransferInbound, Status: TransferRequested}, Page{}); err != nil || len(l) != 1 || l[0].Number != "TR-9" {
		t.Fatalf("listed inbound orders: %+v %v", l, err)
	}
	if got := pos("PN"); got != "available 2 on order 0 inbound 5 total 7" {
		t.Fatalf("PN with an inbound order: %s", got)
	}
	if got := pos("PS"); got != "available 0 on order 0 inbound 2 total 2" {
		t.Fatalf("PS with an inbound order: %s", got)
	}

	// The source ships 3 of 5 and one of 2 serials: the manifest replaces
	// the order in the position.
	ann := mustAppend(t, s, announceFrom("TR-9", "SRC", lines, ShipmentLine{SKU: "PN", Qty: 3}, ShipmentLine{SKU: "PS", Qty: 1, Serials: []string{"X1"}})).Event
	if ann.Location == nil || ann.Location.Code != "TRANSIT-TR-9" {
		t.Fatalf("announcement defines no transit location: %+v", ann.Location)
	}
	tr, _ = s.Transfer("TR-9")
	if tr.Status != TransferShipped || tr.CreatedSeq != ev.Seq || tr.ShippedSeq != ann.Seq || tr.RequestedBy != "hq" ||
		tr.Transit != "TRANSIT-TR-9" || tr.SSCC != ann.Shipment.SSCC || tr.Expected != "2026-03-05" ||
		fmt.Sprint(tr.Lines) != "[{PN 5 3 0 0 0 3 0} {PS 2 1 0 0 0 1 0}]" {
		t.Fatalf("announced inbound order: %+v", tr)
	}
	if got := pos("PN"); got != "available 2 on order 0 inbound 3 total 5" {
		t.Fatalf("PN announced: %s", got)
	}
	mustAppend(t, s, trCmd(EvTransferReceived, "sk", "TR-9", Line{SKU: "PN", Qty: 3, From: "TRANSIT-TR-9", To: "A"}))
	if got := pos("PN"); got != "available 5 on order 0 inbound 0 total 5" {
		t.Fatalf("PN received: %s", got)
	}
	// The serial never comes: after the close it is lost, not inbound.
	mustAppend(t, s, trCmd(EvTransferClosed, "sk", "TR-9"))
	if got := pos("PS"); got != "available 0 on order 0 inbound 0 total 0" {
		t.Fatalf("PS after the close: %s", got)
	}
	tr, _ = s.Transfer("TR-9")
	if tr.Status != TransferReceived || tr.Report.Short != 1 {
		t.Fatalf("closed with one short: %+v", tr)
	}
	mustVerify(t, s)
	mustVerify(t, restoredCopy(t, s))
}

// TestTransferInboundOrderRejections: an inbound order is only announced,
// by the same source, with parts it asked for; until then nothing acts on
// it. Every refusal writes nothing.
func TestTransferInboundOrderRejections(t *testing.T) {
	lines := []TransferLine{{SKU: "PN", Qty: 2}}
	order := inboundOrder("TR-1", lines...)
	manifest := ShipmentLine{SKU: "PN", Qty: 2}
	good := announceFrom("TR-1", "SRC", lines, manifest)
	fromTransit := func(t EventType, ref string) Command {
		l := Line{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1"}
		if t == EvTransferReceived {
			l.To = "A"
		}
		return Command{Type: t, Actor: "planner", Ref: ref, Lines: []Line{l}}
	}
	rep := TransferReport{Number: "TR-1", Lines: []TransferLineState{{SKU: "PN", Requested: 2, Shipped: 2, Received: 2}}, Shipped: 2, Received: 2}
	settle := Command{Type: EvTransferClosed, Actor: "hq", Ref: "TR-1", TransferReport: &rep}
	cases := []struct {
		name  string
		steps []step
	}{
		{"before the announcement", []step{
			{Command{Type: EvTransferRequested, Actor: "hq", Ref: "TR-1", Transfer: &Transfer{From: "SRC", To: "D9", Lines: lines}}, CodeInvalid},
			{order, ""},
			{order, CodeDocumentExists},
			{trCmd(EvTransferApproved, "planner", "TR-1"), CodeTransferState},
			{trDispatch("TR-1"), CodeTransferState},
			{trCmd(EvReceipt, "sk", "TR-1", Line{SKU: "PN", Qty: 1, To: "A"}), CodeTransferState},
			{trCmd(EvTransferClosed, "sk", "TR-1"), CodeTransferState},
			{settle, CodeInvalid}, // inbound: its close computes its own report
			{fromTransit(EvTransferReceived, "TR-1"), CodeUnknownLocation},
			{fromTransit(EvScrap, "TR-1"), CodeUnknownLocation},
			{trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PN", Qty: 1, From: "A", To: "TRANSIT-TR-1"}), CodeUnknownLocation}}},
		{"announcing", []step{
			{order, ""},
			{announceFrom("TR-1", "OTHER", lines, manifest), CodeDocumentExists},
			{announceFrom("TR-1", "SRC", []TransferLine{{SKU: "PN", Qty: 2}, {SKU: "PL", Qty: 1}}, manifest), CodeNotOnTransfer},
			{announceFrom("TR-1", "SRC", lines, ShipmentLine{SKU: "PL", Qty: 1, Lot: "L1"}), CodeNotOnTransfer},
			{Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "TR-1", Transfer: &Transfer{From: "SRC", To: "D9", Lines: lines},
				Shipment: good.Shipment}, CodeInvalid},
			{good, ""},
			{good, CodeDocumentExists},
			{settle, CodeInvalid}, // still inbound
			{fromTransit(EvTransferReceived, "TR-1"), ""},
			{fromTransit(EvTransferReceived, "TR-1"), ""},
			{trCmd(EvTransferClosed, "sk", "TR-1"), ""},
			{trCmd(EvTransferClosed, "sk", "TR-1"), CodeTransferState}}},
		{"outbound number", []step{
			{trRequest("TR-1", lines...), ""},
			{good, CodeDocumentExists}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := stocked(t)
			runSteps(t, s, tc.steps, func() string { tr, _ := s.Transfer("TR-1"); return fmt.Sprint(tr) })
			mustVerify(t, s)
		})
	}
	// The refusals name what is wrong.
	s := stocked(t)
	mustAppend(t, s, order)
	wantRefusedOn(t, s, announceFrom("TR-1", "OTHER", lines, manifest), CodeDocumentExists, "transfer.from")
	wantRefusedOn(t, s, settle, CodeInvalid, "transferReport")
}

// settlementReport is the destination's report on TR-1 as shipTR1 ships
// it (PN 5, PL 4, PS 2): one PN short, one PS damaged, one PL over.
func settlementReport() TransferReport {
	return TransferReport{Number: "TR-1", Lines: []TransferLineState{
		{SKU: "PN", Requested: 5, Shipped: 5, Received: 4, Short: 1},
		{SKU: "PL", Requested: 4, Shipped: 4, Received: 4, Over: 1},
		{SKU: "PS", Requested: 2, Shipped: 2, Received: 1, Damaged: 1},
	}, Shipped: 11, Received: 9, Damaged: 1, Over: 1, Short: 1}
}

// TestTransferSettlementRejections: a settlement is the destination's
// report on a shipped outbound transfer, consistent with itself and with
// what was shipped; a later one only adds write-offs. Every refusal writes
// nothing, and no settlement moves stock.
func TestTransferSettlementRejections(t *testing.T) {
	settle := func(edit func(r *TransferReport)) Command {
		r := settlementReport()
		r.Lines = slices.Clone(r.Lines)
		if edit != nil {
			edit(&r)
		}
		return Command{Type: EvTransferClosed, Actor: "hq", Ref: "TR-1", TransferReport: &r}
	}
	good := settle(nil)
	writtenOff := settle(func(r *TransferReport) { r.Lines[0].WrittenOff = 1 })
	withReport := func(c Command) Command { c.TransferReport = good.TransferReport; return c }
	shapes := []shapeCase{
		{"on a receipt", withReport(cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1, To: "A"})), "transferReport"},
		{"on a request", withReport(trRequest("TR-2", TransferLine{SKU: "PN", Qty: 1})), "transferReport"},
		{"on an approval", withReport(trCmd(EvTransferApproved, "planner", "TR-1")), "transferReport"},
		{"on a dispatch", withReport(trDispatch("TR-1")), "transferReport"},
		{"with lines", withReport(trCmd(EvTransferClosed, "hq", "TR-1", Line{SKU: "PS", Qty: 1, From: "TRANSIT-TR-1", To: "DEF", Serials: []string{"S3"}})), "lines"},
		{"another number", settle(func(r *TransferReport) { r.Number = "TR-2" }), "transferReport.number"},
		{"no lines", settle(func(r *TransferReport) { r.Lines = nil }), "transferReport.lines"},
		{"a part twice", settle(func(r *TransferReport) { r.Lines[1].SKU = "PN" }), "transferReport.lines[1].sku"},
		{"a bad code", settle(func(r *TransferReport) { r.Lines[1].SKU = "P\x01" }), "transferReport.lines[1].sku"},
		{"negative", settle(func(r *TransferReport) { r.Lines[1].Over = -1; r.Over = -1 }), "transferReport.lines[1].over"},
		{"does not add up", settle(func(r *TransferReport) { r.Lines[0].Received = 5; r.Received = 10 }), "transferReport.lines[0]"},
		{"more written off than short", settle(func(r *TransferReport) { r.Lines[0].WrittenOff = 2 }), "transferReport.lines[0].writtenOff"},
		{"totals", settle(func(r *TransferReport) { r.Damaged = 0 }), "transferReport"},
	}
	s := stocked(t)
	shipTR1(t, s)
	wantShapesRefused(t, s, shapes)
	for _, tc := range []struct {
		name  string
		c     Command
		code  Code
		field string
	}{
		{"not on the transfer", settle(func(r *TransferReport) { r.Lines[1].SKU = "PX" }), CodeNotOnTransfer, "transferReport.lines[1].sku"},
		{"shipped differs", settle(func(r *TransferReport) { r.Lines[0].Shipped, r.Lines[0].Short, r.Shipped, r.Short = 4, 0, 10, 0 }), CodeInvalid, "transferReport.lines[0].shipped"},
		{"a shipped part missing", settle(func(r *TransferReport) {
			r.Lines = r.Lines[:2]
			r.Shipped, r.Received, r.Damaged = 9, 8, 0
		}), CodeInvalid, "transferReport.lines"},
		{"a close with lines, no report", trCmd(EvTransferClosed, "hq", "TR-1", Line{SKU: "PN", Qty: 1, From: "TRANSIT-TR-1", To: "DEF"}), CodeTransferState, "ref"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantRefusedOn(t, s, tc.c, tc.code, tc.field) })
	}

	cases := []struct {
		name  string
		steps []step
	}{
		{"before it ships", []step{
			{trRequest("TR-1", TransferLine{SKU: "PN", Qty: 5}), ""},
			{good, CodeTransferState},
			{trCmd(EvTransferApproved, "planner", "TR-1"), ""},
			{good, CodeTransferState}}},
		{"settled twice", []step{
			{trRequest("TR-1", TransferLine{SKU: "PN", Qty: 5}, TransferLine{SKU: "PL", Qty: 4}, TransferLine{SKU: "PS", Qty: 2}), ""},
			{trCmd(EvTransferApproved, "planner", "TR-1"), ""},
			{trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PN", Qty: 5, From: "A", To: "TRANSIT-TR-1"},
				Line{SKU: "PL", Qty: 4, From: "A", To: "TRANSIT-TR-1", Lot: "L1"},
				Line{SKU: "PS", Qty: 2, From: "A", To: "TRANSIT-TR-1", Serials: []string{"S1", "S2"}}), ""},
			{trDispatch("TR-1"), ""},
			{trCmd(EvTransferClosed, "hq", "TR-1"), CodeTransferState}, // outbound: no close for receipt
			{good, ""},
			// A later report changes only the write-offs, and only upwards.
			{settle(func(r *TransferReport) { r.Lines[0].Received, r.Lines[0].Short, r.Received, r.Short = 5, 0, 10, 0 }), CodeInvalid},
			{settle(func(r *TransferReport) { r.Lines[2].Over, r.Over = 1, 2 }), CodeInvalid},
			{good, ""}, // the same report again: nothing written off yet
			{writtenOff, ""},
			{good, CodeTransferState}, // closed
			{writtenOff, CodeTransferState}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := stocked(t)
			state := func() string {
				tr, _ := s.Transfer("TR-1")
				b, _ := s.Stock(StockFilter{}, 100)
				return fmt.Sprint(tr, b)
			}
			runSteps(t, s, tc.steps, state)
			mustVerify(t, s)
		})
	}
}

// TestVerifyFindsInboundOrderTampering: an announcement in the log that
// continues an inbound order from another source, or an order naming
// neither end as this depot, is found by the replay.
func TestVerifyFindsInboundOrderTampering(t *testing.T) {
	lines := []TransferLine{{SKU: "PN", Qty: 2}}
	setup := func(t *testing.T) *Store {
		s := seeded(t)
		mustAppend(t, s, inboundOrder("TR-1", lines...))
		mustAppend(t, s, announceFrom("TR-1", "SRC", lines, ShipmentLine{SKU: "PN", Qty: 2}))
		return s
	}
	rep := wantTamperingFound(t, setup(t), func(t *testing.T, s *Store) {
		reseal(t, s, s.Head().Seq, func(ev *Event) { ev.Transfer.From = "OTHER" })
	})
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "was ordered from SRC") {
		t.Fatalf("problems %v", rep.Problems)
	}
	s := seeded(t)
	mustAppend(t, s, inboundOrder("TR-1", lines...))
	rep = wantTamperingFound(t, s, func(t *testing.T, s *Store) {
		reseal(t, s, s.Head().Seq, func(ev *Event) { ev.Transfer.To = "D9" })
	})
	if !strings.Contains(strings.Join(rep.Problems, "\n"), "from SRC to D9 at depot D1") {
		t.Fatalf("problems %v", rep.Problems)
	}
}

// BenchmarkPositionsInboundOrders times Positions for 100 parts while 200
// inbound orders wait and 200 announced ones are being received: one scan
// of the transfers serves every part.
func BenchmarkPositionsInboundOrders(b *testing.B) {
	s := seeded(b)
	skus := make([]string, 100)
	for i := range skus {
		skus[i] = fmt.Sprintf("P%03d", i)
		mustAppend(b, s, Command{Type: EvPartDefined, Actor: "admin", Part: &Part{SKU: skus[i]}})
	}
	for i := range 400 {
		number := fmt.Sprintf("T-%d", i)
		lines := []TransferLine{{SKU: skus[i%100], Qty: 3}, {SKU: skus[(i+1)%100], Qty: 2}}
		mustAppend(b, s, inboundOrder(number, lines...))
		if i%2 == 1 {
			mustAppend(b, s, announceFrom(number, "SRC", lines, ShipmentLine{SKU: skus[i%100], Qty: 3}))
		}
	}
	b.ResetTimer()
	for range b.N {
		ps, err := s.Positions(skus)
		if err != nil || ps[skus[0]].Inbound == 0 {
			b.Fatal(ps[skus[0]], err)
		}
	}
}
