package station

import (
	"context"
	"errors"
	"testing"

	"github.com/partsedge/partsedge/inventory"
)

// issuingStore is the receiving depot with stock in bins and work order
// WO-5: two filters (chargeable) and one compressor (warranty, C-1
// reserved); C-2 is in stock as well.
func issuingStore(t *testing.T) *inventory.Store {
	t.Helper()
	st := receivingStore(t)
	appendAll(t, st, "test", []inventory.Command{
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "A-01", Kind: inventory.KindStock, Zone: "A"}},
		{Type: inventory.EvLocationDefined, Location: &inventory.Location{Code: "DEF", Kind: inventory.KindDefective}},
		{Type: inventory.EvReceipt, Ref: "PO-0", Lines: []inventory.Line{{SKU: "FLT", Qty: 5, To: "A-01"},
			{SKU: "CMP", Qty: 2, To: "A-01", Serials: []string{"C-1", "C-2"}}, {SKU: "GLUE", Qty: 3, To: "A-01", Lot: "L1"}}},
		{Type: inventory.EvWOCreated, Ref: "WO-5", WorkOrder: &inventory.WorkOrder{Engineer: "kim", Lines: []inventory.WOLine{
			{Line: 1, SKU: "FLT", Qty: 2}, {Line: 2, SKU: "CMP", Qty: 1, Billing: inventory.BillingWarranty}}}},
	})
	return st
}

func TestPickByScan(t *testing.T) {
	st := issuingStore(t)
	r := startRouter(t, Options{Stations: []string{"counter"}, Make: Operations(st)})
	for _, tc := range []struct {
		req  OperationRequest
		code inventory.Code
	}{
		{OperationRequest{Kind: "pick"}, ""},
		{OperationRequest{Kind: "pick", Ref: "WO-404"}, inventory.CodeNotFound},
	} {
		_, err := r.Begin("counter", tc.req)
		if tc.code == "" && !errors.Is(err, ErrBadOperation) || tc.code != "" && inventory.CodeOf(err) != tc.code {
			t.Errorf("%+v: %v", tc.req, err)
		}
	}
	if _, err := r.Begin("counter", OperationRequest{Kind: "pick", Ref: "WO-5"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, st, "counter", "pick", "", []scanCase{
		{"one filter", "]C1", "0109506000134352", true, "", "(1 of 2)"},
		{"glue is the wrong part", "]C1", "010950600013436910L1", false, CodeWrongPart, ""},
		{"two filters are one too many", "]C1", "01095060001343523002", false, CodeOverPicked, ""},
		{"the second filter", "]C1", "0109506000134352", true, "", "(2 of 2)"},
		{"a compressor without its serial", "]C1", "0109506000134376", false, CodeNeedsSerial, ""},
		{"a compressor the depot does not have", "]C1", "010950600013437621C-9", false, CodeSerialAbsent, ""},
		{"C-2 instead of the reserved C-1", "]C1", "010950600013437621C-2", true, "", "(1 of 1)"},
		{"C-1 is one too many", "]C1", "010950600013437621C-1", false, CodeOverPicked, ""},
		{"a bin label is not an item", "]C0", "A-01", false, CodeNotAnItem, ""},
	})
	wo, err := st.WorkOrder("WO-5")
	if err != nil {
		t.Fatal(err)
	}
	if wo.Lines[0].Issued != 2 || wo.Lines[1].Issued != 1 || wo.Lines[1].Issues[0].Serials[0] != "C-2" || wo.Lines[1].Reserved != 0 {
		t.Fatalf("work order %+v", wo.Lines)
	}
	ev, _ := st.Event(st.Head().Seq)
	if ev.Ref != "WO-5" || ev.Lines[0].Billing != inventory.BillingWarranty || len(ev.Released) != 1 || ev.Released[0].Serials[0] != "C-1" {
		t.Fatalf("last issue %+v", ev)
	}
	if _, err := st.Append(context.Background(), inventory.Command{Type: inventory.EvWOClosed, Actor: "test", Ref: "WO-5"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, st, "counter", "pick", "", []scanCase{
		{"the order closed meanwhile", "]C1", "0109506000134352", false, CodeOrderClosed, ""},
	})
	if _, err := r.Begin("counter", OperationRequest{Kind: "pick", Ref: "WO-5"}); inventory.CodeOf(err) != inventory.CodeDocumentClosed {
		t.Fatalf("pick on a closed order: %v", err)
	}
}

func TestReturnByScan(t *testing.T) {
	st := issuingStore(t)
	r := startRouter(t, Options{Stations: []string{"counter"}, Make: Operations(st)})
	ctx := context.Background()
	if _, err := st.Append(ctx, inventory.Command{Type: inventory.EvIssue, Actor: "test", Ref: "WO-5", Lines: []inventory.Line{
		{SKU: "FLT", Qty: 2, From: "A-01", FromReserved: true},
		{SKU: "CMP", Qty: 1, From: "A-01", Serials: []string{"C-1"}, FromReserved: true}}}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		req  OperationRequest
		code inventory.Code
	}{
		{OperationRequest{Kind: "return", Ref: "WO-5", To: "DEF"}, ""},
		{OperationRequest{Kind: "return", Ref: "WO-5", To: "DEF", Condition: "broken"}, ""},
		{OperationRequest{Kind: "return", Ref: "WO-404", To: "DEF", Condition: "defective"}, inventory.CodeNotFound},
		{OperationRequest{Kind: "return", Ref: "WO-5", To: "NOWHERE", Condition: "defective"}, inventory.CodeNotFound},
	} {
		_, err := r.Begin("counter", tc.req)
		if tc.code == "" && !errors.Is(err, ErrBadOperation) || tc.code != "" && inventory.CodeOf(err) != tc.code {
			t.Errorf("%+v: %v", tc.req, err)
		}
	}
	if _, err := r.Begin("counter", OperationRequest{Kind: "return", Ref: "WO-5", To: "A-01", Condition: "good"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, st, "counter", "return", "", []scanCase{
		{"an unused filter", "]C1", "0109506000134352", true, "", "returned 1 × FLT"},
		{"glue was never issued", "]C1", "010950600013436910L1", false, CodeNotIssued, ""},
		{"two more filters than are out", "]C1", "01095060001343523002", false, CodeNotIssued, ""},
	})
	if _, err := r.Begin("counter", OperationRequest{Kind: "return", Ref: "WO-5", To: "DEF", Condition: "defective"}); err != nil {
		t.Fatal(err)
	}
	runScans(t, r, st, "counter", "return", "", []scanCase{
		{"the old compressor, not the one issued", "]C1", "010950600013437621OLD-77", true, "", "serial_not_issued: OLD-77"},
		{"the issued compressor came back broken", "]C1", "010950600013437621C-1", true, "", "into DEF"},
		{"the same serial again", "]C1", "010950600013437621C-1", false, CodeAlreadyReceived, ""},
	})
	mm, err := st.ReturnMismatches()
	if err != nil || len(mm) != 1 || mm[0].Serials[0] != "OLD-77" || mm[0].Billing != inventory.BillingWarranty {
		t.Fatalf("mismatches %+v %v", mm, err)
	}
	rep, err := st.Verify(ctx, nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify %v %v", err, rep.Problems)
	}
}
