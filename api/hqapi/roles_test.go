package hqapi

import (
	"regexp"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/api/internal/roletest"
)

// public marks a route every caller may use without a token (an empty
// role list).
var public = []string{}

// routeRoles is the published access table of every route hqd serves,
// written out by hand and independently of the roles the handlers pass to
// authed: who may call it. A route added anywhere (view.go, orders.go, ...)
// fails TestEveryRouteHasItsRoles until it has a line here.
var routeRoles = roletest.Table{
	"GET /healthz":                             public,
	"GET /readyz":                              public,
	"GET /metrics":                             public,
	"GET /api/v1/openapi.json":                 public,
	"GET /api/v1/me":                           {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/users":                        {RoleAdmin},
	"POST /api/v1/users":                       {RoleAdmin},
	"POST /api/v1/users/:name/tokens":          {RoleAdmin},
	"POST /api/v1/me/language":                 {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/depots":                       {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/depots/:id":                   {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/depots/:id/events":            {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/depots/:id/stock":             {RoleAdmin, RolePlanner, RoleViewer},
	"PUT /api/v1/depots/:id/site":              {RoleAdmin, RolePlanner},
	"GET /api/v1/sites":                        {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/stock":                        {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/transfers":                    {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/transfers/:number":            {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/reorder-signals":              {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/suggestions":                  {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/transfer-orders":              {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/transfer-orders/:number":      {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/depots/:id/commands":          {RoleAdmin, RolePlanner, RoleViewer},
	"POST /api/v1/transfer-orders":             {RoleAdmin, RolePlanner},
	"POST /api/v1/depots/:id/reorder-policies": {RoleAdmin, RolePlanner},
	"POST /api/v1/parts":                       {RoleAdmin, RolePlanner},
	"GET /api/v1/parts/:sku/history":           {RoleAdmin, RolePlanner, RoleViewer},
	"GET /api/v1/fill-rate":                    {RoleAdmin, RolePlanner, RoleViewer},
	"GET /":                                    public,
	"GET /ui/*file":                            public,
	"GET /api/v1/notices":                      {RoleAdmin, RolePlanner, RoleViewer},
}

var routeParam = regexp.MustCompile(`[:*][A-Za-z0-9_]+`)

// TestEveryRouteHasItsRoles holds every route of the engine to the table
// above: a public route answers without a token, every other one answers
// 401 without one; a role the table lists is never refused for its role,
// and a role it does not list is refused 403 forbidden with nothing
// written.
func TestEveryRouteHasItsRoles(t *testing.T) {
	f := newUserFixture(t)
	var served []string
	for _, r := range f.srv.engine.Routes() {
		served = append(served, r.Method+" "+r.Path)
	}
	routeRoles.CheckServed(t, served)
	if len(served) < 10 {
		t.Fatalf("only %d routes served: the check saw too little", len(served))
	}
	for _, k := range served {
		roles, ok := routeRoles[k]
		if !ok {
			continue
		}
		method, path, _ := strings.Cut(k, " ")
		path = routeParam.ReplaceAllString(path, "X")
		body := ""
		if method == "POST" || method == "PUT" || method == "PATCH" {
			body = "{}"
		}
		if len(roles) == 0 { // public
			if w := f.do(hreq{method: method, path: path, body: body}); w.Code == 401 || w.Code == 403 {
				t.Errorf("%s is public, yet answers %d without a token", k, w.Code)
			}
			continue
		}
		if w := f.do(hreq{method: method, path: path, body: body}); w.Code != 401 || problemOf(t, w).Code != "unauthenticated" {
			t.Errorf("%s without a token: %d %s, want 401", k, w.Code, w.Body)
		}
		for _, role := range Roles() {
			before, _ := f.hq.Users()
			w := f.do(hreq{method: method, path: path, token: f.tokens[role], body: body})
			a := roletest.Answer{Status: w.Code, Body: w.Body.String()}
			if w.Code == 403 {
				a.Code = problemOf(t, w).Code
			}
			after, _ := f.hq.Users()
			a.Wrote = len(after) != len(before)
			routeRoles.Judge(t, k, role, a)
		}
	}
}
