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

// TestShippingNoticeRoutes announces a notice, receives one pallet by its
// SSCC through the event log, and reads the notice and pallets back.
func TestShippingNoticeRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedPO(t, f.store)
	notice := `{"number":"DESADV-7","order":"PO-2","shipped":"2026-03-01","pallets":[
		{"sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1},{"sku":"P-SER","qty":1,"serials":["S-77"]}]}]}`
	for _, tc := range []struct {
		method, path, body, role string
		status                   int
		code                     string
	}{
		{"POST", "/api/v1/asns", notice, RoleStorekeeper, 403, "forbidden"},
		{"POST", "/api/v1/asns", `{"number":"DESADV-7","order":"PO-2","pallets":[{"sscc":"395060001234567901","lines":[{"sku":"P-NONE","qty":1}]}]}`, RoleProcurement, 400, "invalid_request"},
		{"POST", "/api/v1/asns", `{"number":"DESADV-7","order":"PO-404","pallets":[{"sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1}]}]}`, RoleProcurement, 404, "not_found"},
		{"POST", "/api/v1/asns", `{"number":"DESADV-7","order":"PO-2","pallets":[{"sscc":"395060001234567900","lines":[{"sku":"P-LOT","qty":1,"lot":"L1"}]}]}`, RoleProcurement, 422, "not_on_order"},
		{"POST", "/api/v1/asns", `{"number":"DESADV-7","order":"PO-2","pallets":[{"sscc":"` + seededPallet + `","lines":[{"sku":"P-NONE","qty":1}]}]}`, RoleProcurement, 409, "document_exists"},
		{"POST", "/api/v1/asns", notice, RoleProcurement, 201, ""},
		{"GET", "/api/v1/asns?order=PO-2", "", RoleAuditor, 200, ""},
		{"GET", "/api/v1/asns/DESADV-404", "", RoleAuditor, 404, "not_found"},
		{"GET", "/api/v1/pallets/395060001234567917", "", RoleAuditor, 422, "unknown_pallet"},
		{"POST", "/api/v1/events", `{"type":"receipt","ref":"PO-2","sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1,"to":"Q-01"}]}`, RoleStorekeeper, 422, "pallet_mismatch"},
		{"POST", "/api/v1/events", `{"type":"receipt","ref":"PO-2","sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1,"to":"Q-01"},{"sku":"P-SER","qty":1,"serials":["S-77"],"to":"Q-01"}]}`, RoleStorekeeper, 201, ""},
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
