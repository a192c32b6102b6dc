// Package honeywellemu plays a Honeywell scanner (Xenon 1900/1902, Voyager
// 1200g/1250g, Granit) in RS-232 mode: it takes serial menu commands and
// keeps the settings they make, and sends scans framed by those settings.
//
// Written from the user guides, not from the host's codec:
//   - "Serial Programming Commands" (Xenon 1900/1902 User's Guide ch. 11,
//     Voyager 1200g ch. 9): SYN M CR, Tag SubTag Data, ',' within a Tag, ';'
//     between Tags, '!' (volatile) or '.' (non-volatile) at the end; the
//     reply echoes the commands with ACK, ENQ (unknown Tag/SubTag) or NAK
//     (Data out of range) before each punctuation mark; '^' '?' '*' query
//     the default, current value and range.
//   - "Data Editing" (ch. 5): Add Prefix PREBK2 / Add Suffix SUFBK2 take a
//     symbology hex id (99 for all, otherwise the hex of its Code ID) and
//     hex characters, where 5C80 is the Code ID, 5C81 the AIM ID and 5C5C a
//     backslash; PRECA2/SUFCA2 clear all, PRECL2/SUFCL2 clear one
//     symbology's; VSUFCR adds a CR suffix to all symbologies; an entry for
//     a symbology overrides the all-symbologies (99) one.
//   - Factory defaults as the brief for this emulator sets them from the
//     RS-232 interface defaults: no prefix (so no AIM ID), a CR suffix.
//
// The settings table covers the commands above plus a few the guides use as
// examples (CBRENA, BEPBEP, BEPLVL, 232BAD); anything else is ENQ.
package honeywellemu

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
)

const (
	syn = 0x16
	ack = 0x06
	enq = 0x05
	nak = 0x15
	cr  = 0x0D

	// maxMenu bounds one menu command; longer is dropped unanswered.
	maxMenu = 2048
	// maxEntry is the guides' limit of a prefix or suffix configuration.
	maxEntry = 200
	// noiseLen is longer than any host keeps for one scan.
	noiseLen = 3 * 4096

	defaultModel    = "Xenon 1900"
	defaultFirmware = "BF000286BAA"
	serialNumber    = "15232B1F0C"
)

// Emulator is a Honeywell scanner on a serial line.
type Emulator struct{}

// entry is one prefix or suffix: a symbology hex id ("99" all) and its
// characters as hex.
type entry struct{ sym, hex string }

type numeric struct {
	lo, hi, def int
}

// numerics are the plain value settings this scanner knows, by Tag+SubTag.
var numerics = map[string]numeric{
	"CBRENA": {0, 1, 1}, // Codabar on/off (the guides' query example)
	"BEPBEP": {0, 1, 1}, // good read beep on/off
	"BEPLVL": {0, 3, 3}, // beeper volume off, low, medium, high
	"232BAD": {0, 9, 5}, // RS-232 baud rate: 300 ... 115200, 5 = 9600
}

// actions are the commands that do rather than hold a value.
var actions = map[string]bool{
	"PREBK2": true, "PRECA2": true, "PRECL2": true,
	"SUFBK2": true, "SUFCA2": true, "SUFCL2": true,
	"VSUFCR": true, "REVINF": true, "DEFALT": true,
}

type settings struct {
	values          map[string]int
	prefix, suffix  []entry
	model, firmware string
}

func defaults(model, firmware string) settings {
	s := settings{values: map[string]int{}, model: model, firmware: firmware}
	for k, n := range numerics {
		s.values[k] = n.def
	}
	s.suffix = []entry{{"99", "0D"}}
	return s
}

// Serve answers menu commands and sends env.Scans until ctx ends.
func (Emulator) Serve(ctx context.Context, rw io.ReadWriter, env *sim.Env) error {
	in := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			buf := make([]byte, 256)
			n, err := rw.Read(buf)
			if n > 0 {
				select {
				case in <- buf[:n]:
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				readErr <- err
				return
			}
		}
	}()
	model := defaultModel
	firmware := defaultFirmware
	if env.Version != "" {
		firmware = env.Version
	}
	e := &emu{env: env, set: defaults(model, firmware)}
	scans := env.Scans
	for {
		var out []byte
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case b := <-in:
			out = e.host(b)
		case s, ok := <-scans:
			if !ok {
				scans = nil
				continue
			}
			out = e.scan(s)
		}
		if len(out) == 0 {
			continue
		}
		if _, err := rw.Write(out); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
}

type emu struct {
	env *sim.Env
	set settings
	// menu collects a menu command after SYN M CR; pre counts how much of
	// the prefix was seen.
	menu   []byte
	inMenu bool
	pre    int
}

func (e *emu) logf(format string, args ...any) {
	if e.env.Logf != nil {
		e.env.Logf(format, args...)
	}
}

func (e *emu) garble() bool {
	return e.env.Faults.Garble > 0 && e.env.Rand != nil && e.env.Rand.Float64() < e.env.Faults.Garble
}

// host takes bytes from the host and returns the replies they call for.
func (e *emu) host(b []byte) []byte {
	var out []byte
	for _, c := range b {
		if e.inMenu {
			if c == '!' || c == '.' {
				out = append(out, e.reply(string(e.menu), c)...)
				e.inMenu, e.menu = false, e.menu[:0]
				continue
			}
			if len(e.menu) >= maxMenu {
				e.logf("honeywellemu: menu command over %d bytes dropped", maxMenu)
				e.inMenu, e.menu = false, e.menu[:0]
				continue
			}
			e.menu = append(e.menu, c)
			continue
		}
		// Outside a menu command the scanner looks for SYN M CR; the
		// other SYN commands (T/U trigger) and single control bytes need
		// no answer.
		switch {
		case c == syn:
			e.pre = 1
		case e.pre == 1 && c == 'M':
			e.pre = 2
		case e.pre == 2 && c == cr:
			e.pre, e.inMenu = 0, true
		default:
			e.pre = 0
		}
	}
	return out
}

// item is one command of a menu sequence as it came, with its punctuation.
type item struct {
	tag, sub, data string
	punct          byte
	newTag         bool
}

// reply runs one menu command sequence and builds the answer.
func (e *emu) reply(body string, storage byte) []byte {
	var items []item
	for gi, group := range strings.Split(body, ";") {
		for ii, it := range strings.Split(group, ",") {
			var x item
			x.newTag = ii == 0
			if gi > 0 && ii == 0 {
				items[len(items)-1].punct = ';'
			} else if ii > 0 {
				items[len(items)-1].punct = ','
			}
			if x.newTag {
				if len(it) < 3 || isQuery(it) {
					x.tag, it = it, ""
				} else {
					x.tag, it = it[:3], it[3:]
				}
			} else {
				x.tag = items[len(items)-1].tag
			}
			if isQuery(it) || len(it) < 3 {
				x.sub = it
			} else {
				x.sub, x.data = it[:3], it[3:]
			}
			items = append(items, x)
		}
	}
	items[len(items)-1].punct = storage
	var text, echo []byte
	allSettings := true
	for _, x := range items {
		tag, sub := strings.ToUpper(x.tag), strings.ToUpper(x.sub)
		if tag+sub == "REVINF" {
			allSettings = false
		}
		status, shown, lines := e.do(tag, sub, x.data)
		text = append(text, lines...)
		if x.newTag {
			echo = append(echo, tag...)
		}
		echo = append(echo, sub...)
		echo = append(echo, shown...)
		echo = append(echo, status, x.punct)
	}
	rec := sim.Record{Kind: "reply", Good: true, Note: fmt.Sprintf("%q", echo)}
	if allSettings && e.garble() {
		echo[0] ^= 0x01 // the echo no longer names the command sent
		rec.Good, rec.Note = false, "garble: echo altered "+rec.Note
	}
	if e.env.Record != nil {
		e.env.Record(rec)
	}
	return append(text, echo...)
}

func isQuery(s string) bool { return s == "?" || s == "^" || s == "*" }

// do runs one command: its status, the data to echo and any text to send
// before the echo.
func (e *emu) do(tag, sub, data string) (status byte, shown string, text []byte) {
	if isQuery(tag) {
		return ack, "", nil // a table-wide query: nothing more to list here
	}
	key := tag + sub
	if isQuery(sub) {
		if !e.knownTag(tag) {
			return enq, "", nil
		}
		return ack, "", nil
	}
	if n, ok := numerics[key]; ok {
		switch data {
		case "?":
			return ack, strconv.Itoa(e.set.values[key]), nil
		case "^":
			return ack, strconv.Itoa(n.def), nil
		case "*":
			return ack, fmt.Sprintf("%d-%d", n.lo, n.hi), nil
		}
		v, err := strconv.Atoi(data)
		if err != nil || v < n.lo || v > n.hi || data == "" || data[0] == '+' || data[0] == '-' {
			return nak, data, nil
		}
		e.set.values[key] = v
		return ack, data, nil
	}
	if !actions[key] {
		return enq, data, nil
	}
	if isQuery(data) {
		return ack, e.queryAction(key, data), nil
	}
	switch key {
	case "PREBK2", "SUFBK2":
		if !validEntry(data) {
			return nak, data, nil
		}
		list := &e.set.prefix
		if tag == "SUF" {
			list = &e.set.suffix
		}
		*list = append(*list, entry{strings.ToUpper(data[:2]), strings.ToUpper(data[2:])})
	case "PRECA2", "SUFCA2":
		if data != "" {
			return nak, data, nil
		}
		if tag == "PRE" {
			e.set.prefix = nil
		} else {
			e.set.suffix = nil
		}
	case "PRECL2", "SUFCL2":
		if len(data) != 2 || !isHex(data) {
			return nak, data, nil
		}
		list := &e.set.prefix
		if tag == "SUF" {
			list = &e.set.suffix
		}
		kept := (*list)[:0]
		for _, en := range *list {
			if en.sym != strings.ToUpper(data) {
				kept = append(kept, en)
			}
		}
		*list = kept
	case "VSUFCR":
		e.set.suffix = []entry{{"99", "0D"}}
	case "DEFALT":
		e.set = defaults(e.set.model, e.set.firmware)
	case "REVINF":
		text = fmt.Appendf(nil, "Product Name: %s\r\nSoftware Part Number: %s\r\nSerial Number: %s\r\n",
			e.set.model, e.set.firmware, serialNumber)
	}
	return ack, data, text
}

func (e *emu) knownTag(tag string) bool {
	for k := range numerics {
		if k[:3] == tag {
			return true
		}
	}
	for k := range actions {
		if k[:3] == tag {
			return true
		}
	}
	return false
}

func (e *emu) queryAction(key, q string) string {
	var list []entry
	switch key {
	case "PREBK2":
		list = e.set.prefix
	case "SUFBK2":
		list = e.set.suffix
		if q == "^" {
			list = []entry{{"99", "0D"}}
		}
	default:
		return ""
	}
	if q == "^" && key == "PREBK2" {
		list = nil
	}
	var b strings.Builder
	for _, en := range list {
		b.WriteString(en.sym + en.hex)
	}
	return b.String()
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i] | 0x20
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// validEntry checks Add Prefix/Suffix data: a symbology id and whole hex
// characters, backslash escapes only as 5C80, 5C81 or 5C5C.
func validEntry(d string) bool {
	if len(d) < 4 || len(d)%2 != 0 || len(d) > maxEntry || !isHex(d) {
		return false
	}
	for i := 2; i < len(d); i += 2 {
		if strings.EqualFold(d[i:i+2], "5C") {
			if i+4 > len(d) {
				return false
			}
			switch strings.ToUpper(d[i+2 : i+4]) {
			case "80", "81", "5C":
				i += 2
			default:
				return false
			}
		}
	}
	return true
}

// codeIDs are Honeywell's one-character Code IDs (the guides' Symbology
// Chart, appendix A) by AIM code character; a symbology's hex id for
// prefix and suffix entries is its Code ID in hex ("for Code 128, Code ID is
// j and Hex ID is 6A").
var codeIDs = map[byte]byte{
	'A': 'b', // Code 39
	'C': 'j', // Code 128
	'E': 'd', // EAN-13 (UPC-A is c, EAN-8 D; the AIM id does not tell them apart)
	'F': 'a', // Codabar
	'G': 'i', // Code 93
	'I': 'e', // Interleaved 2 of 5
	'L': 'r', // PDF417
	'Q': 's', // QR Code
	'd': 'w', // Data Matrix
	'e': 'y', // GS1 DataBar
	'z': 'z', // Aztec
}

// codeID returns a scan's Code ID, 0 when the table has none.
func codeID(aim string) byte {
	switch aim {
	case "]C1":
		return 'I' // GS1-128
	case "]E4":
		return 'D' // EAN-8
	}
	if len(aim) == 3 {
		return codeIDs[aim[1]]
	}
	return 0
}

// pick returns the entries for a symbology, or the all-symbologies ones.
func pick(list []entry, sym string) []entry {
	var own, all []entry
	for _, en := range list {
		switch en.sym {
		case sym:
			own = append(own, en)
		case "99":
			all = append(all, en)
		}
	}
	if len(own) > 0 {
		return own
	}
	return all
}

// expand appends entries' characters, resolving the backslash escapes, and
// returns where the first AIM ID went (-1 if none).
func expand(b []byte, list []entry, aim string, cid byte) ([]byte, int) {
	at := -1
	for _, en := range list {
		for i := 0; i+2 <= len(en.hex); i += 2 {
			v, _ := strconv.ParseUint(en.hex[i:i+2], 16, 8)
			if v == 0x5C && i+4 <= len(en.hex) {
				esc, _ := strconv.ParseUint(en.hex[i+2:i+4], 16, 8)
				i += 2
				switch esc {
				case 0x81:
					if at < 0 {
						at = len(b)
					}
					b = append(b, aim...)
				case 0x80:
					if cid != 0 {
						b = append(b, cid)
					}
				default:
					b = append(b, '\\')
				}
				continue
			}
			b = append(b, byte(v))
		}
	}
	return b, at
}

// scan frames one trigger pull by the current settings.
func (e *emu) scan(s sim.Scan) []byte {
	aim := s.AIMID
	if aim == "" {
		aim = "]X0" // ISO/IEC 15424 "other": what the scanner sends for an unnamed symbology
	}
	cid := codeID(aim)
	sym := ""
	if cid != 0 {
		sym = fmt.Sprintf("%02X", cid)
	}
	b, at := expand(nil, pick(e.set.prefix, sym), aim, cid)
	sent := sim.Scan{Data: s.Data}
	if at >= 0 {
		sent.AIMID = aim
	}
	b = append(b, s.Data...)
	suffix, _ := expand(nil, pick(e.set.suffix, sym), aim, cid)
	b = append(b, suffix...)
	rec := sim.Record{Kind: "scan", Good: true, Scan: &sent}
	if e.garble() {
		rec.Good = false
		if at >= 0 {
			b[at] ^= 0x01 // ']' becomes '\': the AIM id no longer reads
			rec.Note = "garble: AIM flag flipped"
		} else {
			// Without an AIM id nothing in a text frame shows a flipped
			// byte, so the fault is line noise longer than any scan.
			b = b[:0]
			for range noiseLen {
				b = append(b, byte('A'+e.env.Rand.IntN(26)))
			}
			b = append(b, suffix...)
			rec.Note = "garble: line noise in place of the scan"
		}
	}
	if e.env.Record != nil {
		e.env.Record(rec)
	}
	return b
}
