package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// TestIssuingByScan is the engineer's scenario of issue 4: a work order
// created through the API reserves stock; an issue counter picks it by
// scanning GS1 codes (serials included) on a scanner devsim plays on a
// pseudo-terminal; a part that is not on the order is rejected with a bad
// outcome and writes nothing; the order then shows its lines picked. The
// engineer brings back an old compressor whose serial is not the one
// issued: it is booked into the defective store and the mismatch is
// recorded on the order and listed for the supplier claim.
func TestIssuingByScan(t *testing.T) {
	d, sim := startScannerDepot(t, buildDepotd(t), "ISS-1", "counter-scanner", "counter-1")
	post := func(path, body string, want int) string {
		t.Helper()
		return d.must(t, "POST", path, e2eToken, body, want)
	}
	post("/api/v1/locations", `{"code":"A-01","kind":"stock","zone":"A"}`, 201)
	post("/api/v1/locations", `{"code":"A-02","kind":"stock","zone":"A"}`, 201)
	post("/api/v1/locations", `{"code":"DEF","kind":"defective"}`, 201)
	post("/api/v1/parts", `{"sku":"FLT-HEPA","description":"HEPA filter","unit":"ea","gtins":["09506000134352"],"tracking":"none"}`, 201)
	post("/api/v1/parts", `{"sku":"CMP-R32","description":"Compressor","unit":"ea","gtins":["09506000134376"],"tracking":"serial"}`, 201)
	post("/api/v1/parts", `{"sku":"GLUE","description":"Sealant","unit":"ea","gtins":["09506000134369"],"tracking":"lot"}`, 201)
	post("/api/v1/events", `{"type":"receipt","ref":"PO-1","lines":[
		{"sku":"FLT-HEPA","qty":5,"to":"A-02"},
		{"sku":"CMP-R32","qty":2,"to":"A-01","serials":["GM-0001","GM-0002"]},
		{"sku":"GLUE","qty":4,"to":"A-01","lot":"B-77","expiry":"2027-12-31"}]}`, 201)
	post("/api/v1/work-orders", `{"number":"WO-77","engineer":"kim","serviceRequest":"SR-4711",
		"lines":[{"line":1,"sku":"FLT-HEPA","qty":2},{"line":2,"sku":"CMP-R32","qty":1,"billing":"warranty"}]}`, 201)

	var pl inventory.PickList
	_, body := d.call(t, "GET", "/api/v1/work-orders/WO-77/pick-list", e2eToken, "")
	if err := json.Unmarshal([]byte(body), &pl); err != nil {
		t.Fatal(err)
	}
	// The walk: A-01 (the reserved compressor) before A-02 (the filters).
	if len(pl.Lines) != 2 || pl.Lines[0].Location != "A-01" || pl.Lines[0].Serials[0] != "GM-0001" || pl.Lines[1].Qty != 2 {
		t.Fatalf("pick list: %s", body)
	}

	d.waitUp(t, "counter-scanner")
	post("/api/v1/stations/counter-1/operation", `{"kind":"pick","ref":"WO-77"}`, 200)
	next := followStation(t, d, "counter-1")
	head := func() uint64 { return headSeq(t, d) }
	scanAll(t, d, sim, next, "counter-scanner", "WO-77", []scanStep{
		{"]C1 0109506000134352", true, "", "(1 of 2)"},
		{"]C1 01095060001343691727123110B-77", false, "wrong_part", "not on work order WO-77"}, // sealant
		{"]C1 0109506000134352", true, "", "(2 of 2)"},
		{"]C1 010950600013437621GM-0001", true, "", "(1 of 1)"},
	})

	var wo struct {
		inventory.WorkOrderState
		Mismatches []inventory.WOReturn `json:"mismatches"`
	}
	getWO := func() {
		t.Helper()
		_, body := d.call(t, "GET", "/api/v1/work-orders/WO-77", e2eToken, "")
		if err := json.Unmarshal([]byte(body), &wo); err != nil {
			t.Fatal(err)
		}
	}
	getWO()
	if wo.Lines[0].Issued != 2 || wo.Lines[0].Reserved != 0 || wo.Lines[1].Issued != 1 ||
		wo.Lines[1].Issues[0].Serials[0] != "GM-0001" || wo.Lines[1].Awaiting != 0 {
		t.Fatalf("WO-77 after picking: %+v", wo.WorkOrderState)
	}
	_, body = d.call(t, "GET", "/api/v1/events?after="+strconv.FormatUint(head()-1, 10), e2eToken, "")
	if !strings.Contains(body, `"billing":"warranty"`) || !strings.Contains(body, `"fromReserved":true`) {
		t.Fatalf("the compressor's issue: %s", body)
	}

	// The old compressor comes back: GM-0999 was never issued on WO-77.
	post("/api/v1/stations/counter-1/operation", `{"kind":"return","ref":"WO-77","condition":"defective","to":"DEF"}`, 200)
	scanAll(t, d, sim, next, "counter-scanner", "WO-77", []scanStep{{"]C1 010950600013437621GM-0999", true, "", "serial_not_issued: GM-0999"}})
	getWO()
	if len(wo.Mismatches) != 1 || wo.Mismatches[0].Serials[0] != "GM-0999" || wo.Mismatches[0].Billing != "warranty" || wo.Mismatches[0].To != "DEF" {
		t.Fatalf("WO-77 mismatches: %+v", wo.Mismatches)
	}
	_, body = d.call(t, "GET", "/api/v1/return-mismatches", e2eToken, "")
	if !strings.Contains(body, `"workOrder":"WO-77"`) || !strings.Contains(body, "GM-0999") {
		t.Fatalf("mismatch list: %s", body)
	}
	_, body = d.call(t, "GET", "/api/v1/stock?sku=CMP-R32&location=DEF", e2eToken, "")
	if !strings.Contains(body, `"serial":"GM-0999"`) {
		t.Fatalf("defective store: %s", body)
	}
	post("/api/v1/work-orders/WO-77/close", `{"note":"job done"}`, 200)
	if code, body := d.call(t, "POST", "/api/v1/admin/verify", e2eToken, "{}"); code != 200 || !strings.Contains(body, `"ok":true`) {
		t.Fatalf("verify: %d %s", code, body)
	}
	if code := d.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("depotd exit %d", code)
	}
}
