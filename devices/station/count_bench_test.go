package station

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// BenchmarkCountTag measures one RFID tag-seen event at a counting
// station, one at a time as a reader's events arrive: decoding the SGTIN,
// resolving the GTIN, finding the serial's bin, and the entry committed
// durably (fsync). The zone holds 5,000 expected serials in 50 bins; every
// tag is a different serial, half of them expected. It reports the median
// and p99; BenchmarkCountRFIDSession (inventory) times a whole session.
func BenchmarkCountTag(b *testing.B) {
	st := openDepot(b, "BEN-C")
	ctx := context.Background()
	cmds := []inventory.Command{
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "CMP", GTINs: []string{cmpGTIN}, Tracking: inventory.TrackSerial}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "FOUND", Zone: "Z"}},
	}
	receipt := inventory.Command{Type: inventory.EvReceipt}
	for bi := range 50 {
		bin := fmt.Sprintf("Z-%02d", bi)
		cmds = append(cmds, inventory.Command{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: bin, Zone: "Z"}})
		l := inventory.Line{SKU: "CMP", To: bin, Qty: 100}
		for k := range 100 {
			l.Serials = append(l.Serials, fmt.Sprint(bi*100+k))
		}
		receipt.Lines = append(receipt.Lines, l)
	}
	cmds = append(cmds, receipt, inventory.Command{Type: inventory.EvCountOpened, Ref: "C-B", Count: &inventory.CountPayload{
		Session: &inventory.CountSession{Scope: inventory.CountScope{Zone: "Z"}, Blind: true}}})
	appendAll(b, st, "bench", cmds)
	op, err := NewCount(st, OperationRequest{Kind: "count", Ref: "C-B", Zone: "Z", To: "FOUND", StartedBy: "kim"})
	if err != nil {
		b.Fatal(err)
	}
	tags := make([]string, b.N)
	for i := range tags {
		sn := i / 2 // even: an expected serial while they last; odd: unknown
		if i%2 == 1 || sn >= 5000 {
			sn = 100000 + i
		}
		tags[i] = sgtin(b, fmt.Sprint(sn))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		id, err := FromEPC(tags[i])
		if err != nil {
			b.Fatal(err)
		}
		res, _ := op.HandleTag(ctx, TagInput{Station: "cz", Device: "rdr", Zone: "Z", EPC: tags[i], At: start, Identity: id})
		if !res.Good {
			b.Fatalf("tag %d: %+v", i, res)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	reportLatency(b, lat)
}
