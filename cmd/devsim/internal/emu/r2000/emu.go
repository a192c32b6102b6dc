// Package r2000emu plays an Impinj R2000 based UHF reader speaking the "A0"
// serial protocol of the "UHF RFID Reader Serial Interface Protocol" (V3.x;
// V2.38 as "Serial Protocol User's Guide"). It is written from that manual
// and shares no code with the host-side codec in devices/r2000.
//
// Commands answered: cmd_reset 0x70, cmd_get_firmware_version 0x72,
// cmd_set_work_antenna 0x74, cmd_get_work_antenna 0x75,
// cmd_set_output_power 0x76, cmd_get_output_power 0x77,
// cmd_set_frequency_region 0x78, cmd_get_frequency_region 0x79,
// cmd_inventory 0x80, cmd_real_time_inventory 0x89,
// cmd_fast_switch_ant_inventory 0x8A (4-slot, 8-slot and extended forms),
// cmd_customized_session_target_inventory 0x8B, and the buffer commands
// 0x90-0x93. Anything else gets command_fail.
//
// The field's RSSI is what a tag returns at 30 dBm output power; a lower
// power set with cmd_set_output_power weakens every read by as many dB and
// loses tags that fall under the RSSI table's floor.
package r2000emu

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
)

// Wire constants from the manual (§1 data packet, §2 command table, §3
// error codes).
const (
	head         = 0xA0
	publicAddr   = 0xFF
	defaultPower = 30

	cmdReset             = 0x70
	cmdGetFirmware       = 0x72
	cmdSetWorkAntenna    = 0x74
	cmdGetWorkAntenna    = 0x75
	cmdSetOutputPower    = 0x76
	cmdGetOutputPower    = 0x77
	cmdSetRegion         = 0x78
	cmdGetRegion         = 0x79
	cmdInventory         = 0x80
	cmdRealTime          = 0x89
	cmdFastSwitch        = 0x8A
	cmdSessionTarget     = 0x8B
	cmdGetBuffer         = 0x90
	cmdGetAndResetBuffer = 0x91
	cmdGetBufferCount    = 0x92
	cmdResetBuffer       = 0x93

	codeSuccess        = 0x10
	codeFail           = 0x11
	codeAntennaMissing = 0x22
	codeBufferEmpty    = 0x38
	codeParamInvalid   = 0x41
	codeAntennaRange   = 0x47
	codePowerRange     = 0x48
	codeRegionRange    = 0x49
	codeFreqRange      = 0x4F
)

var codeNames = map[byte]string{
	codeSuccess: "command_success", codeFail: "command_fail", codeAntennaMissing: "antenna_missing_error",
	codeBufferEmpty: "buffer_is_empty_error", codeParamInvalid: "parameter_invalid",
	codeAntennaRange: "parameter_invalid_AntennaID_out_of_range", codePowerRange: "parameter_invalid_output_power_out_of_range",
	codeRegionRange: "parameter_invalid_frequency_region_out_of_range", codeFreqRange: "parameter_invalid_frequency_range",
}

// rssiTable is the manual's RSSI parameter table: entry i is the dBm of
// RSSI value 31+i. The table skips -40 dBm between 90 (-39) and 89 (-41).
var rssiTable = func() [68]int {
	var t [68]int
	for i := range t {
		v := 31 + i
		if v >= 90 {
			t[i] = v - 129
		} else {
			t[i] = v - 130
		}
	}
	return t
}()

// regionBands are the frequency index ranges of the system-defined regions
// (frequency parameter table: 0x00-0x06 = 865-868 MHz, 0x07-0x3B = 902-928
// MHz, in 0.5 MHz steps).
var regionBands = map[byte][2]byte{
	0x01: {0x07, 0x3B}, // FCC
	0x02: {0x00, 0x06}, // ETSI
	0x03: {0x2B, 0x35}, // CHN, 920-925 MHz
}

// Emulator is an R2000 reader. The zero value is ready; each Serve call is
// one power-on.
type Emulator struct{}

type bufTag struct {
	tag   sim.Tag
	rssi  byte
	freq  byte
	count byte
}

type reader struct {
	env       *sim.Env
	w         io.Writer
	addr      byte
	ports     int // antennas wired
	slots     int // antenna IDs the firmware knows: 4, or 8 on an 8-port reader
	major     byte
	minor     byte
	workAnt   byte
	power     [8]byte
	region    byte
	freqStart byte
	freqEnd   byte
	userFreq  []byte // a user-defined region's FreqSpace, FreqQuantity, StartFreq
	buffer    []bufTag
	pace      time.Duration
	out       []byte
}

// Serve answers the host until ctx ends.
func (Emulator) Serve(ctx context.Context, rw io.ReadWriter, env *sim.Env) error {
	r := newReader(env, rw)
	chunks := make(chan []byte)
	readErr := make(chan error, 1)
	go func() {
		for {
			buf := make([]byte, 512)
			n, err := rw.Read(buf)
			if n > 0 {
				select {
				case chunks <- buf[:n]:
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
	var in []byte
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("r2000emu: read: %w", err)
		case b := <-chunks:
			in = append(in, b...)
			var err error
			in, err = r.handleBytes(ctx, in)
			if ctx.Err() != nil {
				return nil
			}
			if err != nil {
				return err
			}
		}
	}
}

func newReader(env *sim.Env, w io.Writer) *reader {
	r := &reader{env: env, w: w, addr: 1, ports: 4, major: 8, minor: 1, region: 0x01, freqStart: 0x07, freqEnd: 0x3B}
	p := env.Profile
	if p.Reader != nil && p.Reader.Address >= 0 && p.Reader.Address < publicAddr {
		r.addr = byte(p.Reader.Address)
	}
	if n := p.Capabilities.Antennas; n > 0 && n <= 8 {
		r.ports = n
	}
	r.slots = 4
	if r.ports > 4 {
		r.slots = 8
	}
	for i := range r.power {
		r.power[i] = defaultPower
	}
	if maj, min, ok := parseVersion(env.Version); ok {
		r.major, r.minor = maj, min
	}
	if env.TagRate > 0 {
		r.pace = time.Duration(float64(time.Second) / env.TagRate)
	}
	return r
}

// parseVersion reads "8.1" (or "v8.1") as the firmware's Major and Minor.
func parseVersion(v string) (byte, byte, bool) {
	v = strings.TrimPrefix(strings.ToLower(strings.TrimSpace(v)), "v")
	a, b, ok := strings.Cut(v, ".")
	if !ok {
		return 0, 0, false
	}
	maj, err1 := strconv.ParseUint(a, 10, 8)
	min, err2 := strconv.ParseUint(b, 10, 8)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return byte(maj), byte(min), true
}

// handleBytes runs every whole host packet in buf and returns what is left.
// A packet with a wrong check or for another address is ignored, as the
// reader does: the host times out and sends again.
func (r *reader) handleBytes(ctx context.Context, buf []byte) ([]byte, error) {
	for {
		i := 0
		for i < len(buf) && buf[i] != head {
			i++
		}
		buf = buf[i:]
		if len(buf) < 2 {
			return buf, nil
		}
		n := int(buf[1])
		if n < 3 {
			buf = buf[1:]
			continue
		}
		if len(buf) < n+2 {
			return buf, nil
		}
		pkt := buf[:n+2]
		var sum byte
		for _, c := range pkt {
			sum += c
		}
		if sum != 0 {
			r.logf("r2000emu: dropped a host packet with a bad check: % X", pkt)
			buf = buf[1:]
			continue
		}
		addr, cmd, data := pkt[2], pkt[3], append([]byte(nil), pkt[4:n+1]...)
		buf = buf[n+2:]
		if addr != r.addr && addr != publicAddr {
			continue
		}
		if err := r.command(ctx, cmd, data); err != nil {
			return buf, err
		}
	}
}

func (r *reader) logf(format string, args ...any) {
	if r.env.Logf != nil {
		r.env.Logf(format, args...)
	}
}

func (r *reader) command(ctx context.Context, cmd byte, d []byte) error {
	switch cmd {
	case cmdReset:
		if len(d) != 0 {
			return r.status(cmd, codeParamInvalid)
		}
		// A successful reset is not answered: the reader restarts.
		r.workAnt, r.buffer = 0, nil
		return nil
	case cmdGetFirmware:
		return r.reply(cmd, "firmware version", r.major, r.minor)
	case cmdSetWorkAntenna:
		switch {
		case len(d) != 1:
			return r.status(cmd, codeParamInvalid)
		case int(d[0]) >= r.slots:
			return r.status(cmd, codeAntennaRange)
		}
		r.workAnt = d[0]
		return r.status(cmd, codeSuccess)
	case cmdGetWorkAntenna:
		return r.reply(cmd, "work antenna", r.workAnt)
	case cmdSetOutputPower:
		return r.setPower(d)
	case cmdGetOutputPower:
		same := true
		for i := 1; i < r.slots; i++ {
			same = same && r.power[i] == r.power[0]
		}
		if same {
			return r.reply(cmd, "output power", r.power[0])
		}
		return r.reply(cmd, "output power", r.power[:r.slots]...)
	case cmdSetRegion:
		return r.setRegion(d)
	case cmdGetRegion:
		if r.region == 0x04 {
			return r.reply(cmd, "frequency region", append([]byte{r.region}, r.userFreq...)...)
		}
		return r.reply(cmd, "frequency region", r.region, r.freqStart, r.freqEnd)
	case cmdRealTime, cmdSessionTarget:
		repeat := byte(1)
		switch {
		case cmd == cmdRealTime && len(d) == 1:
			repeat = d[0]
		case cmd == cmdSessionTarget && len(d) >= 3 && d[0] <= 3 && d[1] <= 1:
			repeat = d[len(d)-1]
		default:
			return r.status(cmd, codeParamInvalid)
		}
		return r.realTime(ctx, cmd, repeat)
	case cmdFastSwitch:
		return r.fastSwitch(ctx, d)
	case cmdInventory:
		if len(d) != 1 {
			return r.status(cmd, codeParamInvalid)
		}
		return r.bufferedInventory(d[0])
	case cmdGetBuffer, cmdGetAndResetBuffer:
		return r.readBuffer(cmd)
	case cmdGetBufferCount:
		return r.reply(cmd, "buffer tag count", byte(len(r.buffer)>>8), byte(len(r.buffer)))
	case cmdResetBuffer:
		r.buffer = nil
		return r.status(cmd, codeSuccess)
	}
	return r.status(cmd, codeFail)
}

func (r *reader) setPower(d []byte) error {
	if len(d) != 1 && len(d) != r.slots {
		return r.status(cmdSetOutputPower, codeParamInvalid)
	}
	for _, p := range d {
		if p > 33 {
			return r.status(cmdSetOutputPower, codePowerRange)
		}
	}
	for i := range r.slots {
		if len(d) == 1 {
			r.power[i] = d[0]
		} else {
			r.power[i] = d[i]
		}
	}
	return r.status(cmdSetOutputPower, codeSuccess)
}

func (r *reader) setRegion(d []byte) error {
	if len(d) == 6 && d[0] == 0x04 {
		if d[2] == 0 {
			return r.status(cmdSetRegion, codeFreqRange)
		}
		r.region, r.userFreq = 0x04, append([]byte(nil), d[1:]...)
		r.freqStart, r.freqEnd = 0x00, 0x3B
		return r.status(cmdSetRegion, codeSuccess)
	}
	if len(d) != 3 {
		return r.status(cmdSetRegion, codeParamInvalid)
	}
	band, ok := regionBands[d[0]]
	switch {
	case !ok:
		return r.status(cmdSetRegion, codeRegionRange)
	case d[1] > d[2] || d[1] < band[0] || d[2] > band[1]:
		return r.status(cmdSetRegion, codeFreqRange)
	}
	r.region, r.freqStart, r.freqEnd, r.userFreq = d[0], d[1], d[2], nil
	return r.status(cmdSetRegion, codeSuccess)
}

// realTime runs cmd_real_time_inventory (or the session/target variant) on
// the work antenna: a packet per tag read, then AntID ReadRate TotalRead.
func (r *reader) realTime(ctx context.Context, cmd, repeat byte) error {
	if int(r.workAnt) >= r.ports {
		return r.status(cmd, codeAntennaMissing)
	}
	start := time.Now()
	var total uint32
	for range max(int(repeat), 1) {
		for _, t := range r.inRange(int(r.workAnt) + 1) {
			if err := r.sendTag(ctx, cmd, int(r.workAnt)+1, t, false); err != nil {
				return err
			}
			total++
		}
	}
	rate := readRate(total, time.Since(start))
	end := []byte{r.workAnt, byte(rate >> 8), byte(rate), 0, 0, 0, 0}
	binary.BigEndian.PutUint32(end[3:], total)
	return r.reply(cmd, "round end", end...)
}

// fastSwitch runs cmd_fast_switch_ant_inventory: the antenna/stay slots in
// order, Repeat times, then TotalRead(3) CommandDuration(4). An antenna ID
// past the firmware's slots, or a stay of zero, skips the slot; a known
// port with nothing wired answers AntID antenna_missing_error.
func (r *reader) fastSwitch(ctx context.Context, d []byte) error {
	var slots int
	var interval, repeat byte
	phase := false
	switch len(d) {
	case 4*2 + 2:
		slots, interval, repeat = 4, d[8], d[9]
	case 8*2 + 2:
		slots, interval, repeat = 8, d[16], d[17]
	case 8*2 + 13: // Interval, Reserve(5), Session, Target, Optimize, Ongoing, TargetQuantity, Phase, Repeat
		slots, interval, repeat = 8, d[16], d[28]
		phase = d[27] == 1
	default:
		return r.status(cmdFastSwitch, codeParamInvalid)
	}
	start := time.Now()
	var total uint32
	for range max(int(repeat), 1) {
		for s := range slots {
			ant, stay := d[2*s], d[2*s+1]
			if int(ant) >= r.slots || stay == 0 {
				continue
			}
			if int(ant) >= r.ports {
				if err := r.reply(cmdFastSwitch, "antenna_missing_error", ant, codeAntennaMissing); err != nil {
					return err
				}
				continue
			}
			for range int(stay) {
				for _, t := range r.inRange(int(ant) + 1) {
					if err := r.sendTag(ctx, cmdFastSwitch, int(ant)+1, t, phase); err != nil {
						return err
					}
					total++
				}
			}
			if interval > 0 {
				if err := sleep(ctx, time.Duration(interval)*time.Millisecond); err != nil {
					return err
				}
			}
		}
	}
	ms := uint32(time.Since(start) / time.Millisecond)
	return r.reply(cmdFastSwitch, "round end",
		byte(total>>16), byte(total>>8), byte(total), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms))
}

// bufferedInventory runs cmd_inventory: tags go to the buffer, and the
// answer is AntID TagCount ReadRate TotalRead.
func (r *reader) bufferedInventory(repeat byte) error {
	if int(r.workAnt) >= r.ports {
		return r.status(cmdInventory, codeAntennaMissing)
	}
	start := time.Now()
	var total uint32
	for range max(int(repeat), 1) {
		for _, t := range r.inRange(int(r.workAnt) + 1) {
			t.Antenna = int(r.workAnt) + 1
			total++
			found := false
			for i := range r.buffer {
				if string(r.buffer[i].tag.EPC) == string(t.EPC) && r.buffer[i].tag.Antenna == t.Antenna {
					r.buffer[i].count++
					found = true
					break
				}
			}
			if !found {
				raw, _ := encodeRSSI(t.RSSI, t.Antenna)
				r.buffer = append(r.buffer, bufTag{tag: t, rssi: raw, freq: r.freqIndex(), count: 1})
			}
		}
	}
	rate := readRate(total, time.Since(start))
	n := len(r.buffer)
	ans := []byte{r.workAnt, byte(n >> 8), byte(n), byte(rate >> 8), byte(rate), 0, 0, 0, 0}
	binary.BigEndian.PutUint32(ans[5:], total)
	return r.reply(cmdInventory, "inventory", ans...)
}

// readBuffer answers a buffer read with one packet per tag: TagCount(2)
// DataLen PC EPC CRC RSSI FreqAnt InvCount.
func (r *reader) readBuffer(cmd byte) error {
	if len(r.buffer) == 0 {
		return r.status(cmd, codeBufferEmpty)
	}
	n := len(r.buffer)
	for _, b := range r.buffer {
		pc := pcFor(b.tag)
		pcEPC := append([]byte{byte(pc >> 8), byte(pc)}, b.tag.EPC...)
		crc := gen2CRC(pcEPC)
		data := []byte{byte(n >> 8), byte(n), byte(len(pcEPC) + 2)}
		data = append(data, pcEPC...)
		data = append(data, byte(crc>>8), byte(crc), b.rssi, b.freq<<2|byte(b.tag.Antenna-1)&0x03, b.count)
		rec := b.tag
		rec.PC = pc
		_, rec.RSSI = encodeRSSI(b.tag.RSSI, b.tag.Antenna)
		if err := r.send(cmd, data, sim.Record{Kind: "tag", Tag: &rec}); err != nil {
			return err
		}
	}
	if cmd == cmdGetAndResetBuffer {
		r.buffer = nil
	}
	return nil
}

// sendTag writes one tag packet: FreqAnt PC EPC RSSI (and two phase bytes
// when asked). Antennas 5-8 set bit 7 of the RSSI byte.
func (r *reader) sendTag(ctx context.Context, cmd byte, ant int, t sim.Tag, phase bool) error {
	if r.pace > 0 {
		if err := sleep(ctx, r.pace); err != nil {
			return err
		}
	}
	pc := pcFor(t)
	raw, dbm := encodeRSSI(t.RSSI, ant)
	data := make([]byte, 0, len(t.EPC)+6)
	data = append(data, r.freqIndex()<<2|byte(ant-1)&0x03, byte(pc>>8), byte(pc))
	data = append(data, t.EPC...)
	data = append(data, raw)
	if phase {
		data = append(data, byte(r.env.Rand.IntN(256)), byte(r.env.Rand.IntN(256)))
	}
	rec := sim.Tag{EPC: append([]byte(nil), t.EPC...), PC: pc, Antenna: ant, RSSI: dbm}
	return r.send(cmd, data, sim.Record{Kind: "tag", Tag: &rec})
}

// pcFor returns the tag's PC with its length field (bits 15-11, EPC words)
// made to fit the EPC it backscatters.
func pcFor(t sim.Tag) uint16 {
	return t.PC&0x07FF | uint16(len(t.EPC)/2)<<11
}

// encodeRSSI picks the RSSI table value nearest dbm (the stronger on a tie,
// as for -40 dBm, which the table skips) and returns the byte
// (bit 7 set for antennas 5-8) and the dBm the table gives it.
func encodeRSSI(dbm float64, ant int) (byte, float64) {
	best := 0
	for i, v := range rssiTable {
		if abs(float64(v)-dbm) <= abs(float64(rssiTable[best])-dbm) {
			best = i
		}
	}
	raw := byte(31 + best)
	if ant > 4 {
		raw |= 0x80
	}
	return raw, float64(rssiTable[best])
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// inRange is what an antenna reads at its output power. The field's RSSI
// is taken at the default 30 dBm: every dB less power is a dB less signal
// back, and a tag that falls under the table's floor (-99 dBm) is not read.
func (r *reader) inRange(ant int) []sim.Tag {
	tags := r.env.Field.InRange(ant)
	delta := float64(r.power[ant-1]) - defaultPower
	if delta == 0 {
		return tags
	}
	out := make([]sim.Tag, 0, len(tags))
	for _, t := range tags {
		t.RSSI += delta
		if t.RSSI >= float64(rssiTable[0])-0.5 {
			out = append(out, t)
		}
	}
	return out
}

// freqIndex is the channel the reader hops to for the next read.
func (r *reader) freqIndex() byte {
	return r.freqStart + byte(r.env.Rand.IntN(int(r.freqEnd-r.freqStart)+1))
}

func readRate(total uint32, d time.Duration) uint16 {
	if d <= 0 {
		return uint16(min(total, 0xFFFF))
	}
	return uint16(min(float64(total)/d.Seconds(), 0xFFFF))
}

// gen2CRC is the EPC Gen2 CRC-16 over PC and EPC (polynomial 0x1021,
// preset 0xFFFF, complemented).
func gen2CRC(b []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, c := range b {
		crc ^= uint16(c) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return ^crc
}

func (r *reader) status(cmd, code byte) error {
	name := codeNames[code]
	if name == "" {
		name = fmt.Sprintf("0x%02X", code)
	}
	return r.reply(cmd, name, code)
}

func (r *reader) reply(cmd byte, note string, data ...byte) error {
	return r.send(cmd, data, sim.Record{Kind: "reply", Note: fmt.Sprintf("0x%02X %s", cmd, note)})
}

// send builds a packet (Head Len Address Cmd Data Check), spoils it when a
// fault strikes, records it and writes it.
func (r *reader) send(cmd byte, data []byte, rec sim.Record) error {
	p := r.out[:0]
	p = append(p, head, byte(len(data)+3), r.addr, cmd)
	p = append(p, data...)
	var sum byte
	for _, c := range p {
		sum += c
	}
	p = append(p, -sum)
	rec.Good = true
	f := r.env.Faults
	switch {
	case f.Garble > 0 && r.env.Rand.Float64() < f.Garble:
		rec.Good = false
		if r.env.Rand.IntN(2) == 0 {
			i := r.env.Rand.IntN(len(p))
			p[i] ^= byte(1 + r.env.Rand.IntN(255))
			rec.Note = strings.TrimSpace(rec.Note + " garbled: byte flipped")
		} else {
			p = p[:1+r.env.Rand.IntN(len(p)-1)]
			rec.Note = strings.TrimSpace(rec.Note + " garbled: cut short")
		}
	case f.BadCRC > 0 && r.env.Rand.Float64() < f.BadCRC:
		rec.Good = false
		p[len(p)-1] ^= byte(1 + r.env.Rand.IntN(255))
		rec.Note = strings.TrimSpace(rec.Note + " bad check")
	}
	r.out = p
	if r.env.Record != nil {
		r.env.Record(rec)
	}
	if _, err := r.w.Write(p); err != nil {
		return fmt.Errorf("r2000emu: write: %w", err)
	}
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
