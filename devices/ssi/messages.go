package ssi

import (
	"bytes"
	"errors"
	"fmt"
)

// Errors of the message helpers.
var (
	ErrNotDecodeData = errors.New("ssi: not a DECODE_DATA packet")
	ErrNoCodeType    = errors.New("ssi: DECODE_DATA without a bar code type")
	ErrMixedMessage  = errors.New("ssi: packet does not continue the open multi-packet message")
	ErrMessageSize   = errors.New("ssi: multi-packet message too long")
	ErrParam         = errors.New("ssi: bad parameter")
)

// DecodeData splits a DECODE_DATA packet into its bar code type and data.
func DecodeData(p Packet) (CodeType, []byte, error) {
	if p.Opcode != OpDecodeData {
		return 0, nil, fmt.Errorf("%w: opcode %02X", ErrNotDecodeData, p.Opcode)
	}
	if len(p.Data) == 0 {
		return 0, nil, ErrNoCodeType
	}
	return CodeType(p.Data[0]), p.Data[1:], nil
}

// DefaultMaxMessage caps a reassembled multi-packet message: far above what
// a 2D symbol holds (a QR Code carries at most 7089 characters), low enough
// that a stream of continuation packets cannot grow memory without end.
const DefaultMaxMessage = 64 << 10

// Reassembler joins the packets of a multi-packet DECODE_DATA message. Every
// packet carries the bar code type; all but the last have the continuation
// status bit set. The zero value is ready to use.
type Reassembler struct {
	// Max caps the message length; zero means DefaultMaxMessage.
	Max  int
	buf  []byte
	code CodeType
	open bool
}

// Pending reports whether a message has begun and not ended.
func (r *Reassembler) Pending() bool { return r.open }

// Reset drops a partly received message.
func (r *Reassembler) Reset() {
	r.buf = r.buf[:0]
	r.open = false
}

// Add takes the next DECODE_DATA packet. When p ends a message, done is true
// and data is the whole message; data is valid until the next call. A
// packet that cannot continue the open message drops it and returns an error.
func (r *Reassembler) Add(p Packet) (code CodeType, data []byte, done bool, err error) {
	code, part, err := DecodeData(p)
	if err != nil {
		r.Reset()
		return 0, nil, false, err
	}
	if r.open && code != r.code {
		r.Reset()
		return 0, nil, false, fmt.Errorf("%w: code type %02X after %02X", ErrMixedMessage, byte(code), byte(r.code))
	}
	if !r.open && !p.Continued() {
		// The common single-packet scan: no copy.
		return code, part, true, nil
	}
	max := r.Max
	if max <= 0 {
		max = DefaultMaxMessage
	}
	if len(r.buf)+len(part) > max {
		r.Reset()
		return 0, nil, false, fmt.Errorf("%w: over %d bytes", ErrMessageSize, max)
	}
	r.buf = append(r.buf, part...)
	r.code, r.open = code, true
	if p.Continued() {
		return code, nil, false, nil
	}
	r.open = false
	data = r.buf
	r.buf = r.buf[:0]
	return code, data, true, nil
}

// Param is one scanner parameter: its number (0-1023 here) and value.
type Param struct {
	Number int
	Value  byte
}

// AppendParam appends the wire form of one parameter: numbers below F0h as
// one byte, 256-1023 as an extended prefix (F0h, F1h, F2h for each block of
// 256) and the low byte; then the value. F0h-FFh are the prefixes themselves
// and cannot be sent as parameter numbers.
func AppendParam(dst []byte, p Param) ([]byte, error) {
	n := p.Number
	switch {
	case n < 0 || n > 0x3FF:
		return dst, fmt.Errorf("%w: number %d out of 0..1023", ErrParam, n)
	case n < 0xF0:
		return append(dst, byte(n), p.Value), nil
	case n <= 0xFF:
		return dst, fmt.Errorf("%w: number %d (%02Xh) is an extended prefix, not a parameter", ErrParam, n, n)
	default:
		return append(dst, 0xF0+byte(n>>8)-1, byte(n), p.Value), nil
	}
}

// AppendParamSend appends a PARAM_SEND packet from the host setting params.
// beep is the beep code to sound when the change is made (BeepNone for
// none); permanent asks the scanner to keep the change over a power cycle.
func AppendParamSend(dst []byte, beep byte, permanent bool, params ...Param) ([]byte, error) {
	var body [MaxData]byte
	data := append(body[:0], beep)
	for _, p := range params {
		var err error
		if data, err = AppendParam(data, p); err != nil {
			return dst, err
		}
		if len(data) > MaxData {
			return dst, fmt.Errorf("%w: %d parameters do not fit one packet", ErrTooLong, len(params))
		}
	}
	status := byte(0)
	if permanent {
		status |= StatusPermanent
	}
	return AppendPacket(dst, Packet{Opcode: OpParamSend, Source: SourceHost, Status: status, Data: data})
}

// ParseParams reads the parameter list of a PARAM_SEND packet (its data
// without the leading beep code) and calls fn for each parameter.
func ParseParams(b []byte, fn func(Param)) error {
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c < 0xF0:
			if i+1 >= len(b) {
				return fmt.Errorf("%w: parameter %02Xh without a value", ErrParam, c)
			}
			fn(Param{Number: int(c), Value: b[i+1]})
			i += 2
		case c <= 0xF2:
			if i+2 >= len(b) {
				return fmt.Errorf("%w: extended parameter %02Xh cut short", ErrParam, c)
			}
			fn(Param{Number: int(c-0xF0+1)<<8 | int(b[i+1]), Value: b[i+2]})
			i += 3
		default:
			return fmt.Errorf("%w: prefix %02Xh at byte %d is not supported", ErrParam, c, i)
		}
	}
	return nil
}

// NakCause is the cause byte of a CMD_NAK packet.
func NakCause(p Packet) byte {
	if p.Opcode != OpCmdNak || len(p.Data) == 0 {
		return 0
	}
	return p.Data[0]
}

// NakCauseName names a CMD_NAK cause.
func NakCauseName(c byte) string {
	switch c {
	case NakResend:
		return "RESEND (checksum failure)"
	case NakBadContext:
		return "BAD_CONTEXT (unexpected or unknown message)"
	case NakDenied:
		return "DENIED (host directive denied)"
	}
	return fmt.Sprintf("cause %d", c)
}

// Revision is what a REPLY_REVISION packet says. The guide gives the data as
// space-separated ASCII fields, the software revision first; later fields
// (board type, engine code, ...) vary by model and are kept as one string.
type Revision struct {
	Software string
	Rest     string
}

// ParseRevision reads the data of a REPLY_REVISION packet.
func ParseRevision(data []byte) Revision {
	data = bytes.Trim(data, " \x00\r\n")
	sw, rest, _ := bytes.Cut(data, []byte{' '})
	return Revision{Software: string(sw), Rest: string(bytes.TrimSpace(rest))}
}
