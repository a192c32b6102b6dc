package mercuryemu

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
)

// Status codes (tmr_status.h).
const (
	stOK                = 0x0000
	stWrongNumberOfData = 0x0100
	stInvalidOpcode     = 0x0101
	stPowerTooHigh      = 0x0103
	stInvalidParameter  = 0x0105
	stPowerTooLow       = 0x0106
	stUnimplementedFeat = 0x0109
	stInvalidRegion     = 0x010B
	stNoTagsFound       = 0x0400
	stNoProtocolDefined = 0x0401
	stInvalidProtocol   = 0x0402
	stBufferNotEnough   = 0x0600
)

// Metadata flags the emulator lays out (TMR_TRD_MetadataFlag 0x0001 to
// 0x0100); later flags are dropped from the echoed set, as firmware that
// predates them does.
const (
	mdReadCount = 1 << iota
	mdRSSI
	mdAntenna
	mdFrequency
	mdTimestamp
	mdPhase
	mdProtocol
	mdData
	mdGPIO
	mdKnown = 1<<iota - 1
)

const gen2 = 0x0005

// model is what differs between the family's modules.
type model struct {
	name     string
	hardware [4]byte
	boot     [4]byte
	date     [4]byte
	firmware [4]byte
	ports    int
	minPower int16 // centi-dBm
	maxPower int16
	regions  []byte
	region   byte // at power-up
	baseKHz  uint32
}

var models = map[string]model{
	// The Nano's values are those of the SparkFun capture: version reply,
	// power limits (0 to 27.00 dBm) and available regions.
	"nano": {name: "M6e Nano", hardware: [4]byte{0x30, 0, 0, 0x02}, boot: [4]byte{0x14, 0x12, 0x08, 0},
		date: [4]byte{0x20, 0x15, 0x03, 0x10}, firmware: [4]byte{0x01, 0x03, 0x01, 0x47}, ports: 1,
		minPower: 0, maxPower: 2700, regions: []byte{0x04, 0x05, 0x06, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0xFF}, region: 0x0D, baseKHz: 902750},
	"micro": {name: "M6e Micro", hardware: [4]byte{0x20, 0, 0, 0x01}, boot: [4]byte{0x12, 0x12, 0x13, 0},
		date: [4]byte{0x20, 0x16, 0x02, 0x18}, firmware: [4]byte{0x01, 0x09, 0x00, 0x14}, ports: 2,
		minPower: 500, maxPower: 3000, regions: []byte{0x01, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0xFF}, region: 0x01, baseKHz: 902750},
	"m6e": {name: "M6e", hardware: [4]byte{0x18, 0, 0, 0x01}, boot: [4]byte{0x12, 0x12, 0x13, 0},
		date: [4]byte{0x20, 0x15, 0x07, 0x07}, firmware: [4]byte{0x01, 0x0B, 0x03, 0x11}, ports: 4,
		minPower: 500, maxPower: 3150, regions: []byte{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0xFF}, region: 0x01, baseKHz: 902750},
}

// Emulator plays an M6e-family module. The profile's variant picks the
// module ("m6e", "micro", "nano"; default m6e); capabilities.antennas, when
// set, overrides its port count.
type Emulator struct{}

type buffered struct {
	tag   sim.Tag
	port  int
	count uint8
	rssi  int8
	freq  uint32
	ts    uint32
	phase uint16
}

type module struct {
	env  *sim.Env
	w    io.Writer
	rand *rand.Rand
	m    model

	firmware [4]byte
	protocol uint16
	region   byte
	power    int16
	ants     [][2]byte
	config   map[byte]byte
	buf      []buffered
	readPtr  int
	credit   float64   // tags the TagRate pacing still allows
	paced    time.Time // when the credit was last topped up
	rx       []byte
}

func newModule(w io.Writer, env *sim.Env) *module {
	variant := strings.ToLower(env.Profile.Variant)
	m, ok := models[variant]
	if !ok {
		if variant != "" {
			logf(env, "mercury emulator: variant %q unknown, playing an M6e", variant)
		}
		m = models["m6e"]
	}
	if n := env.Profile.Capabilities.Antennas; n > 0 && n <= 15 {
		m.ports = n
	}
	r := env.Rand
	if r == nil {
		r = rand.New(rand.NewPCG(1, 2))
	}
	mod := &module{env: env, w: w, rand: r, m: m, firmware: m.firmware, protocol: gen2, region: m.region,
		power: m.maxPower, ants: [][2]byte{{1, 1}}, config: map[byte]byte{}, paced: time.Now()}
	if env.Version != "" {
		if fw, ok := parseQuad(env.Version); ok {
			mod.firmware = fw
		} else {
			logf(env, "mercury emulator: version %q is not a dotted hex quad like 01.0B.03.11; reporting %s", env.Version, quad(m.firmware))
		}
	}
	return mod
}

func logf(env *sim.Env, format string, args ...any) {
	if env.Logf != nil {
		env.Logf(format, args...)
	}
}

func parseQuad(s string) ([4]byte, bool) {
	var q [4]byte
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return q, false
	}
	for i, p := range parts {
		v, err := strconv.ParseUint(p, 16, 8)
		if err != nil {
			return q, false
		}
		q[i] = byte(v)
	}
	return q, true
}

func quad(q [4]byte) string { return fmt.Sprintf("%02X.%02X.%02X.%02X", q[0], q[1], q[2], q[3]) }

// idleFlush drops a partial command when the host falls silent in the
// middle of it, so the next command is not read as its tail.
const idleFlush = 200 * time.Millisecond

// Serve answers the host until ctx ends or rw fails.
func (Emulator) Serve(ctx context.Context, rw io.ReadWriter, env *sim.Env) error {
	mod := newModule(rw, env)
	chunks := make(chan []byte)
	fail := make(chan error, 1)
	go func() {
		b := make([]byte, 512)
		for {
			n, err := rw.Read(b)
			if n > 0 {
				select {
				case chunks <- append([]byte(nil), b[:n]...):
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				fail <- err
				return
			}
		}
	}()
	idle := time.NewTimer(idleFlush)
	defer idle.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-fail:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("mercury emulator: read: %w", err)
		case <-idle.C:
			if len(mod.rx) > 0 {
				logf(env, "mercury emulator: dropped %d bytes of a command cut short", len(mod.rx))
				mod.rx = mod.rx[:0]
			}
		case p := <-chunks:
			idle.Reset(idleFlush)
			mod.rx = append(mod.rx, p...)
			for {
				drop, cmd, found := cutCommand(mod.rx)
				if drop > 0 && !found {
					logf(env, "mercury emulator: skipped %d bytes that are no command", drop)
				}
				mod.rx = mod.rx[:copy(mod.rx, mod.rx[drop:])]
				if !found {
					break
				}
				if err := mod.handle(ctx, cmd); err != nil {
					if ctx.Err() != nil {
						return nil
					}
					return err
				}
			}
		}
	}
}

// handle answers one command with one reply frame.
func (mod *module) handle(ctx context.Context, c command) error {
	d := c.data
	ok := func(data ...byte) error { return mod.send(c.op, stOK, data, nil) }
	refuse := func(code uint16) error { return mod.send(c.op, code, nil, nil) }
	switch c.op {
	case 0x03: // version
		v := append(append(append(append([]byte(nil), mod.m.boot[:]...), mod.m.hardware[:]...), mod.m.date[:]...), mod.firmware[:]...)
		return ok(append(v, 0, 0, 0, 1<<(gen2-1))...)
	case 0x04: // boot firmware: the application already runs
		return ok()
	case 0x06: // set baud rate: the line is a pipe, any rate will do
		if len(d) != 4 {
			return refuse(stWrongNumberOfData)
		}
		return ok()
	case 0x0C: // current program: the application image
		return ok(0x52)
	case 0x22:
		return mod.search(ctx, c)
	case 0x29:
		return mod.tagBuffer(c)
	case 0x2A: // clear tag buffer
		mod.buf, mod.readPtr = mod.buf[:0], 0
		return ok()
	case 0x61: // get antenna port
		switch {
		case len(d) == 0 || d[0] == 0:
			return ok(mod.ants[0][0], mod.ants[0][1])
		case d[0] == 2:
			out := []byte{2}
			for _, a := range mod.ants {
				out = append(out, a[0], a[1])
			}
			return ok(out...)
		case d[0] == 5: // antenna detect: every port has an antenna
			out := []byte{5}
			for p := 1; p <= mod.m.ports; p++ {
				out = append(out, byte(p), 1)
			}
			return ok(out...)
		}
		return refuse(stInvalidParameter)
	case 0x62: // get read TX power
		p := []byte{byte(mod.power >> 8), byte(mod.power)}
		switch {
		case len(d) == 0:
			return ok(p...)
		case d[0] == 0:
			return ok(0, p[0], p[1])
		case d[0] == 1:
			return ok(1, p[0], p[1], byte(mod.m.maxPower>>8), byte(mod.m.maxPower), byte(mod.m.minPower>>8), byte(mod.m.minPower))
		}
		return refuse(stInvalidParameter)
	case 0x63:
		return ok(byte(mod.protocol>>8), byte(mod.protocol))
	case 0x67:
		return ok(mod.region)
	case 0x68: // power mode: full power
		return ok(0)
	case 0x6A: // get reader configuration, key-value form
		if len(d) != 2 || d[0] != 1 {
			return refuse(stInvalidParameter)
		}
		return ok(1, d[1], mod.config[d[1]])
	case 0x6B: // get protocol parameter
		if len(d) < 2 {
			return refuse(stWrongNumberOfData)
		}
		return ok(d[0], d[1], 0)
	case 0x70:
		return ok(0, gen2)
	case 0x71:
		return ok(mod.m.regions...)
	case 0x91:
		return mod.setAntennas(c)
	case 0x92:
		if len(d) != 2 {
			return refuse(stWrongNumberOfData)
		}
		p := int16(uint16(d[0])<<8 | uint16(d[1]))
		switch {
		case p > mod.m.maxPower:
			return refuse(stPowerTooHigh)
		case p < mod.m.minPower:
			return refuse(stPowerTooLow)
		}
		mod.power = p
		return ok()
	case 0x93:
		if len(d) != 2 {
			return refuse(stWrongNumberOfData)
		}
		if p := uint16(d[0])<<8 | uint16(d[1]); p != gen2 {
			return refuse(stInvalidProtocol)
		}
		mod.protocol = gen2
		return ok()
	case 0x97: // region, optionally with an LBT byte
		if len(d) != 1 && len(d) != 2 {
			return refuse(stWrongNumberOfData)
		}
		for _, r := range mod.m.regions {
			if r == d[0] {
				mod.region = r
				return ok()
			}
		}
		return refuse(stInvalidRegion)
	case 0x9A: // set reader configuration, key-value form
		if len(d) < 3 || d[0] != 1 {
			return refuse(stInvalidParameter)
		}
		mod.config[d[1]] = d[2]
		return ok()
	case 0x9B: // set protocol parameter (session, Q, target ...): taken
		if len(d) < 3 {
			return refuse(stWrongNumberOfData)
		}
		return ok()
	}
	return refuse(stInvalidOpcode)
}

func (mod *module) setAntennas(c command) error {
	d := c.data
	valid := func(p byte) bool { return p >= 1 && int(p) <= mod.m.ports }
	switch {
	case len(d) == 2: // one TX/RX pair
		if !valid(d[0]) || !valid(d[1]) {
			return mod.send(c.op, stInvalidParameter, nil, nil)
		}
		mod.ants = [][2]byte{{d[0], d[1]}}
	case len(d) >= 3 && d[0] == 2 && len(d)%2 == 1: // logical antenna list
		var list [][2]byte
		for i := 1; i < len(d); i += 2 {
			if !valid(d[i]) || !valid(d[i+1]) {
				return mod.send(c.op, stInvalidParameter, nil, nil)
			}
			list = append(list, [2]byte{d[i], d[i+1]})
		}
		mod.ants = list
	case len(d) >= 1 && d[0] == 4 && (len(d)-1)%7 == 0: // per-port powers and settling times
		for i := 1; i < len(d); i += 7 {
			if !valid(d[i]) {
				return mod.send(c.op, stInvalidParameter, nil, nil)
			}
		}
	default:
		return mod.send(c.op, stInvalidParameter, nil, nil)
	}
	return mod.send(c.op, stOK, nil, nil)
}

// search runs Read Tag ID Multiple: it reads the field on the antennas the
// search flags name into the tag buffer and answers with the count.
func (mod *module) search(ctx context.Context, c command) error {
	d := c.data
	var option byte
	var flags, timeout uint16
	switch {
	case len(d) == 2: // timeout alone: the configured antenna
		timeout = uint16(d[0])<<8 | uint16(d[1])
	case len(d) >= 5:
		option, flags, timeout = d[0], uint16(d[1])<<8|uint16(d[2]), uint16(d[3])<<8|uint16(d[4])
	default:
		return mod.send(c.op, stWrongNumberOfData, nil, nil)
	}
	if option&0x10 != 0 || flags&0x08 != 0 {
		// Tag streaming, where the module sends records as it reads, is
		// not played: hosts fall back to the tag buffer.
		return mod.send(c.op, stUnimplementedFeat, nil, nil)
	}
	if mod.protocol == 0 {
		return mod.send(c.op, stNoProtocolDefined, nil, nil)
	}
	var ports []int
	switch flags & 3 {
	case 0:
		ports = []int{int(mod.ants[0][0])}
	case 1:
		ports = []int{1, 2}
	case 2:
		ports = []int{2, 1}
	case 3:
		for _, a := range mod.ants {
			ports = append(ports, int(a[0]))
		}
	}
	budget := math.MaxInt
	if rate := mod.env.TagRate; rate > 0 {
		// A paced module searches for the whole timeout, as a real one
		// does, and reads no more than TagRate tags a second of wall time
		// (a burst of one search's worth at most).
		wait := time.NewTimer(time.Duration(timeout) * time.Millisecond)
		select {
		case <-ctx.Done():
			wait.Stop()
			return ctx.Err()
		case <-wait.C:
		}
		now := time.Now()
		burst := max(rate*float64(timeout)/1000, 1)
		mod.credit = min(mod.credit+rate*now.Sub(mod.paced).Seconds(), burst)
		mod.paced = now
		budget = int(mod.credit)
	}
	added := 0
	for _, p := range ports {
		if p < 1 || p > mod.m.ports {
			continue
		}
		var tags []sim.Tag
		if mod.env.Field != nil {
			tags = mod.env.Field.InRange(p)
		}
		for _, t := range tags {
			if added >= budget {
				break
			}
			if mod.read(t, p, timeout) {
				added++
			}
		}
	}
	mod.credit -= float64(added)
	count := len(mod.buf) - mod.readPtr
	if count == 0 {
		return mod.send(c.op, stNoTagsFound, nil, nil)
	}
	out := []byte{option, byte(flags >> 8), byte(flags)}
	if flags&0x10 != 0 {
		out = append(out, byte(count>>24), byte(count>>16), byte(count>>8), byte(count))
	} else {
		out = append(out, byte(min(count, 255)))
	}
	if len(d) == 2 {
		out = out[3:]
	}
	return mod.send(c.op, stOK, out, nil)
}

// read puts one sighting into the tag buffer, which keeps one record per
// tag and antenna; it reports whether the record is new.
func (mod *module) read(t sim.Tag, port int, timeout uint16) bool {
	rssi := int8(max(-128, min(127, math.Round(t.RSSI))))
	for i := mod.readPtr; i < len(mod.buf); i++ {
		b := &mod.buf[i]
		if b.port == port && string(b.tag.EPC) == string(t.EPC) {
			if b.count < 255 {
				b.count++
			}
			b.rssi = max(b.rssi, rssi)
			return false
		}
	}
	t.EPC = append([]byte(nil), t.EPC...)
	mod.buf = append(mod.buf, buffered{
		tag: t, port: port, count: 1, rssi: rssi,
		freq:  mod.m.baseKHz + 500*uint32(mod.rand.IntN(50)),
		ts:    uint32(mod.rand.IntN(int(timeout) + 1)),
		phase: uint16(mod.rand.IntN(181)),
	})
	return true
}

// tagBuffer answers Get Tag Buffer: in its metadata form with as many
// records from the read pointer as fit one reply; with no data, the read
// and write indexes.
func (mod *module) tagBuffer(c command) error {
	d := c.data
	if len(d) == 0 {
		return mod.send(c.op, stOK, []byte{byte(mod.readPtr >> 8), byte(mod.readPtr), byte(len(mod.buf) >> 8), byte(len(mod.buf))}, nil)
	}
	if len(d) != 3 {
		return mod.send(c.op, stWrongNumberOfData, nil, nil)
	}
	if mod.readPtr >= len(mod.buf) {
		return mod.send(c.op, stBufferNotEnough, nil, nil)
	}
	flags := (uint16(d[0])<<8 | uint16(d[1])) & mdKnown
	out := []byte{byte(flags >> 8), byte(flags), d[2], 0}
	var tags []sim.Tag
	for mod.readPtr < len(mod.buf) && len(tags) < 255 {
		rec := mod.record(flags, &mod.buf[mod.readPtr])
		if len(out)+len(rec) > maxReplyData {
			break
		}
		out = append(out, rec...)
		t := mod.buf[mod.readPtr].tag
		t.Antenna = mod.buf[mod.readPtr].port
		t.RSSI = float64(mod.buf[mod.readPtr].rssi)
		t.PC = pcOf(t)
		tags = append(tags, t)
		mod.readPtr++
	}
	if len(tags) == 0 {
		// A single record larger than a reply (an EPC over 200 bytes) is
		// beyond what the module buffers.
		mod.readPtr = len(mod.buf)
		return mod.send(c.op, stBufferNotEnough, nil, nil)
	}
	out[3] = byte(len(tags))
	return mod.send(c.op, stOK, out, tags)
}

// record lays one buffered tag out per the metadata flags, in the flags'
// bit order, then the EPC field: its length in bits, PC, EPC and CRC.
func (mod *module) record(flags uint16, b *buffered) []byte {
	var r []byte
	if flags&mdReadCount != 0 {
		r = append(r, b.count)
	}
	if flags&mdRSSI != 0 {
		r = append(r, byte(b.rssi))
	}
	if flags&mdAntenna != 0 {
		r = append(r, byte(b.port)<<4|byte(b.port))
	}
	if flags&mdFrequency != 0 {
		r = append(r, byte(b.freq>>16), byte(b.freq>>8), byte(b.freq))
	}
	if flags&mdTimestamp != 0 {
		r = append(r, byte(b.ts>>24), byte(b.ts>>16), byte(b.ts>>8), byte(b.ts))
	}
	if flags&mdPhase != 0 {
		r = append(r, byte(b.phase>>8), byte(b.phase))
	}
	if flags&mdProtocol != 0 {
		r = append(r, byte(gen2))
	}
	if flags&mdData != 0 {
		r = append(r, 0, 0) // no embedded tag operation, no data
	}
	if flags&mdGPIO != 0 {
		r = append(r, 0)
	}
	pc := pcOf(b.tag)
	field := append([]byte{byte(pc >> 8), byte(pc)}, b.tag.EPC...)
	crc := gen2CRC(field)
	field = append(field, byte(crc>>8), byte(crc))
	bits := 8 * len(field)
	r = append(r, byte(bits>>8), byte(bits))
	return append(r, field...)
}

// pcOf is the tag's PC word, or for a field tag without one the PC a Gen2
// tag would carry: its EPC length in words in the top five bits.
func pcOf(t sim.Tag) uint16 {
	if t.PC != 0 {
		return t.PC
	}
	return uint16(len(t.EPC)/2) << 11
}

// send writes one reply, spoiling it as the faults say, and records it
// (once per tag for a tag buffer reply) just before it goes out.
func (mod *module) send(op byte, status uint16, data []byte, tags []sim.Tag) error {
	frame := replyFrame(op, status, data)
	fault := mod.spoil(&frame)
	if rec := mod.env.Record; rec != nil {
		good := fault == ""
		if len(tags) > 0 {
			for i := range tags {
				rec(sim.Record{Kind: "tag", Good: good, Tag: &tags[i], Note: fault})
			}
		} else {
			note := fmt.Sprintf("0x%02X status 0x%04X", op, status)
			if fault != "" {
				note += ": " + fault
			}
			rec(sim.Record{Kind: "reply", Good: good, Note: note})
		}
	}
	if _, err := mod.w.Write(frame); err != nil {
		return fmt.Errorf("mercury emulator: write: %w", err)
	}
	return nil
}

// spoil applies the faults to a frame and names what it did.
func (mod *module) spoil(frame *[]byte) string {
	f := mod.env.Faults
	x := mod.rand.Float64()
	switch {
	case x < f.Garble:
		b := *frame
		if mod.rand.IntN(2) == 0 {
			*frame = b[:1+mod.rand.IntN(len(b)-1)]
			return "garbled: cut short"
		}
		for {
			// One flipped bit is always caught by the CRC, unless it lands
			// in the length byte and happens to frame a valid reply.
			i := mod.rand.IntN(len(b))
			b[i] ^= 1 << mod.rand.IntN(8)
			if !isWholeReply(b) {
				return fmt.Sprintf("garbled: byte %d flipped", i)
			}
		}
	case x < f.Garble+f.BadCRC:
		b := *frame
		b[len(b)-1] ^= byte(1 + mod.rand.IntN(255))
		return "bad CRC"
	}
	return ""
}
