// Package profiles holds the firmware profiles: one YAML file per scanner or
// reader model, saying how to recognise the model, how to reach it, how its
// frames look, which codec speaks it, what to send it at connect time and
// what it can do. The files in this folder are embedded into the binaries;
// a depot can add its own from a folder (Load).
//
// The Go types below are the schema; schema.json describes the same for
// editors and people, and a test keeps the two in step.
package profiles

import (
	"bytes"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed *.yaml
var builtin embed.FS

// Kind says what a device does.
type Kind string

const (
	Scanner Kind = "scanner"
	Reader  Kind = "reader"
)

// Profile describes one device model (and the firmware versions it covers).
type Profile struct {
	ID     string `yaml:"id"`
	Vendor string `yaml:"vendor"`
	Model  string `yaml:"model"`
	Kind   Kind   `yaml:"kind"`
	// Firmware lists the firmware versions (or families) the profile was
	// written for, as people name them; Match.Version is what is checked.
	Firmware []string `yaml:"firmware"`
	// Notes say what an installer should know (wiring, the mode the device
	// must be put in by its programming barcodes, ...).
	Notes        string       `yaml:"notes,omitempty"`
	Match        Match        `yaml:"match"`
	Transport    Transport    `yaml:"transport"`
	Framing      Framing      `yaml:"framing"`
	Codec        string       `yaml:"codec"`
	Variant      string       `yaml:"variant,omitempty"`
	Init         []Command    `yaml:"init,omitempty"`
	Signals      Signals      `yaml:"signals,omitempty"`
	Reader       *ReaderSetup `yaml:"reader,omitempty"`
	Capabilities Capabilities `yaml:"capabilities"`
}

// Match says how discovery recognises the model.
type Match struct {
	// USB lists the vendor and product ids (hex, as lsusb prints them) the
	// model enumerates with, directly or through its USB-serial bridge.
	USB []USBID `yaml:"usb,omitempty"`
	// Product lists substrings of the USB product or manufacturer string; a
	// bridge chip shared by many models needs one to tell them apart.
	Product []string `yaml:"product,omitempty"`
	// Version is a regular expression the firmware version the device
	// reports at connect must match: readers of one model speak different
	// command sets across releases, and the wrong profile must not be used.
	Version string `yaml:"version,omitempty"`
}

// USBID is a USB vendor and product id pair.
type USBID struct {
	VID string `yaml:"vid"`
	PID string `yaml:"pid"`
}

// Transport says how the device is reached.
type Transport struct {
	Type     string `yaml:"type"` // serial, usb-hid, tcp
	Baud     int    `yaml:"baud,omitempty"`
	DataBits int    `yaml:"dataBits,omitempty"`
	Parity   string `yaml:"parity,omitempty"`   // none, odd, even
	StopBits int    `yaml:"stopBits,omitempty"` // 1 or 2
	// Interface is the USB interface a HID device reads on.
	Interface int `yaml:"interface,omitempty"`
	// Port is the default TCP port of a network reader.
	Port int `yaml:"port,omitempty"`
}

// Framing describes the device's frames. Scanners that send plain text use
// Prefix/Suffix/STX/ETX; binary protocols name their header, length and
// checksum rules (checked against the codec, which implements them).
type Framing struct {
	Prefix string `yaml:"prefix,omitempty"`
	Suffix string `yaml:"suffix,omitempty"`
	STX    bool   `yaml:"stx,omitempty"` // each scan starts with 0x02
	ETX    bool   `yaml:"etx,omitempty"` // each scan ends with 0x03
	// AIM says the scanner is set to send the AIM symbology identifier.
	AIM      bool   `yaml:"aim,omitempty"`
	Header   string `yaml:"header,omitempty"`   // hex of the byte(s) each frame starts with
	Length   string `yaml:"length,omitempty"`   // how the frame length is carried
	Checksum string `yaml:"checksum,omitempty"` // none, crc16-mcrf4xx, crc16-thingmagic, sum8-twos, ssi
	Layout   string `yaml:"layout,omitempty"`   // keyboard wedge: the keyboard layout (us, de, fr)
}

// Command is one thing sent to the device. Exactly one of the fields is set;
// which ones a codec takes is the codec's to say.
type Command struct {
	Name  string `yaml:"name"` // what it does, for logs and people
	Text  string `yaml:"text,omitempty"`
	Hex   string `yaml:"hex,omitempty"`
	Menu  string `yaml:"menu,omitempty"` // a Honeywell menu command, without SYN M CR and terminator
	Param *Param `yaml:"param,omitempty"`
	Beep  *int   `yaml:"beep,omitempty"` // a Zebra SSI beep code
}

// Param is a device parameter (Zebra SSI parameter number and value).
type Param struct {
	Number int `yaml:"number"`
	Value  int `yaml:"value"`
}

// Signals are the commands for good-scan and bad-scan feedback.
type Signals struct {
	Good []Command `yaml:"good,omitempty"`
	Bad  []Command `yaml:"bad,omitempty"`
}

// ReaderSetup is how an RFID reader is set up for inventory.
type ReaderSetup struct {
	Address    int     `yaml:"address,omitempty"`  // reader address on a bus (Chafon, R2000)
	Antennas   []int   `yaml:"antennas,omitempty"` // 1-based ports to read
	PowerDBm   float64 `yaml:"powerDbm,omitempty"`
	Session    int     `yaml:"session,omitempty"`
	Q          int     `yaml:"q,omitempty"`
	Region     string  `yaml:"region,omitempty"`
	IntervalMS int     `yaml:"intervalMs,omitempty"` // pause between inventory rounds
	ScanTimeMS int     `yaml:"scanTimeMs,omitempty"` // the reader's own inventory time limit
}

// Capabilities is what the model can do.
type Capabilities struct {
	Beep      bool `yaml:"beep,omitempty"`
	LED       bool `yaml:"led,omitempty"`
	Inventory bool `yaml:"inventory,omitempty"`
	Power     bool `yaml:"power,omitempty"`
	Antennas  int  `yaml:"antennas,omitempty"`
}

// Codecs names the codecs the device layer implements, with the kind of
// device each one speaks to and the transport it runs over.
var codecs = map[string]struct {
	kind       Kind
	transports []string
	checksum   string
}{
	"serial-scanner": {Scanner, []string{"serial", "tcp"}, "none"},
	"honeywell":      {Scanner, []string{"serial", "tcp"}, "none"},
	"zebra-ssi":      {Scanner, []string{"serial", "tcp"}, "ssi"},
	"hid-pos":        {Scanner, []string{"usb-hid"}, "none"},
	"hid-keyboard":   {Scanner, []string{"usb-hid"}, "none"},
	"chafon":         {Reader, []string{"serial", "tcp"}, "crc16-mcrf4xx"},
	"r2000":          {Reader, []string{"serial", "tcp"}, "sum8-twos"},
	"mercury":        {Reader, []string{"serial", "tcp"}, "crc16-thingmagic"},
}

// Codecs lists the codec names a profile may use.
func Codecs() []string {
	names := make([]string, 0, len(codecs))
	for n := range codecs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var (
	idRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)
	hexID = regexp.MustCompile(`^[0-9a-f]{4}$`)
)

// Problem is one thing wrong in a profile.
type Problem struct {
	File  string `json:"file"`
	Field string `json:"field"`
	Msg   string `json:"message"`
}

func (p Problem) Error() string { return fmt.Sprintf("%s: %s: %s", p.File, p.Field, p.Msg) }

// Problems is every problem found in one or more profiles.
type Problems []Problem

func (ps Problems) Error() string {
	var b strings.Builder
	for i, p := range ps {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.Error())
	}
	return b.String()
}

// Parse reads one profile from YAML. Unknown keys are errors: a misspelt key
// would otherwise silently leave a setting at its default.
func Parse(name string, data []byte) (Profile, error) {
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return Profile{}, Problems{{File: name, Field: "(yaml)", Msg: err.Error()}}
	}
	var extra any
	if err := dec.Decode(&extra); err == nil {
		return Profile{}, Problems{{File: name, Field: "(yaml)", Msg: "more than one document; one profile per file"}}
	}
	if ps := p.Validate(name); len(ps) > 0 {
		return Profile{}, ps
	}
	return p, nil
}

// Validate checks a profile and returns every problem, not just the first.
func (p Profile) Validate(file string) Problems {
	var ps Problems
	add := func(field, format string, args ...any) {
		ps = append(ps, Problem{File: file, Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if !idRE.MatchString(p.ID) {
		add("id", "%q: lower-case letters, digits and '-', 2 to 63 characters", p.ID)
	} else if base := strings.TrimSuffix(path.Base(file), path.Ext(file)); file != "" && path.Ext(file) == ".yaml" && base != p.ID {
		add("id", "%q does not match the file name %q", p.ID, path.Base(file))
	}
	if p.Vendor == "" {
		add("vendor", "required")
	}
	if p.Model == "" {
		add("model", "required")
	}
	if len(p.Firmware) == 0 {
		add("firmware", "name at least one firmware version or family the profile covers")
	}
	c, known := codecs[p.Codec]
	switch {
	case p.Codec == "":
		add("codec", "required; one of %s", strings.Join(Codecs(), ", "))
	case !known:
		add("codec", "%q is not a codec; one of %s", p.Codec, strings.Join(Codecs(), ", "))
	}
	if p.Kind != Scanner && p.Kind != Reader {
		add("kind", "%q: scanner or reader", p.Kind)
	} else if known && c.kind != p.Kind {
		add("kind", "codec %s speaks to a %s, not a %s", p.Codec, c.kind, p.Kind)
	}
	for i, u := range p.Match.USB {
		if !hexID.MatchString(u.VID) || !hexID.MatchString(u.PID) {
			add(fmt.Sprintf("match.usb[%d]", i), "vid and pid are 4 lower-case hex digits, as lsusb prints them")
		}
	}
	if p.Match.Version != "" {
		if _, err := regexp.Compile(p.Match.Version); err != nil {
			add("match.version", "not a regular expression: %v", err)
		}
	}
	t := p.Transport
	switch t.Type {
	case "serial":
		if t.Baud <= 0 {
			add("transport.baud", "a serial device needs its baud rate")
		}
		if t.DataBits != 0 && (t.DataBits < 5 || t.DataBits > 8) {
			add("transport.dataBits", "%d: 5 to 8", t.DataBits)
		}
		if t.Parity != "" && !slices.Contains([]string{"none", "odd", "even"}, t.Parity) {
			add("transport.parity", "%q: none, odd or even", t.Parity)
		}
		if t.StopBits != 0 && t.StopBits != 1 && t.StopBits != 2 {
			add("transport.stopBits", "%d: 1 or 2", t.StopBits)
		}
	case "usb-hid":
		if len(p.Match.USB) == 0 {
			add("match.usb", "a USB device is found by its vid and pid")
		}
	case "tcp":
		if t.Port <= 0 || t.Port > 65535 {
			add("transport.port", "a network device needs its TCP port")
		}
	default:
		add("transport.type", "%q: serial, usb-hid or tcp", t.Type)
	}
	if known && t.Type != "" && !slices.Contains(c.transports, t.Type) {
		add("transport.type", "codec %s does not run over %s", p.Codec, t.Type)
	}
	f := p.Framing
	if f.Header != "" {
		if _, err := hex.DecodeString(f.Header); err != nil {
			add("framing.header", "not hex: %v", err)
		}
	}
	if known && f.Checksum != "" && f.Checksum != c.checksum {
		add("framing.checksum", "codec %s uses %s, not %s", p.Codec, c.checksum, f.Checksum)
	}
	if f.Layout != "" && p.Codec != "hid-keyboard" {
		add("framing.layout", "only a keyboard wedge has a layout")
	}
	if p.Codec == "hid-keyboard" && f.Layout == "" {
		add("framing.layout", "a keyboard wedge needs the layout it types in (us, de, fr)")
	}
	if (p.Codec == "serial-scanner" || p.Codec == "honeywell") && f.Suffix == "" && !f.ETX {
		add("framing", "a text scanner needs a suffix or ETX to end each scan")
	}
	checkCommands := func(field string, cmds []Command) {
		for i, cmd := range cmds {
			at := fmt.Sprintf("%s[%d]", field, i)
			n := 0
			for _, set := range []bool{cmd.Text != "", cmd.Hex != "", cmd.Menu != "", cmd.Param != nil, cmd.Beep != nil} {
				if set {
					n++
				}
			}
			if n != 1 {
				add(at, "set exactly one of text, hex, menu, param, beep")
			}
			if cmd.Name == "" {
				add(at+".name", "say what the command does")
			}
			if cmd.Hex != "" {
				if _, err := hex.DecodeString(strings.ReplaceAll(cmd.Hex, " ", "")); err != nil {
					add(at+".hex", "not hex: %v", err)
				}
			}
			if cmd.Menu != "" && p.Codec != "honeywell" {
				add(at+".menu", "menu commands are Honeywell's")
			}
			if (cmd.Param != nil || cmd.Beep != nil) && p.Codec != "zebra-ssi" {
				add(at, "param and beep commands are Zebra SSI's")
			}
			if cmd.Param != nil && (cmd.Param.Number < 0 || cmd.Param.Number > 0x3FF || cmd.Param.Value < 0 || cmd.Param.Value > 0xFF) {
				add(at+".param", "number 0..1023, value 0..255")
			}
			if cmd.Beep != nil && (*cmd.Beep < 0 || *cmd.Beep > 0x1A) {
				add(at+".beep", "SSI beep codes are 0..26")
			}
		}
	}
	checkCommands("init", p.Init)
	checkCommands("signals.good", p.Signals.Good)
	checkCommands("signals.bad", p.Signals.Bad)
	if p.Capabilities.Beep && len(p.Signals.Good)+len(p.Signals.Bad) == 0 && p.Codec != "zebra-ssi" {
		add("signals", "the profile says the device beeps: give the good and bad commands")
	}
	if p.Kind == Reader {
		if p.Reader == nil {
			add("reader", "a reader needs its inventory setup")
		} else {
			r := p.Reader
			if r.PowerDBm < 0 || r.PowerDBm > 33 {
				add("reader.powerDbm", "%v: 0 to 33 dBm", r.PowerDBm)
			}
			for i, a := range r.Antennas {
				if a < 1 || (p.Capabilities.Antennas > 0 && a > p.Capabilities.Antennas) {
					add(fmt.Sprintf("reader.antennas[%d]", i), "%d: 1 to the %d the reader has", a, p.Capabilities.Antennas)
				}
			}
			if r.Session < 0 || r.Session > 3 {
				add("reader.session", "%d: S0 to S3", r.Session)
			}
			if r.Q < 0 || r.Q > 15 {
				add("reader.q", "%d: 0 to 15", r.Q)
			}
		}
		if !p.Capabilities.Inventory {
			add("capabilities.inventory", "a reader inventories tags")
		}
	} else if p.Reader != nil {
		add("reader", "only readers have an inventory setup")
	}
	return ps
}

// Set is a collection of profiles by id.
type Set struct {
	byID map[string]Profile
}

// Builtin returns the profiles embedded in the binary.
func Builtin() (*Set, error) { return load(builtin, ".") }

// Load reads every *.yaml in dir of fsys.
func Load(fsys fs.FS, dir string) (*Set, error) { return load(fsys, dir) }

func load(fsys fs.FS, dir string) (*Set, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	s := &Set{byID: map[string]Profile{}}
	var ps Problems
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		p, err := Parse(n, data)
		var perr Problems
		if errors.As(err, &perr) {
			ps = append(ps, perr...)
			continue
		}
		if _, dup := s.byID[p.ID]; dup {
			ps = append(ps, Problem{File: n, Field: "id", Msg: fmt.Sprintf("%q is used by another profile", p.ID)})
			continue
		}
		s.byID[p.ID] = p
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return s, nil
}

// Merge adds other's profiles to s; other's win (a depot's own file may
// replace a built-in profile of the same id).
func (s *Set) Merge(other *Set) {
	for id, p := range other.byID {
		s.byID[id] = p
	}
}

// Get returns the profile with the id.
func (s *Set) Get(id string) (Profile, bool) {
	p, ok := s.byID[id]
	return p, ok
}

// All returns the profiles sorted by id.
func (s *Set) All() []Profile {
	out := make([]Profile, 0, len(s.byID))
	for _, p := range s.byID {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// MatchUSB returns the profiles whose match rules fit a USB device (vid and
// pid in lsusb's hex, and its product and manufacturer strings), the most
// specific first: a profile that also matched a product string ranks before
// one that matched the ids alone.
func (s *Set) MatchUSB(vid, pid, product, manufacturer string) []Profile {
	vid, pid = strings.ToLower(vid), strings.ToLower(pid)
	type hit struct {
		p     Profile
		score int
	}
	var hits []hit
	for _, p := range s.All() {
		if !slices.ContainsFunc(p.Match.USB, func(u USBID) bool { return u.VID == vid && u.PID == pid }) {
			continue
		}
		score := 1
		if len(p.Match.Product) > 0 {
			text := strings.ToLower(product + " " + manufacturer)
			if !slices.ContainsFunc(p.Match.Product, func(w string) bool { return strings.Contains(text, strings.ToLower(w)) }) {
				continue
			}
			score = 2
		}
		hits = append(hits, hit{p, score})
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].score > hits[j].score })
	out := make([]Profile, len(hits))
	for i, h := range hits {
		out[i] = h.p
	}
	return out
}

// VersionFits reports whether the firmware version a device reported fits
// the profile (a profile without a version rule fits every version).
func (p Profile) VersionFits(version string) bool {
	if p.Match.Version == "" {
		return true
	}
	re, err := regexp.Compile(p.Match.Version)
	return err == nil && re.MatchString(version)
}

// HexBytes decodes a command's hex, which may be spaced for reading.
func HexBytes(s string) ([]byte, error) {
	return hex.DecodeString(strings.ReplaceAll(s, " ", ""))
}
