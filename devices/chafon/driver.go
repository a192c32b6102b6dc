package chafon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

const (
	// pollTimeout bounds each Read so Run notices a cancelled ctx quickly.
	pollTimeout = 50 * time.Millisecond
	// frameGap ends a reply once bytes have started to come: the manual
	// keeps bytes of a frame under 15 ms apart and the reader sends a
	// response's frames back to back, so a long quiet spell means the rest
	// was lost.
	frameGap = 500 * time.Millisecond
	// replyTimeout is how long a set-up command may take.
	replyTimeout   = time.Second
	configAttempts = 5
	// maxTimeouts consecutive rounds without an answer end Run, so the
	// manager reconnects.
	maxTimeouts = 5
	// maxReaderErrors consecutive error statuses (other than "no tag") to
	// inventory end Run with the reader's error.
	maxReaderErrors = 5
	signalQueue     = 8
)

// Driver reads a Chafon reader. Make one with New.
type Driver struct {
	variant  Variant
	addr     byte
	antennas []int
	power    []byte
	region   *Region
	scanTime []byte
	q        byte
	session  byte
	interval time.Duration
	profile  profiles.Profile
	init     [][]byte
	good     [][]byte
	bad      [][]byte
	signals  chan bool

	// per connection
	scanWait time.Duration
	scan     byte
	invData  []byte
	pending  []byte
	rbuf     []byte
	frame    []byte
	cmd      []byte
	round    []devices.Tag
	epcs     []byte
}

var _ devices.Signaller = (*Driver)(nil)

// ErrNoReply is returned when the reader does not answer in time.
var ErrNoReply = errors.New("chafon: no reply from the reader")

// New checks the parts of the profile the driver uses and returns a driver.
func New(p profiles.Profile) (devices.Driver, error) {
	if p.Codec != "chafon" {
		return nil, fmt.Errorf("chafon: profile %s uses codec %q, not chafon", p.ID, p.Codec)
	}
	v, err := ParseVariant(p.Variant)
	if err != nil {
		return nil, fmt.Errorf("profile %s: %w", p.ID, err)
	}
	if p.Reader == nil {
		return nil, fmt.Errorf("chafon: profile %s has no reader setup", p.ID)
	}
	r := p.Reader
	d := &Driver{variant: v, profile: p, q: defaultInventoryQ, session: defaultInventorySession}
	if r.Address < 0 || r.Address > 0xFF {
		return nil, fmt.Errorf("chafon: profile %s: reader.address %d: 0 to 255 (255 broadcasts)", p.ID, r.Address)
	}
	d.addr = byte(r.Address)
	d.antennas = r.Antennas
	if len(d.antennas) == 0 {
		d.antennas = []int{1}
	}
	for _, a := range d.antennas {
		if v == V2 && a != 1 {
			return nil, fmt.Errorf("chafon: profile %s: antenna %d: the %s firmware reads one antenna", p.ID, a, v)
		}
		if a < 1 || a > urMaxAntennas {
			return nil, fmt.Errorf("chafon: profile %s: antenna %d: 1 to %d", p.ID, a, urMaxAntennas)
		}
	}
	if r.PowerDBm != 0 {
		if d.power, err = PowerData(r.PowerDBm); err != nil {
			return nil, fmt.Errorf("profile %s: %w", p.ID, err)
		}
	}
	if r.Region != "" {
		reg, err := LookupRegion(r.Region, v)
		if err != nil {
			return nil, fmt.Errorf("profile %s: %w", p.ID, err)
		}
		d.region = &reg
	}
	if r.ScanTimeMS != 0 {
		if d.scanTime, err = ScanTimeData(r.ScanTimeMS); err != nil {
			return nil, fmt.Errorf("profile %s: %w", p.ID, err)
		}
	}
	if r.Q != 0 {
		d.q = byte(r.Q)
	}
	d.session = byte(r.Session)
	if r.IntervalMS < 0 {
		return nil, fmt.Errorf("chafon: profile %s: reader.intervalMs %d is negative", p.ID, r.IntervalMS)
	}
	d.interval = time.Duration(r.IntervalMS) * time.Millisecond
	for _, set := range []struct {
		field string
		cmds  []profiles.Command
		out   *[][]byte
	}{{"init", p.Init, &d.init}, {"signals.good", p.Signals.Good, &d.good}, {"signals.bad", p.Signals.Bad, &d.bad}} {
		for i, c := range set.cmds {
			b, err := profiles.HexBytes(c.Hex)
			if c.Hex == "" || err != nil || len(b) == 0 || len(b)-1 > maxCommandData {
				return nil, fmt.Errorf("chafon: profile %s: %s[%d] (%s): give hex: the command byte, then its data (the driver adds Len, Adr and the CRC)", p.ID, set.field, i, c.Name)
			}
			*set.out = append(*set.out, b)
		}
	}
	if len(d.good)+len(d.bad) > 0 {
		d.signals = make(chan bool, signalQueue)
	}
	return d, nil
}

// Signal queues a good or bad beep; Run sends it between inventory rounds.
func (d *Driver) Signal(good bool) error {
	if d.signals == nil {
		return devices.ErrNotSupported
	}
	select {
	case d.signals <- good:
		return nil
	default:
		return errors.New("chafon: signal queue full")
	}
}

// Configure reads the reader's information and applies the profile's
// region, power, scan time and init commands, checking every reply.
func (d *Driver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	d.pending = d.pending[:0]
	if d.rbuf == nil {
		d.rbuf = make([]byte, 512)
	}
	rep, err := d.command(ctx, l, CmdGetReaderInfo, nil)
	if err != nil {
		return devices.Info{}, fmt.Errorf("chafon: get reader information: %w", err)
	}
	info, err := ParseReaderInfo(rep.Data)
	if err != nil {
		return devices.Info{}, err
	}
	out := devices.Info{Firmware: info.Version(), Model: fmt.Sprintf("reader type 0x%02x", info.Type)}
	if !d.profile.VersionFits(out.Firmware) {
		return out, fmt.Errorf("chafon: reader reports firmware %s, which profile %s (match.version %s, variant %s) does not cover",
			out.Firmware, d.profile.ID, d.profile.Match.Version, d.variant)
	}
	scan := info.ScanTime
	var steps []step
	if d.region != nil {
		steps = append(steps, step{"set region " + d.region.Name, CmdSetRegion, d.region.SetRegionData()})
	}
	if d.power != nil {
		steps = append(steps, step{"set power", CmdSetPower, d.power})
	}
	if d.scanTime != nil {
		scan = d.scanTime[0]
		steps = append(steps, step{"set scan time", CmdSetScanTime, d.scanTime})
	}
	for i, c := range d.init {
		steps = append(steps, step{fmt.Sprintf("init[%d] %s", i, d.profile.Init[i].Name), c[0], c[1:]})
	}
	for _, s := range steps {
		if _, err := d.command(ctx, l, s.cmd, s.data); err != nil {
			return out, fmt.Errorf("chafon: %s: %w", s.name, err)
		}
	}
	if scan < minScanTime {
		scan = defaultScanTime
	}
	d.scan = scan
	d.scanWait = time.Duration(scan)*scanTimeUnitMS*time.Millisecond + frameGap
	return out, nil
}

type step struct {
	name string
	cmd  byte
	data []byte
}

// command sends one set-up command and waits for its status-0 reply,
// resending it when no reply comes.
func (d *Driver) command(ctx context.Context, l devices.Link, cmd byte, data []byte) (Reply, error) {
	var last error
	for range configAttempts {
		if err := d.send(l, cmd, data); err != nil {
			return Reply{}, err
		}
		deadline := time.Now().Add(replyTimeout)
		for {
			rep, err := d.readReply(ctx, l, deadline, nil)
			if errors.Is(err, ErrNoReply) {
				last = err
				break
			}
			if err != nil {
				return Reply{}, err
			}
			if !d.fromReader(rep) || (rep.Cmd != cmd && rep.Cmd != CmdUnrecognised) {
				continue // a late answer to an earlier command
			}
			if rep.Status != StatusOK {
				return rep, &StatusError{Cmd: cmd, Status: rep.Status}
			}
			return rep, nil
		}
	}
	return Reply{}, last
}

func (d *Driver) fromReader(rep Reply) bool {
	return d.addr == BroadcastAddress || rep.Addr == d.addr
}

func (d *Driver) send(l devices.Link, cmd byte, data []byte) error {
	var err error
	d.cmd, err = AppendCommand(d.cmd[:0], d.addr, cmd, data)
	if err != nil {
		return err
	}
	if _, err := l.Write(d.cmd); err != nil {
		return fmt.Errorf("chafon: write: %w", err)
	}
	return nil
}

// readReply returns the next well-formed frame, reporting the bytes it had
// to skip to bad (when not nil). It gives up with ErrNoReply at deadline,
// or frameGap after the last byte once a reply has started to arrive. The
// returned Reply's Data is valid until the next call.
func (d *Driver) readReply(ctx context.Context, l devices.Link, deadline time.Time, bad func(error)) (Reply, error) {
	if err := l.SetReadTimeout(pollTimeout); err != nil {
		return Reply{}, fmt.Errorf("chafon: set read timeout: %w", err)
	}
	for {
		for len(d.pending) > 0 {
			frame, skip, why := NextFrame(d.pending, false)
			if skip > 0 && bad != nil {
				bad(fmt.Errorf("chafon: skipped %d bytes: %w", skip, why))
			}
			if frame == nil {
				d.drop(skip)
				break
			}
			d.frame = append(d.frame[:0], frame...)
			d.drop(skip + len(frame))
			rep, err := ParseReply(d.frame)
			if err != nil {
				return Reply{}, err // NextFrame checked it; cannot happen
			}
			return rep, nil
		}
		if err := ctx.Err(); err != nil {
			return Reply{}, err
		}
		if !time.Now().Before(deadline) {
			d.flush(bad)
			return Reply{}, ErrNoReply
		}
		n, err := l.Read(d.rbuf)
		if n > 0 {
			d.pending = append(d.pending, d.rbuf[:n]...)
			deadline = time.Now().Add(frameGap)
			continue
		}
		if errors.Is(err, devices.ErrTimeout) {
			// A quiet line: what is pending is all there will be of it.
			d.flushGood(bad)
			continue
		}
		if err != nil {
			return Reply{}, fmt.Errorf("chafon: read: %w", err)
		}
	}
}

func (d *Driver) drop(n int) {
	d.pending = d.pending[:copy(d.pending, d.pending[n:])]
}

// flushGood treats pending bytes as complete after a quiet spell: a frame
// among them is kept, the bytes before it are reported bad.
func (d *Driver) flushGood(bad func(error)) {
	if len(d.pending) == 0 {
		return
	}
	frame, skip, why := NextFrame(d.pending, true)
	if skip > 0 && bad != nil {
		bad(fmt.Errorf("chafon: skipped %d bytes: %w", skip, why))
	}
	if frame == nil {
		d.pending = d.pending[:0]
		return
	}
	d.drop(skip)
}

func (d *Driver) flush(bad func(error)) {
	for len(d.pending) > 0 {
		frame, skip, why := NextFrame(d.pending, true)
		if skip > 0 && bad != nil {
			bad(fmt.Errorf("chafon: skipped %d bytes: %w", skip, why))
		}
		if frame == nil {
			d.pending = d.pending[:0]
			return
		}
		// A whole frame arrived too late for its command; drop it.
		d.drop(skip + len(frame))
	}
}

// Run inventories the profile's antennas in turn until ctx ends.
func (d *Driver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	if d.rbuf == nil {
		d.rbuf = make([]byte, 512)
	}
	if d.scanWait == 0 {
		d.scan = defaultScanTime
		if d.scanTime != nil {
			d.scan = d.scanTime[0]
		}
		d.scanWait = time.Duration(d.scan)*scanTimeUnitMS*time.Millisecond + frameGap
	}
	timeouts, readerErrs := 0, 0
	bad := r.BadFrame
	for {
		for _, ant := range d.antennas {
			if ctx.Err() != nil {
				return nil
			}
			if err := d.sendSignals(ctx, l, r); err != nil {
				return d.runErr(ctx, err)
			}
			err := d.inventory(ctx, l, r, ant, bad)
			var se *StatusError
			switch {
			case err == nil:
				timeouts, readerErrs = 0, 0
			case errors.Is(err, ErrNoReply):
				timeouts++
				if timeouts >= maxTimeouts {
					return fmt.Errorf("chafon: %d inventory rounds without a reply: %w", timeouts, err)
				}
			case errors.As(err, &se):
				timeouts = 0
				readerErrs++
				if readerErrs >= maxReaderErrors {
					return fmt.Errorf("chafon: antenna %d: %w", ant, err)
				}
			default:
				return d.runErr(ctx, err)
			}
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
}

func (d *Driver) runErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// inventory runs one round on one antenna and reports its tags in one
// call, also when the round ended early: every reported tag came from a
// frame with a good CRC and a consistent layout.
func (d *Driver) inventory(ctx context.Context, l devices.Link, r devices.Reporter, ant int, bad func(error)) error {
	var err error
	d.invData, err = InventoryCommandData(d.invData[:0], d.variant, ant, d.q, d.session, d.scan)
	if err != nil {
		return err
	}
	if err := d.send(l, CmdInventory, d.invData); err != nil {
		return err
	}
	d.round, d.epcs = d.round[:0], d.epcs[:0]
	defer func() {
		if len(d.round) == 0 {
			return
		}
		// EPCs were copied into one buffer that may have moved as it grew.
		off := 0
		for i := range d.round {
			n := len(d.round[i].EPC)
			d.round[i].EPC = d.epcs[off : off+n : off+n]
			off += n
		}
		tags := make([]devices.Tag, len(d.round))
		copy(tags, d.round)
		d.epcs = nil // the reporter owns the EPC bytes now
		r.Tags(tags)
	}()
	deadline := time.Now().Add(d.scanWait)
	for {
		rep, err := d.readReply(ctx, l, deadline, bad)
		if err != nil {
			return err
		}
		if !d.fromReader(rep) {
			bad(fmt.Errorf("chafon: frame from reader address 0x%02x, want 0x%02x", rep.Addr, d.addr))
			continue
		}
		if rep.Cmd != CmdInventory && rep.Cmd != CmdUnrecognised {
			r.Frame() // a late reply to an earlier command
			continue
		}
		deadline = time.Now().Add(frameGap)
		if rep.Cmd == CmdUnrecognised || !rep.Status.inventoryData() {
			r.Frame()
			if rep.Status == StatusNoTag {
				return nil
			}
			return &StatusError{Cmd: CmdInventory, Status: rep.Status}
		}
		start := len(d.round)
		d.round, err = AppendTags(d.round, d.variant, rep.Data)
		if err != nil {
			bad(err)
			continue
		}
		r.Frame()
		for i := start; i < len(d.round); i++ {
			d.epcs = append(d.epcs, d.round[i].EPC...)
		}
		if rep.Status != StatusMoreData {
			return nil
		}
	}
}

// sendSignals sends the queued beeps.
func (d *Driver) sendSignals(ctx context.Context, l devices.Link, r devices.Reporter) error {
	if d.signals == nil {
		return nil
	}
	for {
		var good bool
		select {
		case good = <-d.signals:
		default:
			return nil
		}
		cmds := d.bad
		if good {
			cmds = d.good
		}
		for _, c := range cmds {
			_, err := d.command(ctx, l, c[0], c[1:])
			var se *StatusError
			switch {
			case err == nil:
				r.Frame()
			case errors.As(err, &se):
				// A beep the reader refused is not worth a reconnect.
				r.Frame()
			case errors.Is(err, ErrNoReply):
			default:
				return err
			}
		}
	}
}
