// Package mercury speaks the ThingMagic Mercury serial protocol: the host
// protocol of the M6e, M6e Micro and M6e Nano UHF modules (the "SerialReader"
// of ThingMagic's Mercury API).
//
// Sources for every layout here:
//   - ThingMagic Mercury API C SDK (1.x), c/src/api/serial_reader_l3.c:
//     tm_crc, TMR_SR_sendMessage and TMR_SR_receiveMessage (frame layouts),
//     TMR_SR_cmdVersion, TMR_SR_msgSetupReadTagMultiple and
//     TMR_SR_cmdReadTagMultiple (search command and its count reply),
//     TMR_SR_parseMetadataFromMessage (tag record layout), the antenna, power,
//     protocol and region setters; serial_reader_imp.h (search flags, model
//     ids); tmr_tag_data.h (metadata flags); tmr_status.h (status codes).
//   - SparkFun Simultaneous RFID Tag Reader library, "Example Communication
//     Logs" (M6e Nano transport logs captured with Universal Reader
//     Assistant, October 2016): the golden frames in testdata/.
//
// Frames. A command is SOH (0xFF), Length, Opcode, Data[Length], CRC; a reply
// is SOH, Length, Opcode, Status (2 bytes), Data[Length], CRC. Length counts
// the data bytes only. The CRC is big-endian and covers everything after SOH.
// It is ThingMagic's own CRC: polynomial 0x1021 and register 0xFFFF like
// CRC-16/CCITT, but the message bits are shifted into the register without
// the trailing zero augmentation, so the value differs from CCITT-FALSE (the
// version command FF 00 03 carries 1D 0C, where CCITT-FALSE gives 2D 6C).
package mercury

import (
	"encoding/binary"
	"errors"
	"fmt"
	"github.com/partsedge/partsedge/devices"
)

// SOH starts every frame.
const SOH = 0xFF

// MaxReplyData is the most data bytes a reply carries: the Mercury API's
// receiver takes a length byte above 0xF8 as noise, not as a header.
const MaxReplyData = 0xF8

// Opcodes the driver and its tests use (serial_reader_imp.h, confirmed by the
// SparkFun transport logs).
const (
	OpVersion          = 0x03
	OpBootFirmware     = 0x04
	OpGetCurrentProg   = 0x0C
	OpReadTagMultiple  = 0x22
	OpGetTagBuffer     = 0x29
	OpClearTagBuffer   = 0x2A
	OpGetAntennaPort   = 0x61
	OpGetReadTxPower   = 0x62
	OpGetTagProtocol   = 0x63
	OpGetRegion        = 0x67
	OpGetReaderConfig  = 0x6A
	OpSetAntennaPort   = 0x91
	OpSetReadTxPower   = 0x92
	OpSetTagProtocol   = 0x93
	OpSetRegion        = 0x97
	OpSetReaderConfig  = 0x9A
	OpSetProtocolParam = 0x9B
)

// ProtocolGen2 is the tag protocol id of EPC Gen2 (TMR_TAG_PROTOCOL_GEN2).
const ProtocolGen2 = 0x05

// Search flags of Read Tag ID Multiple (TMR_SR_SearchFlag).
const (
	SearchConfiguredList     = 0x0003 // read the antennas set by Set Antenna Port option 2
	SearchLargeTagPopulation = 0x0010 // the reply counts tags in 4 bytes, not 1
)

var crcTable = func() (t [256]uint16) {
	for h := range t {
		c := uint16(h) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[h] = c
	}
	return t
}()

// CRC returns ThingMagic's frame CRC of b (the bytes after SOH).
func CRC(b []byte) uint16 {
	c := uint16(0xFFFF)
	for _, x := range b {
		// The register takes the byte in at the bottom; what falls out of the
		// top decides the polynomial multiple to add.
		c = (c<<8 | uint16(x)) ^ crcTable[c>>8]
	}
	return c
}

// AppendCommand appends the command frame for op and data to dst.
func AppendCommand(dst []byte, op byte, data ...byte) []byte {
	if len(data) > 0xFF {
		panic("mercury: command data longer than 255 bytes")
	}
	start := len(dst)
	dst = append(dst, SOH, byte(len(data)), op)
	dst = append(dst, data...)
	return binary.BigEndian.AppendUint16(dst, CRC(dst[start+1:]))
}

// AppendReply appends a reply frame; the emulator has its own builder, this
// one serves golden tests and benchmarks.
func AppendReply(dst []byte, op byte, status uint16, data ...byte) []byte {
	start := len(dst)
	dst = append(dst, SOH, byte(len(data)), op, byte(status>>8), byte(status))
	dst = append(dst, data...)
	return binary.BigEndian.AppendUint16(dst, CRC(dst[start+1:]))
}

// Reply is one reply frame. Data aliases the splitter's buffer: it is valid
// until the next Feed.
type Reply struct {
	Op     byte
	Status uint16
	Data   []byte
}

// Err returns the reply's status as a *StatusError, or nil on success.
func (r Reply) Err() error {
	if r.Status == 0 {
		return nil
	}
	return &StatusError{Op: r.Op, Code: r.Status}
}

// FrameError says why bytes from the device were skipped.
type FrameError struct {
	Reason   string
	Skipped  int  // bytes dropped
	Checksum bool // the frame's CRC did not match
}

// Unwrap lets the device manager count CRC failures apart.
func (e *FrameError) Unwrap() error {
	if e.Checksum {
		return devices.ErrChecksum
	}
	return nil
}

func (e *FrameError) Error() string {
	return fmt.Sprintf("mercury: bad frame: %s (%d bytes skipped)", e.Reason, e.Skipped)
}

// ErrNeedMore is what Next returns when the buffered bytes hold no whole frame.
var ErrNeedMore = errors.New("mercury: need more bytes")

// Splitter cuts a byte stream from a reader into reply frames, checks their
// CRC and resynchronises on the next SOH after anything bad. The zero value
// is ready to use.
type Splitter struct {
	buf []byte
	r   int
}

// Feed adds bytes read from the device. It invalidates the Data of replies
// returned earlier.
func (s *Splitter) Feed(p []byte) {
	if s.r > 0 && s.r >= len(s.buf)/2 {
		n := copy(s.buf, s.buf[s.r:])
		s.buf = s.buf[:n]
		s.r = 0
	}
	s.buf = append(s.buf, p...)
}

// Buffered returns how many bytes wait for the rest of their frame.
func (s *Splitter) Buffered() int { return len(s.buf) - s.r }

// Flush drops a partial frame. A reader answers each command with one whole
// frame, so bytes left waiting after the line went quiet are a frame cut
// short: Flush reports them as such, or returns nil when nothing was left.
func (s *Splitter) Flush() error {
	n := s.Buffered()
	s.buf, s.r = s.buf[:0], 0
	if n == 0 {
		return nil
	}
	return &FrameError{Reason: "frame cut short", Skipped: n}
}

// Next returns the next whole reply. It returns ErrNeedMore when more bytes
// are needed and a *FrameError for bytes it skipped (noise before a header, a
// length no reply has, a CRC mismatch); call it again after an error to go
// on from the next SOH.
func (s *Splitter) Next() (Reply, error) {
	b := s.buf[s.r:]
	if len(b) == 0 {
		return Reply{}, ErrNeedMore
	}
	if b[0] != SOH {
		n := 1
		for n < len(b) && b[n] != SOH {
			n++
		}
		s.r += n
		return Reply{}, &FrameError{Reason: "noise before frame header", Skipped: n}
	}
	if len(b) < 2 {
		return Reply{}, ErrNeedMore
	}
	n := int(b[1])
	if n > MaxReplyData {
		s.r++
		return Reply{}, &FrameError{Reason: fmt.Sprintf("length %d is more than a reply holds", n), Skipped: 1}
	}
	total := n + 7
	if len(b) < total {
		return Reply{}, ErrNeedMore
	}
	got := binary.BigEndian.Uint16(b[n+5:])
	if want := CRC(b[1 : n+5]); got != want {
		// The SOH may have been a data byte of something spoiled: look for
		// the next one inside these bytes rather than skipping them all.
		s.r++
		return Reply{}, &FrameError{Reason: fmt.Sprintf("CRC %04X, computed %04X", got, want), Skipped: 1, Checksum: true}
	}
	s.r += total
	return Reply{Op: b[2], Status: binary.BigEndian.Uint16(b[3:]), Data: b[5 : 5+n : 5+n]}, nil
}

// ParseReply decodes exactly one reply frame.
func ParseReply(frame []byte) (Reply, error) {
	var s Splitter
	s.buf = frame
	r, err := s.Next()
	switch {
	case errors.Is(err, ErrNeedMore):
		return Reply{}, &FrameError{Reason: "frame cut short", Skipped: len(frame)}
	case err != nil:
		return Reply{}, err
	case s.Buffered() != 0:
		return Reply{}, &FrameError{Reason: "bytes after the frame", Skipped: s.Buffered()}
	}
	return r, nil
}
