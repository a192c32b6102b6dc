package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/partsedge/partsedge/cmd/internal/config"
	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/devices/transport"
	"github.com/partsedge/partsedge/devices/usb"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// newDevices builds the device manager from the settings. A depot with no
// devices configured and discovery off still gets a manager: the API then
// lists nothing, and adding a device is a config change, not a new build.
func newDevices(cfg config.Config, log *slog.Logger, onScan func(manager.ScanRecord), onTag func(manager.TagRecord)) (*manager.Manager, error) {
	set, err := profiles.Builtin()
	if err != nil {
		return nil, fmt.Errorf("built-in firmware profiles: %w", err)
	}
	if cfg.Profiles != "" {
		extra, err := profiles.Load(os.DirFS(cfg.Profiles), ".")
		if err != nil {
			return nil, fmt.Errorf("firmware profiles in %s: %w", cfg.Profiles, err)
		}
		set.Merge(extra)
	}
	devs, err := manager.ParseSpecs(cfg.Devices)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	opt := manager.Options{
		Devices:  devs,
		Profiles: set,
		Drivers:  drivers(),
		OpenUSB:  openUSB,
		OnScan:   onScan,
		OnTag:    onTag,
		Log:      log.With("component", "devices"),
	}
	if cfg.Discover {
		opt.Discover = transport.Discoverer{}.Ports
		opt.DiscoverHID = listHID
	}
	m, err := manager.New(opt)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	return m, nil
}

// runDevices runs m until ctx ends; wait blocks until every device has
// stopped and closed its port.
func runDevices(ctx context.Context, m *manager.Manager) (wait func()) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		m.Run(ctx)
	}()
	return wg.Wait
}

// listHID lists USB devices with a HID interface for discovery; without
// cgo it says USB is not available, which discovery logs once per round at
// debug level.
func listHID() ([]manager.USBDevice, error) {
	all, err := usb.List()
	if err != nil {
		return nil, err
	}
	var out []manager.USBDevice
	for _, d := range all {
		if len(d.HIDInterfaces) == 0 {
			continue
		}
		out = append(out, manager.USBDevice{VID: d.VID, PID: d.PID, Serial: d.Serial, Product: d.Product,
			Manufacturer: d.Manufacturer, Port: d.Port})
	}
	return out, nil
}

// stationIDs are the stations the settings name: each device's, and the
// extra ones for handhelds.
func stationIDs(cfg config.Config) ([]string, error) {
	devs, err := manager.ParseSpecs(cfg.Devices)
	if err != nil {
		return nil, fmt.Errorf("devices: %w", err)
	}
	seen := map[string]bool{}
	var out []string
	add := func(id string) {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	for _, d := range devs {
		add(d.Station)
	}
	for _, id := range strings.Split(cfg.Stations, ",") {
		id = strings.TrimSpace(id)
		if id != "" && !manager.ValidID(id) {
			return nil, fmt.Errorf("stations: %q is not a usable station id", id)
		}
		add(id)
	}
	return out, nil
}
