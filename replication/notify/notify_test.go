package notify

import (
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// TestNotifierRaisesOnceAndClears walks notices from their causes:
//
//   - the history before the first pass is not news;
//   - a receipt against PO-1 is announced to the buyer per line, a free
//     receipt is not;
//   - the lot received expires within the window: raised once, however
//     many passes see it still holding;
//   - WO-1 waits for PN and PN arrives: parts-arrived; it is picked:
//     cleared;
//   - the lot is scrapped: cleared; it comes back (received again): a new
//     notice with a new id.
func TestNotifierRaisesOnceAndClears(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openStore(t, t.TempDir(), c)
	defer s.Close()
	seed(t, s)
	mustAppend(t, s, receipt("", inventory.Line{SKU: "PN", Qty: 1, To: "A"})) // history
	n := New(s, Options{Now: c.Now, Log: quiet()})
	pass := func(name string, want ...string) []inventory.Notice {
		t.Helper()
		wrote, err := n.Sync()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got []string
		for _, w := range wrote {
			got = append(got, string(w.State)+" "+string(w.Kind)+" "+w.Message)
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("%s: wrote\n%s\nwant\n%s", name, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		return wrote
	}
	pass("first pass")

	mustAppend(t, s, inventory.Command{Type: inventory.EvPOCreated, Actor: "proc", Ref: "PO-1", Order: &inventory.PurchaseOrder{
		Number: "PO-1", Supplier: "ACME", Expected: "2026-03-10",
		Lines: []inventory.POLine{{Line: 1, SKU: "PL", Qty: 10}, {Line: 2, SKU: "PN", Qty: 5}}}})
	mustAppend(t, s, receipt("PO-1", inventory.Line{SKU: "PL", Qty: 4, To: "Q", Lot: "L1", Expiry: "2026-03-20"},
		inventory.Line{SKU: "PN", Qty: 2, To: "Q"}))
	mustAppend(t, s, receipt("DN-7", inventory.Line{SKU: "PN", Qty: 1, To: "A"}))
	wrote := pass("receipts",
		"raised po-received 4 × PL (lot L1) received against purchase order PO-1",
		"raised po-received 2 × PN received against purchase order PO-1",
		"raised lot-expiring Lot L1 of PL expires on 2026-03-20: 4 on hand")
	if !wrote[0].Once || wrote[0].Values["lot"] != "L1" || wrote[0].Depot != "D1" {
		t.Errorf("announcement %+v", wrote[0])
	}
	lotID := wrote[2].ID
	pass("nothing changed")
	mustAppend(t, s, receipt("", inventory.Line{SKU: "PL", Qty: 1, To: "A", Lot: "L1"}))
	pass("the lot still expiring, with more of it")

	mustAppend(t, s, inventory.Command{Type: inventory.EvWOCreated, Actor: "planner", Ref: "WO-1",
		WorkOrder: &inventory.WorkOrder{Number: "WO-1", Engineer: "eng1", Lines: []inventory.WOLine{{Line: 1, SKU: "PN", Qty: 9}}}})
	pass("the order reserves what there is")
	mustAppend(t, s, receipt("", inventory.Line{SKU: "PN", Qty: 3, To: "A"}))
	arrived := pass("parts arrive", "raised parts-arrived 3 × PN arrived for work order WO-1 and can be picked")
	mustAppend(t, s, inventory.Command{Type: inventory.EvWOClosed, Actor: "planner", Ref: "WO-1", Note: "done"})
	cleared := pass("order closed", "cleared parts-arrived 3 × PN arrived for work order WO-1 and can be picked")
	if cleared[0].ID != arrived[0].ID || cleared[0].ClearedAt == nil || !cleared[0].RaisedAt.Equal(arrived[0].RaisedAt) {
		t.Errorf("clear %+v of %+v", cleared[0], arrived[0])
	}

	c.set(time.Date(2026, 3, 21, 8, 0, 0, 0, time.UTC))
	pass("a day after the expiry",
		"cleared lot-expiring Lot L1 of PL expires on 2026-03-20: 4 on hand",
		"raised lot-expired Lot L1 of PL expired on 2026-03-20: 5 on hand")
	mustAppend(t, s, inventory.Command{Type: inventory.EvScrap, Actor: "sk", Note: "expired", Lines: []inventory.Line{
		{SKU: "PL", Qty: 4, From: "Q", Lot: "L1"}, {SKU: "PL", Qty: 1, From: "A", Lot: "L1"}}})
	pass("scrapped", "cleared lot-expired Lot L1 of PL expired on 2026-03-20: 5 on hand")
	c.set(time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)) // the clock stepped back: the lot is expiring again
	mustAppend(t, s, receipt("", inventory.Line{SKU: "PL", Qty: 2, To: "A", Lot: "L1"}))
	again := pass("back", "raised lot-expiring Lot L1 of PL expires on 2026-03-20: 2 on hand")
	if again[0].ID == lotID || again[0].Key != "lot-expiring/L1/PL/L1" {
		t.Errorf("the notice that came back has id %s (the first had %s), key %s", again[0].ID, lotID, again[0].Key)
	}
	open, err := s.OpenNotices()
	if err != nil || len(open) != 1 || open[0].ID != again[0].ID {
		t.Fatalf("open %+v, %v", open, err)
	}
}

// TestNotifierSurvivesRestart: a new notifier on a reopened store does not
// announce again what the first one did.
func TestNotifierSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openStore(t, dir, c)
	seed(t, s)
	if _, err := New(s, Options{Now: c.Now}).Sync(); err != nil {
		t.Fatal(err)
	}
	mustAppend(t, s, receipt("", inventory.Line{SKU: "PL", Qty: 4, To: "A", Lot: "L1", Expiry: "2026-03-05"}))
	if w, err := New(s, Options{Now: c.Now}).Sync(); err != nil || len(w) != 1 {
		t.Fatalf("wrote %+v, %v", w, err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, c)
	defer s.Close()
	if w, err := New(s, Options{Now: c.Now}).Sync(); err != nil || len(w) != 0 {
		t.Fatalf("after the restart wrote %+v, %v", w, err)
	}
}

func TestFill(t *testing.T) {
	for _, tc := range []struct {
		text string
		v    map[string]string
		want string
	}{
		{"{qty} × {sku}", map[string]string{"qty": "3", "sku": "PN"}, "3 × PN"},
		{"{missing} stays", nil, "{missing} stays"},
		{"open { brace", nil, "open { brace"},
		{"{a}{b}", map[string]string{"a": "{b}", "b": "x"}, "{b}x"},
		{"", nil, ""},
	} {
		if got := inventory.FillText(tc.text, tc.v); got != tc.want {
			t.Errorf("FillText(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestNotifierOnANewDepot: the first pass over an empty log still marks
// where it stands, so the depot's first receipts against an order are
// announced, not taken for history.
func TestNotifierOnANewDepot(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	s := openStore(t, t.TempDir(), c)
	defer s.Close()
	n := New(s, Options{Now: c.Now})
	if w, err := n.Sync(); err != nil || len(w) != 0 {
		t.Fatalf("first pass wrote %+v, %v", w, err)
	}
	if cur, ok, err := s.NoticeEventCursor(); err != nil || !ok || cur != 0 {
		t.Fatalf("event cursor %d %v %v", cur, ok, err)
	}
	seed(t, s)
	mustAppend(t, s, inventory.Command{Type: inventory.EvPOCreated, Actor: "proc", Ref: "PO-1", Order: &inventory.PurchaseOrder{
		Number: "PO-1", Supplier: "ACME", Expected: "2026-03-10", Lines: []inventory.POLine{{Line: 1, SKU: "PN", Qty: 5}}}})
	mustAppend(t, s, receipt("PO-1", inventory.Line{SKU: "PN", Qty: 5, To: "A"}))
	w, err := n.Sync()
	if err != nil || len(w) != 1 || w[0].Kind != KindPOReceived || w[0].Message != "5 × PN received against purchase order PO-1" {
		t.Fatalf("wrote %+v, %v", w, err)
	}
}
