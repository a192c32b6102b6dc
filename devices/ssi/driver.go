package ssi

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// Parameters the driver sets itself at connect time (numbers from the
// product reference guides' SSI chapter).
const (
	// ParamSoftwareHandshaking (# 159, SSI # 9Fh): 1 enables ACK/NAK.
	ParamSoftwareHandshaking = 0x9F
	// ParamDecodeDataPacketFormat (# 238, SSI # EEh): 1 sends decode data
	// in DECODE_DATA packets, 0 as raw ASCII.
	ParamDecodeDataPacketFormat = 0xEE
)

// Default signal beeps when a profile says the scanner beeps but names no
// signals: one short high for good, two long low for bad.
const (
	defaultGoodBeep byte = 0x00
	defaultBadBeep  byte = 0x10
)

// attempts is how often a packet is sent before giving up: the first time
// and two retries, as the guide has the decoder do and asks of the host.
const attempts = 3

// timing holds the protocol's time-outs. They are fields, not constants, so
// tests can shorten them; New uses the guide's defaults.
type timing struct {
	resp  time.Duration // Serial Response Time-out: wait for ACK/NAK or reply
	char  time.Duration // Host Character Time-out: silence ending a partial packet
	quiet time.Duration // silence that ends draining after a bad packet
	drain time.Duration // bound on draining
	poll  time.Duration // Run's read wait, bounding its reaction to ctx
	stale time.Duration // a multi-packet message not continued in this long is dropped
}

func defaultTiming() timing {
	return timing{
		resp:  2 * time.Second, // the guide's default, 2.0 s
		char:  200 * time.Millisecond,
		quiet: 30 * time.Millisecond,
		drain: 150 * time.Millisecond,
		poll:  50 * time.Millisecond,
		stale: attempts*2*time.Second + time.Second,
	}
}

// maxEarly caps the scans kept when they arrive during Configure.
const maxEarly = 64

type setupStep struct {
	name string
	pkt  []byte
}

type driver struct {
	t     timing
	setup []setupStep
	good  [][]byte
	bad   [][]byte
	sigs  chan bool

	// Per connection (the manager makes a new driver for each).
	rd       *reader
	asm      Reassembler
	early    earlyReporter
	last     [MaxPacket]byte // the last DECODE_DATA accepted, status cleared
	lastLen  int
	badSince int // bad frames since a DECODE_DATA was accepted
	lastPart time.Time
	ack      []byte
	nak      [3][]byte // NAK packets by cause index
	scratch  [MaxPacket]byte
}

// NakError is a CMD_NAK the scanner answered a command with.
type NakError struct {
	Command string
	Cause   byte
}

func (e *NakError) Error() string {
	return fmt.Sprintf("ssi: scanner refused %s: %s", e.Command, NakCauseName(e.Cause))
}

// New returns a driver for a profile with codec zebra-ssi. Init commands may
// be param (sent as PARAM_SEND, temporary change, no beep) or beep (BEEP);
// signals likewise. The driver itself turns on ACK/NAK handshaking and
// packeted decode data, so the profile may not turn them off.
func New(p profiles.Profile) (devices.Driver, error) {
	if p.Codec != "zebra-ssi" {
		return nil, fmt.Errorf("ssi: profile %q uses codec %q, not zebra-ssi", p.ID, p.Codec)
	}
	if ps := p.Validate(""); len(ps) > 0 {
		return nil, fmt.Errorf("ssi: profile %q: %w", p.ID, ps)
	}
	d := &driver{t: defaultTiming(), sigs: make(chan bool, 8)}

	base, err := AppendParamSend(nil, BeepNone, false,
		Param{Number: ParamSoftwareHandshaking, Value: 1},
		Param{Number: ParamDecodeDataPacketFormat, Value: 1})
	if err != nil {
		return nil, err
	}
	d.setup = append(d.setup, setupStep{"ACK/NAK handshaking and packeted decode data", base})
	for i, c := range p.Init {
		pkt, err := commandPacket(c)
		if err != nil {
			return nil, fmt.Errorf("ssi: profile %q init[%d] %q: %w", p.ID, i, c.Name, err)
		}
		if c.Param != nil {
			switch {
			case c.Param.Number == ParamSoftwareHandshaking && c.Param.Value != 1,
				c.Param.Number == ParamDecodeDataPacketFormat && c.Param.Value != 1:
				return nil, fmt.Errorf("ssi: profile %q init[%d] %q: parameter %d must stay 1: the driver needs ACK/NAK handshaking and packeted decode data", p.ID, i, c.Name, c.Param.Number)
			}
		}
		d.setup = append(d.setup, setupStep{c.Name, pkt})
	}
	if d.good, err = signalPackets(p.ID, "good", p.Signals.Good); err != nil {
		return nil, err
	}
	if d.bad, err = signalPackets(p.ID, "bad", p.Signals.Bad); err != nil {
		return nil, err
	}
	if p.Capabilities.Beep {
		if len(d.good) == 0 {
			d.good = [][]byte{beepPacket(defaultGoodBeep)}
		}
		if len(d.bad) == 0 {
			d.bad = [][]byte{beepPacket(defaultBadBeep)}
		}
	}
	d.ack, _ = AppendPacket(nil, Packet{Opcode: OpCmdAck, Source: SourceHost})
	for i, c := range []byte{NakResend, NakBadContext, NakDenied} {
		d.nak[i], _ = AppendPacket(nil, Packet{Opcode: OpCmdNak, Source: SourceHost, Data: []byte{c}})
	}
	return d, nil
}

func signalPackets(id, which string, cmds []profiles.Command) ([][]byte, error) {
	var out [][]byte
	for i, c := range cmds {
		pkt, err := commandPacket(c)
		if err != nil {
			return nil, fmt.Errorf("ssi: profile %q signals.%s[%d] %q: %w", id, which, i, c.Name, err)
		}
		out = append(out, pkt)
	}
	return out, nil
}

func commandPacket(c profiles.Command) ([]byte, error) {
	switch {
	case c.Param != nil:
		if c.Param.Value < 0 || c.Param.Value > 0xFF {
			return nil, fmt.Errorf("%w: value %d out of 0..255", ErrParam, c.Param.Value)
		}
		return AppendParamSend(nil, BeepNone, false, Param{Number: c.Param.Number, Value: byte(c.Param.Value)})
	case c.Beep != nil:
		if *c.Beep < 0 || *c.Beep > 0xFF {
			return nil, fmt.Errorf("beep code %d out of range", *c.Beep)
		}
		return beepPacket(byte(*c.Beep)), nil
	}
	return nil, errors.New("zebra-ssi takes param and beep commands only")
}

func beepPacket(code byte) []byte {
	pkt, _ := AppendPacket(nil, Packet{Opcode: OpBeep, Source: SourceHost, Data: []byte{code}})
	return pkt
}

func opName(pkt []byte) string {
	switch pkt[1] {
	case OpParamSend:
		return "PARAM_SEND"
	case OpBeep:
		return "BEEP"
	case OpRequestRevision:
		return "REQUEST_REVISION"
	case OpScanEnable:
		return "SCAN_ENABLE"
	case OpScanDisable:
		return "SCAN_DISABLE"
	}
	return fmt.Sprintf("opcode %02X", pkt[1])
}

// retransmission is pkt with the retransmit status bit set and its checksum
// made again, in the driver's scratch buffer.
func (d *driver) retransmission(pkt []byte) []byte {
	b := append(d.scratch[:0], pkt...)
	n := len(b) - 2
	b[3] |= StatusRetransmit
	sum := Checksum(b[:n])
	b[n], b[n+1] = byte(sum>>8), byte(sum)
	return b
}

func (d *driver) write(l devices.Link, pkt []byte) error {
	if _, err := l.Write(pkt); err != nil {
		return fmt.Errorf("ssi: write: %w", err)
	}
	return nil
}

func (d *driver) nakPacket(cause byte) []byte {
	switch cause {
	case NakBadContext:
		return d.nak[1]
	case NakDenied:
		return d.nak[2]
	}
	return d.nak[0]
}

func (d *driver) reset(l devices.Link) {
	d.rd = newReader(l, d.t)
	d.asm.Reset()
	d.early = earlyReporter{}
	d.lastLen, d.badSince = 0, 0
}

// earlyReporter keeps what arrives while Configure runs (a scan made while
// the driver sets the scanner up, the frames and bad frames on the line)
// until Run has the manager's Reporter.
type earlyReporter struct {
	scans  []devices.Scan
	frames int
	bad    []error
	lost   int // bad frames beyond maxEarly, reported as one
}

func (e *earlyReporter) Scan(s devices.Scan) {
	if len(e.scans) < maxEarly {
		e.scans = append(e.scans, s)
	}
}
func (e *earlyReporter) Tags([]devices.Tag) {}
func (e *earlyReporter) Frame()             { e.frames++ }
func (e *earlyReporter) BadFrame(err error) {
	if len(e.bad) < maxEarly {
		e.bad = append(e.bad, err)
	} else {
		e.lost++
	}
}

func (e *earlyReporter) replay(r devices.Reporter) {
	for range e.frames {
		r.Frame()
	}
	for _, err := range e.bad {
		r.BadFrame(err)
	}
	for range e.lost {
		r.BadFrame(errors.New("ssi: bad frame while configuring"))
	}
	for _, s := range e.scans {
		r.Scan(s)
	}
	*e = earlyReporter{}
}

// Configure puts the scanner into packeted mode with ACK/NAK handshaking,
// applies the profile's init commands, asks for the revision and enables
// scanning. A refused command is an error naming it; a scanner that does not
// answer REQUEST_REVISION is not.
func (d *driver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	d.reset(l)
	for i, s := range d.setup {
		if _, err := d.command(ctx, l, s.pkt, OpCmdAck); err != nil {
			return devices.Info{}, fmt.Errorf("ssi: %s: %w", s.name, err)
		}
		if i == 0 {
			// Handshaking is on now: hold scanning while the rest is
			// set, so scans start in the final mode.
			disable, _ := AppendPacket(nil, Packet{Opcode: OpScanDisable, Source: SourceHost})
			if _, err := d.command(ctx, l, disable, OpCmdAck); err != nil {
				return devices.Info{}, fmt.Errorf("ssi: scan disable: %w", err)
			}
		}
	}
	var info devices.Info
	req, _ := AppendPacket(nil, Packet{Opcode: OpRequestRevision, Source: SourceHost})
	rev, err := d.command(ctx, l, req, OpReplyRevision)
	var nak *NakError
	switch {
	case err == nil:
		r := ParseRevision(rev.Data)
		info.Firmware = r.Software
	case errors.As(err, &nak):
		// Older engines may not answer; the revision is optional.
	default:
		return devices.Info{}, fmt.Errorf("ssi: revision: %w", err)
	}
	enable, _ := AppendPacket(nil, Packet{Opcode: OpScanEnable, Source: SourceHost})
	if _, err := d.command(ctx, l, enable, OpCmdAck); err != nil {
		return devices.Info{}, fmt.Errorf("ssi: scan enable: %w", err)
	}
	return info, nil
}

// command sends pkt and waits for want (CMD_ACK, or the reply opcode),
// resending with the retransmit bit on NAK RESEND or silence, at most
// attempts times in all. Decode data arriving meanwhile is acknowledged and
// kept for Run.
func (d *driver) command(ctx context.Context, l devices.Link, pkt []byte, want byte) (Packet, error) {
	send := pkt
	for try := 1; ; try++ {
		if err := ctx.Err(); err != nil {
			return Packet{}, err
		}
		if err := d.write(l, send); err != nil {
			return Packet{}, err
		}
		p, err := d.await(ctx, l, want)
		if err == nil {
			return p, nil
		}
		var nak *NakError
		switch {
		case errors.As(err, &nak):
			nak.Command = opName(pkt)
			if nak.Cause != NakResend {
				return Packet{}, nak
			}
		case errors.Is(err, errNothing):
			if try == 1 {
				// A decoder in low power mode drops what wakes it:
				// WAKEUP before the retry.
				if err := d.write(l, []byte{WakeUp}); err != nil {
					return Packet{}, err
				}
			}
		default:
			return Packet{}, err
		}
		if try == attempts {
			return Packet{}, fmt.Errorf("ssi: %s: no answer after %d attempts: %w", opName(pkt), attempts, err)
		}
		send = d.retransmission(pkt)
	}
}

// await reads until want arrives (returned), a NAK (as *NakError), the
// response time-out (errNothing) or a link error.
func (d *driver) await(ctx context.Context, l devices.Link, want byte) (Packet, error) {
	deadline := time.Now().Add(d.t.resp)
	for {
		if err := ctx.Err(); err != nil {
			return Packet{}, err
		}
		wait := min(time.Until(deadline), d.t.poll)
		if wait <= 0 {
			return Packet{}, errNothing
		}
		p, err := d.rd.next(wait)
		switch {
		case errors.Is(err, errNothing):
			continue
		case isBadFrame(err):
			d.early.BadFrame(err)
			d.badSince++
			if err := d.write(l, d.nakPacket(NakResend)); err != nil {
				return Packet{}, err
			}
			continue
		case err != nil:
			return Packet{}, err
		}
		if p.Opcode != OpDecodeData {
			d.early.Frame()
		}
		switch {
		case p.Opcode == want && p.Source == SourceDecoder:
			return p, nil
		case p.Opcode == OpCmdNak:
			return Packet{}, &NakError{Cause: NakCause(p)}
		case p.Opcode == OpDecodeData:
			if err := d.decodeData(l, p, &d.early, d.early.Scan); err != nil {
				return Packet{}, err
			}
		case p.Opcode == OpEvent:
			if err := d.write(l, d.ack); err != nil {
				return Packet{}, err
			}
		}
	}
}

// decodeData acknowledges one DECODE_DATA packet and emits the scan when it
// completes a message, counting the packet on r. A resent
// packet that was already taken (its ACK was lost: nothing went wrong on the
// line since) is acknowledged again and not taken twice.
func (d *driver) decodeData(l devices.Link, p Packet, r devices.Reporter, emit func(devices.Scan)) error {
	if p.Retransmitted() && d.badSince == 0 && d.sameAsLast(p) {
		r.Frame()
		return d.write(l, d.ack)
	}
	code, data, done, err := d.asm.Add(p)
	if err != nil {
		r.BadFrame(err)
		return d.write(l, d.nakPacket(NakBadContext))
	}
	r.Frame()
	d.remember(p)
	d.badSince = 0
	d.lastPart = time.Now()
	if !done {
		return d.write(l, d.ack)
	}
	aim, rest := SplitAIM(code, data)
	if aim == "" {
		aim = code.AIM()
	}
	emit(devices.Scan{Data: string(rest), AIMID: aim, Symbology: code.Symbology()})
	return d.write(l, d.ack)
}

func (d *driver) remember(p Packet) {
	b := d.last[:0]
	b = append(b, p.Opcode, p.Source, p.Status&^StatusRetransmit)
	b = append(b, p.Data...)
	d.lastLen = len(b)
}

func (d *driver) sameAsLast(p Packet) bool {
	if d.lastLen != 3+len(p.Data) {
		return false
	}
	b := d.last[:d.lastLen]
	return b[0] == p.Opcode && b[1] == p.Source && b[2] == p.Status&^StatusRetransmit && string(b[3:]) == string(p.Data)
}

// Signal queues a good or bad beep; Run sends it between packets.
func (d *driver) Signal(good bool) error {
	cmds := d.bad
	if good {
		cmds = d.good
	}
	if len(cmds) == 0 {
		return devices.ErrNotSupported
	}
	select {
	case d.sigs <- good:
		return nil
	default:
		return errors.New("ssi: signal queue full")
	}
}

// outgoing is a host command Run has sent and waits to see acknowledged.
type outgoing struct {
	pkts     [][]byte
	i, tries int
	deadline time.Time
}

// Run acknowledges and reports decode data until ctx ends or the link fails.
func (d *driver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	if d.rd == nil {
		d.reset(l)
	} else {
		// Configure's reader, kept for what it buffered; the link is Run's.
		d.rd.l, d.rd.timeout = l, 0
	}
	d.early.replay(r)
	emit := r.Scan
	var out *outgoing
	for {
		if ctx.Err() != nil {
			return nil
		}
		if out == nil {
			select {
			case good := <-d.sigs:
				out = &outgoing{pkts: d.bad}
				if good {
					out.pkts = d.good
				}
				if err := d.sendOut(l, out); err != nil {
					return d.linkErr(ctx, err)
				}
			default:
			}
		}
		p, err := d.rd.next(d.t.poll)
		switch {
		case errors.Is(err, errNothing):
			if out != nil && time.Now().After(out.deadline) {
				if out, err = d.retry(l, out); err != nil {
					return d.linkErr(ctx, err)
				}
			}
			if d.asm.Pending() && time.Since(d.lastPart) > d.t.stale {
				d.asm.Reset()
			}
			continue
		case isBadFrame(err):
			r.BadFrame(err)
			d.badSince++
			if d.badSince >= attempts && d.asm.Pending() {
				// The scanner gives up a packet after its third
				// attempt, and with it the rest of the message.
				d.asm.Reset()
			}
			if err := d.write(l, d.nakPacket(NakResend)); err != nil {
				return d.linkErr(ctx, err)
			}
			continue
		case err != nil:
			return d.linkErr(ctx, err)
		}
		if p.Source != SourceDecoder {
			r.BadFrame(fmt.Errorf("ssi: packet from source %d, not the decoder: %v", p.Source, p))
			continue
		}
		if p.Opcode != OpDecodeData {
			r.Frame()
		}
		switch p.Opcode {
		case OpDecodeData:
			err = d.decodeData(l, p, r, emit)
		case OpEvent:
			err = d.write(l, d.ack)
		case OpCmdAck:
			if out != nil {
				out.i++
				out.tries = 0
				if out.i == len(out.pkts) {
					out = nil
				} else {
					err = d.sendOut(l, out)
				}
			}
		case OpCmdNak:
			if out != nil {
				if NakCause(p) == NakResend {
					out, err = d.retry(l, out)
				} else {
					// A refused beep is not worth more than dropping it.
					out = nil
				}
			}
		case OpReplyRevision, OpParamSend, OpCapabilitiesReply:
			// Late replies to Configure's requests: nothing to do.
		default:
			err = d.write(l, d.nakPacket(NakBadContext))
		}
		if err != nil {
			return d.linkErr(ctx, err)
		}
	}
}

func (d *driver) sendOut(l devices.Link, o *outgoing) error {
	o.tries = 1
	o.deadline = time.Now().Add(d.t.resp)
	return d.write(l, o.pkts[o.i])
}

// retry resends the current packet of o with the retransmit bit, or drops o
// after attempts tries.
func (d *driver) retry(l devices.Link, o *outgoing) (*outgoing, error) {
	if o.tries >= attempts {
		return nil, nil
	}
	o.tries++
	o.deadline = time.Now().Add(d.t.resp)
	return o, d.write(l, d.retransmission(o.pkts[o.i]))
}

func (d *driver) linkErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}
