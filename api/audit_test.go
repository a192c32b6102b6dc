package api

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

func TestAuditRoute(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	for _, c := range []string{
		`{"type":"move","note":"=HYPERLINK(\"x\")","lines":[{"sku":"P-NONE","qty":1,"from":"A-01","to":"A-02"}]}`,
		`{"type":"issue","ref":"WO-5","lines":[{"sku":"P-SER","qty":1,"from":"A-01","serials":["S1"]}]}`,
	} {
		if w := f.do(post(RoleStorekeeper, c)); w.Code != 201 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	for _, role := range Roles() {
		w := f.do(req{method: "GET", path: "/api/v1/audit", role: role})
		want := 403
		if role == RoleAdmin || role == RoleAuditor {
			want = 200
		}
		if w.Code != want {
			t.Errorf("%s: %d %s", role, w.Code, w.Body)
		}
	}
	var pg inventory.AuditPage
	w := f.do(req{method: "GET", path: "/api/v1/audit?actor=storekeeper-user&type=move,issue", role: RoleAuditor})
	if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &pg) != nil {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if len(pg.Entries) != 2 || pg.Entries[0].Event.Type != inventory.EvIssue || pg.Entries[1].Event.Type != inventory.EvMove ||
		len(pg.Broken) != 0 || !pg.Entries[0].HashOK {
		t.Fatalf("trail: %s", w.Body)
	}
	for _, tc := range []struct{ query, field string }{
		{"type=teleport", "type"},
		{"since=yesterday", "since"},
		{"before=x", "before"},
		{"format=xlsx", "format"},
	} {
		w := f.do(req{method: "GET", path: "/api/v1/audit?" + tc.query, role: RoleAuditor})
		if p := decodeProblem(t, w); w.Code != 400 || p.Field != tc.field {
			t.Errorf("%s: %d %s", tc.query, w.Code, w.Body)
		}
	}
	w = f.do(req{method: "GET", path: "/api/v1/audit?format=csv&sku=P-NONE&since=2020-01-01&limit=1", role: RoleAuditor})
	if w.Code != 200 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/csv") || w.Header().Get("X-Next-Before") == "" {
		t.Fatalf("csv: %d %v", w.Code, w.Header())
	}
	rows, err := csv.NewReader(w.Body).ReadAll()
	if err != nil || len(rows) != 2 {
		t.Fatalf("csv rows %v %v", rows, err)
	}
	if rows[0][0] != "seq" || rows[1][3] != "move" || rows[1][5] != `'=HYPERLINK("x")` || rows[1][6] != "1 P-NONE A-01->A-02" || rows[1][8] != "true" {
		t.Fatalf("csv: %q", rows)
	}
}

func TestRemindersRoute(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	for _, body := range []string{
		`{"number":"WO-40","engineer":"kim","lines":[{"line":1,"sku":"P-NONE","qty":50}]}`,
	} {
		if w := f.do(req{method: "POST", path: "/api/v1/work-orders", role: RolePlanner, body: body}); w.Code != 201 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	var got struct{ Items []inventory.Reminder }
	list := func(query string) {
		t.Helper()
		w := f.do(req{method: "GET", path: "/api/v1/reminders" + query, role: RoleEngineer})
		got.Items = nil
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &got) != nil {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	list("")
	if len(got.Items) != 0 {
		t.Fatalf("nothing arrived yet: %+v", got.Items)
	}
	if w := f.do(post(RoleStorekeeper, `{"type":"receipt","ref":"PO-8","lines":[{"sku":"P-NONE","qty":3,"to":"A-01"}]}`)); w.Code != 201 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	list("?kind=parts-arrived")
	if len(got.Items) != 1 || got.Items[0].Ref != "WO-40" || got.Items[0].Qty != 3 {
		t.Fatalf("after the receipt: %+v", got.Items)
	}
	list("?kind=reorder-point")
	if len(got.Items) != 0 {
		t.Fatalf("no policies, no reorder reminders: %+v", got.Items)
	}
	w := f.do(req{method: "GET", path: "/api/v1/reminders?kind=birthday", role: RoleEngineer})
	if p := decodeProblem(t, w); w.Code != 400 || p.Field != "kind" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
}
