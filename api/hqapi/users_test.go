package hqapi

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

const fixtureAdminToken = "hqapi-test-admin-token-0123"

// fakeClock is the API's clock in tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// userFixture is hqapi over a real HQ store in a temp dir, with one user
// (and token) per role.
type userFixture struct {
	t      testing.TB
	hq     *hq.HQ
	h      http.Handler
	srv    *server
	clock  *fakeClock
	tokens map[string]string // by role
}

func newUserFixture(t testing.TB) *userFixture {
	t.Helper()
	h, err := hq.Open(hq.Options{Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	clock := &fakeClock{t: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)}
	srv := newServer(Options{HQ: h, AdminToken: fixtureAdminToken, Log: slog.New(slog.DiscardHandler), Now: clock.Now})
	f := &userFixture{t: t, hq: h, h: srv.engine, srv: srv, clock: clock,
		tokens: map[string]string{RoleAdmin: fixtureAdminToken}}
	for _, role := range []string{RolePlanner, RoleViewer} {
		tok := "token-of-the-" + role + "-0123456789"
		if err := h.CreateUser(hq.User{Name: "the-" + role, Role: role}, tok); err != nil {
			t.Fatal(err)
		}
		f.tokens[role] = tok
	}
	return f
}

type hreq struct {
	method, path, token, body string
	header                    map[string]string
}

func (f *userFixture) do(r hreq) *httptest.ResponseRecorder {
	f.t.Helper()
	var body io.Reader
	if r.body != "" {
		body = strings.NewReader(r.body)
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.token != "" {
		req.Header.Set("Authorization", "Bearer "+r.token)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	f.h.ServeHTTP(w, req)
	return w
}

func problemOf(t testing.TB, w *httptest.ResponseRecorder) Problem {
	t.Helper()
	var p Problem
	if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q of %d %s", ct, w.Code, w.Body)
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		t.Fatalf("problem %s: %v", w.Body, err)
	}
	return p
}

// TestUsersAPI: an admin creates users and tokens, which work at once;
// a keyed repeat answers the first answer and creates nothing; every
// refusal has its code and writes nothing.
func TestUsersAPI(t *testing.T) {
	f := newUserFixture(t)
	admin := f.tokens[RoleAdmin]

	w := f.do(hreq{method: "POST", path: "/api/v1/users", token: admin, body: `{"name":"dora","role":"planner"}`,
		header: map[string]string{"Idempotency-Key": "k1"}})
	var created struct {
		User  hq.User `json:"user"`
		Token string  `json:"token"`
	}
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &created) != nil || created.User.Name != "dora" ||
		created.User.Role != RolePlanner || len(created.Token) < hq.MinTokenLen || !created.User.Created.Equal(f.clock.Now()) {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	if w := f.do(hreq{method: "GET", path: "/api/v1/depots", token: created.Token}); w.Code != 200 {
		t.Fatalf("the new token: %d %s", w.Code, w.Body)
	}
	again := f.do(hreq{method: "POST", path: "/api/v1/users", token: admin, body: `{"name":"dora","role":"planner"}`,
		header: map[string]string{"Idempotency-Key": "k1"}})
	if again.Code != 201 || again.Body.String() != w.Body.String() || again.Header().Get("Idempotent-Replayed") != "true" {
		t.Fatalf("repeat: %d %s", again.Code, again.Body)
	}
	if p := problemOf(t, f.do(hreq{method: "POST", path: "/api/v1/users", token: admin, body: `{"name":"eve","role":"viewer"}`,
		header: map[string]string{"Idempotency-Key": "k1"}})); p.Code != string(inventory.CodeIdempotencyReuse) || p.Status != 409 {
		t.Fatalf("key reused: %+v", p)
	}

	w = f.do(hreq{method: "POST", path: "/api/v1/users/dora/tokens", token: admin})
	var tok struct{ Token string }
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &tok) != nil || tok.Token == "" || tok.Token == created.Token {
		t.Fatalf("add token: %d %s", w.Code, w.Body)
	}
	if u, err := f.hq.UserByToken(tok.Token); err != nil || u.Name != "dora" {
		t.Fatalf("added token: %+v %v", u, err)
	}

	var list struct{ Users []hq.User }
	if w := f.do(hreq{method: "GET", path: "/api/v1/users", token: admin}); w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &list) != nil || len(list.Users) != 4 {
		t.Fatalf("list: %d %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), created.Token) {
		t.Fatal("the list shows a token")
	}

	for _, tc := range []struct {
		name, path, body string
		status           int
		code, field      string
	}{
		{"exists", "/api/v1/users", `{"name":"dora","role":"viewer"}`, 409, "user_exists", "name"},
		{"bad role", "/api/v1/users", `{"name":"fred","role":"storekeeper"}`, 400, "invalid_request", "role"},
		{"bad name", "/api/v1/users", `{"name":"fr ed","role":"viewer"}`, 400, "invalid_request", "name"},
		{"unknown field", "/api/v1/users", `{"name":"fred","role":"viewer","admin":true}`, 400, "invalid_request", "admin"},
		{"trailing data", "/api/v1/users", `{"name":"fred","role":"viewer"} {}`, 400, "malformed_json", ""},
		{"not json", "/api/v1/users", `name=fred`, 400, "malformed_json", ""},
		{"array", "/api/v1/users", `[]`, 400, "invalid_request", ""},
		{"empty", "/api/v1/users", ``, 400, "malformed_json", ""},
		{"wrong type", "/api/v1/users", `{"name":7,"role":"viewer"}`, 400, "invalid_request", "name"},
		{"too large", "/api/v1/users", `{"name":"` + strings.Repeat("x", maxBody) + `","role":"viewer"}`, 422, "too_large", ""},
		{"token of nobody", "/api/v1/users/nobody/tokens", ``, 404, "not_found", "name"},
		{"token body field", "/api/v1/users/dora/tokens", `{"expires":1}`, 400, "invalid_request", "expires"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := f.hq.Users()
			p := problemOf(t, f.do(hreq{method: "POST", path: tc.path, token: admin, body: tc.body}))
			if p.Status != tc.status || p.Code != tc.code || p.Field != tc.field {
				t.Fatalf("%+v, want %d %s on %q", p, tc.status, tc.code, tc.field)
			}
			if after, _ := f.hq.Users(); len(after) != len(before) {
				t.Fatal("refused, yet a user was written")
			}
		})
	}
	// The scheme name is case-insensitive; a missing or unknown token is 401.
	if w := f.do(hreq{method: "GET", path: "/api/v1/users", header: map[string]string{"Authorization": "bearer " + admin}}); w.Code != 200 {
		t.Fatalf("lower-case scheme: %d", w.Code)
	}
	for _, h := range []string{"", "Basic x", "Bearer ", "Bearer not-a-token-0123456789"} {
		w := f.do(hreq{method: "GET", path: "/api/v1/users", header: map[string]string{"Authorization": h}})
		if p := problemOf(t, w); p.Code != "unauthenticated" || w.Header().Get("WWW-Authenticate") == "" {
			t.Errorf("Authorization %q: %+v", h, p)
		}
	}
}

// TestTokenCache: a token revoked behind the API's back works until the
// cache's TTL has passed on the API's clock, and not after it.
func TestTokenCache(t *testing.T) {
	f := newUserFixture(t)
	tok := f.tokens[RoleViewer]
	if w := f.do(hreq{method: "GET", path: "/api/v1/depots", token: tok}); w.Code != 200 {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	if err := f.hq.RevokeToken(tok); err != nil {
		t.Fatal(err)
	}
	if w := f.do(hreq{method: "GET", path: "/api/v1/depots", token: tok}); w.Code != 200 {
		t.Fatalf("within the TTL: %d %s", w.Code, w.Body)
	}
	f.clock.Add(defaultTokenTTL + time.Millisecond)
	if w := f.do(hreq{method: "GET", path: "/api/v1/depots", token: tok}); w.Code != 401 {
		t.Fatalf("after the TTL: %d %s", w.Code, w.Body)
	}
}

// TestEnsureAdmin: the first start creates the admin with the token; a
// later start with another token changes nothing.
func TestEnsureAdmin(t *testing.T) {
	h, err := hq.Open(hq.Options{Dir: t.TempDir(), Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if created, err := EnsureAdmin(h, fixtureAdminToken); !created || err != nil {
		t.Fatalf("first: %v %v", created, err)
	}
	if created, err := EnsureAdmin(h, "another-admin-token-0123456"); created || err != nil {
		t.Fatalf("second: %v %v", created, err)
	}
	if u, err := h.UserByToken(fixtureAdminToken); err != nil || u.Name != AdminUser || u.Role != RoleAdmin {
		t.Fatalf("%+v %v", u, err)
	}
	if _, err := h.UserByToken("another-admin-token-0123456"); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("the second token works: %v", err)
	}
	if _, err := EnsureAdmin(h, "short"); err != nil {
		t.Fatalf("a store with users ignores the token: %v", err)
	}
}

// FuzzPostUser: any body either creates exactly one valid user (201) or is
// refused with a 4xx problem and writes nothing; never a 5xx.
func FuzzPostUser(f *testing.F) {
	for _, s := range []string{`{"name":"a","role":"viewer"}`, `{"name":"a b","role":"viewer"}`, `{}`, `[]`, `{"name":"x","role":"admin"} x`} {
		f.Add([]byte(s))
	}
	fx := newUserFixture(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		before, _ := fx.hq.Users()
		req := httptest.NewRequest("POST", "/api/v1/users", strings.NewReader(string(body)))
		req.Header.Set("Authorization", "Bearer "+fixtureAdminToken)
		w := httptest.NewRecorder()
		fx.h.ServeHTTP(w, req)
		after, _ := fx.hq.Users()
		switch {
		case w.Code == 201:
			var c struct{ User hq.User }
			if err := json.Unmarshal(w.Body.Bytes(), &c); err != nil || len(after) != len(before)+1 {
				t.Fatalf("created %s: users %d -> %d", w.Body, len(before), len(after))
			}
			if hq.CheckUserName(c.User.Name) != nil {
				t.Fatalf("created a bad name %q", c.User.Name)
			}
		case w.Code >= 400 && w.Code < 500:
			if len(after) != len(before) {
				t.Fatalf("refused %d, yet a user was written", w.Code)
			}
			problemOf(t, w)
		default:
			t.Fatalf("%d %s", w.Code, w.Body)
		}
	})
}

// BenchmarkAuthedRequest is an authenticated GET /api/v1/depots with the
// token cache (as served) and without it (every request asks the store).
func BenchmarkAuthedRequest(b *testing.B) {
	for _, bc := range []struct {
		name string
		ttl  time.Duration
	}{{"cached", 0}, {"uncached", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			h, err := hq.Open(hq.Options{Dir: b.TempDir(), Log: slog.New(slog.DiscardHandler)})
			if err != nil {
				b.Fatal(err)
			}
			defer h.Close()
			srv := newServer(Options{HQ: h, AdminToken: fixtureAdminToken, Log: slog.New(slog.DiscardHandler), TokenCacheTTL: bc.ttl})
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest("GET", "/api/v1/depots", nil)
					req.Header.Set("Authorization", "Bearer "+fixtureAdminToken)
					w := httptest.NewRecorder()
					srv.engine.ServeHTTP(w, req)
					if w.Code != 200 {
						b.Errorf("%d %s", w.Code, w.Body)
						return
					}
				}
			})
		})
	}
}
