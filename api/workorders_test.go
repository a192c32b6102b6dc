package api

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// seedWO adds work order WO-10 (after seed): line 1 two P-NONE
// (chargeable, reserved at A-01), line 2 one P-SER (warranty, S1 reserved)
// and line 3 one P/SLASH, of which the depot has none (it awaits parts).
func seedWO(t testing.TB, st *inventory.Store) {
	t.Helper()
	_, err := st.Append(context.Background(), inventory.Command{Type: inventory.EvWOCreated, Actor: "seed", Ref: "WO-10",
		WorkOrder: &inventory.WorkOrder{Engineer: "engineer-user", Lines: []inventory.WOLine{
			{Line: 1, SKU: "P-NONE", Qty: 2}, {Line: 2, SKU: "P-SER", Qty: 1, Billing: inventory.BillingWarranty},
			{Line: 3, SKU: "P/SLASH", Qty: 1}}}})
	if err != nil {
		t.Fatalf("seed work order: %v", err)
	}
}

func mkWO(t *testing.T, f *fixture) { seedWO(t, f.store) }

func issueReq(role, body string) req {
	return req{method: "POST", path: "/api/v1/issues", role: role, body: body}
}

func returnReq(role, body string) req {
	return req{method: "POST", path: "/api/v1/returns", role: role, body: body}
}

// TestWorkOrderRoutes walks a work order through the API: created by a
// planner, picked by an engineer and a storekeeper, returned, closed; and
// every refusal on the way writes nothing.
func TestWorkOrderRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedWO(t, f.store)
	for _, tc := range []routeStep{
		{"list", req{method: "GET", path: "/api/v1/work-orders?status=open&engineer=engineer-user", role: RoleAuditor}, 200, ""},
		{"bad status", req{method: "GET", path: "/api/v1/work-orders?status=lost", role: RoleAuditor}, 400, "invalid_request"},
		{"unknown", req{method: "GET", path: "/api/v1/work-orders/WO-404", role: RoleAuditor}, 404, "not_found"},
		{"unknown pick list", req{method: "GET", path: "/api/v1/work-orders/WO-404/pick-list", role: RoleAuditor}, 404, "not_found"},
		{"storekeeper creates", req{method: "POST", path: "/api/v1/work-orders", role: RoleStorekeeper,
			body: `{"number":"WO-11","engineer":"e","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`}, 403, "forbidden"},
		{"number taken", req{method: "POST", path: "/api/v1/work-orders", role: RolePlanner,
			body: `{"number":"WO-10","engineer":"e","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`}, 409, "document_exists"},
		{"bad billing", req{method: "POST", path: "/api/v1/work-orders", role: RolePlanner,
			body: `{"number":"WO-11","engineer":"e","lines":[{"line":1,"sku":"P-NONE","qty":1,"billing":"free"}]}`}, 400, "invalid_request"},
		{"unknown field", req{method: "POST", path: "/api/v1/work-orders", role: RolePlanner,
			body: `{"number":"WO-11","engineer":"e","lines":[],"x":1}`}, 400, "invalid_request"},
		{"auditor issues", issueReq(RoleAuditor, `{"workOrder":"WO-10","sku":"P-NONE"}`), 403, "forbidden"},
		{"issue without order", issueReq(RoleEngineer, `{"sku":"P-NONE"}`), 400, "invalid_request"},
		{"issue on unknown order", issueReq(RoleEngineer, `{"workOrder":"WO-404","sku":"P-NONE"}`), 404, "not_found"},
		{"wrong part", issueReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-LOT","lot":"L1"}`), 422, "not_on_work_order"},
		{"over-pick", issueReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-NONE","qty":3}`), 422, "over_pick"},
		{"serial not in the depot", issueReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-SER","serials":["S9"]}`), 409, "serial_not_at_location"},
		{"pick two", issueReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-NONE","qty":2}`), 201, ""},
		{"pick the other serial", issueReq(RoleStorekeeper, `{"workOrder":"WO-10","sku":"P-SER","serials":["S2"]}`), 201, ""},
		{"return unissued", returnReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-LOT","lot":"L1","qty":1,"condition":"good","to":"A-01"}`), 422, "not_issued"},
		{"return too many", returnReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-NONE","qty":3,"condition":"good","to":"A-01"}`), 422, "not_issued"},
		{"return to no order", returnReq(RoleEngineer, `{"sku":"P-NONE","qty":1,"condition":"good","to":"A-01"}`), 400, "invalid_request"},
		{"return to unknown order", returnReq(RoleEngineer, `{"workOrder":"WO-404","sku":"P-NONE","qty":1,"condition":"good","to":"A-01"}`), 404, "not_found"},
		{"defective into a bin", returnReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-SER","serials":["OLD-1"],"condition":"defective","to":"A-01"}`), 422, "wrong_location_kind"},
		{"auditor returns", returnReq(RoleAuditor, `{"workOrder":"WO-10","sku":"P-NONE","qty":1,"condition":"good","to":"A-01"}`), 403, "forbidden"},
		{"return one unused", returnReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-NONE","qty":1,"condition":"good","to":"A-02"}`), 201, ""},
		{"defective old part", returnReq(RoleStorekeeper, `{"workOrder":"WO-10","sku":"P-SER","serials":["OLD-1"],"condition":"defective","to":"DEF-01"}`), 201, ""},
		{"engineer closes", req{method: "POST", path: "/api/v1/work-orders/WO-10/close", role: RoleEngineer, body: `{}`}, 403, "forbidden"},
		{"planner closes", req{method: "POST", path: "/api/v1/work-orders/WO-10/close", role: RolePlanner, body: `{"note":"done"}`}, 200, ""},
		{"closed again", req{method: "POST", path: "/api/v1/work-orders/WO-10/close", role: RolePlanner, body: `{}`}, 409, "document_closed"},
		{"pick on closed", issueReq(RoleEngineer, `{"workOrder":"WO-10","sku":"P-NONE"}`), 409, "document_closed"},
	} {
		tc.check(t, f)
	}
	var wo workOrderView
	w := f.do(req{method: "GET", path: "/api/v1/work-orders/WO-10", role: RoleEngineer})
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &wo) != nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if wo.Status != inventory.WOClosed || wo.Lines[0].Issued != 2 || wo.Lines[1].Issued != 1 ||
		wo.Lines[1].Issues[0].Serials[0] != "S2" || len(wo.Mismatches) != 1 || wo.Mismatches[0].Billing != inventory.BillingWarranty {
		t.Fatalf("work order %+v", wo)
	}
	w = f.do(req{method: "GET", path: "/api/v1/return-mismatches", role: RoleAuditor})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"mismatch":"serial_not_issued: OLD-1"`) {
		t.Fatalf("mismatches %d %s", w.Code, w.Body)
	}
	// S1 was reserved; picking S2 instead released it.
	if rows, _ := f.store.Stock(inventory.StockFilter{SKU: "P-SER", Serial: "S1"}, 1); len(rows) != 1 || rows[0].Reserved != 0 {
		t.Fatalf("S1 %+v", rows)
	}
	rep, err := f.store.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify %v %v", err, rep.Problems)
	}
}

func TestWorkOrderCreateAndPickList(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	w := f.do(req{method: "POST", path: "/api/v1/work-orders", role: RolePlanner, header: map[string]string{"Idempotency-Key": "wo-1"},
		body: `{"number":"WO-20","engineer":"kim","serviceRequest":"SR-1","lines":[{"line":1,"sku":"P-NONE","qty":9},{"line":2,"sku":"P-LOT","qty":2}]}`})
	if w.Code != 201 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var created struct {
		Reservations []inventory.Line `json:"reservations"`
	}
	json.Unmarshal(w.Body.Bytes(), &created)
	// 7 of 10 P-NONE are available (3 are held for WO-1), 2 of P-LOT.
	if len(created.Reservations) != 2 || created.Reservations[0].Qty != 7 {
		t.Fatalf("reservations %+v", created.Reservations)
	}
	checkReplayed(t, f, "replay", req{method: "POST", path: "/api/v1/work-orders", role: RolePlanner, header: map[string]string{"Idempotency-Key": "wo-1"},
		body: `{"number":"WO-20","engineer":"kim","serviceRequest":"SR-1","lines":[{"line":1,"sku":"P-NONE","qty":9},{"line":2,"sku":"P-LOT","qty":2}]}`}, 201)
	pl := decodeJSON[inventory.PickList](t, f.do(req{method: "GET", path: "/api/v1/work-orders/WO-20/pick-list", role: RoleEngineer}))
	if len(pl.Lines) != 2 || pl.Lines[0].Location != "A-01" || pl.Lines[1].Expiry != "2030-01-01" ||
		len(pl.Awaiting) != 1 || pl.Awaiting[0].Qty != 2 {
		t.Fatalf("pick list %+v", pl)
	}
	// A retried pick gets the first answer and books nothing more.
	pick := withKey(issueReq(RoleEngineer, `{"workOrder":"WO-20","sku":"P-NONE","qty":4}`), "pick-1")
	if w := f.do(pick); w.Code != 201 {
		t.Fatalf("pick %d %s", w.Code, w.Body)
	}
	head := f.store.Head().Seq
	checkReplayed(t, f, "repeat pick", pick, 201)
	// After a restart the answer cache is empty: the store's record answers,
	// and the key with another request is refused.
	f.srv = newServer(Config{Store: f.store, Clock: f.clock})
	checkReplayed(t, f, "repeat pick after a restart", pick, 201)
	other := withKey(issueReq(RoleEngineer, `{"workOrder":"WO-20","sku":"P-LOT","qty":1}`), "pick-1")
	if w := f.do(other); w.Code != 422 || decodeProblem(t, w).Code != "idempotency_key_reused" || f.store.Head().Seq != head {
		t.Fatalf("reused key %d %s", w.Code, w.Body)
	}
}

// FuzzWorkOrderBodies posts arbitrary bodies to the issue and return
// routes of a depot with a work order. Whatever arrives, the answer is
// never a server error, and a refusal writes nothing.
func FuzzWorkOrderBodies(f *testing.F) {
	for _, s := range []string{
		`{"workOrder":"WO-10","sku":"P-NONE","qty":1}`,
		`{"workOrder":"WO-10","sku":"P-SER","serials":["S1"]}`,
		`{"workOrder":"WO-10","sku":"P-SER","serials":["OLD"],"condition":"defective","to":"DEF-01"}`,
		`{"workOrder":"WO-10","sku":"P-NONE","qty":-1,"condition":"good","to":"A-01"}`,
		`{"workOrder":"WO-10","sku":"P-LOT","lot":"L1","qty":1e30}`,
		`{"workOrder":"\u0000","sku":""}`, `[]`, `null`, ``, `{`,
	} {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	fx := newFixture(f)
	seed(f, fx.store)
	seedWO(f, fx.store)
	f.Fuzz(func(t *testing.T, body []byte, isReturn bool) {
		path := "/api/v1/issues"
		if isReturn {
			path = "/api/v1/returns"
		}
		checkFuzzedPost(t, fx, req{method: "POST", path: path, role: RoleStorekeeper, body: body})
	})
}

// seedRTS adds a defective compressor OLD-1 (returned on WO-10, which did
// not issue it) and return-to-supplier batch RTS-10 listing it.
func seedRTS(t testing.TB, st *inventory.Store) {
	t.Helper()
	for _, c := range []inventory.Command{
		{Type: inventory.EvReturn, Ref: "WO-10", Lines: []inventory.Line{{SKU: "P-SER", Qty: 1, To: "DEF-01", Condition: "defective", Serials: []string{"OLD-1"}}}},
		{Type: inventory.EvRTSCreated, Ref: "RTS-10", Supplier: "ACME", Lines: []inventory.Line{{SKU: "P-SER", Qty: 1, From: "DEF-01", Serials: []string{"OLD-1"}}}},
	} {
		c.Actor = "seed"
		if _, err := st.Append(context.Background(), c); err != nil {
			t.Fatalf("seed %s: %v", c.Type, err)
		}
	}
}

func TestSupplierReturnRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedWO(t, f.store)
	seedRTS(t, f.store)
	if _, err := f.store.Append(context.Background(), inventory.Command{Type: inventory.EvReturn, Actor: "seed", Ref: "WO-10",
		Lines: []inventory.Line{{SKU: "P-SER", Qty: 1, To: "DEF-01", Condition: "defective", Serials: []string{"OLD-2"}}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []routeStep{
		{"list", req{method: "GET", path: "/api/v1/supplier-returns?status=open&supplier=ACME", role: RoleAuditor}, 200, ""},
		{"bad status", req{method: "GET", path: "/api/v1/supplier-returns?status=lost", role: RoleAuditor}, 400, "invalid_request"},
		{"unknown", req{method: "GET", path: "/api/v1/supplier-returns/RTS-404", role: RoleAuditor}, 404, "not_found"},
		{"engineer creates", req{method: "POST", path: "/api/v1/supplier-returns", role: RoleEngineer,
			body: `{"number":"RTS-11","supplier":"ACME","lines":[{"sku":"P-SER","qty":1,"from":"DEF-01","serials":["OLD-2"]}]}`}, 403, "forbidden"},
		{"no supplier", req{method: "POST", path: "/api/v1/supplier-returns", role: RoleProcurement,
			body: `{"number":"RTS-11","lines":[{"sku":"P-SER","qty":1,"from":"DEF-01","serials":["OLD-2"]}]}`}, 400, "invalid_request"},
		{"from a bin", req{method: "POST", path: "/api/v1/supplier-returns", role: RoleProcurement,
			body: `{"number":"RTS-11","supplier":"ACME","lines":[{"sku":"P-NONE","qty":1,"from":"A-01"}]}`}, 422, "wrong_location_kind"},
		{"not in the defective store", req{method: "POST", path: "/api/v1/supplier-returns", role: RoleProcurement,
			body: `{"number":"RTS-11","supplier":"ACME","lines":[{"sku":"P-SER","qty":1,"from":"DEF-01","serials":["S1"]}]}`}, 409, "serial_not_at_location"},
		{"number taken", req{method: "POST", path: "/api/v1/supplier-returns", role: RoleProcurement,
			body: `{"number":"RTS-10","supplier":"ACME","lines":[{"sku":"P-SER","qty":1,"from":"DEF-01","serials":["OLD-2"]}]}`}, 409, "document_exists"},
		{"create", req{method: "POST", path: "/api/v1/supplier-returns", role: RoleProcurement,
			body: `{"number":"RTS-11","supplier":"ACME","note":"warranty claim","lines":[{"sku":"P-SER","qty":1,"from":"DEF-01","serials":["OLD-2"]}]}`}, 201, ""},
		{"engineer ships", req{method: "POST", path: "/api/v1/supplier-returns/RTS-10/ship", role: RoleEngineer, body: `{}`}, 403, "forbidden"},
		{"ship unknown", req{method: "POST", path: "/api/v1/supplier-returns/RTS-404/ship", role: RoleStorekeeper, body: `{}`}, 404, "not_found"},
		{"ship", req{method: "POST", path: "/api/v1/supplier-returns/RTS-10/ship", role: RoleStorekeeper, body: `{"note":"DHL 1"}`}, 200, ""},
		{"ship again", req{method: "POST", path: "/api/v1/supplier-returns/RTS-10/ship", role: RoleStorekeeper, body: `{}`}, 409, "document_closed"},
	} {
		tc.check(t, f)
	}
	b := decodeJSON[inventory.SupplierReturnState](t, f.do(req{method: "GET", path: "/api/v1/supplier-returns/RTS-10", role: RoleAuditor}))
	if b.Status != inventory.RTSShipped || b.Lines[0].Serials[0] != "OLD-1" {
		t.Fatalf("RTS-10 %+v", b)
	}
	if rows, _ := f.store.Stock(inventory.StockFilter{SKU: "P-SER", Location: "DEF-01"}, 10); len(rows) != 1 || rows[0].Serial != "OLD-2" {
		t.Fatalf("defective store %+v", rows)
	}
}
