package honeywellemu

import (
	"testing"

	"github.com/partsedge/partsedge/cmd/devsim/internal/sim"
)

// FuzzHost feeds outside bytes to the scanner's command parser: no panic,
// every answer ends with a storage character after a status, and scans
// still frame afterwards.
func FuzzHost(f *testing.F) {
	f.Add([]byte("\x16M\rPRECA2,BK2995C81;SUFCA2,BK2990D0A!"))
	f.Add([]byte("\x16M\rcbr?.\x16M\r?."))
	f.Add([]byte("\x16T\r\x16M\rPREBK2995C5C;,;REVINF!"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e := &emu{env: &sim.Env{}, set: defaults(defaultModel, defaultFirmware)}
		out := e.host(b)
		if n := len(out); n > 0 && !((out[n-1] == '!' || out[n-1] == '.') && (out[n-2] == ack || out[n-2] == enq || out[n-2] == nak)) {
			t.Fatalf("answer %q does not end with status and storage", out)
		}
		_ = e.scan(sim.Scan{Data: "x", AIMID: "]C1"})
	})
}
