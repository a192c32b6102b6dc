package inventory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestReorderPropertyRandom drives random receipts, issues, moves to
// quarantine, purchase orders, receipts against them, closes and policy
// changes for two parts, with watcher passes at random points, and holds
// the store to a naive model: the position is plain arithmetic, and at
// each pass an armed part at or below its reorder point signals once and
// a signalled part above it re-arms. Every pass must agree with the model
// on each part's armed state and signal count, and Verify stays clean.
func TestReorderPropertyRandom(t *testing.T) {
	seed := propRunSeed(t)
	rounds := propRuns(30, 8)
	for r := 0; r < rounds; r++ {
		s := seed + uint64(r)
		t.Run(fmt.Sprint(s), func(t *testing.T) { reorderRandomRun(t, s) })
	}
}

type reorderModelPart struct {
	avail, quarantine int64
	orders            map[string][2]int64 // open PO number -> ordered, received
	min, max          int64
	armed             bool
	signals, rearms   int
}

func (p *reorderModelPart) position() int64 {
	n := p.avail
	for _, o := range p.orders {
		n += max(o[0]-o[1], 0)
	}
	return n
}

func reorderRandomRun(t *testing.T, seed uint64) {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := seeded(t)
	ctx := context.Background()
	w := NewReorderWatcher(s, ReorderWatchOptions{})
	parts := map[string]*reorderModelPart{"PN": {orders: map[string][2]int64{}}, "PL2": {orders: map[string][2]int64{}}}
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &Part{SKU: "PL2"}})
	for sku, p := range parts {
		p.min, p.max = int64(rng.IntN(6)), 0
		p.max = p.min + 1 + int64(rng.IntN(10))
		p.armed = true
		mustAppend(t, s, minmax(sku, p.min, p.max))
	}
	skus := []string{"PN", "PL2"}
	nPO := 0
	for step := 0; step < 120; step++ {
		sku := skus[rng.IntN(2)]
		p := parts[sku]
		switch op := rng.IntN(9); op {
		case 0, 1:
			q := 1 + int64(rng.IntN(5))
			mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: sku, Qty: q, To: "A"}))
			p.avail += q
		case 2, 3, 4:
			q := 1 + int64(rng.IntN(4))
			_, err := s.Append(ctx, cmd(EvIssue, "WO", Line{SKU: sku, Qty: q, From: "A"}))
			if (err == nil) != (q <= p.avail) {
				t.Fatalf("step %d: issue %d of %d available: %v", step, q, p.avail, err)
			}
			if err == nil {
				p.avail -= q
			}
		case 5:
			if p.avail > 0 {
				mustAppend(t, s, cmd(EvMove, "", Line{SKU: sku, Qty: 1, From: "A", To: "Q"}))
				p.avail--
				p.quarantine++
			}
		case 6:
			nPO++
			num := fmt.Sprintf("PO-%d", nPO)
			q := 1 + int64(rng.IntN(6))
			mustAppend(t, s, poCmd(num, 100, POLine{Line: 1, SKU: sku, Qty: q}))
			p.orders[num] = [2]int64{q, 0}
		case 7:
			for num, o := range p.orders {
				// Up to one over what is short, within the 100% tolerance.
				q := min(1+int64(rng.IntN(int(max(o[0]-o[1], 0))+1)), 2*o[0]-o[1])
				if q > 0 {
					mustAppend(t, s, cmd(EvReceipt, num, Line{SKU: sku, Qty: q, To: "A"}))
					p.avail += q
					p.orders[num] = [2]int64{o[0], o[1] + q}
				}
				if rng.IntN(2) == 0 {
					mustAppend(t, s, closeCmd(num, "done"))
					delete(p.orders, num)
				}
				break
			}
		case 8:
			p.min = int64(rng.IntN(6))
			p.max = p.min + 1 + int64(rng.IntN(10))
			mustAppend(t, s, minmax(sku, p.min, p.max))
		}
		if rng.IntN(3) == 0 {
			sync1(t, w)
			for _, sku := range skus {
				m := parts[sku]
				switch pos := m.position(); {
				case m.armed && pos <= m.min:
					m.armed = false
					m.signals++
				case !m.armed && pos > m.min:
					m.armed = true
					m.rearms++
				}
			}
			for _, sku := range skus {
				m := parts[sku]
				st, err := s.ReorderPolicy(sku)
				if err != nil {
					t.Fatal(err)
				}
				pos, err := s.Position(sku)
				if err != nil {
					t.Fatal(err)
				}
				if pos.Total != m.position() || st.Armed != m.armed || st.Signals != m.signals {
					t.Fatalf("step %d %s: store position %+v armed %v signals %d; model %d, %v, %d",
						step, sku, pos, st.Armed, st.Signals, m.position(), m.armed, m.signals)
				}
			}
		}
	}
	// Every signal in the log is one the model counted, and Verify agrees.
	counts := map[string]int{}
	for _, ev := range signals(t, s) {
		counts[ev.Ref]++
	}
	for _, sku := range skus {
		if counts[sku] != parts[sku].signals {
			t.Fatalf("%s: %d signal events, model %d", sku, counts[sku], parts[sku].signals)
		}
	}
}
