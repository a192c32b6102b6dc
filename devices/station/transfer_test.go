package station

import (
	"context"
	"errors"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// depotStore is a depot with bin A, three parts (filter untracked, glue
// lot-tracked, compressor serial-tracked); stock, when given, comes into A.
func depotStore(t *testing.T, depot string, stock bool) *inventory.Store {
	t.Helper()
	cmds := []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A", Kind: inventory.KindStock}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "FLT", GTINs: []string{"09506000134352"}}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "GLUE", GTINs: []string{"09506000134369"}, Tracking: inventory.TrackLot}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "CMP", GTINs: []string{"09506000134376"}, Tracking: inventory.TrackSerial}},
	}
	if stock {
		cmds = append(cmds, inventory.Command{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "FLT", Qty: 20, To: "A"},
			{SKU: "GLUE", Qty: 5, To: "A", Lot: "L1"}, {SKU: "CMP", Qty: 2, To: "A", Serials: []string{"C-001", "C-002"}}}})
	}
	return seedDepot(t, depot, cmds)
}

// TestShipAndReceiveTransferByScan: a transfer picked by scan at the
// source, with wrong parts, over-picks and stray serials rejected; sealed;
// announced at the destination and received there by item and by SSCC.
func TestShipAndReceiveTransferByScan(t *testing.T) {
	src := depotStore(t, "SRC", true)
	ctx := context.Background()
	appendAll(t, src, "", []inventory.Command{
		{Type: inventory.EvTransferRequested, Actor: "kim", Ref: "T-1", Transfer: &inventory.Transfer{From: "SRC", To: "DST",
			Lines: []inventory.TransferLine{{SKU: "FLT", Qty: 5}, {SKU: "CMP", Qty: 1}}}},
		{Type: inventory.EvTransferApproved, Actor: "lee", Ref: "T-1"},
	})
	r := startRouter(t, Options{Stations: []string{"pack"}, Make: Operations(src)})
	if _, err := r.Begin("pack", OperationRequest{Kind: "ship", Ref: "T-1"}); !errors.Is(err, ErrBadOperation) {
		t.Fatalf("ship without from: %v", err)
	}
	if _, err := r.Begin("pack", OperationRequest{Kind: "ship", Ref: "T-1", From: "NOWHERE"}); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("ship from nowhere: %v", err)
	}
	if _, err := r.Begin("pack", OperationRequest{Kind: "ship", Ref: "T-1", From: "A"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, src, "pack", "ship", "T-1", []scanCase{
		{"three filters", "]C1", "01095060001343523003", true, "", ""},
		{"glue is not on the transfer", "]C1", "010950600013436910L1", false, CodeWrongPart, ""},
		{"three more is over five", "]C1", "01095060001343523003", false, CodeOverShipped, ""},
		{"two more filters", "]C1", "01095060001343523002", true, "", ""},
		{"a compressor without its serial", "]C1", "0109506000134376", false, CodeNeedsSerial, ""},
		{"a compressor that is not in A", "]C1", "010950600013437621C-009", false, CodeNotHere, ""},
		{"compressor C-001", "]C1", "010950600013437621C-001", true, "", ""},
		{"a second compressor is over", "]C1", "010950600013437621C-002", false, CodeOverShipped, ""},
		{"a pallet label is not an item", "]C1", "00395060001234567894", false, CodeNotAnItem, ""},
	})
	sealed, err := src.Append(ctx, inventory.Command{Type: inventory.EvTransferDispatched, Actor: "kim", Ref: "T-1",
		Shipment: &inventory.Shipment{CompanyPrefix: "9506000"}})
	if err != nil {
		t.Fatal(err)
	}
	// A sealed transfer takes no more picks.
	runScans(t, r, src, "pack", "ship", "T-1", []scanCase{{"after sealing", "]C1", "0109506000134352", false, CodeTransferState, ""}})
	if _, err := r.Begin("pack", OperationRequest{Kind: "ship", Ref: "T-1", From: "A"}); inventory.CodeOf(err) != inventory.CodeTransferState {
		t.Fatalf("ship a sealed transfer: %v", err)
	}

	dst := depotStore(t, "DST", false)
	sh := sealed.Event.Shipment
	if _, err := dst.Append(ctx, inventory.Command{Type: inventory.EvTransferAnnounced, Actor: "hq", Ref: "T-1",
		Transfer: &inventory.Transfer{From: "SRC", To: "DST", Lines: []inventory.TransferLine{{SKU: "FLT", Qty: 5}, {SKU: "CMP", Qty: 1}}},
		Shipment: &inventory.Shipment{SSCC: sh.SSCC, Lines: sh.Lines}}); err != nil {
		t.Fatal(err)
	}
	rd := startRouter(t, Options{Stations: []string{"dock"}, Make: Operations(dst)})
	if _, err := rd.Begin("dock", OperationRequest{Kind: "receive-transfer", Ref: "T-1"}); !errors.Is(err, ErrBadOperation) {
		t.Fatalf("receive-transfer without to: %v", err)
	}
	if _, err := rd.Begin("dock", OperationRequest{Kind: "receive-transfer", Ref: "T-9", To: "A"}); inventory.CodeOf(err) != inventory.CodeNotFound {
		t.Fatalf("receive an unknown transfer: %v", err)
	}
	if _, err := rd.Begin("dock", OperationRequest{Kind: "receive-transfer", Ref: "T-1", To: "A"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, rd, dst, "dock", "receive-transfer", "T-1", []scanCase{
		{"another shipment's SSCC", "]C1", "00395060001234567894", false, CodeWrongShipment, ""},
		{"one filter", "]C1", "0109506000134352", true, "", ""},
		{"a compressor that was not shipped", "]C1", "010950600013437621C-002", false, CodeNotInShipment, ""},
		{"the shipment's SSCC takes the rest", "]C1", "00" + sh.SSCC, true, "", ""},
		{"the SSCC again", "]C1", "00" + sh.SSCC, false, CodeNothingLeft, ""},
		{"a filter more than was shipped", "]C1", "0109506000134352", false, CodeNotInShipment, ""},
		{"a bin label is not an item", "]C0", "A", false, CodeNotAnItem, ""},
	})
	tr, err := dst.Transfer("T-1")
	if err != nil || tr.Lines[0].Received != 5 || tr.Lines[1].Received != 1 || tr.Report.Short != 0 {
		t.Fatalf("T-1 at the destination: %+v %v", tr, err)
	}
	for _, s := range []*inventory.Store{src, dst} {
		if rep, err := s.Verify(ctx, nil); err != nil || !rep.OK {
			t.Fatalf("verify %s: %v %v", s.Depot(), err, rep.Problems)
		}
	}
}

// BenchmarkScanShipped measures one pick scan for a transfer from the
// moment it reaches the station to its outcome: decoding, resolving the
// GTIN, the transfer-shipped event held to the transfer and committed
// durably (fsync), and the transfer read back for the operator's message.
// One scan at a time, as one packer scans; it reports the median and p99.
func BenchmarkScanShipped(b *testing.B) {
	st := openDepot(b, "BEN-1")
	appendAll(b, st, "bench", []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A"}},
		{Type: inventory.EvPartDefined, Part: &inventory.Part{SKU: "FLT", GTINs: []string{"09506000134352"}}},
		{Type: inventory.EvReceipt, Lines: []inventory.Line{{SKU: "FLT", Qty: inventory.MaxQuantity, To: "A"}}},
		{Type: inventory.EvTransferRequested, Ref: "T-B", Transfer: &inventory.Transfer{From: "BEN-1", To: "BEN-2",
			Lines: []inventory.TransferLine{{SKU: "FLT", Qty: inventory.MaxQuantity}}}},
		{Type: inventory.EvTransferApproved, Actor: "lee", Ref: "T-B"},
	})
	benchScans(b, st, "pack", OperationRequest{Kind: "ship", Ref: "T-B", From: "A"}, "]C1", "0109506000134352")
}
