package scanner

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/gs1"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// Frame control characters (ASCII).
const (
	STX = 0x02
	ETX = 0x03
)

// MaxScan bounds one scan's bytes between its start and its terminator. The
// largest symbols (a full QR Code version 40 holds 7089 digits, PDF417 about
// 2.7 KB of bytes) are rarer than a line that lost its terminator, so past
// this the framer gives up on the frame and waits for the next terminator.
const MaxScan = 4096

// Errors a Framer returns, wrapped with what was seen. Each is one bad frame.
var (
	// ErrIncomplete is not a bad frame: the input so far holds no more
	// complete frames.
	ErrIncomplete = errors.New("scanner: no complete frame yet")
	ErrTooLong    = errors.New("scanner: scan longer than the limit")
	ErrStray      = errors.New("scanner: bytes outside a frame (missing STX)")
	ErrTruncated  = errors.New("scanner: frame cut short by the next STX")
	ErrNoPrefix   = errors.New("scanner: frame lacks the configured prefix")
	ErrNoAIM      = errors.New("scanner: frame lacks the AIM symbology identifier")
)

type state uint8

const (
	idle state = iota
	inFrame
	skipping
)

// Framer cuts a scanner's byte stream into scans. Feed it what was read, then
// call Next until it returns ErrIncomplete. It keeps the partial frame
// between calls, so a terminator split across reads is found.
type Framer struct {
	stx, etx, aim bool
	prefix        []byte
	suffix        []byte
	term          []byte // what ends a frame: ETX, or the suffix
	trailer       []byte // a suffix that may follow the ETX
	max           int

	in  []byte
	pos int
	buf []byte
	st  state
	// trail counts the trailer bytes matched since the last ETX; -1 when
	// the trailer is no longer expected.
	trail int
}

// NewFramer builds a framer for a profile's framing.
func NewFramer(f profiles.Framing) (*Framer, error) {
	if f.Suffix == "" && !f.ETX {
		return nil, errors.New("scanner: framing needs a suffix or ETX to end each scan")
	}
	fr := &Framer{
		stx:    f.STX,
		etx:    f.ETX,
		aim:    f.AIM,
		prefix: []byte(f.Prefix),
		suffix: []byte(f.Suffix),
		max:    MaxScan,
		trail:  -1,
	}
	if f.ETX {
		fr.term = []byte{ETX}
		fr.trailer = fr.suffix
	} else {
		fr.term = fr.suffix
	}
	if bytes.IndexByte(fr.prefix, STX) >= 0 && f.STX {
		return nil, errors.New("scanner: prefix holds STX, which the framing already sends")
	}
	fr.buf = make([]byte, 0, 256)
	return fr, nil
}

// Feed adds bytes read from the scanner.
func (f *Framer) Feed(p []byte) {
	n := copy(f.in, f.in[f.pos:])
	f.in = append(f.in[:n], p...)
	f.pos = 0
}

// Reset drops everything fed so far, a partial frame included.
func (f *Framer) Reset() {
	f.in, f.pos, f.buf, f.st, f.trail = f.in[:0], 0, f.buf[:0], idle, -1
}

// Next returns the next scan in what was fed. It returns ErrIncomplete when
// no complete frame is left, or a bad-frame error (wrapping one of the Err
// values above) for a frame it skipped. Empty frames are passed over. The
// Scan has Data, AIMID and Symbology set.
func (f *Framer) Next() (devices.Scan, error) {
	for f.pos < len(f.in) {
		c := f.in[f.pos]
		f.pos++
		switch f.st {
		case idle:
			if f.trail >= 0 && f.trail < len(f.trailer) && c == f.trailer[f.trail] {
				f.trail++
				continue
			}
			f.trail = -1
			if f.stx {
				if c == STX {
					f.st, f.buf = inFrame, f.buf[:0]
					continue
				}
				f.st, f.buf = skipping, append(f.buf[:0], c)
				return devices.Scan{}, fmt.Errorf("%w: %q", ErrStray, c)
			}
			f.st, f.buf = inFrame, f.buf[:0]
			f.pos-- // the byte starts the frame
		case inFrame:
			if f.stx && c == STX {
				n := len(f.buf)
				f.buf = f.buf[:0]
				return devices.Scan{}, fmt.Errorf("%w after %d bytes", ErrTruncated, n)
			}
			f.buf = append(f.buf, c)
			if bytes.HasSuffix(f.buf, f.term) {
				f.st = idle
				if f.etx {
					f.trail = 0
				}
				s, ok, err := f.decode(f.buf[:len(f.buf)-len(f.term)])
				if err != nil {
					return devices.Scan{}, err
				}
				if ok {
					return s, nil
				}
				continue
			}
			if len(f.buf) > f.max+len(f.term) {
				f.st = skipping
				f.keepTail()
				return devices.Scan{}, fmt.Errorf("%w of %d bytes", ErrTooLong, f.max)
			}
		case skipping:
			if f.stx && c == STX {
				f.st, f.buf = inFrame, f.buf[:0]
				continue
			}
			f.buf = append(f.buf, c)
			if bytes.HasSuffix(f.buf, f.term) {
				f.st, f.buf = idle, f.buf[:0]
				if f.etx {
					f.trail = 0
				}
				continue
			}
			if len(f.buf) > 2*len(f.term)+64 {
				f.keepTail()
			}
		}
	}
	return devices.Scan{}, ErrIncomplete
}

// keepTail keeps only what could be the start of a split terminator.
func (f *Framer) keepTail() {
	k := len(f.term) - 1
	if k > len(f.buf) {
		k = len(f.buf)
	}
	f.buf = f.buf[:copy(f.buf, f.buf[len(f.buf)-k:])]
}

// decode checks one frame's content (framing bytes removed) and turns it into
// a scan; ok is false for an empty frame.
func (f *Framer) decode(b []byte) (devices.Scan, bool, error) {
	if len(b) == 0 {
		return devices.Scan{}, false, nil
	}
	if len(f.prefix) > 0 {
		if !bytes.HasPrefix(b, f.prefix) {
			return devices.Scan{}, false, fmt.Errorf("%w %q: %q", ErrNoPrefix, f.prefix, head(b))
		}
		b = b[len(f.prefix):]
	}
	if f.etx && len(f.suffix) > 0 {
		b = bytes.TrimSuffix(b, f.suffix)
	}
	if len(b) == 0 {
		return devices.Scan{}, false, nil
	}
	if !f.aim {
		return devices.Scan{Data: string(b)}, true, nil
	}
	if !gs1.ValidAIM(b) {
		return devices.Scan{}, false, fmt.Errorf("%w: %q", ErrNoAIM, head(b))
	}
	if len(b) == gs1.AIMLen {
		return devices.Scan{}, false, nil
	}
	// One allocation: the identifier and the data share it.
	s := string(b)
	return devices.Scan{AIMID: s[:gs1.AIMLen], Symbology: gs1.Symbology(s[:gs1.AIMLen]), Data: s[gs1.AIMLen:]}, true, nil
}

func head(b []byte) []byte {
	if len(b) > 16 {
		return b[:16]
	}
	return b
}
