package api

import (
	"bytes"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

func withKey(r req, key string) req {
	r.header = map[string]string{"Idempotency-Key": key}
	return r
}

// countingStore counts the token writes the API makes, so a test can tell a
// replay from a second token.
type countingStore struct {
	*inventory.Store
	tokens atomic.Int64
}

func (c *countingStore) AddToken(name, token string) error {
	c.tokens.Add(1)
	return c.Store.AddToken(name, token)
}

func (c *countingStore) CreateUser(u inventory.User, token string) error {
	c.tokens.Add(1)
	return c.Store.CreateUser(u, token)
}

func TestIdempotentEventPosts(t *testing.T) {
	for _, tc := range []struct {
		name         string
		first, other req
	}{
		{"event", post(RoleStorekeeper, `{"type":"receipt","ref":"PO-7","lines":[{"sku":"P-NONE","qty":2,"to":"A-02"}]}`),
			post(RoleStorekeeper, `{"type":"receipt","ref":"PO-7","lines":[{"sku":"P-NONE","qty":3,"to":"A-02"}]}`)},
		{"part", req{method: "POST", path: "/api/v1/parts", role: RolePlanner, body: `{"sku":"P-NEW","gtins":["4006381333931"]}`},
			req{method: "POST", path: "/api/v1/parts", role: RolePlanner, body: `{"sku":"P-NEW","unit":"mm"}`}},
		{"location", req{method: "POST", path: "/api/v1/locations", role: RoleAdmin, body: `{"code":"B-01","kind":"van"}`},
			req{method: "POST", path: "/api/v1/locations", role: RoleAdmin, body: `{"code":"B-02"}`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			seed(t, f.store)
			before := f.store.Head().Seq
			w1 := f.do(withKey(tc.first, "key-1"))
			// Time passes between a request and its retry; the answer must not change.
			f.clock.Advance(time.Minute)
			w2 := f.do(withKey(tc.first, "key-1"))
			if w1.Code != 201 || w2.Code != 201 {
				t.Fatalf("statuses %d %d: %s", w1.Code, w2.Code, w2.Body)
			}
			if !bytes.Equal(w1.Body.Bytes(), w2.Body.Bytes()) {
				t.Errorf("replay answered\n%s\nnot\n%s", w2.Body, w1.Body)
			}
			if w1.Header().Get("Idempotent-Replayed") != "" || w2.Header().Get("Idempotent-Replayed") != "true" {
				t.Errorf("Idempotent-Replayed %q then %q", w1.Header().Get("Idempotent-Replayed"), w2.Header().Get("Idempotent-Replayed"))
			}
			if w1.Header().Get("Location") != w2.Header().Get("Location") {
				t.Errorf("Location %q then %q", w1.Header().Get("Location"), w2.Header().Get("Location"))
			}
			if got := f.store.Head().Seq - before; got != 1 {
				t.Errorf("head moved by %d, want 1", got)
			}
			w3 := f.do(withKey(tc.other, "key-1"))
			if w3.Code != 422 || decodeProblem(t, w3).Code != "idempotency_key_reused" {
				t.Errorf("reused key: %d %s", w3.Code, w3.Body)
			}
			if got := f.store.Head().Seq - before; got != 1 {
				t.Errorf("a reused key wrote: head moved by %d", got)
			}
			// Without a key, or with another, the same body is a new request.
			if w := f.do(withKey(tc.first, "key-2")); w.Code != 201 || w.Header().Get("Idempotent-Replayed") != "" {
				t.Errorf("new key: %d %s", w.Code, w.Body)
			}
		})
	}
}

func TestIdempotencyKeysArePerUser(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	before := f.store.Head().Seq
	body := `{"type":"receipt","ref":"PO-7","lines":[{"sku":"P-NONE","qty":2,"to":"A-02"}]}`
	a := f.do(withKey(post(RoleStorekeeper, body), "shared"))
	b := f.do(withKey(post(RoleProcurement, body), "shared"))
	if a.Code != 201 || b.Code != 201 || b.Header().Get("Idempotent-Replayed") != "" || f.store.Head().Seq != before+2 {
		t.Fatalf("%d %d, head +%d", a.Code, b.Code, f.store.Head().Seq-before)
	}
}

func TestIdempotencyKeyTooLong(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	key := strings.Repeat("k", 201)
	for _, r := range []req{
		post(RoleStorekeeper, `{"type":"receipt","lines":[{"sku":"P-NONE","qty":2,"to":"A-02"}]}`),
		{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"kim","role":"engineer"}`},
	} {
		w := f.do(withKey(r, key))
		if w.Code != 400 {
			t.Fatalf("%s: %d %s", r.path, w.Code, w.Body)
		}
		if p := decodeProblem(t, w); p.Code != "invalid_request" || p.Field != "Idempotency-Key" {
			t.Errorf("%s: %+v", r.path, p)
		}
	}
	if users, _ := f.store.Users(); len(users) != len(Roles()) {
		t.Error("a refused request created a user")
	}
}

func TestIdempotentUserPosts(t *testing.T) {
	f := newFixture(t)
	cs := &countingStore{Store: f.store}
	f.srv = newServer(Config{Store: cs, Clock: f.clock})
	create := req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"kim","role":"engineer"}`}

	w1 := f.do(withKey(create, "u-1"))
	w2 := f.do(withKey(create, "u-1"))
	if w1.Code != 201 || w2.Code != 201 || !bytes.Equal(w1.Body.Bytes(), w2.Body.Bytes()) {
		t.Fatalf("create twice: %d %s / %d %s", w1.Code, w1.Body, w2.Code, w2.Body)
	}
	if w2.Header().Get("Idempotent-Replayed") != "true" || w1.Header().Get("Idempotent-Replayed") != "" {
		t.Error("replay not marked")
	}
	if n := cs.tokens.Load(); n != 1 {
		t.Errorf("%d tokens added, want 1", n)
	}
	other := withKey(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"lee","role":"engineer"}`}, "u-1")
	if w := f.do(other); w.Code != 422 || decodeProblem(t, w).Code != "idempotency_key_reused" {
		t.Errorf("reused key: %d %s", w.Code, w.Body)
	}
	if _, err := f.store.User("lee"); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Errorf("a reused key created a user: %v", err)
	}
	// The same key on another route is another request, refused as reuse.
	tok := withKey(req{method: "POST", path: "/api/v1/users/kim/tokens", role: RoleAdmin}, "u-1")
	if w := f.do(tok); w.Code != 422 {
		t.Errorf("key reused on another route: %d %s", w.Code, w.Body)
	}

	t1 := f.do(withKey(req{method: "POST", path: "/api/v1/users/kim/tokens", role: RoleAdmin}, "t-1"))
	t2 := f.do(withKey(req{method: "POST", path: "/api/v1/users/kim/tokens", role: RoleAdmin}, "t-1"))
	if t1.Code != 201 || !bytes.Equal(t1.Body.Bytes(), t2.Body.Bytes()) || t2.Header().Get("Idempotent-Replayed") != "true" {
		t.Errorf("token twice: %s / %s", t1.Body, t2.Body)
	}
	if n := cs.tokens.Load(); n != 2 {
		t.Errorf("%d tokens added, want 2", n)
	}

	// A refused first attempt keeps nothing: the retry is judged afresh.
	bad := withKey(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"max","role":"boss"}`}, "u-2")
	if w := f.do(bad); w.Code != 400 {
		t.Fatalf("bad role: %d", w.Code)
	}
	bad.body = `{"name":"max","role":"auditor"}`
	if w := f.do(bad); w.Code != 201 {
		t.Errorf("retry after a refusal: %d %s", w.Code, w.Body)
	}

	// After the TTL the record is gone: the repeat is a new request, and the
	// user it would create exists.
	f.clock.Advance(24*time.Hour + time.Second)
	if w := f.do(withKey(create, "u-1")); w.Code != 409 || decodeProblem(t, w).Code != "user_exists" {
		t.Errorf("after the TTL: %d %s", w.Code, w.Body)
	}
}

func TestIdempotencyCacheIsBounded(t *testing.T) {
	f := newFixture(t, func(c *Config) { c.IdempotencyEntries = 2 })
	for _, n := range []string{"a1", "a2", "a3"} {
		w := f.do(withKey(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"` + n + `","role":"auditor"}`}, n))
		if w.Code != 201 {
			t.Fatalf("%s: %d %s", n, w.Code, w.Body)
		}
	}
	if n := f.srv.idem.len(); n != 2 {
		t.Errorf("cache holds %d answers, want 2", n)
	}
	// a1 was evicted, so its repeat is judged afresh; a3 is still a replay.
	if w := f.do(withKey(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"a1","role":"auditor"}`}, "a1")); w.Code != 409 {
		t.Errorf("evicted key: %d %s", w.Code, w.Body)
	}
	if w := f.do(withKey(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"a3","role":"auditor"}`}, "a3")); w.Code != 201 {
		t.Errorf("kept key: %d %s", w.Code, w.Body)
	}

	small := newFixture(t, func(c *Config) { c.IdempotencyBytes = 200 })
	for _, n := range []string{"b1", "b2", "b3"} {
		small.do(withKey(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"` + n + `","role":"auditor"}`}, n))
	}
	if n := small.srv.idem.len(); n != 1 {
		t.Errorf("a 200-byte cache holds %d answers of about 120 bytes, want 1", n)
	}
}

// TestConcurrentRepeatsCreateOneUser: retries racing the first request wait
// for its answer instead of creating the user (or a token) again.
func TestConcurrentRepeatsCreateOneUser(t *testing.T) {
	f := newFixture(t)
	cs := &countingStore{Store: f.store}
	f.srv = newServer(Config{Store: cs, Clock: f.clock})
	create := withKey(req{method: "POST", path: "/api/v1/users", role: RoleAdmin, body: `{"name":"kim","role":"engineer"}`}, "race")
	const n = 16
	answers := make([]*httptest.ResponseRecorder, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { answers[i] = f.do(create) })
	}
	wg.Wait()
	replays := 0
	for _, w := range answers {
		if w.Code != 201 || !bytes.Equal(w.Body.Bytes(), answers[0].Body.Bytes()) {
			t.Fatalf("answers differ: %d %s vs %s", w.Code, w.Body, answers[0].Body)
		}
		if w.Header().Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if replays != n-1 || cs.tokens.Load() != 1 {
		t.Errorf("%d replays, %d tokens; want %d and 1", replays, cs.tokens.Load(), n-1)
	}
}
