package depot

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
)

const testDepot = "D1"

func startBroker(tb testing.TB) *brokertest.Embedded { return brokertest.StartEmbedded(tb, nil) }

// freeAddr is a loopback address nothing listens on.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func openStore(tb testing.TB, dir string) *inventory.Store {
	tb.Helper()
	s, err := inventory.Open(inventory.Options{Dir: dir, Depot: testDepot, GCInterval: -1,
		Log: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// appendParts appends n part definitions from several writers, so they
// share fsyncs.
func appendParts(tb testing.TB, s *inventory.Store, first, n int) {
	tb.Helper()
	var next atomic.Int64
	next.Store(int64(first))
	end := int64(first + n)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= end {
					return
				}
				_, err := s.Append(context.Background(), inventory.Command{Type: inventory.EvPartDefined,
					Actor: "test", Part: &inventory.Part{SKU: fmt.Sprintf("P%07d", i)}})
				if err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		tb.Fatal(err)
	}
}

// hq is the test's stand-in for HQ: it follows the protocol's rules (apply
// the exact continuation of its high-water mark, acknowledge duplicates,
// ignore gaps) and records what it applied.
type hq struct {
	tb     testing.TB
	client mqtt.Client
	depot  string

	withhold atomic.Bool // apply but publish no ack

	mu         sync.Mutex
	epoch      uint32
	hwm        uint64
	lastHash   string
	applied    []uint64
	raws       [][]byte
	batches    []replication.Batch // every batch received, header only
	dups, gaps int
	rejected   int
	changed    chan struct{}
}

func startHQ(tb testing.TB, b *brokertest.Embedded) *hq {
	tb.Helper()
	h := &hq{tb: tb, depot: testDepot, changed: make(chan struct{}, 1)}
	events := replication.Topic(testDepot, replication.KindEvents)
	// Paho's handlers must not call Publish (it can block on a dying
	// connection while the router waits for the handler): batches go to a
	// worker that applies and acknowledges them in arrival order.
	inbox := make(chan []byte, 4096)
	stop := make(chan struct{})
	go func() {
		for {
			select {
			case payload := <-inbox:
				h.onBatch(payload)
			case <-stop:
				return
			}
		}
	}()
	// Closed before the client disconnects (cleanups run last first), so
	// a handler blocked on a full inbox lets paho's router go.
	tb.Cleanup(func() { close(stop) })
	opts := brokertest.Reconnecting(b.URL(), "hq-test").SetWriteTimeout(time.Second).
		SetOnConnectHandler(func(c mqtt.Client) {
			c.Subscribe(events, 1, func(_ mqtt.Client, m mqtt.Message) {
				select {
				case inbox <- m.Payload():
				case <-stop:
				}
			})
		})
	h.client = brokertest.Connect(tb, opts)
	return h
}

func (h *hq) onBatch(payload []byte) {
	b, evs, err := replication.DecodeBatch(h.depot, payload)
	h.mu.Lock()
	defer func() {
		h.mu.Unlock()
		select {
		case h.changed <- struct{}{}:
		default:
		}
	}()
	if err != nil {
		h.rejected++
		h.tb.Errorf("hq: batch rejected: %v", err)
		return
	}
	b.Events = nil
	h.batches = append(h.batches, b)
	switch {
	case b.From <= h.hwm:
		// A repeat, or one that overlaps what is applied (a resend cut at
		// other boundaries): acknowledged so the depot goes on from hwm+1.
		h.dups++
	case b.From != h.hwm+1:
		h.gaps++
		return
	default:
		if evs[0].PrevHash != h.lastHash {
			h.tb.Errorf("hq: batch %d..%d does not chain to event %d", b.From, b.To, h.hwm)
			return
		}
		raws := batchEvents(h.tb, payload)
		for i, ev := range evs {
			h.applied = append(h.applied, ev.Seq)
			h.raws = append(h.raws, raws[i])
		}
		h.epoch, h.hwm, h.lastHash = b.Epoch, b.To, evs[len(evs)-1].Hash
	}
	if h.withhold.Load() {
		return
	}
	ack, _ := json.Marshal(replication.Ack{V: replication.Version, Epoch: h.epoch, Seq: h.hwm})
	// Not waited for: a PUBACK adds nothing, a lost ack costs a resend.
	h.client.Publish(replication.Topic(h.depot, replication.KindAck), 1, true, ack)
}

// batchEvents returns a batch's events as they came, to compare with the
// store's bytes.
func batchEvents(tb testing.TB, payload []byte) []json.RawMessage {
	var b replication.Batch
	if err := json.Unmarshal(payload, &b); err != nil {
		tb.Error(err)
	}
	return b.Events
}

func (h *hq) state() (hwm uint64, dups, gaps, batches int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hwm, h.dups, h.gaps, len(h.batches)
}

// waitHWM waits until HQ has applied up to seq.
func (h *hq) waitHWM(seq uint64, within time.Duration) {
	h.tb.Helper()
	deadline := time.After(within)
	for {
		if hwm, _, _, _ := h.state(); hwm >= seq {
			return
		}
		select {
		case <-h.changed:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			hwm, dups, gaps, n := h.state()
			h.tb.Fatalf("hq applied up to %d, want %d (batches %d, duplicates %d, gaps %d)", hwm, seq, n, dups, gaps)
		}
	}
}

// checkExact checks HQ applied exactly events 1..head of the store, each
// once, in order and byte for byte as stored.
func (h *hq) checkExact(s *inventory.Store) {
	h.tb.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	head := s.Head().Seq
	if uint64(len(h.applied)) != head {
		h.tb.Fatalf("hq applied %d events, the log holds %d", len(h.applied), head)
	}
	for i, seq := range h.applied {
		if seq != uint64(i+1) {
			h.tb.Fatalf("hq applied event %d at position %d", seq, i+1)
		}
	}
	i := 0
	err := s.EachRawEvent(0, func(seq uint64, raw []byte) error {
		if string(raw) != string(h.raws[i]) {
			return fmt.Errorf("event %d differs at hq", seq)
		}
		i++
		return nil
	})
	if err != nil {
		h.tb.Fatal(err)
	}
}

// run starts a publisher and returns a stop function that waits for Run.
func run(tb testing.TB, p *Publisher) (stop func()) { return brokertest.Run(tb, "publisher", p.Run) }

func newPublisher(tb testing.TB, o Options) *Publisher {
	tb.Helper()
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Poll == 0 {
		o.Poll = 10 * time.Millisecond
	}
	if o.ReconnectMax == 0 {
		o.ReconnectMax = 200 * time.Millisecond
	}
	p, err := New(o)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// waitFor polls cond; the tests wait on outcomes, never on durations.
func waitFor(tb testing.TB, within time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func discardLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

// manualClock is a clock the test moves.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}
