package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/partsedge/partsedge/api/browsertest"
	"github.com/partsedge/partsedge/devices/manager"
)

// storekeeperTexts is what the storekeeper's screens say in one language:
// the screen titles and the banner of each kind of scan in the scenario.
// They are written here, not read from the catalogue, so a catalogue that
// loses or garbles a text fails the test.
type storekeeperTexts struct {
	station, found, unknownCode  string
	receiving, counting          string
	received6, receivedSerial    string
	wrongPart, countingBin       string
	counted10, alreadyCounted    string
	startReceiving, startCount   string
	approve, approved, closeWord string
	qtyExpected, varianceReview  string
	exportXLSX                   string
	openCount, recount           string
	counted15                    string // the blind total after the scans
	expected11                   string // the open count's total of what Z1 holds
}

var storekeeperLangs = []struct {
	name, acceptLang string
	width, height    int64
	keyboard         bool // drive it by keyboard only: Tab, Enter and typing
	text             storekeeperTexts
}{
	{"en", "en-GB,en;q=0.9", browsertest.DesktopWidth, browsertest.DesktopHeight, false, storekeeperTexts{
		station: "Station", found: "Found FLT-HEPA", unknownCode: "The depot does not know this code",
		receiving: "Receiving", counting: "Counting",
		received6: "Received 6 × FLT-HEPA", receivedSerial: "Received CMP-R32 serial GM-0001",
		wrongPart: "This part is not on the document", countingBin: "Counting bin Z1",
		counted10: "Counted 10 × FLT-HEPA", alreadyCounted: "Already counted in this count",
		startReceiving: "Start receiving", startCount: "Start counting",
		approve: "Approve the count", approved: "Approved by admin", closeWord: "Close the order",
		qtyExpected: "Qty expected", varianceReview: "Variance review", exportXLSX: "Export XLSX", counted15: "15 counted", openCount: "Open the count", recount: "Count the bins with variances again", expected11: "10 counted of 11 expected",
	}},
	{"zh-Hans", "zh-CN,zh;q=0.9", browsertest.HandheldWidth, browsertest.HandheldHeight, true, storekeeperTexts{
		station: "工位", found: "已识别 FLT-HEPA", unknownCode: "本仓库不认识此条码",
		receiving: "收货", counting: "盘点",
		received6: "已收货 6 × FLT-HEPA", receivedSerial: "已收货 CMP-R32 序列号 GM-0001",
		wrongPart: "此备件不在单据上", countingBin: "正在盘点库位 Z1",
		counted10: "已盘点 10 × FLT-HEPA", alreadyCounted: "本次盘点中已盘过",
		startReceiving: "开始收货", startCount: "开始盘点作业",
		approve: "审批盘点", approved: "已由 admin 审批", closeWord: "关闭采购订单",
		qtyExpected: "账面数量", varianceReview: "差异审核", exportXLSX: "导出 XLSX", counted15: "已盘点 15", openCount: "开始盘点", recount: "重盘有差异的库位", expected11: "已盘点 10 / 账面 11",
	}},
	{"zh-Hant", "zh-TW,zh;q=0.9", browsertest.HandheldWidth, browsertest.HandheldHeight, false, storekeeperTexts{
		station: "工作站", found: "已識別 FLT-HEPA", unknownCode: "本倉庫不認識此條碼",
		receiving: "收貨", counting: "盤點",
		received6: "已收貨 6 × FLT-HEPA", receivedSerial: "已收貨 CMP-R32 序號 GM-0001",
		wrongPart: "此備件不在單據上", countingBin: "正在盤點儲位 Z1",
		counted10: "已盤點 10 × FLT-HEPA", alreadyCounted: "本次盤點中已盤過",
		startReceiving: "開始收貨", startCount: "開始盤點作業",
		approve: "核准盤點", approved: "已由 admin 核准", closeWord: "關閉採購單",
		qtyExpected: "帳面數量", varianceReview: "差異審核", exportXLSX: "匯出 XLSX", counted15: "已盤點 15", openCount: "開始盤點", recount: "重盤有差異的儲位", expected11: "已盤點 10 / 帳面 11",
	}},
}

// TestStorekeeperInTheBrowser is the storekeeper's half of issue 6's
// acceptance, in real headless Chromium on a real depotd whose devices
// devsim plays on pseudo-terminals: a serial scanner and a Chafon RFID
// reader at one station. A storekeeper signs in with their own token,
// follows the station, receives a purchase order and counts a zone while
// the devices scan (and they type a scan or two, as a keyboard-wedge
// scanner does); the page changes after every scan (the banner turns good
// or bad, the received and counted figures move) without being reloaded.
// Then the admin, who did not count, reviews: closes the order with its
// discrepancy report, approves the blind count, whose expected quantities
// the storekeeper never saw, and opens the next count. The ledger the
// screens wrote verifies. Each language runs on its own
// depotd, once at a desktop's width and twice at a handheld's, once by
// keyboard alone. Every step leaves a screenshot.
func TestStorekeeperInTheBrowser(t *testing.T) {
	bin := buildDepotd(t)
	b := browsertest.New(t)
	for _, lang := range storekeeperLangs {
		t.Run(lang.name, func(t *testing.T) {
			sc := newStoreScenario(t, bin)
			ctx := b.Tab(t, lang.acceptLang, lang.width, lang.height, 90*time.Second)
			u := &browserUser{t: t, ctx: ctx, keyboard: lang.keyboard, began: time.Now()}
			if err := browsertest.WatchClicks(ctx); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.Login(ctx, sc.d.base, sc.kim); err != nil {
				t.Fatalf("sign in: %v", err)
			}
			// A reload would lose this mark: every change below must come
			// from the page updating itself.
			u.run(chromedp.Evaluate(`window.__peSamePage = true`, nil))
			u.shot("01-signed-in")
			tx := lang.text
			u.station(sc, tx)
			u.receive(sc, tx)
			u.count(sc, tx)
			var same bool
			u.run(chromedp.Evaluate(`window.__peSamePage === true`, &same))
			if !same {
				t.Fatal("the page was reloaded while the storekeeper worked")
			}
			u.review(sc, tx)
			if out := sc.d.must(t, "POST", "/api/v1/admin/verify", e2eToken, "{}", 200); !strings.Contains(out, `"ok":true`) {
				t.Fatalf("verify: %s", out)
			}
			if code := sc.d.stop(t, syscall.SIGTERM); code != 0 {
				t.Fatalf("depotd exit %d", code)
			}
		})
	}
}

// storeScenario is one depotd with a scanner and an RFID reader at
// station desk-1, its parts, bins, an open purchase order and an open
// blind count of zone Z, and the storekeeper kim's token.
type storeScenario struct {
	d             *daemon
	scanner, rfid *devsimProc
	kim           string
}

func newStoreScenario(t *testing.T, bin string) *storeScenario {
	t.Helper()
	// The reader's field: compressors 1001 (in Z1) and 1003 (in Z2); 1002,
	// also in Z1, is missing.
	tags := filepath.Join(t.TempDir(), "tags.txt")
	if err := os.WriteFile(tags, []byte(compressorEPC(t, "1001")+" 1 -50\n"+compressorEPC(t, "1003")+" 1 -55\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The rate is a real reader's, not a pseudo-terminal's flat out, so the
	// test leaves the machine's cores to Chromium and depotd.
	rfid := startDevsim(t, "chafon-cf-ru5102", "--tags", tags, "--antennas", "1", "--tag-rate", "50")
	scanner := startDevsim(t, "generic-serial-scanner", "--paused")
	d := startDaemon(t, bin, "PARTSEDGE_DEPOT=WEB-1", "PARTSEDGE_DATA="+t.TempDir(),
		"PARTSEDGE_LISTEN=127.0.0.1:0", "PARTSEDGE_ADMIN_TOKEN="+e2eToken, "PARTSEDGE_LOG_LEVEL=warn",
		"PARTSEDGE_DEVICES=id=desk-scanner,profile=generic-serial-scanner,port="+scanner.link+",station=desk-1;"+
			"id=desk-reader,profile=chafon-cf-ru5102,port="+rfid.link+",station=desk-1,zone=Z")
	post := func(path, body string) string {
		t.Helper()
		return d.must(t, "POST", path, e2eToken, body, 201)
	}
	for _, l := range []string{`{"code":"QUAR","kind":"quarantine"}`, `{"code":"Z1","zone":"Z"}`, `{"code":"Z2","zone":"Z"}`} {
		post("/api/v1/locations", l)
	}
	post("/api/v1/parts", `{"sku":"FLT-HEPA","description":"HEPA filter","unit":"ea","gtins":["09506000134352"]}`)
	post("/api/v1/parts", `{"sku":"CMP-R32","description":"Compressor","unit":"ea","gtins":["09506000134376"],"tracking":"serial"}`)
	post("/api/v1/parts", `{"sku":"GLUE","description":"Sealant","unit":"ea","gtins":["09506000134369"],"tracking":"lot"}`)
	post("/api/v1/parts", `{"sku":"CMP","description":"Compressor (RFID)","unit":"ea","gtins":["`+countGTIN+`"],"tracking":"serial"}`)
	post("/api/v1/events", `{"type":"receipt","ref":"OPENING","lines":[{"sku":"FLT-HEPA","qty":10,"to":"Z1"},{"sku":"FLT-HEPA","qty":4,"to":"Z2"},
		{"sku":"CMP","qty":2,"to":"Z1","serials":["1001","1002"]},{"sku":"CMP","qty":1,"to":"Z2","serials":["1003"]}]}`)
	post("/api/v1/purchase-orders", `{"number":"PO-100","supplier":"ACME","tolerancePct":20,
		"lines":[{"line":1,"sku":"FLT-HEPA","qty":10},{"line":2,"sku":"CMP-R32","qty":2}]}`)
	var kim struct{ Token string }
	if err := json.Unmarshal([]byte(post("/api/v1/users", `{"name":"kim","role":"storekeeper"}`)), &kim); err != nil || kim.Token == "" {
		t.Fatalf("kim's token: %v", err)
	}
	post("/api/v1/counts", `{"number":"C-1","scope":{"zone":"Z"},"blind":true,"counters":["kim"]}`)
	d.waitUp(t, "desk-scanner")
	d.waitUp(t, "desk-reader")
	return &storeScenario{d: d, scanner: scanner, rfid: rfid, kim: kim.Token}
}

// browserUser drives one tab as a person would: by mouse and keyboard, or
// by keyboard alone.
type browserUser struct {
	t        *testing.T
	ctx      context.Context
	keyboard bool
	began    time.Time
}

func (u *browserUser) run(actions ...chromedp.Action) {
	u.t.Helper()
	if err := chromedp.Run(u.ctx, actions...); err != nil {
		u.t.Fatal(err)
	}
}

// wait polls a JavaScript condition until it holds; what names it in the
// failure, which also shows the screen's text.
func (u *browserUser) wait(what, js string) {
	u.t.Helper()
	if err := chromedp.Run(u.ctx, chromedp.Poll(js, nil, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		var text string
		// The tab's deadline may have passed: then the text is empty.
		_ = chromedp.Run(u.ctx, chromedp.Evaluate(`document.body.innerText`, &text))
		u.t.Fatalf("%s: %v\n%s", what, err, text)
	}
}

func (u *browserUser) shot(name string) {
	u.t.Helper()
	browsertest.Screenshot(u.t, u.ctx, name)
	u.t.Logf("%s at %s", name, time.Since(u.began).Round(time.Millisecond))
}

// audit holds the screen to the rules every screen keeps. The navigation
// links of screens other than these (they come from other files) are
// judged by their own tests.
func (u *browserUser) audit(translated bool) {
	u.t.Helper()
	problems, err := browsertest.Audit(u.ctx, translated)
	if err != nil {
		u.t.Fatal(err)
	}
	for _, p := range problems {
		if strings.HasPrefix(p, `not translated: a "`) {
			continue
		}
		u.t.Errorf("audit: %s", p)
	}
}

// open goes to a screen: by its link in the navigation, with Tab and
// Enter, or by its address.
func (u *browserUser) open(screen, linkText string) {
	u.t.Helper()
	if u.keyboard {
		// The skip link is the page's first stop; Tab goes on into the
		// navigation from there.
		u.run(chromedp.Evaluate(`document.querySelector('a.skip').focus()`, nil))
		if err := browsertest.TabTo(u.ctx, "a "+linkText, 30); err != nil {
			u.t.Fatal(err)
		}
		u.press("\r")
	} else {
		u.run(chromedp.Click(`header nav a[data-screen="`+screen+`"]`, chromedp.ByQuery))
	}
	u.ready(screen)
}

// ready waits until the screen has shown its first data.
func (u *browserUser) ready(screen string) {
	u.t.Helper()
	u.wait("screen "+screen, fmt.Sprintf(`!!document.querySelector('section.screen[data-screen=%q][data-ready]')`, screen))
}

func (u *browserUser) press(keys string) {
	u.t.Helper()
	if err := browsertest.Press(u.ctx, keys); err != nil {
		u.t.Fatal(err)
	}
}

// activate presses a button or follows a link: Tab to it and Enter, or a
// click.
func (u *browserUser) activate(sel, focusText string) {
	u.t.Helper()
	if u.keyboard {
		if err := browsertest.TabTo(u.ctx, focusText, 40); err != nil {
			u.t.Fatal(err)
		}
		u.press("\r")
		return
	}
	u.run(chromedp.Click(sel, chromedp.ByQuery))
}

// lastOutcome is the id of the newest outcome the station desk lists.
func (u *browserUser) lastOutcome() string {
	u.t.Helper()
	var id string
	u.run(chromedp.Evaluate(`(document.querySelector('ol.outcomes li') || {dataset: {}}).dataset.id || '0'`, &id))
	return id
}

// scanned waits for the page to show the outcome of a scan made after
// before: a new outcome in the list, the banner good or bad with banner
// in it, and then figure (a JavaScript condition on the screen).
func (u *browserUser) scanned(what, before string, good bool, banner, figure string) {
	u.t.Helper()
	u.wait(what+": a new outcome", fmt.Sprintf(`Number((document.querySelector('ol.outcomes li') || {dataset: {}}).dataset.id || 0) > %s`, before))
	u.wait(what+": the banner", fmt.Sprintf(`(() => { const f = document.querySelector('body > .feedback');
		return !!f && !f.hidden && f.dataset.good === %q && f.textContent.includes(%q); })()`, fmt.Sprint(good), banner))
	if figure != "" {
		u.wait(what+": the figures", figure)
	}
}

// deviceScan scans code on the station's serial scanner.
func (u *browserUser) deviceScan(sc *storeScenario, what, code string, good bool, banner, figure string) {
	u.t.Helper()
	before := u.lastOutcome()
	sc.scanner.send("scan "+code, "queued")
	u.scanned(what, before, good, banner, figure)
}

// station: the station screen follows desk-1, which identifies what is
// scanned until an operation starts there.
func (u *browserUser) station(sc *storeScenario, tx storekeeperTexts) {
	u.t.Helper()
	u.open("station", tx.station)
	u.wait("the station title", fmt.Sprintf(`document.querySelector('main h1').textContent === %q`, tx.station))
	// The depot's one station is chosen by itself, and followed live.
	u.wait("the station", `(() => { const s = document.querySelector('section.screen');
		return s.dataset.operation === 'identify' && s.dataset.live === 'live'; })()`)
	u.deviceScan(sc, "a filter", "]C1 0109506000134352", true, tx.found, "")
	before := u.lastOutcome()
	u.press("NO-SUCH-PART\r")
	u.scanned("a code the depot does not know", before, false, tx.unknownCode, "")
	u.audit(tx.station != "Station")
	u.shot("02-station")
}

// receive: the storekeeper starts receiving PO-100 at desk-1 into the
// quarantine bin, and scans; each scan moves the received figures.
func (u *browserUser) receive(sc *storeScenario, tx storekeeperTexts) {
	u.t.Helper()
	u.open("receive", tx.receiving)
	u.wait("the receiving title", fmt.Sprintf(`document.querySelector('main h1').textContent === %q`, tx.receiving))
	u.audit(tx.receiving != "Receiving")
	u.shot("03-receiving-choose")
	u.activate(`section.screen form button[type=submit]`, tx.startReceiving)
	u.ready("receive")
	u.wait("receiving at the station", `(() => { const s = document.querySelector('section.screen');
		return s.dataset.operation === 'receive' && s.dataset.ref === 'PO-100' && s.dataset.received === '0' && s.dataset.live === 'live'; })()`)
	u.audit(tx.receiving != "Receiving")
	u.shot("04-receiving-started")
	received := func(n int) string {
		return fmt.Sprintf(`document.querySelector('section.screen').dataset.received === '%d' &&
			document.querySelector('[data-total=received]').textContent.includes('%d')`, n, n)
	}

	u.deviceScan(sc, "6 filters", "]C1 01095060001343523006", true, tx.received6, received(6))
	// The short line stands out while it is short.
	u.wait("the short line", `!!document.querySelector('section.screen table tr.warn')`)
	u.shot("05-received-6")
	u.deviceScan(sc, "sealant", "]C1 01095060001343691727123110B-77", false, tx.wrongPart, received(6))
	u.shot("06-wrong-part")

	// A keyboard-wedge scanner (or a person) types into the scan field,
	// which the screen focused; the AIM identifier comes first.
	if f, err := browsertest.Focused(u.ctx); err != nil || !strings.Contains(f, "input.scan") {
		u.t.Fatalf("the focus is on %q (%v), not the scan field", f, err)
	}
	before := u.lastOutcome()
	u.press("]C1010950600013437621GM-0001\r")
	u.scanned("a typed compressor", before, true, tx.receivedSerial, received(7))

	u.deviceScan(sc, "6 more filters", "]C1 01095060001343523006", true, tx.received6, received(13))
	// 12 of 10 filters is within the order's 20 %, and shows as over.
	u.wait("the over line", `!!document.querySelector('section.screen table tr.bad') && !!document.querySelector('[data-total=received] ~ .pill.bad')`)
	// A storekeeper receives; closing the order is procurement's.
	var closeForms int
	u.run(chromedp.Evaluate(`document.querySelectorAll('section.screen form').length`, &closeForms))
	if closeForms != 0 {
		u.t.Errorf("a storekeeper is offered to close the order")
	}
	if wide, err := browsertest.Overflow(u.ctx); err != nil || wide {
		u.t.Errorf("the receiving screen scrolls sideways (%v)", err)
	}
	u.shot("07-received-over")
}

// count: the storekeeper starts counting C-1 at desk-1; the reader's tags
// and the scanner's scans fill the bins, and expected quantities never
// show.
func (u *browserUser) count(sc *storeScenario, tx storekeeperTexts) {
	u.t.Helper()
	// The reader leaves and comes back once counting has started: a
	// reader that comes up reads its field afresh, and a station that was
	// receiving left no trace of the tags it read then.
	sc.rfid.send("unplug", "unplugged")
	sc.d.waitDevices(u.t, e2eToken, "desk-reader", func(m map[string]manager.Status) bool { return m["desk-reader"].State != manager.Up })
	u.open("count", tx.counting)

	u.wait("the counting title", fmt.Sprintf(`document.querySelector('main h1').textContent === %q`, tx.counting))
	u.activate(`section.screen a[href="#/count/C-1"]`, "a C-1")
	u.ready("count")
	u.wait("the count", `document.querySelector('section.screen').dataset.bins === '0'`)

	u.audit(tx.counting != "Counting")
	u.shot("08-count-chosen")
	u.activate(`form.start-count button[type=submit]`, tx.startCount)
	u.ready("count")
	u.wait("counting at the station", `(() => { const s = document.querySelector('section.screen');
		return s.dataset.operation === 'count' && s.dataset.ref === 'C-1' && s.dataset.live === 'live' && s.dataset.blind === 'true'; })()`)
	counted := func(qty, bins int) string {
		return fmt.Sprintf(`(() => { const s = document.querySelector('section.screen');
			return s.dataset.counted === '%d' && s.dataset.bins === '%d' && document.querySelector('[data-total=qty]').textContent.includes('%d'); })()`, qty, bins, qty)
	}
	u.shot("09-counting-started")

	// The reader comes into the zone: its two compressors are counted in
	// the bins the ledger has them in.
	before := u.lastOutcome()
	sc.rfid.send("replug", "ready at")
	u.scanned("the reader's tags", before, true, "CMP", counted(2, 2))
	u.shot("10-rfid-counted")
	// The reader leaves: the scans below are the scanner's alone, whatever
	// a loaded machine does to the reader's timing.
	sc.rfid.send("unplug", "unplugged")
	u.deviceScan(sc, "bin Z1", "Z1", true, tx.countingBin, "")
	u.deviceScan(sc, "10 filters in Z1", "]C1 01095060001343523010", true, tx.counted10, counted(12, 2))
	u.deviceScan(sc, "a compressor the reader counted", "]C1 0180614141123458211001", false, tx.alreadyCounted, counted(12, 2))
	u.shot("11-already-counted")
	u.deviceScan(sc, "bin Z2", "Z2", true, "Z2", "")
	u.deviceScan(sc, "3 filters in Z2", "]C1 01095060001343523003", true, "FLT-HEPA", counted(15, 2))
	// Blind: no expected quantity, no variance anywhere on kim's screen.
	var heads []string
	u.run(chromedp.Evaluate(`Array.from(document.querySelectorAll('main th, main caption, main h2'), (e) => e.innerText.trim())`, &heads))
	for _, h := range heads {
		if h == tx.qtyExpected || h == tx.varianceReview {
			u.t.Errorf("the counter's screen shows %q", h)
		}
	}
	var total string
	u.run(chromedp.Evaluate(`document.querySelector('[data-total=qty]').innerText.trim()`, &total))
	if total != tx.counted15 {
		u.t.Errorf("the counter's total reads %q, want %q", total, tx.counted15)
	}
	u.audit(tx.counting != "Counting")
	if wide, err := browsertest.Overflow(u.ctx); err != nil || wide {
		u.t.Errorf("the counting screen scrolls sideways (%v)", err)
	}
	u.shot("12-counted")
}

// review: the admin, who did not count, closes the order with its
// discrepancy report and approves the count after reading its variances.
func (u *browserUser) review(sc *storeScenario, tx storekeeperTexts) {
	u.t.Helper()
	if err := browsertest.Login(u.ctx, sc.d.base, e2eToken); err != nil {
		u.t.Fatalf("the admin signs in: %v", err)
	}
	u.open("receive", tx.receiving)
	u.activate(`section.screen a[href="#/receive/PO-100"]`, "a PO-100")
	u.ready("receive")
	u.wait("the order's lines", `document.querySelector('section.screen').dataset.received === '13'`)
	u.activate(`section.screen form button.danger`, tx.closeWord)
	u.wait("the discrepancy report", `(() => { const r = document.querySelector('[data-report="PO-100"]');
		return document.querySelector('section.screen').dataset.status === 'closed' && !!r && r.querySelectorAll('tbody tr').length === 2; })()`)
	u.shot("13-order-closed")

	u.open("count", tx.counting)
	u.activate(`section.screen a[href="#/count/C-1"]`, "a C-1")
	u.ready("count")
	// The reviewer sees what the ledger expected and the two variances:
	// compressor 1002 missing from Z1, a filter short in Z2.
	u.wait("the variances", `(() => { const s = document.querySelector('section.screen');
		return s.dataset.blind === 'false' && document.querySelectorAll('.report table tbody tr.bad').length === 2; })()`)
	rows, err := browsertest.TableRows(u.ctx, `.report table`)
	if err != nil {
		u.t.Fatal(err)
	}
	if got := fmt.Sprint(rows[1:]); got != "[[Z1 CMP  1002 1 0 -1] [Z2 FLT-HEPA   4 3 -1]]" {
		u.t.Errorf("variances shown: %s", got)
	}
	u.audit(tx.counting != "Counting")
	u.shot("14-variance-review")
	u.exportMatches(rows, tx.exportXLSX)
	u.activate(`.report form button[type=submit]`, tx.approve)
	u.wait("the approval", fmt.Sprintf(`document.querySelector('section.screen').dataset.status === 'approved' &&
		document.querySelector('.report').textContent.includes(%q)`, tx.approved))
	u.shot("15-count-approved")
	out := sc.d.must(u.t, "GET", "/api/v1/counts/C-1", e2eToken, "", 200)
	if !strings.Contains(out, `"status":"approved"`) || !strings.Contains(out, `"approvedBy":"admin"`) {
		u.t.Fatalf("C-1 after the approval: %s", out)
	}

	// The next count: bin Z1 only, not blind.
	u.open("count", tx.counting)
	if u.keyboard {
		for _, step := range []struct{ field, keys string }{{"input#count-number", "C-2"}, {"input#count-bins", "Z1"}, {"input#count-blind", " "}} {
			if err := browsertest.TabTo(u.ctx, step.field, 20); err != nil {
				u.t.Fatal(err)
			}
			u.press(step.keys)
		}
	} else {
		u.run(chromedp.SendKeys(`#count-number`, "C-2", chromedp.ByID), chromedp.SendKeys(`#count-bins`, "Z1", chromedp.ByID),
			chromedp.Click(`#count-blind`, chromedp.ByID))
	}
	u.activate(`section.screen form button[type=submit]`, tx.openCount)
	u.wait("the new count", `location.hash === '#/count/C-2' && (() => { const s = document.querySelector('section.screen[data-ready]');
		return !!s && s.dataset.status === 'open' && s.dataset.bins === '0' && s.dataset.blind === 'false'; })()`)
	u.shot("16-count-opened")
	out = sc.d.must(u.t, "GET", "/api/v1/counts/C-2", e2eToken, "", 200)
	if !strings.Contains(out, `"bins":["Z1"]`) || strings.Contains(out, `"blind":true`) {
		u.t.Fatalf("C-2 as opened: %s", out)
	}

	// The admin counts it at the station, open-eyed: compressor 1001 left
	// unscanned is a variance at once, and Z1 goes back to be counted again.
	u.activate(`form.start-count button[type=submit]`, tx.startCount)
	u.wait("counting C-2 at the station", `location.hash === '#/count/C-2/desk-1' && (() => { const s = document.querySelector('section.screen[data-ready]');
		return !!s && s.dataset.operation === 'count' && s.dataset.ref === 'C-2' && s.dataset.live === 'live'; })()`)
	counted := fmt.Sprintf(`document.querySelector('section.screen').dataset.counted === '10' && document.querySelector('[data-total=qty]').textContent.includes(%q)`, tx.expected11)
	u.deviceScan(sc, "bin Z1 again", "Z1", true, tx.countingBin, "")
	u.deviceScan(sc, "10 filters in Z1 again", "]C1 01095060001343523010", true, tx.counted10, counted)
	u.wait("the missing compressor", `document.querySelectorAll('.report table tbody tr.bad').length === 1`)
	u.shot("17-open-count")
	u.activate(`.report button[data-focus=recount]`, tx.recount)
	u.wait("the recount", `(() => { const s = document.querySelector('section.screen');
		return s.dataset.bins === '0' && s.dataset.counted === '0' && document.querySelectorAll('.report table tbody tr.bad').length === 0; })()`)
	u.shot("18-recount")
}

// exportMatches presses the variance review's Export XLSX and holds the
// file Chromium saves to what the screen's table shows: the same column
// titles in the same language and the same rows (the screen groups digits
// and signs a surplus; the sheet holds plain numbers).
func (u *browserUser) exportMatches(screen [][]string, label string) {
	u.t.Helper()
	body, name, err := browsertest.Download(u.ctx, u.t.TempDir(), chromedp.ActionFunc(func(context.Context) error {
		u.activate(`.report button.export-xlsx`, label)
		return nil
	}))
	if err != nil {
		u.t.Fatalf("export the variances: %v", err)
	}
	if !strings.HasSuffix(name, ".xlsx") || !strings.Contains(name, "count-C-1") {
		u.t.Errorf("the variances file is named %q", name)
	}
	x, err := excelize.OpenReader(bytes.NewReader(body))
	if err != nil {
		u.t.Fatalf("open the variances XLSX: %v", err)
	}
	defer x.Close()
	sheet, err := x.GetRows(x.GetSheetList()[0], excelize.Options{RawCellValue: true})
	if err != nil {
		u.t.Fatal(err)
	}
	plain := func(s string) string { return strings.TrimPrefix(strings.ReplaceAll(s, ",", ""), "+") }
	if len(sheet) != len(screen) {
		u.t.Fatalf("the sheet has %d rows, the screen %d:\n%q\n%q", len(sheet), len(screen), sheet, screen)
	}
	for r := range screen {
		row := append(sheet[r], make([]string, max(0, len(screen[r])-len(sheet[r])))...)
		for c := range screen[r] {
			if plain(screen[r][c]) != row[c] {
				u.t.Errorf("row %d column %d: the screen shows %q, the sheet holds %q", r, c, screen[r][c], row[c])
			}
		}
	}
}
