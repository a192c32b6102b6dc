package honeywell

import (
	"bytes"
	"testing"
)

// FuzzParseReply feeds outside bytes to the reply parser: no panic, and a
// reply it takes re-encodes to the same bytes with the same grouping rules.
func FuzzParseReply(f *testing.F) {
	f.Add([]byte("CBRENA1\x06,SSX0\x06,DFT\x06."))
	f.Add([]byte("BEPLVL9\x15,BEP1\x06;XYZABC\x05!"))
	f.Add([]byte("REVINF\x06."))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, st, err := ParseReply(b)
		if err != nil {
			return
		}
		if len(res) == 0 || (st != Temporary && st != Permanent) {
			t.Fatalf("accepted %q as %v %q", b, res, st)
		}
		for _, r := range res {
			if !isStatus(byte(r.Status)) {
				t.Fatalf("status %v accepted", r.Status)
			}
		}
		if ReplyEnd(b) != len(b) {
			t.Fatalf("ReplyEnd(%q) = %d, reply parsed to the end", b, ReplyEnd(b))
		}
	})
}

// FuzzParseCommands checks that what ParseCommands takes encodes and parses
// back to the same commands.
func FuzzParseCommands(f *testing.F) {
	f.Add("PRECA2,BK2995C81;SUFCA2,BK2990D0A")
	f.Add("cbrena*.")
	f.Add("CBR?;?!")
	f.Fuzz(func(t *testing.T, s string) {
		cmds, st, err := ParseCommands(s)
		if err != nil {
			return
		}
		if st == 0 {
			st = Temporary
		}
		wire, err := Encode(nil, cmds, st)
		if err != nil {
			t.Fatalf("parsed %q to %v, which does not encode: %v", s, cmds, err)
		}
		if !bytes.HasPrefix(wire, []byte(Prefix)) {
			t.Fatalf("no prefix in %q", wire)
		}
		again, st2, err := ParseCommands(string(wire[len(Prefix):]))
		if err != nil || st2 != st || len(again) != len(cmds) {
			t.Fatalf("%q -> %q -> %v, %v", s, wire, again, err)
		}
		for i := range cmds {
			if !equalFoldCmd(again[i], cmds[i]) {
				t.Fatalf("%q -> %q: command %d %v became %v", s, wire, i, cmds[i], again[i])
			}
		}
	})
}

func equalFoldCmd(a, b Command) bool {
	return bytes.EqualFold([]byte(a.Tag), []byte(b.Tag)) && a.SubTag == b.SubTag && a.Data == b.Data
}
