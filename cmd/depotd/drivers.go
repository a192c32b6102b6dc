package main

import (
	"github.com/partsedge/partsedge/devices/chafon"
	"github.com/partsedge/partsedge/devices/hid"
	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/devices/mercury"
	"github.com/partsedge/partsedge/devices/r2000"
	"github.com/partsedge/partsedge/devices/scanner"
	"github.com/partsedge/partsedge/devices/ssi"
)

// drivers is the codec registry: one driver per codec a profile can name.
func drivers() map[string]manager.DriverFactory {
	return map[string]manager.DriverFactory{
		"serial-scanner": scanner.New,
		"zebra-ssi":      ssi.New,
		"hid-pos":        hid.New,
		"hid-keyboard":   hid.New,
		"chafon":         chafon.New,
		"r2000":          r2000.New,
		"mercury":        mercury.New,
	}
}

var openUSB manager.USBOpener
