package webui

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/webui/browsertest"
)

// shellScreens exercise the shell's parts as a real screen would: a scan
// field posting scans and showing their feedback, a live stream, a table.
// Their titles are texts the catalogues hold already (problem titles), so
// the test sees the shell translate without a catalogue of its own.
const shellScreens = `'use strict';
PE.screen({ id: 'scan', title: 'Insufficient stock', order: 1, render: async (el, params, ctx) => {
  const list = PE.h('ol', { id: 'outcomes' });
  const state = PE.h('p', { id: 'state' });
  const f = PE.scanField(async (code) => {
    const o = await PE.api('POST', '/api/v1/test/scans', { data: code });
    PE.feedback(o.good, o.message);
  });
  el.append(f.el, state, list);
  ctx.onLeave(PE.stream('/api/v1/test/events', (ev) => {
    list.append(PE.h('li', { text: ev.id + ':' + ev.data.text }));
  }, { onState: (s) => { state.textContent = s; } }));
} });
PE.screen({ id: 'table', title: 'Not found', order: 2, render: async (el) => {
  el.append(PE.table([{ key: 'sku', title: 'Part' }, { key: 'qty', title: 'Quantity', num: true }],
    [{ sku: 'A-1', qty: 12345 }], { caption: 'Stock' }));
} });
`

// fakeAPI is the little of an API the shell needs: who the token is, a
// scan endpoint and an event stream the test feeds and cuts.
type fakeAPI struct {
	mu       sync.Mutex
	revoked  bool
	events   chan string
	lastIDs  []string
	scanKeys map[string]bool
	langs    []string
}

func (f *fakeAPI) routes(e *gin.Engine) {
	authed := func(c *gin.Context) bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		if c.GetHeader("Authorization") != "Bearer tok-1" || f.revoked {
			c.Data(http.StatusUnauthorized, "application/problem+json", []byte(`{"title":"Unauthenticated","code":"unauthenticated","detail":"no token"}`))
			return false
		}
		return true
	}
	e.GET("/api/v1/me", func(c *gin.Context) {
		if authed(c) {
			c.JSON(http.StatusOK, gin.H{"name": "kim", "role": "storekeeper"})
		}
	})
	e.POST("/api/v1/test/scans", func(c *gin.Context) {
		if !authed(c) {
			return
		}
		var body struct{ Data string }
		if err := c.BindJSON(&body); err != nil {
			return
		}
		f.mu.Lock()
		key := c.GetHeader("Idempotency-Key")
		dup := f.scanKeys[key]
		f.scanKeys[key] = true
		f.langs = append(f.langs, c.GetHeader("Accept-Language"))
		f.mu.Unlock()
		if key == "" || dup {
			c.JSON(http.StatusBadRequest, gin.H{"title": "Idempotency-Key missing or reused"})
			return
		}
		c.JSON(http.StatusOK, gin.H{"good": body.Data == "GOOD", "message": "scanned " + body.Data})
	})
	e.GET("/api/v1/test/events", func(c *gin.Context) {
		if !authed(c) {
			return
		}
		f.mu.Lock()
		f.lastIDs = append(f.lastIDs, c.GetHeader("Last-Event-ID"))
		f.mu.Unlock()
		c.Header("Content-Type", "text/event-stream")
		c.Status(http.StatusOK)
		fmt.Fprint(c.Writer, "retry: 100\n\n")
		c.Writer.Flush()
		for {
			select {
			case <-c.Request.Context().Done():
				return
			case msg := <-f.events:
				if msg == "drop" {
					return // the connection ends; the browser must resume
				}
				id, text, _ := strings.Cut(msg, ":")
				fmt.Fprintf(c.Writer, ": a comment line\nid: %s\nevent: test\ndata: {\"text\":\n", id)
				fmt.Fprintf(c.Writer, "data: %q}\n\n", text)
				c.Writer.Flush()
			}
		}
	})
}

func TestShellInChromium(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	f := &fakeAPI{events: make(chan string), scanKeys: map[string]bool{}}
	f.routes(e)
	if err := Mount(e, Site{App: "depot", Title: "Partsedge depot", Screens: fstest.MapFS{
		"screens/10-shell.js": {Data: []byte(shellScreens)},
	}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()

	b := browsertest.New(t)
	ctx := b.Tab(t, "zh-TW,zh;q=0.9", browsertest.HandheldWidth, browsertest.HandheldHeight, 60*time.Second)
	if err := browsertest.Login(ctx, srv.URL, "tok-1"); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	// The browser's language picks Traditional Chinese for the screen.
	if err := browsertest.WaitText(ctx, "main h1", "庫存不足"); err != nil {
		t.Fatalf("translated title: %v", err)
	}
	var lang string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.lang`, &lang)); err != nil || lang != "zh-Hant" {
		t.Errorf("html lang %q (%v)", lang, err)
	}
	// The shell put the keyboard in the scan field: a wedge scanner types.
	if foc, err := browsertest.Focused(ctx); err != nil || !strings.Contains(foc, "input.scan") {
		t.Fatalf("focus after sign-in: %q %v", foc, err)
	}
	if err := browsertest.Press(ctx, "GOOD\r"); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitText(ctx, ".feedback.good", "scanned GOOD"); err != nil {
		t.Fatalf("good feedback: %v", err)
	}
	browsertest.Screenshot(t, ctx, "01-good-scan")
	if err := browsertest.Press(ctx, "BAD-1\r"); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitText(ctx, ".feedback.bad", "scanned BAD-1"); err != nil {
		t.Fatalf("bad feedback: %v", err)
	}
	browsertest.Screenshot(t, ctx, "02-bad-scan")

	// Live events; a dropped stream resumes after the last id it saw.
	if err := browsertest.WaitText(ctx, "#state", "live"); err != nil {
		t.Fatal(err)
	}
	f.events <- "1:one"
	f.events <- "2:two"
	if err := browsertest.WaitText(ctx, "#outcomes", "2:two"); err != nil {
		t.Fatalf("live events: %v", err)
	}
	f.events <- "drop"
	f.events <- "3:three" // sent on the resumed stream
	if err := browsertest.WaitText(ctx, "#outcomes", "3:three"); err != nil {
		t.Fatalf("resumed stream: %v", err)
	}
	var items []string
	if err := chromedp.Run(ctx, chromedp.Evaluate(`Array.from(document.querySelectorAll('#outcomes li'), (li) => li.textContent)`, &items)); err != nil {
		t.Fatal(err)
	}
	if strings.Join(items, ",") != "1:one,2:two,3:three" {
		t.Errorf("events shown %v", items)
	}
	f.mu.Lock()
	if len(f.lastIDs) != 2 || f.lastIDs[0] != "" || f.lastIDs[1] != "2" {
		t.Errorf("Last-Event-ID per connection: %q", f.lastIDs)
	}
	if len(f.langs) != 2 || f.langs[0] != "zh-Hant" {
		t.Errorf("Accept-Language of the scans: %q", f.langs)
	}
	f.mu.Unlock()
	if wide, err := browsertest.Overflow(ctx); err != nil || wide {
		t.Errorf("the page scrolls sideways at %d px (%v)", browsertest.HandheldWidth, err)
	}

	// By keyboard to the second screen: Tab to its link, Enter.
	if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('a.skip').focus()`, nil)); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.TabTo(ctx, "找不到", 10); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.Press(ctx, "\r"); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitText(ctx, "main table", "12,345"); err != nil {
		t.Fatalf("table screen: %v", err)
	}
	browsertest.Screenshot(t, ctx, "03-table")

	// A revoked token sends the user back to sign in.
	f.mu.Lock()
	f.revoked = true
	f.mu.Unlock()
	if err := chromedp.Run(ctx, chromedp.Reload(), chromedp.WaitVisible(`#token`, chromedp.ByID)); err != nil {
		t.Fatalf("after the token was revoked: %v", err)
	}
}

func TestTableRowsReadsWhatTheScreenShows(t *testing.T) {
	gin.SetMode(gin.ReleaseMode)
	e := gin.New()
	f := &fakeAPI{events: make(chan string), scanKeys: map[string]bool{}}
	f.routes(e)
	if err := Mount(e, Site{App: "hq", Title: "Partsedge HQ", Screens: fstest.MapFS{"screens/10-shell.js": {Data: []byte(shellScreens)}}}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e)
	defer srv.Close()
	ctx := browsertest.New(t).Tab(t, "en-GB", browsertest.DesktopWidth, browsertest.DesktopHeight, 30*time.Second)
	if err := browsertest.Login(ctx, srv.URL, "tok-1"); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx, chromedp.Navigate(srv.URL+"/#/table")); err != nil {
		t.Fatal(err)
	}
	if err := browsertest.WaitText(ctx, "main table", "A-1"); err != nil {
		t.Fatal(err)
	}
	rows, err := browsertest.TableRows(ctx, "main table")
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(rows); got != "[[Part Quantity] [A-1 12,345]]" {
		t.Errorf("rows %s", got)
	}
	if _, err := browsertest.TableRows(ctx, "table.none"); err == nil {
		t.Error("a missing table read as rows")
	}
}
