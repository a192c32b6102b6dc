package main

import "github.com/partsedge/partsedge/cmd/devsim/internal/sim"

// emulators returns a constructor per codec name (the profiles' codec).
func emulators() map[string]func() sim.Emulator {
	return map[string]func() sim.Emulator{}
}
