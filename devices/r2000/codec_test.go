package r2000

import (
	"bytes"
	"errors"
	"github.com/partsedge/partsedge/devices/devicetest"
	"strings"
	"testing"
)

// golden reads the package's golden frames (testdata/frames.hex, each with its source).
func golden(t testing.TB) map[string][]byte {
	t.Helper()
	return devicetest.Golden(t, "testdata/frames.hex", " ")
}

func split(t testing.TB, b []byte) Packet {
	t.Helper()
	var s Splitter
	s.Feed(b)
	p, err := s.Next()
	if err != nil {
		t.Fatalf("% X: %v", b, err)
	}
	if s.Buffered() != 0 {
		t.Fatalf("% X: %d bytes left over", b, s.Buffered())
	}
	return p
}

func TestEncodeGolden(t *testing.T) {
	g := golden(t)
	cases := []struct {
		name string
		got  []byte
	}{
		{"get_firmware_version", AppendGetFirmwareVersion(nil, 1)},
		{"set_uart_baudrate_115200", AppendPacket(nil, 1, 0x71, 0x04)},
		{"set_work_antenna_1", AppendSetWorkAntenna(nil, 1, 1)},
		{"set_output_power_30", AppendSetOutputPower(nil, 1, 30)},
		{"set_region_fcc", AppendSetFrequencyRegion(nil, 1, regions[0])},
		{"real_time_inventory_1", AppendRealTimeInventory(nil, 1, 1)},
		{"fast_switch_1_2", AppendFastSwitch(nil, 1, 4, []int{1, 2}, 1, 0, 1)},
		{"firmware_version_8_1", AppendPacket(nil, 1, CmdGetFirmwareVersion, 8, 1)},
		{"rt_round_end", AppendPacket(nil, 1, CmdRealTimeInventory, 1, 0, 100, 0, 0, 0, 200)},
	}
	for _, c := range cases {
		want, ok := g[c.name]
		if !ok {
			t.Fatalf("no golden frame %s", c.name)
		}
		if !bytes.Equal(c.got, want) {
			t.Errorf("%s: got % X, want % X", c.name, c.got, want)
		}
	}
}

func TestEveryGoldenFrameSplits(t *testing.T) {
	for name, b := range golden(t) {
		p := split(t, b)
		if p.Addr != b[2] || p.Cmd != b[3] || !bytes.Equal(p.Data, b[4:len(b)-1]) {
			t.Errorf("%s: got %+v", name, p)
		}
	}
}

var epc12 = []byte{0xE2, 0x00, 0x34, 0x12, 0x01, 0x3B, 0xF0, 0x00, 0x0A, 0x3C, 0x5D, 0x7E}

func TestParseInventoryGolden(t *testing.T) {
	g := golden(t)
	cases := []struct {
		name string
		want InventoryMsg
	}{
		{"rt_tag_ant2", InventoryMsg{Kind: InvTag, Tag: TagReport{Antenna: 2, FreqIndex: 0x10, PC: 0x3000, EPC: epc12, RSSIRaw: 0x4F, RSSI: -51}}},
		{"rt_round_end", InventoryMsg{Kind: InvRoundEnd, Antenna: 2, ReadRate: 100, TotalRead: 200}},
		{"rt_antenna_missing", InventoryMsg{Kind: InvError, Err: ReaderError{Cmd: CmdRealTimeInventory, Code: AntennaMissingError}}},
		{"fs_round_end", InventoryMsg{Kind: InvRoundEnd, TotalRead: 5, Duration: 50}},
		{"fs_antenna_missing", InventoryMsg{Kind: InvError, Err: ReaderError{Cmd: CmdFastSwitchAntInventory, Code: AntennaMissingError, Antenna: 3}}},
		{"fs_tag_ant6", InventoryMsg{Kind: InvTag, Tag: TagReport{Antenna: 6, FreqIndex: 0x20, PC: 0x3000, EPC: epc12, RSSIRaw: 0xC2, RSSI: -64}}},
	}
	for _, c := range cases {
		var m InventoryMsg
		if err := ParseInventory(split(t, g[c.name]), &m); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if m.Kind != c.want.Kind || m.Antenna != c.want.Antenna || m.ReadRate != c.want.ReadRate ||
			m.TotalRead != c.want.TotalRead || m.Duration != c.want.Duration || m.Err != c.want.Err ||
			m.Tag.Antenna != c.want.Tag.Antenna || m.Tag.FreqIndex != c.want.Tag.FreqIndex || m.Tag.PC != c.want.Tag.PC ||
			!bytes.Equal(m.Tag.EPC, c.want.Tag.EPC) || m.Tag.RSSIRaw != c.want.Tag.RSSIRaw || m.Tag.RSSI != c.want.Tag.RSSI {
			t.Errorf("%s:\n got %+v\nwant %+v", c.name, m, c.want)
		}
	}
}

func TestParseBufferTagGolden(t *testing.T) {
	var bt BufferTag
	if err := ParseBufferTag(split(t, golden(t)["buffer_tag"]), &bt); err != nil {
		t.Fatal(err)
	}
	if bt.TagCount != 1 || bt.Antenna != 2 || bt.PC != 0x3000 || !bytes.Equal(bt.EPC, epc12) ||
		bt.CRC != 0x7C29 || bt.RSSI != -51 || bt.InvCount != 3 || bt.FreqIndex != 0x10 {
		t.Errorf("got %+v", bt)
	}
	var re *ReaderError
	err := ParseBufferTag(Packet{Cmd: CmdGetInventoryBuffer, Data: []byte{byte(BufferIsEmptyError)}}, &bt)
	if !errors.As(err, &re) || re.Code != BufferIsEmptyError {
		t.Errorf("empty buffer: %v", err)
	}
}

func TestParseReplies(t *testing.T) {
	g := golden(t)
	v, err := ParseFirmwareVersion(split(t, g["firmware_version_8_1"]))
	if err != nil || v != "8.1" {
		t.Errorf("version %q, %v", v, err)
	}
	if err := ParseStatus(split(t, g["set_work_antenna_ok"])); err != nil {
		t.Errorf("status: %v", err)
	}
	var re *ReaderError
	err = ParseStatus(Packet{Cmd: CmdSetOutputPower, Data: []byte{0x48}})
	if !errors.As(err, &re) || re.Code != ParameterInvalidOutputPowerOutOfRange || re.Code.Name() != "parameter_invalid_output_power_out_of_range" {
		t.Errorf("refusal: %v", err)
	}
	if err := ParseStatus(Packet{Cmd: CmdSetOutputPower, Data: []byte{1, 2}}); err == nil || errors.As(err, &re) && re.Code == 1 {
		t.Errorf("two status bytes: %v", err)
	}
	for _, n := range []int{1, 4, 8} {
		if _, err := ParseOutputPower(Packet{Cmd: CmdGetOutputPower, Data: make([]byte, n)}); err != nil {
			t.Errorf("%d power bytes: %v", n, err)
		}
	}
	if _, err := ParseOutputPower(Packet{Cmd: CmdGetOutputPower, Data: make([]byte, 3)}); err == nil {
		t.Error("3 power bytes accepted")
	}
}

func TestParseInventoryRejects(t *testing.T) {
	cases := []struct {
		name string
		p    Packet
	}{
		{"not inventory", Packet{Cmd: CmdGetFirmwareVersion, Data: []byte{1}}},
		{"empty", Packet{Cmd: CmdRealTimeInventory}},
		{"two bytes on 0x89", Packet{Cmd: CmdRealTimeInventory, Data: []byte{1, 2}}},
		{"odd EPC", Packet{Cmd: CmdRealTimeInventory, Data: []byte{0, 0x08, 0, 1, 2, 3, 4, 5, 0x50}}},
		{"PC length disagrees", Packet{Cmd: CmdRealTimeInventory, Data: append(append([]byte{0, 0x30, 0}, epc12[:10]...), 0x50)}},
	}
	for _, c := range cases {
		var m InventoryMsg
		if err := ParseInventory(c.p, &m); err == nil {
			t.Errorf("%s: accepted as %+v", c.name, m)
		}
	}
}

func TestSplitterResyncs(t *testing.T) {
	g := golden(t)
	good1, good2, good3 := g["rt_tag_ant2"], g["rt_round_end"], g["fs_tag_ant6"]
	badCheck := append([]byte(nil), good1...)
	badCheck[len(badCheck)-1] ^= 0x5A
	var stream []byte
	stream = append(stream, 0x00, 0x13, 0x37) // noise before the first packet
	stream = append(stream, good1...)
	stream = append(stream, badCheck...)
	stream = append(stream, good2...)
	stream = append(stream, good1[:9]...) // cut short
	stream = append(stream, good3...)
	stream = append(stream, Head, 0x01) // impossible length
	stream = append(stream, good2...)
	want := [][]byte{good1, good2, good3, good2}

	for _, chunk := range []int{1, 3, 7, len(stream)} {
		var s Splitter
		var got [][]byte
		bad := 0
		for i := 0; i < len(stream); i += chunk {
			s.Feed(stream[i:min(i+chunk, len(stream))])
			for {
				p, err := s.Next()
				if errors.Is(err, ErrIncomplete) {
					break
				}
				var fe *FrameError
				if errors.As(err, &fe) {
					bad++
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, AppendPacket(nil, p.Addr, p.Cmd, p.Data...))
			}
		}
		if len(got) != len(want) {
			t.Fatalf("chunk %d: %d packets, want %d", chunk, len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("chunk %d: packet %d % X, want % X", chunk, i, got[i], want[i])
			}
		}
		if bad != 4 {
			t.Errorf("chunk %d: %d bad frames, want 4 (noise, bad check, cut short, bad length)", chunk, bad)
		}
	}
}

func TestRSSITable(t *testing.T) {
	cases := []struct {
		raw  byte
		want float64
	}{
		{98, -31}, {97, -32}, {90, -39}, {89, -41}, {60, -70}, {31, -99}, {0x80 | 98, -31}, {0x80 | 31, -99},
	}
	for _, c := range cases {
		if got := RSSIdBm(c.raw); got != c.want {
			t.Errorf("RSSI 0x%02X: %v dBm, want %v", c.raw, got, c.want)
		}
	}
}

func TestTagAntenna(t *testing.T) {
	cases := []struct {
		freqAnt, rssi byte
		want          int
	}{
		{0x00, 0x40, 1}, {0x03, 0x40, 4}, {0xFD, 0x40, 2}, {0x00, 0xC0, 5}, {0x03, 0xC0, 8},
	}
	for _, c := range cases {
		if got := TagAntenna(c.freqAnt, c.rssi); got != c.want {
			t.Errorf("FreqAnt 0x%02X RSSI 0x%02X: antenna %d, want %d", c.freqAnt, c.rssi, got, c.want)
		}
	}
}

func TestFrequencyTable(t *testing.T) {
	cases := []struct {
		idx  byte
		want float64
		ok   bool
	}{
		{0x00, 865, true}, {0x06, 868, true}, {0x07, 902, true}, {0x2B, 920, true}, {0x35, 925, true}, {0x3B, 928, true}, {0x3C, 0, false},
	}
	for _, c := range cases {
		got, ok := FrequencyMHz(c.idx)
		if got != c.want || ok != c.ok {
			t.Errorf("index 0x%02X: %v %v, want %v %v", c.idx, got, ok, c.want, c.ok)
		}
	}
}

func TestRegionByName(t *testing.T) {
	for _, c := range []struct {
		in   string
		code byte
	}{{"FCC", 1}, {"us", 1}, {"ETSI", 2}, {"eu", 2}, {"chn", 3}, {"CN", 3}} {
		r, err := RegionByName(c.in)
		if err != nil || r.Code != c.code {
			t.Errorf("%q: %+v %v", c.in, r, err)
		}
	}
	if _, err := RegionByName("mars"); err == nil {
		t.Error("mars accepted")
	}
}

func TestErrorCodeTable(t *testing.T) {
	cases := []struct {
		code ErrorCode
		name string
	}{
		{0x10, "command_success"}, {0x22, "antenna_missing_error"}, {0x36, "no_tag_error"},
		{0x38, "buffer_is_empty_error"}, {0x41, "parameter_invalid"}, {0x47, "parameter_invalid_AntennaID_out_of_range"},
		{0x48, "parameter_invalid_output_power_out_of_range"}, {0x57, "output_power_too_low"},
		{0xEE, "fail_to_get_rf_port_return_loss"}, {0x99, "unknown_error"},
	}
	for _, c := range cases {
		if got := c.code.Name(); got != c.name {
			t.Errorf("0x%02X: %q, want %q", byte(c.code), got, c.name)
		}
	}
	e := &ReaderError{Cmd: CmdFastSwitchAntInventory, Code: AntennaMissingError, Antenna: 3}
	if !strings.Contains(e.Error(), "antenna 3") || !strings.Contains(e.Error(), "antenna_missing_error (0x22)") {
		t.Errorf("error text %q", e.Error())
	}
}
