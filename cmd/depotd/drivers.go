package main

import "github.com/partsedge/partsedge/devices/manager"

// drivers is the codec registry: one driver per codec a profile can name.
func drivers() map[string]manager.DriverFactory {
	return map[string]manager.DriverFactory{}
}

var openUSB manager.USBOpener
