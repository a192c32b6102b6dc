package hq

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

type testClock struct{ t time.Time }

func (c *testClock) Now() time.Time { return c.t }

// clockedDepot is a real depot store on a fixed clock (issue days and
// transfer due dates are then known).
func clockedDepot(t testing.TB, id string, at time.Time) *depot {
	t.Helper()
	st, err := inventory.Open(inventory.Options{Dir: t.TempDir(), Depot: id, GCInterval: -1, Log: quietLog(), Clock: &testClock{at}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &depot{t: t, st: st}
}

func (d *depot) must(c inventory.Command) inventory.Event {
	d.t.Helper()
	if c.Actor == "" {
		c.Actor = "sk"
	}
	r, err := d.st.Append(context.Background(), c)
	if err != nil {
		d.t.Fatalf("%s %s: %v", c.Type, c.Ref, err)
	}
	return r.Event
}

// watch runs the depot's reorder watcher once: signals and re-armings
// are appended as depotd's watcher would.
func (d *depot) watch() {
	d.t.Helper()
	w := inventory.NewReorderWatcher(d.st, inventory.ReorderWatchOptions{Log: quietLog()})
	if err := w.SyncAll(context.Background()); err != nil {
		d.t.Fatal(err)
	}
}

func (d *depot) seed() {
	d.t.Helper()
	for _, p := range []inventory.Part{{SKU: "PN"}, {SKU: "PL", Tracking: inventory.TrackLot}, {SKU: "PS", Tracking: inventory.TrackSerial}} {
		d.must(inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []inventory.Location{{Code: "A"}, {Code: "B"}, {Code: "Q", Kind: inventory.KindQuarantine},
		{Code: "DEF", Kind: inventory.KindDefective}, {Code: "VAN", Kind: inventory.KindVan}} {
		d.must(inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &l})
	}
}

func line(sku string, qty int64, from, to string) inventory.Line {
	return inventory.Line{SKU: sku, Qty: qty, From: from, To: to}
}

// feed sends the depot's log from HQ's HWM on in batches of the given
// sizes (the last one repeating); each must apply.
func feed(t *testing.T, h *HQ, d *depot, sizes ...int) {
	t.Helper()
	id := d.st.Depot()
	head := d.st.Head().Seq
	for i := 0; h.hwm(id).Seq < head; i++ {
		from := h.hwm(id).Seq + 1
		to := min(head, from+uint64(sizes[min(i, len(sizes)-1)])-1)
		if out := h.HandleEvents(id, d.batch(from, to)); out.Kind != Applied {
			t.Fatalf("%s %d..%d: %+v", id, from, to, out)
		}
	}
}

// wantMirror asserts HQ's view of d is d's own ledger: the balance rows
// exactly, each part's position, and each transfer end's state.
func wantMirror(t *testing.T, h *HQ, d *depot) {
	t.Helper()
	id := d.st.Depot()
	want, err := d.st.Stock(inventory.StockFilter{}, 100000)
	if err != nil {
		t.Fatal(err)
	}
	got, err := h.Balances(id, BalanceFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sameBalances(t, id+" all", got, want)
	// A filtered read is the depot's filtered read.
	for _, f := range []inventory.StockFilter{{SKU: "PS"}, {Location: "A"}, {SKU: "PL", Lot: "L1"}} {
		want, _ := d.st.Stock(f, 100000)
		got, err := h.Balances(id, BalanceFilter{SKU: f.SKU, Location: f.Location, Lot: f.Lot})
		if err != nil {
			t.Fatal(err)
		}
		sameBalances(t, fmt.Sprintf("%s %+v", id, f), got, want)
	}
	parts, err := d.st.Parts(inventory.Page{})
	if err != nil {
		t.Fatal(err)
	}
	gs, err := h.GlobalStock(GlobalFilter{Depot: id})
	if err != nil {
		t.Fatal(err)
	}
	if len(gs) != len(parts) {
		t.Fatalf("%s: %d parts at HQ, %d at the depot", id, len(gs), len(parts))
	}
	for i, p := range parts {
		pos, err := d.st.Position(p.SKU)
		if err != nil {
			t.Fatal(err)
		}
		if gs[i].SKU != p.SKU || len(gs[i].Depots) != 1 || gs[i].Depots[0].Position != pos {
			t.Fatalf("%s %s: HQ %+v, depot position %+v", id, p.SKU, gs[i], pos)
		}
	}
	trs, err := d.st.Transfers(inventory.TransferFilter{}, inventory.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range trs {
		v, err := h.Transfer(tr.Number, tr.From)
		if err != nil {
			t.Fatal(err)
		}
		end := v.Source
		if tr.Direction == inventory.TransferInbound {
			end = v.Destination
		}
		g, _ := json.Marshal(end)
		w, _ := json.Marshal(tr.TransferState)
		if string(g) != string(w) {
			t.Fatalf("%s transfer %s at HQ\n%s\ndepot\n%s", id, tr.Number, g, w)
		}
	}
}

// sameBalances reports the first row where HQ and the depot differ.
func sameBalances(t *testing.T, what string, got, want []inventory.Balance) {
	t.Helper()
	for i := range max(len(got), len(want)) {
		var g, w inventory.Balance
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Fatalf("%s: row %d of %d at HQ is %+v, of %d at the depot %+v", what, i, len(got), g, len(want), w)
		}
	}
}

// twoDepots runs a transfer TR-1 from D1 to D2 through both real stores,
// with work orders, purchase orders, moves into a van, quarantine and
// defective stock, counts, scraps and reorder policies with the watcher's
// signals around it. D2 receives TR-1 one unit of PN short and serial S2
// damaged.
func twoDepots(t *testing.T) (d1, d2 *depot) {
	day := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	d1, d2 = clockedDepot(t, "D1", day), clockedDepot(t, "D2", day)
	d1.seed()
	d2.seed()
	d1.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", 20, "", "A"),
		{SKU: "PL", Qty: 10, To: "A", Lot: "L1"}, {SKU: "PS", Qty: 4, To: "A", Serials: []string{"S1", "S2", "S3", "S4"}}}})
	d1.must(inventory.Command{Type: inventory.EvWOCreated, Actor: "planner", Ref: "WO-1",
		WorkOrder: &inventory.WorkOrder{Number: "WO-1", Engineer: "eng", Lines: []inventory.WOLine{{Line: 1, SKU: "PN", Qty: 3}}}})
	pick, err := d1.st.PlanPick(inventory.PickRequest{WorkOrder: "WO-1", SKU: "PN", Qty: 2})
	if err != nil {
		t.Fatal(err)
	}
	d1.must(pick)
	d1.must(inventory.Command{Type: inventory.EvWOClosed, Actor: "planner", Ref: "WO-1"})
	d1.must(inventory.Command{Type: inventory.EvMove, Lines: []inventory.Line{line("PN", 5, "A", "VAN")}})
	d1.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PL", Qty: 3, To: "Q", Lot: "L2"}}})
	d1.must(inventory.Command{Type: inventory.EvPOCreated, Actor: "proc", Ref: "PO-1",
		Order: &inventory.PurchaseOrder{Number: "PO-1", Supplier: "ACME", Lines: []inventory.POLine{{Line: 1, SKU: "PN", Qty: 10}}}})
	d1.must(inventory.Command{Type: inventory.EvReceipt, Ref: "PO-1", Lines: []inventory.Line{line("PN", 4, "", "B")}})
	d1.must(inventory.Command{Type: inventory.EvReserve, Lines: []inventory.Line{{SKU: "PN", Qty: 2, Location: "B"}}})
	d1.must(inventory.Command{Type: inventory.EvCountAdjustment, Lines: []inventory.Line{{SKU: "PN", Qty: -1, Location: "B"}}})
	d1.must(inventory.Command{Type: inventory.EvScrap, Lines: []inventory.Line{{SKU: "PS", Qty: 1, From: "A", Serials: []string{"S4"}}}})
	d1.must(inventory.Command{Type: inventory.EvTransferRequested, Ref: "TR-1", Transfer: &inventory.Transfer{Number: "TR-1",
		From: "D1", To: "D2", Expected: "2026-11-22", Lines: []inventory.TransferLine{{SKU: "PN", Qty: 4}, {SKU: "PS", Qty: 2}}}})
	d1.must(inventory.Command{Type: inventory.EvTransferApproved, Actor: "planner", Ref: "TR-1"})
	d1.must(inventory.Command{Type: inventory.EvTransferShipped, Ref: "TR-1", Lines: []inventory.Line{line("PN", 4, "A", "TRANSIT-TR-1"),
		{SKU: "PS", Qty: 2, From: "A", To: "TRANSIT-TR-1", Serials: []string{"S1", "S2"}}}})
	sealed := d1.must(inventory.Command{Type: inventory.EvTransferDispatched, Ref: "TR-1",
		Shipment: &inventory.Shipment{CompanyPrefix: "0614141"}})

	d2.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", 2, "", "A")}})
	d2.must(inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
		Policy: &inventory.ReorderPolicy{SKU: "PN", Method: inventory.MethodMinMax, Min: 4, Max: 12}})
	d2.watch() // PN: position 2 <= 4: a signal
	d2.must(inventory.Command{Type: inventory.EvTransferAnnounced, Actor: "planner", Ref: "TR-1",
		Transfer: &inventory.Transfer{Number: "TR-1", From: "D1", To: "D2", Expected: "2026-11-22",
			Lines: []inventory.TransferLine{{SKU: "PN", Qty: 4}, {SKU: "PS", Qty: 2}}},
		Shipment: &inventory.Shipment{SSCC: sealed.Shipment.SSCC, Lines: sealed.Shipment.Lines}})
	d2.watch() // PN: 2 + 4 inbound > 4: re-armed
	d2.must(inventory.Command{Type: inventory.EvTransferReceived, Ref: "TR-1", Lines: []inventory.Line{line("PN", 3, "TRANSIT-TR-1", "A"),
		{SKU: "PS", Qty: 1, From: "TRANSIT-TR-1", To: "A", Serials: []string{"S1"}}}})
	d2.must(inventory.Command{Type: inventory.EvTransferClosed, Ref: "TR-1", Lines: []inventory.Line{{SKU: "PS", Qty: 1,
		From: "TRANSIT-TR-1", To: "DEF", Serials: []string{"S2"}}}})
	d2.must(inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
		Policy: &inventory.ReorderPolicy{SKU: "PS", Method: inventory.MethodROP, ROP: inventory.ROPFixed, ReorderPoint: 3}})
	d2.watch() // PS: 1 available <= 3: a signal
	return d1, d2
}

// TestViewMirrorsDepotLedgers: two real depots' logs fed to HQ in batches
// of odd sizes; HQ's balances, positions and transfer ends are the depots'
// own, and the merged transfer, the global stock and the signals say what
// the scenario did.
func TestViewMirrorsDepotLedgers(t *testing.T) {
	d1, d2 := twoDepots(t)
	dir := t.TempDir()
	h := openHQ(t, dir) // HQ's clock: 2026-11-23 12:00
	feed(t, h, d1, 3, 7, 1)
	feed(t, h, d2, 500)
	wantMirror(t, h, d1)
	wantMirror(t, h, d2)
	// The view is HQ's store, not its memory: reopened, it is all there.
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h = openHQ(t, dir)
	defer h.Close()
	wantMirror(t, h, d1)
	wantMirror(t, h, d2)

	tr, err := h.Transfer("TR-1", "")
	if err != nil {
		t.Fatal(err)
	}
	// Received: D2 closed the receipt with PN 1 short; S2 came damaged.
	wantLines := []inventory.TransferLineState{
		{SKU: "PN", Requested: 4, Shipped: 4, Received: 3, Short: 1},
		{SKU: "PS", Requested: 2, Shipped: 2, Received: 1, Damaged: 1},
	}
	if tr.Status != inventory.TransferReceived || !tr.Differences || tr.Overdue || tr.From != "D1" || tr.To != "D2" ||
		!reflect.DeepEqual(tr.Lines, wantLines) || tr.Source == nil || tr.Destination == nil || tr.SSCC == "" {
		t.Fatalf("TR-1: %+v", tr)
	}
	// The report is what D2's transfer-closed event recorded.
	var closed inventory.Event
	if err := d2.st.EachEvent(0, func(ev *inventory.Event, _ []byte) error {
		if ev.Type == inventory.EvTransferClosed {
			closed = *ev
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if tr.Report == nil || closed.TransferReport == nil || !reflect.DeepEqual(*tr.Report, *closed.TransferReport) {
		t.Fatalf("TR-1's report %+v, the event's %+v", tr.Report, closed.TransferReport)
	}
	if l, err := h.Transfers(TransferFilter{Differences: true}); err != nil || len(l) != 1 || l[0].Number != "TR-1" {
		t.Fatalf("transfers with differences: %+v %v", l, err)
	}
	if l, err := h.Transfers(TransferFilter{Overdue: true}); err != nil || len(l) != 0 {
		t.Fatalf("overdue transfers: %+v %v", l, err)
	}
	if _, err := h.Transfer("TR-9", ""); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("unknown transfer: %v", err)
	}

	sig, err := h.Signals(SignalFilter{Depot: "D2"})
	if err != nil {
		t.Fatal(err)
	}
	if len(sig) != 2 || sig[0].SKU != "PN" || sig[0].Open || sig[0].CoveredSeq == 0 || sig[0].ReorderPoint != 4 ||
		sig[0].OrderUpTo != 12 || sig[0].SuggestedQty != 10 || sig[0].Position.Total != 2 ||
		sig[1].SKU != "PS" || !sig[1].Open || sig[1].ReorderPoint != 3 {
		t.Fatalf("D2's signals: %+v", sig)
	}
	if open, _ := h.Signals(SignalFilter{Status: SignalOpen}); len(open) != 1 || open[0].SKU != "PS" {
		t.Fatalf("open signals: %+v", open)
	}
	if _, err := h.Signals(SignalFilter{Status: "closed"}); inventory.CodeOf(err) != inventory.CodeInvalid {
		t.Fatalf("a bad status: %v", err)
	}

	gs, err := h.GlobalStock(GlobalFilter{SKU: "PN"})
	if err != nil || len(gs) != 1 || len(gs[0].Depots) != 2 {
		t.Fatalf("PN: %+v %v", gs, err)
	}
	// D1: A 20-3(reserved by WO-1, 2 picked, 1 released)-2 picked-5 van-4
	// shipped = 9 in A; B 4 received -1 counted = 3, 2 reserved; VAN 5.
	// On hand 17, reserved 2, available 15; PO-1 owes 6. No policy.
	d1pn := DepotStock{Depot: "D1", OnHand: 17, Reserved: 2, Available: 15, OnOrder: 6,
		Position: inventory.Position{Available: 15, OnOrder: 6, Total: 21}}
	// D2: 2 + 3 received = 5 in A; minmax 4..12 from the policy; the
	// transfer's short unit is not coming (receipt closed).
	rop, upTo := int64(4), int64(12)
	d2pn := DepotStock{Depot: "D2", OnHand: 5, Available: 5, Position: inventory.Position{Available: 5, Total: 5},
		Method: inventory.MethodMinMax, ReorderPoint: &rop, OrderUpTo: &upTo, FiguresFrom: "policy"}
	if !reflect.DeepEqual(gs[0].Depots, []DepotStock{d1pn, d2pn}) {
		t.Fatalf("PN across depots:\n%+v\nwant\n%+v", gs[0].Depots, []DepotStock{d1pn, d2pn})
	}
	// PS at D2: fixed rop 3 without max orders up to what its signal said.
	ps, _ := h.GlobalStock(GlobalFilter{SKU: "PS", Depot: "D2"})
	if d := ps[0].Depots[0]; d.Defective != 1 || d.Available != 1 || !d.BelowReorderPoint || *d.ReorderPoint != 3 ||
		*d.OrderUpTo != sig[1].OrderUpTo || d.FiguresFrom != "signal" || d.OpenSignal != sig[1].Seq {
		t.Fatalf("PS at D2: %+v", d)
	}
	if pl, _ := h.GlobalStock(GlobalFilter{SKU: "PL", Depot: "D1"}); pl[0].Depots[0].Quarantine != 3 || pl[0].Depots[0].Available != 10 {
		t.Fatalf("PL at D1: %+v", pl)
	}
	if below, _ := h.GlobalStock(GlobalFilter{BelowReorderPoint: true}); len(below) != 1 || below[0].SKU != "PS" {
		t.Fatalf("below the reorder point: %+v", below)
	}
	if page, _ := h.GlobalStock(GlobalFilter{After: "PL", Limit: 1}); len(page) != 1 || page[0].SKU != "PN" {
		t.Fatalf("the page after PL: %+v", page)
	}
	if _, err := h.Balances("D9", BalanceFilter{}); err == nil {
		t.Fatal("balances of an unknown depot")
	}
}

// TestViewWhileInTransit: before D2 announces it, TR-1 is the source's
// alone, on the way and past its due day by HQ's clock; once D2 announces
// it, D2's position counts it inbound, as D2's own does.
func TestViewWhileInTransit(t *testing.T) {
	day := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	d1, d2 := clockedDepot(t, "D1", day), clockedDepot(t, "D2", day)
	d1.seed()
	d2.seed()
	d1.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", 5, "", "A")}})
	d1.must(inventory.Command{Type: inventory.EvTransferRequested, Ref: "T", Transfer: &inventory.Transfer{Number: "T",
		From: "D1", To: "D2", Expected: "2026-11-21", Lines: []inventory.TransferLine{{SKU: "PN", Qty: 3}}}})
	d1.must(inventory.Command{Type: inventory.EvTransferApproved, Actor: "planner", Ref: "T"})
	d1.must(inventory.Command{Type: inventory.EvTransferShipped, Ref: "T", Lines: []inventory.Line{line("PN", 2, "A", "TRANSIT-T")}})
	sealed := d1.must(inventory.Command{Type: inventory.EvTransferDispatched, Ref: "T", Shipment: &inventory.Shipment{CompanyPrefix: "0614141"}})
	h := openHQ(t, t.TempDir())
	defer h.Close()
	feed(t, h, d1, 4)
	feed(t, h, d2, 100)
	tr, err := h.Transfer("T", "D1")
	// Shipped 2 of 3 asked: a difference as soon as it is sealed.
	if err != nil || tr.Status != inventory.TransferShipped || !tr.Overdue || !tr.Differences || tr.Destination != nil || tr.Report != nil ||
		!reflect.DeepEqual(tr.Lines, []inventory.TransferLineState{{SKU: "PN", Requested: 3, Shipped: 2}}) {
		t.Fatalf("T before the announcement: %+v %v", tr, err)
	}
	d2.must(inventory.Command{Type: inventory.EvTransferAnnounced, Actor: "planner", Ref: "T",
		Transfer: &inventory.Transfer{Number: "T", From: "D1", To: "D2", Expected: "2026-11-21", Lines: []inventory.TransferLine{{SKU: "PN", Qty: 3}}},
		Shipment: &inventory.Shipment{SSCC: sealed.Shipment.SSCC, Lines: sealed.Shipment.Lines}})
	feed(t, h, d2, 100)
	wantMirror(t, h, d1)
	wantMirror(t, h, d2)
	gs, _ := h.GlobalStock(GlobalFilter{SKU: "PN", Depot: "D2"})
	if d := gs[0].Depots[0]; d.Inbound != 2 || d.Position.Total != 2 {
		t.Fatalf("PN at D2 while T is on its way: %+v", d)
	}
	if l, _ := h.Transfers(TransferFilter{Overdue: true, To: "D2"}); len(l) != 1 {
		t.Fatalf("overdue into D2: %+v", l)
	}
	// D2 receives one, closes the receipt a unit short and writes it off.
	d2.must(inventory.Command{Type: inventory.EvTransferReceived, Ref: "T", Lines: []inventory.Line{line("PN", 1, "TRANSIT-T", "A")}})
	d2.must(inventory.Command{Type: inventory.EvTransferClosed, Ref: "T"})
	lines, err := d2.st.WriteOffLines("T")
	if err != nil {
		t.Fatal(err)
	}
	d2.must(inventory.Command{Type: inventory.EvScrap, Actor: "planner", Ref: "T", Lines: lines})
	feed(t, h, d2, 2)
	wantMirror(t, h, d2)
	tr, err = h.Transfer("T", "")
	if err != nil || tr.Status != inventory.TransferClosed || tr.Overdue || !tr.Differences || tr.Report == nil || tr.Report.Short != 1 ||
		!reflect.DeepEqual(tr.Lines, []inventory.TransferLineState{{SKU: "PN", Requested: 3, Shipped: 2, Received: 1, Short: 1, WrittenOff: 1}}) {
		t.Fatalf("T written off: %+v %v", tr, err)
	}
	if l, _ := h.Transfers(TransferFilter{Status: inventory.TransferClosed}); len(l) != 1 {
		t.Fatalf("closed transfers: %+v", l)
	}
}

// TestViewAfterSupersede: D1 restored from a backup comes back with epoch
// 2 and other events than HQ holds past the backup; the old epoch's
// events are taken back out of the view (their balances, documents,
// issues and signals), and the view is the restored depot's ledger.
func TestViewAfterSupersede(t *testing.T) {
	day := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	d := clockedDepot(t, "D1", day)
	d.seed()
	d.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", 6, "", "A")}})
	backup := d.backup()
	// What the restore loses: a policy and its signal, an order, a
	// transfer, an issue and a new location.
	d.must(inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "C"}})
	d.must(inventory.Command{Type: inventory.EvWOCreated, Actor: "planner", Ref: "WO-1",
		WorkOrder: &inventory.WorkOrder{Number: "WO-1", Engineer: "eng", Lines: []inventory.WOLine{{Line: 1, SKU: "PN", Qty: 4}}}})
	pick, err := d.st.PlanPick(inventory.PickRequest{WorkOrder: "WO-1", SKU: "PN", Qty: 4})
	if err != nil {
		t.Fatal(err)
	}
	d.must(pick)
	d.must(inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
		Policy: &inventory.ReorderPolicy{SKU: "PN", Method: inventory.MethodMinMax, Min: 3, Max: 9}})
	d.watch()
	d.must(inventory.Command{Type: inventory.EvPOCreated, Actor: "proc", Ref: "PO-1",
		Order: &inventory.PurchaseOrder{Number: "PO-1", Supplier: "ACME", Lines: []inventory.POLine{{Line: 1, SKU: "PN", Qty: 7}}}})
	d.must(inventory.Command{Type: inventory.EvTransferRequested, Ref: "TR-1", Transfer: &inventory.Transfer{Number: "TR-1",
		From: "D1", To: "D2", Lines: []inventory.TransferLine{{SKU: "PN", Qty: 1}}}})
	h, err := Open(Options{Dir: t.TempDir(), Log: quietLog(), SupersedeChunk: 4, Now: func() time.Time { return day }})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	feed(t, h, d, 5)
	wantMirror(t, h, d)
	if s, _ := h.Signals(SignalFilter{}); len(s) != 1 {
		t.Fatalf("signals before the restore: %+v", s)
	}

	r := restoredDepot(t, "D1", backup)
	r.must(inventory.Command{Type: inventory.EvMove, Lines: []inventory.Line{line("PN", 2, "A", "VAN")}})
	r.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PS", Qty: 1, To: "B", Serials: []string{"X1"}}}})
	base := r.st.Head().Seq - 2
	if out := h.HandleEvents("D1", r.batch(base+1, r.st.Head().Seq)); out.Kind != Applied {
		t.Fatalf("the restored depot's batch: %+v", out)
	}
	wantMirror(t, h, r)
	if s, _ := h.Signals(SignalFilter{}); len(s) != 0 {
		t.Fatalf("the superseded signal is still there: %+v", s)
	}
	if l, _ := h.Transfers(TransferFilter{}); len(l) != 0 {
		t.Fatalf("the superseded transfer is still there: %+v", l)
	}
	gs, _ := h.GlobalStock(GlobalFilter{SKU: "PN"})
	if d := gs[0].Depots[0]; d.OnOrder != 0 || d.ReorderPoint != nil || d.Available != 6 {
		t.Fatalf("PN after the restore: %+v", d)
	}
	// The issue day went with the pick: D1 has no demand for PN again.
	err = h.db.View(func(txn *badger.Txn) error {
		if issuedSince(txn, "D1", "PN", "2000-01-01") {
			t.Error("the superseded issue still counts as demand")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing is left of the old epoch but its raw events: no undo record
	// past the HWM.
	var keys []string
	_ = h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: sub(prefixDepotDoc, "D1", tableUndo)})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			keys = append(keys, string(it.Item().Key()))
		}
		return nil
	})
	sort.Strings(keys)
	if uint64(len(keys)) != r.st.Head().Seq {
		t.Fatalf("%d undo records for %d events", len(keys), r.st.Head().Seq)
	}
}

// BenchmarkProjectedIngest: a 4,000-event depot log applied in batches of
// 500 with the view projected in the same transactions (events/s).
func BenchmarkProjectedIngest(b *testing.B) {
	raws := benchLog(b, "D1", 4002)
	for b.Loop() {
		b.StopTimer()
		h := openHQ(b, b.TempDir())
		b.StartTimer()
		for from := 0; from < len(raws); from += 500 {
			to := min(from+500, len(raws))
			if out := h.HandleEvents("D1", batchOf("D1", 1, uint64(from+1), raws[from:to])); out.Kind != Applied {
				b.Fatalf("%+v", out)
			}
		}
		b.StopTimer()
		h.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(len(raws))*float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkPlanning: the global stock and the suggestions over 10 depots
// with 50 parts each, half of them under a minmax policy and short at
// every other depot.
func BenchmarkPlanning(b *testing.B) {
	h := openHQ(b, b.TempDir())
	defer h.Close()
	const depots, parts = 10, 50
	var wg sync.WaitGroup
	logs := make([]*depot, depots)
	for i := range logs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := clockedDepot(b, fmt.Sprintf("D%02d", i), time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
			d.must(inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}})
			var lines []inventory.Line
			for p := range parts {
				sku := fmt.Sprintf("P%03d", p)
				d.must(inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: sku}})
				lines = append(lines, line(sku, int64(1+(i%2)*20), "", "A"))
			}
			d.must(inventory.Command{Type: inventory.EvReceipt, Lines: lines})
			for p := 0; p < parts; p += 2 {
				d.must(inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
					Policy: &inventory.ReorderPolicy{SKU: fmt.Sprintf("P%03d", p), Method: inventory.MethodMinMax, Min: 3, Max: 10}})
			}
			logs[i] = d
		}()
	}
	wg.Wait()
	for i, d := range logs {
		raws := d.raws()
		for from := 0; from < len(raws); from += 500 {
			to := min(from+500, len(raws))
			if out := h.HandleEvents(d.st.Depot(), batchOf(d.st.Depot(), 1, uint64(from+1), raws[from:to])); out.Kind != Applied {
				b.Fatalf("%+v", out)
			}
		}
		if err := h.SetSite(d.st.Depot(), Site{Name: "x", Lat: float64(i), Lon: float64(i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.Run("GlobalStock", func(b *testing.B) {
		for b.Loop() {
			if gs, err := h.GlobalStock(GlobalFilter{Limit: 1000}); err != nil || len(gs) != parts {
				b.Fatalf("%d parts, %v", len(gs), err)
			}
		}
	})
	b.Run("Suggestions", func(b *testing.B) {
		for b.Loop() {
			if sg, err := h.Suggestions(SuggestionFilter{}); err != nil || len(sg) == 0 {
				b.Fatalf("%d suggestions, %v", len(sg), err)
			}
		}
	})
}

// TestLargeBatchApplies: 2,000 serials received and moved between two
// bins nine times are more balance writes (each move takes 2,000 rows out
// of one bin and 2,000 into the other) than one Badger transaction of
// HQ's store takes (it stops near 33,000); HQ applies the batch in halves,
// each an exact continuation, and holds every serial where the depot does.
func TestLargeBatchApplies(t *testing.T) {
	d := clockedDepot(t, "D1", time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	d.seed()
	const serials, moves = 2000, 9
	sn := make([]string, serials)
	for j := range sn {
		sn[j] = fmt.Sprintf("S%d", j)
	}
	d.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PS", Qty: serials, To: "A", Serials: sn}}})
	backup := d.backup()
	for i := range moves {
		from, to := "A", "B"
		if i%2 == 1 {
			from, to = to, from
		}
		d.must(inventory.Command{Type: inventory.EvMove, Lines: []inventory.Line{{SKU: "PS", Qty: serials, From: from, To: to, Serials: sn}}})
	}
	h := openHQ(t, t.TempDir())
	defer h.Close()
	feed(t, h, d, 500)
	if c := depotOf(t, h, "D1").Counters; c.AppliedBatches != 1 || c.AppliedEvents != d.st.Head().Seq {
		t.Fatalf("counters %+v", c)
	}
	gs, err := h.GlobalStock(GlobalFilter{SKU: "PS"})
	if err != nil || len(gs) != 1 || gs[0].Depots[0].OnHand != serials {
		t.Fatalf("PS at HQ: %+v %v", gs, err)
	}
	for _, f := range []inventory.StockFilter{{SKU: "PS", Location: "B"}, {SKU: "PS", Location: "A"}} {
		want, _ := d.st.Stock(f, 10000)
		got, err := h.Balances("D1", BalanceFilter{SKU: f.SKU, Location: f.Location})
		if err != nil {
			t.Fatal(err)
		}
		sameBalances(t, f.Location, got, want)
	}
	// Restored from the backup before the moves, the depot moves one
	// serial instead: taking the nine big moves back out of the view does
	// not fit one transaction either.
	r := restoredDepot(t, "D1", backup)
	r.must(inventory.Command{Type: inventory.EvMove, Lines: []inventory.Line{{SKU: "PS", Qty: 1, From: "A", To: "B", Serials: sn[:1]}}})
	if out := h.HandleEvents("D1", r.batch(r.st.Head().Seq, r.st.Head().Seq)); out.Kind != Applied {
		t.Fatalf("the restored depot's move: %+v", out)
	}
	if c := depotOf(t, h, "D1").Counters; c.Superseded != moves {
		t.Fatalf("counters %+v", c)
	}
	for _, f := range []inventory.StockFilter{{SKU: "PS", Location: "B"}, {SKU: "PS", Location: "A"}} {
		want, _ := r.st.Stock(f, 10000)
		got, err := h.Balances("D1", BalanceFilter{SKU: f.SKU, Location: f.Location})
		if err != nil {
			t.Fatal(err)
		}
		sameBalances(t, "restored "+f.Location, got, want)
	}
}

// TestViewRandomLedgers: random commands against a real depot (many of
// them refused by its rules, which writes nothing), its log fed to HQ in
// random batch sizes, sometimes restored from an earlier backup and sent
// on in a new epoch: after every feed HQ's view is the depot's ledger.
func TestViewRandomLedgers(t *testing.T) {
	for seed := range int64(4) {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(seed), 7))
			d := clockedDepot(t, "D1", time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC))
			d.seed()
			h := openHQ(t, t.TempDir())
			defer h.Close()
			var backup []byte
			locs := []string{"A", "B", "Q", "DEF", "VAN"}
			pick := func(s []string) string { return s[rng.IntN(len(s))] }
			po := 0
			for step := range 120 {
				q := int64(1 + rng.IntN(5))
				var c inventory.Command
				switch rng.IntN(12) {
				case 0, 1:
					c = inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", q, "", pick([]string{"A", "B", "Q"}))}}
				case 2:
					c = inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PL", Qty: q, To: "A", Lot: pick([]string{"L1", "L2"})}}}
				case 3:
					c = inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PS", Qty: 1, To: pick([]string{"A", "B"}), Serials: []string{fmt.Sprint("S", rng.IntN(6))}}}}
				case 4:
					c = inventory.Command{Type: inventory.EvMove, Lines: []inventory.Line{line("PN", q, pick(locs), pick(locs))}}
				case 5:
					c = inventory.Command{Type: inventory.EvReserve, Lines: []inventory.Line{{SKU: "PN", Qty: q, Location: pick([]string{"A", "B", "VAN"})}}}
				case 6:
					c = inventory.Command{Type: inventory.EvUnreserve, Lines: []inventory.Line{{SKU: "PN", Qty: q, Location: pick([]string{"A", "B", "VAN"})}}}
				case 7:
					c = inventory.Command{Type: inventory.EvScrap, Lines: []inventory.Line{{SKU: pick([]string{"PN", "PS"}), Qty: 1, From: pick(locs)}}}
					if c.Lines[0].SKU == "PS" {
						c.Lines[0].Serials = []string{fmt.Sprint("S", rng.IntN(6))}
					}
				case 8:
					c = inventory.Command{Type: inventory.EvCountAdjustment, Lines: []inventory.Line{{SKU: "PN", Qty: q - 3, Location: pick(locs)}}}
				case 9:
					c = inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
						Policy: &inventory.ReorderPolicy{SKU: "PN", Method: inventory.MethodMinMax, Min: 4 * q, Max: 4*q + 10}}
				case 10:
					po++
					c = inventory.Command{Type: inventory.EvPOCreated, Actor: "proc", Ref: fmt.Sprint("PO-", po),
						Order: &inventory.PurchaseOrder{Number: fmt.Sprint("PO-", po), Supplier: "S", TolerancePct: 50,
							Lines: []inventory.POLine{{Line: 1, SKU: "PN", Qty: q + 2}}}}
				case 11:
					ref := fmt.Sprint("PO-", 1+rng.IntN(max(po, 1)))
					if rng.IntN(3) == 0 {
						c = inventory.Command{Type: inventory.EvPOClosed, Actor: "proc", Ref: ref}
					} else {
						c = inventory.Command{Type: inventory.EvReceipt, Ref: ref, Lines: []inventory.Line{line("PN", q, "", "A")}}
					}
				}
				if c.Actor == "" {
					c.Actor = "sk"
				}
				if _, err := d.st.Append(context.Background(), c); err != nil && inventory.CodeOf(err) == "" {
					t.Fatalf("step %d: %v", step, err)
				}
				if step%10 == 9 {
					d.watch()
				}
				if step == 40 {
					backup = d.backup()
				}
				if rng.IntN(15) == 0 {
					feed(t, h, d, 1+rng.IntN(9))
					wantMirror(t, h, d)
				}
				if step == 80 && seed%2 == 0 {
					// Restored from the backup at step 40: HQ holds events
					// past it that the new epoch replaces.
					feed(t, h, d, 50)
					d = restoredDepot(t, "D1", backup)
					d.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", 1, "", "B")}})
					restoredFrom := uint64(0)
					if err := d.st.EachEvent(0, func(ev *inventory.Event, _ []byte) error {
						if ev.Epoch > 1 && restoredFrom == 0 {
							restoredFrom = ev.Seq
						}
						return nil
					}); err != nil {
						t.Fatal(err)
					}
					if out := h.HandleEvents("D1", d.batch(restoredFrom, d.st.Head().Seq)); out.Kind != Applied {
						t.Fatalf("the restored depot: %+v", out)
					}
					wantMirror(t, h, d)
				}
			}
			feed(t, h, d, 7)
			wantMirror(t, h, d)
			c := depotOf(t, h, "D1").Counters
			rows, _ := h.Balances("D1", BalanceFilter{})
			sig, _ := h.Signals(SignalFilter{})
			t.Logf("%d events, %d superseded, %d rows, %d signals", d.st.Head().Seq, c.Superseded, len(rows), len(sig))
			if d.st.Head().Seq < 50 || len(rows) < 3 || (seed%2 == 0) != (c.Superseded > 0) {
				t.Fatalf("the random run did too little: %d events, %d rows, %+v", d.st.Head().Seq, len(rows), c)
			}
		})
	}
}
