package ssi

import (
	"errors"
	"fmt"
	"time"

	"github.com/partsedge/partsedge/devices"
)

// ErrTruncated is a bad frame that stopped arriving before its length said
// it would end (the Host Character Time-out ran out).
var ErrTruncated = errors.New("ssi: packet cut short")

// errNothing means no whole packet arrived within the wait.
var errNothing = errors.New("ssi: nothing received")

// reader cuts packets from a Link. SSI is half duplex in practice: after a
// packet the sender waits for the answer, so when bytes turn out not to be a
// packet the reader drops everything until the line is quiet and the caller
// NAKs once, rather than hunting for a packet inside the garbage.
type reader struct {
	l        devices.Link
	buf      []byte
	off      int
	chunk    [512]byte
	lastByte time.Time
	timeout  time.Duration

	charTimeout  time.Duration // silence that ends a partial packet
	quietTimeout time.Duration // silence that ends draining after a bad packet
	maxDrain     time.Duration // bound on draining, so a chattering line cannot hold us
}

func newReader(l devices.Link, t timing) *reader {
	return &reader{
		l:            l,
		buf:          make([]byte, 0, 2*MaxPacket),
		charTimeout:  t.char,
		quietTimeout: t.quiet,
		maxDrain:     t.drain,
	}
}

func (r *reader) setTimeout(d time.Duration) error {
	if d < time.Millisecond {
		// Zero would mean "wait for ever" to the Link.
		d = time.Millisecond
	}
	if d == r.timeout {
		return nil
	}
	if err := r.l.SetReadTimeout(d); err != nil {
		return fmt.Errorf("ssi: set read timeout: %w", err)
	}
	r.timeout = d
	return nil
}

// fill reads once, waiting at most d.
func (r *reader) fill(d time.Duration) error {
	if err := r.setTimeout(d); err != nil {
		return err
	}
	if r.off > 0 {
		n := copy(r.buf, r.buf[r.off:])
		r.buf, r.off = r.buf[:n], 0
	}
	n, err := r.l.Read(r.chunk[:])
	if n > 0 {
		r.buf = append(r.buf, r.chunk[:n]...)
		r.lastByte = time.Now()
	}
	if err != nil && !errors.Is(err, devices.ErrTimeout) {
		return err
	}
	return nil
}

func (r *reader) discard() { r.buf, r.off = r.buf[:0], 0 }

// drain drops what the line still carries until it has been quiet for
// quietTimeout, or maxDrain passed.
func (r *reader) drain() error {
	r.discard()
	if err := r.setTimeout(r.quietTimeout); err != nil {
		return err
	}
	end := time.Now().Add(r.maxDrain)
	for time.Now().Before(end) {
		n, err := r.l.Read(r.chunk[:])
		if errors.Is(err, devices.ErrTimeout) {
			return nil
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
	return nil
}

// next returns the next packet, waiting at most wait for it to complete. It
// returns errNothing when none did, a bad-frame error (ErrLength,
// ErrChecksum, ErrTruncated) when bytes were not a packet, or the Link's
// error. The packet's Data is valid until the next call.
func (r *reader) next(wait time.Duration) (Packet, error) {
	deadline := time.Now().Add(wait)
	for {
		if r.off < len(r.buf) {
			p, n, err := Parse(r.buf[r.off:])
			if err == nil {
				r.off += n
				return p, nil
			}
			if !errors.Is(err, ErrShort) {
				if derr := r.drain(); derr != nil {
					return Packet{}, derr
				}
				return Packet{}, err
			}
			if time.Since(r.lastByte) >= r.charTimeout {
				got, want := len(r.buf)-r.off, int(r.buf[r.off])+2
				if derr := r.drain(); derr != nil {
					return Packet{}, derr
				}
				return Packet{}, fmt.Errorf("%w: %d of %d bytes", ErrTruncated, got, want)
			}
		}
		// A partial packet is kept across calls; its silence is timed
		// from its last byte, so callers can poll with short waits.
		d := time.Until(deadline)
		if r.off < len(r.buf) {
			d = min(d, r.charTimeout-time.Since(r.lastByte))
		}
		if d <= 0 {
			return Packet{}, errNothing
		}
		if err := r.fill(d); err != nil {
			return Packet{}, err
		}
	}
}

// isBadFrame reports whether err from next is a skipped frame.
func isBadFrame(err error) bool {
	return errors.Is(err, ErrChecksum) || errors.Is(err, ErrLength) || errors.Is(err, ErrTruncated)
}
