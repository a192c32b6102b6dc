package honeywell

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/scanner"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// Codec is the profile codec name this package speaks.
const Codec = "honeywell"

// Profile variants choose the menu table the init commands are stored in.
// The default is the volatile table ('!'): the driver sends the commands at
// every connect anyway, and the guides warn that the flash behind the
// non-volatile table ('.') has a limited number of write cycles (N3680
// Decoded Engine User Guide, "Menu Command Syntax").
const (
	VariantTemporary = "temporary"
	VariantPermanent = "permanent"
)

const (
	// replyTimeout bounds the wait for a menu reply; a flash write ('.')
	// takes the scanner longer than a RAM one.
	replyTimeout     = 2 * time.Second
	permanentTimeout = 5 * time.Second
	// infoTimeout bounds the REVINF query, which is only informative.
	infoTimeout = time.Second
	// attempts is how often a message whose reply came back garbled or
	// not at all is sent again; every init message is idempotent (each
	// clears what it then adds).
	attempts = 3
	// maxReply bounds what is kept while waiting for one reply.
	maxReply = 8192
)

// revinf asks for the software revision information (Serial Programming
// Commands, "Utilities": Show Software Revision, REVINF).
var revinf = Command{Tag: "REV", SubTag: "INF"}

type message struct {
	name string
	cmds []Command
	wire []byte
}

type driver struct {
	framer   *scanner.Framer
	msgs     []message
	storage  Storage
	timeout  time.Duration
	info     time.Duration
	leftover []byte // scan bytes read while waiting for replies
}

type signaller struct {
	*driver
	*scanner.Signals
}

// New builds the driver for a Honeywell scanner from its profile: the
// framing of its scans, and init commands given as menu commands. The
// result is a devices.Signaller when the profile has (text or hex) signals.
func New(p profiles.Profile) (devices.Driver, error) {
	if p.Codec != Codec {
		return nil, fmt.Errorf("honeywell: profile %s uses codec %q, not %s", p.ID, p.Codec, Codec)
	}
	if p.Kind != profiles.Scanner {
		return nil, fmt.Errorf("honeywell: profile %s is a %s, not a scanner", p.ID, p.Kind)
	}
	fr, err := scanner.NewFramer(p.Framing)
	if err != nil {
		return nil, fmt.Errorf("honeywell: profile %s: %w", p.ID, err)
	}
	d := &driver{framer: fr, storage: Temporary, timeout: replyTimeout, info: infoTimeout}
	switch p.Variant {
	case "", VariantTemporary:
	case VariantPermanent:
		d.storage, d.timeout = Permanent, permanentTimeout
	default:
		return nil, fmt.Errorf("honeywell: profile %s: variant %q: %s or %s", p.ID, p.Variant, VariantTemporary, VariantPermanent)
	}
	for i, c := range p.Init {
		if c.Menu == "" || c.Text != "" || c.Hex != "" || c.Param != nil || c.Beep != nil {
			return nil, fmt.Errorf("honeywell: profile %s: init[%d] (%s): init commands are menu commands", p.ID, i, c.Name)
		}
		cmds, st, err := ParseCommands(c.Menu)
		if err != nil {
			return nil, fmt.Errorf("honeywell: profile %s: init[%d] (%s): %w", p.ID, i, c.Name, err)
		}
		if st != 0 {
			return nil, fmt.Errorf("honeywell: profile %s: init[%d] (%s): leave out the storage character; the variant chooses it", p.ID, i, c.Name)
		}
		for _, cmd := range cmds {
			if cmd.IsQuery() {
				return nil, fmt.Errorf("honeywell: profile %s: init[%d] (%s): %s is a query, not a setting", p.ID, i, c.Name, cmd)
			}
		}
		wire, err := Encode(nil, cmds, d.storage)
		if err != nil {
			return nil, fmt.Errorf("honeywell: profile %s: init[%d] (%s): %w", p.ID, i, c.Name, err)
		}
		d.msgs = append(d.msgs, message{name: c.Name, cmds: cmds, wire: wire})
	}
	sig, err := scanner.NewSignals(p.Signals)
	if err != nil {
		return nil, fmt.Errorf("honeywell: profile %s: %w", p.ID, err)
	}
	if sig == nil {
		return d, nil
	}
	return signaller{d, sig}, nil
}

// Configure sends each init message, checks that the scanner echoed every
// command with ACK, then asks for the revision information. A command the
// scanner refused (ENQ, NAK) fails Configure with a *CommandError naming it.
func (d *driver) Configure(ctx context.Context, l devices.Link) (devices.Info, error) {
	d.leftover = d.leftover[:0]
	for _, m := range d.msgs {
		var err error
		for range attempts {
			var res []Result
			res, err = d.exchange(ctx, l, m.wire, m.cmds[0].Tag, d.timeout)
			if err == nil {
				err = Check(m.cmds, res)
			}
			var ce *CommandError
			if err == nil || errors.As(err, &ce) || ctx.Err() != nil || !retryable(err) {
				break
			}
		}
		if err != nil {
			return devices.Info{}, fmt.Errorf("honeywell: init %q: %w", m.name, err)
		}
	}
	return d.revision(ctx, l), nil
}

func retryable(err error) bool {
	return errors.Is(err, ErrBadReply) || errors.Is(err, ErrEchoMismatch) || errors.Is(err, devices.ErrTimeout)
}

// exchange sends one message and reads its reply. Bytes around the reply
// (scans read while waiting) are kept for Run.
func (d *driver) exchange(ctx context.Context, l devices.Link, wire []byte, tag string, timeout time.Duration) ([]Result, error) {
	if _, err := l.Write(wire); err != nil {
		return nil, fmt.Errorf("honeywell: send: %w", err)
	}
	b, rest, err := d.read(ctx, l, timeout, ReplyEnd)
	if err != nil {
		return nil, err
	}
	defer func() { d.leftover = append(d.leftover, rest...) }()
	start := indexFold(b, tag)
	if start < 0 {
		return nil, fmt.Errorf("%w: %q", ErrEchoMismatch, b)
	}
	d.leftover = append(d.leftover, b[:start]...)
	res, _, err := ParseReply(b[start:])
	return res, err
}

// read collects bytes until end finds a complete reply, and returns it and
// what came after it. On a timeout what was read is kept for Run.
func (d *driver) read(ctx context.Context, l devices.Link, timeout time.Duration, end func([]byte) int) (reply, rest []byte, err error) {
	if err := l.SetReadTimeout(scanner.PollInterval); err != nil {
		return nil, nil, fmt.Errorf("honeywell: set read timeout: %w", err)
	}
	deadline := time.Now().Add(timeout)
	var b []byte
	buf := make([]byte, 256)
	for {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		n, err := l.Read(buf)
		b = append(b, buf[:n]...)
		if e := end(b); e >= 0 {
			return b[:e], b[e:], nil
		}
		if err != nil && !errors.Is(err, devices.ErrTimeout) {
			return nil, nil, fmt.Errorf("honeywell: read reply: %w", err)
		}
		if len(b) > maxReply {
			d.leftover = append(d.leftover, b...)
			return nil, nil, fmt.Errorf("%w: no reply in %d bytes", ErrBadReply, len(b))
		}
		if time.Now().After(deadline) {
			d.leftover = append(d.leftover, b...)
			return nil, nil, fmt.Errorf("honeywell: no reply within %v: %w", timeout, devices.ErrTimeout)
		}
	}
}

// revision asks REVINF and picks the model, firmware and serial number out
// of its "Name: value" lines. The answer is informative only: a scanner
// that refuses or ignores it is configured all the same.
func (d *driver) revision(ctx context.Context, l devices.Link) devices.Info {
	wire, _ := Encode(nil, []Command{revinf}, Temporary)
	if _, err := l.Write(wire); err != nil {
		return devices.Info{}
	}
	echo := []byte(revinf.Tag + revinf.SubTag)
	b, rest, err := d.read(ctx, l, d.info, func(b []byte) int {
		for {
			i := indexFold(b, string(echo))
			if i < 0 {
				return -1
			}
			if e := ReplyEnd(b[i:]); e >= 0 && e == len(echo)+2 {
				return i + e
			}
			if i+len(echo)+2 > len(b) {
				return -1
			}
			b = b[i+1:]
		}
	})
	if err != nil {
		return devices.Info{}
	}
	d.leftover = append(d.leftover, rest...)
	return ParseRevision(b)
}

// ParseRevision reads a REVINF reply ("Product Name: ...", "Software Part
// Number: ...", "Serial Number: ..." lines, then the echo).
func ParseRevision(b []byte) devices.Info {
	var info devices.Info
	var revision string
	for line := range strings.SplitSeq(string(b), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.ToLower(strings.TrimSpace(k)) {
		case "product name":
			info.Model = v
		case "software part number":
			info.Firmware = v
		case "software revision":
			revision = v
		case "serial number":
			info.Serial = v
		}
	}
	if info.Firmware == "" {
		info.Firmware = revision
	}
	return info
}

func indexFold(b []byte, s string) int {
	return bytes.Index(bytes.ToUpper(b), []byte(strings.ToUpper(s)))
}

// Run reads scans until ctx ends or the link fails.
func (d *driver) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	return d.run(ctx, l, r, nil)
}

// Run reads scans and sends queued signals between reads.
func (s signaller) Run(ctx context.Context, l devices.Link, r devices.Reporter) error {
	return s.run(ctx, l, r, s.Send)
}

func (d *driver) run(ctx context.Context, l devices.Link, r devices.Reporter, between func(devices.Link) error) error {
	d.framer.Reset()
	d.framer.Feed(d.leftover)
	d.leftover = d.leftover[:0]
	scanner.Drain(d.framer, r)
	return scanner.ReadScans(ctx, l, d.framer, r, between)
}
