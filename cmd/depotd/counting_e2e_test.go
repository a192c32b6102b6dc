package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices/epc"
	"github.com/partsedge/partsedge/devices/station"
	"github.com/partsedge/partsedge/inventory"
)

// countGTIN is the compressors' GTIN; company prefix 0614141.
const countGTIN = "80614141123458"

func compressorEPC(t *testing.T, serial string) string {
	t.Helper()
	tag, err := epc.FromGS1(countGTIN, serial, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := epc.Encode(tag)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// TestBlindCountWithRFIDAndScanner is the stocktaking scenario of issue 4:
// a blind count of zone Z at one station, with an RFID reader (devsim
// plays an r2000 with tags in its field) and a barcode scanner, both on
// pseudo-terminals. The depot keeps working: after bin Z1 is counted, parts
// leave it through the API, and that shows up as no variance; a compressor
// missing from Z1, one found in Z2 and a filter short in Z2 are the real
// variances. The counter never sees an expected quantity and may not
// approve; a storekeeper who did not count approves, which posts the
// adjustments; Verify replays it all.
func TestBlindCountWithRFIDAndScanner(t *testing.T) {
	// The field: compressors 1001 and 1003 where the ledger has them, 1009
	// which the ledger does not know, a tag of a part the depot does not
	// stock, and a tag that is not an SGTIN. 1002 is missing.
	tags := filepath.Join(t.TempDir(), "tags.txt")
	field := compressorEPC(t, "1001") + " 1 -50\n" + compressorEPC(t, "1003") + " 1 -55\n" + compressorEPC(t, "1009") + " 1 -60\n" +
		"3034257BF400B7800004CB2F 1 -52\nE28011606000020A1B2C3D4E 1 -58\n"
	if err := os.WriteFile(tags, []byte(field), 0o644); err != nil {
		t.Fatal(err)
	}
	reader := startDevsim(t, "r2000-reader", "--tags", tags, "--antennas", "1")
	// Unplugged until the count starts, so its tags arrive at a station
	// that is counting.
	reader.send("unplug", "unplugged")
	scanner := startDevsim(t, "generic-serial-scanner", "--paused")
	d := startDaemon(t, buildDepotd(t), "PARTSEDGE_DEPOT=CNT-1", "PARTSEDGE_DATA="+t.TempDir(),
		"PARTSEDGE_LISTEN=127.0.0.1:0", "PARTSEDGE_ADMIN_TOKEN="+e2eToken, "PARTSEDGE_LOG_LEVEL=warn",
		"PARTSEDGE_DEVICES=id=cnt-scanner,profile=generic-serial-scanner,port="+scanner.link+",station=count-z;"+
			"id=cnt-reader,profile=r2000-reader,port="+reader.link+",station=count-z,zone.1=Z")
	call := func(method, path, token, body string, want int) string {
		t.Helper()
		return d.must(t, method, path, token, body, want)
	}
	head := func() uint64 { return headSeq(t, d) }
	token := func(name string) string {
		var u struct{ Token string }
		json.Unmarshal([]byte(call("POST", "/api/v1/users", e2eToken, `{"name":"`+name+`","role":"storekeeper"}`, 201)), &u)
		return u.Token
	}
	kim, lee := token("kim"), token("lee") // kim counts, lee approves
	for _, b := range []string{
		`{"code":"Z1","zone":"Z"}`, `{"code":"Z2","zone":"Z"}`, `{"code":"OUT"}`,
	} {
		call("POST", "/api/v1/locations", e2eToken, b, 201)
	}
	call("POST", "/api/v1/parts", e2eToken, `{"sku":"FLT","unit":"ea","gtins":["09506000134352"]}`, 201)
	call("POST", "/api/v1/parts", e2eToken, `{"sku":"CMP","unit":"ea","gtins":["`+countGTIN+`"],"tracking":"serial"}`, 201)
	call("POST", "/api/v1/events", e2eToken, `{"type":"receipt","ref":"OPENING","lines":[
		{"sku":"FLT","qty":10,"to":"Z1"},{"sku":"FLT","qty":4,"to":"Z2"},
		{"sku":"CMP","qty":2,"to":"Z1","serials":["1001","1002"]},{"sku":"CMP","qty":1,"to":"Z2","serials":["1003"]}]}`, 201)
	call("POST", "/api/v1/counts", e2eToken, `{"number":"C-1","scope":{"zone":"Z"},"blind":true,"counters":["kim"]}`, 201)
	d.waitUp(t, "cnt-scanner")
	// kim starts counting at the station: the devices count in kim's name;
	// RFID tags the ledger places in no bin of the zone go to Z2.
	call("POST", "/api/v1/stations/count-z/operation", kim, `{"kind":"count","ref":"C-1","zone":"Z","to":"Z2"}`, 200)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	next := stationOutcomes(t, ctx, d, "count-z", func(v string, o station.Outcome) {
		if o.Stock != nil || strings.Contains(v, `"expected"`) {
			t.Fatalf("a blind count's screen was shown stock: %s", v)
		}
	})

	// The reader comes in: each tag is counted once, or reported.
	reader.send("replug", "ready at")
	wantTags := map[string]bool{"counted CMP serial 1001 in Z1": true, "counted CMP serial 1003 in Z2": true,
		"counted CMP serial 1009 in Z2": true, "unknown_code": true, "unreadable": true}
	for len(wantTags) > 0 {
		o := next()
		if o.Device != "cnt-reader" {
			t.Fatalf("unexpected outcome %+v", o)
		}
		key := o.Message
		if !o.Good {
			key = o.Code
		}
		delete(wantTags, key)
		t.Logf("tag %s: %v %s %s", o.Data, o.Good, o.Code, o.Message)
	}

	// The scanner counts the filters: 10 in Z1 (right), 3 in Z2 (one short).
	// A compressor the reader already counted is rejected, and so is a bin
	// outside the zone; a rejection writes nothing.
	for _, tc := range []struct {
		scan string
		good bool
		code string
	}{
		{"Z1", true, ""},
		{"]C1 01095060001343523010", true, ""},
		{"]C1 0180614141123458211001", false, "already_counted"},
		{"OUT", false, "not_in_scope"},
	} {
		before := head()
		scanner.send("scan "+tc.scan, "queued")
		o := next()
		for o.Device != "cnt-scanner" { // a reader's late duplicate
			o = next()
		}
		if o.Good != tc.good || o.Code != tc.code || o.Ref != "C-1" {
			t.Fatalf("scan %s: %+v", tc.scan, o)
		}
		wrote := head() != before
		if wrote != (tc.good && tc.scan != "Z1") {
			t.Fatalf("scan %s: head moved %v", tc.scan, wrote)
		}
	}
	// The depot keeps working: 6 filters and compressor 1001 leave the
	// counted bin Z1 through the API.
	call("POST", "/api/v1/events", e2eToken, `{"type":"move","lines":[{"sku":"FLT","qty":6,"from":"Z1","to":"OUT"},
		{"sku":"CMP","qty":1,"from":"Z1","to":"OUT","serials":["1001"]}]}`, 201)
	for _, scan := range []string{"Z2", "]C1 01095060001343523003"} {
		scanner.send("scan "+scan, "queued")
		o := next()
		for o.Device != "cnt-scanner" {
			o = next()
		}
		if !o.Good {
			t.Fatalf("scan %s: %+v", scan, o)
		}
	}

	// kim sees no expected quantity; the admin sees exactly the real
	// variances, none from the move.
	if out := call("GET", "/api/v1/counts/C-1", kim, "", 200); !strings.Contains(out, `"expectedHidden":true`) ||
		strings.Contains(out, `"expected"`) || strings.Contains(out, `"variances"`) {
		t.Fatalf("the counter's view: %s", out)
	}
	var view struct {
		Variances []inventory.Variance `json:"variances"`
	}
	json.Unmarshal([]byte(call("GET", "/api/v1/counts/C-1", e2eToken, "", 200)), &view)
	want := []inventory.Variance{
		{Bin: "Z1", SKU: "CMP", Serial: "1002", Expected: 1, Counted: 0, Variance: -1},
		{Bin: "Z2", SKU: "CMP", Serial: "1009", Expected: 0, Counted: 1, Variance: 1},
		{Bin: "Z2", SKU: "FLT", Expected: 4, Counted: 3, Variance: -1},
	}
	if len(view.Variances) != len(want) {
		t.Fatalf("variances %+v", view.Variances)
	}
	for i := range want {
		if view.Variances[i] != want[i] {
			t.Fatalf("variance %d: %+v, want %+v", i, view.Variances[i], want[i])
		}
	}

	// The counter may not approve; lee, who did not count, does.
	before := head()
	if code, out := d.call(t, "POST", "/api/v1/counts/C-1/approve", kim, `{}`); code != 403 || !strings.Contains(out, "approver_counted") || head() != before {
		t.Fatalf("the counter's approval: %d %s", code, out)
	}
	var approved struct{ Event inventory.Event }
	json.Unmarshal([]byte(call("POST", "/api/v1/counts/C-1/approve", lee, `{"note":"zone Z cycle count"}`, 200)), &approved)
	if ev := approved.Event; ev.Type != inventory.EvCountAdjustment || ev.Ref != "C-1" || ev.Actor != "lee" || len(ev.Lines) != 3 {
		t.Fatalf("approval event %+v", ev)
	}
	stock := func(q string) int64 {
		var page struct{ Items []inventory.Balance }
		json.Unmarshal([]byte(call("GET", "/api/v1/stock?"+q, e2eToken, "", 200)), &page)
		var n int64
		for _, b := range page.Items {
			n += b.OnHand
		}
		return n
	}
	for q, want := range map[string]int64{
		"sku=FLT&location=Z1": 4, "sku=FLT&location=Z2": 3, "sku=FLT&location=OUT": 6,
		"sku=CMP&location=Z1": 0, "sku=CMP&location=Z2": 2, "sku=CMP&location=OUT": 1,
	} {
		if got := stock(q); got != want {
			t.Errorf("stock %s: %d, want %d", q, got, want)
		}
	}
	if out := call("POST", "/api/v1/admin/verify", e2eToken, "{}", 200); !strings.Contains(out, `"ok":true`) {
		t.Fatalf("verify: %s", out)
	}
	cancel()
	if code := d.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("depotd exit %d", code)
	}
}
