package hqapi

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/api/internal/export/exporttest"
	"github.com/partsedge/partsedge/api/internal/i18n"
)

// TestGlobalStockXLSXHoldsWhatTheScreenShows: a planner reading the
// global stock in Simplified Chinese presses Export XLSX (by keyboard);
// the file Chromium saves opens with excelize and holds, row for row and
// column for column, what the screen's table shows, under the same
// translated column titles.
func TestGlobalStockXLSXHoldsWhatTheScreenShows(t *testing.T) {
	api, _ := fixture(t)
	srv := httptest.NewServer(api)
	defer srv.Close()
	ctx := browsertest.New(t).Tab(t, "zh-CN", browsertest.DesktopWidth, browsertest.DesktopHeight, 60*time.Second)
	if err := browsertest.Login(ctx, srv.URL, token); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/#/stock"),
		chromedp.WaitVisible(`section.screen[data-screen="stock"][data-ready] table`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	screen, err := browsertest.TableRows(ctx, `section.screen[data-screen="stock"] table`)
	if err != nil {
		t.Fatal(err)
	}
	browsertest.Screenshot(t, ctx, "01-global-stock")
	tr := func(s string) string { return i18n.Default().T(i18n.SimplifiedChinese, s) }
	press := chromedp.ActionFunc(func(ctx context.Context) error {
		focus := fmt.Sprintf(`(() => { const b = Array.from(document.querySelectorAll('main button')).find((b) => b.textContent === %q); if (!b) return false; b.focus(); return true; })()`, tr("Export XLSX"))
		var ok bool
		if err := chromedp.Run(ctx, chromedp.Evaluate(focus, &ok)); err != nil || !ok {
			return fmt.Errorf("no %q button (%v)", tr("Export XLSX"), err)
		}
		return browsertest.Press(ctx, "\r")
	})
	body, name, err := browsertest.Download(ctx, t.TempDir(), press)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(name, "HQ-stock-") || !strings.HasSuffix(name, ".xlsx") {
		t.Errorf("the file is named %q", name)
	}
	header, rows := exporttest.Read(t, export.XLSX, body, globalStockColumns)
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	if len(screen) < 2 || len(rows) != len(screen)-1 {
		t.Fatalf("the screen shows %d rows, the XLSX holds %d", len(screen)-1, len(rows))
	}
	for i, title := range screen[0] {
		for r, row := range rows {
			shown := strings.ReplaceAll(screen[r+1][i], ",", "")
			var want string
			switch j, ok := col[title]; {
			case ok:
				want = row[j]
				if shown == "—" {
					shown = ""
				}
			case title == tr("Status"):
				switch {
				case row[col[tr("Below reorder point")]] == "true":
					want = tr("Below reorder point")
				case row[col[tr("Excess")]] == "true":
					want = tr("Excess")
				}
			default:
				t.Fatalf("the screen's column %q is not in the XLSX (%q)", title, header)
			}
			if shown != want {
				t.Errorf("row %d, %s: the screen shows %q, the XLSX holds %q", r+1, title, screen[r+1][i], want)
			}
		}
	}
}
