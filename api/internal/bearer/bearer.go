// Package bearer reads bearer tokens (RFC 6750) and remembers, for a few
// seconds, whom a token belongs to. Both of Partsedge's HTTP APIs resolve
// a token on every request; each keeps its own idea of the caller (a
// depot's inventory.User, HQ's principal), hence the type parameter.
package bearer

import (
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// Token takes the token out of an Authorization header; the scheme name is
// case-insensitive (RFC 9110 section 11.1).
func Token(header string) (string, bool) {
	const scheme = "bearer "
	if len(header) <= len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return "", false
	}
	t := strings.TrimSpace(header[len(scheme):])
	return t, t != ""
}

// Authenticate resolves the request's bearer token to whom it belongs. A
// request without a token, or with one resolve does not know (an error
// whose code is not_found), gets the RFC 6750 challenge for realm and an
// unauthenticated error naming the Authorization header, for the API to
// answer through its own table; any other error of resolve is returned as
// it is.
func Authenticate[V any](c *gin.Context, realm string, resolve func(token string) (V, error)) (V, error) {
	var zero V
	token, ok := Token(c.Request.Header.Get("Authorization"))
	if !ok {
		c.Header("WWW-Authenticate", `Bearer realm="`+realm+`"`)
		return zero, &inventory.Error{Code: problem.CodeUnauthenticated, Field: "Authorization",
			Msg: "send the header Authorization: Bearer followed by your token"}
	}
	v, err := resolve(token)
	if inventory.CodeOf(err) == inventory.CodeNotFound {
		c.Header("WWW-Authenticate", `Bearer realm="`+realm+`", error="invalid_token"`)
		return zero, &inventory.Error{Code: problem.CodeUnauthenticated, Field: "Authorization",
			Msg: "the token is not valid"}
	}
	return v, err
}

const (
	// DefaultTTL is how long a resolved token is trusted when the API's
	// configuration says 0.
	DefaultTTL = 5 * time.Second
	// MaxEntries bounds the cache: an API has tens of users, not
	// thousands, so a full cache holds stale entries.
	MaxEntries = 4096
)

// Cache remembers resolved tokens for a TTL. Only successes are put, so a
// new token works at once; the API forgets every entry when it changes
// users or tokens itself, and anything changed behind its back is honoured
// within the TTL. A negative TTL turns the cache off. The zero Cache is not
// usable; make one with NewCache.
type Cache[V any] struct {
	mu  sync.RWMutex
	m   map[string]entry[V]
	ttl time.Duration
}

type entry[V any] struct {
	v     V
	until time.Time
}

// NewCache returns a cache that trusts an entry for ttl (0: DefaultTTL,
// negative: never).
func NewCache[V any](ttl time.Duration) *Cache[V] {
	if ttl == 0 {
		ttl = DefaultTTL
	}
	return &Cache[V]{m: map[string]entry[V]{}, ttl: ttl}
}

// Get is what token resolved to, if that was put less than the TTL before
// now.
func (c *Cache[V]) Get(token string, now time.Time) (V, bool) {
	var zero V
	if c.ttl < 0 {
		return zero, false
	}
	c.mu.RLock()
	e, ok := c.m[token]
	c.mu.RUnlock()
	if !ok || now.After(e.until) {
		return zero, false
	}
	return e.v, true
}

// Put remembers that token resolved to v at now.
func (c *Cache[V]) Put(token string, v V, now time.Time) {
	if c.ttl < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= MaxEntries {
		// Starting over is cheaper than tracking age, and a full cache
		// is mostly stale entries anyway.
		clear(c.m)
	}
	c.m[token] = entry[V]{v: v, until: now.Add(c.ttl)}
}

// Forget drops every entry, after the API changes users or tokens.
func (c *Cache[V]) Forget() {
	c.mu.Lock()
	clear(c.m)
	c.mu.Unlock()
}

// Len is how many entries the cache holds, expired ones included.
func (c *Cache[V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
