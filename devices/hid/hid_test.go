package hid

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// readReports loads a testdata file: one hex report per line, # comments.
func readReports(t testing.TB, name string) [][]byte {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		b, err := hex.DecodeString(strings.ReplaceAll(line, " ", ""))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, b)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func posReport(aim string, data string, continued bool) []byte {
	r := make([]byte, POSReportSize)
	r[0], r[1] = POSReportID, byte(len(data))
	copy(r[2:5], aim)
	copy(r[5:], data)
	if continued {
		r[63] = 1
	}
	return r
}

func TestParsePOSReport(t *testing.T) {
	good := posReport("]C1", "0109506000134352", false)
	cases := []struct {
		name  string
		mod   func(b []byte) []byte
		valid bool
	}{
		{"good", func(b []byte) []byte { return b }, true},
		{"short", func(b []byte) []byte { return b[:63] }, false},
		{"long", func(b []byte) []byte { return append(b, 0) }, false},
		{"report id", func(b []byte) []byte { b[0] = 0x04; return b }, false},
		{"length 57", func(b []byte) []byte { b[1] = 57; return b }, false},
		{"length 56", func(b []byte) []byte { b[1] = 56; return b }, true},
		{"no bracket", func(b []byte) []byte { b[2] = 'C'; return b }, false},
		{"unassigned code character", func(b []byte) []byte { b[3] = 'W'; return b }, false},
		{"bad modifier", func(b []byte) []byte { b[4] = 'a'; return b }, false},
		{"reserved flags", func(b []byte) []byte { b[63] = 0x80; return b }, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := c.mod(bytes.Clone(good))
			r, err := ParsePOSReport(b)
			if c.valid != (err == nil) {
				t.Fatalf("valid=%v, err=%v", c.valid, err)
			}
			if err != nil && !errors.Is(err, ErrBadReport) {
				t.Fatalf("error %v does not wrap ErrBadReport", err)
			}
			if err == nil && string(r.AIM[:]) != "]C1" {
				t.Fatalf("AIM %q", r.AIM[:])
			}
		})
	}
}

type scanOrErr struct {
	scan devices.Scan
	bad  bool
}

func feedPOS(reports [][]byte) []scanOrErr {
	a := NewPOSAssembler(0)
	var out []scanOrErr
	for _, r := range reports {
		msg, done, err := a.Feed(r)
		switch {
		case err != nil:
			out = append(out, scanOrErr{bad: true})
		case done:
			out = append(out, scanOrErr{scan: devices.Scan{Data: string(msg.Data), AIMID: msg.AIMID, Symbology: msg.Symbology}})
		}
	}
	return out
}

func TestPOSGolden(t *testing.T) {
	dm := "0109506000134352" + "17251200" + "10LOT-0001\x1d" + "21" + strings.Repeat("S", 30) + "\x1d" + "91" + strings.Repeat("X", 60)
	dm = dm[:120]
	revinf := "Product Name: Voyager 1602g\r\nBoot Revision: : 8992\r\nSoftware Part Number: CW000082BBA\r\n" +
		"Software Revision: $ProjectRevision: 16345 \r\nSerial Number: 15232B1F0C\r\nSupported IF: Bluetooth\r\n" +
		"PCB Assembly ID: 000000\r\nEngine Firmware Type: N/A   Revision: N/A   Serial Number: N/A   Checksum: N/A\r\n"
	want := []devices.Scan{
		{Data: "010950600013435217251200\x1d10ABC123", AIMID: "]C1", Symbology: "GS1-128"},
		{Data: dm, AIMID: "]d2", Symbology: "GS1 DataMatrix"},
		{Data: fmt.Sprintf("%-56s>5 0", "M1GATHERGOOD/MICHAEL YABCDEF LHRDURAK 3542 052Y003D23"), AIMID: "]Q0", Symbology: "QR Code"},
		{Data: revinf, AIMID: "]X0", Symbology: "Other"},
		{Data: "REVINF\x06.", AIMID: "]Z6", Symbology: "Non-barcode"},
	}
	got := feedPOS(readReports(t, "pos_reports.hex"))
	if len(got) != len(want) {
		t.Fatalf("got %d results, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].bad || got[i].scan != want[i] {
			t.Errorf("scan %d:\n got %+v\nwant %+v", i+1, got[i], want[i])
		}
	}
}

func TestPOSResync(t *testing.T) {
	long := strings.Repeat("A", 56) + strings.Repeat("B", 56) + "CC"
	part := func(i int, cont bool) []byte {
		end := min(len(long), (i+1)*56)
		return posReport("]C0", long[i*56:end], cont)
	}
	garble := func(b []byte) []byte { b = bytes.Clone(b); b[0] = 0x07; return b }
	cases := []struct {
		name    string
		reports [][]byte
		want    []string // "" marks a bad report
	}{
		{"whole", [][]byte{part(0, true), part(1, true), part(2, false)}, []string{long}},
		{"middle report garbled", [][]byte{part(0, true), garble(part(1, true)), part(2, false), posReport("]E0", "4006381333931", false)},
			[]string{"", "", "4006381333931"}},
		{"first report garbled", [][]byte{garble(part(0, true)), part(1, true), part(2, false), posReport("]E0", "4006381333931", false)},
			[]string{"", "", "", "4006381333931"}},
		{"cut short, then a new scan is skipped too", [][]byte{part(0, true)[:40], posReport("]E0", "4006381333931", false), posReport("]E0", "4006381333931", false)},
			[]string{"", "", "4006381333931"}},
		{"last report garbled", [][]byte{part(0, true), part(1, true), garble(part(2, false)), posReport("]E0", "4006381333931", false)},
			[]string{"", "4006381333931"}},
		{"symbology changes mid-scan", [][]byte{part(0, true), posReport("]E0", "4006381333931", false), posReport("]E0", "4006381333931", false)},
			[]string{"", "4006381333931"}},
		{"empty scan", [][]byte{posReport("]C0", "", false)}, []string{""}},
		{"AIM repeated in data", [][]byte{posReport("]C0", "]C0ABC", false)}, []string{"ABC"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, r := range feedPOS(c.reports) {
				if r.bad {
					got = append(got, "")
				} else {
					got = append(got, r.scan.Data)
				}
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("got %q, want %q", got, c.want)
			}
		})
	}
	t.Run("too long", func(t *testing.T) {
		a := NewPOSAssembler(100)
		for _, r := range [][]byte{part(0, true), part(1, true)} {
			_, _, err := a.Feed(r)
			if r[1] == 56 && err != nil && !strings.Contains(err.Error(), "longer") {
				t.Fatal(err)
			}
		}
		if _, _, err := a.Feed(part(2, false)); err == nil {
			t.Fatal("the rest of an over-long scan was not skipped")
		}
	})
}

func feedKeyboard(l *Layout, reports [][]byte) (scans []string, bad int) {
	d := NewKeyboardDecoder(l, '\r')
	for _, r := range reports {
		text, done, err := d.Feed(r)
		if err != nil {
			bad++
		}
		if done {
			scans = append(scans, string(text))
		}
	}
	return scans, bad
}

func TestKeyboardGolden(t *testing.T) {
	cases := []struct {
		file   string
		layout *Layout
		want   []string
	}{
		{"keyboard_us.hex", LayoutUS(), []string{"]C10109506000134352\x1d10ABC-123", "]d210lot/x\x1d21s;9?"}},
		{"keyboard_de.hex", LayoutDE(), []string{"]C10109506000134352\x1d10XYZ-zy", "]d210a/b:c\x1d21#ö@", "10Zy-/:#"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			got, bad := feedKeyboard(c.layout, readReports(t, c.file))
			if bad != 0 {
				t.Errorf("%d bad reports", bad)
			}
			if strings.Join(got, "|") != strings.Join(c.want, "|") {
				t.Fatalf("got %q\nwant %q", got, c.want)
			}
		})
	}
}

// A scanner set to German typing into a decoder set to US gives other
// characters: the layout must match the scanner's.
func TestKeyboardWrongLayout(t *testing.T) {
	reports := readReports(t, "keyboard_de.hex")
	right, _ := feedKeyboard(LayoutDE(), reports)
	wrong, _ := feedKeyboard(LayoutUS(), reports)
	want := []string{"]C10109506000134352\x1d10XYZ-zy", "]d210a/b:c\x1d21#ö@", "10Zy-/:#"}
	if strings.Join(right, "|") != strings.Join(want, "|") {
		t.Fatalf("DE decode: %q", right)
	}
	// On US, ] and @ need AltGr, which US does not have: right Alt is Alt,
	// and Alt+letter is no text, so scans 1 and 2 are spoilt. Scan 3 types
	// on keys whose legends differ: Y for Z, / for -, and so on.
	if len(wrong) != 1 || wrong[0] != "10Yz/&>\\" {
		t.Fatalf("US decode of a DE scan: %q", wrong)
	}
}

func kb(mods byte, keys ...byte) []byte {
	r := make([]byte, KeyboardReportSize)
	r[0] = mods
	copy(r[2:], keys)
	return r
}

func TestKeyboardEvents(t *testing.T) {
	up := kb(0)
	cases := []struct {
		name    string
		layout  *Layout
		reports [][]byte
		want    []string
		bad     int
	}{
		{"held key types once", LayoutUS(), [][]byte{kb(0, 0x04), kb(0, 0x04), kb(0, 0x04, 0x05), kb(0, 0x05), up, kb(0, 0x28), up}, []string{"ab"}, 0},
		{"same key twice needs a release", LayoutUS(), [][]byte{kb(0, 0x04), up, kb(0, 0x04), up, kb(0, 0x28), up}, []string{"aa"}, 0},
		{"phantom rollover ignored", LayoutUS(), [][]byte{kb(0, 0x04), kb(0, 1, 1, 1, 1, 1, 1), kb(0, 0x04), up, kb(0, 0x28)}, []string{"a"}, 0},
		{"keypad enter ends", LayoutUS(), [][]byte{kb(0, 0x59), up, kb(0, 0x58)}, []string{"1"}, 0},
		{"ctrl+] is GS on US", LayoutUS(), [][]byte{kb(0, 0x04), up, kb(0x01, 0x30), up, kb(0, 0x05), up, kb(0, 0x28)}, []string{"a\x1db"}, 0},
		{"right ctrl too", LayoutUS(), [][]byte{kb(0x10, 0x30), up, kb(0, 0x05), up, kb(0, 0x28)}, []string{"\x1db"}, 0},
		{"ctrl+m ends like enter", LayoutUS(), [][]byte{kb(0, 0x05), up, kb(0x01, 0x10), up}, []string{"b"}, 0},
		{"alt+0196 is Ä in Windows-1252", LayoutUS(), [][]byte{kb(0x04), kb(0x04, 0x62), kb(0x04, 0x59), kb(0x04, 0x61), kb(0x04, 0x5e), kb(0x04), up, kb(0, 0x28)}, []string{"Ä"}, 0},
		{"alt+142 is Ä in code page 437", LayoutUS(), [][]byte{kb(0x04, 0x59), kb(0x04, 0x5c), kb(0x04, 0x5a), up, kb(0, 0x28)}, []string{"Ä"}, 0},
		{"alt+0013 ends the scan", LayoutUS(), [][]byte{kb(0, 0x04), up, kb(0x04, 0x62), kb(0x04, 0x62), kb(0x04, 0x59), kb(0x04, 0x5b), up}, []string{"a"}, 0},
		{"alt+0129 is unassigned", LayoutUS(), [][]byte{kb(0x04, 0x62), kb(0x04, 0x59), kb(0x04, 0x5a), kb(0x04, 0x61), up, kb(0, 0x04), up, kb(0, 0x28), up, kb(0, 0x05), up, kb(0, 0x28)}, []string{"b"}, 1},
		{"alt+letter spoils", LayoutUS(), [][]byte{kb(0x04, 0x04), up, kb(0, 0x28), up, kb(0, 0x05), up, kb(0, 0x28)}, []string{"b"}, 1},
		{"lock keys type nothing", LayoutUS(), [][]byte{kb(0, 0x39), up, kb(0, 0x04), up, kb(0, 0x53), up, kb(0, 0x28)}, []string{"a"}, 0},
		{"unmapped key spoils until enter", LayoutUS(), [][]byte{kb(0, 0x04), up, kb(0, 0x3a), up, kb(0, 0x05), up, kb(0, 0x28), up, kb(0, 0x06), up, kb(0, 0x28)}, []string{"c"}, 1},
		{"short report spoils", LayoutUS(), [][]byte{kb(0, 0x04), up[:7], kb(0, 0x05), up, kb(0, 0x28), up, kb(0, 0x06), up, kb(0, 0x28)}, []string{"c"}, 1},
		{"enter alone is no scan", LayoutUS(), [][]byte{kb(0, 0x28), up, kb(0, 0x04), up, kb(0, 0x28)}, []string{"a"}, 0},
		{"crlf suffix", LayoutUS(), [][]byte{kb(0, 0x04), up, kb(0, 0x28), up, kb(0x01, 0x0d), up, kb(0, 0x05), up, kb(0, 0x28)}, []string{"a", "b"}, 0},
		{"de: y and z swapped", LayoutDE(), [][]byte{kb(0, 0x1c), up, kb(0, 0x1d), up, kb(0, 0x28)}, []string{"zy"}, 0},
		{"de: ctrl+altgr+9 is GS", LayoutDE(), [][]byte{kb(0x41, 0x26), up, kb(0, 0x28)}, []string{"\x1d"}, 0},
		{"de: ctrl+alt is altgr", LayoutDE(), [][]byte{kb(0x05, 0x14), up, kb(0, 0x28)}, []string{"@"}, 0},
		{"de: dead ^ then a", LayoutDE(), [][]byte{kb(0, 0x35), up, kb(0, 0x04), up, kb(0, 0x28)}, []string{"â"}, 0},
		{"de: dead ^ then space", LayoutDE(), [][]byte{kb(0, 0x35), up, kb(0, 0x2c), up, kb(0, 0x28)}, []string{"^"}, 0},
		{"de: dead ´ then b", LayoutDE(), [][]byte{kb(0, 0x2e), up, kb(0, 0x05), up, kb(0, 0x28)}, []string{"´b"}, 0},
		{"de: shifted dead ` then e", LayoutDE(), [][]byte{kb(0x02, 0x2e), up, kb(0, 0x08), up, kb(0, 0x28)}, []string{"è"}, 0},
		{"de: keypad comma", LayoutDE(), [][]byte{kb(0, 0x63), up, kb(0, 0x28)}, []string{","}, 0},
		{"de: right alt is altgr, not alt", LayoutDE(), [][]byte{kb(0x40, 0x08), up, kb(0, 0x28)}, []string{"€"}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, bad := feedKeyboard(c.layout, c.reports)
			if strings.Join(got, "|") != strings.Join(c.want, "|") || bad != c.bad {
				t.Fatalf("got %q with %d bad, want %q with %d bad", got, bad, c.want, c.bad)
			}
		})
	}
}

func TestKeyboardTabTerminator(t *testing.T) {
	d := NewKeyboardDecoder(LayoutUS(), '\t')
	var got []string
	for _, r := range [][]byte{kb(0, 0x04), kb(0), kb(0, 0x28), kb(0), kb(0, 0x05), kb(0), kb(0, 0x2b), kb(0)} {
		text, done, err := d.Feed(r)
		if err != nil {
			t.Fatal(err)
		}
		if done {
			got = append(got, string(text))
		}
	}
	if len(got) != 1 || got[0] != "a\rb" {
		t.Fatalf("got %q", got)
	}
}

func TestCodePages(t *testing.T) {
	if n := len([]rune(cp1252High)); n != 128 {
		t.Fatalf("cp1252High has %d runes", n)
	}
	if n := len([]rune(cp437High)); n != 128 {
		t.Fatalf("cp437High has %d runes", n)
	}
	for code, want := range map[int]rune{0x80: '€', 0x9f: 'Ÿ', 0xc4: 'Ä', 0xdf: 'ß', 0xff: 'ÿ'} {
		if r := nthRune(cp1252High, code-0x80); r != want {
			t.Errorf("1252 0x%x = %q, want %q", code, r, want)
		}
	}
	for code, want := range map[int]rune{0x80: 'Ç', 0x8e: 'Ä', 0x9a: 'Ü', 0xe1: 'ß', 0xff: '\u00a0'} {
		if r := nthRune(cp437High, code-0x80); r != want {
			t.Errorf("437 0x%x = %q, want %q", code, r, want)
		}
	}
}

func TestValidAIM(t *testing.T) {
	for aim, want := range map[string]bool{
		"]C1": true, "]C0": true, "]d2": true, "]E0": true, "]z0": true, "]Z6": true, "]QA": true,
		"]W0": false, "C10": false, "]Ca": false, "]C-": false, "]\xc30": false,
	} {
		if got := validAIM(aim[0], aim[1], aim[2]); got != want {
			t.Errorf("validAIM(%q) = %v, want %v", aim, got, want)
		}
	}
}

func TestSplitKeyboardScan(t *testing.T) {
	cases := []struct {
		text, prefix string
		aim          bool
		want         devices.Scan
		bad          bool
	}{
		{"]C1010950600013435210A", "", true, devices.Scan{Data: "010950600013435210A", AIMID: "]C1", Symbology: "GS1-128"}, false},
		{"]C1", "", true, devices.Scan{}, true},
		{"0109506000134352", "", true, devices.Scan{}, true},
		{"]C1X", "", false, devices.Scan{Data: "]C1X"}, false},
		{"@@]E04006381333931", "@@", true, devices.Scan{Data: "4006381333931", AIMID: "]E0", Symbology: "EAN/UPC"}, false},
		{"]E04006381333931", "@@", true, devices.Scan{}, true},
	}
	for _, c := range cases {
		s, err := SplitKeyboardScan(c.text, c.prefix, c.aim)
		if c.bad != (err != nil) || s != c.want {
			t.Errorf("SplitKeyboardScan(%q, %q, %v) = %+v, %v", c.text, c.prefix, c.aim, s, err)
		}
	}
}

// replayLink is a devices.Link that hands out recorded reports one per Read,
// then times out like an idle device.
type replayLink struct {
	mu      sync.Mutex
	reports [][]byte
	drained chan struct{}
	timeout time.Duration
	failAt  int // Read number that fails with a link error; 0 never
	reads   int
}

func newReplayLink(reports [][]byte) *replayLink {
	return &replayLink{reports: reports, drained: make(chan struct{})}
}

func (l *replayLink) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads++
	if l.failAt > 0 && l.reads == l.failAt {
		return 0, errors.New("usb: no device")
	}
	if len(l.reports) == 0 {
		select {
		case <-l.drained:
		default:
			close(l.drained)
		}
		l.mu.Unlock()
		time.Sleep(time.Millisecond)
		l.mu.Lock()
		return 0, devices.ErrTimeout
	}
	n := copy(p, l.reports[0])
	l.reports = l.reports[1:]
	return n, nil
}

func (l *replayLink) Write(p []byte) (int, error) { return 0, errors.New("replay link is read-only") }
func (l *replayLink) Close() error                { return nil }
func (l *replayLink) SetReadTimeout(d time.Duration) error {
	l.mu.Lock()
	l.timeout = d
	l.mu.Unlock()
	return nil
}

func loadProfile(t testing.TB, id string) profiles.Profile {
	t.Helper()
	name := filepath.Join("..", "..", "firmware-profiles", id+".yaml")
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := profiles.Parse(id+".yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func runDriver(t *testing.T, p profiles.Profile, link *replayLink) (*devicetest.Recorder, error) {
	t.Helper()
	drv, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := drv.Configure(ctx, link); err != nil {
		t.Fatal(err)
	}
	rec := &devicetest.Recorder{}
	done := make(chan error, 1)
	go func() { done <- drv.Run(ctx, link, rec) }()
	select {
	case <-link.drained:
		cancel()
		err = <-done
	case err = <-done:
	}
	return rec, err
}

func TestPOSDriver(t *testing.T) {
	p := loadProfile(t, "honeywell-hid-pos")
	reports := readReports(t, "pos_reports.hex")
	// A garbled copy of the first report in front: counted, nothing reported.
	bad := bytes.Clone(reports[0])
	bad[1] = 0xff
	link := newReplayLink(append([][]byte{bad}, reports...))
	rec, err := runDriver(t, p, link)
	if err != nil {
		t.Fatal(err)
	}
	want := feedPOS(reports)
	if len(rec.Scans()) != len(want) {
		t.Fatalf("%d scans, want %d", len(rec.Scans()), len(want))
	}
	for i := range want {
		if rec.Scans()[i] != want[i].scan {
			t.Errorf("scan %d: %+v, want %+v", i, rec.Scans()[i], want[i].scan)
		}
	}
	if len(rec.BadFrames()) != 1 || !errors.Is(rec.BadFrames()[0], ErrBadReport) || rec.Frames() != len(reports) {
		t.Fatalf("frames %d (want %d), bad %v", rec.Frames(), len(reports), rec.BadFrames())
	}
	if link.timeout <= 0 || link.timeout > 250*time.Millisecond {
		t.Fatalf("read timeout %v: Run could not return promptly", link.timeout)
	}
}

func TestKeyboardDriver(t *testing.T) {
	p := loadProfile(t, "generic-hid-keyboard")
	reports := readReports(t, "keyboard_us.hex")
	link := newReplayLink(append(reports, []byte{0, 0, 4}))
	rec, err := runDriver(t, p, link)
	if err != nil {
		t.Fatal(err)
	}
	want := []devices.Scan{
		{Data: "0109506000134352\x1d10ABC-123", AIMID: "]C1", Symbology: "GS1-128"},
		{Data: "10lot/x\x1d21s;9?", AIMID: "]d2", Symbology: "GS1 DataMatrix"},
	}
	if len(rec.Scans()) != len(want) || rec.Scans()[0] != want[0] || rec.Scans()[1] != want[1] {
		t.Fatalf("scans %+v, want %+v", rec.Scans(), want)
	}
	// The phantom report counts as a good frame: it is well-formed.
	if len(rec.BadFrames()) != 1 || rec.Frames() != len(reports) {
		t.Fatalf("frames %d (want %d), bad %v", rec.Frames(), len(reports), rec.BadFrames())
	}

	p.Framing.Layout = "de"
	rec, err = runDriver(t, p, newReplayLink(readReports(t, "keyboard_de.hex")))
	if err != nil {
		t.Fatal(err)
	}
	// Scan 3 has no AIM identifier although the profile says the scanner
	// sends one: it is a bad frame.
	if len(rec.Scans()) != 2 || rec.Scans()[0].Data != "0109506000134352\x1d10XYZ-zy" || rec.Scans()[1].Data != "10a/b:c\x1d21#ö@" || len(rec.BadFrames()) != 1 {
		t.Fatalf("DE scans %+v, bad %v", rec.Scans(), rec.BadFrames())
	}
}

func TestDriverLinkFailure(t *testing.T) {
	p := loadProfile(t, "honeywell-hid-pos")
	link := newReplayLink(readReports(t, "pos_reports.hex"))
	link.failAt = 3
	_, err := runDriver(t, p, link)
	if err == nil || !strings.Contains(err.Error(), "no device") {
		t.Fatalf("Run returned %v, want the link's error", err)
	}
}

func TestNewRejects(t *testing.T) {
	pos := loadProfile(t, "honeywell-hid-pos")
	kbd := loadProfile(t, "generic-hid-keyboard")
	cases := []struct {
		name string
		p    profiles.Profile
		mod  func(p *profiles.Profile)
	}{
		{"other codec", pos, func(p *profiles.Profile) { p.Codec = "zebra-ssi" }},
		{"serial transport", pos, func(p *profiles.Profile) { p.Transport.Type = "serial" }},
		{"reader", pos, func(p *profiles.Profile) { p.Kind = profiles.Reader }},
		{"pos with suffix", pos, func(p *profiles.Profile) { p.Framing.Suffix = "\r" }},
		{"pos with init", pos, func(p *profiles.Profile) { p.Init = []profiles.Command{{Name: "x", Hex: "00"}} }},
		{"french layout", kbd, func(p *profiles.Profile) { p.Framing.Layout = "fr" }},
		{"no layout", kbd, func(p *profiles.Profile) { p.Framing.Layout = "" }},
		{"odd suffix", kbd, func(p *profiles.Profile) { p.Framing.Suffix = ";" }},
		{"keyboard etx", kbd, func(p *profiles.Profile) { p.Framing.ETX = true }},
	}
	for _, c := range cases {
		p := c.p
		p.Init = nil
		c.mod(&p)
		if _, err := New(p); err == nil {
			t.Errorf("%s: New accepted it", c.name)
		}
	}
	for _, p := range []profiles.Profile{pos, kbd} {
		if _, err := New(p); err != nil {
			t.Errorf("%s: %v", p.ID, err)
		}
	}
}

func TestLayoutByName(t *testing.T) {
	for _, n := range []string{"us", "de"} {
		l, err := LayoutByName(n)
		if err != nil || l.Name() != n {
			t.Fatalf("%s: %v", n, err)
		}
	}
	if LayoutUS() == LayoutUS() {
		t.Fatal("layouts must be fresh values, not shared state")
	}
	if r, _ := LayoutUS().Rune(0xff, false, false); r != 0 {
		t.Fatalf("usage beyond the table typed %q", r)
	}
}
