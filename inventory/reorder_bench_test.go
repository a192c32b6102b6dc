package inventory

import (
	"context"
	"fmt"
	"testing"
)

// BenchmarkReorderEvaluate times one part's evaluation that finds nothing
// to do (the common case after a stock event): its position (balances
// and open orders in one snapshot), a year of weekly history and a derived
// reorder point. The store holds 200 open purchase orders.
func BenchmarkReorderEvaluate(b *testing.B) {
	s := seeded(b)
	mustAppend(b, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 1000, To: "A"}))
	for i := 0; i < 200; i++ {
		mustAppend(b, s, poCmd(fmt.Sprintf("PO-%d", i), 0, POLine{Line: 1, SKU: "PL", Qty: 5}))
	}
	for i := 0; i < 52; i++ {
		mustAppend(b, s, issue("PN", 1+int64(i%3), "WO"))
	}
	mustAppend(b, s, policyCmd(ReorderPolicy{SKU: "PN", Method: MethodROP, ROP: ROPDerived, LeadTimeDays: 14}))
	w := NewReorderWatcher(s, ReorderWatchOptions{})
	if err := w.SyncAll(context.Background()); err != nil {
		b.Fatal(err)
	}
	st, err := s.ReorderPolicy("PN")
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		if err := w.evaluateAll(context.Background(), []ReorderState{st}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSBAYear times the SBA forecast of 52 weekly periods.
func BenchmarkSBAYear(b *testing.B) {
	d := make([]int64, 52)
	for i := range d {
		if i%4 == 0 {
			d[i] = int64(1 + i%3)
		}
	}
	for range b.N {
		sba(d, 0.1, 0.1)
	}
}

// BenchmarkReorderPass100 times a watcher pass over 100 parts with
// policies (none signalling), positions read in one snapshot with one scan
// of the 200 purchase orders.
func BenchmarkReorderPass100(b *testing.B) {
	s := seeded(b)
	for i := 0; i < 100; i++ {
		sku := fmt.Sprintf("P%03d", i)
		mustAppend(b, s, Command{Type: EvPartDefined, Actor: "admin", Part: &Part{SKU: sku}})
		mustAppend(b, s, cmd(EvReceipt, "", Line{SKU: sku, Qty: 100, To: "A"}))
		mustAppend(b, s, minmax(sku, 5, 50))
	}
	for i := 0; i < 200; i++ {
		mustAppend(b, s, poCmd(fmt.Sprintf("PO-%d", i), 0, POLine{Line: 1, SKU: fmt.Sprintf("P%03d", i%100), Qty: 5}))
	}
	w := NewReorderWatcher(s, ReorderWatchOptions{})
	if err := w.SyncAll(context.Background()); err != nil {
		b.Fatal(err)
	}
	states, err := s.ReorderPolicies(Page{})
	if err != nil || len(states) != 100 {
		b.Fatal(len(states), err)
	}
	b.ResetTimer()
	for range b.N {
		if err := w.evaluateAll(context.Background(), states); err != nil {
			b.Fatal(err)
		}
	}
}
