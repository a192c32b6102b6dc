package manager

import (
	"context"
	"errors"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/gs1"
	"github.com/partsedge/partsedge/devices/rfid"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// reporter is the Reporter one connection's driver reports to.
type reporter struct {
	m       *Manager
	d       *device
	station string
	kind    profiles.Kind
	events  []rfid.Event // reused between calls
}

func (r *reporter) Frame() { r.d.frames.Add(1) }

func (r *reporter) BadFrame(err error) {
	r.d.bad.Add(1)
	if errors.Is(err, devices.ErrChecksum) {
		r.d.crc.Add(1)
	}
	r.d.mu.Lock()
	r.d.lastBad = errText(err)
	r.d.mu.Unlock()
	r.m.log.Debug("bad frame skipped", "device", r.d.cfg.ID, "err", err)
}

func (r *reporter) Scan(s devices.Scan) {
	s.Device, s.Station, s.At = r.d.cfg.ID, r.station, r.m.clock.Now()
	r.d.scans.Add(1)
	rec := ScanRecord{Scan: s}
	if res, err := gs1.ParseScan(s.AIMID, s.Data); err == nil {
		rec.GS1 = &res
	} else {
		var ge *gs1.Error
		if !errors.As(err, &ge) || ge.Code != gs1.CodeNotGS1 {
			// Data under a GS1 symbology (or looking like GS1) that does
			// not parse: keep why, the operator will want to know.
			rec.DecodeError = err.Error()
		}
	}
	r.d.mu.Lock()
	sc := s
	r.d.lastScan = &sc
	r.d.mu.Unlock()
	m := r.m
	m.mu.Lock()
	m.nextScan++
	rec.ID = m.nextScan
	m.scans.push(rec)
	m.mu.Unlock()
	m.log.Info("scan", "device", s.Device, "station", s.Station, "aim", s.AIMID, "data", s.Data)
	if m.opt.OnScan != nil {
		m.opt.OnScan(rec)
	}
}

func (r *reporter) Tags(tags []devices.Tag) {
	if len(tags) == 0 {
		return
	}
	r.d.reads.Add(uint64(len(tags)))
	now := r.m.clock.Now()
	r.d.mu.Lock()
	sm := r.d.smoother
	out := r.events[:0]
	if sm != nil {
		for _, t := range tags {
			out = sm.Observe(devices.ReadFromTag(r.d.cfg.ID, t, now), out)
		}
	}
	r.d.mu.Unlock()
	r.emit(out)
	r.events = out[:0]
}

func (r *reporter) sweepLoop(ctx context.Context, absent time.Duration) {
	if absent <= 0 {
		absent = 3 * time.Second
	}
	t := time.NewTicker(absent / 4)
	defer t.Stop()
	var out []rfid.Event
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		r.d.mu.Lock()
		out = r.d.smoother.Sweep(r.m.clock.Now(), out[:0])
		r.d.mu.Unlock()
		r.emit(out)
	}
}

// flush reports every present tag gone when the reader disconnects: what it
// can no longer see must not stay "present" in a count.
func (r *reporter) flush() {
	r.d.mu.Lock()
	out := r.d.smoother.Flush(nil)
	r.d.mu.Unlock()
	r.emit(out)
}

func (r *reporter) emit(evs []rfid.Event) {
	m := r.m
	for _, e := range evs {
		rec := TagRecord{Event: e, Station: r.station}
		m.mu.Lock()
		m.nextTag++
		rec.ID = m.nextTag
		m.tags.push(rec)
		if e.Kind == rfid.TagSeen {
			m.tagEvents[0]++
		} else {
			m.tagEvents[1]++
		}
		m.mu.Unlock()
		m.log.Info(string(e.Kind), "device", e.Device, "zone", e.Zone, "epc", e.EPC, "antenna", e.Antenna, "reads", e.Reads, "peak_rssi", e.PeakRSSI)
		if m.opt.OnTag != nil {
			m.opt.OnTag(rec)
		}
	}
}
