//go:build cgo

package usb

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/gousb"
)

// gousb's descriptors must reach choose unchanged.
func TestSettingsFromGousb(t *testing.T) {
	cfg := gousb.ConfigDesc{Number: 1, Interfaces: []gousb.InterfaceDesc{
		{Number: 0, AltSettings: []gousb.InterfaceSetting{{Number: 0, Class: gousb.ClassHID, SubClass: 1, Protocol: 1,
			Endpoints: map[gousb.EndpointAddress]gousb.EndpointDesc{
				0x84: {Address: 0x84, Number: 4, Direction: gousb.EndpointDirectionIn, MaxPacketSize: 64, TransferType: gousb.TransferTypeInterrupt},
				0x05: {Address: 0x05, Number: 5, Direction: gousb.EndpointDirectionOut, MaxPacketSize: 64, TransferType: gousb.TransferTypeInterrupt},
			}}}},
		{Number: 1, AltSettings: []gousb.InterfaceSetting{{Number: 1, Class: gousb.ClassVendorSpec,
			Endpoints: map[gousb.EndpointAddress]gousb.EndpointDesc{
				0x82: {Address: 0x82, Number: 2, Direction: gousb.EndpointDirectionIn, MaxPacketSize: 512, TransferType: gousb.TransferTypeBulk},
			}}}},
	}}
	ch, err := choose(settings(cfg), 0)
	if err != nil {
		t.Fatal(err)
	}
	if ch.In.Address != 0x84 || ch.In.MaxPacket != 64 || ch.Out == nil || ch.Out.Address != 0x05 {
		t.Fatalf("got %+v", ch)
	}
	if _, err := choose(settings(cfg), 1); err == nil || !strings.Contains(err.Error(), "not HID") {
		t.Fatalf("vendor interface: %v", err)
	}
	desc := &gousb.DeviceDesc{Configs: map[int]gousb.ConfigDesc{1: cfg}}
	if got := hidInterfaces(desc); len(got) != 1 || got[0] != 0 {
		t.Fatalf("hidInterfaces = %v", got)
	}
}

// List and Open run against whatever this machine has: without USB devices
// (or without /dev/bus/usb) they must answer with a list or an error, never
// panic, and Open of an id no device has must say it is not attached.
func TestListAndOpenWithoutHardware(t *testing.T) {
	infos, err := List()
	t.Logf("List: %d devices, err %v", len(infos), err)
	if err == nil {
		for _, in := range infos {
			if len(in.VID) != 4 || len(in.PID) != 4 || in.Port == "" {
				t.Errorf("malformed %+v", in)
			}
		}
	}
	_, err = Open(context.Background(), Selector{VID: "ffff", PID: "fffe"})
	if err == nil {
		t.Fatal("opened a device that is not there")
	}
	if !strings.Contains(err.Error(), "not attached") && !strings.Contains(err.Error(), "libusb") {
		t.Fatalf("unexpected error %v", err)
	}
	if _, err := Open(context.Background(), Selector{VID: "0c2e", PID: "09"}); err == nil || errors.Is(err, context.Canceled) {
		t.Fatalf("bad pid accepted: %v", err)
	}
}
