package main

import (
	"testing"

	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// TestEverySerialProfileCanBePlayed: devsim plays every built-in profile a
// pseudo-terminal can carry; only USB devices are out of its reach.
func TestEverySerialProfileCanBePlayed(t *testing.T) {
	set, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	emus := emulators()
	for _, p := range set.All() {
		_, ok := emus[p.Codec]
		if ok != (p.Transport.Type != "usb-hid") {
			t.Errorf("profile %s (%s over %s): emulator %v", p.ID, p.Codec, p.Transport.Type, ok)
		}
	}
}
