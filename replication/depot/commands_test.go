package depot

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
)

var cmdAt = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// hqCommands plays HQ's command end with raw payloads, so the test decides
// exactly what the depot receives: duplicates, gaps, overlaps, junk.
type hqCommands struct {
	tb     testing.TB
	client mqtt.Client

	mu   sync.Mutex
	acks []replication.CommandAck
}

func startHQCommands(tb testing.TB, b *brokertest.Embedded) *hqCommands {
	tb.Helper()
	h := &hqCommands{tb: tb}
	ackTopic := replication.Topic(testDepot, replication.KindCommandsAck)
	opts := brokertest.Reconnecting(b.URL(), "hq-commands-test").
		SetOnConnectHandler(func(c mqtt.Client) {
			c.Subscribe(ackTopic, 1, func(_ mqtt.Client, m mqtt.Message) {
				if len(m.Payload()) == 0 {
					return
				}
				a, err := replication.DecodeCommandAck(m.Payload())
				if err != nil {
					tb.Errorf("the depot published a bad command ack: %v", err)
					return
				}
				h.mu.Lock()
				h.acks = append(h.acks, a)
				h.mu.Unlock()
			})
		})
	h.client = brokertest.Connect(tb, opts)
	return h
}

func (h *hqCommands) publish(payload []byte) {
	h.tb.Helper()
	tok := h.client.Publish(replication.Topic(testDepot, replication.KindCommands), 1, false, payload)
	if !tok.WaitTimeout(60*time.Second) || tok.Error() != nil {
		h.tb.Fatalf("publish commands: %v", tok.Error())
	}
}

// send publishes commands from..from+len-1 as planner "anna".
func (h *hqCommands) send(from uint64, cmds ...inventory.Command) {
	h.tb.Helper()
	h.publish(cmdBatch(h.tb, from, "anna", cmds...))
}

func cmdBatch(tb testing.TB, from uint64, actor string, cmds ...inventory.Command) []byte {
	tb.Helper()
	b := replication.CommandBatch{V: replication.Version, Depot: testDepot, From: from, To: from + uint64(len(cmds)) - 1}
	for i, c := range cmds {
		b.Commands = append(b.Commands, replication.CommandEntry{Seq: from + uint64(i), Actor: actor, At: cmdAt, Command: c})
	}
	out, err := json.Marshal(b)
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func (h *hqCommands) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.acks)
}

// waitAck waits for an ack up to seq received after the first n acks,
// and returns it.
func (h *hqCommands) waitAck(n int, seq uint64) replication.CommandAck {
	h.tb.Helper()
	var got replication.CommandAck
	waitFor(h.tb, 60*time.Second, "a command ack", func() bool {
		h.mu.Lock()
		defer h.mu.Unlock()
		for _, a := range h.acks[min(n, len(h.acks)):] {
			if a.Seq == seq {
				got = a
				return true
			}
		}
		return false
	})
	return got
}

func resultOf(a replication.CommandAck, seq uint64) (replication.CommandResult, bool) {
	for _, r := range a.Results {
		if r.Seq == seq {
			return r, true
		}
	}
	return replication.CommandResult{}, false
}

// hqEvents are the store's events appended by HQ's commands, by command seq.
func hqEvents(tb testing.TB, s *inventory.Store) map[string]int {
	tb.Helper()
	out := map[string]int{}
	err := s.EachRawEvent(0, func(_ uint64, raw []byte) error {
		var ev inventory.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		if ev.Actor == "hq" || len(ev.Actor) > 3 && ev.Actor[:3] == "hq." {
			out[ev.IdempotencyKey]++
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

func part(sku string) inventory.Command {
	return inventory.Command{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: sku}}
}

// TestCommandsAppliedOnce: through a real broker, the depot applies HQ's
// commands in seq order, each once, as "hq.<planner>" with the command's
// idempotency key: a duplicate is acknowledged again and applies nothing,
// a gap is ignored until HQ fills it, an overlapping resend applies only
// what is new, a refusal is final and reported with its code, a batch HQ
// may not send is dropped unanswered. Across a depot restart (store
// closed and reopened, a new publisher) the cursor
// and the outcomes hold, and a command appended before a crash that
// struck before the cursor moved is replayed, not appended twice. (Broker
// restarts are proven with HQ's real end against Mosquitto, in package hq.)
func TestCommandsAppliedOnce(t *testing.T) {
	b := startBroker(t)
	dir := t.TempDir()
	s := openStore(t, dir)
	hqc := startHQCommands(t, b)
	p := newPublisher(t, Options{Store: s, Broker: b.URL()})
	stop := run(t, p)
	waitFor(t, 60*time.Second, "connected", func() bool { return p.State().Connected })
	// On connect the depot says where it is: nothing done yet.
	hqc.waitAck(0, 0)

	n := hqc.count()
	hqc.send(1, part("PN"), inventory.Command{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A"}})
	a := hqc.waitAck(n, 2)
	r1, _ := resultOf(a, 1)
	r2, _ := resultOf(a, 2)
	if r1.Event != 1 || r2.Event != 2 || r1.Code != "" {
		t.Fatalf("ack %+v", a)
	}
	ev, err := s.Event(1)
	if err != nil || ev.Actor != "hq.anna" || ev.IdempotencyKey != "hq-command-1" || ev.Part.SKU != "PN" {
		t.Fatalf("event 1: %+v %v", ev, err)
	}

	// The duplicate is acknowledged again with the same outcomes.
	n = hqc.count()
	hqc.send(1, part("PN"), inventory.Command{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A"}})
	if a := hqc.waitAck(n, 2); len(a.Results) != 2 || s.Head().Seq != 2 {
		t.Fatalf("after the duplicate: ack %+v, head %d", a, s.Head().Seq)
	}

	// A gap is ignored; the batch that fills it applies, then the one
	// past it, overlapping what was applied, applies only what is new.
	hqc.send(4, part("P4"))
	n = hqc.count()
	hqc.send(3, part("P3"))
	hqc.waitAck(n, 3)
	n = hqc.count()
	hqc.send(2, inventory.Command{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A"}}, part("P3"), part("P4"))
	hqc.waitAck(n, 4)
	if st := p.CommandStats(); st.Gaps != 1 || st.Applied != 4 || st.Cursor != 4 {
		t.Fatalf("stats %+v", st)
	}

	// A refusal by the depot's rules is an outcome: the cursor moves on.
	n = hqc.count()
	hqc.send(5, inventory.Command{Type: inventory.EvTransferApproved, Ref: "NOPE"})
	a = hqc.waitAck(n, 5)
	if r, _ := resultOf(a, 5); r.Code != string(inventory.CodeNotFound) || r.Event != 0 || r.Detail == "" {
		t.Fatalf("refusal %+v", r)
	}

	// Junk and what HQ may not send are dropped unanswered.
	hqc.publish([]byte("{"))
	hqc.publish([]byte(`{"v":1,"depot":"D1","from":6,"to":6,"commands":[{"seq":6,"at":"2026-11-24T09:00:00Z","command":{"type":"receipt","lines":[{"sku":"PN","qty":5,"to":"A"}]}}]}`))
	waitFor(t, 60*time.Second, "the rejections", func() bool { return p.CommandStats().Rejected == 2 })

	n = hqc.count()
	hqc.send(6, part("P6"))
	hqc.waitAck(n, 6)

	// The depot restarts, and before that crashed between appending
	// command 7 and moving its cursor: the event is there, the cursor not.
	stop()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir)
	defer s.Close()
	crashed, err := s.Append(context.Background(), inventory.Command{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "P7"},
		Actor: "hq.anna", IdempotencyKey: replication.CommandIdempotencyKey(7)})
	if err != nil {
		t.Fatal(err)
	}
	head := s.Head().Seq
	p = newPublisher(t, Options{Store: s, Broker: b.URL()})
	run(t, p)
	waitFor(t, 60*time.Second, "connected again", func() bool { return p.State().Connected })
	n = hqc.count()
	hqc.send(7, part("P7"), part("P8"))
	a = hqc.waitAck(n, 8)
	r7, _ := resultOf(a, 7)
	r8, _ := resultOf(a, 8)
	if r7.Event != crashed.Event.Seq || r8.Event != head+1 || s.Head().Seq != head+1 {
		t.Fatalf("after the crash: ack %+v, head %d (was %d)", a, s.Head().Seq, head)
	}
	// The outcomes from before the restart are still reported.
	if r, ok := resultOf(a, 5); !ok || r.Code != string(inventory.CodeNotFound) {
		t.Fatalf("refusal lost across the restart: %+v", a)
	}
	if cur, _ := s.CommandCursor(); cur != 8 {
		t.Fatalf("cursor %d", cur)
	}
	// Every command that appended did so exactly once.
	got := hqEvents(t, s)
	for _, seq := range []uint64{1, 2, 3, 4, 6, 7, 8} {
		if got[replication.CommandIdempotencyKey(seq)] != 1 {
			t.Errorf("command %d appended %d times", seq, got[replication.CommandIdempotencyKey(seq)])
		}
	}
	if len(got) != 7 {
		t.Errorf("events from HQ: %v", got)
	}
}

// TestCommandApplierKeepsTransientFailures: a command the store cannot take for a
// reason of its own (here: the context ends while it waits) is no
// outcome: the cursor stays, and HQ's next send applies it.
func TestCommandApplierKeepsTransientFailures(t *testing.T) {
	s := openStore(t, t.TempDir())
	defer s.Close()
	c, err := newCommander(s, testDepot, discardLog())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if a, ok := c.handle(ctx, cmdBatch(t, 1, "anna", part("PN"))); !ok || a.Seq != 0 || len(a.Results) != 0 {
		t.Fatalf("with the context gone: %+v %v", a, ok)
	}
	if cur, _ := s.CommandCursor(); cur != 0 || s.Head().Seq != 0 || c.stats().Failures != 1 {
		t.Fatalf("cursor %d, head %d, %+v", cur, s.Head().Seq, c.stats())
	}
	a, ok := c.handle(context.Background(), cmdBatch(t, 1, "anna", part("PN")))
	if !ok || a.Seq != 1 || len(a.Results) != 1 || a.Results[0].Event != 1 {
		t.Fatalf("the resend: %+v %v", a, ok)
	}
}
