package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

func woCmd(number string, lines ...WOLine) Command {
	return Command{Type: EvWOCreated, Actor: "planner", Ref: number,
		WorkOrder: &WorkOrder{Number: number, Engineer: "eng1", ServiceRequest: "SR-9", Lines: lines}}
}

func woCloseCmd(number string) Command {
	return Command{Type: EvWOClosed, Actor: "planner", Ref: number, Note: "job done"}
}

// woStore is the seeded store with stock for work orders: PN 3 in bin A2
// (zone Z1), 3 in A10 (zone Z1), 5 in B (zone Z0) and 5 in the van; PS
// serials S1, S2 in A and S3 in B; PL lot L1 in A.
func woStore(t *testing.T) *Store {
	t.Helper()
	s := seeded(t)
	for _, l := range []Location{{Code: "A2", Zone: "Z1"}, {Code: "A10", Zone: "Z1"}, {Code: "B", Zone: "Z0"}} {
		mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	}
	mustAppend(t, s, cmd(EvReceipt, "",
		Line{SKU: "PN", Qty: 3, To: "A10"}, Line{SKU: "PN", Qty: 3, To: "A2"}, Line{SKU: "PN", Qty: 5, To: "B"},
		Line{SKU: "PS", Qty: 2, To: "A", Serials: []string{"S1", "S2"}}, Line{SKU: "PS", Qty: 1, To: "B", Serials: []string{"S3"}},
		Line{SKU: "PL", Qty: 100, To: "A", Lot: "L1"}))
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PN", Qty: 5, From: "B", To: "VAN"}))
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 5, To: "B"}))
	return s
}

func reservedAt(t *testing.T, s *Store, sku, loc string) int64 {
	t.Helper()
	rows, err := s.Stock(StockFilter{SKU: sku, Location: loc}, 0)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		n += r.Reserved
	}
	return n
}

func TestWorkOrderShapeIsRefused(t *testing.T) {
	s := seeded(t)
	ok := []WOLine{{Line: 1, SKU: "PN", Qty: 1}}
	with := func(f func(c *Command)) Command {
		c := woCmd("WO-1", ok...)
		o := *c.WorkOrder
		c.WorkOrder = &o
		f(&c)
		return c
	}
	cases := []shapeCase{
		{"no work order", Command{Type: EvWOCreated, Actor: "planner", Ref: "WO-1"}, "workOrder"},
		{"work order on an issue", Command{Type: EvIssue, Actor: "sk", Ref: "WO-1", WorkOrder: &WorkOrder{},
			Lines: []Line{{SKU: "PN", Qty: 1, From: "A"}}}, "workOrder"},
		{"lines chosen by the client", with(func(c *Command) { c.Lines = []Line{{SKU: "PN", Qty: 1, Location: "A"}} }), "lines"},
		{"no number", with(func(c *Command) { c.Ref, c.WorkOrder.Number = "", "" }), "workOrder.number"},
		{"ref and number differ", with(func(c *Command) { c.Ref = "WO-2" }), "ref"},
		{"no engineer", with(func(c *Command) { c.WorkOrder.Engineer = "" }), "workOrder.engineer"},
		{"no lines", with(func(c *Command) { c.WorkOrder.Lines = nil }), "workOrder.lines"},
		{"line zero", with(func(c *Command) { c.WorkOrder.Lines = []WOLine{{SKU: "PN", Qty: 1}} }), "workOrder.lines[0].line"},
		{"line twice", with(func(c *Command) {
			c.WorkOrder.Lines = []WOLine{{Line: 1, SKU: "PN", Qty: 1}, {Line: 1, SKU: "PS", Qty: 1}}
		}), "workOrder.lines[1].line"},
		{"zero qty", with(func(c *Command) { c.WorkOrder.Lines = []WOLine{{Line: 1, SKU: "PN"}} }), "workOrder.lines[0].qty"},
		{"bad billing", with(func(c *Command) {
			c.WorkOrder.Lines = []WOLine{{Line: 1, SKU: "PN", Qty: 1, Billing: "free"}}
		}), "workOrder.lines[0].billing"},
		{"close without ref", Command{Type: EvWOClosed, Actor: "planner"}, "ref"},
		{"close with lines", Command{Type: EvWOClosed, Actor: "planner", Ref: "WO-1", Lines: []Line{{SKU: "PN", Qty: 1}}}, "lines"},
		{"billing set by a client", cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "A", Billing: BillingWarranty}), "lines[0].billing"},
		{"mismatch set by a client", cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 1, To: "DEF", Condition: "defective", Mismatch: "x"}), "lines[0].mismatch"},
		{"woLine on a return", cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 1, To: "A", Condition: "good", WOLine: 1}), "lines[0].woLine"},
		{"negative woLine", cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "A", WOLine: -1}), "lines[0].woLine"},
	}
	wantShapesRefused(t, s, cases)
}

// The store reserves in bin walk order (stock before vans, zone, natural
// bin order), records what it could not reserve as awaited, and the pick
// list walks the reservations in the same order.
func TestWorkOrderReservesInWalkOrder(t *testing.T) {
	s := woStore(t)
	res := mustAppend(t, s, woCmd("WO-1",
		WOLine{Line: 1, SKU: "PN", Qty: 12},
		WOLine{Line: 2, SKU: "PS", Qty: 4, Billing: BillingWarranty},
		WOLine{Line: 3, SKU: "PN", Qty: 5}))
	type got struct {
		loc, serial string
		qty         int64
		line        int
	}
	var lines []got
	for _, l := range res.Event.Lines {
		g := got{l.Location, "", l.Qty, l.WOLine}
		if len(l.Serials) == 1 {
			g.serial = l.Serials[0]
		}
		lines = append(lines, g)
	}
	want := []got{
		{"B", "", 5, 1}, {"A2", "", 3, 1}, {"A10", "", 3, 1}, {"VAN", "", 1, 1},
		{"A", "S1", 1, 2}, {"A", "S2", 1, 2}, {"B", "S3", 1, 2},
		{"VAN", "", 4, 3},
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("reservations %+v, want %+v", lines, want)
	}
	if r := reservedAt(t, s, "PN", "VAN"); r != 5 {
		t.Fatalf("van reserved %d", r)
	}
	st, err := s.WorkOrder("WO-1")
	if err != nil {
		t.Fatal(err)
	}
	if st.Lines[0].Awaiting != 0 || st.Lines[1].Awaiting != 1 || st.Lines[1].Reserved != 3 || st.Lines[2].Awaiting != 1 {
		t.Fatalf("awaiting: %+v", st.Lines)
	}
	for sku, want := range map[string]int{"PS": 1, "PN": 1, "PL": 0} {
		wos, err := s.WorkOrdersAwaiting(sku)
		if err != nil || len(wos) != want {
			t.Fatalf("awaiting %s: %v %v", sku, wos, err)
		}
	}
	pl, err := s.PickList("WO-1")
	if err != nil {
		t.Fatal(err)
	}
	var stops []string
	for _, p := range pl.Lines {
		stops = append(stops, p.Location+"/"+p.SKU)
	}
	// B is zone Z0; A (no zone) comes first; vans last.
	wantStops := []string{"A/PS", "B/PN", "B/PS", "A2/PN", "A10/PN", "VAN/PN", "VAN/PN"}
	if !slices.Equal(stops, wantStops) {
		t.Fatalf("pick walk %v, want %v", stops, wantStops)
	}
	if pl.Lines[0].Qty != 2 || !slices.Equal(pl.Lines[0].Serials, []string{"S1", "S2"}) || pl.Lines[0].Billing != BillingWarranty {
		t.Fatalf("serial stop: %+v", pl.Lines[0])
	}
	if len(pl.Awaiting) != 2 || pl.Awaiting[0].Line != 2 || pl.Awaiting[0].Qty != 1 {
		t.Fatalf("awaiting: %+v", pl.Awaiting)
	}
	// The next order finds only what is left available.
	res = mustAppend(t, s, woCmd("WO-2", WOLine{Line: 1, SKU: "PN", Qty: 1}))
	if len(res.Event.Lines) != 0 {
		t.Fatalf("reserved stock reserved twice: %+v", res.Event.Lines)
	}
	mustVerify(t, s)
}

func TestWorkOrderReservationSkipsExpiredLots(t *testing.T) {
	s := woStore(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PL", Qty: 10, To: "A2", Lot: "OLD", Expiry: "2026-02-01"}))
	res := mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PL", Qty: 20}))
	if len(res.Event.Lines) != 1 || res.Event.Lines[0].Lot != "L1" {
		t.Fatalf("reserved %+v", res.Event.Lines)
	}
}

func TestWorkOrderPickRules(t *testing.T) {
	wo := woCmd("WO-1", WOLine{Line: 1, SKU: "PN", Qty: 2}, WOLine{Line: 2, SKU: "PS", Qty: 1, Billing: BillingWarranty})
	cases := []struct {
		name  string
		steps []step
	}{
		{"number taken", []step{{wo, ""}, {wo, CodeDocumentExists}}},
		{"unknown part", []step{{woCmd("WO-2", WOLine{Line: 1, SKU: "NOPE", Qty: 1}), CodeUnknownPart}}},
		{"wrong part", []step{{wo, ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PL", Qty: 1, From: "A", Lot: "L1"}), CodeNotOnWorkOrder}}},
		{"named line of another part", []step{{wo, ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "B", WOLine: 2}), CodeNotOnWorkOrder},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "B", WOLine: 9}), CodeNotOnWorkOrder}}},
		{"over-pick", []step{{wo, ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 3, From: "B", FromReserved: true}), CodeOverPick},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 2, From: "B", FromReserved: true}), ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "A2"}), CodeOverPick}}},
		{"reservation of another place or order", []step{{wo, ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "A2", FromReserved: true}), CodeInsufficientReserve},
			{cmd(EvIssue, "WO-1", Line{SKU: "PS", Qty: 1, From: "A", Serials: []string{"S2"}, FromReserved: true}), CodeInsufficientReserve}}},
		{"closed order", []step{{wo, ""}, {woCloseCmd("WO-1"), ""}, {woCloseCmd("WO-1"), CodeDocumentClosed},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "B"}), CodeDocumentClosed}}},
		{"close unknown", []step{{woCloseCmd("WO-9"), CodeNotFound}}},
		{"stock rules still hold", []step{{wo, ""},
			{cmd(EvIssue, "WO-1", Line{SKU: "PS", Qty: 1, From: "B", Serials: []string{"S1"}}), CodeSerialNotHere},
			{cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 1, From: "Q"}), CodeLocationKind}}},
		{"free issues are as before", []step{
			{cmd(EvIssue, "JOB-1", Line{SKU: "PL", Qty: 1, From: "A", Lot: "L1"}), ""}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := woStore(t)
			runSteps(t, s, tc.steps, nil)
			mustVerify(t, s)
		})
	}
}

// A pick of the reserved serial consumes its reservation; a pick of another
// serial takes available stock and the line's reservation moves with it:
// the reserved serial is released in the same event.
func TestWorkOrderPicksAndSerialSwap(t *testing.T) {
	s := woStore(t)
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PS", Qty: 2, Billing: BillingWarranty}, WOLine{Line: 2, SKU: "PN", Qty: 4}))
	// Reserved: S1, S2 at A; PN 4 at B.
	c, err := s.PlanPick(PickRequest{WorkOrder: "WO-1", SKU: "PS", Serials: []string{"S1"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Actor = "sk"
	res := mustAppend(t, s, c)
	l := res.Event.Lines[0]
	if !l.FromReserved || l.WOLine != 1 || l.Billing != BillingWarranty || len(res.Event.Released) != 0 {
		t.Fatalf("reserved pick: %+v released %+v", l, res.Event.Released)
	}
	c, err = s.PlanPick(PickRequest{WorkOrder: "WO-1", SKU: "PS", Serials: []string{"S3"}})
	if err != nil {
		t.Fatal(err)
	}
	c.Actor = "sk"
	res = mustAppend(t, s, c)
	if l := res.Event.Lines[0]; l.FromReserved || l.From != "B" || l.WOLine != 1 {
		t.Fatalf("swapped pick: %+v", l)
	}
	if rel := res.Event.Released; len(rel) != 1 || rel[0].Serials[0] != "S2" || rel[0].Location != "A" {
		t.Fatalf("released %+v", rel)
	}
	if r := reservedAt(t, s, "PS", "A"); r != 0 {
		t.Fatalf("S2 still reserved: %d", r)
	}
	// Untracked: 3 from the reservation at B, then more than the line is over-picking.
	c, err = s.PlanPick(PickRequest{WorkOrder: "WO-1", SKU: "PN", Qty: 3})
	if err != nil {
		t.Fatal(err)
	}
	c.Actor = "sk"
	mustAppend(t, s, c)
	c, err = s.PlanPick(PickRequest{WorkOrder: "WO-1", SKU: "PN", Qty: 2})
	if err != nil {
		t.Fatal(err)
	}
	c.Actor = "sk"
	wantRefused(t, s, c, CodeOverPick)
	for _, bad := range []struct {
		req  PickRequest
		code Code
	}{
		{PickRequest{WorkOrder: "WO-1", SKU: "PL", Qty: 1}, CodeNotOnWorkOrder},
		{PickRequest{WorkOrder: "WO-1", SKU: "PS", Serials: []string{"GONE"}}, CodeSerialNotHere},
		{PickRequest{WorkOrder: "WO-9", SKU: "PN", Qty: 1}, CodeNotFound},
	} {
		if _, err := s.PlanPick(bad.req); CodeOf(err) != bad.code {
			t.Fatalf("%+v: want %s, got %v", bad.req, bad.code, err)
		}
	}
	st, _ := s.WorkOrder("WO-1")
	if st.Lines[0].Issued != 2 || !slices.Equal(st.Lines[0].Issues[0].Serials, []string{"S1", "S3"}) || st.Lines[1].Issued != 3 || st.Lines[1].Reserved != 1 {
		t.Fatalf("state %+v", st.Lines)
	}
	res = mustAppend(t, s, woCloseCmd("WO-1"))
	if len(res.Event.Lines) != 1 || res.Event.Lines[0].Qty != 1 || res.Event.Lines[0].Location != "B" {
		t.Fatalf("close released %+v", res.Event.Lines)
	}
	if r := reservedAt(t, s, "PN", "B"); r != 0 {
		t.Fatalf("still reserved after close: %d", r)
	}
	if _, err := s.PlanPick(PickRequest{WorkOrder: "WO-1", SKU: "PN", Qty: 1}); CodeOf(err) != CodeDocumentClosed {
		t.Fatalf("plan on closed: %v", err)
	}
	mustVerify(t, s)
}

func TestWorkOrderReturns(t *testing.T) {
	s := woStore(t)
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PS", Qty: 2, Billing: BillingWarranty}, WOLine{Line: 2, SKU: "PN", Qty: 4}))
	mustAppend(t, s, cmd(EvIssue, "WO-1", Line{SKU: "PS", Qty: 2, From: "A", Serials: []string{"S1", "S2"}, FromReserved: true},
		Line{SKU: "PN", Qty: 4, From: "B", FromReserved: true}))
	before := s.Head()
	for _, bad := range []Command{
		cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 5, To: "A", Condition: ConditionGood}),
		cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "A", Condition: ConditionGood, Serials: []string{"S3X"}}),
		cmd(EvReturn, "WO-1", Line{SKU: "PL", Qty: 1, To: "A", Lot: "L1", Condition: ConditionGood}),
	} {
		wantRefused(t, s, bad, CodeNotIssued)
	}
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 3, To: "A", Condition: ConditionGood}))
	wantRefused(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 2, To: "A", Condition: ConditionGood}), CodeNotIssued)
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "A", Condition: ConditionGood, Serials: []string{"S1"}}))
	// S1 is back in the depot; taking it back a second time is refused by
	// the order, whatever the stock says.
	mustAppend(t, s, cmd(EvIssue, "FREE", Line{SKU: "PS", Qty: 1, From: "A", Serials: []string{"S1"}}))
	wantRefused(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "A", Condition: ConditionGood, Serials: []string{"S1"}}), CodeNotIssued)
	// The old part: S2 was issued, OLD-7 was not. Both are booked.
	res := mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "DEF", Condition: ConditionDefective, Serials: []string{"S2"}}))
	if l := res.Event.Lines[0]; l.Mismatch != "" || l.Billing != BillingWarranty || l.WOLine != 1 {
		t.Fatalf("matching defective return: %+v", l)
	}
	res = mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "DEF", Condition: ConditionDefective, Serials: []string{"OLD-7"}}))
	if l := res.Event.Lines[0]; l.Mismatch != MismatchSerial+": OLD-7" || l.Billing != BillingWarranty {
		t.Fatalf("mismatched defective return: %+v", l)
	}
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 2, To: "DEF", Condition: ConditionDefective}))
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PL", Qty: 5, Lot: "L1", To: "DEF", Condition: ConditionDefective}))
	// An old part of a line that has issued nothing yet still carries the line's billing.
	mustAppend(t, s, woCmd("WO-2", WOLine{Line: 1, SKU: "PL", Qty: 1, Billing: BillingWarranty}))
	res = mustAppend(t, s, cmd(EvReturn, "WO-2", Line{SKU: "PL", Qty: 1, Lot: "L1", To: "DEF", Condition: ConditionDefective}))
	if l := res.Event.Lines[0]; l.Mismatch != MismatchPart || l.WOLine != 1 || l.Billing != BillingWarranty {
		t.Fatalf("old part before any pick: %+v", l)
	}
	mm, err := s.ReturnMismatches()
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, m := range mm {
		reasons = append(reasons, m.SKU+" "+m.Mismatch)
	}
	want := []string{"PS " + MismatchSerial + ": OLD-7", "PN " + MismatchQuantity + ": 1", "PL " + MismatchPart, "PL " + MismatchPart}
	if !slices.Equal(reasons, want) || mm[0].WorkOrder != "WO-1" {
		t.Fatalf("mismatches %v, want %v", reasons, want)
	}
	// Returns come after the job: a closed order still takes them.
	mustAppend(t, s, woCloseCmd("WO-1"))
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "DEF", Condition: ConditionDefective, Serials: []string{"OLD-8"}}))
	if s.Head().Seq <= before.Seq {
		t.Fatal("nothing booked")
	}
	mustVerify(t, s)
}

// A line whose part is out offers the successor down its supersededBy
// chain; picking the successor counts on that line and releases nothing.
func TestWorkOrderSubstitute(t *testing.T) {
	s := woStore(t)
	for _, p := range []Part{{SKU: "OLD", SupersededBy: "MID"}, {SKU: "MID", SupersededBy: "NEW"}, {SKU: "NEW"}} {
		mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	}
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "NEW", Qty: 4, To: "A2"}))
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "OLD", Qty: 2, Billing: BillingWarranty}))
	pl, err := s.PickList("WO-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Awaiting) != 1 || pl.Awaiting[0].Substitute == nil || *pl.Awaiting[0].Substitute != (Substitute{SKU: "NEW", Available: 4}) {
		t.Fatalf("awaiting %+v", pl.Awaiting)
	}
	c, err := s.PlanPick(PickRequest{WorkOrder: "WO-1", SKU: "NEW", Qty: 2})
	if err != nil {
		t.Fatal(err)
	}
	c.Actor = "sk"
	res := mustAppend(t, s, c)
	if l := res.Event.Lines[0]; l.WOLine != 1 || l.Billing != BillingWarranty || l.SKU != "NEW" {
		t.Fatalf("substitute issue %+v", l)
	}
	st, _ := s.WorkOrder("WO-1")
	if st.Lines[0].Issued != 2 || st.Lines[0].Awaiting != 0 || st.Lines[0].Issues[0].SKU != "NEW" {
		t.Fatalf("state %+v", st.Lines[0])
	}
	wantRefused(t, s, cmd(EvIssue, "WO-1", Line{SKU: "NEW", Qty: 1, From: "A2"}), CodeOverPick)
	// Unused successor parts go back against the order like any other.
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "NEW", Qty: 1, To: "A2", Condition: ConditionGood}))
	mustVerify(t, s)
}

// A work order's reservation is not for free events to take: a manual
// unreserve, or an issue of reserved stock under another ref, is refused
// while the order holds it; other reservations on the row stay free.
func TestWorkOrderHoldsItsReservation(t *testing.T) {
	s := woStore(t)
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PN", Qty: 2}, WOLine{Line: 2, SKU: "PS", Qty: 1}))
	mustAppend(t, s, cmd(EvReserve, "MANUAL", Line{SKU: "PN", Qty: 1, Location: "B"}))
	mustAppend(t, s, cmd(EvUnreserve, "MANUAL", Line{SKU: "PN", Qty: 1, Location: "B"}))
	wantRefused(t, s, cmd(EvUnreserve, "MANUAL", Line{SKU: "PN", Qty: 1, Location: "B"}), CodeInsufficientReserve)
	wantRefused(t, s, cmd(EvIssue, "JOB-9", Line{SKU: "PN", Qty: 1, From: "B", FromReserved: true}), CodeInsufficientReserve)
	wantRefused(t, s, cmd(EvIssue, "JOB-9", Line{SKU: "PS", Qty: 1, From: "A", FromReserved: true, Serials: []string{"S1"}}), CodeInsufficientReserve)
	wantRefused(t, s, cmd(EvMove, "", Line{SKU: "PS", Qty: 1, From: "A", To: "B", Serials: []string{"S1"}}), CodeInsufficientStock)
	mustAppend(t, s, woCloseCmd("WO-1"))
	if r := reservedAt(t, s, "PN", "B"); r != 0 {
		t.Fatalf("reserved after close: %d", r)
	}
	mustVerify(t, s)
}

func TestWorkOrderIsIdempotent(t *testing.T) {
	s := woStore(t)
	c := woCmd("WO-1", WOLine{Line: 1, SKU: "PN", Qty: 2})
	c.IdempotencyKey = "k1"
	first := mustAppend(t, s, c)
	again := mustAppend(t, s, c)
	if !again.Replayed || again.Event.Seq != first.Event.Seq {
		t.Fatalf("replay: %+v", again)
	}
	c.WorkOrder = &WorkOrder{Number: "WO-1", Engineer: "other", Lines: c.WorkOrder.Lines}
	wantRefused(t, s, c, CodeIdempotencyReuse)
}

func TestWorkOrderQueries(t *testing.T) {
	s := woStore(t)
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PN", Qty: 1}))
	c := woCmd("WO-2", WOLine{Line: 1, SKU: "PN", Qty: 1})
	c.WorkOrder.Engineer = "eng2"
	mustAppend(t, s, c)
	mustAppend(t, s, woCmd("WO-3", WOLine{Line: 1, SKU: "PN", Qty: 1}))
	mustAppend(t, s, woCloseCmd("WO-3"))
	for _, tc := range []struct {
		f    WOFilter
		pg   Page
		want []string
	}{
		{WOFilter{}, Page{}, []string{"WO-1", "WO-2", "WO-3"}},
		{WOFilter{Status: WOOpen}, Page{}, []string{"WO-1", "WO-2"}},
		{WOFilter{Engineer: "eng2"}, Page{}, []string{"WO-2"}},
		{WOFilter{}, Page{After: "WO-1", Limit: 1}, []string{"WO-2"}},
	} {
		got, err := s.WorkOrders(tc.f, tc.pg)
		if err != nil {
			t.Fatal(err)
		}
		var nums []string
		for _, w := range got {
			nums = append(nums, w.Number)
		}
		if !slices.Equal(nums, tc.want) {
			t.Fatalf("%+v: %v, want %v", tc.f, nums, tc.want)
		}
	}
	if _, err := s.WorkOrder("WO-9"); CodeOf(err) != CodeNotFound {
		t.Fatalf("missing order: %v", err)
	}
}

func TestNaturalCompare(t *testing.T) {
	codes := []string{"A10", "A2", "A02-1", "B1", "A", "A2-10", "A2-9", "A02"}
	slices.SortFunc(codes, naturalCompare)
	want := []string{"A", "A02", "A2", "A02-1", "A2-9", "A2-10", "A10", "B1"}
	if !slices.Equal(codes, want) {
		t.Fatalf("%v, want %v", codes, want)
	}
}

func TestVerifyFindsWorkOrderTampering(t *testing.T) {
	cases := []tamperCase{
		{"issued edited", func(t *testing.T, s *Store) {
			st, _ := s.WorkOrder("WO-1")
			st.Lines[0].Issued--
			b, _ := json.Marshal(st)
			tamper(t, s, woKey("WO-1"), b)
		}},
		{"reservation dropped", func(t *testing.T, s *Store) {
			st, _ := s.WorkOrder("WO-1")
			st.Lines[1].Reservations = nil
			b, _ := json.Marshal(st)
			tamper(t, s, woKey("WO-1"), b)
		}},
		{"mismatch erased", func(t *testing.T, s *Store) {
			st, _ := s.WorkOrder("WO-1")
			st.Returns[0].Mismatch = ""
			b, _ := json.Marshal(st)
			tamper(t, s, woKey("WO-1"), b)
		}},
		{"reopened", func(t *testing.T, s *Store) {
			st, _ := s.WorkOrder("WO-2")
			st.Status, st.ClosedSeq = WOOpen, 0
			b, _ := json.Marshal(st)
			tamper(t, s, woKey("WO-2"), b)
		}},
		{"hold dropped", func(t *testing.T, s *Store) {
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(holdKey(balKey{"PN", "B", "", ""})) }); err != nil {
				t.Fatal(err)
			}
		}},
		{"hold invented", func(t *testing.T, s *Store) {
			tamper(t, s, holdKey(balKey{"PN", "A2", "", ""}), []byte{2})
		}},
		{"record deleted", func(t *testing.T, s *Store) {
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(woKey("WO-1")) }); err != nil {
				t.Fatal(err)
			}
		}},
		{"record invented", func(t *testing.T, s *Store) {
			st, _ := s.WorkOrder("WO-1")
			st.Number = "WO-X"
			b, _ := json.Marshal(st)
			tamper(t, s, woKey("WO-X"), b)
		}},
	}
	wantTamperingsFound(t, func(t *testing.T) *Store {
		s := woStore(t)
		mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PS", Qty: 1}, WOLine{Line: 2, SKU: "PN", Qty: 3}))
		mustAppend(t, s, woCmd("WO-2", WOLine{Line: 1, SKU: "PN", Qty: 1}))
		mustAppend(t, s, cmd(EvIssue, "WO-1", Line{SKU: "PS", Qty: 1, From: "A", Serials: []string{"S1"}, FromReserved: true}))
		mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "DEF", Condition: ConditionDefective, Serials: []string{"OLD"}}))
		mustAppend(t, s, woCloseCmd("WO-2"))
		return s
	}, cases)
}

func TestBackupCarriesWorkOrders(t *testing.T) {
	s := woStore(t)
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PN", Qty: 2}, WOLine{Line: 2, SKU: "PS", Qty: 1}))
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "DEF", Condition: ConditionDefective, Serials: []string{"OLD"}}))
	mustAppend(t, s, rtsCmd("RTS-1", Line{SKU: "PS", Qty: 1, From: "DEF", Serials: []string{"OLD"}}))
	r := restoredCopy(t, s)
	a, _ := s.WorkOrder("WO-1")
	b, err := r.WorkOrder("WO-1")
	if err != nil || fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("restored order %+v %v, was %+v", b, err, a)
	}
	if _, err := r.SupplierReturn("RTS-1"); err != nil {
		t.Fatal(err)
	}
	// The restored store keeps the order's hold and its rules.
	ctx := context.Background()
	if _, err := r.Append(ctx, cmd(EvUnreserve, "MANUAL", Line{SKU: "PN", Qty: 1, Location: "B"})); CodeOf(err) != CodeInsufficientReserve {
		t.Fatalf("restored hold: %v", err)
	}
	if _, err := r.Append(ctx, cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 3, From: "B"})); CodeOf(err) != CodeOverPick {
		t.Fatalf("restored rules: %v", err)
	}
	rep, err := r.Verify(ctx, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify restored: %v %v", err, rep.Problems)
	}
}
