package brokertest

import (
	"context"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// connectWithin bounds a test client's first connect: generous, because CI
// runs every package's race-enabled tests at once on two cores.
const connectWithin = 60 * time.Second

// Reconnecting is the options of a raw test client (a test playing HQ or a
// depot with hand-made payloads) that comes back within a fraction of a
// second when the broker restarts, so a test waits on its subject, not on
// paho's backoff. With a clean session it subscribes in its
// OnConnectHandler, which runs again on each reconnect. An attempt that
// reached a broker on its way down (its listener took the TCP connection
// but nothing will answer it) is given up after a few seconds rather than
// paho's 30, and tried again.
func Reconnecting(url, id string) *mqtt.ClientOptions {
	return mqtt.NewClientOptions().AddBroker(url).SetClientID(id).
		SetCleanSession(true).SetAutoReconnect(true).SetConnectRetry(true).SetConnectTimeout(3 * time.Second).
		SetConnectRetryInterval(50 * time.Millisecond).SetMaxReconnectInterval(200 * time.Millisecond)
}

// Connect connects a raw client with opts, failing the test when it cannot,
// and disconnects it when the test ends.
func Connect(tb testing.TB, opts *mqtt.ClientOptions) mqtt.Client {
	tb.Helper()
	c := mqtt.NewClient(opts)
	if tok := c.Connect(); !tok.WaitTimeout(connectWithin) || tok.Error() != nil {
		tb.Fatalf("connect %s: %v", opts.ClientID, tok.Error())
	}
	tb.Cleanup(func() { c.Disconnect(100) })
	return c
}

// Run runs loop (a publisher's or a subscriber's Run) in its own goroutine
// until the returned stop, or the test's end, cancels it. stop waits for
// loop to return, so what loop saves on its way out (an ack, an offline
// status) is done, and reports loop's error as what's; it may be called
// more than once.
func Run(tb testing.TB, what string, loop func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- loop(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				tb.Errorf("%s: %v", what, err)
			}
		})
	}
	tb.Cleanup(stop)
	return stop
}
