// Package hqapi is hqd's HTTP API: HQ's read view of every depot, the
// global stock view, planning and the transfer orders HQ sends down as
// commands. Like depotd's API (package api) it is JSON under /api/v1 with
// bearer tokens carrying a role, application/problem+json errors with a
// stable code, and /healthz, /readyz and /metrics.
package hqapi

import (
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

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
}

// Options configure the API.
type Options struct {
	HQ *hq.HQ
	// AdminToken is the bootstrap admin's bearer token.
	AdminToken string
	// Ready reports whether hqd may take traffic (subscribed to the broker).
	Ready func() bool
	Log   *slog.Logger
}

type server struct {
	hq     *hq.HQ
	admin  string
	ready  func() bool
	log    *slog.Logger
	engine *gin.Engine
}

// New returns hqd's HTTP handler.
func New(o Options) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Ready == nil {
		o.Ready = func() bool { return true }
	}
	s := &server{hq: o.HQ, admin: o.AdminToken, ready: o.Ready, log: o.Log}
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
		refuse(c, inventory.CodeNotFound, "", "no such route: "+c.Request.URL.Path)
	})
	e.NoMethod(func(c *gin.Context) {
		refuse(c, CodeMethodNotAllowed, "", c.Request.Method+" is not allowed here")
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
	s.depotRoutes(v1)
	s.viewRoutes(v1)
	s.orderRoutes(v1)
	return e
}

// anyone, planners and admins name who may call a route.
var (
	anyone   = []string{RoleAdmin, RolePlanner, RoleViewer}
	planners = []string{RoleAdmin, RolePlanner}
	admins   = []string{RoleAdmin}
)

// authed lets through requests whose bearer token carries one of roles,
// and puts the Principal in the context under "principal".
func (s *server) authed(roles []string, h gin.HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		token, ok := strings.CutPrefix(c.Request.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			c.Header("WWW-Authenticate", `Bearer realm="partsedge-hq"`)
			refuse(c, CodeUnauthenticated, "Authorization", "send the header Authorization: Bearer followed by your token")
			return
		}
		p, ok := s.principal(token)
		if !ok {
			c.Header("WWW-Authenticate", `Bearer realm="partsedge-hq", error="invalid_token"`)
			refuse(c, CodeUnauthenticated, "Authorization", "the token is not valid")
			return
		}
		allowed := false
		for _, r := range roles {
			allowed = allowed || r == p.Role
		}
		if !allowed {
			refuse(c, CodeForbidden, "", "the role "+p.Role+" may not do this")
			return
		}
		c.Set("principal", p)
		h(c)
	}
}

// principal finds who token belongs to. It compares in constant time so
// the token cannot be guessed byte by byte.
func (s *server) principal(token string) (Principal, bool) {
	if subtle.ConstantTimeCompare([]byte(token), []byte(s.admin)) == 1 {
		return Principal{Name: "admin", Role: RoleAdmin}, true
	}
	return Principal{}, false
}

// who is the request's principal (set by authed).
func who(c *gin.Context) Principal {
	p, _ := c.Get("principal")
	pr, _ := p.(Principal)
	return pr
}
