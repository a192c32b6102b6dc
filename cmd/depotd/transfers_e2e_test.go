package main

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/api"
	"github.com/partsedge/partsedge/inventory"
)

// sscCheckDigit is the GS1 mod-10 check digit, worked out here apart from
// the code under test: weights 3, 1, 3 ... from the rightmost data digit.
func ssccCheckDigit(data string) byte {
	sum := 0
	for i := 0; i < len(data); i++ {
		w := 1
		if (len(data)-i)%2 == 1 {
			w = 3
		}
		sum += int(data[i]-'0') * w
	}
	return byte('0' + (10-sum%10)%10)
}

// TestTransferBetweenDepotsByScan is the transfer scenario of issue 4 on
// two real depots, each with a scanner devsim plays on a pseudo-terminal.
// At the source a transfer is requested, refused approval by its own
// requester and approved by a planner, picked by scan (a wrong part and an
// over-pick rejected), and sealed with an SSCC from the depot's GS1
// company prefix; its label is GS1-128 and ZPL. The manifest is announced
// at the destination through its API, received there by scan one filter
// short (a serial that was not shipped rejected), closed with the
// discrepancy report, and the short filter written off. Both ledgers
// verify clean.
func TestTransferBetweenDepotsByScan(t *testing.T) {
	bin := buildDepotd(t)
	src, srcSim := startScannerDepot(t, bin, "SRC-1", "pack-scanner", "pack-1", "PARTSEDGE_GS1_COMPANY_PREFIX=9506000")
	dst, dstSim := startScannerDepot(t, bin, "DST-1", "dock-scanner", "dock-1")
	call := func(d *daemon, token, method, path, body string, want int) string {
		t.Helper()
		return d.must(t, method, path, token, body, want)
	}
	for _, d := range []*daemon{src, dst} {
		call(d, e2eToken, "POST", "/api/v1/locations", `{"code":"A-01","kind":"stock"}`, 201)
		call(d, e2eToken, "POST", "/api/v1/parts", `{"sku":"FLT-HEPA","description":"HEPA filter","gtins":["09506000134352"]}`, 201)
		call(d, e2eToken, "POST", "/api/v1/parts", `{"sku":"CMP-R32","description":"Compressor","gtins":["09506000134376"],"tracking":"serial"}`, 201)
	}
	call(src, e2eToken, "POST", "/api/v1/parts", `{"sku":"BELT","description":"Drive belt","gtins":["09506000134369"]}`, 201)
	call(src, e2eToken, "POST", "/api/v1/events", `{"type":"receipt","lines":[{"sku":"FLT-HEPA","qty":10,"to":"A-01"},
		{"sku":"BELT","qty":3,"to":"A-01"},{"sku":"CMP-R32","qty":2,"to":"A-01","serials":["GM-0001","GM-0002"]}]}`, 201)
	var planner struct{ Token string }
	json.Unmarshal([]byte(call(src, e2eToken, "POST", "/api/v1/users", `{"name":"pat","role":"planner"}`, 201)), &planner)

	// Source: request, approve (not by the requester), pick by scan, seal.
	call(src, e2eToken, "POST", "/api/v1/transfers", `{"number":"T-100","from":"SRC-1","to":"DST-1","expected":"2026-12-01",
		"lines":[{"sku":"FLT-HEPA","qty":4},{"sku":"CMP-R32","qty":1}]}`, 201)
	before := headSeq(t, src)
	if out := call(src, e2eToken, "POST", "/api/v1/transfers/T-100/approve", `{}`, 403); !strings.Contains(out, `"code":"self_approval"`) || headSeq(t, src) != before {
		t.Fatalf("self approval: %s", out)
	}
	call(src, planner.Token, "POST", "/api/v1/transfers/T-100/approve", `{}`, 200)
	src.waitUp(t, "pack-scanner")
	dst.waitUp(t, "dock-scanner")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	call(src, e2eToken, "POST", "/api/v1/stations/pack-1/operation", `{"kind":"ship","ref":"T-100","from":"A-01"}`, 200)
	scanAll(t, src, srcSim, stationOutcomes(t, ctx, src, "pack-1"), "pack-scanner", "T-100", []scanStep{
		{"]C1 01095060001343523003", true, "", ""},                   // three filters
		{"]C1 0109506000134369", false, "wrong_part", ""},            // a belt is not on T-100
		{"]C1 01095060001343523002", false, "over_shipped", ""},      // 3 + 2 is over 4
		{"]C1 0109506000134352", true, "", ""},                       // the fourth filter
		{"]C1 010950600013437621GM-0001", true, "", ""},              // the compressor
		{"]C1 010950600013437621GM-0002", false, "over_shipped", ""}, // a second one
	})
	var m api.Manifest
	if err := json.Unmarshal([]byte(call(src, e2eToken, "POST", "/api/v1/transfers/T-100/ship", `{}`, 200)), &m); err != nil {
		t.Fatal(err)
	}
	sscc := m.Shipment.SSCC
	if len(sscc) != 18 || !strings.HasPrefix(sscc, "09506000") || ssccCheckDigit(sscc[:17]) != sscc[17] {
		t.Fatalf("SSCC %q: prefix or check digit wrong", sscc)
	}
	var lab struct{ SSCC, ElementString, HRI string }
	json.Unmarshal([]byte(call(src, e2eToken, "GET", "/api/v1/transfers/T-100/label?format=gs1", "", 200)), &lab)
	if lab.SSCC != sscc || lab.ElementString != "]C100"+sscc || lab.HRI != "(00)"+sscc {
		t.Fatalf("GS1 label %+v", lab)
	}
	zpl := call(src, e2eToken, "GET", "/api/v1/transfers/T-100/label?format=zpl", "", 200)
	if !strings.HasPrefix(zpl, "^XA") || !strings.Contains(zpl, "^BCN,") || !strings.Contains(zpl, "^FD>;>800"+sscc+"^FS") ||
		!strings.HasSuffix(zpl, "^XZ\n") {
		t.Fatalf("ZPL label:\n%s", zpl)
	}
	if b := call(src, e2eToken, "GET", "/api/v1/stock?location=TRANSIT-T-100", "", 200); strings.Contains(b, `"sku"`) {
		t.Fatalf("the source still holds the shipment in transit: %s", b)
	}

	// Destination: announce the manifest as the source answered it.
	m.Event = nil
	manifest, _ := json.Marshal(m)
	call(dst, e2eToken, "POST", "/api/v1/transfers", string(manifest), 201)
	call(dst, e2eToken, "POST", "/api/v1/stations/dock-1/operation", `{"kind":"receive-transfer","ref":"T-100","to":"A-01"}`, 200)
	scanAll(t, dst, dstSim, stationOutcomes(t, ctx, dst, "dock-1"), "dock-scanner", "T-100", []scanStep{
		{"]C1 00395060001234567894", false, "wrong_shipment", ""}, // another pallet's SSCC
		{"]C1 01095060001343523002", true, "", ""},                // two filters
		{"]C1 0109506000134352", true, "", ""},                    // a third: the fourth never comes
		{"]C1 010950600013437621GM-0002", false, "not_in_shipment", ""},
		{"]C1 010950600013437621GM-0001", true, "", ""},
	})
	var closed struct{ Report inventory.TransferReport }
	json.Unmarshal([]byte(call(dst, e2eToken, "POST", "/api/v1/transfers/T-100/receive", `{"note":"one filter missing"}`, 200)), &closed)
	if r := closed.Report; r.Shipped != 5 || r.Received != 4 || r.Short != 1 || r.Lines[0].Short != 1 || r.Lines[1].Short != 0 {
		t.Fatalf("receipt report %+v", r)
	}
	call(dst, e2eToken, "POST", "/api/v1/transfers/T-100/write-off", `{"reason":"lost in transit"}`, 200)
	var tr inventory.TransferInfo
	json.Unmarshal([]byte(call(dst, e2eToken, "GET", "/api/v1/transfers/T-100", "", 200)), &tr)
	if tr.Status != inventory.TransferClosed || tr.Lines[0].WrittenOff != 1 || tr.SSCC != sscc {
		t.Fatalf("T-100 at the destination: %+v", tr)
	}
	if b := call(dst, e2eToken, "GET", "/api/v1/stock?sku=FLT-HEPA", "", 200); !strings.Contains(b, `"onHand":3`) || strings.Contains(b, "TRANSIT") {
		t.Fatalf("destination filters: %s", b)
	}
	for _, d := range []*daemon{src, dst} {
		if out := call(d, e2eToken, "POST", "/api/v1/admin/verify", "{}", 200); !strings.Contains(out, `"ok":true`) {
			t.Fatalf("verify: %s", out)
		}
	}
	cancel()
	for _, d := range []*daemon{src, dst} {
		if code := d.stop(t, syscall.SIGTERM); code != 0 {
			t.Fatalf("depotd exit %d", code)
		}
	}
}
