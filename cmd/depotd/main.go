// Command depotd is the depot daemon: it keeps the depot's stock ledger in
// its Badger store and serves the HTTP API over it.
//
// Settings come from flags, PARTSEDGE_* environment variables and a YAML
// file (see cmd/internal/config). PARTSEDGE_MQTT is a broker URL to
// replicate to, empty to work offline, or "embedded": depotd then runs the
// embedded broker on PARTSEDGE_MQTT_LISTEN with the users of
// PARTSEDGE_MQTT_USERS (this depot's id and HQ's "hq"), publishes to it,
// and an hqd connects to it (a one-box site). On its first start depotd creates the user
// "admin" with the configured admin token, or a generated one, and prints it
// on the ready line. SIGINT or SIGTERM stops it: it stops accepting, lets
// in-flight requests finish for up to 10 s and closes the store cleanly.
//
// Exit codes: 0 after a clean stop, 1 when the store or the listener fails,
// 2 for bad settings.
//
// Unless GOMEMLIMIT is set, depotd asks the Go runtime to keep its memory
// near 96 MiB (a soft limit): a depot box's budget is 150 MB resident, and
// without the limit the collector lets garbage from Badger's compactions
// (run at open, every other start) double the heap.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/partsedge/partsedge/api"
	"github.com/partsedge/partsedge/cmd/internal/config"
	"github.com/partsedge/partsedge/cmd/internal/runner"
	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/devices/rfid"
	"github.com/partsedge/partsedge/devices/station"
	"github.com/partsedge/partsedge/inventory"
)

// version is set at link time: go build -ldflags "-X main.version=v1.2.3".
var version string

const (
	defaultListen      = "127.0.0.1:8080"
	defaultMemoryLimit = 96 << 20
	adminUser          = "admin"
	minTokenLen        = 16
)

func main() { runner.Main(defaultMemoryLimit, run) }

// run is depotd without the process around it: it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, code, done := runner.Settings("depotd", defaultListen, version, args, getenv, stdout, stderr)
	if done {
		return code
	}
	if err := cfg.Require("depot", "data"); err != nil {
		fmt.Fprintf(stderr, "depotd: %v\n", err)
		return 2
	}
	if cfg.AdminToken != "" && len(cfg.AdminToken) < minTokenLen {
		fmt.Fprintf(stderr, "depotd: the admin token must be at least %d characters\n", minTokenLen)
		return 2
	}
	if p := cfg.GS1CompanyPrefix; p != "" && (len(p) < 6 || len(p) > 12 || strings.Trim(p, "0123456789") != "") {
		fmt.Fprintln(stderr, "depotd: the GS1 company prefix must be 6 to 12 digits")
		return 2
	}
	emb, err := embeddedBrokerSettings(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "depotd: %v\n", err)
		return 2
	}
	ns, err := readNoticeSettings(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "depotd: %v\n", err)
		return 2
	}
	level, _ := config.ParseLevel(cfg.LogLevel) // Load checked it
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := serve(ctx, cfg, emb, ns, log, stdout); err != nil {
		log.Error("depotd stopped", "err", err)
		var ie *inventory.Error
		if errors.As(err, &ie) && ie.Code == inventory.CodeInvalid {
			return 2 // a depot id the store refuses is a bad setting
		}
		var bs errBadSetting
		if errors.As(err, &bs) {
			return 2
		}
		return 1
	}
	return 0
}

// serve runs depotd until ctx is cancelled or the server fails.
func serve(ctx context.Context, cfg config.Config, embCfg *embeddedBroker, ns noticeSettings, log *slog.Logger, stdout io.Writer) (err error) {
	st, err := inventory.Open(inventory.Options{Dir: cfg.Data, Depot: cfg.Depot, Log: log, ExpiryWindow: ns.expiry})
	if err != nil {
		return fmt.Errorf("open the store: %w", err)
	}
	defer func() {
		if cerr := st.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the store: %w", cerr)
		}
	}()
	token, err := ensureAdmin(st, cfg.AdminToken, log)
	if err != nil {
		return err
	}
	if cfg.Demo {
		if err := seedDemo(ctx, st, log); err != nil {
			return fmt.Errorf("seed demo data: %w", err)
		}
	}
	ids, err := stationIDs(cfg)
	if err != nil {
		return errBadSetting{err}
	}
	router := station.New(station.Options{
		Stations: ids,
		Idle:     func() station.Operation { return station.Identify{Catalog: st} },
		Make:     station.Operations(st),
		Log:      log.With("component", "stations"),
	})
	devs, err := newDevices(cfg, log, func(r manager.ScanRecord) {
		router.DeviceScan(r.Station, r.Device, r.AIMID, r.Data, r.At)
	}, func(r manager.TagRecord) {
		// A station counting a zone counts what its readers see arrive;
		// a tag leaving the field says nothing about stock.
		if r.Kind == rfid.TagSeen {
			router.DeviceTag(r.Station, r.Device, r.Zone, r.EPC, r.LastSeen)
		}
	})
	if err != nil {
		return errBadSetting{err}
	}
	router.SetSignaller(devs)
	emb, pubCfg, err := embCfg.start(cfg, log)
	if err != nil {
		return err
	}
	if emb != nil {
		// Closed after the publisher has stopped (deferred below, so run
		// before this): the depot says offline through its own broker.
		defer emb.Close()
	}
	pub, err := newPublisher(pubCfg, st, log)
	if err != nil {
		return errBadSetting{err}
	}
	repl, replCollectors := replicationWiring(pub)
	nctx, stopNotices := context.WithCancel(ctx)
	defer stopNotices()
	notices, noticesDone, err := startNotices(nctx, pubCfg, st, ns, log)
	if err != nil {
		return errBadSetting{err}
	}
	defer func() { stopNotices(); <-noticesDone }()
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	var ready atomic.Bool
	// No write timeout: a backup streams for as long as the store is big.
	serving := runner.Serve(runner.NewServer(api.New(api.Config{Store: st, Log: log, Version: runner.Version(version), Ready: ready.Load,
		Devices: devs, Stations: router, Collectors: append([]prometheus.Collector{devs.Collector()}, replCollectors...),
		GS1CompanyPrefix: cfg.GS1CompanyPrefix, Replication: repl, Notices: notices}), log, 0), ln, log)
	dctx, stopDevices := context.WithCancel(ctx)
	waitDevices := runDevices(dctx, devs)
	routerDone := make(chan struct{})
	go func() { router.Run(dctx); close(routerDone) }()
	reorderDone := runReorder(dctx, st, log)
	replDone := runPublisher(dctx, pub, log)
	defer func() {
		stopDevices()
		waitDevices()
		<-routerDone
		<-reorderDone
		<-replDone
	}()
	ready.Store(true)
	line := fmt.Sprintf("depotd %s ready at http://%s", st.Depot(), displayAddr(ln.Addr()))
	if token != "" {
		line += " (admin token: " + token + ")"
	}
	fmt.Fprintln(stdout, line)
	if emb != nil {
		// After the ready line, which scripts read as the first line.
		fmt.Fprintf(stdout, "depotd %s mqtt broker at %s\n", st.Depot(), emb.URL())
	}
	log.Info("depotd started", "depot", st.Depot(), "listen", ln.Addr().String(), "seq", st.Head().Seq,
		"version", runner.Version(version), "config", fmt.Sprintf("%+v", cfg.Redacted()))

	if err := serving.Until(ctx, func() { ready.Store(false) }); err != nil {
		return err
	}
	log.Info("stopped", "seq", st.Head().Seq)
	return nil
}

// errBadSetting marks a failure caused by the settings (exit 2).
type errBadSetting struct{ err error }

func (e errBadSetting) Error() string { return e.err.Error() }
func (e errBadSetting) Unwrap() error { return e.err }

// displayAddr turns a listener's address into one a browser can open.
func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok || !tcp.IP.IsUnspecified() {
		return a.String()
	}
	return net.JoinHostPort("localhost", fmt.Sprint(tcp.Port))
}

// ensureAdmin creates the admin user on a store that has no users yet and
// returns the admin token to show on the ready line: the new one, or the
// configured one while it is still an admin's token. A configured token is
// only installed on first start; changing it later changes nothing.
func ensureAdmin(st *inventory.Store, configured string, log *slog.Logger) (string, error) {
	users, err := st.Users()
	if err != nil {
		return "", fmt.Errorf("read users: %w", err)
	}
	if len(users) > 0 {
		if configured == "" {
			return "", nil
		}
		u, err := st.UserByToken(configured)
		if err == nil && u.Role == api.RoleAdmin {
			return configured, nil
		}
		if err != nil && inventory.CodeOf(err) != inventory.CodeNotFound {
			return "", fmt.Errorf("check the admin token: %w", err)
		}
		log.Warn("the configured admin token is not an admin's token in this store: it is only set on the first start")
		return "", nil
	}
	token := configured
	if token == "" {
		if token, err = api.NewToken(); err != nil {
			return "", fmt.Errorf("generate the admin token: %w", err)
		}
	}
	if err := st.CreateUser(inventory.User{Name: adminUser, Role: api.RoleAdmin}, token); err != nil {
		return "", fmt.Errorf("create the admin user: %w", err)
	}
	source := "generated"
	if configured != "" {
		source = "from config"
	}
	log.Info("created the admin user", "user", adminUser, "token", source)
	return token, nil
}
