package manager

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// DeviceConfig is one device the depot has configured: which profile it is,
// where it is plugged and which station it serves.
type DeviceConfig struct {
	ID      string `json:"id"`
	Profile string `json:"profile"`
	// Port is a serial device path (/dev/ttyACM0, a /dev/serial/by-id link).
	Port string `json:"port,omitempty"`
	// Address is host:port for a network reader or serial-over-IP adapter.
	Address string `json:"address,omitempty"`
	// USB selects a HID device: vid:pid or vid:pid:serial (hex as lsusb prints).
	USB string `json:"usb,omitempty"`
	// Baud overrides the profile's baud rate (the device was set differently).
	Baud    int    `json:"baud,omitempty"`
	Station string `json:"station,omitempty"`
	// Zones maps a reader's antennas to RFID zones; antennas not listed go
	// to Zone, which defaults to the station (or the device id).
	Zones map[int]string `json:"zones,omitempty"`
	Zone  string         `json:"zone,omitempty"`
}

var deviceID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidID reports whether s may name a device or a station: letters,
// digits, '.', '_' and '-', up to 64, starting with a letter or digit.
func ValidID(s string) bool { return deviceID.MatchString(s) }

// ParseSpecs reads devices from the one-line form used in flags and
// environment variables: devices separated by ';', settings by ',', each
// key=value. Antenna zones are zone.N=name.
//
//	id=dock-scanner,profile=honeywell-serial-scanner,port=/dev/ttyACM0,station=dock-1;
//	id=door,profile=r2000-reader,address=10.0.0.7:4001,zone.1=dock,zone.2=aisle-3
func ParseSpecs(s string) ([]DeviceConfig, error) {
	var out []DeviceConfig
	seen := map[string]bool{}
	for i, spec := range strings.Split(s, ";") {
		spec = strings.TrimSpace(spec)
		if spec == "" {
			continue
		}
		var d DeviceConfig
		for _, kv := range strings.Split(spec, ",") {
			k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if !ok || k == "" {
				return nil, fmt.Errorf("device %d: %q is not key=value", i+1, kv)
			}
			if err := d.set(k, v); err != nil {
				return nil, fmt.Errorf("device %d: %w", i+1, err)
			}
		}
		if err := d.Check(); err != nil {
			return nil, err
		}
		if seen[d.ID] {
			return nil, fmt.Errorf("device %q is configured twice", d.ID)
		}
		seen[d.ID] = true
		out = append(out, d)
	}
	return out, nil
}

func (d *DeviceConfig) set(k, v string) error {
	switch k {
	case "id":
		d.ID = v
	case "profile":
		d.Profile = v
	case "port":
		d.Port = v
	case "address":
		d.Address = v
	case "usb":
		d.USB = v
	case "station":
		d.Station = v
	case "zone":
		d.Zone = v
	case "baud":
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("baud %q is not a baud rate", v)
		}
		d.Baud = n
	default:
		ant, ok := strings.CutPrefix(k, "zone.")
		if !ok {
			return fmt.Errorf("unknown setting %q (id, profile, port, address, usb, baud, station, zone, zone.N)", k)
		}
		n, err := strconv.Atoi(ant)
		if err != nil || n < 1 || n > 64 {
			return fmt.Errorf("%q: antennas are numbered from 1", k)
		}
		if d.Zones == nil {
			d.Zones = map[int]string{}
		}
		d.Zones[n] = v
	}
	return nil
}

// Check reports what is missing or contradictory in one device's settings.
func (d DeviceConfig) Check() error {
	if !deviceID.MatchString(d.ID) {
		return fmt.Errorf("device id %q: letters, digits, '.', '_' and '-', up to 64", d.ID)
	}
	if d.Profile == "" {
		return fmt.Errorf("device %s: no profile", d.ID)
	}
	n := 0
	for _, s := range []string{d.Port, d.Address, d.USB} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return fmt.Errorf("device %s: set exactly one of port, address, usb", d.ID)
	}
	if d.USB != "" {
		if _, _, _, err := d.usbIDs(); err != nil {
			return fmt.Errorf("device %s: %w", d.ID, err)
		}
	}
	return nil
}

// usbIDs splits the usb selector: vid and pid lower-cased, as lsusb prints
// them; the serial number keeps its case.
func (d DeviceConfig) usbIDs() (vid, pid, serial string, err error) {
	parts := strings.Split(d.USB, ":")
	if len(parts) < 2 || len(parts) > 3 || !hexID.MatchString(strings.ToLower(parts[0])) || !hexID.MatchString(strings.ToLower(parts[1])) {
		return "", "", "", fmt.Errorf("usb %q: want vid:pid or vid:pid:serial, ids as 4 hex digits", d.USB)
	}
	if len(parts) == 3 {
		serial = parts[2]
	}
	return strings.ToLower(parts[0]), strings.ToLower(parts[1]), serial, nil
}

var hexID = regexp.MustCompile(`^[0-9a-f]{4}$`)

// Spec is the one-line form of d (ParseSpecs reads it back).
func (d DeviceConfig) Spec() string {
	var parts []string
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, k+"="+v)
		}
	}
	add("id", d.ID)
	add("profile", d.Profile)
	add("port", d.Port)
	add("address", d.Address)
	add("usb", d.USB)
	if d.Baud > 0 {
		add("baud", strconv.Itoa(d.Baud))
	}
	add("station", d.Station)
	add("zone", d.Zone)
	ants := make([]int, 0, len(d.Zones))
	for a := range d.Zones {
		ants = append(ants, a)
	}
	sort.Ints(ants)
	for _, a := range ants {
		add("zone."+strconv.Itoa(a), d.Zones[a])
	}
	return strings.Join(parts, ",")
}
