// Package manager runs the depot's devices: it opens each configured or
// discovered device with its profile's transport, lets the profile's driver
// configure and read it, and reconnects with backoff when the device goes
// away. Each device has its own goroutine, so one dead or stuck device never
// stalls another.
//
// What the drivers decode goes three ways: into per-device counters (the API
// and Prometheus show them), into a bounded record of recent scans and tag
// events the API serves, and to the callbacks the depot wires to stations.
package manager

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/gs1"
	"github.com/partsedge/partsedge/devices/rfid"
	"github.com/partsedge/partsedge/devices/transport"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// DriverFactory makes a driver for a profile; the manager keeps one per codec.
type DriverFactory func(p profiles.Profile) (devices.Driver, error)

// Clock is where the manager reads the time it stamps scans and reads with.
type Clock interface{ Now() time.Time }

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// USBOpener opens a HID device: vid, pid (lower-case hex), serial ("" for
// any), with the profile's transport settings.
type USBOpener func(ctx context.Context, vid, pid, serial string, p profiles.Profile) (devices.Link, error)

// Options wires a Manager. Profiles and Drivers are required.
type Options struct {
	Devices  []DeviceConfig
	Profiles *profiles.Set
	Drivers  map[string]DriverFactory
	// OpenUSB opens usb-hid devices; nil leaves them down with an error
	// saying USB is not available in this build.
	OpenUSB USBOpener
	// Discover lists USB serial ports; nil turns discovery off. Ports that
	// a configured device already uses are skipped; the rest are matched
	// against the profiles and run as discovered devices.
	Discover      func() ([]transport.Port, error)
	DiscoverEvery time.Duration // default 2 s
	// DiscoverHID lists USB devices with HID interfaces; nil turns HID
	// discovery off. Only HID POS profiles are started by discovery: a
	// keyboard wedge claimed by depotd stops typing into the PC, which an
	// installer must choose by configuring it.
	DiscoverHID func() ([]USBDevice, error)
	// DiscoveredStation is the station discovered devices serve.
	DiscoveredStation string

	MinBackoff, MaxBackoff time.Duration // default 250 ms and 15 s
	// ConfigureTimeout bounds a driver's connect-time setup; default 10 s.
	ConfigureTimeout time.Duration
	// Smoothing sets MinReads, MinRSSI and AbsentAfter for every reader
	// (zones come from each device's config).
	Smoothing rfid.Config
	// Recent is how many scans and how many tag events the manager keeps
	// for the API; default 1,000 each.
	Recent int

	Clock Clock
	Log   *slog.Logger
	// OnScan and OnTag receive every scan and every smoothed tag event.
	// They are called from the device's goroutine: they must not block.
	OnScan func(ScanRecord)
	OnTag  func(TagRecord)
}

// State is where a device is in its life.
type State string

const (
	Connecting  State = "connecting"
	Configuring State = "configuring"
	Up          State = "up"
	Down        State = "down"
	Stopped     State = "stopped"
)

// Status is what the API shows for a device.
type Status struct {
	ID           string                `json:"id"`
	Profile      string                `json:"profile"`
	Vendor       string                `json:"vendor"`
	Model        string                `json:"model"`
	Kind         profiles.Kind         `json:"kind"`
	Codec        string                `json:"codec"`
	Transport    string                `json:"transport"`
	Where        string                `json:"where"` // port path, address or usb selector
	Station      string                `json:"station,omitempty"`
	Discovered   bool                  `json:"discovered"`
	State        State                 `json:"state"`
	Since        time.Time             `json:"since"`
	LastError    string                `json:"lastError,omitempty"`
	NextRetry    *time.Time            `json:"nextRetry,omitempty"`
	Info         devices.Info          `json:"info"`
	Capabilities profiles.Capabilities `json:"capabilities"`
	Frames       uint64                `json:"frames"`
	BadFrames    uint64                `json:"badFrames"`
	CRCErrors    uint64                `json:"crcErrors"`
	Reconnects   uint64                `json:"reconnects"`
	Scans        uint64                `json:"scans"`
	TagReads     uint64                `json:"tagReads"`
	TagsPresent  int                   `json:"tagsPresent"`
	LastScan     *devices.Scan         `json:"lastScan,omitempty"`
	LastBadFrame string                `json:"lastBadFrame,omitempty"`
}

// USBDevice is a USB device with HID interfaces, for discovery.
type USBDevice struct {
	VID, PID, Serial      string
	Product, Manufacturer string
	Port                  string // where it is plugged ("1-1.2")
}

// Unmatched is a USB serial port discovery found but no profile fits.
type Unmatched struct {
	transport.Port
	SeenAt time.Time `json:"seenAt"`
}

// ScanRecord is a scan as the manager keeps it, with what the data decodes
// to when it is GS1.
type ScanRecord struct {
	ID uint64 `json:"id"`
	devices.Scan
	GS1         *gs1.Result `json:"gs1,omitempty"`
	DecodeError string      `json:"decodeError,omitempty"`
}

// TagRecord is a smoothed tag event as the manager keeps it.
type TagRecord struct {
	ID uint64 `json:"id"`
	rfid.Event
	Station string `json:"station,omitempty"`
}

// Manager runs the devices. Make one with New, start it with Run.
type Manager struct {
	opt   Options
	log   *slog.Logger
	clock Clock

	mu         sync.Mutex
	devs       map[string]*device
	order      []string
	unmatched  map[string]Unmatched
	scans      ring[ScanRecord]
	tags       ring[TagRecord]
	nextScan   uint64
	nextTag    uint64
	tagEvents  [2]uint64 // seen, gone
	wg         sync.WaitGroup
	runCtx     context.Context
	discovered map[string]string // discovery key -> device id
}

type device struct {
	cfg        DeviceConfig
	candidates []profiles.Profile // discovered devices may match several
	discovered bool

	frames, bad, crc, reconnects, scans, reads atomic.Uint64

	mu        sync.Mutex
	pick      int // index into candidates in use
	where     string
	state     State
	since     time.Time
	lastErr   string
	lastBad   string
	nextRetry time.Time
	info      devices.Info
	lastScan  *devices.Scan
	driver    devices.Driver
	smoother  *rfid.Smoother
}

// New checks the options and every configured device against the profiles.
func New(opt Options) (*Manager, error) {
	if opt.Profiles == nil || opt.Drivers == nil {
		return nil, errors.New("devices: the manager needs profiles and drivers")
	}
	if opt.DiscoverEvery <= 0 {
		opt.DiscoverEvery = 2 * time.Second
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 250 * time.Millisecond
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(15*time.Second, opt.MinBackoff)
	}
	if opt.ConfigureTimeout <= 0 {
		opt.ConfigureTimeout = 10 * time.Second
	}
	if opt.Recent <= 0 {
		opt.Recent = 1000
	}
	m := &Manager{
		opt: opt, log: opt.Log, clock: opt.Clock,
		devs: map[string]*device{}, unmatched: map[string]Unmatched{}, discovered: map[string]string{},
		scans: newRing[ScanRecord](opt.Recent), tags: newRing[TagRecord](opt.Recent),
	}
	if m.log == nil {
		m.log = slog.New(slog.DiscardHandler)
	}
	if m.clock == nil {
		m.clock = systemClock{}
	}
	for _, dc := range opt.Devices {
		if err := dc.Check(); err != nil {
			return nil, err
		}
		if _, dup := m.devs[dc.ID]; dup {
			return nil, fmt.Errorf("device %q is configured twice", dc.ID)
		}
		p, ok := opt.Profiles.Get(dc.Profile)
		if !ok {
			return nil, fmt.Errorf("device %s: no profile %q", dc.ID, dc.Profile)
		}
		if err := m.checkFits(dc, p); err != nil {
			return nil, err
		}
		m.add(&device{cfg: dc, candidates: []profiles.Profile{p}})
	}
	return m, nil
}

func (m *Manager) checkFits(dc DeviceConfig, p profiles.Profile) error {
	if _, ok := m.opt.Drivers[p.Codec]; !ok {
		return fmt.Errorf("device %s: profile %s uses codec %q, which this build has no driver for", dc.ID, p.ID, p.Codec)
	}
	switch p.Transport.Type {
	case "serial":
		if dc.Port == "" && dc.Address == "" {
			return fmt.Errorf("device %s: profile %s is a serial device: give its port (or the address of a serial-over-IP adapter)", dc.ID, p.ID)
		}
	case "tcp":
		if dc.Address == "" {
			return fmt.Errorf("device %s: profile %s is a network device: give its address", dc.ID, p.ID)
		}
	case "usb-hid":
		if dc.USB == "" {
			return fmt.Errorf("device %s: profile %s is a USB HID device: give usb=vid:pid[:serial]", dc.ID, p.ID)
		}
	}
	if p.Kind == profiles.Reader {
		if _, err := m.smootherFor(dc, p); err != nil {
			return fmt.Errorf("device %s: %w", dc.ID, err)
		}
	}
	return nil
}

func (m *Manager) add(d *device) {
	d.state, d.since = Connecting, m.clock.Now()
	d.where = d.cfg.Port + d.cfg.Address + d.cfg.USB
	m.mu.Lock()
	m.devs[d.cfg.ID] = d
	m.order = append(m.order, d.cfg.ID)
	ctx := m.runCtx
	m.mu.Unlock()
	if ctx != nil {
		m.start(ctx, d)
	}
}

// Run runs every device, and discovery when it is on, until ctx ends; it
// returns when every device goroutine has stopped.
func (m *Manager) Run(ctx context.Context) {
	m.mu.Lock()
	m.runCtx = ctx
	devs := make([]*device, 0, len(m.order))
	for _, id := range m.order {
		devs = append(devs, m.devs[id])
	}
	m.mu.Unlock()
	for _, d := range devs {
		m.start(ctx, d)
	}
	if m.opt.Discover != nil || m.opt.DiscoverHID != nil {
		m.wg.Add(1)
		go func() {
			defer m.wg.Done()
			m.discoverLoop(ctx)
		}()
	}
	<-ctx.Done()
	m.wg.Wait()
}

func (m *Manager) start(ctx context.Context, d *device) {
	m.wg.Add(1)
	go func() {
		defer m.wg.Done()
		m.runDevice(ctx, d)
		d.setState(m.clock.Now(), Stopped, "")
	}()
}

// runDevice is one device's life: connect, configure, read; on failure wait
// and try again, doubling the wait up to MaxBackoff. A device that stayed up
// for longer than MaxBackoff starts again from MinBackoff: it was unplugged,
// not broken.
func (m *Manager) runDevice(ctx context.Context, d *device) {
	backoff := m.opt.MinBackoff
	first := true
	for ctx.Err() == nil {
		if !first {
			d.reconnects.Add(1)
		}
		first = false
		start := time.Now()
		err := m.session(ctx, d)
		if ctx.Err() != nil {
			return
		}
		if time.Since(start) > m.opt.MaxBackoff {
			backoff = m.opt.MinBackoff
		}
		// Jitter keeps a shelf of readers on one power strip from all
		// reconnecting in the same millisecond.
		wait := backoff/2 + rand.N(backoff/2+1)
		now := m.clock.Now()
		d.mu.Lock()
		d.state, d.since, d.lastErr, d.nextRetry, d.driver = Down, now, errText(err), now.Add(wait), nil
		if len(d.candidates) > 1 {
			d.pick = (d.pick + 1) % len(d.candidates) // maybe the next profile fits
		}
		d.mu.Unlock()
		m.log.Warn("device down", "device", d.cfg.ID, "err", err, "retry_in", wait.Round(time.Millisecond))
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(backoff*2, m.opt.MaxBackoff)
	}
}

func errText(err error) string {
	if err == nil {
		return "the driver stopped"
	}
	return err.Error()
}

func (m *Manager) session(ctx context.Context, d *device) error {
	d.mu.Lock()
	p := d.candidates[d.pick]
	cfg := d.cfg
	d.mu.Unlock()
	d.setState(m.clock.Now(), Connecting, "")

	factory := m.opt.Drivers[p.Codec]
	drv, err := factory(p)
	if err != nil {
		return fmt.Errorf("driver for profile %s: %w", p.ID, err)
	}
	link, err := m.open(ctx, cfg, p)
	if err != nil {
		return err
	}
	// Closing the link is what unblocks a driver stuck in a read when the
	// depot shuts down.
	stop := context.AfterFunc(ctx, func() { link.Close() })
	defer func() {
		if stop() {
			link.Close()
		}
	}()

	d.setState(m.clock.Now(), Configuring, "")
	cctx, cancel := context.WithTimeout(ctx, m.opt.ConfigureTimeout)
	info, err := drv.Configure(cctx, link)
	cancel()
	if err != nil {
		return fmt.Errorf("configure (profile %s): %w", p.ID, err)
	}
	if p.Match.Version != "" && info.Firmware != "" && !p.VersionFits(info.Firmware) {
		return fmt.Errorf("the device reports firmware %q, which profile %s (%s) does not cover", info.Firmware, p.ID, p.Match.Version)
	}
	var sm *rfid.Smoother
	if p.Kind == profiles.Reader {
		if sm, err = m.smootherFor(cfg, p); err != nil {
			return err
		}
	}
	now := m.clock.Now()
	d.mu.Lock()
	d.state, d.since, d.info, d.lastErr, d.nextRetry, d.driver, d.smoother = Up, now, info, "", time.Time{}, drv, sm
	d.mu.Unlock()
	m.log.Info("device up", "device", cfg.ID, "profile", p.ID, "where", d.where, "firmware", info.Firmware)

	rep := &reporter{m: m, d: d, station: cfg.Station, kind: p.Kind}
	var sweepDone chan struct{}
	if sm != nil {
		sweepDone = make(chan struct{})
		sctx, scancel := context.WithCancel(ctx)
		defer func() {
			scancel()
			<-sweepDone
			rep.flush()
		}()
		go func() {
			defer close(sweepDone)
			rep.sweepLoop(sctx, m.opt.Smoothing.AbsentAfter)
		}()
	}
	err = drv.Run(ctx, link, rep)
	if err == nil && ctx.Err() == nil {
		err = errors.New("the driver stopped reading")
	}
	return err
}

func (m *Manager) open(ctx context.Context, dc DeviceConfig, p profiles.Profile) (devices.Link, error) {
	switch {
	case dc.Address != "":
		dctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		return transport.DialTCP(dctx, dc.Address)
	case dc.Port != "":
		mode := transport.SerialMode{Baud: p.Transport.Baud, DataBits: p.Transport.DataBits, Parity: p.Transport.Parity, StopBits: p.Transport.StopBits}
		if dc.Baud > 0 {
			mode.Baud = dc.Baud
		}
		return transport.OpenSerial(dc.Port, mode)
	case dc.USB != "":
		if m.opt.OpenUSB == nil {
			return nil, fmt.Errorf("usb %s: %w: this depotd was built without USB (cgo and libusb)", dc.USB, devices.ErrNotSupported)
		}
		vid, pid, serial, err := dc.usbIDs()
		if err != nil {
			return nil, err
		}
		return m.opt.OpenUSB(ctx, vid, pid, serial, p)
	}
	return nil, errors.New("nowhere to open")
}

// smootherFor builds a reader's smoother: every antenna the profile reads
// goes to its configured zone, or to the device's zone, station or id.
func (m *Manager) smootherFor(dc DeviceConfig, p profiles.Profile) (*rfid.Smoother, error) {
	cfg := m.opt.Smoothing
	cfg.Zones = map[rfid.Antenna]string{}
	def := dc.Zone
	if def == "" {
		def = dc.Station
	}
	if def == "" {
		def = dc.ID
	}
	n := p.Capabilities.Antennas
	if n < 1 {
		n = 1
	}
	if p.Reader != nil {
		for _, a := range p.Reader.Antennas {
			n = max(n, a)
		}
	}
	for a := range dc.Zones {
		if a > n {
			return nil, fmt.Errorf("zone for antenna %d, but profile %s has %d", a, p.ID, n)
		}
	}
	for a := 1; a <= n; a++ {
		z := dc.Zones[a]
		if z == "" {
			z = def
		}
		cfg.Zones[rfid.Antenna{Device: dc.ID, Port: a}] = z
	}
	// A reader that does not report the antenna reports 0.
	cfg.Zones[rfid.Antenna{Device: dc.ID, Port: 0}] = def
	return rfid.New(cfg)
}

func (d *device) setState(now time.Time, s State, lastErr string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.state != s {
		d.state, d.since = s, now
	}
	if lastErr != "" {
		d.lastErr = lastErr
	}
}

// Signal tells the operator at a device whether a scan was good: a beep or
// LED where the device can. It returns devices.ErrNotSupported when the
// device cannot, and an error when it is not connected.
func (m *Manager) Signal(id string, good bool) error {
	m.mu.Lock()
	d := m.devs[id]
	m.mu.Unlock()
	if d == nil {
		return fmt.Errorf("no device %q", id)
	}
	d.mu.Lock()
	drv, state := d.driver, d.state
	d.mu.Unlock()
	if state != Up || drv == nil {
		return fmt.Errorf("device %s is %s", id, state)
	}
	s, ok := drv.(devices.Signaller)
	if !ok {
		return devices.ErrNotSupported
	}
	return s.Signal(good)
}

// Devices returns every device's status, configured devices first in
// configuration order, then discovered ones.
func (m *Manager) Devices() []Status {
	m.mu.Lock()
	devs := make([]*device, 0, len(m.order))
	for _, id := range m.order {
		devs = append(devs, m.devs[id])
	}
	m.mu.Unlock()
	out := make([]Status, len(devs))
	for i, d := range devs {
		out[i] = d.status()
	}
	return out
}

// Device returns one device's status.
func (m *Manager) Device(id string) (Status, bool) {
	m.mu.Lock()
	d := m.devs[id]
	m.mu.Unlock()
	if d == nil {
		return Status{}, false
	}
	return d.status(), true
}

func (d *device) status() Status {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.candidates[d.pick]
	s := Status{
		ID: d.cfg.ID, Profile: p.ID, Vendor: p.Vendor, Model: p.Model, Kind: p.Kind, Codec: p.Codec,
		Transport: p.Transport.Type, Where: d.where, Station: d.cfg.Station, Discovered: d.discovered,
		State: d.state, Since: d.since, LastError: d.lastErr, Info: d.info, Capabilities: p.Capabilities,
		Frames: d.frames.Load(), BadFrames: d.bad.Load(), CRCErrors: d.crc.Load(), Reconnects: d.reconnects.Load(),
		Scans: d.scans.Load(), TagReads: d.reads.Load(), LastBadFrame: d.lastBad,
	}
	if d.cfg.Address != "" {
		s.Transport = "tcp"
	}
	if !d.nextRetry.IsZero() && d.state == Down {
		t := d.nextRetry
		s.NextRetry = &t
	}
	if d.lastScan != nil {
		sc := *d.lastScan
		s.LastScan = &sc
	}
	if d.smoother != nil {
		s.TagsPresent = d.smoother.Stats().Present
	}
	return s
}

// Unmatched lists USB serial ports that discovery saw but no profile fits,
// so an admin can see a scanner is plugged in and needs a profile.
func (m *Manager) Unmatched() []Unmatched {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]Unmatched, 0, len(m.unmatched))
	for _, u := range m.unmatched {
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Scans returns up to limit kept scans with an id above after, oldest first,
// and the id to ask after next time.
func (m *Manager) Scans(after uint64, limit int) ([]ScanRecord, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.scans.after(after, limit, func(r ScanRecord) uint64 { return r.ID })
}

// TagEvents is Scans for smoothed tag events.
func (m *Manager) TagEvents(after uint64, limit int) ([]TagRecord, uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.tags.after(after, limit, func(r TagRecord) uint64 { return r.ID })
}

func (m *Manager) discoverLoop(ctx context.Context) {
	t := time.NewTicker(m.opt.DiscoverEvery)
	defer t.Stop()
	for {
		if m.opt.Discover != nil {
			m.discoverOnce()
		}
		if m.opt.DiscoverHID != nil {
			m.discoverHID()
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// discoverOnce matches the USB serial ports against the profiles. A device
// is known by vid, pid and serial number, so it keeps its id (and its
// history) when it comes back on another ttyACM number.
func (m *Manager) discoverOnce() {
	ports, err := m.opt.Discover()
	if err != nil {
		m.log.Warn("device discovery failed", "err", err)
		return
	}
	m.mu.Lock()
	used := map[string]bool{}
	for _, d := range m.devs {
		if d.cfg.Port != "" && !d.discovered {
			used[resolve(d.cfg.Port)] = true
		}
	}
	m.mu.Unlock()
	now := m.clock.Now()
	present := map[string]bool{}
	for _, p := range ports {
		if used[resolve(p.Path)] {
			continue
		}
		key := p.VID + ":" + p.PID + ":" + p.Serial
		if p.Serial == "" {
			key += ":" + p.Path
		}
		present[p.Path] = true
		m.mu.Lock()
		id, known := m.discovered[key]
		var d *device
		if known {
			d = m.devs[id]
		}
		m.mu.Unlock()
		if d != nil {
			d.mu.Lock()
			if d.cfg.Port != p.Path {
				d.cfg.Port, d.where = p.Path, p.Path
			}
			d.mu.Unlock()
			continue
		}
		cands := m.opt.Profiles.MatchUSB(p.VID, p.PID, p.Product, p.Manufacturer)
		cands = slices.DeleteFunc(cands, func(pr profiles.Profile) bool {
			_, ok := m.opt.Drivers[pr.Codec]
			return !ok || pr.Transport.Type != "serial"
		})
		if len(cands) == 0 {
			m.mu.Lock()
			if _, seen := m.unmatched[p.Path]; !seen {
				m.log.Info("USB serial device has no matching profile", "port", p.Path, "vid", p.VID, "pid", p.PID, "product", p.Product)
			}
			m.unmatched[p.Path] = Unmatched{Port: p, SeenAt: now}
			m.mu.Unlock()
			continue
		}
		id = discoveredID(p)
		dc := DeviceConfig{ID: id, Profile: cands[0].ID, Port: p.Path, Station: m.opt.DiscoveredStation}
		m.mu.Lock()
		for n := 2; m.devs[dc.ID] != nil; n++ {
			dc.ID = fmt.Sprintf("%s-%d", id, n)
		}
		m.discovered[key] = dc.ID
		delete(m.unmatched, p.Path)
		m.mu.Unlock()
		m.log.Info("device discovered", "device", dc.ID, "port", p.Path, "profile", cands[0].ID, "candidates", len(cands))
		m.add(&device{cfg: dc, candidates: cands, discovered: true})
	}
	m.mu.Lock()
	for path := range m.unmatched {
		if !present[path] {
			delete(m.unmatched, path)
		}
	}
	m.mu.Unlock()
}

// discoverHID starts HID POS scanners that no configured device names. A
// device is selected by vid:pid:serial; two identical scanners without
// serial numbers cannot be told apart, so those are left to configuration.
func (m *Manager) discoverHID() {
	devs, err := m.opt.DiscoverHID()
	if err != nil {
		m.log.Debug("USB HID discovery failed", "err", err)
		return
	}
	byIDs := map[string]int{}
	for _, u := range devs {
		byIDs[u.VID+":"+u.PID]++
	}
	m.mu.Lock()
	configured := map[string]bool{}
	for _, d := range m.devs {
		if d.cfg.USB != "" {
			configured[strings.ToLower(d.cfg.USB)] = true
		}
	}
	m.mu.Unlock()
	for _, u := range devs {
		sel := u.VID + ":" + u.PID
		if u.Serial != "" {
			sel += ":" + u.Serial
		} else if byIDs[sel] > 1 {
			continue
		}
		if configured[strings.ToLower(sel)] || configured[u.VID+":"+u.PID] {
			continue
		}
		key := "hid:" + sel
		m.mu.Lock()
		_, known := m.discovered[key]
		m.mu.Unlock()
		if known {
			continue
		}
		cands := slices.DeleteFunc(m.opt.Profiles.MatchUSB(u.VID, u.PID, u.Product, u.Manufacturer), func(p profiles.Profile) bool {
			_, ok := m.opt.Drivers[p.Codec]
			return !ok || p.Codec != "hid-pos"
		})
		if len(cands) == 0 {
			continue
		}
		tail := u.Serial
		if tail == "" {
			tail = u.Port
		}
		dc := DeviceConfig{ID: cleanID("usb-" + u.VID + "-" + u.PID + "-" + tail), Profile: cands[0].ID, USB: sel, Station: m.opt.DiscoveredStation}
		m.mu.Lock()
		base := dc.ID
		for n := 2; m.devs[dc.ID] != nil; n++ {
			dc.ID = fmt.Sprintf("%s-%d", base, n)
		}
		m.discovered[key] = dc.ID
		m.mu.Unlock()
		m.log.Info("device discovered", "device", dc.ID, "usb", sel, "profile", cands[0].ID)
		m.add(&device{cfg: dc, candidates: cands, discovered: true})
	}
}

func discoveredID(p transport.Port) string {
	tail := p.Serial
	if tail == "" {
		tail = filepath.Base(p.Path)
	}
	return cleanID("usb-" + p.VID + "-" + p.PID + "-" + tail)
}

// cleanID makes a device id out of USB strings.
func cleanID(id string) string {
	b := []byte(id)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			b[i] = '_'
		}
	}
	if len(b) > 64 {
		b = b[:64]
	}
	return string(b)
}

func resolve(path string) string {
	if r, err := filepath.EvalSymlinks(path); err == nil {
		return r
	}
	return path
}
