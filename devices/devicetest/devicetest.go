// Package devicetest is test support for drivers and emulators: a
// devices.Link over an in-memory pipe and a devices.Reporter that records
// what a driver reports. Every driver and emulator test needs both, and a
// copy per package drifted (some links renewed the read deadline, some did
// not), so they live here once.
//
// No production code may import this package; TestNotInDepotd checks that
// cmd/depotd does not.
package devicetest

import (
	"errors"
	"net"
	"os"
	"sync"
	"time"

	"github.com/partsedge/partsedge/devices"
)

// Link is a devices.Link over a net.Conn, usually one end of net.Pipe.
// SetReadTimeout bounds every later Read, as the Link contract says, not just
// the first: Read renews the deadline each time, and a deadline that passes
// is devices.ErrTimeout.
type Link struct {
	net.Conn
	mu      sync.Mutex
	timeout time.Duration
}

// NewLink wraps c as a devices.Link.
func NewLink(c net.Conn) *Link { return &Link{Conn: c} }

// Pipe connects a driver to a fake or emulated device in memory: host is the
// driver's end, device the other. net.Pipe is synchronous, so a write on
// either end blocks until the other end reads it.
func Pipe() (host *Link, device net.Conn) {
	h, d := net.Pipe()
	return NewLink(h), d
}

// SetReadTimeout sets the timeout of every later Read; zero waits until data
// comes or the link closes.
func (l *Link) SetReadTimeout(d time.Duration) error {
	l.mu.Lock()
	l.timeout = d
	l.mu.Unlock()
	return nil
}

// Read reads with the deadline the read timeout gives.
func (l *Link) Read(b []byte) (int, error) {
	l.mu.Lock()
	d := l.timeout
	l.mu.Unlock()
	var deadline time.Time
	if d > 0 {
		deadline = time.Now().Add(d)
	}
	if err := l.Conn.SetReadDeadline(deadline); err != nil {
		return 0, err
	}
	n, err := l.Conn.Read(b)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return n, devices.ErrTimeout
	}
	return n, err
}

// Recorder is a devices.Reporter that keeps everything it is given. Its
// accessors return copies, so a test may read them while the driver runs.
type Recorder struct {
	mu       sync.Mutex
	scans    []devices.Scan
	tags     []devices.Tag
	tagCalls int
	frames   int
	bad      []error
}

// Scan records a scan.
func (r *Recorder) Scan(s devices.Scan) {
	r.mu.Lock()
	r.scans = append(r.scans, s)
	r.mu.Unlock()
}

// Tags records one report of tags.
func (r *Recorder) Tags(tags []devices.Tag) {
	r.mu.Lock()
	r.tags = append(r.tags, tags...)
	r.tagCalls++
	r.mu.Unlock()
}

// Frame counts a well-formed frame.
func (r *Recorder) Frame() {
	r.mu.Lock()
	r.frames++
	r.mu.Unlock()
}

// BadFrame records why a frame was skipped.
func (r *Recorder) BadFrame(err error) {
	r.mu.Lock()
	r.bad = append(r.bad, err)
	r.mu.Unlock()
}

// Scans is every scan reported so far.
func (r *Recorder) Scans() []devices.Scan {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]devices.Scan(nil), r.scans...)
}

// AllTags is every tag reported so far, in order, across all Tags calls.
func (r *Recorder) AllTags() []devices.Tag {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]devices.Tag(nil), r.tags...)
}

// TagCalls is how many times Tags was called: one per inventory round for
// the readers that report a round at once.
func (r *Recorder) TagCalls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tagCalls
}

// Frames is how many well-formed frames were counted.
func (r *Recorder) Frames() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.frames
}

// BadFrames is the error of every skipped frame, in order.
func (r *Recorder) BadFrames() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.bad...)
}

// Wait polls until done holds or d passes, and reports whether it held.
// Drivers report from their own goroutine, so a test that drives a device
// has to wait for the reports to arrive rather than look once.
func (r *Recorder) Wait(d time.Duration, done func(*Recorder) bool) bool {
	for deadline := time.Now().Add(d); ; {
		if done(r) {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}
