package r2000

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

const (
	// pollInterval bounds each Read so Run notices a cancelled ctx quickly.
	pollInterval = 100 * time.Millisecond
	// replyTimeout is how long a set or get command may take; the reader
	// writes output power to flash before it answers.
	replyTimeout = time.Second
	// replyTries is how often Configure sends a command that got no answer.
	replyTries = 3
	// roundIdle is how long an inventory round may go without a packet.
	roundIdle = time.Second
	// maxTimeouts is how many rounds in a row may go unanswered before Run
	// gives the link up to the manager, which reconnects.
	maxTimeouts = 5
	// maxReaderErrors is how many rounds in a row the reader may refuse
	// (other than "no tag") before Run returns its error.
	maxReaderErrors = 5
)

// Driver speaks the R2000 protocol to one reader. It is built from a
// profile by New and used for one connection.
type Driver struct {
	model    string
	profile  profiles.Profile
	addr     byte
	ports    int // antenna ports: picks fast switch's 4- or 8-slot form
	antennas []int
	power    byte
	setPower bool
	region   *Region
	interval time.Duration
	idle     time.Duration

	sp   Splitter
	rbuf []byte
	wbuf []byte
}

// New checks the parts of the profile the driver uses and returns a driver.
//
// The reader is read with cmd_real_time_inventory when the profile lists
// one antenna (the work antenna is set once at connect), and with
// cmd_fast_switch_ant_inventory when it lists more: the manual offers fast
// switch for multi-antenna readers because the reader walks the antenna
// sequence itself, with no host round trip and no cmd_set_work_antenna
// between antennas, so ports are not left idle while the host catches up.
func New(p profiles.Profile) (devices.Driver, error) {
	bad := func(format string, args ...any) (devices.Driver, error) {
		return nil, fmt.Errorf("r2000: profile %s: "+format, append([]any{p.ID}, args...)...)
	}
	if p.Codec != "r2000" {
		return bad("codec is %q, not r2000", p.Codec)
	}
	if p.Kind != profiles.Reader || p.Reader == nil {
		return bad("not a reader profile with a reader section")
	}
	if h := strings.ToLower(p.Framing.Header); h != "" && h != "a0" {
		return bad("framing.header %q: R2000 packets start with a0", p.Framing.Header)
	}
	if c := p.Framing.Checksum; c != "" && c != "sum8-twos" {
		return bad("framing.checksum %q: R2000 packets end with sum8-twos", c)
	}
	rs := p.Reader
	d := &Driver{model: p.Model, profile: p, rbuf: make([]byte, 512)}
	switch {
	case rs.Address < 0 || rs.Address > 0xFF:
		return bad("reader.address %d: 0 to 254, or 255 for the public address", rs.Address)
	case rs.Address == 0:
		// An unset address: every reader answers the public address.
		d.addr = PublicAddress
	default:
		d.addr = byte(rs.Address)
	}
	d.ports = p.Capabilities.Antennas
	if d.ports == 0 {
		d.ports = 4
	}
	if d.ports < 1 || d.ports > 8 {
		return bad("capabilities.antennas %d: this protocol addresses 1 to 8 ports", d.ports)
	}
	d.antennas = rs.Antennas
	if len(d.antennas) == 0 {
		d.antennas = []int{1}
	}
	seen := map[int]bool{}
	for _, a := range d.antennas {
		if a < 1 || a > d.ports {
			return bad("reader.antennas: %d is not a port of a %d-port reader", a, d.ports)
		}
		if seen[a] {
			return bad("reader.antennas: %d is listed twice", a)
		}
		seen[a] = true
	}
	if rs.PowerDBm != 0 {
		if rs.PowerDBm < 0 || rs.PowerDBm > MaxPowerDBm || rs.PowerDBm != math.Trunc(rs.PowerDBm) {
			return bad("reader.powerDbm %v: whole dBm from 0 to %d", rs.PowerDBm, MaxPowerDBm)
		}
		d.power, d.setPower = byte(rs.PowerDBm), true
	}
	if rs.Region != "" {
		r, err := RegionByName(rs.Region)
		if err != nil {
			return bad("reader.region: %w", err)
		}
		d.region = &r
	}
	if rs.IntervalMS < 0 || rs.ScanTimeMS < 0 {
		return bad("reader.intervalMs and reader.scanTimeMs must not be negative")
	}
	d.interval = time.Duration(rs.IntervalMS) * time.Millisecond
	d.idle = max(roundIdle, 2*time.Duration(rs.ScanTimeMS)*time.Millisecond)
	return d, nil
}

// Configure asks for the firmware version and checks it against the
// profile, then sets output power, checks every antenna by making it the
// work antenna (the reader refuses a port it does not have), leaves the
// first as the work antenna, and sets the region.
func (d *Driver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	if err := l.SetReadTimeout(pollInterval); err != nil {
		return devices.Info{}, fmt.Errorf("r2000: set read timeout: %w", err)
	}
	p, err := d.exchange(ctx, l, AppendGetFirmwareVersion(d.wbuf[:0], d.addr), "cmd_get_firmware_version")
	if err != nil {
		return devices.Info{}, err
	}
	version, err := ParseFirmwareVersion(p)
	if err != nil {
		return devices.Info{}, fmt.Errorf("r2000: cmd_get_firmware_version: %w", err)
	}
	info := devices.Info{Firmware: version, Model: d.model}
	if !d.profile.VersionFits(version) {
		return info, fmt.Errorf("r2000: the reader reports firmware %s, which profile %s (version rule %q) does not cover",
			version, d.profile.ID, d.profile.Match.Version)
	}
	if d.setPower {
		if err := d.set(ctx, l, AppendSetOutputPower(d.wbuf[:0], d.addr, d.power), "cmd_set_output_power"); err != nil {
			return info, err
		}
	}
	for i := len(d.antennas) - 1; i >= 0; i-- {
		name := fmt.Sprintf("cmd_set_work_antenna %d", d.antennas[i])
		if err := d.set(ctx, l, AppendSetWorkAntenna(d.wbuf[:0], d.addr, d.antennas[i]), name); err != nil {
			return info, err
		}
	}
	if d.region != nil {
		if err := d.set(ctx, l, AppendSetFrequencyRegion(d.wbuf[:0], d.addr, *d.region), "cmd_set_frequency_region "+d.region.Name); err != nil {
			return info, err
		}
	}
	return info, nil
}

// set sends a command answered by one status byte and checks it.
func (d *Driver) set(ctx context.Context, l devices.Link, pkt []byte, name string) error {
	p, err := d.exchange(ctx, l, pkt, name)
	if err != nil {
		return err
	}
	if err := ParseStatus(p); err != nil {
		return fmt.Errorf("r2000: %s: %w", name, err)
	}
	return nil
}

// exchange sends pkt and returns the reader's answer to the same command,
// skipping whatever else arrives (tag reports of an inventory the reader
// was still running when the host connected). It sends again when nothing
// answers in time.
func (d *Driver) exchange(ctx context.Context, l devices.Link, pkt []byte, name string) (Packet, error) {
	d.wbuf = pkt[:0]
	cmd := pkt[3]
	for range replyTries {
		if _, err := l.Write(pkt); err != nil {
			return Packet{}, fmt.Errorf("r2000: %s: write: %w", name, err)
		}
		deadline := time.Now().Add(replyTimeout)
		for {
			p, err := d.next(ctx, l, time.Until(deadline), nil)
			if errors.Is(err, devices.ErrTimeout) {
				break
			}
			if err != nil {
				return Packet{}, fmt.Errorf("r2000: %s: %w", name, err)
			}
			if p.Cmd == cmd {
				return p, nil
			}
		}
	}
	return Packet{}, fmt.Errorf("r2000: %s: no answer after %d tries: %w", name, replyTries, devices.ErrTimeout)
}

// next returns the next good packet, handing skipped bytes to bad, or
// devices.ErrTimeout when none came within idle.
func (d *Driver) next(ctx context.Context, l devices.Link, idle time.Duration, bad func(error)) (Packet, error) {
	deadline := time.Now().Add(idle)
	for {
		p, err := d.sp.Next()
		if err == nil {
			return p, nil
		}
		var fe *FrameError
		if errors.As(err, &fe) {
			if bad != nil {
				bad(err)
			}
			continue
		}
		if err := ctx.Err(); err != nil {
			return Packet{}, err
		}
		if !time.Now().Before(deadline) {
			return Packet{}, devices.ErrTimeout
		}
		n, err := l.Read(d.rbuf)
		if n > 0 {
			d.sp.Feed(d.rbuf[:n])
		}
		if err != nil && !errors.Is(err, devices.ErrTimeout) {
			return Packet{}, fmt.Errorf("read: %w", err)
		}
	}
}

// roundOutcome says how an inventory round ended.
type roundOutcome int

const (
	roundDone roundOutcome = iota
	roundTimeout
	roundRefused
)

// Run keeps inventory rounds going over the profile's antennas, a round's
// tags going to r in one Tags call, with the profile's interval between
// rounds.
func (d *Driver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	if err := l.SetReadTimeout(pollInterval); err != nil {
		return fmt.Errorf("r2000: set read timeout: %w", err)
	}
	timeouts, refusals := 0, 0
	for ctx.Err() == nil {
		tags, outcome, err := d.round(ctx, l, r)
		if len(tags) > 0 {
			r.Tags(tags)
		}
		if ctx.Err() != nil {
			return nil
		}
		if err != nil && outcome != roundRefused {
			return err
		}
		switch outcome {
		case roundTimeout:
			timeouts++
			if timeouts >= maxTimeouts {
				return fmt.Errorf("r2000: %d inventory rounds in a row unanswered: %w", timeouts, devices.ErrTimeout)
			}
			continue
		case roundRefused:
			timeouts = 0
			refusals++
			if refusals >= maxReaderErrors {
				return fmt.Errorf("r2000: %d inventory rounds in a row refused: %w", refusals, err)
			}
		default:
			timeouts, refusals = 0, 0
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

// round runs one inventory command and collects its tags until the reader
// closes it.
func (d *Driver) round(ctx context.Context, l devices.Link, r devices.Reporter) ([]devices.Tag, roundOutcome, error) {
	var pkt []byte
	cmd := byte(CmdRealTimeInventory)
	if len(d.antennas) == 1 {
		pkt = AppendRealTimeInventory(d.wbuf[:0], d.addr, 1)
	} else {
		cmd = CmdFastSwitchAntInventory
		pkt = AppendFastSwitch(d.wbuf[:0], d.addr, d.slots(), d.antennas, 1, 0, 1)
	}
	d.wbuf = pkt[:0]
	if _, err := l.Write(pkt); err != nil {
		return nil, roundDone, fmt.Errorf("r2000: inventory: write: %w", err)
	}
	var tags []devices.Tag
	var m InventoryMsg
	for {
		if err := ctx.Err(); err != nil {
			return tags, roundDone, err
		}
		p, err := d.next(ctx, l, d.idle, r.BadFrame)
		switch {
		case errors.Is(err, devices.ErrTimeout):
			return tags, roundTimeout, nil
		case err != nil:
			return tags, roundDone, fmt.Errorf("r2000: inventory: %w", err)
		}
		r.Frame()
		if p.Cmd != cmd {
			continue
		}
		if err := ParseInventory(p, &m); err != nil {
			r.BadFrame(err)
			continue
		}
		switch m.Kind {
		case InvTag:
			tags = append(tags, devices.Tag{EPC: append([]byte(nil), m.Tag.EPC...), PC: m.Tag.PC, Antenna: m.Tag.Antenna, RSSI: m.Tag.RSSI})
		case InvRoundEnd:
			return tags, roundDone, nil
		case InvError:
			switch {
			case m.Err.Antenna > 0:
				// Fast switch goes on with the next antenna.
			case m.Err.Code == NoTagError:
				return tags, roundDone, nil
			default:
				e := m.Err
				return tags, roundRefused, &e
			}
		}
	}
}

// slots is the fast switch form the reader takes: four antenna slots, or
// eight on an eight-port reader.
func (d *Driver) slots() int {
	if d.ports > 4 {
		return 8
	}
	return 4
}
