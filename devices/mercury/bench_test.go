package mercury

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/rfid"
)

// tagBufferStream builds Get Tag Buffer replies for tags distinct EPCs read
// on four antennas, as many records per reply as fit.
func tagBufferStream(tags int) (stream []byte, reads int) {
	const flags = bufferFlags
	var data []byte
	n := 0
	flush := func() {
		if n == 0 {
			return
		}
		head := []byte{byte(flags >> 8), byte(flags), 0, byte(n)}
		stream = AppendReply(stream, OpGetTagBuffer, 0, append(head, data...)...)
		reads += n
		data, n = data[:0], 0
	}
	for i := range tags {
		var rec []byte
		rec = append(rec, 1, byte(int8(-40-i%40)), byte(i%4+1)<<4|byte(i%4+1), ProtocolGen2, 0, 128, 0x30, 0x00)
		rec = append(rec, 0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40)
		rec = binary.BigEndian.AppendUint32(rec, uint32(i))
		rec = append(rec, 0xBE, 0xEF)
		if 4+len(data)+len(rec) > MaxReplyData {
			flush()
		}
		data = append(data, rec...)
		n++
	}
	flush()
	return stream, reads
}

func BenchmarkDecodeAndSmooth(b *testing.B) {
	// The budget is for one core: the garbage collector must not borrow
	// the second.
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	stream, perPass := tagBufferStream(1000)
	zones := map[rfid.Antenna]string{}
	for p := 1; p <= 4; p++ {
		zones[rfid.Antenna{Device: "R1", Port: p}] = "dock"
	}
	sm, err := rfid.New(rfid.Config{Zones: zones})
	if err != nil {
		b.Fatal(err)
	}
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	var s Splitter
	var rec TagRecord
	var events []rfid.Event
	reads := 0
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		for i := 0; i < len(stream); i += 256 {
			s.Feed(stream[i:min(i+256, len(stream))])
			for {
				r, err := s.Next()
				if errors.Is(err, ErrNeedMore) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
				tb, err := ParseTagBuffer(r.Data)
				if err != nil {
					b.Fatal(err)
				}
				for {
					ok, err := tb.Next(&rec)
					if err != nil {
						b.Fatal(err)
					}
					if !ok {
						break
					}
					t := devices.Tag{EPC: rec.EPC, PC: rec.PC, Antenna: int(rec.TxPort), RSSI: float64(rec.RSSI)}
					events = sm.Observe(devices.ReadFromTag("R1", t, at), events[:0])
					reads++
				}
			}
		}
	}
	if reads != perPass*b.N {
		b.Fatalf("%d reads, want %d", reads, perPass*b.N)
	}
	b.ReportMetric(float64(reads)/b.Elapsed().Seconds(), "reads/s")
}

func BenchmarkSplitter(b *testing.B) {
	stream, _ := tagBufferStream(1000)
	var s Splitter
	b.ReportAllocs()
	b.SetBytes(int64(len(stream)))
	for b.Loop() {
		s.Feed(stream)
		for {
			if _, err := s.Next(); err != nil {
				break
			}
		}
	}
}
