package inventory

import (
	"fmt"
	"testing"
)

// BenchmarkCountRFIDSession is the count benchmark: a session over a
// zone of 50 bins holding 5,000 expected serials, reconciled against 10,000
// tags seen by RFID (4,990 of the expected serials, 10 missing, and 5,010
// serials the ledger does not know). One iteration is the whole session:
// open it, post each bin's tags as one entry, read the variances, approve
// (one count-adjustment event that books the 5,020 differences). The store
// is built afresh for every iteration, outside the timer. Run it with
// -benchtime 1x -count 5 and take the median.
func BenchmarkCountRFIDSession(b *testing.B) {
	const bins, perBin = 50, 100
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		s, err := Open(Options{Dir: b.TempDir(), Depot: "BENCH", GCInterval: -1})
		if err != nil {
			b.Fatal(err)
		}
		mustAppend(b, s, Command{Type: EvPartDefined, Actor: "bench", Part: &Part{SKU: "TAG", Tracking: TrackSerial}})
		var receipt []Line
		tags := make([][]string, bins)
		found := 0
		for bi := range bins {
			bin := fmt.Sprintf("Z-%02d", bi)
			mustAppend(b, s, Command{Type: EvLocationDefined, Actor: "bench", Location: &Location{Code: bin, Zone: "Z"}})
			l := Line{SKU: "TAG", To: bin, Qty: perBin}
			for k := range perBin {
				sn := fmt.Sprintf("E%02d-%03d", bi, k)
				l.Serials = append(l.Serials, sn)
				if !(bi < 10 && k == 0) { // bins 0-9 each miss one serial
					tags[bi] = append(tags[bi], sn)
				}
			}
			receipt = append(receipt, l)
			for k := range perBin + 1 {
				if found < 5010 && (k < perBin || bi < 10) {
					tags[bi] = append(tags[bi], fmt.Sprintf("F%02d-%03d", bi, k))
					found++
				}
			}
		}
		mustAppend(b, s, Command{Type: EvReceipt, Actor: "bench", Lines: receipt})
		b.StartTimer()

		mustAppend(b, s, Command{Type: EvCountOpened, Actor: "sup", Ref: "C1",
			Count: &CountPayload{Session: &CountSession{Number: "C1", Scope: CountScope{Zone: "Z"}, Blind: true}}})
		seen := 0
		for bi := range bins {
			seen += len(tags[bi])
			mustAppend(b, s, Command{Type: EvCountEntered, Actor: "reader", Ref: "C1", Count: &CountPayload{Entry: &CountEntry{
				Bin: fmt.Sprintf("Z-%02d", bi), Source: "rfid", Items: []CountItem{{SKU: "TAG", Qty: int64(len(tags[bi])), Serials: tags[bi]}}}}})
		}
		rep, err := s.CountReport("C1")
		if err != nil {
			b.Fatal(err)
		}
		res := mustAppend(b, s, Command{Type: EvCountAdjustment, Actor: "sup", Ref: "C1", Count: &CountPayload{Approve: true}})

		b.StopTimer()
		if seen != 10000 || len(rep.Variances) != 5020 {
			b.Fatalf("%d tags, %d variances", seen, len(rep.Variances))
		}
		var booked int
		for _, l := range res.Event.Lines {
			booked += len(l.Serials)
		}
		if booked != 5020 {
			b.Fatalf("approval booked %d serials", booked)
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(10000, "tags/op")
}
