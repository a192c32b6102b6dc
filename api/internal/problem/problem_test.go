package problem

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// TestWire pins the JSON both APIs put on the wire: clients parse it, so a
// renamed field or a lost omitempty is a breaking change.
func TestWire(t *testing.T) {
	for _, tc := range []struct {
		name                 string
		code                 inventory.Code
		status               int
		title, field, detail string
		want                 string
	}{
		{
			name: "field and detail", code: inventory.CodeInvalid, status: 400, title: "Invalid request",
			field: "lines[0].qty", detail: "must be positive",
			want: `{"type":"https://partsedge.dev/problems/invalid_request","title":"Invalid request","status":400,"detail":"must be positive","code":"invalid_request","field":"lines[0].qty"}`,
		},
		{
			name: "bare", code: CodeInternal, status: 500, title: "Internal error",
			want: `{"type":"https://partsedge.dev/problems/internal","title":"Internal error","status":500,"code":"internal"}`,
		},
		{
			name: "escaped", code: CodeForbidden, status: 403, title: "Forbidden", detail: `the role "x<y>" may not`,
			want: `{"type":"https://partsedge.dev/problems/forbidden","title":"Forbidden","status":403,"detail":"the role \"x\u003cy\u003e\" may not","code":"forbidden"}`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := New(tc.code, tc.status, tc.title, tc.field, tc.detail)
			if got := string(p.Encode()); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			Write(c, p)
			if w.Code != tc.status || w.Header().Get("Content-Type") != ContentType || w.Body.String() != tc.want {
				t.Errorf("Write: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body)
			}
			if c.IsAborted() {
				t.Error("Write stopped the handler chain; that is the caller's choice")
			}
		})
	}
}

// TestContentTypeIsRFC9457 pins the media type RFC 9457 registers.
func TestContentTypeIsRFC9457(t *testing.T) {
	if ContentType != "application/problem+json" {
		t.Errorf("ContentType %q", ContentType)
	}
}

// TestLocalize: the title follows the request's Accept-Language, and the
// code, type and field, which programs match on, stay as they are.
func TestLocalize(t *testing.T) {
	for _, tc := range []struct {
		accept, lang, title string
	}{
		{"", "en", "Insufficient stock"},
		{"zh-CN,zh;q=0.9", "zh-Hans", "库存不足"},
		{"zh-TW", "zh-Hant", "庫存不足"},
		{"fr", "en", "Insufficient stock"},
	} {
		w := httptest.NewRecorder()
		c, _ := gin.CreateTestContext(w)
		c.Request = httptest.NewRequest("POST", "/api/v1/events", nil)
		if tc.accept != "" {
			c.Request.Header.Set("Accept-Language", tc.accept)
		}
		Write(c, New(inventory.CodeInsufficientStock, 409, "Insufficient stock", "lines[0].qty", "only 2 available"))
		var got Problem
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if got.Title != tc.title || got.Code != "insufficient_stock" || got.Field != "lines[0].qty" ||
			got.Type != TypeBase+"insufficient_stock" || w.Header().Get("Content-Language") != tc.lang {
			t.Errorf("%q: %+v, Content-Language %q", tc.accept, got, w.Header().Get("Content-Language"))
		}
	}
}
