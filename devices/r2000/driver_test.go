package r2000

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

// pipeLink is a devices.Link over one end of a net.Pipe.
type pipeLink struct{ net.Conn }

func (l pipeLink) SetReadTimeout(d time.Duration) error {
	if d == 0 {
		return l.SetReadDeadline(time.Time{})
	}
	return l.SetReadDeadline(time.Now().Add(d))
}

// timedLink renews the deadline so that the timeout bounds every Read, as the
// Link contract says, not just the first.
type timedLink struct {
	pipeLink
	mu      sync.Mutex
	timeout time.Duration
}

func (l *timedLink) SetReadTimeout(d time.Duration) error {
	l.mu.Lock()
	l.timeout = d
	l.mu.Unlock()
	return nil
}

func (l *timedLink) Read(p []byte) (int, error) {
	l.mu.Lock()
	d := l.timeout
	l.mu.Unlock()
	if err := l.pipeLink.SetReadTimeout(d); err != nil {
		return 0, err
	}
	n, err := l.Conn.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, devices.ErrTimeout
	}
	return n, err
}

// recorder keeps what the reporter got.
type recorder struct {
	mu     sync.Mutex
	tags   []devices.Tag
	rounds int
	frames int
	bad    []error
}

func (r *recorder) Scan(devices.Scan) {}
func (r *recorder) Tags(ts []devices.Tag) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tags = append(r.tags, ts...)
	r.rounds++
}
func (r *recorder) Frame() { r.mu.Lock(); r.frames++; r.mu.Unlock() }
func (r *recorder) BadFrame(err error) {
	r.mu.Lock()
	r.bad = append(r.bad, err)
	r.mu.Unlock()
}

func (r *recorder) snapshot() ([]devices.Tag, int, int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]devices.Tag(nil), r.tags...), len(r.bad), r.rounds
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

func TestBuiltinProfile(t *testing.T) {
	p := builtinProfile(t)
	if p.Codec != "r2000" || p.Kind != profiles.Reader || p.Framing.Header != "a0" || p.Framing.Checksum != "sum8-twos" {
		t.Errorf("profile %+v", p)
	}
	if !p.VersionFits("8.1") || p.VersionFits("R2000") {
		t.Errorf("version rule %q", p.Match.Version)
	}
	if _, err := New(p); err != nil {
		t.Fatal(err)
	}
}

func TestNewRefuses(t *testing.T) {
	base := builtinProfile(t)
	cases := []struct {
		name string
		edit func(p *profiles.Profile)
		want string
	}{
		{"codec", func(p *profiles.Profile) { p.Codec = "chafon" }, "codec"},
		{"antenna past the ports", func(p *profiles.Profile) { p.Reader.Antennas = []int{1, 5} }, "reader.antennas"},
		{"antenna twice", func(p *profiles.Profile) { p.Reader.Antennas = []int{2, 2} }, "twice"},
		{"power", func(p *profiles.Profile) { p.Reader.PowerDBm = 34 }, "powerDbm"},
		{"fractional power", func(p *profiles.Profile) { p.Reader.PowerDBm = 20.5 }, "powerDbm"},
		{"region", func(p *profiles.Profile) { p.Reader.Region = "mars" }, "region"},
		{"address", func(p *profiles.Profile) { p.Reader.Address = 300 }, "address"},
		{"ports", func(p *profiles.Profile) { p.Capabilities.Antennas = 16 }, "antennas"},
		{"header", func(p *profiles.Profile) { p.Framing.Header = "bb" }, "header"},
		{"no reader", func(p *profiles.Profile) { p.Reader = nil }, "reader"},
	}
	for _, c := range cases {
		p := base
		rs := *base.Reader
		p.Reader = &rs
		c.edit(&p)
		if _, err := New(p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %s", c.name, err, c.want)
		}
	}
}

func TestRunStopsOnSilence(t *testing.T) {
	// A reader that answers connect-time commands and then goes quiet: Run
	// retries and gives up after maxTimeouts rounds.
	p := builtinProfile(t)
	d, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	drv := d.(*Driver)
	drv.idle = 20 * time.Millisecond
	host, dev := net.Pipe()
	defer host.Close()
	defer dev.Close()
	go func() {
		buf := make([]byte, 256)
		for {
			if _, err := dev.Read(buf); err != nil {
				return
			}
		}
	}()
	err = drv.Run(context.Background(), &timedLink{pipeLink: pipeLink{host}}, &recorder{})
	if !errors.Is(err, devices.ErrTimeout) {
		t.Errorf("run: %v", err)
	}
}

func TestRunReturnsOnCancel(t *testing.T) {
	p := builtinProfile(t)
	d, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	host, dev := net.Pipe()
	defer host.Close()
	defer dev.Close()
	go func() {
		buf := make([]byte, 256)
		for {
			if _, err := dev.Read(buf); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- d.Run(ctx, &timedLink{pipeLink: pipeLink{host}}, &recorder{}) }()
	cancel()
	if err := <-errc; err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

func Example() {
	var s Splitter
	s.Feed(AppendGetFirmwareVersion(nil, 1))
	p, _ := s.Next()
	fmt.Printf("cmd 0x%02X, %d data bytes\n", p.Cmd, len(p.Data))
	// Output: cmd 0x72, 0 data bytes
}
