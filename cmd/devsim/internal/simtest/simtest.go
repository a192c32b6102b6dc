// Package simtest is test support for the device emulators: a fixed tag
// field and a log of the records an emulator writes, to compare with what a
// host driver reported. Only tests import it.
package simtest

import (
	"sync"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/devices/devicetest"
)

// Field is a fixed tag population: Field[antenna] is in range every round.
type Field map[int][]sim.Tag

// InRange implements sim.Field.
func (f Field) InRange(antenna int) []sim.Tag { return f[antenna] }

// Log keeps an emulator's records; Add is its env.Record.
type Log struct {
	mu   sync.Mutex
	recs []sim.Record
}

// Add records one frame; it is safe from the emulator's goroutines.
func (l *Log) Add(r sim.Record) {
	l.mu.Lock()
	l.recs = append(l.recs, r)
	l.mu.Unlock()
}

// All returns a copy of the records so far.
func (l *Log) All() []sim.Record {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]sim.Record(nil), l.recs...)
}

// Tags returns the tags the emulator sent intact, in order, and how many
// frames of any kind a fault spoiled.
func (l *Log) Tags() (good []sim.Tag, bad int) {
	for _, r := range l.All() {
		switch {
		case !r.Good:
			bad++
		case r.Kind == "tag":
			good = append(good, *r.Tag)
		}
	}
	return good, bad
}

// Scans returns the scans the emulator sent intact, in order, and how many
// scan frames a fault spoiled.
func (l *Log) Scans() (good []sim.Scan, bad int) {
	return ScanRecords(l.All())
}

// ScanRecords splits scan records into the intact scans and the spoiled count.
func ScanRecords(recs []sim.Record) (good []sim.Scan, bad int) {
	for _, r := range recs {
		if r.Kind != "scan" {
			continue
		}
		if r.Good {
			good = append(good, *r.Scan)
		} else {
			bad++
		}
	}
	return good, bad
}

// HostScans is what a host driver reported, in the emulator's terms.
func HostScans(r *devicetest.Recorder) []sim.Scan {
	var out []sim.Scan
	for _, s := range r.Scans() {
		out = append(out, sim.Scan{Data: s.Data, AIMID: s.AIMID})
	}
	return out
}
