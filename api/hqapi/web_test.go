package hqapi

import (
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/api/internal/i18n"
)

// uiText finds the English texts HQ's screens show: what they pass to
// PE.t, the titles of screens and columns, table captions, empty texts
// and chart legends, button and field labels and field hints, and the
// [code, 'English'] pairs of option lists and legends, which are
// translated where they are shown. A string literal is '...' with \'
// escapes.
var uiText = []*regexp.Regexp{
	regexp.MustCompile(`PE\.t\('((?:[^'\\]|\\.)*)'`),
	regexp.MustCompile(`\b(?:title|caption|empty|legend): '((?:[^'\\]|\\.)*)'`),
	regexp.MustCompile(`PE\.button\('((?:[^'\\]|\\.)*)'`),
	regexp.MustCompile(`PE\.field\('((?:[^'\\]|\\.)*)'`),
	regexp.MustCompile(`PE\.field\('(?:[^'\\]|\\.)*', \w+, '((?:[^'\\]|\\.)*)'\)`),
	regexp.MustCompile(`\['[a-z-]*', '((?:[^'\\]|\\.)*)'\]`),
}

// screenTexts lists every text of uiText in the screens, with where it is.
func screenTexts(t *testing.T) map[string]string {
	t.Helper()
	names, err := fs.Glob(web, "web/screens/*.js")
	if err != nil || len(names) < 5 {
		t.Fatalf("screens %v: %v", names, err)
	}
	out := map[string]string{}
	for _, name := range names {
		b, err := fs.ReadFile(web, name)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			for _, re := range uiText {
				for _, m := range re.FindAllStringSubmatch(line, -1) {
					text := strings.ReplaceAll(m[1], `\'`, `'`)
					if _, ok := out[text]; !ok {
						out[text] = fmt.Sprintf("%s:%d", name, i+1)
					}
				}
			}
		}
	}
	return out
}

// TestScreensAreTranslated: every text HQ's screens show is in the
// Simplified and the Traditional Chinese catalogue.
func TestScreensAreTranslated(t *testing.T) {
	texts := screenTexts(t)
	if len(texts) < 80 {
		t.Fatalf("only %d texts found in the screens: the patterns miss some", len(texts))
	}
	want := make([]string, 0, len(texts))
	for text := range texts {
		want = append(want, text)
	}
	sort.Strings(want)
	for lang, missing := range i18n.Default().Missing(want) {
		for _, m := range missing {
			t.Errorf("%s: %q has no %s translation (catalog/%s/hq-ui.json)", texts[m], m, lang, lang)
		}
	}
}

// TestScreenTextPatterns: the patterns find what they are meant to, so a
// text cannot slip past the check above by the way it is written.
func TestScreenTextPatterns(t *testing.T) {
	src := `PE.t('A {n}', { n }) PE.t('It\'s') { key: 'x', title: 'Col' } PE.button('Go', f) caption: 'Cap', empty: 'None', legend: 'Key'
PE.field('Label', input, 'Hint.') [['', 'All'], ['no-demand', 'Quiet']] PE.t(label) title: x`
	var got []string
	for _, re := range uiText {
		for _, m := range re.FindAllStringSubmatch(src, -1) {
			got = append(got, strings.ReplaceAll(m[1], `\'`, `'`))
		}
	}
	sort.Strings(got)
	want := "A {n}|All|Cap|Col|Go|Hint.|It's|Key|Label|None|Quiet"
	if strings.Join(got, "|") != want {
		t.Fatalf("found %q, want %q", strings.Join(got, "|"), want)
	}
}
