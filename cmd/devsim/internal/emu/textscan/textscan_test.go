package textscanemu_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	textscanemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/textscan"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/scanner"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// pipeLink is a devices.Link over one end of net.Pipe.
type pipeLink struct {
	net.Conn
	timeout time.Duration
}

func (p *pipeLink) SetReadTimeout(d time.Duration) error { p.timeout = d; return nil }

func (p *pipeLink) Read(b []byte) (int, error) {
	dl := time.Time{}
	if p.timeout > 0 {
		dl = time.Now().Add(p.timeout)
	}
	if err := p.SetReadDeadline(dl); err != nil {
		return 0, err
	}
	n, err := p.Conn.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, devices.ErrTimeout
	}
	return n, err
}

type reporter struct {
	mu          sync.Mutex
	scans       []sim.Scan
	frames, bad int
	errs        []error
}

func (r *reporter) Scan(s devices.Scan) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if s.Symbology != scanner.Symbology(s.AIMID) {
		r.errs = append(r.errs, fmt.Errorf("scan %+v: symbology does not fit the AIM id", s))
	}
	r.scans = append(r.scans, sim.Scan{Data: s.Data, AIMID: s.AIMID})
}
func (r *reporter) Tags([]devices.Tag) {}
func (r *reporter) Frame()             { r.mu.Lock(); r.frames++; r.mu.Unlock() }
func (r *reporter) BadFrame(error)     { r.mu.Lock(); r.bad++; r.mu.Unlock() }

func (r *reporter) count() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.scans) }

var testScans = []sim.Scan{
	{Data: "0109506000134352\x1d10ABC123", AIMID: "]C1"},
	{Data: "4006381333931", AIMID: "]E0"},
	{Data: "0109506000134352" + "21SN-77", AIMID: "]d2"},
	{Data: "https://id.gs1.org/01/09506000134352", AIMID: "]Q1"},
	{Data: "PN-4711", AIMID: "]A0"},
	{Data: "LOC-B-07"}, // a scan whose symbology the script leaves open
}

func script(n int) []sim.Scan {
	out := make([]sim.Scan, n)
	for i := range out {
		out[i] = testScans[i%len(testScans)]
		out[i].Data = fmt.Sprintf("%s-%d", out[i].Data, i)
	}
	return out
}

func genericProfile(t *testing.T) profiles.Profile {
	t.Helper()
	b, err := os.ReadFile("../../../../../firmware-profiles/generic-serial-scanner.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profiles.Parse("generic-serial-scanner.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// runPair runs the driver against the emulator until every good frame the
// emulator recorded has been reported, and returns the records and reports.
func runPair(t *testing.T, p profiles.Profile, faults sim.Faults, scans []sim.Scan) ([]sim.Record, *reporter) {
	t.Helper()
	d, err := scanner.New(p)
	if err != nil {
		t.Fatal(err)
	}
	host, dev := net.Pipe()
	defer host.Close()
	defer dev.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var recs []sim.Record
	ch := make(chan sim.Scan)
	env := &sim.Env{Profile: p, Rand: rand.New(rand.NewPCG(1, 2)), Faults: faults, Scans: ch,
		Record: func(r sim.Record) { mu.Lock(); recs = append(recs, r); mu.Unlock() }}
	served := make(chan error, 1)
	go func() { served <- textscanemu.Emulator{}.Serve(ctx, dev, env) }()
	link := &pipeLink{Conn: host}
	if _, err := d.Configure(ctx, link); err != nil {
		t.Fatal(err)
	}
	rep := &reporter{}
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx, link, rep) }()
	for _, s := range scans {
		ch <- s
	}
	close(ch)
	mu.Lock()
	want := 0
	for _, r := range recs {
		if r.Good {
			want++
		}
	}
	mu.Unlock()
	for deadline := time.Now().Add(10 * time.Second); rep.count() < want && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run: %v", err)
	}
	host.Close()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	for _, err := range rep.errs {
		t.Error(err)
	}
	return recs, rep
}

func check(t *testing.T, recs []sim.Record, rep *reporter) (badRecs int) {
	t.Helper()
	var want []sim.Scan
	for _, r := range recs {
		if r.Good {
			want = append(want, *r.Scan)
		} else {
			badRecs++
		}
	}
	if !slices.Equal(rep.scans, want) {
		t.Errorf("host reported %d scans %q\nemulator recorded %d good %q", len(rep.scans), rep.scans, len(want), want)
	}
	if rep.frames != len(rep.scans) {
		t.Errorf("%d frames counted for %d scans", rep.frames, len(rep.scans))
	}
	if rep.bad > badRecs || rep.bad < badRecs-1 {
		t.Errorf("%d bad frames counted for %d spoiled records", rep.bad, badRecs)
	}
	return badRecs
}

func TestDriverAgainstEmulator(t *testing.T) {
	base := genericProfile(t)
	framings := map[string]profiles.Framing{
		"profile":          base.Framing,
		"stx etx":          {STX: true, ETX: true, AIM: true},
		"stx crlf":         {STX: true, Suffix: "\r\n", AIM: true},
		"stx etx trailer":  {STX: true, ETX: true, Suffix: "\r\n", AIM: true},
		"cr no aim":        {Suffix: "\r"},
		"prefix tab":       {Prefix: "#", Suffix: "\t", AIM: true},
		"etx only, no aim": {ETX: true},
	}
	for name, fr := range framings {
		for _, garble := range []float64{0, 0.3} {
			t.Run(fmt.Sprintf("%s/garble=%v", name, garble), func(t *testing.T) {
				p := base
				p.Framing = fr
				recs, rep := runPair(t, p, sim.Faults{Garble: garble}, script(60))
				bad := check(t, recs, rep)
				if garble > 0 && bad == 0 {
					t.Errorf("no frame was spoiled")
				}
			})
		}
	}
}

func TestInitAndSignals(t *testing.T) {
	p := genericProfile(t)
	p.Init = []profiles.Command{{Name: "wake", Text: "W\r"}, {Name: "mode", Hex: "1b 41"}}
	p.Signals = profiles.Signals{Good: []profiles.Command{{Name: "beep", Hex: "07"}}}
	d, err := scanner.New(p)
	if err != nil {
		t.Fatal(err)
	}
	s, ok := d.(devices.Signaller)
	if !ok {
		t.Fatal("driver with signals is not a Signaller")
	}
	if err := s.Signal(false); !errors.Is(err, devices.ErrNotSupported) {
		t.Errorf("bad signal without commands: %v", err)
	}
	host, dev := net.Pipe()
	defer dev.Close()
	got := make(chan []byte, 1)
	go func() {
		var all []byte
		buf := make([]byte, 64)
		for len(all) < 5 {
			n, err := dev.Read(buf)
			if err != nil {
				break
			}
			all = append(all, buf[:n]...)
		}
		got <- all
	}()
	ctx, cancel := context.WithCancel(context.Background())
	link := &pipeLink{Conn: host}
	if _, err := d.Configure(ctx, link); err != nil {
		t.Fatal(err)
	}
	if err := s.Signal(true); err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx, link, &reporter{}) }()
	if b := <-got; string(b) != "W\r\x1bA\x07" {
		t.Errorf("device got %q", b)
	}
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run: %v", err)
	}
	host.Close()

	p.Signals = profiles.Signals{}
	d, _ = scanner.New(p)
	if _, ok := d.(devices.Signaller); ok {
		t.Error("driver without signals claims to signal")
	}
}

func TestNewRejects(t *testing.T) {
	p := genericProfile(t)
	bad := []func(*profiles.Profile){
		func(p *profiles.Profile) { p.Codec = "honeywell" },
		func(p *profiles.Profile) { p.Kind = profiles.Reader },
		func(p *profiles.Profile) { p.Framing = profiles.Framing{AIM: true} },
		func(p *profiles.Profile) { p.Init = []profiles.Command{{Name: "m", Menu: "PRECA2"}} },
		func(p *profiles.Profile) { p.Init = []profiles.Command{{Name: "h", Hex: "zz"}} },
		func(p *profiles.Profile) { p.Signals.Bad = []profiles.Command{{Name: "b", Text: "x", Hex: "07"}} },
	}
	for i, mod := range bad {
		q := p
		mod(&q)
		if _, err := scanner.New(q); err == nil {
			t.Errorf("case %d: New accepted %+v", i, q)
		}
	}
}
