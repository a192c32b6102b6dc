// Package browsertest drives the web screens in a real headless Chromium
// through chromedp, for the browser tests of depotd and hqd. Chromium is
// a test dependency like Mosquitto: `make test` installs it (Debian's
// chromium package), so a test that finds none fails rather than skips.
package browsertest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// Handheld and Desktop are the two screen sizes the screens are held to:
// a handheld terminal's browser and a warehouse PC.
const (
	HandheldWidth, HandheldHeight = 360, 740
	DesktopWidth, DesktopHeight   = 1280, 900
)

// Chromium finds the browser: $PARTSEDGE_CHROMIUM, else chromium or
// google-chrome on the PATH.
func Chromium() (string, error) {
	if p := os.Getenv("PARTSEDGE_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium on the PATH: `make deps` installs Debian's chromium package")
}

// Browser is one headless Chromium process; each Tab is a new tab in it.
// Tabs share the browser's storage per origin; Login clears the origin's
// so one subtest's sign-in or language never leaks into the next.
type Browser struct {
	ctx context.Context
}

// New starts Chromium for the test and stops it when the test ends.
func New(t testing.TB) *Browser {
	t.Helper()
	path, err := Chromium()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox refuses to start
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("autoplay-policy", "no-user-gesture-required"),
		chromedp.WindowSize(DesktopWidth, DesktopHeight),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	// Start the browser now, so a missing library fails here and clearly.
	if err := chromedp.Run(bctx); err != nil {
		cancelBrowser()
		cancelAlloc()
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})
	return &Browser{ctx: bctx}
}

// Tab opens a new isolated tab whose browser language is lang (what
// navigator.languages and Accept-Language say, "en", "zh-CN", "zh-TW" ...)
// at width × height CSS pixels. Every action in it must end within
// timeout, so a screen that never shows what the test waits for fails the
// test instead of hanging it.
func (b *Browser) Tab(t testing.TB, lang string, width, height int64, timeout time.Duration) context.Context {
	t.Helper()
	tctx, cancelTab := chromedp.NewContext(b.ctx)
	ctx, cancelTimeout := context.WithTimeout(tctx, timeout)
	t.Cleanup(func() {
		cancelTimeout()
		cancelTab()
	})
	mobile := width < 600
	err := chromedp.Run(ctx,
		emulation.SetUserAgentOverride("Mozilla/5.0 (X11; Linux x86_64) PartsedgeBrowserTest").WithAcceptLanguage(lang),
		emulation.SetDeviceMetricsOverride(width, height, 1, mobile),
		emulation.SetTouchEmulationEnabled(mobile),
		network.Enable(),
	)
	if err != nil {
		t.Fatalf("open a tab (%s, %dx%d): %v", lang, width, height, err)
	}
	return ctx
}

// Login opens the screens at base with the origin's storage cleared and
// signs in with token, by keyboard: the token typed into the focused field
// and Enter. It waits until the shell's navigation shows.
func Login(ctx context.Context, base, token string) error {
	return chromedp.Run(ctx,
		chromedp.Navigate(base+"/"),
		chromedp.Evaluate(`localStorage.clear()`, nil),
		chromedp.Reload(),
		chromedp.WaitVisible(`#token`, chromedp.ByID),
		chromedp.SendKeys(`#token`, token+"\r", chromedp.ByID),
		chromedp.WaitVisible(`header.top nav`, chromedp.ByQuery),
	)
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// ArtifactsDir is where a test's screenshots go:
// $PARTSEDGE_ARTIFACTS/<test>, else testdata/artifacts/screenshots/<test>
// at the root of the module (gitignored; CI keeps the folder).
func ArtifactsDir(t testing.TB) string {
	root := os.Getenv("PARTSEDGE_ARTIFACTS")
	if root == "" {
		root = filepath.Join(moduleRoot(), "testdata", "artifacts", "screenshots")
	}
	return filepath.Join(root, unsafeName.ReplaceAllString(t.Name(), "_"))
}

func moduleRoot() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return "."
	}
	// this file is <root>/api/internal/webui/browsertest/browsertest.go
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", "..", "..", ".."))
}

// Screenshot saves the whole page as <ArtifactsDir>/<name>.png and
// returns the file's path; a test names its steps in order ("01-signed-in",
// "02-received"), and a later run overwrites them. Screenshots are the
// test's artefacts: what each step looked like, in each language and
// width.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	var png []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&png, 100)); err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := ArtifactsDir(t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, strings.Trim(unsafeName.ReplaceAllString(name, "-"), "-")+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// Text is the visible text of the first element matching the CSS selector.
func Text(ctx context.Context, sel string) (string, error) {
	var s string
	err := chromedp.Run(ctx, chromedp.Text(sel, &s, chromedp.ByQuery, chromedp.NodeVisible))
	return s, err
}

// WaitText waits until the first element matching sel contains want.
func WaitText(ctx context.Context, sel, want string) error {
	js := fmt.Sprintf(`(() => { const el = document.querySelector(%q); return !!el && el.textContent.includes(%q); })()`, sel, want)
	return chromedp.Run(ctx, chromedp.Poll(js, nil, chromedp.WithPollingInterval(50*time.Millisecond)))
}

// Press sends one key (such as "\t" or "\r") to the focused element.
func Press(ctx context.Context, keys string) error {
	return chromedp.Run(ctx, chromedp.KeyEvent(keys))
}

// Focused describes the focused element (tag, id, class and text), so a
// keyboard test can check where Tab has taken it.
func Focused(ctx context.Context) (string, error) {
	var s string
	err := chromedp.Run(ctx, chromedp.Evaluate(`(() => { const e = document.activeElement; if (!e) return ''; return e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + String(e.className).replace(/ +/g, '.') : '') + ' ' + (e.textContent || e.value || '').trim().slice(0, 60); })()`, &s))
	return s, err
}

// TabTo presses Tab until the focused element's description contains
// want, at most limit times: how a keyboard user reaches a control.
func TabTo(ctx context.Context, want string, limit int) error {
	for i := 0; i < limit; i++ {
		f, err := Focused(ctx)
		if err != nil {
			return err
		}
		if strings.Contains(f, want) {
			return nil
		}
		if err := Press(ctx, "\t"); err != nil {
			return err
		}
	}
	f, _ := Focused(ctx)
	return fmt.Errorf("%d Tabs did not reach %q; the focus is on %q", limit, want, f)
}

// Overflow reports whether the page is wider than the viewport: at a
// handheld's width nothing but a table's own scroller may scroll sideways.
func Overflow(ctx context.Context) (bool, error) {
	var wide bool
	err := chromedp.Run(ctx, chromedp.Evaluate(`document.documentElement.scrollWidth > window.innerWidth + 1`, &wide))
	return wide, err
}

// TableRows reads the table matching sel as the user sees it: the header
// row first, then each body row, each cell's visible text trimmed. A test
// compares it with an export of the same data.
func TableRows(ctx context.Context, sel string) ([][]string, error) {
	var rows [][]string
	js := fmt.Sprintf(`(() => { const t = document.querySelector(%q); if (!t) return null;
		return Array.from(t.querySelectorAll('tr'), (tr) => Array.from(tr.children, (c) => c.innerText.trim())); })()`, sel)
	if err := chromedp.Run(ctx, chromedp.Evaluate(js, &rows)); err != nil {
		return nil, err
	}
	if rows == nil {
		return nil, fmt.Errorf("no table %q on the page", sel)
	}
	return rows, nil
}

// watchClicks is run in every document before the page's own scripts: it
// notes each element given a click handler, so Audit can tell whether a
// keyboard can reach it.
const watchClicks = `(() => {
  const add = EventTarget.prototype.addEventListener;
  window.__peClicked = new Set();
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if ((type === 'click' || type === 'mousedown' || type === 'pointerdown') && this instanceof Element) window.__peClicked.add(this);
    return add.call(this, type, fn, opts);
  };
})()`

// WatchClicks makes the tab note the elements that get click handlers
// (for Audit). Call it before Login.
func WatchClicks(ctx context.Context) error {
	return chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error {
		_, err := page.AddScriptToEvaluateOnNewDocument(watchClicks).Do(ctx)
		return err
	}))
}

// audit is what Audit checks, in the page: see Audit.
const audit = `((translated) => {
  const out = [];
  const main = document.querySelector('main');
  if (!main || !main.querySelector('h1')) out.push('no h1 in main');
  const err = document.querySelector('.error[role=alert]:not([hidden])');
  if (err) out.push('shows an error: ' + err.innerText.trim().replace(/\s+/g, ' '));
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    out.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + 'px in a ' + window.innerWidth + 'px window');
  const desc = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"';
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.hidden) continue;
    const named = (el.labels && el.labels.length) || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.title;
    if (!named) out.push('a control without a label: ' + desc(el));
  }
  for (const a of document.querySelectorAll('a')) if (!a.hasAttribute('href') && !a.classList.contains('hidden')) out.push('a link without href: ' + desc(a));
  const focusable = 'a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex="-1"])';
  for (const el of (window.__peClicked || [])) {
    if (!el.isConnected || el === document.body || el === document.documentElement) continue;
    if (el.matches(focusable) || el.querySelector(focusable)) continue;
    out.push('clickable but not reachable by keyboard: ' + desc(el));
  }
  if (translated) {
    for (const el of document.querySelectorAll('main h1, main h2, main h3, main th, main caption, main label .label, main button, main legend, header nav a')) {
      if (el.closest('[translate="no"]')) continue;
      const t = el.innerText.trim();
      if (/[A-Za-z]{3,}/.test(t) && !/[\u3400-\u9fff]/.test(t)) out.push('not translated: ' + el.tagName.toLowerCase() + ' "' + t.slice(0, 60) + '"');
    }
  }
  return out;
})`

// Audit checks the screen on show against the rules every screen keeps,
// and lists what breaks them: an h1; no error shown; the page does not
// scroll sideways (a table scrolls in its own wrapper); every control has
// a label; every link an href; everything with a click handler is
// reachable by Tab (needs WatchClicks); and when translated is true, no
// heading, column title, label, button or navigation link is left in
// English (text marked translate="no", such as codes, is not judged).
func Audit(ctx context.Context, translated bool) ([]string, error) {
	var out []string
	err := chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf("%s(%t)", audit, translated), &out))
	return out, err
}
