package hqapi

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
)

// TestScreensInChromium opens every HQ screen in headless Chromium at a
// handheld's width, in Traditional Chinese, on the view fixture's data
// (two depots, a suggestion, a transfer), and holds each to the screens'
// rules (browsertest.Audit: an h1, no error, no sideways scroll, labelled
// controls, keyboard reach, nothing left in English).
func TestScreensInChromium(t *testing.T) {
	api, _ := fixture(t)
	srv := httptest.NewServer(api)
	defer srv.Close()
	b := browsertest.New(t)
	ctx := b.Tab(t, "zh-TW", browsertest.HandheldWidth, browsertest.HandheldHeight, 60*time.Second)
	if err := browsertest.WatchClicks(ctx); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Login(ctx, srv.URL, token); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for i, tc := range []struct{ screen, want string }{
		{"stock", "PN"},
		{"depots", "D1"},
		{"transfers", "T-1"},
		{"suggestions", "PN"},
		{"notices", "D1"},
		{"charts", "D2"},
	} {
		if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/#/"+tc.screen),
			chromedp.WaitVisible(`section.screen[data-screen="`+tc.screen+`"][data-ready]`, chromedp.ByQuery)); err != nil {
			t.Fatalf("%s: %v", tc.screen, err)
		}
		if err := browsertest.WaitText(ctx, "main section", tc.want); err != nil {
			t.Fatalf("%s shows no %s: %v", tc.screen, tc.want, err)
		}
		browsertest.Screenshot(t, ctx, string(rune('1'+i))+"-"+tc.screen)
		if problems, err := browsertest.Audit(ctx, true); err != nil || len(problems) > 0 {
			t.Errorf("%s: %v %v", tc.screen, problems, err)
		}
	}
	// The charts are drawn, each with its title for screen readers, and
	// their figures are in tables too: PN's stock over 90 days, and the
	// fill rate and stock-out days of both depots.
	var titles []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('svg.chart > title'), (e) => e.textContent)`, &titles)); err != nil {
		t.Fatal(err)
	}
	if len(titles) != 3 || !strings.Contains(titles[0], "PN") || titles[1] != "各倉庫滿足率" || titles[2] != "各倉庫缺貨天數" {
		t.Errorf("chart titles %q", titles)
	}
	rows, err := browsertest.TableRows(ctx, "div.fill table")
	if err != nil {
		t.Fatal(err)
	}
	// D1, D2 and all depots; D2 holds a policy for PN (one part), set
	// with stock on the shelf: no stock-out day.
	if len(rows) != 4 || rows[2][0] != "D2" || rows[2][5] != "0" || rows[2][6] != "1" || rows[3][0] != "所有倉庫" {
		t.Errorf("fill rate table %q", rows)
	}
	var bars int
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll('div.history svg.chart path.line').length`, &bars)); err != nil || bars != 2 {
		t.Errorf("stock chart lines: %d %v", bars, err)
	}
}
