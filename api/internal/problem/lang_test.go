package problem

import (
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

// TestLocalizeDetails: a detail from a format is translated with its
// values; one without a format is its own message id; the caller's
// preference beats the Accept-Language; the English is untouched.
func TestLocalizeDetails(t *testing.T) {
	fromFormat := Newf(inventory.CodeNotFound, 404, "Not found", "sku", "no part %q", "P-1")
	fromError := FromError(inventory.Errorf(inventory.CodeNotFound, "sku", "no part %q", "P-1"), 404, "Not found")
	literal := FromError(&inventory.Error{Code: inventory.CodeNotFound, Field: "token", Msg: "no such token"}, 404, "Not found")
	untranslated := New(inventory.CodeNotFound, 404, "Not found", "", "a detail no catalogue has")
	for _, tc := range []struct {
		name         string
		p            Problem
		accept       string
		prefer       i18n.Lang
		lang, detail string
	}{
		{"format en", fromFormat, "", "", "en", `no part "P-1"`},
		{"format zh-Hans", fromFormat, "zh-CN", "", "zh-Hans", `没有备件 "P-1"`},
		{"error zh-Hant", fromError, "zh-TW", "", "zh-Hant", `沒有料件 "P-1"`},
		{"preference beats the browser", fromError, "zh-TW", i18n.SimplifiedChinese, "zh-Hans", `没有备件 "P-1"`},
		{"no preference: the browser", fromError, "zh-TW", "", "zh-Hant", `沒有料件 "P-1"`},
		{"preference en", fromError, "zh-TW", i18n.English, "en", `no part "P-1"`},
		{"literal zh-Hant", literal, "zh-Hant", "", "zh-Hant", "沒有這個權杖"},
		{"not in the catalogue", untranslated, "zh-Hans", "", "zh-Hans", "a detail no catalogue has"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest("GET", "/", nil)
			c.Request.Header.Set("Accept-Language", tc.accept)
			Prefer(c, tc.prefer)
			got := Localize(c, tc.p)
			if got.Detail != tc.detail || w.Header().Get("Content-Language") != tc.lang || LangOf(c) != i18n.Lang(tc.lang) {
				t.Errorf("detail %q, Content-Language %q, LangOf %q; want %q, %q", got.Detail, w.Header().Get("Content-Language"), LangOf(c), tc.detail, tc.lang)
			}
			if got.Code != tc.p.Code || got.Field != tc.p.Field || got.Type != tc.p.Type || got.Status != tc.p.Status {
				t.Errorf("Localize changed what programs match on: %+v", got)
			}
			if tc.p.Detail != `no part "P-1"` && tc.p.Detail != "no such token" && tc.p.Detail != "a detail no catalogue has" {
				t.Errorf("the English detail is %q", tc.p.Detail)
			}
		})
	}
}
