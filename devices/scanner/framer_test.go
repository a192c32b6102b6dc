package scanner

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// event is one thing the framer yielded: a scan as "aim|data" or an error.
type event struct {
	scan string
	err  error
}

func (e event) String() string {
	if e.err != nil {
		return "bad:" + e.err.Error()
	}
	return e.scan
}

func collect(t *testing.T, f *Framer) []event {
	t.Helper()
	var out []event
	for {
		s, err := f.Next()
		if errors.Is(err, ErrIncomplete) {
			return out
		}
		if err != nil {
			out = append(out, event{err: err})
			continue
		}
		if s.Symbology != Symbology(s.AIMID) {
			t.Errorf("scan %+v: symbology does not match its AIM id", s)
		}
		out = append(out, event{scan: s.AIMID + "|" + s.Data})
	}
}

// run feeds in whole, then byte by byte, and checks both give want.
func run(t *testing.T, fr profiles.Framing, in []byte, want []event) {
	t.Helper()
	for _, step := range []int{len(in), 1, 2, 3} {
		f, err := NewFramer(fr)
		if err != nil {
			t.Fatal(err)
		}
		var got []event
		for i := 0; i < len(in); i += max(step, 1) {
			f.Feed(in[i:min(i+max(step, 1), len(in))])
			got = append(got, collect(t, f)...)
		}
		if len(got) != len(want) {
			t.Fatalf("step %d: got %v, want %v", step, got, want)
		}
		for i := range want {
			if want[i].err != nil {
				if !errors.Is(got[i].err, want[i].err) {
					t.Errorf("step %d: event %d = %v, want error %v", step, i, got[i], want[i].err)
				}
			} else if got[i].err != nil || got[i].scan != want[i].scan {
				t.Errorf("step %d: event %d = %v, want %v", step, i, got[i], want[i])
			}
		}
	}
}

func scans(s ...string) []event {
	out := make([]event, len(s))
	for i, v := range s {
		out[i] = event{scan: v}
	}
	return out
}

var (
	crlfAIM = profiles.Framing{Suffix: "\r\n", AIM: true}
	crAIM   = profiles.Framing{Suffix: "\r", AIM: true}
	stxETX  = profiles.Framing{STX: true, ETX: true, AIM: true}
	stxCRLF = profiles.Framing{STX: true, Suffix: "\r\n", AIM: true}
	bad     = func(err error) event { return event{err: err} }
)

func TestFramer(t *testing.T) {
	long := "]C0" + strings.Repeat("x", MaxScan+10)
	tests := []struct {
		name string
		fr   profiles.Framing
		in   string
		want []event
	}{
		{"crlf", crlfAIM, "]C1019\r\n]E04006381333931\r\n", scans("]C1|019", "]E0|4006381333931")},
		{"cr", crAIM, "]d2abc\r]Q3def\r", scans("]d2|abc", "]Q3|def")},
		{"tab no aim", profiles.Framing{Suffix: "\t"}, "abc\tdef\t", scans("|abc", "|def")},
		{"empty frames skipped", crlfAIM, "\r\n\r\n]C0a\r\n", scans("]C0|a")},
		{"aim only is empty", crlfAIM, "]C0\r\n]C0a\r\n", scans("]C0|a")},
		{"GS kept in data", crlfAIM, "]C101095060001343521\x1d10AB\r\n", scans("]C1|01095060001343521\x1d10AB")},
		{"missing aim", crlfAIM, "ABC\r\n]C0a\r\n", []event{bad(ErrNoAIM), {scan: "]C0|a"}}},
		{"flipped aim flag", crlfAIM, "\\C0ABC\r\n]C0a\r\n", []event{bad(ErrNoAIM), {scan: "]C0|a"}}},
		{"aim off keeps bracket", crlfAIMOff(), "]C0a\r\n", scans("|]C0a")},
		{"stx etx", stxETX, "\x02]C0a\x03\x02]C0b\x03", scans("]C0|a", "]C0|b")},
		{"stx etx record suffix", profiles.Framing{STX: true, ETX: true, Suffix: "\r\n", AIM: true}, "\x02]C0a\x03\r\n\x02]C0b\r\n\x03", scans("]C0|a", "]C0|b")},
		{"etx only", profiles.Framing{ETX: true, AIM: true}, "]C0a\x03]C0b\x03", scans("]C0|a", "]C0|b")},
		{"missing stx", stxETX, "]C0a\x03\x02]C0b\x03", []event{bad(ErrStray), {scan: "]C0|b"}}},
		{"stray between frames", stxCRLF, "\x02]C0a\r\nzz\x02]C0b\r\n", []event{{scan: "]C0|a"}, bad(ErrStray), {scan: "]C0|b"}}},
		{"dropped terminator", stxCRLF, "\x02]C0a\x02]C0b\r\n", []event{bad(ErrTruncated), {scan: "]C0|b"}}},
		{"prefix", profiles.Framing{Prefix: "@", Suffix: "\r\n", AIM: true}, "@]C0a\r\n]C0b\r\n@]C0c\r\n", []event{{scan: "]C0|a"}, bad(ErrNoPrefix), {scan: "]C0|c"}}},
		{"too long then resync", crlfAIM, long + "\r\n]C0ok\r\n", []event{bad(ErrTooLong), {scan: "]C0|ok"}}},
		{"too long stx", stxETX, "\x02" + long + "\x03\x02]C0ok\x03", []event{bad(ErrTooLong), {scan: "]C0|ok"}}},
		{"just under limit", profiles.Framing{Suffix: "\r\n"}, strings.Repeat("y", MaxScan) + "\r\n", scans("|" + strings.Repeat("y", MaxScan))},
		{"partial kept", crlfAIM, "]C0abc\r", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { run(t, tt.fr, []byte(tt.in), tt.want) })
	}
}

func crlfAIMOff() profiles.Framing { return profiles.Framing{Suffix: "\r\n"} }

func TestNewFramerRejects(t *testing.T) {
	for _, fr := range []profiles.Framing{{}, {AIM: true}, {STX: true, Prefix: "\x02", Suffix: "\r"}} {
		if _, err := NewFramer(fr); err == nil {
			t.Errorf("NewFramer(%+v) accepted", fr)
		}
	}
}

func TestReset(t *testing.T) {
	f, _ := NewFramer(crlfAIM)
	f.Feed([]byte("]C0half"))
	f.Reset()
	f.Feed([]byte("]C0a\r\n"))
	if got := collect(t, f); len(got) != 1 || got[0].scan != "]C0|a" {
		t.Fatalf("after Reset got %v", got)
	}
}

// readHex reads a golden file: '#' lines are comments naming the source.
func readHex(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h strings.Builder
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		h.WriteString(strings.ReplaceAll(line, " ", ""))
	}
	out, err := hex.DecodeString(h.String())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return out
}

func TestGolden(t *testing.T) {
	tests := map[string]struct {
		fr   profiles.Framing
		want []devices.Scan
	}{
		"aim-code39-fullascii.hex": {crlfAIM, []devices.Scan{{AIMID: "]A7", Symbology: "Code 39", Data: "AimId"}}},
		"aim-trioptic.hex":         {crlfAIM, []devices.Scan{{AIMID: "]X0", Symbology: "Other", Data: "412356"}}},
		"aim-gs1-128.hex":          {crlfAIM, []devices.Scan{{AIMID: "]C1", Symbology: "GS1-128", Data: "AimId"}}},
		"gs1-datamatrix-stx-etx.hex": {profiles.Framing{STX: true, ETX: true, Suffix: "\r\n", AIM: true},
			[]devices.Scan{{AIMID: "]d2", Symbology: "GS1 DataMatrix", Data: "0109506000134352" + "10ABC123\x1d"}}},
		"ean13-split-cr.hex": {crAIM, []devices.Scan{
			{AIMID: "]E0", Symbology: "EAN/UPC", Data: "4006381333931"},
			{AIMID: "]E0", Symbology: "EAN/UPC", Data: "4006381333931"}}},
		"prefix-tab-noaim.hex": {profiles.Framing{Prefix: "#", Suffix: "\t"}, []devices.Scan{{Data: "PN-1234"}, {Data: "A-9"}}},
	}
	files, _ := filepath.Glob("testdata/*.hex")
	if len(files) != len(tests) {
		t.Fatalf("%d golden files, %d expectations", len(files), len(tests))
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			f, err := NewFramer(tt.fr)
			if err != nil {
				t.Fatal(err)
			}
			f.Feed(readHex(t, filepath.Join("testdata", name)))
			var got []devices.Scan
			for {
				s, err := f.Next()
				if errors.Is(err, ErrIncomplete) {
					break
				}
				if err != nil {
					t.Fatalf("bad frame: %v", err)
				}
				got = append(got, s)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %s, want %s", fmt.Sprint(got), fmt.Sprint(tt.want))
			}
		})
	}
}
