package rfid

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

func dock() Config {
	return Config{Zones: map[Antenna]string{
		{"R1", 1}: "dock", {"R1", 2}: "dock", {"R1", 3}: "cage",
	}, AbsentAfter: time.Second}
}

type step struct {
	read  *Read
	sweep int // ms; used when read is nil
	want  []Event
}

func rd(ant int, epc string, rssi float64, ms int) *Read {
	return &Read{Device: "R1", Antenna: ant, EPC: epc, RSSI: rssi, At: at(ms)}
}

func TestSmoother(t *testing.T) {
	const e1, e2 = "3074257BF7194E4000001A85", "3074257BF7194E4000001A86"
	cases := []struct {
		name  string
		cfg   func(*Config)
		steps []step
	}{
		{"seen once, gone after silence", nil, []step{
			{read: rd(1, e1, -60, 0), want: []Event{{Kind: TagSeen, Zone: "dock", EPC: e1, Device: "R1", Antenna: 1, Reads: 1, FirstSeen: at(0), LastSeen: at(0), PeakRSSI: -60}}},
			{read: rd(2, e1, -52, 100)},
			{read: rd(1, e1, -58, 900)},
			{sweep: 1800},
			{sweep: 1900, want: []Event{{Kind: TagGone, Zone: "dock", EPC: e1, Device: "R1", Antenna: 2, Reads: 3, FirstSeen: at(0), LastSeen: at(900), PeakRSSI: -52}}},
			{sweep: 5000},
		}},
		{"stray reads below MinReads are forgotten", func(c *Config) { c.MinReads = 3 }, []step{
			{read: rd(1, e1, -70, 0)},
			{read: rd(1, e1, -70, 10)},
			{sweep: 2000},
			{read: rd(1, e1, -70, 2100)},
			{read: rd(1, e1, -70, 2110)},
			{read: rd(2, e1, -65, 2120), want: []Event{{Kind: TagSeen, Zone: "dock", EPC: e1, Device: "R1", Antenna: 2, Reads: 3, FirstSeen: at(2100), LastSeen: at(2120), PeakRSSI: -65}}},
		}},
		{"unzoned antennas and weak reads move nothing", func(c *Config) { c.MinRSSI = -75 }, []step{
			{read: rd(4, e1, -40, 0)},
			{read: &Read{Device: "R9", Antenna: 1, EPC: e1, RSSI: -40, At: at(0)}},
			{read: rd(1, e1, -80, 0)},
			{sweep: 5000},
		}},
		{"a tag in two zones is in each", nil, []step{
			{read: rd(1, e1, -60, 0), want: []Event{{Kind: TagSeen, Zone: "dock", EPC: e1, Device: "R1", Antenna: 1, Reads: 1, FirstSeen: at(0), LastSeen: at(0), PeakRSSI: -60}}},
			{read: rd(3, e1, -61, 500), want: []Event{{Kind: TagSeen, Zone: "cage", EPC: e1, Device: "R1", Antenna: 3, Reads: 1, FirstSeen: at(500), LastSeen: at(500), PeakRSSI: -61}}},
			{read: rd(3, e2, -61, 600), want: []Event{{Kind: TagSeen, Zone: "cage", EPC: e2, Device: "R1", Antenna: 3, Reads: 1, FirstSeen: at(600), LastSeen: at(600), PeakRSSI: -61}}},
			{read: rd(3, e1, -61, 1200)},
			{sweep: 1300, want: []Event{{Kind: TagGone, Zone: "dock", EPC: e1, Device: "R1", Antenna: 1, Reads: 1, FirstSeen: at(0), LastSeen: at(0), PeakRSSI: -60}}},
		}},
		{"late reads do not move time back", nil, []step{
			{read: rd(1, e1, -60, 500), want: []Event{{Kind: TagSeen, Zone: "dock", EPC: e1, Device: "R1", Antenna: 1, Reads: 1, FirstSeen: at(500), LastSeen: at(500), PeakRSSI: -60}}},
			{read: rd(2, e1, -62, 200)},
			{sweep: 1400},
			{sweep: 1500, want: []Event{{Kind: TagGone, Zone: "dock", EPC: e1, Device: "R1", Antenna: 1, Reads: 2, FirstSeen: at(200), LastSeen: at(500), PeakRSSI: -60}}},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := dock()
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			s, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			for i, st := range tc.steps {
				var got []Event
				if st.read != nil {
					got = s.Observe(*st.read, nil)
				} else {
					got = s.Sweep(at(st.sweep), nil)
				}
				if fmt.Sprint(got) != fmt.Sprint(st.want) {
					t.Fatalf("step %d:\n got %+v\nwant %+v", i, got, st.want)
				}
			}
		})
	}
}

func TestStatsAndFlush(t *testing.T) {
	cfg := dock()
	cfg.MinRSSI = -75
	s, _ := New(cfg)
	s.Observe(*rd(1, "A1", -60, 0), nil)
	s.Observe(*rd(1, "A1", -60, 1), nil)
	s.Observe(*rd(1, "A2", -90, 1), nil)
	s.Observe(*rd(7, "A3", -60, 1), nil)
	st := s.Stats()
	if st.Reads != 4 || st.Seen != 1 || st.TooWeak != 1 || st.Unzoned != 1 || st.Present != 1 {
		t.Fatalf("stats %+v", st)
	}
	gone := s.Flush(nil)
	if len(gone) != 1 || gone[0].Kind != TagGone || gone[0].Reads != 2 || s.Stats().Present != 0 {
		t.Fatalf("flush %+v, stats %+v", gone, s.Stats())
	}
}

func TestConfigIsChecked(t *testing.T) {
	for name, cfg := range map[string]Config{
		"no zones":      {},
		"empty zone":    {Zones: map[Antenna]string{{"R1", 1}: ""}},
		"negative wait": {Zones: map[Antenna]string{{"R1", 1}: "z"}, AbsentAfter: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// BenchmarkSmoothing feeds one core a reader's worth of traffic: 5,000 tags
// on a shelf read round-robin through four antennas, with a sweep every
// 2,000 reads. The budget (with frame decoding, to come) is 50,000 reads/s.
func BenchmarkSmoothing(b *testing.B) {
	cfg := Config{Zones: map[Antenna]string{}, AbsentAfter: 3 * time.Second}
	for p := 1; p <= 4; p++ {
		cfg.Zones[Antenna{"R1", p}] = "shelf"
	}
	s, _ := New(cfg)
	r := rand.New(rand.NewPCG(1, 2))
	epcs := make([]string, 5000)
	for i := range epcs {
		epcs[i] = fmt.Sprintf("30742%019X", r.Uint64())
	}
	reads := make([]Read, 1<<16)
	for i := range reads {
		reads[i] = Read{Device: "R1", Antenna: 1 + i%4, EPC: epcs[r.IntN(len(epcs))], RSSI: -40 - float64(r.IntN(40))}
	}
	out := make([]Event, 0, 64)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		rd := reads[i&(len(reads)-1)]
		rd.At = t0.Add(time.Duration(i) * 50 * time.Microsecond)
		out = s.Observe(rd, out[:0])
		if i%2000 == 0 {
			out = s.Sweep(rd.At, out[:0])
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
}
