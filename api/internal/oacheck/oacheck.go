// Package oacheck holds a hand-written OpenAPI document to itself, to the
// routes gin serves and to the Go types its schemas describe. depotd's API
// and hqd's API both check their documents with it, from their tests, so
// the two documents answer to one set of rules and a check made stricter for
// one is stricter for both.
package oacheck

import (
	"encoding/json"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
)

// Doc is the part of an OpenAPI 3.0 document the checks read.
type Doc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]Schema `json:"schemas"`
		Parameters map[string]Param  `json:"parameters"`
	} `json:"components"`

	raw []byte
	// components holds every component by kind, so that a reference to any
	// kind (responses, headers, requestBodies, ...) can be resolved.
	components map[string]map[string]json.RawMessage
}

// Schema is a component schema: an object's properties or an enum.
type Schema struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Required   []string                   `json:"required"`
	Enum       []string                   `json:"enum"`
}

// Param is an operation's parameter, or a reference to a component one.
type Param struct {
	Ref      string `json:"$ref"`
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

// Operation is one method on one documented path.
type Operation struct {
	// Method is upper-case, as gin names it; Path is the document's form,
	// with {name} parameters.
	Method, Path string
	// Security is nil when the operation inherits the document's
	// requirement, and empty when the operation is public.
	Security   *[]json.RawMessage         `json:"security"`
	Parameters []Param                    `json:"parameters"`
	Responses  map[string]json.RawMessage `json:"responses"`
}

// Public says whether the operation is documented as needing no token.
func (op Operation) Public() bool { return op.Security != nil && len(*op.Security) == 0 }

// Load decodes an OpenAPI 3.0 document, failing tb if it is not one.
func Load(tb testing.TB, raw []byte) *Doc {
	tb.Helper()
	d := &Doc{raw: raw}
	if err := json.Unmarshal(raw, d); err != nil {
		tb.Fatalf("openapi.json: %v", err)
	}
	var all struct {
		Components map[string]map[string]json.RawMessage `json:"components"`
	}
	if err := json.Unmarshal(raw, &all); err != nil {
		tb.Fatalf("openapi.json components: %v", err)
	}
	d.components = all.Components
	// Both APIs write 3.0 documents; 3.1 changes what nullable and
	// exclusiveMinimum mean, so a silent bump would change the contract.
	if !strings.HasPrefix(d.OpenAPI, "3.0.") {
		tb.Fatalf("openapi version %q, want 3.0.x", d.OpenAPI)
	}
	return d
}

// Operations lists every documented operation, sorted by path and method so
// that failures come out in a stable order.
func (d *Doc) Operations(tb testing.TB) []Operation {
	tb.Helper()
	var ops []Operation
	for path, methods := range d.Paths {
		for method, raw := range methods {
			var op Operation
			if err := json.Unmarshal(raw, &op); err != nil {
				tb.Fatalf("%s %s: %v", method, path, err)
			}
			op.Method, op.Path = strings.ToUpper(method), path
			ops = append(ops, op)
		}
	}
	sort.Slice(ops, func(i, j int) bool {
		if ops[i].Path != ops[j].Path {
			return ops[i].Path < ops[j].Path
		}
		return ops[i].Method < ops[j].Method
	})
	return ops
}

var (
	ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)
	oaParam  = regexp.MustCompile(`\{([^{}]+)\}`)
	anyRef   = regexp.MustCompile(`"\$ref"\s*:\s*"([^"]*)"`)
)

// GinPath turns a document path back into gin's form ({id} becomes :id).
func GinPath(p string) string { return oaParam.ReplaceAllString(p, ":$1") }

// DocPath turns a gin route path into the document's form.
func DocPath(p string) string { return ginParam.ReplaceAllString(p, "{$1}") }

// CheckRoutes holds the document to the routes gin serves, both ways: every
// served route is documented and every documented operation is served. Each
// difference is named. minRoutes guards against a check that saw nothing.
func (d *Doc) CheckRoutes(tb testing.TB, routes gin.RoutesInfo, minRoutes int) {
	tb.Helper()
	documented := map[string]bool{}
	for path, methods := range d.Paths {
		for method := range methods {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range routes {
		served[r.Method+" "+DocPath(r.Path)] = true
	}
	var problems []string
	for k := range served {
		if !documented[k] {
			problems = append(problems, k+" is served but not in openapi.json: document it")
		}
	}
	for k := range documented {
		if !served[k] {
			problems = append(problems, k+" is in openapi.json but not served")
		}
	}
	sort.Strings(problems)
	for _, p := range problems {
		tb.Error(p)
	}
	if len(served) < minRoutes {
		tb.Errorf("only %d routes served, want at least %d: the check saw too little", len(served), minRoutes)
	}
}

// CheckComplete checks the document's inner consistency: every reference
// resolves, every path parameter is declared required and none is declared
// that the path lacks, every operation has a 2xx answer, every POST takes an
// Idempotency-Key, and every operation not documented as public documents
// its 401. minRefs guards against a reference check that saw nothing.
func (d *Doc) CheckComplete(tb testing.TB, minRefs int) {
	tb.Helper()
	refs := anyRef.FindAllStringSubmatch(string(d.raw), -1)
	for _, m := range refs {
		if !d.resolves(m[1]) {
			tb.Errorf("unresolved $ref %s", m[1])
		}
	}
	if len(refs) < minRefs {
		tb.Errorf("only %d references, want at least %d: the check above saw too little", len(refs), minRefs)
	}
	for _, op := range d.Operations(tb) {
		want := map[string]bool{}
		for _, m := range oaParam.FindAllStringSubmatch(op.Path, -1) {
			want[m[1]] = true
		}
		got := map[string]bool{}
		hasKey := false
		for _, p := range op.Parameters {
			if p.Ref != "" {
				p = d.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
			}
			if p.In == "path" {
				got[p.Name] = p.Required
			}
			hasKey = hasKey || (p.In == "header" && p.Name == "Idempotency-Key")
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			if !got[name] {
				tb.Errorf("%s %s: path parameter %s not declared as required", op.Method, op.Path, name)
			}
		}
		for _, name := range slices.Sorted(maps.Keys(got)) {
			if !want[name] {
				tb.Errorf("%s %s: declares path parameter %s the path lacks", op.Method, op.Path, name)
			}
		}
		success := false
		for status := range op.Responses {
			success = success || strings.HasPrefix(status, "2")
		}
		if !success {
			tb.Errorf("%s %s: no 2xx response", op.Method, op.Path)
		}
		if op.Method == "POST" && !hasKey {
			tb.Errorf("%s %s: no Idempotency-Key parameter", op.Method, op.Path)
		}
		if !op.Public() && op.Responses["401"] == nil {
			tb.Errorf("%s %s: needs a token, yet the 401 answer is not documented", op.Method, op.Path)
		}
	}
}

func (d *Doc) resolves(ref string) bool {
	kind, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
	if !ok || !strings.HasPrefix(ref, "#/components/") || strings.Contains(name, "/") {
		return false
	}
	_, ok = d.components[kind][name]
	return ok
}

// Type pairs a component schema with a Go value the API encodes or decodes
// under it. A list of them, not a map: one schema may stand for two types.
type Type struct {
	Schema string
	V      any
	// Request marks a schema only clients send, for a type the server
	// fills defaults into: its required list names what the server refuses
	// without, which the type cannot tell, so it need only name properties.
	Request bool
}

// CheckSchemas keeps each schema's properties equal to the JSON its Go type
// produces, and its required list equal to the fields the type always
// encodes, so a field added to a type shows up here.
func (d *Doc) CheckSchemas(tb testing.TB, types []Type) {
	tb.Helper()
	for _, tc := range types {
		schema, ok := d.Components.Schemas[tc.Schema]
		if !ok {
			tb.Errorf("schema %s is missing", tc.Schema)
			continue
		}
		fields, always := JSONFields(reflect.TypeOf(tc.V))
		props := slices.Sorted(maps.Keys(schema.Properties))
		slices.Sort(fields)
		if !slices.Equal(fields, props) {
			tb.Errorf("schema %s has %v, the type %T encodes %v", tc.Schema, props, tc.V, fields)
		}
		required := slices.Sorted(slices.Values(schema.Required))
		if tc.Request {
			for _, r := range required {
				if !slices.Contains(fields, r) {
					tb.Errorf("schema %s requires %s, which the type %T lacks", tc.Schema, r, tc.V)
				}
			}
			continue
		}
		// A field the type always encodes is one a client may rely on, and
		// one it may leave out is not: required must say which is which.
		slices.Sort(always)
		if !slices.Equal(required, always) {
			tb.Errorf("schema %s requires %v, the type %T always encodes %v", tc.Schema, required, tc.V, always)
		}
	}
}

// CheckEnum holds a schema's enum to want, order included: clients show the
// values in the order the document gives them.
func (d *Doc) CheckEnum(tb testing.TB, schema string, want []string) {
	tb.Helper()
	s, ok := d.Components.Schemas[schema]
	if !ok {
		tb.Errorf("schema %s is missing", schema)
		return
	}
	if !slices.Equal(s.Enum, want) {
		tb.Errorf("%s enum %v, want %v", schema, s.Enum, want)
	}
}

// PropertyEnum is the enum of one property of a schema (e.g. Problem.code).
func (d *Doc) PropertyEnum(tb testing.TB, schema, property string) []string {
	tb.Helper()
	raw, ok := d.Components.Schemas[schema].Properties[property]
	if !ok {
		tb.Fatalf("schema %s has no property %s", schema, property)
	}
	var p struct {
		Enum []string `json:"enum"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		tb.Fatalf("%s.%s: %v", schema, property, err)
	}
	return p.Enum
}

// JSONFields lists the JSON names of a struct's fields, embedded structs'
// fields included (as encoding/json flattens them), and apart the names of
// those it always encodes (no omitempty or omitzero).
func JSONFields(rt reflect.Type) (all, always []string) {
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" {
			a, w := JSONFields(f.Type)
			all, always = append(all, a...), append(always, w...)
			continue
		}
		if tag == "-" || tag == "" {
			continue
		}
		all = append(all, tag)
		o := strings.Split(opts, ",")
		if !slices.Contains(o, "omitempty") && !slices.Contains(o, "omitzero") {
			always = append(always, tag)
		}
	}
	return all, always
}

// response is the part of a response the language check reads.
type response struct {
	Ref     string                     `json:"$ref"`
	Headers map[string]json.RawMessage `json:"headers"`
	Content map[string]json.RawMessage `json:"content"`
}

// problemAnswer resolves raw (a response or a reference to one) and says
// whether it answers with a problem, and whether it documents
// Content-Language.
func (d *Doc) problemAnswer(raw json.RawMessage) (problem, lang bool) {
	var r response
	if json.Unmarshal(raw, &r) != nil {
		return false, false
	}
	if r.Ref != "" {
		name := strings.TrimPrefix(r.Ref, "#/components/responses/")
		if json.Unmarshal(d.components["responses"][name], &r) != nil {
			return false, false
		}
	}
	_, problem = r.Content["application/problem+json"]
	_, lang = r.Headers["Content-Language"]
	return problem, lang
}

// CheckLanguages holds the document to what the APIs do with languages: a
// request may say which it reads (Accept-Language, a components parameter
// every operation that can answer with a problem references) and every
// problem says which it is written in (Content-Language, a header every
// problem answer documents). A new operation that lacks the reference
// fails here by name: add {"$ref": "#/components/parameters/AcceptLanguage"}
// to its parameters.
func (d *Doc) CheckLanguages(tb testing.TB) {
	tb.Helper()
	var accept string
	for name, p := range d.Components.Parameters {
		if p.In == "header" && p.Name == "Accept-Language" {
			accept = "#/components/parameters/" + name
		}
	}
	if accept == "" {
		tb.Fatalf("no components parameter documents the Accept-Language header")
	}
	if _, ok := d.components["headers"]["ContentLanguage"]; !ok {
		tb.Errorf("no components header ContentLanguage documents the Content-Language of problems")
	}
	for name, raw := range d.components["responses"] {
		if problem, lang := d.problemAnswer(raw); problem && !lang {
			tb.Errorf("response %s answers a problem without documenting its Content-Language header", name)
		}
	}
	for _, op := range d.Operations(tb) {
		problems := false
		for status, raw := range op.Responses {
			problem, lang := d.problemAnswer(raw)
			problems = problems || problem
			if problem && !lang {
				tb.Errorf("%s %s: the %s problem does not document its Content-Language header", op.Method, op.Path, status)
			}
		}
		refs := false
		for _, p := range op.Parameters {
			refs = refs || p.Ref == accept
		}
		if problems && !refs {
			tb.Errorf("%s %s: answers problems but does not take Accept-Language: add {\"$ref\": %q} to its parameters",
				op.Method, op.Path, accept)
		}
	}
}
