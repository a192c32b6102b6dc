package depot

import "github.com/prometheus/client_golang/prometheus"

// Collector exposes the publisher's state as Prometheus metrics; every
// value is read from one snapshot per scrape.
func (p *Publisher) Collector() prometheus.Collector { return &collector{p: p} }

type collector struct{ p *Publisher }

type metricDef struct {
	desc  *prometheus.Desc
	kind  prometheus.ValueType
	value func(State) float64
}

func boolf(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

var metricDefs = []metricDef{
	{prometheus.NewDesc("partsedge_replication_connected", "1 while the depot is connected to the broker.", nil, nil),
		prometheus.GaugeValue, func(s State) float64 { return boolf(s.Connected) }},
	{prometheus.NewDesc("partsedge_replication_backlog_events", "Events in the log HQ has not acknowledged (head - ack).", nil, nil),
		prometheus.GaugeValue, func(s State) float64 { return float64(s.Backlog) }},
	{prometheus.NewDesc("partsedge_replication_acked_seq", "The last seq HQ acknowledged.", nil, nil),
		prometheus.GaugeValue, func(s State) float64 { return float64(s.AckSeq) }},
	{prometheus.NewDesc("partsedge_replication_lag_seconds", "How long the oldest unacknowledged event has waited for HQ.", nil, nil),
		prometheus.GaugeValue, func(s State) float64 { return s.LagSeconds }},
	{prometheus.NewDesc("partsedge_replication_in_flight_batches", "Batches published and not yet acknowledged.", nil, nil),
		prometheus.GaugeValue, func(s State) float64 { return float64(s.InFlight) }},
	{prometheus.NewDesc("partsedge_replication_batches_total", "Batches published, resends included.", nil, nil),
		prometheus.CounterValue, func(s State) float64 { return float64(s.Batches) }},
	{prometheus.NewDesc("partsedge_replication_events_sent_total", "Events published, resends included.", nil, nil),
		prometheus.CounterValue, func(s State) float64 { return float64(s.EventsSent) }},
	{prometheus.NewDesc("partsedge_replication_resends_total", "Times the stream went back to ack+1 (reconnect, ack timeout, publish error).", nil, nil),
		prometheus.CounterValue, func(s State) float64 { return float64(s.Resends) }},
	{prometheus.NewDesc("partsedge_replication_acks_ignored_total", "Acks ignored: undecodable, of another epoch, or beyond what was sent.", nil, nil),
		prometheus.CounterValue, func(s State) float64 { return float64(s.AcksIgnored) }},
	{prometheus.NewDesc("partsedge_replication_publish_errors_total", "Batches that could not be read or handed to the client.", nil, nil),
		prometheus.CounterValue, func(s State) float64 { return float64(s.PublishErrors) }},
	{prometheus.NewDesc("partsedge_replication_connects_total", "Connections to the broker, the first included.", nil, nil),
		prometheus.CounterValue, func(s State) float64 { return float64(s.Connects) }},
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range metricDefs {
		ch <- d.desc
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := c.p.State()
	for _, d := range metricDefs {
		ch <- prometheus.MustNewConstMetric(d.desc, d.kind, d.value(st))
	}
}
