package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

// TestProblemsInEachLanguage: refusals from the ledger and from the API
// layer, through real routes on a real store, answer their title and
// detail in the request's language, with the values (SKUs, quantities,
// ids) as the client sent them and the code, type and field unchanged.
func TestProblemsInEachLanguage(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	issue8 := post(RoleEngineer, `{"type":"issue","ref":"WO-2","lines":[{"sku":"P-NONE","qty":8,"from":"A-01"}]}`)
	serialElsewhere := post(RoleEngineer, `{"type":"issue","ref":"WO-3","lines":[{"sku":"P-SER","qty":1,"from":"A-02","serials":["S1"]}]}`)
	noDevice := req{method: "GET", path: "/api/v1/devices/NOPE", role: RoleAdmin}
	badLimit := req{method: "GET", path: "/api/v1/parts?limit=0", role: RoleStorekeeper}
	forbidden := req{method: "POST", path: "/api/v1/parts", role: RoleEngineer, body: `{"sku":"P-NEW"}`}
	for _, tc := range []struct {
		name, accept, lang string
		r                  req
		status             int
		code, field        string
		title, detail      string
	}{
		{"ledger en", "en-GB", "en", issue8, 409, "insufficient_stock", "lines[0].qty",
			"Insufficient stock", "P-NONE at A-01: 7 available, 8 needed"},
		{"ledger zh-Hans", "zh-CN,zh;q=0.9", "zh-Hans", issue8, 409, "insufficient_stock", "lines[0].qty",
			"库存不足", "P-NONE 在 A-01：可用 7，需要 8"},
		{"ledger zh-Hant", "zh-TW", "zh-Hant", issue8, 409, "insufficient_stock", "lines[0].qty",
			"庫存不足", "P-NONE 在 A-01：可用 7，需要 8"},
		{"reordered values en", "", "en", serialElsewhere, 409, "serial_not_at_location", "lines[0].serials",
			"Serial not at location", "serial S1 of P-SER is not at A-02"},
		{"reordered values zh-Hans", "zh-Hans", "zh-Hans", serialElsewhere, 409, "serial_not_at_location", "lines[0].serials",
			"序列号不在该库位", "P-SER 的序列号 S1 不在 A-02"},
		{"reordered values zh-Hant", "zh-Hant", "zh-Hant", serialElsewhere, 409, "serial_not_at_location", "lines[0].serials",
			"序號不在該儲位", "P-SER 的序號 S1 不在 A-02"},
		{"api en", "fr, en;q=0.5", "en", noDevice, 404, "not_found", "id", "Not found", `no device "NOPE"`},
		{"api zh-Hans", "zh-SG", "zh-Hans", noDevice, 404, "not_found", "id", "未找到", `没有设备 "NOPE"`},
		{"api zh-Hant", "zh-HK", "zh-Hant", noDevice, 404, "not_found", "id", "找不到", `沒有裝置 "NOPE"`},
		{"query zh-Hans", "zh", "zh-Hans", badLimit, 400, "invalid_request", "limit", "无效请求", "必须是 1 到 500 之间的整数"},
		{"query zh-Hant", "zh-MO", "zh-Hant", badLimit, 400, "invalid_request", "limit", "無效的請求", "必須是 1 到 500 之間的整數"},
		{"role zh-Hans", "zh-CN", "zh-Hans", forbidden, 403, "forbidden", "", "无权操作", "engineer 角色不能定义备件"},
		{"role zh-Hant", "zh-TW", "zh-Hant", forbidden, 403, "forbidden", "", "無權操作", "engineer 角色不能定義料件"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.r
			r.header = map[string]string{"Accept-Language": tc.accept}
			before := f.store.Head().Seq
			w := f.do(r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			p := decodeProblem(t, w)
			if p.Code != tc.code || p.Field != tc.field || p.Title != tc.title || p.Detail != tc.detail {
				t.Errorf("got code %q field %q title %q detail %q\nwant code %q field %q title %q detail %q",
					p.Code, p.Field, p.Title, p.Detail, tc.code, tc.field, tc.title, tc.detail)
			}
			if got := w.Header().Get("Content-Language"); got != tc.lang {
				t.Errorf("Content-Language %q, want %q", got, tc.lang)
			}
			if f.store.Head().Seq != before {
				t.Error("a refusal wrote to the ledger")
			}
		})
	}
}

// TestUserLanguageBeatsTheBrowser: a user's stored language decides the
// language of their answers whatever the Accept-Language; cleared, the
// browser decides again. Admins give it at creation.
func TestUserLanguageBeatsTheBrowser(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	w := f.do(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"mei","role":"engineer","lang":"zh-Hant"}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("create user: %d %s", w.Code, w.Body)
	}
	created := decodeJSON[struct {
		User  inventory.User `json:"user"`
		Token string         `json:"token"`
	}](t, w)
	if created.User.Lang != "zh-Hant" {
		t.Fatalf("created user's lang %q", created.User.Lang)
	}
	tok := created.Token
	issue8 := req{method: "POST", path: "/api/v1/events", token: tok,
		body: `{"type":"issue","ref":"WO-2","lines":[{"sku":"P-NONE","qty":8,"from":"A-01"}]}`}
	refusal := func(accept string) (lang, title string) {
		t.Helper()
		r := issue8
		r.header = map[string]string{"Accept-Language": accept}
		w := f.do(r)
		if w.Code != http.StatusConflict {
			t.Fatalf("issue 8: %d %s", w.Code, w.Body)
		}
		return w.Header().Get("Content-Language"), decodeProblem(t, w).Title
	}
	whoAmI := func(accept string) me {
		t.Helper()
		w := f.do(req{method: "GET", path: "/api/v1/me", token: tok, header: map[string]string{"Accept-Language": accept}})
		if w.Code != http.StatusOK {
			t.Fatalf("GET /me: %d %s", w.Code, w.Body)
		}
		return decodeJSON[me](t, w)
	}
	setLang := func(body, key string) *httptest.ResponseRecorder {
		t.Helper()
		return f.do(req{method: "POST", path: "/api/v1/me/language", token: tok, body: body,
			header: map[string]string{"Idempotency-Key": key, "Accept-Language": "en"}})
	}

	if lang, title := refusal("zh-CN"); lang != "zh-Hant" || title != "庫存不足" {
		t.Errorf("stored zh-Hant, browser zh-CN: %s %q", lang, title)
	}
	if got := whoAmI("en"); got != (me{Name: "mei", Role: RoleEngineer, Lang: "zh-Hant", AnswerLang: "zh-Hant", Depot: "DEPOT-T"}) {
		t.Errorf("GET /me = %+v", got)
	}

	// Chosen by the user: answered at once in the new language, and kept.
	w = setLang(`{"lang":"zh-Hans"}`, "k1")
	if w.Code != http.StatusOK {
		t.Fatalf("set zh-Hans: %d %s", w.Code, w.Body)
	}
	if got := decodeJSON[me](t, w); got.Lang != "zh-Hans" || got.AnswerLang != "zh-Hans" {
		t.Errorf("answer to set zh-Hans: %+v", got)
	}
	if lang, title := refusal("zh-TW"); lang != "zh-Hans" || title != "库存不足" {
		t.Errorf("stored zh-Hans, browser zh-TW: %s %q", lang, title)
	}
	// A replay of the key answers the first answer and changes nothing.
	if w := setLang(`{"lang":"zh-Hans"}`, "k1"); w.Code != http.StatusOK || w.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("replay: %d %v %s", w.Code, w.Header(), w.Body)
	}
	if w := setLang(`{"lang":"en"}`, "k1"); w.Code != http.StatusUnprocessableEntity || decodeProblem(t, w).Code != "idempotency_key_reused" {
		t.Errorf("key reused for another body: %d %s", w.Code, w.Body)
	}

	// Refused whole: nothing stored.
	for _, body := range []string{`{"lang":"fr"}`, `{"lang":"zh"}`, `{"lang":"ZH-HANT"}`, `{}`, `{"lang":null}`, `{"lang":1}`, `{"lang":"en","x":1}`} {
		w := setLang(body, "")
		if w.Code != http.StatusBadRequest {
			t.Errorf("%s: %d %s", body, w.Code, w.Body)
			continue
		}
		if p := decodeProblem(t, w); p.Code != "invalid_request" && p.Code != "malformed_json" {
			t.Errorf("%s: code %q", body, p.Code)
		}
	}
	long := strings.Repeat("x", 36)
	if w := setLang(`{"lang":"`+long+`"}`, ""); w.Code != http.StatusBadRequest || strings.Contains(w.Body.String(), long) {
		t.Errorf("a long tag: %d %s", w.Code, w.Body)
	}
	if w := setLang(`{"lang":"`+long[:35]+`"}`, ""); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), long[:35]) {
		t.Errorf("a tag of 35: %d %s", w.Code, w.Body)
	}
	if u, err := f.store.User("mei"); err != nil || u.Lang != "zh-Hans" {
		t.Errorf("after refused changes: %+v %v", u, err)
	}

	// Cleared: the browser decides again, English without one.
	if w := setLang(`{"lang":""}`, "k2"); w.Code != http.StatusOK || decodeJSON[me](t, w).AnswerLang != "en" {
		t.Fatalf("clear: %d %s", w.Code, w.Body)
	}
	if lang, title := refusal("zh-TW"); lang != "zh-Hant" || title != "庫存不足" {
		t.Errorf("cleared, browser zh-TW: %s %q", lang, title)
	}
	if lang, title := refusal(""); lang != "en" || title != "Insufficient stock" {
		t.Errorf("cleared, no browser language: %s %q", lang, title)
	}
	if got := whoAmI("zh-CN"); got.Lang != "" || got.AnswerLang != "zh-Hans" {
		t.Errorf("GET /me after clearing = %+v", got)
	}

	// An admin cannot create a user with a language the API does not speak.
	w = f.do(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"pat","role":"engineer","lang":"de"}`})
	if w.Code != http.StatusBadRequest || decodeProblem(t, w).Field != "lang" {
		t.Errorf("create with lang de: %d %s", w.Code, w.Body)
	}
	if _, err := f.store.User("pat"); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Errorf("refused user was stored: %v", err)
	}
	if !strings.Contains(w.Body.String(), `\"de\"`) {
		t.Errorf("the refusal does not name the value: %s", w.Body)
	}
}

// FuzzLanguageBody: whatever the body of POST /me/language, the decoder
// either refuses it as invalid or malformed, or returns exactly the
// language the body names, one the APIs speak or "" (follow the browser).
func FuzzLanguageBody(f *testing.F) {
	fx := newFixture(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		l, err := fx.srv.decodeLanguage(body)
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

// TestUserLanguageReachesExportsAndNotices: a user's own language, not
// only the browser's, decides the column titles of an export, a report's
// own texts and the notices' messages.
func TestUserLanguageReachesExportsAndNotices(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	w := f.do(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"lin","role":"planner","lang":"zh-Hant"}`})
	if w.Code != http.StatusCreated {
		t.Fatalf("create user: %d %s", w.Code, w.Body)
	}
	tok := decodeJSON[struct {
		Token string `json:"token"`
	}](t, w).Token
	english := map[string]string{"Accept-Language": "en-US"}
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/stock?format=csv", i18n.Default().T(i18n.TraditionalChinese, "Part")},
		{"/api/v1/reports/turns?format=csv", i18n.Default().T(i18n.TraditionalChinese, "Part")},
	} {
		w := f.do(req{method: "GET", path: tc.path, token: tok, header: english})
		if w.Code != http.StatusOK || w.Header().Get("Content-Language") != "zh-Hant" || !strings.Contains(w.Body.String(), tc.want) {
			t.Errorf("GET %s: %d %q, want zh-Hant titles with %q:\n%.200s", tc.path, w.Code, w.Header().Get("Content-Language"), tc.want, w.Body)
		}
	}
	w = f.do(req{method: "GET", path: "/api/v1/notices", token: tok, header: english})
	if w.Code != http.StatusOK || w.Header().Get("Content-Language") != "zh-Hant" {
		t.Errorf("GET /notices: %d %q, want zh-Hant", w.Code, w.Header().Get("Content-Language"))
	}
}
