package depot

import (
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/replication"
)

// A backlog of thousands drains to HQ in order, each event applied once,
// byte for byte as stored, with batches no larger than configured.
func TestBacklogDrainsExactly(t *testing.T) {
	b := startBroker(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 3000)
	h := startHQ(t, b)
	var logs syncBuffer
	p := newPublisher(t, Options{Store: s, Broker: b.URL(), BatchEvents: 100, Window: 4,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	stop := run(t, p)
	h.waitHWM(3000, 30*time.Second)
	// Events committed while it runs follow.
	appendParts(t, s, 3000, 250)
	h.waitHWM(3250, 30*time.Second)
	waitFor(t, 5*time.Second, "backlog 0", func() bool { st := p.State(); return st.Backlog == 0 && st.InFlight == 0 })
	stop()
	h.checkExact(s)
	h.mu.Lock()
	for _, bt := range h.batches {
		if n := bt.To - bt.From + 1; n > 100 {
			t.Errorf("batch %d..%d holds %d events, more than 100", bt.From, bt.To, n)
		}
	}
	h.mu.Unlock()
	st := p.State()
	if !(st.AckSeq == 3250 && st.Head == 3250 && st.EventsSent >= 3250 && !st.Connected) {
		t.Errorf("state after stop: %+v", st)
	}
	if a, err := s.ReplicationAck(); err != nil || a.Seq != 3250 || a.Epoch != 1 {
		t.Errorf("remembered ack %+v, %v; want epoch 1 seq 3250", a, err)
	}
	// The drain of the 3000-event backlog is reported from start to end.
	out := logs.String()
	for _, want := range []string{"backlog=3000 ack=0 head=3000", "percent=50", "done=true"} {
		if !strings.Contains(out, want) {
			t.Errorf("the log lacks %q:\n%s", want, out)
		}
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// With acks withheld the publisher stops at its window, and when the ack
// timeout passes on its clock it resends from ack+1; HQ acknowledges the
// repeats and the stream goes on.
func TestNoAckResendsAfterTimeout(t *testing.T) {
	b := startBroker(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 1000)
	h := startHQ(t, b)
	h.withhold.Store(true)
	clock := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newPublisher(t, Options{Store: s, Broker: b.URL(), BatchEvents: 50, Window: 3,
		AckTimeout: time.Minute, Clock: clock})
	run(t, p)
	h.waitHWM(150, 10*time.Second)
	// The window is full: nothing more goes out without an ack, however
	// many ticks pass on the real clock.
	waitFor(t, 5*time.Second, "a full window", func() bool { return p.State().InFlight == 3 })
	time.Sleep(100 * time.Millisecond)
	if hwm, _, _, n := h.state(); hwm != 150 || n != 3 {
		t.Fatalf("with no ack hq got %d batches up to %d, want 3 up to 150", n, hwm)
	}
	if p.State().Resends != 0 {
		t.Fatal("resent before the timeout")
	}
	h.withhold.Store(false)
	clock.Add(time.Minute)
	waitFor(t, 5*time.Second, "a resend", func() bool { return p.State().Resends >= 1 })
	h.waitHWM(1000, 20*time.Second)
	if _, dups, _, _ := h.state(); dups == 0 {
		t.Error("hq saw no repeated batch after the resend")
	}
	h.checkExact(s)
}

// Acks of another epoch, beyond what was sent, or undecodable are ignored
// and counted; none moves the ack.
func TestBadAcksIgnored(t *testing.T) {
	b := startBroker(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 200)
	h := startHQ(t, b)
	h.withhold.Store(true)
	p := newPublisher(t, Options{Store: s, Broker: b.URL(), BatchEvents: 50, Window: 2, AckTimeout: time.Hour})
	run(t, p)
	h.waitHWM(100, 10*time.Second)
	waitFor(t, 5*time.Second, "the window full", func() bool { return p.State().SentSeq == 100 })
	ackTopic := replication.Topic(testDepot, replication.KindAck)
	for _, tc := range []struct {
		name    string
		payload string
	}{
		{"another epoch", `{"v":1,"epoch":7,"seq":50}`},
		{"beyond what was sent", `{"v":1,"epoch":1,"seq":150}`},
		{"beyond the head", `{"v":1,"epoch":1,"seq":5000}`},
		{"another version", `{"v":2,"epoch":1,"seq":50}`},
		{"not json", `ack 50`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := p.State().AcksIgnored
			publish(t, h.client, ackTopic, []byte(tc.payload))
			waitFor(t, 5*time.Second, "the ack counted", func() bool { return p.State().AcksIgnored == before+1 })
			if st := p.State(); st.AckSeq != 0 {
				t.Fatalf("the ack moved to %d", st.AckSeq)
			}
		})
	}
	good, _ := json.Marshal(replication.Ack{V: 1, Epoch: 1, Seq: 100})
	publish(t, h.client, ackTopic, good)
	h.withhold.Store(false)
	waitFor(t, 5*time.Second, "the good ack", func() bool { return p.State().AckSeq >= 100 })
	h.waitHWM(200, 10*time.Second)
	h.checkExact(s)
}

func publish(t *testing.T, c mqtt.Client, topic string, payload []byte) {
	t.Helper()
	if tok := c.Publish(topic, 1, true, payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
}
