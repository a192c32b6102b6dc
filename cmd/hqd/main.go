// Command hqd is the HQ service's durable ingest: it subscribes to every
// depot's event batches and status on the broker, applies each batch to
// HQ's own Badger store where it continues exactly from that depot's
// high-water mark, acknowledges it (retained) and serves what it holds
// over HTTP.
//
// Settings come from flags, PARTSEDGE_* environment variables and a YAML
// file (cmd/internal/config, the same names as depotd): PARTSEDGE_DATA
// (required), PARTSEDGE_MQTT (required: a tcp:// or ssl:// broker URL, or
// embedded), PARTSEDGE_MQTT_USER/PASSWORD, PARTSEDGE_LISTEN (default
// 127.0.0.1:8090) and PARTSEDGE_ADMIN_TOKEN (required, at least 16
// characters): on the first start it becomes the token of the user
// "admin", who creates HQ's other users (admin, planner, viewer) through
// /api/v1/users.
//
// With PARTSEDGE_MQTT=embedded hqd runs the embedded broker itself on
// PARTSEDGE_MQTT_LISTEN (default 127.0.0.1:1883) with the users of the
// file PARTSEDGE_MQTT_USERS (user:password lines: HQ's user, "hq" unless
// PARTSEDGE_MQTT_USER names another, and one per depot named by its id),
// prints "hqd mqtt broker at tcp://ADDR" after its ready line, and
// connects to it over loopback; depots connect to that address.
//
// SIGINT or SIGTERM stops it: it stops accepting, lets in-flight requests
// finish for up to 10 s, leaves the broker after the batches it holds are
// applied, stops the embedded broker, and closes the store.
//
// Exit codes: 0 after a clean stop, 1 when the store or the listener
// fails, 2 for bad settings.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"time"

	"github.com/partsedge/partsedge/api/hqapi"
	"github.com/partsedge/partsedge/cmd/internal/config"
	"github.com/partsedge/partsedge/cmd/internal/runner"
	"github.com/partsedge/partsedge/replication/broker"
	"github.com/partsedge/partsedge/replication/hq"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

// version is set at link time: go build -ldflags "-X main.version=v1.2.3".
var version string

const (
	defaultListen      = "127.0.0.1:8090"
	defaultMemoryLimit = 256 << 20 // larger than depotd's: HQ holds many depots
	minTokenLen        = 16
)

func main() { runner.Main(defaultMemoryLimit, run) }

// run is hqd without the process around it: it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cfg, code, done := runner.Settings("hqd", defaultListen, version, args, getenv, stdout, stderr)
	if done {
		return code
	}
	if err := cfg.Require("data", "mqtt", "admin-token"); err != nil {
		fmt.Fprintf(stderr, "hqd: %v\n", err)
		return 2
	}
	if len(cfg.AdminToken) < minTokenLen {
		fmt.Fprintf(stderr, "hqd: the admin token must be at least %d characters\n", minTokenLen)
		return 2
	}
	var emb *embedded
	if cfg.MQTT == "embedded" {
		var err error
		if emb, err = embeddedSettings(cfg); err != nil {
			fmt.Fprintf(stderr, "hqd: %v\n", err)
			return 2
		}
	} else if !strings.HasPrefix(cfg.MQTT, "tcp://") && !strings.HasPrefix(cfg.MQTT, "ssl://") {
		fmt.Fprintf(stderr, "hqd: mqtt %q: want a tcp:// or ssl:// broker URL that the depots reach too, or embedded\n", cfg.MQTT)
		return 2
	}
	level, _ := config.ParseLevel(cfg.LogLevel) // Load checked it
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := serve(ctx, cfg, emb, log, stdout); err != nil {
		log.Error("hqd stopped", "err", err)
		return 1
	}
	return 0
}

// embedded is the embedded broker's settings, read before anything starts
// so a bad users file is a bad setting (exit 2).
type embedded struct {
	listen   string
	users    map[string]string
	hqUser   string
	password string
}

func embeddedSettings(cfg config.Config) (*embedded, error) {
	if err := cfg.Require("mqtt-users"); err != nil {
		return nil, fmt.Errorf("the embedded broker lets in only the users of a file: %w", err)
	}
	users, err := broker.ReadUsersFile(cfg.MQTTUsers)
	if err != nil {
		return nil, err
	}
	e := &embedded{listen: cfg.MQTTListen, users: users, hqUser: cfg.MQTTUser}
	if e.listen == "" {
		e.listen = config.DefaultMQTTListen
	}
	if e.hqUser == "" {
		e.hqUser = mosquitto.HQUser
	}
	var ok bool
	if e.password, ok = users[e.hqUser]; !ok {
		return nil, fmt.Errorf("the users file %s has no line for HQ's user %q", cfg.MQTTUsers, e.hqUser)
	}
	return e, nil
}

// serve runs hqd until ctx is cancelled or the server fails.
func serve(ctx context.Context, cfg config.Config, emb *embedded, log *slog.Logger, stdout io.Writer) (err error) {
	h, err := hq.Open(hq.Options{Dir: cfg.Data, Log: log})
	if err != nil {
		return fmt.Errorf("open the store: %w", err)
	}
	defer func() {
		if cerr := h.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("close the store: %w", cerr)
		}
	}()
	created, err := hqapi.EnsureAdmin(h, cfg.AdminToken)
	if err != nil {
		return err
	}
	if created {
		log.Info("created the admin user", "user", hqapi.AdminUser)
	} else if u, err := h.UserByToken(cfg.AdminToken); err != nil || u.Role != hqapi.RoleAdmin {
		log.Warn("the configured admin token is not an admin's token in this store: it is only set on the first start")
	}
	mqttOpts := hq.MQTTOptions{Broker: cfg.MQTT, User: cfg.MQTTUser, Password: cfg.MQTTPassword}
	var b *broker.Broker
	if emb != nil {
		b, err = broker.Start(broker.Options{Addr: emb.listen, Users: emb.users, HQ: emb.hqUser, Log: log.With("component", "broker")})
		if err != nil {
			return fmt.Errorf("start the embedded broker: %w", err)
		}
		// Stops after HQ has left it (deferred below, so run before).
		defer b.Close()
		mqttOpts = hq.MQTTOptions{Broker: b.URL(), User: emb.hqUser, Password: emb.password}
		log.Info("embedded broker started", "addr", b.Addr(), "users", len(emb.users))
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	sub, err := h.Subscribe(ctx, mqttOpts)
	if err != nil {
		ln.Close()
		return fmt.Errorf("subscribe: %w", err)
	}
	// Leave the broker before the store closes (deferred above, so run
	// after this): the workers finish the batches they hold.
	defer sub.Close()
	var stopping atomic.Bool
	ready := func() bool { return !stopping.Load() && sub.Connected() }
	serving := runner.Serve(runner.NewServer(hqapi.New(hqapi.Options{HQ: h, Ready: ready, Log: log}), log, time.Minute), ln, log)
	fmt.Fprintf(stdout, "hqd ready at http://%s\n", ln.Addr())
	if b != nil {
		fmt.Fprintf(stdout, "hqd mqtt broker at %s\n", b.URL())
	}
	log.Info("hqd started", "listen", ln.Addr().String(), "version", runner.Version(version),
		"config", fmt.Sprintf("%+v", cfg.Redacted()))

	if err := serving.Until(ctx, func() { stopping.Store(true) }); err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}
