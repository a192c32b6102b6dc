package manager

// ring keeps the last n values pushed.
type ring[T any] struct {
	buf  []T
	next int
	full bool
}

func newRing[T any](n int) ring[T] { return ring[T]{buf: make([]T, n)} }

func (r *ring[T]) push(v T) {
	r.buf[r.next] = v
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// after returns up to limit values whose id is above after, oldest first,
// and the id of the last one returned (after itself when none is).
func (r *ring[T]) after(after uint64, limit int, id func(T) uint64) ([]T, uint64) {
	var out []T
	n, start := r.next, 0
	if r.full {
		n, start = len(r.buf), r.next
	}
	for i := 0; i < n && (limit <= 0 || len(out) < limit); i++ {
		v := r.buf[(start+i)%len(r.buf)]
		if id(v) > after {
			out = append(out, v)
		}
	}
	if len(out) > 0 {
		after = id(out[len(out)-1])
	}
	return out, after
}
