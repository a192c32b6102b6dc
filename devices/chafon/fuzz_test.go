package chafon

import (
	"bytes"
	"testing"
)

// FuzzNextFrame feeds reader output of any shape through the stream
// splitter and the reply parsers: no panics, every frame it returns parses,
// and it always makes progress.
func FuzzNextFrame(f *testing.F) {
	for _, b := range golden(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, stream []byte) {
		buf := stream
		for len(buf) > 0 {
			frame, skip, _ := NextFrame(buf, true)
			if frame == nil {
				if skip != len(buf) {
					t.Fatalf("flush left %d of %d bytes", len(buf)-skip, len(buf))
				}
				return
			}
			rep, err := ParseReply(frame)
			if err != nil {
				t.Fatalf("NextFrame returned % x, which does not parse: %v", frame, err)
			}
			for _, v := range []Variant{V2, UR} {
				tags, err := AppendTags(nil, v, rep.Data)
				if err != nil && len(tags) != 0 {
					t.Fatalf("%s: error %v with %d tags kept", v, err, len(tags))
				}
				for _, tg := range tags {
					if !bytes.Contains(rep.Data, tg.EPC) {
						t.Fatalf("EPC % x not from the frame", tg.EPC)
					}
				}
			}
			_, _ = ParseReaderInfo(rep.Data)
			buf = buf[skip+len(frame):]
		}
	})
}

// FuzzAppendTags decodes inventory data of any shape for both variants.
func FuzzAppendTags(f *testing.F) {
	for _, b := range golden(f) {
		if rep, err := ParseReply(b); err == nil {
			f.Add(rep.Data, false)
			f.Add(rep.Data, true)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte, ur bool) {
		v := V2
		if ur {
			v = UR
		}
		tags, err := AppendTags(nil, v, data)
		if err != nil {
			if len(tags) != 0 {
				t.Fatalf("error %v with %d tags", err, len(tags))
			}
			return
		}
		for _, tg := range tags {
			if ur && (tg.Antenna < 1 || tg.Antenna > 8) {
				t.Fatalf("antenna %d", tg.Antenna)
			}
		}
	})
}

// FuzzParseReaderInfo decodes Get Reader Information data of any shape.
func FuzzParseReaderInfo(f *testing.F) {
	f.Add([]byte{2, 36, 9, 3, 0xb1, 0, 26, 10})
	f.Add([]byte{3, 10, 0x0c, 2, 0x4e, 0, 30, 10, 0x0f, 1, 0, 1})
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := ParseReaderInfo(data)
		if err != nil {
			return
		}
		if info.Band > 15 || info.MaxFreq > 63 || len(info.Version()) < 3 {
			t.Fatalf("info %+v", info)
		}
	})
}
