package hid

import (
	"bytes"
	"errors"
	"testing"
	"unicode/utf8"
)

// FuzzPOSAssembler feeds arbitrary bytes cut into reports of the lengths
// the first byte picks: whatever comes, the assembler must not panic,
// every rejection must wrap ErrBadReport, and a scan it reports must be
// non-empty, within the limit, and carry a valid AIM identifier.
func FuzzPOSAssembler(f *testing.F) {
	for _, r := range readReports(f, "pos_reports.hex") {
		f.Add(append([]byte{64}, r...))
	}
	f.Add(append([]byte{64}, bytes.Join(readReports(f, "pos_reports.hex")[1:4], nil)...))
	f.Add([]byte{40, 2, 1, ']', 'C', '1', 'A'})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		size := int(in[0])%80 + 1
		a := NewPOSAssembler(200)
		for rest := in[1:]; len(rest) > 0; {
			n := min(size, len(rest))
			msg, done, err := a.Feed(rest[:n])
			rest = rest[n:]
			if err != nil {
				if !errors.Is(err, ErrBadReport) || done {
					t.Fatalf("err %v done %v", err, done)
				}
				continue
			}
			if done {
				if len(msg.Data) == 0 || len(msg.Data) > 200 || len(msg.AIMID) != 3 || !validAIM(msg.AIMID[0], msg.AIMID[1], msg.AIMID[2]) {
					t.Fatalf("bad message %+v", msg)
				}
			}
		}
	})
}

// FuzzKeyboardDecoder feeds arbitrary bytes as 8-byte keyboard reports (the
// first byte picks the layout and the terminator): no panic, rejections wrap
// ErrBadReport, and every scan is non-empty UTF-8 without the terminator.
func FuzzKeyboardDecoder(f *testing.F) {
	f.Add(append([]byte{0}, bytes.Join(readReports(f, "keyboard_us.hex"), nil)...))
	f.Add(append([]byte{1}, bytes.Join(readReports(f, "keyboard_de.hex"), nil)...))
	f.Add([]byte{2, 0x04, 0, 0x62, 0, 0, 0, 0, 0, 0x04, 0, 0x59, 0, 0, 0, 0, 0, 0, 0, 0x2b, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		layout, term := LayoutUS(), '\r'
		if in[0]&1 != 0 {
			layout = LayoutDE()
		}
		if in[0]&2 != 0 {
			term = '\t'
		}
		d := NewKeyboardDecoder(layout, term)
		for rest := in[1:]; len(rest) > 0; {
			n := min(KeyboardReportSize, len(rest))
			if in[0]&4 != 0 && len(rest) > 9 {
				n = min(int(rest[0]%10)+1, len(rest)-1) // reports of other lengths too
				rest = rest[1:]
			}
			text, done, err := d.Feed(rest[:n])
			rest = rest[n:]
			if err != nil && (!errors.Is(err, ErrBadReport) || done) {
				t.Fatalf("err %v done %v", err, done)
			}
			if done && (len(text) == 0 || !utf8.Valid(text) || bytes.ContainsRune(text, term)) {
				t.Fatalf("bad scan %q", text)
			}
		}
	})
}

func BenchmarkPOSReports(b *testing.B) {
	reports := readReports(b, "pos_reports.hex")
	size := 0
	for _, r := range reports {
		size += len(r)
	}
	a := NewPOSAssembler(0)
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range reports {
			if _, _, err := a.Feed(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkKeyboardReports(b *testing.B) {
	reports := readReports(b, "keyboard_us.hex")
	d := NewKeyboardDecoder(LayoutUS(), '\r')
	b.SetBytes(int64(len(reports) * KeyboardReportSize))
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range reports {
			if _, _, err := d.Feed(r); err != nil {
				b.Fatal(err)
			}
		}
	}
}
