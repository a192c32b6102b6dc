package chafon

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/rfid"
)

// BenchmarkDecodeAndSmooth decodes a stream of UR-layout inventory frames
// (1,000 distinct 12-byte EPCs over 4 antennas, varied RSSI, 16 tags a
// frame) with the pure decoder and feeds every read to a smoother.
func BenchmarkDecodeAndSmooth(b *testing.B) {
	// The budget is for one core: the garbage collector must not borrow
	// the second.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const tags, perFrame, antennas = 1000, 16, 4
	var stream []byte
	for i := 0; i < tags; i += perFrame {
		ant := (i / perFrame) % antennas
		data := []byte{1 << ant, 0}
		n := 0
		for j := i; j < i+perFrame && j < tags; j++ {
			epc := []byte(fmt.Sprintf("%012d", j))[:12]
			data = append(data, 12)
			data = append(data, epc...)
			data = append(data, byte(40+j%50))
			n++
		}
		data[1] = byte(n)
		f := []byte{byte(len(data) + 5), 0, CmdInventory, byte(StatusMoreData)}
		f = append(f, data...)
		c := CRC16(f)
		stream = append(stream, append(f, byte(c), byte(c>>8))...)
	}
	zones := map[rfid.Antenna]string{}
	for a := 1; a <= antennas; a++ {
		zones[rfid.Antenna{Device: "r1", Port: a}] = fmt.Sprintf("zone-%d", a)
	}
	sm, err := rfid.New(rfid.Config{Zones: zones})
	if err != nil {
		b.Fatal(err)
	}
	var (
		buf    []devices.Tag
		events []rfid.Event
		reads  int
		at     = time.Unix(1700000000, 0)
	)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		s := stream
		for len(s) > 0 {
			frame, skip, _ := NextFrame(s, false)
			if frame == nil {
				b.Fatal("stream did not split")
			}
			s = s[skip+len(frame):]
			rep, err := ParseReply(frame)
			if err != nil {
				b.Fatal(err)
			}
			buf, err = AppendTags(buf[:0], UR, rep.Data)
			if err != nil {
				b.Fatal(err)
			}
			for _, t := range buf {
				events = sm.Observe(devices.ReadFromTag("r1", t, at), events[:0])
				reads++
			}
		}
	}
	b.ReportMetric(float64(reads)/b.Elapsed().Seconds(), "reads/s")
}
