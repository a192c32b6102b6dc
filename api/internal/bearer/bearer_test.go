package bearer

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

func TestToken(t *testing.T) {
	for _, tc := range []struct {
		header, token string
		ok            bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"BEARER abc", "abc", true},
		{"Bearer   abc  ", "abc", true},
		{"Bearer a b", "a b", true},
		{"Bearer ", "", false},
		{"Bearer    ", "", false},
		{"Bearer", "", false},
		{"Bearerabc", "", false},
		{"Basic YWJj", "", false},
		{"Token abc", "", false},
		{"", "", false},
		{" Bearer abc", "", false},
	} {
		t.Run(tc.header, func(t *testing.T) {
			token, ok := Token(tc.header)
			if token != tc.token || ok != tc.ok {
				t.Errorf("Token(%q) = %q, %v; want %q, %v", tc.header, token, ok, tc.token, tc.ok)
			}
		})
	}
}

// FuzzToken: an Authorization header is outside bytes. Whatever it holds,
// Token either refuses it or returns a non-empty, trimmed token that is
// exactly what follows a case-insensitive "bearer " prefix.
func FuzzToken(f *testing.F) {
	f.Add("Bearer abc")
	f.Fuzz(func(t *testing.T, header string) {
		token, ok := Token(header)
		if !ok {
			if token != "" {
				t.Fatalf("refused %q yet returned %q", header, token)
			}
			return
		}
		if token == "" || strings.TrimSpace(token) != token {
			t.Fatalf("Token(%q) = %q: empty or untrimmed", header, token)
		}
		if len(header) < 7 || !strings.EqualFold(header[:7], "bearer ") {
			t.Fatalf("accepted %q, which does not start with the scheme", header)
		}
		if !strings.Contains(header[7:], token) {
			t.Fatalf("Token(%q) = %q, not from the header", header, token)
		}
		if strings.IndexFunc(header[7:], func(r rune) bool { return !unicode.IsSpace(r) }) < 0 {
			t.Fatalf("accepted %q, whose token is blank", header)
		}
	})
}

func TestCache(t *testing.T) {
	t0 := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name   string
		ttl    time.Duration
		after  time.Duration
		forget bool
		want   bool
	}{
		{name: "fresh", ttl: time.Second, after: 0, want: true},
		{name: "at the ttl", ttl: time.Second, after: time.Second, want: true},
		{name: "past the ttl", ttl: time.Second, after: time.Second + 1, want: false},
		{name: "default ttl", ttl: 0, after: DefaultTTL, want: true},
		{name: "past the default ttl", ttl: 0, after: DefaultTTL + 1, want: false},
		{name: "off", ttl: -1, after: 0, want: false},
		{name: "forgotten", ttl: time.Second, after: 0, forget: true, want: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := NewCache[string](tc.ttl)
			c.Put("tok", "alice", t0)
			if tc.forget {
				c.Forget()
			}
			v, ok := c.Get("tok", t0.Add(tc.after))
			if ok != tc.want || (ok && v != "alice") || (!ok && v != "") {
				t.Errorf("Get = %q, %v; want found %v", v, ok, tc.want)
			}
			if _, ok := c.Get("other", t0); ok {
				t.Error("a token never put was found")
			}
		})
	}
}

// TestCacheStartsOverWhenFull: the cache never holds more than MaxEntries,
// and the entry that found it full is kept.
func TestCacheStartsOverWhenFull(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	c := NewCache[int](time.Minute)
	for i := range MaxEntries {
		c.Put(fmt.Sprint("t", i), i, now)
	}
	if n := c.Len(); n != MaxEntries {
		t.Fatalf("%d entries, want %d", n, MaxEntries)
	}
	c.Put("last", -1, now)
	if n := c.Len(); n != 1 {
		t.Errorf("%d entries after the cache was full, want 1", n)
	}
	if v, ok := c.Get("last", now); !ok || v != -1 {
		t.Errorf("the entry that found the cache full: %d, %v", v, ok)
	}
}

// TestCacheConcurrent is for -race: requests resolve tokens in parallel
// while an admin's change forgets them.
func TestCacheConcurrent(t *testing.T) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	c := NewCache[int](time.Minute)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				tok := fmt.Sprint(g, "-", i%10)
				c.Put(tok, i, now)
				if v, ok := c.Get(tok, now); ok && v%10 != i%10 {
					t.Errorf("%s resolved to %d", tok, v)
				}
				if i%50 == 0 {
					c.Forget()
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkCacheGet(b *testing.B) {
	now := time.Date(2026, 11, 24, 2, 0, 0, 0, time.UTC)
	c := NewCache[string](time.Minute)
	c.Put("tok", "alice", now)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, ok := c.Get("tok", now); !ok {
				b.Fatal("miss")
			}
		}
	})
}

func TestAuthenticate(t *testing.T) {
	storeDown := errors.New("store down")
	resolve := func(token string) (string, error) {
		switch token {
		case "good":
			return "alice", nil
		case "broken":
			return "", fmt.Errorf("look up token: %w", storeDown)
		}
		return "", &inventory.Error{Code: inventory.CodeNotFound, Msg: "no such token"}
	}
	for _, tc := range []struct {
		name, header string
		want         string
		code         inventory.Code
		msg          string
		err          error
		challenge    string
	}{
		{name: "good", header: "Bearer good", want: "alice"},
		{name: "no header", code: "unauthenticated", msg: "send the header", challenge: `Bearer realm="test"`},
		{name: "other scheme", header: "Basic Z29vZA==", code: "unauthenticated", msg: "send the header", challenge: `Bearer realm="test"`},
		{name: "unknown token", header: "Bearer nope", code: "unauthenticated", msg: "the token is not valid",
			challenge: `Bearer realm="test", error="invalid_token"`},
		{name: "store failure", header: "Bearer broken", err: storeDown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			c, _ := gin.CreateTestContext(w)
			c.Request = httptest.NewRequest("GET", "/x", nil)
			if tc.header != "" {
				c.Request.Header.Set("Authorization", tc.header)
			}
			got, err := Authenticate(c, "test", resolve)
			if got != tc.want {
				t.Errorf("resolved to %q, want %q", got, tc.want)
			}
			if h := w.Header().Get("WWW-Authenticate"); h != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", h, tc.challenge)
			}
			var e *inventory.Error
			switch {
			case tc.err != nil:
				if !errors.Is(err, tc.err) || inventory.CodeOf(err) != "" {
					t.Errorf("err %v, want %v as it is", err, tc.err)
				}
			case tc.code != "":
				if !errors.As(err, &e) || e.Code != tc.code || e.Field != "Authorization" || !strings.Contains(e.Msg, tc.msg) {
					t.Errorf("err %#v, want %s on Authorization saying %q", err, tc.code, tc.msg)
				}
			case err != nil:
				t.Errorf("err %v", err)
			}
			if w.Body.Len() != 0 {
				t.Errorf("Authenticate answered %s itself; the API answers through its own table", w.Body)
			}
		})
	}
}
