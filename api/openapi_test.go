package api

import (
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

type oaDoc struct {
	OpenAPI    string                                `json:"openapi"`
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components struct {
		Schemas    map[string]oaSchema        `json:"schemas"`
		Parameters map[string]oaParam         `json:"parameters"`
		Responses  map[string]json.RawMessage `json:"responses"`
		Headers    map[string]json.RawMessage `json:"headers"`
	} `json:"components"`
}

type oaSchema struct {
	Properties map[string]json.RawMessage `json:"properties"`
	Enum       []string                   `json:"enum"`
}

type oaParam struct {
	Ref      string `json:"$ref"`
	Name     string `json:"name"`
	In       string `json:"in"`
	Required bool   `json:"required"`
}

type oaOperation struct {
	Parameters  []oaParam                  `json:"parameters"`
	RequestBody json.RawMessage            `json:"requestBody"`
	Responses   map[string]json.RawMessage `json:"responses"`
}

func loadOpenAPI(t *testing.T) oaDoc {
	t.Helper()
	var doc oaDoc
	if err := json.Unmarshal(openAPIDocument(), &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.0") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	return doc
}

var ginParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// TestOpenAPIMatchesRoutes: every route gin serves is documented, and every
// documented operation is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := loadOpenAPI(t)
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	served := map[string]bool{}
	for _, r := range newFixture(t).srv.engine.Routes() {
		served[r.Method+" "+ginParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	for k := range served {
		if !documented[k] {
			t.Errorf("%s is served but not in openapi.json", k)
		}
	}
	for k := range documented {
		if !served[k] {
			t.Errorf("%s is in openapi.json but not served", k)
		}
	}
	if len(served) < 20 {
		t.Errorf("only %d routes served", len(served))
	}
}

// TestOpenAPIIsComplete checks the document's inner consistency: every
// reference resolves, every path parameter is declared, every operation has
// a success answer, every POST takes an Idempotency-Key, and the problem
// codes are exactly the ones problem.go maps.
func TestOpenAPIIsComplete(t *testing.T) {
	doc := loadOpenAPI(t)
	raw := string(openAPIDocument())
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/([a-zA-Z]+)/([A-Za-z]+)"`).FindAllStringSubmatch(raw, -1) {
		var ok bool
		switch m[1] {
		case "schemas":
			_, ok = doc.Components.Schemas[m[2]]
		case "parameters":
			_, ok = doc.Components.Parameters[m[2]]
		case "responses":
			_, ok = doc.Components.Responses[m[2]]
		case "headers":
			_, ok = doc.Components.Headers[m[2]]
		}
		if !ok {
			t.Errorf("unresolved $ref %s", m[0])
		}
	}
	if n := strings.Count(raw, `"$ref"`); n < 50 {
		t.Errorf("only %d references: the check above saw too little", n)
	}
	for path, ops := range doc.Paths {
		wantParams := map[string]bool{}
		for _, m := range regexp.MustCompile(`\{([a-z]+)\}`).FindAllStringSubmatch(path, -1) {
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
			if strings.HasPrefix(path, "/api/v1/") && path != "/api/v1/openapi.json" && op.Responses["401"] == nil {
				t.Errorf("%s %s: the 401 answer is not documented", method, path)
			}
		}
	}
	var codes []string
	for c := range wantStatus {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	var code struct {
		Enum []string `json:"enum"`
	}
	if err := json.Unmarshal(doc.Components.Schemas["Problem"].Properties["code"], &code); err != nil {
		t.Fatal(err)
	}
	enum := code.Enum
	slices.Sort(enum)
	if !slices.Equal(enum, codes) {
		t.Errorf("Problem.code enum %v, mapped codes %v", enum, codes)
	}
}

// TestOpenAPISchemasMatchTheTypes keeps the documented fields equal to the
// JSON the Go types produce, so a field added to inventory shows up here.
func TestOpenAPISchemasMatchTheTypes(t *testing.T) {
	doc := loadOpenAPI(t)
	for name, v := range map[string]any{
		"Part": inventory.Part{}, "Location": inventory.Location{}, "Line": inventory.Line{},
		"Command": inventory.Command{}, "Event": inventory.Event{}, "Balance": inventory.Balance{},
		"User": inventory.User{}, "VerifyReport": inventory.VerifyReport{}, "SerialHistory": inventory.SerialHistory{},
		"StockAnswer": stockAnswer{}, "NewUser": newUser{}, "Problem": Problem{},
		"ReorderPolicy": inventory.ReorderPolicy{}, "ReorderSignal": inventory.ReorderSignal{},
		"ReorderState": inventory.ReorderState{}, "SignalRecord": inventory.SignalRecord{},
		"Position": inventory.Position{}, "DemandEstimate": inventory.DemandEstimate{}, "Forecast": inventory.Forecast{},
		"ReplicationStatus": ReplicationStatus{},
	} {
		var fields []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			tag, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
			if tag != "-" && tag != "" {
				fields = append(fields, tag)
			}
		}
		var props []string
		for p := range doc.Components.Schemas[name].Properties {
			props = append(props, p)
		}
		slices.Sort(fields)
		slices.Sort(props)
		if !slices.Equal(fields, props) {
			t.Errorf("schema %s has %v, the type encodes %v", name, props, fields)
		}
	}
	for name, want := range map[string][]inventory.EventType{"EventType": inventory.EventTypes} {
		got := doc.Components.Schemas[name].Enum
		if len(got) != len(want) {
			t.Errorf("%s enum %v, want %v", name, got, want)
		}
		for i := range got {
			if i < len(want) && got[i] != string(want[i]) {
				t.Errorf("%s enum %v, want %v", name, got, want)
				break
			}
		}
	}
	if got := doc.Components.Schemas["Role"].Enum; !slices.Equal(got, Roles()) {
		t.Errorf("Role enum %v, want %v", got, Roles())
	}
}
