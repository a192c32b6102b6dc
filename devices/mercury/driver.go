package mercury

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

const (
	// tick bounds every Read, so Run notices a cancelled ctx quickly and a
	// frame cut short is noticed once the line goes quiet.
	tick = 100 * time.Millisecond
	// cmdTimeout is how long a reply to a setting command may take.
	cmdTimeout = time.Second
	// bootTimeout covers the module leaving its bootloader (Boot Firmware).
	bootTimeout = 3 * time.Second
	// attempts is how often Configure sends a command whose reply was lost
	// or spoiled before it gives up.
	attempts = 3
	// maxMisses is how many rounds in a row may go unanswered (or be refused)
	// before Run gives the link up to the manager, which reconnects.
	maxMisses = 5
	// defaultSearchMS is the search time of Read Tag ID Multiple when the
	// profile does not set one; the Mercury API's examples use 500 ms too.
	defaultSearchMS = 500
	// bufferFlags are the tag record fields the driver asks for: the
	// protocol is needed to find the Gen2 PC in the EPC field.
	bufferFlags = MetaReadCount | MetaRSSI | MetaAntenna | MetaProtocol
)

var (
	// errNoReply: the line stayed quiet until the command's deadline.
	errNoReply = errors.New("mercury: no reply")
	// errSpoiled: the reply came back spoiled (bad CRC, cut short) and the
	// line went quiet after it.
	errSpoiled = errors.New("mercury: reply spoiled")
)

// Driver reads one ThingMagic Mercury module. It is made by New for each
// connection.
type Driver struct {
	antennas  []int
	power     uint16
	setPower  bool
	region    byte
	setRegion bool
	searchMS  uint16
	interval  time.Duration
	replyWait time.Duration // how long a setting command's reply may take
	init      []profiles.Command
	initBytes [][]byte
	profile   profiles.Profile

	sp   Splitter
	rbuf []byte
	wbuf []byte
}

// New checks the parts of a profile the Mercury driver uses and returns a
// driver for one connection.
func New(p profiles.Profile) (devices.Driver, error) {
	if p.Codec != "mercury" {
		return nil, fmt.Errorf("mercury: profile %s uses codec %q, not mercury", p.ID, p.Codec)
	}
	if p.Reader == nil {
		return nil, fmt.Errorf("mercury: profile %s has no reader setup", p.ID)
	}
	r := p.Reader
	d := &Driver{
		antennas:  r.Antennas,
		searchMS:  defaultSearchMS,
		interval:  time.Duration(r.IntervalMS) * time.Millisecond,
		replyWait: cmdTimeout,
		init:      p.Init,
		profile:   p,
		rbuf:      make([]byte, 512),
	}
	if len(d.antennas) == 0 {
		d.antennas = []int{1}
	}
	// The antenna byte of a tag record has 4 bits per port.
	ports := 15
	if n := p.Capabilities.Antennas; n > 0 && n < ports {
		ports = n
	}
	for _, a := range d.antennas {
		if a < 1 || a > ports {
			return nil, fmt.Errorf("mercury: profile %s: antenna %d: the module has ports 1 to %d", p.ID, a, ports)
		}
	}
	if r.PowerDBm < 0 || r.PowerDBm > 33 {
		return nil, fmt.Errorf("mercury: profile %s: power %v dBm is outside 0 to 33", p.ID, r.PowerDBm)
	}
	if r.PowerDBm > 0 {
		d.power, d.setPower = PowerCentiDBm(r.PowerDBm), true
	}
	if r.Region != "" {
		id, ok := Regions[strings.ToUpper(r.Region)]
		if !ok {
			names := slices.Sorted(maps.Keys(Regions))
			return nil, fmt.Errorf("mercury: profile %s: region %q is not a Mercury region (one of %s)", p.ID, r.Region, strings.Join(names, ", "))
		}
		d.region, d.setRegion = id, true
	}
	if r.ScanTimeMS < 0 || r.ScanTimeMS > 0xFFFF {
		return nil, fmt.Errorf("mercury: profile %s: scanTimeMs %d is outside 0 to 65535", p.ID, r.ScanTimeMS)
	}
	if r.ScanTimeMS > 0 {
		d.searchMS = uint16(r.ScanTimeMS)
	}
	if r.IntervalMS < 0 {
		return nil, fmt.Errorf("mercury: profile %s: intervalMs %d is negative", p.ID, r.IntervalMS)
	}
	for i, c := range p.Init {
		// An init command is the opcode and data; the driver frames it.
		if c.Hex == "" {
			return nil, fmt.Errorf("mercury: profile %s: init[%d] %q: give the opcode and data as hex", p.ID, i, c.Name)
		}
		b, err := profiles.HexBytes(c.Hex)
		if err != nil {
			return nil, fmt.Errorf("mercury: profile %s: init[%d] %q: %w", p.ID, i, c.Name, err)
		}
		if len(b) < 1 || len(b) > 252 {
			return nil, fmt.Errorf("mercury: profile %s: init[%d] %q: an opcode and at most 251 data bytes", p.ID, i, c.Name)
		}
		d.initBytes = append(d.initBytes, b)
	}
	return d, nil
}

// quietReporter takes the frames Configure reads: counting starts with Run.
type quietReporter struct{}

func (quietReporter) Scan(devices.Scan)  {}
func (quietReporter) Tags([]devices.Tag) {}
func (quietReporter) Frame()             {}
func (quietReporter) BadFrame(error)     {}

// Configure asks the module for its version, starts its application
// firmware if it sits in the bootloader, checks the version against the
// profile, and sets Gen2, the region, the read power, the antennas and the
// profile's own init commands, checking every reply.
func (d *Driver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	d.sp.Flush() // bytes from a previous connection are no reply to us
	var rep quietReporter
	v, err := d.askVersion(ctx, l, rep)
	if err != nil {
		return devices.Info{}, err
	}
	prog, err := d.command(ctx, l, rep, d.replyWait, OpGetCurrentProg)
	if err != nil {
		return devices.Info{}, err
	}
	// The low bits of the current program say which image runs: 1 is the
	// bootloader, which answers little beyond version and boot.
	if len(prog.Data) > 0 && prog.Data[0]&3 == 1 {
		if _, err := d.command(ctx, l, rep, bootTimeout, OpBootFirmware); err != nil {
			return devices.Info{}, fmt.Errorf("mercury: starting the application firmware: %w", err)
		}
		if v, err = d.askVersion(ctx, l, rep); err != nil {
			return devices.Info{}, err
		}
	}
	info := devices.Info{Firmware: v.FirmwareString(), Model: v.Model()}
	if !d.profile.VersionFits(info.Firmware) {
		return info, fmt.Errorf("mercury: %s firmware %s does not fit profile %s, whose version rule is %q", info.Model, info.Firmware, d.profile.ID, d.profile.Match.Version)
	}
	steps := []struct {
		what string
		do   bool
		op   byte
		data []byte
	}{
		{"set tag protocol Gen2", true, OpSetTagProtocol, []byte{0, ProtocolGen2}},
		{"set region", d.setRegion, OpSetRegion, []byte{d.region}},
		{"set read power", d.setPower, OpSetReadTxPower, []byte{byte(d.power >> 8), byte(d.power)}},
		{"set antennas", true, OpSetAntennaPort, SetAntennaList(d.antennas)},
	}
	for _, s := range steps {
		if !s.do {
			continue
		}
		if _, err := d.command(ctx, l, rep, d.replyWait, s.op, s.data...); err != nil {
			return info, fmt.Errorf("mercury: %s: %w", s.what, err)
		}
	}
	for i, b := range d.initBytes {
		if _, err := d.command(ctx, l, rep, d.replyWait, b[0], b[1:]...); err != nil {
			return info, fmt.Errorf("mercury: init %q: %w", d.init[i].Name, err)
		}
	}
	return info, nil
}

func (d *Driver) askVersion(ctx context.Context, l devices.Link, rep devices.Reporter) (Version, error) {
	r, err := d.command(ctx, l, rep, d.replyWait, OpVersion)
	if err != nil {
		return Version{}, fmt.Errorf("mercury: asking the version: %w", err)
	}
	return ParseVersion(r.Data)
}

// command sends a setting command and waits for its reply, sending again
// when the reply was lost or spoiled. A refusal (a status error) is final.
func (d *Driver) command(ctx context.Context, l devices.Link, rep devices.Reporter, timeout time.Duration, op byte, data ...byte) (Reply, error) {
	var err error
	for range attempts {
		var r Reply
		r, err = d.exchange(ctx, l, rep, timeout, op, data...)
		if err == nil {
			return r, r.Err()
		}
		if !errors.Is(err, errNoReply) && !errors.Is(err, errSpoiled) {
			return Reply{}, err
		}
	}
	return Reply{}, fmt.Errorf("%w to opcode 0x%02X after %d tries", err, op, attempts)
}

func (d *Driver) exchange(ctx context.Context, l devices.Link, rep devices.Reporter, timeout time.Duration, op byte, data ...byte) (Reply, error) {
	d.wbuf = AppendCommand(d.wbuf[:0], op, data...)
	if _, err := l.Write(d.wbuf); err != nil {
		return Reply{}, fmt.Errorf("mercury: write: %w", err)
	}
	return d.await(ctx, l, rep, timeout, op)
}

// await reads until the reply to op arrives. Other good frames (a late
// reply to a command given up on, the boot message of a module that reset)
// are counted and passed over. After a bad frame the wait ends as soon as
// the line goes quiet: a reader sends one reply per command, so that was it.
func (d *Driver) await(ctx context.Context, l devices.Link, rep devices.Reporter, timeout time.Duration, op byte) (Reply, error) {
	deadline := time.Now().Add(timeout)
	if err := l.SetReadTimeout(tick); err != nil {
		return Reply{}, fmt.Errorf("mercury: set read timeout: %w", err)
	}
	spoiled := false
	for {
		for {
			r, err := d.sp.Next()
			if errors.Is(err, ErrNeedMore) {
				break
			}
			if err != nil {
				rep.BadFrame(err)
				spoiled = true
				continue
			}
			rep.Frame()
			if r.Op == op {
				return r, nil
			}
		}
		if err := ctx.Err(); err != nil {
			return Reply{}, err
		}
		n, err := l.Read(d.rbuf)
		if n > 0 {
			d.sp.Feed(d.rbuf[:n])
			continue
		}
		switch {
		case errors.Is(err, devices.ErrTimeout):
			if ferr := d.sp.Flush(); ferr != nil {
				rep.BadFrame(ferr)
				spoiled = true
			}
			if spoiled {
				return Reply{}, errSpoiled
			}
			if time.Now().After(deadline) {
				return Reply{}, errNoReply
			}
		case err != nil:
			return Reply{}, fmt.Errorf("mercury: read: %w", err)
		}
	}
}

// Run inventories in rounds: clear the module's tag buffer, search the
// configured antennas for the profile's scan time, then fetch the buffer's
// records. Each round's tags go to the reporter in one call.
func (d *Driver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	misses := 0
	var last error
	for ctx.Err() == nil {
		tags, err := d.round(ctx, l, r)
		if ctx.Err() != nil {
			return nil
		}
		if len(tags) > 0 {
			r.Tags(tags)
		}
		var se *StatusError
		switch {
		case err == nil, errors.Is(err, errSpoiled):
			// A spoiled reply shows the module is there; the next round
			// starts clean.
			misses = 0
		case errors.Is(err, errNoReply), errors.As(err, &se):
			// A module that keeps refusing (it reset and lost its settings,
			// its antenna came off) is handed back to the manager, which
			// reconnects and configures it again.
			misses++
			last = err
			if misses >= maxMisses {
				return fmt.Errorf("mercury: %d rounds in a row failed: %w", misses, last)
			}
		default:
			return err
		}
		if d.interval > 0 {
			t := time.NewTimer(d.interval)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
	}
	return nil
}

func (d *Driver) round(ctx context.Context, l devices.Link, r devices.Reporter) ([]devices.Tag, error) {
	rp, err := d.exchange(ctx, l, r, d.replyWait, OpClearTagBuffer)
	if err != nil {
		return nil, err
	}
	if err := rp.Err(); err != nil {
		return nil, err
	}
	search := time.Duration(d.searchMS)*time.Millisecond + d.replyWait
	rp, err = d.exchange(ctx, l, r, search, OpReadTagMultiple, ReadTagMultiple(SearchConfiguredList|SearchLargeTagPopulation, d.searchMS)...)
	if err != nil {
		return nil, err
	}
	if rp.Status == StatusNoTagsFound {
		return nil, nil
	}
	if err := rp.Err(); err != nil {
		return nil, err
	}
	count, err := ParseSearchCount(rp.Data)
	if err != nil {
		r.BadFrame(err)
		return nil, errSpoiled
	}
	var tags []devices.Tag
	var rec TagRecord
	for uint32(len(tags)) < count {
		rp, err = d.exchange(ctx, l, r, d.replyWait, OpGetTagBuffer, GetTagBuffer(bufferFlags)...)
		if err != nil {
			return tags, err
		}
		if rp.Status != 0 {
			// The buffer ran dry before the count: keep what came.
			return tags, nil
		}
		tb, err := ParseTagBuffer(rp.Data)
		if err != nil {
			r.BadFrame(err)
			return tags, errSpoiled
		}
		if tb.Count == 0 {
			return tags, nil
		}
		// Decode the whole reply before keeping any of it: a record that
		// does not fit spoils the reply.
		start := len(tags)
		for {
			ok, err := tb.Next(&rec)
			if err != nil {
				r.BadFrame(err)
				return tags[:start], errSpoiled
			}
			if !ok {
				break
			}
			tags = append(tags, tagOf(&rec))
		}
	}
	return tags, nil
}

func tagOf(rec *TagRecord) devices.Tag {
	ant := int(rec.TxPort)
	if ant == 0 {
		ant = int(rec.RxPort)
	}
	return devices.Tag{
		EPC:     append([]byte(nil), rec.EPC...),
		PC:      rec.PC,
		Antenna: ant,
		RSSI:    float64(rec.RSSI),
	}
}
