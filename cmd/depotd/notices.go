package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/partsedge/partsedge/cmd/internal/config"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/notify"
)

// noticeSettings are the notices' settings, read before the store opens so
// a bad one writes nothing: the webhook URLs and secret, and how far ahead
// a lot's expiry is a notice.
type noticeSettings struct {
	webhooks []string
	secret   string
	expiry   time.Duration
}

func readNoticeSettings(cfg config.Config) (noticeSettings, error) {
	var ns noticeSettings
	var err error
	if ns.webhooks, err = notify.ParseWebhookURLs(cfg.Webhooks); err != nil {
		return ns, err
	}
	ns.secret = cfg.WebhookSecret
	if len(ns.webhooks) > 0 && len(ns.secret) < 16 {
		return ns, fmt.Errorf("webhooks are set: the webhook secret (--webhook-secret, PARTSEDGE_WEBHOOK_SECRET) must be at least 16 characters, so receivers can trust the signature")
	}
	ns.expiry = inventory.DefaultExpiryWindow
	if d := strings.TrimSpace(cfg.ExpiryDays); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 1 || n > 3650 {
			return ns, fmt.Errorf("expiry-days %q: want a whole number of days from 1 to 3650", cfg.ExpiryDays)
		}
		ns.expiry = time.Duration(n) * 24 * time.Hour
	}
	return ns, nil
}

// startNotices runs the notifier over st, the webhook deliveries, and the
// notice publisher to HQ when pubCfg names a broker (after the embedded
// one started, it names that). The channel closes when all of them have
// stopped, which must happen before the store closes.
func startNotices(ctx context.Context, pubCfg config.Config, st *inventory.Store, ns noticeSettings, log *slog.Logger) (*notify.Notifier, <-chan struct{}, error) {
	log = log.With("component", "notices")
	n := notify.New(st, notify.Options{Log: log})
	var pub *notify.Publisher
	if pubCfg.MQTT != "" && pubCfg.MQTT != "embedded" {
		u, err := url.Parse(pubCfg.MQTT)
		if err != nil || u.Host == "" || (u.Scheme != "tcp" && u.Scheme != "ssl") {
			return nil, nil, fmt.Errorf("mqtt %q: want tcp://host:port or ssl://host:port", pubCfg.MQTT)
		}
		o := notify.MQTTOptions{Broker: pubCfg.MQTT, Username: pubCfg.MQTTUser, Password: pubCfg.MQTTPassword}
		if u.Scheme == "ssl" {
			if o.TLS, err = brokerTLS(pubCfg.MQTTCAFile, u.Hostname()); err != nil {
				return nil, nil, err
			}
		}
		if pub, err = n.MQTT(o); err != nil {
			return nil, nil, fmt.Errorf("notices: %w", err)
		}
	}
	hooks := n.Webhooks(notify.WebhookOptions{URLs: ns.webhooks, Secret: ns.secret})
	done := make(chan struct{})
	go func() {
		defer close(done)
		parts := make(chan struct{}, 3)
		go func() {
			defer func() { parts <- struct{}{} }()
			if err := n.Run(ctx); err != nil {
				log.Error("notices stopped", "err", err)
			}
		}()
		go func() { defer func() { parts <- struct{}{} }(); hooks.Run(ctx) }()
		go func() {
			defer func() { parts <- struct{}{} }()
			if pub == nil {
				return
			}
			if err := pub.Run(ctx); err != nil {
				log.Error("notices to HQ stopped", "err", err)
			}
		}()
		for range 3 {
			<-parts
		}
	}()
	log.Info("notices started", "webhooks", len(ns.webhooks), "toHQ", pub != nil, "expiryWindow", ns.expiry)
	return n, done, nil
}
