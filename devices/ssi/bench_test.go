package ssi

import (
	"strings"
	"testing"
)

func BenchmarkParse(b *testing.B) {
	wire, _ := AppendPacket(nil, Packet{Opcode: OpDecodeData, Data: []byte("\x0F0109501101020917\x1d10ABC123\x1d21SERIAL0001")})
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		if _, _, err := Parse(wire); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendPacket(b *testing.B) {
	p := Packet{Opcode: OpDecodeData, Data: []byte("\x0B5901234123457")}
	buf := make([]byte, 0, MaxPacket)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendPacket(buf[:0], p)
	}
}

// BenchmarkReassembleSingle is the common case: a scan in one packet, parsed
// and decoded without copying.
func BenchmarkReassembleSingle(b *testing.B) {
	wire, _ := AppendPacket(nil, Packet{Opcode: OpDecodeData, Data: []byte("\x0B5901234123457")})
	var r Reassembler
	b.ReportAllocs()
	for b.Loop() {
		p, _, _ := Parse(wire)
		if _, _, done, err := r.Add(p); err != nil || !done {
			b.Fatal(err)
		}
	}
}

// BenchmarkReassembleMulti joins a 600-byte scan from three packets; after the
// first round the buffer is reused.
func BenchmarkReassembleMulti(b *testing.B) {
	data := strings.Repeat("0123456789", 60)
	var wires [][]byte
	for off := 0; off < len(data); off += 240 {
		end := min(off+240, len(data))
		st := byte(0)
		if end < len(data) {
			st = StatusContinuation
		}
		w, _ := AppendPacket(nil, Packet{Opcode: OpDecodeData, Status: st, Data: append([]byte{0x1B}, data[off:end]...)})
		wires = append(wires, w)
	}
	var r Reassembler
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		for _, w := range wires {
			p, _, _ := Parse(w)
			if _, _, _, err := r.Add(p); err != nil {
				b.Fatal(err)
			}
		}
	}
}
