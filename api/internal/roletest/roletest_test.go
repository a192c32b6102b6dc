package roletest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder keeps what a check reports instead of failing the test, so each
// check can be shown to catch what it claims to.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Helper()           {}
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

var table = Table{
	"GET /healthz":         {},
	"POST /api/v1/parts":   {"admin", "planner"},
	"GET /api/v1/parts/:x": {"admin", "planner", "viewer"},
}

func TestCheckServed(t *testing.T) {
	for _, tc := range []struct {
		name   string
		served []string
		want   []string
	}{
		{name: "exact", served: []string{"GET /healthz", "POST /api/v1/parts", "GET /api/v1/parts/:x"}},
		{name: "untabled and unserved", served: []string{"GET /healthz", "POST /api/v1/parts", "PUT /api/v1/parts/:x"}, want: []string{
			"route PUT /api/v1/parts/:x is served but has no line in the access table: add it with the roles that may call it",
			"the access table lists GET /api/v1/parts/:x, which is not served",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			table.CheckServed(r, tc.served)
			if strings.Join(r.errors, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got %q\nwant %q", r.errors, tc.want)
			}
		})
	}
}

func TestJudge(t *testing.T) {
	forbidden := Answer{Status: 403, Code: "forbidden", Body: "{}"}
	for _, tc := range []struct {
		name, route, role string
		a                 Answer
		want              string
	}{
		{name: "allowed and served", route: "POST /api/v1/parts", role: "planner", a: Answer{Status: 201, Wrote: true}},
		{name: "allowed yet refused later", route: "POST /api/v1/parts", role: "admin", a: Answer{Status: 422, Code: "invalid_request"}},
		{name: "allowed yet forbidden", route: "POST /api/v1/parts", role: "admin", a: forbidden,
			want: "POST /api/v1/parts as admin: refused {}, the table allows it"},
		{name: "not allowed and forbidden", route: "POST /api/v1/parts", role: "viewer", a: forbidden},
		{name: "not allowed yet answered", route: "POST /api/v1/parts", role: "viewer", a: Answer{Status: 400, Code: "invalid_request", Body: "bad"},
			want: "POST /api/v1/parts as viewer: 400 bad, want 403 forbidden"},
		{name: "403 of another code", route: "POST /api/v1/parts", role: "viewer", a: Answer{Status: 403, Code: "self_approval", Body: "x"},
			want: "POST /api/v1/parts as viewer: 403 x, want 403 forbidden"},
		{name: "forbidden yet written", route: "POST /api/v1/parts", role: "viewer", a: Answer{Status: 403, Code: "forbidden", Wrote: true},
			want: "POST /api/v1/parts as viewer: forbidden, yet something was written"},
		{name: "untabled route", route: "PUT /x", role: "admin", a: Answer{Status: 200, Body: "ok"},
			want: "PUT /x as admin: 200 ok, want 403 forbidden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			table.Judge(r, tc.route, tc.role, tc.a)
			if got := strings.Join(r.errors, "\n"); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}
