package ssi

import (
	"bytes"
	"errors"
	"github.com/partsedge/partsedge/devices/devicetest"
	"testing"

	"github.com/partsedge/partsedge/devices/gs1"
)

// golden reads the package's golden frames (testdata/packets.txt, each with its source).
func golden(t testing.TB) map[string][]byte {
	t.Helper()
	return devicetest.Golden(t, "testdata/packets.txt", ":")
}

func TestGoldenPackets(t *testing.T) {
	g := golden(t)
	tests := []struct {
		name   string
		op     byte
		src    byte
		status byte
		data   string
	}{
		{"host-cmd-ack", OpCmdAck, SourceHost, 0, ""},
		{"decoder-cmd-ack", OpCmdAck, SourceDecoder, 0, ""},
		{"host-cmd-nak-resend", OpCmdNak, SourceHost, 0, "\x01"},
		{"decoder-cmd-nak-denied", OpCmdNak, SourceDecoder, 0, "\x06"},
		{"request-revision", OpRequestRevision, SourceHost, 0, ""},
		{"scan-enable", OpScanEnable, SourceHost, 0, ""},
		{"scan-disable", OpScanDisable, SourceHost, 0, ""},
		{"beep-one-short-high", OpBeep, SourceHost, 0, "\x00"},
		{"led-on", OpLEDOn, SourceHost, 0, "\x01"},
		{"param-send-handshake-packeted", OpParamSend, SourceHost, 0, "\xFF\x9F\x01\xEE\x01"},
		{"param-send-permanent-datamatrix", OpParamSend, SourceHost, StatusPermanent, "\xFF\xF0\x24\x01"},
		{"decode-data-ean13", OpDecodeData, SourceDecoder, 0, "\x0B5901234123457"},
		{"decode-data-gs1-128", OpDecodeData, SourceDecoder, 0, "\x0F0109501101020917\x1D10ABC123"},
		{"decode-data-retransmit", OpDecodeData, SourceDecoder, StatusRetransmit, "\x1CHELLO"},
		{"decode-data-part1", OpDecodeData, SourceDecoder, StatusContinuation, "\xC1010950110102091721"},
		{"decode-data-part2", OpDecodeData, SourceDecoder, 0, "\xC1SERIAL\x1D10LOT"},
		{"reply-revision", OpReplyRevision, SourceDecoder, 0, "PAABLS00-005-R05 B 0"},
		{"event-decode", OpEvent, SourceDecoder, 0, "\x01"},
	}
	if len(tests) != len(g) {
		t.Errorf("%d golden packets, %d checked", len(g), len(tests))
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			wire, ok := g[tc.name]
			if !ok {
				t.Fatal("not in testdata/packets.txt")
			}
			p, n, err := Parse(wire)
			if err != nil || n != len(wire) {
				t.Fatalf("Parse = %v, %d, %v", p, n, err)
			}
			if p.Opcode != tc.op || p.Source != tc.src || p.Status != tc.status || string(p.Data) != tc.data {
				t.Errorf("Parse = %v, want op %02X src %d status %02X data % X", p, tc.op, tc.src, tc.status, tc.data)
			}
			built, err := AppendPacket(nil, Packet{Opcode: tc.op, Source: tc.src, Status: tc.status, Data: []byte(tc.data)})
			if err != nil || !bytes.Equal(built, wire) {
				t.Errorf("AppendPacket = % X, %v; want % X", built, err, wire)
			}
		})
	}
}

func TestDriverPacketsMatchGolden(t *testing.T) {
	g := golden(t)
	base, err := AppendParamSend(nil, BeepNone, false, Param{ParamSoftwareHandshaking, 1}, Param{ParamDecodeDataPacketFormat, 1})
	if err != nil || !bytes.Equal(base, g["param-send-handshake-packeted"]) {
		t.Errorf("base PARAM_SEND % X, %v", base, err)
	}
	dm, err := AppendParamSend(nil, BeepNone, true, Param{0x124, 1})
	if err != nil || !bytes.Equal(dm, g["param-send-permanent-datamatrix"]) {
		t.Errorf("Data Matrix PARAM_SEND % X, %v", dm, err)
	}
	if b := beepPacket(0); !bytes.Equal(b, g["beep-one-short-high"]) {
		t.Errorf("beep % X", b)
	}
}

func TestChecksum(t *testing.T) {
	tests := []struct {
		in   []byte
		want uint16
	}{
		{nil, 0},
		{[]byte{0x04, 0xD0, 0x04, 0x00}, 0xFF28},
		{[]byte{0x01}, 0xFFFF},
		{bytes.Repeat([]byte{0xFF}, 257), 0x10000 - (257*0xFF)&0xFFFF},
	}
	for _, tc := range tests {
		if got := Checksum(tc.in); got != tc.want {
			t.Errorf("Checksum(% X) = %04X, want %04X", tc.in, got, tc.want)
		}
		var sum uint16
		for _, c := range tc.in {
			sum += uint16(c)
		}
		if sum+tc.want != 0 {
			t.Errorf("sum plus checksum of % X is not 0", tc.in)
		}
	}
}

func TestParseErrors(t *testing.T) {
	g := golden(t)
	ack := g["host-cmd-ack"]
	badSum := append([]byte(nil), ack...)
	badSum[5] ^= 0x01
	tests := []struct {
		name  string
		in    []byte
		err   error
		n     int
		short bool
	}{
		{"empty", nil, ErrShort, 0, true},
		{"length only", []byte{0x04}, ErrShort, 0, true},
		{"no checksum", ack[:4], ErrShort, 0, true},
		{"half checksum", ack[:5], ErrShort, 0, true},
		{"length zero", []byte{0x00, 0xD0}, ErrLength, 1, false},
		{"length three", []byte{0x03, 0xD0, 0x04, 0xFF, 0x29}, ErrLength, 1, false},
		{"bad checksum", badSum, ErrChecksum, 6, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, n, err := Parse(tc.in)
			if !errors.Is(err, tc.err) || n != tc.n {
				t.Errorf("Parse(% X) = %d, %v; want %d, %v", tc.in, n, err, tc.n, tc.err)
			}
		})
	}
	// Two packets back to back come out one at a time.
	two := append(append([]byte(nil), ack...), g["scan-enable"]...)
	p, n, err := Parse(two)
	if err != nil || n != len(ack) || p.Opcode != OpCmdAck {
		t.Fatalf("first of two: %v %d %v", p, n, err)
	}
	if p, _, err = Parse(two[n:]); err != nil || p.Opcode != OpScanEnable {
		t.Fatalf("second of two: %v %v", p, err)
	}
}

func TestAppendPacketTooLong(t *testing.T) {
	if _, err := AppendPacket(nil, Packet{Opcode: OpDecodeData, Data: make([]byte, MaxData+1)}); !errors.Is(err, ErrTooLong) {
		t.Errorf("err = %v, want ErrTooLong", err)
	}
	b, err := AppendPacket(nil, Packet{Opcode: OpDecodeData, Data: make([]byte, MaxData)})
	if err != nil || len(b) != MaxPacket || b[0] != 0xFF {
		t.Errorf("full packet: len %d, first %02X, %v", len(b), b[0], err)
	}
}

func TestReassembler(t *testing.T) {
	g := golden(t)
	parse := func(name string) Packet {
		p, _, err := Parse(g[name])
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	var r Reassembler
	code, data, done, err := r.Add(parse("decode-data-ean13"))
	if err != nil || !done || code != CodeEAN13 || string(data) != "5901234123457" || r.Pending() {
		t.Fatalf("single packet: %v %q %v %v", code, data, done, err)
	}
	_, _, done, err = r.Add(parse("decode-data-part1"))
	if err != nil || done || !r.Pending() {
		t.Fatalf("first part: done %v, %v", done, err)
	}
	code, data, done, err = r.Add(parse("decode-data-part2"))
	if err != nil || !done || code != CodeGS1DataMatrix || string(data) != "010950110102091721SERIAL\x1d10LOT" {
		t.Fatalf("last part: %v %q %v %v", code, data, done, err)
	}

	// A packet of another code type cannot continue a message.
	r.Add(parse("decode-data-part1"))
	if _, _, _, err := r.Add(parse("decode-data-ean13")); !errors.Is(err, ErrMixedMessage) || r.Pending() {
		t.Errorf("mixed: %v, pending %v", err, r.Pending())
	}
	// No code type byte.
	if _, _, _, err := r.Add(Packet{Opcode: OpDecodeData}); !errors.Is(err, ErrNoCodeType) {
		t.Errorf("empty: %v", err)
	}
	if _, _, _, err := r.Add(parse("event-decode")); !errors.Is(err, ErrNotDecodeData) {
		t.Errorf("event: %v", err)
	}
	// The cap holds.
	r = Reassembler{Max: 30}
	cont := Packet{Opcode: OpDecodeData, Status: StatusContinuation, Data: append([]byte{0x1B}, bytes.Repeat([]byte{'x'}, 20)...)}
	if _, _, _, err := r.Add(cont); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := r.Add(cont); !errors.Is(err, ErrMessageSize) || r.Pending() {
		t.Errorf("over the cap: %v", err)
	}
}

func TestParams(t *testing.T) {
	tests := []struct {
		p    Param
		wire string
		err  bool
	}{
		{Param{0x00, 1}, "\x00\x01", false},
		{Param{0xEE, 1}, "\xEE\x01", false},
		{Param{0xEF, 2}, "\xEF\x02", false},
		{Param{0xF0, 0}, "", true},
		{Param{0xFF, 0}, "", true},
		{Param{0x100, 7}, "\xF0\x00\x07", false},
		{Param{0x124, 1}, "\xF0\x24\x01", false},
		{Param{0x240, 3}, "\xF1\x40\x03", false},
		{Param{0x3FF, 9}, "\xF2\xFF\x09", false},
		{Param{0x400, 0}, "", true},
		{Param{-1, 0}, "", true},
	}
	for _, tc := range tests {
		b, err := AppendParam(nil, tc.p)
		if (err != nil) != tc.err || string(b) != tc.wire {
			t.Errorf("AppendParam(%v) = % X, %v", tc.p, b, err)
			continue
		}
		if tc.err {
			continue
		}
		var got []Param
		if err := ParseParams(b, func(p Param) { got = append(got, p) }); err != nil || len(got) != 1 || got[0] != tc.p {
			t.Errorf("ParseParams(% X) = %v, %v", b, got, err)
		}
	}
	for _, bad := range []string{"\x01", "\xF0\x24", "\xF3\x00\x01", "\xFE"} {
		if err := ParseParams([]byte(bad), func(Param) {}); !errors.Is(err, ErrParam) {
			t.Errorf("ParseParams(% X) = %v, want ErrParam", bad, err)
		}
	}
	many := make([]Param, 130)
	for i := range many {
		many[i] = Param{Number: i, Value: 1}
	}
	if _, err := AppendParamSend(nil, BeepNone, false, many...); !errors.Is(err, ErrTooLong) {
		t.Errorf("130 parameters: %v", err)
	}
}

// TestCodeTypeAIMs checks the code type table's AIM identifiers against the
// shared AIM table: each is well-formed, of the family SplitAIM accepts for
// that code type, and names a symbology, so the two tables cannot drift.
func TestCodeTypeAIMs(t *testing.T) {
	for c := range 256 {
		ct := CodeType(c)
		aim := ct.AIM()
		if aim == "" {
			continue
		}
		if len(aim) != gs1.AIMLen || !gs1.ValidAIM(aim) || gs1.Symbology(aim) == "" {
			t.Errorf("%02X AIM %q is not a named AIM identifier", c, aim)
		}
		if ct.aimFamily() != aim[1] {
			t.Errorf("%02X AIM %q, but SplitAIM takes family %q", c, aim, ct.aimFamily())
		}
	}
}

func TestCodeTypes(t *testing.T) {
	tests := []struct {
		c    CodeType
		name string
		aim  string
	}{
		{CodeGS1128, "GS1-128", "]C1"},
		{CodeGS1DataMatrix, "GS1 Data Matrix", "]d2"},
		{CodeGS1QR, "GS1 QR", "]Q3"},
		{CodeDataBar14, "GS1 DataBar", "]e0"},
		{CodeDataBarExp, "GS1 DataBar Expanded", "]e0"},
		{CodeEAN13, "EAN-13", "]E0"},
		{CodeUPCA, "UPC-A", "]E0"},
		{CodeEAN8, "EAN-8", "]E4"},
		{CodeCode128, "Code 128", "]C0"},
		{CodeQR, "QR Code", "]Q1"},
		{CodeDataMatrix, "Data Matrix", "]d1"},
		{CodeCode39, "Code 39", ""},
		{CodePDF417, "PDF417", ""},
		{0x4B, "EAN-13 + 2 Supplemental", "]E3"},
		{0xFE, "code type 0xFE", ""},
	}
	for _, tc := range tests {
		if got := tc.c.Symbology(); got != tc.name {
			t.Errorf("%02X Symbology = %q, want %q", byte(tc.c), got, tc.name)
		}
		if got := tc.c.AIM(); got != tc.aim {
			t.Errorf("%02X AIM = %q, want %q", byte(tc.c), got, tc.aim)
		}
		if tc.c.Known() != (tc.c != 0xFE) {
			t.Errorf("%02X Known = %v", byte(tc.c), tc.c.Known())
		}
	}
}

func TestSplitAIM(t *testing.T) {
	tests := []struct {
		c         CodeType
		in        string
		aim, rest string
	}{
		{CodeGS1128, "]C10109501101020917", "]C1", "0109501101020917"},
		{CodeCode39, "]A0ABC", "]A0", "ABC"},
		{CodeCode39, "]C0ABC", "", "]C0ABC"},
		{CodeNotApplicable, "]X0ABC", "]X0", "ABC"},
		{CodeNotApplicable, "]1XABC", "", "]1XABC"},
		{CodeEAN13, "]E", "", "]E"},
		{CodeQR, "https://x", "", "https://x"},
		{0xFE, "]Z0x", "", "]Z0x"},
	}
	for _, tc := range tests {
		aim, rest := SplitAIM(tc.c, []byte(tc.in))
		if aim != tc.aim || string(rest) != tc.rest {
			t.Errorf("SplitAIM(%02X, %q) = %q %q, want %q %q", byte(tc.c), tc.in, aim, rest, tc.aim, tc.rest)
		}
	}
}

func TestParseRevision(t *testing.T) {
	tests := []struct{ in, sw, rest string }{
		{"PAABLS00-005-R05 B 0", "PAABLS00-005-R05", "B 0"},
		{"NBRPUCAM", "NBRPUCAM", ""},
		{"  CAACJS00-002-R03  F 42\r\n", "CAACJS00-002-R03", "F 42"},
		{"", "", ""},
	}
	for _, tc := range tests {
		if r := ParseRevision([]byte(tc.in)); r.Software != tc.sw || r.Rest != tc.rest {
			t.Errorf("ParseRevision(%q) = %+v", tc.in, r)
		}
	}
}
