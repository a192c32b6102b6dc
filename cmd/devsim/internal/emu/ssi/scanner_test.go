package ssiemu

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/cmd/devsim/internal/simtest"
)

// These tests play the host with hand-built packets, so the emulator is
// checked against the manual's layout rather than against devices/ssi.

// hostPacket builds a packet from the host (source 4).
func hostPacket(op, status byte, data ...byte) []byte {
	p := append([]byte{byte(4 + len(data)), op, srcHost, status}, data...)
	var sum int
	for _, c := range p {
		sum += int(c)
	}
	c := (0x10000 - sum) & 0xFFFF
	return append(p, byte(c>>8), byte(c))
}

type host struct {
	t   *testing.T
	c   net.Conn
	buf []byte
}

type pkt struct {
	op, src, status byte
	data            []byte
	sumOK           bool
}

func (h *host) send(b []byte) {
	h.t.Helper()
	h.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := h.c.Write(b); err != nil {
		h.t.Fatalf("host write: %v", err)
	}
}

// read returns the next packet from the scanner, checksum checked but not
// enforced (the fault tests want to see spoiled ones).
func (h *host) read(wait time.Duration) (pkt, bool) {
	h.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		if len(h.buf) > 0 && len(h.buf) >= int(h.buf[0])+2 {
			n := int(h.buf[0])
			b := h.buf[:n+2]
			h.buf = h.buf[n+2:]
			var sum int
			for _, c := range b[:n] {
				sum += int(c)
			}
			ok := uint16(b[n])<<8|uint16(b[n+1]) == uint16(0x10000-sum&0xFFFF)
			return pkt{b[1], b[2], b[3], append([]byte(nil), b[4:n]...), ok}, true
		}
		h.c.SetReadDeadline(deadline)
		chunk := make([]byte, 512)
		k, err := h.c.Read(chunk)
		if err != nil {
			return pkt{}, false
		}
		h.buf = append(h.buf, chunk[:k]...)
	}
}

func (h *host) expect(op byte, data ...byte) pkt {
	h.t.Helper()
	p, ok := h.read(3 * time.Second)
	if !ok {
		h.t.Fatalf("nothing from the scanner, want opcode %02X", op)
	}
	if p.op != op || p.src != srcDecoder || !p.sumOK || (data != nil && !bytes.Equal(p.data, data)) {
		h.t.Fatalf("scanner sent %+v, want opcode %02X data % X", p, op, data)
	}
	return p
}

func (h *host) quiet(wait time.Duration) {
	h.t.Helper()
	if p, ok := h.read(wait); ok {
		h.t.Fatalf("scanner sent %+v, want nothing", p)
	}
}

func start(t *testing.T, env *sim.Env) (*host, *simtest.Log) {
	t.Helper()
	h, d := net.Pipe()
	rec := &simtest.Log{}
	if env.Record == nil {
		env.Record = rec.Add
	}
	if env.Rand == nil {
		env.Rand = rand.New(rand.NewPCG(1, 2))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Emulator{}.Serve(ctx, d, env) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
		h.Close()
		d.Close()
	})
	return &host{t: t, c: h}, rec
}

var packeted = hostPacket(opParamSend, 0, beepNone, 0xEE, 0x01)

func TestParamSend(t *testing.T) {
	h, _ := start(t, &sim.Env{})
	h.send(hostPacket(opParamSend, 0, beepNone, 0x9F, 0x01, 0xF0, 0x24, 0x01))
	h.expect(opAck)
	// One unknown parameter refuses the whole message.
	h.send(hostPacket(opParamSend, 0, beepNone, 0xEE, 0x01, 0x77, 0x01))
	h.expect(opNak, nakDenied)
	// A prefix that is not a parameter number.
	h.send(hostPacket(opParamSend, 0, beepNone, 0xF5, 0x01, 0x01))
	h.expect(opNak, nakDenied)
	// 0xEE was not applied: asking for it shows the default, 0.
	h.send(hostPacket(opParamRequest, 0, 0xEE, 0xF0, 0x24))
	h.expect(opParamSend, beepNone, 0xEE, 0x00, 0xF0, 0x24, 0x01)
}

func TestScansWaitForPacketedMode(t *testing.T) {
	scans := make(chan sim.Scan, 2)
	scans <- sim.Scan{Data: "5901234123457", AIMID: "]E0"}
	h, _ := start(t, &sim.Env{Scans: scans})
	h.quiet(300 * time.Millisecond)
	h.send(packeted)
	h.expect(opAck)
	h.expect(opDecodeData, append([]byte{0x0B}, "5901234123457"...)...)
	h.send(hostPacket(opAck, 0))
	// Scanning disabled holds the next scan until enabled again.
	h.send(hostPacket(opScanDisable, 0))
	h.expect(opAck)
	scans <- sim.Scan{Data: "0109501101020917", AIMID: "]C1"}
	h.quiet(300 * time.Millisecond)
	h.send(hostPacket(opScanEnable, 0))
	h.expect(opAck)
	h.expect(opDecodeData, append([]byte{0x0F}, "0109501101020917"...)...)
	h.send(hostPacket(opAck, 0))
}

func TestResendRules(t *testing.T) {
	scans := make(chan sim.Scan, 2)
	scans <- sim.Scan{Data: "PART-1", AIMID: "]C0"}
	scans <- sim.Scan{Data: "PART-2", AIMID: "]C0"}
	h, rec := start(t, &sim.Env{Scans: scans})
	// Host Serial Response Time-out 100 ms, so silence is quick to test.
	h.send(hostPacket(opParamSend, 0, beepNone, 0x9B, 0x01, 0xEE, 0x01))
	h.expect(opAck)
	first := h.expect(opDecodeData, append([]byte{0x03}, "PART-1"...)...)
	if first.status&stRetransmit != 0 {
		t.Errorf("first send has the retransmit bit")
	}
	h.send(hostPacket(opNak, 0, nakResend))
	if p := h.expect(opDecodeData, append([]byte{0x03}, "PART-1"...)...); p.status&stRetransmit == 0 {
		t.Errorf("resend after NAK without the retransmit bit")
	}
	// Silence: the third and last try comes by itself, then the scan is given up.
	if p := h.expect(opDecodeData, append([]byte{0x03}, "PART-1"...)...); p.status&stRetransmit == 0 {
		t.Errorf("resend after silence without the retransmit bit")
	}
	h.expect(opDecodeData, append([]byte{0x03}, "PART-2"...)...)
	h.send(hostPacket(opAck, 0))
	h.quiet(300 * time.Millisecond)
	n := 0
	for _, r := range rec.All() {
		if r.Kind == "scan" && r.Good && r.Scan != nil {
			n++
		}
	}
	if n != 4 {
		t.Errorf("%d good scan records, want 4 (three tries and one)", n)
	}
}

func TestMultiPacket(t *testing.T) {
	long := strings.Repeat("0123456789", 50)
	scans := make(chan sim.Scan, 1)
	scans <- sim.Scan{Data: long, AIMID: "]d2"}
	h, rec := start(t, &sim.Env{Scans: scans})
	h.send(packeted)
	h.expect(opAck)
	var got []byte
	for i := 0; ; i++ {
		p := h.expect(opDecodeData)
		if p.data[0] != 0xC1 {
			t.Fatalf("packet %d code type %02X", i, p.data[0])
		}
		got = append(got, p.data[1:]...)
		h.send(hostPacket(opAck, 0))
		if p.status&stContinuation == 0 {
			break
		}
	}
	if string(got) != long {
		t.Errorf("joined %q", got)
	}
	recs := rec.All()
	if len(recs) != 3 || recs[0].Scan != nil || recs[2].Scan == nil || recs[2].Scan.Data != long {
		t.Errorf("records %+v", recs)
	}
}

func TestRevisionAndCommands(t *testing.T) {
	h, _ := start(t, &sim.Env{})
	h.send([]byte{0x00}) // WAKEUP: no answer
	h.send(hostPacket(opRequestRevision, 0))
	h.expect(opReplyRevision, []byte(defaultRevision)...)
	for _, op := range []byte{opBeep, opLEDOn, opLEDOff, opAimOn, opAimOff, opStartDecode, opStopDecode} {
		var data []byte
		if op == opBeep || op == opLEDOn || op == opLEDOff {
			data = []byte{0x01}
		}
		h.send(hostPacket(op, 0, data...))
		h.expect(opAck)
	}
	h.send(hostPacket(opBeep, 0, 0x40))
	h.expect(opNak, nakDenied)
	h.send(hostPacket(0x42, 0))
	h.expect(opNak, nakBadContext)
	bad := hostPacket(opScanEnable, 0)
	bad[len(bad)-1] ^= 0x01
	h.send(bad)
	h.expect(opNak, nakResend)
	// Half a packet, then silence: dropped after the character time-out.
	h.send(hostPacket(opScanEnable, 0)[:3])
	h.expect(opNak, nakResend)
}

func TestRevisionFromEnvAndFaults(t *testing.T) {
	h, rec := start(t, &sim.Env{Version: "NBRPUCAM", Faults: sim.Faults{BadCRC: 1}})
	h.send(hostPacket(opRequestRevision, 0))
	p, ok := h.read(3 * time.Second)
	if !ok || p.op != opReplyRevision || p.sumOK || string(p.data) != "NBRPUCAM" {
		t.Fatalf("reply %+v", p)
	}
	// NAK RESEND gets the reply again (spoiled again: BadCRC is 1).
	h.send(hostPacket(opNak, 0, nakResend))
	if p, ok := h.read(3 * time.Second); !ok || p.op != opReplyRevision || p.status&stRetransmit == 0 {
		t.Fatalf("resent reply %+v", p)
	}
	for _, r := range rec.All() {
		if r.Good || r.Kind != "reply" {
			t.Errorf("record %+v", r)
		}
	}
}

// FuzzReceive feeds outside bytes to the emulator's packet reader as if the
// host sent them: it must not panic, and answers only in whole packets.
func FuzzReceive(f *testing.F) {
	f.Add(packeted)
	f.Add(hostPacket(opRequestRevision, 0))
	f.Add(append([]byte{0x00, 0x00}, hostPacket(opBeep, 0, 0x01)...))
	f.Add(hostPacket(opParamSend, 0, beepNone, 0xF0, 0x24, 0x01))
	f.Add(hostPacket(opParamRequest, 0, 0xFE))
	f.Add([]byte{0x03, 0xD0})
	f.Fuzz(func(t *testing.T, in []byte) {
		var out bytes.Buffer
		s := newScanner(struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(nil), &out}, &sim.Env{Rand: rand.New(rand.NewPCG(1, 2))})
		defer s.ackT.Stop()
		defer s.charT.Stop()
		if err := s.receive(in); err != nil {
			t.Fatal(err)
		}
		b := out.Bytes()
		for len(b) > 0 {
			n := int(b[0]) + 2
			if b[0] < 4 || n > len(b) {
				t.Fatalf("answer is not whole packets: % X", out.Bytes())
			}
			b = b[n:]
		}
	})
}
