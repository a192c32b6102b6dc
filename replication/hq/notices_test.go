package hq

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

func noticeRec(depot string, seq uint64, id string, state inventory.NoticeStatus, at time.Time) inventory.Notice {
	n := inventory.Notice{Seq: seq, ID: id, Key: "lot-expiring/L1/PL/L1", Depot: depot, Kind: inventory.ReminderLotExpiring, State: state,
		Ref: "L1", SKU: "PL", Lot: "L1", Qty: 4, Text: "Lot {lot} of {sku} expires on {expiry}: {qty} on hand",
		Values: map[string]string{"lot": "L1", "sku": "PL", "expiry": "2026-03-05", "qty": "4"}, Message: "Lot L1 of PL expires on 2026-03-05: 4 on hand",
		RaisedAt: at}
	if state == inventory.NoticeCleared {
		c := at.Add(time.Hour)
		n.ClearedAt = &c
	}
	return n
}

func noticeBatch(t testing.TB, depot string, recs ...inventory.Notice) []byte {
	t.Helper()
	b, err := json.Marshal(replication.NoticeBatch{V: 1, Depot: depot, From: recs[0].Seq, To: recs[len(recs)-1].Seq, Notices: recs})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestHandleNotices: the continuation is stored and acknowledged; a repeat
// is acknowledged and changes nothing; a batch past a gap is not stored and
// the ack says where HQ stands; a raise arriving after its clear does not
// reopen the notice; a refused batch gets no ack and is counted.
func TestHandleNotices(t *testing.T) {
	h := openHQ(t, t.TempDir())
	defer h.Close()
	at := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	r1 := noticeRec("D1", 1, "lot-expiring/L1/PL/L1#1", inventory.NoticeRaised, at)
	r2 := noticeRec("D1", 2, "x#2", inventory.NoticeRaised, at.Add(time.Minute))
	c3 := noticeRec("D1", 3, "lot-expiring/L1/PL/L1#1", inventory.NoticeCleared, at)
	r4 := noticeRec("D1", 4, "y#4", inventory.NoticeRaised, at.Add(2*time.Minute))
	for _, st := range []struct {
		name    string
		payload []byte
		ack     uint64
		ok      bool
		open    int
		all     int
	}{
		{"first", noticeBatch(t, "D1", r1, r2), 2, true, 2, 2},
		{"repeat", noticeBatch(t, "D1", r1), 2, true, 2, 2},
		{"past a gap", noticeBatch(t, "D1", r4), 2, true, 2, 2},
		{"overlapping", noticeBatch(t, "D1", r2, c3), 3, true, 1, 2},
		{"the old raise again", noticeBatch(t, "D1", r1, r2, c3, r4), 4, true, 2, 3},
		{"foreign", noticeBatch(t, "D2", r4), 0, false, 2, 3},
	} {
		ack, ok, err := h.HandleNotices("D1", st.payload)
		if ok != st.ok || (ok && (ack.Seq != st.ack || ack.V != 1)) || (ok && err != nil) || (!ok && err == nil) {
			t.Fatalf("%s: ack %+v ok %v err %v, want ack %d ok %v", st.name, ack, ok, err, st.ack, st.ok)
		}
		open, err := h.Notices(NoticeFilter{Open: true})
		if err != nil || len(open) != st.open {
			t.Fatalf("%s: open %+v, %v", st.name, open, err)
		}
		all, err := h.Notices(NoticeFilter{Depot: "D1"})
		if err != nil || len(all) != st.all {
			t.Fatalf("%s: all %+v, %v", st.name, all, err)
		}
	}
	all, err := h.Notices(NoticeFilter{Limit: 2})
	if err != nil || len(all) != 2 || all[0].ID != "lot-expiring/L1/PL/L1#1" || all[0].State != inventory.NoticeCleared || all[1].ID != "y#4" {
		t.Fatalf("newest first: %+v, %v", all, err)
	}
	if other, err := h.Notices(NoticeFilter{Depot: "D"}); err != nil || len(other) != 0 {
		t.Fatalf("depot D (a prefix of D1): %+v, %v", other, err)
	}
	if d, _ := h.Depot("D1"); d.Counters.Rejected[ReasonNotices] != 1 {
		t.Errorf("rejections %+v", d.Counters.Rejected)
	}
}

// FuzzHandleNotices: whatever a depot sends on its notices topic, HQ
// either refuses it whole or stores records that are the depot's own, each
// with an id and a state, and acknowledges no more than the batch's end.
func FuzzHandleNotices(f *testing.F) {
	dir := filepath.Join("testdata", "fuzz", "FuzzHandleNotices")
	if _, err := os.Stat(dir); err != nil {
		f.Fatalf("seed corpus missing: %v", err)
	}
	h := openHQ(f, f.TempDir())
	f.Cleanup(func() { h.Close() })
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, decErr := replication.DecodeNoticeBatch("D1", payload)
		ack, ok, err := h.HandleNotices("D1", payload)
		if (decErr == nil) != ok {
			t.Fatalf("decode %v but handled ok=%v (%v)", decErr, ok, err)
		}
		if !ok {
			return
		}
		if ack.Seq < b.To && ack.Seq+1 >= b.From {
			t.Fatalf("ack %d of a batch %d..%d it continues", ack.Seq, b.From, b.To)
		}
		all, err := h.Notices(NoticeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range all {
			if n.Depot != "D1" || n.ID == "" || (n.State != inventory.NoticeRaised && n.State != inventory.NoticeCleared) {
				t.Fatalf("stored %+v", n)
			}
		}
	})
}
