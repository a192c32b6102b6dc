package inventory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestPropertyWorkOrders drives random mixes of work orders, picks (planned
// and raw), returns, closes, supplier batches and plain stock events, and
// after every step holds the store to what must always be true: a refused
// command wrote nothing; Verify, replaying every document, agrees with the
// stored state; a line never has more issued plus reserved than it asks
// for, and what it holds is reserved in the balances; nothing comes back
// beyond what went out; a closed order holds nothing.
func TestPropertyWorkOrders(t *testing.T) {
	n := propRuns(300, 40)
	seed := propRunSeed(t)
	base := propDir(t)
	ctx := context.Background()
	accepted, refused := 0, map[Code]int{}
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		dir := fmt.Sprintf("%s/wo%d", base, i)
		s := propOpen(t, dir)
		for _, p := range []Part{{SKU: "PN"}, {SKU: "PL", Tracking: TrackLot}, {SKU: "PS", Tracking: TrackSerial},
			{SKU: "PO", SupersededBy: "PN"}} {
			mustAppend(t, s, Command{Type: EvPartDefined, Actor: "prop", Part: &p})
		}
		for _, l := range []Location{{Code: "BIN1", Zone: "B"}, {Code: "BIN2", Zone: "A"}, {Code: "VAN", Kind: KindVan},
			{Code: "DEF", Kind: KindDefective}, {Code: "QUA", Kind: KindQuarantine}} {
			mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "prop", Location: &l})
		}
		for op := range 30 + r.IntN(30) {
			c, planErr := randomWOCommand(r, s)
			if planErr != nil {
				refused[CodeOf(planErr)]++
				continue
			}
			before := s.Head()
			res, err := s.Append(ctx, c)
			where := fmt.Sprintf("seed %d seq %d op %d %s %s %+v", seed, i, op, c.Type, c.Ref, c.Lines)
			if err != nil {
				if CodeOf(err) == "" {
					t.Fatalf("%s: %v", where, err)
				}
				refused[CodeOf(err)]++
				if s.Head() != before {
					t.Fatalf("%s: refused (%v) but the head moved", where, err)
				}
			} else {
				accepted++
				if res.Event.Seq != before.Seq+1 {
					t.Fatalf("%s: seq %d after %d", where, res.Event.Seq, before.Seq)
				}
			}
			checkWorkOrders(t, s, where)
		}
		propClose(t, s, dir)
	}
	t.Logf("%d sequences: %d accepted, refused %v", n, accepted, refused)
	for _, c := range []Code{CodeNotOnWorkOrder, CodeOverPick, CodeNotIssued, CodeDocumentClosed, CodeDocumentExists, CodeInsufficientReserve} {
		if refused[c] == 0 {
			t.Errorf("no command was refused with %s: the generator misses a rule", c)
		}
	}
}

var propWOs = []string{"WO-A", "WO-B", "WO-C"}

func randomWOCommand(r *rand.Rand, s *Store) (Command, error) {
	skus := []string{"PN", "PL", "PS", "PO"}
	line := func(sku string, q int64) Line {
		l := Line{SKU: sku, Qty: q}
		switch sku {
		case "PL":
			l.Lot = []string{"L1", "L2"}[r.IntN(2)]
		case "PS":
			for _, i := range r.Perm(10)[:q] {
				l.Serials = append(l.Serials, fmt.Sprintf("S%d", i))
			}
		}
		return l
	}
	wo := propWOs[r.IntN(len(propWOs))]
	switch k := r.IntN(22); {
	case k < 5:
		l := line(skus[r.IntN(3)], int64(1+r.IntN(3)))
		l.To = []string{"BIN1", "BIN2", "VAN", "QUA"}[r.IntN(4)]
		return Command{Type: EvReceipt, Actor: "prop", Lines: []Line{l}}, nil
	case k < 8:
		o := &WorkOrder{Number: wo, Engineer: "eng"}
		for j := range 1 + r.IntN(3) {
			o.Lines = append(o.Lines, WOLine{Line: j + 1, SKU: skus[r.IntN(4)], Qty: int64(1 + r.IntN(3)),
				Billing: []string{BillingChargeable, BillingWarranty}[r.IntN(2)]})
		}
		return Command{Type: EvWOCreated, Actor: "prop", Ref: wo, WorkOrder: o}, nil
	case k < 12:
		sku := skus[r.IntN(4)]
		if sku == "PO" {
			sku = "PN" // the successor, picked against a PO line
		}
		req := PickRequest{WorkOrder: wo, SKU: sku, Qty: int64(1 + r.IntN(2))}
		switch sku {
		case "PS":
			req.Qty = 1
			req.Serials = []string{fmt.Sprintf("S%d", r.IntN(10))}
		case "PL":
			req.Lot = []string{"L1", "L2", ""}[r.IntN(3)]
		}
		c, err := s.PlanPick(req)
		c.Actor = "prop"
		return c, err
	case k < 14:
		// A raw issue, as a client might send it: reserved or not, any bin.
		l := line(skus[r.IntN(3)], 1)
		l.From = []string{"BIN1", "BIN2", "VAN"}[r.IntN(3)]
		l.FromReserved = r.IntN(2) == 0
		return Command{Type: EvIssue, Actor: "prop", Ref: wo, Lines: []Line{l}}, nil
	case k < 17:
		l := line(skus[r.IntN(3)], int64(1+r.IntN(2)))
		l.Condition = []string{ConditionGood, ConditionDefective}[r.IntN(2)]
		l.To = "BIN1"
		if l.Condition == ConditionDefective {
			l.To = "DEF"
		}
		return Command{Type: EvReturn, Actor: "prop", Ref: wo, Lines: []Line{l}}, nil
	case k < 18:
		return Command{Type: EvWOClosed, Actor: "prop", Ref: wo}, nil
	case k < 20:
		// Free reservations, as a planner makes them by hand: they may
		// never take what a work order holds.
		l := line(skus[r.IntN(3)], int64(1+r.IntN(2)))
		l.Location = []string{"BIN1", "BIN2", "VAN"}[r.IntN(3)]
		return Command{Type: []EventType{EvReserve, EvUnreserve}[r.IntN(2)], Actor: "prop", Ref: "FREE", Lines: []Line{l}}, nil
	case k < 21:
		l := line(skus[r.IntN(3)], 1)
		l.From = "DEF"
		return Command{Type: EvRTSCreated, Actor: "prop", Ref: "RTS-" + wo, Supplier: "ACME", Lines: []Line{l}}, nil
	default:
		return Command{Type: EvRTSShipped, Actor: "prop", Ref: "RTS-" + wo}, nil
	}
}

func checkWorkOrders(t *testing.T, s *Store, where string) {
	t.Helper()
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("%s: verify: %v %v", where, err, rep.Problems)
	}
	held := map[balKey]int64{}
	wos, err := s.WorkOrders(WOFilter{}, Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	for _, wo := range wos {
		for _, l := range wo.Lines {
			var sum int64
			for _, rv := range l.Reservations {
				sum += rv.Qty
				held[balKey{l.SKU, rv.Location, rv.Lot, rv.Serial}] += rv.Qty
			}
			switch {
			case sum != l.Reserved:
				t.Fatalf("%s: %s line %d holds %d, says %d", where, wo.Number, l.Line, sum, l.Reserved)
			case l.Issued+l.Reserved > l.Qty:
				t.Fatalf("%s: %s line %d: %d issued + %d reserved > %d", where, wo.Number, l.Line, l.Issued, l.Reserved, l.Qty)
			case wo.Status == WOClosed && (l.Reserved != 0 || l.Awaiting != 0):
				t.Fatalf("%s: closed %s still holds %+v", where, wo.Number, l)
			case wo.Status == WOOpen && l.Awaiting != l.Qty-l.Issued-l.Reserved:
				t.Fatalf("%s: %s line %d awaits %d", where, wo.Number, l.Line, l.Awaiting)
			}
			var issued int64
			for _, is := range l.Issues {
				issued += is.Qty
				if is.Returned > is.Qty || len(is.ReturnedSerials) > len(is.Serials) {
					t.Fatalf("%s: %s line %d: more back than out: %+v", where, wo.Number, l.Line, is)
				}
			}
			if issued != l.Issued {
				t.Fatalf("%s: %s line %d: issues add up to %d, not %d", where, wo.Number, l.Line, issued, l.Issued)
			}
		}
	}
	for k, n := range held {
		rows, err := s.Stock(StockFilter{SKU: k.SKU, Location: k.Loc, Lot: k.Lot, Serial: k.Serial}, 10)
		if err != nil {
			t.Fatal(err)
		}
		var reserved int64
		for _, b := range rows {
			if b.Lot == k.Lot && b.Serial == k.Serial {
				reserved += b.Reserved
			}
		}
		if reserved < n {
			t.Fatalf("%s: work orders hold %d of %v, the balance reserves %d", where, n, k, reserved)
		}
	}
}
