// Package textscanemu plays a generic text barcode scanner on a serial line:
// each trigger pull is sent as
//
//	[STX] [prefix] [AIM symbology identifier] data [suffix] [ETX]
//
// as the profile's framing says, the usual output of a scanner in RS-232 or
// USB CDC mode (see e.g. Honeywell Xenon 1900/1902 User's Guide, chapter 5
// "Data Editing", for the prefix/suffix message string, and ISO/IEC 15424
// for the "]cm" identifier). The scanner takes whatever the host sends
// (programming strings) without answering.
//
// It is written from those documents, not from the host's codec.
package textscanemu

import (
	"context"
	"io"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
	profiles "github.com/partsedge/partsedge/firmware-profiles"
)

const (
	stx = 0x02
	etx = 0x03
	// otherAIM is what a scanner sends for a symbology with no identifier
	// of its own (ISO/IEC 15424 "X": other bar code).
	otherAIM = "]X0"
	// noiseLen is longer than any host keeps for one scan (4 KiB is the
	// usual bound), so a noise burst is always seen as a bad frame.
	noiseLen = 3 * 4096
)

// Emulator is a generic serial text scanner.
type Emulator struct{}

// Serve sends env.Scans framed as the profile says, until ctx ends.
func (Emulator) Serve(ctx context.Context, rw io.ReadWriter, env *sim.Env) error {
	readErr := make(chan error, 1)
	go func() {
		// The host's programming strings get no answer, but they must be
		// read so the host's writes do not block.
		buf := make([]byte, 256)
		for {
			if _, err := rw.Read(buf); err != nil {
				readErr <- err
				return
			}
		}
	}()
	f := env.Profile.Framing
	var g garbler
	scans := env.Scans
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-readErr:
			if ctx.Err() != nil {
				return nil
			}
			return err
		case s, ok := <-scans:
			if !ok {
				scans = nil // no more scans: keep reading the host until ctx ends
				continue
			}
			frame, sent := Frame(f, s)
			rec := sim.Record{Kind: "scan", Good: true, Scan: &sent}
			if env.Faults.Garble > 0 && env.Rand != nil && env.Rand.Float64() < env.Faults.Garble {
				frame, rec.Note = g.spoil(f, frame, env)
				rec.Good = false
			} else {
				g.afterDrop = false
			}
			if env.Record != nil {
				env.Record(rec)
			}
			if _, err := rw.Write(frame); err != nil {
				if ctx.Err() != nil {
					return nil
				}
				return err
			}
		}
	}
}

// Frame builds the bytes a scanner with framing f sends for s, and the scan
// as the host can know it (the identifier that went on the wire).
func Frame(f profiles.Framing, s sim.Scan) ([]byte, sim.Scan) {
	sent := sim.Scan{Data: s.Data}
	b := make([]byte, 0, len(s.Data)+len(f.Prefix)+len(f.Suffix)+5)
	if f.STX {
		b = append(b, stx)
	}
	b = append(b, f.Prefix...)
	if f.AIM {
		sent.AIMID = s.AIMID
		if sent.AIMID == "" {
			sent.AIMID = otherAIM
		}
		b = append(b, sent.AIMID...)
	}
	b = append(b, s.Data...)
	b = append(b, f.Suffix...)
	if f.ETX {
		b = append(b, etx)
	}
	return b, sent
}

// garbler spoils frames in ways a host can see: text has no checksum, so a
// flipped data byte would pass unnoticed, and two frames run together
// without STX would read as one wrong scan.
type garbler struct {
	// afterDrop is set when the last frame lost its terminator: the next
	// one must then keep its STX, or the host would join the two.
	afterDrop bool
}

func (g *garbler) spoil(f profiles.Framing, frame []byte, env *sim.Env) ([]byte, string) {
	type fault int
	const (
		flipAIM fault = iota
		dropSTX
		dropTerm
		noise
	)
	var can []fault
	if f.AIM {
		can = append(can, flipAIM)
	}
	if f.STX {
		if !g.afterDrop {
			can = append(can, dropSTX)
		}
		can = append(can, dropTerm)
	}
	if len(can) == 0 {
		can = append(can, noise)
	}
	g.afterDrop = false
	out := append([]byte(nil), frame...)
	switch can[env.Rand.IntN(len(can))] {
	case flipAIM:
		i := len(f.Prefix)
		if f.STX {
			i++
		}
		out[i] ^= 0x01 // ']' becomes '\'
		return out, "garble: AIM flag flipped"
	case dropSTX:
		return out[1:], "garble: STX dropped"
	case dropTerm:
		n := len(f.Suffix)
		if f.ETX {
			n++
		}
		g.afterDrop = true
		return out[:len(out)-n], "garble: terminator dropped"
	default:
		b := make([]byte, 0, noiseLen+len(f.Suffix)+1)
		for range noiseLen {
			b = append(b, byte('A'+env.Rand.IntN(26)))
		}
		b = append(b, f.Suffix...)
		if f.ETX {
			b = append(b, etx)
		}
		return b, "garble: line noise in place of the scan"
	}
}
