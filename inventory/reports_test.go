package inventory

import (
	"context"
	"reflect"
	"strconv"
	"sync"
	"testing"
	"time"
)

func day(d string) time.Time {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		panic(err)
	}
	return t
}

// reportStore writes the story the report tests work by hand, each event
// at its own midnight (UTC):
//
//	01-01  parts PN "fan motor", PB "belt", PD "dead part", PQ; bins A (stock),
//	       VAN (van), Q (quarantine), DEF (defective)
//	01-10  receipt PN 10 → A, PD 5 → A, PQ 3 → Q (quarantine: never usable)
//	02-02  WO-1 (engineer eng1): line 1 PN 4 (reserved in full), line 2 PB 1
//	       (no stock: waits)
//	02-03  eng1 issues PN 4 on WO-1 from the reservation       PN on hand 6
//	02-04  sk returns PN 1 good on WO-1                         PN 7
//	02-05  sk returns PN 1 defective on WO-1 (the old part)     PN 7
//	02-06  eng2 issues PN 7 on SR-9                             PN 0: out
//	02-08  receipt PN 5 → A                                     PN 5: back
//	02-09  move PN 5 A → VAN (a van's stock is usable)          PN 5
//	02-10  eng2 issues PN 5 from VAN on SR-10                   PN 0: out
//	05-20  receipt PN 2 → A                                     PN 2
func reportStore(t *testing.T) *Store {
	t.Helper()
	clk := &fixedClock{t: day("2026-01-01")}
	s := openTest(t, clk)
	for _, p := range []Part{{SKU: "PN", Description: "fan motor"}, {SKU: "PB", Description: "belt"},
		{SKU: "PD", Description: "dead part"}, {SKU: "PQ"}} {
		mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &p})
	}
	for _, l := range []Location{{Code: "A"}, {Code: "VAN", Kind: KindVan}, {Code: "Q", Kind: KindQuarantine},
		{Code: "DEF", Kind: KindDefective}} {
		mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	}
	as := func(actor string, c Command) Command { c.Actor = actor; return c }
	for _, st := range []struct {
		on string
		c  Command
	}{
		{"2026-01-10", cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 10, To: "A"}, Line{SKU: "PD", Qty: 5, To: "A"},
			Line{SKU: "PQ", Qty: 3, To: "Q"})},
		{"2026-02-02", Command{Type: EvWOCreated, Actor: "planner", Ref: "WO-1", WorkOrder: &WorkOrder{Number: "WO-1", Engineer: "eng1",
			Lines: []WOLine{{Line: 1, SKU: "PN", Qty: 4}, {Line: 2, SKU: "PB", Qty: 1}}}}},
		{"2026-02-03", as("eng1", cmd(EvIssue, "WO-1", Line{SKU: "PN", Qty: 4, From: "A", FromReserved: true, WOLine: 1}))},
		{"2026-02-04", cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 1, To: "A", Condition: ConditionGood})},
		{"2026-02-05", cmd(EvReturn, "WO-1", Line{SKU: "PN", Qty: 1, To: "DEF", Condition: ConditionDefective})},
		{"2026-02-06", as("eng2", cmd(EvIssue, "SR-9", Line{SKU: "PN", Qty: 7, From: "A"}))},
		{"2026-02-08", cmd(EvReceipt, "PO-2", Line{SKU: "PN", Qty: 5, To: "A"})},
		{"2026-02-09", cmd(EvMove, "", Line{SKU: "PN", Qty: 5, From: "A", To: "VAN"})},
		{"2026-02-10", as("eng2", cmd(EvIssue, "SR-10", Line{SKU: "PN", Qty: 5, From: "VAN"}))},
		{"2026-05-20", cmd(EvReceipt, "PO-3", Line{SKU: "PN", Qty: 2, To: "A"})},
	} {
		clk.set(day(st.on))
		mustAppend(t, s, st.c)
	}
	return s
}

var february = Period{From: day("2026-02-01"), To: day("2026-02-11")}

func f64(f float64) *float64 { return &f }

func tp(d string) *time.Time { t := day(d); return &t }

func TestSlowMoving(t *testing.T) {
	s := reportStore(t)
	now := day("2026-06-01")
	for _, tc := range []struct {
		name string
		q    SlowMovingQuery
		want []SlowMovingRow
	}{
		// PD never issued, in since 01-10: 142 days without an issue, moved
		// 142 days ago. PN was received 05-20 but last issued 02-10: slow.
		{"defaults", SlowMovingQuery{Now: now}, []SlowMovingRow{
			{SKU: "PD", Description: "dead part", OnHand: 5, LastMovement: tp("2026-01-10"), Status: StatusSlow},
			{SKU: "PN", Description: "fan motor", OnHand: 2, LastIssue: tp("2026-02-10"), LastMovement: tp("2026-05-20"), Status: StatusSlow},
		}},
		// Dead after 100 days without movement: PD (142); PN moved 12 days ago.
		{"dead after 100", SlowMovingQuery{Now: now, SlowDays: 90, DeadDays: 100}, []SlowMovingRow{
			{SKU: "PD", Description: "dead part", OnHand: 5, LastMovement: tp("2026-01-10"), Status: StatusDead},
			{SKU: "PN", Description: "fan motor", OnHand: 2, LastIssue: tp("2026-02-10"), LastMovement: tp("2026-05-20"), Status: StatusSlow},
		}},
		// Slow after 120 days: PD (142 days since it came in) only; PN's
		// last issue is 111 days old.
		{"slow after 120", SlowMovingQuery{Now: now, SlowDays: 120}, []SlowMovingRow{
			{SKU: "PD", Description: "dead part", OnHand: 5, LastMovement: tp("2026-01-10"), Status: StatusSlow},
		}},
		{"slow after 150", SlowMovingQuery{Now: now, SlowDays: 150}, []SlowMovingRow{}},
		// As of 03-01 the 05-20 receipt has not happened: PN has nothing
		// on hand; PD has been in 50 days.
		{"as of march", SlowMovingQuery{Now: day("2026-03-01"), SlowDays: 30}, []SlowMovingRow{
			{SKU: "PD", Description: "dead part", OnHand: 5, LastMovement: tp("2026-01-10"), Status: StatusSlow},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := s.SlowMoving(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep.Items, tc.want) {
				t.Errorf("items\n%+v\nwant\n%+v", rep.Items, tc.want)
			}
			if rep.SlowDays == 0 || rep.DeadDays < rep.SlowDays || !rep.AsOf.Equal(tc.q.Now) {
				t.Errorf("report figures %+v", rep)
			}
		})
	}
	for _, q := range []SlowMovingQuery{{SlowDays: -1}, {SlowDays: 100, DeadDays: 50}, {DeadDays: 40000}} {
		if _, err := s.SlowMoving(q); CodeOf(err) != CodeInvalid {
			t.Errorf("%+v: %v, want invalid", q, err)
		}
	}
}

func TestConsumption(t *testing.T) {
	s := reportStore(t)
	for _, tc := range []struct {
		name string
		p    Period
		by   string
		want []ConsumptionRow
	}{
		// eng1's good return comes back to eng1, who took the issue, not to
		// sk who booked it; the defective return undoes nothing.
		{"engineers", february, ByEngineer, []ConsumptionRow{{"eng1", 4, 1, 3}, {"eng2", 12, 0, 12}}},
		{"work orders", february, ByWorkOrder, []ConsumptionRow{{"SR-10", 5, 0, 5}, {"SR-9", 7, 0, 7}, {"WO-1", 4, 1, 3}}},
		{"parts", february, ByPart, []ConsumptionRow{{"PN", 16, 1, 15}}},
		// 02-04 to 02-07: the return of an issue taken before the period.
		{"a return of an earlier issue", Period{day("2026-02-04"), day("2026-02-07")}, ByEngineer,
			[]ConsumptionRow{{"eng1", 0, 1, -1}, {"eng2", 7, 0, 7}}},
		// To is exclusive: the 02-10 issue is not in [02-01, 02-10).
		{"to is exclusive", Period{day("2026-02-01"), day("2026-02-10")}, ByPart, []ConsumptionRow{{"PN", 11, 1, 10}}},
		{"nothing", Period{day("2025-01-01"), day("2025-02-01")}, ByPart, []ConsumptionRow{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := s.Consumption(tc.p, tc.by)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep.Items, tc.want) || rep.By != tc.by || !rep.From.Equal(tc.p.From) {
				t.Errorf("%+v\nwant %+v", rep, tc.want)
			}
		})
	}
	if _, err := s.Consumption(february, "depot"); CodeOf(err) != CodeInvalid {
		t.Errorf("by depot: %v", err)
	}
	if _, err := s.Consumption(Period{february.To, february.From}, ByPart); CodeOf(err) != CodeInvalid {
		t.Errorf("reversed period: %v", err)
	}
}

func TestStockOutsAndFillRate(t *testing.T) {
	s := reportStore(t)
	for _, tc := range []struct {
		name string
		p    Period
		want []StockOut
	}{
		// PN out 02-06 → 02-08 (48 h), and from 02-10 to the end of the
		// period (24 h, ongoing). PB never had stock: not stocked, no spans.
		{"february", february, []StockOut{
			{SKU: "PN", Start: day("2026-02-06"), End: day("2026-02-08"), Hours: 48},
			{SKU: "PN", Start: day("2026-02-10"), End: day("2026-02-11"), Hours: 24, Ongoing: true},
		}},
		// Spans are cut to the period.
		{"cut", Period{day("2026-02-07"), day("2026-02-12")}, []StockOut{
			{SKU: "PN", Start: day("2026-02-07"), End: day("2026-02-08"), Hours: 24},
			{SKU: "PN", Start: day("2026-02-10"), End: day("2026-02-12"), Hours: 48, Ongoing: true},
		}},
		// The 05-20 receipt ends the second span.
		{"to june", Period{day("2026-02-09"), day("2026-06-01")}, []StockOut{
			{SKU: "PN", Start: day("2026-02-10"), End: day("2026-05-20"), Hours: 99 * 24},
		}},
		{"before any stock", Period{day("2026-01-01"), day("2026-01-05")}, []StockOut{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep, err := s.StockOuts(tc.p)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(rep.Items, tc.want) {
				t.Errorf("%+v\nwant %+v", rep.Items, tc.want)
			}
		})
	}

	// WO-1's PN line was reserved in full when the order opened (filled);
	// its PB line waited (no stock).
	rep, err := s.FillRate(february)
	if err != nil {
		t.Fatal(err)
	}
	want := []FillRateRow{
		{SKU: "PB", Description: "belt", Lines: 1, Filled: 0, FillRate: f64(0)},
		{SKU: "PN", Description: "fan motor", Lines: 1, Filled: 1, FillRate: f64(1), StockOuts: 2, StockOutHours: 72},
	}
	if !reflect.DeepEqual(rep.Items, want) {
		t.Errorf("fill rate %+v\nwant %+v", rep.Items, want)
	}
	if o := rep.Overall; o.Lines != 2 || o.Filled != 1 || o.FillRate == nil || *o.FillRate != 0.5 || o.StockOuts != 2 || o.StockOutHours != 72 {
		t.Errorf("overall %+v", o)
	}
	// March has no work orders: no fill rate, and PN's running span.
	rep, err = s.FillRate(Period{day("2026-03-01"), day("2026-03-02")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || rep.Items[0].FillRate != nil || rep.Items[0].StockOutHours != 24 || rep.Overall.FillRate != nil {
		t.Errorf("march %+v", rep)
	}
}

func TestTurns(t *testing.T) {
	s := reportStore(t)
	// PN on hand over 02-01..02-11 (10 days): 10 for 2 days, 6 for 1, 7 for
	// 2, 0 for 2, 5 for 2 (bin, then van), 0 for 1 = 50 unit-days: average
	// 5; issued 4 + 7 + 5 = 16: 3.2 turns. PD: 5 all along, never issued.
	// PQ is in quarantine and PB never came: no rows.
	rep, err := s.Turns(february)
	if err != nil {
		t.Fatal(err)
	}
	want := []TurnsRow{
		{SKU: "PD", Description: "dead part", Issued: 0, AverageOnHand: 5, Turns: f64(0)},
		{SKU: "PN", Description: "fan motor", Issued: 16, AverageOnHand: 5, Turns: f64(3.2)},
	}
	if !reflect.DeepEqual(rep.Items, want) {
		t.Errorf("turns %+v\nwant %+v", rep.Items, want)
	}
	if o := rep.Overall; o.Issued != 16 || o.AverageOnHand != 10 || o.Turns == nil || *o.Turns != 1.6 {
		t.Errorf("overall %+v", o)
	}
	// Half a day inside one level: 02-06 12:00 to 02-07 00:00 PN has 0.
	rep, err = s.Turns(Period{day("2026-02-06").Add(12 * time.Hour), day("2026-02-07")})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Items) != 1 || rep.Items[0].SKU != "PD" || rep.Items[0].AverageOnHand != 5 {
		t.Errorf("half a day %+v", rep.Items)
	}
	// 02-03 12:00 to 02-05 12:00: 6 for half a day, 7 for a day and a half:
	// (3 + 10.5) / 2 = 6.75, no issue.
	rep, err = s.Turns(Period{day("2026-02-03").Add(12 * time.Hour), day("2026-02-05").Add(12 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Items[1]; got.SKU != "PN" || got.AverageOnHand != 6.75 || got.Issued != 0 || *got.Turns != 0 {
		t.Errorf("6.75: %+v", got)
	}
	if _, err := s.Turns(Period{february.From, february.From}); CodeOf(err) != CodeInvalid {
		t.Errorf("empty period: %v", err)
	}
}

// BenchmarkReports folds a log of 20,000 stock events (receipts and
// issues, written by 32 writers) into each report; events/s
// is the replay's speed, the figure that says how long a report over a
// depot's whole log takes.
func BenchmarkReports(b *testing.B) {
	const events, writers, parts = 20_000, 32, 32
	clk := &fixedClock{t: day("2026-01-01")}
	s := openTest(b, clk)
	mustAppend(b, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &Location{Code: "A"}})
	for i := range parts {
		mustAppend(b, s, Command{Type: EvPartDefined, Actor: "admin", Part: &Part{SKU: "P" + strconv.Itoa(i)}})
	}
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each writer receives and issues its own part, in turn, so an
			// issue never outruns its receipt.
			sku := "P" + strconv.Itoa(w%parts)
			for i := 0; i < events/writers; i++ {
				c := cmd(EvReceipt, "PO", Line{SKU: sku, Qty: 2, To: "A"})
				if i%2 == 1 {
					c = cmd(EvIssue, "WO-"+strconv.Itoa(i), Line{SKU: sku, Qty: 1, From: "A"})
				}
				if _, err := s.Append(context.Background(), c); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	p := Period{From: day("2025-12-01"), To: day("2026-02-01")}
	for _, bc := range []struct {
		name string
		run  func() error
	}{
		{"slow-moving", func() error { _, err := s.SlowMoving(SlowMovingQuery{Now: day("2026-06-01")}); return err }},
		{"consumption", func() error { _, err := s.Consumption(p, ByEngineer); return err }},
		{"fill-rate", func() error { _, err := s.FillRate(p); return err }},
		{"turns", func() error { _, err := s.Turns(p); return err }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				if err := bc.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(s.Head().Seq)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
