package inventory

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func poCmd(number string, tol int, lines ...POLine) Command {
	return Command{Type: EvPOCreated, Actor: "proc", Ref: number,
		Order: &PurchaseOrder{Number: number, Supplier: "ACME", Expected: "2026-03-10", TolerancePct: tol, Lines: lines}}
}

func closeCmd(number, reason string) Command {
	return Command{Type: EvPOClosed, Actor: "proc", Ref: number, Note: reason}
}

func TestPurchaseOrderShapeIsRefused(t *testing.T) {
	s := seeded(t)
	ok := []POLine{{Line: 1, SKU: "PN", Qty: 1}}
	with := func(f func(c *Command)) Command {
		c := poCmd("PO-1", 0, ok...)
		o := *c.Order
		c.Order = &o
		f(&c)
		return c
	}
	cases := []shapeCase{
		{"no order", Command{Type: EvPOCreated, Actor: "proc", Ref: "PO-1"}, "order"},
		{"order on a receipt", Command{Type: EvReceipt, Actor: "sk", Order: &PurchaseOrder{}, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, "order"},
		{"stock lines on an order", with(func(c *Command) { c.Lines = []Line{{SKU: "PN", Qty: 1, To: "A"}} }), "lines"},
		{"no number at all", with(func(c *Command) { c.Ref, c.Order.Number = "", "" }), "order.number"},
		{"ref and number differ", with(func(c *Command) { c.Ref = "PO-2" }), "ref"},
		{"no supplier", with(func(c *Command) { c.Order.Supplier = "" }), "order.supplier"},
		{"bad expected date", with(func(c *Command) { c.Order.Expected = "2026-02-30" }), "order.expected"},
		{"negative tolerance", with(func(c *Command) { c.Order.TolerancePct = -1 }), "order.tolerancePct"},
		{"tolerance over 100", with(func(c *Command) { c.Order.TolerancePct = 101 }), "order.tolerancePct"},
		{"no lines", with(func(c *Command) { c.Order.Lines = nil }), "order.lines"},
		{"line number zero", with(func(c *Command) { c.Order.Lines = []POLine{{SKU: "PN", Qty: 1}} }), "order.lines[0].line"},
		{"duplicate line numbers", with(func(c *Command) {
			c.Order.Lines = []POLine{{Line: 1, SKU: "PN", Qty: 1}, {Line: 1, SKU: "PL", Qty: 1}}
		}), "order.lines[1].line"},
		{"zero qty", with(func(c *Command) { c.Order.Lines = []POLine{{Line: 1, SKU: "PN"}} }), "order.lines[0].qty"},
		{"negative qty", with(func(c *Command) { c.Order.Lines = []POLine{{Line: 1, SKU: "PN", Qty: -2}} }), "order.lines[0].qty"},
		{"huge qty", with(func(c *Command) { c.Order.Lines = []POLine{{Line: 1, SKU: "PN", Qty: MaxQuantity + 1}} }), "order.lines[0].qty"},
		{"sku with a newline", with(func(c *Command) { c.Order.Lines = []POLine{{Line: 1, SKU: "P\nN", Qty: 1}} }), "order.lines[0].sku"},
		{"close without ref", Command{Type: EvPOClosed, Actor: "proc"}, "ref"},
		{"close with lines", Command{Type: EvPOClosed, Actor: "proc", Ref: "PO-1", Lines: []Line{{SKU: "PN", Qty: 1}}}, "lines"},
	}
	wantShapesRefused(t, s, cases)
}

// TestPurchaseOrderRules walks each rule of orders and of receiving against
// them; every refusal must leave the head where it was.
func TestPurchaseOrderRules(t *testing.T) {
	// The seeded store's clock says 2026-03-01.
	po := poCmd("PO-7", 10, POLine{Line: 1, SKU: "PN", Qty: 10}, POLine{Line: 2, SKU: "PL", Qty: 5, Lot: "L1"})
	cases := []struct {
		name  string
		steps []step
	}{
		{"number taken", []step{{po, ""}, {poCmd("PO-7", 0, POLine{Line: 1, SKU: "PS", Qty: 1}), CodeDocumentExists}}},
		{"unknown part on the order", []step{{poCmd("PO-8", 0, POLine{Line: 1, SKU: "NOPE", Qty: 1}), CodeUnknownPart}}},
		{"lot on an untracked part", []step{{poCmd("PO-8", 0, POLine{Line: 1, SKU: "PN", Qty: 1, Lot: "L1"}), CodeTracking}}},
		{"wrong part", []step{
			{po, ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 1, To: "Q"}, Line{SKU: "PS", Qty: 1, To: "Q", Serials: []string{"X1"}}), CodeNotOnOrder}}},
		{"wrong lot", []step{
			{po, ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PL", Lot: "L2", Qty: 1, To: "Q"}), CodeWrongLot},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PL", Lot: "L1", Qty: 1, To: "Q"}), ""}}},
		{"expired lot, new or known", []step{
			{po, ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PL", Lot: "L1", Expiry: "2026-02-28", Qty: 1, To: "Q"}), CodeLotExpired},
			// The same lot as a free receipt: receipts outside orders keep
			// their old rules, so it comes in and the lot now exists, expired.
			{cmd(EvReceipt, "FREE-1", Line{SKU: "PL", Lot: "L1", Expiry: "2026-02-28", Qty: 1, To: "Q"}), ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PL", Lot: "L1", Qty: 1, To: "Q"}), CodeLotExpired}}},
		{"expiring today is still good", []step{
			{po, ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PL", Lot: "L1", Expiry: "2026-03-01", Qty: 1, To: "Q"}), ""}}},
		{"tolerance is per part, rounded down, across receipts and lines", []step{
			{po, ""}, // PN: 10 ordered, +10% = 11
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 12, To: "Q"}), CodeOverTolerance},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 6, To: "Q"}, Line{SKU: "PN", Qty: 6, To: "A"}), CodeOverTolerance},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 6, To: "Q"}), ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 5, To: "Q"}), ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 1, To: "Q"}), CodeOverTolerance}}},
		{"closed order", []step{
			{closeCmd("PO-7", "done"), CodeNotFound},
			{po, ""},
			{closeCmd("PO-7", "done"), ""},
			{closeCmd("PO-7", "again"), CodeDocumentClosed},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 1, To: "Q"}), CodeDocumentClosed},
			{poCmd("PO-7", 0, POLine{Line: 1, SKU: "PN", Qty: 1}), CodeDocumentExists}}},
		{"other rules still come first", []step{
			{po, ""},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PL", Qty: 1, To: "Q"}), CodeTracking},
			{cmd(EvReceipt, "PO-7", Line{SKU: "PN", Qty: 1, To: "TR"}), CodeLocationKind}}},
		{"free receipts are as before", []step{
			{cmd(EvReceipt, "PO-NONE", Line{SKU: "PS", Qty: 1, To: "A", Serials: []string{"X1"}}), ""},
			// An order created later does not count what came in before it.
			{poCmd("PO-NONE", 0, POLine{Line: 1, SKU: "PS", Qty: 1}), ""},
			{cmd(EvReceipt, "PO-NONE", Line{SKU: "PS", Qty: 1, To: "A", Serials: []string{"X2"}}), ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			runSteps(t, s, tc.steps, func() string { po, _ := s.PurchaseOrder("PO-7"); return fmt.Sprint(po) })
			mustVerify(t, s)
		})
	}
}

// TestDiscrepancyReport checks a report worked out by hand:
//
//	PO-9, tolerance 20%: line 1 PN 10, line 2 PN 5, line 3 PL 4 (lot L1), line 4 PS 3.
//	PN may come to (10+5) * 1.2 = 18.
//	receipt PN 12: line 1 takes 10, line 2 takes 2.
//	receipt PN 5:  line 2 takes the 3 it lacks; 2 are left over and go to
//	               line 1, the first line of PN: 12 received, 2 over.
//	receipt PL L1 3: line 3 has 3 of 4, 1 short.
//	nothing of PS: line 4 is 3 short.
//
//	line  ordered  received  short  over
//	1     10       12        0      2
//	2     5        5         0      0
//	3     4        3         1      0
//	4     3        0         3      0
//	total 22       20        4      2
func TestDiscrepancyReport(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, poCmd("PO-9", 20, POLine{Line: 4, SKU: "PS", Qty: 3}, POLine{Line: 1, SKU: "PN", Qty: 10},
		POLine{Line: 2, SKU: "PN", Qty: 5}, POLine{Line: 3, SKU: "PL", Qty: 4, Lot: "L1"}))
	mustAppend(t, s, cmd(EvReceipt, "PO-9", Line{SKU: "PN", Qty: 12, To: "Q"}))
	mustAppend(t, s, cmd(EvReceipt, "PO-9", Line{SKU: "PN", Qty: 5, To: "Q"}, Line{SKU: "PL", Lot: "L1", Qty: 3, To: "Q"}))
	want := POReport{Number: "PO-9", Lines: []POLineState{
		{Line: 1, SKU: "PN", Ordered: 10, Received: 12, Over: 2},
		{Line: 2, SKU: "PN", Ordered: 5, Received: 5},
		{Line: 3, SKU: "PL", Lot: "L1", Ordered: 4, Received: 3, Short: 1},
		{Line: 4, SKU: "PS", Ordered: 3, Short: 3},
	}, Ordered: 22, Received: 20, Short: 4, Over: 2}
	got, err := s.Discrepancies("PO-9")
	if err != nil || fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("open order's report:\n got %+v %v\nwant %+v", got, err, want)
	}
	if _, err := s.Append(context.Background(), cmd(EvReceipt, "PO-9", Line{SKU: "PN", Qty: 2, To: "Q"})); CodeOf(err) != CodeOverTolerance {
		t.Fatalf("19 of 18: %v", err)
	}
	closed := mustAppend(t, s, closeCmd("PO-9", "supplier short-shipped"))
	if closed.Event.Report == nil || fmt.Sprint(*closed.Event.Report) != fmt.Sprint(want) {
		t.Fatalf("po-closed recorded %+v", closed.Event.Report)
	}
	stored, err := s.Event(closed.Event.Seq)
	if err != nil || fmt.Sprint(*stored.Report) != fmt.Sprint(want) {
		t.Fatalf("stored event's report %+v %v", stored.Report, err)
	}
	st, err := s.PurchaseOrder("PO-9")
	if err != nil || st.Status != POClosed || st.ClosedSeq != closed.Event.Seq || st.CloseReason != "supplier short-shipped" ||
		st.Supplier != "ACME" || st.Expected != "2026-03-10" || st.TolerancePct != 20 || fmt.Sprint(st.Lines) != fmt.Sprint(want.Lines) {
		t.Fatalf("closed order %+v %v", st, err)
	}
	if _, err := s.Discrepancies("PO-0"); CodeOf(err) != CodeNotFound {
		t.Fatalf("unknown order: %v", err)
	}
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
}

// Lines expecting a lot fill before lines that take any lot, and a lot no
// line expects counts only against the open lines.
func TestReceiptLotAllocation(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, poCmd("PO-3", 50, POLine{Line: 1, SKU: "PL", Qty: 2, Lot: "L1"}, POLine{Line: 2, SKU: "PL", Qty: 3}))
	mustAppend(t, s, cmd(EvReceipt, "PO-3", Line{SKU: "PL", Lot: "L2", Qty: 3, To: "Q"}))
	mustAppend(t, s, cmd(EvReceipt, "PO-3", Line{SKU: "PL", Lot: "L1", Qty: 3, To: "Q"}))
	st, _ := s.PurchaseOrder("PO-3")
	want := []POLineState{{Line: 1, SKU: "PL", Lot: "L1", Ordered: 2, Received: 3, Over: 1}, {Line: 2, SKU: "PL", Ordered: 3, Received: 3}}
	if fmt.Sprint(st.Lines) != fmt.Sprint(want) {
		t.Fatalf("lines %+v, want %+v", st.Lines, want)
	}
}

// Receipts committed in one batch see each other's effect on the order:
// twenty racing single-unit receipts against an order of ten, no tolerance.
func TestConcurrentReceiptsKeepTheTolerance(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, poCmd("PO-5", 0, POLine{Line: 1, SKU: "PN", Qty: 10}))
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, over := 0, 0
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.Append(context.Background(), cmd(EvReceipt, "PO-5", Line{SKU: "PN", Qty: 1, To: "Q"}))
			mu.Lock()
			defer mu.Unlock()
			switch CodeOf(err) {
			case "":
				ok++
			case CodeOverTolerance:
				over++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	st, _ := s.PurchaseOrder("PO-5")
	if ok != 10 || over != 10 || st.Lines[0].Received != 10 {
		t.Fatalf("%d accepted, %d over, order says %+v", ok, over, st.Lines)
	}
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %v", err, rep.Problems)
	}
}

func TestPurchaseOrderIsIdempotent(t *testing.T) {
	s := seeded(t)
	c := poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 1})
	c.IdempotencyKey = "po-1"
	first := mustAppend(t, s, c)
	again := mustAppend(t, s, c)
	if !again.Replayed || again.Event.Seq != first.Event.Seq || s.Head().Seq != first.Event.Seq {
		t.Fatalf("replay %+v", again)
	}
	// Number given only in the order: the event carries it as the ref too.
	c2 := poCmd("", 0, POLine{Line: 1, SKU: "PN", Qty: 1})
	c2.Order.Number = "PO-2"
	r := mustAppend(t, s, c2)
	if r.Event.Ref != "PO-2" || r.Event.Order.Number != "PO-2" || c2.Ref != "" {
		t.Fatalf("event ref %q order %q; caller's ref %q", r.Event.Ref, r.Event.Order.Number, c2.Ref)
	}
}

func TestPurchaseOrderQueries(t *testing.T) {
	s := seeded(t)
	for i, sup := range []string{"ACME", "BOLT", "ACME", "ACME"} {
		c := poCmd(fmt.Sprintf("PO-%d", i+1), 0, POLine{Line: 1, SKU: "PN", Qty: 4}, POLine{Line: 2, SKU: "PS", Qty: 1})
		c.Order.Supplier = sup
		mustAppend(t, s, c)
	}
	mustAppend(t, s, cmd(EvReceipt, "PO-2", Line{SKU: "PN", Qty: 4, To: "Q"}))
	mustAppend(t, s, cmd(EvReceipt, "PO-3", Line{SKU: "PN", Qty: 1, To: "Q"}))
	mustAppend(t, s, closeCmd("PO-4", "cancelled"))
	numbers := func(sts []PurchaseOrderState, err error) string {
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, st := range sts {
			out = append(out, st.Number)
		}
		return fmt.Sprint(out)
	}
	for _, tc := range []struct {
		f    POFilter
		pg   Page
		want string
	}{
		{POFilter{}, Page{}, "[PO-1 PO-2 PO-3 PO-4]"},
		{POFilter{Status: POOpen}, Page{}, "[PO-1 PO-2 PO-3]"},
		{POFilter{Status: POClosed}, Page{}, "[PO-4]"},
		{POFilter{Supplier: "ACME"}, Page{Limit: 2}, "[PO-1 PO-3]"},
		{POFilter{Supplier: "ACME"}, Page{After: "PO-3"}, "[PO-4]"},
		{POFilter{Supplier: "ACME", Status: POOpen}, Page{After: "PO-1"}, "[PO-3]"},
		{POFilter{Supplier: "NOBODY"}, Page{}, "[]"},
	} {
		if got := numbers(s.PurchaseOrders(tc.f, tc.pg)); got != tc.want {
			t.Errorf("%+v %+v: %s, want %s", tc.f, tc.pg, got, tc.want)
		}
	}
	// PO-2 has all its PN; PO-4 is closed; PO-1 and PO-3 still owe some.
	if got := numbers(s.OrdersAwaiting("PN")); got != "[PO-1 PO-3]" {
		t.Errorf("awaiting PN: %s", got)
	}
	if got := numbers(s.OrdersAwaiting("PS")); got != "[PO-1 PO-2 PO-3]" {
		t.Errorf("awaiting PS: %s", got)
	}
	if got := numbers(s.OrdersAwaiting("PL")); got != "[]" {
		t.Errorf("awaiting PL: %s", got)
	}
	if _, err := s.PurchaseOrder("PO-9"); CodeOf(err) != CodeNotFound {
		t.Errorf("unknown order: %v", err)
	}
}

func TestSuggestBin(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &Location{Code: "C"}})
	suggest := func() string {
		t.Helper()
		bin, ok, err := s.SuggestBin("PL")
		if err != nil || ok != (bin != "") {
			t.Fatalf("%q %v %v", bin, ok, err)
		}
		return bin
	}
	if got := suggest(); got != "" {
		t.Fatalf("no stock yet: %q", got)
	}
	// Quarantine and vans hold more but are not bins.
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PL", Lot: "L1", Qty: 50, To: "Q"}))
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PL", Lot: "L1", Qty: 20, From: "Q", To: "VAN"}))
	if got := suggest(); got != "" {
		t.Fatalf("only quarantine and van stock: %q", got)
	}
	// Lots add up: B holds 2+2, C holds 4, A holds 3. B and C tie: B.
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PL", Lot: "L1", Qty: 3, To: "A"},
		Line{SKU: "PL", Lot: "L1", Qty: 2, To: "B"}, Line{SKU: "PL", Lot: "L2", Qty: 2, To: "B"}, Line{SKU: "PL", Lot: "L2", Qty: 4, To: "C"}))
	if got := suggest(); got != "B" {
		t.Fatalf("B and C tie at 4: %q", got)
	}
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PL", Lot: "L2", Qty: 1, From: "B", To: "C"}))
	if got := suggest(); got != "C" {
		t.Fatalf("C has 5: %q", got)
	}
}

func TestVerifyFindsPurchaseOrderTampering(t *testing.T) {
	cases := []tamperCase{
		{"received edited", func(t *testing.T, s *Store) {
			st, _ := s.PurchaseOrder("PO-1")
			st.Lines[0].Received++
			b, _ := json.Marshal(st)
			tamper(t, s, poKey("PO-1"), b)
		}},
		{"reopened", func(t *testing.T, s *Store) {
			st, _ := s.PurchaseOrder("PO-2")
			st.Status, st.ClosedSeq = POOpen, 0
			b, _ := json.Marshal(st)
			tamper(t, s, poKey("PO-2"), b)
		}},
		{"record deleted", func(t *testing.T, s *Store) {
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(poKey("PO-1")) }); err != nil {
				t.Fatal(err)
			}
		}},
		{"record invented", func(t *testing.T, s *Store) {
			st, _ := s.PurchaseOrder("PO-1")
			st.Number = "PO-X"
			b, _ := json.Marshal(st)
			tamper(t, s, poKey("PO-X"), b)
		}},
	}
	wantTamperingsFound(t, func(t *testing.T) *Store {
		s := seeded(t)
		mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 5}))
		mustAppend(t, s, poCmd("PO-2", 0, POLine{Line: 1, SKU: "PN", Qty: 5}))
		mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 3, To: "Q"}))
		mustAppend(t, s, closeCmd("PO-2", "cancelled"))
		return s
	}, cases)
}

// A po-closed event whose report disagrees with the log is caught even when
// the chain is rebuilt around it (as someone rewriting the whole log would).
func TestVerifyChecksTheClosingReport(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 5}))
	closed := mustAppend(t, s, closeCmd("PO-1", "done"))
	ev := closed.Event
	ev.Report.Lines[0].Short, ev.Report.Short = 0, 0
	raw, err := sealEvent(&ev)
	if err != nil {
		t.Fatal(err)
	}
	tamper(t, s, eventKey(ev.Seq), raw)
	h := Head{Seq: ev.Seq, Epoch: ev.Epoch, Hash: ev.Hash, HLC: ev.HLC}
	hb, _ := json.Marshal(h)
	tamper(t, s, keyHead, hb)
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || rep.OK || len(rep.Problems) != 1 || !bytes.Contains([]byte(rep.Problems[0]), []byte("report of purchase order PO-1")) {
		t.Fatalf("%+v %v", rep, err)
	}
}

func TestBackupCarriesPurchaseOrders(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 5}))
	mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 3, To: "Q"}))
	r := restoredCopy(t, s)
	a, _ := s.PurchaseOrder("PO-1")
	b, err := r.PurchaseOrder("PO-1")
	if err != nil || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("restored order %+v %v, was %+v", b, err, a)
	}
	// The restored store keeps enforcing the order.
	if _, err := r.Append(context.Background(), cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 3, To: "Q"})); CodeOf(err) != CodeOverTolerance {
		t.Fatalf("restored store: %v", err)
	}
	rep, err := r.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify restored: %v %v", err, rep.Problems)
	}
}
