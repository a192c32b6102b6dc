package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

type result struct {
	code           int
	stdout, stderr string
}

// runCLI runs depotctl in-process with the given environment and stdin.
func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb, func(k string) string { return env[k] })
	return result{code, out.String(), errb.String()}
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\n--- stdout\n%s--- stderr\n%s", r.code, r.stdout, r.stderr)
}

// deadServer returns the URL of a port nothing listens on.
func deadServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (go test -update rewrites it)\n--- got\n%s--- want\n%s", name, got, want)
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Every case here is refused (or answered) before any request: the server
// is a dead port, so a case that called it would exit 1, not 2.
func TestArguments(t *testing.T) {
	env := map[string]string{"PARTSEDGE_SERVER": deadServer(t)}
	badJSON := writeFile(t, "bad.json", `{"type":"receipt","lines":[{"sku":"P1",}]}`)
	unknownField := writeFile(t, "unknown.json", `{"type":"receipt","actor":"me","lines":[{"sku":"P1","qty":1,"to":"A"}]}`)
	noType := writeFile(t, "notype.json", `{"lines":[{"sku":"P1","qty":1,"to":"A"}]}`)
	good := writeFile(t, "good.json", `{"type":"receipt","ref":"PO-1","lines":[{"sku":"P1","qty":1,"to":"A"}]}`)
	partsBad := writeFile(t, "parts.json", `[{"sku":"P1","gtin":"4006381333931"}]`)
	nonEmpty := t.TempDir()
	os.WriteFile(filepath.Join(nonEmpty, "x"), nil, 0o644)

	cases := []struct {
		name   string
		args   []string
		code   int
		stdout string // substring
		stderr string // substring
	}{
		{"no command", nil, 2, "", "no command given"},
		{"unknown command", []string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{"unknown flag", []string{"stock", "--bogus"}, 2, "", "flag provided but not defined: -bogus"},
		{"unknown top flag", []string{"--bogus", "stock"}, 2, "", "flag provided but not defined"},
		{"bad format", []string{"stock", "--format", "xml"}, 2, "", `--format must be table, json or csv, not "xml"`},
		{"negative limit", []string{"stock", "--limit", "-1"}, 2, "", "--limit must not be negative"},
		{"bad as-of", []string{"stock", "--as-of", "x"}, 2, "", "invalid value"},
		{"stray argument", []string{"status", "now"}, 2, "", `unexpected argument "now"`},
		{"parts no sub", []string{"parts"}, 2, "", "usage: depotctl parts SUBCOMMAND"},
		{"parts unknown sub", []string{"parts", "frob"}, 2, "", `unknown subcommand "frob" for parts`},
		{"parts get no sku", []string{"parts", "get"}, 2, "", "missing arguments"},
		{"parts get two", []string{"parts", "get", "A", "B"}, 2, "", `unexpected argument "B"`},
		{"parts put no file", []string{"parts", "put"}, 2, "", "-f FILE is required"},
		{"parts put unknown field", []string{"parts", "put", "-f", partsBad}, 2, "", `unknown field "gtin"`},
		{"locations get no code", []string{"locations", "get"}, 2, "", "missing arguments"},
		{"serial one arg", []string{"serial", "P1"}, 2, "", "missing arguments"},
		{"users add no role", []string{"users", "add", "bob"}, 2, "", "--role is required"},
		{"users token no name", []string{"users", "token"}, 2, "", "missing arguments"},
		{"events bad seq", []string{"events", "abc"}, 2, "", "SEQ must be a positive integer"},
		{"post nothing", []string{"post"}, 2, "", "give -f FILE, or TYPE and --line"},
		{"post unknown type", []string{"post", "teleport", "--line", "sku=P1,qty=1"}, 2, "", `unknown event type "teleport"`},
		{"post part-defined", []string{"post", "part-defined", "--line", "sku=P1,qty=1"}, 2, "", "depotctl parts put"},
		{"post no line", []string{"post", "receipt", "--ref", "PO-1"}, 2, "", "at least one --line is required"},
		{"post bad qty", []string{"post", "receipt", "--line", "sku=P1,qty=five,to=A"}, 2, "", `--line 1: qty "five" is not a whole number`},
		{"post second line bad", []string{"post", "receipt", "--line", "sku=P1,qty=1,to=A", "--line", "qty=1"}, 2, "", "--line 2: sku is required"},
		{"post file and type", []string{"post", "-f", good, "receipt"}, 2, "", "-f FILE takes the whole command"},
		{"post invalid json", []string{"post", "-f", badJSON}, 2, "", "is not valid JSON for this command: line 1, column"},
		{"post unknown field", []string{"post", "-f", unknownField}, 2, "", `unknown field "actor"`},
		{"post no type", []string{"post", "-f", noType}, 2, "", `has no "type"`},
		{"post missing file", []string{"post", "-f", "/nonexistent/x.json"}, 2, "", "no such file"},
		{"post long key", []string{"post", "-f", good, "--key", strings.Repeat("k", 201)}, 2, "", "--key is longer than 200"},
		{"backup no file", []string{"backup"}, 2, "", "-o FILE is required"},
		{"backup stdout json", []string{"backup", "-o", "-", "--format", "json"}, 2, "", "has nowhere to go"},
		{"backup exists", []string{"backup", "-o", good}, 2, "", "exists: choose another name or pass --force"},
		{"restore no data", []string{"restore", "x.bak"}, 2, "", "--data DIR is required"},
		{"restore no file", []string{"restore", "--data", t.TempDir()}, 2, "", "missing arguments"},
		{"restore non-empty", []string{"restore", "--data", nonEmpty, good}, 2, "", "is not empty: restore into a new folder"},
		{"restore missing file", []string{"restore", "--data", filepath.Join(t.TempDir(), "new"), "/nonexistent.bak"}, 2, "", "no such file"},
		{"verify data missing", []string{"verify", "--data", "/nonexistent/store"}, 2, "", "/nonexistent/store does not exist"},
		{"verify data not a store", []string{"verify", "--data", nonEmpty}, 2, "", "holds no Partsedge store"},
		{"bad server", []string{"--server", "ftp://x", "status"}, 2, "", "is not an http:// or https:// URL"},
		{"bad timeout", []string{"status", "--timeout", "-1s"}, 2, "", "--timeout must be positive"},
		{"help", []string{"help"}, 0, "usage: depotctl [--server URL]", ""},
		{"help command", []string{"help", "stock"}, 0, "usage: depotctl stock", ""},
		{"help unknown", []string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{"dash h", []string{"post", "-h"}, 0, "sku=P1,qty=5,to=A-01", ""},
		{"group dash h", []string{"users", "-h"}, 0, "add NAME --role ROLE", ""},
		{"sub dash h", []string{"parts", "put", "-h"}, 0, "usage: depotctl parts put -f FILE", ""},
		{"top dash h", []string{"-h"}, 0, "commands:", ""},
		{"version", []string{"--version"}, 0, "depotctl ", ""},
		{"version command", []string{"version"}, 0, "depotctl ", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := runCLI(t, env, "", c.args...)
			if r.code != c.code || !strings.Contains(r.stdout, c.stdout) || !strings.Contains(r.stderr, c.stderr) {
				t.Errorf("depotctl %q: want exit %d, stdout ~ %q, stderr ~ %q; got\n%v", c.args, c.code, c.stdout, c.stderr, r)
			}
		})
	}
}

func TestHelpNeverShowsTheEnvironmentsToken(t *testing.T) {
	r := runCLI(t, map[string]string{"PARTSEDGE_TOKEN": "secret-token-from-env"}, "", "stock", "-h")
	if r.code != 0 || strings.Contains(r.stdout+r.stderr, "secret-token-from-env") {
		t.Fatalf("stock -h: %v", r)
	}
}

func TestParseLine(t *testing.T) {
	valid := []struct {
		in   string
		want inventory.Line
	}{
		{"sku=P1,qty=5,to=A-01", inventory.Line{SKU: "P1", Qty: 5, To: "A-01"}},
		{"sku=P1,qty=-2,location=A-01", inventory.Line{SKU: "P1", Qty: -2, Location: "A-01"}},
		{"sku=P2,qty=10,to=A-01,lot=L1,expiry=2027-01-01", inventory.Line{SKU: "P2", Qty: 10, To: "A-01", Lot: "L1", Expiry: "2027-01-01"}},
		{"sku=P3,from=A-01,serials=S1;S2", inventory.Line{SKU: "P3", Qty: 2, From: "A-01", Serials: []string{"S1", "S2"}}},
		{"sku=P3,qty=1,from=A-01,to=T-1,serials=S1,fromReserved=true", inventory.Line{SKU: "P3", Qty: 1, From: "A-01", To: "T-1", Serials: []string{"S1"}, FromReserved: true}},
		{"sku=P1,qty=1,to=DEF,condition=defective", inventory.Line{SKU: "P1", Qty: 1, To: "DEF", Condition: "defective"}},
		{"SKU=P1,Qty=1,FROMRESERVED=false,from=A", inventory.Line{SKU: "P1", Qty: 1, From: "A"}},
		{`sku=P\,1,qty=1,to=A\=B`, inventory.Line{SKU: "P,1", Qty: 1, To: "A=B"}},
		{`sku=P3,to=A,serials=S\;1;S\\2`, inventory.Line{SKU: "P3", Qty: 2, To: "A", Serials: []string{"S;1", `S\2`}}},
	}
	for _, c := range valid {
		got, err := parseLine(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseLine(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	invalid := []struct{ in, err string }{
		{"", "is empty"},
		{"sku=P1", "qty is required"},
		{"qty=1,to=A", "sku is required"},
		{"sku=P1,qty", `"qty" is not KEY=VALUE`},
		{"sku=P1,qty=1,to=A=B", "more than one '='"},
		{"sku=P1,qtty=1", `unknown key "qtty"`},
		{"sku=P1,sku=P2,qty=1", "sku is given twice"},
		{"sku=P1,qty=1,lot=", "lot has no value"},
		{"sku=P1,qty=1.5", `qty "1.5" is not a whole number`},
		{"sku=P1,qty=0", "qty must not be zero"},
		{"sku=P1,qty=1,expiry=2027-13-01", `expiry "2027-13-01" is not a YYYY-MM-DD date`},
		{"sku=P1,qty=1,expiry=01/01/2027", "is not a YYYY-MM-DD date"},
		{"sku=P3,serials=S1;;S2", "serials has an empty entry"},
		{"sku=P3,serials=S1;S1", `serial "S1" is listed twice`},
		{"sku=P1,qty=1,condition=broken", "condition must be good or defective"},
		{"sku=P1,qty=1,fromReserved=maybe", `fromReserved "maybe" is not true or false`},
		{`sku=P1\`, "lone backslash"},
	}
	for _, c := range invalid {
		_, err := parseLine(c.in)
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("parseLine(%q) error = %v; want one containing %q", c.in, err, c.err)
		}
	}
}

func TestPostDryRunBuildsTheBody(t *testing.T) {
	env := map[string]string{"PARTSEDGE_SERVER": deadServer(t)}
	r := runCLI(t, env, "", "post", "issue", "--ref", "WO-7", "--note", "urgent",
		"--line", "sku=P3,from=A-01,serials=S2,fromReserved=true", "--line", "sku=P1,qty=2,from=A-01", "--dry-run")
	if r.code != 0 {
		t.Fatalf("%v", r)
	}
	var got inventory.Command
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	want := inventory.Command{Type: inventory.EvIssue, Ref: "WO-7", Note: "urgent", Lines: []inventory.Line{
		{SKU: "P3", Qty: 1, From: "A-01", Serials: []string{"S2"}, FromReserved: true},
		{SKU: "P1", Qty: 2, From: "A-01"},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("body %+v, want %+v", got, want)
	}
	// The same from stdin.
	r = runCLI(t, env, r.stdout, "post", "-f", "-", "--dry-run")
	var again inventory.Command
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &again) != nil || !reflect.DeepEqual(again, want) {
		t.Errorf("post -f - --dry-run: %v", r)
	}
}

func TestTableAlignment(t *testing.T) {
	tb := &table{head: []string{"A", "NUM", "B"}, right: []bool{false, true}}
	tb.add("xyz", "5", "")
	tb.add("q", "1234", "tail")
	var b bytes.Buffer
	tb.write(&b)
	want := "A     NUM  B\nxyz     5\nq    1234  tail\n"
	if b.String() != want {
		t.Errorf("got\n%q\nwant\n%q", b.String(), want)
	}
}

func TestCSVGuardsFormulas(t *testing.T) {
	var b bytes.Buffer
	writeCSV(&b, []string{"sku", "n"}, []bool{false, true}, [][]string{{"=HYPERLINK(1)", "-5"}, {"P,1", "3"}})
	want := "sku,n\n'=HYPERLINK(1),-5\n\"P,1\",3\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

func TestDecodeListTakesBothShapes(t *testing.T) {
	cases := []struct {
		body          string
		n             int
		bare, hasNext bool
		seq           int64 // -1: absent
	}{
		{`[{"sku":"A"},{"sku":"B"}]`, 2, true, false, -1},
		{` []`, 0, true, false, -1},
		{`{"items":[{"sku":"A"}],"next":7}`, 1, false, true, -1},
		{`{"items":[{"sku":"A"}],"next":"A"}`, 1, false, true, -1},
		{`{"items":[],"next":null,"seq":4}`, 0, false, false, 4},
		{`{"seq":4}`, 0, false, false, 4},
	}
	for _, c := range cases {
		p, err := decodeList("/x", []byte(c.body))
		seq := int64(-1)
		if p.Seq != nil {
			seq = int64(*p.Seq)
		}
		if err != nil || len(p.Items) != c.n || p.Items == nil || p.Bare != c.bare || p.HasNext != c.hasNext || seq != c.seq {
			t.Errorf("decodeList(%s) = %+v, %v", c.body, p, err)
		}
	}
	if _, err := decodeList("/x", []byte(`"nope"`)); err == nil {
		t.Error("a string decoded as a list")
	}
}
