// Package chafonemu plays a Chafon UHF reader (CF-RU5102, UHFReader18
// command set, or the later UR-series firmware) on the device side of a
// serial line. It is written from the manuals, not from Partsedge's
// host-side codec in devices/chafon:
//
//   - "UHF RFID Reader UHFReader18 User's Manual V2.0" (also published as
//     the ZK-RFID102 User's Manual V2.0): §3 data blocks, §5 status list,
//     §8.1 unrecognised commands, §8.2.1 Inventory, §8.4.1–8.4.7 reader
//     commands.
//   - "UHF RFID Reader UR-SERIES User Manual v1.14": §8.2.1 Inventory with
//     antenna and RSSI, §8.4.3 address.
//
// The profile's variant picks the firmware: "v2" (default) or "ur".
package chafonemu

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
)

// Emulator is the device side of a Chafon reader.
type Emulator struct{}

var _ sim.Emulator = Emulator{}

// Default firmware versions reported by Get Reader Information when the
// environment names none: a 2.x release of the V2.0 manual's firmware, and
// a later release for the UR series.
const (
	DefaultVersionV2 = "2.36"
	DefaultVersionUR = "3.10"
)

// Command and status bytes, from the manuals' tables.
const (
	opInventory  = 0x01
	opReaderInfo = 0x21
	opRegion     = 0x22
	opAddress    = 0x24
	opScanTime   = 0x25
	opBaud       = 0x28
	opPower      = 0x2F
	opBeep       = 0x33

	stOK        = 0x00
	stDone      = 0x01
	stMore      = 0x03
	stAntenna   = 0xF8
	stNoTag     = 0xFB
	stLength    = 0xFD
	stIllegal   = 0xFE
	stParameter = 0xFF

	// A reply's Len is one byte, so a frame holds at most 250 data bytes.
	maxReplyData = 250
	// quietDiscard: the manual keeps a command's bytes under 15 ms apart;
	// a partial command older than this is dropped.
	quietDiscard = 100 * time.Millisecond
)

type reader struct {
	env      *sim.Env
	rw       io.Writer
	ur       bool
	addr     byte
	major    byte
	minor    byte
	power    byte
	scanTime byte
	band     byte
	maxN     byte
	minN     byte
	antennas int
	antenna  int // UR: the antenna of the last inventory
}

// Serve answers the host until ctx ends.
func (Emulator) Serve(ctx context.Context, rw io.ReadWriter, env *sim.Env) error {
	st, err := newReader(rw, env)
	if err != nil {
		return err
	}
	in := make(chan []byte)
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, 512)
		for {
			n, err := rw.Read(buf)
			if n > 0 {
				select {
				case in <- append([]byte(nil), buf[:n]...):
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				errc <- err
				return
			}
		}
	}()
	var pending []byte
	quiet := time.NewTimer(time.Hour)
	defer quiet.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case <-quiet.C:
			pending = pending[:0]
		case b := <-in:
			pending = append(pending, b...)
			var err error
			pending, err = st.handle(ctx, pending)
			if err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
			quiet.Reset(quietDiscard)
		}
	}
}

func newReader(rw io.Writer, env *sim.Env) (*reader, error) {
	st := &reader{env: env, rw: rw, power: 30, scanTime: 0x0A, band: 2, maxN: 49, minN: 0, antennas: 1, antenna: 1}
	switch env.Profile.Variant {
	case "", "v2":
	case "ur":
		st.ur = true
		st.antennas = 4
	default:
		return nil, fmt.Errorf("chafon emulator: variant %q: v2 or ur", env.Profile.Variant)
	}
	if env.Profile.Capabilities.Antennas > 0 {
		st.antennas = env.Profile.Capabilities.Antennas
	}
	if !st.ur {
		st.antennas = 1
	}
	if r := env.Profile.Reader; r != nil && r.Address >= 0 && r.Address < 0xFF {
		st.addr = byte(r.Address)
	}
	v := env.Version
	if v == "" {
		v = DefaultVersionV2
		if st.ur {
			v = DefaultVersionUR
		}
	}
	major, minor, ok := strings.Cut(v, ".")
	ma, err1 := strconv.ParseUint(major, 10, 8)
	mi, err2 := strconv.ParseUint(minor, 10, 8)
	if !ok || err1 != nil || err2 != nil {
		return nil, fmt.Errorf("chafon emulator: version %q: want major.minor, each 0..255", v)
	}
	st.major, st.minor = byte(ma), byte(mi)
	return st, nil
}

// crc is the manuals' CRC-16: preset 0xFFFF, polynomial 0x8408, bit by
// bit, low byte sent first.
func crc(b []byte) uint16 {
	v := uint16(0xFFFF)
	for _, c := range b {
		v ^= uint16(c)
		for range 8 {
			if v&1 == 1 {
				v = v>>1 ^ 0x8408
			} else {
				v >>= 1
			}
		}
	}
	return v
}

// handle takes the complete commands off the front of pending and answers
// them; it returns what is left.
func (st *reader) handle(ctx context.Context, pending []byte) ([]byte, error) {
	for len(pending) > 0 {
		n := int(pending[0])
		if n < 4 || n > 96 {
			pending = pending[1:]
			continue
		}
		if len(pending) < n+1 {
			break
		}
		cmd := pending[:n+1]
		pending = pending[n+1:]
		if crc(cmd[:n-1]) != uint16(cmd[n-1])|uint16(cmd[n])<<8 {
			// §8.1: an unrecognised command or a CRC error.
			if err := st.reply(0x00, stIllegal, nil, "crc error in command"); err != nil {
				return pending, err
			}
			continue
		}
		if cmd[1] != st.addr && cmd[1] != 0xFF {
			continue // another reader's command
		}
		if err := st.execute(ctx, cmd[2], cmd[3:n-1]); err != nil {
			return pending, err
		}
	}
	return append([]byte(nil), pending...), nil
}

func (st *reader) execute(ctx context.Context, op byte, data []byte) error {
	want := map[byte]int{opReaderInfo: 0, opRegion: 2, opAddress: 1, opScanTime: 1, opBaud: 1, opPower: 1, opBeep: 3}
	if n, ok := want[op]; ok && len(data) != n {
		return st.reply(op, stLength, nil, "command length wrong")
	}
	switch op {
	case opInventory:
		return st.inventory(ctx, data)
	case opReaderInfo:
		info := []byte{st.major, st.minor, 0x09, 0x03, st.band>>2<<6 | st.maxN, st.band&3<<6 | st.minN, st.power, st.scanTime}
		if st.ur {
			// Type 0x0C and the antenna, buzzer, output and antenna-check
			// bytes the UR firmware adds.
			info[2], info[3] = 0x0C, 0x02
			info = append(info, byte(1<<st.antennas-1), 0x01, 0x00, 0x01)
		}
		return st.reply(op, stOK, info, "reader information")
	case opRegion:
		band := data[0]>>6<<2 | data[1]>>6
		maxN, minN := data[0]&0x3F, data[1]&0x3F
		top, ok := map[byte]byte{1: 19, 2: 49, 3: 31}[band]
		if st.ur && band == 4 {
			top, ok = 14, true
		}
		if !ok || maxN > top || minN > maxN {
			return st.reply(op, stParameter, nil, "region refused")
		}
		st.band, st.maxN, st.minN = band, maxN, minN
		return st.reply(op, stOK, nil, "region set")
	case opAddress:
		old := st.addr
		if data[0] == 0xFF {
			if st.ur {
				return st.reply(op, stParameter, nil, "address refused")
			}
			data = []byte{0x00} // V2.0 §8.4.3: 0xFF becomes 0x00
		}
		st.addr = data[0]
		return st.replyFrom(old, op, stOK, nil, "address set")
	case opScanTime:
		t := data[0]
		if !st.ur && t < 3 {
			t = 0x0A // V2.0 §8.4.4
		}
		st.scanTime = t
		return st.reply(op, stOK, nil, "scan time set")
	case opBaud:
		switch data[0] {
		case 0, 1, 2, 5, 6:
			return st.reply(op, stOK, nil, "baud rate set")
		}
		return st.reply(op, stParameter, nil, "baud rate refused")
	case opPower:
		if data[0] > 30 {
			return st.reply(op, stParameter, nil, "power refused")
		}
		st.power = data[0]
		return st.reply(op, stOK, nil, "power set")
	case opBeep:
		return st.reply(op, stOK, nil, "beep")
	}
	return st.reply(0x00, stIllegal, nil, "illegal command")
}

// inventory answers command 0x01 from the field, as many frames as the
// tags need (status 0x03 on all but the last).
func (st *reader) inventory(ctx context.Context, data []byte) error {
	ant := 1
	if st.ur {
		a, ok := st.urInventoryAntenna(data)
		if !ok {
			return st.reply(opInventory, stParameter, nil, "inventory parameters refused")
		}
		if a > 0 {
			st.antenna = a
		}
		ant = st.antenna
		if ant > st.antennas {
			return st.reply(opInventory, stAntenna, nil, "antenna not connected")
		}
	} else if len(data) != 0 && (len(data) != 2 || data[1] >= 16) {
		// V2.0 §8.2.1: nothing, or AdrTID and LenTID (under 16 words). The
		// emulated tags have no TID, so a TID inventory reports their EPCs.
		return st.reply(opInventory, stParameter, nil, "inventory parameters refused")
	}
	var tags []sim.Tag
	if st.env.Field != nil {
		tags = st.env.Field.InRange(ant)
	}
	if len(tags) == 0 {
		return st.reply(opInventory, stNoTag, nil, "no tag")
	}
	for len(tags) > 0 {
		body, num := []byte{0}, 0
		if st.ur {
			body, num = []byte{byte(1) << (ant - 1), 0}, 1
		}
		var sent []sim.Tag
		for len(tags) > 0 {
			t := tags[0]
			size := 1 + len(t.EPC)
			if st.ur {
				size++
			}
			if len(body)+size > maxReplyData || len(t.EPC) > 0x7F {
				break
			}
			body = append(body, byte(len(t.EPC)))
			body = append(body, t.EPC...)
			if st.ur {
				body = append(body, rssiByte(t.RSSI))
			}
			t.Antenna = ant
			if !st.ur {
				t.Antenna, t.RSSI = 0, 0
			} else {
				t.RSSI = -float64(rssiByte(t.RSSI))
			}
			t.PC = 0 // the reply carries no PC word
			sent = append(sent, t)
			tags = tags[1:]
		}
		if len(sent) == 0 {
			tags = tags[1:] // an EPC too long for any frame
			continue
		}
		body[num] = byte(len(sent))
		status := byte(stDone)
		if len(tags) > 0 {
			status = stMore
		}
		if err := st.pace(ctx, len(sent)); err != nil {
			return err
		}
		if err := st.send(st.addr, opInventory, status, body, sent, ""); err != nil {
			return err
		}
	}
	return nil
}

// urInventoryAntenna checks a UR inventory's parameters (UR manual §8.2.1)
// and returns the antenna it asks for (0: none given).
func (st *reader) urInventoryAntenna(d []byte) (int, bool) {
	if len(d) == 0 {
		return 0, true
	}
	if len(d) < 6 || d[0]&0x1F > 15 || (d[1] > 3 && d[1] != 0xFF) || d[2] < 1 || d[2] > 3 {
		return 0, false
	}
	maskBytes := (int(d[5]) + 7) / 8
	rest := d[6:]
	if len(rest) < maskBytes {
		return 0, false
	}
	rest = rest[maskBytes:]
	switch len(rest) {
	case 0, 2:
		return 0, len(rest) == 0 || rest[1] < 16
	case 3, 5:
		if len(rest) == 5 {
			if rest[1] >= 16 {
				return 0, false
			}
			rest = rest[2:]
		}
		if rest[0] > 1 || rest[1] < 0x80 || rest[1] > 0x87 {
			return 0, false
		}
		return int(rest[1]-0x80) + 1, true
	}
	return 0, false
}

func rssiByte(dBm float64) byte {
	v := -dBm
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v + 0.5)
}

func (st *reader) pace(ctx context.Context, n int) error {
	if st.env.TagRate <= 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(float64(n) / st.env.TagRate * float64(time.Second)))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (st *reader) reply(op, status byte, data []byte, note string) error {
	return st.send(st.addr, op, status, data, nil, note)
}

func (st *reader) replyFrom(addr, op, status byte, data []byte, note string) error {
	return st.send(addr, op, status, data, nil, note)
}

// send builds a reply frame, spoils it when a fault strikes, records it
// (one record per tag it carries) and writes it.
func (st *reader) send(addr, op, status byte, data []byte, tags []sim.Tag, note string) error {
	f := make([]byte, 0, len(data)+6)
	f = append(f, byte(len(data)+5), addr, op, status)
	f = append(f, data...)
	c := crc(f)
	f = append(f, byte(c), byte(c>>8))
	good, fault := true, ""
	if r := st.env.Rand; r != nil {
		switch {
		case st.env.Faults.Garble > 0 && r.Float64() < st.env.Faults.Garble:
			good = false
			if r.IntN(2) == 0 {
				i := r.IntN(len(f))
				f[i] ^= byte(1 + r.IntN(255))
				fault = fmt.Sprintf("garbled: byte %d flipped", i)
			} else {
				f = f[:1+r.IntN(len(f)-1)]
				fault = fmt.Sprintf("garbled: cut to %d bytes", len(f))
			}
		case st.env.Faults.BadCRC > 0 && r.Float64() < st.env.Faults.BadCRC:
			good = false
			f[len(f)-1] ^= byte(1 + r.IntN(255))
			fault = "bad crc"
		}
	}
	if st.env.Record != nil {
		if len(tags) == 0 {
			n := note
			if fault != "" {
				n = note + "; " + fault
			}
			st.env.Record(sim.Record{Kind: "reply", Good: good, Note: n})
		}
		for i := range tags {
			t := tags[i]
			st.env.Record(sim.Record{Kind: "tag", Good: good, Tag: &t, Note: fault})
		}
	}
	if _, err := st.rw.Write(f); err != nil {
		return fmt.Errorf("chafon emulator: write: %w", err)
	}
	return nil
}
