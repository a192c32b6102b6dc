package api

import (
	"encoding/json"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

func TestPurchaseOrderRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedPO(t, f.store)
	var view purchaseOrderView
	w := f.do(req{method: "GET", path: "/api/v1/purchase-orders/PO-2", role: RoleProcurement})
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &view) != nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if view.Status != inventory.POOpen || view.Report.Short != 2 || view.Lines[0].Received != 3 {
		t.Fatalf("PO-2: %+v", view)
	}
	for _, tc := range []struct {
		method, path, body, role string
		status                   int
		code                     string
	}{
		{"GET", "/api/v1/purchase-orders?status=open", "", RoleAuditor, 200, ""},
		{"GET", "/api/v1/purchase-orders?status=lost", "", RoleAuditor, 400, "invalid_request"},
		{"GET", "/api/v1/purchase-orders/PO-404", "", RoleAuditor, 404, "not_found"},
		{"POST", "/api/v1/purchase-orders", `{"number":"PO-2","supplier":"X","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`, RoleProcurement, 409, "document_exists"},
		{"POST", "/api/v1/purchase-orders", `{"number":"PO-3","supplier":"X","lines":[{"line":1,"sku":"NOPE","qty":1}]}`, RoleProcurement, 422, "unknown_part"},
		{"POST", "/api/v1/purchase-orders", `{"number":"PO-3","supplier":"X","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`, RoleEngineer, 403, "forbidden"},
		{"POST", "/api/v1/purchase-orders", `{"number":"PO-3","supplier":"X","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`, RoleProcurement, 201, ""},
		{"POST", "/api/v1/purchase-orders/PO-2/close", `{"note":"supplier short-shipped"}`, RoleStorekeeper, 403, "forbidden"},
		{"POST", "/api/v1/purchase-orders/PO-2/close", `{"note":"supplier short-shipped"}`, RoleProcurement, 200, ""},
		{"POST", "/api/v1/purchase-orders/PO-2/close", `{}`, RoleProcurement, 409, "document_closed"},
	} {
		head := f.store.Head().Seq
		w := f.do(req{method: tc.method, path: tc.path, role: tc.role, body: bodyOrNil(tc.body)})
		if w.Code != tc.status {
			t.Errorf("%s %s %s: %d %s", tc.role, tc.method, tc.path, w.Code, w.Body)
			continue
		}
		if tc.code != "" {
			if p := decodeProblem(t, w); p.Code != tc.code {
				t.Errorf("%s %s: code %s", tc.method, tc.path, p.Code)
			}
			if f.store.Head().Seq != head {
				t.Errorf("%s %s: a refusal wrote an event", tc.method, tc.path)
			}
		}
	}
	w = f.do(req{method: "GET", path: "/api/v1/purchase-orders/PO-2", role: RoleProcurement})
	json.Unmarshal(w.Body.Bytes(), &view)
	if view.Status != inventory.POClosed || view.CloseReason != "supplier short-shipped" {
		t.Fatalf("closed PO-2: %+v", view)
	}
}
