package hqapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/hq"
)

const token = "test-admin-token"

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

type fixedClock time.Time

func (c fixedClock) Now() time.Time { return time.Time(c) }

var day = time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)

func openDepot(t *testing.T, id string) *inventory.Store {
	t.Helper()
	st, err := inventory.Open(inventory.Options{Dir: t.TempDir(), Depot: id, GCInterval: -1, Log: quiet(), Clock: fixedClock(day)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, p := range []inventory.Part{{SKU: "PN"}, {SKU: "PS", Tracking: inventory.TrackSerial}} {
		must(t, st, inventory.Command{Type: inventory.EvPartDefined, Part: &p})
	}
	for _, l := range []inventory.Location{{Code: "A"}, {Code: "Q", Kind: inventory.KindQuarantine}} {
		must(t, st, inventory.Command{Type: inventory.EvLocationDefined, Location: &l})
	}
	return st
}

func must(t *testing.T, st *inventory.Store, c inventory.Command) inventory.Event {
	t.Helper()
	if c.Actor == "" {
		c.Actor = "admin"
	}
	r, err := st.Append(context.Background(), c)
	if err != nil {
		t.Fatalf("%s: %v", c.Type, err)
	}
	return r.Event
}

// feed hands the depot's whole log to HQ in batches of 4, as MQTT would.
func feed(t *testing.T, h *hq.HQ, st *inventory.Store) {
	t.Helper()
	var raws []json.RawMessage
	if err := st.EachRawEvent(0, func(_ uint64, raw []byte) error { raws = append(raws, raw); return nil }); err != nil {
		t.Fatal(err)
	}
	for from := 0; from < len(raws); from += 4 {
		to := min(from+4, len(raws))
		b, _ := json.Marshal(replication.Batch{V: replication.Version, Depot: st.Depot(), Epoch: st.Head().Epoch,
			From: uint64(from + 1), To: uint64(to), Events: raws[from:to]})
		if out := h.HandleEvents(st.Depot(), b); out.Kind != hq.Applied {
			t.Fatalf("%s %d..%d: %+v", st.Depot(), from+1, to, out)
		}
	}
}

// fixture: D1 holds PN 8 in A, 2 in quarantine, serials S1, S2, never
// issued, no policy, and has requested transfer T-1 to D2. D2 holds PN 1
// against minmax 3..6 and has signalled it.
func fixture(t *testing.T) (http.Handler, *inventory.Store) {
	d1, d2 := openDepot(t, "D1"), openDepot(t, "D2")
	must(t, d1, inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PN", Qty: 8, To: "A"},
		{SKU: "PN", Qty: 2, To: "Q"}, {SKU: "PS", Qty: 2, To: "A", Serials: []string{"S1", "S2"}}}})
	must(t, d1, inventory.Command{Type: inventory.EvTransferRequested, Ref: "T-1", Transfer: &inventory.Transfer{Number: "T-1",
		From: "D1", To: "D2", Lines: []inventory.TransferLine{{SKU: "PN", Qty: 1}}}})
	must(t, d2, inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "PN", Qty: 1, To: "A"}}})
	must(t, d2, inventory.Command{Type: inventory.EvReorderPolicySet, Policy: &inventory.ReorderPolicy{SKU: "PN", Method: inventory.MethodMinMax, Min: 3, Max: 6}})
	if err := inventory.NewReorderWatcher(d2, inventory.ReorderWatchOptions{Log: quiet()}).SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	h, err := hq.Open(hq.Options{Dir: t.TempDir(), Log: quiet(), Now: func() time.Time { return day.Add(72 * time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	feed(t, h, d1)
	feed(t, h, d2)
	return New(Options{HQ: h, AdminToken: token, Log: quiet()}), d1
}

func call(t *testing.T, api http.Handler, method, path, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, r)
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	api.ServeHTTP(w, req)
	return w
}

func decode(t *testing.T, w *httptest.ResponseRecorder, into any) {
	t.Helper()
	if w.Code != http.StatusOK {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), into); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
}

// TestDepotStockShape: GET /depots/{id}/stock is exactly
// {"depot": id, "balances": rows} with the depot's own rows, filtered as
// the depot filters; a cut list says "truncated".
func TestDepotStockShape(t *testing.T) {
	api, d1 := fixture(t)
	for _, tc := range []struct {
		query string
		f     inventory.StockFilter
	}{{"", inventory.StockFilter{}}, {"?sku=PN", inventory.StockFilter{SKU: "PN"}}, {"?location=Q", inventory.StockFilter{Location: "Q"}},
		{"?sku=PS&serial=S2", inventory.StockFilter{SKU: "PS", Serial: "S2"}}} {
		var ans map[string]json.RawMessage
		decode(t, call(t, api, "GET", "/api/v1/depots/D1/stock"+tc.query, ""), &ans)
		keys := make([]string, 0, len(ans))
		for k := range ans {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if !reflect.DeepEqual(keys, []string{"balances", "depot"}) || string(ans["depot"]) != `"D1"` {
			t.Fatalf("%q: answer %v", tc.query, ans)
		}
		var got []inventory.Balance
		if err := json.Unmarshal(ans["balances"], &got); err != nil {
			t.Fatal(err)
		}
		want, _ := d1.Stock(tc.f, 1000)
		if !reflect.DeepEqual(got, want) || len(want) == 0 {
			t.Fatalf("%q: HQ %+v, depot %+v", tc.query, got, want)
		}
	}
	var cut struct {
		Balances  []inventory.Balance `json:"balances"`
		Truncated bool                `json:"truncated"`
	}
	decode(t, call(t, api, "GET", "/api/v1/depots/D1/stock?limit=2", ""), &cut)
	if len(cut.Balances) != 2 || !cut.Truncated {
		t.Fatalf("limit 2: %+v", cut)
	}
}

// TestViewRoutes: the global stock, transfers, signals, sites and the
// suggestion they lead to, over HTTP.
func TestViewRoutes(t *testing.T) {
	api, _ := fixture(t)
	var stock struct {
		Items []hq.PartStock `json:"items"`
	}
	decode(t, call(t, api, "GET", "/api/v1/stock?sku=PN", ""), &stock)
	if len(stock.Items) != 1 || len(stock.Items[0].Depots) != 2 {
		t.Fatalf("PN: %+v", stock)
	}
	if d1, d2 := stock.Items[0].Depots[0], stock.Items[0].Depots[1]; d1.Available != 8 || d1.Quarantine != 2 ||
		d2.Position.Total != 1 || !d2.BelowReorderPoint || *d2.ReorderPoint != 3 || *d2.OrderUpTo != 6 {
		t.Fatalf("PN: %+v", stock.Items[0].Depots)
	}
	decode(t, call(t, api, "GET", "/api/v1/stock?belowReorderPoint=true", ""), &stock)
	if len(stock.Items) != 1 || len(stock.Items[0].Depots) != 1 || stock.Items[0].Depots[0].Depot != "D2" {
		t.Fatalf("below: %+v", stock)
	}
	var page struct {
		Items []hq.PartStock `json:"items"`
		Next  string         `json:"next"`
	}
	decode(t, call(t, api, "GET", "/api/v1/stock?limit=1", ""), &page)
	if len(page.Items) != 1 || page.Next != "PN" {
		t.Fatalf("first page: %+v", page)
	}
	decode(t, call(t, api, "GET", "/api/v1/stock?limit=1&after=PN", ""), &page)
	if len(page.Items) != 1 || page.Items[0].SKU != "PS" {
		t.Fatalf("second page: %+v", page)
	}

	var trs struct {
		Items []hq.TransferView `json:"items"`
	}
	decode(t, call(t, api, "GET", "/api/v1/transfers?status=requested&from=D1", ""), &trs)
	if len(trs.Items) != 1 || trs.Items[0].Number != "T-1" || trs.Items[0].Destination != nil {
		t.Fatalf("transfers: %+v", trs)
	}
	var tr hq.TransferView
	decode(t, call(t, api, "GET", "/api/v1/transfers/T-1", ""), &tr)
	if tr.To != "D2" || tr.Status != inventory.TransferRequested || len(tr.Lines) != 1 || tr.Lines[0].Requested != 1 {
		t.Fatalf("T-1: %+v", tr)
	}

	var sig struct {
		Items []hq.Signal `json:"items"`
	}
	decode(t, call(t, api, "GET", "/api/v1/reorder-signals?status=open", ""), &sig)
	if len(sig.Items) != 1 || sig.Items[0].Depot != "D2" || sig.Items[0].SuggestedQty != 5 || !sig.Items[0].Open {
		t.Fatalf("signals: %+v", sig)
	}

	for id, body := range map[string]string{"D1": `{"name":"Lyon","lat":45.764,"lon":4.8357}`, "D2": `{"name":"Paris","lat":48.8566,"lon":2.3522}`} {
		w := call(t, api, "PUT", "/api/v1/depots/"+id+"/site", body)
		if w.Code != http.StatusOK {
			t.Fatalf("PUT site of %s: %d %s", id, w.Code, w.Body)
		}
	}
	var sites struct {
		Items []hq.DepotSite `json:"items"`
	}
	decode(t, call(t, api, "GET", "/api/v1/sites", ""), &sites)
	if len(sites.Items) != 2 || sites.Items[1].Name != "Paris" {
		t.Fatalf("sites: %+v", sites)
	}
	// D2 wants 6 - 1 = 5; D1 has no policy and never issued PN: it gives
	// 5 of its 8 available (quarantine is not given), 392 km away.
	var sg struct {
		Items        []hq.Suggestion `json:"items"`
		NoDemandDays int             `json:"noDemandDays"`
	}
	decode(t, call(t, api, "GET", "/api/v1/suggestions", ""), &sg)
	if len(sg.Items) != 1 || sg.NoDemandDays != hq.DefaultNoDemandDays {
		t.Fatalf("suggestions: %+v", sg)
	}
	if s := sg.Items[0]; s.From != "D1" || s.To != "D2" || s.Qty != 5 || s.Reason != hq.ReasonNoDemand || s.FromAvailableAfter != 3 ||
		s.DistanceKm == nil || *s.DistanceKm < 390 || *s.DistanceKm > 393 {
		t.Fatalf("suggestion %+v (%v km)", s, *s.DistanceKm)
	}
}

// TestViewRefusals: every refusal answers a problem with its stable code
// and changes nothing.
func TestViewRefusals(t *testing.T) {
	api, _ := fixture(t)
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     inventory.Code
		field                    string
	}{
		{"stock of an unknown depot", "GET", "/api/v1/depots/D9/stock", "", 404, hq.CodeUnknownDepot, ""},
		{"a zero limit", "GET", "/api/v1/depots/D1/stock?limit=0", "", 400, inventory.CodeInvalid, "limit"},
		{"a flag that is no bool", "GET", "/api/v1/stock?excess=yes", "", 400, inventory.CodeInvalid, "excess"},
		{"a transfer status that does not exist", "GET", "/api/v1/transfers?status=lost", "", 400, inventory.CodeInvalid, "status"},
		{"an unknown transfer", "GET", "/api/v1/transfers/T-9", "", 404, inventory.CodeNotFound, "number"},
		{"a signal status that does not exist", "GET", "/api/v1/reorder-signals?status=closed", "", 400, inventory.CodeInvalid, "status"},
		{"a negative no-demand window", "GET", "/api/v1/suggestions?noDemandDays=-3", "", 400, inventory.CodeInvalid, "noDemandDays"},
		{"a site with an unknown field", "PUT", "/api/v1/depots/D1/site", `{"name":"x","lat":1,"lon":2,"alt":3}`, 400, inventory.CodeInvalid, "alt"},
		{"a site without its longitude", "PUT", "/api/v1/depots/D1/site", `{"name":"x","lat":1}`, 400, inventory.CodeInvalid, "lon"},
		{"a site off the globe", "PUT", "/api/v1/depots/D1/site", `{"name":"x","lat":91,"lon":2}`, 400, inventory.CodeInvalid, "lat"},
		{"a site that is not JSON", "PUT", "/api/v1/depots/D1/site", `{"name":`, 400, CodeMalformedJSON, ""},
		{"two sites in one body", "PUT", "/api/v1/depots/D1/site", `{"name":"x","lat":1,"lon":2}{}`, 400, CodeMalformedJSON, ""},
		{"a site whose name is a number", "PUT", "/api/v1/depots/D1/site", `{"name":7,"lat":1,"lon":2}`, 400, inventory.CodeInvalid, "name"},
		{"a site of a depot id MQTT cannot carry", "PUT", "/api/v1/depots/D%2B1/site", `{"name":"x","lat":1,"lon":2}`, 400, inventory.CodeInvalid, "depot"},
		{"a site posted", "POST", "/api/v1/depots/D1/site", `{"name":"x","lat":1,"lon":2}`, 405, CodeMethodNotAllowed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := call(t, api, tc.method, tc.path, tc.body)
			var p Problem
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != tc.status || p.Code != string(tc.code) ||
				p.Field != tc.field || w.Header().Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s, want %d %s on %q", w.Code, w.Body, tc.status, tc.code, tc.field)
			}
			var sites struct {
				Items []hq.DepotSite `json:"items"`
			}
			decode(t, call(t, api, "GET", "/api/v1/sites", ""), &sites)
			if len(sites.Items) != 0 {
				t.Fatalf("a refused request stored a site: %+v", sites)
			}
		})
	}
	req := httptest.NewRequest("GET", "/api/v1/depots/D1/stock", nil)
	w := httptest.NewRecorder()
	api.ServeHTTP(w, req)
	if w.Code != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", w.Code)
	}
}

// FuzzDecodeSite: whatever the body, the decoder refuses it with a
// problem code (malformed_json or invalid_request) or returns a site that
// passes its checks and survives a round trip.
func FuzzDecodeSite(f *testing.F) {
	for _, s := range []string{`{"name":"Lyon","lat":45.764,"lon":4.8357}`, `{"name":"x","lat":1}`, `{"name":"x","lat":1,"lon":2,"alt":3}`,
		`{"name":"x","lat":1e400,"lon":2}`, `[]`, `{"name":"\u0000","lat":0,"lon":0}`, `{"name":"x","lat":-90,"lon":180} {}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		site, err := decodeSite(bytes.NewReader(body))
		if err != nil {
			var e *inventory.Error
			if !errors.As(err, &e) || (e.Code != CodeMalformedJSON && e.Code != inventory.CodeInvalid) {
				t.Fatalf("refusal without a problem code: %v", err)
			}
			return
		}
		if err := site.Check(); err != nil {
			t.Fatalf("decoded a site that fails its checks: %+v %v", site, err)
		}
		again, _ := json.Marshal(site)
		back, err := decodeSite(bytes.NewReader(again))
		if err != nil || back != site {
			t.Fatalf("round trip: %+v -> %s -> %+v %v", site, again, back, err)
		}
	})
}
