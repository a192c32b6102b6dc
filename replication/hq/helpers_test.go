package hq

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
	"github.com/partsedge/partsedge/replication/brokertest"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// depot is a real depot store: its log is what HQ receives.
type depot struct {
	t  testing.TB
	st *inventory.Store
}

func newDepot(t testing.TB, id string, dir string) *depot {
	t.Helper()
	st, err := inventory.Open(inventory.Options{Dir: dir, Depot: id, GCInterval: -1, Log: quietLog()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &depot{t: t, st: st}
}

// grow appends receipts until the log holds n events.
func (d *depot) grow(n int) {
	d.t.Helper()
	ctx := context.Background()
	for d.st.Head().Seq < uint64(n) {
		var cmd inventory.Command
		switch d.st.Head().Seq {
		case 0:
			cmd = inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}}
		case 1:
			cmd = inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PN"}}
		default:
			cmd = inventory.Command{Type: inventory.EvReceipt, Actor: "sk", Lines: []inventory.Line{{SKU: "PN", Qty: 1, To: "A"}}}
		}
		if _, err := d.st.Append(ctx, cmd); err != nil {
			d.t.Fatal(err)
		}
	}
}

// raws is the depot's raw log from seq 1.
func (d *depot) raws() [][]byte {
	d.t.Helper()
	var out [][]byte
	if err := d.st.EachRawEvent(0, func(_ uint64, raw []byte) error { out = append(out, raw); return nil }); err != nil {
		d.t.Fatal(err)
	}
	return out
}

// batch is the payload of events from..to (1-based, inclusive) of the log.
func (d *depot) batch(from, to uint64) []byte {
	d.t.Helper()
	raws := d.raws()
	var ev struct {
		Epoch uint32 `json:"epoch"`
		Depot string `json:"depot"`
	}
	if err := json.Unmarshal(raws[from-1], &ev); err != nil {
		d.t.Fatal(err)
	}
	return batchOf(ev.Depot, ev.Epoch, from, raws[from-1:to])
}

func batchOf(depot string, epoch uint32, from uint64, raws [][]byte) []byte {
	b := replication.Batch{V: replication.Version, Depot: depot, Epoch: epoch, From: from, To: from + uint64(len(raws)) - 1}
	for _, r := range raws {
		b.Events = append(b.Events, r)
	}
	out, err := json.Marshal(b)
	if err != nil {
		panic(err)
	}
	return out
}

// backup is a backup of the depot's store as it is now.
func (d *depot) backup() []byte {
	d.t.Helper()
	var buf bytes.Buffer
	if _, err := d.st.Backup(&buf, nil); err != nil {
		d.t.Fatal(err)
	}
	return buf.Bytes()
}

// restoredDepot is a depot restored from backup: its epoch is bumped.
func restoredDepot(t testing.TB, id string, backup []byte) *depot {
	t.Helper()
	dir := t.TempDir()
	if _, _, err := inventory.Restore(dir, bytes.NewReader(backup), nil, inventory.Options{Depot: id, Log: quietLog()}); err != nil {
		t.Fatal(err)
	}
	return newDepot(t, id, dir)
}

func openHQ(t testing.TB, dir string) *HQ {
	t.Helper()
	h, err := Open(Options{Dir: dir, Log: quietLog(), Now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// startBroker starts an embedded broker and returns its URL.
func startBroker(t testing.TB) string { return brokertest.StartEmbedded(t, nil).URL() }

func client(t testing.TB, broker, id string) mqtt.Client {
	t.Helper()
	return brokertest.Connect(t, mqtt.NewClientOptions().AddBroker(broker).SetClientID(id).SetCleanSession(true))
}

func publish(t testing.TB, c mqtt.Client, topic string, retained bool, payload []byte) {
	t.Helper()
	if tok := c.Publish(topic, 1, retained, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publish %s: %v", topic, tok.Error())
	}
}

// readAck subscribes as a new client and returns the retained ack of
// depot once it reaches want (acks of earlier batches may come first).
func readAck(t testing.TB, broker, depot string, want replication.Ack) replication.Ack {
	t.Helper()
	// A distinct client id: a broker drops a client whose id connects again.
	c := client(t, broker, fmt.Sprintf("reader-%d", time.Now().UnixNano()))
	got := make(chan replication.Ack, 16)
	c.Subscribe(replication.Topic(depot, replication.KindAck), 1, func(_ mqtt.Client, m mqtt.Message) {
		a, err := replication.DecodeAck(m.Payload())
		if err == nil {
			got <- a
		}
	}).WaitTimeout(10 * time.Second)
	defer c.Unsubscribe(replication.Topic(depot, replication.KindAck))
	deadline := time.After(10 * time.Second)
	var last replication.Ack
	for {
		select {
		case a := <-got:
			last = a
			if a == want {
				return a
			}
		case <-deadline:
			t.Fatalf("ack of %s: last %+v, want %+v", depot, last, want)
		}
	}
}

// eventually polls cond (HQ applies asynchronously to the publish).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func depotOf(t testing.TB, h *HQ, id string) Depot {
	t.Helper()
	d, _ := h.Depot(id)
	return d
}
