package api

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/api/internal/i18n"
)

// A JavaScript string literal in single or double quotes.
const jsString = `('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")`

// shownText finds the English text the screens show a person: what they
// pass to PE.t, mark with N_ (translated later), give PE.field and
// PE.button (which translate their label), and the title, caption,
// empty, label, placeholder and hint of screens, tables and fields.
var shownText = []*regexp.Regexp{
	regexp.MustCompile(`\bPE\.t\(\s*` + jsString),
	regexp.MustCompile(`\bN_\(\s*` + jsString),
	regexp.MustCompile(`\bPE\.(?:field|button)\(\s*` + jsString),
	regexp.MustCompile(`\b(?:title|caption|empty|label|placeholder|hint):\s*` + jsString),
	// The third argument of PE.field is its hint.
	regexp.MustCompile(`\bPE\.field\(\s*` + jsString + `\s*,\s*\w+\s*,\s*` + jsString),
}

// jsUnquote reads a JavaScript string literal of the simple kind the
// screens write (escapes \' \" \\ \n only).
func jsUnquote(lit string) (string, error) {
	body := lit[1 : len(lit)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(body) {
			return "", fmt.Errorf("%s ends in a backslash", lit)
		}
		switch body[i] {
		case '\'', '"', '\\':
			b.WriteByte(body[i])
		case 'n':
			b.WriteByte('\n')
		default:
			return "", fmt.Errorf("%s: escape \\%c is not read by this test; write the character", lit, body[i])
		}
	}
	return b.String(), nil
}

// screenText is one text and where the screens show it.
type screenText struct {
	text, at string
}

// screenTexts collects the shown text of every file, with file:line.
func screenTexts(t *testing.T, files []string) []screenText {
	t.Helper()
	var out []screenText
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		src := string(b)
		for _, re := range shownText {
			for _, m := range re.FindAllStringSubmatchIndex(src, -1) {
				for g := 1; g*2 < len(m); g++ {
					if m[2*g] < 0 {
						continue
					}
					text, err := jsUnquote(src[m[2*g]:m[2*g+1]])
					if err != nil {
						t.Errorf("%s:%d: %v", file, strings.Count(src[:m[0]], "\n")+1, err)
						continue
					}
					out = append(out, screenText{text, fmt.Sprintf("%s:%d", file, strings.Count(src[:m[2*g]], "\n")+1)})
				}
			}
		}
	}
	return out
}

func screenFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("web", "screens", "*.js"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no screens in web/screens")
	}
	return append(files, filepath.Join("internal", "webui", "static", "app.js"))
}

// TestScreenTextsTranslated holds every text the depot's screens and the
// shell show to both Chinese catalogues, and names the file and line of
// each one missing.
func TestScreenTextsTranslated(t *testing.T) {
	texts := screenTexts(t, screenFiles(t))
	if len(texts) < 100 {
		t.Fatalf("found only %d texts in the screens: the patterns no longer match how screens are written", len(texts))
	}
	// Texts the shell and the overview pass to PE.t through a variable,
	// which the patterns cannot see: the page titles (webui.Site.Title of
	// depotd and hqd), the defaults of PE.table and PE.scanField, the
	// overview's cards and reminder kinds, and the role names shown beside
	// the user's name.
	for _, s := range []string{"Partsedge", "Partsedge depot", "Partsedge HQ", "viewer",
		"Nothing to show", "Table", "Scan", "Scan or type a code",
		"Depot", "Events in the ledger", "HQ link", "Not yet at HQ", "Version",
		"Parts arrived for a work order", "Transfer overdue in transit", "Reorder point reached", "Lot expiring"} {
		texts = append(texts, screenText{s, "the shell"})
	}
	for _, r := range Roles() {
		texts = append(texts, screenText{r, "api.Roles"})
	}
	cat := i18n.Default()
	for _, l := range i18n.Langs[1:] {
		all := cat.Texts(l)
		for _, st := range texts {
			if all[st.text] == "" {
				t.Errorf("%s: %q has no %s translation", st.at, st.text, l)
			}
		}
	}
}

var placeholder = regexp.MustCompile(`\{\w+\}`)

// TestScreenTranslationsKeepPlaceholders: a translation fills the same
// {name} placeholders as its English text, or PE.t would show a raw
// "{sku}" or drop a value.
func TestScreenTranslationsKeepPlaceholders(t *testing.T) {
	cat := i18n.Default()
	seen := map[string]bool{}
	for _, st := range screenTexts(t, screenFiles(t)) {
		if seen[st.text] {
			continue
		}
		seen[st.text] = true
		want := placeholder.FindAllString(st.text, -1)
		sort.Strings(want)
		for _, l := range i18n.Langs[1:] {
			got := placeholder.FindAllString(cat.T(l, st.text), -1)
			sort.Strings(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s translation of %q has placeholders %v, want %v", st.at, l, st.text, got, want)
			}
		}
	}
}

// TestScreenTextPatterns pins what the collector reads, so a change to it
// that silently stops finding texts fails here.
func TestScreenTextPatterns(t *testing.T) {
	src := `PE.t('One') PE.t("Two's") N_('Three') PE.field('Four', x, 'Five') PE.button("Six", f)
	{ title: 'Seven', caption: 'Eight', empty: 'Nine', label: 'Ten', placeholder: 'Eleven' }
	PE.t(variable) title: someCall('no')`
	dir := t.TempDir()
	file := filepath.Join(dir, "x.js")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range screenTexts(t, []string{file}) {
		got = append(got, st.text)
	}
	sort.Strings(got)
	got = slices.Compact(got)
	want := []string{"Eight", "Eleven", "Five", "Four", "Nine", "One", "Seven", "Six", "Ten", "Three", "Two's"}
	if !slices.Equal(got, want) {
		t.Fatalf("collected %s, want %s", strconv.Quote(strings.Join(got, "|")), strconv.Quote(strings.Join(want, "|")))
	}
}

// hiddenText is a PE.t whose argument picks between literals
// (PE.t(ok ? 'Yes' : 'No')): the collector cannot see those texts, so the
// screens write PE.t on each branch instead.
var hiddenText = regexp.MustCompile(`\bPE\.t\([^'"\n)]*\?\s*['"]`)

func TestScreenTextsNotHiddenInExpressions(t *testing.T) {
	for _, file := range screenFiles(t) {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range hiddenText.FindAllIndex(b, -1) {
			t.Errorf("%s:%d: write PE.t on each branch of the choice, so the catalogue test sees both texts",
				file, strings.Count(string(b[:m[0]]), "\n")+1)
		}
	}
}
