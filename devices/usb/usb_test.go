package usb

import (
	"errors"
	"strings"
	"testing"
)

// The descriptors of a Honeywell scanner in HID POS mode (0c2e:0901), as a
// published libusb descriptor dump shows them: two HID interfaces, each with
// an interrupt IN and an interrupt OUT endpoint of 64 bytes.
var honeywell = []setting{
	{Number: 0, Class: 3, Endpoints: []endpoint{{Address: 0x84, Interrupt: true, MaxPacket: 64}, {Address: 0x05, Interrupt: true, MaxPacket: 64}}},
	{Number: 1, Class: 3, Endpoints: []endpoint{{Address: 0x82, Interrupt: true, MaxPacket: 64}, {Address: 0x07, Interrupt: true, MaxPacket: 64}}},
}

func TestChoose(t *testing.T) {
	cases := []struct {
		name     string
		settings []setting
		iface    int
		alt      int
		in       uint8
		out      uint8 // 0: none
		err      string
	}{
		{"honeywell interface 0", honeywell, 0, 0, 0x84, 0x05, ""},
		{"honeywell interface 1", honeywell, 1, 0, 0x82, 0x07, ""},
		{"missing interface", honeywell, 2, 0, 0, 0, "no such interface"},
		{"keyboard with IN only", []setting{{Number: 0, Class: 3, Endpoints: []endpoint{{Address: 0x81, Interrupt: true, MaxPacket: 8}}}}, 0, 0, 0x81, 0, ""},
		{"not HID", []setting{{Number: 0, Class: 2, Endpoints: []endpoint{{Address: 0x81, Interrupt: true, MaxPacket: 8}}}}, 0, 0, 0, 0, "not HID"},
		{"bulk only", []setting{{Number: 0, Class: 3, Endpoints: []endpoint{{Address: 0x81, MaxPacket: 64}}}}, 0, 0, 0, 0, "no interrupt IN"},
		{"alternate setting with the endpoint", []setting{
			{Number: 0, Alternate: 1, Class: 3, Endpoints: []endpoint{{Address: 0x83, Interrupt: true, MaxPacket: 64}}},
			{Number: 0, Alternate: 0, Class: 3},
		}, 0, 1, 0x83, 0, ""},
		{"lowest IN endpoint", []setting{{Number: 0, Class: 3, Endpoints: []endpoint{{Address: 0x86, Interrupt: true, MaxPacket: 64}, {Address: 0x81, Interrupt: true, MaxPacket: 8}}}}, 0, 0, 0x81, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ch, err := choose(c.settings, c.iface)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("err %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.Alternate != c.alt || ch.In.Address != c.in {
				t.Fatalf("got %+v", ch)
			}
			if (ch.Out == nil) != (c.out == 0) || ch.Out != nil && ch.Out.Address != c.out {
				t.Fatalf("out %+v, want 0x%02x", ch.Out, c.out)
			}
		})
	}
	if _, err := choose(honeywell, 5); !errors.Is(err, errNoInterface) {
		t.Fatalf("%v does not wrap errNoInterface", err)
	}
}

func TestParseID(t *testing.T) {
	for s, want := range map[string]uint16{"0c2e": 0x0c2e, "05E0": 0x05e0, "ffff": 0xffff} {
		if v, err := parseID("vid", s); err != nil || v != want {
			t.Errorf("parseID(%q) = %x, %v", s, v, err)
		}
	}
	for _, s := range []string{"", "c2e", "0x0c2e", "zzzz", "12345"} {
		if _, err := parseID("vid", s); err == nil {
			t.Errorf("parseID(%q) accepted", s)
		}
	}
	if hexID(0x0C2E) != "0c2e" {
		t.Fatal(hexID(0x0C2E))
	}
}

func TestPortName(t *testing.T) {
	for want, in := range map[string]struct {
		bus  int
		path []int
	}{"1-0": {1, nil}, "1-1": {1, []int{1}}, "3-1.4.2": {3, []int{1, 4, 2}}} {
		if got := portName(in.bus, in.path); got != want {
			t.Errorf("portName(%d, %v) = %q, want %q", in.bus, in.path, got, want)
		}
	}
}
