package ssi

import (
	"errors"
	"fmt"
)

// Opcodes, from the SSI Programmer's Guide opcode table (the product
// reference guides repeat it as "SSI Commands").
const (
	OpSSIMgmtCommand    byte = 0x80
	OpRequestRevision   byte = 0xA3
	OpReplyRevision     byte = 0xA4
	OpAimOff            byte = 0xC4
	OpAimOn             byte = 0xC5
	OpParamSend         byte = 0xC6
	OpParamRequest      byte = 0xC7
	OpParamDefaults     byte = 0xC8
	OpCmdAck            byte = 0xD0
	OpCmdNak            byte = 0xD1
	OpCapabilitiesReq   byte = 0xD3
	OpCapabilitiesReply byte = 0xD4
	OpStartDecode       byte = 0xE4
	OpStopDecode        byte = 0xE5
	OpBeep              byte = 0xE6
	OpLEDOn             byte = 0xE7
	OpLEDOff            byte = 0xE8
	OpScanEnable        byte = 0xE9
	OpScanDisable       byte = 0xEA
	OpSleep             byte = 0xEB
	OpDecodeData        byte = 0xF3
	OpEvent             byte = 0xF6
)

// Message sources (the third byte of every packet).
const (
	SourceDecoder byte = 0
	SourceHost    byte = 4
)

// Status bits (the fourth byte of every packet).
const (
	// StatusRetransmit is set on every resend of a packet.
	StatusRetransmit byte = 1 << 0
	// StatusContinuation marks a packet of a multi-packet message that is
	// not the last one.
	StatusContinuation byte = 1 << 1
	// StatusPermanent, in PARAM_SEND, makes the change survive a power
	// cycle; clear, the change is temporary.
	StatusPermanent byte = 1 << 3
)

// CMD_NAK causes.
const (
	NakResend     byte = 1 // checksum failure: send the packet again
	NakBadContext byte = 2 // unexpected or unknown message
	NakDenied     byte = 6 // host directive denied (an unknown parameter, ...)
)

// WakeUp is the WAKEUP "command": a single NUL byte that wakes a decoder
// from low power mode. It is not a packet and gets no answer.
const WakeUp byte = 0x00

// BeepNone is the PARAM_SEND beep code that asks for no beep.
const BeepNone byte = 0xFF

// MaxBeep is the highest beep code the BEEP table defines (0x19, low-high-low).
const MaxBeep byte = 0x19

const (
	headerLen = 4 // length, opcode, source, status
	// MaxData is the most data one packet can carry: the length byte counts
	// itself, opcode, source, status and the data, and is at most 0xFF.
	MaxData = 0xFF - headerLen
	// MaxPacket is the largest packet on the wire, checksum included.
	MaxPacket = 0xFF + 2
)

// Packet is one SSI message. Data aliases the parsed buffer: copy it to keep
// it past the next read.
type Packet struct {
	Opcode byte
	Source byte
	Status byte
	Data   []byte
}

// Retransmitted reports whether the retransmit status bit is set.
func (p Packet) Retransmitted() bool { return p.Status&StatusRetransmit != 0 }

// Continued reports whether more packets of the same message follow.
func (p Packet) Continued() bool { return p.Status&StatusContinuation != 0 }

func (p Packet) String() string {
	return fmt.Sprintf("ssi{op %02X src %d status %02X data % X}", p.Opcode, p.Source, p.Status, p.Data)
}

// Errors Parse returns. ErrShort means more bytes are needed; the others
// mean the bytes at the start of the buffer are not a packet.
var (
	ErrShort    = errors.New("ssi: incomplete packet")
	ErrLength   = errors.New("ssi: length byte out of range")
	ErrChecksum = errors.New("ssi: checksum mismatch")
	ErrTooLong  = errors.New("ssi: data too long for one packet")
)

// Checksum is the SSI checksum of b: the two's complement of the 16-bit sum
// of its bytes, sent high byte first after the packet.
func Checksum(b []byte) uint16 {
	var sum uint16
	for _, c := range b {
		sum += uint16(c)
	}
	return -sum
}

// AppendPacket appends p, with length and checksum, to dst.
func AppendPacket(dst []byte, p Packet) ([]byte, error) {
	if len(p.Data) > MaxData {
		return dst, fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(p.Data), MaxData)
	}
	start := len(dst)
	dst = append(dst, byte(headerLen+len(p.Data)), p.Opcode, p.Source, p.Status)
	dst = append(dst, p.Data...)
	sum := Checksum(dst[start:])
	return append(dst, byte(sum>>8), byte(sum)), nil
}

// Parse reads the packet at the start of b and returns it with the number
// of bytes it took. With too few bytes it returns ErrShort and n 0; when the
// start of b is not a packet it returns ErrLength or ErrChecksum and the
// length the bad packet claimed (at least 1), so a caller can skip it.
func Parse(b []byte) (p Packet, n int, err error) {
	if len(b) == 0 {
		return Packet{}, 0, ErrShort
	}
	l := int(b[0])
	if l < headerLen {
		return Packet{}, 1, fmt.Errorf("%w: %d, a packet has at least %d", ErrLength, l, headerLen)
	}
	if len(b) < l+2 {
		return Packet{}, 0, ErrShort
	}
	want := Checksum(b[:l])
	got := uint16(b[l])<<8 | uint16(b[l+1])
	if got != want {
		return Packet{}, l + 2, fmt.Errorf("%w: got %04X, want %04X (opcode %02X, %d bytes)", ErrChecksum, got, want, b[1], l+2)
	}
	return Packet{Opcode: b[1], Source: b[2], Status: b[3], Data: b[headerLen:l:l]}, l + 2, nil
}
