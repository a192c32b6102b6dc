package scanner

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// Codec is the profile codec name this package speaks.
const Codec = "serial-scanner"

// PollInterval is the read timeout of the read loop: how long Run may take
// to notice a cancelled context or a queued signal.
const PollInterval = 100 * time.Millisecond

// signalQueue is how many Signal requests may wait for Run to send them; an
// operator does not need more beeps than that queued.
const signalQueue = 8

// ErrSignalQueueFull is returned by Signal when Run has not caught up with
// earlier requests.
var ErrSignalQueueFull = errors.New("scanner: signal queue full")

type driver struct {
	framer *Framer
	init   [][]byte
}

// signaller is a driver whose profile gives good/bad feedback commands.
type signaller struct {
	*driver
	*Signals
}

// New builds the driver for a generic text scanner from its profile. The
// result is a devices.Signaller when the profile has signals.
func New(p profiles.Profile) (devices.Driver, error) {
	if p.Codec != Codec {
		return nil, fmt.Errorf("scanner: profile %s uses codec %q, not %s", p.ID, p.Codec, Codec)
	}
	if p.Kind != profiles.Scanner {
		return nil, fmt.Errorf("scanner: profile %s is a %s, not a scanner", p.ID, p.Kind)
	}
	fr, err := NewFramer(p.Framing)
	if err != nil {
		return nil, fmt.Errorf("scanner: profile %s: %w", p.ID, err)
	}
	init, err := CommandBytes(p.Init)
	if err != nil {
		return nil, fmt.Errorf("scanner: profile %s: init: %w", p.ID, err)
	}
	d := &driver{framer: fr, init: init}
	sig, err := NewSignals(p.Signals)
	if err != nil {
		return nil, fmt.Errorf("scanner: profile %s: %w", p.ID, err)
	}
	if sig == nil {
		return d, nil
	}
	return signaller{d, sig}, nil
}

// CommandBytes turns text and hex commands into the bytes to send.
func CommandBytes(cmds []profiles.Command) ([][]byte, error) {
	out := make([][]byte, 0, len(cmds))
	for i, c := range cmds {
		switch {
		case c.Text != "" && c.Hex == "" && c.Menu == "" && c.Param == nil && c.Beep == nil:
			out = append(out, []byte(c.Text))
		case c.Hex != "" && c.Text == "" && c.Menu == "" && c.Param == nil && c.Beep == nil:
			b, err := profiles.HexBytes(c.Hex)
			if err != nil {
				return nil, fmt.Errorf("command %d (%s): %w", i, c.Name, err)
			}
			out = append(out, b)
		default:
			return nil, fmt.Errorf("command %d (%s): a text scanner takes text or hex commands", i, c.Name)
		}
	}
	return out, nil
}

// Configure sends the profile's init commands. A generic scanner does not
// answer them and has no way to say what it is, so Info is empty.
func (d *driver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	for _, b := range d.init {
		if err := ctx.Err(); err != nil {
			return devices.Info{}, err
		}
		if _, err := l.Write(b); err != nil {
			return devices.Info{}, fmt.Errorf("scanner: send init: %w", err)
		}
	}
	return devices.Info{}, nil
}

// Run reads scans until ctx ends or the link fails.
func (d *driver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	d.framer.Reset()
	return ReadScans(ctx, l, d.framer, r, nil)
}

// Run reads scans and sends queued signals between reads.
func (s signaller) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	s.framer.Reset()
	return ReadScans(ctx, l, s.framer, r, s.Send)
}

// ReadScans is the read loop the text scanner drivers share: it reads with a
// short timeout so it notices ctx, feeds the framer and reports what it
// yields. between, when set, runs before each read (to send signals).
func ReadScans(ctx context.Context, l devices.Link, f *Framer, r devices.Reporter, between func(devices.Link) error) error {
	if err := l.SetReadTimeout(PollInterval); err != nil {
		return fmt.Errorf("scanner: set read timeout: %w", err)
	}
	buf := make([]byte, 512)
	for {
		if ctx.Err() != nil {
			return nil
		}
		if between != nil {
			if err := between(l); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
		n, err := l.Read(buf)
		if n > 0 {
			f.Feed(buf[:n])
			Drain(f, r)
		}
		if err != nil && !errors.Is(err, devices.ErrTimeout) {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("scanner: read: %w", err)
		}
	}
}

// Drain reports every complete frame the framer holds.
func Drain(f *Framer, r devices.Reporter) {
	for {
		s, err := f.Next()
		switch {
		case errors.Is(err, ErrIncomplete):
			return
		case err != nil:
			r.BadFrame(err)
		default:
			r.Frame()
			r.Scan(s)
		}
	}
}

// Signals queues good/bad feedback commands for the read loop to send.
type Signals struct {
	good, bad [][]byte
	queue     chan bool
}

// NewSignals builds the queue from a profile's text/hex signal commands; nil
// when the profile has none.
func NewSignals(s profiles.Signals) (*Signals, error) {
	if len(s.Good)+len(s.Bad) == 0 {
		return nil, nil
	}
	good, err := CommandBytes(s.Good)
	if err != nil {
		return nil, fmt.Errorf("signals.good: %w", err)
	}
	bad, err := CommandBytes(s.Bad)
	if err != nil {
		return nil, fmt.Errorf("signals.bad: %w", err)
	}
	return &Signals{good: good, bad: bad, queue: make(chan bool, signalQueue)}, nil
}

// Signal queues a good-scan or bad-scan indication.
func (s *Signals) Signal(good bool) error {
	if (good && len(s.good) == 0) || (!good && len(s.bad) == 0) {
		return devices.ErrNotSupported
	}
	select {
	case s.queue <- good:
		return nil
	default:
		return ErrSignalQueueFull
	}
}

// Send writes every queued signal's commands.
func (s *Signals) Send(l devices.Link) error {
	for {
		select {
		case good := <-s.queue:
			cmds := s.bad
			if good {
				cmds = s.good
			}
			for _, b := range cmds {
				if _, err := l.Write(b); err != nil {
					return fmt.Errorf("scanner: send signal: %w", err)
				}
			}
		default:
			return nil
		}
	}
}
