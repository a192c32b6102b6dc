//go:build !cgo

package usb

import (
	"context"
	"errors"
	"testing"

	"github.com/partsedge/partsedge/devices"
)

func TestWithoutCgo(t *testing.T) {
	if _, err := Open(context.Background(), Selector{VID: "0c2e", PID: "0907"}); !errors.Is(err, devices.ErrNotSupported) {
		t.Fatalf("Open: %v", err)
	}
	if _, err := List(); !errors.Is(err, devices.ErrNotSupported) {
		t.Fatalf("List: %v", err)
	}
}
