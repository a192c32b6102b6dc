// Command devsim plays a barcode scanner or an RFID reader on a
// pseudo-terminal, speaking the protocol of one firmware profile, so depotd
// (or anything else that opens a serial port) can be tested without the
// hardware.
//
//	devsim --profile zebra-ssi-scanner --link /tmp/scanner0 --scans script.txt --rate 5
//	devsim --profile r2000-reader --link /tmp/door --population 200 --antennas 1,2 --bad-crc 0.01
//
// devsim prints one line when the device is plugged in ("devsim ... ready
// at LINK (pty /dev/pts/N)"), then takes commands on stdin, one per line:
//
//	start              begin the scan script (with --paused)
//	scan [AIM] DATA    scan one barcode now (<GS> for the group separator)
//	unplug             close the pseudo-terminal, as pulling the cable does
//	replug             open a new one at the same link path
//	silence / talk     stop / resume answering (the line stays open)
//	quit               stop
//
// With --record FILE every data frame the device sends is written there as
// one JSON line (sim.Record), flagged bad when a fault spoiled it, so a test
// can compare what the host decoded with what was sent.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type options struct {
	profile, profilesDir, link string
	scansFile                  string
	random                     int
	rate                       float64
	loop, paused               bool
	tagsFile                   string
	populationN                int
	antennas                   []int
	tagRate                    float64
	faults                     sim.Faults
	seed                       uint64
	version                    string
	record                     string
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("devsim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	var antennas string
	fs.StringVar(&o.profile, "profile", "", "the firmware profile `id` to play (see firmware-profiles/)")
	fs.StringVar(&o.profilesDir, "profiles", "", "a `folder` of extra profile YAML files")
	fs.StringVar(&o.link, "link", "", "the `path` of the symlink to the pseudo-terminal (what the host opens)")
	fs.StringVar(&o.scansFile, "scans", "", "scanner: a script `file`, one scan per line ([AIM] DATA; <GS> for GS)")
	fs.IntVar(&o.random, "random", 0, "scanner: this many random GS1 / EAN / part-number scans")
	fs.Float64Var(&o.rate, "rate", 2, "scanner: scans per second")
	fs.BoolVar(&o.loop, "loop", false, "scanner: repeat the script for ever")
	fs.BoolVar(&o.paused, "paused", false, "scanner: wait for \"start\" on stdin before scanning")
	fs.StringVar(&o.tagsFile, "tags", "", "reader: a tag `file`, one per line: EPC-hex [antenna] [rssi]")
	fs.IntVar(&o.populationN, "population", 0, "reader: this many SGTIN-96 tags in the field")
	fs.StringVar(&antennas, "antennas", "1", "reader: the antennas tags sit in front of (`list`, e.g. 1,2)")
	fs.Float64Var(&o.tagRate, "tag-rate", 0, "reader: at most this many tag reports per second (0: no limit)")
	fs.Float64Var(&o.faults.Garble, "garble", 0, "fault: the `probability` a data frame is garbled")
	fs.Float64Var(&o.faults.BadCRC, "bad-crc", 0, "fault: the `probability` a data frame's checksum is wrong")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed (scans, tags, faults)")
	fs.StringVar(&o.version, "version", "", "the firmware version to report (default: the emulator's)")
	fs.StringVar(&o.record, "record", "", "write every data frame sent, as JSON lines, to this `file`")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "devsim: "+format+"\n", a...)
		return 2
	}
	if o.profile == "" || o.link == "" {
		return bad("--profile and --link are required")
	}
	for _, a := range strings.Split(antennas, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil || n < 1 {
			return bad("--antennas %q: antenna numbers from 1, comma-separated", antennas)
		}
		o.antennas = append(o.antennas, n)
	}
	if o.faults.Garble < 0 || o.faults.Garble > 1 || o.faults.BadCRC < 0 || o.faults.BadCRC > 1 {
		return bad("fault probabilities are between 0 and 1")
	}
	if o.rate <= 0 {
		return bad("--rate must be above 0")
	}
	set, err := profiles.Builtin()
	if err != nil {
		return bad("built-in profiles: %v", err)
	}
	if o.profilesDir != "" {
		extra, err := profiles.Load(os.DirFS(o.profilesDir), ".")
		if err != nil {
			return bad("%v", err)
		}
		set.Merge(extra)
	}
	p, ok := set.Get(o.profile)
	if !ok {
		return bad("no profile %q", o.profile)
	}
	newEmu, ok := emulators()[p.Codec]
	if !ok {
		return bad("profile %s speaks %s, which devsim cannot play (USB devices cannot be simulated on a pty)", p.ID, p.Codec)
	}
	rng := rand.New(rand.NewPCG(o.seed, o.seed^0x9E3779B97F4A7C15))
	d := &simDevice{o: o, profile: p, newEmu: newEmu, rng: rng, stdout: stdout, stderr: stderr}
	if err := d.prepare(); err != nil {
		return bad("%v", err)
	}
	if err := d.serve(ctx, stdin); err != nil {
		fmt.Fprintf(stderr, "devsim: %v\n", err)
		return 1
	}
	return 0
}

// simDevice is one simulated device and its pseudo-terminal.
type simDevice struct {
	o       options
	profile profiles.Profile
	newEmu  func() sim.Emulator
	rng     *rand.Rand
	rngMu   sync.Mutex
	stdout  io.Writer
	stderr  io.Writer

	script []sim.Scan
	field  *field
	scans  chan sim.Scan
	silent atomic.Bool
	record func(sim.Record)
	outMu  sync.Mutex
}

func (d *simDevice) prepare() error {
	d.scans = make(chan sim.Scan, 64)
	if d.profile.Kind == profiles.Scanner {
		if d.o.scansFile != "" {
			f, err := os.Open(d.o.scansFile)
			if err != nil {
				return err
			}
			defer f.Close()
			if d.script, err = readScript(f); err != nil {
				return fmt.Errorf("%s: %w", d.o.scansFile, err)
			}
		}
	} else {
		tags := map[int][]sim.Tag{}
		var err error
		switch {
		case d.o.tagsFile != "":
			f, ferr := os.Open(d.o.tagsFile)
			if ferr != nil {
				return ferr
			}
			defer f.Close()
			tags, err = readTags(f, d.o.antennas)
		case d.o.populationN > 0:
			tags, err = population(d.rng, d.o.populationN, d.o.antennas)
		}
		if err != nil {
			return err
		}
		d.field = &field{r: rand.New(rand.NewPCG(d.o.seed+1, 7)), tags: tags}
	}
	d.record = func(sim.Record) {}
	if d.o.record != "" {
		f, err := os.OpenFile(d.o.record, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		var mu sync.Mutex
		enc := json.NewEncoder(f)
		d.record = func(r sim.Record) {
			mu.Lock()
			defer mu.Unlock()
			if err := enc.Encode(r); err != nil {
				d.logf("record: %v", err)
			}
		}
	}
	return nil
}

func (d *simDevice) logf(format string, a ...any) {
	d.outMu.Lock()
	defer d.outMu.Unlock()
	fmt.Fprintf(d.stderr, "devsim: "+format+"\n", a...)
}

func (d *simDevice) say(format string, a ...any) {
	d.outMu.Lock()
	defer d.outMu.Unlock()
	fmt.Fprintf(d.stdout, format+"\n", a...)
}

// plug is one pseudo-terminal's life, from plug-in to unplug.
type plug struct {
	master, slave *os.File
	cancel        context.CancelFunc
	done          chan struct{}
}

func (d *simDevice) plugIn(ctx context.Context) (*plug, error) {
	master, slave, err := openPTY()
	if err != nil {
		return nil, err
	}
	// Raw from the first byte: a fresh pty echoes and turns CR into LF,
	// which would mangle binary frames sent before the host sets its mode.
	if err := makeRaw(slave); err != nil {
		master.Close()
		slave.Close()
		return nil, err
	}
	tmp := d.o.link + ".new"
	os.Remove(tmp)
	if err := os.Symlink(slave.Name(), tmp); err != nil {
		master.Close()
		slave.Close()
		return nil, fmt.Errorf("link %s: %w", d.o.link, err)
	}
	if err := os.Rename(tmp, d.o.link); err != nil {
		master.Close()
		slave.Close()
		return nil, fmt.Errorf("link %s: %w", d.o.link, err)
	}
	pctx, cancel := context.WithCancel(ctx)
	p := &plug{master: master, slave: slave, cancel: cancel, done: make(chan struct{})}
	env := &sim.Env{
		Profile: d.profile, Rand: rand.New(rand.NewPCG(d.nextSeed(), 1)), Faults: d.o.faults,
		Scans: d.scans, Field: d.field, TagRate: d.o.tagRate, Version: d.o.version,
		Record: d.record, Logf: d.logf,
	}
	go func() {
		defer close(p.done)
		err := d.newEmu().Serve(pctx, gate{master, &d.silent}, env)
		if err != nil && pctx.Err() == nil {
			d.logf("emulator stopped: %v", err)
		}
	}()
	d.say("devsim %s ready at %s (pty %s)", d.profile.ID, d.o.link, slave.Name())
	return p, nil
}

func (d *simDevice) nextSeed() uint64 {
	d.rngMu.Lock()
	defer d.rngMu.Unlock()
	return d.rng.Uint64()
}

func (p *plug) unplug() {
	p.cancel()
	p.master.Close()
	p.slave.Close()
	<-p.done
}

func (d *simDevice) serve(ctx context.Context, stdin io.Reader) error {
	p, err := d.plugIn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		if p != nil {
			p.unplug()
		}
		os.Remove(d.o.link)
	}()

	startScript := make(chan struct{})
	var startOnce sync.Once
	start := func() { startOnce.Do(func() { close(startScript) }) }
	if !d.o.paused {
		start()
	}
	go d.feed(ctx, startScript)

	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdin)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		var line string
		var ok bool
		select {
		case <-ctx.Done():
			return nil
		case line, ok = <-lines:
			if !ok {
				// stdin closed: keep playing until a signal ends us.
				lines = nil
				continue
			}
		}
		cmd, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch cmd {
		case "":
		case "start":
			start()
			d.say("started")
		case "scan":
			s, ok, err := parseScanLine(arg)
			if err != nil || !ok {
				d.say("error: scan needs data")
				continue
			}
			select {
			case d.scans <- s:
				d.say("queued")
			case <-ctx.Done():
				return nil
			}
		case "unplug":
			if p != nil {
				p.unplug()
				p = nil
				os.Remove(d.o.link)
			}
			d.say("unplugged")
		case "replug":
			if p == nil {
				if p, err = d.plugIn(ctx); err != nil {
					return err
				}
			} else {
				d.say("already plugged in")
			}
		case "silence":
			d.silent.Store(true)
			d.say("silent")
		case "talk":
			d.silent.Store(false)
			d.say("talking")
		case "quit":
			return nil
		default:
			d.say("error: unknown command %q (start, scan, unplug, replug, silence, talk, quit)", cmd)
		}
	}
}

// feed plays the scan script (or the random scans) at the chosen rate.
func (d *simDevice) feed(ctx context.Context, startScript <-chan struct{}) {
	if d.profile.Kind != profiles.Scanner || (len(d.script) == 0 && d.o.random == 0) {
		return
	}
	select {
	case <-ctx.Done():
		return
	case <-startScript:
	}
	gap := time.Duration(float64(time.Second) / d.o.rate)
	t := time.NewTicker(gap)
	defer t.Stop()
	r := rand.New(rand.NewPCG(d.o.seed+2, 3))
	for i := 0; ; i++ {
		var s sim.Scan
		switch {
		case len(d.script) > 0 && (i < len(d.script) || d.o.loop):
			s = d.script[i%len(d.script)]
		case len(d.script) == 0 && i < d.o.random:
			s = randomGS1(r)
		default:
			d.say("script done")
			return
		}
		select {
		case <-ctx.Done():
			return
		case d.scans <- s:
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// gate drops everything both ways while the device is silent, as a device
// that hangs does, without closing the line.
type gate struct {
	f      *os.File
	silent *atomic.Bool
}

func (g gate) Read(p []byte) (int, error) {
	for {
		n, err := g.f.Read(p)
		if err != nil || !g.silent.Load() {
			return n, err
		}
	}
}

func (g gate) Write(p []byte) (int, error) {
	if g.silent.Load() {
		return len(p), nil
	}
	return g.f.Write(p)
}

// openPTY opens a pseudo-terminal whose master side is non-blocking, so the
// Go runtime polls it: closing it then wakes an emulator goroutine blocked in
// Read. A blocking master would stay open under that Read, and the host
// would never see the unplug.
func openPTY() (master, slave *os.File, err error) {
	m, s, err := pty.Open()
	if err != nil {
		return nil, nil, fmt.Errorf("open a pseudo-terminal: %w", err)
	}
	fd, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err != nil {
		s.Close()
		return nil, nil, fmt.Errorf("pseudo-terminal: %w", err)
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		s.Close()
		return nil, nil, fmt.Errorf("pseudo-terminal: %w", err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), s, nil
}

func makeRaw(f *os.File) error {
	t, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		return fmt.Errorf("pty termios: %w", err)
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
	if err := unix.IoctlSetTermios(int(f.Fd()), unix.TCSETS, t); err != nil {
		return fmt.Errorf("pty raw mode: %w", err)
	}
	return nil
}
