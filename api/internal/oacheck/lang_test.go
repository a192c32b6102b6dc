package oacheck

import (
	"strings"
	"testing"
)

// langGood documents Accept-Language on every operation that can answer a
// problem and Content-Language on every problem.
const langGood = `{
  "openapi": "3.0.3",
  "paths": {
    "/healthz": {"get": {"security": [], "responses": {"200": {"description": "ok"}}}},
    "/api/v1/things": {
      "get": {
        "parameters": [{"$ref": "#/components/parameters/AcceptLanguage"}],
        "responses": {"200": {"description": "ok"}, "401": {"$ref": "#/components/responses/Problem"}}
      },
      "post": {
        "parameters": [{"$ref": "#/components/parameters/AcceptLanguage"}],
        "responses": {"201": {"description": "ok"},
          "409": {"description": "inline", "headers": {"Content-Language": {"$ref": "#/components/headers/ContentLanguage"}},
            "content": {"application/problem+json": {"schema": {}}}}}
      }
    }
  },
  "components": {
    "parameters": {"AcceptLanguage": {"name": "Accept-Language", "in": "header"}},
    "headers": {"ContentLanguage": {"schema": {"type": "string"}}},
    "responses": {
      "Problem": {"description": "a problem", "headers": {"Content-Language": {"$ref": "#/components/headers/ContentLanguage"}},
        "content": {"application/problem+json": {"schema": {}}}}
    }
  }
}`

func TestCheckLanguages(t *testing.T) {
	check := func(raw string) func(tb testing.TB) {
		return func(tb testing.TB) { Load(tb, []byte(raw)).CheckLanguages(tb) }
	}
	if errs := run(t, check(langGood)); len(errs) != 0 {
		t.Fatalf("a good document was refused: %q", errs)
	}
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"no Accept-Language component", `"name": "Accept-Language"`, `"name": "X-Lang"`, "no components parameter documents the Accept-Language"},
		{"no Content-Language component", `"headers": {"ContentLanguage"`, `"headers": {"Other"`, "no components header ContentLanguage"},
		{"an operation without Accept-Language", `"get": {
        "parameters": [{"$ref": "#/components/parameters/AcceptLanguage"}],`, `"get": {`,
			`GET /api/v1/things: answers problems but does not take Accept-Language: add {"$ref": "#/components/parameters/AcceptLanguage"}`},
		{"a component problem without Content-Language", `"description": "a problem", "headers": {"Content-Language": {"$ref": "#/components/headers/ContentLanguage"}},`,
			`"description": "a problem",`, "response Problem answers a problem without documenting its Content-Language"},
		{"an inline problem without Content-Language", `"description": "inline", "headers": {"Content-Language": {"$ref": "#/components/headers/ContentLanguage"}},`,
			`"description": "inline",`, "POST /api/v1/things: the 409 problem does not document its Content-Language"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw := strings.Replace(langGood, tc.old, tc.new, 1)
			if raw == langGood {
				t.Fatalf("the edit %q did not apply", tc.old)
			}
			errs := run(t, check(raw))
			found := false
			for _, e := range errs {
				found = found || strings.Contains(e, tc.want)
			}
			if !found {
				t.Errorf("want a complaint containing %q, got %q", tc.want, errs)
			}
		})
	}
}
