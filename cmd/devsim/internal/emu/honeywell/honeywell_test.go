package honeywellemu_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	honeywellemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/honeywell"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/cmd/devsim/internal/simtest"
	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	"github.com/partsedge/partsedge/devices/honeywell"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func honeywellProfile(t *testing.T) profiles.Profile {
	t.Helper()
	b, err := os.ReadFile("../../../../../firmware-profiles/honeywell-serial-scanner.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profiles.Parse("honeywell-serial-scanner.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var kinds = []sim.Scan{
	{Data: "0109506000134352\x1d10ABC123", AIMID: "]C1"},
	{Data: "4006381333931", AIMID: "]E0"},
	{Data: "010950600013435221SN-77", AIMID: "]d2"},
	{Data: "PN-4711", AIMID: "]A0"},
	{Data: "LOC-B-07"},
}

func script(n int) []sim.Scan {
	out := make([]sim.Scan, n)
	for i := range out {
		out[i] = kinds[i%len(kinds)]
		out[i].Data = fmt.Sprintf("%s-%d", out[i].Data, i)
	}
	return out
}

type result struct {
	info     devices.Info
	cfgErr   error
	recs     []sim.Record
	rep      *devicetest.Recorder
	runErr   error
	serveErr error
}

// runPair configures the driver against the emulator and, when that works,
// sends scans and reads until every scan has come to the host as a frame or
// a bad frame (the emulator's faults spoil each frame into exactly one).
func runPair(t *testing.T, p profiles.Profile, faults sim.Faults, scans []sim.Scan) result {
	t.Helper()
	d, err := honeywell.New(p)
	if err != nil {
		t.Fatal(err)
	}
	host, dev := devicetest.Pipe()
	defer host.Close()
	defer dev.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	var res result
	ch := make(chan sim.Scan)
	env := &sim.Env{Profile: p, Rand: rand.New(rand.NewPCG(3, 4)), Faults: faults, Scans: ch,
		Record: func(r sim.Record) { mu.Lock(); res.recs = append(res.recs, r); mu.Unlock() }}
	served := make(chan error, 1)
	go func() { served <- honeywellemu.Emulator{}.Serve(ctx, dev, env) }()
	link := host
	res.info, res.cfgErr = d.Configure(ctx, link)
	res.rep = &devicetest.Recorder{}
	if res.cfgErr == nil {
		ran := make(chan error, 1)
		go func() { ran <- d.Run(ctx, link, res.rep) }()
		for _, s := range scans {
			ch <- s
		}
		res.rep.Wait(10*time.Second, func(r *devicetest.Recorder) bool {
			return len(r.Scans())+len(r.BadFrames()) >= len(scans)
		})
		cancel()
		res.runErr = <-ran
	}
	cancel()
	host.Close()
	res.serveErr = <-served
	return res
}

func TestDriverAgainstEmulator(t *testing.T) {
	for _, garble := range []float64{0, 0.25} {
		t.Run(fmt.Sprintf("garble=%v", garble), func(t *testing.T) {
			r := runPair(t, honeywellProfile(t), sim.Faults{Garble: garble}, script(50))
			if r.cfgErr != nil || r.runErr != nil || r.serveErr != nil {
				t.Fatalf("configure %v, run %v, serve %v", r.cfgErr, r.runErr, r.serveErr)
			}
			if r.info != (devices.Info{Model: "Xenon 1900", Firmware: "BF000286BAA", Serial: "15232B1F0C"}) {
				t.Errorf("info %+v", r.info)
			}
			want, bad := simtest.ScanRecords(r.recs)
			for i := range want {
				if want[i].AIMID == "" {
					t.Fatalf("emulator sent scan %d without the AIM id the host configured", i)
				}
			}
			if !slices.Equal(simtest.HostScans(r.rep), want) {
				t.Errorf("host reported %q\nemulator recorded %q", simtest.HostScans(r.rep), want)
			}
			if len(r.rep.BadFrames()) != bad || r.rep.Frames() != len(want) {
				t.Errorf("%d frames, %d bad; emulator spoiled %d of %d", r.rep.Frames(), len(r.rep.BadFrames()), bad, len(want)+bad)
			}
			if garble > 0 && bad == 0 {
				t.Error("no scan was spoiled")
			}
			replies, spoiled := 0, 0
			for _, rec := range r.recs {
				if rec.Kind == "reply" {
					replies++
					if !rec.Good {
						spoiled++
					}
				}
			}
			if replies != 3+spoiled {
				t.Errorf("%d replies, %d spoiled: want two init messages and REVINF, resent when spoiled", replies, spoiled)
			}
		})
	}
}

// TestUnconfiguredFraming shows the emulator keeps what it was told: a host
// that expects AIM ids but never turned them on reads only bad frames, and
// one that asks for the AIM id alone reads ]cm data CR.
func TestUnconfiguredFraming(t *testing.T) {
	p := honeywellProfile(t)
	p.Init = nil
	p.Framing = profiles.Framing{Suffix: "\r", AIM: true}
	r := runPair(t, p, sim.Faults{}, script(5))
	if len(simtest.HostScans(r.rep)) != 0 || len(r.rep.BadFrames()) != 5 {
		t.Errorf("host without init read %q, %d bad frames", simtest.HostScans(r.rep), len(r.rep.BadFrames()))
	}

	p = honeywellProfile(t)
	p.Init = []profiles.Command{{Name: "AIM id", Menu: "PRECA2,BK2995C81"}}
	p.Framing = profiles.Framing{Suffix: "\r", AIM: true}
	r = runPair(t, p, sim.Faults{}, script(5))
	want, _ := simtest.ScanRecords(r.recs)
	if r.cfgErr != nil || !slices.Equal(simtest.HostScans(r.rep), want) || len(want) != 5 {
		t.Errorf("AIM id with factory CR suffix: %v, read %q, want %q", r.cfgErr, simtest.HostScans(r.rep), want)
	}
}

func TestRefusedCommands(t *testing.T) {
	tests := []struct {
		menu string
		want error
	}{
		{"BEPLVL9", honeywell.ErrOutOfRange},
		{"XYZABC1", honeywell.ErrInvalid},
		{"PREBK2995C", honeywell.ErrOutOfRange},
		{"PRECA2,BK2995C81;SUFQQQ1", honeywell.ErrInvalid},
	}
	for _, tt := range tests {
		p := honeywellProfile(t)
		p.Init = []profiles.Command{{Name: "x", Menu: tt.menu}}
		r := runPair(t, p, sim.Faults{}, nil)
		var ce *honeywell.CommandError
		if !errors.Is(r.cfgErr, tt.want) || !errors.As(r.cfgErr, &ce) {
			t.Errorf("%s: Configure = %v, want %v", tt.menu, r.cfgErr, tt.want)
			continue
		}
		if !strings.Contains(r.cfgErr.Error(), ce.Command.String()) {
			t.Errorf("%s: error %q does not name the command", tt.menu, r.cfgErr)
		}
	}
}

// exchange sends host bytes to a fresh emulator and returns its answer.
func exchange(t *testing.T, msgs ...string) string {
	t.Helper()
	host, dev := net.Pipe()
	defer host.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := &sim.Env{Scans: make(chan sim.Scan)}
	served := make(chan error, 1)
	go func() { served <- honeywellemu.Emulator{}.Serve(ctx, dev, env) }()
	var got strings.Builder
	buf := make([]byte, 512)
	for _, m := range msgs {
		if _, err := host.Write([]byte(m)); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(m, "\x16M\r") {
			host.SetReadDeadline(time.Now().Add(5 * time.Second))
			for !strings.HasSuffix(got.String(), "!") && !strings.HasSuffix(got.String(), ".") {
				n, err := host.Read(buf)
				if err != nil {
					t.Fatalf("after %q: %v (got %q)", m, err, got.String())
				}
				got.Write(buf[:n])
			}
			got.WriteString("|")
		}
	}
	cancel()
	dev.Close()
	<-served
	return got.String()
}

func TestMenuAnswers(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		// Xenon 1900/1902 User's Guide ch. 11, "Examples of Query Commands".
		{[]string{"\x16M\rcbrena*."}, "CBRENA0-1\x06.|"},
		{[]string{"\x16M\rcbrena^."}, "CBRENA1\x06.|"},
		{[]string{"\x16M\rcbrena?."}, "CBRENA1\x06.|"},
		// N3680 guide: set the baud rate to 115200.
		{[]string{"\x16M\r232BAD9."}, "232BAD9\x06.|"},
		{[]string{"\x16M\rbeplvl4,bep0;xyzabc!"}, "BEPLVL4\x15,BEP0\x06;XYZABC\x05!|"},
		{[]string{"\x16M\rSUFBK2?!", "\x16M\rSUFCA2,BK2990D0A!", "\x16M\rSUFBK2?!"}, "SUFBK2990D\x06!|SUFCA2\x06,BK2990D0A\x06!|SUFBK2990D0A\x06!|"},
		{[]string{"\x16M\rPRECA2,BK2995C81,BK26A5C80;VSUFCR!", "\x16M\rDEFALT;PREBK2?!"}, "PRECA2\x06,BK2995C81\x06,BK26A5C80\x06;VSUFCR\x06!|DEFALT\x06;PREBK2\x06!|"},
		{[]string{"\x07\x16T\r\x16U\r\x1b7,", "\x16M\rCBR?."}, "CBR?\x06.|"},
	}
	for _, tt := range tests {
		if got := exchange(t, tt.in...); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestSymbologyPrefix checks a prefix entry for one symbology (Code 128,
// hex id 6A) overrides the all-symbologies entry.
func TestSymbologyPrefix(t *testing.T) {
	p := honeywellProfile(t)
	p.Init = []profiles.Command{{Name: "prefixes", Menu: "PRECA2,BK2995C81,BK26A5C815C80"}, {Name: "crlf", Menu: "SUFCA2,BK2990D0A"}}
	r := runPair(t, p, sim.Faults{}, []sim.Scan{{Data: "A1", AIMID: "]C0"}, {Data: "B2", AIMID: "]E0"}})
	want := []sim.Scan{{Data: "jA1", AIMID: "]C0"}, {Data: "B2", AIMID: "]E0"}}
	if r.cfgErr != nil || !slices.Equal(simtest.HostScans(r.rep), want) {
		t.Errorf("Configure %v; read %q, want %q", r.cfgErr, simtest.HostScans(r.rep), want)
	}
}
