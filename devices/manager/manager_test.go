package manager

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/creack/pty"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/rfid"
	"github.com/partsedge/partsedge/devices/transport"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// lineDriver is a stand-in protocol for testing the manager: one line per
// frame; "BAD ..." is a frame with a wrong checksum; "TAG epc ant rssi"
// is a tag report.
type lineDriver struct{}

func (lineDriver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	return devices.Info{Firmware: "T1.0"}, nil
}

func (lineDriver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	if err := l.SetReadTimeout(50 * time.Millisecond); err != nil {
		return err
	}
	br := bufio.NewReader(readerFunc(func(p []byte) (int, error) {
		for {
			n, err := l.Read(p)
			if errors.Is(err, devices.ErrTimeout) {
				if ctx.Err() != nil {
					return 0, ctx.Err()
				}
				continue
			}
			return n, err
		}
	}))
	for {
		line, err := br.ReadString('\n')
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			return err
		}
		line = strings.TrimSpace(line)
		switch f := strings.Fields(line); {
		case strings.HasPrefix(line, "BAD"):
			r.BadFrame(fmt.Errorf("frame %q: %w", line, devices.ErrChecksum))
		case len(f) == 4 && f[0] == "TAG":
			ant, _ := strconv.Atoi(f[2])
			rssi, _ := strconv.ParseFloat(f[3], 64)
			r.Frame()
			r.Tags([]devices.Tag{{EPC: []byte(f[1]), Antenna: ant, RSSI: rssi}})
		default:
			r.Frame()
			r.Scan(devices.Scan{Data: line})
		}
	}
}

type readerFunc func([]byte) (int, error)

func (f readerFunc) Read(p []byte) (int, error) { return f(p) }

func testDrivers() map[string]DriverFactory {
	f := func(profiles.Profile) (devices.Driver, error) { return lineDriver{}, nil }
	return map[string]DriverFactory{"serial-scanner": f, "r2000": f}
}

const readerYAML = `id: test-reader
vendor: Test
model: Reader
kind: reader
firmware: ["T1"]
match: {version: "^T1"}
transport: {type: serial, baud: 115200}
framing: {header: "a0", checksum: sum8-twos}
codec: r2000
reader: {antennas: [1, 2]}
capabilities: {inventory: true, antennas: 2}
`

func testProfiles(t *testing.T) *profiles.Set {
	t.Helper()
	set, err := testProfilesB()
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func testProfilesB() (*profiles.Set, error) {
	set, err := profiles.Builtin()
	if err != nil {
		return nil, err
	}
	extra, err := profiles.Load(fstest.MapFS{"test-reader.yaml": {Data: []byte(readerYAML)}}, ".")
	if err != nil {
		return nil, err
	}
	set.Merge(extra)
	return set, nil
}

// fakeDevice is a device on a pseudo-terminal whose symlink stays put while
// the pty behind it is unplugged and plugged in again.
type fakeDevice struct {
	t      *testing.T
	link   string
	master *os.File
	slave  *os.File
}

func newFakeDevice(t *testing.T) *fakeDevice {
	d := &fakeDevice{t: t, link: filepath.Join(t.TempDir(), "tty")}
	d.plug()
	t.Cleanup(d.unplug)
	return d
}

func (d *fakeDevice) plug() {
	m, s, err := pty.Open()
	if err != nil {
		d.t.Fatal(err)
	}
	os.Remove(d.link)
	if err := os.Symlink(s.Name(), d.link); err != nil {
		d.t.Fatal(err)
	}
	d.master, d.slave = m, s
}

func (d *fakeDevice) unplug() {
	if d.master != nil {
		d.master.Close()
		d.slave.Close()
		d.master, d.slave = nil, nil
	}
}

func (d *fakeDevice) send(s string) {
	d.t.Helper()
	if _, err := d.master.Write([]byte(s)); err != nil {
		d.t.Fatal(err)
	}
}

func startManager(t *testing.T, opt Options) *Manager {
	t.Helper()
	if opt.Profiles == nil {
		opt.Profiles = testProfiles(t)
	}
	if opt.Drivers == nil {
		opt.Drivers = testDrivers()
	}
	if opt.MinBackoff == 0 {
		opt.MinBackoff, opt.MaxBackoff = 20*time.Millisecond, 100*time.Millisecond
	}
	m, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		m.Run(ctx)
		close(done)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return m
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func state(m *Manager, id string) State {
	s, _ := m.Device(id)
	return s.State
}

func TestReadsCountsAndReconnects(t *testing.T) {
	dev := newFakeDevice(t)
	var mu sync.Mutex
	var got []string
	m := startManager(t, Options{
		Devices: []DeviceConfig{{ID: "s1", Profile: "generic-serial-scanner", Port: dev.link, Station: "dock-1"}},
		OnScan: func(r ScanRecord) {
			mu.Lock()
			got = append(got, r.Data)
			mu.Unlock()
		},
	})
	waitFor(t, "s1 up", func() bool { return state(m, "s1") == Up })
	dev.send("]C1 ignored by this driver\nBAD frame\n" + "0109506000134352\n")
	waitFor(t, "two scans", func() bool { s, _ := m.Device("s1"); return s.Scans == 2 && s.BadFrames == 1 })

	s, _ := m.Device("s1")
	if s.Frames != 2 || s.CRCErrors != 1 || s.Info.Firmware != "T1.0" || s.Station != "dock-1" || s.LastScan.Data != "0109506000134352" {
		t.Fatalf("status = %+v", s)
	}
	recs, next := m.Scans(0, 10)
	if len(recs) != 2 || next != recs[1].ID || recs[1].Device != "s1" || recs[1].Station != "dock-1" {
		t.Fatalf("scans = %+v, next %d", recs, next)
	}
	if recs[1].GS1 == nil || recs[1].GS1.Elements[0].Value != "09506000134352" {
		t.Fatalf("the GS1 scan was not decoded: %+v", recs[1])
	}
	if more, _ := m.Scans(next, 10); len(more) != 0 {
		t.Fatalf("scans after the last: %+v", more)
	}

	// Pull the cable; the device goes down and comes back on its own.
	dev.unplug()
	waitFor(t, "s1 down", func() bool { return state(m, "s1") == Down })
	if s, _ := m.Device("s1"); s.LastError == "" || s.NextRetry == nil {
		t.Fatalf("a down device should say why and when it retries: %+v", s)
	}
	dev.plug()
	waitFor(t, "s1 up again", func() bool { return state(m, "s1") == Up })
	dev.send("after replug\n")
	waitFor(t, "the scan after the replug", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(got) == 3 && got[2] == "after replug"
	})
	if s, _ := m.Device("s1"); s.Reconnects < 1 {
		t.Fatalf("reconnects = %d", s.Reconnects)
	}
}

func TestDeadDeviceDoesNotStallOthers(t *testing.T) {
	dev := newFakeDevice(t)
	m := startManager(t, Options{Devices: []DeviceConfig{
		{ID: "dead", Profile: "generic-serial-scanner", Port: filepath.Join(t.TempDir(), "missing")},
		{ID: "live", Profile: "generic-serial-scanner", Port: dev.link},
	}})
	waitFor(t, "live up", func() bool { return state(m, "live") == Up })
	for i := 0; i < 20; i++ {
		dev.send(fmt.Sprintf("scan-%d\n", i))
	}
	waitFor(t, "20 scans", func() bool { s, _ := m.Device("live"); return s.Scans == 20 })
	waitFor(t, "dead retried", func() bool { s, _ := m.Device("dead"); return s.Reconnects >= 2 })
	s, _ := m.Device("dead")
	if s.State == Up || !strings.Contains(s.LastError, "missing") {
		t.Fatalf("dead device status = %+v", s)
	}
	if all := m.Devices(); len(all) != 2 || all[0].ID != "dead" || all[1].ID != "live" {
		t.Fatalf("Devices() order: %+v", all)
	}
}

func TestReaderTagsAreSmoothed(t *testing.T) {
	dev := newFakeDevice(t)
	var mu sync.Mutex
	var evs []TagRecord
	m := startManager(t, Options{
		Devices: []DeviceConfig{{ID: "door", Profile: "test-reader", Port: dev.link, Station: "receiving", Zones: map[int]string{2: "aisle-3"}}},
		OnTag: func(r TagRecord) {
			mu.Lock()
			evs = append(evs, r)
			mu.Unlock()
		},
		Smoothing: rfid.Config{AbsentAfter: time.Hour},
	})
	waitFor(t, "door up", func() bool { return state(m, "door") == Up })
	for i := 0; i < 5; i++ {
		dev.send("TAG E200 1 -60\nTAG E201 2 -50\n")
	}
	waitFor(t, "10 reads", func() bool { s, _ := m.Device("door"); return s.TagReads == 10 })
	mu.Lock()
	if len(evs) != 2 || evs[0].Zone != "receiving" || evs[1].Zone != "aisle-3" || evs[0].Kind != rfid.TagSeen {
		t.Fatalf("events = %+v", evs)
	}
	mu.Unlock()
	if s, _ := m.Device("door"); s.TagsPresent != 2 {
		t.Fatalf("present = %d", s.TagsPresent)
	}
	// When the reader drops off, what it saw is reported gone: a count
	// must not keep tags no reader can see.
	dev.unplug()
	waitFor(t, "tags gone", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(evs) == 4
	})
	recs, _ := m.TagEvents(0, 0)
	if len(recs) != 4 || recs[2].Kind != rfid.TagGone || recs[2].Reads != 5 {
		t.Fatalf("tag records = %+v", recs)
	}
}

func TestDiscovery(t *testing.T) {
	dev := newFakeDevice(t)
	ports := []transport.Port{
		{Path: dev.link, VID: "1a86", PID: "7523", Serial: "", Product: "USB Barcode Scanner"},
		{Path: "/dev/ttyUSB9", VID: "1234", PID: "5678", Product: "Mystery"},
	}
	m := startManager(t, Options{
		Discover:          func() ([]transport.Port, error) { return ports, nil },
		DiscoverEvery:     20 * time.Millisecond,
		DiscoveredStation: "counter",
	})
	id := "usb-1a86-7523-" + filepath.Base(dev.link)
	waitFor(t, "discovered device up", func() bool { return state(m, id) == Up })
	dev.send("hello\n")
	waitFor(t, "its scan", func() bool { s, _ := m.Device(id); return s.Scans == 1 })
	s, _ := m.Device(id)
	if !s.Discovered || s.Profile != "generic-serial-scanner" || s.Station != "counter" {
		t.Fatalf("status = %+v", s)
	}
	if u := m.Unmatched(); len(u) != 1 || u[0].Path != "/dev/ttyUSB9" {
		t.Fatalf("unmatched = %+v", u)
	}
	if n := len(m.Devices()); n != 1 {
		t.Fatalf("%d devices after several discovery rounds, want 1", n)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	set := testProfiles(t)
	for _, tc := range []struct {
		name string
		devs []DeviceConfig
		want string
	}{
		{"unknown profile", []DeviceConfig{{ID: "a", Profile: "nope", Port: "/dev/x"}}, "no profile"},
		{"duplicate", []DeviceConfig{{ID: "a", Profile: "generic-serial-scanner", Port: "/dev/x"}, {ID: "a", Profile: "generic-serial-scanner", Port: "/dev/y"}}, "twice"},
		{"no place", []DeviceConfig{{ID: "a", Profile: "generic-serial-scanner"}}, "exactly one"},
		{"usb for serial", []DeviceConfig{{ID: "a", Profile: "generic-serial-scanner", USB: "0c2e:0b6a"}}, "give its port"},
		{"antenna out of range", []DeviceConfig{{ID: "a", Profile: "test-reader", Port: "/dev/x", Zones: map[int]string{3: "z"}}}, "antenna 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(Options{Devices: tc.devs, Profiles: set, Drivers: testDrivers()})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if _, err := New(Options{Profiles: set, Drivers: map[string]DriverFactory{}, Devices: []DeviceConfig{{ID: "a", Profile: "generic-serial-scanner", Port: "/dev/x"}}}); err == nil {
		t.Fatal("a profile whose codec has no driver: want an error")
	}
}

func TestParseSpecs(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    []string // Spec() of each device
		wantErr string
	}{
		{"", nil, ""},
		{"id=s1,profile=p,port=/dev/ttyACM0,station=dock-1", []string{"id=s1,profile=p,port=/dev/ttyACM0,station=dock-1"}, ""},
		{" id=door, profile=r, address=10.0.0.7:4001, zone.2=aisle, zone.1=dock ; id=h,profile=x,usb=0c2e:0b6a:ABC,baud=0x", nil, "baud"},
		{"id=door,profile=r,address=10.0.0.7:4001,zone.2=aisle,zone.1=dock;id=h,profile=x,usb=0c2e:0b6a:ABC",
			[]string{"id=door,profile=r,address=10.0.0.7:4001,zone.1=dock,zone.2=aisle", "id=h,profile=x,usb=0c2e:0b6a:ABC"}, ""},
		{"id=a,profile=p,port=/x;id=a,profile=p,port=/y", nil, "twice"},
		{"id=a,profile=p", nil, "exactly one"},
		{"id=a b,profile=p,port=/x", nil, "device id"},
		{"id=a,profile=p,port=/x,colour=red", nil, "unknown setting"},
		{"id=a,profile=p,port=/x,zone.0=z", nil, "numbered from 1"},
		{"id=a,profile=p,port", nil, "key=value"},
	} {
		got, err := ParseSpecs(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("ParseSpecs(%q) err = %v, want %q", tc.in, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseSpecs(%q): %v", tc.in, err)
			continue
		}
		var specs []string
		for _, d := range got {
			specs = append(specs, d.Spec())
		}
		if strings.Join(specs, ";") != strings.Join(tc.want, ";") {
			t.Errorf("ParseSpecs(%q) = %q, want %q", tc.in, specs, tc.want)
		}
	}
}

func TestHIDDiscovery(t *testing.T) {
	dev := newFakeDevice(t)
	var mu sync.Mutex
	var opened []string
	drivers := testDrivers()
	drivers["hid-pos"] = drivers["serial-scanner"]
	drivers["hid-keyboard"] = drivers["serial-scanner"]
	m := startManager(t, Options{
		Drivers: drivers,
		DiscoverHID: func() ([]USBDevice, error) {
			return []USBDevice{
				{VID: "0c2e", PID: "0907", Serial: "21045B0042", Product: "Honeywell HID POS Scanner", Port: "1-1.2"},
				// Two identical scanners without serial numbers cannot be
				// selected one by one: left to configuration.
				{VID: "0c2e", PID: "0b87", Port: "1-1.3"},
				{VID: "0c2e", PID: "0b87", Port: "1-1.4"},
				// A keyboard wedge is never claimed by discovery.
				{VID: "05e0", PID: "1200", Serial: "K1", Port: "1-2"},
			}, nil
		},
		DiscoverEvery: 20 * time.Millisecond,
		OpenUSB: func(ctx context.Context, vid, pid, serial string, p profiles.Profile) (devices.Link, error) {
			mu.Lock()
			opened = append(opened, vid+":"+pid+":"+serial+"@"+p.ID)
			mu.Unlock()
			return transport.OpenSerial(dev.link, transport.SerialMode{})
		},
	})
	id := "usb-0c2e-0907-21045B0042"
	waitFor(t, "the HID POS scanner up", func() bool { return state(m, id) == Up })
	dev.send("from the hid scanner\n")
	waitFor(t, "its scan", func() bool { s, _ := m.Device(id); return s.Scans == 1 })
	time.Sleep(60 * time.Millisecond) // a few more discovery rounds
	if n := len(m.Devices()); n != 1 {
		t.Fatalf("%d devices, want only the HID POS scanner: %+v", n, m.Devices())
	}
	s, _ := m.Device(id)
	mu.Lock()
	defer mu.Unlock()
	if s.Where != "0c2e:0907:21045B0042" || s.Transport != "usb-hid" || !s.Discovered || len(opened) != 1 || opened[0] != "0c2e:0907:21045B0042@honeywell-hid-pos" {
		t.Fatalf("status %+v, opened %v", s, opened)
	}
}

// TestSerialOverTCP: a reader behind a serial-over-IP adapter, reached by
// address; when the adapter drops the connection the device reconnects.
func TestSerialOverTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	conns := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	m := startManager(t, Options{Devices: []DeviceConfig{{ID: "ip", Profile: "test-reader", Address: ln.Addr().String()}},
		Smoothing: rfid.Config{AbsentAfter: time.Hour}})
	c := <-conns
	waitFor(t, "up", func() bool { return state(m, "ip") == Up })
	if _, err := c.Write([]byte("TAG E1 1 -40\n")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "a read", func() bool { s, _ := m.Device("ip"); return s.TagReads == 1 })
	c.Close()
	c2 := <-conns
	defer c2.Close()
	waitFor(t, "up again", func() bool { s, _ := m.Device("ip"); return s.State == Up && s.Reconnects >= 1 })
	if s, _ := m.Device("ip"); s.Transport != "tcp" {
		t.Fatalf("transport = %q", s.Transport)
	}
}

func TestCollector(t *testing.T) {
	dev := newFakeDevice(t)
	m := startManager(t, Options{Devices: []DeviceConfig{{ID: "s1", Profile: "generic-serial-scanner", Port: dev.link}}})
	waitFor(t, "up", func() bool { return state(m, "s1") == Up })
	dev.send("one\nBAD\ntwo\n")
	waitFor(t, "two scans", func() bool { s, _ := m.Device("s1"); return s.Scans == 2 && s.BadFrames == 1 })
	reg := prometheus.NewRegistry()
	reg.MustRegister(m.Collector())
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, mt := range mf.GetMetric() {
			v := mt.GetCounter().GetValue() + mt.GetGauge().GetValue()
			key := mf.GetName()
			for _, l := range mt.GetLabel() {
				if l.GetName() == "kind" {
					key += "/" + l.GetValue()
				}
			}
			got[key] = v
		}
	}
	for name, want := range map[string]float64{
		"partsedge_device_frames_total": 2, "partsedge_device_bad_frames_total": 1, "partsedge_device_crc_errors_total": 1,
		"partsedge_device_scans_total": 2, "partsedge_device_up": 1, "partsedge_device_reconnects_total": 0,
		"partsedge_rfid_tag_events_total/tag-seen": 0, "partsedge_devices_unmatched": 0,
	} {
		if v, ok := got[name]; !ok || v != want {
			t.Errorf("%s = %v (present %v), want %v", name, v, ok, want)
		}
	}
}
