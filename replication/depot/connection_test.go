package depot

import (
	"io"
	"net"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
)

// The broker restarted five times mid-stream (losing every queued
// message and the retained ack) while the depot keeps appending: the
// publisher reconnects, resends from its ack, and HQ ends with the log
// exactly.
func TestBrokerRestartMidStream(t *testing.T) {
	b := startBroker(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 2000)
	h := startHQ(t, b)
	p := newPublisher(t, Options{Store: s, Broker: b.URL(), BatchEvents: 100, Window: 4,
		AckTimeout: 300 * time.Millisecond})
	run(t, p)
	// A writer keeps committing in small groups the whole time, so every
	// restart falls in the middle of the stream.
	writing := make(chan struct{})
	written := make(chan int)
	go func() {
		next := 2000
		defer func() { written <- next }()
		for {
			select {
			case <-writing:
				return
			default:
			}
			appendParts(t, s, next, 20)
			next += 20
			time.Sleep(5 * time.Millisecond)
		}
	}()
	for i := range 5 {
		h.waitHWM(uint64(400*(i+1)), 20*time.Second)
		b.Stop()
		waitFor(t, 5*time.Second, "the publisher to notice", func() bool { return !p.State().Connected })
		time.Sleep(20 * time.Millisecond) // events pile up while the broker is down
		b.Restart()
		waitFor(t, 10*time.Second, "the publisher to reconnect", func() bool { return p.State().Connected })
	}
	close(writing)
	next := <-written
	h.waitHWM(uint64(next), 60*time.Second)
	h.checkExact(s)
	if st := p.State(); st.Connects != 6 || st.Resends == 0 {
		t.Errorf("after 5 broker restarts: %+v", st)
	}
}

// A publisher started while the broker is away keeps the events committed
// meanwhile and sends them once it connects.
func TestOfflineEventsSentOnConnect(t *testing.T) {
	b := startBroker(t)
	b.Stop()
	s := openStore(t, t.TempDir())
	defer s.Close()
	p := newPublisher(t, Options{Store: s, Broker: b.URL(), BatchEvents: 100})
	run(t, p)
	appendParts(t, s, 0, 700)
	if st := p.State(); st.Connected || st.EventsSent != 0 {
		t.Fatalf("with no broker: %+v", st)
	}
	waitFor(t, 5*time.Second, "the backlog counted", func() bool { return p.State().Backlog == 700 })
	b.Restart()
	h := startHQ(t, b)
	h.waitHWM(700, 20*time.Second)
	h.checkExact(s)
}

// A restarted depot resumes after the ack it remembered: nothing HQ
// acknowledged before the restart is sent again.
func TestDepotRestartResumesFromRememberedAck(t *testing.T) {
	b := startBroker(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	appendParts(t, s, 0, 1000)
	h := startHQ(t, b)
	p := newPublisher(t, Options{Store: s, Broker: b.URL(), BatchEvents: 100})
	stop := run(t, p)
	h.waitHWM(1000, 20*time.Second)
	waitFor(t, 5*time.Second, "the last ack", func() bool { return p.State().AckSeq == 1000 })
	stop()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, _, _, before := h.state()

	s = openStore(t, dir)
	defer s.Close()
	appendParts(t, s, 1000, 500)
	p = newPublisher(t, Options{Store: s, Broker: b.URL(), BatchEvents: 100})
	if st := p.State(); st.AckSeq != 1000 {
		t.Fatalf("restarted publisher starts at ack %d, want 1000", st.AckSeq)
	}
	run(t, p)
	h.waitHWM(1500, 20*time.Second)
	h.checkExact(s)
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, bt := range h.batches[before:] {
		if bt.From <= 1000 {
			t.Errorf("after the restart the depot sent %d..%d again", bt.From, bt.To)
		}
	}
}

// The status topic says online while the depot is connected, offline (the
// broker's last will) when its connection dies, and offline on a clean stop.
func TestStatusAndLastWill(t *testing.T) {
	b := startBroker(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 10)
	statuses := watchStatus(t, b)

	px := startProxy(t, b.Addr())
	p := newPublisher(t, Options{Store: s, Broker: "tcp://" + px.addr, Version: "v9.9.9"})
	run(t, p)
	st := statuses.next(t)
	if st.State != replication.StateOnline || st.Version != "v9.9.9" || st.LastSeq != 10 || st.Epoch != 1 {
		t.Fatalf("first status %+v", st)
	}
	px.kill()
	if st := statuses.next(t); st.State != replication.StateOffline {
		t.Fatalf("after the connection died: %+v", st)
	}

	// A clean stop publishes offline itself: a clean disconnect fires no will.
	p2 := newPublisher(t, Options{Store: s, Broker: b.URL(), ClientID: "partsedge-depot-D1-b"})
	stop := run(t, p2)
	if st := statuses.next(t); st.State != replication.StateOnline {
		t.Fatalf("second publisher: %+v", st)
	}
	stop()
	if st := statuses.next(t); st.State != replication.StateOffline || st.LastSeq != 10 {
		t.Fatalf("after a clean stop: %+v", st)
	}
}

// statusFeed delivers the statuses a watcher receives; next skips a
// repeat of the one before, which QoS 1 allows.
type statusFeed struct {
	ch   chan replication.Status
	last *replication.Status
}

func watchStatus(t *testing.T, b *brokertest.Embedded) statusFeed {
	t.Helper()
	feed := statusFeed{ch: make(chan replication.Status, 16), last: new(replication.Status)}
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID("status-watch"))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(0) })
	tok := c.Subscribe(replication.Topic(testDepot, replication.KindStatus), 1, func(_ mqtt.Client, m mqtt.Message) {
		st, err := replication.DecodeStatus(testDepot, m.Payload())
		if err != nil {
			t.Errorf("status: %v", err)
			return
		}
		feed.ch <- st
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	return feed
}

func (f statusFeed) next(t *testing.T) replication.Status {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case st := <-f.ch:
			if st == *f.last {
				continue
			}
			*f.last = st
			return st
		case <-deadline:
			t.Fatal("no status came")
			return replication.Status{}
		}
	}
}

// proxy forwards TCP to the broker so a test can cut a client's connection
// without the client saying goodbye.
type proxy struct {
	addr  string
	ln    net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func startProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	px := &proxy{addr: ln.Addr().String(), ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			px.mu.Lock()
			px.conns = append(px.conns, c, up)
			px.mu.Unlock()
			go func() { _, _ = io.Copy(up, c); up.Close() }()
			go func() { _, _ = io.Copy(c, up); c.Close() }()
		}
	}()
	t.Cleanup(px.kill)
	return px
}

func (px *proxy) kill() {
	px.ln.Close()
	px.mu.Lock()
	defer px.mu.Unlock()
	for _, c := range px.conns {
		c.Close()
	}
	px.conns = nil
}

// A publisher that never reached its broker still stops promptly and
// remembers nothing it was not told.
func TestStopWithoutBroker(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 5)
	p := newPublisher(t, Options{Store: s, Broker: "tcp://" + freeAddr(t)})
	stop := run(t, p)
	waitFor(t, 5*time.Second, "the backlog counted", func() bool { return p.State().Backlog == 5 })
	done := make(chan struct{})
	go func() { stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return after its context ended")
	}
	if a, err := s.ReplicationAck(); err != nil || a.Seq != 0 {
		t.Fatalf("remembered ack %+v, %v", a, err)
	}
}

// While connected, the online status is published again once the log has
// grown and StatusEvery has passed on the publisher's clock.
func TestStatusFollowsTheHead(t *testing.T) {
	b := startBroker(t)
	s := openStore(t, t.TempDir())
	defer s.Close()
	appendParts(t, s, 0, 3)
	statuses := watchStatus(t, b)
	clock := &manualClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	p := newPublisher(t, Options{Store: s, Broker: b.URL(), Clock: clock, StatusEvery: time.Minute})
	run(t, p)
	if st := statuses.next(t); st.State != replication.StateOnline || st.LastSeq != 3 {
		t.Fatalf("first status %+v", st)
	}
	appendParts(t, s, 3, 4)
	clock.Add(time.Minute)
	// QoS 1 may deliver the first status twice: wait for the new one.
	deadline := time.After(10 * time.Second)
	for {
		select {
		case st := <-statuses.ch:
			if st.LastSeq == 3 {
				continue
			}
			if st.State != replication.StateOnline || st.LastSeq != 7 || !st.At.Equal(clock.Now()) {
				t.Fatalf("refreshed status %+v", st)
			}
			return
		case <-deadline:
			t.Fatal("no refreshed status")
		}
	}
}
