package hid

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/gs1"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// pollTimeout bounds each Read in Run so that Run notices a cancelled ctx
// quickly.
const pollTimeout = 100 * time.Millisecond

// readBufSize holds any interrupt IN transfer (1024 bytes is the largest
// high-speed interrupt packet), so a report never arrives cut.
const readBufSize = 1024

// New returns the driver for a profile whose codec is hid-pos or
// hid-keyboard.
func New(p profiles.Profile) (devices.Driver, error) {
	switch p.Codec {
	case "hid-pos":
		return NewPOS(p)
	case "hid-keyboard":
		return NewKeyboard(p)
	}
	return nil, fmt.Errorf("hid: profile %s: codec %q is not hid-pos or hid-keyboard", p.ID, p.Codec)
}

func checkCommon(p profiles.Profile) error {
	if p.Kind != profiles.Scanner {
		return fmt.Errorf("hid: profile %s: kind %q, the HID codecs speak to scanners", p.ID, p.Kind)
	}
	if p.Transport.Type != "usb-hid" {
		return fmt.Errorf("hid: profile %s: transport %q, the HID codecs run over usb-hid", p.ID, p.Transport.Type)
	}
	// Neither report format has a documented command channel: the scanner
	// is set up with its programming barcodes and signals good reads itself.
	if len(p.Init) > 0 || len(p.Signals.Good)+len(p.Signals.Bad) > 0 {
		return fmt.Errorf("hid: profile %s: %s takes no init or signal commands", p.ID, p.Codec)
	}
	return nil
}

// POSDriver reads a scanner in HID POS mode.
type POSDriver struct {
	p   profiles.Profile
	asm *POSAssembler
}

// NewPOS returns the driver for a hid-pos profile.
func NewPOS(p profiles.Profile) (*POSDriver, error) {
	if p.Codec != "hid-pos" {
		return nil, fmt.Errorf("hid: profile %s: codec %q is not hid-pos", p.ID, p.Codec)
	}
	if err := checkCommon(p); err != nil {
		return nil, err
	}
	if p.Framing.Prefix != "" || p.Framing.Suffix != "" || p.Framing.STX || p.Framing.ETX {
		return nil, fmt.Errorf("hid: profile %s: HID POS reports carry the data alone; prefix, suffix, STX and ETX do not apply", p.ID)
	}
	return &POSDriver{p: p, asm: NewPOSAssembler(0)}, nil
}

// Configure has nothing to send: the HID POS interface always carries the
// AIM identifier, and the scanner is put into HID POS mode by its
// programming barcodes.
func (d *POSDriver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	return devices.Info{}, ctx.Err()
}

// Run reads reports until ctx ends or the link fails.
func (d *POSDriver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	return run(ctx, l, func(report []byte) {
		msg, done, err := d.asm.Feed(report)
		if err != nil {
			r.BadFrame(err)
			return
		}
		r.Frame()
		if done {
			r.Scan(devices.Scan{Data: string(msg.Data), AIMID: msg.AIMID, Symbology: msg.Symbology})
		}
	})
}

// KeyboardDriver reads a keyboard-wedge scanner.
type KeyboardDriver struct {
	p      profiles.Profile
	dec    *KeyboardDecoder
	prefix string
	aim    bool
}

// NewKeyboard returns the driver for a hid-keyboard profile. The profile's
// suffix says which key ends a scan: Enter ("\r", "\r\n", or none given),
// Tab ("\t"), or Ctrl+J ("\n").
func NewKeyboard(p profiles.Profile) (*KeyboardDriver, error) {
	if p.Codec != "hid-keyboard" {
		return nil, fmt.Errorf("hid: profile %s: codec %q is not hid-keyboard", p.ID, p.Codec)
	}
	if err := checkCommon(p); err != nil {
		return nil, err
	}
	layout, err := LayoutByName(p.Framing.Layout)
	if err != nil {
		return nil, fmt.Errorf("hid: profile %s: %w", p.ID, err)
	}
	var term rune
	switch p.Framing.Suffix {
	case "", "\r", "\r\n":
		term = '\r'
	case "\t":
		term = '\t'
	case "\n":
		term = '\n'
	default:
		return nil, fmt.Errorf("hid: profile %s: suffix %q: a keyboard wedge ends scans with Enter (\\r, \\r\\n), Tab (\\t) or \\n", p.ID, p.Framing.Suffix)
	}
	if p.Framing.STX || p.Framing.ETX {
		return nil, fmt.Errorf("hid: profile %s: a keyboard wedge does not type STX/ETX framing", p.ID)
	}
	return &KeyboardDriver{p: p, dec: NewKeyboardDecoder(layout, term), prefix: p.Framing.Prefix, aim: p.Framing.AIM}, nil
}

// Configure has nothing to send: a keyboard has no command channel.
func (d *KeyboardDriver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	return devices.Info{}, ctx.Err()
}

// Run reads reports until ctx ends or the link fails.
func (d *KeyboardDriver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	return run(ctx, l, func(report []byte) {
		text, done, err := d.dec.Feed(report)
		if err != nil {
			r.BadFrame(err)
			return
		}
		if !done {
			r.Frame()
			return
		}
		s, err := SplitKeyboardScan(string(text), d.prefix, d.aim)
		if err != nil {
			r.BadFrame(err)
			return
		}
		r.Frame()
		r.Scan(s)
	})
}

// SplitKeyboardScan takes the profile's prefix and, when the scanner sends
// it, the AIM identifier off a typed scan.
func SplitKeyboardScan(text, prefix string, aim bool) (devices.Scan, error) {
	if prefix != "" {
		rest, ok := strings.CutPrefix(text, prefix)
		if !ok {
			return devices.Scan{}, fmt.Errorf("%w: scan does not start with the prefix %q", ErrBadReport, prefix)
		}
		text = rest
	}
	var s devices.Scan
	if aim {
		if len(text) < 3 || !validAIM(text[0], text[1], text[2]) {
			return devices.Scan{}, fmt.Errorf("%w: scan does not start with an AIM symbology identifier", ErrBadReport)
		}
		s.AIMID, s.Symbology, text = text[:3], gs1.Symbology(text[:3]), text[3:]
	}
	if text == "" {
		return devices.Scan{}, fmt.Errorf("%w: scan with no data", ErrBadReport)
	}
	s.Data = text
	return s, nil
}

// run is the read loop both drivers share: one Read returns one report.
func run(ctx context.Context, l devices.Link, handle func(report []byte)) error {
	if err := l.SetReadTimeout(pollTimeout); err != nil {
		return fmt.Errorf("hid: set read timeout: %w", err)
	}
	buf := make([]byte, readBufSize)
	for {
		if ctx.Err() != nil {
			return nil
		}
		n, err := l.Read(buf)
		if n > 0 {
			handle(buf[:n])
		}
		switch {
		case err == nil:
		case errors.Is(err, devices.ErrTimeout):
		case ctx.Err() != nil:
			return nil
		default:
			return fmt.Errorf("hid: read: %w", err)
		}
	}
}
