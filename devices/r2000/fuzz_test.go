package r2000

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzSplitter feeds arbitrary bytes in arbitrary chunks: every packet the
// splitter returns must carry a right Check and re-encode to bytes found in
// the input, and the splitter must always make progress.
func FuzzSplitter(f *testing.F) {
	for _, b := range golden(f) {
		f.Add(b, uint8(3))
	}
	f.Add([]byte{0xA0, 0x00, 0xA0, 0x03, 0x01, 0x72, 0xEA}, uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, chunk uint8) {
		step := int(chunk%16) + 1
		var s Splitter
		for i := 0; i < len(in); i += step {
			s.Feed(in[i:min(i+step, len(in))])
			for range len(in) + 1 {
				p, err := s.Next()
				if errors.Is(err, ErrIncomplete) {
					break
				}
				var fe *FrameError
				if errors.As(err, &fe) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				enc := AppendPacket(nil, p.Addr, p.Cmd, p.Data...)
				if Checksum(enc[:len(enc)-1]) != enc[len(enc)-1] || !bytes.Contains(in, enc) {
					t.Fatalf("packet % X is not in the input", enc)
				}
			}
		}
		if s.Buffered() > len(in) {
			t.Fatalf("%d bytes buffered from %d", s.Buffered(), len(in))
		}
	})
}

// FuzzParseInventory decodes arbitrary inventory packet data: no panic, and
// a tag's EPC is the data between PC and RSSI.
func FuzzParseInventory(f *testing.F) {
	g := golden(f)
	for _, n := range []string{"rt_tag_ant2", "rt_round_end", "rt_antenna_missing", "fs_round_end", "fs_antenna_missing", "fs_tag_ant6"} {
		b := g[n]
		f.Add(b[3], b[4:len(b)-1])
	}
	f.Fuzz(func(t *testing.T, cmd byte, data []byte) {
		var m InventoryMsg
		if err := ParseInventory(Packet{Cmd: cmd, Data: data}, &m); err != nil {
			return
		}
		switch m.Kind {
		case InvTag:
			if !bytes.Equal(m.Tag.EPC, data[3:len(data)-1]) || m.Tag.Antenna < 1 || m.Tag.Antenna > 8 {
				t.Fatalf("tag %+v from % X", m.Tag, data)
			}
		case InvRoundEnd, InvError:
		default:
			t.Fatalf("kind %d", m.Kind)
		}
	})
}

// FuzzParseBufferTag decodes arbitrary buffer packet data without panic.
func FuzzParseBufferTag(f *testing.F) {
	b := golden(f)["buffer_tag"]
	f.Add(b[4 : len(b)-1])
	f.Add([]byte{byte(BufferIsEmptyError)})
	f.Fuzz(func(t *testing.T, data []byte) {
		var bt BufferTag
		if err := ParseBufferTag(Packet{Cmd: CmdGetInventoryBuffer, Data: data}, &bt); err != nil {
			return
		}
		if len(bt.EPC)+4 != int(data[2]) {
			t.Fatalf("EPC %d bytes from DataLen %d", len(bt.EPC), data[2])
		}
	})
}
