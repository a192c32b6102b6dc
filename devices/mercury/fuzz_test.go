package mercury

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzSplitter feeds arbitrary bytes, cut into chunks, and checks that every
// reply the splitter accepts is a well-formed frame of the input.
func FuzzSplitter(f *testing.F) {
	for _, g := range loadGolden(f) {
		f.Add(g.frame, uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		step := int(chunk%16) + 1
		var s Splitter
		frames := 0
		for i := 0; i < len(in); i += step {
			s.Feed(in[i:min(i+step, len(in))])
			for range len(in) + 1 {
				r, err := s.Next()
				if errors.Is(err, ErrNeedMore) {
					break
				}
				if err != nil {
					var fe *FrameError
					if !errors.As(err, &fe) || fe.Skipped < 1 {
						t.Fatalf("error %v", err)
					}
					continue
				}
				frames++
				if len(r.Data) > MaxReplyData {
					t.Fatalf("%d data bytes", len(r.Data))
				}
				if b := AppendReply(nil, r.Op, r.Status, r.Data...); !bytes.Contains(in, b) {
					t.Fatalf("reply % X is not in the input", b)
				}
			}
		}
		if frames*7 > len(in) {
			t.Fatalf("%d frames from %d bytes", frames, len(in))
		}
		_ = s.Flush()
		if s.Buffered() != 0 {
			t.Fatal("flush left bytes")
		}
	})
}

// FuzzTagBuffer walks the records of arbitrary Get Tag Buffer data.
func FuzzTagBuffer(f *testing.F) {
	for _, g := range loadGolden(f) {
		if g.kind == "reply" && g.frame[2] == OpGetTagBuffer {
			f.Add(g.frame[5 : len(g.frame)-2])
		}
	}
	f.Add(append([]byte{0x00, 0x47, 0x00, 0x01}, record(0x47, 0x3000, []byte{1, 2, 3, 4})...))
	f.Fuzz(func(t *testing.T, data []byte) {
		tb, err := ParseTagBuffer(data)
		if err != nil {
			return
		}
		var rec TagRecord
		for range 256 {
			ok, err := tb.Next(&rec)
			if err != nil || !ok {
				return
			}
			if len(rec.EPC) > len(data) || len(rec.Data) > len(data) {
				t.Fatalf("record bigger than its input: %+v", rec)
			}
			if tag := tagOf(&rec); tag.Antenna < 0 || tag.Antenna > 15 {
				t.Fatalf("antenna %d", tag.Antenna)
			}
		}
		t.Fatal("more than 255 records")
	})
}
