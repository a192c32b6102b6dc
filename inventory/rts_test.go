package inventory

import (
	"encoding/json"
	"testing"
)

func rtsCmd(number string, lines ...Line) Command {
	return Command{Type: EvRTSCreated, Actor: "proc", Ref: number, Supplier: "ACME", Note: "claim 2026-03", Lines: lines}
}

func rtsShipCmd(number string) Command {
	return Command{Type: EvRTSShipped, Actor: "sk", Ref: number, Note: "DHL 123"}
}

// rtsStore has defective stock: PS serials D1, D2 and 3 PN in DEF, and a
// second defective location DEF2 with 2 PL of lot L1.
func rtsStore(t *testing.T) *Store {
	t.Helper()
	s := seeded(t)
	l := Location{Code: "DEF2", Kind: KindDefective}
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &l})
	mustAppend(t, s, cmd(EvReturn, "WO-9", Line{SKU: "PS", Qty: 2, To: "DEF", Condition: ConditionDefective, Serials: []string{"D1", "D2"}},
		Line{SKU: "PN", Qty: 3, To: "DEF", Condition: ConditionDefective},
		Line{SKU: "PL", Qty: 2, To: "DEF2", Lot: "L1", Condition: ConditionDefective}))
	return s
}

func TestSupplierReturnShapeIsRefused(t *testing.T) {
	s := rtsStore(t)
	wantShapesRefused(t, s, []shapeCase{
		{"no supplier", Command{Type: EvRTSCreated, Actor: "proc", Ref: "RTS-1", Lines: []Line{{SKU: "PN", Qty: 1, From: "DEF"}}}, "supplier"},
		{"supplier on a move", Command{Type: EvMove, Actor: "sk", Supplier: "ACME", Lines: []Line{{SKU: "PN", Qty: 1, From: "DEF", To: "A"}}}, "supplier"},
		{"no ref", Command{Type: EvRTSCreated, Actor: "proc", Supplier: "ACME", Lines: []Line{{SKU: "PN", Qty: 1, From: "DEF"}}}, "ref"},
		{"no lines", rtsCmd("RTS-1"), "lines"},
		{"to instead of from", rtsCmd("RTS-1", Line{SKU: "PN", Qty: 1, From: "DEF", To: "A"}), "lines[0].to"},
		{"no from", rtsCmd("RTS-1", Line{SKU: "PN", Qty: 1}), "lines[0].from"},
		{"ship without ref", Command{Type: EvRTSShipped, Actor: "sk"}, "ref"},
		{"ship with lines", Command{Type: EvRTSShipped, Actor: "sk", Ref: "RTS-1", Lines: []Line{{SKU: "PN", Qty: 1, From: "DEF"}}}, "lines"},
	})
}

func TestSupplierReturnRules(t *testing.T) {
	s := rtsStore(t)
	for _, tc := range []struct {
		name string
		c    Command
		code Code
	}{
		{"from a bin", rtsCmd("RTS-1", Line{SKU: "PN", Qty: 1, From: "A"}), CodeLocationKind},
		{"more than is there", rtsCmd("RTS-1", Line{SKU: "PN", Qty: 4, From: "DEF"}), CodeInsufficientStock},
		{"more than is there, over two lines", rtsCmd("RTS-1", Line{SKU: "PN", Qty: 2, From: "DEF"}, Line{SKU: "PN", Qty: 2, From: "DEF"}), CodeInsufficientStock},
		{"a serial that is elsewhere", rtsCmd("RTS-1", Line{SKU: "PS", Qty: 1, From: "DEF2", Serials: []string{"D1"}}), CodeSerialNotHere},
		{"a serial twice", rtsCmd("RTS-1", Line{SKU: "PS", Qty: 1, From: "DEF", Serials: []string{"D1"}}, Line{SKU: "PS", Qty: 1, From: "DEF", Serials: []string{"D1"}}), CodeSerialNotHere},
		{"an unknown lot", rtsCmd("RTS-1", Line{SKU: "PL", Qty: 1, From: "DEF2", Lot: "L9"}), CodeUnknownLot},
		{"ship an unknown batch", rtsShipCmd("RTS-9"), CodeNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) { wantRefused(t, s, tc.c, tc.code) })
	}
	res := mustAppend(t, s, rtsCmd("RTS-1", Line{SKU: "PS", Qty: 2, From: "DEF", Serials: []string{"D1", "D2"}},
		Line{SKU: "PN", Qty: 2, From: "DEF"}, Line{SKU: "PL", Qty: 2, From: "DEF2", Lot: "L1"}))
	if res.Event.Supplier != "ACME" {
		t.Fatalf("event %+v", res.Event)
	}
	wantRefused(t, s, rtsCmd("RTS-1", Line{SKU: "PN", Qty: 1, From: "DEF"}), CodeDocumentExists)
	b, err := s.SupplierReturn("RTS-1")
	if err != nil || b.Status != RTSOpen || b.Units != 6 || len(b.Lines) != 3 {
		t.Fatalf("batch %+v %v", b, err)
	}
	// Listing does not move stock: the defective store still holds it all.
	if rows, _ := s.Stock(StockFilter{Location: "DEF"}, 0); len(rows) != 3 {
		t.Fatalf("DEF %+v", rows)
	}
	// A second batch may list the last PN; the first one to ship takes it.
	mustAppend(t, s, rtsCmd("RTS-2", Line{SKU: "PN", Qty: 3, From: "DEF"}))
	res = mustAppend(t, s, rtsShipCmd("RTS-1"))
	if len(res.Event.Lines) != 3 || res.Event.Lines[0].Serials[1] != "D2" {
		t.Fatalf("shipped %+v", res.Event.Lines)
	}
	if rows, _ := s.Stock(StockFilter{Location: "DEF"}, 0); len(rows) != 1 || rows[0].OnHand != 1 {
		t.Fatalf("DEF after shipping %+v", rows)
	}
	wantRefused(t, s, rtsShipCmd("RTS-1"), CodeDocumentClosed)
	wantRefused(t, s, rtsShipCmd("RTS-2"), CodeInsufficientStock)
	b, _ = s.SupplierReturn("RTS-1")
	if b.Status != RTSShipped || b.ShippedSeq != res.Event.Seq {
		t.Fatalf("batch %+v", b)
	}
	list, err := s.SupplierReturns(RTSFilter{Status: RTSOpen}, Page{})
	if err != nil || len(list) != 1 || list[0].Number != "RTS-2" {
		t.Fatalf("open batches %+v %v", list, err)
	}
	if list, _ := s.SupplierReturns(RTSFilter{}, Page{After: "RTS-1"}); len(list) != 1 {
		t.Fatalf("after RTS-1: %+v", list)
	}
	mustVerify(t, s)
}

func TestVerifyFindsSupplierReturnTampering(t *testing.T) {
	s := rtsStore(t)
	mustAppend(t, s, rtsCmd("RTS-1", Line{SKU: "PN", Qty: 2, From: "DEF"}))
	mustAppend(t, s, rtsShipCmd("RTS-1"))
	wantTamperingFound(t, s, func(t *testing.T, s *Store) {
		b, _ := s.SupplierReturn("RTS-1")
		b.Status, b.ShippedSeq = RTSOpen, 0
		raw, _ := json.Marshal(b)
		tamper(t, s, rtsKey("RTS-1"), raw)
	})
}
