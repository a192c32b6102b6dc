package chafonemu

import (
	"bytes"
	"context"
	"encoding/hex"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func cmdFrame(addr, op byte, data ...byte) []byte {
	f := append([]byte{byte(len(data) + 4), addr, op}, data...)
	c := crc(f)
	return append(f, byte(c), byte(c>>8))
}

type oneField []sim.Tag

func (f oneField) InRange(ant int) []sim.Tag {
	var out []sim.Tag
	for _, t := range f {
		if t.Antenna == ant {
			out = append(out, t)
		}
	}
	return out
}

func newTestReader(t *testing.T, variant string, out *bytes.Buffer) *reader {
	t.Helper()
	env := &sim.Env{
		Profile: profiles.Profile{Variant: variant, Capabilities: profiles.Capabilities{Antennas: 2}},
		Field:   oneField{{EPC: []byte{0xE2, 0x00, 0x00, 0x01}, Antenna: 1, RSSI: -55}},
		Rand:    rand.New(rand.NewPCG(1, 1)),
	}
	st, err := newReader(out, env)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestReplies checks the emulator's answers byte for byte against frames
// built here from the manuals' layouts.
func TestReplies(t *testing.T) {
	reply := func(addr, op, status byte, data ...byte) []byte {
		f := append([]byte{byte(len(data) + 5), addr, op, status}, data...)
		c := crc(f)
		return append(f, byte(c), byte(c>>8))
	}
	badCRC := cmdFrame(0, opPower, 10)
	badCRC[len(badCRC)-1] ^= 0xFF
	for _, tc := range []struct {
		name    string
		variant string
		in      []byte
		want    []byte
	}{
		{"info v2", "v2", cmdFrame(0, opReaderInfo), reply(0, opReaderInfo, stOK, 2, 36, 0x09, 0x03, 0x31, 0x80, 30, 0x0A)},
		{"power ok", "v2", cmdFrame(0, opPower, 20), reply(0, opPower, stOK)},
		{"power refused", "v2", cmdFrame(0, opPower, 31), reply(0, opPower, stParameter)},
		{"broadcast", "v2", cmdFrame(0xFF, opPower, 20), reply(0, opPower, stOK)},
		{"other address ignored", "v2", cmdFrame(0x07, opPower, 20), nil},
		{"bad crc", "v2", badCRC, reply(0, 0x00, stIllegal)},
		{"unknown command", "v2", cmdFrame(0, 0x7A), reply(0, 0x00, stIllegal)},
		{"wrong length", "v2", cmdFrame(0, opPower), reply(0, opPower, stLength)},
		{"region eu refused on v2", "v2", cmdFrame(0, opRegion, 0x4E, 0x00), reply(0, opRegion, stParameter)},
		{"region eu on ur", "ur", cmdFrame(0, opRegion, 0x4E, 0x00), reply(0, opRegion, stOK)},
		{"baud refused", "v2", cmdFrame(0, opBaud, 3), reply(0, opBaud, stParameter)},
		{"address answers from the old one", "v2", cmdFrame(0, opAddress, 5), reply(0, opAddress, stOK)},
		{"address 0xff refused on ur", "ur", cmdFrame(0, opAddress, 0xFF), reply(0, opAddress, stParameter)},
		{"inventory v2", "v2", cmdFrame(0, opInventory), reply(0, opInventory, stDone, 1, 4, 0xE2, 0, 0, 1)},
		{"inventory ur antenna 1", "ur", cmdFrame(0, opInventory, 4, 0, 1, 0, 0, 0, 0, 0x80, 10), reply(0, opInventory, stDone, 1, 1, 4, 0xE2, 0, 0, 1, 55)},
		{"inventory ur antenna 2 empty", "ur", cmdFrame(0, opInventory, 4, 0, 1, 0, 0, 0, 0, 0x81, 10), reply(0, opInventory, stNoTag)},
		{"inventory ur antenna 3 not connected", "ur", cmdFrame(0, opInventory, 4, 0, 1, 0, 0, 0, 0, 0x82, 10), reply(0, opInventory, stAntenna)},
		{"inventory ur bad antenna code", "ur", cmdFrame(0, opInventory, 4, 0, 1, 0, 0, 0, 0, 0x90, 10), reply(0, opInventory, stParameter)},
		{"inventory v2 bad tid length", "v2", cmdFrame(0, opInventory, 0, 16), reply(0, opInventory, stParameter)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out bytes.Buffer
			st := newTestReader(t, tc.variant, &out)
			rest, err := st.handle(context.Background(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if len(rest) != 0 {
				t.Fatalf("left % x", rest)
			}
			if !bytes.Equal(out.Bytes(), tc.want) {
				t.Fatalf("reply\n got % x\nwant % x", out.Bytes(), tc.want)
			}
		})
	}
}

func TestVersionAndVariant(t *testing.T) {
	var out bytes.Buffer
	if _, err := newReader(&out, &sim.Env{Profile: profiles.Profile{Variant: "v9"}}); err == nil {
		t.Fatal("variant v9 accepted")
	}
	if _, err := newReader(&out, &sim.Env{Version: "two"}); err == nil || !strings.Contains(err.Error(), "two") {
		t.Fatalf("version two: %v", err)
	}
	st, err := newReader(&out, &sim.Env{Profile: profiles.Profile{Variant: "ur"}})
	if err != nil {
		t.Fatal(err)
	}
	if st.major != 3 || st.minor != 10 {
		t.Fatalf("ur default version %d.%d", st.major, st.minor)
	}
}

// FuzzHandle feeds host bytes of any shape to the emulator's command
// parser: no panics, and every reply it writes is a well-formed frame.
func FuzzHandle(f *testing.F) {
	f.Add(cmdFrame(0, opReaderInfo), false)
	f.Add(cmdFrame(0, opInventory, 4, 0, 1, 0, 0, 8, 0xAA, 0, 2, 0, 0x81, 10), true)
	f.Add(cmdFrame(0xFF, opRegion, 0x31, 0x80), false)
	f.Add([]byte{0x04, 0x00}, false)
	f.Fuzz(func(t *testing.T, in []byte, ur bool) {
		var out bytes.Buffer
		v := "v2"
		if ur {
			v = "ur"
		}
		st := newTestReader(t, v, &out)
		if _, err := st.handle(context.Background(), in); err != nil {
			t.Fatal(err)
		}
		b := out.Bytes()
		for len(b) > 0 {
			n := int(b[0])
			if n < 5 || len(b) < n+1 {
				t.Fatalf("reply stream % x", out.Bytes())
			}
			if crc(b[:n-1]) != uint16(b[n-1])|uint16(b[n])<<8 {
				t.Fatalf("reply % x has a bad CRC", b[:n+1])
			}
			b = b[n+1:]
		}
	})
}

func TestCRCCheckValue(t *testing.T) {
	if c := crc([]byte("123456789")); c != 0x6F91 {
		t.Fatalf("crc %04x", c)
	}
	if got := hex.EncodeToString(cmdFrame(0x0A, opInventory)); got != "040a01abb6" {
		t.Fatalf("inventory to 0x0a: %s", got)
	}
}
