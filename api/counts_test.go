package api

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

type countAnswerBody struct {
	Event inventory.Event `json:"event"`
	Count json.RawMessage `json:"count"`
}

func decodeCountView(t *testing.T, raw []byte) (countView, map[string]json.RawMessage) {
	t.Helper()
	var v countView
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, &fields); err != nil {
		t.Fatal(err)
	}
	return v, fields
}

// TestCountFlowOverTheAPI: a blind session over zone A, counted by the
// storekeeper, who never sees an expected quantity, and approved by a
// second storekeeper; the counter's own approval is refused and writes
// nothing, and a repeated approval with its key changes nothing.
func TestCountFlowOverTheAPI(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	if err := f.store.PutUser(inventory.User{Name: "sk2", Role: RoleStorekeeper}); err != nil {
		t.Fatal(err)
	}
	if err := f.store.AddToken("sk2", "test-token-sk2-0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if w := f.do(req{method: "POST", path: "/api/v1/counts", role: RolePlanner,
		body: `{"number":"C-9","scope":{"zone":"A"},"blind":true}`}); w.Code != 201 || !strings.Contains(w.Body.String(), `"bins":["A-01","A-02"]`) {
		t.Fatalf("open: %d %s", w.Code, w.Body)
	}
	// 10 P-NONE are in A-01; the counter finds 9.
	w := f.do(countReq(RoleStorekeeper, "C-9/entries", `{"bin":"A-01","items":[{"sku":"P-NONE","qty":9},{"sku":"P-LOT","lot":"L1","qty":5},{"sku":"P-SER","qty":2,"serials":["S1","S2"]}],"source":"manual"}`))
	if w.Code != 201 {
		t.Fatalf("entry: %d %s", w.Code, w.Body)
	}
	var ans countAnswerBody
	if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	v, fields := decodeCountView(t, ans.Count)
	if !v.ExpectedHidden || fields["variances"] != nil || strings.Contains(string(ans.Count), `"expected"`) ||
		strings.Contains(w.Body.String(), `"qty":10`) {
		t.Fatalf("a blind counter was shown what the ledger expects: %s", w.Body)
	}
	// The counter reads the session: still blind.
	w = f.do(req{method: "GET", path: "/api/v1/counts/C-9", role: RoleStorekeeper})
	if v, _ := decodeCountView(t, w.Body.Bytes()); w.Code != 200 || !v.ExpectedHidden || strings.Contains(w.Body.String(), `"expected"`) {
		t.Fatalf("counter's view: %d %s", w.Code, w.Body)
	}
	// The auditor, who cannot count, sees the variance.
	w = f.do(req{method: "GET", path: "/api/v1/counts/C-9", role: RoleAuditor})
	v, _ = decodeCountView(t, w.Body.Bytes())
	if w.Code != 200 || v.ExpectedHidden || len(v.Variances) != 1 || v.Variances[0].Variance != -1 || v.BinCounts[0].Expected[1].Qty != 10 {
		t.Fatalf("auditor's view: %d %s", w.Code, w.Body)
	}
	// Refusals write nothing.
	for _, tc := range []routeStep{
		{"", countReq(RoleStorekeeper, "C-9/approve", `{}`), 403, "approver_counted"},
		{"", countReq(RoleEngineer, "C-9/entries", `{"bin":"A-02"}`), 403, "forbidden"},
		{"", countReq(RolePlanner, "C-9/approve", `{}`), 403, "forbidden"},
		{"", countReq(RoleStorekeeper, "C-9/entries", `{"bin":"A-02","items":[{"sku":"P-NONE","qty":1}],"extra":1}`), 400, "invalid_request"},
		{"", countReq(RoleStorekeeper, "C-9/recount", `{"bins":["A-02"]}`), 409, "not_counted"},
		{"", countReq(RoleStorekeeper, "NOPE/entries", `{"bin":"A-02"}`), 404, "not_found"},
		{"", req{method: "POST", path: "/api/v1/counts", role: RoleStorekeeper, body: `{"number":"C-9","scope":{"zone":"A"}}`}, 409, "document_exists"},
	} {
		tc.check(t, f)
	}
	approve := req{method: "POST", path: "/api/v1/counts/C-9/approve", token: "test-token-sk2-0123456789abcdef",
		body: `{"note":"cycle count"}`, header: map[string]string{"Idempotency-Key": "approve-C-9"}}
	w = f.do(approve)
	if w.Code != 200 {
		t.Fatalf("approve: %d %s", w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &ans); err != nil {
		t.Fatal(err)
	}
	want := []inventory.Line{{SKU: "P-NONE", Location: "A-01", Qty: -1}}
	if ans.Event.Type != inventory.EvCountAdjustment || ans.Event.Ref != "C-9" || len(ans.Event.Lines) != 1 || ans.Event.Lines[0].SKU != want[0].SKU ||
		ans.Event.Lines[0].Qty != -1 || ans.Event.Lines[0].Location != "A-01" {
		t.Fatalf("approval event %+v", ans.Event)
	}
	checkReplayed(t, f, "repeated approval", approve, 200)
	// Approved, the session is no longer blind to anyone.
	w = f.do(req{method: "GET", path: "/api/v1/counts/C-9", role: RoleStorekeeper})
	if v, _ := decodeCountView(t, w.Body.Bytes()); v.ExpectedHidden || v.Status != inventory.CountApproved || v.ApprovedBy != "sk2" {
		t.Fatalf("approved view: %s", w.Body)
	}
	w = f.do(req{method: "GET", path: "/api/v1/counts?status=approved", role: RoleEngineer})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"number":"C-9"`) {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/counts?status=closed", role: RoleEngineer}); w.Code != 400 {
		t.Fatalf("bad status filter: %d", w.Code)
	}
	rows, _ := f.store.Stock(inventory.StockFilter{SKU: "P-NONE", Location: "A-01"}, 0)
	if len(rows) != 1 || rows[0].OnHand != 9 {
		t.Fatalf("stock after approval %+v", rows)
	}
}
