package chafon

import (
	"bytes"
	"encoding/hex"
	"errors"
	"github.com/partsedge/partsedge/devices/devicetest"
	"slices"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// golden reads the package's golden frames (testdata/golden.txt, each with its source).
func golden(t testing.TB) map[string][]byte {
	t.Helper()
	return devicetest.Golden(t, "testdata/golden.txt", ":")
}

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func TestCRC16CheckValue(t *testing.T) {
	if got := CRC16([]byte("123456789")); got != 0x6F91 {
		t.Fatalf("CRC16(123456789) = %04x, want 6f91 (CRC-16/MCRF4XX check value)", got)
	}
}

func TestGoldenCommands(t *testing.T) {
	g := golden(t)
	for _, tc := range []struct {
		name string
		addr byte
		cmd  byte
		data []byte
	}{
		{"cmd-get-info", 0x00, CmdGetReaderInfo, nil},
		{"cmd-inventory-v2-adr0a", 0x0A, CmdInventory, nil},
		{"cmd-set-power-26", 0x00, CmdSetPower, mustPower(t, 26)},
		{"cmd-set-region-us", 0x00, CmdSetRegion, mustRegion(t, "us", V2).SetRegionData()},
		{"cmd-beep", 0x00, CmdAcoustoOptic, []byte{2, 0, 1}},
		{"cmd-inventory-ur-ant2", 0x00, CmdInventory, mustInv(t, UR, 2)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendCommand(nil, tc.addr, tc.cmd, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			if want := g[tc.name]; !bytes.Equal(got, want) {
				t.Fatalf("frame\n got % x\nwant % x", got, want)
			}
		})
	}
}

func mustPower(t *testing.T, dBm float64) []byte {
	b, err := PowerData(dBm)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustRegion(t *testing.T, name string, v Variant) Region {
	r, err := LookupRegion(name, v)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustInv(t *testing.T, v Variant, ant int) []byte {
	b, err := InventoryCommandData(nil, v, ant, 4, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGoldenReplies(t *testing.T) {
	g := golden(t)
	epc := func(s string) []byte { return unhex(s) }
	for _, tc := range []struct {
		name    string
		variant Variant
		cmd     byte
		status  Status
		tags    []devices.Tag
	}{
		{"reply-no-tag", V2, CmdInventory, StatusNoTag, nil},
		{"reply-inventory-v2-1", V2, CmdInventory, StatusMoreData, []devices.Tag{{EPC: epc("000000000000000000000313")}}},
		{"reply-inventory-v2-2", V2, CmdInventory, StatusMoreData, []devices.Tag{
			{EPC: epc("000000000000000000000313")}, {EPC: epc("000000000000000000000314")}}},
		{"reply-inventory-ur-1", UR, CmdInventory, StatusMoreData, []devices.Tag{{EPC: epc("000000000000000000000313"), Antenna: 1, RSSI: -0x6b}}},
		{"reply-inventory-ur-ant3", UR, CmdInventory, StatusMoreData, []devices.Tag{{EPC: epc("49440000000000000a000334"), Antenna: 3, RSSI: -0x64}}},
		{"reply-inventory-ur-empty", UR, CmdInventory, StatusInventoryDone, nil},
		{"reply-inventory-ur-fastid", UR, CmdInventory, StatusInventoryDone, []devices.Tag{
			{EPC: epc("30396063"), Antenna: 4, RSSI: -0x3a}, {EPC: epc("deadbeef"), Antenna: 4, RSSI: -0x50}}},
		{"reply-illegal", V2, CmdUnrecognised, StatusIllegalCommand, nil},
		{"reply-power-refused", V2, CmdSetPower, StatusParameterError, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame := g[tc.name]
			rep, err := ParseReply(frame)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Cmd != tc.cmd || rep.Status != tc.status || rep.Addr != 0 {
				t.Fatalf("reply %+v, want cmd %02x status %02x", rep, tc.cmd, tc.status)
			}
			var tags []devices.Tag
			if rep.Status.inventoryData() {
				if tags, err = AppendTags(nil, tc.variant, rep.Data); err != nil {
					t.Fatal(err)
				}
			}
			if !tagsEqual(tags, tc.tags) {
				t.Fatalf("tags\n got %+v\nwant %+v", tags, tc.tags)
			}
		})
	}
}

func tagsEqual(a, b []devices.Tag) bool {
	return slices.EqualFunc(a, b, func(x, y devices.Tag) bool {
		return bytes.Equal(x.EPC, y.EPC) && x.PC == y.PC && x.Antenna == y.Antenna && x.RSSI == y.RSSI
	})
}

func TestGoldenReaderInfo(t *testing.T) {
	rep, err := ParseReply(golden(t)["reply-info-v2"])
	if err != nil {
		t.Fatal(err)
	}
	info, err := ParseReaderInfo(rep.Data)
	if err != nil {
		t.Fatal(err)
	}
	want := ReaderInfo{Major: 2, Minor: 36, Type: 0x09, Protocols: 3, Band: 2, MaxFreq: 49, MinFreq: 0, PowerDBm: 26, ScanTime: 10, Extra: []byte{}}
	if info.Version() != "2.36" || info.Band != want.Band || info.MaxFreq != want.MaxFreq || info.PowerDBm != 26 || info.ScanTime != 10 || info.Type != 9 {
		t.Fatalf("info %+v, want %+v", info, want)
	}
}

func TestParseReplyErrors(t *testing.T) {
	good := unhex("05 00 01 fb f2 3d")
	for _, tc := range []struct {
		name  string
		frame []byte
		want  error
	}{
		{"empty", nil, ErrShort},
		{"truncated", good[:5], ErrShort},
		{"length too small", unhex("04 00 01 fb f2 3d"), ErrLength},
		{"length mismatch", append(slices.Clone(good), 0), ErrShort},
		{"bad crc", unhex("05 00 01 fb f2 3e"), ErrCRC},
		{"flipped data", unhex("05 00 01 fa f2 3d"), ErrCRC},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := ParseReply(tc.frame); !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
}

func TestNextFrameResync(t *testing.T) {
	g := golden(t)
	a, b := g["reply-inventory-v2-1"], g["reply-no-tag"]
	bad := slices.Clone(a)
	bad[7] ^= 0x40
	for _, tc := range []struct {
		name      string
		stream    []byte
		flush     bool
		wantFrame []byte
		wantSkip  int
	}{
		{"clean", cat(a, b), false, a, 0},
		{"noise before", cat([]byte{0x00, 0x02}, a), false, a, 2},
		{"bad crc then good", cat(bad, b), true, b, len(bad)},
		{"cut short then good", cat(a[:9], b), true, b, 9},
		{"cut short waits while it could still be arriving", cat(a[:9], b), false, nil, 0},
		{"partial waits", a[:10], false, nil, 0},
		{"partial flushed", a[:10], true, nil, 10},
		{"long length waits for more", cat([]byte{0xF0}, b), false, nil, 0},
		{"long length flushed", cat([]byte{0xF0}, b), true, b, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame, skip, why := NextFrame(tc.stream, tc.flush)
			if !bytes.Equal(frame, tc.wantFrame) || skip != tc.wantSkip {
				t.Fatalf("frame % x skip %d (%v), want % x skip %d", frame, skip, why, tc.wantFrame, tc.wantSkip)
			}
			if skip > 0 && why == nil {
				t.Fatal("skipped bytes without a reason")
			}
		})
	}
}

func cat(parts ...[]byte) []byte { return slices.Concat(parts...) }

func TestAppendTagsErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    Variant
		data string
		want error
	}{
		{"v2 count past data", V2, "02 02 aa bb", ErrData},
		{"v2 epc past data", V2, "01 05 aa bb", ErrData},
		{"v2 trailing", V2, "01 02 aa bb cc", ErrTrailing},
		{"ur no antenna", UR, "00 01 02 aa bb 40", ErrData},
		{"ur two antennas", UR, "03 01 02 aa bb 40", ErrData},
		{"ur missing rssi", UR, "01 01 02 aa bb", ErrData},
		{"ur short fastid", UR, "01 01 84 aa bb cc dd 40", ErrData},
		{"ur no count", UR, "01", ErrData},
	} {
		t.Run(tc.name, func(t *testing.T) {
			keep := []devices.Tag{{EPC: []byte{1}}}
			out, err := AppendTags(keep, tc.v, unhex(tc.data))
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if len(out) != 1 {
				t.Fatalf("a bad frame left %d tags", len(out)-1)
			}
		})
	}
}

func TestStatusError(t *testing.T) {
	err := error(&StatusError{Cmd: CmdSetPower, Status: StatusParameterError})
	var se *StatusError
	if !errors.As(err, &se) || se.Status != 0xFF || !strings.Contains(err.Error(), "parameter error") {
		t.Fatalf("%v", err)
	}
	if s := Status(0x42).String(); !strings.Contains(s, "0x42") {
		t.Fatalf("unknown status named %q", s)
	}
	if StatusNoTag.String() != "no tag operable" {
		t.Fatalf("0xFB is %q", StatusNoTag)
	}
}

func TestCommandLimits(t *testing.T) {
	if _, err := AppendCommand(nil, 0, CmdInventory, make([]byte, 93)); !errors.Is(err, ErrTooLong) {
		t.Fatalf("93 data bytes: %v", err)
	}
	if _, err := PowerData(31); err == nil {
		t.Fatal("31 dBm accepted")
	}
	if _, err := ScanTimeData(200); err == nil {
		t.Fatal("200 ms scan time accepted")
	}
	if _, err := LookupRegion("eu", V2); err == nil {
		t.Fatal("eu accepted for v2")
	}
	if _, err := InventoryCommandData(nil, UR, 9, 4, 0, 10); err == nil {
		t.Fatal("antenna 9 accepted")
	}
}

func TestProfileParses(t *testing.T) {
	set, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Get("chafon-cf-ru5102")
	if !ok {
		t.Fatal("chafon-cf-ru5102 not among the built-in profiles")
	}
	if p.Variant != string(V2) || !p.VersionFits("2.36") || p.VersionFits("3.10") {
		t.Fatalf("profile variant %q version rule %q", p.Variant, p.Match.Version)
	}
	if _, err := New(p); err != nil {
		t.Fatal(err)
	}
}

func TestNewRejects(t *testing.T) {
	base := func() profiles.Profile {
		return profiles.Profile{ID: "t", Codec: "chafon", Kind: profiles.Reader, Reader: &profiles.ReaderSetup{}}
	}
	for _, tc := range []struct {
		name string
		edit func(*profiles.Profile)
	}{
		{"codec", func(p *profiles.Profile) { p.Codec = "r2000" }},
		{"variant", func(p *profiles.Profile) { p.Variant = "v9" }},
		{"no reader", func(p *profiles.Profile) { p.Reader = nil }},
		{"v2 antenna 2", func(p *profiles.Profile) { p.Reader.Antennas = []int{2} }},
		{"ur antenna 9", func(p *profiles.Profile) { p.Variant = "ur"; p.Reader.Antennas = []int{9} }},
		{"power", func(p *profiles.Profile) { p.Reader.PowerDBm = 31 }},
		{"region", func(p *profiles.Profile) { p.Reader.Region = "mars" }},
		{"address", func(p *profiles.Profile) { p.Reader.Address = 256 }},
		{"scan time", func(p *profiles.Profile) { p.Reader.ScanTimeMS = 100 }},
		{"init without hex", func(p *profiles.Profile) { p.Init = []profiles.Command{{Name: "x", Text: "hi"}} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := base()
			tc.edit(&p)
			if _, err := New(p); err == nil {
				t.Fatal("accepted")
			}
		})
	}
	d, err := New(base())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.(devices.Signaller).Signal(true); !errors.Is(err, devices.ErrNotSupported) {
		t.Fatalf("signal without commands: %v", err)
	}
}
