package brokertest

import (
	"crypto/tls"
	"log/slog"
	"net"
	"testing"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// Embedded is an in-process mochi broker open to every client, on a fixed
// free loopback address, for the tests of the protocol's behaviour (access
// is tested on Mosquitto and on replication/broker). It is fast to start and
// can be stopped and started again where clients reconnect to.
type Embedded struct {
	tb   testing.TB
	addr string
	tls  *tls.Config
	srv  *mochi.Server
}

// StartEmbedded starts an embedded broker, with a TLS listener when
// serverTLS is not nil; it stops when the test ends.
func StartEmbedded(tb testing.TB, serverTLS *tls.Config) *Embedded {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	e := &Embedded{tb: tb, addr: ln.Addr().String(), tls: serverTLS}
	ln.Close()
	e.Start()
	tb.Cleanup(e.Stop)
	return e
}

// Addr is the broker's address.
func (e *Embedded) Addr() string { return e.addr }

// URL is the broker's tcp:// (or ssl:// with TLS) URL.
func (e *Embedded) URL() string {
	if e.tls != nil {
		return "ssl://" + e.addr
	}
	return "tcp://" + e.addr
}

// Start serves again on the same address after Stop. The old listener's
// port may linger for a moment, so it waits for it.
func (e *Embedded) Start() {
	e.tb.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ln, err := net.Listen("tcp", e.addr)
		if err == nil {
			ln.Close()
			break
		}
		if time.Now().After(deadline) {
			e.tb.Fatalf("the broker's port %s stays taken: %v", e.addr, err)
		}
	}
	srv := mochi.New(&mochi.Options{Logger: slog.New(slog.DiscardHandler)})
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
		e.tb.Fatal(err)
	}
	if err := srv.AddListener(listeners.NewTCP(listeners.Config{ID: "tcp", Address: e.addr, TLSConfig: e.tls})); err != nil {
		e.tb.Fatalf("listen on %s: %v", e.addr, err)
	}
	if err := srv.Serve(); err != nil {
		e.tb.Fatal(err)
	}
	e.srv = srv
}

// Stop disconnects every client and stops listening.
func (e *Embedded) Stop() {
	if e.srv != nil {
		e.srv.Close()
		e.srv = nil
	}
}

// Restart is Stop then Start.
func (e *Embedded) Restart() {
	e.Stop()
	e.Start()
}
