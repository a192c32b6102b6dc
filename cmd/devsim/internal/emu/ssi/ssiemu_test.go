package ssiemu_test

import (
	"context"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	ssiemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/ssi"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	"github.com/partsedge/partsedge/devices/ssi"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

type recorder struct {
	mu   sync.Mutex
	recs []sim.Record
	logs []string
}

func (r *recorder) record(rec sim.Record) { r.mu.Lock(); r.recs = append(r.recs, rec); r.mu.Unlock() }
func (r *recorder) logf(format string, args ...any) {
	r.mu.Lock()
	r.logs = append(r.logs, format)
	r.mu.Unlock()
}

func (r *recorder) snapshot() []sim.Record {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]sim.Record(nil), r.recs...)
}

func loadProfile(t *testing.T) profiles.Profile {
	t.Helper()
	data, err := os.ReadFile("../../../../../firmware-profiles/zebra-ssi-scanner.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := profiles.Parse("zebra-ssi-scanner.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func testScans() []sim.Scan {
	long := strings.Repeat("0123456789ABCDEFGHIJ", 30) // 600 bytes: three packets
	return []sim.Scan{
		{Data: "5901234123457", AIMID: "]E0"},
		{Data: "0109501101020917\x1d17250101" + "10ABC123", AIMID: "]C1"},
		{Data: "010950110102091721SERIAL\x1d10LOT", AIMID: "]d2"},
		{Data: "https://example.com/01/09501101020917", AIMID: "]Q1"},
		{Data: "0109501101020917", AIMID: "]e0"},
		{Data: "PART-4711", AIMID: "]C0"},
		{Data: "012345678905", AIMID: "]E0"},
		{Data: "96385074", AIMID: "]E4"},
		{Data: long, AIMID: "]d1"},
		{Data: "ABC-123", AIMID: "]A0"}, // no code type of its own: AIM travels in the data
		{Data: "no identifier", AIMID: ""},
		{Data: "0109501101020917", AIMID: "]Q3"},
	}
}

// run drives the host driver against the emulator until every scan has been
// dealt with and the line has been quiet for a while.
func run(t *testing.T, faults sim.Faults, seed uint64, repeat int) (*devicetest.Recorder, *recorder, devices.Info) {
	t.Helper()
	host, dev := devicetest.Pipe()
	defer host.Close()
	defer dev.Close()

	var want []sim.Scan
	for range repeat {
		want = append(want, testScans()...)
	}
	scans := make(chan sim.Scan, len(want))
	for _, s := range want {
		scans <- s
	}
	close(scans)

	rec := &recorder{}
	env := &sim.Env{
		Profile: loadProfile(t),
		Rand:    rand.New(rand.NewPCG(seed, seed+1)),
		Faults:  faults,
		Scans:   scans,
		Version: "PAABLS00-005-R05",
		Record:  rec.record,
		Logf:    rec.logf,
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- ssiemu.Emulator{}.Serve(ctx, dev, env) }()

	drv, err := ssi.New(env.Profile)
	if err != nil {
		t.Fatal(err)
	}
	link := host
	info, err := drv.Configure(ctx, link)
	if err != nil {
		t.Fatalf("Configure: %v", err)
	}
	rep := &devicetest.Recorder{}
	runCtx, stop := context.WithCancel(ctx)
	ran := make(chan error, 1)
	go func() { ran <- drv.Run(runCtx, link, rep) }()

	// Done when the scans are all taken and nothing has moved for a while
	// (long enough for the emulator's 2 s response time-out).
	last, quiet := -1, 0
	for quiet < 25 {
		time.Sleep(100 * time.Millisecond)
		n := len(rec.snapshot())
		if n == last && len(scans) == 0 {
			quiet++
		} else {
			quiet = 0
		}
		last = n
	}
	stop()
	if err := <-ran; err != nil {
		t.Fatalf("Run: %v", err)
	}
	cancel()
	host.Close()
	if err := <-served; err != nil {
		t.Fatalf("Serve: %v", err)
	}
	return rep, rec, info
}

// check holds the host's reports to the emulator's record: every scan frame
// the emulator sent intact and that completed a scan is reported once, in
// order, and nothing else is.
func check(t *testing.T, rep *devicetest.Recorder, rec *recorder) {
	t.Helper()
	var want []sim.Scan
	spoiled := 0
	for _, r := range rec.snapshot() {
		if !r.Good {
			spoiled++
			continue
		}
		if r.Kind == "scan" && r.Scan != nil {
			want = append(want, *r.Scan)
		}
	}
	scans, bad := rep.Scans(), rep.BadFrames()
	if len(scans) != len(want) {
		t.Fatalf("reported %d scans, emulator delivered %d", len(scans), len(want))
	}
	for i, s := range scans {
		if s.Data != want[i].Data || s.AIMID != want[i].AIMID {
			t.Errorf("scan %d: reported %q %q, sent %q %q", i, s.AIMID, s.Data, want[i].AIMID, want[i].Data)
		}
		if s.Symbology == "" {
			t.Errorf("scan %d: no symbology", i)
		}
	}
	if len(bad) != spoiled {
		t.Errorf("host counted %d bad frames, emulator spoiled %d: %v", len(bad), spoiled, bad)
	}
}

func TestDriverAgainstEmulator(t *testing.T) {
	rep, rec, info := run(t, sim.Faults{}, 1, 1)
	if info.Firmware != "PAABLS00-005-R05" {
		t.Errorf("firmware %q", info.Firmware)
	}
	check(t, rep, rec)
	if got := len(rep.Scans()); got != len(testScans()) {
		t.Errorf("reported %d scans without faults, want all %d", got, len(testScans()))
	}
}

func TestDriverAgainstEmulatorWithFaults(t *testing.T) {
	rep, rec, _ := run(t, sim.Faults{Garble: 0.15, BadCRC: 0.15}, 7, 3)
	check(t, rep, rec)
	if len(rep.BadFrames()) == 0 {
		t.Error("faults on, but no bad frames: the test proves nothing")
	}
}
