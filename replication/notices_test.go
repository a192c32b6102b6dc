package replication

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

func goodNotice(seq uint64) inventory.Notice {
	return inventory.Notice{Seq: seq, ID: "reorder-point/7/PN/#1", Key: "reorder-point/7/PN/", Depot: "D1", Kind: inventory.ReminderReorderPoint,
		State: inventory.NoticeRaised, Ref: "7", SKU: "PN", Qty: 3, Text: "{sku} reached its reorder point: order {qty}",
		Values: map[string]string{"sku": "PN", "qty": "3"}, Message: "PN reached its reorder point: order 3",
		RaisedAt: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
}

func TestDecodeNoticeBatch(t *testing.T) {
	batch := func(edit func(b *NoticeBatch)) []byte {
		b := NoticeBatch{V: 1, Depot: "D1", From: 4, To: 5, Notices: []inventory.Notice{goodNotice(4), goodNotice(5)}}
		edit(&b)
		out, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if b, err := DecodeNoticeBatch("D1", batch(func(*NoticeBatch) {})); err != nil || b.To != 5 || len(b.Notices) != 2 {
		t.Fatalf("a good batch: %+v, %v", b, err)
	}
	long := strings.Repeat("x", inventory.MaxTextLen+1)
	for _, tc := range []struct {
		name string
		edit func(b *NoticeBatch)
		want string
	}{
		{"version", func(b *NoticeBatch) { b.V = 2 }, "version"},
		{"foreign", func(b *NoticeBatch) { b.Depot = "D2" }, "depot"},
		{"range", func(b *NoticeBatch) { b.To = 6 }, "range"},
		{"from 0", func(b *NoticeBatch) { b.From, b.To = 0, 1 }, "range"},
		{"out of place", func(b *NoticeBatch) { b.Notices[1].Seq = 9 }, "belongs"},
		{"another depot's record", func(b *NoticeBatch) { b.Notices[0].Depot = "D2" }, "of depot"},
		{"no id", func(b *NoticeBatch) { b.Notices[0].ID = "" }, "id"},
		{"no kind", func(b *NoticeBatch) { b.Notices[0].Kind = "" }, "kind"},
		{"state", func(b *NoticeBatch) { b.Notices[0].State = "open" }, "state"},
		{"cleared without a time", func(b *NoticeBatch) { b.Notices[0].State = inventory.NoticeCleared }, "without a time"},
		{"no raise time", func(b *NoticeBatch) { b.Notices[0].RaisedAt = time.Time{} }, "raised"},
		{"long text", func(b *NoticeBatch) { b.Notices[0].Text = long }, "text"},
		{"long sku", func(b *NoticeBatch) { b.Notices[0].SKU = long }, "sku"},
		{"long value", func(b *NoticeBatch) { b.Notices[0].Values["sku"] = long }, "value"},
	} {
		_, err := DecodeNoticeBatch("D1", batch(tc.edit))
		if !errors.Is(err, ErrRejected) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want a rejection naming %q", tc.name, err, tc.want)
		}
	}
	if _, err := DecodeNoticeBatch("D1", []byte(`{"v":1`)); !errors.Is(err, ErrRejected) {
		t.Errorf("undecodable: %v", err)
	}
}

// FuzzDecodeNoticeAck: any payload on a depot's notices/ack topic is
// either refused or an ack of this version.
func FuzzDecodeNoticeAck(f *testing.F) {
	f.Fuzz(func(t *testing.T, payload []byte) {
		a, err := DecodeNoticeAck(payload)
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("error %v is not a rejection", err)
			}
			return
		}
		if a.V != Version {
			t.Fatalf("accepted %+v", a)
		}
	})
}
