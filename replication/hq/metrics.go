package hq

import "github.com/prometheus/client_golang/prometheus"

// HQ is a prometheus.Collector: the metrics are read from the same
// counters Depots answers with, so the two never disagree.
var (
	descEvents     = prometheus.NewDesc("partsedge_hq_applied_events_total", "Events applied at HQ since it started.", []string{"depot"}, nil)
	descBatches    = prometheus.NewDesc("partsedge_hq_applied_batches_total", "Batches applied at HQ since it started.", []string{"depot"}, nil)
	descDuplicates = prometheus.NewDesc("partsedge_hq_duplicate_batches_total", "Batches HQ already held, acknowledged again and not applied.", []string{"depot"}, nil)
	descGaps       = prometheus.NewDesc("partsedge_hq_gap_batches_total", "Batches past HQ's high-water mark + 1, not applied (the depot resends).", []string{"depot"}, nil)
	descSuperseded = prometheus.NewDesc("partsedge_hq_superseded_events_total", "Old-epoch events moved aside by a restored depot's higher epoch.", []string{"depot"}, nil)
	descRejected   = prometheus.NewDesc("partsedge_hq_rejected_total", "Payloads rejected and never applied, by reason.", []string{"depot", "reason"}, nil)
	descHWM        = prometheus.NewDesc("partsedge_hq_hwm_seq", "The seq of the last event HQ holds of the depot.", []string{"depot"}, nil)
	descLag        = prometheus.NewDesc("partsedge_hq_lag_events", "Events the depot reported (status lastSeq) beyond HQ's high-water mark.", []string{"depot"}, nil)
	descOnline     = prometheus.NewDesc("partsedge_hq_depot_online", "1 while the depot's retained status says online.", []string{"depot"}, nil)
)

// Describe implements prometheus.Collector.
func (h *HQ) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descEvents, descBatches, descDuplicates, descGaps, descSuperseded, descRejected, descHWM, descLag, descOnline} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (h *HQ) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, d := range h.Depots() {
		c := d.Counters
		counter(descEvents, c.AppliedEvents, d.Depot)
		counter(descBatches, c.AppliedBatches, d.Depot)
		counter(descDuplicates, c.Duplicates, d.Depot)
		counter(descGaps, c.Gaps, d.Depot)
		counter(descSuperseded, c.Superseded, d.Depot)
		for reason, n := range c.Rejected {
			counter(descRejected, n, d.Depot, reason)
		}
		gauge(descHWM, float64(d.HWM.Seq), d.Depot)
		gauge(descLag, float64(d.Lag), d.Depot)
		online := 0.0
		if d.Status != nil && d.Status.State == "online" {
			online = 1
		}
		gauge(descOnline, online, d.Depot)
	}
}
