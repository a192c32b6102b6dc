package ssi

import (
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// fake is a scripted scanner on the device end of the pipe.
type fake struct {
	t       *testing.T
	c       net.Conn
	buf     []byte
	wakeups int
}

func (f *fake) read() Packet {
	f.t.Helper()
	for {
		for len(f.buf) > 0 && f.buf[0] == WakeUp {
			f.buf = f.buf[1:]
			f.wakeups++
		}
		p, n, err := Parse(f.buf)
		if err == nil {
			p.Data = append([]byte(nil), p.Data...)
			f.buf = f.buf[n:]
			return p
		}
		if !errors.Is(err, ErrShort) {
			f.t.Errorf("fake scanner: %v", err)
			return Packet{}
		}
		chunk := make([]byte, 512)
		f.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		k, err := f.c.Read(chunk)
		if err != nil {
			f.t.Errorf("fake scanner read: %v", err)
			return Packet{}
		}
		f.buf = append(f.buf, chunk[:k]...)
	}
}

func (f *fake) write(b []byte) {
	f.t.Helper()
	f.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
	if _, err := f.c.Write(b); err != nil {
		f.t.Errorf("fake scanner write: %v", err)
	}
}

func (f *fake) send(p Packet) {
	f.t.Helper()
	b, err := AppendPacket(nil, p)
	if err != nil {
		f.t.Fatal(err)
	}
	f.write(b)
}

func (f *fake) ack() { f.send(Packet{Opcode: OpCmdAck}) }

func testProfile(init ...profiles.Command) profiles.Profile {
	return profiles.Profile{
		ID: "test-ssi", Vendor: "Zebra", Model: "test", Kind: profiles.Scanner,
		Firmware:     []string{"any"},
		Transport:    profiles.Transport{Type: "serial", Baud: 9600},
		Framing:      profiles.Framing{Checksum: "ssi"},
		Codec:        "zebra-ssi",
		Init:         init,
		Capabilities: profiles.Capabilities{Beep: true},
	}
}

func beep(n int) *int { return &n }

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*profiles.Profile)
		err  string
	}{
		{"ok", func(*profiles.Profile) {}, ""},
		{"other codec", func(p *profiles.Profile) { p.Codec = "honeywell"; p.Framing.Checksum = "" }, "not zebra-ssi"},
		{"invalid profile", func(p *profiles.Profile) { p.Vendor = "" }, "vendor"},
		{"text command", func(p *profiles.Profile) {
			p.Init = []profiles.Command{{Name: "hello", Text: "hi"}}
		}, "param and beep commands only"},
		{"packet format off", func(p *profiles.Profile) {
			p.Init = []profiles.Command{{Name: "raw", Param: &profiles.Param{Number: 238, Value: 0}}}
		}, "must stay 1"},
		{"handshaking off", func(p *profiles.Profile) {
			p.Init = []profiles.Command{{Name: "no acks", Param: &profiles.Param{Number: 159, Value: 0}}}
		}, "must stay 1"},
		{"prefix as number", func(p *profiles.Profile) {
			p.Init = []profiles.Command{{Name: "bad", Param: &profiles.Param{Number: 0xF1, Value: 0}}}
		}, "extended prefix"},
		{"bad signal", func(p *profiles.Profile) {
			p.Signals.Good = []profiles.Command{{Name: "bytes", Hex: "00"}}
		}, "signals.good[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testProfile()
			tc.mod(&p)
			_, err := New(p)
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("err = %v, want %q in it", err, tc.err)
			}
		})
	}
}

func TestBuiltinProfile(t *testing.T) {
	data, err := os.ReadFile("../../firmware-profiles/zebra-ssi-scanner.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profiles.Parse("zebra-ssi-scanner.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.(devices.Signaller); !ok {
		t.Error("driver is not a Signaller")
	}
}

func newPipe(t *testing.T) (*devicetest.Link, *fake) {
	host, dev := devicetest.Pipe()
	t.Cleanup(func() { host.Close(); dev.Close() })
	return host, &fake{t: t, c: dev}
}

func TestConfigure(t *testing.T) {
	prof := testProfile(
		profiles.Command{Name: "data matrix on", Param: &profiles.Param{Number: 0x124, Value: 1}},
		profiles.Command{Name: "hello beep", Beep: beep(0x17)},
	)
	drv, err := New(prof)
	if err != nil {
		t.Fatal(err)
	}
	link, dev := newPipe(t)
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 5 {
			p := dev.read()
			got = append(got, opName([]byte{4, p.Opcode}))
			if p.Opcode != OpRequestRevision {
				dev.ack()
				continue
			}
			// A scan while the host sets up: kept for Run.
			dev.send(Packet{Opcode: OpDecodeData, Data: []byte("\x0B5901234123457")})
			if p := dev.read(); p.Opcode != OpCmdAck {
				t.Errorf("early scan answered with %v", p)
			}
			dev.send(Packet{Opcode: OpReplyRevision, Data: []byte("CAACJS00-002-R03 F 42")})
		}
		if p := dev.read(); p.Opcode != OpScanEnable {
			t.Errorf("last command %v", p)
		}
		dev.ack()
	}()
	info, err := drv.Configure(context.Background(), link)
	if err != nil {
		t.Fatal(err)
	}
	<-done
	if info.Firmware != "CAACJS00-002-R03" {
		t.Errorf("firmware %q", info.Firmware)
	}
	want := []string{"PARAM_SEND", "SCAN_DISABLE", "PARAM_SEND", "BEEP", "REQUEST_REVISION"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("commands %v, want %v", got, want)
	}
	if early := drv.(*driver).early.scans; len(early) != 1 || early[0].Data != "5901234123457" || early[0].AIMID != "]E0" {
		t.Errorf("early scans %+v", early)
	}
}

func TestConfigureDenied(t *testing.T) {
	drv, err := New(testProfile(profiles.Command{Name: "mystery", Param: &profiles.Param{Number: 0x77, Value: 1}}))
	if err != nil {
		t.Fatal(err)
	}
	link, dev := newPipe(t)
	go func() {
		dev.read()
		dev.ack()
		dev.read()
		dev.ack()
		dev.read()
		dev.send(Packet{Opcode: OpCmdNak, Data: []byte{NakDenied}})
	}()
	_, err = drv.Configure(context.Background(), link)
	var nak *NakError
	if !errors.As(err, &nak) || nak.Cause != NakDenied || !strings.Contains(err.Error(), "mystery") {
		t.Errorf("err = %v, want a DENIED NakError naming the command", err)
	}
}

func TestConfigureRetriesAfterSilence(t *testing.T) {
	drv, err := New(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	drv.(*driver).t.resp = 100 * time.Millisecond
	link, dev := newPipe(t)
	go func() {
		first := dev.read() // dropped, as by a sleeping decoder
		again := dev.read()
		if first.Retransmitted() || !again.Retransmitted() || again.Opcode != first.Opcode || dev.wakeups != 1 {
			t.Errorf("first %v, again %v, wakeups %d", first, again, dev.wakeups)
		}
		dev.ack()
		dev.read()
		dev.ack()
		dev.read() // REQUEST_REVISION: not supported here
		dev.send(Packet{Opcode: OpCmdNak, Data: []byte{NakBadContext}})
		dev.read()
		dev.ack()
	}()
	info, err := drv.Configure(context.Background(), link)
	if err != nil || info.Firmware != "" {
		t.Errorf("Configure = %+v, %v", info, err)
	}
}

func retransmitted(p Packet) []byte {
	p.Status |= StatusRetransmit
	b, _ := AppendPacket(nil, p)
	return b
}

func TestRun(t *testing.T) {
	drv, err := New(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	link, dev := newPipe(t)
	rep := &devicetest.Recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- drv.Run(ctx, link, rep) }()

	expect := func(op, cause byte) Packet {
		t.Helper()
		p := dev.read()
		if p.Opcode != op || p.Source != SourceHost || (op == OpCmdNak && NakCause(p) != cause) {
			t.Fatalf("host sent %v, want opcode %02X cause %d", p, op, cause)
		}
		return p
	}
	ean := Packet{Opcode: OpDecodeData, Data: []byte("\x0B5901234123457")}
	dev.send(ean)
	expect(OpCmdAck, 0)
	// The ACK was "lost": the scanner resends, the host must not take it twice.
	dev.write(retransmitted(ean))
	expect(OpCmdAck, 0)
	// A broken packet is NAKed and counted.
	bad, _ := AppendPacket(nil, ean)
	bad[len(bad)-1] ^= 0xFF
	dev.write(bad)
	expect(OpCmdNak, NakResend)
	// After a bad frame a resend is new data: taken.
	dev.write(retransmitted(ean))
	expect(OpCmdAck, 0)
	// Two packets, one scan.
	dev.send(Packet{Opcode: OpDecodeData, Status: StatusContinuation, Data: []byte("\xC1010950110102091721")})
	expect(OpCmdAck, 0)
	dev.send(Packet{Opcode: OpDecodeData, Data: []byte("\xC1SERIAL\x1d10LOT")})
	expect(OpCmdAck, 0)
	// A code ID the scanner put in front of the data.
	dev.send(Packet{Opcode: OpDecodeData, Data: []byte("\x01]A3CODE39")})
	expect(OpCmdAck, 0)
	// An event is acknowledged.
	dev.send(Packet{Opcode: OpEvent, Data: []byte{0x01}})
	expect(OpCmdAck, 0)
	// A signal goes out as BEEP; NAK RESEND brings it again, flagged.
	if err := drv.(devices.Signaller).Signal(false); err != nil {
		t.Fatal(err)
	}
	p := expect(OpBeep, 0)
	if p.Retransmitted() || len(p.Data) != 1 || p.Data[0] != defaultBadBeep {
		t.Errorf("beep %v", p)
	}
	dev.send(Packet{Opcode: OpCmdNak, Data: []byte{NakResend}})
	if p := expect(OpBeep, 0); !p.Retransmitted() {
		t.Errorf("resent beep %v", p)
	}
	dev.ack()
	// An opcode the host has no use for.
	dev.send(Packet{Opcode: 0x42})
	expect(OpCmdNak, NakBadContext)

	cancel()
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
	scans, frames, bads := rep.Scans(), rep.Frames(), rep.BadFrames()
	want := []devices.Scan{
		{Data: "5901234123457", AIMID: "]E0", Symbology: "EAN-13"},
		{Data: "5901234123457", AIMID: "]E0", Symbology: "EAN-13"},
		{Data: "010950110102091721SERIAL\x1d10LOT", AIMID: "]d2", Symbology: "GS1 Data Matrix"},
		{Data: "CODE39", AIMID: "]A3", Symbology: "Code 39"},
	}
	if len(scans) != len(want) {
		t.Fatalf("scans %+v", scans)
	}
	for i := range want {
		if scans[i] != want[i] {
			t.Errorf("scan %d = %+v, want %+v", i, scans[i], want[i])
		}
	}
	if len(bads) != 1 || !errors.Is(bads[0], ErrChecksum) {
		t.Errorf("bad frames %v", bads)
	}
	if frames != 10 {
		t.Errorf("frames %d, want 10", frames)
	}
}

func TestRunTruncatedPacket(t *testing.T) {
	drv, err := New(testProfile())
	if err != nil {
		t.Fatal(err)
	}
	link, dev := newPipe(t)
	rep := &devicetest.Recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go drv.Run(ctx, link, rep)
	full, _ := AppendPacket(nil, Packet{Opcode: OpDecodeData, Data: []byte("\x03PART-1")})
	dev.write(full[:5])
	if p := dev.read(); p.Opcode != OpCmdNak || NakCause(p) != NakResend {
		t.Fatalf("host sent %v after a cut packet", p)
	}
	dev.write(full)
	if p := dev.read(); p.Opcode != OpCmdAck {
		t.Fatalf("host sent %v", p)
	}
	cancel()
	scans, bads := rep.Scans(), rep.BadFrames()
	if len(bads) != 1 || !errors.Is(bads[0], ErrTruncated) || len(scans) != 1 || scans[0].Data != "PART-1" {
		t.Errorf("scans %+v, bad %v", scans, bads)
	}
}

func TestSignalNotSupported(t *testing.T) {
	p := testProfile()
	p.Capabilities.Beep = false
	drv, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := drv.(devices.Signaller).Signal(true); !errors.Is(err, devices.ErrNotSupported) {
		t.Errorf("Signal = %v", err)
	}
}
