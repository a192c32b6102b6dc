package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices/station"
	"github.com/partsedge/partsedge/inventory"
)

// TestReorderSignalsEndToEnd is the planner's scenario of issue 4: a real
// depotd, a reorder policy set through the API, stock picked down in
// several steps against work orders created through the API, each pick
// scanned on a scanner devsim plays on a pseudo-terminal at an issue
// counter, and the reorder signal appearing exactly once, in GET
// /reorder-signals and in the event log, also after a clean restart and
// after a kill -9 right behind the triggering pick. The work orders are
// opened before their part's stock arrives, so they reserve nothing and
// the picks alone take the position down.
func TestReorderSignalsEndToEnd(t *testing.T) {
	bin := buildDepotd(t)
	sim := startDevsim(t, "generic-serial-scanner", "--paused")
	env := []string{"PARTSEDGE_DEPOT=RO-1", "PARTSEDGE_DATA=" + t.TempDir(), "PARTSEDGE_LISTEN=127.0.0.1:0",
		"PARTSEDGE_ADMIN_TOKEN=" + e2eToken, "PARTSEDGE_LOG_LEVEL=warn",
		"PARTSEDGE_DEVICES=id=counter-scanner,profile=generic-serial-scanner,port=" + sim.link + ",station=counter-1"}
	d := startDaemon(t, bin, env...)
	call := func(method, path, token, body string, want int) string {
		t.Helper()
		return d.must(t, method, path, token, body, want)
	}
	user := func(name, role string) string {
		var u struct{ Token string }
		if err := json.Unmarshal([]byte(call("POST", "/api/v1/users", e2eToken, `{"name":"`+name+`","role":"`+role+`"}`, 201)), &u); err != nil {
			t.Fatal(err)
		}
		return u.Token
	}
	planner, engineer := user("pia", "planner"), user("eli", "engineer")
	head := func() uint64 { return headSeq(t, d) }
	call("POST", "/api/v1/locations", e2eToken, `{"code":"BIN-1","kind":"stock"}`, 201)
	part := func(sku, gtins string) {
		call("POST", "/api/v1/parts", e2eToken, `{"sku":"`+sku+`","gtins":[`+gtins+`]}`, 201)
	}
	receive := func(sku string, qty int) {
		call("POST", "/api/v1/events", e2eToken, fmt.Sprintf(`{"type":"receipt","lines":[{"sku":%q,"qty":%d,"to":"BIN-1"}]}`, sku, qty), 201)
	}
	stock := func(sku string, qty int) {
		part(sku, "")
		receive(sku, qty)
	}
	// workOrder opens a work order for the engineer through the API.
	workOrder := func(number, sku string, qty int) {
		call("POST", "/api/v1/work-orders", e2eToken, fmt.Sprintf(`{"number":%q,"engineer":"eli","lines":[{"line":1,"sku":%q,"qty":%d}]}`, number, sku, qty), 201)
	}
	const fanGTIN, pumpGTIN = "09506000134352", "09506000134369"
	part("FAN-1", `"`+fanGTIN+`"`)
	for i, qty := range []int{6, 6, 4, 2} {
		workOrder(fmt.Sprintf("WO-%d", i+1), "FAN-1", qty)
	}
	receive("FAN-1", 20)
	for i, qty := range []int64{6, 6, 4, 2} {
		var wo inventory.WorkOrderState
		if err := json.Unmarshal([]byte(call("GET", fmt.Sprintf("/api/v1/work-orders/WO-%d", i+1), e2eToken, "", 200)), &wo); err != nil {
			t.Fatal(err)
		}
		if len(wo.Lines) != 1 || wo.Lines[0].Reserved != 0 || wo.Lines[0].Awaiting != qty {
			t.Fatalf("WO-%d reserved stock: %+v", i+1, wo.Lines)
		}
	}

	// Refusals write nothing.
	before := head()
	for _, c := range []struct {
		token, body string
		code        int
	}{
		{engineer, `{"sku":"FAN-1","method":"minmax","min":5,"max":20}`, 403},
		{planner, `{"sku":"NOPE","method":"minmax","min":5,"max":20}`, 422},
		{planner, `{"sku":"FAN-1","method":"minmax","min":20,"max":5}`, 400},
		{planner, `{"sku":"FAN-1","method":"rop","rop":"derived"}`, 400},
		{planner, `{"sku":"FAN-1","method":"minmax",`, 400},
	} {
		call("POST", "/api/v1/reorder-policies", c.token, c.body, c.code)
	}
	if h := head(); h != before {
		t.Fatalf("refused policies moved the head from %d to %d", before, h)
	}
	call("POST", "/api/v1/reorder-policies", planner, `{"sku":"FAN-1","method":"minmax","min":5,"max":20}`, 201)

	signals := func(sku string) []inventory.SignalRecord {
		t.Helper()
		var got struct{ Items []inventory.SignalRecord }
		if err := json.Unmarshal([]byte(call("GET", "/api/v1/reorder-signals?status=all&sku="+sku, planner, "", 200)), &got); err != nil {
			t.Fatal(err)
		}
		return got.Items
	}
	waitSignal := func(sku string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for len(signals(sku)) == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("no reorder signal for %s in 20 s:\n%s", sku, d.stderr)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	// A sentinel part whose policy signals at once: once its signal is
	// there, the watcher has evaluated every event before it (it reads the
	// log in order and evaluates a pass's parts in SKU order, ZZ last).
	sentinels := 0
	settle := func() {
		t.Helper()
		sentinels++
		sku := fmt.Sprintf("ZZ-%d", sentinels)
		stock(sku, 1)
		call("POST", "/api/v1/reorder-policies", planner, `{"sku":"`+sku+`","method":"minmax","min":1,"max":2}`, 201)
		waitSignal(sku)
	}
	signalEvents := func(sku string) int {
		t.Helper()
		var page struct{ Items []inventory.Event }
		if err := json.Unmarshal([]byte(call("GET", "/api/v1/events?after=0&limit=1000", e2eToken, "", 200)), &page); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, ev := range page.Items {
			if ev.Type == inventory.EvReorderSignal && ev.Ref == sku {
				if ev.Actor != inventory.ReorderActor {
					t.Errorf("signal by %q", ev.Actor)
				}
				n++
			}
		}
		return n
	}
	// issue picks qty of the part for the work order at the counter: the
	// operation started through the API, one GS1 scan with the count (AI
	// 30) on the scanner. The watcher may append a signal right behind the
	// pick, so the head moves by at least one.
	var next func() station.Outcome
	follow := func() {
		t.Helper()
		d.waitUp(t, "counter-scanner")
		next = followStation(t, d, "counter-1")
	}
	follow()
	issue := func(sku string, qty int, wo string) uint64 {
		t.Helper()
		gtin := map[string]string{"FAN-1": fanGTIN, "PUMP-1": pumpGTIN}[sku]
		call("POST", "/api/v1/stations/counter-1/operation", e2eToken, `{"kind":"pick","ref":"`+wo+`"}`, 200)
		before := head()
		scan := fmt.Sprintf("]C1 01%s30%d", gtin, qty)
		sim.send("scan "+scan, "queued")
		o := next()
		want := fmt.Sprintf("issued %d × %s for %s (%d of %d)", qty, sku, wo, qty, qty)
		if !o.Good || o.Code != "" || o.Device != "counter-scanner" || o.Ref != wo || o.Message != want {
			t.Fatalf("pick %s for %s: outcome %+v", scan, wo, o)
		}
		if after := head(); after <= before {
			t.Fatalf("pick %s for %s: head %d -> %d", scan, wo, before, after)
		}
		var ev inventory.Event
		if err := json.Unmarshal([]byte(call("GET", fmt.Sprintf("/api/v1/events/%d", before+1), e2eToken, "", 200)), &ev); err != nil {
			t.Fatal(err)
		}
		if ev.Seq != before+1 || ev.Type != inventory.EvIssue || ev.Ref != wo || len(ev.Lines) != 1 || ev.Lines[0].SKU != sku || ev.Lines[0].Qty != int64(qty) || ev.Lines[0].From != "BIN-1" {
			t.Fatalf("the pick's event: %+v", ev)
		}
		return ev.Seq
	}

	// 20 -> 14 -> 8: above min 5.
	issue("FAN-1", 6, "WO-1")
	issue("FAN-1", 6, "WO-2")
	settle()
	if n := len(signals("FAN-1")); n != 0 {
		t.Fatalf("%d signals above the reorder point", n)
	}
	// 8 -> 4: the signal, once.
	trigger := issue("FAN-1", 4, "WO-3")
	waitSignal("FAN-1")
	// 4 -> 2 while the signal is open: no repeat.
	issue("FAN-1", 2, "WO-4")
	settle()
	got := signals("FAN-1")
	if len(got) != 1 || got[0].Status != inventory.SignalOpen || got[0].Signal.Position.Total != 4 || got[0].Signal.SuggestedQty != 16 {
		t.Fatalf("signals %+v", got)
	}
	if got[0].Seq <= trigger {
		t.Fatalf("signal %d is not behind the pick %d that reached the reorder point", got[0].Seq, trigger)
	}
	if n := signalEvents("FAN-1"); n != 1 {
		t.Fatalf("%d reorder-signal events for FAN-1", n)
	}

	// A clean restart evaluates everything again and adds nothing.
	if code := d.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d:\n%s", code, d.stderr)
	}
	d = startDaemon(t, bin, env...)
	follow()
	settle()
	if n, m := len(signals("FAN-1")), signalEvents("FAN-1"); n != 1 || m != 1 {
		t.Fatalf("after restart: %d signals, %d events", n, m)
	}

	// kill -9 right behind the issue that reaches the reorder point: the
	// signal may or may not have been written; after the restart there is
	// exactly one.
	part("PUMP-1", `"`+pumpGTIN+`"`)
	workOrder("WO-5", "PUMP-1", 1)
	receive("PUMP-1", 3)
	call("POST", "/api/v1/reorder-policies", planner, `{"sku":"PUMP-1","method":"minmax","min":2,"max":10}`, 201)
	issue("PUMP-1", 1, "WO-5")
	d.stop(t, syscall.SIGKILL)
	d = startDaemon(t, bin, env...)
	waitSignal("PUMP-1")
	settle()
	if n, m := len(signals("PUMP-1")), signalEvents("PUMP-1"); n != 1 || m != 1 {
		t.Fatalf("after kill -9: %d signals, %d events", n, m)
	}
	if n := signalEvents("FAN-1"); n != 1 {
		t.Fatalf("FAN-1 after kill -9: %d events", n)
	}
	code, body := d.call(t, "POST", "/api/v1/admin/verify", e2eToken, "")
	if code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("verify: %d %s", code, body)
	}
	if code := d.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d:\n%s", code, d.stderr)
	}
}
