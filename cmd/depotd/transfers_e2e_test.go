package main

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/api"
	"github.com/partsedge/partsedge/devices/manager"
	"github.com/partsedge/partsedge/devices/station"
	"github.com/partsedge/partsedge/inventory"
)

// stationOutcomes follows a station's SSE stream and returns a function
// that waits for its next outcome.
func stationOutcomes(t *testing.T, ctx context.Context, d *daemon, id string) func() station.Outcome {
	t.Helper()
	rq, _ := http.NewRequestWithContext(ctx, "GET", d.base+"/api/v1/stations/"+id+"/events", nil)
	rq.Header.Set("Authorization", "Bearer "+e2eToken)
	resp, err := http.DefaultClient.Do(rq)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	stream := bufio.NewReader(resp.Body)
	return func() station.Outcome {
		t.Helper()
		for {
			line, err := stream.ReadString('\n')
			if err != nil {
				t.Fatalf("event stream of %s: %v", id, err)
			}
			if v, ok := strings.CutPrefix(strings.TrimRight(line, "\n"), "data: "); ok {
				var o station.Outcome
				if err := json.Unmarshal([]byte(v), &o); err != nil {
					t.Fatal(err)
				}
				return o
			}
		}
	}
}

func headSeq(t *testing.T, d *daemon) uint64 {
	t.Helper()
	_, body := d.call(t, "GET", "/api/v1/status", e2eToken, "")
	var st struct{ Seq uint64 }
	if err := json.Unmarshal([]byte(body), &st); err != nil || st.Seq == 0 {
		t.Fatalf("status: %s", body)
	}
	return st.Seq
}

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

type scanStep struct {
	scan string
	good bool
	code string
}

// scanAll scans each step on sim and checks the station's outcome and that
// only good scans wrote an event.
func scanAll(t *testing.T, d *daemon, sim *devsimProc, next func() station.Outcome, device, ref string, steps []scanStep) {
	t.Helper()
	for _, s := range steps {
		before := headSeq(t, d)
		sim.send("scan "+s.scan, "queued")
		o := next()
		if o.Good != s.good || o.Code != s.code || o.Device != device || o.Ref != ref {
			t.Fatalf("scan %s: outcome %+v", s.scan, o)
		}
		if after := headSeq(t, d); s.good != (after == before+1) || (!s.good && after != before) {
			t.Fatalf("scan %s: head %d -> %d", s.scan, before, after)
		}
		t.Logf("%s %-36s %v %s %s", device, s.scan, o.Good, o.Code, o.Message)
	}
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
	srcSim := startDevsim(t, "generic-serial-scanner", "--paused")
	dstSim := startDevsim(t, "generic-serial-scanner", "--paused")
	src := startDaemon(t, bin, "PARTSEDGE_DEPOT=SRC-1", "PARTSEDGE_DATA="+t.TempDir(), "PARTSEDGE_GS1_COMPANY_PREFIX=9506000",
		"PARTSEDGE_LISTEN=127.0.0.1:0", "PARTSEDGE_ADMIN_TOKEN="+e2eToken, "PARTSEDGE_LOG_LEVEL=warn",
		"PARTSEDGE_DEVICES=id=pack-scanner,profile=generic-serial-scanner,port="+srcSim.link+",station=pack-1")
	dst := startDaemon(t, bin, "PARTSEDGE_DEPOT=DST-1", "PARTSEDGE_DATA="+t.TempDir(),
		"PARTSEDGE_LISTEN=127.0.0.1:0", "PARTSEDGE_ADMIN_TOKEN="+e2eToken, "PARTSEDGE_LOG_LEVEL=warn",
		"PARTSEDGE_DEVICES=id=dock-scanner,profile=generic-serial-scanner,port="+dstSim.link+",station=dock-1")
	call := func(d *daemon, token, method, path, body string, want int) string {
		t.Helper()
		code, out := d.call(t, method, path, token, body)
		if code != want {
			t.Fatalf("%s %s: %d %s", method, path, code, out)
		}
		return out
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
	src.waitDevices(t, e2eToken, "the pack scanner", func(m map[string]manager.Status) bool { return m["pack-scanner"].State == manager.Up })
	dst.waitDevices(t, e2eToken, "the dock scanner", func(m map[string]manager.Status) bool { return m["dock-scanner"].State == manager.Up })
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	call(src, e2eToken, "POST", "/api/v1/stations/pack-1/operation", `{"kind":"ship","ref":"T-100","from":"A-01"}`, 200)
	scanAll(t, src, srcSim, stationOutcomes(t, ctx, src, "pack-1"), "pack-scanner", "T-100", []scanStep{
		{"]C1 01095060001343523003", true, ""},                   // three filters
		{"]C1 0109506000134369", false, "wrong_part"},            // a belt is not on T-100
		{"]C1 01095060001343523002", false, "over_shipped"},      // 3 + 2 is over 4
		{"]C1 0109506000134352", true, ""},                       // the fourth filter
		{"]C1 010950600013437621GM-0001", true, ""},              // the compressor
		{"]C1 010950600013437621GM-0002", false, "over_shipped"}, // a second one
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
		{"]C1 00395060001234567894", false, "wrong_shipment"}, // another pallet's SSCC
		{"]C1 01095060001343523002", true, ""},                // two filters
		{"]C1 0109506000134352", true, ""},                    // a third: the fourth never comes
		{"]C1 010950600013437621GM-0002", false, "not_in_shipment"},
		{"]C1 010950600013437621GM-0001", true, ""},
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
