package hqapi

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/hq"
)

type oaDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]oaSchema        `json:"schemas"`
		Parameters map[string]oaParam         `json:"parameters"`
		Responses  map[string]json.RawMessage `json:"responses"`
	} `json:"components"`
}

type oaSchema struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Required   []string                   `json:"required"`
	Enum       []string                   `json:"enum"`
}

type oaParam struct {
	Ref      string `json:"$ref"`
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

type oaOperation struct {
	Security   *[]json.RawMessage         `json:"security"`
	Parameters []oaParam                  `json:"parameters"`
	Responses  map[string]json.RawMessage `json:"responses"`
}

func loadOpenAPI(t *testing.T) oaDoc {
	t.Helper()
	var doc oaDoc
	if err := json.Unmarshal(openAPIJSON, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	return doc
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// TestOpenAPIMatchesRoutes: every route gin serves is documented, and every
// documented operation is served; each difference is named.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range newUserFixture(t).srv.engine.Routes() {
		served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
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
		t.Error(p)
	}
	if len(served) < 10 {
		t.Errorf("only %d routes served", len(served))
	}
}

// TestOpenAPIIsComplete checks the document's inner consistency: every
// reference resolves, every path parameter is declared, every operation has
// a success answer, every POST takes an Idempotency-Key, and every route
// that needs a token documents its 401.
func TestOpenAPIIsComplete(t *testing.T) {
	doc := loadOpenAPI(t)
	raw := string(openAPIJSON)
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/([a-zA-Z]+)/([A-Za-z]+)"`).FindAllStringSubmatch(raw, -1)
	for _, m := range refs {
		var ok bool
		switch m[1] {
		case "schemas":
			_, ok = doc.Components.Schemas[m[2]]
		case "parameters":
			_, ok = doc.Components.Parameters[m[2]]
		case "responses":
			_, ok = doc.Components.Responses[m[2]]
		}
		if !ok {
			t.Errorf("unresolved $ref %s", m[0])
		}
	}
	if len(refs) < 20 {
		t.Errorf("only %d references: the check above saw too little", len(refs))
	}
	for path, ops := range doc.Paths {
		wantParams := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([A-Za-z]+)\}`).FindAllStringSubmatch(path, -1) {
			wantParams[m[1]] = true
		}
		for method, rawOp := range ops {
			var op oaOperation
			if err := json.Unmarshal(rawOp, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			got := map[string]bool{}
			hasKey := false
			for _, p := range op.Parameters {
				if p.Ref != "" {
					p = doc.Components.Parameters[strings.TrimPrefix(p.Ref, "#/components/parameters/")]
				}
				if p.In == "path" {
					got[p.Name] = p.Required
				}
				hasKey = hasKey || (p.In == "header" && p.Name == "Idempotency-Key")
			}
			for name := range wantParams {
				if !got[name] {
					t.Errorf("%s %s: path parameter %s not declared as required", method, path, name)
				}
			}
			for name := range got {
				if !wantParams[name] {
					t.Errorf("%s %s: declares path parameter %s the path lacks", method, path, name)
				}
			}
			success := false
			for status := range op.Responses {
				success = success || strings.HasPrefix(status, "2")
			}
			if !success {
				t.Errorf("%s %s: no 2xx response", method, path)
			}
			if method == "post" && !hasKey {
				t.Errorf("%s %s: no Idempotency-Key parameter", method, path)
			}
			public := op.Security != nil && len(*op.Security) == 0
			if !public && op.Responses["401"] == nil {
				t.Errorf("%s %s: the 401 answer is not documented", method, path)
			}
			if public && len(routeRoles[strings.ToUpper(method)+" "+ginPath(path)]) != 0 {
				t.Errorf("%s %s: documented as public, the role table says otherwise", method, path)
			}
		}
	}
}

// ginPath turns an OpenAPI path back into gin's form.
func ginPath(p string) string {
	return regexp.MustCompile(`\{([A-Za-z]+)\}`).ReplaceAllString(p, ":$1")
}

// TestOpenAPISchemasMatchTheTypes keeps the documented fields equal to the
// JSON the Go types produce, so a field added to a type shows up here.
func TestOpenAPISchemasMatchTheTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	// A list, not a map: one schema may stand for two types (Site is both
	// what PUT .../site decodes and what the API answers).
	for _, tc := range []struct {
		name string
		v    any
	}{
		{"User", hq.User{}}, {"NewUser", NewUser{}}, {"Problem", Problem{}}, {"Depot", hq.Depot{}},
		{"HWM", hq.HWM{}}, {"Counters", hq.Counters{}}, {"DepotStatus", hq.DepotStatus{}},
		{"Balance", inventory.Balance{}}, {"Position", inventory.Position{}},
		{"DepotStock", hq.DepotStock{}}, {"PartStock", hq.PartStock{}},
		{"TransferView", hq.TransferView{}}, {"TransferLineState", inventory.TransferLineState{}},
		{"ShipmentLine", inventory.ShipmentLine{}}, {"TransferReport", inventory.TransferReport{}},
		{"TransferState", inventory.TransferState{}}, {"Signal", hq.Signal{}},
		{"Suggestion", hq.Suggestion{}}, {"Site", hq.Site{}}, {"Site", siteBody{}},
		{"DepotSite", hq.DepotSite{}},
		{"TransferOrder", hq.TransferOrder{}}, {"TransferOrderState", hq.TransferOrderState{}},
		{"TransferLine", inventory.TransferLine{}}, {"CommandState", hq.CommandState{}},
		{"Command", inventory.Command{}}, {"Transfer", inventory.Transfer{}},
		{"Part", inventory.Part{}}, {"ReorderPolicy", inventory.ReorderPolicy{}},
		{"PartsRequest", PartsRequest{}},
	} {
		schema, ok := doc.Components.Schemas[tc.name]
		if !ok {
			t.Errorf("schema %s is missing", tc.name)
			continue
		}
		fields, always := jsonFields(reflect.TypeOf(tc.v))
		var props []string
		for p := range schema.Properties {
			props = append(props, p)
		}
		slices.Sort(fields)
		slices.Sort(props)
		if !slices.Equal(fields, props) {
			t.Errorf("schema %s has %v, the type %T encodes %v", tc.name, props, tc.v, fields)
		}
		// A field the type always encodes is one a client may rely on, and
		// one it may leave out is not: required must say which is which.
		required := slices.Sorted(slices.Values(schema.Required))
		slices.Sort(always)
		if !slices.Equal(required, always) {
			t.Errorf("schema %s requires %v, the type %T always encodes %v", tc.name, required, tc.v, always)
		}
	}
	for _, tc := range []struct {
		name string
		want []string
	}{
		{"Role", Roles()},
		{"TransferOrderStatus", []string{hq.OrderQueued, hq.OrderAccepted, hq.OrderRefused}},
		{"CommandStatus", []string{hq.CommandPending, hq.CommandApplied, hq.CommandRefused, hq.CommandDone}},
		{"CommandType", eventTypes(replication.CommandTypes)},
		{"Tracking", []string{string(inventory.TrackNone), string(inventory.TrackLot), string(inventory.TrackSerial)}},
		{"TransferStatus", []string{string(inventory.TransferRequested), string(inventory.TransferApproved),
			string(inventory.TransferShipped), string(inventory.TransferReceived), string(inventory.TransferClosed)}},
	} {
		if got := doc.Components.Schemas[tc.name].Enum; !slices.Equal(got, tc.want) {
			t.Errorf("%s enum %v, want %v", tc.name, got, tc.want)
		}
	}
}

func eventTypes(ts []inventory.EventType) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = string(t)
	}
	return out
}

// jsonFields lists the JSON names of a struct's fields, embedded structs'
// fields included (as encoding/json flattens them), and apart the names of
// those it always encodes (no omitempty or omitzero).
func jsonFields(rt reflect.Type) (all, always []string) {
	for i := range rt.NumField() {
		f := rt.Field(i)
		tag, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && tag == "" {
			a, w := jsonFields(f.Type)
			all, always = append(all, a...), append(always, w...)
			continue
		}
		if tag == "-" || tag == "" {
			continue
		}
		all = append(all, tag)
		if !slices.Contains(strings.Split(opts, ","), "omitempty") && !slices.Contains(strings.Split(opts, ","), "omitzero") {
			always = append(always, tag)
		}
	}
	return all, always
}

// TestServesOpenAPI: the document is served as it is embedded, without a
// token.
func TestServesOpenAPI(t *testing.T) {
	f := newUserFixture(t)
	w := f.do(hreq{method: "GET", path: "/api/v1/openapi.json"})
	if w.Code != 200 || w.Body.String() != string(openAPIJSON) || !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("%d %s", w.Code, w.Header())
	}
}
