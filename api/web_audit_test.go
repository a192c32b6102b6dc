package api

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
)

// TestEveryScreenPassesTheAudit opens every screen of the depot, as an
// admin (who sees them all), in English, Simplified and Traditional
// Chinese at a handheld's width and in English on a desktop, over a
// seeded store, and holds each to browsertest.Audit: it shows its data
// without an error, does not scroll sideways, labels its controls, can be
// used by keyboard, and is translated. A new screen is audited as soon as
// its file exists.
func TestEveryScreenPassesTheAudit(t *testing.T) {
	f := newFixture(t)
	seed(t, f.store)
	seedPO(t, f.store)
	seedCount(t, f.store)
	seedReorder(t, f.store)
	srv := httptest.NewServer(f.srv.engine)
	defer srv.Close()
	b := browsertest.New(t)
	for _, tc := range []struct {
		lang          string
		width, height int64
		translated    bool
	}{
		{"en-US", browsertest.DesktopWidth, browsertest.DesktopHeight, false},
		{"en-US", browsertest.HandheldWidth, browsertest.HandheldHeight, false},
		{"zh-CN", browsertest.HandheldWidth, browsertest.HandheldHeight, true},
		{"zh-TW", browsertest.HandheldWidth, browsertest.HandheldHeight, true},
	} {
		t.Run(fmt.Sprintf("%s-%d", tc.lang, tc.width), func(t *testing.T) {
			ctx := b.Tab(t, tc.lang, tc.width, tc.height, 90*time.Second)
			if err := browsertest.WatchClicks(ctx); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.Login(ctx, srv.URL, tokenOf(RoleAdmin)); err != nil {
				t.Fatal(err)
			}
			var ids []string
			if err := chromedp.Run(ctx, chromedp.Evaluate(`PE.screens()`, &ids)); err != nil {
				t.Fatal(err)
			}
			if len(ids) == 0 {
				t.Fatal("an admin sees no screens")
			}
			for i, id := range ids {
				sel := fmt.Sprintf(`section.screen[data-screen=%q][data-ready]`, id)
				if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/#/"+id), chromedp.WaitVisible(sel, chromedp.ByQuery)); err != nil {
					t.Errorf("screen %s did not show: %v", id, err)
					continue
				}
				problems, err := browsertest.Audit(ctx, tc.translated)
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range problems {
					t.Errorf("screen %s: %s", id, p)
				}
				browsertest.Screenshot(t, ctx, fmt.Sprintf("%02d-%s", i+1, id))
			}
		})
	}
}
