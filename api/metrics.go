package api

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/partsedge/partsedge/inventory"
)

// metrics lives in its own registry so two servers in one process (tests,
// or depotd and hqd side by side) never share counters.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	events   *prometheus.CounterVec
}

func newMetrics(store Store, extra ...prometheus.Collector) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partsedge_http_requests_total",
			Help: "HTTP requests by method, route template and status.",
		}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "partsedge_http_request_duration_seconds",
			Help:    "Time from receiving a request to finishing its answer, by method and route template.",
			Buckets: []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10},
		}, []string{"method", "route"}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "partsedge_events_appended_total",
			Help: "Events appended through the API by type (idempotent replays are not counted).",
		}, []string{"type"}),
	}
	// Every type shows from the start, so rate() sees the first event.
	for _, t := range inventory.EventTypes {
		m.events.WithLabelValues(string(t))
	}
	head := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "partsedge_log_head_seq",
		Help: "Seq of the last event in the depot's log.",
	}, func() float64 { return float64(store.Head().Seq) })
	m.reg.MustRegister(m.requests, m.duration, m.events, head,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.reg.MustRegister(extra...)
	return m
}

func (m *metrics) handler(log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: promLog{log}})
}

// promLog hands promhttp's error lines to slog.
type promLog struct{ l *slog.Logger }

func (p promLog) Println(v ...any) { p.l.Warn("metrics: " + fmt.Sprint(v...)) }
