package api

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
)

// TestNoticesScreen: a storekeeper on a handheld in Traditional Chinese
// opens the notices screen: the expiring lot's notice is there, in
// Chinese, counted on the navigation badge. The lot is scrapped at the
// depot; the screen follows live (the clear arrives on the stream, the
// count drops to 0). By keyboard only, "only open notices" leaves nothing.
// Then a planner on a desktop in English sees the same log.
func TestNoticesScreen(t *testing.T) {
	f, n := noticeFixture(t)
	seed(t, f.store)
	if _, err := n.Sync(); err != nil {
		t.Fatal(err)
	}
	expiry := f.clock.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	postEv(t, f, "/api/v1/events", map[string]any{"type": "receipt",
		"lines": []map[string]any{{"sku": "P-LOT", "qty": 3, "to": "A-01", "lot": "L-9", "expiry": expiry}}})
	if w, err := n.Sync(); err != nil || len(w) != 1 {
		t.Fatalf("notices %+v, %v", w, err)
	}
	srv := httptest.NewServer(f.srv.engine)
	// Closed after the browser's tabs (cleanups run last first), which end
	// the screens' event streams.
	t.Cleanup(srv.Close)

	b := browsertest.New(t)
	ctx := b.Tab(t, "zh-TW,zh;q=0.9", browsertest.HandheldWidth, browsertest.HandheldHeight, 3*time.Minute)
	if err := browsertest.WatchClicks(ctx); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Login(ctx, srv.URL, tokenOf(RoleStorekeeper)); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	open(t, ctx, srv.URL+"/#/notices")
	wait(t, ctx, "#notices-summary", "未解除的通知：1")
	wait(t, ctx, "#notices-table", "P-LOT 的批號 L-9 將於 "+expiry+" 過期：庫存 3")
	wait(t, ctx, "#notices-table", "批號即將過期")
	wait(t, ctx, "#notices-table", "仍未解除")
	wait(t, ctx, `[data-badge="notices"]`, "1")
	auditScreen(t, ctx, true)
	browsertest.Screenshot(t, ctx, "01-open-notice")

	wait(t, ctx, "#notices-live", "即時追蹤中")
	postEv(t, f, "/api/v1/events", map[string]any{"type": "scrap", "note": "damaged",
		"lines": []map[string]any{{"sku": "P-LOT", "qty": 3, "from": "A-01", "lot": "L-9"}}})
	if w, err := n.Sync(); err != nil || len(w) != 1 {
		t.Fatalf("notices %+v, %v", w, err)
	}
	wait(t, ctx, "#notices-summary", "未解除的通知：0")
	wait(t, ctx, "#notices-table", "已解除")
	rows, err := browsertest.TableRows(ctx, "#notices-table table")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !strings.Contains(rows[1][1], "已解除") || !strings.Contains(rows[2][1], "已提醒") {
		t.Fatalf("rows after the clear: %q", rows)
	}
	browsertest.Screenshot(t, ctx, "02-cleared-live")

	if err := browsertest.TabTo(ctx, "input#notices-open", 40); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Press(ctx, " "); err != nil {
		t.Fatal(err)
	}
	wait(t, ctx, "#notices-table", "暫無通知")
	browsertest.Screenshot(t, ctx, "03-only-open")

	en := b.Tab(t, "en-US", browsertest.DesktopWidth, browsertest.DesktopHeight, 3*time.Minute)
	if err := browsertest.Login(en, srv.URL, tokenOf(RolePlanner)); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	open(t, en, srv.URL+"/#/notices")
	wait(t, en, "#notices-summary", "Open notices: 0")
	wait(t, en, "#notices-table", "Lot L-9 of P-LOT expires on "+expiry+": 3 on hand")
	auditScreen(t, en, false)
	browsertest.Screenshot(t, en, "04-english-desktop")
}

func open(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Run(ctx, chromedp.Navigate(url),
		chromedp.WaitVisible(`section.screen[data-screen="notices"][data-ready]`, chromedp.ByQuery)); err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
}

func wait(t *testing.T, ctx context.Context, sel, text string) {
	t.Helper()
	if err := browsertest.WaitText(ctx, sel, text); err != nil {
		got, _ := browsertest.Text(ctx, sel)
		t.Fatalf("%s never showed %q: %v (it shows %q)", sel, text, err, got)
	}
}

// auditScreen holds the screen to the rules every screen keeps. The
// navigation links of other screens are theirs to translate.
func auditScreen(t *testing.T, ctx context.Context, translated bool) {
	t.Helper()
	issues, err := browsertest.Audit(ctx, translated)
	if err != nil {
		t.Fatal(err)
	}
	for _, is := range issues {
		if strings.HasPrefix(is, `not translated: a "`) && !strings.Contains(is, "Notices") {
			t.Logf("another screen's link: %s", is)
			continue
		}
		t.Errorf("audit: %s", is)
	}
}
