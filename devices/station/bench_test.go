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
	st := openDepot(b, "BEN-1")
	appendAll(b, st, "bench", []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "QUAR", Kind: inventory.KindQuarantine}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "FLT", Unit: "ea", GTINs: []string{"09506000134352"}, Tracking: inventory.TrackNone}},
		{Type: inventory.EvPOCreated, Ref: "PO-B", Order: &inventory.PurchaseOrder{Supplier: "ACME",
			Lines: []inventory.POLine{{Line: 1, SKU: "FLT", Qty: inventory.MaxQuantity}}}},
	})
	benchScans(b, st, "dock", OperationRequest{Kind: "receive", Ref: "PO-B", To: "QUAR"}, "]C1", "0109506000134352")
}

// benchScans starts the operation req at a station over st and times one
// scan of data at a time, each of which must be good; it reports the
// median and p99.
func benchScans(b *testing.B, st *inventory.Store, station string, req OperationRequest, aim, data string) {
	b.Helper()
	ctx := context.Background()
	r := New(Options{Stations: []string{station}, Make: Operations(st)})
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { r.Run(rctx); close(done) }()
	defer func() { cancel(); <-done }()
	if _, err := r.Begin(station, req); err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		out, err := r.Scan(ctx, station, "kim", aim, data)
		if err != nil || !out.Good {
			b.Fatalf("%+v %v", out, err)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, lat)
}

// reportLatency reports the median and p99 of lat.
func reportLatency(b *testing.B, lat []time.Duration) {
	b.Helper()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
