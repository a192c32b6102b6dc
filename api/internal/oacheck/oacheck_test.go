package oacheck

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/gin-gonic/gin"
)

// recorder is a testing.TB that keeps what a check reports instead of
// failing the test, so each check can be shown to catch what it claims to.
type recorder struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (r *recorder) Helper() {}

func (r *recorder) Error(args ...any) { r.add(fmt.Sprint(args...)) }

func (r *recorder) Errorf(format string, args ...any) { r.add(fmt.Sprintf(format, args...)) }

func (r *recorder) Fatalf(format string, args ...any) {
	r.add(fmt.Sprintf(format, args...))
	runtime.Goexit()
}

func (r *recorder) add(s string) {
	r.mu.Lock()
	r.errors = append(r.errors, s)
	r.mu.Unlock()
}

// run calls check with a recorder on its own goroutine (Fatalf ends it) and
// returns what it reported.
func run(t *testing.T, check func(tb testing.TB)) []string {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		check(r)
	}()
	<-done
	return r.errors
}

// good is a small document every check accepts.
const good = `{
  "openapi": "3.0.3",
  "security": [{"bearer": []}],
  "paths": {
    "/healthz": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}},
    "/api/v1/things/{id}": {
      "get": {
        "parameters": [{"$ref": "#/components/parameters/Id"}],
        "responses": {"200": {"$ref": "#/components/responses/Thing"}, "401": {"$ref": "#/components/responses/Problem"}}
      },
      "post": {
        "parameters": [{"$ref": "#/components/parameters/Id"}, {"name": "Idempotency-Key", "in": "header", "required": true}],
        "responses": {"201": {"$ref": "#/components/responses/Thing"}, "401": {"$ref": "#/components/responses/Problem"}}
      }
    }
  },
  "components": {
    "parameters": {"Id": {"name": "id", "in": "path", "required": true}},
    "responses": {
      "Thing": {"description": "a thing", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}}},
      "Problem": {"description": "a problem"}
    },
    "schemas": {
      "Thing": {"type": "object", "required": ["id", "kind"], "properties": {"id": {}, "kind": {"$ref": "#/components/schemas/Kind"}, "note": {}, "size": {}}},
      "Kind": {"type": "string", "enum": ["a", "b"]},
      "Problem": {"type": "object", "properties": {"code": {"enum": ["x", "y"]}}}
    }
  }
}`

type base struct {
	Size int `json:"size,omitempty"`
}

type thing struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	Note string `json:"note,omitzero"`
	base
	secret string
	Skip   string `json:"-"`
}

var goodRoutes = gin.RoutesInfo{
	{Method: "GET", Path: "/healthz"},
	{Method: "GET", Path: "/api/v1/things/:id"},
	{Method: "POST", Path: "/api/v1/things/:id"},
}

func checkAll(tb testing.TB, raw string, routes gin.RoutesInfo) {
	d := Load(tb, []byte(raw))
	d.CheckRoutes(tb, routes, 3)
	d.CheckComplete(tb, 8)
	d.CheckSchemas(tb, []Type{{Schema: "Thing", V: thing{}}})
	d.CheckEnum(tb, "Kind", []string{"a", "b"})
}

func TestChecksAcceptAGoodDocument(t *testing.T) {
	if errs := run(t, func(tb testing.TB) { checkAll(tb, good, goodRoutes) }); len(errs) != 0 {
		t.Fatalf("a good document was refused: %q", errs)
	}
}

// TestChecksCatchWhatTheyClaim breaks the good document one way at a time
// and wants the matching complaint.
func TestChecksCatchWhatTheyClaim(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new string
		routes   gin.RoutesInfo
		want     string
	}{
		{name: "version 3.1", old: `"3.0.3"`, new: `"3.1.0"`, want: `openapi version "3.1.0"`},
		{name: "not JSON", old: `"openapi"`, new: `openapi`, want: "openapi.json:"},
		{name: "unresolved ref", old: `schemas/Kind"`, new: `schemas/Kinds"`, want: "unresolved $ref #/components/schemas/Kinds"},
		{name: "ref outside components", old: `schemas/Kind"`, new: `schemas/Kind/x"`, want: "unresolved $ref #/components/schemas/Kind/x"},
		{name: "ref with a digit", old: `schemas/Kind"`, new: `schemas/Kind2"`, want: "unresolved $ref #/components/schemas/Kind2"},
		{name: "too few refs", old: `"$ref": "#/components/schemas/Kind"`, new: `"type": "string"`, want: "only 7 references, want at least 8"},
		{name: "path parameter undeclared", old: `{"$ref": "#/components/parameters/Id"}]`, new: `]`, want: "GET /api/v1/things/{id}: path parameter id not declared"},
		{name: "path parameter not required", old: `"in": "path", "required": true`, new: `"in": "path"`, want: "path parameter id not declared as required"},
		{name: "path parameter the path lacks", old: `"name": "id", "in": "path"`, new: `"name": "ident", "in": "path"`, want: "declares path parameter ident the path lacks"},
		{name: "no 2xx", old: `"201":`, new: `"409":`, want: "POST /api/v1/things/{id}: no 2xx response"},
		{name: "no Idempotency-Key", old: `"Idempotency-Key"`, new: `"Other-Key"`, want: "POST /api/v1/things/{id}: no Idempotency-Key"},
		{name: "no 401", old: `"200": {"$ref": "#/components/responses/Thing"}, "401": {"$ref": "#/components/responses/Problem"}`,
			new: `"200": {"$ref": "#/components/responses/Thing"}`, want: "GET /api/v1/things/{id}: needs a token, yet the 401"},
		{name: "public needs no 401 but a private healthz does", old: `"security": [], `, new: ``, want: "GET /healthz: needs a token"},
		{name: "route not documented", routes: append(goodRoutes, gin.RouteInfo{Method: "PUT", Path: "/api/v1/things/:id"}),
			want: "PUT /api/v1/things/{id} is served but not in openapi.json"},
		{name: "documented not served", routes: goodRoutes[:2], want: "POST /api/v1/things/{id} is in openapi.json but not served"},
		{name: "property the type lacks", old: `"size": {}`, new: `"size": {}, "colour": {}`, want: "schema Thing has [colour id kind note size]"},
		{name: "embedded field undocumented", old: `, "size": {}`, new: ``, want: "schema Thing has [id kind note]"},
		{name: "required a type may omit", old: `["id", "kind"]`, new: `["id", "kind", "note"]`, want: "schema Thing requires [id kind note]"},
		{name: "always encoded not required", old: `["id", "kind"]`, new: `["id"]`, want: "schema Thing requires [id]"},
		{name: "schema missing", old: `"Thing": {"type"`, new: `"Thong": {"type"`, want: "schema Thing is missing"},
		{name: "enum order", old: `["a", "b"]`, new: `["b", "a"]`, want: "Kind enum [b a], want [a b]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := good
			if tc.old != "" {
				if !strings.Contains(raw, tc.old) {
					t.Fatalf("the document lacks %q", tc.old)
				}
				raw = strings.Replace(raw, tc.old, tc.new, 1)
			}
			routes := goodRoutes
			if tc.routes != nil {
				routes = tc.routes
			}
			errs := run(t, func(tb testing.TB) { checkAll(tb, raw, routes) })
			for _, e := range errs {
				if strings.Contains(e, tc.want) {
					return
				}
			}
			t.Errorf("want a complaint with %q, got %q", tc.want, errs)
		})
	}
}

func TestRequestSchemaNeedOnlyRequireProperties(t *testing.T) {
	for _, tc := range []struct {
		name, required string
		want           string
	}{
		{name: "fewer than encoded", required: `["id"]`},
		{name: "none", required: `[]`},
		{name: "one the type lacks", required: `["id", "colour"]`, want: "schema Thing requires colour, which the type oacheck.thing lacks"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := strings.Replace(good, `["id", "kind"]`, tc.required, 1)
			errs := run(t, func(tb testing.TB) {
				Load(tb, []byte(raw)).CheckSchemas(tb, []Type{{Schema: "Thing", V: thing{}, Request: true}})
			})
			got := strings.Join(errs, "\n")
			if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPropertyEnumAndPaths(t *testing.T) {
	d := Load(t, []byte(good))
	if got := d.PropertyEnum(t, "Problem", "code"); strings.Join(got, ",") != "x,y" {
		t.Errorf("Problem.code enum %v", got)
	}
	errs := run(t, func(tb testing.TB) { d.PropertyEnum(tb, "Problem", "status") })
	if len(errs) != 1 || !strings.Contains(errs[0], "no property status") {
		t.Errorf("a missing property: %q", errs)
	}
	for _, tc := range []struct{ gin, doc string }{
		{"/a/:id/b/:number", "/a/{id}/b/{number}"},
		{"/files/*path", "/files/{path}"},
		{"/plain", "/plain"},
	} {
		if got := DocPath(tc.gin); got != tc.doc {
			t.Errorf("DocPath(%s) = %s, want %s", tc.gin, got, tc.doc)
		}
	}
	if got := GinPath("/a/{id}/b/{number}"); got != "/a/:id/b/:number" {
		t.Errorf("GinPath = %s", got)
	}
	ops := d.Operations(t)
	var names []string
	for _, op := range ops {
		names = append(names, fmt.Sprintf("%s %s %v", op.Method, op.Path, op.Public()))
	}
	want := "GET /api/v1/things/{id} false|POST /api/v1/things/{id} false|GET /healthz true"
	if got := strings.Join(names, "|"); got != want {
		t.Errorf("operations %s, want %s", got, want)
	}
}
