package main

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/devices/epc"
	"github.com/partsedge/partsedge/devices/gs1"
)

func TestReadScript(t *testing.T) {
	got, err := readScript(strings.NewReader("# a comment\n\n]C1 0109506000134352<GS>21X\n]E0 9506000134352\r\nPLAIN-TEXT\n]d2 01095060001343521\\x1d21Y\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []sim.Scan{
		{AIMID: "]C1", Data: "0109506000134352\x1d21X"},
		{AIMID: "]E0", Data: "9506000134352"},
		{Data: "PLAIN-TEXT"},
		{AIMID: "]d2", Data: "01095060001343521\x1d21Y"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("scan %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if _, err := readScript(strings.NewReader("ok\n]C1\n")); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Fatalf("an AIM id without data: %v", err)
	}
}

func TestReadTags(t *testing.T) {
	got, err := readTags(strings.NewReader("# epc ant rssi\n3034257BF400B7800004CB2F 2 -52\nE200\n3034257BF400B7800004CB30\n"), []int{1, 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(got[2]) != 1 || got[2][0].RSSI != -52 || got[2][0].PC != 0x3000 {
		t.Errorf("antenna 2: %+v", got[2])
	}
	if len(got[3]) != 1 || got[3][0].PC != 0x0800 || len(got[1]) != 1 || got[1][0].PC != 0x3000 {
		t.Errorf("round robin over the antennas: %+v", got)
	}
	for _, bad := range []string{"zz 1", "E2 1", "E200 0", "E200 1 -120", "E200 1 x"} {
		if _, err := readTags(strings.NewReader(bad), []int{1}); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestGenerators(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		s := randomGS1(r)
		res, err := gs1.ParseScan(s.AIMID, s.Data)
		if s.AIMID == "]C0" {
			continue // a supplier part number, not GS1
		}
		if err != nil {
			t.Fatalf("random scan %+v does not parse: %v", s, err)
		}
		if _, ok := res.GTIN(); !ok {
			t.Fatalf("random scan %+v has no GTIN", s)
		}
	}
	tags, err := population(r, 40, []int{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for ant, ts := range tags {
		for _, tag := range ts {
			e, err := epc.DecodeBytes(tag.EPC)
			if err != nil || tag.Antenna != ant {
				t.Fatalf("tag %+v: %v", tag, err)
			}
			seen[e.Serial] = true
		}
	}
	if len(seen) != 40 || len(tags[1]) != 20 {
		t.Fatalf("%d distinct tags, %d on antenna 1", len(seen), len(tags[1]))
	}
}

// FuzzScript: scan scripts and tag files are files people write.
func FuzzScript(f *testing.F) {
	f.Add("]C1 0109506000134352<GS>21X\n# c\nPLAIN\n")
	f.Add("3034257BF400B7800004CB2F 2 -52\n")
	f.Fuzz(func(t *testing.T, s string) {
		scans, err := readScript(strings.NewReader(s))
		if err == nil {
			for _, sc := range scans {
				if sc.Data == "" {
					t.Fatalf("a scan without data from %q", s)
				}
			}
		}
		tags, err := readTags(strings.NewReader(s), []int{1, 2})
		if err == nil {
			for ant, ts := range tags {
				for _, tag := range ts {
					if tag.Antenna != ant || len(tag.EPC) == 0 || len(tag.EPC)%2 != 0 {
						t.Fatalf("bad tag %+v from %q", tag, s)
					}
				}
			}
		}
	})
}
