package epc

// bitReader reads big-endian bit fields, the order TDS lays fields out in
// EPC memory (most significant bit of the header first).
type bitReader struct {
	buf []byte
	pos int
}

// read returns the next n (<= 64) bits as an unsigned integer.
func (r *bitReader) read(n int) uint64 {
	var v uint64
	for n > 0 {
		avail := 8 - r.pos&7
		k := min(avail, n)
		chunk := uint64(r.buf[r.pos>>3]>>(avail-k)) & (1<<k - 1)
		v = v<<k | chunk
		r.pos += k
		n -= k
	}
	return v
}

// zeroFrom reports whether every bit from the reader's position to the end
// of the buffer is zero.
func (r *bitReader) zeroFrom() bool {
	for r.pos < len(r.buf)*8 {
		n := min(64, len(r.buf)*8-r.pos)
		if r.read(n) != 0 {
			return false
		}
	}
	return true
}

type bitWriter struct {
	buf []byte
	pos int
}

// write appends the low n (<= 64) bits of v; buf must start zeroed.
func (w *bitWriter) write(v uint64, n int) {
	for n > 0 {
		avail := 8 - w.pos&7
		k := min(avail, n)
		chunk := byte(v>>(n-k)) & byte(1<<k-1)
		w.buf[w.pos>>3] |= chunk << (avail - k)
		w.pos += k
		n -= k
	}
}
