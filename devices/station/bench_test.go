package station

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// BenchmarkScanReceived measures one scan at a receiving dock from the
// moment it reaches the station to its outcome: decoding the GS1 code,
// resolving the GTIN, the receipt held to the purchase order and committed
// durably (fsync), and the order read back for the operator's message.
// One scan at a time, as one dock scans; it reports the median and p99.
func BenchmarkScanReceived(b *testing.B) {
	st, err := inventory.Open(inventory.Options{Dir: b.TempDir(), Depot: "BEN-1"})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	for _, c := range []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "QUAR", Kind: inventory.KindQuarantine}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "FLT", Unit: "ea", GTINs: []string{"09506000134352"}, Tracking: inventory.TrackNone}},
		{Type: inventory.EvPOCreated, Ref: "PO-B", Order: &inventory.PurchaseOrder{Supplier: "ACME",
			Lines: []inventory.POLine{{Line: 1, SKU: "FLT", Qty: inventory.MaxQuantity}}}},
	} {
		c.Actor = "bench"
		if _, err := st.Append(ctx, c); err != nil {
			b.Fatal(err)
		}
	}
	r := New(Options{Stations: []string{"dock"}, Make: Operations(st)})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()
	if _, err := r.Begin("dock", OperationRequest{Kind: "receive", Ref: "PO-B", To: "QUAR"}); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out, err := r.Scan(ctx, "dock", "kim", "]C1", "0109506000134352")
		if err != nil || !out.Good {
			b.Fatalf("%+v %v", out, err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
