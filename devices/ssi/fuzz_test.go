package ssi

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzParse feeds outside bytes to the packet parser: it must not panic, must
// say how much it took, and what it accepts must encode back to the same
// bytes.
func FuzzParse(f *testing.F) {
	for _, b := range golden(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		for off := 0; off < len(in); {
			p, n, err := Parse(in[off:])
			switch {
			case errors.Is(err, ErrShort):
				if n != 0 {
					t.Fatalf("ErrShort with n %d", n)
				}
				return
			case err != nil:
				if !errors.Is(err, ErrLength) && !errors.Is(err, ErrChecksum) {
					t.Fatalf("unexpected error %v", err)
				}
				if n < 1 || off+n > len(in) {
					t.Fatalf("bad packet length %d at %d of %d", n, off, len(in))
				}
			default:
				if n < headerLen+2 || off+n > len(in) {
					t.Fatalf("packet length %d at %d of %d", n, off, len(in))
				}
				back, err := AppendPacket(nil, p)
				if err != nil || !bytes.Equal(back, in[off:off+n]) {
					t.Fatalf("re-encoded % X (%v), read % X", back, err, in[off:off+n])
				}
			}
			off += n
		}
	})
}

// FuzzReassemble splits outside bytes into DECODE_DATA packets and joins them
// again: what comes out is what went in.
func FuzzReassemble(f *testing.F) {
	f.Add([]byte("\x0B5901234123457"), uint8(5))
	f.Add([]byte("\xC1010950110102091721SERIAL\x1d10LOT"), uint8(3))
	f.Add([]byte{0x1C}, uint8(0))
	f.Fuzz(func(t *testing.T, in []byte, size uint8) {
		if len(in) == 0 {
			return
		}
		code, data := in[0], in[1:]
		step := int(size)%(MaxData-1) + 1 // the code type byte takes one
		var r Reassembler
		for off := 0; ; off += step {
			end := min(off+step, len(data))
			st := byte(0)
			if end < len(data) {
				st = StatusContinuation
			}
			wire, err := AppendPacket(nil, Packet{Opcode: OpDecodeData, Status: st, Data: append([]byte{code}, data[off:end]...)})
			if err != nil {
				t.Fatal(err)
			}
			p, _, err := Parse(wire)
			if err != nil {
				t.Fatal(err)
			}
			c, got, done, err := r.Add(p)
			if err != nil {
				t.Fatal(err)
			}
			if done != (st == 0) {
				t.Fatalf("done %v at %d of %d", done, end, len(data))
			}
			if done {
				if byte(c) != code || !bytes.Equal(got, data) {
					t.Fatalf("got %02X % X, want %02X % X", byte(c), got, code, data)
				}
				return
			}
		}
	})
}

// FuzzParseParams reads outside bytes as a PARAM_SEND parameter list: what it
// accepts must encode back to the same bytes.
func FuzzParseParams(f *testing.F) {
	f.Add([]byte{0x9F, 0x01, 0xEE, 0x01})
	f.Add([]byte{0xF0, 0x24, 0x01, 0xF2, 0xFF, 0x09})
	f.Add([]byte{0xF3})
	f.Fuzz(func(t *testing.T, in []byte) {
		var back []byte
		var perr error
		err := ParseParams(in, func(p Param) {
			if perr == nil {
				back, perr = AppendParam(back, p)
			}
		})
		if err != nil {
			if !errors.Is(err, ErrParam) {
				t.Fatalf("error %v is not ErrParam", err)
			}
			return
		}
		if perr != nil || !bytes.Equal(back, in) {
			t.Fatalf("re-encoded % X (%v), read % X", back, perr, in)
		}
	})
}
