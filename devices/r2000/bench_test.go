package r2000

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/rfid"
)

// tagStream builds cmd_real_time_inventory tag packets for n reads of
// distinct tags spread over four antennas, with a round end every 50 reads.
func tagStream(n, distinct int) []byte {
	rng := rand.New(rand.NewPCG(11, 12))
	epcs := make([][]byte, distinct)
	for i := range epcs {
		epcs[i] = make([]byte, 12)
		for j := range epcs[i] {
			epcs[i][j] = byte(rng.IntN(256))
		}
	}
	var out []byte
	data := make([]byte, 0, 16)
	for i := range n {
		ant := byte(rng.IntN(4))
		data = append(data[:0], byte(rng.IntN(60))<<2|ant, 0x30, 0x00)
		data = append(data, epcs[rng.IntN(distinct)]...)
		data = append(data, byte(31+rng.IntN(68)))
		out = AppendPacket(out, 1, CmdRealTimeInventory, data...)
		if i%50 == 49 {
			out = AppendPacket(out, 1, CmdRealTimeInventory, ant, 0, 100, 0, 0, 0, 50)
		}
	}
	return out
}

// BenchmarkDecodeAndSmooth splits and decodes a stream of tag packets
// (1,000 distinct tags, four antennas) and feeds every read to the
// smoother, as the manager's pipeline does.
func BenchmarkDecodeAndSmooth(b *testing.B) {
	// The budget is for one core: the garbage collector must not borrow
	// the second.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const reads = 20000
	stream := tagStream(reads, 1000)
	zones := map[rfid.Antenna]string{}
	for a := 1; a <= 4; a++ {
		zones[rfid.Antenna{Device: "r1", Port: a}] = "dock"
	}
	sm, err := rfid.New(rfid.Config{Zones: zones})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Unix(1700000000, 0)
	var events []rfid.Event
	var s Splitter
	var m InventoryMsg
	total := 0
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for off := 0; off < len(stream); off += 4096 {
			s.Feed(stream[off:min(off+4096, len(stream))])
			for {
				p, err := s.Next()
				if errors.Is(err, ErrIncomplete) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				if err := ParseInventory(p, &m); err != nil {
					b.Fatal(err)
				}
				if m.Kind != InvTag {
					continue
				}
				t := devices.Tag{EPC: m.Tag.EPC, PC: m.Tag.PC, Antenna: m.Tag.Antenna, RSSI: m.Tag.RSSI}
				events = sm.Observe(devices.ReadFromTag("r1", t, at), events[:0])
				total++
			}
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "reads/s")
}

// BenchmarkSplitAndParse is the codec alone, without the smoother.
func BenchmarkSplitAndParse(b *testing.B) {
	stream := tagStream(20000, 1000)
	var s Splitter
	var m InventoryMsg
	total := 0
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		s.Feed(stream)
		for {
			p, err := s.Next()
			if errors.Is(err, ErrIncomplete) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			if err := ParseInventory(p, &m); err != nil {
				b.Fatal(err)
			}
			if m.Kind == InvTag {
				total++
			}
		}
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "reads/s")
}
