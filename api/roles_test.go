package api

import (
	"testing"

	"github.com/partsedge/partsedge/api/internal/roletest"
)

// routeRoles is the published access table of every POST route, written
// out here by hand and independently of roles.go: who may call it. Every
// role may read (GET) everything but users, administration and the audit
// trail (TestReadRoutesOpenToEveryRole, TestAuditRoute).
var routeRoles = roletest.Table{
	"/api/v1/parts":                         {RoleAdmin, RolePlanner},
	"/api/v1/locations":                     {RoleAdmin},
	"/api/v1/events":                        {RoleAdmin, RoleStorekeeper, RoleEngineer, RoleProcurement, RolePlanner}, // per type: TestPostPermissions
	"/api/v1/devices/:id/signal":            {RoleAdmin},
	"/api/v1/purchase-orders":               {RoleAdmin, RoleProcurement},
	"/api/v1/purchase-orders/:number/close": {RoleAdmin, RoleProcurement},
	"/api/v1/asns":                          {RoleAdmin, RoleProcurement},
	"/api/v1/transfers":                     {RoleAdmin, RoleStorekeeper, RolePlanner},
	"/api/v1/transfers/:number/approve":     {RoleAdmin, RolePlanner},
	"/api/v1/transfers/:number/ship":        {RoleAdmin, RoleStorekeeper},
	"/api/v1/transfers/:number/receive":     {RoleAdmin, RoleStorekeeper},
	"/api/v1/transfers/:number/write-off":   {RoleAdmin, RolePlanner},
	"/api/v1/work-orders":                   {RoleAdmin, RolePlanner},
	"/api/v1/work-orders/:number/close":     {RoleAdmin, RolePlanner},
	"/api/v1/issues":                        {RoleAdmin, RoleStorekeeper, RoleEngineer},
	"/api/v1/returns":                       {RoleAdmin, RoleStorekeeper, RoleEngineer, RoleProcurement},
	"/api/v1/supplier-returns":              {RoleAdmin, RoleStorekeeper, RoleProcurement},
	"/api/v1/supplier-returns/:number/ship": {RoleAdmin, RoleStorekeeper, RoleProcurement},
	"/api/v1/reorder-policies":              {RoleAdmin, RolePlanner},
	"/api/v1/counts":                        {RoleAdmin, RoleStorekeeper, RolePlanner},
	"/api/v1/counts/:number/entries":        {RoleAdmin, RoleStorekeeper},
	"/api/v1/counts/:number/recount":        {RoleAdmin, RoleStorekeeper},
	"/api/v1/counts/:number/approve":        {RoleAdmin, RoleStorekeeper},
	"/api/v1/stations/:id/scans":            {RoleAdmin, RoleStorekeeper, RoleEngineer, RoleProcurement, RolePlanner},
	"/api/v1/stations/:id/operation":        {RoleAdmin, RoleStorekeeper, RoleEngineer, RoleProcurement, RolePlanner},
	"/api/v1/users":                         {RoleAdmin},
	"/api/v1/users/:name/tokens":            {RoleAdmin},
	"/api/v1/admin/verify":                  {RoleAdmin},
	"/api/v1/me/language":                   {RoleAdmin, RoleStorekeeper, RoleEngineer, RoleProcurement, RolePlanner, RoleAuditor},
}

// TestEveryPostRouteHasItsRoles holds every POST route the server serves
// to the table above: a role not listed is refused 403 forbidden and
// nothing is written; a listed role is never refused for its role. A new
// route fails this test until the table says who may call it.
func TestEveryPostRouteHasItsRoles(t *testing.T) {
	var routes []string
	for _, r := range newFixture(t).srv.engine.Routes() {
		if r.Method == "POST" {
			routes = append(routes, r.Path)
		}
	}
	routeRoles.CheckServed(t, routes)
	if len(routes) < 20 {
		t.Fatalf("only %d POST routes served: the check saw too little", len(routes))
	}
	for _, role := range Roles() {
		t.Run(role, func(t *testing.T) {
			f := newFixture(t)
			seed(t, f.store)
			for _, path := range routes {
				body := goodBody("POST", path)
				// /events decides per event type (TestPostPermissions);
				// an empty command asks only whether the role posts at all.
				if body == "" || path == "/api/v1/events" {
					body = "{}"
				}
				before := f.store.Head().Seq
				users, _ := f.store.Users()
				w := f.do(req{method: "POST", path: concrete(path), role: role, body: body})
				a := roletest.Answer{Status: w.Code, Body: w.Body.String()}
				if w.Code == 403 {
					a.Code = decodeProblem(t, w).Code
				}
				after, _ := f.store.Users()
				a.Wrote = f.store.Head().Seq != before || len(after) != len(users)
				routeRoles.Judge(t, path, role, a)
			}
		})
	}
}
