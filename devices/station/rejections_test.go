package station

import (
	"context"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// TestReceiveLotRejections: at a dock, a lot the order does not expect and
// a lot past its expiry are each their own rejection and write nothing.
func TestReceiveLotRejections(t *testing.T) {
	st := receivingStore(t)
	appendAll(t, st, "test", []inventory.Command{
		{Type: inventory.EvPOCreated, Ref: "PO-9", Order: &inventory.PurchaseOrder{Supplier: "ACME",
			Lines: []inventory.POLine{{Line: 1, SKU: "GLUE", Qty: 5, Lot: "L1"}}}},
	})
	r := startRouter(t, Options{Stations: []string{"dock"}, Make: Operations(st)})
	if _, err := r.Begin("dock", OperationRequest{Kind: "receive", Ref: "PO-9", To: "QUAR"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, st, "dock", "receive", "PO-9", []scanCase{
		{"lot L2, the order expects L1", "]C1", "010950600013436910L2", false, CodeWrongLot, "expects another lot"},
		{"lot L1, expired on 2025-01-01", "]C1", "01095060001343691725010110L1", false, CodeExpiredLot, "expired on 2025-01-01"},
		{"lot L1, good until 2030", "]C1", "01095060001343691730123110L1", true, "", "received 1 × GLUE"},
	})
}

// TestPickWithNothingLeft: a pick beyond what the work order reserved and
// the depot has available is refused as not available, writing nothing.
func TestPickWithNothingLeft(t *testing.T) {
	st := issuingStore(t)
	// Five filters: WO-5 holds 2, WO-6 reserves the other 3 and awaits 7.
	appendAll(t, st, "test", []inventory.Command{
		{Type: inventory.EvWOCreated, Ref: "WO-6", WorkOrder: &inventory.WorkOrder{Engineer: "lee",
			Lines: []inventory.WOLine{{Line: 1, SKU: "FLT", Qty: 10}}}},
	})
	r := startRouter(t, Options{Stations: []string{"counter"}, Make: Operations(st)})
	if _, err := r.Begin("counter", OperationRequest{Kind: "pick", Ref: "WO-6"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, st, "counter", "pick", "WO-6", []scanCase{
		{"four when three are there for it", "]C1", "01095060001343523004", false, CodeNoStock, ""},
		{"the three", "]C1", "01095060001343523003", true, "", "issued 3 × FLT"},
		{"one more", "]C1", "0109506000134352", false, CodeNoStock, ""},
	})
}

// TestCountRejectionsOfTheSession: someone not named as a counter, a
// session already approved, and a tag of a serial outside the session
// with no bin for found tags: each its own rejection, none written.
func TestCountRejectionsOfTheSession(t *testing.T) {
	st := countingStore(t)
	appendAll(t, st, "test", []inventory.Command{
		{Type: inventory.EvCountOpened, Ref: "CNT-2", Count: &inventory.CountPayload{Session: &inventory.CountSession{
			Scope: inventory.CountScope{Zone: "Z"}, Counters: []string{"bob"}}}},
	})
	r := startRouter(t, Options{Stations: []string{"c1", "c2"}, Make: Operations(st)})
	if _, err := r.Begin("c2", OperationRequest{Kind: "count", Ref: "CNT-2", StartedBy: "ann"}); err != nil {
		t.Fatal(err)
	}
	runScansBy(t, r, st, "c2", "count", "CNT-2", []scanCase{
		{"bin Z1", "", "Z1", true, "", ""},
		{"kim is not a counter of CNT-2", "]C1", "0109506000134352", false, CodeNotACounter, ""},
	}, func(scanCase) bool { return false }, nil)

	// CNT-1 counted by kim and approved by someone else: closed to scans.
	if _, err := r.Begin("c1", OperationRequest{Kind: "count", Ref: "CNT-1", Zone: "Z", StartedBy: "ann"}); err != nil {
		t.Fatal(err)
	}
	runScansBy(t, r, st, "c1", "count", "CNT-1", []scanCase{
		{"bin Z1", "", "Z1", true, "", ""},
		{"five filters", "]C1", "01095060001343523005", true, "", ""},
	}, func(tc scanCase) bool { return tc.data != "Z1" }, nil)
	// A tag whose serial the ledger has outside the zone, and no bin for
	// found tags was given: reported as unlocated, not counted anywhere.
	_, live, cancel, err := r.Subscribe("c1", 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	head := st.Head().Seq
	r.DeviceTag("c1", "rdr", "Z", sgtin(t, "1003"), time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	select {
	case out := <-live:
		if out.Code != CodeUnlocated || st.Head().Seq != head {
			t.Fatalf("tag of 1003: %+v, head %d -> %d", out, head, st.Head().Seq)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no outcome for the tag")
	}
	if _, err := st.Append(context.Background(), inventory.Command{Type: inventory.EvCountAdjustment, Actor: "boss", Ref: "CNT-1",
		Count: &inventory.CountPayload{Approve: true}}); err != nil {
		t.Fatal(err)
	}
	runScansBy(t, r, st, "c1", "count", "CNT-1", []scanCase{
		{"a filter after the approval", "]C1", "0109506000134352", false, CodeCountClosed, ""},
	}, func(scanCase) bool { return false }, nil)
}
