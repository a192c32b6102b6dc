package inventory

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
)

// seedBench defines parts and bins and stocks them so issues and moves have
// something to take.
func seedBench(b *testing.B, s *Store, parts int) {
	b.Helper()
	for _, loc := range []string{"A", "B"} {
		mustAppend(b, s, Command{Type: EvLocationDefined, Actor: "bench", Location: &Location{Code: loc}})
	}
	for i := range parts {
		sku := fmt.Sprintf("P%05d", i)
		mustAppend(b, s, Command{Type: EvPartDefined, Actor: "bench", Part: &Part{SKU: sku}})
	}
}

// BenchmarkAppendDurable measures fsync'd stock events per second with many
// concurrent writers (the budget is >= 10,000/s on 2 cores). Every event is
// a receipt of a different part so writers do not refuse each other.
func BenchmarkAppendDurable(b *testing.B) {
	for _, writers := range []int{1, 16, 64} {
		b.Run(fmt.Sprintf("writers=%d", writers), func(b *testing.B) {
			s, err := Open(Options{Dir: b.TempDir(), Depot: "BENCH", GCInterval: -1})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			const parts = 1000
			seedBench(b, s, parts)
			var n atomic.Int64
			b.SetParallelism(max(1, writers/ncpu()))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				ctx := context.Background()
				for pb.Next() {
					i := n.Add(1)
					_, err := s.Append(ctx, Command{Type: EvReceipt, Actor: "bench", Ref: "PO-1",
						IdempotencyKey: fmt.Sprintf("k%d", i),
						Lines:          []Line{{SKU: fmt.Sprintf("P%05d", i%parts), Qty: 1, To: "A"}}})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}

// BenchmarkCheckStoredEvent is what a replica spends per event checking a
// batch: decode, canonical form and hash.
func BenchmarkCheckStoredEvent(b *testing.B) {
	s := seeded(b)
	res := mustAppend(b, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}, Line{SKU: "PL", Qty: 5, To: "B", Lot: "L1"}))
	var raw []byte
	if err := s.EachRawEvent(res.Event.Seq-1, func(_ uint64, r []byte) error { raw = r; return nil }); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := CheckStoredEvent(raw); err != nil {
			b.Fatal(err)
		}
	}
}
