package transport

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"
	"time"

	"go.bug.st/serial"

	"github.com/partsedge/partsedge/devices"
)

// SerialMode is a serial line's settings.
type SerialMode struct {
	Baud     int
	DataBits int    // 0 means 8
	Parity   string // none (default), odd, even
	StopBits int    // 0 means 1
}

func (m SerialMode) native() (*serial.Mode, error) {
	mode := &serial.Mode{BaudRate: m.Baud, DataBits: m.DataBits, Parity: serial.NoParity, StopBits: serial.OneStopBit}
	if mode.BaudRate == 0 {
		mode.BaudRate = 9600
	}
	if mode.DataBits == 0 {
		mode.DataBits = 8
	}
	switch m.Parity {
	case "", "none":
	case "odd":
		mode.Parity = serial.OddParity
	case "even":
		mode.Parity = serial.EvenParity
	default:
		return nil, fmt.Errorf("parity %q: none, odd or even", m.Parity)
	}
	switch m.StopBits {
	case 0, 1:
	case 2:
		mode.StopBits = serial.TwoStopBits
	default:
		return nil, fmt.Errorf("stop bits %d: 1 or 2", m.StopBits)
	}
	return mode, nil
}

// OpenSerial opens a serial port. The path may be a symlink (a udev rule's
// /dev/serial/by-id name, or devsim's link to its pseudo-terminal).
func OpenSerial(path string, m SerialMode) (devices.Link, error) {
	mode, err := m.native()
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	p, err := serial.Open(path, mode)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return &serialLink{port: p, path: path}, nil
}

type serialLink struct {
	port serial.Port
	path string
	wmu  sync.Mutex
}

func (l *serialLink) Read(p []byte) (int, error) {
	n, err := l.port.Read(p)
	if n == 0 && err == nil {
		// go.bug.st/serial reports a read timeout as (0, nil).
		return 0, devices.ErrTimeout
	}
	if err != nil {
		return n, fmt.Errorf("read %s: %w", l.path, err)
	}
	return n, nil
}

// Write writes all of p. The port is opened non-blocking, so a full output
// buffer shows up as EAGAIN; waiting briefly and going on is what a blocking
// write would have done.
func (l *serialLink) Write(p []byte) (int, error) {
	l.wmu.Lock()
	defer l.wmu.Unlock()
	done := 0
	deadline := time.Now().Add(5 * time.Second)
	for done < len(p) {
		n, err := l.port.Write(p[done:])
		done += n
		if errors.Is(err, syscall.EAGAIN) || (err == nil && n == 0) {
			if time.Now().After(deadline) {
				return done, fmt.Errorf("write %s: %w", l.path, os.ErrDeadlineExceeded)
			}
			time.Sleep(time.Millisecond)
			continue
		}
		if err != nil {
			return done, fmt.Errorf("write %s: %w", l.path, err)
		}
	}
	return done, nil
}

func (l *serialLink) SetReadTimeout(d time.Duration) error {
	if d <= 0 {
		d = serial.NoTimeout
	}
	return l.port.SetReadTimeout(d)
}

func (l *serialLink) Close() error { return l.port.Close() }
