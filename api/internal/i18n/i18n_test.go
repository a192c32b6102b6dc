package i18n

import (
	"strings"
	"testing"
	"testing/fstest"
)

func TestNegotiate(t *testing.T) {
	for _, tc := range []struct {
		header string
		want   Lang
	}{
		{"", English},
		{"en-US,en;q=0.9", English},
		{"zh-CN,zh;q=0.9,en;q=0.8", SimplifiedChinese},
		{"zh-TW,zh;q=0.9,en-US;q=0.8", TraditionalChinese},
		{"zh-HK", TraditionalChinese},
		{"zh-Hant-TW", TraditionalChinese},
		{"zh-Hans-HK", SimplifiedChinese}, // the script decides, not the region
		{"zh", SimplifiedChinese},
		{"fr-FR, de;q=0.8", English},                    // nothing supported
		{"fr-FR, zh-TW;q=0.5", TraditionalChinese},      // the only supported one
		{"en;q=0.5, zh-CN;q=0.8", SimplifiedChinese},    // weight, not order
		{"zh-CN;q=0.8, zh-TW;q=0.8", SimplifiedChinese}, // equal weights: the first
		{"zh-TW;q=0, en", English},                      // q=0: not acceptable
		{"zh-TW;q=2", English},                          // a weight the RFC does not allow
		{"*;q=0.1, zh-MO;q=0.2", TraditionalChinese},
		{"ZH-tw", TraditionalChinese},
	} {
		if got := Negotiate(tc.header); got != tc.want {
			t.Errorf("Negotiate(%q) = %s, want %s", tc.header, got, tc.want)
		}
	}
}

func TestCatalogTranslates(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		l          Lang
		text, want string
	}{
		{English, "Insufficient stock", "Insufficient stock"},
		{SimplifiedChinese, "Insufficient stock", "库存不足"},
		{TraditionalChinese, "Insufficient stock", "庫存不足"},
		{SimplifiedChinese, "a text no catalogue has", "a text no catalogue has"},
	} {
		if got := c.T(tc.l, tc.text); got != tc.want {
			t.Errorf("T(%s, %q) = %q, want %q", tc.l, tc.text, got, tc.want)
		}
	}
	if m := c.Missing([]string{"Not found", "a text no catalogue has"}); len(m[SimplifiedChinese]) != 1 || len(m[TraditionalChinese]) != 1 {
		t.Errorf("Missing = %v", m)
	}
}

// FuzzNegotiate: any header picks one of the supported languages.
func FuzzNegotiate(f *testing.F) {
	f.Fuzz(func(t *testing.T, header string) {
		got := Negotiate(header)
		if got != English && got != SimplifiedChinese && got != TraditionalChinese {
			t.Fatalf("Negotiate(%q) = %q", header, got)
		}
	})
}

func TestLoadRefusesConflictingFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"catalog/zh-Hans/a.json": {Data: []byte(`{"Stock":"库存"}`)},
		"catalog/zh-Hans/b.json": {Data: []byte(`{"Stock":"存货"}`)},
		"catalog/zh-Hant/a.json": {Data: []byte(`{"Stock":"庫存"}`)},
	}
	if _, err := load(fsys); err == nil || !strings.Contains(err.Error(), "Stock") {
		t.Fatalf("two translations of one text: err = %v", err)
	}
	fsys["catalog/zh-Hans/b.json"] = &fstest.MapFile{Data: []byte(`{"Stock":"库存","Bin":"库位"}`)}
	c, err := load(fsys)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.T(SimplifiedChinese, "Bin"); got != "库位" {
		t.Errorf("a text of the second file: %q", got)
	}
	fsys["catalog/zh-Hant/a.json"] = &fstest.MapFile{Data: []byte(`["not", "an object"]`)}
	if _, err := load(fsys); err == nil {
		t.Error("a file that is not an object loaded")
	}
}
