package inventory

import (
	"context"
	"testing"
)

// TestReminders walks each kind of reminder from its cause to its end:
//
//	PN available 16 (A10 3, A2 3, B 5, VAN 5). WO-1 asks 20: 16 reserved,
//	4 awaited. WO-2 asks 3: all awaited. Nothing to remind of yet.
//	5 PN come in: WO-1 line 1 gets the first 4, WO-2 line 1 the last 1.
//	Transfer T-1 was expected 02-27; it is 03-01: overdue, 2 in transit.
//	PS policy min 5 with 3 available: one open reorder signal, order 7.
func TestReminders(t *testing.T) {
	s := woStore(t)
	mustAppend(t, s, woCmd("WO-1", WOLine{Line: 1, SKU: "PN", Qty: 20}))
	mustAppend(t, s, woCmd("WO-2", WOLine{Line: 1, SKU: "PN", Qty: 3}))
	got := func() []Reminder {
		t.Helper()
		all, err := s.Reminders()
		if err != nil {
			t.Fatal(err)
		}
		// PL's lot expires within the window; lots are expiry_test.go's.
		r := []Reminder{}
		for _, x := range all {
			if x.Kind != ReminderLotExpiring && x.Kind != ReminderLotExpired {
				r = append(r, x)
			}
		}
		return r
	}
	if r := got(); len(r) != 0 {
		t.Fatalf("before anything arrived: %+v", r)
	}
	mustAppend(t, s, cmd(EvReceipt, "PO-5", Line{SKU: "PN", Qty: 5, To: "B"}))
	mustAppend(t, s, Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "T-1",
		Transfer: &Transfer{Number: "T-1", From: "S", To: "D1", Expected: "2026-02-27", Lines: []TransferLine{{SKU: "PN", Qty: 2}}},
		Shipment: &Shipment{SSCC: "006141411234567890", Lines: []ShipmentLine{{SKU: "PN", Qty: 2}}}})
	mustAppend(t, s, minmax("PS", 5, 10))
	if err := NewReorderWatcher(s, ReorderWatchOptions{}).SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	r := got()
	want := []struct {
		kind ReminderKind
		ref  string
		sku  string
		qty  int64
	}{
		{ReminderPartsArrived, "WO-1", "PN", 4},
		{ReminderPartsArrived, "WO-2", "PN", 1},
		{ReminderTransferOverdue, "T-1", "", 2},
		{ReminderReorderPoint, "", "PS", 7},
	}
	if len(r) != len(want) {
		t.Fatalf("reminders %+v", r)
	}
	for i, w := range want {
		if r[i].Kind != w.kind || (w.ref != "" && r[i].Ref != w.ref) || r[i].SKU != w.sku || r[i].Qty != w.qty || r[i].Message == "" {
			t.Errorf("reminder %d: %+v, want %+v", i, r[i], w)
		}
	}
	// The causes end: WO-1 is closed, the transfer received, PS restocked.
	mustAppend(t, s, woCloseCmd("WO-1"))
	mustAppend(t, s, cmd(EvTransferReceived, "T-1", Line{SKU: "PN", Qty: 2, From: "TRANSIT-T-1", To: "B"}))
	mustAppend(t, s, Command{Type: EvTransferClosed, Actor: "sk", Ref: "T-1"})
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PS", Qty: 8, To: "A", Serials: []string{"S4", "S5", "S6", "S7", "S8", "S9", "S10", "S11"}}))
	if err := NewReorderWatcher(s, ReorderWatchOptions{}).SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	// WO-1's reservations went back to stock, so WO-2 can have all 3 now.
	r = got()
	if len(r) != 1 || r[0].Kind != ReminderPartsArrived || r[0].Ref != "WO-2" || r[0].Qty != 3 {
		t.Fatalf("after the causes ended: %+v", r)
	}
}
