package transport

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Port is a serial port found by discovery, with the USB facts of the
// device behind it.
type Port struct {
	Path         string `json:"path"` // /dev/ttyACM0
	VID          string `json:"vid"`  // lower-case hex, as lsusb prints it
	PID          string `json:"pid"`
	Serial       string `json:"serial,omitempty"`
	Manufacturer string `json:"manufacturer,omitempty"`
	Product      string `json:"product,omitempty"`
	// Driver is the kernel driver of the tty: cdc_acm for a scanner in USB
	// serial mode, ftdi_sio / ch341 / pl2303 / cp210x for a bridge chip.
	Driver string `json:"driver,omitempty"`
}

// Discoverer lists USB serial ports from sysfs. Root is the sysfs mount
// ("/sys" when empty) and Dev the device folder ("/dev" when empty); tests
// point them at a made-up tree.
type Discoverer struct {
	Root string
	Dev  string
}

// Ports lists the serial ports backed by a USB device, sorted by path.
// Built-in UARTs (ttyS*) have no USB facts to match a profile by; they are
// used only when configured by path.
func (d Discoverer) Ports() ([]Port, error) {
	root, dev := d.Root, d.Dev
	if root == "" {
		root = "/sys"
	}
	if dev == "" {
		dev = "/dev"
	}
	entries, err := os.ReadDir(filepath.Join(root, "class", "tty"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil // not Linux, or no ttys: nothing to discover
	}
	if err != nil {
		return nil, err
	}
	var out []Port
	for _, e := range entries {
		name := e.Name()
		devLink := filepath.Join(root, "class", "tty", name, "device")
		real, err := filepath.EvalSymlinks(devLink)
		if err != nil {
			continue // a virtual tty (console, pty): no device behind it
		}
		sub, err := filepath.EvalSymlinks(filepath.Join(real, "subsystem"))
		if err != nil {
			continue
		}
		var usbDev string
		switch filepath.Base(sub) {
		case "usb": // cdc_acm: device is the USB interface
			usbDev = filepath.Dir(real)
		case "usb-serial": // a bridge: device is the usb-serial port under the interface
			usbDev = filepath.Dir(filepath.Dir(real))
		default:
			continue
		}
		vid := attr(usbDev, "idVendor")
		pid := attr(usbDev, "idProduct")
		if vid == "" || pid == "" {
			continue
		}
		p := Port{
			Path: filepath.Join(dev, name), VID: strings.ToLower(vid), PID: strings.ToLower(pid),
			Serial: attr(usbDev, "serial"), Manufacturer: attr(usbDev, "manufacturer"), Product: attr(usbDev, "product"),
		}
		if drv, err := filepath.EvalSymlinks(filepath.Join(real, "driver")); err == nil {
			p.Driver = filepath.Base(drv)
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

func attr(dir, name string) string {
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
