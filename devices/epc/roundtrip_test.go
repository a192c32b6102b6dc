package epc

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
)

const set82 = `!"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz`

func randDigits(r *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + r.IntN(10))
	}
	return string(b)
}

func randString(r *rand.Rand, max int) string {
	b := make([]byte, 1+r.IntN(max))
	for i := range b {
		b[i] = set82[r.IntN(len(set82))]
	}
	return string(b)
}

// randInteger favours the edges of the field: 0, the largest value, and
// values of every length in between.
func randInteger(r *rand.Rand, bits int) string {
	switch r.IntN(4) {
	case 0:
		return "0"
	case 1:
		return strconv.FormatUint(1<<bits-1, 10)
	}
	return strconv.FormatUint(r.Uint64()>>(64-1-r.IntN(bits)), 10)
}

func randTag(r *rand.Rand, l *layout, p int) Tag {
	part := l.parts[p]
	t := Tag{Scheme: l.scheme, Kind: l.kind, Filter: r.IntN(8), CompanyPrefix: randDigits(r, part.cpDigits)}
	switch l.refMode {
	case modeDecimal:
		t.Reference = randDigits(r, part.refDigits)
	case modeInteger:
		t.Serial = randInteger(r, part.refBits)
	case modeString:
		t.Serial = randString(r, part.refDigits)
	}
	switch l.serialMode {
	case modeInteger:
		t.Serial = randInteger(r, l.serialBits)
	case modeString:
		t.Serial = randString(r, l.serialChars)
	}
	return t
}

func TestRoundTripEverySchemeAndPartition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range layouts {
		l := &layouts[i]
		for p := range 7 {
			for range 300 {
				tag := randTag(r, l, p)
				bin, err := Encode(tag)
				if err != nil {
					t.Fatalf("Encode(%#v): %v", tag, err)
				}
				if len(bin) != l.bytes() || bin[0] != l.header {
					t.Fatalf("%s: %x", l.scheme, bin)
				}
				got, err := DecodeBytes(bin)
				if err != nil || got != tag {
					t.Fatalf("DecodeBytes(%x) = %#v, %v; want %#v", bin, got, err, tag)
				}
				again, err := Encode(got)
				if err != nil || !bytes.Equal(again, bin) {
					t.Fatalf("Encode(Decode(%x)) = %x, %v", bin, again, err)
				}
				if got, err := ParseURI(tag.TagURI()); err != nil || got != tag {
					t.Fatalf("ParseURI(%s) = %#v, %v", tag.TagURI(), got, err)
				}
				if got, err := ParseURI(tag.PureURI()); err != nil || got != tag.Pure() {
					t.Fatalf("ParseURI(%s) = %#v, %v", tag.PureURI(), got, err)
				}
				if h, _ := tag.Hex(); h == "" {
					t.Fatalf("Hex of %#v empty", tag)
				} else if got, err := Decode(h); err != nil || got != tag {
					t.Fatalf("Decode(%s) = %#v, %v", h, got, err)
				}
			}
		}
	}
}

// Any bytes with a supported header and the right length either decode to a
// tag that encodes back to exactly those bytes, or are refused.
func TestRandomBinaryDecodesCanonically(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	accepted := make(map[Scheme]int)
	for i := range layouts {
		l := &layouts[i]
		for range 20000 {
			b := make([]byte, l.bytes())
			for j := range b {
				b[j] = byte(r.Uint32())
			}
			b[0] = l.header
			// Bias towards valid partitions and clean padding so that both
			// outcomes are exercised.
			if r.IntN(2) == 0 {
				b[1] = b[1]&0xE3 | byte(r.IntN(7))<<2
				w := bitWriter{buf: b, pos: l.bits - l.reserved}
				for w.pos < len(b)*8 {
					w.buf[w.pos>>3] &^= 1 << (7 - w.pos&7)
					w.pos++
				}
			}
			tag, err := DecodeBytes(b)
			if err != nil {
				if _, ok := err.(*Error); !ok {
					t.Fatalf("error %T is not *Error", err)
				}
				continue
			}
			accepted[l.scheme]++
			back, err := Encode(tag)
			if err != nil || !bytes.Equal(back, b) {
				t.Fatalf("%x decoded to %s but encodes to %x, %v", b, tag, back, err)
			}
		}
	}
	for _, l := range layouts {
		if l.serialMode != modeString && l.refMode != modeString {
			if accepted[l.scheme] == 0 {
				t.Errorf("%s: no random input was accepted", l.scheme)
			}
		}
	}
}
