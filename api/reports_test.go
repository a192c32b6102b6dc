package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/api/internal/oacheck"
	"github.com/partsedge/partsedge/inventory"
)

// reportFixture is the seeded depot a day at a time (from 03-02 09:30):
//
//	03-02  seed: 10 P-NONE (3 reserved for WO-1), 5 P-LOT, P-SER S1 S2 in A-01
//	03-03  WO-10 (seedWO): P-NONE 2 and P-SER 1 reserved, P/SLASH 1 waits
//	03-04  engineer-user issues the 2 P-NONE of WO-10
//	03-05  storekeeper-user returns 1 P-NONE good on WO-10
//	03-06  engineer-user issues 6 P-NONE on SR-1: none available (3 on
//	       hand, all reserved): a stock-out from then on
//
// The clock ends at 03-07 09:30.
func reportFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	seed(t, f.store)
	day := func() { f.clock.Advance(24 * time.Hour) }
	day()
	seedWO(t, f.store)
	day()
	appendAll(t, f.store, inventory.Command{Type: inventory.EvIssue, Actor: "engineer-user", Ref: "WO-10",
		Lines: []inventory.Line{{SKU: "P-NONE", Qty: 2, From: "A-01", FromReserved: true, WOLine: 1}}})
	day()
	appendAll(t, f.store, inventory.Command{Type: inventory.EvReturn, Actor: "storekeeper-user", Ref: "WO-10",
		Lines: []inventory.Line{{SKU: "P-NONE", Qty: 1, To: "A-01", Condition: inventory.ConditionGood}}})
	day()
	appendAll(t, f.store, inventory.Command{Type: inventory.EvIssue, Actor: "engineer-user", Ref: "SR-1",
		Lines: []inventory.Line{{SKU: "P-NONE", Qty: 6, From: "A-01"}}})
	day()
	return f
}

func f3(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func fl(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func tsp(t *time.Time) string {
	if t == nil {
		return ""
	}
	return ts(*t)
}

// TestReportsAnswerJSONAndExports: each report's CSV and XLSX hold the
// rows of its JSON (and the overall row where it has one), and the JSON
// holds what the story above makes.
func TestReportsAnswerJSONAndExports(t *testing.T) {
	f := reportFixture(t)
	get := func(path string) []byte {
		t.Helper()
		w := f.do(req{method: "GET", path: path, role: RolePlanner})
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		return w.Body.Bytes()
	}
	for _, tc := range []struct {
		name, path string
		cols       []export.Column
		want       func(t *testing.T, body []byte) [][]string
	}{
		{"slow-moving", "/api/v1/reports/slow-moving?slowDays=3&deadDays=400", slowMovingColumns, func(t *testing.T, body []byte) [][]string {
			rep := decodeBody[inventory.SlowMovingReport](t, body)
			// P-LOT in for 5 days and never issued; P-SER likewise (its
			// reservation moves nothing); P-NONE was issued yesterday.
			if len(rep.Items) != 2 || rep.Items[0].SKU != "P-LOT" || rep.Items[1].SKU != "P-SER" || rep.Items[1].OnHand != 2 ||
				rep.SlowDays != 3 || rep.DeadDays != 400 {
				t.Errorf("slow-moving %+v", rep)
			}
			var out [][]string
			for _, r := range rep.Items {
				out = append(out, []string{r.SKU, r.Description, i64(r.OnHand), tsp(r.LastIssue), tsp(r.LastMovement), r.Status})
			}
			return out
		}},
		{"consumption by engineer", "/api/v1/reports/consumption?by=engineer", consumptionColumns(inventory.ByEngineer), func(t *testing.T, body []byte) [][]string {
			rep := decodeBody[inventory.ConsumptionReport](t, body)
			// The good return counts for engineer-user, who took the issue.
			if len(rep.Items) != 1 || rep.Items[0] != (inventory.ConsumptionRow{Key: "engineer-user", Issued: 8, Returned: 1, Consumed: 7}) {
				t.Errorf("consumption %+v", rep)
			}
			return consumptionText(rep)
		}},
		{"consumption by work order", "/api/v1/reports/consumption?by=work-order&from=2026-03-01&to=2026-03-07", consumptionColumns(inventory.ByWorkOrder),
			func(t *testing.T, body []byte) [][]string {
				return consumptionText(decodeBody[inventory.ConsumptionReport](t, body))
			}},
		{"consumption by part", "/api/v1/reports/consumption", consumptionColumns(inventory.ByPart),
			func(t *testing.T, body []byte) [][]string {
				return consumptionText(decodeBody[inventory.ConsumptionReport](t, body))
			}},
		{"stock-outs", "/api/v1/reports/stock-outs", stockOutColumns, func(t *testing.T, body []byte) [][]string {
			rep := decodeBody[inventory.StockOutReport](t, body)
			if len(rep.Items) != 1 || rep.Items[0].SKU != "P-NONE" || !rep.Items[0].Ongoing || rep.Items[0].Hours != 24 {
				t.Errorf("stock-outs %+v", rep)
			}
			var out [][]string
			for _, r := range rep.Items {
				out = append(out, []string{r.SKU, ts(r.Start), ts(r.End), fl(r.Hours), strconv.FormatBool(r.Ongoing)})
			}
			return out
		}},
		{"fill rate", "/api/v1/reports/fill-rate", fillRateColumns, func(t *testing.T, body []byte) [][]string {
			rep := decodeBody[inventory.FillRateReport](t, body)
			// WO-10: P-NONE and P-SER reserved in full, P/SLASH waited.
			if o := rep.Overall; o.Lines != 3 || o.Filled != 2 || f3(o.FillRate) != "0.667" || o.StockOuts != 1 {
				t.Errorf("fill rate overall %+v", o)
			}
			var out [][]string
			for _, r := range append(rep.Items, rep.Overall) {
				if r.SKU == "" {
					r.Description = allParts
				}
				out = append(out, []string{r.SKU, r.Description, i64(r.Lines), i64(r.Filled), f3(r.FillRate), i64(r.StockOuts), fl(r.StockOutHours)})
			}
			return out
		}},
		{"turns", "/api/v1/reports/turns?from=2026-03-02T09:30:00Z&to=2026-03-07T09:30:00Z", turnsColumns, func(t *testing.T, body []byte) [][]string {
			rep := decodeBody[inventory.TurnsReport](t, body)
			// P-NONE: 10 for 2 days, 8 for 1, 9 for 1, 3 for 1 = 40 / 5
			// days = 8 on average; 8 issued: 1 turn.
			var none *inventory.TurnsRow
			for i := range rep.Items {
				if rep.Items[i].SKU == "P-NONE" {
					none = &rep.Items[i]
				}
			}
			if none == nil || none.Issued != 8 || none.AverageOnHand != 8 || f3(none.Turns) != "1" {
				t.Errorf("turns %+v", rep.Items)
			}
			var out [][]string
			for _, r := range append(rep.Items, rep.Overall) {
				if r.SKU == "" {
					r.Description = allParts
				}
				out = append(out, []string{r.SKU, r.Description, i64(r.Issued), fl(r.AverageOnHand), f3(r.Turns)})
			}
			return out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want(t, get(tc.path))
			for _, format := range []string{"csv", "xlsx"} {
				wantSame(t, tc.name+" "+format, fetchExport(t, f, RolePlanner, tc.path, format, tc.cols, ""), want, export.Titles(tc.cols))
			}
		})
	}
	// The overall row's label is in the request's language.
	got := fetchExport(t, f, RoleEngineer, "/api/v1/reports/turns", "csv", turnsColumns, "zh-TW")
	if last := got.rows[len(got.rows)-1]; last[1] != "全部零件" || got.header[4] != "周轉次數" {
		t.Errorf("zh-Hant turns: header %q, last row %q", got.header, last)
	}
}

func consumptionText(rep inventory.ConsumptionReport) [][]string {
	var out [][]string
	for _, r := range rep.Items {
		out = append(out, []string{r.Key, i64(r.Issued), i64(r.Returned), i64(r.Consumed)})
	}
	return out
}

func decodeBody[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decode %T from %s: %v", v, body, err)
	}
	return v
}

// TestReportQueries: the defaults, and bad queries refused as invalid on
// the field at fault.
func TestReportQueries(t *testing.T) {
	f := reportFixture(t)
	w := f.do(req{method: "GET", path: "/api/v1/reports/consumption", role: RoleAuditor})
	rep := decodeJSON[inventory.ConsumptionReport](t, w)
	now := f.clock.Now()
	if rep.By != inventory.ByPart || !rep.To.Equal(now) || !rep.From.Equal(now.AddDate(0, 0, -30)) {
		t.Errorf("defaults: by %q, %v .. %v (now %v)", rep.By, rep.From, rep.To, now)
	}
	sm := decodeJSON[inventory.SlowMovingReport](t, f.do(req{method: "GET", path: "/api/v1/reports/slow-moving", role: RoleAuditor}))
	if sm.SlowDays != 90 || sm.DeadDays != 365 || !sm.AsOf.Equal(now) || len(sm.Items) != 0 {
		t.Errorf("slow-moving defaults %+v", sm)
	}
	for _, tc := range []struct{ path, field string }{
		{"/api/v1/reports/consumption?by=depot", "by"},
		{"/api/v1/reports/consumption?from=yesterday", "from"},
		{"/api/v1/reports/turns?to=2026-13-01", "to"},
		{"/api/v1/reports/turns?from=2026-03-05&to=2026-03-04", "from"},
		{"/api/v1/reports/fill-rate?from=1900-01-01", "from"},
		{"/api/v1/reports/stock-outs?format=pdf", "format"},
		{"/api/v1/reports/slow-moving?slowDays=0", "slowDays"},
		{"/api/v1/reports/slow-moving?slowDays=100&deadDays=10", "deadDays"},
		{"/api/v1/reports/slow-moving?format=csv&deadDays=x", "deadDays"},
	} {
		checkAnswer(t, f, "", req{method: "GET", path: tc.path, role: RoleAdmin}, http.StatusBadRequest, string(inventory.CodeInvalid), tc.field)
	}
}

func TestParsePeriod(t *testing.T) {
	now := time.Date(2026, 3, 7, 9, 30, 0, 0, time.UTC)
	d := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	for _, tc := range []struct {
		from, to   string
		wantFrom   time.Time
		wantTo     time.Time
		wantErrFld string
	}{
		{"", "", now.AddDate(0, 0, -30), now, ""},
		{"2026-03-01", "2026-03-01", d("2026-03-01T00:00:00Z"), d("2026-03-02T00:00:00Z"), ""}, // a day counts in whole
		{"2026-03-01T08:00:00+08:00", "2026-03-01T12:00:00Z", d("2026-03-01T00:00:00Z"), d("2026-03-01T12:00:00Z"), ""},
		{"", "2026-02-28", d("2026-01-30T00:00:00Z"), d("2026-03-01T00:00:00Z"), ""},
		{"2026-03-07T09:30:00Z", "", time.Time{}, time.Time{}, "from"}, // from = to
		{"2016-01-01", "", time.Time{}, time.Time{}, "from"},           // more than 3660 days
		{"03/01/2026", "", time.Time{}, time.Time{}, "from"},
		{"", "now", time.Time{}, time.Time{}, "to"},
		{"0001-01-01T00:00:00Z", "", time.Time{}, time.Time{}, "from"},
	} {
		p, err := parsePeriod(tc.from, tc.to, now)
		if tc.wantErrFld != "" {
			var e *inventory.Error
			if !errors.As(err, &e) || e.Code != inventory.CodeInvalid || e.Field != tc.wantErrFld {
				t.Errorf("%q..%q: %v, want invalid on %s", tc.from, tc.to, err, tc.wantErrFld)
			}
			continue
		}
		if err != nil || !p.From.Equal(tc.wantFrom) || !p.To.Equal(tc.wantTo) {
			t.Errorf("%q..%q: %v..%v %v, want %v..%v", tc.from, tc.to, p.From, p.To, err, tc.wantFrom, tc.wantTo)
		}
	}
}

// FuzzParsePeriod: any pair of values is a period of at most the maximum
// with from before to, or an invalid_request on from or to.
func FuzzParsePeriod(f *testing.F) {
	now := time.Date(2026, 3, 7, 9, 30, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, from, to string) {
		p, err := parsePeriod(from, to, now)
		if err != nil {
			var e *inventory.Error
			if !errors.As(err, &e) || e.Code != inventory.CodeInvalid || (e.Field != "from" && e.Field != "to") {
				t.Fatalf("%q..%q: %v", from, to, err)
			}
			return
		}
		if !p.From.Before(p.To) || p.To.Sub(p.From) > maxReportDays*24*time.Hour || p.From.Location() != time.UTC || p.To.Location() != time.UTC {
			t.Fatalf("%q..%q: %v..%v", from, to, p.From, p.To)
		}
	})
}

// TestReportSchemasMatchTheTypes keeps the OpenAPI schemas of the
// reports equal to the JSON the report types produce.
func TestReportSchemasMatchTheTypes(t *testing.T) {
	oacheck.Load(t, openAPIDocument()).CheckSchemas(t, []oacheck.Type{
		{Schema: "SlowMovingReport", V: inventory.SlowMovingReport{}}, {Schema: "SlowMovingRow", V: inventory.SlowMovingRow{}},
		{Schema: "ConsumptionReport", V: inventory.ConsumptionReport{}}, {Schema: "ConsumptionRow", V: inventory.ConsumptionRow{}},
		{Schema: "StockOutReport", V: inventory.StockOutReport{}}, {Schema: "StockOut", V: inventory.StockOut{}},
		{Schema: "FillRateReport", V: inventory.FillRateReport{}}, {Schema: "FillRateRow", V: inventory.FillRateRow{}},
		{Schema: "TurnsReport", V: inventory.TurnsReport{}}, {Schema: "TurnsRow", V: inventory.TurnsRow{}},
	})
}
