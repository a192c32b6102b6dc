package mercuryemu

import (
	"bytes"
	"encoding/hex"
	"strings"
	"testing"
)

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Frames from the M6e Nano transport logs in SparkFun's Simultaneous RFID
// Tag Reader library ("Example Communication Logs", 2016).
var captured = []string{
	"FF 00 03 1D 0C",
	"FF 14 03 00 00 14 12 08 00 30 00 00 02 20 15 03 10 01 03 01 47 00 00 00 10 EB FF",
	"FF 02 92 0A 8C 4B D5",
	"FF 00 92 00 00 27 3B",
	"FF 05 22 00 00 13 01 F4 2B 19",
	"FF 07 22 00 00 00 00 13 00 00 00 01 8B 58",
	"FF 00 22 04 00 84 E0",
	"FF 03 29 01 FF 00 1B 03",
	"FF 1E 29 00 00 01 FF 00 01 11 DD 11 0E 08 30 00 00 00 08 00 00 05 00 00 0F 00 40 10 00 59 6F 59 6F F3 13 16 C0",
	"FF 09 71 00 00 0D 04 05 06 08 09 0B 0C FF A4 C7",
}

func TestFrameCRCMatchesCaptures(t *testing.T) {
	for _, s := range captured {
		b := unhex(t, s)
		c := frameCRC(b[1 : len(b)-2])
		if b[len(b)-2] != byte(c>>8) || b[len(b)-1] != byte(c) {
			t.Errorf("%s: CRC %04X", s, c)
		}
	}
	// A reply the emulator builds must be the captured one, byte for byte.
	want := unhex(t, captured[1])
	if got := replyFrame(0x03, 0, want[5:len(want)-2]); !bytes.Equal(got, want) {
		t.Fatalf("replyFrame % X", got)
	}
	if !isWholeReply(want) || isWholeReply(want[:len(want)-1]) {
		t.Fatal("isWholeReply")
	}
}

func TestGen2CRCMatchesCaptures(t *testing.T) {
	cases := map[string]uint16{
		"1000596F596F":                 0xF313,
		"3000E2001026760E017915907125": 0x1985,
		"3000000000000000000000001545": 0xE94A,
	}
	for in, want := range cases {
		if got := gen2CRC(unhex(t, in)); got != want {
			t.Errorf("%s: %04X, want %04X", in, got, want)
		}
	}
}

func TestCutCommand(t *testing.T) {
	version := unhex(t, "FF 00 03 1D 0C")
	power := unhex(t, "FF 02 92 0A 8C 4B D5")
	badCRC := unhex(t, "FF 02 92 0A 8C 4B D4")
	cases := []struct {
		name  string
		in    []byte
		ops   []byte
		left  int
		datas [][]byte
	}{
		{"one", version, []byte{0x03}, 0, [][]byte{{}}},
		{"two", append(append([]byte(nil), power...), version...), []byte{0x92, 0x03}, 0, [][]byte{{0x0A, 0x8C}, {}}},
		{"noise first", append([]byte{1, 2, 3}, power...), []byte{0x92}, 0, [][]byte{{0x0A, 0x8C}}},
		{"bad CRC skipped", append(append([]byte(nil), badCRC...), version...), []byte{0x03}, 0, [][]byte{{}}},
		{"wake-up preamble of FF bytes", append(bytes.Repeat([]byte{0xFF}, 8), version...), []byte{0x03}, 0, [][]byte{{}}},
		{"partial", power[:4], nil, 4, nil},
	}
	for _, c := range cases {
		buf := append([]byte(nil), c.in...)
		var ops []byte
		var datas [][]byte
		for {
			drop, cmd, found := cutCommand(buf)
			buf = buf[drop:]
			if !found {
				break
			}
			ops = append(ops, cmd.op)
			datas = append(datas, cmd.data)
		}
		if !bytes.Equal(ops, c.ops) || len(buf) != c.left {
			t.Errorf("%s: ops % X left %d", c.name, ops, len(buf))
		}
		for i := range datas {
			if !bytes.Equal(datas[i], c.datas[i]) {
				t.Errorf("%s: data %d % X", c.name, i, datas[i])
			}
		}
	}
}

// FuzzCutCommand checks the command parser on arbitrary host bytes: it
// always moves on, and each command it returns was framed in the input.
func FuzzCutCommand(f *testing.F) {
	for _, s := range captured {
		f.Add(unhex(f, s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		buf := append([]byte(nil), in...)
		for len(buf) > 0 {
			drop, cmd, found := cutCommand(buf)
			if drop < 0 || drop > len(buf) {
				t.Fatalf("drop %d of %d", drop, len(buf))
			}
			if found {
				if len(cmd.data) > maxCommandData {
					t.Fatalf("%d data bytes", len(cmd.data))
				}
				frame := append([]byte{soh, byte(len(cmd.data)), cmd.op}, cmd.data...)
				c := frameCRC(frame[1:])
				if !bytes.Contains(in, append(frame, byte(c>>8), byte(c))) {
					t.Fatal("command not framed in the input")
				}
			}
			if !found {
				if drop == 0 {
					return // a partial frame waits for more bytes
				}
			}
			buf = buf[drop:]
		}
	})
}
