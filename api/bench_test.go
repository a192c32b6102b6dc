package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// These measure the handler stack alone (no network, no client): what the
// API adds on top of the store for the two budgeted paths.

func BenchmarkStockLookup(b *testing.B) {
	f := newFixture(b)
	seed(b, f.store)
	h := f.srv.engine
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		r := httptest.NewRequest("GET", "/api/v1/stock?sku=P-NONE", nil)
		r.Header.Set("Authorization", "Bearer "+tokenOf(RoleStorekeeper))
		for pb.Next() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusOK {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
}

func BenchmarkPostEvent(b *testing.B) {
	f := newFixture(b)
	seed(b, f.store)
	h := f.srv.engine
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			r := httptest.NewRequest("POST", "/api/v1/events",
				strings.NewReader(`{"type":"receipt","ref":"PO-B","lines":[{"sku":"P-NONE","qty":1,"to":"A-02"}]}`))
			r.Header.Set("Authorization", "Bearer "+tokenOf(RoleStorekeeper))
			r.Header.Set("Content-Type", "application/json")
			r.Header.Set("Idempotency-Key", fmt.Sprint("bench-", i))
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusCreated {
				b.Fatalf("%d %s", w.Code, w.Body)
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
