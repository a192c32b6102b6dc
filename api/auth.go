package api

import (
	"time"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/bearer"
	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// handler is a route's body once the caller is known.
type handler func(c *gin.Context, u *inventory.User)

// authed resolves the bearer token to a user and checks the role against
// what the route needs before the handler sees the request. Nothing has been
// read from the body yet, so a refused request can have written nothing.
func (s *server) authed(a access, h handler) gin.HandlerFunc {
	return func(c *gin.Context) {
		u, err := bearer.Authenticate(c, "partsedge", s.userByToken)
		if err != nil {
			s.fail(c, err)
			return
		}
		// The caller's own language beats their browser's from here on,
		// refusals of their role included. A stored tag the API no longer
		// speaks is no preference.
		if l, ok := i18n.Preference(u.Lang); ok {
			problem.Prefer(c, l)
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
				refuse(c, CodeForbidden, "", "the %s role may not append events", u.Role)
				return
			}
		}
		h(c, &u)
	}
}

// userByToken resolves a token through a short-lived cache: a store lookup
// (a hash and two reads) costs as much as the stock lookup it guards, and
// every request makes one.
func (s *server) userByToken(token string) (inventory.User, error) {
	now := s.clock.Now()
	if u, ok := s.tokens.Get(token, now); ok {
		return u, nil
	}
	u, err := s.store.UserByToken(token)
	if err == nil {
		s.tokens.Put(token, u, now)
	}
	return u, err
}

// tokenCache is the depot's cache of resolved tokens (see bearer.Cache);
// the user handlers call forget after they change users or tokens.
type tokenCache struct{ *bearer.Cache[inventory.User] }

// defaultTokenTTL is what TokenCacheTTL 0 means.
const defaultTokenTTL = bearer.DefaultTTL

func newTokenCache(ttl time.Duration) *tokenCache {
	return &tokenCache{bearer.NewCache[inventory.User](ttl)}
}

func (tc *tokenCache) forget() { tc.Forget() }
