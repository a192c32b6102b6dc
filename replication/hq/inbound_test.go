package hq

import (
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// TestRequestedInboundCountsInPosition: once HQ's transfer order is
// requested at the destination, HQ's position of the destination is the
// depot's own (the order counts as inbound there), so planning no longer
// suggests the transfer just ordered; the source's outbound request
// changes nothing of its figures.
func TestRequestedInboundCountsInPosition(t *testing.T) {
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	d1, d2 := clockedDepot(t, "D1", at), clockedDepot(t, "D2", at)
	d1.seed()
	d2.seed()
	d1.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", 20, "", "A")}})
	d2.must(inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line("PN", 2, "", "A")}})
	d2.must(inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
		Policy: &inventory.ReorderPolicy{SKU: "PN", Method: inventory.MethodMinMax, Min: 4, Max: 12}})
	h := openHQ(t, t.TempDir())
	defer h.Close()
	feed(t, h, d1, 5)
	feed(t, h, d2, 5)
	sg, err := h.Suggestions(SuggestionFilter{SKU: "PN"})
	if err != nil || len(sg) != 1 || sg[0].From != "D1" || sg[0].To != "D2" || sg[0].Qty != 10 {
		t.Fatalf("before the order: %+v %v", sg, err)
	}

	// HQ's order, as its commands append it at both ends.
	tr := &inventory.Transfer{Number: "HQ-1", From: "D1", To: "D2", Expected: "2026-11-25",
		Lines: []inventory.TransferLine{{SKU: "PN", Qty: 10}}}
	d1.must(inventory.Command{Type: inventory.EvTransferRequested, Actor: "hq.lin", Ref: "HQ-1", Transfer: tr})
	d2.must(inventory.Command{Type: inventory.EvTransferRequested, Actor: "hq.lin", Ref: "HQ-1", Transfer: tr})
	feed(t, h, d1, 5)
	feed(t, h, d2, 5)
	gs, err := h.GlobalStock(GlobalFilter{SKU: "PN"})
	if err != nil || len(gs) != 1 || len(gs[0].Depots) != 2 {
		t.Fatalf("global stock: %+v %v", gs, err)
	}
	for i, d := range []*depot{d1, d2} {
		want, err := d.st.Position("PN")
		if err != nil {
			t.Fatal(err)
		}
		if got := gs[0].Depots[i].Position; got != want {
			t.Errorf("%s: HQ's position %+v, the depot's %+v", d.st.Depot(), got, want)
		}
	}
	if got := gs[0].Depots[1]; got.Inbound != 10 || got.BelowReorderPoint {
		t.Errorf("D2 after the order: %+v", got)
	}
	if sg, err := h.Suggestions(SuggestionFilter{SKU: "PN"}); err != nil || len(sg) != 0 {
		t.Fatalf("after the order: %+v %v", sg, err)
	}
}
