package hqapi

import (
	"testing"

	"github.com/partsedge/partsedge/api/internal/oacheck"
	"github.com/partsedge/partsedge/replication/hq"
)

// TestChartRoutes: a part's history and the fill rates over HTTP, with
// the window and filters from the query; bad queries are refused with
// their codes. (The figures themselves are worked by hand in
// replication/hq's chart tests.)
func TestChartRoutes(t *testing.T) {
	api, _ := fixture(t) // HQ's clock: 2026-11-23; the depots wrote on 11-20
	var ph hq.PartHistory
	decode(t, call(t, api, "GET", "/api/v1/parts/PN/history?days=5", ""), &ph)
	if ph.SKU != "PN" || ph.From != "2026-11-19" || ph.To != "2026-11-23" || len(ph.Depots) != 2 || len(ph.Total) != 5 {
		t.Fatalf("history: %+v", ph)
	}
	// D1: 8 in stock bin A from 11-20 on (the 2 in quarantine do not
	// count); D2: 1.
	for i, want := range []hq.ChartPoint{{Day: "2026-11-19"}, {Day: "2026-11-20", OnHand: 9, Available: 9},
		{Day: "2026-11-21", OnHand: 9, Available: 9}, {Day: "2026-11-22", OnHand: 9, Available: 9}, {Day: "2026-11-23", OnHand: 9, Available: 9}} {
		if ph.Total[i] != want {
			t.Errorf("total %d: %+v, want %+v", i, ph.Total[i], want)
		}
	}
	decode(t, call(t, api, "GET", "/api/v1/parts/PN/history?depot=D2", ""), &ph)
	if len(ph.Depots) != 1 || ph.Depots[0].Depot != "D2" || len(ph.Total) != hq.DefaultChartDays || ph.Total[hq.DefaultChartDays-1].OnHand != 1 {
		t.Fatalf("D2, 90 days: %d depots, %d points", len(ph.Depots), len(ph.Total))
	}

	var fr hq.FillReport
	decode(t, call(t, api, "GET", "/api/v1/fill-rate?days=5", ""), &fr)
	// D2 (minmax PN) set its policy on 11-20 with 1 in stock: never out.
	if fr.From != "2026-11-19" || len(fr.Depots) != 2 || fr.Depots[0].Depot != "D1" || fr.Depots[0].StockedParts != 0 ||
		fr.Depots[1].StockedParts != 1 || fr.Depots[1].StockOutDays != 0 || fr.Total.FillRate != nil {
		t.Fatalf("fill rate: %+v", fr)
	}

	for _, tc := range []struct {
		path, code, field string
		status            int
	}{
		{"/api/v1/parts/PN/history?days=0", "invalid_request", "days", 400},
		{"/api/v1/parts/PN/history?days=367", "invalid_request", "days", 400},
		{"/api/v1/parts/PN/history?days=ten", "invalid_request", "days", 400},
		{"/api/v1/parts/NOPE/history", "not_found", "sku", 404},
		{"/api/v1/parts/PN/history?depot=D9", "unknown_depot", "", 404},
		{"/api/v1/fill-rate?days=-1", "invalid_request", "days", 400},
		{"/api/v1/fill-rate?days=1.5", "invalid_request", "days", 400},
	} {
		w := call(t, api, "GET", tc.path, "")
		p := problemOf(t, w)
		if w.Code != tc.status || p.Code != tc.code || p.Field != tc.field {
			t.Errorf("%s: %d %s %q, want %d %s %q", tc.path, w.Code, p.Code, p.Field, tc.status, tc.code, tc.field)
		}
	}
}

// TestChartSchemasMatchTheTypes keeps the charts' documented fields equal
// to the JSON their Go types produce.
func TestChartSchemasMatchTheTypes(t *testing.T) {
	oacheck.Load(t, openAPIJSON).CheckSchemas(t, []oacheck.Type{
		{Schema: "ChartPoint", V: hq.ChartPoint{}}, {Schema: "DepotHistory", V: hq.DepotHistory{}},
		{Schema: "PartHistory", V: hq.PartHistory{}}, {Schema: "FillFigures", V: hq.FillFigures{}},
		{Schema: "DepotFill", V: hq.DepotFill{}}, {Schema: "FillReport", V: hq.FillReport{}},
	})
}

// FuzzParseDays: no ?days= value panics, and one accepted is 0 for
// absent, else a whole number of days of at least 1 (the store bounds the
// window and refuses more than hq.MaxChartDays).
func FuzzParseDays(f *testing.F) {
	for _, s := range []string{"", "1", "90", "366", "367", "0", "-1", "1.5", "+7", "007", " 9", "9999999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		n, err := parseDays(v)
		switch {
		case err != nil && n != 0:
			t.Fatalf("%q: refused with %d", v, n)
		case err == nil && v == "" && n != 0:
			t.Fatalf("absent: %d", n)
		case err == nil && v != "" && n < 1:
			t.Fatalf("%q: accepted %d", v, n)
		}
	})
}
