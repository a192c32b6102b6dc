package inventory

import (
	"context"
	"encoding/json"
	"fmt"
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
func TestVerifyFindsTransferTampering(t *testing.T) {
	// reseal rewrites event seq with edit applied and rebuilds the chain
	// head, as someone rewriting the log would; only the transfer rules
	// can then tell.
	reseal := func(t *testing.T, s *Store, seq uint64, edit func(ev *Event)) {
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
