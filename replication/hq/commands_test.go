package hq

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
	dpt "github.com/partsedge/partsedge/replication/depot"
	"github.com/partsedge/partsedge/replication/mosquitto"
)

func partCmd(sku string) inventory.Command {
	return inventory.Command{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: sku}}
}

func commandsOf(t testing.TB, h *HQ, depot string) []CommandState {
	t.Helper()
	cs, err := h.Commands(depot, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func statesOf(cs []CommandState) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%d:%s/%d/%s ", c.Seq, c.State, c.Event, c.Code)
	}
	return strings.TrimSpace(b.String())
}

func wantCode(t testing.TB, err error, code inventory.Code) {
	t.Helper()
	var e *inventory.Error
	if !errors.As(err, &e) || e.Code != code {
		t.Fatalf("error %v, want code %s", err, code)
	}
}

// TestOutbox: commands are numbered per depot, kept with their state
// across a reopen, and a depot's acks record each outcome once: an event,
// a refusal, or done without a reported outcome (filled in when a later
// ack reports it). What HQ may not queue is refused and writes nothing; an
// ack beyond what HQ queued is rejected and changes nothing.
func TestOutbox(t *testing.T) {
	dir := t.TempDir()
	h := openHQ(t, dir)
	for _, tc := range []struct {
		name, depot, actor string
		cmds               []inventory.Command
	}{
		{"a depot id MQTT cannot carry", "D/1", "anna", []inventory.Command{partCmd("P")}},
		{"an actor with a space", "D1", "an na", []inventory.Command{partCmd("P")}},
		{"no commands", "D1", "anna", nil},
		{"a stock move", "D1", "anna", []inventory.Command{partCmd("P"), {Type: inventory.EvReceipt}}},
	} {
		if _, err := h.SendCommands(tc.depot, "", tc.actor, tc.cmds); err == nil {
			t.Fatalf("%s: queued", tc.name)
		} else {
			wantCode(t, err, inventory.CodeInvalid)
		}
	}
	if cs := commandsOf(t, h, "D1"); len(cs) != 0 {
		t.Fatalf("refused commands were queued: %v", statesOf(cs))
	}
	seqs, err := h.SendCommands("D1", "R-1", "anna", []inventory.Command{partCmd("P1"), partCmd("P2"), partCmd("P3")})
	if err != nil || fmt.Sprint(seqs) != "[1 2 3]" {
		t.Fatalf("seqs %v %v", seqs, err)
	}
	if seqs, _ := h.SendCommands("D2", "", "", []inventory.Command{partCmd("P1")}); fmt.Sprint(seqs) != "[1]" {
		t.Fatalf("D2's seqs %v", seqs)
	}
	cs := commandsOf(t, h, "D1")
	if statesOf(cs) != "1:pending/0/ 2:pending/0/ 3:pending/0/" || cs[0].Ref != "R-1" || cs[0].Actor != "anna" || cs[2].Command.Part.SKU != "P3" {
		t.Fatalf("queued %+v", cs)
	}

	if _, _, err := h.HandleCommandAck("D1", []byte(`{"v":1,"seq":4,"results":[]}`)); !errors.Is(err, replication.ErrRejected) {
		t.Fatalf("an ack beyond the queue: %v", err)
	}
	if _, _, err := h.HandleCommandAck("D1", []byte(`{"v":1,"seq":1,"results":[{"seq":1}]}`)); !errors.Is(err, replication.ErrRejected) {
		t.Fatalf("a malformed ack: %v", err)
	}
	if got := depotOf(t, h, "D1").Counters.Rejected[ReasonCommandAck]; got != 2 {
		t.Fatalf("rejected acks counted %d", got)
	}
	if _, ok, err := h.HandleCommandAck("D1", nil); ok || err != nil {
		t.Fatalf("a cleared retained ack: %v %v", ok, err)
	}
	if s := statesOf(commandsOf(t, h, "D1")); s != "1:pending/0/ 2:pending/0/ 3:pending/0/" {
		t.Fatalf("after bad acks: %s", s)
	}

	for _, step := range []struct{ ack, want string }{
		{`{"v":1,"seq":2,"results":[{"seq":1,"event":10},{"seq":2,"code":"unknown_part","detail":"no"}]}`,
			"1:applied/10/ 2:refused/0/unknown_part 3:pending/0/"},
		// Outcome 3 fell out of the depot's list: done, unreported.
		{`{"v":1,"seq":3,"results":[]}`, "1:applied/10/ 2:refused/0/unknown_part 3:done/0/"},
		// A later ack reports it; what was recorded stays as it was.
		{`{"v":1,"seq":3,"results":[{"seq":1,"event":10},{"seq":3,"event":12}]}`, "1:applied/10/ 2:refused/0/unknown_part 3:applied/12/"},
		// A depot restored from an older backup acknowledges less and
		// applies command 1 again: its new event is recorded, the rest
		// stays until it reports again.
		{`{"v":1,"seq":1,"results":[{"seq":1,"event":4}]}`, "1:applied/4/ 2:refused/0/unknown_part 3:applied/12/"},
	} {
		if _, ok, err := h.HandleCommandAck("D1", []byte(step.ack)); !ok || err != nil {
			t.Fatalf("ack %s: %v %v", step.ack, ok, err)
		}
		if s := statesOf(commandsOf(t, h, "D1")); s != step.want {
			t.Fatalf("after %s: %s, want %s", step.ack, s, step.want)
		}
	}

	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h = openHQ(t, dir)
	defer h.Close()
	if s := statesOf(commandsOf(t, h, "D1")); s != "1:applied/4/ 2:refused/0/unknown_part 3:applied/12/" {
		t.Fatalf("after reopen: %s", s)
	}
	if seqs, err := h.SendCommands("D1", "", "anna", []inventory.Command{partCmd("P4")}); err != nil || fmt.Sprint(seqs) != "[4]" {
		t.Fatalf("after reopen: %v %v", seqs, err)
	}
	heads, _ := h.outboxHeads()
	if heads["D1"] != (outboxHead{Last: 4, Acked: 3}) || heads["D2"] != (outboxHead{Last: 1}) {
		t.Fatalf("heads %+v", heads)
	}
	if cs, _ := h.Commands("D1", 2, 1); len(cs) != 1 || cs[0].Seq != 3 {
		t.Fatalf("after 2, limit 1: %v", statesOf(cs))
	}
}

// TestCommandBatchBounds: a batch stops at MaxBatchCommands and, past its
// first command, at MaxCommandBatchBytes; it decodes as the depot will.
func TestCommandBatchBounds(t *testing.T) {
	h := openHQ(t, t.TempDir())
	defer h.Close()
	var cmds []inventory.Command
	for i := range replication.MaxBatchCommands + 10 {
		cmds = append(cmds, partCmd(fmt.Sprintf("P%03d", i)))
	}
	// Transfers of 1000 lines: about 60 KB each.
	t1000 := &inventory.Transfer{Number: "T", From: "D1", To: "D2", Expected: "2026-12-01"}
	for i := range inventory.MaxLines {
		t1000.Lines = append(t1000.Lines, inventory.TransferLine{SKU: fmt.Sprintf("PART-%040d", i), Qty: 1})
	}
	for range 20 {
		cmds = append(cmds, inventory.Command{Type: inventory.EvTransferRequested, Ref: "T", Transfer: t1000})
	}
	if _, err := h.SendCommands("D1", "", "anna", cmds); err != nil {
		t.Fatal(err)
	}
	payload, to, err := h.commandBatch("D1", 1, uint64(len(cmds)))
	if err != nil || to != replication.MaxBatchCommands {
		t.Fatalf("first batch to %d: %v", to, err)
	}
	b, err := replication.DecodeCommandBatch("D1", payload)
	if err != nil || b.From != 1 || b.To != to || b.Commands[0].Actor != "anna" {
		t.Fatalf("decoded %d..%d %v", b.From, b.To, err)
	}
	from := uint64(replication.MaxBatchCommands + 11)
	payload, to, err = h.commandBatch("D1", from, uint64(len(cmds)))
	if err != nil || to <= from || to-from+1 >= 20 || len(payload) > replication.MaxCommandBatchBytes+4096 {
		t.Fatalf("big batch %d..%d of %d bytes: %v", from, to, len(payload), err)
	}
	if _, err := replication.DecodeCommandBatch("D1", payload); err != nil {
		t.Fatal(err)
	}
	if payload, _, err := h.commandBatch("D1", uint64(len(cmds))+1, uint64(len(cmds))+5); payload != nil || err != nil {
		t.Fatalf("past the end: %s %v", payload, err)
	}
}

// testDepotNode is a depot as it runs: a real store in its own folder and
// a real publisher connected to the broker, restartable.
type testDepotNode struct {
	t        testing.TB
	id       string
	dir      string
	broker   string
	password string
	st       *inventory.Store
	pub      *dpt.Publisher
	stopPub  func()
}

func startDepotNode(t testing.TB, id, broker string) *testDepotNode {
	t.Helper()
	return startDepotNodeAs(t, id, broker, "")
}

// startDepotNodeAs connects with the depot's own identity: its id and password.
func startDepotNodeAs(t testing.TB, id, broker, password string) *testDepotNode {
	t.Helper()
	n := &testDepotNode{t: t, id: id, dir: t.TempDir(), broker: broker, password: password}
	n.start()
	t.Cleanup(n.stop)
	return n
}

func (n *testDepotNode) start() {
	n.t.Helper()
	st, err := inventory.Open(inventory.Options{Dir: n.dir, Depot: n.id, GCInterval: -1, Log: quietLog()})
	if err != nil {
		n.t.Fatal(err)
	}
	p, err := dpt.New(dpt.Options{Store: st, Broker: n.broker, Username: n.id, Password: n.password, Poll: 10 * time.Millisecond,
		AckTimeout: 500 * time.Millisecond, ReconnectMax: 200 * time.Millisecond, StatusEvery: 100 * time.Millisecond, Log: quietLog()})
	if err != nil {
		n.t.Fatal(err)
	}
	n.st, n.pub = st, p
	n.stopPub = brokertest.Run(n.t, "publisher of "+n.id, p.Run)
}

// stop stops the publisher (it says offline) and closes the store.
func (n *testDepotNode) stop() {
	if n.st == nil {
		return
	}
	n.stopPub()
	if err := n.st.Close(); err != nil {
		n.t.Errorf("close %s: %v", n.id, err)
	}
	n.st = nil
}

func (n *testDepotNode) restart() {
	n.t.Helper()
	n.stop()
	n.start()
}

// hqEventsOf counts the depot's events appended by HQ's commands, by
// idempotency key.
func hqEventsOf(t testing.TB, st *inventory.Store) map[string]int {
	t.Helper()
	out := map[string]int{}
	err := st.EachRawEvent(0, func(_ uint64, raw []byte) error {
		var ev inventory.Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return err
		}
		if strings.HasPrefix(ev.IdempotencyKey, "hq-command-") {
			out[ev.IdempotencyKey]++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func subscribeHQ(t testing.TB, h *HQ, broker string) *Subscriber {
	t.Helper()
	sub, err := h.Subscribe(t.Context(), MQTTOptions{Broker: broker, ClientID: "hq-test",
		CommandAckTimeout: 500 * time.Millisecond, CommandPoll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	waitUntil(t, "HQ subscribed", sub.Connected)
	return sub
}

// waitUntil polls cond with a deadline generous enough for a loaded
// machine; the tests wait on outcomes, never on durations.
func waitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func allApplied(t testing.TB, h *HQ, depot string, n int) func() bool {
	return func() bool {
		cs := commandsOf(t, h, depot)
		if len(cs) != n {
			return false
		}
		for _, c := range cs {
			if c.State != CommandApplied {
				return false
			}
		}
		return true
	}
}

// TestCommandsEndToEnd: HQ's commands reach a real depot through a real
// Mosquitto, with its ACL and each side's own identity, and each applies
// exactly once, with HQ recording every outcome:
// commands queued before the depot ever connected, while it was offline,
// across a broker restart and a depot restart, with raw duplicates and
// gaps injected on its commands topic.
func TestCommandsEndToEnd(t *testing.T) {
	b := brokertest.Start(t, brokertest.Options{Depots: []string{"D1"}})
	h := openHQ(t, t.TempDir())
	defer h.Close()
	sub, err := h.Subscribe(t.Context(), MQTTOptions{Broker: b.URL(), User: mosquitto.HQUser, Password: b.Password(mosquitto.HQUser),
		ClientID: "hq-test", CommandAckTimeout: 500 * time.Millisecond, CommandPoll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitUntil(t, "HQ subscribed", sub.Connected)
	total := 0
	send := func(skus ...string) {
		t.Helper()
		var cmds []inventory.Command
		for _, s := range skus {
			cmds = append(cmds, partCmd(s))
		}
		if _, err := h.SendCommands("D1", "", "anna", cmds); err != nil {
			t.Fatal(err)
		}
		total += len(cmds)
	}

	// Queued before the depot ever connected.
	send("P1", "P2", "P3")
	d := startDepotNodeAs(t, "D1", b.URL(), b.Password("D1"))
	waitUntil(t, "the first commands applied", allApplied(t, h, "D1", total))

	// Queued while the depot is offline (its status says so).
	d.stop()
	waitUntil(t, "D1 offline", func() bool {
		dp, _ := h.Depot("D1")
		return dp.Status != nil && dp.Status.State == replication.StateOffline
	})
	send("P4", "P5")
	d.start()
	waitUntil(t, "the offline commands applied", allApplied(t, h, "D1", total))

	// Across a broker restart.
	if err := b.Restart(); err != nil {
		t.Fatal(err)
	}
	send("P6")
	waitUntil(t, "commands applied after the broker restart", allApplied(t, h, "D1", total))

	// Across a depot restart with commands in flight.
	send("P7", "P8", "P9")
	d.restart()
	send("P10")
	waitUntil(t, "commands applied after the depot restart", allApplied(t, h, "D1", total))

	// Raw duplicates and a gap on the depot's topic change nothing.
	raw := brokertest.Connect(t, mqtt.NewClientOptions().AddBroker(b.URL()).SetClientID("injector").
		SetUsername(mosquitto.HQUser).SetPassword(b.Password(mosquitto.HQUser)))
	dup, _, err := h.commandBatch("D1", 1, 3)
	if err != nil {
		t.Fatal(err)
	}
	head := d.st.Head().Seq
	publish(t, raw, replication.Topic("D1", replication.KindCommands), false, dup)
	gap := []byte(`{"v":1,"depot":"D1","from":50,"to":50,"commands":[{"seq":50,"at":"2026-11-24T09:00:00Z","command":{"type":"part-defined","part":{"sku":"GAP"}}}]}`)
	publish(t, raw, replication.Topic("D1", replication.KindCommands), false, gap)
	waitUntil(t, "the duplicate and the gap seen", func() bool {
		st := d.pub.CommandStats()
		return st.Duplicates >= 1 && st.Gaps >= 1
	})
	if d.st.Head().Seq != head {
		t.Fatalf("a duplicate or a gap appended: head %d -> %d", head, d.st.Head().Seq)
	}
	send("P11")
	waitUntil(t, "the last command applied", allApplied(t, h, "D1", total))

	// Every command appended exactly once, and HQ names its event.
	got := hqEventsOf(t, d.st)
	for _, c := range commandsOf(t, h, "D1") {
		key := replication.CommandIdempotencyKey(c.Seq)
		ev, err := d.st.Event(c.Event)
		if got[key] != 1 || err != nil || ev.IdempotencyKey != key || ev.Part.SKU != c.Command.Part.SKU || ev.Actor != "hq.anna" {
			t.Fatalf("command %d: appended %d times, event %d %+v %v", c.Seq, got[key], c.Event, ev, err)
		}
	}
	if len(got) != total {
		t.Fatalf("%d commands appended %d events: %v", total, len(got), got)
	}
}

// TestCommandWindow: HQ never has more than its window of commands in
// flight to a depot that does not acknowledge, and resends from the ack
// when the ack is late.
func TestCommandWindow(t *testing.T) {
	b := brokertest.StartEmbedded(t, nil)
	h := openHQ(t, t.TempDir())
	defer h.Close()
	sub, err := h.Subscribe(t.Context(), MQTTOptions{Broker: b.URL(), ClientID: "hq-test",
		CommandWindow: 5, CommandAckTimeout: 300 * time.Millisecond, CommandPoll: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitUntil(t, "HQ subscribed", sub.Connected)
	var cmds []inventory.Command
	for i := range 12 {
		cmds = append(cmds, partCmd(fmt.Sprintf("P%d", i)))
	}
	if _, err := h.SendCommands("D1", "", "anna", cmds); err != nil {
		t.Fatal(err)
	}
	// A silent depot: it records what arrives and acknowledges nothing.
	var mu sync.Mutex
	var got []replication.CommandBatch
	c := client(t, b.URL(), "silent-D1")
	c.Subscribe(replication.Topic("D1", replication.KindCommands), 1, func(_ mqtt.Client, m mqtt.Message) {
		cb, err := replication.DecodeCommandBatch("D1", m.Payload())
		if err != nil {
			t.Errorf("HQ sent a bad batch: %v", err)
			return
		}
		mu.Lock()
		got = append(got, cb)
		mu.Unlock()
	}).WaitTimeout(10 * time.Second)
	waitUntil(t, "a resend", func() bool {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, cb := range got {
			if cb.From == 1 {
				n++
			}
		}
		return n >= 2
	})
	mu.Lock()
	for _, cb := range got {
		if cb.To > 5 {
			t.Errorf("batch %d..%d beyond the window of 5", cb.From, cb.To)
		}
	}
	mu.Unlock()
	// The depot acknowledges 4: HQ goes on up to 9.
	publish(t, c, replication.Topic("D1", replication.KindCommandsAck), true,
		[]byte(`{"v":1,"seq":4,"results":[{"seq":1,"event":1},{"seq":2,"event":2},{"seq":3,"event":3},{"seq":4,"event":4}]}`))
	waitUntil(t, "the window moved", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, cb := range got {
			if cb.To == 9 {
				return true
			}
		}
		return false
	})
	mu.Lock()
	for _, cb := range got {
		if cb.To > 9 {
			t.Errorf("batch %d..%d beyond ack 4 + window 5", cb.From, cb.To)
		}
	}
	got = nil
	mu.Unlock()
	if s := statesOf(commandsOf(t, h, "D1")[:5]); s != "1:applied/1/ 2:applied/2/ 3:applied/3/ 4:applied/4/ 5:pending/0/" {
		t.Errorf("states %s", s)
	}
	// Restored from a backup, the depot acknowledges only 2: HQ sends
	// again from 3, though it recorded 3 and 4 as applied.
	publish(t, c, replication.Topic("D1", replication.KindCommandsAck), true,
		[]byte(`{"v":1,"seq":2,"results":[{"seq":1,"event":1},{"seq":2,"event":2}]}`))
	waitUntil(t, "the resend from 3", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, cb := range got {
			if cb.From == 3 {
				return cb.To <= 7
			}
		}
		return false
	})
}

// BenchmarkCommandsToDepot: commands queued at HQ until a real depot
// (fsync'd store) has applied every one and HQ has recorded it, through an
// embedded broker. Each command is its own fsync'd append and cursor write
// at the depot, so this is the rate a burst of orders drains at.
func BenchmarkCommandsToDepot(b *testing.B) {
	broker := brokertest.StartEmbedded(b, nil)
	h := openHQ(b, b.TempDir())
	defer h.Close()
	sub, err := h.Subscribe(context.Background(), MQTTOptions{Broker: broker.URL(), ClientID: "hq-bench",
		CommandPoll: 5 * time.Millisecond})
	if err != nil {
		b.Fatal(err)
	}
	defer sub.Close()
	waitUntil(b, "HQ subscribed", sub.Connected)
	d := startDepotNode(b, "D1", broker.URL())
	waitUntil(b, "D1 connected", func() bool { return d.pub.State().Connected })
	b.ResetTimer()
	for sent := 0; sent < b.N; {
		n := min(replication.MaxBatchCommands, b.N-sent)
		cmds := make([]inventory.Command, n)
		for i := range cmds {
			cmds[i] = partCmd(fmt.Sprintf("P%07d", sent+i))
		}
		if _, err := h.SendCommands("D1", "", "bench", cmds); err != nil {
			b.Fatal(err)
		}
		sent += n
	}
	waitUntil(b, "every command acknowledged", func() bool {
		heads, _ := h.outboxHeads()
		return heads["D1"].Acked == uint64(b.N)
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "commands/s")
}

// FuzzHandleCommandAck: whatever a depot publishes as its command ack, HQ
// either refuses it and records nothing, or records it: the durable ack
// never passes what HQ queued nor goes back, and every command at or below
// it is no longer pending. HQ's store lives across inputs, so sequences of
// acks are exercised too.
func FuzzHandleCommandAck(f *testing.F) {
	f.Add([]byte(`{"v":1,"seq":2,"results":[{"seq":1,"event":10},{"seq":2,"code":"unknown_part","detail":"no"}]}`))
	f.Add([]byte(`{"v":1,"seq":6,"results":[]}`))
	f.Add([]byte(`{"v":1,"seq":9,"results":[]}`))
	h := openHQ(f, f.TempDir())
	f.Cleanup(func() { h.Close() })
	var cmds []inventory.Command
	for i := range 8 {
		cmds = append(cmds, partCmd(fmt.Sprintf("P%d", i)))
	}
	if _, err := h.SendCommands("D1", "", "anna", cmds); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		before, _ := h.outboxHeads()
		_, ok, err := h.HandleCommandAck("D1", payload)
		after, herr := h.outboxHeads()
		if herr != nil {
			t.Fatal(herr)
		}
		if err != nil || !ok {
			if after["D1"] != before["D1"] {
				t.Fatalf("a refused ack moved the head: %+v -> %+v", before["D1"], after["D1"])
			}
			if err != nil && !errors.Is(err, replication.ErrRejected) {
				t.Fatalf("a store failure: %v", err)
			}
			return
		}
		head := after["D1"]
		if head.Last != 8 || head.Acked < before["D1"].Acked || head.Acked > head.Last {
			t.Fatalf("head %+v -> %+v", before["D1"], head)
		}
		for _, c := range commandsOf(t, h, "D1") {
			if c.Seq <= head.Acked && c.State == CommandPending {
				t.Fatalf("command %d pending under ack %d", c.Seq, head.Acked)
			}
		}
	})
}
