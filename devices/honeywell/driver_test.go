package honeywell

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

func baseProfile() profiles.Profile {
	return profiles.Profile{
		ID: "hw", Codec: Codec, Kind: profiles.Scanner,
		Framing: profiles.Framing{Suffix: "\r\n", AIM: true},
		Init:    []profiles.Command{{Name: "aim", Menu: "PRECA2,BK2995C81"}},
	}
}

func TestNewStorage(t *testing.T) {
	for variant, want := range map[string]string{"": "\x16M\rPRECA2,BK2995C81!", VariantTemporary: "\x16M\rPRECA2,BK2995C81!", VariantPermanent: "\x16M\rPRECA2,BK2995C81."} {
		p := baseProfile()
		p.Variant = variant
		d, err := New(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(d.(*driver).msgs[0].wire); got != want {
			t.Errorf("variant %q sends %q, want %q", variant, got, want)
		}
	}
}

func TestNewRejects(t *testing.T) {
	bad := []func(*profiles.Profile){
		func(p *profiles.Profile) { p.Codec = "serial-scanner" },
		func(p *profiles.Profile) { p.Kind = profiles.Reader },
		func(p *profiles.Profile) { p.Framing = profiles.Framing{AIM: true} },
		func(p *profiles.Profile) { p.Variant = "flash" },
		func(p *profiles.Profile) { p.Init[0] = profiles.Command{Name: "t", Text: "x"} },
		func(p *profiles.Profile) { p.Init[0].Menu = "PRECA2!" },
		func(p *profiles.Profile) { p.Init[0].Menu = "CBRENA?" },
		func(p *profiles.Profile) { p.Init[0].Menu = "PR" },
		func(p *profiles.Profile) { p.Signals.Good = []profiles.Command{{Name: "m", Menu: "BEPBEP1"}} },
	}
	for i, mod := range bad {
		p := baseProfile()
		p.Init = append([]profiles.Command(nil), p.Init...)
		mod(&p)
		if _, err := New(p); err == nil {
			t.Errorf("case %d: New accepted %+v", i, p)
		}
	}
}

func TestSignaller(t *testing.T) {
	p := baseProfile()
	d, _ := New(p)
	if _, ok := d.(devices.Signaller); ok {
		t.Error("driver without signals claims to signal")
	}
	p.Signals.Good = []profiles.Command{{Name: "host ack good", Hex: "1b 37 2c"}}
	d, err := New(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.(devices.Signaller); !ok {
		t.Error("driver with signals is not a Signaller")
	}
}

// silentLink takes every write and never has anything to read.
type silentLink struct{ wrote int }

func (s *silentLink) Read([]byte) (int, error)           { return 0, devices.ErrTimeout }
func (s *silentLink) Write(b []byte) (int, error)        { s.wrote++; return len(b), nil }
func (s *silentLink) Close() error                       { return nil }
func (s *silentLink) SetReadTimeout(time.Duration) error { return nil }

func TestConfigureTimeout(t *testing.T) {
	d, _ := New(baseProfile())
	d.(*driver).timeout = time.Millisecond
	l := &silentLink{}
	_, err := d.Configure(context.Background(), l)
	if !errors.Is(err, devices.ErrTimeout) || !strings.Contains(err.Error(), `"aim"`) {
		t.Fatalf("Configure = %v, want a timeout naming the init command", err)
	}
	if l.wrote != attempts {
		t.Errorf("sent %d times, want %d", l.wrote, attempts)
	}
}
