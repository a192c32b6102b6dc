package main

import (
	chafonemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/chafon"
	honeywellemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/honeywell"
	mercuryemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/mercury"
	r2000emu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/r2000"
	ssiemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/ssi"
	textscanemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/textscan"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
)

// emulators returns a constructor per codec name (the profiles' codec).
func emulators() map[string]func() sim.Emulator {
	return map[string]func() sim.Emulator{
		"serial-scanner": func() sim.Emulator { return textscanemu.Emulator{} },
		"honeywell":      func() sim.Emulator { return honeywellemu.Emulator{} },
		"zebra-ssi":      func() sim.Emulator { return ssiemu.Emulator{} },
		"chafon":         func() sim.Emulator { return chafonemu.Emulator{} },
		"r2000":          func() sim.Emulator { return r2000emu.Emulator{} },
		"mercury":        func() sim.Emulator { return mercuryemu.Emulator{} },
	}
}
