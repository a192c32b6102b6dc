package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"time"

	"github.com/partsedge/partsedge/devices"
)

// DialTCP connects to a network reader or a serial-over-IP adapter (a
// "serial server" that passes a TCP stream to the device's RS-232 port).
func DialTCP(ctx context.Context, addr string) (devices.Link, error) {
	var d net.Dialer
	d.KeepAlive = 15 * time.Second // notice a reader that lost power
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	return &tcpLink{conn: c}, nil
}

type tcpLink struct {
	conn    net.Conn
	timeout atomic.Int64
}

func (l *tcpLink) Read(p []byte) (int, error) {
	if d := time.Duration(l.timeout.Load()); d > 0 {
		if err := l.conn.SetReadDeadline(time.Now().Add(d)); err != nil {
			return 0, err
		}
	} else if err := l.conn.SetReadDeadline(time.Time{}); err != nil {
		return 0, err
	}
	n, err := l.conn.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if n > 0 {
			return n, nil
		}
		return 0, devices.ErrTimeout
	}
	return n, err
}

func (l *tcpLink) Write(p []byte) (int, error) { return l.conn.Write(p) }

func (l *tcpLink) SetReadTimeout(d time.Duration) error {
	l.timeout.Store(int64(d))
	return nil
}

func (l *tcpLink) Close() error { return l.conn.Close() }
