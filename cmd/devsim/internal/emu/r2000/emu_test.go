package r2000emu

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/cmd/devsim/internal/simtest"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// hostPacket builds a host packet the way the manual's §1 says, for the
// test only.
func hostPacket(addr, cmd byte, data ...byte) []byte {
	p := append([]byte{head, byte(len(data) + 3), addr, cmd}, data...)
	var sum byte
	for _, c := range p {
		sum += c
	}
	return append(p, -sum)
}

type conn struct {
	t    *testing.T
	host net.Conn
	recs []sim.Record
}

func start(t *testing.T, ports int, version string, f sim.Field) *conn {
	t.Helper()
	host, dev := net.Pipe()
	c := &conn{t: t, host: host}
	env := &sim.Env{
		Profile: profiles.Profile{Reader: &profiles.ReaderSetup{Address: 1}, Capabilities: profiles.Capabilities{Antennas: ports}},
		Rand:    rand.New(rand.NewPCG(1, 1)),
		Field:   f,
		Version: version,
		Record:  func(r sim.Record) { c.recs = append(c.recs, r) },
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Emulator{}.Serve(ctx, dev, env) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
		host.Close()
		dev.Close()
	})
	return c
}

// ask sends a packet and reads n answer packets.
func (c *conn) ask(pkt []byte, n int) [][]byte {
	c.t.Helper()
	if _, err := c.host.Write(pkt); err != nil {
		c.t.Fatal(err)
	}
	var out [][]byte
	for range n {
		out = append(out, c.read())
	}
	return out
}

func (c *conn) read() []byte {
	c.t.Helper()
	if err := c.host.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		c.t.Fatal(err)
	}
	hdr := make([]byte, 2)
	if _, err := io.ReadFull(c.host, hdr); err != nil {
		c.t.Fatal(err)
	}
	rest := make([]byte, hdr[1])
	if _, err := io.ReadFull(c.host, rest); err != nil {
		c.t.Fatal(err)
	}
	p := append(hdr, rest...)
	var sum byte
	for _, b := range p {
		sum += b
	}
	if p[0] != head || sum != 0 {
		c.t.Fatalf("bad packet % X", p)
	}
	return p
}

// silent checks nothing comes back for a while.
func (c *conn) silent() {
	c.t.Helper()
	if err := c.host.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
		c.t.Fatal(err)
	}
	b := make([]byte, 1)
	if n, _ := c.host.Read(b); n != 0 {
		c.t.Fatalf("unexpected answer byte %02X", b[0])
	}
}

func TestAnswers(t *testing.T) {
	cases := []struct {
		name string
		ask  []byte
		want []byte
	}{
		{"firmware version", hostPacket(1, cmdGetFirmware), hostPacket(1, cmdGetFirmware, 6, 2)},
		{"public address", hostPacket(publicAddr, cmdGetFirmware), hostPacket(1, cmdGetFirmware, 6, 2)},
		{"work antenna 4", hostPacket(1, cmdSetWorkAntenna, 3), hostPacket(1, cmdSetWorkAntenna, codeSuccess)},
		{"work antenna 5 on a 4-port reader", hostPacket(1, cmdSetWorkAntenna, 4), hostPacket(1, cmdSetWorkAntenna, codeAntennaRange)},
		{"get work antenna", hostPacket(1, cmdGetWorkAntenna), hostPacket(1, cmdGetWorkAntenna, 0)},
		{"power 33", hostPacket(1, cmdSetOutputPower, 33), hostPacket(1, cmdSetOutputPower, codeSuccess)},
		{"power 34", hostPacket(1, cmdSetOutputPower, 34), hostPacket(1, cmdSetOutputPower, codePowerRange)},
		{"power per port", hostPacket(1, cmdSetOutputPower, 20, 21, 22, 23), hostPacket(1, cmdSetOutputPower, codeSuccess)},
		{"get power", hostPacket(1, cmdGetOutputPower), hostPacket(1, cmdGetOutputPower, defaultPower)},
		{"region ETSI", hostPacket(1, cmdSetRegion, 0x02, 0x00, 0x06), hostPacket(1, cmdSetRegion, codeSuccess)},
		{"region 9", hostPacket(1, cmdSetRegion, 0x09, 0x00, 0x06), hostPacket(1, cmdSetRegion, codeRegionRange)},
		{"ETSI with FCC channels", hostPacket(1, cmdSetRegion, 0x02, 0x07, 0x3B), hostPacket(1, cmdSetRegion, codeFreqRange)},
		{"get region", hostPacket(1, cmdGetRegion), hostPacket(1, cmdGetRegion, 0x01, 0x07, 0x3B)},
		{"unknown command", hostPacket(1, 0x7A, 0), hostPacket(1, 0x7A, codeFail)},
		{"empty buffer", hostPacket(1, cmdGetBuffer), hostPacket(1, cmdGetBuffer, codeBufferEmpty)},
		{"real time with no tags", hostPacket(1, cmdRealTime, 1), hostPacket(1, cmdRealTime, 0, 0, 0, 0, 0, 0, 0)},
		{"fast switch, bad length", hostPacket(1, cmdFastSwitch, 0, 1, 1), hostPacket(1, cmdFastSwitch, codeParamInvalid)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cn := start(t, 4, "6.2", simtest.Field{})
			got := cn.ask(c.ask, 1)[0]
			if !bytes.Equal(got, c.want) {
				t.Errorf("got % X, want % X", got, c.want)
			}
			if len(cn.recs) != 1 || cn.recs[0].Kind != "reply" || !cn.recs[0].Good {
				t.Errorf("records %+v", cn.recs)
			}
		})
	}
}

func TestIgnoresBadPackets(t *testing.T) {
	cn := start(t, 4, "", simtest.Field{})
	bad := hostPacket(1, cmdGetFirmware)
	bad[len(bad)-1]++
	cn.ask(bad, 0)
	cn.ask(hostPacket(7, cmdGetFirmware), 0) // another reader's address
	cn.ask(hostPacket(1, cmdReset), 0)       // restarts without a word
	cn.silent()
	if got := cn.ask(hostPacket(1, cmdGetFirmware), 1)[0]; !bytes.Equal(got, hostPacket(1, cmdGetFirmware, 8, 1)) {
		t.Errorf("default version answer % X", got)
	}
}

var epc = []byte{0x30, 0x14, 0x25, 0x36, 0x47, 0x58, 0x69, 0x7A, 0x8B, 0x9C, 0xAD, 0xBE}

func TestRealTimeInventory(t *testing.T) {
	cn := start(t, 4, "", simtest.Field{2: {{EPC: epc, RSSI: -40}}})
	cn.ask(hostPacket(1, cmdSetWorkAntenna, 1), 1)
	got := cn.ask(hostPacket(1, cmdRealTime, 2), 3)
	for _, tag := range got[:2] {
		// FreqAnt: an FCC channel, antenna 2; PC with 6 words; RSSI -40
		// dBm is not in the table: -39 dBm (90) is the nearest above.
		if tag[1] != 0x13 || tag[4]&0x03 != 1 || tag[4]>>2 < 0x07 || tag[4]>>2 > 0x3B ||
			!bytes.Equal(tag[5:7], []byte{0x30, 0x00}) || !bytes.Equal(tag[7:19], epc) || tag[19] != 90 {
			t.Errorf("tag packet % X", tag)
		}
	}
	end := got[2]
	if end[1] != 0x0A || end[4] != 1 || !bytes.Equal(end[7:11], []byte{0, 0, 0, 2}) {
		t.Errorf("end packet % X", end)
	}
	rec := cn.recs[1]
	if rec.Kind != "tag" || rec.Tag.Antenna != 2 || rec.Tag.RSSI != -39 || rec.Tag.PC != 0x3000 {
		t.Errorf("record %+v %+v", rec, rec.Tag)
	}
}

func TestRealTimeOnMissingAntenna(t *testing.T) {
	cn := start(t, 2, "", simtest.Field{})
	cn.ask(hostPacket(1, cmdSetWorkAntenna, 3), 1)
	if got := cn.ask(hostPacket(1, cmdRealTime, 1), 1)[0]; !bytes.Equal(got, hostPacket(1, cmdRealTime, codeAntennaMissing)) {
		t.Errorf("got % X", got)
	}
}

func TestFastSwitchEightPorts(t *testing.T) {
	cn := start(t, 6, "", simtest.Field{6: {{EPC: epc[:4], RSSI: -70}}})
	// Antenna 6 stay 2, antenna 8 (not wired: missing), then skipped slots.
	data := []byte{5, 2, 7, 1}
	for range 6 {
		data = append(data, 0xFF, 0)
	}
	data = append(data, 0, 1)
	got := cn.ask(hostPacket(1, cmdFastSwitch, data...), 4)
	for _, tag := range got[:2] {
		if tag[1] != 0x0B || tag[4]&0x03 != 1 || tag[len(tag)-2] != 0x80|60 || !bytes.Equal(tag[5:7], []byte{0x10, 0x00}) {
			t.Errorf("tag packet % X", tag)
		}
	}
	if !bytes.Equal(got[2], hostPacket(1, cmdFastSwitch, 7, codeAntennaMissing)) {
		t.Errorf("missing antenna packet % X", got[2])
	}
	if end := got[3]; end[1] != 0x0A || !bytes.Equal(end[4:7], []byte{0, 0, 2}) {
		t.Errorf("end packet % X", end)
	}
}

func TestBufferedInventory(t *testing.T) {
	cn := start(t, 4, "", simtest.Field{1: {{EPC: epc, PC: 0x3400, RSSI: -55}}})
	got := cn.ask(hostPacket(1, cmdInventory, 3), 1)[0]
	// AntID 0, TagCount 1, ReadRate, TotalRead 3.
	if got[1] != 0x0C || got[4] != 0 || !bytes.Equal(got[5:7], []byte{0, 1}) || !bytes.Equal(got[9:13], []byte{0, 0, 0, 3}) {
		t.Errorf("inventory answer % X", got)
	}
	tag := cn.ask(hostPacket(1, cmdGetAndResetBuffer), 1)[0]
	// TagCount 1, DataLen 16, PC (length kept at 6 words, other bits kept),
	// EPC, CRC, RSSI (-55 = 75), FreqAnt, InvCount 3.
	if !bytes.Equal(tag[4:9], []byte{0, 1, 16, 0x34, 0x00}) || !bytes.Equal(tag[9:21], epc) || tag[23] != 75 || tag[25] != 3 {
		t.Errorf("buffer packet % X", tag)
	}
	crc := gen2CRC(append([]byte{0x34, 0x00}, epc...))
	if tag[21] != byte(crc>>8) || tag[22] != byte(crc) {
		t.Errorf("CRC % X, want %04X", tag[21:23], crc)
	}
	if got := cn.ask(hostPacket(1, cmdGetBuffer), 1)[0]; !bytes.Equal(got, hostPacket(1, cmdGetBuffer, codeBufferEmpty)) {
		t.Errorf("buffer after reset: % X", got)
	}
}

func TestGen2CRC(t *testing.T) {
	// CRC-16/GENIBUS check value, the Gen2 CRC-16's parameters.
	if got := gen2CRC([]byte("123456789")); got != 0xD64E {
		t.Errorf("CRC %04X, want D64E", got)
	}
}

func TestRSSITableEnds(t *testing.T) {
	for _, c := range []struct {
		dbm  float64
		raw  byte
		back float64
	}{{-31, 98, -31}, {-10, 98, -31}, {-39, 90, -39}, {-41, 89, -41}, {-99, 31, -99}, {-120, 31, -99}} {
		raw, back := encodeRSSI(c.dbm, 1)
		if raw != c.raw || back != c.back {
			t.Errorf("%v dBm: %d (%v dBm), want %d (%v dBm)", c.dbm, raw, back, c.raw, c.back)
		}
	}
}

func TestOutputPowerShrinksTheField(t *testing.T) {
	cn := start(t, 4, "", simtest.Field{1: {{EPC: epc, RSSI: -70}, {EPC: epc[:8], RSSI: -85}}})
	cn.ask(hostPacket(1, cmdSetOutputPower, 10), 1)
	got := cn.ask(hostPacket(1, cmdRealTime, 1), 2)
	// 20 dB less power: the -70 dBm tag comes back at -90 dBm (40), the
	// -85 dBm one drops under the table's floor and is not read.
	if got[0][1] != 0x13 || got[0][19] != 40 {
		t.Errorf("tag packet % X", got[0])
	}
	if end := got[1]; end[1] != 0x0A || !bytes.Equal(end[7:11], []byte{0, 0, 0, 1}) {
		t.Errorf("end packet % X", end)
	}
}
