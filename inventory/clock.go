package inventory

import (
	"sync"
	"time"
)

// Clock is where the store reads the time; tests inject their own.
type Clock interface{ Now() time.Time }

// SystemClock reads the machine's clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

// hlc is a hybrid logical clock (Kulkarni et al.): the wall time in
// milliseconds in the high 48 bits and a counter in the low 16. It never goes
// backwards, even when NTP steps the box's clock back, so events keep a total
// order that agrees with causality across restarts and, later, across depots.
type hlc struct {
	mu    sync.Mutex
	clock Clock
	last  uint64
}

const hlcLogicalBits = 16

func (h *hlc) next() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	wall := uint64(h.clock.Now().UnixMilli()) << hlcLogicalBits
	if wall > h.last {
		h.last = wall
	} else {
		h.last++
	}
	return h.last
}

// observe moves the clock past a timestamp seen elsewhere (a stored event).
func (h *hlc) observe(t uint64) {
	h.mu.Lock()
	if t > h.last {
		h.last = t
	}
	h.mu.Unlock()
}

// HLCTime is the wall-clock part of a hybrid logical timestamp.
func HLCTime(t uint64) time.Time {
	return time.UnixMilli(int64(t >> hlcLogicalBits)).UTC()
}
