package api

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/notify"
)

// noticeFixture is a fixture with a real notifier over its store.
func noticeFixture(t *testing.T) (*fixture, *notify.Notifier) {
	t.Helper()
	var n *notify.Notifier
	f := newFixture(t, func(c *Config) {
		n = notify.New(c.Store.(*inventory.Store), notify.Options{})
		c.Notices = n
	})
	return f, n
}

// announce writes k announcements to the notice log (receipts against a
// purchase order would, through the notifier).
func announce(t *testing.T, st *inventory.Store, from, k int) {
	t.Helper()
	var ch inventory.NoticeChanges
	for i := from; i < from+k; i++ {
		ref := "PO-" + string(rune('A'+i))
		v := map[string]string{"qty": "2", "sku": "P-NONE", "ref": ref}
		ch.Raise = append(ch.Raise, inventory.Notice{Key: "po-received/" + ref, Kind: notify.KindPOReceived, Once: true, Ref: ref,
			SKU: "P-NONE", Qty: 2, Text: notify.Texts[5], Values: v, Message: inventory.FillText(notify.Texts[5], v), RaisedAt: time.Now()})
	}
	if _, err := st.RecordNotices(ch); err != nil {
		t.Fatal(err)
	}
}

func TestListNotices(t *testing.T) {
	f, _ := noticeFixture(t)
	announce(t, f.store, 0, 3)
	open := inventory.Notice{Key: "reorder-point/9/P-NONE/", Kind: inventory.ReminderReorderPoint, Ref: "9", SKU: "P-NONE", Qty: 13,
		Text: notify.Texts[2], Values: map[string]string{"sku": "P-NONE", "qty": "13", "ref": "9"}, Message: "P-NONE reached its reorder point: order 13", RaisedAt: time.Now()}
	if _, err := f.store.RecordNotices(inventory.NoticeChanges{Raise: []inventory.Notice{open}}); err != nil {
		t.Fatal(err)
	}
	list := func(path, lang string) noticeList {
		t.Helper()
		w := f.do(req{method: "GET", path: path, role: RoleEngineer, header: map[string]string{"Accept-Language": lang}})
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		var l noticeList
		if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	seqs := func(l noticeList) []uint64 {
		var out []uint64
		for _, n := range l.Items {
			out = append(out, n.Seq)
		}
		return out
	}
	for _, tc := range []struct {
		path string
		want []uint64
	}{
		{"/api/v1/notices", []uint64{4, 3, 2, 1}},
		{"/api/v1/notices?after=2", []uint64{4, 3}},
		{"/api/v1/notices?limit=1", []uint64{4}},
		{"/api/v1/notices?open=true", []uint64{4}},
		{"/api/v1/notices?open=true&after=4", nil},
	} {
		l := list(tc.path, "")
		if !slices.Equal(seqs(l), tc.want) || l.Head != 4 || l.Open != 1 {
			t.Errorf("%s: seqs %v head %d open %d, want %v, head 4, open 1", tc.path, seqs(l), l.Head, l.Open, tc.want)
		}
	}
	l := list("/api/v1/notices?open=true", "zh-TW")
	if got := l.Items[0].Message; got != "P-NONE 已達再訂購點：建議採購 13" {
		t.Errorf("in Traditional Chinese: %q", got)
	}
	if l := list("/api/v1/notices?limit=1&after=3", "zh-CN"); l.Items[0].Message != "P-NONE 已达再订货点：建议采购 13" || l.Items[0].Text != notify.Texts[2] {
		t.Errorf("in Simplified Chinese: %+v", l.Items[0])
	}
	for _, bad := range []string{"?after=x", "?after=-1", "?limit=0", "?limit=1001", "?open=yes"} {
		w := f.do(req{method: "GET", path: "/api/v1/notices" + bad, role: RoleEngineer})
		if w.Code != 400 || !strings.Contains(w.Body.String(), `"invalid_request"`) {
			t.Errorf("%s: %d %s", bad, w.Code, w.Body)
		}
	}
}

// TestNoticeEventStream reads the stream as a browser does: the records
// after Last-Event-ID, then the ones the notifier writes as the depot's
// state changes (a lot comes in expiring, then is scrapped), in the
// request's language.
func TestNoticeEventStream(t *testing.T) {
	f, n := noticeFixture(t)
	seed(t, f.store)
	if _, err := n.Sync(); err != nil { // history is not news
		t.Fatal(err)
	}
	announce(t, f.store, 0, 3)
	srv := httptest.NewServer(f.srv.engine)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rq, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/api/v1/notices/events", nil)
	rq.Header.Set("Authorization", "Bearer "+tokenOf(RoleStorekeeper))
	rq.Header.Set("Last-Event-ID", "1")
	rq.Header.Set("Accept-Language", "zh-Hans")
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	br := bufio.NewReader(resp.Body)
	next := func() (id, event string, nt inventory.Notice) {
		t.Helper()
		return nextSSE[inventory.Notice](t, br)
	}
	for _, want := range []string{"2", "3"} {
		if id, ev, nt := next(); id != want || ev != "raised" || !strings.Contains(nt.Message, "采购订单") {
			t.Fatalf("backlog: id %s event %s %+v, want %s", id, ev, nt, want)
		}
	}
	// A lot that expires within the window comes in; the notifier raises it.
	expiry := f.clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	postEv(t, f, "/api/v1/events", map[string]any{"type": "receipt",
		"lines": []map[string]any{{"sku": "P-LOT", "qty": 3, "to": "A-01", "lot": "L-9", "expiry": expiry}}})
	if _, err := n.Sync(); err != nil {
		t.Fatal(err)
	}
	id, ev, nt := next()
	if id != "4" || ev != "raised" || nt.Kind != inventory.ReminderLotExpiring || nt.Message != "P-LOT 的批次 L-9 将于 "+expiry+" 过期：库存 3" {
		t.Fatalf("live: %s %s %+v", id, ev, nt)
	}
	postEv(t, f, "/api/v1/events", map[string]any{"type": "scrap", "note": "damaged",
		"lines": []map[string]any{{"sku": "P-LOT", "qty": 3, "from": "A-01", "lot": "L-9"}}})
	if _, err := n.Sync(); err != nil {
		t.Fatal(err)
	}
	if id, ev, c := next(); id != "5" || ev != "cleared" || c.ID != nt.ID || c.ClearedAt == nil {
		t.Fatalf("cleared: %s %s %+v", id, ev, c)
	}
	rq, _ = http.NewRequest("GET", srv.URL+"/api/v1/notices/events?after=x", nil)
	rq.Header.Set("Authorization", "Bearer "+tokenOf(RoleStorekeeper))
	bad, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	bad.Body.Close()
	if bad.StatusCode != 400 {
		t.Errorf("after=x: %d", bad.StatusCode)
	}
}

// TestNoticeTextsAreTranslated: every notice text has its translation in
// both Chinese catalogues, with the same placeholders.
func TestNoticeTextsAreTranslated(t *testing.T) {
	cat := i18n.Default()
	if m := cat.Missing(notify.Texts); len(m) != 0 {
		t.Fatalf("untranslated: %v", m)
	}
	ph := regexp.MustCompile(`\{[a-z]+\}`)
	for _, text := range notify.Texts {
		want := ph.FindAllString(text, -1)
		slices.Sort(want)
		for _, l := range i18n.Langs[1:] {
			got := ph.FindAllString(cat.T(l, text), -1)
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("%s %q: placeholders %v, want %v", l, text, got, want)
			}
		}
	}
}

func postEv(t *testing.T, f *fixture, path string, body any) {
	t.Helper()
	if w := f.do(req{method: "POST", path: path, role: RoleStorekeeper, body: body}); w.Code != 201 && w.Code != 200 {
		t.Fatalf("POST %s: %d %s", path, w.Code, w.Body)
	}
}
