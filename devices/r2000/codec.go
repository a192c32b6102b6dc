package r2000

import (
	"bytes"
	"errors"
	"fmt"
	"github.com/partsedge/partsedge/devices"
)

// Head starts every packet, in both directions (§1).
const Head = 0xA0

// PublicAddress is the address every reader answers to, whatever its own
// (§2.1.4: a reader's own address is 0 to 254).
const PublicAddress = 0xFF

// Command codes (§2, "Comprehensive Command Table").
const (
	CmdReset                  = 0x70
	CmdGetFirmwareVersion     = 0x72
	CmdSetWorkAntenna         = 0x74
	CmdGetWorkAntenna         = 0x75
	CmdSetOutputPower         = 0x76
	CmdGetOutputPower         = 0x77
	CmdSetFrequencyRegion     = 0x78
	CmdGetFrequencyRegion     = 0x79
	CmdInventory              = 0x80
	CmdRealTimeInventory      = 0x89
	CmdFastSwitchAntInventory = 0x8A
	CmdGetInventoryBuffer     = 0x90
	CmdGetAndResetBuffer      = 0x91
	CmdResetInventoryBuffer   = 0x93
)

// minLen is the smallest Len a packet can carry: Address, Cmd and Check.
const minLen = 3

// Checksum returns the Check byte for the bytes before it (§1): the two's
// complement of their 8-bit sum, so that the whole packet sums to zero.
func Checksum(b []byte) byte {
	var sum byte
	for _, c := range b {
		sum += c
	}
	return -sum
}

// AppendPacket appends one packet to dst and returns the extended slice.
// It panics if data is longer than a packet can carry (252 bytes): every
// command this package builds is far shorter.
func AppendPacket(dst []byte, addr, cmd byte, data ...byte) []byte {
	if len(data) > 255-minLen {
		panic(fmt.Sprintf("r2000: %d data bytes do not fit one packet", len(data)))
	}
	start := len(dst)
	dst = append(dst, Head, byte(len(data)+minLen), addr, cmd)
	dst = append(dst, data...)
	return append(dst, Checksum(dst[start:]))
}

// Packet is one well-formed packet. Data aliases the Splitter's buffer and
// is valid until the next call to the Splitter.
type Packet struct {
	Addr byte
	Cmd  byte
	Data []byte
}

// ErrIncomplete is what Splitter.Next returns when it needs more bytes.
var ErrIncomplete = errors.New("r2000: packet incomplete")

// FrameError says why bytes were skipped. Nothing in them may be used.
type FrameError struct {
	Reason   string
	Skipped  int  // bytes dropped so far for this fault
	Checksum bool // the packet's check byte did not match
}

// Unwrap lets the device manager count checksum failures apart.
func (e *FrameError) Unwrap() error {
	if e.Checksum {
		return devices.ErrChecksum
	}
	return nil
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("r2000: bad frame: %s", e.Reason)
}

// Splitter cuts a byte stream from a reader into packets. After a bad
// packet it drops only the head byte and looks for the next 0xA0, so a
// garbled packet never takes the good one behind it down with it. One
// FrameError is returned per run of bad bytes between good packets.
type Splitter struct {
	buf    []byte
	r      int  // next unread byte
	resync bool // the bytes being skipped belong to a fault already returned
}

// Feed adds bytes read from the link. Packets returned earlier become
// invalid.
func (s *Splitter) Feed(p []byte) {
	if s.r > 0 {
		n := copy(s.buf, s.buf[s.r:])
		s.buf = s.buf[:n]
		s.r = 0
	}
	s.buf = append(s.buf, p...)
}

// Buffered returns how many bytes wait to be split.
func (s *Splitter) Buffered() int { return len(s.buf) - s.r }

// Reset drops every buffered byte.
func (s *Splitter) Reset() {
	s.buf, s.r, s.resync = s.buf[:0], 0, false
}

// Next returns the next good packet, a *FrameError for skipped bytes, or
// ErrIncomplete when the buffer holds no whole packet.
func (s *Splitter) Next() (Packet, error) {
	for {
		rest := s.buf[s.r:]
		i := bytes.IndexByte(rest, Head)
		if i < 0 {
			s.r = len(s.buf)
			if len(rest) > 0 {
				return s.fault("no packet head", len(rest))
			}
			return Packet{}, ErrIncomplete
		}
		if i > 0 {
			s.r += i
			if err := s.faultErr("bytes before the packet head", i); err != nil {
				return Packet{}, err
			}
			rest = rest[i:]
		}
		if len(rest) < 2 {
			return Packet{}, ErrIncomplete
		}
		n := int(rest[1])
		if n < minLen {
			s.r++
			if err := s.faultErr(fmt.Sprintf("length %d is shorter than address, command and check", n), 1); err != nil {
				return Packet{}, err
			}
			continue
		}
		if len(rest) < n+2 {
			return Packet{}, ErrIncomplete
		}
		frame := rest[:n+2]
		if Checksum(frame[:n+1]) != frame[n+1] {
			s.r++
			if err := s.faultErr(fmt.Sprintf("check 0x%02X, want 0x%02X", frame[n+1], Checksum(frame[:n+1])), 1); err != nil {
				err.(*FrameError).Checksum = true
				return Packet{}, err
			}
			continue
		}
		s.r += n + 2
		s.resync = false
		return Packet{Addr: frame[2], Cmd: frame[3], Data: frame[4 : n+1]}, nil
	}
}

// faultErr returns the fault to report, or nil when the bytes belong to a
// fault already reported.
func (s *Splitter) faultErr(reason string, skipped int) error {
	if s.resync {
		return nil
	}
	s.resync = true
	return &FrameError{Reason: reason, Skipped: skipped}
}

func (s *Splitter) fault(reason string, skipped int) (Packet, error) {
	if err := s.faultErr(reason, skipped); err != nil {
		return Packet{}, err
	}
	return Packet{}, ErrIncomplete
}
