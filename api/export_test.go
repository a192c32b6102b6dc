package api

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/api/internal/export/exporttest"
	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

// exportFixture is the seeded depot with a transfer with differences
// (T-1: 3 P-NONE asked, 2 shipped), one without (T-OK), one only
// requested (T-REQ), a work order and a count session.
func exportFixture(t *testing.T) *fixture {
	t.Helper()
	f := newFixture(t)
	seed(t, f.store)
	seedTransfer(t, f.store, "T-1")
	appendAll(t, f.store,
		requestCmd("T-OK", inventory.TransferLine{SKU: "P-LOT", Qty: 1}),
		inventory.Command{Type: inventory.EvTransferApproved, Actor: "seed-planner", Ref: "T-OK"},
		inventory.Command{Type: inventory.EvTransferShipped, Ref: "T-OK", Lines: []inventory.Line{
			{SKU: "P-LOT", Qty: 1, Lot: "L1", From: "A-01", To: inventory.TransitLocation("T-OK")}}},
		inventory.Command{Type: inventory.EvTransferDispatched, Ref: "T-OK", Shipment: &inventory.Shipment{CompanyPrefix: "0614141"}},
		requestCmd("T-REQ", inventory.TransferLine{SKU: "P-NONE", Qty: 1}),
		// A note a spreadsheet would run as a formula.
		inventory.Command{Type: inventory.EvMove, Note: "=cmd|' /C calc'!A0", Lines: []inventory.Line{{SKU: "P-NONE", Qty: 1, From: "A-01", To: "A-02"}}},
	)
	seedWO(t, f.store)
	seedCount(t, f.store)
	return f
}

// fetched is an export read back: the header and the rows as CSV text.
type fetched struct {
	header []string
	rows   [][]string
	w      *httptest.ResponseRecorder
}

// fetchExport GETs path with format, as role, and reads the file back:
// CSV with encoding/csv, XLSX with excelize, the XLSX cells turned into the
// text CSV would hold by the kinds of cols (serial dates to RFC 3339,
// booleans to true/false), so one comparison serves both.
func fetchExport(t *testing.T, f *fixture, role, path, format string, cols []export.Column, lang string) fetched {
	t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	w := f.do(req{method: "GET", path: path + sep + "format=" + format, role: role, header: map[string]string{"Accept-Language": lang}})
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s as %s: %d %s", path, format, w.Code, w.Body)
	}
	out := fetched{w: w}
	if ct, want := w.Header().Get("Content-Type"), export.Format(format).MediaType(); ct != want {
		t.Errorf("content type %q, want %q", ct, want)
	}
	out.header, out.rows = exporttest.Read(t, export.Format(format), w.Body.Bytes(), cols)
	return out
}

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// wantSame compares an export's rows with the rows the JSON answer holds.
func wantSame(t *testing.T, what string, got fetched, want [][]string, titles []string) {
	t.Helper()
	if !slices.Equal(got.header, titles) {
		t.Errorf("%s: header %q, want %q", what, got.header, titles)
	}
	if len(want) == 0 {
		t.Errorf("%s: the JSON holds no rows: the comparison proves nothing", what)
	}
	if len(got.rows) != len(want) {
		t.Fatalf("%s: %d rows, JSON holds %d:\n%q\n%q", what, len(got.rows), len(want), got.rows, want)
	}
	for i := range want {
		if !slices.Equal(got.rows[i], want[i]) {
			t.Errorf("%s row %d:\n got %q\nwant %q", what, i+1, got.rows[i], want[i])
		}
	}
}

// TestExportsHoldTheJSONRows: for each export, the CSV and the XLSX hold
// exactly the rows of the JSON answer to the same query.
func TestExportsHoldTheJSONRows(t *testing.T) {
	f := exportFixture(t)
	get := func(path string) *httptest.ResponseRecorder {
		t.Helper()
		w := f.do(req{method: "GET", path: path, role: RoleAdmin})
		if w.Code != http.StatusOK {
			t.Fatalf("GET %s: %d %s", path, w.Code, w.Body)
		}
		return w
	}
	transferRowsOf := func(items []inventory.TransferInfo) [][]string {
		var out [][]string
		for _, tr := range items {
			for _, l := range tr.Report.Lines {
				out = append(out, []string{tr.Number, string(tr.Direction), tr.From, tr.To, string(tr.Status), tr.Expected,
					strconv.FormatBool(tr.Overdue), l.SKU, i64(l.Requested), i64(l.Shipped), i64(l.Received), i64(l.Damaged),
					i64(l.Over), i64(l.Short), i64(l.WrittenOff)})
			}
		}
		return out
	}
	for _, tc := range []struct {
		name, path string
		cols       []export.Column
		want       func() [][]string
	}{
		{"stock", "/api/v1/stock?sku=P-NONE", stockColumns, func() [][]string {
			var out [][]string
			for _, b := range decodeJSON[stockAnswer](t, get("/api/v1/stock?sku=P-NONE")).Items {
				out = append(out, []string{b.SKU, b.Location, b.Lot, b.Serial, i64(b.OnHand), i64(b.Reserved), i64(b.Available)})
			}
			return out
		}},
		{"all stock", "/api/v1/stock", stockColumns, func() [][]string {
			var out [][]string
			for _, b := range decodeJSON[stockAnswer](t, get("/api/v1/stock")).Items {
				out = append(out, []string{b.SKU, b.Location, b.Lot, b.Serial, i64(b.OnHand), i64(b.Reserved), i64(b.Available)})
			}
			return out
		}},
		{"events", "/api/v1/events?after=3&limit=1000", eventColumns, func() [][]string {
			var out [][]string
			for _, ev := range decodeJSON[pageOf[inventory.Event]](t, get("/api/v1/events?after=3&limit=1000")).Items {
				head := []string{strconv.FormatUint(ev.Seq, 10), ts(ev.At), string(ev.Type), ev.Actor, ev.Ref, ev.Note}
				if ev.Note != "" && strings.ContainsAny(ev.Note[:1], "=+-@") {
					head[5] = "'" + ev.Note // the CSV guard; XLSX keeps text as typed (checked below)
				}
				if len(ev.Lines) == 0 {
					var sku, loc string
					if ev.Part != nil {
						sku = ev.Part.SKU
					}
					if ev.Location != nil {
						loc = ev.Location.Code
					}
					out = append(out, append(head, sku, "", "", "", loc, "", "", ""))
				}
				for _, l := range ev.Lines {
					out = append(out, append(slices.Clone(head), l.SKU, i64(l.Qty), l.From, l.To, l.Location, l.Lot,
						strings.Join(l.Serials, " "), l.Condition))
				}
			}
			return out
		}},
		{"count variances", "/api/v1/counts/C-1", varianceColumns, func() [][]string {
			var out [][]string
			for _, v := range decodeJSON[countView](t, get("/api/v1/counts/C-1")).Variances {
				out = append(out, []string{v.Bin, v.SKU, v.Lot, v.Serial, i64(v.Expected), i64(v.Counted), i64(v.Variance)})
			}
			return out
		}},
		{"one transfer", "/api/v1/transfers/T-1", transferColumns, func() [][]string {
			return transferRowsOf([]inventory.TransferInfo{decodeJSON[inventory.TransferInfo](t, get("/api/v1/transfers/T-1"))})
		}},
		{"transfers", "/api/v1/transfers?direction=outbound", transferColumns, func() [][]string {
			return transferRowsOf(decodeJSON[pageOf[inventory.TransferInfo]](t, get("/api/v1/transfers?direction=outbound")).Items)
		}},
		{"transfers with differences", "/api/v1/transfers?differences=true", transferColumns, func() [][]string {
			items := decodeJSON[pageOf[inventory.TransferInfo]](t, get("/api/v1/transfers?differences=true")).Items
			if len(items) != 1 || items[0].Number != "T-1" {
				t.Errorf("differences: %+v, want T-1 alone", items)
			}
			return transferRowsOf(items)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want()
			for _, format := range []string{"csv", "xlsx"} {
				got := fetchExport(t, f, RoleAdmin, tc.path, format, tc.cols, "")
				w := want
				if format == "xlsx" {
					w = unguard(want)
				}
				wantSame(t, tc.name+" "+format, got, w, export.Titles(tc.cols))
			}
		})
	}
}

// unguard takes the CSV guard's apostrophe off: XLSX stores text as
// typed, and a string cell is never a formula.
func unguard(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = slices.Clone(r)
		for j, v := range r {
			if len(v) > 1 && v[0] == '\'' && strings.ContainsAny(v[1:2], "=+-@") {
				out[i][j] = v[1:]
			}
		}
	}
	return out
}

// TestExportHeaders: the attachment's name (depot, export, today), the
// titles in the request's language and the media types.
func TestExportHeaders(t *testing.T) {
	f := exportFixture(t)
	for _, tc := range []struct {
		path, format, lang, file, first string
		cols                            []export.Column
	}{
		{"/api/v1/stock", "xlsx", "", "DEPOT-T-stock-2026-03-02.xlsx", "Part", stockColumns},
		{"/api/v1/stock", "csv", "zh-CN", "DEPOT-T-stock-2026-03-02.csv", "备件", stockColumns},
		{"/api/v1/events", "csv", "zh-TW", "DEPOT-T-events-2026-03-02.csv", "序號", eventColumns},
		{"/api/v1/counts/C-1", "xlsx", "zh-Hant", "DEPOT-T-count-C-1-2026-03-02.xlsx", "儲位", varianceColumns},
		{"/api/v1/transfers/T-1", "csv", "zh-Hans", "DEPOT-T-transfer-T-1-2026-03-02.csv", "调拨", transferColumns},
		{"/api/v1/transfers", "xlsx", "en", "DEPOT-T-transfers-2026-03-02.xlsx", "Transfer", transferColumns},
	} {
		got := fetchExport(t, f, RoleAdmin, tc.path, tc.format, tc.cols, tc.lang)
		want := `attachment; filename="` + tc.file + `"; filename*=UTF-8''` + tc.file
		if d := got.w.Header().Get("Content-Disposition"); d != want {
			t.Errorf("%s: Content-Disposition %q, want %q", tc.path, d, want)
		}
		if got.header[0] != tc.first {
			t.Errorf("%s %s: first title %q, want %q", tc.path, tc.lang, got.header[0], tc.first)
		}
	}
}

// TestExportRefusals: an unknown format, a bad filter, a blind count's
// counter and an unknown document get problems, as JSON would, and write
// nothing.
func TestExportRefusals(t *testing.T) {
	f := exportFixture(t)
	for _, tc := range []struct {
		role, path string
		status     int
		code       inventory.Code
		field      string
	}{
		{RoleAdmin, "/api/v1/stock?format=pdf", 400, inventory.CodeInvalid, "format"},
		{RoleAdmin, "/api/v1/stock?format=XLSX", 400, inventory.CodeInvalid, "format"},
		{RoleAdmin, "/api/v1/events?format=xls", 400, inventory.CodeInvalid, "format"},
		{RoleAdmin, "/api/v1/counts/C-1?format=ods", 400, inventory.CodeInvalid, "format"},
		{RoleAdmin, "/api/v1/transfers/T-1?format=", 200, "", ""}, // empty: JSON
		{RoleAdmin, "/api/v1/stock?format=csv&limit=0", 400, inventory.CodeInvalid, "limit"},
		{RoleAdmin, "/api/v1/stock?format=xlsx&asOf=999999", 400, inventory.CodeInvalid, "asOf"},
		{RoleAdmin, "/api/v1/events?format=csv&after=x", 400, inventory.CodeInvalid, "after"},
		{RoleAdmin, "/api/v1/events?format=csv&limit=1000001", 400, inventory.CodeInvalid, "limit"},
		{RoleAdmin, "/api/v1/transfers?format=csv&status=lost", 400, inventory.CodeInvalid, "status"},
		{RoleAdmin, "/api/v1/transfers?differences=maybe", 400, inventory.CodeInvalid, "differences"},
		{RoleAdmin, "/api/v1/transfers/NOPE?format=xlsx", 404, inventory.CodeNotFound, ""},
		{RoleAdmin, "/api/v1/counts/NOPE?format=csv", 404, inventory.CodeNotFound, ""},
		// C-1 is blind and open: a storekeeper may count in it.
		{RoleStorekeeper, "/api/v1/counts/C-1?format=xlsx", 403, CodeForbidden, ""},
		{"", "/api/v1/stock?format=csv", 401, CodeUnauthenticated, ""},
	} {
		r := req{method: "GET", path: tc.path, role: tc.role}
		if checkAnswer(t, f, "", r, tc.status, string(tc.code), tc.field) && tc.code != "" {
			if d := f.do(r).Header().Get("Content-Disposition"); d != "" {
				t.Errorf("%s: a refusal is an attachment: %q", tc.path, d)
			}
		}
	}
}

// TestEventExportIsNotPaged: the export runs past the JSON page size and
// ends at the head as it began; after and limit bound it as they bound
// the JSON.
func TestEventExportIsNotPaged(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	for i := range 1200 {
		appendAll(t, f.store, inventory.Command{Type: inventory.EvMove, Note: "n" + strconv.Itoa(i),
			Lines: []inventory.Line{{SKU: "P-NONE", Qty: 1, From: "A-01", To: "A-02"}}},
			inventory.Command{Type: inventory.EvMove, Lines: []inventory.Line{{SKU: "P-NONE", Qty: 1, From: "A-02", To: "A-01"}}})
	}
	head := f.store.Head().Seq
	got := fetchExport(t, f, RoleAuditor, "/api/v1/events", "csv", eventColumns, "")
	if len(got.rows) < int(head) || got.rows[len(got.rows)-1][0] != strconv.FormatUint(head, 10) {
		t.Fatalf("%d rows for %d events, last %q", len(got.rows), head, got.rows[len(got.rows)-1])
	}
	got = fetchExport(t, f, RoleAuditor, "/api/v1/events?after=100&limit=1500", "xlsx", eventColumns, "")
	if len(got.rows) != 1500 || got.rows[0][0] != "101" || got.rows[1499][0] != "1600" {
		t.Fatalf("after=100&limit=1500: %d rows, %q .. %q", len(got.rows), got.rows[0][0], got.rows[len(got.rows)-1][0])
	}
}

// TestExportTitlesAreTranslated: every column title, sheet name and text
// the exports and reports show has its Simplified and Traditional Chinese
// in the catalogues (reports.json).
func TestExportTitlesAreTranslated(t *testing.T) {
	want := []string{"Stock", "Events", "Count variances", "Transfer discrepancies", "Transfers", "Slow-moving and dead stock",
		"Consumption", "Stock-out spans", "Fill rate", "Inventory turns", allParts}
	for _, cols := range [][]export.Column{stockColumns, eventColumns, varianceColumns, transferColumns, slowMovingColumns,
		consumptionColumns(inventory.ByWorkOrder), consumptionColumns(inventory.ByEngineer), consumptionColumns(inventory.ByPart),
		stockOutColumns, fillRateColumns, turnsColumns} {
		want = append(want, export.Titles(cols)...)
	}
	for _, w := range want {
		if w == "" {
			t.Fatal("an empty title")
		}
	}
	for lang, missing := range i18n.Default().Missing(want) {
		for _, m := range missing {
			t.Errorf("catalog/%s/reports.json has no translation of %q", lang, m)
		}
	}
}

// TestExportMidStreamFailureBreaksTheConnection: a CSV that fails after
// its first bytes went out is cut off, never ended as if whole.
func TestExportMidStreamFailureBreaksTheConnection(t *testing.T) {
	f := newFixture(t)
	c, _ := gin.CreateTestContext(httptest.NewRecorder())
	c.Request = httptest.NewRequest("GET", "/api/v1/stock?format=csv", nil)
	rows := func(emit func([]export.Cell) error) error {
		for i := range 20000 {
			if err := emit([]export.Cell{export.S(strings.Repeat("x", 20) + strconv.Itoa(i))}); err != nil {
				return err
			}
		}
		return context.Canceled
	}
	defer func() {
		if r := recover(); r != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler", r)
		}
	}()
	f.srv.sendTable(c, export.CSV, "x", export.Table{Sheet: "Stock", Columns: []export.Column{{Title: "Part"}}, Rows: rows})
	t.Fatal("sendTable returned")
}

// TestExportFailureBeforeTheFirstByte: a failure before anything went out
// is a problem answer, not an attachment.
func TestExportFailureBeforeTheFirstByte(t *testing.T) {
	f := newFixture(t)
	for _, format := range []export.Format{export.CSV, export.XLSX} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest("GET", "/api/v1/stock?format="+string(format), nil)
		f.srv.sendTable(c, format, "x", export.Table{Sheet: "Stock", Columns: []export.Column{{Title: "Part"}},
			Rows: func(func([]export.Cell) error) error { return errors.New("disk on fire") }})
		if w.Code != http.StatusInternalServerError || w.Header().Get("Content-Disposition") != "" ||
			w.Header().Get("Content-Type") != "application/problem+json" || strings.Contains(w.Body.String(), "fire") {
			t.Errorf("%s: %d %v %s", format, w.Code, w.Header(), w.Body)
		}
	}
}
