package scanner

import (
	"bytes"
	"errors"
	"testing"
)

// BenchmarkFramer measures framing a stream of GS1-128 scans with CR LF and
// AIM ids, fed in 512-byte reads as the driver reads them.
func BenchmarkFramer(b *testing.B) {
	stream := bytes.Repeat([]byte("]C10109506000134352"+"17251231"+"10ABC123\x1d21SN0001\r\n"), 64)
	f, _ := NewFramer(crlfAIM)
	b.SetBytes(int64(len(stream)))
	b.ReportAllocs()
	for b.Loop() {
		for i := 0; i < len(stream); i += 512 {
			f.Feed(stream[i:min(i+512, len(stream))])
			for {
				_, err := f.Next()
				if errors.Is(err, ErrIncomplete) {
					break
				}
				if err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}
