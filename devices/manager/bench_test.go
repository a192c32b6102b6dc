package manager

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/creack/pty"

	"github.com/partsedge/partsedge/devices/scanner"
)

// BenchmarkScanLatency measures a scan from the moment its bytes are
// written to the pseudo-terminal to the moment the manager hands the
// decoded scan on (OnScan): the serial port read, the framing, the AIM
// identifier, GS1 decoding, the counters and the recent-scans record. One
// scan at a time, as a person scans; it reports the median and p99.
func BenchmarkScanLatency(b *testing.B) {
	m, s, err := pty.Open()
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	defer s.Close()
	link := filepath.Join(b.TempDir(), "tty")
	if err := os.Symlink(s.Name(), link); err != nil {
		b.Fatal(err)
	}
	set, err := testProfilesB()
	if err != nil {
		b.Fatal(err)
	}
	got := make(chan time.Time, 1)
	mgr, err := New(Options{
		Devices:  []DeviceConfig{{ID: "s1", Profile: "generic-serial-scanner", Port: link, Station: "dock"}},
		Profiles: set,
		Drivers:  map[string]DriverFactory{"serial-scanner": scanner.New},
		OnScan:   func(ScanRecord) { got <- time.Now() },
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { mgr.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	for deadline := time.Now().Add(10 * time.Second); ; {
		if st, _ := mgr.Device("s1"); st.State == Up {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("scanner not up")
		}
		time.Sleep(time.Millisecond)
	}
	frames := make([][]byte, 64)
	for i := range frames {
		frames[i] = fmt.Appendf(nil, "]C10109506000134352172512311012A45\x1d21S%06d\r\n", i)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if _, err := m.Write(frames[i%len(frames)]); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-got:
			lat = append(lat, at.Sub(start))
		case <-time.After(5 * time.Second):
			b.Fatal("scan not decoded within 5 s")
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
