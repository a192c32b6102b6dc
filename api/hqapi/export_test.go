package hqapi

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/api/internal/export/exporttest"
	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

func optText(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

func n(v int64) string { return strconv.FormatInt(v, 10) }

// TestHQExportsHoldTheJSONRows: the global stock and transfer exports, CSV
// and XLSX, hold the rows of the JSON answer to the same query, across
// the JSON's pages.
func TestHQExportsHoldTheJSONRows(t *testing.T) {
	api, _ := fixture(t)
	for _, tc := range []struct {
		name, path, file string
		cols             []export.Column
		want             func() [][]string
	}{
		{"global stock", "/api/v1/stock", "stock", globalStockColumns, func() [][]string {
			var page struct {
				Items []hq.PartStock `json:"items"`
			}
			decode(t, call(t, api, "GET", "/api/v1/stock", ""), &page)
			var out [][]string
			for _, p := range page.Items {
				for _, d := range p.Depots {
					out = append(out, []string{p.SKU, d.Depot, n(d.OnHand), n(d.Reserved), n(d.Available), n(d.Quarantine),
						n(d.Defective), n(d.Inbound), n(d.OnOrder), n(d.Position.Total), optText(d.ReorderPoint), optText(d.OrderUpTo),
						strconv.FormatBool(d.BelowReorderPoint), strconv.FormatBool(d.Excess)})
				}
			}
			return out
		}},
		{"below the reorder point", "/api/v1/stock?belowReorderPoint=true", "stock", globalStockColumns, func() [][]string {
			return [][]string{{"PN", "D2", "1", "0", "1", "0", "0", "0", "0", "1", "3", "6", "true", "false"}}
		}},
		{"transfers", "/api/v1/transfers", "transfers", transferColumns, func() [][]string {
			var page struct {
				Items []hq.TransferView `json:"items"`
			}
			decode(t, call(t, api, "GET", "/api/v1/transfers", ""), &page)
			var out [][]string
			for _, v := range page.Items {
				for _, l := range v.Lines {
					out = append(out, []string{v.Number, v.From, v.To, string(v.Status), v.Expected, strconv.FormatBool(v.Overdue),
						strconv.FormatBool(v.Differences), l.SKU, n(l.Requested), n(l.Shipped), n(l.Received), n(l.Damaged),
						n(l.Over), n(l.Short), n(l.WrittenOff)})
				}
			}
			return out
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := tc.want()
			if len(want) == 0 {
				t.Fatal("the JSON holds no rows: the comparison proves nothing")
			}
			for _, f := range []export.Format{export.CSV, export.XLSX} {
				sep := "?"
				if strings.Contains(tc.path, "?") {
					sep = "&"
				}
				w := call(t, api, "GET", tc.path+sep+"format="+string(f), "")
				if w.Code != http.StatusOK || w.Header().Get("Content-Type") != f.MediaType() {
					t.Fatalf("%s: %d %s %s", f, w.Code, w.Header().Get("Content-Type"), w.Body)
				}
				file := "HQ-" + tc.file + "-" + time.Now().UTC().Format(time.DateOnly) + "." + string(f)
				if d := w.Header().Get("Content-Disposition"); !strings.Contains(d, `filename="`+file+`"`) {
					t.Errorf("%s: Content-Disposition %q, want %s", f, d, file)
				}
				header, rows := exporttest.Read(t, f, w.Body.Bytes(), tc.cols)
				if !slices.Equal(header, export.Titles(tc.cols)) {
					t.Errorf("%s header %q", f, header)
				}
				if !slices.EqualFunc(rows, want, slices.Equal) {
					t.Errorf("%s rows\n%q\nwant\n%q", f, rows, want)
				}
			}
		})
	}
}

// TestHQExportWalksThePages: the export is not paged: with one part a
// page in JSON, it still holds every part.
func TestHQExportWalksThePages(t *testing.T) {
	api, _ := fixture(t)
	var page struct {
		Items []hq.PartStock `json:"items"`
		Next  string         `json:"next"`
	}
	decode(t, call(t, api, "GET", "/api/v1/stock?limit=1", ""), &page)
	if len(page.Items) != 1 || page.Next == "" {
		t.Fatalf("page %+v", page)
	}
	w := call(t, api, "GET", "/api/v1/stock?format=csv&limit=2", "")
	_, rows := exporttest.Read(t, export.CSV, w.Body.Bytes(), globalStockColumns)
	var skus []string
	for _, r := range rows {
		if len(skus) == 0 || skus[len(skus)-1] != r[0] {
			skus = append(skus, r[0])
		}
	}
	if !slices.Equal(skus, []string{"PN", "PS"}) {
		t.Errorf("parts %v, want PN and PS", skus)
	}
	w = call(t, api, "GET", "/api/v1/stock?format=xlsx&after=PN", "")
	if _, rows := exporttest.Read(t, export.XLSX, w.Body.Bytes(), globalStockColumns); len(rows) == 0 || rows[0][0] != "PS" {
		t.Errorf("after PN: %q", rows)
	}
}

// TestHQExportRefusals: a bad format or filter is invalid_request, as in
// JSON, and no attachment; a viewer may export, like reading.
func TestHQExportRefusals(t *testing.T) {
	api, _ := fixture(t)
	for _, tc := range []struct{ path, field string }{
		{"/api/v1/stock?format=pdf", "format"},
		{"/api/v1/transfers?format=CSV", "format"},
		{"/api/v1/stock?format=csv&limit=0", "limit"},
		{"/api/v1/stock?format=xlsx&excess=yes", "excess"},
		{"/api/v1/transfers?format=xlsx&status=lost", "status"},
		{"/api/v1/transfers?format=csv&limit=100001", "limit"},
	} {
		w := call(t, api, "GET", tc.path, "")
		var p Problem
		if w.Code != http.StatusBadRequest || json.Unmarshal(w.Body.Bytes(), &p) != nil || p.Code != string(inventory.CodeInvalid) ||
			p.Field != tc.field || w.Header().Get("Content-Disposition") != "" {
			t.Errorf("%s: %d %s", tc.path, w.Code, w.Body)
		}
	}
	f := newUserFixture(t)
	w := f.do(hreq{method: "GET", path: "/api/v1/transfers?format=csv", token: f.tokens[RoleViewer], header: map[string]string{"Accept-Language": "zh-TW"}})
	if header, _ := exporttest.Read(t, export.CSV, w.Body.Bytes(), transferColumns); w.Code != 200 || header[0] != "調撥" {
		t.Errorf("viewer: %d %q", w.Code, header)
	}
}

// TestHQExportTitlesAreTranslated: every title hqd's exports show is in
// both Chinese catalogues.
func TestHQExportTitlesAreTranslated(t *testing.T) {
	for lang, missing := range i18n.Default().Missing(exportTitles()) {
		for _, m := range missing {
			t.Errorf("catalog/%s/reports.json has no translation of %q", lang, m)
		}
	}
}
