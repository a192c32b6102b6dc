package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net/url"
	"os"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/partsedge/partsedge/api"
	"github.com/partsedge/partsedge/cmd/internal/config"
	"github.com/partsedge/partsedge/cmd/internal/runner"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/broker"
	"github.com/partsedge/partsedge/replication/depot"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

// embeddedBroker is the embedded broker's settings when PARTSEDGE_MQTT is
// "embedded": a one-box site, where the depot runs the broker HQ connects
// to (as its user "hq") instead of reaching one at HQ. They are read before
// the store opens, so a users file that does not fit writes nothing.
type embeddedBroker struct {
	listen   string
	users    map[string]string
	password string // this depot's
}

// embeddedBrokerSettings reads PARTSEDGE_MQTT_LISTEN and the users file
// PARTSEDGE_MQTT_USERS, which must name HQ's user and this depot's id (the
// access rule gives a depot's user exactly its own topics); nil when
// PARTSEDGE_MQTT is not "embedded".
func embeddedBrokerSettings(cfg config.Config) (*embeddedBroker, error) {
	if cfg.MQTT != "embedded" {
		return nil, nil
	}
	if err := cfg.Require("mqtt-users"); err != nil {
		return nil, fmt.Errorf("the embedded broker lets in only the users of a file: %w", err)
	}
	users, err := broker.ReadUsersFile(cfg.MQTTUsers)
	if err != nil {
		return nil, err
	}
	password, ok := users[cfg.Depot]
	if !ok {
		return nil, fmt.Errorf("the users file %s has no line for this depot's user %s", cfg.MQTTUsers, cfg.Depot)
	}
	if _, ok := users[mosquitto.HQUser]; !ok {
		return nil, fmt.Errorf("the users file %s has no line for HQ's user %s, so nothing could read this depot's events", cfg.MQTTUsers, mosquitto.HQUser)
	}
	e := &embeddedBroker{listen: cfg.MQTTListen, users: users, password: password}
	if e.listen == "" {
		e.listen = config.DefaultMQTTListen
	}
	return e, nil
}

// start starts the broker and returns the settings rewritten so the
// publisher connects to it over loopback as this depot. A nil e starts
// nothing and returns cfg as it is.
func (e *embeddedBroker) start(cfg config.Config, log *slog.Logger) (*broker.Broker, config.Config, error) {
	if e == nil {
		return nil, cfg, nil
	}
	b, err := broker.Start(broker.Options{Addr: e.listen, Users: e.users, HQ: mosquitto.HQUser, Log: log.With("component", "broker")})
	if err != nil {
		return nil, cfg, fmt.Errorf("start the embedded broker: %w", err)
	}
	log.Info("embedded broker started", "addr", b.Addr(), "users", len(e.users))
	cfg.MQTT, cfg.MQTTUser, cfg.MQTTPassword = b.URL(), cfg.Depot, e.password
	return b, cfg, nil
}

// newPublisher returns the replication publisher for a tcp:// or ssl://
// broker, or nil when PARTSEDGE_MQTT names none: an empty setting keeps the
// depot offline, and the embedded broker is started elsewhere.
func newPublisher(cfg config.Config, st *inventory.Store, log *slog.Logger) (*depot.Publisher, error) {
	if cfg.MQTT == "" || cfg.MQTT == "embedded" {
		return nil, nil
	}
	u, err := url.Parse(cfg.MQTT)
	if err != nil || u.Host == "" || (u.Scheme != "tcp" && u.Scheme != "ssl") {
		return nil, fmt.Errorf("mqtt %q: want tcp://host:port or ssl://host:port", cfg.MQTT)
	}
	o := depot.Options{Store: st, Broker: cfg.MQTT, Username: cfg.MQTTUser, Password: cfg.MQTTPassword,
		Version: runner.Version(version), Log: log}
	if u.Scheme == "ssl" {
		if o.TLS, err = brokerTLS(cfg.MQTTCAFile, u.Hostname()); err != nil {
			return nil, err
		}
	} else if cfg.MQTTCAFile != "" {
		return nil, fmt.Errorf("mqtt-ca-file is set but the broker %q is not ssl://", cfg.MQTT)
	}
	p, err := depot.New(o)
	if err != nil {
		return nil, fmt.Errorf("replication: %w", err)
	}
	return p, nil
}

// brokerTLS trusts the system's roots plus the CAs in caFile.
func brokerTLS(caFile, host string) (*tls.Config, error) {
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool() // no system roots on this box: the CA file must do
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, fmt.Errorf("mqtt-ca-file: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("mqtt-ca-file %s holds no PEM certificate", caFile)
		}
	}
	return &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}, nil
}

// runPublisher runs p until ctx ends; the channel closes when it has
// stopped (said offline and remembered its ack), which must happen before
// the store closes. A nil p runs nothing.
func runPublisher(ctx context.Context, p *depot.Publisher, log *slog.Logger) <-chan struct{} {
	done := make(chan struct{})
	if p == nil {
		close(done)
		return done
	}
	go func() {
		defer close(done)
		if err := p.Run(ctx); err != nil {
			log.Error("replication stopped", "err", err)
		}
	}()
	return done
}

// replicationAPI adapts the publisher to the API's view of it.
type replicationAPI struct{ p *depot.Publisher }

func (r replicationAPI) ReplicationStatus() api.ReplicationStatus {
	s, c := r.p.State(), r.p.CommandStats()
	return api.ReplicationStatus{Broker: s.Broker, Connected: s.Connected, AckEpoch: s.AckEpoch, AckSeq: s.AckSeq,
		Head: s.Head, Backlog: s.Backlog, SentSeq: s.SentSeq, InFlight: s.InFlight, LastAckAt: s.LastAckAt,
		LagSeconds: s.LagSeconds, Batches: s.Batches, EventsSent: s.EventsSent, Resends: s.Resends,
		AcksIgnored: s.AcksIgnored, Connects: s.Connects,
		Commands: api.CommandsStatus{Cursor: c.Cursor, Applied: c.Applied, Refused: c.Refused, Duplicates: c.Duplicates,
			Gaps: c.Gaps, Rejected: c.Rejected, Failures: c.Failures}}
}

// replicationWiring is what the API gets: nil interfaces when the depot is
// offline, so the API reports replication as disabled.
func replicationWiring(p *depot.Publisher) (api.Replication, []prometheus.Collector) {
	if p == nil {
		return nil, nil
	}
	return replicationAPI{p}, []prometheus.Collector{p.Collector()}
}
