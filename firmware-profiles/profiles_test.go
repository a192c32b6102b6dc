package profiles

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"testing/fstest"
)

// The issue asks for at least these models; a depot's installer relies on
// finding them by these ids.
var required = []string{
	"generic-serial-scanner", "honeywell-serial-scanner", "zebra-ssi-scanner", "honeywell-hid-pos",
	"generic-hid-keyboard", "chafon-cf-ru5102", "r2000-reader", "thingmagic-m6e",
}

func TestBuiltin(t *testing.T) {
	set, err := Builtin()
	if err != nil {
		t.Fatalf("built-in profiles: %v", err)
	}
	for _, id := range required {
		p, ok := set.Get(id)
		if !ok {
			t.Errorf("no built-in profile %s", id)
			continue
		}
		if p.Kind == Reader && (p.Reader == nil || !p.Capabilities.Inventory || !p.Capabilities.Power) {
			t.Errorf("%s: a reader profile needs its inventory setup and power capability", id)
		}
		if p.Transport.Type == "serial" && p.Match.Version == "" && p.Kind == Reader {
			t.Errorf("%s: a reader's command set depends on its firmware: give match.version", id)
		}
	}
	for _, p := range set.All() {
		if len(p.Match.USB) == 0 && len(p.Match.Product) == 0 && p.Transport.Type != "tcp" {
			t.Logf("%s has no USB match rule: it is used only when configured by id", p.ID)
		}
	}
}

const good = `id: t-reader
vendor: V
model: M
kind: reader
firmware: ["1.x"]
match: {usb: [{vid: "10c4", pid: "ea60"}], product: ["UHF"], version: "^1\\."}
transport: {type: serial, baud: 115200}
framing: {header: "a0", checksum: sum8-twos}
codec: r2000
reader: {antennas: [1, 2], powerDbm: 26}
capabilities: {inventory: true, power: true, antennas: 4}
`

func TestValidate(t *testing.T) {
	if _, err := Parse("t-reader.yaml", []byte(good)); err != nil {
		t.Fatalf("good profile: %v", err)
	}
	for _, tc := range []struct {
		name, from, to string
		field          string
	}{
		{"unknown key", "codec: r2000", "codec: r2000\ncolour: red", "(yaml)"},
		{"id vs file", "id: t-reader", "id: other", "id"},
		{"bad id", "id: t-reader", "id: T_Reader", "id"},
		{"unknown codec", "codec: r2000", "codec: r3000", "codec"},
		{"kind vs codec", "kind: reader", "kind: scanner", "kind"},
		{"usb id", `vid: "10c4"`, `vid: "10C4"`, "match.usb[0]"},
		{"version regexp", `version: "^1\\."`, `version: "("`, "match.version"},
		{"no baud", "baud: 115200", "baud: 0", "transport.baud"},
		{"transport", "type: serial", "type: bluetooth", "transport.type"},
		{"codec vs transport", "type: serial, baud: 115200", "type: usb-hid", "transport.type"},
		{"checksum", "checksum: sum8-twos", "checksum: crc16-thingmagic", "framing.checksum"},
		{"header", `header: "a0"`, `header: "zz"`, "framing.header"},
		{"antenna", "antennas: [1, 2]", "antennas: [1, 5]", "reader.antennas[1]"},
		{"power", "powerDbm: 26", "powerDbm: 40", "reader.powerDbm"},
		{"no inventory", "inventory: true, ", "", "capabilities.inventory"},
		{"menu on a reader", "codec: r2000", "codec: r2000\ninit: [{name: x, menu: PAPABC}]", "init[0].menu"},
		{"two payloads", "codec: r2000", "codec: r2000\ninit: [{name: x, hex: '00', text: a}]", "init[0]"},
		{"unnamed command", "codec: r2000", "codec: r2000\ninit: [{hex: '00'}]", "init[0].name"},
		{"two documents", "codec: r2000", "codec: r2000\n---\nid: x", "(yaml)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(good, tc.from, tc.to, 1)
			if src == good {
				t.Fatalf("the replacement %q did not apply", tc.from)
			}
			_, err := Parse("t-reader.yaml", []byte(src))
			ps, ok := err.(Problems)
			if !ok {
				t.Fatalf("err = %v, want Problems", err)
			}
			if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Field == tc.field }) {
				t.Fatalf("problems %v do not name %s", ps, tc.field)
			}
		})
	}
}

func TestScannerRules(t *testing.T) {
	base := `id: s
vendor: V
model: M
kind: scanner
firmware: [any]
match: {}
transport: {type: serial, baud: 9600}
framing: {suffix: "\r"}
codec: serial-scanner
capabilities: {}
`
	for _, tc := range []struct{ from, to, field string }{
		{`framing: {suffix: "\r"}`, `framing: {}`, "framing"},
		{"capabilities: {}", "capabilities: {beep: true}", "signals"},
		{"capabilities: {}", "capabilities: {}\nreader: {q: 4}", "reader"},
		{"codec: serial-scanner", "codec: hid-keyboard", "framing.layout"},
		{"codec: serial-scanner", "codec: serial-scanner\ninit: [{name: p, param: {number: 1, value: 1}}]", "init[0]"},
	} {
		_, err := Parse("s.yaml", []byte(strings.Replace(base, tc.from, tc.to, 1)))
		ps, _ := err.(Problems)
		if !slices.ContainsFunc(ps, func(p Problem) bool { return p.Field == tc.field }) {
			t.Errorf("%q: problems %v do not name %s", tc.to, ps, tc.field)
		}
	}
}

func TestLoadAndMerge(t *testing.T) {
	fsys := fstest.MapFS{
		"a1.yaml":  {Data: []byte(strings.Replace(good, "id: t-reader", "id: a1", 1))},
		"bad.yaml": {Data: []byte("id: bad\n")},
	}
	_, err := Load(fsys, ".")
	ps, ok := err.(Problems)
	if !ok || len(ps) < 5 || ps[0].File != "bad.yaml" {
		t.Fatalf("a folder with a bad profile: %v", err)
	}
	delete(fsys, "bad.yaml")
	set, err := Load(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	builtin, err := Builtin()
	if err != nil {
		t.Fatal(err)
	}
	n := len(builtin.All())
	builtin.Merge(set)
	if len(builtin.All()) != n+1 {
		t.Fatalf("merge: %d profiles, want %d", len(builtin.All()), n+1)
	}
}

func TestMatchUSB(t *testing.T) {
	mk := func(id string, product ...string) string {
		s := strings.Replace(good, "id: t-reader", "id: "+id, 1)
		if product == nil {
			return strings.Replace(s, `, product: ["UHF"]`, "", 1)
		}
		return strings.Replace(s, `["UHF"]`, `["`+strings.Join(product, `", "`)+`"]`, 1)
	}
	set, err := Load(fstest.MapFS{
		"any-bridge.yaml": {Data: []byte(mk("any-bridge"))},
		"uhf-reader.yaml": {Data: []byte(mk("uhf-reader", "UHF Reader"))},
		"scanner.yaml":    {Data: []byte(mk("scanner", "Barcode"))},
	}, ".")
	if err != nil {
		t.Fatal(err)
	}
	ids := func(ps []Profile) []string {
		var out []string
		for _, p := range ps {
			out = append(out, p.ID)
		}
		return out
	}
	if got := ids(set.MatchUSB("10C4", "EA60", "CP2102 UHF Reader", "Silicon Labs")); !slices.Equal(got, []string{"uhf-reader", "any-bridge"}) {
		t.Errorf("UHF reader on a CP2102 matched %v", got)
	}
	if got := ids(set.MatchUSB("10c4", "ea60", "CP2102 USB to UART", "Silicon Labs")); !slices.Equal(got, []string{"any-bridge"}) {
		t.Errorf("plain CP2102 matched %v", got)
	}
	if got := set.MatchUSB("0403", "6001", "", ""); len(got) != 0 {
		t.Errorf("unrelated device matched %v", ids(got))
	}
	p, _ := set.Get("uhf-reader")
	if !p.VersionFits("1.4") || p.VersionFits("2.0") {
		t.Error("match.version ^1\\. should fit 1.4 and not 2.0")
	}
}

// TestSchemaMatchesTypes keeps schema.json, which people and editors read,
// in step with the Go types, which are what is enforced.
func TestSchemaMatchesTypes(t *testing.T) {
	raw, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(raw, &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	var walk func(path string, typ reflect.Type, node map[string]any)
	walk = func(path string, typ reflect.Type, node map[string]any) {
		if ref, ok := node["$ref"].(string); ok {
			node = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
		}
		props, _ := node["properties"].(map[string]any)
		var goKeys, schemaKeys []string
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			goKeys = append(goKeys, tag)
			sub, ok := props[tag].(map[string]any)
			if !ok {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
				ft = ft.Elem()
				if items, ok := sub["items"].(map[string]any); ok {
					sub = items
				}
			}
			if ft.Kind() == reflect.Struct {
				walk(path+"."+tag, ft, sub)
			}
		}
		for k := range props {
			schemaKeys = append(schemaKeys, k)
		}
		sort.Strings(goKeys)
		sort.Strings(schemaKeys)
		if !slices.Equal(goKeys, schemaKeys) {
			t.Errorf("%s: Go keys %v, schema keys %v", path, goKeys, schemaKeys)
		}
	}
	walk("profile", reflect.TypeFor[Profile](), schema)
	var enum []string
	for _, v := range schema["properties"].(map[string]any)["codec"].(map[string]any)["enum"].([]any) {
		enum = append(enum, v.(string))
	}
	sort.Strings(enum)
	if !slices.Equal(enum, Codecs()) {
		t.Errorf("schema codecs %v, Go codecs %v", enum, Codecs())
	}
}
