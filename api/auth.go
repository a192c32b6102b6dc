package api

import (
	"strings"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// handler is a route's body once the caller is known.
type handler func(c *gin.Context, u *inventory.User)

// authed resolves the bearer token to a user and checks the role against
// what the route needs before the handler sees the request. Nothing has been
// read from the body yet, so a refused request can have written nothing.
func (s *server) authed(a access, h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, ok := bearerToken(c.Request.Header.Get("Authorization"))
		if !ok {
			c.Header("WWW-Authenticate", `Bearer realm="partsedge"`)
			refuse(c, CodeUnauthenticated, "Authorization", "send the header Authorization: Bearer followed by your token")
			return
		}
		u, err := s.userByToken(token)
		if err != nil {
			if inventory.CodeOf(err) == inventory.CodeNotFound {
				c.Header("WWW-Authenticate", `Bearer realm="partsedge", error="invalid_token"`)
				refuse(c, CodeUnauthenticated, "Authorization", "the token is not valid")
				return
			}
			s.fail(c, err)
			return
		}
		switch a {
		case accessAdmin:
			if u.Role != RoleAdmin {
				refuse(c, CodeForbidden, "", "only an admin may do this")
				return
			}
		case accessAudit:
			if u.Role != RoleAdmin && u.Role != RoleAuditor {
				refuse(c, CodeForbidden, "", "only an auditor or an admin may read the audit trail")
				return
			}
		case accessPost:
			if !s.perms.anyPost[u.Role] {
				refuse(c, CodeForbidden, "", "the "+u.Role+" role may not append events")
				return
			}
		}
		h(c, &u)
	}
}

// bearerToken takes the token out of an Authorization header; the scheme
// name is case-insensitive (RFC 9110 section 11.1).
func bearerToken(h string) (string, bool) {
	const scheme = "bearer "
	if len(h) <= len(scheme) || !strings.EqualFold(h[:len(scheme)], scheme) {
		return "", false
	}
	t := strings.TrimSpace(h[len(scheme):])
	return t, t != ""
}

// userByToken resolves a token through a short-lived cache: a store lookup
// (a hash and two reads) costs as much as the stock lookup it guards, and
// every request makes one.
func (s *server) userByToken(token string) (inventory.User, error) {
	now := s.clock.Now()
	if u, ok := s.tokens.get(token, now); ok {
		return u, nil
	}
	u, err := s.store.UserByToken(token)
	if err == nil {
		s.tokens.put(token, u, now)
	}
	return u, err
}

// tokenCache remembers resolved tokens for a few seconds. Only successes are
// kept, so a new token works at once; a token revoked or a user disabled
// behind the API's back (the API itself does neither) is honoured within
// the TTL.
type tokenCache struct {
	mu  sync.RWMutex
	m   map[string]cachedUser
	ttl time.Duration
	max int
}

type cachedUser struct {
	u     inventory.User
	until time.Time
}

const (
	defaultTokenTTL = 5 * time.Second
	maxCachedTokens = 4096
)

func newTokenCache(ttl time.Duration) *tokenCache {
	if ttl == 0 {
		ttl = defaultTokenTTL
	}
	return &tokenCache{m: map[string]cachedUser{}, ttl: ttl, max: maxCachedTokens}
}

func (tc *tokenCache) get(token string, now time.Time) (inventory.User, bool) {
	if tc.ttl < 0 {
		return inventory.User{}, false
	}
	tc.mu.RLock()
	c, ok := tc.m[token]
	tc.mu.RUnlock()
	if !ok || now.After(c.until) {
		return inventory.User{}, false
	}
	return c.u, true
}

func (tc *tokenCache) put(token string, u inventory.User, now time.Time) {
	if tc.ttl < 0 {
		return
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if len(tc.m) >= tc.max {
		// Depots have tens of users, not thousands: a full cache means
		// stale entries, and starting over is cheaper than tracking age.
		clear(tc.m)
	}
	tc.m[token] = cachedUser{u: u, until: now.Add(tc.ttl)}
}

// forget drops every cached token, after the API changes users or tokens.
func (tc *tokenCache) forget() {
	tc.mu.Lock()
	clear(tc.m)
	tc.mu.Unlock()
}
