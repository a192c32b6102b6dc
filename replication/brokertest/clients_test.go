package brokertest

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// errRecorder keeps what Run reports instead of failing the real test.
type errRecorder struct {
	testing.TB
	errs []string
}

func (r *errRecorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

// TestRun: stop cancels the loop and returns only once it has returned,
// reports its error once however often it is called.
func TestRun(t *testing.T) {
	for _, tc := range []struct {
		name    string
		loopErr error
		want    []string
	}{
		{"a clean stop", nil, nil},
		{"a loop that fails", errors.New("saving the ack: disk full"), []string{"publisher: saving the ack: disk full"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &errRecorder{TB: t}
			var returned atomic.Bool
			stop := Run(rec, "publisher", func(ctx context.Context) error {
				<-ctx.Done()
				time.Sleep(10 * time.Millisecond) // work on the way out
				returned.Store(true)
				return tc.loopErr
			})
			stop()
			if !returned.Load() {
				t.Fatal("stop returned before the loop")
			}
			stop()
			if fmt.Sprint(rec.errs) != fmt.Sprint(tc.want) {
				t.Fatalf("reported %q, want %q", rec.errs, tc.want)
			}
		})
	}
}

// TestConnectReconnecting: a Reconnecting client subscribes again in its
// connect handler after the broker restarts, and gets what is published.
func TestConnectReconnecting(t *testing.T) {
	b := StartEmbedded(t, nil)
	var connects atomic.Int32
	got := make(chan string, 16)
	c := Connect(t, Reconnecting(b.URL(), "reconnecting-test").SetOnConnectHandler(func(c mqtt.Client) {
		connects.Add(1)
		c.Subscribe("t/x", 1, func(_ mqtt.Client, m mqtt.Message) { got <- string(m.Payload()) })
	}))
	pub := Connect(t, Reconnecting(b.URL(), "publisher-test"))
	roundTrip := func(payload string) {
		t.Helper()
		// Until the subscription is back, a QoS 1 message to a topic no one
		// holds is dropped: publish again until one arrives (so a round
		// may also see late copies of the one before).
		for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
			pub.Publish("t/x", 1, false, payload).WaitTimeout(time.Second)
			select {
			case p := <-got:
				if p == payload {
					return
				}
				// A late copy of an earlier round's publish: skip it.
			case <-time.After(100 * time.Millisecond):
			}
		}
		t.Fatalf("%q never arrived", payload)
	}
	roundTrip("one")
	b.Restart()
	roundTrip("two")
	if n := connects.Load(); n < 2 {
		t.Fatalf("%d connects, want a reconnect", n)
	}
	if !c.IsConnected() {
		t.Fatal("not connected at the end")
	}
}
