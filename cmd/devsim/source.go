package main

import (
	"bufio"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	"github.com/partsedge/partsedge/devices/epc"
	"github.com/partsedge/partsedge/devices/gs1"
)

// parseScanLine reads one line of a scan script: an optional AIM symbology
// identifier, then the data, with the group separator typed as <GS> or
// \x1d. Blank lines and lines starting with # are skipped (ok false).
func parseScanLine(line string) (sim.Scan, bool, error) {
	line = strings.TrimRight(line, "\r\n")
	if strings.TrimSpace(line) == "" || strings.HasPrefix(strings.TrimSpace(line), "#") {
		return sim.Scan{}, false, nil
	}
	var s sim.Scan
	if len(line) >= 3 && line[0] == ']' {
		s.AIMID = line[:3]
		line = strings.TrimLeft(line[3:], " ")
	}
	s.Data = strings.NewReplacer("<GS>", "\x1d", `\x1d`, "\x1d", `\x1D`, "\x1d").Replace(line)
	if s.Data == "" {
		return sim.Scan{}, false, fmt.Errorf("a scan with an AIM id and no data")
	}
	return s, true, nil
}

func readScript(r io.Reader) ([]sim.Scan, error) {
	var out []sim.Scan
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	for n := 1; sc.Scan(); n++ {
		s, ok, err := parseScanLine(sc.Text())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if ok {
			out = append(out, s)
		}
	}
	return out, sc.Err()
}

// randomGS1 makes the kinds of codes a spare-parts depot sees: GS1-128 and
// GS1 DataMatrix labels with GTIN, expiry, lot and serial; plain EAN-13 on
// retail-packed parts; and supplier part numbers in Code 128.
func randomGS1(r *rand.Rand) sim.Scan {
	gtin13 := fmt.Sprintf("%012d", r.Int64N(1e12))
	gtin13 += string(gs1.CheckDigit(gtin13))
	switch r.IntN(5) {
	case 0:
		return sim.Scan{AIMID: "]E0", Data: gtin13}
	case 1:
		return sim.Scan{AIMID: "]C0", Data: fmt.Sprintf("PN-%05d-%c", r.IntN(100000), 'A'+rune(r.IntN(26)))}
	}
	gtin14 := "0" + gtin13
	elems := []gs1.Element{{AI: "01", Value: gtin14}}
	if r.IntN(2) == 0 {
		elems = append(elems, gs1.Element{AI: "17", Value: fmt.Sprintf("%02d%02d%02d", 26+r.IntN(5), 1+r.IntN(12), r.IntN(29))})
	}
	if r.IntN(2) == 0 {
		elems = append(elems, gs1.Element{AI: "10", Value: fmt.Sprintf("L%d", r.IntN(1e6))})
	}
	elems = append(elems, gs1.Element{AI: "21", Value: fmt.Sprintf("S%08d", r.IntN(1e8))})
	data, err := gs1.ElementString(elems, gs1.GS)
	if err != nil {
		panic(err) // the generator only builds valid strings
	}
	aim := "]C1"
	if r.IntN(2) == 0 {
		aim = "]d2"
	}
	return sim.Scan{AIMID: aim, Data: data}
}

// field is a static tag population: each tag sits in front of one antenna.
// RSSI varies a little from read to read, as it does.
type field struct {
	mu   sync.Mutex
	r    *rand.Rand
	tags map[int][]sim.Tag
}

func (f *field) InRange(antenna int) []sim.Tag {
	f.mu.Lock()
	defer f.mu.Unlock()
	src := f.tags[antenna]
	out := make([]sim.Tag, len(src))
	for i, t := range src {
		t.RSSI += float64(f.r.IntN(5) - 2)
		out[i] = t
	}
	return out
}

// readTags reads a tag file: one tag per line, "EPC-hex [antenna] [rssi]".
func readTags(rd io.Reader, antennas []int) (map[int][]sim.Tag, error) {
	out := map[int][]sim.Tag{}
	sc := bufio.NewScanner(rd)
	i := 0
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		b, err := hex.DecodeString(f[0])
		if err != nil || len(b) == 0 || len(b)%2 != 0 {
			return nil, fmt.Errorf("line %d: %q is not an EPC in hex (whole 16-bit words)", n, f[0])
		}
		t := sim.Tag{EPC: b, PC: uint16(len(b)/2) << 11, Antenna: antennas[i%len(antennas)], RSSI: -55}
		i++
		if len(f) > 1 {
			a, err := strconv.Atoi(f[1])
			if err != nil || a < 1 {
				return nil, fmt.Errorf("line %d: antenna %q", n, f[1])
			}
			t.Antenna = a
		}
		if len(f) > 2 {
			v, err := strconv.ParseFloat(f[2], 64)
			if err != nil || v > 0 || v < -100 {
				return nil, fmt.Errorf("line %d: rssi %q (dBm, -100..0)", n, f[2])
			}
			t.RSSI = v
		}
		out[t.Antenna] = append(out[t.Antenna], t)
	}
	return out, sc.Err()
}

// population makes n SGTIN-96 tags for a handful of parts, spread over the
// antennas, with RSSI between -70 and -40 dBm.
func population(r *rand.Rand, n int, antennas []int) (map[int][]sim.Tag, error) {
	out := map[int][]sim.Tag{}
	gtins := make([]string, 8)
	for i := range gtins {
		g := fmt.Sprintf("0950600%06d", 13000+i*7)
		gtins[i] = g + string(gs1.CheckDigit(g))
	}
	for i := 0; i < n; i++ {
		t, err := epc.FromGS1(gtins[i%len(gtins)], strconv.Itoa(100000+i), 7, 1)
		if err != nil {
			return nil, err
		}
		b, err := epc.Encode(t)
		if err != nil {
			return nil, err
		}
		a := antennas[i%len(antennas)]
		out[a] = append(out[a], sim.Tag{EPC: b, PC: 0x3000, Antenna: a, RSSI: float64(-70 + r.IntN(31))})
	}
	return out, nil
}
