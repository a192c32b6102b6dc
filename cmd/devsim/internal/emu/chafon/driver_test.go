// The driver-against-emulator tests live here rather than in devices/chafon
// because Go's internal rule keeps this package out of reach of devices/.
// Only this external test package imports the host codec; the emulator
// itself does not.
package chafonemu_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	chafonemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/chafon"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/cmd/devsim/internal/simtest"
	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/chafon"
	"github.com/partsedge/partsedge/devices/devicetest"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func makeField(n, antennas int) simtest.Field {
	f := simtest.Field{}
	for i := range n {
		a := i%antennas + 1
		epc := []byte(fmt.Sprintf("TAG-%08d", i))
		f[a] = append(f[a], sim.Tag{EPC: epc, PC: 0x3000, Antenna: a, RSSI: -float64(40 + i%40)})
	}
	return f
}

func profile(t *testing.T, variant string, antennas []int) profiles.Profile {
	t.Helper()
	set, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Get("chafon-cf-ru5102")
	if !ok {
		t.Fatal("no chafon-cf-ru5102 profile")
	}
	r := *p.Reader
	p.Reader = &r
	if variant == "ur" {
		p.Variant = "ur"
		p.Match.Version = `^3\.`
		p.Capabilities.Antennas = 4
		p.Reader.Antennas = antennas
		p.Reader.Region = "eu"
	}
	return p
}

type run struct {
	info   devices.Info
	rep    *devicetest.Recorder
	rec    *simtest.Log
	runErr error
}

// runPair connects the driver to the emulator, configures, and runs until
// the emulator has sent at least rounds tag frames.
func runPair(t *testing.T, p profiles.Profile, env sim.Env, minTags int) run {
	t.Helper()
	host, dev := devicetest.Pipe()
	defer host.Close()
	defer dev.Close()
	rec := &simtest.Log{}
	env.Profile = p
	env.Record = rec.Add
	if env.Rand == nil {
		env.Rand = rand.New(rand.NewPCG(1, 2))
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	emuDone := make(chan error, 1)
	go func() { emuDone <- chafonemu.Emulator{}.Serve(ctx, dev, &env) }()

	d, err := chafon.New(p)
	if err != nil {
		t.Fatal(err)
	}
	link := host
	info, err := d.Configure(ctx, link)
	if err != nil {
		t.Fatalf("configure: %v", err)
	}
	rep := &devicetest.Recorder{}
	runCtx, stop := context.WithCancel(ctx)
	runDone := make(chan error, 1)
	go func() { runDone <- d.Run(runCtx, link, rep) }()
	deadline := time.After(20 * time.Second)
	for {
		good, _ := rec.Tags()
		if len(good) >= minTags {
			break
		}
		select {
		case err := <-runDone:
			stop()
			cancel()
			host.Close()
			<-emuDone
			return run{info: info, rep: rep, rec: rec, runErr: err}
		case <-deadline:
			t.Fatalf("emulator sent %d good tags, want %d", len(good), minTags)
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop()
	runErr := <-runDone
	cancel()
	host.Close() // a net.Pipe write blocks until read: free the emulator
	if err := <-emuDone; err != nil {
		t.Fatalf("emulator: %v", err)
	}
	return run{info: info, rep: rep, rec: rec, runErr: runErr}
}

// checkTags compares the reported tags with the emulator's good records:
// the driver reports a round when it ends, so the records may run ahead
// by the round in flight when Run stopped, never behind.
func checkTags(t *testing.T, r run, ur bool) {
	t.Helper()
	good, bad := r.rec.Tags()
	got := r.rep.AllTags()
	if len(got) == 0 || len(got) > len(good) {
		t.Fatalf("reported %d tags, emulator sent %d good", len(got), len(good))
	}
	for i, g := range got {
		w := good[i]
		if !bytes.Equal(g.EPC, w.EPC) || g.Antenna != w.Antenna || g.RSSI != w.RSSI || g.PC != 0 {
			t.Fatalf("tag %d: got %+v (EPC %q), want %+v (EPC %q)", i, g, g.EPC, w, w.EPC)
		}
		if ur && (g.Antenna < 1 || g.RSSI >= 0) {
			t.Fatalf("tag %d: ur tag without antenna or RSSI: %+v", i, g)
		}
	}
	if bad > 0 && len(r.rep.BadFrames()) == 0 {
		t.Fatalf("emulator spoiled %d frames, driver reported no bad frame", bad)
	}
	if bad == 0 && len(r.rep.BadFrames()) > 0 {
		t.Fatalf("no faults, but bad frames: %v", r.rep.BadFrames())
	}
	if r.rep.Frames() == 0 {
		t.Fatal("no frames counted")
	}
}

func TestDriverV2(t *testing.T) {
	p := profile(t, "v2", nil)
	r := runPair(t, p, sim.Env{Field: makeField(60, 1)}, 300)
	if r.runErr != nil {
		t.Fatalf("run: %v", r.runErr)
	}
	if r.info.Firmware != chafonemu.DefaultVersionV2 {
		t.Fatalf("firmware %q, want %q", r.info.Firmware, chafonemu.DefaultVersionV2)
	}
	checkTags(t, r, false)
}

func TestDriverUR(t *testing.T) {
	p := profile(t, "ur", []int{1, 2, 3, 4})
	r := runPair(t, p, sim.Env{Field: makeField(80, 4), Version: "3.25"}, 400)
	if r.runErr != nil {
		t.Fatalf("run: %v", r.runErr)
	}
	if r.info.Firmware != "3.25" {
		t.Fatalf("firmware %q", r.info.Firmware)
	}
	checkTags(t, r, true)
	seen := map[int]bool{}
	for _, tg := range r.rep.AllTags() {
		seen[tg.Antenna] = true
	}
	if len(seen) != 4 {
		t.Fatalf("antennas seen %v, want 1..4", seen)
	}
}

func TestDriverWithFaults(t *testing.T) {
	for _, variant := range []string{"v2", "ur"} {
		t.Run(variant, func(t *testing.T) {
			p := profile(t, variant, []int{1, 2})
			env := sim.Env{
				Field:  makeField(50, 2),
				Faults: sim.Faults{Garble: 0.15, BadCRC: 0.15},
				Rand:   rand.New(rand.NewPCG(7, 11)),
			}
			r := runPair(t, p, env, 400)
			if r.runErr != nil {
				t.Fatalf("run: %v", r.runErr)
			}
			_, bad := r.rec.Tags()
			if bad == 0 {
				t.Fatal("no faults happened; raise the rates")
			}
			checkTags(t, r, variant == "ur")
		})
	}
}

func TestDriverRefusesOtherFirmware(t *testing.T) {
	p := profile(t, "v2", nil)
	host, dev := devicetest.Pipe()
	defer host.Close()
	defer dev.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	env := sim.Env{Profile: p, Version: "3.10"}
	go func() { _ = chafonemu.Emulator{}.Serve(ctx, dev, &env) }()
	d, err := chafon.New(p)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Configure(ctx, host)
	if err == nil || !strings.Contains(err.Error(), "3.10") || !strings.Contains(err.Error(), p.Match.Version) {
		t.Fatalf("configure: %v, want an error naming 3.10 and %s", err, p.Match.Version)
	}
}

func TestDriverNoTagsAndSignals(t *testing.T) {
	p := profile(t, "v2", nil)
	host, dev := devicetest.Pipe()
	defer host.Close()
	defer dev.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rec := &simtest.Log{}
	env := sim.Env{Profile: p, Field: simtest.Field{}, Record: rec.Add}
	go func() { _ = chafonemu.Emulator{}.Serve(ctx, dev, &env) }()
	d, err := chafon.New(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Configure(ctx, host); err != nil {
		t.Fatal(err)
	}
	if err := d.(devices.Signaller).Signal(true); err != nil {
		t.Fatal(err)
	}
	rep := &devicetest.Recorder{}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- d.Run(runCtx, host, rep) }()
	deadline := time.After(10 * time.Second)
	for {
		beeped, noTag := false, 0
		for _, r := range rec.All() {
			beeped = beeped || r.Note == "beep"
			if r.Note == "no tag" {
				noTag++
			}
		}
		if beeped && noTag >= 3 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("no beep and empty rounds")
		case <-time.After(10 * time.Millisecond):
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("run: %v", err)
	}
	if len(rep.AllTags()) != 0 || len(rep.BadFrames()) != 0 {
		t.Fatalf("empty field gave tags %v bad %v", rep.AllTags(), rep.BadFrames())
	}
}

// TestDriverGivesUpWhenSilent checks that Run returns an error after
// consecutive rounds without a reply.
func TestDriverGivesUpWhenSilent(t *testing.T) {
	p := profile(t, "v2", nil)
	p.Reader.ScanTimeMS = 300
	host, dev := devicetest.Pipe()
	defer host.Close()
	defer dev.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { // a device that swallows everything
		buf := make([]byte, 256)
		for {
			if _, err := dev.Read(buf); err != nil {
				return
			}
		}
	}()
	d, err := chafon.New(p)
	if err != nil {
		t.Fatal(err)
	}
	err = d.Run(ctx, host, &devicetest.Recorder{})
	if !errors.Is(err, chafon.ErrNoReply) {
		t.Fatalf("run: %v, want ErrNoReply", err)
	}
}
