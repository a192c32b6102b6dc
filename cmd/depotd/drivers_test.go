package main

import (
	"slices"
	"sort"
	"testing"

	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// TestEveryCodecHasADriver keeps the codec names profiles may use and the
// drivers depotd registers in step: a profile naming a codec without a
// driver would only fail when a depot configures that device.
func TestEveryCodecHasADriver(t *testing.T) {
	var got []string
	for name := range drivers() {
		got = append(got, name)
	}
	sort.Strings(got)
	if want := profiles.Codecs(); !slices.Equal(got, want) {
		t.Fatalf("drivers %v, codecs %v", got, want)
	}
}
