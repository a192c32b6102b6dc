package r2000

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	"github.com/partsedge/partsedge/devices/devicetest"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

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
	host, dev := devicetest.Pipe()
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
	err = drv.Run(context.Background(), host, &devicetest.Recorder{})
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
	host, dev := devicetest.Pipe()
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
	go func() { errc <- d.Run(ctx, host, &devicetest.Recorder{}) }()
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
