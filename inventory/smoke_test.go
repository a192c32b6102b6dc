package inventory

import (
	"context"
	"testing"
)

func TestSmoke(t *testing.T) {
	s, err := Open(Options{Dir: t.TempDir(), Depot: "D1"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	must := func(c Command) Result {
		t.Helper()
		c.Actor = "admin"
		r, err := s.Append(ctx, c)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	must(Command{Type: EvPartDefined, Part: &Part{SKU: "P1", GTINs: []string{"4006381333931"}}})
	must(Command{Type: EvPartDefined, Part: &Part{SKU: "S1", Tracking: TrackSerial}})
	must(Command{Type: EvLocationDefined, Location: &Location{Code: "A-01"}})
	must(Command{Type: EvLocationDefined, Location: &Location{Code: "A-02"}})
	must(Command{Type: EvReceipt, Lines: []Line{{SKU: "P1", Qty: 5, To: "A-01"}, {SKU: "S1", Qty: 2, To: "A-01", Serials: []string{"X1", "X2"}}}})
	must(Command{Type: EvIssue, Ref: "WO-1", Lines: []Line{{SKU: "S1", Qty: 1, From: "A-01", Serials: []string{"X1"}}}})
	_, err = s.Append(ctx, Command{Actor: "a", Type: EvIssue, Ref: "WO-1", Lines: []Line{{SKU: "P1", Qty: 6, From: "A-01"}}})
	if CodeOf(err) != CodeInsufficientStock {
		t.Fatalf("want insufficient, got %v", err)
	}
	st, _ := s.Stock(StockFilter{}, 0)
	t.Logf("%+v", st)
	rep, err := s.Verify(ctx, nil)
	if err != nil || !rep.OK {
		t.Fatal(err, rep)
	}
	h, err := s.SerialHistory("S1", "X1")
	if err != nil || len(h.Events) != 2 {
		t.Fatal(err, h)
	}
}
