package api

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
	"github.com/partsedge/partsedge/api/internal/export"
	"github.com/partsedge/partsedge/api/internal/export/exporttest"
	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

// TestReportsScreenShowsWhatTheXLSXHolds drives the reports screen in
// headless Chromium, in Simplified Chinese at a handheld's width, as a
// planner: for each report the table on the screen holds what the XLSX
// its Export XLSX button fetches (read back with excelize) holds, header and rows,
// once the screen's formats are undone (grouped numbers, UTC times as the
// spreadsheet shows them, yes/no). The screen passes the shell's audit.
func TestReportsScreenShowsWhatTheXLSXHolds(t *testing.T) {
	f := reportFixture(t)
	srv := httptest.NewServer(f.srv.engine)
	t.Cleanup(srv.Close)
	const lang = "zh-CN"
	ctx := browsertest.New(t).Tab(t, lang, browsertest.HandheldWidth, browsertest.HandheldHeight, 90*time.Second)
	if err := browsertest.WatchClicks(ctx); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Login(ctx, srv.URL, tokenOf(RolePlanner)); err != nil {
		t.Fatalf("login: %v", err)
	}
	cat := i18n.Default()
	for i, tc := range []struct {
		id, query, title string
		cols             []export.Column
	}{
		{"slow-moving", "slowDays=3", "Slow-moving and dead stock", slowMovingColumns},
		{"consumption", "by=engineer", "Consumption", consumptionColumns(inventory.ByEngineer)},
		{"stock-outs", "", "Stock-out spans", stockOutColumns},
		{"fill-rate", "from=2026-03-01", "Fill rate", fillRateColumns},
		{"turns", "", "Inventory turns", turnsColumns},
	} {
		caption := cat.T(i18n.SimplifiedChinese, tc.title)
		err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/#/reports/"+tc.id+"/"+tc.query))
		if err == nil {
			err = browsertest.WaitText(ctx, `section.screen[data-screen=reports][data-ready] #report-table caption`, caption)
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.id, err)
		}
		browsertest.Screenshot(t, ctx, fmt.Sprintf("%02d-%s", i+1, tc.id))
		screen, err := browsertest.TableRows(ctx, "#report-table table")
		if err != nil {
			t.Fatal(err)
		}
		// The XLSX is the one the screen's button fetches: PE.download is
		// watched, the button pressed by keyboard, and its path fetched.
		var paths []string
		err = chromedp.Run(ctx, chromedp.Evaluate(`window.__downloads = []; PE.download = async (p) => { window.__downloads.push(p); }`, nil))
		// The shell moves the focus to the heading once a screen is ready,
		// which may come after our focus: press again until the button got
		// the key.
		for try := 0; err == nil && len(paths) == 0 && try < 5; try++ {
			err = chromedp.Run(ctx, chromedp.Focus(`button.export-xlsx`, chromedp.ByQuery))
			if err == nil {
				err = browsertest.Press(ctx, "\r")
			}
			if err == nil {
				perr := chromedp.Run(ctx, chromedp.Poll(`window.__downloads.length > 0 ? window.__downloads : null`, &paths,
					chromedp.WithPollingTimeout(3*time.Second)))
				if perr != nil && !errors.Is(perr, chromedp.ErrPollingTimeout) {
					err = perr
				}
			}
		}
		if err != nil || len(paths) != 1 || !strings.Contains(paths[0], "format=xlsx") {
			t.Fatalf("%s: the export button fetched %q (%v)", tc.id, paths, err)
		}
		if want := "/api/v1/reports/" + tc.id; !strings.HasPrefix(paths[0], want+"?") || (tc.query != "" && !strings.Contains(paths[0], tc.query)) {
			t.Errorf("%s: the export button fetches %q, not this report's query %q", tc.id, paths[0], tc.query)
		}
		w := f.do(req{method: "GET", path: paths[0], role: RolePlanner, header: map[string]string{"Accept-Language": lang}})
		if w.Code != http.StatusOK {
			t.Fatalf("%s export: %d %s", tc.id, w.Code, w.Body)
		}
		header, rows := exporttest.Read(t, export.XLSX, w.Body.Bytes(), tc.cols)
		if len(rows) == 0 {
			t.Fatalf("%s: the export holds no rows: the comparison proves nothing", tc.id)
		}
		// The screen's first row is its header; an empty table shows one
		// row that says so.
		if !slices.Equal(screen[0], header) {
			t.Errorf("%s: screen header %q, XLSX %q", tc.id, screen[0], header)
		}
		got := screen[1:]
		if len(got) != len(rows) {
			t.Fatalf("%s: screen %d rows %q, XLSX %d rows %q", tc.id, len(got), got, len(rows), rows)
		}
		for r := range rows {
			for c, v := range rows[r] {
				if shown := unformat(got[r][c], tc.cols[c].Kind); shown != v {
					t.Errorf("%s row %d %s: screen %q (%q), XLSX %q", tc.id, r+1, tc.cols[c].Title, got[r][c], shown, v)
				}
			}
		}
		problems, err := browsertest.Audit(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", tc.id, p)
		}
	}
}

var screenTime = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$`)

// unformat turns what the screen shows back into the export's text.
func unformat(s string, k export.Kind) string {
	switch k {
	case export.Int, export.Float:
		return strings.ReplaceAll(s, ",", "")
	case export.Time:
		if m := screenTime.FindStringSubmatch(s); m != nil {
			return m[1] + "T" + m[2] + "Z"
		}
	case export.Bool:
		switch s {
		case "是":
			return "true"
		case "否":
			return "false"
		}
	}
	return s
}

// TestReportsScreenIsTranslated: every English text the reports screen
// shows (the capitalised string literals of its file: titles, labels,
// buttons, column titles, hints) is in both Chinese catalogues.
func TestReportsScreenIsTranslated(t *testing.T) {
	src, err := os.ReadFile("web/screens/85-reports.js")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`'((?:[^'\\]|\\.)*)'`)
	var want []string
	for _, m := range lit.FindAllStringSubmatch(string(src), -1) {
		s := strings.ReplaceAll(m[1], `\'`, `'`)
		if len(s) > 1 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'a' && s[1] <= 'z' {
			want = append(want, s)
		}
	}
	if len(want) < 30 {
		t.Fatalf("only %d texts found in the screen: the check saw too little", len(want))
	}
	for lang, missing := range i18n.Default().Missing(want) {
		for _, m := range missing {
			t.Errorf("catalog/%s/reports.json has no translation of %q", lang, m)
		}
	}
}
