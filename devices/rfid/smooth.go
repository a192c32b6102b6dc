// Package rfid holds what UHF RFID reading needs beyond the reader's wire
// protocol: the tag read every reader codec produces, and the smoothing
// stage that turns a torrent of raw reads into tag-seen and tag-gone events.
//
// A fixed reader reports the same tag hundreds of times a second, from
// several antennas, with reads dropping in and out as people and forklifts
// pass. Nothing per raw read may reach the ledger: the smoother keeps one
// small record per tag per zone and reports only arrivals and departures.
package rfid

import (
	"errors"
	"fmt"
	"time"
)

// Read is one tag report from a reader.
type Read struct {
	Device  string    `json:"device"`
	Antenna int       `json:"antenna"`
	EPC     string    `json:"epc"`  // upper-case hex of the EPC bank's EPC
	RSSI    float64   `json:"rssi"` // dBm
	At      time.Time `json:"at"`
}

// Kind says whether a tag arrived in or left a zone.
type Kind string

const (
	TagSeen Kind = "tag-seen"
	TagGone Kind = "tag-gone"
)

// Event is what the smoother reports: one per arrival and one per departure
// of a tag in a zone, with what was learnt in between.
type Event struct {
	Kind      Kind      `json:"kind"`
	Zone      string    `json:"zone"`
	EPC       string    `json:"epc"`
	Device    string    `json:"device"`
	Antenna   int       `json:"antenna"` // the antenna with the strongest read
	Reads     int       `json:"reads"`
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
	PeakRSSI  float64   `json:"peakRssi"`
}

// Antenna names one antenna of one reader.
type Antenna struct {
	Device string
	Port   int
}

// Config says which antennas make up which zone and when a tag counts as
// present or gone.
type Config struct {
	// Zones maps each antenna to the zone it covers. Reads from an antenna
	// that is not listed are dropped (and counted): an unconfigured antenna
	// must not move stock.
	Zones map[Antenna]string
	// MinReads a tag needs before it is reported seen; more than one keeps
	// stray reads of a tag passing by the door out of a count. Default 1.
	MinReads int
	// MinRSSI, when not zero, drops weaker reads: it shrinks a zone to the
	// shelf in front of the antenna instead of the whole room.
	MinRSSI float64
	// AbsentAfter is how long a tag may go unread before it is reported
	// gone. Default 3 s.
	AbsentAfter time.Duration
}

type key struct {
	zone, epc string
}

type presence struct {
	device    string
	antenna   int
	reads     int
	first     time.Time
	last      time.Time
	peak      float64
	announced bool
}

// Stats counts what the smoother did with its input.
type Stats struct {
	Reads      uint64 // reads taken in
	Unzoned    uint64 // from antennas outside every zone
	TooWeak    uint64 // below MinRSSI
	Seen, Gone uint64
	Present    int // tags currently held
}

// Smoother dedups reads per zone. It is owned by one goroutine (the reader's
// pipeline); it does no locking of its own.
type Smoother struct {
	cfg   Config
	tags  map[key]*presence
	stats Stats
}

// New checks cfg and returns a smoother.
func New(cfg Config) (*Smoother, error) {
	if len(cfg.Zones) == 0 {
		return nil, errors.New("rfid smoothing: no zones configured")
	}
	for a, z := range cfg.Zones {
		if z == "" {
			return nil, fmt.Errorf("rfid smoothing: antenna %s/%d has an empty zone name", a.Device, a.Port)
		}
	}
	if cfg.MinReads < 0 || cfg.AbsentAfter < 0 {
		return nil, errors.New("rfid smoothing: MinReads and AbsentAfter must not be negative")
	}
	if cfg.MinReads == 0 {
		cfg.MinReads = 1
	}
	if cfg.AbsentAfter == 0 {
		cfg.AbsentAfter = 3 * time.Second
	}
	return &Smoother{cfg: cfg, tags: make(map[key]*presence)}, nil
}

// Observe takes one read and appends the event it causes (at most one
// tag-seen) to out, returning out.
func (s *Smoother) Observe(r Read, out []Event) []Event {
	s.stats.Reads++
	zone, ok := s.cfg.Zones[Antenna{r.Device, r.Antenna}]
	if !ok {
		s.stats.Unzoned++
		return out
	}
	if s.cfg.MinRSSI != 0 && r.RSSI < s.cfg.MinRSSI {
		s.stats.TooWeak++
		return out
	}
	k := key{zone, r.EPC}
	p := s.tags[k]
	if p == nil {
		p = &presence{device: r.Device, antenna: r.Antenna, first: r.At, last: r.At, peak: r.RSSI}
		s.tags[k] = p
	}
	p.reads++
	// Readers deliver out of order across antennas; time only moves on.
	if r.At.After(p.last) {
		p.last = r.At
	}
	if r.At.Before(p.first) {
		p.first = r.At
	}
	if r.RSSI > p.peak {
		p.peak, p.device, p.antenna = r.RSSI, r.Device, r.Antenna
	}
	if !p.announced && p.reads >= s.cfg.MinReads {
		p.announced = true
		s.stats.Seen++
		out = append(out, p.event(TagSeen, k))
	}
	return out
}

// Sweep reports as gone every tag not read for AbsentAfter before now, and
// forgets it; a tag that never reached MinReads is forgotten silently.
// Call it on a ticker, a fraction of AbsentAfter apart.
func (s *Smoother) Sweep(now time.Time, out []Event) []Event {
	cutoff := now.Add(-s.cfg.AbsentAfter)
	for k, p := range s.tags {
		if p.last.After(cutoff) {
			continue
		}
		if p.announced {
			s.stats.Gone++
			out = append(out, p.event(TagGone, k))
		}
		delete(s.tags, k)
	}
	return out
}

// Flush reports every announced tag as gone (the reader is stopping, or the
// count closing) and forgets all.
func (s *Smoother) Flush(out []Event) []Event {
	for k, p := range s.tags {
		if p.announced {
			s.stats.Gone++
			out = append(out, p.event(TagGone, k))
		}
		delete(s.tags, k)
	}
	return out
}

// Stats returns the counters so far.
func (s *Smoother) Stats() Stats {
	st := s.stats
	st.Present = len(s.tags)
	return st
}

func (p *presence) event(kind Kind, k key) Event {
	return Event{Kind: kind, Zone: k.zone, EPC: k.epc, Device: p.device, Antenna: p.antenna,
		Reads: p.reads, FirstSeen: p.first, LastSeen: p.last, PeakRSSI: p.peak}
}
