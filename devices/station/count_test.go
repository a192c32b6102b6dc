package station

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/partsedge/partsedge/devices/epc"
	"github.com/partsedge/partsedge/inventory"
)

const cmpGTIN = "80614141123458" // company prefix 0614141

// sgtin is the SGTIN EPC (hex, as readers report it) of a compressor.
func sgtin(t testing.TB, serial string) string {
	t.Helper()
	tag, err := epc.FromGS1(cmpGTIN, serial, 7, 1)
	if err != nil {
		t.Fatal(err)
	}
	b, err := epc.Encode(tag)
	if err != nil {
		t.Fatal(err)
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// countingStore is a depot with zone Z (bins Z1, Z2) and bin OUT outside
// it: 5 filters and compressor 1001 in Z1, compressor 1002 in Z2, 1003 in
// OUT; and blind session CNT-1 over zone Z.
func countingStore(t *testing.T) *inventory.Store {
	t.Helper()
	return seedDepot(t, "CNT-D", []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "Z1", Zone: "Z"}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "Z2", Zone: "Z"}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "OUT"}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "FLT", GTINs: []string{"09506000134352"}}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "GLUE", GTINs: []string{"09506000134369"}, Tracking: inventory.TrackLot}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "CMP", GTINs: []string{cmpGTIN}, Tracking: inventory.TrackSerial}},
		{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "FLT", Qty: 5, To: "Z1"},
			{SKU: "CMP", Qty: 1, To: "Z1", Serials: []string{"1001"}}, {SKU: "CMP", Qty: 1, To: "Z2", Serials: []string{"1002"}},
			{SKU: "CMP", Qty: 1, To: "OUT", Serials: []string{"1003"}}}},
		{Type: inventory.EvCountOpened, Ref: "CNT-1", Count: &inventory.CountPayload{Session: &inventory.CountSession{
			Scope: inventory.CountScope{Zone: "Z"}, Blind: true}}},
	})
}

// TestCountByScanAndTag counts zone Z with a barcode scanner and an RFID
// reader at one station: every rejection is distinct and writes nothing,
// no outcome shows an expected quantity, and tags are counted where the
// ledger has them or in the bin for found tags.
func TestCountByScanAndTag(t *testing.T) {
	st := countingStore(t)
	if _, err := NewCount(st, OperationRequest{Kind: "count", Ref: "CNT-404"}); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("unknown session: %v", err)
	}
	if _, err := Operations(st)(OperationRequest{Kind: "count"}); err == nil {
		t.Fatal("a count without its session started")
	}
	r := startRouter(t, Options{Stations: []string{"cz"}, Make: Operations(st)})
	if _, err := r.Begin("cz", OperationRequest{Kind: "count", Ref: "CNT-1", Zone: "Z", To: "Z2", StartedBy: "ann"}); err != nil {
		t.Fatal(err)
	}
	// A bin scan chooses the bin and writes nothing; no outcome shows stock.
	runScansBy(t, r, st, "cz", "count", "CNT-1", []scanCase{
		{"an item before any bin", "]C1", "01095060001343523005", false, CodeScanBinFirst, ""},
		{"a bin outside the zone", "", "OUT", false, CodeNotInScope, ""},
		{"a code that is nothing", "", "NOWHERE", false, CodeUnknownCode, ""},
		{"bin Z1", "", "Z1", true, "", ""},
		{"five filters", "]C1", "01095060001343523005", true, "", ""},
		{"compressor 1001", "]C1", "0180614141123458211001", true, "", ""},
		{"compressor 1001 again", "]C1", "0180614141123458211001", false, CodeAlreadyCounted, ""},
		{"glue without its lot", "]C1", "0109506000134369", false, CodeNeedsLot, ""},
		{"an unknown GTIN", "]E0", "4006381333931", false, CodeUnknownCode, ""},
		{"a pallet label", "]C1", "00395060001234567894", false, CodeNotAnItem, ""},
	}, func(tc scanCase) bool { return tc.good && tc.data != "Z1" }, func(out Outcome) bool { return out.Stock == nil })
	_, live, cancel, err := r.Subscribe("cz", 1000)
	if err != nil {
		t.Fatal(err)
	}
	defer cancel()
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r.DeviceTag("cz", "rdr", "dock", sgtin(t, "1002"), at) // another zone: not counted, no outcome
	for _, e := range []string{sgtin(t, "1002"), sgtin(t, "1003"), sgtin(t, "9999"), sgtin(t, "1001"), "E2801160600002"} {
		r.DeviceTag("cz", "rdr", "Z", e, at)
	}
	want := []struct {
		code, msg string
	}{
		{"", "counted CMP serial 1002 in Z2"},   // where the ledger has it
		{"", "counted CMP serial 1003 in Z2"},   // the ledger has it outside the zone: found
		{"", "counted CMP serial 9999 in Z2"},   // unknown to the ledger: found
		{CodeAlreadyCounted, "already counted"}, // counted by scan in Z1
		{CodeUnreadable, "E2801160600002"},      // reported, not dropped
	}
	for i, w := range want {
		select {
		case out := <-live:
			if out.Code != w.code || !strings.Contains(out.Message, w.msg) || out.Stock != nil {
				t.Errorf("tag %d: %+v", i, out)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("tag %d: no outcome", i)
		}
	}
	rep, err := st.CountReport("CNT-1")
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.CountedBy; len(got) != 2 || got[0] != "ann" || got[1] != "kim" {
		t.Errorf("counted by %v: tags are ann's, who started the count; scans are kim's", got)
	}
	var found []string
	for _, v := range rep.Variances {
		found = append(found, v.Bin+":"+v.Serial)
	}
	if strings.Join(found, ",") != "Z2:1003,Z2:9999" {
		t.Errorf("variances %+v", rep.Variances)
	}
	if v, err := st.Verify(context.Background(), nil); err != nil || !v.OK {
		t.Fatalf("verify: %v %v", err, v.Problems)
	}
}

// TestCountTagsIgnoredElsewhere: a station that does not count leaves
// tags alone.
func TestCountTagsIgnoredElsewhere(t *testing.T) {
	st := countingStore(t)
	r := startRouter(t, Options{Stations: []string{"dock"}, Idle: func() Operation { return Identify{Catalog: st} }})
	r.DeviceTag("dock", "rdr", "Z", sgtin(t, "1001"), time.Now())
	r.DeviceTag("", "rdr", "Z", sgtin(t, "1001"), time.Now())
	if in, _ := r.Station("dock"); in.Scans != 0 {
		t.Fatalf("a tag left an outcome at an identifying station: %+v", in)
	}
}
