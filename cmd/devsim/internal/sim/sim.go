// Package sim is the contract between devsim and its device emulators. An
// emulator plays one protocol on the device side of a serial line: it is
// written from the device's protocol manual, not from Partsedge's host-side
// codec, so that the two meeting on a pseudo-terminal is a real test.
package sim

import (
	"context"
	"io"
	"math/rand/v2"

	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// Scan is one barcode the simulated scanner reads.
type Scan struct {
	Data  string `json:"data"`            // the barcode's data (GS1 separators as GS)
	AIMID string `json:"aimId,omitempty"` // the symbology identifier, sent when the profile turns AIM on
}

// Tag is one tag in the simulated field.
type Tag struct {
	EPC     []byte  `json:"epc"`
	PC      uint16  `json:"pc"`
	Antenna int     `json:"antenna"` // 1-based
	RSSI    float64 `json:"rssi"`    // dBm
}

// Field is what a reader's antennas can see.
type Field interface {
	// InRange returns the tags an antenna (1-based) reads in one round now.
	InRange(antenna int) []Tag
}

// Faults spoil frames on purpose. Probabilities are per frame that carries
// data (a scan, a tag report, a reply).
type Faults struct {
	Garble float64 `json:"garble"` // bytes flipped or the frame cut short
	BadCRC float64 `json:"badCrc"` // the checksum made wrong (protocols with one)
}

// Record is one frame the device sent that carries data. Good is false when
// a fault spoiled it: the host must count it as bad and report nothing from it.
type Record struct {
	Kind string `json:"kind"` // scan, tag, reply
	Good bool   `json:"good"`
	Scan *Scan  `json:"scan,omitempty"`
	Tag  *Tag   `json:"tag,omitempty"`
	Note string `json:"note,omitempty"` // the fault, or what the reply answered
}

// Env is what an emulator runs with.
type Env struct {
	Profile profiles.Profile
	Rand    *rand.Rand
	Faults  Faults
	// Scans feeds a scanner: each value is one trigger pull. Closed when the
	// script ends; a scanner then keeps answering the host until ctx ends.
	Scans <-chan Scan
	// Field is a reader's tag population.
	Field Field
	// TagRate caps a reader's tag reports per second (0: as fast as it can).
	TagRate float64
	// Version is the firmware version to report when asked; empty means the
	// emulator's default for the profile's variant.
	Version string
	// Record is called for every data-carrying frame, just before it is
	// written, so the record's order is the wire's order.
	Record func(Record)
	Logf   func(format string, args ...any)
}

// Emulator plays one device.
type Emulator interface {
	// Serve answers the host and sends data until ctx ends (return nil) or
	// rw fails (return the error).
	Serve(ctx context.Context, rw io.ReadWriter, env *Env) error
}
