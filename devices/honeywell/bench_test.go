package honeywell

import "testing"

func BenchmarkEncode(b *testing.B) {
	cmds := []Command{{"PRE", "CA2", ""}, {"PRE", "BK2", "995C81"}, {"SUF", "CA2", ""}, {"SUF", "BK2", "990D0A"}}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encode(buf[:0], cmds, Temporary); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseReply(b *testing.B) {
	reply := []byte("PRECA2\x06,BK2995C81\x06;SUFCA2\x06,BK2990D0A\x06!")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := ParseReply(reply); err != nil {
			b.Fatal(err)
		}
	}
}
