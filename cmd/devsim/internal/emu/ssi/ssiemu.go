// Package ssiemu plays a Zebra scanner speaking the Simple Serial Interface
// (SSI) on the device side of a serial line.
//
// It is written from the public manuals, not from Partsedge's host codec
// (devices/ssi): the Simple Serial Interface Programmer's Guide (72E-40451-03
// and -04EN, chapter 2: packet layout, opcodes, CMD_NAK causes, PARAM_SEND,
// REPLY_REVISION, DECODE_DATA with its continuation bit) and the "SSI
// Interface" chapter of the Zebra product reference guides (DS4308, DS2278,
// DS8178, DS9908): after DECODE_DATA the scanner waits the Host Serial
// Response Time-out for CMD_ACK, resends with the retransmit bit, tries two
// more times and then gives the data up; on CMD_NAK it retries according to
// the cause.
//
// What the emulator does:
//   - PARAM_SEND: applies the parameters and ACKs, or NAKs DENIED (applying
//     none) when one is a parameter number it does not know.
//   - Decode data goes out only in packets, and only once the host has set
//     Decode Data Packet Format (# 238, EEh) to 1; until then trigger pulls
//     wait (raw ASCII output is not emulated). SCAN_DISABLE holds them too.
//   - REQUEST_REVISION: REPLY_REVISION with env.Version, or a default.
//   - BEEP, LED_ON/OFF, AIM_ON/OFF, SCAN_ENABLE/DISABLE, START/STOP_DECODE,
//     PARAM_DEFAULTS, SLEEP: ACK. A lone NUL (WAKEUP) is ignored.
//   - Each env.Scans item becomes DECODE_DATA, in several packets when it
//     does not fit one, each packet acknowledged by the host.
//
// Faults spoil data-carrying frames (decode data, revision and parameter
// replies): Garble flips one byte, BadCRC breaks the checksum.
package ssiemu

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
)

// Wire values (SSI Programmer's Guide, chapter 2).
const (
	opRequestRevision = 0xA3
	opReplyRevision   = 0xA4
	opAimOff          = 0xC4
	opAimOn           = 0xC5
	opParamSend       = 0xC6
	opParamRequest    = 0xC7
	opParamDefaults   = 0xC8
	opAck             = 0xD0
	opNak             = 0xD1
	opStartDecode     = 0xE4
	opStopDecode      = 0xE5
	opBeep            = 0xE6
	opLEDOn           = 0xE7
	opLEDOff          = 0xE8
	opScanEnable      = 0xE9
	opScanDisable     = 0xEA
	opSleep           = 0xEB
	opDecodeData      = 0xF3

	srcDecoder = 0x00
	srcHost    = 0x04

	stRetransmit   = 0x01
	stContinuation = 0x02

	nakResend     = 1
	nakBadContext = 2
	nakDenied     = 6

	beepNone = 0xFF
)

// Parameters the emulator acts on.
const (
	parSoftwareHandshaking = 0x9F // # 159
	parPacketFormat        = 0xEE // # 238
	parResponseTimeout     = 0x9B // # 155, in 100 ms units
)

// defaults are the parameters this scanner knows, with their factory values
// (numbers from the product reference guides' parameter chapters). Anything
// else in a PARAM_SEND is refused.
var defaults = map[int]byte{
	0x00:  1,  // Code 39
	0x01:  1,  // UPC-A
	0x02:  1,  // UPC-E
	0x03:  1,  // EAN-13
	0x04:  1,  // EAN-8
	0x06:  0,  // Interleaved 2 of 5
	0x07:  0,  // Codabar
	0x08:  1,  // Code 128
	0x09:  0,  // Code 93
	0x0E:  1,  // GS1-128
	0x0F:  1,  // PDF417
	0x2D:  0,  // Transmit Code ID Character: none
	0x88:  99, // Decode Session Time-out
	0x8A:  0,  // Trigger Mode
	0x8C:  0,  // Beeper Volume
	0x91:  1,  // Beeper Tone
	0x9B:  20, // Host Serial Response Time-out: 2.0 s
	0x9C:  6,  // Baud Rate: 9600
	0x9E:  4,  // Parity: none
	0x9F:  1,  // Software Handshaking: ACK/NAK
	0xEB:  0,  // Scan Data Transmission Format: data as is
	0xEE:  0,  // Decode Data Packet Format: raw
	0xEF:  2,  // Host Character Time-out: 200 ms
	0x124: 1,  // Data Matrix
	0x125: 1,  // QR Code
	0x152: 1,  // GS1 DataBar
	0x153: 0,  // GS1 DataBar Limited
	0x154: 1,  // GS1 DataBar Expanded
	0x23E: 1,  // Aztec
}

// defaultRevision is what REQUEST_REVISION gets without env.Version: the
// software revision, then board type and engine fields as the guide shows.
const defaultRevision = "PAAFNS00-001-R01 B 0"

// chunk is how much decode data one packet carries; longer scans go out as
// several packets (the length byte caps a packet at 255 bytes).
const chunk = 240

// charTimeout is the Host Character Time-out's default (200 ms): a partial
// packet from the host that stops this long is dropped.
const charTimeout = 200 * time.Millisecond

const maxTries = 3 // the first send and two retries

// Emulator is a Zebra SSI scanner. The zero value is ready to use.
type Emulator struct{}

type rxChunk struct {
	b   []byte
	err error
}

// message is decode data (or a reply) being sent: its packets, the one on
// the wire, and how often it has been tried.
type message struct {
	kind    string // scan, reply
	note    string
	scan    *sim.Scan
	parts   [][]byte // packets without the retransmit bit
	i       int
	tries   int
	needAck bool
}

type scanner struct {
	rw     io.ReadWriter
	env    *sim.Env
	params map[int]byte
	enable bool
	cur    *message // decode data waiting for the host's ACK
	reply  *message // the last reply, kept for a NAK RESEND
	rx     []byte
	ackT   *time.Timer
	charT  *time.Timer
}

// Serve plays the scanner until ctx ends (nil) or rw fails (its error). The
// goroutine reading rw ends when rw does: close rw after Serve returns.
func (Emulator) Serve(ctx context.Context, rw io.ReadWriter, env *sim.Env) error {
	s := newScanner(rw, env)
	defer s.ackT.Stop()
	defer s.charT.Stop()

	// Reading runs on its own so a host write never waits on a scanner
	// write (a pipe has no buffer of its own).
	in := make(chan rxChunk, 64)
	go func() {
		for {
			buf := make([]byte, 512)
			n, err := rw.Read(buf)
			select {
			case in <- rxChunk{buf[:n], err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()

	scans := env.Scans
	for {
		var next <-chan sim.Scan
		if s.cur == nil && s.enable && s.params[parPacketFormat] == 1 {
			next = scans
		}
		var err error
		select {
		case <-ctx.Done():
			return nil
		case c := <-in:
			if len(c.b) > 0 {
				err = s.receive(c.b)
			}
			if err == nil && c.err != nil {
				err = c.err
			}
		case <-s.charT.C:
			if len(s.rx) == 0 {
				continue
			}
			s.logf("ssi: partial packet from host dropped after %v: % X", charTimeout, s.rx)
			s.rx = s.rx[:0]
			err = s.nak(nakResend)
		case <-s.ackT.C:
			if s.cur != nil {
				err = s.resend("no ACK")
			}
		case sc, ok := <-next:
			if !ok {
				scans = nil
				continue
			}
			err = s.startScan(sc)
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

func newScanner(rw io.ReadWriter, env *sim.Env) *scanner {
	s := &scanner{rw: rw, env: env, params: make(map[int]byte, len(defaults)), enable: true}
	for k, v := range defaults {
		s.params[k] = v
	}
	s.ackT = stoppedTimer()
	s.charT = stoppedTimer()
	return s
}

func stoppedTimer() *time.Timer {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}

func (s *scanner) logf(format string, args ...any) {
	if s.env.Logf != nil {
		s.env.Logf(format, args...)
	}
}

func (s *scanner) record(r sim.Record) {
	if s.env.Record != nil {
		s.env.Record(r)
	}
}

// sum16 is the SSI checksum: the two's complement of the 16-bit byte sum.
func sum16(b []byte) uint16 {
	var t uint32
	for _, c := range b {
		t += uint32(c)
	}
	return uint16(0x10000 - t&0xFFFF)
}

// packet builds a packet from the decoder.
func packet(op, status byte, data []byte) []byte {
	p := make([]byte, 0, 6+len(data))
	p = append(p, byte(4+len(data)), op, srcDecoder, status)
	p = append(p, data...)
	c := sum16(p)
	return append(p, byte(c>>8), byte(c&0xFF))
}

func (s *scanner) handshaking() bool { return s.params[parSoftwareHandshaking] != 0 }

func (s *scanner) write(p []byte) error {
	_, err := s.rw.Write(p)
	return err
}

func (s *scanner) ack() error {
	if !s.handshaking() {
		return nil
	}
	return s.write(packet(opAck, 0, nil))
}

func (s *scanner) nak(cause byte) error {
	if !s.handshaking() {
		return nil
	}
	return s.write(packet(opNak, 0, []byte{cause}))
}

// receive cuts the host's bytes into packets. A bad packet drops everything
// buffered: the host waits for an answer after each packet, so nothing good
// follows it, and one NAK asks for it again.
func (s *scanner) receive(b []byte) error {
	s.rx = append(s.rx, b...)
	for len(s.rx) > 0 {
		if s.rx[0] == 0x00 {
			s.rx = s.rx[1:] // WAKEUP
			continue
		}
		n := int(s.rx[0])
		if n < 4 {
			s.logf("ssi: host sent length %d", n)
			s.rx = s.rx[:0]
			return s.nak(nakResend)
		}
		if len(s.rx) < n+2 {
			s.charT.Reset(charTimeout)
			return nil
		}
		pk := s.rx[:n+2]
		if got := uint16(pk[n])<<8 | uint16(pk[n+1]); got != sum16(pk[:n]) {
			s.logf("ssi: host packet with bad checksum: % X", pk)
			s.rx = s.rx[:0]
			s.charT.Stop()
			return s.nak(nakResend)
		}
		op, src, status := pk[1], pk[2], pk[3]
		data := append([]byte(nil), pk[4:n]...)
		s.rx = s.rx[n+2:]
		if err := s.handle(op, src, status, data); err != nil {
			return err
		}
	}
	s.charT.Stop()
	s.rx = s.rx[:0]
	return nil
}

func (s *scanner) handle(op, src, status byte, data []byte) error {
	if op == opAck || op == opNak {
		return s.answer(op, data)
	}
	s.reply = nil
	if src != srcHost {
		return s.nak(nakBadContext)
	}
	switch op {
	case opParamSend:
		return s.paramSend(data)
	case opParamRequest:
		return s.paramRequest(data)
	case opRequestRevision:
		rev := s.env.Version
		if rev == "" {
			rev = defaultRevision
		}
		return s.sendReply(&message{kind: "reply", note: "REPLY_REVISION " + rev,
			parts: [][]byte{packet(opReplyRevision, 0, []byte(rev))}})
	case opBeep:
		if len(data) != 1 || data[0] > 0x1A {
			return s.nak(nakDenied)
		}
		s.logf("ssi: beep %d", data[0])
		return s.ack()
	case opScanEnable:
		s.enable = true
		return s.ack()
	case opScanDisable:
		s.enable = false
		return s.ack()
	case opParamDefaults:
		for k, v := range defaults {
			s.params[k] = v
		}
		return s.ack()
	case opLEDOn, opLEDOff, opAimOn, opAimOff, opStartDecode, opStopDecode, opSleep:
		return s.ack()
	}
	return s.nak(nakBadContext)
}

// parseParams reads PARAM_SEND parameter bytes: a number below F0h, or an
// F0h/F1h/F2h prefix and the low byte for 256-1023; then one value byte.
func parseParams(b []byte, withValues bool) ([][2]int, error) {
	var out [][2]int
	for i := 0; i < len(b); {
		num := int(b[i])
		switch {
		case num < 0xF0:
			i++
		case num <= 0xF2 && i+1 < len(b):
			num = (num-0xF0+1)<<8 | int(b[i+1])
			i += 2
		default:
			return nil, fmt.Errorf("parameter byte %02X at %d", b[i], i)
		}
		val := 0
		if withValues {
			if i >= len(b) {
				return nil, fmt.Errorf("parameter %d without a value", num)
			}
			val = int(b[i])
			i++
		}
		out = append(out, [2]int{num, val})
	}
	return out, nil
}

func (s *scanner) paramSend(data []byte) error {
	if len(data) < 1 {
		return s.nak(nakBadContext)
	}
	ps, err := parseParams(data[1:], true)
	if err != nil {
		s.logf("ssi: PARAM_SEND: %v", err)
		return s.nak(nakDenied)
	}
	for _, p := range ps {
		if _, ok := s.params[p[0]]; !ok {
			s.logf("ssi: PARAM_SEND: unknown parameter %d", p[0])
			return s.nak(nakDenied)
		}
	}
	for _, p := range ps {
		s.params[p[0]] = byte(p[1])
	}
	if data[0] != beepNone {
		s.logf("ssi: beep %d after PARAM_SEND", data[0])
	}
	return s.ack()
}

func appendNumber(b []byte, n int) []byte {
	if n < 0xF0 {
		return append(b, byte(n))
	}
	return append(b, byte(0xF0+n>>8-1), byte(n&0xFF))
}

// paramRequest answers with PARAM_SEND carrying the known parameters asked
// for (FEh asks for all).
func (s *scanner) paramRequest(data []byte) error {
	reply := []byte{beepNone}
	if len(data) == 1 && data[0] == 0xFE {
		for n := 0; n <= 0x3FF; n++ {
			if v, ok := s.params[n]; ok && len(reply) < 240 {
				reply = append(appendNumber(reply, n), v)
			}
		}
	} else {
		ps, err := parseParams(data, false)
		if err != nil {
			return s.nak(nakDenied)
		}
		for _, p := range ps {
			if v, ok := s.params[p[0]]; ok && len(reply) < 240 {
				reply = append(appendNumber(reply, p[0]), v)
			}
		}
	}
	return s.sendReply(&message{kind: "reply", note: "PARAM_SEND reply",
		parts: [][]byte{packet(opParamSend, 0, reply)}})
}

// codeType picks the SSI bar code type for an AIM identifier (and, where
// the identifier covers several symbologies, the data).
func codeType(aim, data string) (byte, bool) {
	switch aim {
	case "]C0":
		return 0x03, true // Code 128
	case "]C1":
		return 0x0F, true // GS1-128
	case "]d1":
		return 0x1B, true // Data Matrix
	case "]d2":
		return 0xC1, true // GS1 Data Matrix
	case "]Q1":
		return 0x1C, true // QR Code
	case "]Q3":
		return 0xC2, true // GS1 QR
	case "]e0":
		if len(data) == 16 && data[:2] == "01" && digits(data) {
			return 0x30, true // GS1 DataBar (omnidirectional): (01) + GTIN only
		}
		return 0x32, true // GS1 DataBar Expanded
	case "]E0":
		switch {
		case len(data) == 13 && digits(data):
			return 0x0B, true // EAN-13
		case len(data) == 12 && digits(data):
			return 0x08, true // UPC-A
		case len(data) == 8 && digits(data):
			return 0x09, true // UPC-E
		}
	case "]E4":
		return 0x0A, true // EAN-8
	case "]E3":
		if len(data) == 15 || len(data) == 18 {
			return 0x4B + byte(len(data)-15)/3*0x40, true // EAN-13 + 2 or + 5
		}
	case "]F0":
		return 0x02, true // Codabar
	case "]G0":
		return 0x07, true // Code 93
	case "]z0":
		return 0x2D, true // Aztec
	}
	return 0x00, false
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// startScan turns a trigger pull into DECODE_DATA packets. An AIM
// identifier no code type stands for goes in front of the data under code
// type 00h (as with Transmit Code ID Character set to AIM), so the host
// still learns it.
func (s *scanner) startScan(sc sim.Scan) error {
	ct, ok := codeType(sc.AIMID, sc.Data)
	data := sc.Data
	if !ok && sc.AIMID != "" {
		data = sc.AIMID + data
	}
	var parts [][]byte
	for first := true; first || len(data) > 0; first = false {
		n := min(len(data), chunk)
		body := append([]byte{ct}, data[:n]...)
		data = data[n:]
		st := byte(0)
		if len(data) > 0 {
			st = stContinuation
		}
		parts = append(parts, packet(opDecodeData, st, body))
	}
	sc2 := sc
	return s.startMessage(&message{kind: "scan", scan: &sc2, parts: parts, needAck: true})
}

func (s *scanner) startMessage(m *message) error {
	s.reply = nil
	m.needAck = m.needAck && s.handshaking()
	if !m.needAck {
		// Without handshaking nothing is waited for: out it all goes.
		for ; m.i < len(m.parts); m.i++ {
			if err := s.sendPart(m, false); err != nil {
				return err
			}
		}
		return nil
	}
	s.cur = m
	return s.sendPart(m, false)
}

// sendReply sends a reply; no ACK is waited for, but a NAK RESEND gets it
// again.
func (s *scanner) sendReply(m *message) error {
	s.reply = m
	return s.sendPart(m, false)
}

// sendPart writes the current packet of m, spoiled as the faults say, and
// records it.
func (s *scanner) sendPart(m *message, again bool) error {
	p := append([]byte(nil), m.parts[m.i]...)
	if again {
		p[3] |= stRetransmit
		c := sum16(p[:len(p)-2])
		p[len(p)-2], p[len(p)-1] = byte(c>>8), byte(c&0xFF)
		m.tries++
	} else {
		m.tries = 1
	}
	rec := sim.Record{Kind: m.kind, Good: true, Note: m.note}
	if len(m.parts) > 1 {
		rec.Note = fmt.Sprintf("packet %d of %d", m.i+1, len(m.parts))
	}
	if again {
		rec.Note += " (retransmit)"
	}
	if m.i == len(m.parts)-1 {
		rec.Scan = m.scan
	}
	if f := s.env.Faults; s.env.Rand != nil && f.Garble+f.BadCRC > 0 {
		switch r := s.env.Rand.Float64(); {
		case r < f.Garble:
			p[s.env.Rand.IntN(len(p))] ^= byte(1 + s.env.Rand.IntN(255))
			rec.Good, rec.Note = false, rec.Note+" garbled"
		case r < f.Garble+f.BadCRC:
			p[len(p)-1] ^= byte(1 + s.env.Rand.IntN(255))
			rec.Good, rec.Note = false, rec.Note+" bad checksum"
		}
	}
	s.record(rec)
	if err := s.write(p); err != nil {
		return err
	}
	if m.needAck {
		s.ackT.Reset(s.responseTimeout())
	}
	return nil
}

func (s *scanner) responseTimeout() time.Duration {
	return time.Duration(max(s.params[parResponseTimeout], 1)) * 100 * time.Millisecond
}

// answer takes the host's CMD_ACK or CMD_NAK to the current message.
func (s *scanner) answer(op byte, data []byte) error {
	if op == opAck {
		m := s.cur
		if m == nil {
			return nil
		}
		s.ackT.Stop()
		m.i++
		if m.i == len(m.parts) {
			s.cur = nil
			return nil
		}
		return s.sendPart(m, false)
	}
	cause := byte(0)
	if len(data) > 0 {
		cause = data[0]
	}
	if cause != nakResend {
		if s.cur != nil {
			s.ackT.Stop()
			s.logf("ssi: host refused %s (NAK cause %d); dropped", s.cur.kind, cause)
			s.cur = nil
		}
		return nil
	}
	return s.resend("NAK RESEND")
}

// resend sends the packet the host is waiting on again with the retransmit
// bit, or gives the message up after the third try.
func (s *scanner) resend(why string) error {
	m := s.cur
	if m == nil {
		m = s.reply
	}
	if m == nil {
		return nil
	}
	s.ackT.Stop()
	if m.tries >= maxTries {
		s.logf("ssi: %s given up after %d tries (%s)", m.kind, m.tries, why)
		if m == s.cur {
			s.cur = nil
		} else {
			s.reply = nil
		}
		return nil
	}
	return s.sendPart(m, true)
}
