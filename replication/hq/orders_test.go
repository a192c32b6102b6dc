package hq

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
)

// knowDepots makes HQ hear of depots the way it does: their status.
func knowDepots(t testing.TB, h *HQ, ids ...string) {
	t.Helper()
	for _, id := range ids {
		b, _ := json.Marshal(replication.Status{V: 1, Depot: id, State: replication.StateOnline})
		if err := h.HandleStatus(id, b); err != nil {
			t.Fatal(err)
		}
	}
}

func order() TransferOrder {
	return TransferOrder{From: "SRC", To: "DST", Expected: "2026-12-01",
		Lines: []inventory.TransferLine{{SKU: "PN", Qty: 4}, {SKU: "PL", Qty: 2}}}
}

// TestCreateTransferOrderRefusals: every bad order is refused with its
// code and writes nothing: no order, no command, no number used.
func TestCreateTransferOrderRefusals(t *testing.T) {
	h := openHQ(t, t.TempDir())
	defer h.Close()
	knowDepots(t, h, "SRC", "DST")
	edit := func(fn func(o *TransferOrder)) TransferOrder {
		o := order()
		o.Lines = append([]inventory.TransferLine(nil), o.Lines...)
		fn(&o)
		return o
	}
	for _, tc := range []struct {
		name         string
		o            TransferOrder
		planner, key string
		code         inventory.Code
	}{
		{"an unknown source", edit(func(o *TransferOrder) { o.From = "NOWHERE" }), "anna", "", CodeUnknownDepot},
		{"an unknown destination", edit(func(o *TransferOrder) { o.To = "NOWHERE" }), "anna", "", CodeUnknownDepot},
		{"a depot id MQTT cannot carry", edit(func(o *TransferOrder) { o.To = "D+2" }), "anna", "", inventory.CodeInvalid},
		{"to itself", edit(func(o *TransferOrder) { o.To = "SRC" }), "anna", "", inventory.CodeInvalid},
		{"no expected day", edit(func(o *TransferOrder) { o.Expected = "" }), "anna", "", inventory.CodeInvalid},
		{"not a day", edit(func(o *TransferOrder) { o.Expected = "2026-02-30" }), "anna", "", inventory.CodeInvalid},
		{"no lines", edit(func(o *TransferOrder) { o.Lines = nil }), "anna", "", inventory.CodeInvalid},
		{"a zero qty", edit(func(o *TransferOrder) { o.Lines[1].Qty = 0 }), "anna", "", inventory.CodeInvalid},
		{"a negative qty", edit(func(o *TransferOrder) { o.Lines[1].Qty = -3 }), "anna", "", inventory.CodeInvalid},
		{"a huge qty", edit(func(o *TransferOrder) { o.Lines[1].Qty = inventory.MaxQuantity + 1 }), "anna", "", inventory.CodeInvalid},
		{"a part twice", edit(func(o *TransferOrder) { o.Lines[1].SKU = "PN" }), "anna", "", inventory.CodeInvalid},
		{"an empty part", edit(func(o *TransferOrder) { o.Lines[1].SKU = "" }), "anna", "", inventory.CodeInvalid},
		{"a part with a control byte", edit(func(o *TransferOrder) { o.Lines[1].SKU = "P\x01" }), "anna", "", inventory.CodeInvalid},
		{"a note too long", edit(func(o *TransferOrder) { o.Note = strings.Repeat("n", inventory.MaxTextLen+1) }), "anna", "", inventory.CodeInvalid},
		{"no planner", order(), "", "", inventory.CodeInvalid},
		{"a planner with a space", order(), "an na", "", inventory.CodeInvalid},
		{"a key too long", order(), "anna", strings.Repeat("k", inventory.MaxIdempotencyKeyLen+1), inventory.CodeInvalid},
	} {
		_, err := h.CreateTransferOrder(tc.o, tc.planner, tc.key)
		if err == nil {
			t.Fatalf("%s: created", tc.name)
		}
		wantCode(t, err, tc.code)
	}
	if os, _ := h.TransferOrders(0, 0); len(os) != 0 {
		t.Fatalf("orders %+v", os)
	}
	if heads, _ := h.outboxHeads(); len(heads) != 0 {
		t.Fatalf("commands queued: %+v", heads)
	}
	if o, err := h.CreateTransferOrder(order(), "anna", ""); err != nil || o.Number != "HQ-1" {
		t.Fatalf("the first good order: %+v %v", o, err)
	}
}

// TestCreateTransferOrder: an order is numbered from a durable counter and
// queues, with it, the source's request (the planner's) and approval
// (HQ's) and the destination's request. The planner's idempotency key
// answers a repeat with the same order and queues nothing; the key with
// another order is refused. Its status follows its commands' outcomes.
func TestCreateTransferOrder(t *testing.T) {
	dir := t.TempDir()
	h := openHQ(t, dir)
	knowDepots(t, h, "SRC", "DST")
	o, err := h.CreateTransferOrder(order(), "anna", "k1")
	if err != nil {
		t.Fatal(err)
	}
	if o.Number != "HQ-1" || o.Planner != "anna" || o.Status != OrderQueued || !reflect.DeepEqual(o.TransferOrder, order()) {
		t.Fatalf("order %+v", o)
	}
	var got []string
	for _, c := range o.Commands {
		got = append(got, fmt.Sprintf("%s/%d/%s/%s/%s", c.Depot, c.Seq, c.Command.Type, c.Actor, c.Ref))
	}
	if s := strings.Join(got, " "); s != "SRC/1/transfer-requested/anna/HQ-1 SRC/2/transfer-approved//HQ-1 DST/1/transfer-requested/anna/HQ-1" {
		t.Fatalf("commands %s", s)
	}
	tr := o.Commands[0].Command.Transfer
	if tr == nil || tr.Number != "HQ-1" || tr.From != "SRC" || tr.To != "DST" || tr.Expected != "2026-12-01" || len(tr.Lines) != 2 ||
		!reflect.DeepEqual(o.Commands[2].Command.Transfer, tr) {
		t.Fatalf("transfer %+v", tr)
	}

	again, err := h.CreateTransferOrder(order(), "anna", "k1")
	if err != nil || again.Number != "HQ-1" || len(commandsOf(t, h, "SRC")) != 2 || len(commandsOf(t, h, "DST")) != 1 {
		t.Fatalf("the repeat: %+v %v", again, err)
	}
	other := order()
	other.Lines = other.Lines[:1]
	_, err = h.CreateTransferOrder(other, "anna", "k1")
	wantCode(t, err, inventory.CodeIdempotencyReuse)
	// The key is the planner's own: another planner's k1 is another order.
	if o2, err := h.CreateTransferOrder(order(), "ben", "k1"); err != nil || o2.Number != "HQ-2" {
		t.Fatalf("ben's k1: %+v %v", o2, err)
	}

	for _, ack := range []struct {
		depot, payload, status string
	}{
		{"SRC", `{"v":1,"seq":2,"results":[{"seq":1,"event":5},{"seq":2,"event":6}]}`, OrderQueued},
		{"DST", `{"v":1,"seq":1,"results":[{"seq":1,"event":3}]}`, OrderAccepted},
	} {
		if _, _, err := h.HandleCommandAck(ack.depot, []byte(ack.payload)); err != nil {
			t.Fatal(err)
		}
		if o, _ := h.TransferOrder("HQ-1"); o.Status != ack.status {
			t.Fatalf("after %s's ack: %s", ack.depot, o.Status)
		}
	}
	if _, _, err := h.HandleCommandAck("SRC", []byte(`{"v":1,"seq":4,"results":[{"seq":3,"event":7},{"seq":4,"code":"self_approval","detail":"no"}]}`)); err != nil {
		t.Fatal(err)
	}
	if o, _ := h.TransferOrder("HQ-2"); o.Status != OrderRefused || o.Commands[1].Code != inventory.CodeSelfApproval {
		t.Fatalf("HQ-2 after a refusal: %+v", o)
	}

	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h = openHQ(t, dir)
	defer h.Close()
	knowDepots(t, h, "SRC", "DST")
	if o3, err := h.CreateTransferOrder(order(), "anna", "k2"); err != nil || o3.Number != "HQ-3" {
		t.Fatalf("after reopen: %+v %v", o3, err)
	}
	all, err := h.TransferOrders(0, 0)
	if err != nil || len(all) != 3 || all[0].Number != "HQ-1" || all[2].Number != "HQ-3" || all[0].Status != OrderAccepted {
		t.Fatalf("orders %+v %v", all, err)
	}
	if page, _ := h.TransferOrders(1, 1); len(page) != 1 || page[0].Number != "HQ-2" {
		t.Fatalf("after 1, limit 1: %+v", page)
	}
	for _, n := range []string{"HQ-9", "HQ-01", "HQ-", "HQ-0", "X-1", ""} {
		_, err := h.TransferOrder(n)
		wantCode(t, err, inventory.CodeNotFound)
	}
}

// TestPoliciesAndParts: a policy goes to one depot, a part to the depots
// named or every depot HQ knows; a repeat with the planner's key answers
// the same and queues nothing.
func TestPoliciesAndParts(t *testing.T) {
	h := openHQ(t, t.TempDir())
	defer h.Close()
	knowDepots(t, h, "D1", "D2", "D3")
	p := inventory.ReorderPolicy{SKU: "PN", Method: "minmax", Min: 2, Max: 10}
	seq, err := h.SetPolicy("D2", "anna", "p1", p)
	if err != nil || seq != 1 {
		t.Fatalf("policy: %d %v", seq, err)
	}
	if again, err := h.SetPolicy("D2", "anna", "p1", p); err != nil || again != 1 || len(commandsOf(t, h, "D2")) != 1 {
		t.Fatalf("repeat: %d %v", again, err)
	}
	p.Max = 12
	_, err = h.SetPolicy("D2", "anna", "p1", p)
	wantCode(t, err, inventory.CodeIdempotencyReuse)
	_, err = h.SetPolicy("NOWHERE", "anna", "", p)
	wantCode(t, err, CodeUnknownDepot)
	_, err = h.SetPolicy("D2", "anna", "", inventory.ReorderPolicy{})
	wantCode(t, err, inventory.CodeInvalid)
	if c := commandsOf(t, h, "D2")[0]; c.Command.Type != inventory.EvReorderPolicySet || c.Command.Policy.Max != 10 || c.Actor != "anna" {
		t.Fatalf("policy command %+v", c)
	}

	part := inventory.Part{SKU: "PN", Description: "fan motor"}
	all, err := h.DefinePart(nil, "anna", "c1", part)
	if err != nil || fmt.Sprint(all) != "map[D1:1 D2:2 D3:1]" {
		t.Fatalf("to all: %v %v", all, err)
	}
	if again, err := h.DefinePart(nil, "anna", "c1", part); err != nil || fmt.Sprint(again) != fmt.Sprint(all) || len(commandsOf(t, h, "D1")) != 1 {
		t.Fatalf("repeat: %v %v", again, err)
	}
	some, err := h.DefinePart([]string{"D3", "D1"}, "anna", "", inventory.Part{SKU: "PL"})
	if err != nil || fmt.Sprint(some) != "map[D1:2 D3:2]" {
		t.Fatalf("to two: %v %v", some, err)
	}
	_, err = h.DefinePart([]string{"D1", "NOWHERE"}, "anna", "", part)
	wantCode(t, err, CodeUnknownDepot)
	_, err = h.DefinePart([]string{"D1", "D1"}, "anna", "", part)
	wantCode(t, err, inventory.CodeInvalid)
	if len(commandsOf(t, h, "D1")) != 2 {
		t.Fatalf("refused parts were queued: %s", statesOf(commandsOf(t, h, "D1")))
	}
}

// mustAppend appends cmd to a depot's store.
func mustAppend(t testing.TB, st *inventory.Store, cmd inventory.Command) inventory.Event {
	t.Helper()
	r, err := st.Append(context.Background(), cmd)
	if err != nil {
		t.Fatalf("%s: %v", cmd.Type, err)
	}
	return r.Event
}

func stockSource(t testing.TB, st *inventory.Store) {
	t.Helper()
	mustAppend(t, st, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}})
	mustAppend(t, st, inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PN"}})
	mustAppend(t, st, inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PL", Tracking: inventory.TrackLot}})
	mustAppend(t, st, inventory.Command{Type: inventory.EvReceipt, Actor: "sk", Lines: []inventory.Line{
		{SKU: "PN", Qty: 10, To: "A"}, {SKU: "PL", Qty: 5, To: "A", Lot: "L1", Expiry: "2027-01-31"}}})
}

// pickAndDispatch runs the source's side of transfer number: pick what it
// asks for into transit, seal.
func pickAndDispatch(t testing.TB, st *inventory.Store, number string) inventory.Event {
	t.Helper()
	transit := inventory.TransitLocation(number)
	mustAppend(t, st, inventory.Command{Type: inventory.EvTransferShipped, Actor: "sk", Ref: number, Lines: []inventory.Line{
		{SKU: "PN", Qty: 4, From: "A", To: transit}, {SKU: "PL", Qty: 2, From: "A", To: transit, Lot: "L1"}}})
	return mustAppend(t, st, inventory.Command{Type: inventory.EvTransferDispatched, Actor: "sk", Ref: number,
		Shipment: &inventory.Shipment{CompanyPrefix: "0614141", ExtensionDigit: 3}})
}

// TestRelayTransfer: when HQ applies a source's transfer-dispatched it
// queues, in the same transaction, transfer-announced for the destination
// with the transfer and the sealed manifest; when it applies the
// destination's transfer-closed it queues the settlement for the source:
// transfer-closed with the destination's report. A duplicate batch
// relays nothing again.
func TestRelayTransfer(t *testing.T) {
	h := openHQ(t, t.TempDir())
	defer h.Close()
	src := newDepot(t, "SRC", t.TempDir())
	stockSource(t, src.st)
	tr := &inventory.Transfer{Number: "HQ-7", From: "SRC", To: "DST", Expected: "2026-12-01",
		Lines: []inventory.TransferLine{{SKU: "PN", Qty: 4}, {SKU: "PL", Qty: 2}}}
	mustAppend(t, src.st, inventory.Command{Type: inventory.EvTransferRequested, Actor: "hq.anna", Ref: "HQ-7", Transfer: tr})
	mustAppend(t, src.st, inventory.Command{Type: inventory.EvTransferApproved, Actor: "hq", Ref: "HQ-7"})
	// Events before the dispatch relay nothing.
	if out := h.HandleEvents("SRC", src.batch(1, src.st.Head().Seq)); out.Kind != Applied {
		t.Fatalf("%+v", out)
	}
	if cs := commandsOf(t, h, "DST"); len(cs) != 0 {
		t.Fatalf("relayed before the dispatch: %s", statesOf(cs))
	}
	from := src.st.Head().Seq + 1
	sealed := pickAndDispatch(t, src.st, "HQ-7")
	if out := h.HandleEvents("SRC", src.batch(from, sealed.Seq)); out.Kind != Applied {
		t.Fatalf("%+v", out)
	}
	if out := h.HandleEvents("SRC", src.batch(from, sealed.Seq)); out.Kind != Duplicate {
		t.Fatalf("%+v", out)
	}
	cs := commandsOf(t, h, "DST")
	if len(cs) != 1 {
		t.Fatalf("relayed %s", statesOf(cs))
	}
	ann := cs[0]
	if ann.Command.Type != inventory.EvTransferAnnounced || ann.Ref != "HQ-7" || ann.Actor != "" || ann.Command.Ref != "HQ-7" ||
		!reflect.DeepEqual(ann.Command.Transfer, tr) || ann.Command.Shipment.SSCC != sealed.Shipment.SSCC ||
		!reflect.DeepEqual(ann.Command.Shipment.Lines, sealed.Shipment.Lines) {
		t.Fatalf("announce %+v, sealed %+v", ann.Command, sealed.Shipment)
	}

	// The destination takes the announce as its depot would, receives 3
	// of the 4 PN and the PL, and closes: 1 PN short.
	dst := newDepot(t, "DST", t.TempDir())
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "B"}})
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PN"}})
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PL", Tracking: inventory.TrackLot}})
	c := ann.Command
	c.Actor, c.IdempotencyKey = replication.DepotActor(ann.Actor), replication.CommandIdempotencyKey(ann.Seq)
	mustAppend(t, dst.st, c)
	transit := inventory.TransitLocation("HQ-7")
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvTransferReceived, Actor: "sk", Ref: "HQ-7", Lines: []inventory.Line{
		{SKU: "PN", Qty: 3, From: transit, To: "B"}, {SKU: "PL", Qty: 2, From: transit, To: "B", Lot: "L1"}}})
	closed := mustAppend(t, dst.st, inventory.Command{Type: inventory.EvTransferClosed, Actor: "sk", Ref: "HQ-7"})
	if closed.TransferReport == nil || closed.TransferReport.Short != 1 {
		t.Fatalf("report %+v", closed.TransferReport)
	}
	before := len(commandsOf(t, h, "SRC"))
	if out := h.HandleEvents("DST", dst.batch(1, closed.Seq)); out.Kind != Applied {
		t.Fatalf("%+v", out)
	}
	cs = commandsOf(t, h, "SRC")
	if len(cs) != before+1 {
		t.Fatalf("settlement: %s", statesOf(cs))
	}
	set := cs[len(cs)-1]
	if set.Command.Type != inventory.EvTransferClosed || set.Command.Ref != "HQ-7" || len(set.Command.Lines) != 0 ||
		!reflect.DeepEqual(set.Command.TransferReport, closed.TransferReport) {
		t.Fatalf("settlement %+v", set.Command)
	}
	// The destination's own events relay nothing back to itself.
	if cs := commandsOf(t, h, "DST"); len(cs) != 1 {
		t.Fatalf("DST's commands %s", statesOf(cs))
	}
}

// TestTransferOrderEndToEnd: a planner's order at HQ becomes, through a
// real broker, an approved outbound transfer at the source; the source
// picks and seals it; its events replicate to HQ, which announces the
// transfer to the destination; the destination holds the inbound
// transfer with the source's sealed manifest in its transit location.
func TestTransferOrderEndToEnd(t *testing.T) {
	b := brokertest.StartEmbedded(t, nil)
	h := openHQ(t, t.TempDir())
	defer h.Close()
	subscribeHQ(t, h, b.URL())
	src := startDepotNode(t, "SRC", b.URL())
	dst := startDepotNode(t, "DST", b.URL())
	waitUntil(t, "both depots known", func() bool { return len(h.Depots()) == 2 })

	// The catalogue comes from HQ; the source's stock is its own.
	if _, err := h.DefinePart(nil, "anna", "", inventory.Part{SKU: "PN"}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.DefinePart(nil, "anna", "", inventory.Part{SKU: "PL", Tracking: inventory.TrackLot}); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the catalogue at both depots", func() bool {
		return allApplied(t, h, "SRC", 2)() && allApplied(t, h, "DST", 2)()
	})
	mustAppend(t, src.st, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}})
	mustAppend(t, src.st, inventory.Command{Type: inventory.EvReceipt, Actor: "sk", Lines: []inventory.Line{
		{SKU: "PN", Qty: 10, To: "A"}, {SKU: "PL", Qty: 5, To: "A", Lot: "L1", Expiry: "2027-01-31"}}})

	o, err := h.CreateTransferOrder(order(), "anna", "order-1")
	if err != nil {
		t.Fatal(err)
	}
	var out inventory.TransferInfo
	waitUntil(t, "the order approved at the source", func() bool {
		out, err = src.st.Transfer(o.Number)
		return err == nil && out.Status == inventory.TransferApproved
	})
	if out.Direction != inventory.TransferOutbound || out.RequestedBy != "hq.anna" || out.ApprovedBy != "hq" || out.To != "DST" {
		t.Fatalf("source's transfer %+v", out)
	}
	waitUntil(t, "the source's commands recorded", func() bool {
		st, _ := h.TransferOrder(o.Number)
		return st.Commands[0].State == CommandApplied && st.Commands[1].State == CommandApplied
	})

	// Before anything ships, the destination expects the inbound transfer,
	// and its reorder position counts it.
	var in inventory.TransferInfo
	waitUntil(t, "the order expected at the destination", func() bool {
		in, err = dst.st.Transfer(o.Number)
		return err == nil && in.Direction == inventory.TransferInbound
	})
	if in.Status != inventory.TransferRequested || in.From != "SRC" || in.Expected != order().Expected {
		t.Fatalf("destination's expected transfer %+v", in)
	}
	if pos, err := dst.st.Position("PN"); err != nil || pos.Inbound != 4 {
		t.Fatalf("destination's position of PN %+v %v, want 4 inbound", pos, err)
	}

	sealed := pickAndDispatch(t, src.st, o.Number)
	waitUntil(t, "the transfer announced at the destination", func() bool {
		in, err = dst.st.Transfer(o.Number)
		return err == nil && in.Status == inventory.TransferShipped
	})
	if in.Status != inventory.TransferShipped || in.SSCC != sealed.Shipment.SSCC || in.From != "SRC" ||
		!reflect.DeepEqual(in.Manifest, sealed.Shipment.Lines) {
		t.Fatalf("destination's transfer %+v, sealed %+v", in, sealed.Shipment)
	}
	stock, err := dst.st.Stock(inventory.StockFilter{Location: inventory.TransitLocation(o.Number)}, 100)
	if err != nil || len(stock) != 2 {
		t.Fatalf("destination's transit %+v %v", stock, err)
	}
	// HQ records the announce as applied, under the order's number.
	waitUntil(t, "the announce recorded", func() bool {
		for _, c := range commandsOf(t, h, "DST") {
			if c.Command.Type == inventory.EvTransferAnnounced && c.Ref == o.Number && c.State == CommandApplied {
				return true
			}
		}
		return false
	})

	// The destination receives one PN short and closes; HQ relays its
	// report to the source, which settles (received: a short awaits its
	// write-off at the destination), and HQ's merged view shows the
	// difference.
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "B"}})
	transit := inventory.TransitLocation(o.Number)
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvTransferReceived, Actor: "sk", Ref: o.Number, Lines: []inventory.Line{
		{SKU: "PN", Qty: 3, From: transit, To: "B"}, {SKU: "PL", Qty: 2, From: transit, To: "B", Lot: "L1"}}})
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvTransferClosed, Actor: "sk", Ref: o.Number})
	var back inventory.TransferInfo
	waitUntil(t, "the source settled by the destination's report", func() bool {
		back, err = src.st.Transfer(o.Number)
		return err == nil && back.Status == inventory.TransferReceived
	})
	if l := back.Lines[0]; l.SKU != "PN" || l.Shipped != 4 || l.Received != 3 || l.Short != 1 {
		t.Fatalf("source's settled line %+v", l)
	}
	waitUntil(t, "HQ's view of the transfer with its difference", func() bool {
		v, err := h.Transfer(o.Number, "SRC")
		return err == nil && v.Differences && v.Status == inventory.TransferReceived
	})

	// The destination writes the short unit off: HQ settles again and the
	// source closes the transfer too.
	lines, err := dst.st.WriteOffLines(o.Number)
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, dst.st, inventory.Command{Type: inventory.EvScrap, Actor: "planner", Ref: o.Number, Lines: lines})
	waitUntil(t, "the source closed after the write-off", func() bool {
		back, err = src.st.Transfer(o.Number)
		return err == nil && back.Status == inventory.TransferClosed && back.Lines[0].WrittenOff == 1
	})
	for _, st := range []*inventory.Store{src.st, dst.st} {
		if rep, err := st.Verify(context.Background(), nil); err != nil || !rep.OK {
			t.Fatalf("verify %s: %v %v", st.Depot(), err, rep.Problems)
		}
	}
}
