package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
)

// meter shows a long job's progress on stderr: on a terminal one line
// rewritten at most four times a second, elsewhere (a log, a pipe) a line
// at most every second; the first update shows at once. done prints the
// final line.
type meter struct {
	mu     sync.Mutex
	w      io.Writer
	tty    bool
	every  time.Duration
	start  time.Time
	last   time.Time
	drawn  bool
	render func(n int64, elapsed time.Duration) string
}

func (a *app) newMeter(render func(n int64, elapsed time.Duration) string) *meter {
	m := &meter{w: a.stderr, tty: isTerminal(a.stderr), every: time.Second, start: time.Now(), render: render}
	if m.tty {
		m.every = 250 * time.Millisecond
	}
	return m
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func (m *meter) update(n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := time.Now()
	if !m.last.IsZero() && now.Sub(m.last) < m.every {
		return
	}
	m.last = now
	line := m.render(n, now.Sub(m.start))
	if m.tty {
		fmt.Fprintf(m.w, "\r%s\x1b[K", line)
		m.drawn = true
		return
	}
	fmt.Fprintln(m.w, line)
}

// done ends the progress line with a final one (none when final is empty).
func (m *meter) done(final string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.drawn {
		fmt.Fprint(m.w, "\r\x1b[K")
		m.drawn = false
	}
	if final != "" {
		fmt.Fprintln(m.w, final)
	}
}

func (m *meter) elapsed() time.Duration { return time.Since(m.start) }

// byteRender shows bytes, the share of total when it is known, and the rate.
func byteRender(what string, total int64) func(int64, time.Duration) string {
	return func(n int64, elapsed time.Duration) string {
		s := what + ": " + fmtBytes(n)
		if total > 0 {
			s += fmt.Sprintf(" of %s (%d%%)", fmtBytes(total), min(100, n*100/total))
		}
		return s + rate(n, elapsed)
	}
}

func rate(n int64, elapsed time.Duration) string {
	if elapsed < 10*time.Millisecond {
		return ""
	}
	return fmt.Sprintf(", %s/s", fmtBytes(int64(float64(n)/elapsed.Seconds())))
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < time.Second:
		return d.Round(time.Millisecond).String()
	case d < time.Minute:
		return d.Round(100 * time.Millisecond).String()
	}
	return d.Round(time.Second).String()
}

// countingReader and countingWriter tell on each transfer how many bytes
// have gone through, and stop when ctx ends (Ctrl-C).
type countingReader struct {
	ctx context.Context
	r   io.Reader
	n   int64
	on  func(int64)
}

func (c *countingReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if n > 0 && c.on != nil {
		c.on(c.n)
	}
	return n, err
}

type countingWriter struct {
	ctx context.Context
	w   io.Writer
	n   int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
