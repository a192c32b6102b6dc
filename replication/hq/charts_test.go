package hq

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// stepClock is a depot clock a test moves from day to day.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// on sets the clock to 10:00 UTC of day (YYYY-MM-DD).
func (c *stepClock) on(t testing.TB, day string) {
	t.Helper()
	d, err := time.Parse(time.DateOnly, day)
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	c.t = d.Add(10 * time.Hour)
	c.mu.Unlock()
}

func steppedDepot(t testing.TB, id string) (*depot, *stepClock) {
	t.Helper()
	clk := &stepClock{}
	clk.on(t, "2026-11-01")
	st, err := inventory.Open(inventory.Options{Dir: t.TempDir(), Depot: id, GCInterval: -1, Log: quietLog(), Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &depot{t: t, st: st}, clk
}

func policy(sku string) inventory.Command {
	return inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
		Policy: &inventory.ReorderPolicy{SKU: sku, Method: inventory.MethodMinMax, Min: 1, Max: 10}}
}

func workOrder(number string, lines ...inventory.WOLine) inventory.Command {
	return inventory.Command{Type: inventory.EvWOCreated, Actor: "planner", Ref: number,
		WorkOrder: &inventory.WorkOrder{Number: number, Engineer: "eng1", Lines: lines}}
}

// issue picks qty of sku from what work order wo reserved at from.
func issue(wo, sku string, qty int64, from string) inventory.Command {
	return inventory.Command{Type: inventory.EvIssue, Ref: wo, Lines: []inventory.Line{{SKU: sku, Qty: qty, From: from, FromReserved: true}}}
}

func receipt(sku string, qty int64, to string) inventory.Command {
	return inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{line(sku, qty, "", to)}}
}

// chartDepots builds the hand-worked example the chart tests share. HQ's
// clock is 2026-11-23 12:00 UTC (openHQ); a 5-day window is 11-19..11-23.
//
// D1 (PN stocked: it has a policy; PX not), with PN's available (stock and
// van, on hand less reserved) after each step (every issue is against a
// work order: the store refuses one without):
//
//	11-10  PN 5 into A, PX 2 into A, 4 PN into quarantine Q     PN 5
//	       WO-0: PN 2, PX 1 (both reserved in full)              PN 3
//	11-19  issue WO-0's PN 2                                     PN 3
//	11-20  WO-1: PN 3 (reserved in full: filled; out #1),       PN 0
//	       PX 5 (1 available: not filled)
//	11-21  (out at the day's start) issue WO-1's PN 3,          PN 0
//	       6 PN into A, moved to the van                         PN 6
//	11-22  WO-3: PN 6 (filled; out #2), issued from the van,    PN 0
//	       1 PN into A                                           PN 1
//	11-23  WO-2: PN 1 (filled; out #3)                           PN 0
//
// D1 in 11-19..23: 4 lines, 3 filled; 3 stock-outs; out on 11-20..23: 4 days.
//
// D2 (PN stocked) holds nothing until 7 arrive on 11-21: out on 11-19, 20
// and 21 (at the day's start), no stock-out counted (already out when
// the window opens), no work orders.
func chartDepots(t *testing.T) (*HQ, *depot, *depot) {
	d1, c1 := steppedDepot(t, "D1")
	c1.on(t, "2026-11-10")
	for _, p := range []inventory.Part{{SKU: "PN"}, {SKU: "PX"}} {
		d1.must(inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []inventory.Location{{Code: "A"}, {Code: "Q", Kind: inventory.KindQuarantine}, {Code: "VAN", Kind: inventory.KindVan}} {
		d1.must(inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &l})
	}
	d1.must(policy("PN"))
	d1.must(receipt("PN", 5, "A"))
	d1.must(receipt("PX", 2, "A"))
	d1.must(receipt("PN", 4, "Q"))
	d1.must(workOrder("WO-0", inventory.WOLine{Line: 1, SKU: "PN", Qty: 2}, inventory.WOLine{Line: 2, SKU: "PX", Qty: 1}))
	c1.on(t, "2026-11-19")
	d1.must(issue("WO-0", "PN", 2, "A"))
	c1.on(t, "2026-11-20")
	d1.must(workOrder("WO-1", inventory.WOLine{Line: 1, SKU: "PN", Qty: 3}, inventory.WOLine{Line: 2, SKU: "PX", Qty: 5}))
	c1.on(t, "2026-11-21")
	d1.must(issue("WO-1", "PN", 3, "A"))
	d1.must(receipt("PN", 6, "A"))
	d1.must(inventory.Command{Type: inventory.EvMove, Lines: []inventory.Line{line("PN", 6, "A", "VAN")}})
	c1.on(t, "2026-11-22")
	d1.must(workOrder("WO-3", inventory.WOLine{Line: 1, SKU: "PN", Qty: 6}))
	d1.must(issue("WO-3", "PN", 6, "VAN"))
	d1.must(receipt("PN", 1, "A"))
	c1.on(t, "2026-11-23")
	d1.must(workOrder("WO-2", inventory.WOLine{Line: 1, SKU: "PN", Qty: 1}))

	d2, c2 := steppedDepot(t, "D2")
	c2.on(t, "2026-11-02")
	d2.must(inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PN"}})
	d2.must(inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}})
	d2.must(policy("PN"))
	c2.on(t, "2026-11-21")
	d2.must(receipt("PN", 7, "A"))

	h := openHQ(t, t.TempDir())
	t.Cleanup(func() { h.Close() })
	feed(t, h, d1, 3, 1)
	feed(t, h, d2, 2)
	return h, d1, d2
}

func pts(days []string, vals ...[3]int64) []ChartPoint {
	out := make([]ChartPoint, len(days))
	for i, d := range days {
		out[i] = ChartPoint{Day: d, OnHand: vals[i][0], Available: vals[i][1], Demand: vals[i][2]}
	}
	return out
}

// TestPartHistory holds the daily points to the hand-worked example.
func TestPartHistory(t *testing.T) {
	h, _, _ := chartDepots(t)
	days := []string{"2026-11-19", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"}
	d1 := pts(days, [3]int64{3, 3, 2}, [3]int64{3, 0, 0}, [3]int64{6, 6, 3}, [3]int64{1, 1, 6}, [3]int64{1, 0, 0})
	d2 := pts(days, [3]int64{0, 0, 0}, [3]int64{0, 0, 0}, [3]int64{7, 7, 0}, [3]int64{7, 7, 0}, [3]int64{7, 7, 0})
	total := pts(days, [3]int64{3, 3, 2}, [3]int64{3, 0, 0}, [3]int64{13, 13, 3}, [3]int64{8, 8, 6}, [3]int64{8, 7, 0})
	for _, tc := range []struct {
		name  string
		depot string
		want  PartHistory
	}{
		{"every depot", "", PartHistory{SKU: "PN", From: days[0], To: days[4],
			Depots: []DepotHistory{{"D1", d1}, {"D2", d2}}, Total: total}},
		{"one depot", "D2", PartHistory{SKU: "PN", From: days[0], To: days[4],
			Depots: []DepotHistory{{"D2", d2}}, Total: d2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := h.PartHistory("PN", 5, tc.depot)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
	// The last point is the global view's figure.
	gs, err := h.GlobalStock(GlobalFilter{SKU: "PN"})
	if err != nil {
		t.Fatal(err)
	}
	for i, ds := range gs[0].Depots {
		last := []ChartPoint{d1[4], d2[4]}[i]
		if ds.OnHand != last.OnHand || ds.Available != last.Available {
			t.Errorf("%s: global view %d/%d, last point %+v", ds.Depot, ds.OnHand, ds.Available, last)
		}
	}
	// The default window is 90 days, ending today.
	got, err := h.PartHistory("PX", 0, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Total) != DefaultChartDays || got.From != "2026-08-26" || got.To != "2026-11-23" {
		t.Fatalf("default window: %d points %s..%s", len(got.Total), got.From, got.To)
	}
	// PX: 2 received and 1 reserved for WO-0 on 11-10, 1 more for WO-1 on 11-20.
	if p := got.Total[len(got.Total)-14]; p.Day != "2026-11-10" || p.OnHand != 2 || p.Available != 1 {
		t.Fatalf("PX on 11-10: %+v", p)
	}
	if p := got.Total[len(got.Total)-15]; p.Day != "2026-11-09" || p.OnHand != 0 || p.Available != 0 {
		t.Fatalf("PX on 11-09: %+v", p)
	}
	if p := got.Total[len(got.Total)-1]; p.OnHand != 2 || p.Available != 0 {
		t.Fatalf("PX today: %+v", p)
	}
}

// TestFillRates holds the fill figures to the hand-worked example.
func TestFillRates(t *testing.T) {
	h, _, _ := chartDepots(t)
	rate := func(r float64) *float64 { return &r }
	for _, tc := range []struct {
		name string
		days int
		want FillReport
	}{
		{"five days", 5, FillReport{From: "2026-11-19", To: "2026-11-23", Depots: []DepotFill{
			{Depot: "D1", StockedParts: 1, FillFigures: FillFigures{DemandLines: 4, FilledLines: 3, FillRate: rate(0.75), StockOuts: 3, StockOutDays: 4}},
			{Depot: "D2", StockedParts: 1, FillFigures: FillFigures{StockOutDays: 3}},
		}, Total: FillFigures{DemandLines: 4, FilledLines: 3, FillRate: rate(0.75), StockOuts: 3, StockOutDays: 7}}},
		// 11-22..23: D1 is out on both (out #2, out #3); D2 never.
		{"two days", 2, FillReport{From: "2026-11-22", To: "2026-11-23", Depots: []DepotFill{
			{Depot: "D1", StockedParts: 1, FillFigures: FillFigures{DemandLines: 2, FilledLines: 2, FillRate: rate(1), StockOuts: 2, StockOutDays: 2}},
			{Depot: "D2", StockedParts: 1},
		}, Total: FillFigures{DemandLines: 2, FilledLines: 2, FillRate: rate(1), StockOuts: 2, StockOutDays: 2}}},
		// From 11-10 on: WO-0's two lines count (both filled); D1 was out
		// of PN at the start of 11-10 (its policy came before the first
		// receipt), not a fall to zero; D2 out from 11-10 to 11-21: 12 days.
		{"fourteen days", 14, FillReport{From: "2026-11-10", To: "2026-11-23", Depots: []DepotFill{
			{Depot: "D1", StockedParts: 1, FillFigures: FillFigures{DemandLines: 6, FilledLines: 5, FillRate: rate(5.0 / 6), StockOuts: 3, StockOutDays: 5}},
			{Depot: "D2", StockedParts: 1, FillFigures: FillFigures{StockOutDays: 12}},
		}, Total: FillFigures{DemandLines: 6, FilledLines: 5, FillRate: rate(5.0 / 6), StockOuts: 3, StockOutDays: 17}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := h.FillRates(tc.days)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %s\nwant %s", fillString(got), fillString(tc.want))
			}
		})
	}
}

// fillString spells a report out, fill rates included (%+v would print
// their pointers).
func fillString(r FillReport) string {
	f := func(x FillFigures) string {
		rate := "-"
		if x.FillRate != nil {
			rate = fmt.Sprintf("%.4f", *x.FillRate)
		}
		return fmt.Sprintf("lines %d filled %d rate %s outs %d days %d", x.DemandLines, x.FilledLines, rate, x.StockOuts, x.StockOutDays)
	}
	s := r.From + ".." + r.To
	for _, d := range r.Depots {
		s += fmt.Sprintf(" [%s stocked %d %s]", d.Depot, d.StockedParts, f(d.FillFigures))
	}
	return s + " total " + f(r.Total)
}

// TestChartsRefuse: bad windows, unknown parts and depots are refused with
// their codes.
func TestChartsRefuse(t *testing.T) {
	h, _, _ := chartDepots(t)
	code := func(err error) inventory.Code {
		var e *inventory.Error
		if errors.As(err, &e) {
			return e.Code
		}
		if errors.Is(err, ErrUnknownDepot) {
			return CodeUnknownDepot
		}
		return ""
	}
	for _, tc := range []struct {
		name string
		err  error
		want inventory.Code
	}{
		{"history: negative days", func() error { _, err := h.PartHistory("PN", -1, ""); return err }(), inventory.CodeInvalid},
		{"history: over a year", func() error { _, err := h.PartHistory("PN", MaxChartDays+1, ""); return err }(), inventory.CodeInvalid},
		{"history: no sku", func() error { _, err := h.PartHistory("", 5, ""); return err }(), inventory.CodeInvalid},
		{"history: unknown part", func() error { _, err := h.PartHistory("NOPE", 5, ""); return err }(), inventory.CodeNotFound},
		{"history: unknown depot", func() error { _, err := h.PartHistory("PN", 5, "D9"); return err }(), CodeUnknownDepot},
		{"fill: over a year", func() error { _, err := h.FillRates(MaxChartDays + 1); return err }(), inventory.CodeInvalid},
		{"fill: negative", func() error { _, err := h.FillRates(-3); return err }(), inventory.CodeInvalid},
	} {
		if got := code(tc.err); got != tc.want {
			t.Errorf("%s: %v (code %q), want %s", tc.name, tc.err, got, tc.want)
		}
	}
	if _, err := h.PartHistory("PN", MaxChartDays, ""); err != nil {
		t.Errorf("a full year: %v", err)
	}
}

// TestStockOutsCountFromThePolicy: a part counts as stocked from its
// depot's first policy for it, also when the window holds a later change
// of an older policy. D3 holds nothing of PN or PQ; window 11-19..23:
//
//	11-02  policy PN (before the window)
//	11-20  policy PN changed: PN was stocked all along    PN out 5 days
//	11-21  first policy PQ                               PQ out 3 days
func TestStockOutsCountFromThePolicy(t *testing.T) {
	d3, clk := steppedDepot(t, "D3")
	clk.on(t, "2026-11-02")
	for _, p := range []inventory.Part{{SKU: "PN"}, {SKU: "PQ"}} {
		d3.must(inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &p})
	}
	d3.must(policy("PN"))
	clk.on(t, "2026-11-20")
	d3.must(inventory.Command{Type: inventory.EvReorderPolicySet, Actor: "planner",
		Policy: &inventory.ReorderPolicy{SKU: "PN", Method: inventory.MethodMinMax, Min: 2, Max: 8}})
	clk.on(t, "2026-11-21")
	d3.must(policy("PQ"))
	h := openHQ(t, t.TempDir())
	defer h.Close()
	feed(t, h, d3, 2)
	got, err := h.FillRates(5)
	if err != nil {
		t.Fatal(err)
	}
	want := FillReport{From: "2026-11-19", To: "2026-11-23", Depots: []DepotFill{
		{Depot: "D3", StockedParts: 2, FillFigures: FillFigures{StockOutDays: 8}},
	}, Total: FillFigures{StockOutDays: 8}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %s\nwant %s", fillString(got), fillString(want))
	}
}

// BenchmarkCharts: the charts over a 90-day window of a depot's log of
// about 5,000 events (receipts and work orders of 20 parts, each with a
// policy, a day's events written by concurrent clerks), read back from
// HQ's copy: a part's history and every depot's fill rate.
func BenchmarkCharts(b *testing.B) {
	d, clk := steppedDepot(b, "B1")
	clk.on(b, "2026-08-20")
	d.must(inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}})
	const parts = 20
	for p := range parts {
		sku := fmt.Sprintf("P%02d", p)
		d.must(inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: sku}})
		d.must(policy(sku))
	}
	start := time.Date(2026, 8, 26, 0, 0, 0, 0, time.UTC)
	for day := range 90 {
		clk.on(b, start.AddDate(0, 0, day).Format(time.DateOnly))
		var wg sync.WaitGroup
		for w := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range 7 {
					sku := fmt.Sprintf("P%02d", (w*7+i)%parts)
					cmd := receipt(sku, 4, "A")
					cmd.Actor = "sk"
					if i%2 == 1 {
						cmd = workOrder(fmt.Sprintf("WO-%d-%d-%d", day, w, i), inventory.WOLine{Line: 1, SKU: sku, Qty: 3})
					}
					if _, err := d.st.Append(context.Background(), cmd); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
	}
	h := openHQ(b, b.TempDir())
	defer h.Close()
	head := d.st.Head().Seq
	for from := uint64(1); from <= head; from += 500 {
		if out := h.HandleEvents("B1", d.batch(from, min(head, from+499))); out.Kind != Applied {
			b.Fatalf("%d: %+v", from, out)
		}
	}
	b.ResetTimer()
	b.Run("history", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.PartHistory("P07", 90, ""); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(head), "events")
	})
	b.Run("fill-rate", func(b *testing.B) {
		for b.Loop() {
			if _, err := h.FillRates(90); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(head), "events")
	})
}
