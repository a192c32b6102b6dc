package i18n

import (
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestVerbs(t *testing.T) {
	for _, tc := range []struct {
		format string
		want   map[int]string
	}{
		{"no values", map[int]string{}},
		{"100%% sure", map[int]string{}},
		{"%s at %s: %d available", map[int]string{1: "s", 2: "s", 3: "d"}},
		{"%[2]s 的批次 %[1]s", map[int]string{1: "s", 2: "s"}},
		{"%[3]s then %s", map[int]string{3: "s", 4: "s"}}, // after [n] comes n+1
		{"%-8.3f|%+d|%#x|% d|%05d", map[int]string{1: "-8.3f", 2: "+d", 3: "#x", 4: " d", 5: "05d"}},
		{"%*d", map[int]string{1: "*", 2: "*d"}},
		{"%[1]s and %[1]q", map[int]string{1: "s|q"}},
		{"%d%% of %q", map[int]string{1: "d", 2: "q"}},
		{"ends in %", map[int]string{1: "!(NOVERB)"}},
	} {
		if got := Verbs(tc.format); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Verbs(%q) = %v, want %v", tc.format, got, tc.want)
		}
	}
}

func TestSameVerbs(t *testing.T) {
	for _, tc := range []struct {
		format, translation string
		same                bool
	}{
		{"%s at %s: %d available, %d needed", "%s 在 %s：可用 %d，需要 %d", true},
		{"lot %s of %s expires %s", "%[2]s 的批次 %[1]s 有效期至 %[3]s", true},
		{"no part %q", "没有备件 %q", true},
		{"no part %q", "没有备件 %s", false},             // another verb: the quotes go
		{"%d of %s", "%s 的 %d", false},               // swapped without indexes
		{"%d of %s", "%[2]s 的 %[1]d", true},          // swapped with them
		{"transfer %s asks for %d", "调拨单 %s", false}, // a value dropped
		{"no values", "没有值 %d", false},               // a value invented
		{"%d%% tolerance", "%d%% 允差", true},
		{"%d%% tolerance", "%d% 允差", false}, // a lone % is a verb
	} {
		if got, why := SameVerbs(tc.format, tc.translation); got != tc.same {
			t.Errorf("SameVerbs(%q, %q) = %v (%s), want %v", tc.format, tc.translation, got, why, tc.same)
		}
	}
}

// TestSprintfKeepsTheEnglishOfABadTranslation: a translation that uses
// the values differently is never shown.
func TestSprintfKeepsTheEnglishOfABadTranslation(t *testing.T) {
	c, err := load(fstest.MapFS{
		"catalog/zh-Hans/d.json": {Data: []byte(`{"no part %q":"没有备件 %q","%s at %s":"%[2]s 的 %[1]s","%d left":"剩余 %s"}`)},
		"catalog/zh-Hant/d.json": {Data: []byte(`{"no part %q":"沒有料件 %q"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		l      Lang
		format string
		args   []any
		want   string
	}{
		{SimplifiedChinese, "no part %q", []any{"P-1"}, `没有备件 "P-1"`},
		{TraditionalChinese, "no part %q", []any{"P-1"}, `沒有料件 "P-1"`},
		{English, "no part %q", []any{"P-1"}, `no part "P-1"`},
		{SimplifiedChinese, "%s at %s", []any{"P-1", "A-01"}, "A-01 的 P-1"},
		{SimplifiedChinese, "%d left", []any{3}, "3 left"},  // the bad translation
		{TraditionalChinese, "%d left", []any{3}, "3 left"}, // none
	} {
		if got := c.Sprintf(tc.l, tc.format, tc.args...); got != tc.want {
			t.Errorf("Sprintf(%s, %q) = %q, want %q", tc.l, tc.format, got, tc.want)
		}
	}
}

func TestPreference(t *testing.T) {
	for _, tc := range []struct {
		tag  string
		want Lang
		ok   bool
	}{
		{"", "", true}, {"en", English, true}, {"zh-Hans", SimplifiedChinese, true}, {"zh-Hant", TraditionalChinese, true},
		{"zh", "", false}, {"zh-hant", "", false}, {"en-US", "", false}, {" en", "", false}, {"fr", "", false},
	} {
		if got, ok := Preference(tc.tag); got != tc.want || ok != tc.ok {
			t.Errorf("Preference(%q) = %q %v, want %q %v", tc.tag, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzVerbs: Verbs reads whatever a translator types without panicking,
// every text agrees with itself, and a text without % uses no values.
func FuzzVerbs(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		v := Verbs(text)
		if ok, why := SameVerbs(text, text); !ok {
			t.Fatalf("%q differs from itself: %s", text, why)
		}
		if !strings.Contains(text, "%") && len(v) != 0 {
			t.Fatalf("%q: values %v without a %%", text, v)
		}
		for n := range v {
			if n < 1 {
				t.Fatalf("%q: value %d", text, n)
			}
		}
	})
}
