package station

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// receivingStore is a depot with a quarantine bin, three parts (untracked,
// lot-tracked, serial-tracked) and PO-7 for two of them, 10 % tolerance.
func receivingStore(t *testing.T) *inventory.Store {
	t.Helper()
	return seedDepot(t, "RCV-1", []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "QUAR", Kind: inventory.KindQuarantine}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "FLT", Unit: "ea", GTINs: []string{"09506000134352"}, Tracking: inventory.TrackNone}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "GLUE", Unit: "ea", GTINs: []string{"09506000134369"}, Tracking: inventory.TrackLot}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "CMP", Unit: "ea", GTINs: []string{"09506000134376"}, Tracking: inventory.TrackSerial}},
		{Type: inventory.EvPOCreated, Ref: "PO-7", Order: &inventory.PurchaseOrder{Number: "PO-7", Supplier: "ACME", TolerancePct: 10,
			Lines: []inventory.POLine{{Line: 1, SKU: "FLT", Qty: 10}, {Line: 2, SKU: "CMP", Qty: 2}}}},
	})
}

// receivingDock is a router whose station dock receives PO-7 into QUAR,
// the operation made by NewReceive.
func receivingDock(t *testing.T, st *inventory.Store) *Router {
	t.Helper()
	op, err := NewReceive(st, "PO-7", "QUAR")
	if err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, Options{Stations: []string{"dock"}})
	if _, err := r.Start("dock", op); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestReceiveByScan(t *testing.T) {
	st := receivingStore(t)
	if _, err := NewReceive(st, "PO-404", "QUAR"); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("unknown order: %v", err)
	}
	if _, err := NewReceive(st, "PO-7", "NOWHERE"); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("unknown location: %v", err)
	}
	r := receivingDock(t, st)
	runScans(t, r, st, "dock", "receive", "PO-7", []scanCase{
		{"six filters in one box (AI 30)", "]C1", "01095060001343523006", true, "", ""},
		{"four more, within 10 % over: 10", "]C1", "01095060001343523004", true, "", ""},
		{"one more: 11, the tolerance allows it", "]C1", "0109506000134352", true, "", ""},
		{"a twelfth is over", "]C1", "0109506000134352", false, CodeOverDelivered, ""},
		{"glue is not on the order", "]C1", "010950600013436910L1", false, CodeWrongPart, ""},
		{"a compressor without its serial", "]C1", "0109506000134376", false, CodeNeedsSerial, ""},
		{"a compressor with its serial", "]C1", "010950600013437621C-001", true, "", ""},
		{"the same serial again", "]C1", "010950600013437621C-001", false, CodeAlreadyReceived, ""},
		{"an unknown GTIN", "]E0", "4006381333931", false, CodeUnknownCode, ""},
		{"a pallet no notice announced", "]C1", "00395060001234567894", false, CodeUnknownPallet, ""},
		{"a part number is not an item", "]C0", "FLT", false, CodeNotAnItem, ""},
		{"a damaged label", "]C1", "0109506000134353", false, CodeUnreadable, ""},
	})
	po, err := st.PurchaseOrder("PO-7")
	if err != nil {
		t.Fatal(err)
	}
	if po.Lines[0].Received != 11 || po.Lines[0].Over != 1 || po.Lines[1].Received != 1 || po.Lines[1].Short != 1 {
		t.Fatalf("order after scanning: %+v", po.Lines)
	}
	ev, err := st.Event(st.Head().Seq)
	if err != nil || ev.Actor != "kim" || ev.Ref != "PO-7" || ev.Lines[0].Serials[0] != "C-001" || ev.Lines[0].To != "QUAR" {
		t.Fatalf("last receipt %+v, %v", ev, err)
	}
}

// TestReceivePalletByScan books pallets an ASN announced by one SSCC scan
// each, and rejects what the notice does not allow without writing.
func TestReceivePalletByScan(t *testing.T) {
	st := receivingStore(t)
	pallet1, pallet2 := "395060001234567894", "395060001234567900"
	appendAll(t, st, "test", []inventory.Command{
		{Type: inventory.EvPOCreated, Ref: "PO-8", Order: &inventory.PurchaseOrder{Number: "PO-8", Supplier: "ACME",
			Lines: []inventory.POLine{{Line: 1, SKU: "FLT", Qty: 1}}}},
		{Type: inventory.EvASNAnnounced, Ref: "PO-7", Notice: &inventory.ShippingNotice{Number: "DESADV-1", Order: "PO-7", Pallets: []inventory.Pallet{
			{SSCC: pallet1, Lines: []inventory.PalletLine{{SKU: "FLT", Qty: 8}, {SKU: "CMP", Qty: 2, Serials: []string{"C-1", "C-2"}}}},
			{SSCC: pallet2, Lines: []inventory.PalletLine{{SKU: "FLT", Qty: 2}}},
		}}},
		{Type: inventory.EvASNAnnounced, Ref: "PO-8", Notice: &inventory.ShippingNotice{Number: "DESADV-2", Order: "PO-8", Pallets: []inventory.Pallet{
			{SSCC: "395060001234567917", Lines: []inventory.PalletLine{{SKU: "FLT", Qty: 1}}},
		}}},
	})
	r := receivingDock(t, st)
	runScans(t, r, st, "dock", "receive", "PO-7", []scanCase{
		{"the first pallet, whole", "]C1", "00" + pallet1, true, "", ""},
		{"the same pallet again", "]C1", "00" + pallet1, false, CodePalletReceived, ""},
		{"a pallet of another order", "]C1", "00395060001234567917", false, CodeUnknownPallet, ""},
		{"a pallet nobody announced", "]C1", "00395060001234567924", false, CodeUnknownPallet, ""},
		{"the second pallet", "]C1", "00" + pallet2, true, "", ""},
	})
	po, _ := st.PurchaseOrder("PO-7")
	if po.Lines[0].Received != 10 || po.Lines[1].Received != 2 || po.Lines[1].Short != 0 {
		t.Fatalf("order after the pallets: %+v", po.Lines)
	}
	n, err := st.ShippingNotice("DESADV-1")
	if err != nil || n.Expected != 0 {
		t.Fatalf("notice after the pallets: %+v %v", n, err)
	}
}

func TestBegin(t *testing.T) {
	st := receivingStore(t)
	r := startRouter(t, Options{Stations: []string{"dock"}, Make: Operations(st)})
	for _, tc := range []struct {
		req  OperationRequest
		code inventory.Code
		bad  bool
	}{
		{OperationRequest{Kind: "receive", Ref: "PO-7"}, "", true},
		{OperationRequest{Kind: "count"}, "", true},
		{OperationRequest{Kind: "receive", Ref: "PO-9", To: "QUAR"}, inventory.CodeNotFound, false},
	} {
		_, err := r.Begin("dock", tc.req)
		if tc.bad && !errors.Is(err, ErrBadOperation) || tc.code != "" && inventory.CodeOf(err) != tc.code {
			t.Errorf("%+v: %v", tc.req, err)
		}
	}
	in, err := r.Begin("dock", OperationRequest{Kind: "receive", Ref: "PO-7", To: "QUAR"})
	if err != nil || in.Operation != "receive" || in.Ref != "PO-7" {
		t.Fatalf("%+v %v", in, err)
	}
	if _, err := r.Begin("nowhere", OperationRequest{Kind: "identify"}); !errors.Is(err, ErrNoStation) {
		t.Fatal(err)
	}
}

func TestPutawayByScan(t *testing.T) {
	st := receivingStore(t)
	appendAll(t, st, "test", []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A-01", Kind: inventory.KindStock}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "B-07", Kind: inventory.KindStock}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "DEF", Kind: inventory.KindDefective}},
		// Filters already live in B-07; five more and a compressor arrive.
		{Type: inventory.EvReceipt, Ref: "PO-0", Lines: []inventory.Line{{SKU: "FLT", Qty: 2, To: "B-07"}}},
		{Type: inventory.EvReceipt, Ref: "PO-7", Lines: []inventory.Line{{SKU: "FLT", Qty: 5, To: "QUAR"}, {SKU: "CMP", Qty: 1, To: "QUAR", Serials: []string{"C-9"}}}},
	})
	r := startRouter(t, Options{Stations: []string{"quar"}, Make: Operations(st)})
	if _, err := r.Begin("quar", OperationRequest{Kind: "putaway"}); !errors.Is(err, ErrBadOperation) {
		t.Fatalf("putaway without from: %v", err)
	}
	if _, err := r.Begin("quar", OperationRequest{Kind: "putaway", From: "QUAR"}); err != nil {
		t.Fatal(err)
	}
	// An item scan writes nothing: the bin scan after it moves the item.
	runScansBy(t, r, st, "quar", "putaway", "QUAR", []scanCase{
		{"a bin before any item", "]C0", "A-01", false, CodeScanItemFirst, ""},
		{"three filters", "]C1", "01095060001343523003", true, "", "put it in B-07"},
		{"the defective store is no bin", "]C0", "DEF", false, CodeNotABin, ""},
		{"an unknown bin", "]C0", "Z-99", false, CodeUnknownCode, ""},
		{"into A-01, not the suggested bin: the storekeeper decides", "]C0", "A-01", true, "", "into A-01"},
		{"six more filters than quarantine holds", "]C1", "01095060001343523006", false, CodeNotHere, ""},
		{"a compressor not in quarantine", "]C1", "010950600013437621C-1", false, CodeNotHere, ""},
		{"the compressor that is", "]C1", "010950600013437621C-9", true, "", "scan the bin"},
		{"into B-07", "]C0", "B-07", true, "", "into B-07"},
	}, func(tc scanCase) bool { return tc.good && strings.HasPrefix(tc.msg, "into") }, nil)
	for _, want := range []struct {
		loc string
		qty int64
	}{{"QUAR", 2}, {"A-01", 3}, {"B-07", 3}} {
		bs, _ := st.Stock(inventory.StockFilter{Location: want.loc}, 10)
		var n int64
		for _, b := range bs {
			n += b.OnHand
		}
		if n != want.qty {
			t.Errorf("%s holds %d, want %d", want.loc, n, want.qty)
		}
	}
}

// TestReceiveNamesWaitingWorkOrders: a part a work order waits for is
// named at the dock when it comes in, so it goes to the engineer.
func TestReceiveNamesWaitingWorkOrders(t *testing.T) {
	st := receivingStore(t)
	ctx := context.Background()
	if _, err := st.Append(ctx, inventory.Command{Type: inventory.EvWOCreated, Actor: "planner", Ref: "WO-3",
		WorkOrder: &inventory.WorkOrder{Number: "WO-3", Engineer: "lee", Lines: []inventory.WOLine{{Line: 1, SKU: "CMP", Qty: 1}}}}); err != nil {
		t.Fatal(err)
	}
	r := startRouter(t, Options{Stations: []string{"dock"}, Make: Operations(st)})
	if _, err := r.Begin("dock", OperationRequest{Kind: "receive", Ref: "PO-7", To: "QUAR"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, st, "dock", "receive", "PO-7", []scanCase{
		{"a filter nobody waits for", "]C1", "0109506000134352", true, "", "(1 of 10 on PO-7)"},
		{"the compressor WO-3 waits for", "]C1", "010950600013437621C-001", true, "", "CMP is awaited by WO-3"},
	})
	out, _ := r.Scan(ctx, "dock", "kim", "]C1", "0109506000134352")
	if strings.Contains(out.Message, "awaited") {
		t.Fatalf("filter named as awaited: %s", out.Message)
	}
}
