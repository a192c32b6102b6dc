package manager

import "github.com/prometheus/client_golang/prometheus"

// Collector exposes the devices' counters to Prometheus. It reads the
// manager's own counters at scrape time, so drivers pay nothing per frame
// for metrics.
func (m *Manager) Collector() prometheus.Collector { return collector{m} }

type collector struct{ m *Manager }

var (
	descFrames     = prometheus.NewDesc("partsedge_device_frames_total", "Well-formed frames read from a device.", []string{"device", "profile"}, nil)
	descBad        = prometheus.NewDesc("partsedge_device_bad_frames_total", "Frames skipped: garbled, truncated or failing their checksum.", []string{"device", "profile"}, nil)
	descCRC        = prometheus.NewDesc("partsedge_device_crc_errors_total", "Frames whose checksum or CRC did not match.", []string{"device", "profile"}, nil)
	descReconnects = prometheus.NewDesc("partsedge_device_reconnects_total", "Times a device was connected again after it went down.", []string{"device", "profile"}, nil)
	descScans      = prometheus.NewDesc("partsedge_device_scans_total", "Barcodes read.", []string{"device", "profile"}, nil)
	descReads      = prometheus.NewDesc("partsedge_device_tag_reads_total", "Raw RFID tag reads (before smoothing).", []string{"device", "profile"}, nil)
	descUp         = prometheus.NewDesc("partsedge_device_up", "1 when the device is connected and configured.", []string{"device", "profile"}, nil)
	descTagEvents  = prometheus.NewDesc("partsedge_rfid_tag_events_total", "Smoothed tag events by kind.", []string{"kind"}, nil)
	descUnmatched  = prometheus.NewDesc("partsedge_devices_unmatched", "USB serial devices plugged in that no profile matches.", nil, nil)
)

func (c collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descFrames, descBad, descCRC, descReconnects, descScans, descReads, descUp, descTagEvents, descUnmatched} {
		ch <- d
	}
}

func (c collector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.m.Devices() {
		l := []string{s.ID, s.Profile}
		ch <- prometheus.MustNewConstMetric(descFrames, prometheus.CounterValue, float64(s.Frames), l...)
		ch <- prometheus.MustNewConstMetric(descBad, prometheus.CounterValue, float64(s.BadFrames), l...)
		ch <- prometheus.MustNewConstMetric(descCRC, prometheus.CounterValue, float64(s.CRCErrors), l...)
		ch <- prometheus.MustNewConstMetric(descReconnects, prometheus.CounterValue, float64(s.Reconnects), l...)
		ch <- prometheus.MustNewConstMetric(descScans, prometheus.CounterValue, float64(s.Scans), l...)
		ch <- prometheus.MustNewConstMetric(descReads, prometheus.CounterValue, float64(s.TagReads), l...)
		up := 0.0
		if s.State == Up {
			up = 1
		}
		ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up, l...)
	}
	c.m.mu.Lock()
	seen, gone := c.m.tagEvents[0], c.m.tagEvents[1]
	unmatched := len(c.m.unmatched)
	c.m.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descTagEvents, prometheus.CounterValue, float64(seen), "tag-seen")
	ch <- prometheus.MustNewConstMetric(descTagEvents, prometheus.CounterValue, float64(gone), "tag-gone")
	ch <- prometheus.MustNewConstMetric(descUnmatched, prometheus.GaugeValue, float64(unmatched))
}
