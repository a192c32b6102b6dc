package main

import (
	"context"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/chafon"
	"github.com/partsedge/partsedge/devices/hid"
	"github.com/partsedge/partsedge/devices/honeywell"
	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/devices/mercury"
	"github.com/partsedge/partsedge/devices/r2000"
	"github.com/partsedge/partsedge/devices/scanner"
	"github.com/partsedge/partsedge/devices/ssi"
	"github.com/partsedge/partsedge/devices/usb"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// drivers is the codec registry: one driver per codec a profile can name.
func drivers() map[string]manager.DriverFactory {
	return map[string]manager.DriverFactory{
		"serial-scanner": scanner.New,
		"honeywell":      honeywell.New,
		"zebra-ssi":      ssi.New,
		"hid-pos":        hid.New,
		"hid-keyboard":   hid.New,
		"chafon":         chafon.New,
		"r2000":          r2000.New,
		"mercury":        mercury.New,
	}
}

// openUSB opens a HID scanner. Built without cgo, usb.Open says USB is not
// available, and the device shows that as its error.
func openUSB(ctx context.Context, vid, pid, serial string, p profiles.Profile) (devices.Link, error) {
	return usb.Open(ctx, usb.Selector{VID: vid, PID: pid, Serial: serial, Interface: p.Transport.Interface,
		// A keyboard wedge is read in the boot protocol: 8-byte reports
		// whatever its report descriptor says. HID POS stays in report
		// protocol, which is where its scanned-data report lives.
		BootProtocol: p.Codec == "hid-keyboard"})
}
