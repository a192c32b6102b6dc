package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// The seeded fixture's log ends at seq 12 (6 locations, 4 parts, a receipt
// and a reservation).
const seededSeq = 12

type routeCase struct {
	name   string
	req    req
	status int
	code   string // the problem code, for error answers
	field  string // the problem field, when it matters
	writes uint64 // how far the head must move
	check  func(t *testing.T, f *fixture, w *httptest.ResponseRecorder)
}

func runRouteCases(t *testing.T, cases []routeCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			seed(t, f.store)
			before := f.store.Head().Seq
			w := f.do(tc.req)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d; body %s", w.Code, tc.status, w.Body)
			}
			if tc.code != "" {
				p := decodeProblem(t, w)
				if p.Code != tc.code {
					t.Errorf("code %q, want %q (detail %q)", p.Code, tc.code, p.Detail)
				}
				if tc.field != "" && p.Field != tc.field {
					t.Errorf("field %q, want %q", p.Field, tc.field)
				}
			} else if ct := w.Header().Get("Content-Type"); w.Code < 300 && !strings.HasPrefix(ct, "application/json") &&
				!strings.HasPrefix(ct, "text/plain") && ct != "application/octet-stream" {
				t.Errorf("content type %q", ct)
			}
			if got := f.store.Head().Seq - before; got != tc.writes {
				t.Errorf("head moved by %d, want %d", got, tc.writes)
			}
			if tc.check != nil {
				tc.check(t, f, w)
			}
		})
	}
}

func bodyHas(subs ...string) func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
	return func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
		t.Helper()
		for _, s := range subs {
			if !strings.Contains(w.Body.String(), s) {
				t.Errorf("body %s lacks %s", w.Body, s)
			}
		}
	}
}

func skus(t *testing.T, w *httptest.ResponseRecorder) ([]string, string) {
	t.Helper()
	p := decodeJSON[pageOf[inventory.Part]](t, w)
	var out []string
	for _, it := range p.Items {
		out = append(out, it.SKU)
	}
	return out, p.Next
}

func wantPage(want []string, next string) func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
	return func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
		got, gotNext := skus(t, w)
		if !slices.Equal(got, want) || gotNext != next {
			t.Errorf("page %v next %q, want %v next %q", got, gotNext, want, next)
		}
	}
}

func TestSystemRoutes(t *testing.T) {
	runRouteCases(t, []routeCase{
		{name: "healthz", req: req{method: "GET", path: "/healthz"}, status: 200, check: bodyHas(`{"status":"ok"}`)},
		{name: "readyz", req: req{method: "GET", path: "/readyz"}, status: 200,
			check: bodyHas(`{"status":"ready","depot":"DEPOT-T","seq":12}`)},
		{name: "openapi without token", req: req{method: "GET", path: "/api/v1/openapi.json"}, status: 200,
			check: bodyHas(`"openapi": "3.0.3"`)},
		{name: "metrics", req: req{method: "GET", path: "/metrics"}, status: 200,
			check: bodyHas("partsedge_log_head_seq 12", `partsedge_events_appended_total{type="receipt"} 0`)},
		{name: "status", req: req{method: "GET", path: "/api/v1/status", role: RoleAuditor}, status: 200,
			check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
				got := decodeJSON[map[string]any](t, w)
				h := f.store.Head()
				if got["depot"] != "DEPOT-T" || got["seq"] != float64(seededSeq) || got["epoch"] != float64(1) ||
					got["hash"] != h.Hash || got["version"] != "v-test" {
					t.Errorf("status %v", got)
				}
			}},
		{name: "unknown route", req: req{method: "GET", path: "/api/v1/nope", role: RoleAdmin}, status: 404, code: "not_found"},
		{name: "unknown route outside api", req: req{method: "GET", path: "/nope/"}, status: 404, code: "not_found"},
		{name: "method not allowed", req: req{method: "DELETE", path: "/api/v1/parts", role: RoleAdmin}, status: 405,
			code: "method_not_allowed", check: func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
				if a := w.Header().Get("Allow"); !strings.Contains(a, "GET") || !strings.Contains(a, "POST") {
					t.Errorf("Allow %q", a)
				}
			}},
	})
}

func TestReadyzNotReady(t *testing.T) {
	f := newFixture(t)
	f.setReady(false)
	w := f.do(req{method: "GET", path: "/readyz"})
	if w.Code != http.StatusServiceUnavailable || decodeProblem(t, w).Code != "store_closed" {
		t.Fatalf("readyz when not ready: %d %s", w.Code, w.Body)
	}
}

func TestPartRoutes(t *testing.T) {
	runRouteCases(t, []routeCase{
		{name: "list", req: req{method: "GET", path: "/api/v1/parts", role: RoleAuditor}, status: 200,
			check: wantPage([]string{"P-LOT", "P-NONE", "P-SER", "P/SLASH"}, "")},
		{name: "list first page", req: req{method: "GET", path: "/api/v1/parts?limit=2", role: RoleEngineer}, status: 200,
			check: wantPage([]string{"P-LOT", "P-NONE"}, "P-NONE")},
		{name: "list last page", req: req{method: "GET", path: "/api/v1/parts?after=P-NONE&limit=2", role: RoleEngineer}, status: 200,
			check: wantPage([]string{"P-SER", "P/SLASH"}, "")},
		{name: "list limit zero", req: req{method: "GET", path: "/api/v1/parts?limit=0", role: RoleAdmin}, status: 400,
			code: "invalid_request", field: "limit"},
		{name: "list limit too big", req: req{method: "GET", path: "/api/v1/parts?limit=501", role: RoleAdmin}, status: 400,
			code: "invalid_request", field: "limit"},
		{name: "get", req: req{method: "GET", path: "/api/v1/parts/P-NONE", role: RolePlanner}, status: 200,
			check: bodyHas(`"sku":"P-NONE"`, `"gtins":["05901234123457"]`, `"aliases":["SUP-1"]`)},
		{name: "get escaped slash", req: req{method: "GET", path: "/api/v1/parts/P%2FSLASH", role: RolePlanner}, status: 200,
			check: bodyHas(`"sku":"P/SLASH"`)},
		{name: "get missing", req: req{method: "GET", path: "/api/v1/parts/NOPE", role: RolePlanner}, status: 404,
			code: "not_found", field: "part"},
		{name: "lookup GTIN-13", req: req{method: "GET", path: "/api/v1/parts/lookup?code=5901234123457", role: RoleStorekeeper},
			status: 200, check: bodyHas(`"sku":"P-NONE"`)},
		{name: "lookup alias", req: req{method: "GET", path: "/api/v1/parts/lookup?code=SUP-1", role: RoleStorekeeper},
			status: 200, check: bodyHas(`"sku":"P-NONE"`)},
		{name: "lookup sku", req: req{method: "GET", path: "/api/v1/parts/lookup?code=P-SER", role: RoleStorekeeper},
			status: 200, check: bodyHas(`"sku":"P-SER"`)},
		{name: "lookup without code", req: req{method: "GET", path: "/api/v1/parts/lookup", role: RoleStorekeeper},
			status: 400, code: "invalid_request", field: "code"},
		{name: "lookup unknown", req: req{method: "GET", path: "/api/v1/parts/lookup?code=4006381333931", role: RoleStorekeeper},
			status: 404, code: "not_found"},
		{name: "define by admin", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NEW","description":"Door gasket","gtins":["4006381333931"]}`}, status: 201, writes: 1,
			check: func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
				got := decodeJSON[struct {
					Part  inventory.Part
					Event inventory.Event
				}](t, w)
				if got.Part.SKU != "P-NEW" || got.Part.Unit != "ea" || got.Part.Tracking != inventory.TrackNone ||
					got.Event.Type != inventory.EvPartDefined || got.Event.Seq != seededSeq+1 || got.Event.Actor != "admin-user" {
					t.Errorf("answer %+v", got)
				}
				if l := w.Header().Get("Location"); l != "/api/v1/events/13" {
					t.Errorf("Location %q", l)
				}
			}},
		{name: "define by planner", req: req{method: "POST", path: "/api/v1/parts", role: RolePlanner,
			body: `{"sku":"P-NEW","unit":"mm"}`}, status: 201, writes: 1},
		{name: "update", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NONE","description":"Run capacitor 35uF 450V","supersededBy":"P-NEW"}`}, status: 201, writes: 1,
			check: bodyHas(`"supersededBy":"P-NEW"`)},
		{name: "define by storekeeper", req: req{method: "POST", path: "/api/v1/parts", role: RoleStorekeeper,
			body: `{"sku":"P-NEW"}`}, status: 403, code: "forbidden"},
		{name: "forbidden before parsing", req: req{method: "POST", path: "/api/v1/parts", role: RoleEngineer,
			body: `{"sku":`}, status: 403, code: "forbidden"},
		{name: "bad GTIN", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NEW","gtins":["5901234123458"]}`}, status: 400, code: "invalid_request", field: "part.gtins[0]"},
		{name: "alias taken", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NEW","aliases":["SUP-1"]}`}, status: 409, code: "alias_taken"},
		{name: "tracking change with stock", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NONE","tracking":"lot"}`}, status: 409, code: "has_stock", field: "part.tracking"},
		{name: "unknown field", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NEW","colour":"red"}`}, status: 400, code: "invalid_request", field: "colour"},
		{name: "wrong JSON type", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":5}`}, status: 400, code: "invalid_request", field: "sku"},
		{name: "not an object", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `["P-NEW"]`}, status: 400, code: "invalid_request"},
		{name: "malformed", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":`}, status: 400, code: "malformed_json"},
		{name: "syntax error", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku" "P"}`}, status: 400, code: "malformed_json"},
		{name: "trailing data", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NEW"} {"sku":"P-NEW2"}`}, status: 400, code: "malformed_json"},
		{name: "empty body", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: ``}, status: 400, code: "malformed_json"},
		{name: "not JSON", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `sku=P-NEW`, contentType: "application/x-www-form-urlencoded"}, status: 415, code: "unsupported_media_type"},
		{name: "JSON with charset", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NEW"}`, contentType: "Application/JSON; charset=utf-8"}, status: 201, writes: 1},
		{name: "too large", req: req{method: "POST", path: "/api/v1/parts", role: RoleAdmin,
			body: `{"sku":"P-NEW","description":"` + strings.Repeat("x", 1<<20) + `"}`}, status: 413, code: "body_too_large"},
	})
}

func TestLocationRoutes(t *testing.T) {
	runRouteCases(t, []routeCase{
		{name: "list", req: req{method: "GET", path: "/api/v1/locations", role: RoleAuditor}, status: 200,
			check: bodyHas(`"code":"A-01"`, `"code":"VAN-1","kind":"van"`)},
		{name: "list page", req: req{method: "GET", path: "/api/v1/locations?after=A-02&limit=1", role: RoleAuditor}, status: 200,
			check: bodyHas(`{"items":[{"code":"DEF-01","kind":"defective"}],"next":"DEF-01"}`)},
		{name: "list bad limit", req: req{method: "GET", path: "/api/v1/locations?limit=x", role: RoleAuditor}, status: 400,
			code: "invalid_request", field: "limit"},
		{name: "get", req: req{method: "GET", path: "/api/v1/locations/VAN-1", role: RoleEngineer}, status: 200,
			check: bodyHas(`{"code":"VAN-1","kind":"van"}`)},
		{name: "get missing", req: req{method: "GET", path: "/api/v1/locations/Z-99", role: RoleEngineer}, status: 404,
			code: "not_found", field: "location"},
		{name: "define", req: req{method: "POST", path: "/api/v1/locations", role: RoleAdmin,
			body: `{"code":"B-01","zone":"B","description":"Bay B shelf 1"}`}, status: 201, writes: 1,
			check: bodyHas(`"location":{"code":"B-01","kind":"stock","description":"Bay B shelf 1","zone":"B"}`,
				`"type":"location-defined"`)},
		{name: "define by planner", req: req{method: "POST", path: "/api/v1/locations", role: RolePlanner,
			body: `{"code":"B-01"}`}, status: 403, code: "forbidden"},
		{name: "bad kind", req: req{method: "POST", path: "/api/v1/locations", role: RoleAdmin,
			body: `{"code":"B-01","kind":"shelf"}`}, status: 400, code: "invalid_request", field: "location.kind"},
		{name: "kind change with stock", req: req{method: "POST", path: "/api/v1/locations", role: RoleAdmin,
			body: `{"code":"A-01","kind":"defective"}`}, status: 409, code: "has_stock"},
	})
}

func TestStockRoutes(t *testing.T) {
	count := func(n int, seq uint64, truncated bool) func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
		return func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
			got := decodeJSON[stockAnswer](t, w)
			if len(got.Items) != n || got.Seq != seq || got.Truncated != truncated {
				t.Errorf("got %d rows at seq %d truncated %v, want %d at %d truncated %v: %s",
					len(got.Items), got.Seq, got.Truncated, n, seq, truncated, w.Body)
			}
		}
	}
	runRouteCases(t, []routeCase{
		{name: "all", req: req{method: "GET", path: "/api/v1/stock", role: RoleAuditor}, status: 200, check: count(4, seededSeq, false)},
		{name: "by sku", req: req{method: "GET", path: "/api/v1/stock?sku=P-NONE", role: RoleEngineer}, status: 200,
			check: bodyHas(`{"items":[{"sku":"P-NONE","location":"A-01","onHand":10,"reserved":3,"available":7}],"seq":12}`)},
		{name: "by location", req: req{method: "GET", path: "/api/v1/stock?location=A-01", role: RoleEngineer}, status: 200,
			check: count(4, seededSeq, false)},
		{name: "by serial", req: req{method: "GET", path: "/api/v1/stock?sku=P-SER&serial=S2", role: RoleEngineer}, status: 200,
			check: bodyHas(`"serial":"S2"`)},
		{name: "by lot", req: req{method: "GET", path: "/api/v1/stock?sku=P-LOT&lot=L1", role: RoleEngineer}, status: 200,
			check: bodyHas(`"lot":"L1","onHand":5`)},
		{name: "empty location", req: req{method: "GET", path: "/api/v1/stock?location=A-02", role: RoleEngineer}, status: 200,
			check: bodyHas(`{"items":[],"seq":12}`)},
		{name: "limit", req: req{method: "GET", path: "/api/v1/stock?limit=2", role: RoleAuditor}, status: 200, check: count(2, seededSeq, true)},
		{name: "as of before the receipt", req: req{method: "GET", path: "/api/v1/stock?asOf=10", role: RolePlanner}, status: 200,
			check: count(0, 10, false)},
		{name: "as of before the reservation", req: req{method: "GET", path: "/api/v1/stock?asOf=11&sku=P-NONE", role: RolePlanner},
			status: 200, check: bodyHas(`"onHand":10,"reserved":0,"available":10`)},
		{name: "as of the future", req: req{method: "GET", path: "/api/v1/stock?asOf=99", role: RolePlanner}, status: 400,
			code: "invalid_request", field: "asOf"},
		{name: "as of garbage", req: req{method: "GET", path: "/api/v1/stock?asOf=yesterday", role: RolePlanner}, status: 400,
			code: "invalid_request", field: "asOf"},
		{name: "bad limit", req: req{method: "GET", path: "/api/v1/stock?limit=10001", role: RolePlanner}, status: 400,
			code: "invalid_request", field: "limit"},
	})
}

func post(role string, body string) req {
	return req{method: "POST", path: "/api/v1/events", role: role, body: body}
}

func TestEventRoutes(t *testing.T) {
	events := func(seqs []uint64, next string) func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
		return func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
			var got struct {
				Items []inventory.Event `json:"items"`
				Next  json.RawMessage   `json:"next"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			var s []uint64
			for _, e := range got.Items {
				s = append(s, e.Seq)
			}
			if !slices.Equal(s, seqs) || string(got.Next) != next {
				t.Errorf("events %v next %s, want %v next %s", s, got.Next, seqs, next)
			}
		}
	}
	runRouteCases(t, []routeCase{
		{name: "list", req: req{method: "GET", path: "/api/v1/events", role: RoleAuditor}, status: 200,
			check: events([]uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, "")},
		{name: "list page", req: req{method: "GET", path: "/api/v1/events?after=10&limit=1", role: RoleAuditor}, status: 200,
			check: events([]uint64{11}, "11")},
		{name: "list to the end", req: req{method: "GET", path: "/api/v1/events?after=11&limit=1", role: RoleAuditor}, status: 200,
			check: events([]uint64{12}, "")},
		{name: "list past the end", req: req{method: "GET", path: "/api/v1/events?after=12", role: RoleAuditor}, status: 200,
			check: bodyHas(`{"items":[]}`)},
		{name: "list bad after", req: req{method: "GET", path: "/api/v1/events?after=-1", role: RoleAuditor}, status: 400,
			code: "invalid_request", field: "after"},
		{name: "list limit too big", req: req{method: "GET", path: "/api/v1/events?limit=1001", role: RoleAuditor}, status: 400,
			code: "invalid_request", field: "limit"},
		{name: "get", req: req{method: "GET", path: "/api/v1/events/11", role: RoleAuditor}, status: 200,
			check: bodyHas(`"seq":11`, `"type":"receipt"`, `"actor":"setup"`)},
		{name: "get missing", req: req{method: "GET", path: "/api/v1/events/99", role: RoleAuditor}, status: 404, code: "not_found"},
		{name: "get bad seq", req: req{method: "GET", path: "/api/v1/events/x", role: RoleAuditor}, status: 400,
			code: "invalid_request", field: "seq"},
		{name: "receipt", req: post(RoleStorekeeper, `{"type":"receipt","ref":"PO-2","lines":[{"sku":"P-NONE","qty":4,"to":"A-02"}]}`),
			status: 201, writes: 1, check: func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
				got := decodeJSON[struct{ Event inventory.Event }](t, w)
				if got.Event.Seq != seededSeq+1 || got.Event.Actor != "storekeeper-user" || got.Event.Type != inventory.EvReceipt ||
					got.Event.Hash == "" || got.Event.Depot != "DEPOT-T" {
					t.Errorf("event %+v", got.Event)
				}
				if w.Header().Get("Idempotent-Replayed") != "" {
					t.Error("a first answer is marked replayed")
				}
			}},
		{name: "issue by engineer", req: post(RoleEngineer,
			`{"type":"issue","ref":"WO-1","lines":[{"sku":"P-NONE","qty":2,"from":"A-01","fromReserved":true}]}`),
			status: 201, writes: 1},
		{name: "receipt by procurement", req: post(RoleProcurement,
			`{"type":"receipt","ref":"PO-2","lines":[{"sku":"P-LOT","qty":500,"to":"Q-01","lot":"L2","expiry":"2031-06-30"}]}`),
			status: 201, writes: 1},
		{name: "part through events by planner", req: post(RolePlanner, `{"type":"part-defined","part":{"sku":"P-NEW"}}`),
			status: 201, writes: 1},
		{name: "receipt by engineer", req: post(RoleEngineer, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`),
			status: 403, code: "forbidden", field: "type"},
		{name: "location by planner", req: post(RolePlanner, `{"type":"location-defined","location":{"code":"X"}}`),
			status: 403, code: "forbidden"},
		{name: "anything by auditor", req: post(RoleAuditor, `{"type":"issue","ref":"WO-1","lines":[{"sku":"P-NONE","qty":1,"from":"A-01"}]}`),
			status: 403, code: "forbidden"},
		{name: "unknown type", req: post(RoleEngineer, `{"type":"teleport","lines":[{"sku":"P-NONE","qty":1}]}`),
			status: 400, code: "invalid_request", field: "type"},
		{name: "zero quantity", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":0,"to":"A-01"}]}`),
			status: 400, code: "invalid_request", field: "lines[0].qty"},
		{name: "actor in body", req: post(RoleStorekeeper, `{"type":"receipt","actor":"admin","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`),
			status: 400, code: "invalid_request", field: "actor"},
		{name: "quantity as text", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":"1","to":"A-01"}]}`),
			status: 400, code: "invalid_request", field: "lines.qty"},
		{name: "unknown part", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-X","qty":1,"to":"A-01"}]}`),
			status: 422, code: "unknown_part", field: "lines[0].sku"},
		{name: "unknown location", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":1,"to":"Z-9"}]}`),
			status: 422, code: "unknown_location", field: "lines[0].to"},
		{name: "unknown lot", req: post(RoleStorekeeper, `{"type":"issue","ref":"WO-2","lines":[{"sku":"P-LOT","qty":1,"from":"A-01","lot":"L9"}]}`),
			status: 422, code: "unknown_lot"},
		{name: "serials missing", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-SER","qty":1,"to":"A-01"}]}`),
			status: 422, code: "tracking_mismatch"},
		{name: "receipt into defective", req: post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":1,"to":"DEF-01"}]}`),
			status: 422, code: "wrong_location_kind", field: "lines[0].to"},
		{name: "lot with another expiry", req: post(RoleStorekeeper,
			`{"type":"receipt","lines":[{"sku":"P-LOT","qty":1,"to":"A-01","lot":"L1","expiry":"2031-01-01"}]}`),
			status: 422, code: "lot_expiry_mismatch"},
		{name: "more than available", req: post(RoleEngineer, `{"type":"issue","ref":"WO-2","lines":[{"sku":"P-NONE","qty":8,"from":"A-01"}]}`),
			status: 409, code: "insufficient_stock"},
		{name: "more than reserved", req: post(RoleEngineer, `{"type":"unreserve","lines":[{"sku":"P-NONE","qty":4,"location":"A-01"}]}`),
			status: 409, code: "insufficient_reserved"},
		{name: "serial already here", req: post(RoleStorekeeper,
			`{"type":"receipt","lines":[{"sku":"P-SER","qty":1,"to":"A-02","serials":["S1"]}]}`),
			status: 409, code: "serial_conflict"},
		{name: "serial elsewhere", req: post(RoleEngineer,
			`{"type":"issue","ref":"WO-3","lines":[{"sku":"P-SER","qty":1,"from":"A-02","serials":["S1"]}]}`),
			status: 409, code: "serial_not_at_location"},
	})
}

func TestSerialRoutes(t *testing.T) {
	runRouteCases(t, []routeCase{
		{name: "history", req: req{method: "GET", path: "/api/v1/serials/P-SER/S1", role: RoleEngineer}, status: 200,
			check: func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
				h := decodeJSON[inventory.SerialHistory](t, w)
				if h.SKU != "P-SER" || h.Serial != "S1" || h.Location != "A-01" || len(h.Events) != 1 || h.Events[0].Seq != 11 {
					t.Errorf("history %+v", h)
				}
			}},
		{name: "unknown serial", req: req{method: "GET", path: "/api/v1/serials/P-SER/S9", role: RoleEngineer}, status: 404,
			code: "not_found"},
	})
}

func TestUserRoutes(t *testing.T) {
	tokenWorks := func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
		t.Helper()
		got := decodeJSON[struct{ Token string }](t, w)
		if len(got.Token) != 43 {
			t.Errorf("token %q is not 32 bytes in base64url", got.Token)
		}
		if r := f.do(req{method: "GET", path: "/api/v1/status", token: got.Token}); r.Code != 200 {
			t.Errorf("the new token does not work: %d %s", r.Code, r.Body)
		}
	}
	runRouteCases(t, []routeCase{
		{name: "list", req: req{method: "GET", path: "/api/v1/users", role: RoleAdmin}, status: 200,
			check: bodyHas(`"name":"admin-user","role":"admin"`, `"name":"storekeeper-user","role":"storekeeper"`)},
		{name: "list by storekeeper", req: req{method: "GET", path: "/api/v1/users", role: RoleStorekeeper}, status: 403, code: "forbidden"},
		{name: "create", req: req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"kim","role":"engineer"}`},
			status: 201, check: func(t *testing.T, f *fixture, w *httptest.ResponseRecorder) {
				tokenWorks(t, f, w)
				if !strings.Contains(w.Body.String(), `"user":{"name":"kim","role":"engineer","created":"2026-03-02T09:30:00Z"}`) {
					t.Errorf("body %s", w.Body)
				}
				if u, err := f.store.User("kim"); err != nil || u.Role != RoleEngineer {
					t.Errorf("stored user %+v, %v", u, err)
				}
			}},
		{name: "create existing", req: req{method: "POST", path: "/api/v1/users", role: RoleAdmin,
			body: `{"name":"auditor-user","role":"admin"}`}, status: 409, code: "user_exists", field: "name",
			check: func(t *testing.T, f *fixture, _ *httptest.ResponseRecorder) {
				if u, _ := f.store.User("auditor-user"); u.Role != RoleAuditor {
					t.Errorf("the existing user was changed: %+v", u)
				}
			}},
		{name: "create with bad role", req: req{method: "POST", path: "/api/v1/users", role: RoleAdmin,
			body: `{"name":"kim","role":"boss"}`}, status: 400, code: "invalid_request", field: "role"},
		{name: "create without name", req: req{method: "POST", path: "/api/v1/users", role: RoleAdmin,
			body: `{"role":"engineer"}`}, status: 400, code: "invalid_request", field: "name"},
		{name: "create without body", req: req{method: "POST", path: "/api/v1/users", role: RoleAdmin},
			status: 400, code: "malformed_json"},
		{name: "create as text", req: req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `kim`, contentType: "text/plain"},
			status: 415, code: "unsupported_media_type"},
		{name: "create by planner", req: req{method: "POST", path: "/api/v1/users", role: RolePlanner,
			body: `{"name":"kim","role":"admin"}`}, status: 403, code: "forbidden"},
		{name: "token", req: req{method: "POST", path: "/api/v1/users/engineer-user/tokens", role: RoleAdmin}, status: 201,
			check: tokenWorks},
		{name: "token with empty object", req: req{method: "POST", path: "/api/v1/users/engineer-user/tokens", role: RoleAdmin, body: `{}`},
			status: 201, check: tokenWorks},
		{name: "token with fields", req: req{method: "POST", path: "/api/v1/users/engineer-user/tokens", role: RoleAdmin,
			body: `{"expires":"never"}`}, status: 400, code: "invalid_request", field: "expires"},
		{name: "token for nobody", req: req{method: "POST", path: "/api/v1/users/nobody/tokens", role: RoleAdmin}, status: 404,
			code: "not_found"},
		{name: "token by engineer", req: req{method: "POST", path: "/api/v1/users/engineer-user/tokens", role: RoleEngineer},
			status: 403, code: "forbidden"},
	})
}

func TestAdminRoutes(t *testing.T) {
	runRouteCases(t, []routeCase{
		{name: "verify", req: req{method: "POST", path: "/api/v1/admin/verify", role: RoleAdmin}, status: 200,
			check: func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
				r := decodeJSON[inventory.VerifyReport](t, w)
				if !r.OK || r.Events != seededSeq || r.Depot != "DEPOT-T" || len(r.Problems) != 0 {
					t.Errorf("report %+v", r)
				}
			}},
		{name: "verify by auditor", req: req{method: "POST", path: "/api/v1/admin/verify", role: RoleAuditor}, status: 403, code: "forbidden"},
		{name: "backup", req: req{method: "GET", path: "/api/v1/admin/backup", role: RoleAdmin}, status: 200,
			check: func(t *testing.T, _ *fixture, w *httptest.ResponseRecorder) {
				if cd := w.Header().Get("Content-Disposition"); cd != `attachment; filename="DEPOT-T-12.pebak"` {
					t.Errorf("Content-Disposition %q", cd)
				}
				if ct := w.Header().Get("Content-Type"); ct != "application/octet-stream" {
					t.Errorf("Content-Type %q", ct)
				}
				dir := filepath.Join(t.TempDir(), "restored")
				hdr, epoch, err := inventory.Restore(dir, bytes.NewReader(w.Body.Bytes()), nil, inventory.Options{GCInterval: -1})
				if err != nil || hdr.Seq != seededSeq || hdr.Depot != "DEPOT-T" || epoch != 2 {
					t.Fatalf("restore: %+v epoch %d: %v", hdr, epoch, err)
				}
			}},
		{name: "backup by storekeeper", req: req{method: "GET", path: "/api/v1/admin/backup", role: RoleStorekeeper}, status: 403,
			code: "forbidden"},
	})
}
