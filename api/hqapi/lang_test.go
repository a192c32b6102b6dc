package hqapi

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

// TestHQProblemsInEachLanguage: refusals from HQ's store and from the API
// layer answer their title and detail in the request's language, the
// values as given.
func TestHQProblemsInEachLanguage(t *testing.T) {
	f := newUserFixture(t)
	noOrder := hreq{method: "GET", path: "/api/v1/transfer-orders/TO-9", token: f.tokens[RoleViewer]}
	noRoute := hreq{method: "GET", path: "/api/v1/nowhere", token: f.tokens[RoleViewer]}
	badName := hreq{method: "POST", path: "/api/v1/users", token: f.tokens[RoleAdmin], body: `{"name":"a b","role":"viewer"}`}
	for _, tc := range []struct {
		name, accept, lang string
		r                  hreq
		status             int
		code, title        string
		detail             string
	}{
		{"store en", "", "en", noOrder, 404, "not_found", "Not found", `no transfer order "TO-9"`},
		{"store zh-Hans", "zh-CN", "zh-Hans", noOrder, 404, "not_found", "未找到", `没有调拨指令 "TO-9"`},
		{"store zh-Hant", "zh-TW", "zh-Hant", noOrder, 404, "not_found", "找不到", `沒有調撥指令 "TO-9"`},
		{"api en", "en-US", "en", noRoute, 404, "not_found", "Not found", "no such route: /api/v1/nowhere"},
		{"api zh-Hans", "zh-Hans", "zh-Hans", noRoute, 404, "not_found", "未找到", "没有这个路由：/api/v1/nowhere"},
		{"api zh-Hant", "zh-Hant", "zh-Hant", noRoute, 404, "not_found", "找不到", "沒有這個路由：/api/v1/nowhere"},
		{"body zh-Hans", "zh", "zh-Hans", badName, 400, "invalid_request", "无效请求", "只能包含字母、数字、'.'、'_'、'-' 和 '@'"},
		{"body zh-Hant", "zh-HK", "zh-Hant", badName, 400, "invalid_request", "無效的請求", "只能包含字母、數字、'.'、'_'、'-' 和 '@'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.header = map[string]string{"Accept-Language": tc.accept}
			w := f.do(r)
			p := problemOf(t, w)
			if w.Code != tc.status || p.Code != tc.code || p.Title != tc.title || p.Detail != tc.detail {
				t.Errorf("got %d %q %q %q, want %d %q %q %q", w.Code, p.Code, p.Title, p.Detail, tc.status, tc.code, tc.title, tc.detail)
			}
			if got := w.Header().Get("Content-Language"); got != tc.lang {
				t.Errorf("Content-Language %q, want %q", got, tc.lang)
			}
		})
	}
}

// TestHQUserLanguage: a user's own language beats their browser's on hqd
// too; GET /me says both; POST /me/language sets, replays and clears it.
func TestHQUserLanguage(t *testing.T) {
	f := newUserFixture(t)
	w := f.do(hreq{method: "POST", path: "/api/v1/users", token: f.tokens[RoleAdmin], body: `{"name":"lin","role":"viewer","lang":"zh-Hant"}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	var created struct {
		User  struct{ Lang string } `json:"user"`
		Token string                `json:"token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &created); err != nil || created.User.Lang != "zh-Hant" {
		t.Fatalf("created %s: %v", w.Body, err)
	}
	tok := created.Token
	// A viewer may not list users: the refusal is in the user's language.
	refusal := func(accept string) (string, Problem) {
		t.Helper()
		w := f.do(hreq{method: "GET", path: "/api/v1/users", token: tok, header: map[string]string{"Accept-Language": accept}})
		if w.Code != http.StatusForbidden {
			t.Fatalf("viewer lists users: %d %s", w.Code, w.Body)
		}
		return w.Header().Get("Content-Language"), problemOf(t, w)
	}
	me := func(accept string) Me {
		t.Helper()
		w := f.do(hreq{method: "GET", path: "/api/v1/me", token: tok, header: map[string]string{"Accept-Language": accept}})
		var m Me
		if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &m) != nil {
			t.Fatalf("GET /me: %d %s", w.Code, w.Body)
		}
		return m
	}
	set := func(body, key string) (int, string) {
		t.Helper()
		h := map[string]string{}
		if key != "" {
			h["Idempotency-Key"] = key
		}
		w := f.do(hreq{method: "POST", path: "/api/v1/me/language", token: tok, body: body, header: h})
		return w.Code, w.Body.String()
	}

	if lang, p := refusal("zh-CN"); lang != "zh-Hant" || p.Title != "無權操作" || p.Detail != "viewer 角色不能執行此操作" {
		t.Errorf("stored zh-Hant, browser zh-CN: %s %+v", lang, p)
	}
	if got := me("en"); got != (Me{Name: "lin", Role: RoleViewer, Lang: "zh-Hant", AnswerLang: "zh-Hant"}) {
		t.Errorf("GET /me = %+v", got)
	}
	status, body := set(`{"lang":"zh-Hans"}`, "k1")
	if status != http.StatusOK {
		t.Fatalf("set zh-Hans: %d %s", status, body)
	}
	if lang, p := refusal("zh-TW"); lang != "zh-Hans" || p.Title != "无权操作" {
		t.Errorf("stored zh-Hans, browser zh-TW: %s %+v", lang, p)
	}
	if again, _ := set(`{"lang":"zh-Hans"}`, "k1"); again != http.StatusOK {
		t.Errorf("replay: %d", again)
	}
	if other, body := set(`{"lang":"en"}`, "k1"); other != http.StatusConflict {
		t.Errorf("key reused for another body: %d %s", other, body)
	}
	for _, b := range []string{`{"lang":"fr"}`, `{"lang":"zh-hant"}`, `{}`, `{"lang":null}`, `{"lang":["en"]}`, `not json`} {
		if status, body := set(b, ""); status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", b, status, body)
		}
	}
	if u, err := f.hq.User("lin"); err != nil || u.Lang != "zh-Hans" {
		t.Errorf("after refused changes: %+v %v", u, err)
	}
	if status, body := set(`{"lang":""}`, ""); status != http.StatusOK {
		t.Fatalf("clear: %d %s", status, body)
	}
	if lang, p := refusal("zh-TW"); lang != "zh-Hant" || p.Title != "無權操作" {
		t.Errorf("cleared, browser zh-TW: %s %+v", lang, p)
	}
	if got := me(""); got.Lang != "" || got.AnswerLang != "en" {
		t.Errorf("GET /me after clearing = %+v", got)
	}
	w = f.do(hreq{method: "POST", path: "/api/v1/users", token: f.tokens[RoleAdmin], body: `{"name":"pat","role":"viewer","lang":"de"}`})
	if p := problemOf(t, w); w.Code != http.StatusBadRequest || p.Field != "lang" {
		t.Errorf("create with lang de: %d %+v", w.Code, p)
	}
}

// FuzzLanguageBody: whatever the body of POST /me/language, the decoder
// either refuses it as invalid or malformed, or returns exactly the
// language the body names, one the APIs speak or "" (follow the browser).
func FuzzLanguageBody(f *testing.F) {
	f.Fuzz(func(t *testing.T, body []byte) {
		l, err := decodeLanguage(body)
		if err != nil {
			if c := inventory.CodeOf(err); c != inventory.CodeInvalid && c != CodeMalformedJSON {
				t.Fatalf("%q: refused with %v", body, err)
			}
			return
		}
		if _, ok := i18n.Preference(string(l)); !ok {
			t.Fatalf("%q: accepted %q, which is no language", body, l)
		}
		var v struct{ Lang string }
		if err := json.Unmarshal(body, &v); err != nil || v.Lang != string(l) {
			t.Fatalf("%q: accepted %q, the body says %q (%v)", body, l, v.Lang, err)
		}
	})
}
