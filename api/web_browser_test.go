package api

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
	"github.com/partsedge/partsedge/devices/station"
	"github.com/partsedge/partsedge/inventory"
)

// TestDepotScreensInBrowser drives the depot's own screens (picking,
// stock search, users) in headless Chromium against the API on a real
// store, with a real station router for the counter: what a storekeeper
// and an admin do, in Simplified and Traditional Chinese and English, on
// a warehouse PC and a handheld, by scans and by keyboard.
func TestDepotScreensInBrowser(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f := newFixture(t, func(c *Config) {
		st := c.Store.(*inventory.Store)
		r := station.New(station.Options{
			Stations: []string{"counter-1"},
			Idle:     func() station.Operation { return station.Identify{Catalog: st} },
			Make:     station.Operations(st),
		})
		go r.Run(ctx)
		c.Stations = r
		c.GS1CompanyPrefix = "0614141"
	})
	seed(t, f.store)
	seedReorder(t, f.store)
	tr := requestCmd("TR-9", inventory.TransferLine{SKU: "P-NONE", Qty: 2})
	tr.Actor = "planner-user"
	appendAll(t, f.store, tr, inventory.Command{Type: inventory.EvTransferAnnounced, Ref: "TR-IN",
		Transfer: &inventory.Transfer{From: "DEPOT-B", To: "DEPOT-T", Lines: []inventory.TransferLine{{SKU: "P-NONE", Qty: 3}}},
		Shipment: &inventory.Shipment{SSCC: "006141411234567890", Lines: []inventory.ShipmentLine{{SKU: "P-NONE", Qty: 3}}}})
	// WO-7 needs P-OLD too, which is out of stock and superseded by
	// P-NONE: the screen offers P-NONE as its substitute.
	appendAll(t, f.store,
		inventory.Command{Type: inventory.EvPartDefined, Actor: "seed", Part: &inventory.Part{SKU: "P-OLD", Description: "Old capacitor", SupersededBy: "P-NONE"}},
		inventory.Command{Type: inventory.EvWOCreated, Ref: "WO-7", Actor: "seed",
			WorkOrder: &inventory.WorkOrder{Number: "WO-7", Engineer: "eng-1", ServiceRequest: "SR-1001", Lines: []inventory.WOLine{
				{Line: 1, SKU: "P-NONE", Qty: 2}, {Line: 2, SKU: "P-SER", Qty: 1}, {Line: 3, SKU: "P-OLD", Qty: 1}}}})
	pl, err := f.store.PickList("WO-7")
	if err != nil {
		t.Fatal(err)
	}
	reserved := ""
	for _, l := range pl.Lines {
		if l.SKU == "P-SER" && len(l.Serials) == 1 {
			reserved = l.Serials[0]
		}
	}
	other := map[string]string{"S1": "S2", "S2": "S1"}[reserved]
	if other == "" {
		t.Fatalf("WO-7 reserved no single serial of P-SER: %+v", pl)
	}
	srv := httptest.NewServer(f.srv.engine)
	defer srv.Close()
	b := browsertest.New(t)

	t.Run("pick a work order by scans, zh-Hans", func(t *testing.T) {
		tab := b.Tab(t, "zh-CN", browsertest.DesktopWidth, browsertest.DesktopHeight, 30*time.Second)
		screensStep(t, tab, "sign in", func() error { return browsertest.Login(tab, srv.URL, tokenOf(RoleStorekeeper)) })
		screensStep(t, tab, "open picking", func() error {
			return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/pick"), screensWaitText(`section[data-screen=pick]`, "WO-7"))
		})
		screensWantText(t, tab, `main h1`, "工单领料")
		// The work order's label is scanned into the focused field.
		screensStep(t, tab, "scan the work order", func() error {
			return chromedp.Run(tab, chromedp.KeyEvent("WO:WO-7\r"), screensWaitText(`section[data-screen=pick]`, "SR-1001"))
		})
		screensWantText(t, tab, `section[data-screen=pick]`, "P-NONE（可用")
		browsertest.Screenshot(t, tab, "pick-list")
		// On this screen: the reserved serial is issued by its scan.
		screensScan(t, tab, reserved, true, "已领料 1 × P-SER")
		// A code the depot does not know: red, in Chinese, nothing booked.
		screensScan(t, tab, "NO-SUCH-CODE", false, "本仓库不认识此条码")
		// At the counter's station: the GS1 barcode of the part.
		screensStep(t, tab, "choose the station", func() error {
			return chromedp.Run(tab, chromedp.SetValue(`select[name=station]`, "counter-1", chromedp.ByQuery))
		})
		screensScan(t, tab, "0105901234123457", true, "已领料 P-NONE")
		// What is not a part's barcode is refused by the station, red, in
		// Chinese, and books nothing.
		screensScan(t, tab, "NO-SUCH-CODE", false, "请扫描备件条码")
		browsertest.Screenshot(t, tab, "picked")
		wo, err := f.store.WorkOrder("WO-7")
		if err != nil {
			t.Fatal(err)
		}
		if wo.Lines[0].Issued != 1 || wo.Lines[1].Issued != 1 {
			t.Fatalf("after two good scans WO-7 issued %d and %d, want 1 and 1", wo.Lines[0].Issued, wo.Lines[1].Issued)
		}
		// The lines' progress on screen follows the ledger.
		screensStep(t, tab, "progress shown", func() error { return browsertest.WaitText(tab, `section[data-screen=pick]`, "1 / 2") })
	})

	t.Run("stock search by serial on a handheld, zh-Hant", func(t *testing.T) {
		tab := b.Tab(t, "zh-TW", browsertest.HandheldWidth, browsertest.HandheldHeight, 30*time.Second)
		screensStep(t, tab, "sign in", func() error { return browsertest.Login(tab, srv.URL, tokenOf(RoleStorekeeper)) })
		screensStep(t, tab, "open stock", func() error {
			return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/stock"), chromedp.WaitVisible(`section[data-screen=stock] input.scan`, chromedp.ByQuery))
		})
		screensWantText(t, tab, `main h1`, "庫存")
		// The serial still in stock is found by its scan alone.
		screensStep(t, tab, "scan a serial", func() error {
			return chromedp.Run(tab, chromedp.KeyEvent(other+"\r"), screensWaitText(`.serial-history`, "收貨"))
		})
		screensWantText(t, tab, `.serial-history`, "現位於 A-01")
		screensNoOverflow(t, tab)
		browsertest.Screenshot(t, tab, "serial-in-stock")
		// The issued serial has left the depot; its history names the
		// work order that took it.
		screensStep(t, tab, "open the issued serial", func() error {
			return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/stock/P-SER/"+reserved), screensWaitText(`.serial-history`, "WO-7"))
		})
		screensWantText(t, tab, `.serial-history`, "領料")
		screensWantText(t, tab, `.serial-history`, "已不在本倉庫")
		screensNoOverflow(t, tab)
		browsertest.Screenshot(t, tab, "serial-issued")
	})

	t.Run("return the issued serial as defective on a handheld, zh-Hant", func(t *testing.T) {
		tab := b.Tab(t, "zh-TW", browsertest.HandheldWidth, browsertest.HandheldHeight, 30*time.Second)
		screensStep(t, tab, "sign in", func() error { return browsertest.Login(tab, srv.URL, tokenOf(RoleStorekeeper)) })
		screensStep(t, tab, "open returns", func() error {
			return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/returns"), screensWaitText(`section[data-screen=returns]`, "與領料不符的退回"))
		})
		screensScan(t, tab, "WO:WO-7", true, "工單 WO-7")
		screensScan(t, tab, reserved, true, "序號 "+reserved)
		screensStep(t, tab, "book", func() error {
			return chromedp.Run(tab, chromedp.Click(`section[data-screen=returns] form button[type=submit]`, chromedp.ByQuery),
				screensWaitText(`.feedback`, "已登錄退回：1 × P-SER"))
		})
		screensNoOverflow(t, tab)
		browsertest.Screenshot(t, tab, "returned")
		wo, err := f.store.WorkOrder("WO-7")
		if err != nil {
			t.Fatal(err)
		}
		if len(wo.Returns) != 1 || wo.Returns[0].Condition != "defective" || wo.Returns[0].To != "DEF-01" || wo.Returns[0].Mismatch != "" {
			t.Fatalf("WO-7 returns after booking the issued serial back: %+v", wo.Returns)
		}
	})

	t.Run("approve, pick and seal a transfer, en", func(t *testing.T) {
		tab := b.Tab(t, "en", browsertest.DesktopWidth, browsertest.DesktopHeight, 30*time.Second)
		screensStep(t, tab, "sign in", func() error { return browsertest.Login(tab, srv.URL, tokenOf(RoleAdmin)) })
		screensStep(t, tab, "open the transfer from the list", func() error {
			return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/transfers"),
				chromedp.Click(`//section//a[.="TR-9"]`, chromedp.BySearch),
				screensWaitText(`section[data-screen=transfers]`, "Approve"))
		})
		screensStep(t, tab, "approve", func() error {
			return chromedp.Run(tab, chromedp.Click(`//section//button[.="Approve"]`, chromedp.BySearch),
				screensWaitText(`section[data-screen=transfers]`, "Pick into the shipment"))
		})
		screensStep(t, tab, "pick", func() error {
			return chromedp.Run(tab,
				chromedp.SendKeys(`section input[name=sku]`, "P-NONE", chromedp.ByQuery),
				chromedp.SetValue(`section input[name=qty]`, "2", chromedp.ByQuery),
				chromedp.SendKeys(`section input[name=from]`, "A-01\r", chromedp.ByQuery),
				screensWaitText(`.feedback`, "Picked into the shipment"))
		})
		screensStep(t, tab, "seal", func() error {
			return chromedp.Run(tab, chromedp.Click(`//section//button[.="Seal and ship"]`, chromedp.BySearch),
				screensWaitText(`section[data-screen=transfers]`, "Shipping label"))
		})
		browsertest.Screenshot(t, tab, "sealed")
		tr, err := f.store.Transfer("TR-9")
		if err != nil {
			t.Fatal(err)
		}
		if tr.Status != inventory.TransferShipped || tr.SSCC == "" || tr.Lines[0].Shipped != 2 {
			t.Fatalf("TR-9 after approve, pick and seal: status %s, SSCC %q, lines %+v", tr.Status, tr.SSCC, tr.Lines)
		}
		screensWantText(t, tab, `section[data-screen=transfers]`, "(00)"+tr.SSCC)
	})

	t.Run("receive a transfer short and write off the rest, zh-Hans", func(t *testing.T) {
		keeper := b.Tab(t, "zh-CN", browsertest.DesktopWidth, browsertest.DesktopHeight, 30*time.Second)
		screensStep(t, keeper, "sign in", func() error { return browsertest.Login(keeper, srv.URL, tokenOf(RoleStorekeeper)) })
		screensStep(t, keeper, "open the transfer", func() error {
			return chromedp.Run(keeper, chromedp.Navigate(srv.URL+"/#/transfers/TR-IN"), screensWaitText(`section[data-screen=transfers]`, "完成收货"))
		})
		screensStep(t, keeper, "receive 2 of 3", func() error {
			return chromedp.Run(keeper,
				chromedp.SendKeys(`section input[name=sku]`, "P-NONE", chromedp.ByQuery),
				chromedp.SetValue(`section input[name=qty]`, "2", chromedp.ByQuery),
				chromedp.SendKeys(`section input[name=to]`, "A-02\r", chromedp.ByQuery),
				screensWaitText(`.feedback`, "已收货"))
		})
		screensStep(t, keeper, "close the receipt", func() error {
			return chromedp.Run(keeper, chromedp.Click(`//section//button[.="完成收货"]`, chromedp.BySearch),
				screensWaitText(`.feedback`, "收货已完成"))
		})
		browsertest.Screenshot(t, keeper, "received-short")
		// Writing off is the planner's: the storekeeper is not offered it.
		var shown string
		screensStep(t, keeper, "read the screen", func() error {
			return chromedp.Run(keeper, chromedp.Text(`section[data-screen=transfers]`, &shown, chromedp.ByQuery))
		})
		if strings.Contains(shown, "核销未到货数量") {
			t.Fatal("a storekeeper is offered the write-off")
		}
		planner := b.Tab(t, "zh-CN", browsertest.DesktopWidth, browsertest.DesktopHeight, 30*time.Second)
		screensStep(t, planner, "sign in", func() error { return browsertest.Login(planner, srv.URL, tokenOf(RolePlanner)) })
		screensStep(t, planner, "open the transfer", func() error {
			return chromedp.Run(planner, chromedp.Navigate(srv.URL+"/#/transfers/TR-IN"), screensWaitText(`section[data-screen=transfers]`, "核销未到货数量"))
		})
		screensStep(t, planner, "write off", func() error {
			return chromedp.Run(planner, chromedp.SendKeys(`section input[name=reason]`, "运输途中丢失\r", chromedp.ByQuery),
				screensWaitText(`.feedback`, "已核销"))
		})
		browsertest.Screenshot(t, planner, "written-off")
		tr, err := f.store.Transfer("TR-IN")
		if err != nil {
			t.Fatal(err)
		}
		if l := tr.Lines[0]; tr.Status != inventory.TransferClosed || l.Received != 2 || l.Short != 1 || l.WrittenOff != 1 {
			t.Fatalf("TR-IN after receiving 2 of 3 and writing off: status %s, line %+v", tr.Status, l)
		}
	})

	t.Run("the other screens at a handheld's width, zh-Hans", func(t *testing.T) {
		tab := b.Tab(t, "zh-CN", browsertest.HandheldWidth, browsertest.HandheldHeight, 30*time.Second)
		screensStep(t, tab, "sign in", func() error { return browsertest.Login(tab, srv.URL, tokenOf(RoleAdmin)) })
		for _, s := range []struct{ hash, title, shows string }{
			{"devices", "设备", "scan-1"},
			{"reorder", "再订货信号", "P-NONE"},
			{"audit", "审计日志", "WO-7"},
			{"transfers", "调拨", "TR-9"},
			{"pick", "工单领料", "WO-7"},
			{"returns/WO-7", "退料", "本工单已领料"},
			{"users", "用户与令牌", "admin-user"},
		} {
			screensStep(t, tab, "open "+s.hash, func() error {
				return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/"+s.hash), screensWaitText(`main h1`, s.title),
					screensWaitText(`main section`, s.shows))
			})
			screensNoOverflow(t, tab)
			browsertest.Screenshot(t, tab, s.hash)
		}
	})

	t.Run("admin beeps devices, and the refresh keeps the focus, en", func(t *testing.T) {
		tab := b.Tab(t, "en", browsertest.DesktopWidth, browsertest.DesktopHeight, 30*time.Second)
		screensStep(t, tab, "sign in", func() error { return browsertest.Login(tab, srv.URL, tokenOf(RoleAdmin)) })
		screensStep(t, tab, "open devices", func() error {
			return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/devices"), screensWaitText(`section[data-screen=devices]`, "scan-1"))
		})
		screensStep(t, tab, "beep scan-1", func() error {
			return chromedp.Run(tab, chromedp.Click(`//tr[td[.="scan-1"]]//button[.="Beep good"]`, chromedp.BySearch),
				screensWaitText(`.feedback[data-good="true"]`, "scan-1 beeped"))
		})
		f.devices.mu.Lock()
		signals := strings.Join(f.devices.signals, ",")
		f.devices.mu.Unlock()
		if signals != "scan-1true" {
			t.Fatalf("device signals %q, want scan-1true", signals)
		}
		// The wedge cannot beep: refused, in red, by keyboard.
		var updated string
		screensStep(t, tab, "beep the wedge", func() error {
			return chromedp.Run(tab, chromedp.Focus(`//tr[td[.="wedge"]]//button[.="Beep bad"]`, chromedp.BySearch),
				chromedp.Text(`section[data-screen=devices] p.muted`, &updated, chromedp.ByQuery),
				chromedp.KeyEvent("\r"), chromedp.WaitVisible(`.feedback[data-good="false"]`, chromedp.ByQuery))
		})
		// The table is rebuilt every 3 s; the keyboard stays where it was.
		screensStep(t, tab, "refreshed", func() error {
			return chromedp.Run(tab, chromedp.Poll(fmt.Sprintf(`document.querySelector('section[data-screen=devices] p.muted').textContent !== %q`, updated), nil,
				chromedp.WithPollingInterval(100*time.Millisecond)))
		})
		focused, err := browsertest.Focused(tab)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(focused, "Beep bad") {
			t.Fatalf("after the refresh the focus is on %q, want the wedge's Beep bad", focused)
		}
		browsertest.Screenshot(t, tab, "devices")
	})

	t.Run("admin creates a user and its token by keyboard, en", func(t *testing.T) {
		tab := b.Tab(t, "en", browsertest.DesktopWidth, browsertest.DesktopHeight, 30*time.Second)
		screensStep(t, tab, "sign in", func() error { return browsertest.Login(tab, srv.URL, tokenOf(RoleAdmin)) })
		screensStep(t, tab, "open users", func() error {
			return chromedp.Run(tab, chromedp.Navigate(srv.URL+"/#/users"), screensWaitText(`section[data-screen=users]`, "admin-user"))
		})
		// The name field has the focus; Tab passes the role (storekeeper
		// by default) to the button, and Enter presses it.
		screensStep(t, tab, "type the name", func() error { return browsertest.Press(tab, "kim") })
		screensStep(t, tab, "tab to create", func() error { return browsertest.TabTo(tab, "Create user", 4) })
		screensStep(t, tab, "create", func() error {
			return chromedp.Run(tab, chromedp.KeyEvent("\r"), screensWaitText(`.new-token`, "will not be shown again"))
		})
		focused, err := browsertest.Focused(tab)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(focused, "Copy") {
			t.Fatalf("after creating the user the focus is on %q, want the Copy button", focused)
		}
		screensStep(t, tab, "copy", func() error {
			return chromedp.Run(tab, chromedp.KeyEvent("\r"), screensWaitText(`.feedback`, "Token copied"))
		})
		var token string
		screensStep(t, tab, "read the token", func() error {
			return chromedp.Run(tab, chromedp.Value(`.new-token input`, &token, chromedp.ByQuery))
		})
		browsertest.Screenshot(t, tab, "new-token")
		// The token shown is the user's: it signs kim in as a storekeeper.
		w := f.do(req{method: http.MethodGet, path: "/api/v1/me", token: token})
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"kim"`) || !strings.Contains(w.Body.String(), RoleStorekeeper) {
			t.Fatalf("GET /me with the token on screen: %d %s", w.Code, w.Body)
		}
		// A second token for kim, from the table: shown once, replacing
		// the first on screen.
		screensStep(t, tab, "new token", func() error {
			return chromedp.Run(tab, chromedp.Click(`//tr[td[.="kim"]]//button`, chromedp.BySearch),
				chromedp.Poll(fmt.Sprintf(`document.querySelector('.new-token input').value !== %q`, token), nil,
					chromedp.WithPollingInterval(50*time.Millisecond)))
		})
		var second string
		screensStep(t, tab, "read the second token", func() error {
			return chromedp.Run(tab, chromedp.Value(`.new-token input`, &second, chromedp.ByQuery))
		})
		if second == token || second == "" {
			t.Fatalf("the second token %q is not a new one (first %q)", second, token)
		}
		if w := f.do(req{method: http.MethodGet, path: "/api/v1/me", token: second}); w.Code != http.StatusOK {
			t.Fatalf("GET /me with the second token: %d %s", w.Code, w.Body)
		}
	})
}

// run does one step, and on failure says which and saves what the page
// showed.
func screensStep(t *testing.T, ctx context.Context, step string, fn func() error) {
	t.Helper()
	if err := fn(); err != nil {
		if ctx.Err() != nil {
			t.Fatalf("%s: %v (the tab's time ran out)", step, err)
		}
		shot := browsertest.Screenshot(t, ctx, "failed-"+step)
		var body string
		_ = chromedp.Run(ctx, chromedp.Text(`body`, &body, chromedp.ByQuery))
		t.Fatalf("%s: %v\npage: %s\nscreenshot: %s", step, err, body, shot)
	}
}

func screensWaitText(sel, want string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error { return browsertest.WaitText(ctx, sel, want) })
}

func screensWantText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	screensStep(t, ctx, "show "+want, func() error { return browsertest.WaitText(ctx, sel, want) })
}

// scan types a code and Enter into the screen's scan field, as a
// keyboard-wedge scanner does, and waits for the banner's verdict.
func screensScan(t *testing.T, ctx context.Context, code string, good bool, want string) {
	t.Helper()
	verdict := `.feedback[data-good="false"]`
	if good {
		verdict = `.feedback[data-good="true"]`
	}
	screensStep(t, ctx, "scan "+code, func() error {
		// Clear the last verdict so the wait sees this scan's.
		if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('.feedback').removeAttribute('data-good')`, nil)); err != nil {
			return err
		}
		return chromedp.Run(ctx, chromedp.SendKeys(`section input.scan`, code+"\r", chromedp.ByQuery),
			chromedp.WaitVisible(verdict, chromedp.ByQuery), screensWaitText(verdict, want))
	})
}

func screensNoOverflow(t *testing.T, ctx context.Context) {
	t.Helper()
	wide, err := browsertest.Overflow(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wide {
		browsertest.Screenshot(t, ctx, "overflow")
		t.Fatal("the page scrolls sideways at a handheld's width")
	}
}
