//go:build cgo

package usb

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/gousb"

	"github.com/partsedge/partsedge/devices"
)

// newContext starts libusb. gousb panics when libusb_init fails (no
// /dev/bus/usb in a container, say); that becomes an error here.
func newContext() (c *gousb.Context, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("usb: libusb did not start: %v", r)
		}
	}()
	return gousb.NewContext(), nil
}

// List returns the attached USB devices, hubs left out. Devices it may not
// open are listed with their ids and port but without strings.
func List() ([]DeviceInfo, error) {
	uc, err := newContext()
	if err != nil {
		return nil, err
	}
	defer uc.Close()
	var descs []*gousb.DeviceDesc
	devs, openErr := uc.OpenDevices(func(d *gousb.DeviceDesc) bool {
		if d.Class == gousb.ClassHub {
			return false
		}
		descs = append(descs, d)
		return true
	})
	opened := map[*gousb.DeviceDesc]*gousb.Device{}
	for _, d := range devs {
		opened[d.Desc] = d
	}
	if len(descs) == 0 && openErr != nil {
		return nil, fmt.Errorf("usb: list devices: %w", openErr)
	}
	out := make([]DeviceInfo, 0, len(descs))
	for _, desc := range descs {
		info := DeviceInfo{
			VID:           hexID(uint16(desc.Vendor)),
			PID:           hexID(uint16(desc.Product)),
			Port:          portName(desc.Bus, desc.Path),
			HIDInterfaces: hidInterfaces(desc),
		}
		if d, ok := opened[desc]; ok {
			info.Opened = true
			// A device that does not answer a string request is still listed.
			info.Serial, _ = d.SerialNumber()
			info.Product, _ = d.Product()
			info.Manufacturer, _ = d.Manufacturer()
			d.Close()
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Port < out[j].Port })
	return out, nil
}

func hidInterfaces(desc *gousb.DeviceDesc) []int {
	seen := map[int]bool{}
	var out []int
	for _, cfg := range desc.Configs {
		for _, s := range settings(cfg) {
			if s.Class == hidClass && !seen[s.Number] {
				seen[s.Number] = true
				out = append(out, s.Number)
			}
		}
	}
	sort.Ints(out)
	return out
}

// settings flattens gousb's descriptors into the types choose takes.
func settings(cfg gousb.ConfigDesc) []setting {
	var out []setting
	for _, in := range cfg.Interfaces {
		for _, alt := range in.AltSettings {
			s := setting{Number: alt.Number, Alternate: alt.Alternate, Class: int(alt.Class)}
			for _, e := range alt.Endpoints {
				s.Endpoints = append(s.Endpoints, endpoint{
					Address:   uint8(e.Address),
					Interrupt: e.TransferType == gousb.TransferTypeInterrupt,
					MaxPacket: e.MaxPacketSize,
				})
			}
			out = append(out, s)
		}
	}
	return out
}

// Open finds the device, claims the HID interface and returns a Link that
// reads one input report per Read. Only that interface's kernel driver is
// detached, and it is attached again on Close (see the package comment).
func Open(ctx context.Context, sel Selector) (devices.Link, error) {
	vid, err := parseID("vid", sel.VID)
	if err != nil {
		return nil, err
	}
	pid, err := parseID("pid", sel.PID)
	if err != nil {
		return nil, err
	}
	uc, err := newContext()
	if err != nil {
		return nil, err
	}
	l, err := open(ctx, uc, vid, pid, sel)
	if err != nil {
		uc.Close()
		return nil, err
	}
	return l, nil
}

func open(ctx context.Context, uc *gousb.Context, vid, pid uint16, sel Selector) (*link, error) {
	name := fmt.Sprintf("%04x:%04x", vid, pid)
	devs, openErr := uc.OpenDevices(func(d *gousb.DeviceDesc) bool {
		return uint16(d.Vendor) == vid && uint16(d.Product) == pid
	})
	dev, err := pick(devs, sel.Serial)
	if dev == nil {
		switch {
		case err != nil:
			return nil, fmt.Errorf("usb: %s: %w", name, err)
		case openErr != nil:
			// libusb names the cause: access (a udev rule must give the
			// user the device node), busy, no device.
			return nil, fmt.Errorf("usb: open %s: %w", name, openErr)
		}
		return nil, fmt.Errorf("usb: %s is not attached", name)
	}
	if err := ctx.Err(); err != nil {
		dev.Close()
		return nil, err
	}
	// libusb waits forever on a control transfer with no timeout.
	dev.ControlTimeout = time.Second
	l, err := claim(dev, sel)
	if err != nil {
		dev.Close()
		return nil, fmt.Errorf("usb: %s: %w", name, err)
	}
	l.uc = uc
	return l, nil
}

// pick keeps the device with the wanted serial number (or, without one, the
// one on the lowest port) and closes the others.
func pick(devs []*gousb.Device, serial string) (*gousb.Device, error) {
	sort.Slice(devs, func(i, j int) bool {
		return portName(devs[i].Desc.Bus, devs[i].Desc.Path) < portName(devs[j].Desc.Bus, devs[j].Desc.Path)
	})
	var chosen *gousb.Device
	var serials []string
	for _, d := range devs {
		if chosen != nil {
			d.Close()
			continue
		}
		if serial == "" {
			chosen = d
			continue
		}
		s, err := d.SerialNumber()
		if err == nil && s == serial {
			chosen = d
			continue
		}
		serials = append(serials, s)
		d.Close()
	}
	if chosen == nil && len(devs) > 0 {
		return nil, fmt.Errorf("no device has serial number %q (attached: %q)", serial, serials)
	}
	return chosen, nil
}

func claim(dev *gousb.Device, sel Selector) (*link, error) {
	cfgNum, err := dev.ActiveConfigNum()
	if err != nil {
		return nil, fmt.Errorf("active configuration: %w", err)
	}
	cfgDesc, ok := dev.Desc.Configs[cfgNum]
	if !ok {
		return nil, fmt.Errorf("active configuration %d has no descriptor", cfgNum)
	}
	ch, err := choose(settings(cfgDesc), sel.Interface)
	if err != nil {
		return nil, err
	}
	// Auto-detach stays off while the configuration is taken: gousb's
	// Config detaches the kernel driver of every interface when it is on,
	// which would take a composite scanner's other functions (its keyboard,
	// its serial port) away from the system too.
	cfg, err := dev.Config(cfgNum)
	if err != nil {
		return nil, err
	}
	// Now libusb's own auto-detach, which acts per claimed interface: it
	// detaches the kernel driver (usbhid) from this interface only when
	// claiming it, and attaches it again when the interface is released.
	if err := dev.SetAutoDetach(true); err != nil {
		cfg.Close()
		return nil, fmt.Errorf("auto-detach: %w", err)
	}
	intf, err := cfg.Interface(sel.Interface, ch.Alternate)
	if err != nil {
		cfg.Close()
		return nil, err
	}
	l := &link{dev: dev, cfg: cfg, intf: intf, iface: sel.Interface}
	fail := func(err error) (*link, error) {
		intf.Close()
		cfg.Close()
		return nil, err
	}
	if sel.BootProtocol {
		// SET_PROTOCOL (HID 1.11 section 7.2.6): class request to the
		// interface, wValue 0 = boot protocol.
		if _, err := dev.Control(0x21, 0x0B, 0, uint16(sel.Interface), nil); err != nil {
			return fail(fmt.Errorf("set boot protocol: %w", err))
		}
	}
	if l.in, err = intf.InEndpoint(int(ch.In.Address & 0x0F)); err != nil {
		return fail(err)
	}
	if ch.Out != nil {
		if l.out, err = intf.OutEndpoint(int(ch.Out.Address & 0x0F)); err != nil {
			return fail(err)
		}
	}
	l.buf = make([]byte, ch.In.MaxPacket)
	l.base, l.cancel = context.WithCancel(context.Background())
	return l, nil
}

// link is an open HID interface.
type link struct {
	uc     *gousb.Context
	dev    *gousb.Device
	cfg    *gousb.Config
	intf   *gousb.Interface
	in     *gousb.InEndpoint
	out    *gousb.OutEndpoint
	iface  int
	buf    []byte
	mu     sync.Mutex // one transfer at a time; Close waits for it
	closed bool

	timeout atomic.Int64
	base    context.Context
	cancel  context.CancelFunc
}

var errClosed = errors.New("usb: link closed")

// Read waits for one input report (one interrupt IN transfer of the
// endpoint's packet size) and copies it to p; p should hold the endpoint's
// packet size (1024 bytes always does).
func (l *link) Read(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, errClosed
	}
	ctx, cancel := l.base, context.CancelFunc(func() {})
	if d := time.Duration(l.timeout.Load()); d > 0 {
		ctx, cancel = context.WithTimeout(l.base, d)
	}
	n, err := l.in.ReadContext(ctx, l.buf)
	cancel()
	if err != nil {
		switch {
		case l.base.Err() != nil:
			return 0, errClosed
		case errors.Is(err, gousb.TransferCancelled), errors.Is(err, gousb.TransferTimedOut):
			return 0, devices.ErrTimeout
		}
		return 0, fmt.Errorf("usb: read: %w", err)
	}
	c := copy(p, l.buf[:n])
	if c < n {
		return c, fmt.Errorf("usb: a %d-byte report does not fit a %d-byte buffer", n, len(p))
	}
	return c, nil
}

// Write sends one output report. p[0] is the report id, 0 when the device
// uses none (then it is not sent), as hidapi has it. It goes to the
// interrupt OUT endpoint when the interface has one, else as SET_REPORT on
// the control pipe (HID 1.11 section 7.2.2).
func (l *link) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0, errClosed
	}
	data := p
	if p[0] == 0 {
		data = p[1:]
	}
	var err error
	if l.out != nil {
		_, err = l.out.WriteContext(l.base, data)
	} else {
		const setReport, outputReport = 0x09, 0x02
		_, err = l.dev.Control(0x21, setReport, uint16(outputReport)<<8|uint16(p[0]), uint16(l.iface), data)
	}
	if err != nil {
		return 0, fmt.Errorf("usb: write: %w", err)
	}
	return len(p), nil
}

// SetReadTimeout bounds later Reads; zero waits until a report comes.
func (l *link) SetReadTimeout(d time.Duration) error {
	l.timeout.Store(int64(d))
	return nil
}

// Close stops a Read in progress, releases the interface (libusb attaches
// the kernel driver again) and closes the device.
func (l *link) Close() error {
	l.cancel()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return nil
	}
	l.closed = true
	l.intf.Close()
	errs := []error{l.cfg.Close(), l.dev.Close()}
	if l.uc != nil {
		errs = append(errs, l.uc.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("usb: close: %w", err)
	}
	return nil
}
