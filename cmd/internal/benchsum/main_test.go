package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestReportJudgesMedians(t *testing.T) {
	in := `goos: linux
pkg: github.com/partsedge/partsedge/inventory
BenchmarkAppendDurable/writers=64-2   40000  84147 ns/op  12510 events/s
BenchmarkAppendDurable/writers=64-2   40000  84147 ns/op  9000 events/s
BenchmarkAppendDurable/writers=64-2   40000  84147 ns/op  11000 events/s
pkg: github.com/partsedge/partsedge/cmd/depotd
BenchmarkHTTPStockLookup-2   1000  100 ns/op  14000 lookups/s
pkg: github.com/partsedge/partsedge/devices/r2000
BenchmarkDecodeAndSmooth   100  10 ns/op  7000000 reads/s
pkg: github.com/partsedge/partsedge/devices/chafon
BenchmarkDecodeAndSmooth   100  10 ns/op  5000000 reads/s
PASS
`
	vals, order, err := parse(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := median(vals[key{"inventory", "BenchmarkAppendDurable/writers=64", "events/s"}]); got != 11000 {
		t.Fatalf("median %v", got)
	}
	// One name in two packages stays two benchmarks.
	if r, c := vals[key{"r2000", "BenchmarkDecodeAndSmooth", "reads/s"}], vals[key{"chafon", "BenchmarkDecodeAndSmooth", "reads/s"}]; len(r) != 1 || len(c) != 1 {
		t.Fatalf("r2000 %v, chafon %v", r, c)
	}
	var out bytes.Buffer
	if code := report(&out, vals, order); code != 1 {
		t.Fatalf("a missed budget (14000 < 15000 lookups/s) must fail, got %d\n%s", code, out.String())
	}
	for _, want := range []string{"ok (1.10x of budget)", "MISSED (0.93x of budget)", "(not run)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}
