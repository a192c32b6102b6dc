package i18n

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// detailSites says, per package (a folder from the repository's root),
// which calls build a problem's detail and which of their arguments is the
// English format, the message id. A package or helper that starts building
// details joins this table; "inventory.Errorf" means the call through the
// package name, a bare name a call inside the package.
var detailSites = map[string]map[string]int{
	"inventory": {
		"errf": 2, "Errorf": 2, "notFound": 1, "viewDoc": 3,
	},
	"api": {
		"apiErr": 2, "apiErrf": 2, "refuse": 3, "newProblem": 2, "inventory.Errorf": 2,
		"postDocument": 4, // its "may" is "the %s role may not ..."
	},
	"api/hqapi": {
		"refuse": 3, "newProblem": 2, "bodyErr": 2, "invalidQuery": 1, "inventory.Errorf": 2,
	},
	"api/internal/bearer":  {"inventory.Errorf": 2},
	"api/internal/export":  {"inventory.Errorf": 2},
	"api/internal/problem": {"inventory.Errorf": 2},
	"replication/hq": {
		"invalid": 1, "notFound": 1, "inventory.Errorf": 2,
	},
	"devices/station": {"inventory.Errorf": 2},
}

// site is one detail format found in the source.
type site struct {
	pos    token.Position
	format string
	lit    bool // format is a literal; when not, expr is the argument's source
	expr   string
}

// detailFormats reads every package of detailSites and returns each
// format a refusal can carry. A format that is not a string literal (nor
// a constant or a sum of them) cannot be looked up in the catalogue, so
// it comes back with its source for the test to name. Composite literals
// of inventory.Error must leave Msg out (and use inventory.Errorf) or
// give it a literal, since Msg is the id when there is no format.
func detailFormats(t *testing.T, root string, sites map[string]map[string]int) []site {
	t.Helper()
	var out []site
	for dir, calls := range sites {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, filepath.Join(root, dir), func(fi os.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, parser.SkipObjectResolution)
		if err != nil {
			t.Fatalf("parse %s: %v", dir, err)
		}
		if len(pkgs) == 0 {
			t.Fatalf("no Go files in %s", dir)
		}
		for _, pkg := range pkgs {
			consts := stringConsts(pkg)
			for _, f := range pkg.Files {
				ast.Inspect(f, func(n ast.Node) bool {
					switch n := n.(type) {
					case *ast.FuncDecl:
						// The helpers themselves forward their format:
						// their callers' literals are what is checked.
						if _, helper := calls[n.Name.Name]; helper && n.Recv == nil {
							return false
						}
					case *ast.CallExpr:
						idx, ok := calls[callName(n.Fun)]
						if !ok || len(n.Args) <= idx {
							return true
						}
						out = append(out, siteOf(fset, consts, n.Args[idx]))
					case *ast.CompositeLit:
						if !isErrorType(n.Type, dir) {
							return true
						}
						for _, el := range n.Elts {
							kv, ok := el.(*ast.KeyValueExpr)
							if k, _ := kv.Key.(*ast.Ident); ok && k != nil && k.Name == "Msg" {
								out = append(out, siteOf(fset, consts, kv.Value))
							}
						}
					}
					return true
				})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].pos.Filename != out[j].pos.Filename {
			return out[i].pos.Filename < out[j].pos.Filename
		}
		return out[i].pos.Line < out[j].pos.Line
	})
	return out
}

func callName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.IndexExpr: // a generic helper: viewDoc[Part](...)
		return callName(f.X)
	case *ast.IndexListExpr:
		return callName(f.X)
	case *ast.SelectorExpr:
		if x, ok := f.X.(*ast.Ident); ok {
			return x.Name + "." + f.Sel.Name
		}
	}
	return ""
}

func isErrorType(typ ast.Expr, dir string) bool {
	switch t := typ.(type) {
	case *ast.Ident:
		return dir == "inventory" && t.Name == "Error"
	case *ast.SelectorExpr:
		x, ok := t.X.(*ast.Ident)
		return ok && x.Name == "inventory" && t.Sel.Name == "Error"
	}
	return false
}

// stringConsts are the package's constants whose value is a string
// literal, so a detail kept in a named constant is found too.
func stringConsts(pkg *ast.Package) map[string]string {
	out := map[string]string{}
	for _, f := range pkg.Files {
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.CONST {
				continue
			}
			for _, spec := range g.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if s, ok := literal(nil, vs.Values[i]); ok {
							out[name.Name] = s
						}
					}
				}
			}
		}
	}
	return out
}

// literal is e's value when e is a string literal, a constant of
// consts, or a sum of those.
func literal(consts map[string]string, e ast.Expr) (string, bool) {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(e.Value)
		return s, err == nil
	case *ast.Ident:
		s, ok := consts[e.Name]
		return s, ok
	case *ast.ParenExpr:
		return literal(consts, e.X)
	case *ast.BinaryExpr:
		if e.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(consts, e.X)
		b, ok2 := literal(consts, e.Y)
		return a + b, ok1 && ok2
	}
	return "", false
}

func siteOf(fset *token.FileSet, consts map[string]string, e ast.Expr) site {
	s := site{pos: fset.Position(e.Pos())}
	if f, ok := literal(consts, e); ok {
		s.format, s.lit = f, true
		return s
	}
	var b strings.Builder
	b.WriteString(fmt.Sprintf("%T", e))
	if src, err := os.ReadFile(s.pos.Filename); err == nil {
		end := fset.Position(e.End()).Offset
		if s.pos.Offset < end && end <= len(src) {
			b.Reset()
			b.Write(src[s.pos.Offset:end])
		}
	}
	s.expr = b.String()
	return s
}

// TestEveryDetailIsTranslated finds every detail a refusal can carry in
// the source and holds both Chinese catalogues to it: a refusal a person
// can get is never left in English. A new site fails here with its
// file:line and the text to add to catalog/<lang>/details.json.
func TestEveryDetailIsTranslated(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	sites := detailFormats(t, filepath.Join("..", "..", ".."), detailSites)
	if len(sites) < 300 {
		t.Fatalf("found only %d detail sites: is the scan still reading the packages?", len(sites))
	}
	rel := func(p token.Position) string {
		r, err := filepath.Rel(filepath.Join("..", "..", ".."), p.Filename)
		if err != nil {
			r = p.Filename
		}
		return fmt.Sprintf("%s:%d", r, p.Line)
	}
	for _, s := range sites {
		if !s.lit {
			t.Errorf("%s: the detail %s is not a string literal, so no catalogue can translate it: "+
				"write it as a format with values (inventory.Errorf, apiErrf, refuse(c, code, field, \"... %%s\", v))", rel(s.pos), s.expr)
			continue
		}
		if strings.TrimSpace(s.format) == "" {
			continue
		}
		if !hasWords(s.format) {
			t.Errorf("%s: the detail %q is only values: say what is wrong in words a translator can translate, "+
				"with the values as verbs", rel(s.pos), s.format)
			continue
		}
		for _, l := range Langs[1:] {
			if c.T(l, s.format) == s.format {
				t.Errorf("%s: catalog/%s/details.json lacks %q", rel(s.pos), l, s.format)
			}
		}
	}
}

// hasWords says whether format has a letter outside its verbs: "%v" alone
// would pass another message through untranslated.
func hasWords(format string) bool {
	for i := 0; i < len(format); i++ {
		if format[i] == '%' {
			// Skip the directive up to and including its verb letter.
			for i++; i < len(format) && !unicode.IsLetter(rune(format[i])) && format[i] != '%'; i++ {
			}
			continue
		}
		if unicode.IsLetter(rune(format[i])) || format[i] >= 0x80 {
			return true
		}
	}
	return false
}

// TestTranslationsKeepTheValues: each translation of a detail format
// uses its values with the same verbs, so a translator's typo fails here
// rather than printing %!d(string=...) to a storekeeper (Sprintf would
// show the English instead). Only formats are held to this: the screens'
// texts are not formatted by fmt.
func TestTranslationsKeepTheValues(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, s := range detailFormats(t, filepath.Join("..", "..", ".."), detailSites) {
		if !s.lit || seen[s.format] {
			continue
		}
		seen[s.format] = true
		for _, l := range Langs[1:] {
			tr := c.T(l, s.format)
			if ok, why := SameVerbs(s.format, tr); !ok {
				t.Errorf("catalog/%s/details.json: %q → %q: %s", l, s.format, tr, why)
			}
		}
	}
}

// TestDetailScan runs the scan over testdata/scan, a package written to
// hold each kind of site, so the scan itself is known to see them.
func TestDetailScan(t *testing.T) {
	got := detailFormats(t, filepath.Join("testdata", "scan"), map[string]map[string]int{
		"inventory": {"errf": 2, "viewDoc": 3},
	})
	type row struct {
		line   int
		format string
		lit    bool
		expr   string
	}
	var rows []row
	for _, s := range got {
		rows = append(rows, row{s.pos.Line, s.format, s.lit, s.expr})
	}
	want := []row{
		{8, "no part %q", true, ""},
		{9, "", false, `"dynamic "+sku`},
		{10, "a literal message", true, ""},
		{11, "%v", true, ""},
		{12, "kept in a constant", true, ""},
		{13, "joined at compile time", true, ""},
		{14, "no lot %q", true, ""},
		{15, "", false, "msg"},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("scan found\n%v\nwant\n%v", rows, want)
	}
	for _, tc := range []struct {
		format string
		words  bool
	}{{"%v", false}, {"%s: %d", false}, {"%[2]s (%d)", false}, {"no part %q", true}, {"没有 %s", true}, {"%d%%", false}} {
		if hasWords(tc.format) != tc.words {
			t.Errorf("hasWords(%q) = %v", tc.format, !tc.words)
		}
	}
}

// TestNoStaleDetails: details.json holds only formats the code can still
// answer with, so a translator never works on a text nobody sees.
func TestNoStaleDetails(t *testing.T) {
	used := map[string]bool{}
	for _, s := range detailFormats(t, filepath.Join("..", "..", ".."), detailSites) {
		used[s.format] = true
	}
	for _, l := range Langs[1:] {
		name := "catalog/" + string(l) + "/details.json"
		b, err := files.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for k := range m {
			if !used[k] {
				t.Errorf("%s: %q is no detail the code answers with: remove it", name, k)
			}
		}
	}
}
