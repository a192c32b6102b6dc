package mercuryemu_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	mercuryemu "github.com/partsedge/partsedge/cmd/devsim/internal/emu/mercury"
	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/cmd/devsim/internal/simtest"
	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	"github.com/partsedge/partsedge/devices/mercury"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func makeField(ports, perPort int) simtest.Field {
	f := simtest.Field{}
	for p := 1; p <= ports; p++ {
		for i := range perPort {
			epc := []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0, 0, byte(p), byte(i)}
			f[p] = append(f[p], sim.Tag{EPC: epc, Antenna: p, RSSI: float64(-40 - p - i)})
		}
	}
	return f
}

func builtin(t *testing.T) profiles.Profile {
	t.Helper()
	set, err := profiles.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	p, ok := set.Get("thingmagic-m6e")
	if !ok {
		t.Fatal("no thingmagic-m6e profile")
	}
	r := *p.Reader
	p.Reader = &r
	return p
}

// session runs an emulator on one end of a pipe.
type session struct {
	link    *devicetest.Link
	cancel  context.CancelFunc
	done    chan error
	mu      sync.Mutex
	records []sim.Record
}

func start(t *testing.T, env *sim.Env) *session {
	t.Helper()
	host, dev := devicetest.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	s := &session{link: host, cancel: cancel, done: make(chan error, 1)}
	if env.Rand == nil {
		env.Rand = rand.New(rand.NewPCG(7, 8))
	}
	env.Record = func(r sim.Record) {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.records = append(s.records, r)
	}
	go func() { s.done <- mercuryemu.Emulator{}.Serve(ctx, dev, env) }()
	t.Cleanup(func() {
		cancel()
		host.Close()
		dev.Close()
		if err := <-s.done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return s
}

func (s *session) tagRecords(good bool) []sim.Tag {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []sim.Tag
	for _, r := range s.records {
		if r.Kind == "tag" && r.Good == good {
			out = append(out, *r.Tag)
		}
	}
	return out
}

// collector records like devicetest.Recorder and cancels Run once want tags
// have come, so a test runs the driver for as long as it needs.
type collector struct {
	devicetest.Recorder
	cancel context.CancelFunc
	want   int
}

func (c *collector) Tags(t []devices.Tag) {
	c.Recorder.Tags(t)
	if len(c.AllTags()) >= c.want {
		c.cancel()
	}
}

func TestDriverAgainstEmulator(t *testing.T) {
	cases := []struct {
		name   string
		faults sim.Faults
		rate   float64
		want   int
	}{
		{"clean", sim.Faults{}, 0, 600},
		{"garbled and bad CRCs", sim.Faults{Garble: 0.06, BadCRC: 0.06}, 0, 600},
		{"paced", sim.Faults{}, 400, 60},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := builtin(t)
			p.Reader.Antennas = []int{1, 2, 3, 4}
			p.Reader.IntervalMS = 0
			p.Reader.ScanTimeMS = 100
			env := &sim.Env{Profile: p, Field: makeField(4, 15), Faults: c.faults, TagRate: c.rate, Version: "01.21.01.19"}
			s := start(t, env)
			drv, err := mercury.New(p)
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			info, err := drv.Configure(ctx, s.link)
			if err != nil {
				t.Fatal(err)
			}
			if info.Firmware != "01.21.01.19" || info.Model != "M6e" {
				t.Fatalf("info %+v", info)
			}
			col := &collector{cancel: cancel, want: c.want}
			if err := drv.Run(ctx, s.link, col); err != nil {
				t.Fatal(err)
			}
			if len(col.AllTags()) < c.want {
				t.Fatalf("%d tags before the deadline", len(col.AllTags()))
			}
			good := s.tagRecords(true)
			if len(good) < len(col.AllTags()) {
				t.Fatalf("driver reported %d tags, emulator sent %d good ones", len(col.AllTags()), len(good))
			}
			// The driver reports exactly what the emulator sent intact, in
			// order; a round cut off by the end of the test is the only gap.
			for i, g := range col.AllTags() {
				w := good[i]
				if !bytes.Equal(g.EPC, w.EPC) || g.Antenna != w.Antenna || g.RSSI != w.RSSI || g.PC != w.PC {
					t.Fatalf("tag %d: got %+v, emulator sent %+v", i, g, w)
				}
			}
			spoiled := s.tagRecords(false)
			if c.faults == (sim.Faults{}) {
				if len(col.BadFrames()) != 0 || len(spoiled) != 0 {
					t.Fatalf("bad frames %v without faults", col.BadFrames())
				}
				return
			}
			s.mu.Lock()
			badRecords := 0
			for _, r := range s.records {
				if !r.Good {
					badRecords++
				}
			}
			s.mu.Unlock()
			t.Logf("%d tags in %d rounds, %d frames, %d bad frames counted, %d spoiled records (%d spoiled tags)", len(col.AllTags()), col.TagCalls(), col.Frames(), len(col.BadFrames()), badRecords, len(spoiled))
			if badRecords == 0 || len(col.BadFrames()) == 0 {
				t.Fatalf("%d spoiled records, %d bad frames counted", badRecords, len(col.BadFrames()))
			}
		})
	}
}

func TestDriverRefusedByEmulator(t *testing.T) {
	cases := []struct {
		name    string
		variant string
		edit    func(*profiles.Profile)
		version string
		want    string
	}{
		{"nano power above 27 dBm", "nano", func(p *profiles.Profile) {
			p.Reader.PowerDBm = 30
			p.Reader.Region = "NA2"
			p.Capabilities.Antennas = 1
		}, "",
			"status 0x0103 MSG_POWER_TOO_HIGH"},
		{"nano has no NA region", "nano", func(p *profiles.Profile) { p.Capabilities.Antennas = 1 }, "",
			"status 0x010B INVALID_REGION"},
		{"firmware outside the profile", "m6e", nil, "02.00.00.01",
			`firmware 02.00.00.01 does not fit profile thingmagic-m6e`},
		{"antenna the module lacks", "m6e", func(p *profiles.Profile) { p.Capabilities.Antennas = 8; p.Reader.Antennas = []int{5} }, "",
			"status 0x0105 MSG_INVALID_PARAMETER_VALUE"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := builtin(t)
			p.Variant = c.variant
			if c.edit != nil {
				c.edit(&p)
			}
			envProfile := p
			if c.name == "antenna the module lacks" {
				envProfile.Capabilities.Antennas = 4
			}
			s := start(t, &sim.Env{Profile: envProfile, Version: c.version})
			drv, err := mercury.New(p)
			if err != nil {
				t.Fatal(err)
			}
			_, err = drv.Configure(context.Background(), s.link)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("%v, want %q", err, c.want)
			}
		})
	}
}

// host sends raw commands and reads replies with the host codec.
type host struct {
	t    *testing.T
	link *devicetest.Link
	sp   mercury.Splitter
}

func (h *host) do(op byte, data ...byte) mercury.Reply {
	h.t.Helper()
	if _, err := h.link.Write(mercury.AppendCommand(nil, op, data...)); err != nil {
		h.t.Fatal(err)
	}
	h.link.SetReadTimeout(2 * time.Second)
	b := make([]byte, 300)
	for {
		r, err := h.sp.Next()
		if err == nil {
			if r.Op != op {
				h.t.Fatalf("reply to 0x%02X for 0x%02X", r.Op, op)
			}
			r.Data = append([]byte(nil), r.Data...)
			return r
		}
		if !errors.Is(err, mercury.ErrNeedMore) {
			h.t.Fatal(err)
		}
		n, err := h.link.Read(b)
		if err != nil {
			h.t.Fatal(err)
		}
		h.sp.Feed(b[:n])
	}
}

func TestEmulatorCommands(t *testing.T) {
	p := builtin(t)
	f := makeField(2, 12)
	s := start(t, &sim.Env{Profile: p, Field: f})
	h := &host{t: t, link: s.link}
	status := func(r mercury.Reply) string { return fmt.Sprintf("%04X", r.Status) }

	v, err := mercury.ParseVersion(h.do(mercury.OpVersion).Data)
	if err != nil || v.Model() != "M6e" || v.FirmwareString() != "01.0B.03.11" || !v.Supports(mercury.ProtocolGen2) {
		t.Fatalf("version %+v %v", v, err)
	}
	refusals := []struct {
		name string
		op   byte
		data []byte
		want uint16
	}{
		{"power 34 dBm", mercury.OpSetReadTxPower, []byte{0x0D, 0x48}, mercury.StatusPowerTooHigh},
		{"power -1 dBm", mercury.OpSetReadTxPower, []byte{0xFF, 0x9C}, mercury.StatusPowerTooLow},
		{"power short", mercury.OpSetReadTxPower, []byte{0x0A}, mercury.StatusWrongNumberOfData},
		{"region EU2", mercury.OpSetRegion, []byte{0x07}, mercury.StatusInvalidRegion},
		{"antenna 5", mercury.OpSetAntennaPort, []byte{2, 1, 1, 5, 5}, mercury.StatusInvalidParameter},
		{"protocol ISO 18000-6B", mercury.OpSetTagProtocol, []byte{0, 3}, mercury.StatusInvalidProtocol},
		{"hardware version", 0x10, []byte{0, 0}, mercury.StatusInvalidOpcode},
		{"streaming search", mercury.OpReadTagMultiple, []byte{0x10, 0, 0x1B, 0, 100, 0, 0x47}, mercury.StatusUnimplementedFeat},
		{"tag buffer while empty", mercury.OpGetTagBuffer, mercury.GetTagBuffer(mercury.MetaKnown), mercury.StatusTagBufferNotEnough},
	}
	for _, r := range refusals {
		if got := h.do(r.op, r.data...); got.Status != r.want {
			t.Errorf("%s: status %s, want %04X", r.name, status(got), r.want)
		}
	}
	for _, c := range []struct {
		op   byte
		data []byte
	}{
		{mercury.OpSetReadTxPower, []byte{0x0B, 0xB8}},
		{mercury.OpSetRegion, []byte{0x0D}},
		{mercury.OpSetAntennaPort, mercury.SetAntennaList([]int{1, 2})},
		{mercury.OpSetTagProtocol, []byte{0, 5}},
		{mercury.OpSetReaderConfig, []byte{1, 0x0C, 0}},
		{mercury.OpClearTagBuffer, nil},
	} {
		if r := h.do(c.op, c.data...); r.Status != 0 {
			t.Fatalf("0x%02X: %v", c.op, r.Err())
		}
	}
	if r := h.do(mercury.OpGetReadTxPower, 1); !bytes.Equal(r.Data, []byte{1, 0x0B, 0xB8, 0x0C, 0x4E, 0x01, 0xF4}) {
		t.Fatalf("power with limits % X", r.Data)
	}
	// One-byte count without the large-population flag; four with it.
	r := h.do(mercury.OpReadTagMultiple, mercury.ReadTagMultiple(mercury.SearchConfiguredList, 100)...)
	if n, err := mercury.ParseSearchCount(r.Data); err != nil || n != 24 || len(r.Data) != 4 {
		t.Fatalf("search % X: %d %v", r.Data, n, err)
	}
	r = h.do(mercury.OpReadTagMultiple, mercury.ReadTagMultiple(mercury.SearchConfiguredList|mercury.SearchLargeTagPopulation, 100)...)
	if n, err := mercury.ParseSearchCount(r.Data); err != nil || n != 24 || len(r.Data) != 7 {
		t.Fatalf("search again (tags dedup in the buffer) % X: %d %v", r.Data, n, err)
	}
	// Every metadata field, records split over as many replies as needed.
	var got []mercury.TagRecord
	for len(got) < 24 {
		r := h.do(mercury.OpGetTagBuffer, mercury.GetTagBuffer(mercury.MetaKnown)...)
		if r.Status != 0 || len(r.Data) > mercury.MaxReplyData {
			t.Fatalf("tag buffer: %v, %d bytes", r.Err(), len(r.Data))
		}
		tb, err := mercury.ParseTagBuffer(r.Data)
		if err != nil || tb.Flags != mercury.MetaKnown {
			t.Fatalf("%+v %v", tb, err)
		}
		var rec mercury.TagRecord
		for {
			ok, err := tb.Next(&rec)
			if err != nil {
				t.Fatal(err)
			}
			if !ok {
				break
			}
			rec.EPC = append([]byte(nil), rec.EPC...)
			got = append(got, rec)
		}
	}
	if len(got) != 24 {
		t.Fatalf("%d records", len(got))
	}
	for i, rec := range got {
		w := f[1+i/12][i%12]
		if !bytes.Equal(rec.EPC, w.EPC) || int(rec.TxPort) != w.Antenna || float64(rec.RSSI) != w.RSSI ||
			rec.ReadCount != 2 || rec.Protocol != mercury.ProtocolGen2 || rec.PC != 0x3000 ||
			rec.Frequency < 902750 || rec.Frequency > 927750 || rec.Timestamp > 100 {
			t.Fatalf("record %d: %+v, field tag %+v", i, rec, w)
		}
	}
	if r := h.do(mercury.OpGetTagBuffer, mercury.GetTagBuffer(mercury.MetaKnown)...); r.Status != mercury.StatusTagBufferNotEnough {
		t.Fatalf("buffer read out: %v", r.Err())
	}
	if r := h.do(mercury.OpGetTagBuffer); !bytes.Equal(r.Data, []byte{0, 24, 0, 24}) {
		t.Fatalf("tags remaining % X", r.Data)
	}
}
