package notify

import (
	"context"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/broker"
	"github.com/partsedge/partsedge/replication/brokertest"
	"github.com/partsedge/partsedge/replication/hq"
)

// TestNoticesReachHQ: depot D1's notices go through the embedded broker
// (passwords, the protocol's access rule) to a real HQ store. Then the
// depot stops, more notices are raised and one cleared while it is down,
// and the depot comes back on its reopened store: HQ
// ends with every notice exactly once by id, the cleared one cleared, and
// the depot's durable cursor at the end of its log.
func TestNoticesReachHQ(t *testing.T) {
	users := map[string]string{"hq": "hq-pw", "D1": "d1-pw"}
	b, err := broker.Start(broker.Options{Addr: "127.0.0.1:0", Users: users, HQ: "hq", Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	h, err := hq.Open(hq.Options{Dir: t.TempDir(), Log: quiet()})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	sub, err := h.Subscribe(t.Context(), hq.MQTTOptions{Broker: b.URL(), User: "hq", Password: "hq-pw", ClientID: "hq-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	eventually(t, "HQ subscribed", sub.Connected)

	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	start := func(s *inventory.Store) (*Notifier, *Publisher, func()) {
		n := New(s, Options{Now: c.Now, Log: quiet()})
		p, err := n.MQTT(MQTTOptions{Broker: b.URL(), Username: "D1", Password: "d1-pw", AckTimeout: 300 * time.Millisecond,
			Poll: 20 * time.Millisecond, Batch: 3, ReconnectMax: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- p.Run(ctx) }()
		return n, p, func() {
			cancel()
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}
	atHQ := func() []inventory.Notice {
		all, err := h.Notices(hq.NoticeFilter{Depot: "D1"})
		if err != nil {
			t.Fatal(err)
		}
		return all
	}

	s := openStore(t, dir, c)
	seed(t, s)
	n, p, stop := start(s)
	if _, err := n.Sync(); err != nil { // the first pass: history is no news
		t.Fatal(err)
	}
	mustAppend(t, s, receipt("", inventory.Line{SKU: "PL", Qty: 4, To: "A", Lot: "L1", Expiry: "2026-03-05"}))
	if w, err := n.Sync(); err != nil || len(w) != 1 {
		t.Fatalf("wrote %+v, %v", w, err)
	}
	raiseN(t, s, 1, 7, c.Now())
	n.wake()
	eventually(t, "eight notices at HQ", func() bool { return len(atHQ()) == 8 })
	eventually(t, "the depot's cursor at 8", func() bool { return p.Stats().Cursor == 8 })
	stop()

	// While the depot is down: the lot is scrapped (its notice clears) and
	// two more announcements are written.
	mustAppend(t, s, inventory.Command{Type: inventory.EvScrap, Actor: "sk", Note: "damaged", Lines: []inventory.Line{{SKU: "PL", Qty: 4, From: "A", Lot: "L1"}}})
	if w, err := New(s, Options{Now: c.Now}).Sync(); err != nil || len(w) != 1 || w[0].State != inventory.NoticeCleared {
		t.Fatalf("wrote %+v, %v", w, err)
	}
	raiseN(t, s, 8, 2, c.Now())
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s = openStore(t, dir, c)
	defer s.Close()
	_, p, stop = start(s)
	defer stop()
	eventually(t, "the depot's cursor at 11", func() bool { return p.Stats().Cursor == 11 })
	all := atHQ()
	if len(all) != 10 {
		t.Fatalf("HQ holds %d notices, want 10: %+v", len(all), all)
	}
	seen := map[string]bool{}
	var cleared int
	for _, x := range all {
		if seen[x.ID] || x.Depot != "D1" {
			t.Fatalf("notice %+v twice or of another depot", x)
		}
		seen[x.ID] = true
		if x.Kind == inventory.ReminderLotExpiring {
			if x.State != inventory.NoticeCleared || x.ClearedAt == nil {
				t.Errorf("the scrapped lot's notice at HQ: %+v", x)
			}
			cleared++
		}
	}
	if cleared != 1 {
		t.Errorf("%d lot notices at HQ, want 1", cleared)
	}
	open, err := h.Notices(hq.NoticeFilter{Open: true})
	if err != nil || len(open) != 0 {
		t.Errorf("open at HQ: %+v, %v (announcements are never open)", open, err)
	}
	if cur, ok, err := s.NoticeCursor(mqttCursor); err != nil || !ok || cur != 11 {
		t.Errorf("durable cursor %d %v %v", cur, ok, err)
	}
}

// TestPublisherResendsUntilAcked: HQ (a bare client here) does not answer
// at first: the publisher sends the batch again after AckTimeout, and only
// HQ's ack moves the durable cursor. An ack beyond the notice log, or one
// that is not an ack, is ignored.
func TestPublisherResendsUntilAcked(t *testing.T) {
	b := brokertest.StartEmbedded(t, nil)
	hqc := brokertest.Connect(t, brokertest.Reconnecting(b.URL(), "fake-hq"))
	var mu sync.Mutex
	var got []replication.NoticeBatch
	tok := hqc.Subscribe(replication.Topic("D1", replication.KindNotices), 1, func(_ mqtt.Client, m mqtt.Message) {
		nb, err := replication.DecodeNoticeBatch("D1", m.Payload())
		if err != nil {
			t.Errorf("batch: %v", err)
			return
		}
		mu.Lock()
		got = append(got, nb)
		mu.Unlock()
	})
	if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribe: %v", tok.Error())
	}
	batches := func() []replication.NoticeBatch {
		mu.Lock()
		defer mu.Unlock()
		return append([]replication.NoticeBatch(nil), got...)
	}
	ack := func(payload string) {
		t.Helper()
		tok := hqc.Publish(replication.Topic("D1", replication.KindNoticesAck), 1, true, payload)
		if !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("ack: %v", tok.Error())
		}
	}

	s := openStore(t, t.TempDir(), &clock{t: time.Now()})
	defer s.Close()
	raiseN(t, s, 1, 3, time.Now())
	n := New(s, Options{Log: quiet()})
	p, err := n.MQTT(MQTTOptions{Broker: b.URL(), AckTimeout: 150 * time.Millisecond, Poll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	defer func() { cancel(); <-done }()

	eventually(t, "the batch sent twice", func() bool { return len(batches()) >= 2 })
	for _, nb := range batches() {
		if nb.From != 1 || nb.To != 3 || len(nb.Notices) != 3 {
			t.Fatalf("batch %d..%d with %d notices, want 1..3", nb.From, nb.To, len(nb.Notices))
		}
	}
	if c, _, _ := s.NoticeCursor(mqttCursor); c != 0 || p.Stats().Resends == 0 {
		t.Fatalf("cursor %d, stats %+v before any ack", c, p.Stats())
	}
	ack(`{"v":1,"seq":99}`) // beyond the log
	ack(`not an ack`)
	eventually(t, "two acks ignored", func() bool { return p.Stats().Ignored == 2 })
	ack(`{"v":1,"seq":3}`)
	eventually(t, "the cursor at 3", func() bool { c, _, _ := s.NoticeCursor(mqttCursor); return c == 3 })
	sent := len(batches())
	raiseN(t, s, 4, 1, time.Now())
	n.wake()
	eventually(t, "the next batch", func() bool {
		all := batches()
		return len(all) > sent && all[len(all)-1].From == 4 && all[len(all)-1].To == 4
	})
}
