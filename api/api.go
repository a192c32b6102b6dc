// Package api is the depot's HTTP API: gin handlers over the inventory store,
// bearer-token auth with roles, problem+json errors, idempotent POSTs,
// Prometheus metrics and the OpenAPI document that describes all of it.
package api

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partsedge/partsedge/inventory"
)

// Store is what the API needs from the ledger. *inventory.Store satisfies it;
// tests wrap it to make single methods fail.
type Store interface {
	Depot() string
	Head() inventory.Head
	Append(ctx context.Context, cmd inventory.Command) (inventory.Result, error)

	Part(sku string) (inventory.Part, error)
	Parts(pg inventory.Page) ([]inventory.Part, error)
	ResolveCode(code string) (inventory.Part, error)
	Location(code string) (inventory.Location, error)
	Locations(pg inventory.Page) ([]inventory.Location, error)
	Stock(f inventory.StockFilter, limit int) ([]inventory.Balance, error)
	StockAt(seq uint64, f inventory.StockFilter) ([]inventory.Balance, error)
	Event(seq uint64) (inventory.Event, error)
	EachRawEvent(after uint64, fn func(seq uint64, raw []byte) error) error
	SerialHistory(sku, serial string) (inventory.SerialHistory, error)
	PurchaseOrder(number string) (inventory.PurchaseOrderState, error)
	PurchaseOrders(f inventory.POFilter, pg inventory.Page) ([]inventory.PurchaseOrderState, error)
	Discrepancies(number string) (inventory.POReport, error)
	ShippingNotice(number string) (inventory.NoticeState, error)
	ShippingNotices(order string, pg inventory.Page) ([]inventory.NoticeState, error)
	PalletBySSCC(sscc string) (inventory.NoticeState, inventory.PalletState, error)
	Audit(f inventory.AuditFilter, before uint64, limit int) (inventory.AuditPage, error)
	Reminders() ([]inventory.Reminder, error)
	NoticeLog(after uint64, limit int) ([]inventory.Notice, error)
	RecentNotices(after uint64, limit int) ([]inventory.Notice, error)
	OpenNotices() ([]inventory.Notice, error)
	NoticeHead() (uint64, error)
	Transfer(number string) (inventory.TransferInfo, error)
	Transfers(f inventory.TransferFilter, pg inventory.Page) ([]inventory.TransferInfo, error)
	WriteOffLines(number string) ([]inventory.Line, error)
	WorkOrder(number string) (inventory.WorkOrderState, error)
	WorkOrders(f inventory.WOFilter, pg inventory.Page) ([]inventory.WorkOrderState, error)
	Substitutes(st inventory.WorkOrderState) (map[int]inventory.Substitute, error)
	PickList(number string) (inventory.PickList, error)
	PlanPick(req inventory.PickRequest) (inventory.Command, error)
	IdempotentEvent(actor, key string) (inventory.Event, bool, error)
	ReturnMismatches() ([]inventory.ReturnMismatch, error)
	SupplierReturn(number string) (inventory.SupplierReturnState, error)
	SupplierReturns(f inventory.RTSFilter, pg inventory.Page) ([]inventory.SupplierReturnState, error)
	ReorderPolicy(sku string) (inventory.ReorderState, error)
	ReorderPolicies(pg inventory.Page) ([]inventory.ReorderState, error)
	ReorderSignals(f inventory.SignalFilter) ([]inventory.SignalRecord, error)
	CountSessions(f inventory.CountFilter, pg inventory.Page) ([]inventory.CountState, error)
	CountReport(number string) (inventory.CountReport, error)
	SlowMoving(q inventory.SlowMovingQuery) (inventory.SlowMovingReport, error)
	Consumption(p inventory.Period, by string) (inventory.ConsumptionReport, error)
	StockOuts(p inventory.Period) (inventory.StockOutReport, error)
	FillRate(p inventory.Period) (inventory.FillRateReport, error)
	Turns(p inventory.Period) (inventory.TurnsReport, error)

	User(name string) (inventory.User, error)
	Users() ([]inventory.User, error)
	CreateUser(u inventory.User, token string) error
	AddToken(name, token string) error
	UserByToken(token string) (inventory.User, error)
	SetUserLang(name, lang string) error

	Verify(ctx context.Context, progress func(events uint64)) (inventory.VerifyReport, error)
	Backup(w io.Writer, progress inventory.Progress) (inventory.BackupHeader, error)
}

var _ Store = (*inventory.Store)(nil)

// Clock is where the API reads the time (request durations, the age of
// idempotency records, a new user's creation time).
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Config wires the API. Store is required; the rest have defaults.
type Config struct {
	Store   Store
	Log     *slog.Logger
	Clock   Clock
	Version string
	// Ready reports whether the depot serves requests (the store is open and
	// not shutting down). Nil means always ready.
	Ready func() bool
	// MaxBodyBytes bounds request bodies; 0 means 1 MiB.
	MaxBodyBytes int64
	// IdempotencyEntries and IdempotencyBytes bound the in-memory record of
	// answers to POSTs that append no event (users, tokens, verify); 0 means
	// 10,000 entries and 8 MiB. Records live at most IdempotencyTTL (0: 24 h).
	IdempotencyEntries int
	IdempotencyBytes   int
	IdempotencyTTL     time.Duration
	// Devices is the device manager; nil serves empty device lists.
	Devices Devices
	// Stations is the station router; nil serves no stations.
	Stations Stations
	// Collectors are more Prometheus collectors to serve on /metrics (the
	// device manager's counters).
	Collectors []prometheus.Collector
	// TokenCacheTTL is how long a resolved bearer token is trusted without
	// asking the store again; 0 means 5 s, negative turns the cache off.
	TokenCacheTTL time.Duration
	// GS1CompanyPrefix is the depot's GS1 company prefix for the SSCCs of
	// transfer shipments, used when a ship request names none.
	GS1CompanyPrefix string
	// Replication is the depot's replication to HQ; nil when it runs
	// offline.
	Replication Replication
	// Notices wakes the notice stream when the notice log grows; nil when
	// no notifier runs.
	Notices Notices
}

const defaultMaxBody = 1 << 20

type server struct {
	store   Store
	devices Devices
	// replication is nil when the depot runs offline.
	replication Replication
	stations    Stations
	log         *slog.Logger
	clock       Clock
	version     string
	ready       func() bool
	maxBody     int64

	engine  *gin.Engine
	perms   permissions
	metrics *metrics
	idem    *idemCache
	tokens  *tokenCache
	openapi []byte
	// gs1Prefix is the depot's GS1 company prefix for transfer SSCCs.
	gs1Prefix string
	// notices is nil when no notifier runs.
	notices Notices

	// statusLabels holds "100".."599" so labelling a metric allocates nothing.
	statusLabels [600]string
}

// New returns the depot's HTTP handler.
func New(cfg Config) http.Handler { return newServer(cfg).engine }

func newServer(cfg Config) *server {
	if cfg.Store == nil {
		panic("api.New: Config.Store is nil")
	}
	s := &server{
		store: cfg.Store, devices: cfg.Devices, stations: cfg.Stations, log: cfg.Log, clock: cfg.Clock, version: cfg.Version,
		ready: cfg.Ready, maxBody: cfg.MaxBodyBytes, perms: newPermissions(),
		openapi: openAPIDocument(), gs1Prefix: cfg.GS1CompanyPrefix, replication: cfg.Replication,
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.clock == nil {
		s.clock = systemClock{}
	}
	if s.maxBody <= 0 {
		s.maxBody = defaultMaxBody
	}
	if s.version == "" {
		s.version = "dev"
	}
	for i := 100; i < len(s.statusLabels); i++ {
		s.statusLabels[i] = strconv.Itoa(i)
	}
	s.notices = cfg.Notices
	s.idem = newIdemCache(cfg.IdempotencyEntries, cfg.IdempotencyBytes, cfg.IdempotencyTTL, s.clock)
	s.metrics = newMetrics(s.store, cfg.Collectors...)
	s.tokens = newTokenCache(cfg.TokenCacheTTL)

	// Release mode keeps gin from printing every route at start; gin keeps
	// the mode in an atomic of its own.
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.HandleMethodNotAllowed = true
	// SKUs and serials may contain '/', sent as %2F: route on the escaped
	// path and unescape the parameters.
	e.UseRawPath = true
	e.UnescapePathValues = true
	e.Use(s.observe)
	e.NoRoute(func(c *gin.Context) {
		refuse(c, inventory.CodeNotFound, "", "no such route: %s", c.Request.URL.Path)
	})
	e.NoMethod(func(c *gin.Context) {
		refuse(c, CodeMethodNotAllowed, "", "%s is not allowed here; see the Allow header", c.Request.Method)
	})
	s.engine = e
	s.routes()
	if err := s.mountUI(); err != nil {
		// The screens are embedded: a failure is a build defect.
		panic(err)
	}
	return s
}

func (s *server) routes() {
	e := s.engine
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", gin.WrapH(s.metrics.handler(s.log)))
	e.GET("/api/v1/openapi.json", s.openAPI)

	v1 := e.Group("/api/v1")
	v1.GET("/status", s.authed(accessRead, s.status))
	v1.GET("/replication", s.authed(accessRead, s.replicationStatus))

	v1.GET("/parts", s.authed(accessRead, s.listParts))
	v1.GET("/parts/lookup", s.authed(accessRead, s.lookupPart))
	v1.GET("/parts/:sku", s.authed(accessRead, s.getPart))
	v1.POST("/parts", s.authed(accessPost, s.postPart))

	v1.GET("/locations", s.authed(accessRead, s.listLocations))
	v1.GET("/locations/:code", s.authed(accessRead, s.getLocation))
	v1.POST("/locations", s.authed(accessPost, s.postLocation))

	v1.GET("/stock", s.authed(accessRead, s.exportable(s.stock, s.exportStock)))

	v1.GET("/events", s.authed(accessRead, s.exportable(s.listEvents, s.exportEvents)))
	v1.GET("/events/:seq", s.authed(accessRead, s.getEvent))
	v1.POST("/events", s.authed(accessPost, s.postEvent))

	v1.GET("/serials/:sku/:serial", s.authed(accessRead, s.serialHistory))

	v1.GET("/devices", s.authed(accessRead, s.listDevices))
	v1.GET("/devices/:id", s.authed(accessRead, s.getDevice))
	v1.POST("/devices/:id/signal", s.authed(accessAdmin, s.remembered(s.signalDevice)))
	v1.GET("/scans", s.authed(accessRead, s.listScans))
	v1.GET("/tag-events", s.authed(accessRead, s.listTagEvents))

	v1.GET("/purchase-orders", s.authed(accessRead, s.listPurchaseOrders))
	v1.GET("/purchase-orders/:number", s.authed(accessRead, s.getPurchaseOrder))
	v1.POST("/purchase-orders", s.authed(accessPost, s.postPurchaseOrder))
	v1.POST("/purchase-orders/:number/close", s.authed(accessPost, s.closePurchaseOrder))
	v1.GET("/asns", s.authed(accessRead, s.listShippingNotices))
	v1.GET("/asns/:number", s.authed(accessRead, s.getShippingNotice))
	v1.POST("/asns", s.authed(accessPost, s.postShippingNotice))
	v1.GET("/pallets/:sscc", s.authed(accessRead, s.getPallet))

	v1.GET("/transfers", s.authed(accessRead, s.exportable(s.listTransfers, s.exportTransfers)))
	v1.GET("/transfers/:number", s.authed(accessRead, s.exportable(s.getTransfer, s.exportTransfer)))
	v1.GET("/transfers/:number/label", s.authed(accessRead, s.transferLabel))
	v1.POST("/transfers", s.authed(accessPost, s.postTransfer))
	v1.POST("/transfers/:number/approve", s.authed(accessPost, s.approveTransfer))
	v1.POST("/transfers/:number/ship", s.authed(accessPost, s.shipTransfer))
	v1.POST("/transfers/:number/receive", s.authed(accessPost, s.receiveTransfer))
	v1.POST("/transfers/:number/write-off", s.authed(accessPost, s.writeOffTransfer))

	v1.GET("/work-orders", s.authed(accessRead, s.listWorkOrders))
	v1.GET("/work-orders/:number", s.authed(accessRead, s.getWorkOrder))
	v1.GET("/work-orders/:number/pick-list", s.authed(accessRead, s.getPickList))
	v1.POST("/work-orders", s.authed(accessPost, s.postWorkOrder))
	v1.POST("/work-orders/:number/close", s.authed(accessPost, s.closeWorkOrder))
	v1.POST("/issues", s.authed(accessPost, s.remembered(s.postIssue)))
	v1.POST("/returns", s.authed(accessPost, s.postReturn))
	v1.GET("/return-mismatches", s.authed(accessRead, s.listReturnMismatches))
	v1.GET("/supplier-returns", s.authed(accessRead, s.listSupplierReturns))
	v1.GET("/supplier-returns/:number", s.authed(accessRead, s.getSupplierReturn))
	v1.POST("/supplier-returns", s.authed(accessPost, s.postSupplierReturn))
	v1.POST("/supplier-returns/:number/ship", s.authed(accessPost, s.shipSupplierReturn))

	v1.GET("/reorder-policies", s.authed(accessRead, s.listReorderPolicies))
	v1.GET("/reorder-policies/:sku", s.authed(accessRead, s.getReorderPolicy))
	v1.POST("/reorder-policies", s.authed(accessPost, s.postReorderPolicy))
	v1.GET("/reorder-signals", s.authed(accessRead, s.listReorderSignals))

	v1.GET("/counts", s.authed(accessRead, s.listCounts))
	v1.GET("/counts/:number", s.authed(accessRead, s.exportable(s.getCount, s.exportCount)))
	v1.POST("/counts", s.authed(accessPost, s.postCount))
	v1.POST("/counts/:number/entries", s.authed(accessPost, s.postCountEntry))
	v1.POST("/counts/:number/recount", s.authed(accessPost, s.postRecount))
	v1.POST("/counts/:number/approve", s.authed(accessPost, s.approveCount))

	v1.GET("/stations", s.authed(accessRead, s.listStations))
	v1.GET("/stations/:id", s.authed(accessRead, s.getStation))
	v1.POST("/stations/:id/scans", s.authed(accessPost, s.remembered(s.postScan)))
	v1.GET("/stations/:id/events", s.authed(accessRead, s.stationEvents))
	v1.POST("/stations/:id/operation", s.authed(accessPost, s.remembered(s.startOperation)))

	v1.GET("/audit", s.authed(accessAudit, s.audit))
	v1.GET("/reminders", s.authed(accessRead, s.listReminders))
	v1.GET("/notices", s.authed(accessRead, s.listNotices))
	v1.GET("/notices/events", s.authed(accessRead, s.noticeEvents))

	s.reportRoutes(v1)

	v1.GET("/users", s.authed(accessAdmin, s.listUsers))
	v1.POST("/users", s.authed(accessAdmin, s.remembered(s.createUser)))
	v1.POST("/users/:name/tokens", s.authed(accessAdmin, s.remembered(s.createToken)))

	v1.POST("/admin/verify", s.authed(accessAdmin, s.remembered(s.verify)))
	v1.GET("/me", s.authed(accessRead, s.getMe))
	v1.POST("/me/language", s.authed(accessRead, s.remembered(s.postMyLanguage)))
	v1.GET("/admin/backup", s.authed(accessAdmin, s.backup))
}

// observe is the one middleware every request passes: it recovers panics,
// counts and times the request, and writes the access log line.
func (s *server) observe(c *gin.Context) {
	start := s.clock.Now()
	defer func() {
		if r := recover(); r != nil {
			if r == http.ErrAbortHandler { //nolint:errorlint // net/http compares it the same way
				s.record(c, start)
				panic(r)
			}
			s.log.LogAttrs(c.Request.Context(), slog.LevelError, "handler panicked",
				slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
				slog.Any("panic", r), slog.String("stack", string(debug.Stack())))
			if !c.Writer.Written() {
				writeProblem(c, newProblem(CodeInternal, "", internalDetail))
			}
			c.Abort()
		}
		s.record(c, start)
	}()
	c.Next()
}

func (s *server) record(c *gin.Context, start time.Time) {
	dur := s.clock.Now().Sub(start)
	status := c.Writer.Status()
	route := c.FullPath()
	if route == "" {
		route = "unmatched"
	}
	method := methodLabel(c.Request.Method)
	label := "other"
	if status >= 100 && status < len(s.statusLabels) {
		label = s.statusLabels[status]
	}
	s.metrics.requests.WithLabelValues(method, route, label).Inc()
	s.metrics.duration.WithLabelValues(method, route).Observe(dur.Seconds())
	ctx := c.Request.Context()
	if s.log.Enabled(ctx, slog.LevelDebug) {
		s.log.LogAttrs(ctx, slog.LevelDebug, "http request",
			slog.String("method", c.Request.Method), slog.String("path", c.Request.URL.Path),
			slog.String("route", route), slog.Int("status", status),
			slog.Int("bytes", c.Writer.Size()), slog.Duration("duration", dur),
			slog.String("remote", c.Request.RemoteAddr))
	}
}

// methodLabel keeps arbitrary client-chosen methods out of metric labels.
func methodLabel(m string) string {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
		http.MethodDelete, http.MethodOptions:
		return m
	}
	return "other"
}

// writeJSON answers with v encoded as JSON.
func (s *server) writeJSON(c *gin.Context, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Data(status, "application/json", b)
}

func (s *server) healthz(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", []byte(`{"status":"ok"}`))
}

func (s *server) readyz(c *gin.Context) {
	if s.ready != nil && !s.ready() {
		refuse(c, inventory.CodeClosed, "", "the depot is not ready")
		return
	}
	h := s.store.Head()
	s.writeJSON(c, http.StatusOK, struct {
		Status string `json:"status"`
		Depot  string `json:"depot"`
		Seq    uint64 `json:"seq"`
	}{"ready", s.store.Depot(), h.Seq})
}

func (s *server) openAPI(c *gin.Context) {
	c.Data(http.StatusOK, "application/json", s.openapi)
}

func (s *server) status(c *gin.Context, _ *inventory.User) {
	h := s.store.Head()
	s.writeJSON(c, http.StatusOK, struct {
		Depot   string `json:"depot"`
		Seq     uint64 `json:"seq"`
		Epoch   uint32 `json:"epoch"`
		Hash    string `json:"hash"`
		Version string `json:"version"`
	}{s.store.Depot(), h.Seq, h.Epoch, h.Hash, s.version})
}
