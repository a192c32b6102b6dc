package scanner

import (
	"bytes"
	"errors"
	"testing"

	"github.com/partsedge/partsedge/devices/gs1"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

var fuzzFramings = []profiles.Framing{
	crlfAIM,
	crAIM,
	stxETX,
	stxCRLF,
	{STX: true, ETX: true, Suffix: "\r\n", AIM: true},
	{Prefix: "@", Suffix: "\t"},
}

// FuzzFramer checks the framer on outside bytes: no panic, the same result
// however the bytes are split across reads, and nothing reported that the
// framing rules out.
func FuzzFramer(f *testing.F) {
	f.Add(uint8(0), []byte("]C1019\r\n]E04006381333931\r\n"))
	f.Add(uint8(2), []byte("\x02]C0a\x03zz\x02]C0b"))
	f.Add(uint8(4), []byte("\x02]d2abc\x03\r\n\x02]Q3x\r\n\x03"))
	f.Add(uint8(5), []byte("@PN\t\t@x\tq\t"))
	f.Fuzz(func(t *testing.T, which uint8, in []byte) {
		fr := fuzzFramings[int(which)%len(fuzzFramings)]
		whole, _ := NewFramer(fr)
		whole.Feed(in)
		want := drainAll(t, whole, fr)
		bytewise, _ := NewFramer(fr)
		var got []event
		for i := range in {
			bytewise.Feed(in[i : i+1])
			got = append(got, drainAll(t, bytewise, fr)...)
		}
		if len(got) != len(want) {
			t.Fatalf("split reads gave %d events, whole gave %d", len(got), len(want))
		}
		for i := range want {
			if got[i].scan != want[i].scan || (got[i].err == nil) != (want[i].err == nil) {
				t.Fatalf("event %d: split %v, whole %v", i, got[i], want[i])
			}
		}
	})
}

func drainAll(t *testing.T, f *Framer, fr profiles.Framing) []event {
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
		if s.Data == "" {
			t.Fatalf("empty scan reported")
		}
		if len(s.AIMID)+len(s.Data) > MaxScan {
			t.Fatalf("scan of %d bytes passed the limit", len(s.Data))
		}
		if fr.AIM != gs1.ValidAIM(s.AIMID) {
			t.Fatalf("AIM id %q with framing AIM %v", s.AIMID, fr.AIM)
		}
		if fr.ETX && bytes.IndexByte([]byte(s.Data), ETX) >= 0 {
			t.Fatalf("data %q holds the ETX terminator", s.Data)
		}
		if !fr.ETX && bytes.Contains([]byte(s.Data), []byte(fr.Suffix)) {
			t.Fatalf("data %q holds the suffix", s.Data)
		}
		if fr.STX && bytes.IndexByte([]byte(s.Data), STX) >= 0 {
			t.Fatalf("data %q holds STX", s.Data)
		}
		out = append(out, event{scan: s.AIMID + "|" + s.Data})
	}
}
