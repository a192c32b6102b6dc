package replication

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// depotLog is a real store's log: raw events 1..n of depot D1.
func depotLog(t testing.TB, n int) [][]byte {
	t.Helper()
	st, err := inventory.Open(inventory.Options{Dir: t.TempDir(), Depot: "D1", GCInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if _, err := st.Append(ctx, inventory.Command{Type: inventory.EvLocationDefined, Actor: "admin", Location: &inventory.Location{Code: "A"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Append(ctx, inventory.Command{Type: inventory.EvPartDefined, Actor: "admin", Part: &inventory.Part{SKU: "PN"}}); err != nil {
		t.Fatal(err)
	}
	for i := 2; i < n; i++ {
		if _, err := st.Append(ctx, inventory.Command{Type: inventory.EvReceipt, Actor: "sk", Lines: []inventory.Line{{SKU: "PN", Qty: 1, To: "A"}}}); err != nil {
			t.Fatal(err)
		}
	}
	var out [][]byte
	if err := st.EachRawEvent(0, func(_ uint64, raw []byte) error { out = append(out, raw); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func batchOf(depot string, epoch uint32, from uint64, raws [][]byte) []byte {
	b := Batch{V: Version, Depot: depot, Epoch: epoch, From: from, To: from + uint64(len(raws)) - 1}
	for _, r := range raws {
		b.Events = append(b.Events, r)
	}
	out, _ := json.Marshal(b)
	return out
}

func TestTopics(t *testing.T) {
	for _, tc := range []struct {
		topic, depot, kind string
		ok                 bool
	}{
		{"partsedge/v1/depots/D1/events", "D1", KindEvents, true},
		{"partsedge/v1/depots/D1/commands/ack", "D1", KindCommandsAck, true},
		{"partsedge/v1/depots/D1/status", "D1", KindStatus, true},
		{"partsedge/v1/depots/D1/other", "", "", false},
		{"partsedge/v1/depots//events", "", "", false},
		{"partsedge/v2/depots/D1/events", "", "", false},
	} {
		d, k, ok := ParseTopic(tc.topic)
		if d != tc.depot || k != tc.kind || ok != tc.ok {
			t.Errorf("%s: %q %q %v", tc.topic, d, k, ok)
		}
	}
	if Topic("D1", KindAck) != "partsedge/v1/depots/D1/ack" {
		t.Error(Topic("D1", KindAck))
	}
	for _, bad := range []string{"", "a/b", "a+b", "a#", "a b", strings.Repeat("x", 65)} {
		if ValidDepot(bad) == nil {
			t.Errorf("depot %q accepted", bad)
		}
	}
}

// TestDecodeBatch: a batch straight from a store's log decodes; each way of
// spoiling one is rejected with ErrRejected.
func TestDecodeBatch(t *testing.T) {
	log := depotLog(t, 6)
	good := batchOf("D1", 1, 2, log[1:5])
	b, evs, err := DecodeBatch("D1", good)
	if err != nil || b.From != 2 || b.To != 5 || len(evs) != 4 || evs[3].Seq != 5 {
		t.Fatalf("good batch: %d..%d, %d events, %v", b.From, b.To, len(evs), err)
	}
	edited := []byte(strings.Replace(string(log[2]), `"actor":"sk"`, `"actor":"xx"`, 1))
	for _, tc := range []struct {
		name    string
		depot   string
		payload []byte
	}{
		{"not JSON", "D1", []byte("{")},
		{"another version", "D1", []byte(strings.Replace(string(good), `"v":1`, `"v":2`, 1))},
		{"a foreign depot's batch", "D2", good},
		{"from zero", "D1", batchOf("D1", 1, 0, log[:2])},
		{"range and events disagree", "D1", []byte(strings.Replace(string(good), `"to":5`, `"to":6`, 1))},
		{"a gap inside", "D1", batchOf("D1", 1, 2, [][]byte{log[1], log[3]})},
		{"events out of order", "D1", batchOf("D1", 1, 2, [][]byte{log[2], log[1]})},
		{"an edited event", "D1", batchOf("D1", 1, 2, [][]byte{log[1], edited})},
		{"another epoch", "D1", batchOf("D1", 2, 2, log[1:3])},
		{"no events", "D1", []byte(`{"v":1,"depot":"D1","epoch":1,"from":1,"to":0,"events":[]}`)},
	} {
		if _, _, err := DecodeBatch(tc.depot, tc.payload); !errors.Is(err, ErrRejected) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestDecodeAckAndStatus(t *testing.T) {
	if a, err := DecodeAck([]byte(`{"v":1,"epoch":2,"seq":40}`)); err != nil || a.Seq != 40 || a.Epoch != 2 {
		t.Fatalf("%+v %v", a, err)
	}
	for _, bad := range []string{`{`, `{"v":3,"seq":1}`} {
		if _, err := DecodeAck([]byte(bad)); !errors.Is(err, ErrRejected) {
			t.Errorf("ack %s: %v", bad, err)
		}
	}
	if s, err := DecodeStatus("D1", []byte(`{"v":1,"depot":"D1","state":"online","lastSeq":9}`)); err != nil || s.LastSeq != 9 {
		t.Fatalf("%+v %v", s, err)
	}
	for _, bad := range []string{`{"v":1,"depot":"D2","state":"online"}`, `{"v":1,"depot":"D1","state":"asleep"}`, `[]`} {
		if _, err := DecodeStatus("D1", []byte(bad)); !errors.Is(err, ErrRejected) {
			t.Errorf("status %s: %v", bad, err)
		}
	}
}

// FuzzDecodeBatch: whatever arrives is either rejected or a batch whose
// events are exactly its range, of its depot and epoch, chained. The seeds
// in testdata are batches cut from a real store's log.
func FuzzDecodeBatch(f *testing.F) {
	f.Add([]byte(`{"v":1,"depot":"D1","epoch":1,"from":1,"to":1,"events":[{}]}`))
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, evs, err := DecodeBatch("D1", payload)
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("an error that is not a rejection: %v", err)
			}
			return
		}
		if uint64(len(evs)) != b.To-b.From+1 || b.Depot != "D1" {
			t.Fatalf("accepted %+v with %d events", b, len(evs))
		}
		for i, ev := range evs {
			if ev.Seq != b.From+uint64(i) || ev.Depot != "D1" || ev.Epoch != b.Epoch || (i > 0 && ev.PrevHash != evs[i-1].Hash) {
				t.Fatalf("accepted a bad event %d: %+v", i, ev)
			}
		}
	})
}
