package hq

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/replication"
)

func eventsOf(t *testing.T, h *HQ, depot string) [][]byte {
	t.Helper()
	evs, err := h.Events(depot, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := make([][]byte, len(evs))
	for i, e := range evs {
		out[i] = e
	}
	return out
}

func sameRaws(t *testing.T, got, want [][]byte) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d events, want %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("event %d: %s, want %s", i+1, got[i], want[i])
		}
	}
}

// TestIngestOverMQTT: through a real broker, the exact continuation is
// applied and acked (retained, readable by a subscriber that comes later);
// a duplicate is acked again and not applied; a gap is counted and not
// applied; the depot's retained status gives its lag.
func TestIngestOverMQTT(t *testing.T) {
	broker := startBroker(t)
	d := newDepot(t, "D1", t.TempDir())
	d.grow(10)
	h := openHQ(t, t.TempDir())
	defer h.Close()
	sub, err := h.Subscribe(t.Context(), MQTTOptions{Broker: broker, ClientID: "hq-test"})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	eventually(t, "subscribed", sub.Connected)
	pub := client(t, broker, "depot-D1")
	events := replication.Topic("D1", replication.KindEvents)
	epoch := d.st.Head().Epoch

	publish(t, pub, events, false, d.batch(1, 4))
	readAck(t, broker, "D1", replication.Ack{V: 1, Epoch: epoch, Seq: 4})
	sameRaws(t, eventsOf(t, h, "D1"), d.raws()[:4])

	// The duplicate is acked again: clear the retained ack first, so the
	// reader sees a fresh one.
	publish(t, pub, replication.Topic("D1", replication.KindAck), true, nil)
	publish(t, pub, events, false, d.batch(2, 4))
	readAck(t, broker, "D1", replication.Ack{V: 1, Epoch: epoch, Seq: 4})
	if c := depotOf(t, h, "D1").Counters; c.Duplicates != 1 || c.AppliedEvents != 4 || c.AppliedBatches != 1 {
		t.Fatalf("after the duplicate: %+v", c)
	}

	publish(t, pub, events, false, d.batch(7, 8))
	eventually(t, "the gap counted", func() bool { return depotOf(t, h, "D1").Counters.Gaps == 1 })
	if got := depotOf(t, h, "D1").HWM.Seq; got != 4 {
		t.Fatalf("a gap moved the HWM to %d", got)
	}

	// A batch of another depot and a spoilt one on D1's topic: counted,
	// not applied, not acked.
	d2 := newDepot(t, "D2", t.TempDir())
	d2.grow(2)
	publish(t, pub, events, false, d2.batch(1, 2))
	publish(t, pub, events, false, []byte(`{"v":1,"depot":"D1"`))
	eventually(t, "the rejections counted", func() bool {
		r := depotOf(t, h, "D1").Counters.Rejected
		return r["foreign"] == 1 && r["undecodable"] == 1
	})
	if got := depotOf(t, h, "D1").HWM.Seq; got != 4 {
		t.Fatalf("a rejected batch moved the HWM to %d", got)
	}

	publish(t, pub, events, false, d.batch(5, 10))
	readAck(t, broker, "D1", replication.Ack{V: 1, Epoch: epoch, Seq: 10})
	sameRaws(t, eventsOf(t, h, "D1"), d.raws())

	status := replication.Status{V: 1, Depot: "D1", State: replication.StateOnline, Version: "v1.2.3", Epoch: epoch, LastSeq: 25}
	sb, _ := json.Marshal(status)
	publish(t, pub, replication.Topic("D1", replication.KindStatus), true, sb)
	eventually(t, "the status", func() bool { return depotOf(t, h, "D1").Status != nil })
	got := depotOf(t, h, "D1")
	if got.Lag != 15 || got.Status.Version != "v1.2.3" || got.Status.State != "online" || got.HWM.Seq != 10 {
		t.Fatalf("depot view: %+v", got)
	}
	// The last will: the same status, offline.
	status.State = replication.StateOffline
	sb, _ = json.Marshal(status)
	publish(t, pub, replication.Topic("D1", replication.KindStatus), true, sb)
	eventually(t, "offline", func() bool { return depotOf(t, h, "D1").Status.State == replication.StateOffline })
	evs, err := h.Events("D1", 8, 1)
	if err != nil || len(evs) != 1 || !bytes.Equal(evs[0], d.raws()[8]) {
		t.Fatalf("events after 8, limit 1: %s %v", evs, err)
	}
}

// TestRejected: every malformed, foreign, replayed or forked batch is
// rejected, counted by reason, and writes nothing.
func TestRejected(t *testing.T) {
	d := newDepot(t, "D1", t.TempDir())
	d.grow(8)
	other := newDepot(t, "D1", t.TempDir()) // another store claiming to be D1
	other.grow(8)
	d2 := newDepot(t, "D2", t.TempDir())
	d2.grow(3)
	h := openHQ(t, t.TempDir())
	defer h.Close()
	if out := h.HandleEvents("D1", d.batch(1, 5)); out.Kind != Applied {
		t.Fatalf("first batch: %+v", out)
	}
	raws := d.raws()
	edited := []byte(strings.Replace(string(raws[5]), `"actor":"sk"`, `"actor":"xx"`, 1))
	good := d.batch(6, 7)
	for _, tc := range []struct {
		name, depot, reason string
		payload             []byte
	}{
		{"not JSON", "D1", "undecodable", []byte("{")},
		{"not an object", "D1", "undecodable", []byte(`[]`)},
		{"another version", "D1", "version", []byte(strings.Replace(string(good), `"v":1`, `"v":2`, 1))},
		{"another depot's batch on D1's topic", "D1", "foreign", d2.batch(1, 3)},
		{"a batch naming D1 holding D2's events", "D1", "foreign", batchOf("D1", 1, 1, d2.raws())},
		{"range and events disagree", "D1", "range", []byte(strings.Replace(string(good), `"to":7`, `"to":8`, 1))},
		{"from zero", "D1", "range", batchOf("D1", 1, 0, raws[:1])},
		{"too many events", "D1", "too-large", []byte(`{"v":1,"depot":"D1","epoch":1,"from":1,"to":501,"events":[` + strings.Repeat("{},", 500) + `{}]}`)},
		{"an edited event", "D1", "event", batchOf("D1", 1, 6, [][]byte{edited})},
		{"events out of order", "D1", "event", batchOf("D1", 1, 6, [][]byte{raws[6], raws[5]})},
		{"a batch of another epoch than its events", "D1", "event", batchOf("D1", 2, 6, raws[5:7])},
		{"the continuation from another log", "D1", ReasonUnchained, other.batch(6, 7)},
		{"a replay of other content at held seqs", "D1", ReasonConflict, other.batch(2, 4)},
		{"a replay overlapping the HWM with other content", "D1", ReasonConflict, other.batch(4, 7)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := depotOf(t, h, "D1")
			out := h.HandleEvents(tc.depot, tc.payload)
			if out.Kind != Rejected || out.Reason != tc.reason || out.Ack != nil {
				t.Fatalf("outcome %+v, want rejected for %s", out, tc.reason)
			}
			after := depotOf(t, h, "D1")
			if after.HWM != before.HWM {
				t.Fatalf("HWM moved: %+v -> %+v", before.HWM, after.HWM)
			}
			if got := depotOf(t, h, tc.depot).Counters.Rejected[tc.reason]; got < 1 {
				t.Fatalf("not counted under %s: %+v", tc.reason, depotOf(t, h, tc.depot).Counters)
			}
			sameRaws(t, eventsOf(t, h, "D1"), raws[:5])
		})
	}
	if _, err := h.Events("D2", 0, 0); !errors.Is(err, ErrUnknownDepot) {
		t.Fatalf("D2's events after its batch came on D1's topic: %v", err)
	}
	if err := h.HandleStatus("D1", []byte(`{"v":1,"depot":"D2","state":"online"}`)); err == nil {
		t.Fatal("a foreign status was taken")
	}
	if depotOf(t, h, "D1").Status != nil || depotOf(t, h, "D1").Counters.Rejected[ReasonStatus] != 1 {
		t.Fatalf("foreign status: %+v", depotOf(t, h, "D1"))
	}
}

// TestFirstBatch: a depot's first batch applies only from seq 1 with an
// empty prevHash.
func TestFirstBatch(t *testing.T) {
	d := newDepot(t, "D1", t.TempDir())
	d.grow(4)
	h := openHQ(t, t.TempDir())
	defer h.Close()
	if out := h.HandleEvents("D1", d.batch(2, 3)); out.Kind != Gap || out.Ack != nil {
		t.Fatalf("a first batch from 2: %+v", out)
	}
	if out := h.HandleEvents("D1", d.batch(1, 1)); out.Kind != Applied || *out.Ack != (replication.Ack{V: 1, Epoch: 1, Seq: 1}) {
		t.Fatalf("a first batch from 1: %+v", out)
	}
}

// TestRestartKeepsHWM: HQ reopened from its store keeps every depot's HWM
// and goes on with the exact continuation.
func TestRestartKeepsHWM(t *testing.T) {
	dir := t.TempDir()
	d1, d2 := newDepot(t, "D1", t.TempDir()), newDepot(t, "D2", t.TempDir())
	d1.grow(6)
	d2.grow(3)
	h := openHQ(t, dir)
	for _, b := range []struct {
		depot   string
		payload []byte
	}{{"D1", d1.batch(1, 4)}, {"D2", d2.batch(1, 3)}} {
		if out := h.HandleEvents(b.depot, b.payload); out.Kind != Applied {
			t.Fatalf("%s: %+v", b.depot, out)
		}
	}
	want := map[string]HWM{"D1": depotOf(t, h, "D1").HWM, "D2": depotOf(t, h, "D2").HWM}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
	h = openHQ(t, dir)
	defer h.Close()
	for id, w := range want {
		if got := depotOf(t, h, id).HWM; got != w || got.Seq == 0 {
			t.Fatalf("%s after restart: %+v, want %+v", id, got, w)
		}
	}
	if out := h.HandleEvents("D1", d1.batch(3, 4)); out.Kind != Duplicate || out.Ack.Seq != 4 {
		t.Fatalf("duplicate after restart: %+v", out)
	}
	if out := h.HandleEvents("D1", d1.batch(5, 6)); out.Kind != Applied {
		t.Fatalf("continuation after restart: %+v", out)
	}
	sameRaws(t, eventsOf(t, h, "D1"), d1.raws())
}

// TestRestoredDepot: a depot restored from a backup taken at seq 5 comes
// back with epoch 2; HQ, holding old-epoch events up to 9, accepts the new
// epoch's batch from 6 because it chains to event 5, keeps 6..9 of epoch 1
// as superseded, and refuses the old epoch from then on.
func TestRestoredDepot(t *testing.T) {
	d := newDepot(t, "D1", t.TempDir())
	d.grow(5)
	backup := d.backup()
	d.grow(9)
	old := d.raws()
	h, err := Open(Options{Dir: t.TempDir(), Log: quietLog(), SupersedeChunk: 3}) // several chunks
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	if out := h.HandleEvents("D1", d.batch(1, 9)); out.Kind != Applied {
		t.Fatalf("old epoch: %+v", out)
	}
	r := restoredDepot(t, "D1", backup)
	r.grow(7)
	if r.st.Head().Epoch != 2 {
		t.Fatalf("restored epoch %d", r.st.Head().Epoch)
	}
	// A new-epoch batch that does not chain to what HQ holds is refused.
	if out := h.HandleEvents("D1", r.batch(7, 7)); out.Kind != Rejected || out.Reason != ReasonUnchained {
		t.Fatalf("unchained new epoch: %+v", out)
	}
	out := h.HandleEvents("D1", r.batch(6, 7))
	if out.Kind != Applied || *out.Ack != (replication.Ack{V: 1, Epoch: 2, Seq: 7}) {
		t.Fatalf("new epoch: %+v", out)
	}
	sameRaws(t, eventsOf(t, h, "D1"), r.raws())
	sup, err := h.Superseded("D1", 0)
	if err != nil {
		t.Fatal(err)
	}
	sameRaws(t, func() [][]byte {
		out := make([][]byte, len(sup))
		for i, s := range sup {
			out[i] = s
		}
		return out
	}(), old[5:9])
	if c := depotOf(t, h, "D1").Counters; c.Superseded != 4 {
		t.Fatalf("counters %+v", c)
	}
	if out := h.HandleEvents("D1", batchOf("D1", 1, 8, old[7:9])); out.Kind != Rejected || out.Reason != ReasonStaleEpoch {
		t.Fatalf("an old-epoch batch after the restore: %+v", out)
	}
	if out := h.HandleEvents("D1", r.batch(6, 7)); out.Kind != Duplicate {
		t.Fatalf("the new epoch again: %+v", out)
	}
}

// TestMetrics: the counters Depots answers with are the Prometheus metrics.
func TestMetrics(t *testing.T) {
	d := newDepot(t, "D1", t.TempDir())
	d.grow(3)
	h := openHQ(t, t.TempDir())
	defer h.Close()
	h.HandleEvents("D1", d.batch(1, 3))
	h.HandleEvents("D1", []byte("{"))
	reg := newRegistry(t, h)
	for _, want := range []string{
		`partsedge_hq_applied_events_total{depot="D1"} 3`,
		`partsedge_hq_rejected_total{depot="D1",reason="undecodable"} 1`,
		`partsedge_hq_hwm_seq{depot="D1"} 3`,
	} {
		if !strings.Contains(reg, want) {
			t.Errorf("metrics lack %s:\n%s", want, reg)
		}
	}
}
