package textscanemu_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	textscanemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/textscan"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/cmd/devsim/internal/simtest"
	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	"github.com/partsedge/partsedge/devices/scanner"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

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
func runPair(t *testing.T, p profiles.Profile, faults sim.Faults, scans []sim.Scan) ([]sim.Record, *devicetest.Recorder) {
	t.Helper()
	d, err := scanner.New(p)
	if err != nil {
		t.Fatal(err)
	}
	host, dev := devicetest.Pipe()
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
	link := host
	if _, err := d.Configure(ctx, link); err != nil {
		t.Fatal(err)
	}
	rep := &devicetest.Recorder{}
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
	rep.Wait(10*time.Second, func(r *devicetest.Recorder) bool { return len(r.Scans()) >= want })
	cancel()
	if err := <-ran; err != nil {
		t.Errorf("Run: %v", err)
	}
	host.Close()
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	for _, s := range rep.Scans() {
		if s.Symbology != scanner.Symbology(s.AIMID) {
			t.Errorf("scan %+v: symbology does not fit the AIM id", s)
		}
	}
	return recs, rep
}

func check(t *testing.T, recs []sim.Record, rep *devicetest.Recorder) (badRecs int) {
	t.Helper()
	var want []sim.Scan
	for _, r := range recs {
		if r.Good {
			want = append(want, *r.Scan)
		} else {
			badRecs++
		}
	}
	got, bad := simtest.HostScans(rep), len(rep.BadFrames())
	if !slices.Equal(got, want) {
		t.Errorf("host reported %d scans %q\nemulator recorded %d good %q", len(got), got, len(want), want)
	}
	if rep.Frames() != len(got) {
		t.Errorf("%d frames counted for %d scans", rep.Frames(), len(got))
	}
	if bad > badRecs || bad < badRecs-1 {
		t.Errorf("%d bad frames counted for %d spoiled records", bad, badRecs)
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
	host, dev := devicetest.Pipe()
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
	link := host
	if _, err := d.Configure(ctx, link); err != nil {
		t.Fatal(err)
	}
	if err := s.Signal(true); err != nil {
		t.Fatal(err)
	}
	ran := make(chan error, 1)
	go func() { ran <- d.Run(ctx, link, &devicetest.Recorder{}) }()
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
