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
	for _, tc := range []routeStep{
		{"", req{method: "GET", path: "/api/v1/purchase-orders?status=open", role: RoleAuditor}, 200, ""},
		{"", req{method: "GET", path: "/api/v1/purchase-orders?status=lost", role: RoleAuditor}, 400, "invalid_request"},
		{"", req{method: "GET", path: "/api/v1/purchase-orders/PO-404", role: RoleAuditor}, 404, "not_found"},
		{"", req{method: "POST", path: "/api/v1/purchase-orders", role: RoleProcurement, body: `{"number":"PO-2","supplier":"X","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`}, 409, "document_exists"},
		{"", req{method: "POST", path: "/api/v1/purchase-orders", role: RoleProcurement, body: `{"number":"PO-3","supplier":"X","lines":[{"line":1,"sku":"NOPE","qty":1}]}`}, 422, "unknown_part"},
		{"", req{method: "POST", path: "/api/v1/purchase-orders", role: RoleEngineer, body: `{"number":"PO-3","supplier":"X","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`}, 403, "forbidden"},
		{"", req{method: "POST", path: "/api/v1/purchase-orders", role: RoleProcurement, body: `{"number":"PO-3","supplier":"X","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`}, 201, ""},
		{"", req{method: "POST", path: "/api/v1/purchase-orders/PO-2/close", role: RoleStorekeeper, body: `{"note":"supplier short-shipped"}`}, 403, "forbidden"},
		{"", req{method: "POST", path: "/api/v1/purchase-orders/PO-2/close", role: RoleProcurement, body: `{"note":"supplier short-shipped"}`}, 200, ""},
		{"", req{method: "POST", path: "/api/v1/purchase-orders/PO-2/close", role: RoleProcurement, body: `{}`}, 409, "document_closed"},
	} {
		tc.check(t, f)
	}
	w = f.do(req{method: "GET", path: "/api/v1/purchase-orders/PO-2", role: RoleProcurement})
	json.Unmarshal(w.Body.Bytes(), &view)
	if view.Status != inventory.POClosed || view.CloseReason != "supplier short-shipped" {
		t.Fatalf("closed PO-2: %+v", view)
	}
}

// TestShippingNoticeRoutes announces a notice, receives one pallet by its
// SSCC through the event log, and reads the notice and pallets back.
func TestShippingNoticeRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedPO(t, f.store)
	notice := `{"number":"DESADV-7","order":"PO-2","shipped":"2026-03-01","pallets":[
		{"sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1},{"sku":"P-SER","qty":1,"serials":["S-77"]}]}]}`
	for _, tc := range []routeStep{
		{"", req{method: "POST", path: "/api/v1/asns", role: RoleStorekeeper, body: notice}, 403, "forbidden"},
		{"", req{method: "POST", path: "/api/v1/asns", role: RoleProcurement, body: `{"number":"DESADV-7","order":"PO-2","pallets":[{"sscc":"395060001234567901","lines":[{"sku":"P-NONE","qty":1}]}]}`}, 400, "invalid_request"},
		{"", req{method: "POST", path: "/api/v1/asns", role: RoleProcurement, body: `{"number":"DESADV-7","order":"PO-404","pallets":[{"sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1}]}]}`}, 404, "not_found"},
		{"", req{method: "POST", path: "/api/v1/asns", role: RoleProcurement, body: `{"number":"DESADV-7","order":"PO-2","pallets":[{"sscc":"395060001234567900","lines":[{"sku":"P-LOT","qty":1,"lot":"L1"}]}]}`}, 422, "not_on_order"},
		{"", req{method: "POST", path: "/api/v1/asns", role: RoleProcurement, body: `{"number":"DESADV-7","order":"PO-2","pallets":[{"sscc":"` + seededPallet + `","lines":[{"sku":"P-NONE","qty":1}]}]}`}, 409, "document_exists"},
		{"", req{method: "POST", path: "/api/v1/asns", role: RoleProcurement, body: notice}, 201, ""},
		{"", req{method: "GET", path: "/api/v1/asns?order=PO-2", role: RoleAuditor}, 200, ""},
		{"", req{method: "GET", path: "/api/v1/asns/DESADV-404", role: RoleAuditor}, 404, "not_found"},
		{"", req{method: "GET", path: "/api/v1/pallets/395060001234567917", role: RoleAuditor}, 422, "unknown_pallet"},
		{"", req{method: "POST", path: "/api/v1/events", role: RoleStorekeeper, body: `{"type":"receipt","ref":"PO-2","sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1,"to":"Q-01"}]}`}, 422, "pallet_mismatch"},
		{"", req{method: "POST", path: "/api/v1/events", role: RoleStorekeeper, body: `{"type":"receipt","ref":"PO-2","sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1,"to":"Q-01"},{"sku":"P-SER","qty":1,"serials":["S-77"],"to":"Q-01"}]}`}, 201, ""},
	} {
		tc.check(t, f)
	}
	var list struct{ Items []inventory.NoticeState }
	w := f.do(req{method: "GET", path: "/api/v1/asns?order=PO-2", role: RoleAuditor})
	if json.Unmarshal(w.Body.Bytes(), &list) != nil || len(list.Items) != 2 {
		t.Fatalf("notices of PO-2: %s", w.Body)
	}
	var n inventory.NoticeState
	w = f.do(req{method: "GET", path: "/api/v1/asns/DESADV-7", role: RoleAuditor})
	if json.Unmarshal(w.Body.Bytes(), &n) != nil || n.Expected != 0 || n.Pallets[0].ReceivedTo != "Q-01" {
		t.Fatalf("DESADV-7 after its pallet came in: %s", w.Body)
	}
	var p palletView
	w = f.do(req{method: "GET", path: "/api/v1/pallets/" + seededPallet, role: RoleAuditor})
	if json.Unmarshal(w.Body.Bytes(), &p) != nil || p.Notice != "ASN-2" || p.Order != "PO-2" || p.ReceivedSeq != 0 {
		t.Fatalf("pallet %s: %s", seededPallet, w.Body)
	}
}
