// Package hqapi is hqd's HTTP API: HQ's read view of every depot, the
// global stock view, planning and the transfer orders HQ sends down as
// commands. Like depotd's API (package api) it is JSON under /api/v1 with
// bearer tokens carrying a role, application/problem+json errors with a
// stable code, and /healthz, /readyz and /metrics.
package hqapi

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/partsedge/partsedge/api/internal/bearer"
	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// Roles of HQ's users.
const (
	// RoleAdmin manages HQ's users and everything a planner does.
	RoleAdmin = "admin"
	// RolePlanner reads the global view and sends transfer orders and
	// policies down to the depots.
	RolePlanner = "planner"
	// RoleViewer reads the global view.
	RoleViewer = "viewer"
)

// Principal is who a request's token belongs to.
type Principal struct {
	Name string
	Role string
	Lang string // the user's own language; "" follows the browser
}

// Options configure the API.
type Options struct {
	HQ *hq.HQ
	// AdminToken, when set, bootstraps the user "admin" with this token in
	// a store that has no users yet (EnsureAdmin); later it changes nothing.
	AdminToken string
	// Ready reports whether hqd may take traffic (subscribed to the broker).
	Ready func() bool
	Log   *slog.Logger
	// Now is the clock (token cache, idempotency records); time.Now when nil.
	Now func() time.Time
	// TokenCacheTTL is how long a resolved token is trusted without asking
	// the store again; 0 means 5 s, negative turns the cache off.
	TokenCacheTTL time.Duration
}

type server struct {
	hq     *hq.HQ
	users  userStore
	tokens *tokenCache
	idem   *idemCache
	now    func() time.Time
	ready  func() bool
	log    *slog.Logger
	engine *gin.Engine
}

// New returns hqd's HTTP handler.
func New(o Options) http.Handler { return newServer(o).engine }

func newServer(o Options) *server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Ready == nil {
		o.Ready = func() bool { return true }
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.AdminToken != "" {
		if _, err := EnsureAdmin(o.HQ, o.AdminToken); err != nil {
			// The API still serves the users the store has; hqd itself
			// calls EnsureAdmin first and stops on this error.
			o.Log.Error("bootstrap the admin user", "err", err)
		}
	}
	s := &server{hq: o.HQ, users: o.HQ, tokens: newTokenCache(o.TokenCacheTTL), idem: newIdemCache(),
		now: o.Now, ready: o.Ready, log: o.Log}
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = true
	e.UseRawPath = true
	e.UnescapePathValues = true
	e.Use(gin.CustomRecoveryWithWriter(nil, func(c *gin.Context, err any) {
		s.log.Error("handler panicked", "path", c.Request.URL.Path, "panic", err)
		refuse(c, CodeInternal, "", "the server failed")
	}))
	e.NoRoute(func(c *gin.Context) {
		refuse(c, inventory.CodeNotFound, "", "no such route: %s", c.Request.URL.Path)
	})
	e.NoMethod(func(c *gin.Context) {
		refuse(c, CodeMethodNotAllowed, "", "%s is not allowed here", c.Request.Method)
	})
	s.engine = e

	reg := prometheus.NewRegistry()
	reg.MustRegister(o.HQ, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	e.GET("/healthz", func(c *gin.Context) { c.JSON(http.StatusOK, gin.H{"status": "ok"}) })
	e.GET("/readyz", func(c *gin.Context) {
		if !s.ready() {
			refuse(c, CodeNotReady, "", "not subscribed to the broker")
			return
		}
		c.JSON(http.StatusOK, gin.H{"status": "ready"})
	})
	e.GET("/metrics", gin.WrapH(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))

	v1 := e.Group("/api/v1")
	v1.GET("/openapi.json", func(c *gin.Context) { c.Data(http.StatusOK, "application/json", openAPIJSON) })
	s.userRoutes(v1)
	s.meRoutes(v1)
	s.depotRoutes(v1)
	s.viewRoutes(v1)
	s.orderRoutes(v1)
	s.chartRoutes(v1)
	if err := s.mountUI(); err != nil {
		// The screens are embedded: a failure is a build defect.
		panic(err)
	}
	s.noticeRoutes(v1)
	return s
}

// anyone, planners and admins name who may call a route.
var (
	anyone   = []string{RoleAdmin, RolePlanner, RoleViewer}
	planners = []string{RoleAdmin, RolePlanner}
	admins   = []string{RoleAdmin}
)

// authed lets through requests whose bearer token carries one of roles,
// and puts the Principal in the context under "principal". The role is
// checked before the handler reads the body, so a refused request writes
// nothing.
func (s *server) authed(roles []string, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, err := bearer.Authenticate(c, "partsedge-hq", s.principal)
		if err != nil {
			s.fail(c, err)
			return
		}
		// The caller's own language beats their browser's from here on,
		// refusals of their role included. A stored tag the API no longer
		// speaks is no preference.
		if l, ok := i18n.Preference(p.Lang); ok {
			problem.Prefer(c, l)
		}
		allowed := false
		for _, r := range roles {
			allowed = allowed || r == p.Role
		}
		if !allowed {
			refuse(c, CodeForbidden, "", "the role %s may not do this", p.Role)
			return
		}
		c.Set("principal", p)
		h(c)
	}
}

// principal finds who token belongs to in HQ's user store, through a
// short-lived cache: the lookup (a hash and two reads) would otherwise be
// paid by every request. Only the token's hash is compared by the store,
// so the lookup leaks nothing about how close a guess came.
func (s *server) principal(token string) (Principal, error) {
	now := s.now()
	if p, ok := s.tokens.Get(token, now); ok {
		return p, nil
	}
	u, err := s.users.UserByToken(token)
	if err != nil {
		return Principal{}, err
	}
	p := Principal{Name: u.Name, Role: u.Role, Lang: u.Lang}
	s.tokens.Put(token, p, now)
	return p, nil
}

// who is the request's principal (set by authed).
func who(c *gin.Context) Principal {
	p, _ := c.Get("principal")
	pr, _ := p.(Principal)
	return pr
}

// tokenCache is HQ's cache of resolved tokens (see bearer.Cache); the user
// handlers call forget after they change users or tokens.
type tokenCache struct{ *bearer.Cache[Principal] }

// defaultTokenTTL is what Options.TokenCacheTTL 0 means.
const defaultTokenTTL = bearer.DefaultTTL

func newTokenCache(ttl time.Duration) *tokenCache {
	return &tokenCache{bearer.NewCache[Principal](ttl)}
}

func (tc *tokenCache) forget() { tc.Forget() }
