package api

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// goodBody is, per route, a body that would succeed for an admin, so a
// refusal proves the check and not a bad request.
func goodBody(method, path string) string {
	if method != "POST" {
		return ""
	}
	switch path {
	case "/api/v1/parts":
		return `{"sku":"P-NEW"}`
	case "/api/v1/locations":
		return `{"code":"B-01"}`
	case "/api/v1/events":
		return `{"type":"receipt","ref":"PO-9","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`
	case "/api/v1/users":
		return `{"name":"kim","role":"engineer"}`
	case "/api/v1/me/language":
		return `{"lang":"zh-Hant"}`
	case "/api/v1/devices/:id/signal":
		return `{"good":true}`
	case "/api/v1/purchase-orders":
		return `{"number":"PO-NEW","supplier":"ACME","lines":[{"line":1,"sku":"P-NONE","qty":2}]}`
	case "/api/v1/reorder-policies":
		return `{"sku":"P-NONE","method":"minmax","min":2,"max":8}`
	case "/api/v1/purchase-orders/:number/close":
		return `{"note":"delivery complete"}`
	case "/api/v1/work-orders":
		return `{"number":"WO-NEW","engineer":"kim","lines":[{"line":1,"sku":"P-NONE","qty":1}]}`
	case "/api/v1/work-orders/:number/close":
		return `{"note":"job done"}`
	case "/api/v1/issues":
		return `{"workOrder":"WO-10","sku":"P-NONE","qty":1}`
	case "/api/v1/returns":
		return `{"workOrder":"WO-10","sku":"P-SER","serials":["OLD-1"],"condition":"defective","to":"DEF-01"}`
	case "/api/v1/supplier-returns":
		return `{"number":"RTS-NEW","supplier":"ACME","lines":[{"sku":"P-SER","qty":1,"from":"DEF-01","serials":["OLD-1"]}]}`
	case "/api/v1/supplier-returns/:number/ship":
		return `{"note":"DHL 1"}`
	case "/api/v1/stations/:id/operation":
		return `{"kind":"identify"}`
	case "/api/v1/stations/:id/scans":
		return `{"data":"PN-1","aimId":"]C0"}`
	}
	return ""
}

// concrete fills a route template's parameters with values that exist in
// the seeded fixture.
func concrete(route string) string {
	if route == "/api/v1/parts/lookup" {
		return route + "?code=SUP-1"
	}
	if strings.HasPrefix(route, "/api/v1/asns/") {
		return "/api/v1/asns/ASN-2"
	}
	if strings.HasPrefix(route, "/api/v1/work-orders/") {
		route = strings.Replace(route, ":number", "WO-10", 1)
	}
	if strings.HasPrefix(route, "/api/v1/supplier-returns/") {
		route = strings.Replace(route, ":number", "RTS-10", 1)
	}
	if strings.HasPrefix(route, "/api/v1/counts/") {
		route = strings.Replace(route, ":number", "C-1", 1) // seedCount's session
	}
	return strings.NewReplacer(":sscc", seededPallet, ":sku/:serial", "P-SER/S1", ":sku", "P-NONE", ":code", "A-01", ":seq", "1",
		":name", "engineer-user", ":id", "scan-1", ":number", "PO-2").Replace(route)
}

func protectedRoutes(t *testing.T) [][2]string {
	t.Helper()
	var out [][2]string
	for _, r := range newFixture(t).srv.engine.Routes() {
		if strings.HasPrefix(r.Path, "/api/v1/") && r.Path != "/api/v1/openapi.json" {
			out = append(out, [2]string{r.Method, r.Path})
		}
	}
	if len(out) < 15 {
		t.Fatalf("only %d protected routes found: %v", len(out), out)
	}
	return out
}

func TestEveryAPIRouteNeedsAToken(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	for _, r := range protectedRoutes(t) {
		for _, tc := range []struct {
			name   string
			header map[string]string
		}{
			{"no header", nil},
			{"empty bearer", map[string]string{"Authorization": "Bearer "}},
			{"basic auth", map[string]string{"Authorization": "Basic YWRtaW46YWRtaW4="}},
			{"unknown token", map[string]string{"Authorization": "Bearer not-a-token-of-anyone-here"}},
			{"admin token as basic", map[string]string{"Authorization": "Basic " + tokenOf(RoleAdmin)}},
		} {
			t.Run(r[0]+" "+r[1]+" "+tc.name, func(t *testing.T) {
				before := f.store.Head().Seq
				users, _ := f.store.Users()
				w := f.do(req{method: r[0], path: concrete(r[1]), body: bodyOrNil(goodBody(r[0], r[1])), header: tc.header})
				if w.Code != 401 || decodeProblem(t, w).Code != "unauthenticated" {
					t.Fatalf("status %d body %s, want 401 unauthenticated", w.Code, w.Body)
				}
				if w.Header().Get("WWW-Authenticate") == "" {
					t.Error("no WWW-Authenticate header")
				}
				if f.store.Head().Seq != before {
					t.Error("an unauthenticated request wrote an event")
				}
				if after, _ := f.store.Users(); len(after) != len(users) {
					t.Error("an unauthenticated request created a user")
				}
			})
		}
	}
}

func bodyOrNil(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	f := newFixture(t)
	w := f.do(req{method: "GET", path: "/api/v1/status", header: map[string]string{"Authorization": "bEaReR  " + tokenOf(RoleAuditor)}})
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

func TestDisabledUserIsUnauthenticated(t *testing.T) {
	f := newFixture(t)
	if err := f.store.PutUser(inventory.User{Name: "engineer-user", Role: RoleEngineer, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	w := f.do(req{method: "GET", path: "/api/v1/status", role: RoleEngineer})
	if w.Code != 401 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
}

// TestAdminOnlyRoutes: users, verify and backup belong to the admin; every
// other role is refused and nothing changes.
func TestAdminOnlyRoutes(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	routes := [][2]string{
		{"GET", "/api/v1/users"}, {"POST", "/api/v1/users"}, {"POST", "/api/v1/users/:name/tokens"},
		{"POST", "/api/v1/admin/verify"}, {"GET", "/api/v1/admin/backup"},
	}
	for _, role := range Roles() {
		for _, r := range routes {
			t.Run(role+" "+r[0]+" "+r[1], func(t *testing.T) {
				before := f.store.Head().Seq
				users, _ := f.store.Users()
				w := f.do(req{method: r[0], path: concrete(r[1]), role: role, body: bodyOrNil(goodBody(r[0], r[1]))})
				if role == RoleAdmin {
					if w.Code >= 300 {
						t.Fatalf("admin refused: %d %s", w.Code, w.Body)
					}
					return
				}
				if w.Code != 403 || decodeProblem(t, w).Code != "forbidden" {
					t.Fatalf("status %d body %s, want 403 forbidden", w.Code, w.Body)
				}
				if after, _ := f.store.Users(); len(after) != len(users) || f.store.Head().Seq != before {
					t.Error("a forbidden request changed something")
				}
			})
		}
	}
}

// TestReadRoutesOpenToEveryRole: every role reads everything but users,
// administration and the audit trail.
func TestReadRoutesOpenToEveryRole(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedPO(t, f.store)
	seedTransfer(t, f.store, "PO-2")
	seedWO(t, f.store)
	seedRTS(t, f.store)
	seedReorder(t, f.store)
	seedCount(t, f.store)
	routes := protectedRoutes(t)
	for _, role := range Roles() {
		for _, r := range routes {
			if r[0] != "GET" || strings.HasPrefix(r[1], "/api/v1/users") || strings.HasPrefix(r[1], "/api/v1/admin") || r[1] == "/api/v1/audit" {
				continue
			}
			w := f.do(req{method: "GET", path: concrete(r[1]), role: role})
			if w.Code != 200 {
				t.Errorf("%s GET %s: %d %s", role, r[1], w.Code, w.Body)
			}
		}
	}
}

// userEvents is every event type but the depot's own reorder signals.
func userEvents(all []inventory.EventType) []inventory.EventType {
	var out []inventory.EventType
	for _, t := range all {
		if t != "reorder-signal" && t != "reorder-rearmed" {
			out = append(out, t)
		}
	}
	return out
}

// TestPostPermissions holds roles.go to the published table, written out
// here independently: every role against every event type, through the
// real store, checking that a refusal writes nothing.
func TestPostPermissions(t *testing.T) {
	all := inventory.EventTypes
	stockMoves := []inventory.EventType{"receipt", "move", "reserve", "unreserve", "issue", "return",
		"transfer-shipped", "transfer-received", "count-adjustment", "scrap", "rts-created", "rts-shipped"}
	want := map[string][]inventory.EventType{
		RoleAdmin:       userEvents(all),
		RoleStorekeeper: append(stockMoves, "count-opened", "count-entered", "count-recount"),
		RoleEngineer:    {"issue", "return", "reserve", "unreserve"},
		RoleProcurement: {"receipt", "return", "po-created", "po-closed", "asn-announced", "rts-created", "rts-shipped"},
		RolePlanner: {"reserve", "unreserve", "part-defined", "transfer-requested", "transfer-approved", "transfer-announced",
			"wo-created", "wo-closed", "reorder-policy-set", "count-opened"},
		RoleAuditor: nil,
	}
	want[RoleStorekeeper] = append(want[RoleStorekeeper], "transfer-requested", "transfer-dispatched", "transfer-announced", "transfer-closed")
	bodies := map[inventory.EventType]string{
		"part-defined":      `{"type":"part-defined","part":{"sku":"P-NEW"}}`,
		"location-defined":  `{"type":"location-defined","location":{"code":"B-01"}}`,
		"receipt":           `{"type":"receipt","ref":"PO-9","lines":[{"sku":"P-NONE","qty":1,"to":"A-01"}]}`,
		"move":              `{"type":"move","lines":[{"sku":"P-NONE","qty":1,"from":"A-01","to":"A-02"}]}`,
		"reserve":           `{"type":"reserve","ref":"WO-9","lines":[{"sku":"P-NONE","qty":1,"location":"A-01"}]}`,
		"unreserve":         `{"type":"unreserve","ref":"WO-1","lines":[{"sku":"P-NONE","qty":1,"location":"A-01"}]}`,
		"issue":             `{"type":"issue","ref":"WO-9","lines":[{"sku":"P-NONE","qty":1,"from":"A-01"}]}`,
		"return":            `{"type":"return","ref":"WO-9","lines":[{"sku":"P-NONE","qty":1,"to":"A-01","condition":"good"}]}`,
		"transfer-shipped":  `{"type":"transfer-shipped","ref":"TO-9","lines":[{"sku":"P-NONE","qty":1,"from":"A-01","to":"TR-1"}]}`,
		"transfer-received": `{"type":"transfer-received","ref":"TO-1","lines":[{"sku":"P-NONE","qty":1,"from":"TR-1","to":"A-02"}]}`,
		"count-adjustment":  `{"type":"count-adjustment","lines":[{"sku":"P-NONE","qty":1,"location":"A-02"}]}`,
		"scrap":             `{"type":"scrap","lines":[{"sku":"P-NONE","qty":1,"from":"A-01"}]}`,
		// po-closed comes after po-created in EventTypes and closes the order it made.
		"po-created": `{"type":"po-created","ref":"PO-NEW","order":{"supplier":"ACME","lines":[{"line":1,"sku":"P-NONE","qty":1}]}}`,
		"po-closed":  `{"type":"po-closed","ref":"PO-NEW","note":"done"}`,
		// against PO-2 of seedPO, which stays open
		"asn-announced": `{"type":"asn-announced","ref":"PO-2","notice":{"number":"ASN-NEW","pallets":[{"sscc":"395060001234567900","lines":[{"sku":"P-NONE","qty":1}]}]}}`,
		// The transfer events work on transfers the setup below prepares.
		"transfer-requested":  `{"type":"transfer-requested","ref":"T-NEW","transfer":{"from":"DEPOT-T","to":"DEPOT-B","lines":[{"sku":"P-NONE","qty":1}]}}`,
		"transfer-approved":   `{"type":"transfer-approved","ref":"T-REQ"}`,
		"transfer-dispatched": `{"type":"transfer-dispatched","ref":"T-PICKED","shipment":{"companyPrefix":"0614141"}}`,
		"transfer-announced":  `{"type":"transfer-announced","ref":"T-IN","transfer":{"from":"DEPOT-B","to":"DEPOT-T","lines":[{"sku":"P-NONE","qty":1}]},"shipment":{"sscc":"006141411234567890","lines":[{"sku":"P-NONE","qty":1}]}}`,
		"transfer-closed":     `{"type":"transfer-closed","ref":"T-IN0"}`,
		"wo-created":          `{"type":"wo-created","ref":"WO-NEW","workOrder":{"engineer":"kim","lines":[{"line":1,"sku":"P-NONE","qty":1}]}}`,
		"wo-closed":           `{"type":"wo-closed","ref":"WO-NEW","note":"done"}`,
		// The batch lists the defective part the setup below brings back.
		"rts-created": `{"type":"rts-created","ref":"RTS-NEW","supplier":"ACME","lines":[{"sku":"P-NONE","qty":1,"from":"DEF-01"}]}`,
		"rts-shipped": `{"type":"rts-shipped","ref":"RTS-NEW"}`,
		// Signals are the depot's own: every role is refused them.
		"reorder-policy-set": `{"type":"reorder-policy-set","policy":{"sku":"P-NONE","method":"minmax","min":1,"max":5}}`,
		"reorder-signal": `{"type":"reorder-signal","signal":{"sku":"P-NONE","method":"minmax","position":{"available":0,"onOrder":0,"inbound":0,"total":0},` +
			`"reorderPoint":1,"orderUpTo":5,"suggestedQty":5,"armedSeq":1}}`,
		"reorder-rearmed": `{"type":"reorder-rearmed","signal":{"sku":"P-NONE","method":"minmax","position":{"available":9,"onOrder":0,"inbound":0,"total":9},` +
			`"reorderPoint":1,"orderUpTo":5,"signalSeq":1}}`,
		// Likewise the count events: an entry in the session just opened,
		// then a recount of the bin it counted.
		"count-opened":  `{"type":"count-opened","ref":"C-NEW","count":{"session":{"scope":{"zone":"A"}}}}`,
		"count-entered": `{"type":"count-entered","ref":"C-NEW","count":{"entry":{"bin":"A-01"}}}`,
		"count-recount": `{"type":"count-recount","ref":"C-NEW","count":{"recount":["A-01"]}}`,
	}
	if len(bodies) != len(all) {
		t.Fatalf("the test knows %d event types, the store %d", len(bodies), len(all))
	}
	for _, role := range Roles() {
		t.Run(role, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			seed(t, f.store)
			seedPO(t, f.store)
			// Something in transit for transfer-received to take.
			if _, err := f.store.Append(context.Background(), inventory.Command{Type: inventory.EvTransferShipped, Actor: "setup",
				Ref: "TO-1", Lines: []inventory.Line{{SKU: "P-NONE", Qty: 2, From: "A-01", To: "TR-1"}}}); err != nil {
				t.Fatal(err)
			}
			seedTransferSteps(t, f.store)
			// Something defective for rts-created to list.
			if _, err := f.store.Append(context.Background(), inventory.Command{Type: inventory.EvReturn, Actor: "setup",
				Ref: "WO-0", Lines: []inventory.Line{{SKU: "P-NONE", Qty: 1, To: "DEF-01", Condition: "defective"}}}); err != nil {
				t.Fatal(err)
			}
			for _, typ := range all {
				before := f.store.Head().Seq
				w := f.do(post(role, bodies[typ]))
				allowed := false
				for _, a := range want[role] {
					allowed = allowed || a == typ
				}
				switch {
				case allowed && (w.Code != 201 || f.store.Head().Seq != before+1):
					t.Errorf("%s %s: %d %s, want 201 and one event", role, typ, w.Code, w.Body)
				case !allowed && (w.Code != 403 || f.store.Head().Seq != before):
					t.Errorf("%s %s: %d %s, want 403 and nothing written", role, typ, w.Code, w.Body)
				case !allowed && decodeProblem(t, w).Code != "forbidden":
					t.Errorf("%s %s: %s", role, typ, w.Body)
				}
			}
		})
	}
}

// lookupCounter counts token lookups that reach the store.
type lookupCounter struct {
	*inventory.Store
	n int
}

func (l *lookupCounter) UserByToken(token string) (inventory.User, error) {
	l.n++
	return l.Store.UserByToken(token)
}

func TestTokenCache(t *testing.T) {
	f := newFixture(t)
	lc := &lookupCounter{Store: f.store}
	f.srv = newServer(Config{Store: lc, Clock: f.clock})
	status := req{method: "GET", path: "/api/v1/status", role: RoleEngineer}
	for range 3 {
		if w := f.do(status); w.Code != 200 {
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	}
	if lc.n != 1 {
		t.Errorf("%d store lookups for three requests within the TTL, want 1", lc.n)
	}
	// A user disabled behind the API's back is refused once the entry expires.
	if err := f.store.PutUser(inventory.User{Name: "engineer-user", Role: RoleEngineer, Disabled: true}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(defaultTokenTTL + time.Millisecond)
	if w := f.do(status); w.Code != 401 {
		t.Errorf("disabled user after the TTL: %d", w.Code)
	}
	// Failures are never cached: a bad token costs a lookup every time.
	before := lc.n
	for range 2 {
		f.do(req{method: "GET", path: "/api/v1/status", token: "no-such-token-0123456789"})
	}
	if lc.n != before+2 {
		t.Errorf("bad tokens: %d lookups, want 2", lc.n-before)
	}

	off := newFixture(t)
	lc = &lookupCounter{Store: off.store}
	off.srv = newServer(Config{Store: lc, Clock: off.clock, TokenCacheTTL: -1})
	off.do(status)
	off.do(status)
	if lc.n != 2 {
		t.Errorf("with the cache off: %d lookups, want 2", lc.n)
	}
}
