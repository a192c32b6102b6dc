package inventory

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// changesStores runs a day of work through a source depot D1 and a
// destination DST: work order reservations, picks with a serial swap (the
// store releases the reserved serial), a defective return, a closed work
// order, free reserve/unreserve, a purchase order received in part into
// quarantine and closed short, a count adjustment, a scrap, and transfer
// TR-1 from D1 to DST received short and damaged, the short written off.
func changesStores(t *testing.T) (src, dst *Store) {
	t.Helper()
	s := woStore(t)
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PS", Qty: 2}, WOLine{Line: 2, SKU: "PN", Qty: 4}))
	for _, pr := range []PickRequest{{WorkOrder: "WO-1", SKU: "PS", Serials: []string{"S1"}},
		{WorkOrder: "WO-1", SKU: "PS", Serials: []string{"S3"}}, {WorkOrder: "WO-1", SKU: "PN", Qty: 2}} {
		c, err := s.PlanPick(pr)
		if err != nil {
			t.Fatal(err)
		}
		c.Actor = "sk"
		mustAppend(t, s, c)
	}
	mustAppend(t, s, cmd(EvReturn, "WO-1", Line{SKU: "PS", Qty: 1, To: "DEF", Condition: ConditionDefective, Serials: []string{"S1"}}))
	mustAppend(t, s, woCloseCmd("WO-1"))
	mustAppend(t, s, cmd(EvReserve, "", Line{SKU: "PN", Qty: 2, Location: "B"}))
	mustAppend(t, s, cmd(EvUnreserve, "", Line{SKU: "PN", Qty: 1, Location: "B"}))
	mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 10}, POLine{Line: 2, SKU: "PL", Qty: 5, Lot: "L2"}))
	mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 4, To: "A"}, Line{SKU: "PL", Qty: 5, To: "Q", Lot: "L2"}))
	mustAppend(t, s, closeCmd("PO-1", "rest cancelled"))
	mustAppend(t, s, poCmd("PO-2", 10, POLine{Line: 1, SKU: "PN", Qty: 3}))
	mustAppend(t, s, cmd(EvReceipt, "PO-2", Line{SKU: "PN", Qty: 1, To: "A"}))
	mustAppend(t, s, cmd(EvCountAdjustment, "", Line{SKU: "PN", Qty: -1, Location: "A2"}))
	mustAppend(t, s, cmd(EvScrap, "", Line{SKU: "PN", Qty: 1, From: "A10"}))
	mustAppend(t, s, Command{Type: EvTransferRequested, Actor: "sk", Ref: "TR-1",
		Transfer: &Transfer{Number: "TR-1", From: "D1", To: "DST", Expected: "2026-03-05",
			Lines: []TransferLine{{SKU: "PN", Qty: 3}, {SKU: "PS", Qty: 1}}}})
	mustAppend(t, s, trCmd(EvTransferApproved, "planner", "TR-1"))
	mustAppend(t, s, trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PN", Qty: 2, From: "A2", To: "TRANSIT-TR-1"},
		Line{SKU: "PS", Qty: 1, From: "A", To: "TRANSIT-TR-1", Serials: []string{"S2"}}))
	mustAppend(t, s, trCmd(EvTransferShipped, "sk", "TR-1", Line{SKU: "PN", Qty: 1, From: "A10", To: "TRANSIT-TR-1"}))
	sealed := mustAppend(t, s, trDispatch("TR-1")).Event

	d, err := Open(Options{Dir: t.TempDir(), Depot: "DST", Clock: &fixedClock{t: time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)}, GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	for _, p := range []Part{{SKU: "PN"}, {SKU: "PS", Tracking: TrackSerial}} {
		mustAppend(t, d, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []Location{{Code: "A"}, {Code: "DEF", Kind: KindDefective}} {
		mustAppend(t, d, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	}
	// HQ's order reaches the destination before the goods: the announce
	// continues it.
	mustAppend(t, d, Command{Type: EvTransferRequested, Actor: "hq.planner", Ref: "TR-1",
		Transfer: &Transfer{Number: "TR-1", From: "D1", To: "DST", Expected: "2026-03-05",
			Lines: []TransferLine{{SKU: "PN", Qty: 3}, {SKU: "PS", Qty: 1}}}})
	mustAppend(t, d, Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "TR-1",
		Transfer: &Transfer{Number: "TR-1", From: "D1", To: "DST", Expected: "2026-03-05",
			Lines: []TransferLine{{SKU: "PN", Qty: 3}, {SKU: "PS", Qty: 1}}},
		Shipment: &Shipment{SSCC: sealed.Shipment.SSCC, Lines: sealed.Shipment.Lines}})
	mustAppend(t, d, trCmd(EvTransferReceived, "sk", "TR-1", Line{SKU: "PN", Qty: 2, From: "TRANSIT-TR-1", To: "A"}))
	mustAppend(t, d, trCmd(EvReceipt, "sk", "TR-1", Line{SKU: "PN", Qty: 1, To: "A"}))
	mustAppend(t, d, Command{Type: EvTransferClosed, Actor: "sk", Ref: "TR-1",
		Lines: []Line{{SKU: "PS", Qty: 1, From: "TRANSIT-TR-1", To: "DEF", Serials: []string{"S2"}}}})
	lines, err := d.WriteOffLines("TR-1")
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, d, Command{Type: EvScrap, Actor: "planner", Ref: "TR-1", Lines: lines})
	// HQ relays the destination's final report: the source settles.
	info, err := d.Transfer("TR-1")
	if err != nil {
		t.Fatal(err)
	}
	rep := info.Report
	mustAppend(t, s, Command{Type: EvTransferClosed, Actor: "hq", Ref: "TR-1", TransferReport: &rep})
	mustVerify(t, s)
	mustVerify(t, d)
	return s, d
}

// TestBalanceChangesReplayTheLedger: summing BalanceChanges over a real
// store's log gives exactly the store's balance rows (zero rows dropped);
// the purchase orders and transfers stepped with StepPurchaseOrder and
// StepTransfer are exactly the store's documents.
func TestBalanceChangesReplayTheLedger(t *testing.T) {
	src, dst := changesStores(t)
	for _, s := range []*Store{src, dst} {
		type row struct{ sku, loc, lot, serial string }
		sums := map[row]*Balance{}
		orders := map[string]*PurchaseOrderState{}
		transfers := map[string]*TransferState{}
		released := false
		err := s.EachEvent(0, func(ev *Event, _ []byte) error {
			released = released || len(ev.Released) > 0
			for _, c := range BalanceChanges(ev) {
				k := row{c.SKU, c.Location, c.Lot, c.Serial}
				b := sums[k]
				if b == nil {
					b = &Balance{SKU: c.SKU, Location: c.Location, Lot: c.Lot, Serial: c.Serial}
					sums[k] = b
				}
				b.OnHand += c.OnHand
				b.Reserved += c.Reserved
				b.Available = b.OnHand - b.Reserved
			}
			number := ev.Ref
			switch {
			case ev.Order != nil:
				number = ev.Order.Number
			case ev.Transfer != nil:
				number = ev.Transfer.Number
			}
			if st, ok := StepPurchaseOrder(orders[number], ev); ok {
				orders[number] = st
			}
			st, ok, err := StepTransfer(transfers[number], ev)
			if err != nil {
				t.Fatalf("event %d: %v", ev.Seq, err)
			}
			if ok {
				transfers[number] = st
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if s == src && !released {
			t.Fatal("the scenario lost its serial swap: no event released a reservation")
		}
		var got []Balance
		for _, b := range sums {
			if b.OnHand != 0 || b.Reserved != 0 {
				got = append(got, *b)
			}
		}
		slices.SortFunc(got, func(a, b Balance) int {
			return strings.Compare(a.SKU+"\x00"+a.Location+"\x00"+a.Lot+"\x00"+a.Serial, b.SKU+"\x00"+b.Location+"\x00"+b.Lot+"\x00"+b.Serial)
		})
		want, err := s.Stock(StockFilter{}, 10000)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || len(want) == 0 {
			t.Fatalf("replayed balances\n%+v\nstore\n%+v", got, want)
		}
		for number, st := range orders {
			want, err := s.PurchaseOrder(number)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "purchase order "+number, *st, want)
		}
		for number, st := range transfers {
			want, err := s.Transfer(number)
			if err != nil {
				t.Fatal(err)
			}
			sameJSON(t, "transfer "+number, *st, want.TransferState)
		}
		if s == src && (len(orders) != 2 || len(transfers) != 1) || s == dst && len(transfers) != 1 {
			t.Fatalf("stepped %d orders, %d transfers", len(orders), len(transfers))
		}
	}
}

func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Fatalf("%s stepped\n%s\nstore\n%s", what, g, w)
	}
}

// TestBalanceChangesTable: each stock event type's changes, worked by hand.
func TestBalanceChangesTable(t *testing.T) {
	for _, tc := range []struct {
		name string
		ev   Event
		want []BalanceChange
	}{
		{"receipt of serials", Event{Type: EvReceipt, Lines: []Line{{SKU: "PS", Qty: 2, To: "A", Serials: []string{"S1", "S2"}}}},
			[]BalanceChange{{SKU: "PS", Location: "A", Serial: "S1", OnHand: 1}, {SKU: "PS", Location: "A", Serial: "S2", OnHand: 1}}},
		{"move of a lot", Event{Type: EvMove, Lines: []Line{{SKU: "PL", Qty: 3, From: "A", To: "B", Lot: "L1"}}},
			[]BalanceChange{{SKU: "PL", Location: "A", Lot: "L1", OnHand: -3}, {SKU: "PL", Location: "B", Lot: "L1", OnHand: 3}}},
		{"issue from reserved after a release", Event{Type: EvIssue,
			Released: []Line{{SKU: "PN", Qty: 2, Location: "B"}},
			Lines:    []Line{{SKU: "PN", Qty: 1, From: "A", FromReserved: true}}},
			[]BalanceChange{{SKU: "PN", Location: "B", Reserved: -2}, {SKU: "PN", Location: "A", OnHand: -1, Reserved: -1}}},
		{"work order reserves", Event{Type: EvWOCreated, Lines: []Line{{SKU: "PN", Qty: 4, Location: "B"}}},
			[]BalanceChange{{SKU: "PN", Location: "B", Reserved: 4}}},
		{"count finds one missing", Event{Type: EvCountAdjustment, Lines: []Line{{SKU: "PN", Qty: -1, Location: "A"}}},
			[]BalanceChange{{SKU: "PN", Location: "A", OnHand: -1}}},
		{"dispatch takes transit out", Event{Type: EvTransferDispatched, Lines: []Line{{SKU: "PN", Qty: 5, From: "TRANSIT-T"}}},
			[]BalanceChange{{SKU: "PN", Location: "TRANSIT-T", OnHand: -5}}},
		{"policy changes nothing", Event{Type: EvReorderPolicySet, Policy: &ReorderPolicy{SKU: "PN"}}, []BalanceChange{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := BalanceChanges(&tc.ev); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
		})
	}
}
