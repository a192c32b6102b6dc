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
	"github.com/partsedge/partsedge/replication/depot"
)

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
	s := r.p.State()
	return api.ReplicationStatus{Broker: s.Broker, Connected: s.Connected, AckEpoch: s.AckEpoch, AckSeq: s.AckSeq,
		Head: s.Head, Backlog: s.Backlog, SentSeq: s.SentSeq, InFlight: s.InFlight, LastAckAt: s.LastAckAt,
		LagSeconds: s.LagSeconds, Batches: s.Batches, EventsSent: s.EventsSent, Resends: s.Resends,
		AcksIgnored: s.AcksIgnored, Connects: s.Connects}
}

// replicationWiring is what the API gets: nil interfaces when the depot is
// offline, so the API reports replication as disabled.
func replicationWiring(p *depot.Publisher) (api.Replication, []prometheus.Collector) {
	if p == nil {
		return nil, nil
	}
	return replicationAPI{p}, []prometheus.Collector{p.Collector()}
}
