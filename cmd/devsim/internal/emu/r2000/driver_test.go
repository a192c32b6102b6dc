package r2000emu_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	r2000emu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/r2000"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/cmd/devsim/internal/simtest"
	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	"github.com/partsedge/partsedge/devices/r2000"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// perRound is how many tags the antennas see in one round.
func perRound(f simtest.Field, antennas []int) int {
	n := 0
	for _, a := range antennas {
		n += len(f[a])
	}
	return n
}

// snapshot is what the driver reported so far: the tags, the number of bad
// frames and the number of rounds.
func snapshot(r *devicetest.Recorder) ([]devices.Tag, int, int) {
	return r.AllTags(), len(r.BadFrames()), r.TagCalls()
}

func builtinProfile(t testing.TB) profiles.Profile {
	t.Helper()
	set, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Get("r2000-reader")
	if !ok {
		t.Fatal("no built-in profile r2000-reader")
	}
	return p
}

func mkTags(rng *rand.Rand, antenna, n int) []sim.Tag {
	out := make([]sim.Tag, n)
	for i := range out {
		epc := make([]byte, 12)
		for j := range epc {
			epc[j] = byte(rng.IntN(256))
		}
		out[i] = sim.Tag{EPC: epc, PC: 0x3000, Antenna: antenna, RSSI: -30 - float64(rng.IntN(65))}
	}
	return out
}

type harness struct {
	rec      *devicetest.Recorder
	log      simtest.Log
	driver   devices.Driver
	info     devices.Info
	cfgErr   error
	runErr   error
	serveErr error
}

// run connects the driver and the emulator over a pipe, configures, and
// runs until stop says enough (or a deadline passes).
func goodTags(l *simtest.Log) []sim.Tag {
	good, _ := l.Tags()
	return good
}

func badRecords(l *simtest.Log) int {
	_, bad := l.Tags()
	return bad
}

func run(t *testing.T, p profiles.Profile, env *sim.Env, stop func(h *harness) bool) *harness {
	t.Helper()
	h := &harness{rec: &devicetest.Recorder{}}
	env.Profile = p
	env.Record = func(r sim.Record) {
		h.log.Add(r)
	}
	d, err := r2000.New(p)
	if err != nil {
		t.Fatal(err)
	}
	h.driver = d
	link, dev := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		h.serveErr = r2000emu.Emulator{}.Serve(ctx, dev, env)
	}()
	h.info, h.cfgErr = d.Configure(ctx, link)
	if h.cfgErr == nil {
		done := make(chan struct{})
		go func() {
			defer close(done)
			h.runErr = d.Run(ctx, link, h.rec)
		}()
		deadline := time.Now().Add(20 * time.Second)
		for !stop(h) && time.Now().Before(deadline) {
			select {
			case <-done:
				deadline = time.Now()
			case <-time.After(10 * time.Millisecond):
			}
		}
		cancel()
		<-done
	}
	cancel()
	link.Close()
	dev.Close()
	wg.Wait()
	return h
}

// sameTags checks the driver reported exactly the good tags the emulator
// sent, in order. The run is cut off mid-round, so the last frames the
// emulator recorded may still have been in the pipe: up to a round's worth
// may be missing at the end, nothing else.
func sameTags(t *testing.T, got []devices.Tag, want []sim.Tag, perRound int) {
	t.Helper()
	if len(got) > len(want) || len(want)-len(got) > perRound {
		t.Fatalf("driver reported %d tags, emulator sent %d good ones (%d a round)", len(got), len(want), perRound)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.EPC, w.EPC) || g.PC != w.PC || g.Antenna != w.Antenna || g.RSSI != w.RSSI {
			t.Fatalf("tag %d: got %+v, want %+v", i, g, w)
		}
	}
}

func TestDriverAgainstEmulator(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	f := simtest.Field{1: mkTags(rng, 1, 5), 2: mkTags(rng, 2, 3), 4: mkTags(rng, 4, 4)}
	cases := []struct {
		name     string
		antennas []int
		ports    int
		perRound int
	}{
		{"one antenna: real-time inventory", []int{1}, 4, 5},
		{"four antennas: fast switch", []int{1, 2, 3, 4}, 4, 12},
		{"eight-port reader: fast switch, antennas 5-8 via the RSSI bit", []int{2, 6, 8}, 8, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := builtinProfile(t)
			rs := *p.Reader
			rs.Antennas = c.antennas
			rs.Region = "ETSI"
			p.Reader = &rs
			p.Capabilities.Antennas = c.ports
			fld := f
			if c.ports == 8 {
				fld = simtest.Field{2: mkTags(rng, 2, 2), 6: mkTags(rng, 6, 3), 8: mkTags(rng, 8, 1)}
			}
			env := &sim.Env{Rand: rand.New(rand.NewPCG(3, 4)), Field: fld, Version: "5.3"}
			h := run(t, p, env, func(h *harness) bool {
				_, _, rounds := snapshot(h.rec)
				return rounds >= 10
			})
			if h.cfgErr != nil || h.runErr != nil || h.serveErr != nil {
				t.Fatalf("configure %v, run %v, serve %v", h.cfgErr, h.runErr, h.serveErr)
			}
			if h.info.Firmware != "5.3" {
				t.Errorf("firmware %q", h.info.Firmware)
			}
			tags, bad, rounds := snapshot(h.rec)
			if bad != 0 {
				t.Errorf("%d bad frames without faults: %v", bad, h.rec.BadFrames())
			}
			sameTags(t, tags, goodTags(&h.log), perRound(fld, c.antennas))
			// Every round but the one cut off carries the whole field.
			if c.perRound > 0 && (len(tags) > rounds*c.perRound || len(tags) <= (rounds-1)*c.perRound) {
				t.Errorf("%d tags in %d rounds, want %d per round", len(tags), rounds, c.perRound)
			}
			if c.ports == 8 {
				seen := map[int]bool{}
				for _, tg := range tags {
					seen[tg.Antenna] = true
				}
				if !seen[6] || !seen[8] || !seen[2] {
					t.Errorf("antennas seen %v", seen)
				}
			}
		})
	}
}

func TestDriverWithFaults(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	f := simtest.Field{1: mkTags(rng, 1, 6), 3: mkTags(rng, 3, 6)}
	for _, c := range []struct {
		name   string
		faults sim.Faults
	}{
		{"garbled", sim.Faults{Garble: 0.05}},
		{"bad check", sim.Faults{BadCRC: 0.05}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := builtinProfile(t)
			rs := *p.Reader
			rs.Antennas = []int{1, 3}
			p.Reader = &rs
			env := &sim.Env{Rand: rand.New(rand.NewPCG(7, 8)), Field: f, Faults: c.faults}
			h := run(t, p, env, func(h *harness) bool {
				_, bad, rounds := snapshot(h.rec)
				return rounds >= 40 && bad >= 3
			})
			if h.cfgErr != nil {
				// A spoiled answer at connect is retried; only all tries lost fails.
				t.Fatalf("configure: %v", h.cfgErr)
			}
			if h.runErr != nil || h.serveErr != nil {
				t.Fatalf("run %v, serve %v", h.runErr, h.serveErr)
			}
			tags, bad, _ := snapshot(h.rec)
			if bad == 0 || bad > badRecords(&h.log) {
				t.Errorf("%d bad frames counted, emulator spoiled %d", bad, badRecords(&h.log))
			}
			sameTags(t, tags, goodTags(&h.log), perRound(f, rs.Antennas))
		})
	}
}

func TestConfigureRefusals(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	f := simtest.Field{1: mkTags(rng, 1, 2)}
	t.Run("firmware outside the profile", func(t *testing.T) {
		p := builtinProfile(t)
		p.Match.Version = `^9[.]`
		h := run(t, p, &sim.Env{Rand: rng, Field: f, Version: "8.1"}, func(*harness) bool { return true })
		if h.cfgErr == nil || !strings.Contains(h.cfgErr.Error(), "8.1") || !strings.Contains(h.cfgErr.Error(), `^9[.]`) {
			t.Errorf("configure: %v", h.cfgErr)
		}
	})
	t.Run("antenna the reader lacks", func(t *testing.T) {
		// A profile claiming 8 ports on a reader the emulator plays with 4
		// firmware slots: the reader refuses antenna 6 with 0x47.
		p := builtinProfile(t)
		rs := *p.Reader
		rs.Antennas = []int{1, 6}
		p.Reader = &rs
		p.Capabilities.Antennas = 8
		env := &sim.Env{Rand: rng, Field: f}
		d, err := r2000.New(p)
		if err != nil {
			t.Fatal(err)
		}
		host, dev := devicetest.Pipe()
		defer host.Close()
		defer dev.Close()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		ep := p
		ep.Capabilities.Antennas = 4
		env.Profile = ep
		go func() { _ = r2000emu.Emulator{}.Serve(ctx, dev, env) }()
		_, err = d.Configure(ctx, host)
		var re *r2000.ReaderError
		if !errors.As(err, &re) || re.Code != r2000.ParameterInvalidAntennaIDOutOfRange {
			t.Errorf("configure: %v", err)
		}
	})
}
