//go:build !cgo

package usb

import (
	"context"
	"fmt"

	"github.com/partsedge/partsedge/devices"
)

// Open needs libusb through cgo; this binary was built without it.
func Open(ctx context.Context, sel Selector) (devices.Link, error) {
	return nil, fmt.Errorf("usb: opening %s:%s needs libusb, and this binary was built with CGO_ENABLED=0: %w", sel.VID, sel.PID, devices.ErrNotSupported)
}

// List needs libusb through cgo; this binary was built without it.
func List() ([]DeviceInfo, error) {
	return nil, fmt.Errorf("usb: listing USB devices needs libusb, and this binary was built with CGO_ENABLED=0: %w", devices.ErrNotSupported)
}
