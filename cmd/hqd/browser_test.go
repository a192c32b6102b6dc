package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/partsedge/partsedge/api/browsertest"
	"github.com/partsedge/partsedge/cmd/internal/proctest"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// plannerSeeds give the two demo depots (each seeded with depotd's demo
// data) the needs and spares of the partsedge-demo, and one more:
//
//   - CAP-RUN-35UF: DEMO-1 holds 94 (80 more bought), minmax 10..30, and
//     issued one: 64 in excess; DEMO-2 holds 14 against minmax 20..40.
//   - FLT-HEPA-H13: DEMO-1 holds 24 against minmax 30..60; DEMO-2 holds
//     174 (150 more), minmax 20..60, no demand.
//   - FLT-PRE-G4: DEMO-1 holds 58 against minmax 70..100; DEMO-2 holds 58,
//     no policy and no demand: all of it can go.
//
// So there are three suggestions, one per language run.
var plannerSeeds = map[string][]struct{ path, key, body string }{
	"DEMO-1": {
		{"/api/v1/events", "seed-receipt-cap", `{"type":"receipt","ref":"PO-2026-0107","lines":[{"sku":"CAP-RUN-35UF","qty":80,"to":"A-05"}]}`},
		{"/api/v1/reorder-policies", "seed-policy-cap", `{"sku":"CAP-RUN-35UF","method":"minmax","min":10,"max":30}`},
		{"/api/v1/reorder-policies", "seed-policy-hepa", `{"sku":"FLT-HEPA-H13","method":"minmax","min":30,"max":60}`},
		{"/api/v1/reorder-policies", "seed-policy-pre", `{"sku":"FLT-PRE-G4","method":"minmax","min":70,"max":100}`},
	},
	"DEMO-2": {
		{"/api/v1/events", "seed-receipt-hepa", `{"type":"receipt","ref":"PO-2026-0211","lines":[{"sku":"FLT-HEPA-H13","qty":150,"to":"A-04"}]}`},
		{"/api/v1/reorder-policies", "seed-policy-hepa", `{"sku":"FLT-HEPA-H13","method":"minmax","min":20,"max":60}`},
		{"/api/v1/reorder-policies", "seed-policy-cap", `{"sku":"CAP-RUN-35UF","method":"minmax","min":20,"max":40}`},
	},
}

// plannerRun is one language's run: which suggestion the planner turns
// into an order, in which language and at which size, and whether by
// keyboard alone.
type plannerRun struct {
	lang, accept     string
	sku, from, to    string
	qty              int64
	width, height    int64
	keyboard         bool
	accepted, screen string // the order's "accepted" and the screen's title, as shown
}

// TestPlannerTurnsASuggestionIntoATransferOrder: a real hqd (embedded
// broker) and two real depotd processes with demo data; a planner with a
// token of their own signs in to HQ's screens, sees the lateral-transfer
// suggestion and turns it into a transfer order with one action. The
// order must reach the source depot (its own GET /api/v1/transfers) and
// the screen must show the order accepted by both depots. Once in each
// language: in English on a desktop, in Simplified Chinese at a
// handheld's width, in Traditional Chinese at a handheld's width by
// keyboard alone.
func TestPlannerTurnsASuggestionIntoATransferOrder(t *testing.T) {
	users := usersFile(t, "hq:hq-password-1\nDEMO-1:demo1-password\nDEMO-2:demo2-password\n")
	base, out := startHQD(t, map[string]string{"PARTSEDGE_DATA": t.TempDir(), "PARTSEDGE_MQTT": "embedded",
		"PARTSEDGE_MQTT_LISTEN": "127.0.0.1:0", "PARTSEDGE_MQTT_USERS": users,
		"PARTSEDGE_ADMIN_TOKEN": testToken, "PARTSEDGE_LISTEN": "127.0.0.1:0", "PARTSEDGE_LOG_LEVEL": "error"})
	broker := out.Wait(t, hqBrokerLine)[1]

	depots := map[string]struct{ base, token string }{}
	for _, id := range []string{"DEMO-1", "DEMO-2"} {
		tok := strings.ToLower(id) + "-admin-token-0123456789"
		dBase, _, _ := startDepotd(t, "PARTSEDGE_DEPOT="+id, "PARTSEDGE_DATA="+t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0",
			"PARTSEDGE_DEMO=true", "PARTSEDGE_MQTT="+broker, "PARTSEDGE_MQTT_USER="+id,
			"PARTSEDGE_MQTT_PASSWORD="+strings.ToLower(strings.ReplaceAll(id, "-", ""))+"-password",
			"PARTSEDGE_ADMIN_TOKEN="+tok, "PARTSEDGE_LOG_LEVEL=warn")
		for _, s := range plannerSeeds[id] {
			if code, body := call(t, "POST", dBase+s.path, tok, s.key, s.body); code/100 != 2 {
				t.Fatalf("%s POST %s: %d %s", id, s.path, code, body)
			}
		}
		depots[id] = struct{ base, token string }{dBase, tok}
	}
	for id, d := range depots {
		waitReplicated(t, base, id, depotHead(t, d.base, d.token))
	}

	// The planner: a user of HQ's with a token of their own.
	code, body := call(t, "POST", base+"/api/v1/users", testToken, "new-planner", `{"name":"lin","role":"planner"}`)
	if code != http.StatusCreated {
		t.Fatalf("create the planner: %d %s", code, body)
	}
	var created struct{ Token string }
	if err := json.Unmarshal(body, &created); err != nil || created.Token == "" {
		t.Fatalf("planner's token: %s %v", body, err)
	}

	suggestions := map[string]hq.Suggestion{}
	var ans struct{ Items []hq.Suggestion }
	if get(t, base+"/api/v1/suggestions", testToken, &ans) != http.StatusOK {
		t.Fatal("suggestions")
	}
	for _, s := range ans.Items {
		suggestions[s.SKU] = s
	}

	b := browsertest.New(t)
	for _, run := range []plannerRun{
		{lang: "en", accept: "en-GB,en;q=0.9", sku: "CAP-RUN-35UF", from: "DEMO-1", to: "DEMO-2", qty: 26,
			width: browsertest.DesktopWidth, height: browsertest.DesktopHeight, accepted: "Accepted", screen: "Lateral transfers"},
		{lang: "zh-Hans", accept: "zh-CN,zh;q=0.9", sku: "FLT-HEPA-H13", from: "DEMO-2", to: "DEMO-1", qty: 36,
			width: browsertest.HandheldWidth, height: browsertest.HandheldHeight, accepted: "已接受", screen: "横向调拨"},
		{lang: "zh-Hant", accept: "zh-TW,zh;q=0.9", sku: "FLT-PRE-G4", from: "DEMO-2", to: "DEMO-1", qty: 42,
			width: browsertest.HandheldWidth, height: browsertest.HandheldHeight, keyboard: true, accepted: "已接受", screen: "橫向調撥"},
	} {
		t.Run(run.lang, func(t *testing.T) {
			s, ok := suggestions[run.sku]
			if !ok || s.From != run.from || s.To != run.to || s.Qty != run.qty {
				t.Fatalf("HQ suggests %+v for %s, want %d from %s to %s (all: %+v)", s, run.sku, run.qty, run.from, run.to, ans.Items)
			}
			before := orderCount(t, base)
			ctx := b.Tab(t, run.accept, run.width, run.height, 60*time.Second)
			if err := browsertest.WatchClicks(ctx); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.Login(ctx, base, created.Token); err != nil {
				t.Fatalf("sign in: %v", err)
			}
			browsertest.Screenshot(t, ctx, "01-signed-in")
			if run.keyboard {
				// From the page's first control, Tab to the screen's link.
				if err := chromedp.Run(ctx, chromedp.Evaluate(`document.querySelector('a.skip').focus()`, nil)); err != nil {
					t.Fatal(err)
				}
				if err := browsertest.TabTo(ctx, run.screen, 20); err != nil {
					t.Fatal(err)
				}
				if err := browsertest.Press(ctx, "\r"); err != nil {
					t.Fatal(err)
				}
			} else if err := chromedp.Run(ctx, chromedp.Click(`header nav a[data-screen="suggestions"]`, chromedp.ByQuery)); err != nil {
				t.Fatal(err)
			}
			button := "order-" + s.ID
			if err := chromedp.Run(ctx, chromedp.WaitVisible(`section.screen[data-screen="suggestions"][data-ready]`, chromedp.ByQuery),
				chromedp.WaitReady("#"+button, chromedp.ByID)); err != nil {
				t.Fatalf("the suggestion on the screen: %v", err)
			}
			if err := browsertest.WaitText(ctx, "main h1", run.screen); err != nil {
				t.Fatalf("title in %s: %v", run.lang, err)
			}
			browsertest.Screenshot(t, ctx, "02-suggestions")
			if problems, err := browsertest.Audit(ctx, run.lang != "en"); err != nil || len(problems) > 0 {
				t.Errorf("the suggestions screen: %v %v", problems, err)
			}

			// One action: the suggestion's button.
			if run.keyboard {
				if err := browsertest.TabTo(ctx, button, 40); err != nil {
					t.Fatal(err)
				}
				if err := browsertest.Press(ctx, "\r"); err != nil {
					t.Fatal(err)
				}
			} else if err := chromedp.Run(ctx, chromedp.Click("#"+button, chromedp.ByID)); err != nil {
				t.Fatal(err)
			}
			if err := browsertest.WaitText(ctx, ".order-status", "HQ-"); err != nil {
				t.Fatalf("no order shown: %v", err)
			}
			status, err := browsertest.Text(ctx, ".order-status")
			if err != nil {
				t.Fatal(err)
			}
			number := regexp.MustCompile(`HQ-\d+`).FindString(status)
			browsertest.Screenshot(t, ctx, "03-ordered")

			// HQ holds exactly one new order, the suggestion's.
			var o hq.TransferOrderState
			if get(t, base+"/api/v1/transfer-orders/"+number, testToken, &o) != http.StatusOK ||
				o.From != run.from || o.To != run.to || len(o.Lines) != 1 || o.Lines[0].SKU != run.sku ||
				o.Lines[0].Qty != run.qty || o.Planner != "lin" {
				t.Fatalf("order %q: %+v", number, o)
			}
			if n := orderCount(t, base); n != before+1 {
				t.Fatalf("%d orders after one action, %d before", n, before)
			}

			// The order reached the source depot: an approved transfer there.
			src := depots[run.from]
			tr := waitDepotTransfer(t, src.base, src.token, number)
			if tr.From != run.from || tr.To != run.to || tr.Status != inventory.TransferApproved || len(tr.Lines) != 1 ||
				tr.Lines[0].SKU != run.sku || tr.Lines[0].Requested != run.qty {
				t.Fatalf("%s at %s: %+v", number, run.from, tr)
			}

			// The screen follows the order until both depots took it.
			row := fmt.Sprintf(`//table[.//caption]//tr[td[1][normalize-space()=%q]]`, number) // the orders table
			if err := chromedp.Run(ctx, chromedp.WaitVisible(row+fmt.Sprintf(`[contains(., %q)]`, run.accepted), chromedp.BySearch)); err != nil {
				t.Fatalf("the order accepted on the screen: %v", err)
			}
			browsertest.Screenshot(t, ctx, "04-accepted")
			if wide, err := browsertest.Overflow(ctx); err != nil || wide {
				t.Errorf("the page scrolls sideways at %d px (%v)", run.width, err)
			}
			// The destination counts the order as inbound: the suggestion
			// is gone from HQ's plan.
			waitSuggestionGone(t, base, s.ID)
		})
	}
}

// call sends one request with a token (and an Idempotency-Key) and
// returns the status and body.
func call(t *testing.T, method, url, token, key, body string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	code, b, err := proctest.Do(ctx, http.DefaultClient, method, url, token, key, json.RawMessage(body))
	if err != nil {
		t.Fatal(err)
	}
	return code, b
}

func orderCount(t *testing.T, base string) int {
	t.Helper()
	var ans struct{ TransferOrders []hq.TransferOrderState }
	if get(t, base+"/api/v1/transfer-orders", testToken, &ans) != http.StatusOK {
		t.Fatal("transfer orders")
	}
	return len(ans.TransferOrders)
}

// waitDepotTransfer polls a depot's own outbound transfers until number
// is there and approved: HQ's order is two commands at the source, the
// planner's request and HQ's approval.
func waitDepotTransfer(t *testing.T, base, token, number string) inventory.TransferInfo {
	t.Helper()
	var last inventory.TransferInfo
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ans struct{ Items []inventory.TransferInfo }
		if get(t, base+"/api/v1/transfers?direction=outbound", token, &ans) != http.StatusOK {
			t.Fatal("the depot's transfers")
		}
		for _, tr := range ans.Items {
			if tr.Number == number {
				last = tr
				if tr.Status == inventory.TransferApproved {
					return tr
				}
			}
		}
	}
	t.Fatalf("transfer %s never approved at %s: %+v", number, base, last)
	return last
}

func waitSuggestionGone(t *testing.T, base, id string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var ans struct{ Items []hq.Suggestion }
		if get(t, base+"/api/v1/suggestions", testToken, &ans) != http.StatusOK {
			t.Fatal("suggestions")
		}
		found := false
		for _, s := range ans.Items {
			found = found || s.ID == id
		}
		if !found {
			return
		}
	}
	t.Fatalf("suggestion %s is still made after its order was accepted", id)
}
