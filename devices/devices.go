// Package devices is the depot's hands: the contracts between the device
// manager, the transports a device is reached over (serial, USB, TCP) and the
// protocol drivers that speak each model's wire format.
//
// A driver owns one open Link for as long as the device stays connected. It
// puts the device into a known mode (Configure), then reads it (Run) and
// hands what it decodes to a Reporter: scans from barcode scanners, tag reads
// from RFID readers, and a count of the frames it took and the frames it had
// to skip. The manager stamps each report with the device, the station and the
// time, and reconnects with backoff when Run returns.
package devices

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/partsedge/partsedge/devices/rfid"
)

// Scan is one barcode read by a scanner. Drivers fill Data, AIMID and
// Symbology; the manager fills Device, Station and At.
type Scan struct {
	Device  string `json:"device"`
	Station string `json:"station,omitempty"`
	// Data is what the barcode holds, without the scanner's framing and
	// without the AIM symbology identifier (GS1 FNC1 separators as GS, 0x1D).
	Data string `json:"data"`
	// AIMID is the ISO/IEC 15424 symbology identifier ("]C1", "]d2") when the
	// scanner sent one.
	AIMID     string    `json:"aimId,omitempty"`
	Symbology string    `json:"symbology,omitempty"`
	At        time.Time `json:"at"`
}

// Tag is one tag report from an RFID reader, as the reader's protocol gives
// it. Drivers fill it; the manager turns it into an rfid.Read for smoothing.
type Tag struct {
	EPC     []byte  // the EPC bank's EPC, without PC and CRC
	PC      uint16  // protocol control word, 0 when the reader does not report it
	Antenna int     // 1-based antenna port, 0 when the reader does not report it
	RSSI    float64 // dBm, 0 when the reader does not report it
}

// Reporter takes what a driver decodes. Calls come from the driver's Run
// goroutine only.
type Reporter interface {
	Scan(s Scan)
	Tags(tags []Tag)
	// Frame counts a well-formed frame from the device.
	Frame()
	// BadFrame counts a frame that was skipped (bad checksum, garbled,
	// truncated) and says why. Nothing from a bad frame is reported.
	BadFrame(err error)
}

// ErrTimeout is what a Link's Read returns when nothing arrived within the
// read timeout.
var ErrTimeout = errors.New("devices: read timed out")

// Link is an open connection to one device.
type Link interface {
	io.ReadWriteCloser
	// SetReadTimeout bounds every later Read: after d without data Read
	// returns (0, ErrTimeout). Zero waits until data comes or the link closes.
	SetReadTimeout(d time.Duration) error
}

// Info is what a device says about itself when asked at connect time.
type Info struct {
	Firmware string `json:"firmware,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Model    string `json:"model,omitempty"`
}

// Driver speaks one protocol to one device. The manager makes a new Driver
// each time it connects, so a driver may keep per-connection state.
type Driver interface {
	// Configure puts the device into a known mode: the profile's connect-time
	// commands, checking each answer. It reports what the device says about
	// itself, when the protocol has a way to ask.
	Configure(ctx context.Context, l Link) (Info, error)
	// Run reads the device until ctx ends (return nil) or the link fails
	// (return the error). A run of bad frames is not a failure: the driver
	// counts them and resynchronises.
	Run(ctx context.Context, l Link, r Reporter) error
}

// Signaller is a Driver that can tell the operator a scan was good or bad
// (a beep, an LED). Signal may be called from any goroutine while Run runs;
// the driver sends the command from Run so it never interleaves with a frame.
type Signaller interface {
	Signal(good bool) error
}

// ErrChecksum is what a codec wraps when a frame's checksum or CRC does not
// match, so the manager can count checksum errors apart from other bad frames.
var ErrChecksum = errors.New("checksum mismatch")

// ErrNotSupported is returned by a Signaller whose device cannot signal.
var ErrNotSupported = errors.New("devices: not supported by this device")

// ReadFromTag turns a driver's Tag into the read the smoother takes.
func ReadFromTag(device string, t Tag, at time.Time) rfid.Read {
	return rfid.Read{Device: device, Antenna: t.Antenna, EPC: upperHex(t.EPC), RSSI: t.RSSI, At: at}
}

func upperHex(b []byte) string {
	const digits = "0123456789ABCDEF"
	out := make([]byte, 2*len(b))
	for i, c := range b {
		out[2*i], out[2*i+1] = digits[c>>4], digits[c&15]
	}
	return string(out)
}
