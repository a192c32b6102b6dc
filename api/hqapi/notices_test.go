package hqapi

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// TestNotices: what two depots signalled, each notice once in its latest
// state, newest first, narrowed by depot and to the open ones, in the
// request's language; bad parameters are refused; and the notices screen
// shows them.
func TestNotices(t *testing.T) {
	f := newUserFixture(t)
	at := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	text := "{sku} reached its reorder point: order {qty}"
	rec := func(depot string, seq uint64, id, sku string, state inventory.NoticeStatus, at time.Time) inventory.Notice {
		v := map[string]string{"sku": sku, "qty": "5", "ref": "1"}
		n := inventory.Notice{Seq: seq, ID: id, Key: "reorder-point/1/" + sku + "/", Depot: depot, Kind: inventory.ReminderReorderPoint,
			State: state, Ref: "1", SKU: sku, Qty: 5, Text: text, Values: v, Message: inventory.FillText(text, v), RaisedAt: at}
		if state == inventory.NoticeCleared {
			c := at.Add(3 * time.Hour)
			n.ClearedAt = &c
		}
		return n
	}
	for _, b := range []replication.NoticeBatch{
		{V: 1, Depot: "D1", From: 1, To: 2, Notices: []inventory.Notice{rec("D1", 1, "a#1", "PA", inventory.NoticeRaised, at), rec("D1", 2, "b#2", "PB", inventory.NoticeRaised, at.Add(time.Hour))}},
		{V: 1, Depot: "D1", From: 3, To: 3, Notices: []inventory.Notice{rec("D1", 3, "a#1", "PA", inventory.NoticeCleared, at)}},
		{V: 1, Depot: "D2", From: 1, To: 1, Notices: []inventory.Notice{rec("D2", 1, "c#1", "PC", inventory.NoticeRaised, at.Add(2*time.Hour))}},
	} {
		payload, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok, err := f.hq.HandleNotices(b.Depot, payload); !ok || err != nil {
			t.Fatalf("batch %+v: %v", b, err)
		}
	}
	list := func(path, lang string) []inventory.Notice {
		t.Helper()
		w := f.do(hreq{method: "GET", path: path, token: f.tokens[RoleViewer], header: map[string]string{"Accept-Language": lang}})
		if w.Code != 200 {
			t.Fatalf("%s: %d %s", path, w.Code, w.Body)
		}
		var l noticeList
		if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		return l.Items
	}
	ids := func(items []inventory.Notice) string {
		var out []string
		for _, n := range items {
			out = append(out, n.Depot+"/"+n.ID+"/"+string(n.State))
		}
		return strings.Join(out, " ")
	}
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/notices", "D1/a#1/cleared D2/c#1/raised D1/b#2/raised"},
		{"/api/v1/notices?depot=D1", "D1/a#1/cleared D1/b#2/raised"},
		{"/api/v1/notices?open=true", "D2/c#1/raised D1/b#2/raised"},
		{"/api/v1/notices?open=true&depot=D2&limit=1", "D2/c#1/raised"},
		{"/api/v1/notices?depot=D3", ""},
		{"/api/v1/notices?depot=a%2Fb", ""}, // no depot has such an id
	} {
		if got := ids(list(tc.path, "")); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.path, got, tc.want)
		}
	}
	if got := list("/api/v1/notices?depot=D2", "zh-Hant")[0].Message; got != "PC 已達再訂購點：建議採購 5" {
		t.Errorf("in Traditional Chinese: %q", got)
	}
	for _, bad := range []string{"?open=1", "?limit=0", "?limit=x"} {
		w := f.do(hreq{method: "GET", path: "/api/v1/notices" + bad, token: f.tokens[RoleViewer]})
		if w.Code != 400 {
			t.Errorf("%s: %d %s", bad, w.Code, w.Body)
		}
	}

	// The notices screen: a viewer reads them in Traditional Chinese on a
	// handheld and narrows them to the open ones by keyboard.
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	ctx := browsertest.New(t).Tab(t, "zh-TW", browsertest.HandheldWidth, browsertest.HandheldHeight, time.Minute)
	if err := browsertest.Login(ctx, srv.URL, f.tokens[RoleViewer]); err != nil {
		t.Fatal(err)
	}
	rows := func() int {
		t.Helper()
		var n int
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll('section.screen tbody tr').length`, &n)); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/#/notices"),
		chromedp.WaitVisible(`section.screen[data-screen="notices"][data-ready] table`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitText(ctx, "section.screen table", "PB 已達再訂購點：建議採購 5"); err != nil {
		t.Fatalf("the notice in Traditional Chinese: %v", err)
	}
	if n := rows(); n != 3 {
		t.Errorf("%d notices shown, want 3", n)
	}
	if problems, err := browsertest.Audit(ctx, true); err != nil || len(problems) > 0 {
		t.Errorf("audit: %v %v", problems, err)
	}
	browsertest.Screenshot(t, ctx, "01-notices")
	if err := chromedp.Run(ctx, chromedp.Focus(`input[name=open]`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Press(ctx, " "); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.Poll(`document.querySelectorAll('section.screen tbody tr').length === 2 && location.hash === '#/notices/open'`, nil)); err != nil {
		t.Fatalf("only the open notices: %v (%d rows)", err, rows())
	}
	browsertest.Screenshot(t, ctx, "02-open-notices")
	// The address keeps the filter: reopened, the screen shows the same.
	if err := chromedp.Run(ctx, chromedp.Reload(), chromedp.WaitVisible(`section.screen[data-screen="notices"][data-ready] table`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	var checked bool
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('input[name=open]').checked`, &checked)); err != nil || !checked || rows() != 2 {
		t.Errorf("after a reload: open only %v, %d rows (%v)", checked, rows(), err)
	}
}
