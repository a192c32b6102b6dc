package inventory

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/dgraph-io/badger/v4"
)

// ssccOf completes a 17-digit SSCC body with its check digit.
func ssccOf(body string) string { return body + string(gs1CheckDigit(body)) }

var (
	palletA = ssccOf("00950600013435200")
	palletB = ssccOf("00950600013435201")
	palletC = ssccOf("00950600013435202")
)

func asnCmd(number, order string, pallets ...Pallet) Command {
	return Command{Type: EvASNAnnounced, Actor: "proc", Ref: order,
		Notice: &ShippingNotice{Number: number, Order: order, Shipped: "2026-02-27", Pallets: pallets}}
}

func palletReceipt(order, sscc, to string, p Pallet) Command {
	return Command{Type: EvReceipt, Actor: "sk", Ref: order, SSCC: sscc, Lines: p.ReceiptLines(to)}
}

// TestValidSSCC: the digit check is worked by hand in TestSSCCCheckDigit.
func TestValidSSCC(t *testing.T) {
	for _, tc := range []struct {
		s  string
		ok bool
	}{
		{"106141411234567897", true},
		{"106141411234567890", false},
		{"10614141123456789", false},   // 17 digits
		{"1061414112345678970", false}, // 19 digits
		{"10614141123456789X", false},
	} {
		if got := ValidSSCC(tc.s); got != tc.ok {
			t.Errorf("ValidSSCC(%q) = %v, want %v", tc.s, got, tc.ok)
		}
	}
}

func TestShippingNoticeShapeIsRefused(t *testing.T) {
	s := seeded(t)
	good := Pallet{SSCC: palletA, Lines: []PalletLine{{SKU: "PN", Qty: 4}}}
	with := func(f func(n *ShippingNotice)) Command {
		c := asnCmd("ASN-1", "PO-1", good)
		n := *c.Notice
		f(&n)
		c.Notice = &n
		return c
	}
	badCheck := palletA[:17] + string('0'+(palletA[17]-'0'+1)%10)
	cases := []shapeCase{
		{"no notice", Command{Type: EvASNAnnounced, Actor: "proc", Ref: "PO-1"}, "notice"},
		{"notice on a receipt", Command{Type: EvReceipt, Actor: "sk", Notice: &ShippingNotice{}, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, "notice"},
		{"no number", with(func(n *ShippingNotice) { n.Number = "" }), "notice.number"},
		{"ref and order differ", with(func(n *ShippingNotice) { n.Order = "PO-2" }), "ref"},
		{"bad shipped date", with(func(n *ShippingNotice) { n.Shipped = "2026-13-01" }), "notice.shipped"},
		{"no pallets", with(func(n *ShippingNotice) { n.Pallets = nil }), "notice.pallets"},
		{"bad check digit", with(func(n *ShippingNotice) { n.Pallets = []Pallet{{SSCC: badCheck, Lines: good.Lines}} }), "notice.pallets[0].sscc"},
		{"short SSCC", with(func(n *ShippingNotice) { n.Pallets = []Pallet{{SSCC: "1234", Lines: good.Lines}} }), "notice.pallets[0].sscc"},
		{"pallet twice", with(func(n *ShippingNotice) { n.Pallets = []Pallet{good, good} }), "notice.pallets[1].sscc"},
		{"empty pallet", with(func(n *ShippingNotice) { n.Pallets = []Pallet{{SSCC: palletA}} }), "notice.pallets[0].lines"},
		{"zero qty", with(func(n *ShippingNotice) { n.Pallets = []Pallet{{SSCC: palletA, Lines: []PalletLine{{SKU: "PN"}}}} }), "notice.pallets[0].lines[0].qty"},
		{"serials not the qty", with(func(n *ShippingNotice) {
			n.Pallets = []Pallet{{SSCC: palletA, Lines: []PalletLine{{SKU: "PS", Qty: 2, Serials: []string{"S1"}}}}}
		}), "notice.pallets[0].lines[0].serials"},
		{"stock lines on a notice", func() Command { c := with(func(*ShippingNotice) {}); c.Lines = []Line{{SKU: "PN", Qty: 1}}; return c }(), "lines"},
		{"SSCC on a move", Command{Type: EvMove, Actor: "sk", SSCC: palletA, Lines: []Line{{SKU: "PN", Qty: 1, From: "A", To: "B"}}}, "sscc"},
		{"SSCC on a free receipt", Command{Type: EvReceipt, Actor: "sk", SSCC: palletA, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, "sscc"},
		{"bad SSCC on a receipt", Command{Type: EvReceipt, Actor: "sk", Ref: "PO-1", SSCC: badCheck, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, "sscc"},
	}
	wantShapesRefused(t, s, cases)
}

// TestShippingNoticeRules walks the rules of announcing and of receiving a
// pallet by its SSCC; every refusal must leave the head, the order and the
// notice as they were.
func TestShippingNoticeRules(t *testing.T) {
	po := poCmd("PO-1", 10, POLine{Line: 1, SKU: "PN", Qty: 10}, POLine{Line: 2, SKU: "PS", Qty: 2}, POLine{Line: 3, SKU: "PL", Qty: 5})
	mixed := Pallet{SSCC: palletA, Lines: []PalletLine{
		{SKU: "PN", Qty: 6}, {SKU: "PS", Qty: 2, Serials: []string{"S1", "S2"}}, {SKU: "PL", Qty: 5, Lot: "L9", Expiry: "2027-01-31"}}}
	rest := Pallet{SSCC: palletB, Lines: []PalletLine{{SKU: "PN", Qty: 4}}}
	big := Pallet{SSCC: palletC, Lines: []PalletLine{{SKU: "PN", Qty: 2}}} // 6+4+2 = 12 > 10+10%
	announced := asnCmd("ASN-1", "PO-1", mixed, rest, big)
	cases := []struct {
		name  string
		steps []step
	}{
		{"order unknown", []step{{announced, CodeNotFound}}},
		{"order closed", []step{{po, ""}, {closeCmd("PO-1", "cancelled"), ""}, {announced, CodeDocumentClosed}}},
		{"number taken", []step{{po, ""}, {announced, ""}, {asnCmd("ASN-1", "PO-1", Pallet{SSCC: ssccOf("00950600013435299"), Lines: rest.Lines}), CodeDocumentExists}}},
		{"SSCC announced before", []step{{po, ""}, {announced, ""}, {asnCmd("ASN-2", "PO-1", rest), CodeDocumentExists}}},
		{"part not on the order", []step{{poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 1}), ""},
			{asnCmd("ASN-1", "PO-1", Pallet{SSCC: palletA, Lines: []PalletLine{{SKU: "PS", Qty: 1, Serials: []string{"S1"}}}}), CodeNotOnOrder}}},
		{"serial part without serials", []step{{po, ""},
			{asnCmd("ASN-1", "PO-1", Pallet{SSCC: palletA, Lines: []PalletLine{{SKU: "PS", Qty: 1}}}), CodeTracking}}},
		{"lot part without a lot", []step{{po, ""},
			{asnCmd("ASN-1", "PO-1", Pallet{SSCC: palletA, Lines: []PalletLine{{SKU: "PL", Qty: 1}}}), CodeTracking}}},
		{"lot on an untracked part", []step{{po, ""},
			{asnCmd("ASN-1", "PO-1", Pallet{SSCC: palletA, Lines: []PalletLine{{SKU: "PN", Qty: 1, Lot: "X"}}}), CodeTracking}}},
		{"pallet received whole, once", []step{{po, ""}, {announced, ""},
			{palletReceipt("PO-1", palletA, "Q", mixed), ""},
			{palletReceipt("PO-1", palletA, "Q", mixed), CodePalletReceived},
			{palletReceipt("PO-1", palletB, "A", rest), ""}}},
		{"unknown pallet", []step{{po, ""}, {announced, ""},
			{palletReceipt("PO-1", ssccOf("00950600013435299"), "Q", rest), CodePalletUnknown}}},
		{"pallet of another order", []step{{po, ""}, {announced, ""},
			{poCmd("PO-2", 0, POLine{Line: 1, SKU: "PN", Qty: 10}), ""},
			{palletReceipt("PO-2", palletB, "Q", rest), CodePalletUnknown}}},
		{"part of a pallet", []step{{po, ""}, {announced, ""},
			{Command{Type: EvReceipt, Actor: "sk", Ref: "PO-1", SSCC: palletA, Lines: mixed.ReceiptLines("Q")[:2]}, CodePalletMismatch}}},
		{"other quantity", []step{{po, ""}, {announced, ""},
			{Command{Type: EvReceipt, Actor: "sk", Ref: "PO-1", SSCC: palletB, Lines: []Line{{SKU: "PN", Qty: 3, To: "Q"}}}, CodePalletMismatch}}},
		{"split over two locations", []step{{po, ""}, {announced, ""},
			{Command{Type: EvReceipt, Actor: "sk", Ref: "PO-1", SSCC: palletA, Lines: func() []Line {
				ls := mixed.ReceiptLines("Q")
				ls[1].To = "A"
				return ls
			}()}, CodePalletMismatch}}},
		{"the order's tolerance still holds", []step{{po, ""}, {announced, ""},
			{palletReceipt("PO-1", palletA, "Q", mixed), ""},
			{palletReceipt("PO-1", palletB, "Q", rest), ""},
			{palletReceipt("PO-1", palletC, "Q", big), CodeOverTolerance}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			runSteps(t, s, tc.steps, func() string {
				po, _ := s.PurchaseOrder("PO-1")
				n, _ := s.ShippingNotice("ASN-1")
				return fmt.Sprint(po) + "\x00" + fmt.Sprint(n)
			})
			mustVerify(t, s)
		})
	}
}

// TestPalletReceipt checks what one SSCC scan books: the whole pallet, its
// lots and serials, counted against the order's lines, and the notice then
// shows the pallet in with the event that took it.
func TestPalletReceipt(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 10}, POLine{Line: 2, SKU: "PS", Qty: 2}, POLine{Line: 3, SKU: "PL", Qty: 5}))
	mixed := Pallet{SSCC: palletA, Lines: []PalletLine{
		{SKU: "PN", Qty: 6}, {SKU: "PS", Qty: 2, Serials: []string{"S1", "S2"}}, {SKU: "PL", Qty: 5, Lot: "L9", Expiry: "2027-01-31"}}}
	rest := Pallet{SSCC: palletB, Lines: []PalletLine{{SKU: "PN", Qty: 4}}}
	mustAppend(t, s, asnCmd("ASN-1", "PO-1", mixed, rest))
	res := mustAppend(t, s, palletReceipt("PO-1", palletA, "Q", mixed))
	if res.Event.SSCC != palletA || len(res.Event.Lines) != 3 {
		t.Fatalf("receipt event: %+v", res.Event)
	}
	n, p, err := s.PalletBySSCC(palletA)
	if err != nil || n.Number != "ASN-1" || p.ReceivedSeq != res.Event.Seq || p.ReceivedTo != "Q" || n.Expected != 1 {
		t.Fatalf("pallet after receipt: %+v %+v %v", n, p, err)
	}
	if _, p, _ := s.PalletBySSCC(palletB); p.ReceivedSeq != 0 {
		t.Fatalf("pallet B is marked received: %+v", p)
	}
	if _, _, err := s.PalletBySSCC(palletC); CodeOf(err) != CodePalletUnknown {
		t.Fatalf("unannounced pallet: %v", err)
	}
	po, _ := s.PurchaseOrder("PO-1")
	want := map[string][2]int64{"PN": {6, 4}, "PS": {2, 0}, "PL": {5, 0}} // received, short
	for _, l := range po.Lines {
		if w := want[l.SKU]; l.Received != w[0] || l.Short != w[1] {
			t.Errorf("line %d %s: received %d short %d, want %v", l.Line, l.SKU, l.Received, l.Short, w)
		}
	}
	bal, err := s.Stock(StockFilter{Location: "Q"}, 100)
	if err != nil {
		t.Fatal(err)
	}
	var sum int64
	for _, b := range bal {
		sum += b.OnHand
	}
	if sum != 13 {
		t.Fatalf("quarantine holds %d, want 13: %+v", sum, bal)
	}
	if lot, err := s.Lot("PL", "L9"); err != nil || lot.Expiry != "2027-01-31" {
		t.Fatalf("lot from the notice: %+v %v", lot, err)
	}
	list, err := s.ShippingNotices("PO-1", Page{})
	if err != nil || len(list) != 1 || list[0].Number != "ASN-1" {
		t.Fatalf("notices of PO-1: %+v %v", list, err)
	}
	if list, _ := s.ShippingNotices("PO-9", Page{}); len(list) != 0 {
		t.Fatalf("notices of PO-9: %+v", list)
	}
	// An honest retry of the scan is the same receipt, not a refusal.
	c := palletReceipt("PO-1", palletB, "A", rest)
	c.IdempotencyKey = "scan-1"
	first := mustAppend(t, s, c)
	again := mustAppend(t, s, c)
	if !again.Replayed || again.Event.Seq != first.Event.Seq {
		t.Fatalf("retry: %+v", again)
	}
}

func TestVerifyFindsShippingNoticeTampering(t *testing.T) {
	cases := []tamperCase{
		{"pallet unreceived", func(t *testing.T, s *Store) {
			st, _ := s.ShippingNotice("ASN-1")
			st.Pallets[0].ReceivedSeq, st.Expected = 0, 2
			b, _ := json.Marshal(st)
			tamper(t, s, asnKey("ASN-1"), b)
		}},
		{"index entry deleted", func(t *testing.T, s *Store) {
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(ssccKey(palletB)) }); err != nil {
				t.Fatal(err)
			}
		}},
		{"index entry invented", func(t *testing.T, s *Store) { tamper(t, s, ssccKey(palletC), []byte("ASN-1")) }},
		{"notice deleted", func(t *testing.T, s *Store) {
			if err := s.db.Update(func(txn *badger.Txn) error { return txn.Delete(asnKey("ASN-1")) }); err != nil {
				t.Fatal(err)
			}
		}},
	}
	wantTamperingsFound(t, func(t *testing.T) *Store {
		s := seeded(t)
		mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 10}))
		a := Pallet{SSCC: palletA, Lines: []PalletLine{{SKU: "PN", Qty: 6}}}
		b := Pallet{SSCC: palletB, Lines: []PalletLine{{SKU: "PN", Qty: 4}}}
		mustAppend(t, s, asnCmd("ASN-1", "PO-1", a, b))
		mustAppend(t, s, palletReceipt("PO-1", palletA, "Q", a))
		return s
	}, cases)
}
