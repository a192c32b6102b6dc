package hqapi

import (
	"net/http"
	"testing"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// TestEveryTitleIsTranslated: every title hqd's table gives has its
// Chinese texts in the catalogues.
func TestEveryTitleIsTranslated(t *testing.T) {
	titles := map[string]bool{}
	for _, code := range []inventory.Code{inventory.CodeInvalid, CodeMalformedJSON, CodeUnauthenticated, CodeForbidden,
		inventory.CodeNotFound, hq.CodeUnknownDepot, CodeMethodNotAllowed, inventory.CodeIdempotencyReuse,
		inventory.CodeDocumentExists, inventory.CodeUserExists, CodeNotReady, CodeInternal, "a_code_no_table_has"} {
		_, title := statusOf(code)
		titles[title] = true
	}
	var want []string
	for title := range titles {
		want = append(want, title)
	}
	for lang, missing := range i18n.Default().Missing(want) {
		for _, m := range missing {
			t.Errorf("catalog/%s.json has no translation of the title %q", lang, m)
		}
	}
}

// TestProblemsInTheRequestsLanguage: a refusal through a real route, and
// one through a remembered POST, answer in the Accept-Language's language.
func TestProblemsInTheRequestsLanguage(t *testing.T) {
	f := newUserFixture(t)
	for _, tc := range []struct {
		accept, lang, title string
	}{
		{"", "en", "Authentication required"},
		{"zh-CN", "zh-Hans", "需要身份验证"},
		{"zh-TW,en;q=0.5", "zh-Hant", "需要身分驗證"},
	} {
		w := f.do(hreq{method: "GET", path: "/api/v1/depots", header: map[string]string{"Accept-Language": tc.accept}})
		p := problemOf(t, w)
		if w.Code != http.StatusUnauthorized || p.Title != tc.title || p.Code != string(CodeUnauthenticated) ||
			w.Header().Get("Content-Language") != tc.lang {
			t.Errorf("%q: %d %+v, Content-Language %q", tc.accept, w.Code, p, w.Header().Get("Content-Language"))
		}
	}
	w := f.do(hreq{method: "POST", path: "/api/v1/users", token: f.tokens[RoleAdmin], body: `{"name":"x","role":"nope"}`,
		header: map[string]string{"Accept-Language": "zh-TW"}})
	if p := problemOf(t, w); w.Code != http.StatusBadRequest || p.Title != "無效的請求" {
		t.Errorf("remembered POST: %d %+v", w.Code, p)
	}
}
