package usb

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
)

// Selector says which device and interface to open.
type Selector struct {
	// VID and PID are the vendor and product ids in hex, as lsusb prints
	// them ("0c2e").
	VID, PID string
	// Serial picks one of several devices with the same ids by the serial
	// number string descriptor; empty takes the first on the lowest port.
	Serial string
	// Interface is the number of the HID interface to read
	// (profile transport.interface).
	Interface int
	// BootProtocol switches the interface to the HID boot protocol after
	// claiming it (SET_PROTOCOL, HID 1.11 section 7.2.6), so a keyboard
	// sends the 8-byte boot report whatever its report descriptor says. Set
	// it for keyboard wedges only: a HID POS interface must stay in report
	// protocol.
	BootProtocol bool
}

// DeviceInfo is one attached USB device, for discovery.
type DeviceInfo struct {
	VID          string `json:"vid"` // 4 lower-case hex digits
	PID          string `json:"pid"`
	Serial       string `json:"serial,omitempty"`
	Product      string `json:"product,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	// Port is where it is plugged, as Linux sysfs names it ("1-1.2"): bus,
	// then the hub ports from the root.
	Port string `json:"port"`
	// HIDInterfaces are the numbers of its HID-class interfaces.
	HIDInterfaces []int `json:"hidInterfaces,omitempty"`
	// Opened says the strings could be read: false when the device could
	// not be opened (no permission, or a driver holds it on some systems).
	Opened bool `json:"opened"`
}

// hidClass is the USB interface class of HID devices (USB HID 1.11 section 4.1).
const hidClass = 3

// parseID reads a 4-digit hex vendor or product id.
func parseID(what, s string) (uint16, error) {
	if len(s) != 4 {
		return 0, fmt.Errorf("usb: %s %q: 4 hex digits, as lsusb prints it", what, s)
	}
	v, err := strconv.ParseUint(s, 16, 16)
	if err != nil {
		return 0, fmt.Errorf("usb: %s %q: %w", what, s, err)
	}
	return uint16(v), nil
}

func hexID(v uint16) string { return fmt.Sprintf("%04x", v) }

func portName(bus int, path []int) string {
	s := strconv.Itoa(bus) + "-"
	if len(path) == 0 {
		return s + "0"
	}
	for i, p := range path {
		if i > 0 {
			s += "."
		}
		s += strconv.Itoa(p)
	}
	return s
}

// setting is one alternate setting of an interface, as the descriptors give
// it; kept apart from gousb's types so that the choice below can be tested
// without libusb.
type setting struct {
	Number, Alternate int
	Class             int
	Endpoints         []endpoint
}

type endpoint struct {
	Address   uint8 // bit 7 set: IN
	Interrupt bool
	MaxPacket int
}

// choice is the alternate setting and endpoints a Link reads and writes.
type choice struct {
	Alternate int
	In        endpoint
	Out       *endpoint // nil: output reports go over the control pipe
}

var errNoInterface = errors.New("usb: no such interface")

// choose picks, on interface iface, the lowest alternate setting that has an
// interrupt IN endpoint (HID 1.11 section 4.4 requires one), that endpoint,
// and the interrupt OUT endpoint when there is one.
func choose(settings []setting, iface int) (choice, error) {
	var mine []setting
	var numbers []int
	for _, s := range settings {
		if s.Number == iface {
			mine = append(mine, s)
		}
		numbers = append(numbers, s.Number)
	}
	if len(mine) == 0 {
		return choice{}, fmt.Errorf("%w: interface %d; the device has %v", errNoInterface, iface, unique(numbers))
	}
	sort.Slice(mine, func(i, j int) bool { return mine[i].Alternate < mine[j].Alternate })
	for _, s := range mine {
		if s.Class != hidClass {
			return choice{}, fmt.Errorf("usb: interface %d is class %d, not HID (%d)", iface, s.Class, hidClass)
		}
		eps := append([]endpoint(nil), s.Endpoints...)
		sort.Slice(eps, func(i, j int) bool { return eps[i].Address < eps[j].Address })
		c := choice{Alternate: s.Alternate}
		found := false
		for _, e := range eps {
			if !e.Interrupt {
				continue
			}
			if e.Address&0x80 != 0 && !found {
				c.In, found = e, true
			} else if e.Address&0x80 == 0 && c.Out == nil {
				out := e
				c.Out = &out
			}
		}
		if found {
			return c, nil
		}
	}
	return choice{}, fmt.Errorf("usb: interface %d has no interrupt IN endpoint", iface)
}

func unique(xs []int) []int {
	sort.Ints(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}
