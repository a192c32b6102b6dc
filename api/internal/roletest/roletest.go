// Package roletest holds an API's routes to its published access table:
// who may call each route. depotd's API and hqd's API both keep such a
// table in their tests, written by hand apart from the code that enforces
// it; this package is the judging both share, so a route served without a
// line in the table, a line for a route not served, a role refused that
// the table allows, or a role let through (or left writing) that it does
// not, fail the same way in both.
package roletest

import (
	"slices"
	"sort"
	"testing"
)

// Table maps a route (as the API's test names it, e.g. "POST /api/v1/x/:id"
// or just the path when one method is tabled) to the roles that may call
// it. An empty list marks a public route.
type Table map[string][]string

// CheckServed holds the table to the routes the engine serves, both ways,
// naming every difference in a stable order.
func (t Table) CheckServed(tb testing.TB, served []string) {
	tb.Helper()
	var problems []string
	for _, k := range served {
		if _, ok := t[k]; !ok {
			problems = append(problems, "route "+k+" is served but has no line in the access table: add it with the roles that may call it")
		}
	}
	for k := range t {
		if !slices.Contains(served, k) {
			problems = append(problems, "the access table lists "+k+", which is not served")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		tb.Error(p)
	}
}

// Answer is what one call of a route by one role got.
type Answer struct {
	Status int
	// Code is the answer's problem code, "" when it is not a problem.
	Code string
	Body string
	// Wrote says whether anything the test watches changed.
	Wrote bool
}

// Forbidden says whether the answer is the API's refusal for the role.
func (a Answer) Forbidden() bool { return a.Status == 403 && a.Code == "forbidden" }

// Judge holds one call to the table: a role the table lists for route is
// never refused for its role; one it does not list is refused 403
// forbidden, and nothing is written.
func (t Table) Judge(tb testing.TB, route, role string, a Answer) {
	tb.Helper()
	allowed := slices.Contains(t[route], role)
	switch {
	case allowed && a.Forbidden():
		tb.Errorf("%s as %s: refused %s, the table allows it", route, role, a.Body)
	case !allowed && !a.Forbidden():
		tb.Errorf("%s as %s: %d %s, want 403 forbidden", route, role, a.Status, a.Body)
	case !allowed && a.Wrote:
		tb.Errorf("%s as %s: forbidden, yet something was written", route, role)
	}
}
