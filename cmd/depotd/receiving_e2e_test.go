package main

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// TestReceivingByScan is the procurement scenario of issue 4: a purchase
// order received at a dock by scanning GS1 codes on a scanner devsim plays
// on a pseudo-terminal. One line comes in over (within the tolerance), one
// short; a part that is not on the order and a serial scanned twice are
// rejected with a bad beep and write nothing; the dock's screen (the
// station's event stream) sees every outcome; closing the order reports the
// differences.
func TestReceivingByScan(t *testing.T) {
	d, sim := startScannerDepot(t, buildDepotd(t), "RCV-1", "dock-scanner", "dock-1")
	post := func(path, body string, want int) string {
		t.Helper()
		return d.must(t, "POST", path, e2eToken, body, want)
	}
	post("/api/v1/locations", `{"code":"QUAR","kind":"quarantine"}`, 201)
	post("/api/v1/parts", `{"sku":"FLT-HEPA","description":"HEPA filter","unit":"ea","gtins":["09506000134352"],"tracking":"none"}`, 201)
	post("/api/v1/parts", `{"sku":"CMP-R32","description":"Compressor","unit":"ea","gtins":["09506000134376"],"tracking":"serial"}`, 201)
	post("/api/v1/parts", `{"sku":"GLUE","description":"Sealant","unit":"ea","gtins":["09506000134369"],"tracking":"lot"}`, 201)
	post("/api/v1/purchase-orders", `{"number":"PO-100","supplier":"ACME","tolerancePct":20,
		"lines":[{"line":1,"sku":"FLT-HEPA","qty":10},{"line":2,"sku":"CMP-R32","qty":3}]}`, 201)
	d.waitUp(t, "dock-scanner")
	post("/api/v1/stations/dock-1/operation", `{"kind":"receive","ref":"PO-100","to":"QUAR"}`, 200)

	// The dock's screen follows the station.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	next := stationOutcomes(t, ctx, d, "dock-1")

	scanAll(t, d, sim, next, "dock-scanner", "PO-100", []scanStep{
		{"]C1 01095060001343523006", true, "", ""},                      // a box of 6 filters
		{"]C1 01095060001343523006", true, "", ""},                      // 6 more: 12 of 10, within 20 %
		{"]C1 010950600013437621GM-0001", true, "", ""},                 // compressor 1
		{"]C1 010950600013437621GM-0002", true, "", ""},                 // compressor 2 of 3: short
		{"]C1 01095060001343691727123110B-77", false, "wrong_part", ""}, // sealant: not on the order
		{"]C1 010950600013437621GM-0001", false, "already_received", ""},
		{"]C1 0109506000134353", false, "unreadable", ""},         // a damaged label
		{"]C1 01095060001343523001", false, "over_delivered", ""}, // a 13th filter is beyond 12
	})

	var po struct {
		inventory.PurchaseOrderState
		Report inventory.POReport
	}
	_, body := d.call(t, "GET", "/api/v1/purchase-orders/PO-100", e2eToken, "")
	if err := json.Unmarshal([]byte(body), &po); err != nil {
		t.Fatal(err)
	}
	if po.Lines[0].Received != 12 || po.Lines[0].Over != 2 || po.Lines[1].Received != 2 || po.Lines[1].Short != 1 {
		t.Fatalf("PO-100 after scanning: %s", body)
	}
	out := post("/api/v1/purchase-orders/PO-100/close", `{"note":"compressor 3 back-ordered"}`, 200)
	var closed struct{ Report inventory.POReport }
	json.Unmarshal([]byte(out), &closed)
	if closed.Report.Short != 1 || closed.Report.Over != 2 || closed.Report.Received != 14 {
		t.Fatalf("closing report: %s", out)
	}
	// A second delivery comes announced: the supplier's ASN lists two
	// pallets by SSCC, and one scan of a pallet's label receives all of it.
	post("/api/v1/purchase-orders", `{"number":"PO-101","supplier":"ACME",
		"lines":[{"line":1,"sku":"FLT-HEPA","qty":20},{"line":2,"sku":"CMP-R32","qty":2}]}`, 201)
	post("/api/v1/asns", `{"number":"DESADV-9","order":"PO-101","pallets":[
		{"sscc":"395060001234567894","lines":[{"sku":"FLT-HEPA","qty":12},{"sku":"CMP-R32","qty":2,"serials":["GM-0101","GM-0102"]}]},
		{"sscc":"395060001234567900","lines":[{"sku":"FLT-HEPA","qty":8}]}]}`, 201)
	post("/api/v1/stations/dock-1/operation", `{"kind":"receive","ref":"PO-101","to":"QUAR"}`, 200)
	scanAll(t, d, sim, next, "dock-scanner", "PO-101", []scanStep{
		{"]C1 00395060001234567894", true, "", ""},
		{"]C1 00395060001234567894", false, "pallet_received", ""},
		{"]C1 00395060001234567917", false, "unknown_pallet", ""}, // a pallet no notice announced
		{"]C1 00395060001234567900", true, "", ""},
	})
	_, body = d.call(t, "GET", "/api/v1/purchase-orders/PO-101", e2eToken, "")
	if err := json.Unmarshal([]byte(body), &po); err != nil {
		t.Fatal(err)
	}
	if po.Report.Received != 22 || po.Report.Short != 0 || po.Report.Over != 0 {
		t.Fatalf("PO-101 after its pallets: %s", body)
	}
	// Verify replays the log, orders and notices included.
	if code, body := d.call(t, "POST", "/api/v1/admin/verify", e2eToken, "{}"); code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("verify: %d %s", code, body)
	}
	cancel()
	if code := d.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("depotd exit %d", code)
	}
}
