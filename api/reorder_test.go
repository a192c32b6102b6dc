package api

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

func policyReq(role, body string) req {
	return req{method: "POST", path: "/api/v1/reorder-policies", role: role, body: body}
}

func decodeInto(t *testing.T, w *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
		t.Fatalf("%v: %s", err, w.Body)
	}
}

// TestReorderPolicyRoutes: a planner sets a policy, reads it back and
// lists it; a retry with the same key writes nothing more.
func TestReorderPolicyRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	body := `{"sku":"P-NONE","method":"rop","rop":"derived","leadTimeDays":14,"serviceLevel":0.95,"forecast":"tsb"}`
	before := f.store.Head().Seq
	w := f.do(withKey(policyReq(RolePlanner, body), "pol-1"))
	if w.Code != 201 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	var res struct {
		Policy inventory.ReorderPolicy `json:"policy"`
		Event  inventory.Event         `json:"event"`
	}
	decodeInto(t, w, &res)
	// The defaults the planner left out are on the event.
	if res.Event.Type != inventory.EvReorderPolicySet || res.Event.Ref != "P-NONE" || res.Event.Actor != "planner-user" ||
		res.Policy.Alpha != inventory.DefaultAlpha || res.Policy.PeriodDays != 7 || res.Policy.HistoryPeriods != 52 {
		t.Fatalf("answer %+v", res)
	}
	if f.store.Head().Seq != before+1 {
		t.Fatalf("set: head %d -> %d", before, f.store.Head().Seq)
	}
	checkReplayed(t, f, "replay", withKey(policyReq(RolePlanner, body), "pol-1"), 201)
	w = f.do(req{method: "GET", path: "/api/v1/reorder-policies/P-NONE", role: RoleStorekeeper})
	var st inventory.ReorderState
	decodeInto(t, w, &st)
	if w.Code != 200 || !st.Armed || st.ArmedSeq != res.Event.Seq || st.Policy.Forecast != "tsb" {
		t.Fatalf("get: %d %s", w.Code, w.Body)
	}
	if w := f.do(req{method: "GET", path: "/api/v1/reorder-policies/P-LOT", role: RolePlanner}); w.Code != 404 {
		t.Fatalf("no policy: %d %s", w.Code, w.Body)
	}
	w = f.do(req{method: "GET", path: "/api/v1/reorder-policies?limit=1", role: RolePlanner})
	var list struct {
		Items []inventory.ReorderState `json:"items"`
		Next  string                   `json:"next"`
	}
	decodeInto(t, w, &list)
	if w.Code != 200 || len(list.Items) != 1 || list.Next != "" {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	// The admin may set one too.
	if w := f.do(policyReq(RoleAdmin, `{"sku":"P-LOT","method":"minmax","min":1,"max":9}`)); w.Code != 201 {
		t.Fatalf("admin: %d %s", w.Code, w.Body)
	}
	w = f.do(req{method: "GET", path: "/api/v1/reorder-policies?limit=1", role: RolePlanner})
	decodeInto(t, w, &list)
	if len(list.Items) != 1 || list.Next != "P-LOT" {
		t.Fatalf("paged list: %s", w.Body)
	}
}

// TestReorderPolicyRefusals: every refusal is a problem with its code and
// leaves the log as it was.
func TestReorderPolicyRefusals(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	good := `{"sku":"P-NONE","method":"minmax","min":2,"max":8}`
	cases := []struct {
		name   string
		r      req
		status int
		code   string
		field  string
	}{
		{"storekeeper", policyReq(RoleStorekeeper, good), 403, "forbidden", ""},
		{"engineer", policyReq(RoleEngineer, good), 403, "forbidden", ""},
		{"procurement", policyReq(RoleProcurement, good), 403, "forbidden", ""},
		{"auditor", policyReq(RoleAuditor, good), 403, "forbidden", ""},
		{"no token", policyReq("", good), 401, "unauthenticated", "Authorization"},
		{"unknown part", policyReq(RolePlanner, `{"sku":"P-X","method":"minmax","min":2,"max":8}`), 422, "unknown_part", "policy.sku"},
		{"no sku", policyReq(RolePlanner, `{"method":"minmax","min":2,"max":8}`), 400, "invalid_request", "policy.sku"},
		{"bad method", policyReq(RolePlanner, `{"sku":"P-NONE","method":"kanban"}`), 400, "invalid_request", "policy.method"},
		{"max under min", policyReq(RolePlanner, `{"sku":"P-NONE","method":"minmax","min":8,"max":2}`), 400, "invalid_request", "policy.max"},
		{"fractional min", policyReq(RolePlanner, `{"sku":"P-NONE","method":"minmax","min":2.5,"max":8}`), 400, "invalid_request", "min"},
		{"negative min", policyReq(RolePlanner, `{"sku":"P-NONE","method":"minmax","min":-2,"max":8}`), 400, "invalid_request", "policy.min"},
		{"service level as percent", policyReq(RolePlanner, `{"sku":"P-NONE","method":"rop","rop":"derived","leadTimeDays":7,"serviceLevel":95}`), 400, "invalid_request", "policy.serviceLevel"},
		{"derived without lead time", policyReq(RolePlanner, `{"sku":"P-NONE","method":"rop","rop":"derived"}`), 400, "invalid_request", "policy.leadTimeDays"},
		{"bad forecast", policyReq(RolePlanner, `{"sku":"P-NONE","method":"rop","rop":"derived","leadTimeDays":7,"forecast":"arima"}`), 400, "invalid_request", "policy.forecast"},
		{"unknown field", policyReq(RolePlanner, `{"sku":"P-NONE","method":"minmax","min":2,"max":8,"eoq":true}`), 400, "invalid_request", "eoq"},
		{"not json", policyReq(RolePlanner, `{"sku":`), 400, "malformed_json", ""},
		{"signal by admin", post(RoleAdmin, `{"type":"reorder-signal","signal":{"sku":"P-NONE","method":"minmax","position":{"available":0,"onOrder":0,"inbound":0,"total":0},"reorderPoint":1,"orderUpTo":5,"suggestedQty":5,"armedSeq":1}}`), 403, "forbidden", "type"},
		{"rearm by admin", post(RoleAdmin, `{"type":"reorder-rearmed","signal":{"sku":"P-NONE","method":"minmax","position":{"available":9,"onOrder":0,"inbound":0,"total":9},"reorderPoint":1,"orderUpTo":5,"signalSeq":1}}`), 403, "forbidden", "type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkAnswer(t, f, c.name, c.r, c.status, c.code, c.field)
		})
	}
}

// TestReorderSignalRoutes lists what the watcher raised, by status and
// part, and refuses a status it does not know.
func TestReorderSignalRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	// P-NONE: 10 on hand, 3 reserved: 7 available. P-LOT: 5.
	for _, b := range []string{`{"sku":"P-NONE","method":"minmax","min":7,"max":20}`, `{"sku":"P-LOT","method":"minmax","min":5,"max":9}`} {
		if w := f.do(policyReq(RolePlanner, b)); w.Code != 201 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	if err := inventory.NewReorderWatcher(f.store, inventory.ReorderWatchOptions{}).SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	list := func(q string) []inventory.SignalRecord {
		t.Helper()
		w := f.do(req{method: "GET", path: "/api/v1/reorder-signals" + q, role: RoleProcurement})
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", q, w.Code, w.Body)
		}
		var got struct {
			Items []inventory.SignalRecord `json:"items"`
		}
		decodeInto(t, w, &got)
		return got.Items
	}
	all := list("")
	// A full pass goes in SKU order: P-LOT first.
	if len(all) != 2 || all[0].Signal.SKU != "P-LOT" || all[1].Signal.SKU != "P-NONE" || all[1].Signal.SuggestedQty != 13 {
		t.Fatalf("all: %+v", all)
	}
	if got := list("?status=open&sku=P-LOT"); len(got) != 1 || got[0].Seq != all[0].Seq {
		t.Fatalf("open P-LOT: %+v", got)
	}
	if got := list("?status=covered"); len(got) != 0 {
		t.Fatalf("covered: %+v", got)
	}
	if got := list("?status=all&after=" + jsonNum(all[0].Seq)); len(got) != 1 || got[0].Seq != all[1].Seq {
		t.Fatalf("after: %+v", got)
	}
	for _, q := range []string{"?status=closed", "?after=x", "?limit=0"} {
		checkAnswer(t, f, q, req{method: "GET", path: "/api/v1/reorder-signals" + q, role: RolePlanner}, 400, "invalid_request", "")
	}
}

func jsonNum(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// FuzzPostReorderPolicy: whatever the body, the answer is a policy set
// (one event) or a problem (no event), never a server error.
func FuzzPostReorderPolicy(f *testing.F) {
	for _, s := range []string{
		`{"sku":"P-NONE","method":"minmax","min":2,"max":8}`,
		`{"sku":"P-NONE","method":"rop","rop":"derived","leadTimeDays":14,"serviceLevel":0.95,"forecast":"sba","alpha":0.2,"beta":0.2}`,
		`{"sku":"P-NONE","method":"rop","rop":"fixed","reorderPoint":4,"max":12,"safetyStock":1}`,
		`{"sku":"P-NONE","method":"rop","rop":"derived","leadTimeDays":7,"serviceLevel":1e308}`,
		`{"sku":"P-NONE","method":"minmax","min":-1,"max":1e30}`,
		`{"sku":"\u0000","method":"minmax"}`, `[]`, `null`, ``, `{`,
	} {
		f.Add([]byte(s))
	}
	fx := newFixture(f)
	seed(f, fx.store)
	f.Fuzz(func(t *testing.T, body []byte) {
		checkFuzzedPost(t, fx, req{method: "POST", path: "/api/v1/reorder-policies", role: RolePlanner, body: body},
			`"type":"reorder-policy-set"`)
	})
}
