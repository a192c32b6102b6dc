package epc

import "testing"

// The RFID pipeline budget is 50,000 reads/s on one core for decode plus
// smoothing, so Decode must stay far below 20 µs; aim is under 2 µs.
func BenchmarkDecodeSGTIN96(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode("3074257BF7194E4000001A85"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBytesSGTIN96(b *testing.B) {
	in := []byte{0x30, 0x74, 0x25, 0x7B, 0xF7, 0x19, 0x4E, 0x40, 0x00, 0x00, 0x1A, 0x85}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := DecodeBytes(in); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeSGTIN198(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decode("3674257BF6B7A659B2C2BF100000000000000000000000000000"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTagURISGTIN96(b *testing.B) {
	t, err := Decode("3074257BF7194E4000001A85")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = t.TagURI()
	}
}

// A tag read costs one allocation (the string holding every text field);
// the reader pipeline's throughput depends on keeping it so.
func TestDecodeAllocatesOnce(t *testing.T) {
	n := testing.AllocsPerRun(200, func() {
		if _, err := Decode("3074257BF7194E4000001A85"); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("Decode allocates %.0f times per call, want 1", n)
	}
}
