package inventory

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// Purchase orders are documents in the event log: po-created opens one,
// receipts whose ref names it receive against it, po-closed ends it with a
// discrepancy report. Being events, they are chained, idempotent, replicated
// and audited like stock; the order's running state (what has come in per
// line) is derived from the log and kept beside it under pPO, updated in the
// same transaction as the event, and Verify recomputes it.

// POStatus is where a purchase order is in its life.
type POStatus string

const (
	POOpen   POStatus = "open"
	POClosed POStatus = "closed"
)

// MaxTolerancePct bounds an order's over-delivery tolerance: a supplier may
// at most double an order without it being refused.
const MaxTolerancePct = 100

// PurchaseOrder is what a po-created event carries: the lines the depot
// expects from a supplier.
type PurchaseOrder struct {
	// Number is the order's number; the event's ref carries it too, so the
	// order shows up wherever documents are looked up by ref.
	Number   string `json:"number"`
	Supplier string `json:"supplier"`
	// Expected is the day the delivery is due, YYYY-MM-DD; optional.
	Expected string `json:"expected,omitempty"`
	// TolerancePct is how far over the ordered quantity of a part (summed
	// over its lines) receipts may go, in percent of it, rounded down.
	TolerancePct int      `json:"tolerancePct,omitempty"`
	Lines        []POLine `json:"lines"`
}

// POLine is one ordered part. Lot, when set, is the lot the supplier
// announced: a receipt of another lot against this line is the wrong lot.
type POLine struct {
	Line int    `json:"line"`
	SKU  string `json:"sku"`
	Qty  int64  `json:"qty"`
	Lot  string `json:"lot,omitempty"`
}

// POLineState is one order line with what has come in against it.
type POLineState struct {
	Line     int    `json:"line"`
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Ordered  int64  `json:"ordered"`
	Received int64  `json:"received"`
	Short    int64  `json:"short"`
	Over     int64  `json:"over"`
}

// PurchaseOrderState is a purchase order as the log leaves it.
type PurchaseOrderState struct {
	Number       string        `json:"number"`
	Supplier     string        `json:"supplier"`
	Expected     string        `json:"expected,omitempty"`
	TolerancePct int           `json:"tolerancePct"`
	Status       POStatus      `json:"status"`
	CreatedSeq   uint64        `json:"createdSeq"`
	ClosedSeq    uint64        `json:"closedSeq,omitempty"`
	CloseReason  string        `json:"closeReason,omitempty"`
	Lines        []POLineState `json:"lines"` // in line-number order
}

// POReport is the discrepancy report of an order: per line what was
// ordered, received, short and over, and the totals.
type POReport struct {
	Number   string        `json:"number"`
	Lines    []POLineState `json:"lines"`
	Ordered  int64         `json:"ordered"`
	Received int64         `json:"received"`
	Short    int64         `json:"short"`
	Over     int64         `json:"over"`
}

func poKey(number string) []byte { return join(pPO, number) }

func poLineField(i int) string { return "order.lines[" + strconv.Itoa(i) + "]" }

// checkPOCreated validates a po-created command without stored state. The
// number may be given as the ref, in the order, or both (then equal), so
// the event always carries both.
func (c *Command) checkPOCreated() error {
	if c.Order == nil {
		return errf(CodeInvalid, "order", "is required for %s", c.Type)
	}
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil {
		return errf(CodeInvalid, "lines", "%s carries only an order", c.Type)
	}
	o := *c.Order
	if err := c.checkDocNumber("order.number", "order", &o.Number, 0); err != nil {
		return err
	}
	if err := checkCode("order.supplier", o.Supplier); err != nil {
		return err
	}
	if o.Expected != "" {
		if _, ok := ParseDate(o.Expected); !ok {
			return errf(CodeInvalid, "order.expected", "%q is not a YYYY-MM-DD date", o.Expected)
		}
	}
	if o.TolerancePct < 0 || o.TolerancePct > MaxTolerancePct {
		return errf(CodeInvalid, "order.tolerancePct", "must be between 0 and %d", MaxTolerancePct)
	}
	if err := checkDocLineCount("order.lines", "order", len(o.Lines)); err != nil {
		return err
	}
	seen := make(map[int]bool, len(o.Lines))
	for i, l := range o.Lines {
		f := poLineField(i)
		if err := checkDocLine(f, seen, l.Line, l.SKU, l.Qty); err != nil {
			return err
		}
		if l.Lot != "" {
			if err := checkCode(f+".lot", l.Lot); err != nil {
				return err
			}
		}
	}
	o.Lines = slices.Clone(o.Lines)
	c.Order = &o
	return nil
}

func (c *Command) checkPOClosed() error {
	if c.Ref == "" {
		return errf(CodeInvalid, "ref", "%s must name the purchase order", c.Type)
	}
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil {
		return errf(CodeInvalid, "lines", "%s carries only the order's ref and a note", c.Type)
	}
	return nil
}

// newPOState is the state a po-created event opens. It depends on the event
// alone, so Verify rebuilds exactly what the store wrote.
func newPOState(ev *Event) *PurchaseOrderState {
	o := ev.Order
	st := &PurchaseOrderState{
		Number: o.Number, Supplier: o.Supplier, Expected: o.Expected, TolerancePct: o.TolerancePct,
		Status: POOpen, CreatedSeq: ev.Seq, Lines: make([]POLineState, 0, len(o.Lines)),
	}
	for _, l := range o.Lines {
		st.Lines = append(st.Lines, POLineState{Line: l.Line, SKU: l.SKU, Lot: l.Lot, Ordered: l.Qty, Short: l.Qty})
	}
	slices.SortFunc(st.Lines, func(a, b POLineState) int { return cmp.Compare(a.Line, b.Line) })
	return st
}

// eligible returns the indexes of the order lines a received line of sku
// and lot may count against, in the order they fill: lines expecting that
// very lot first, then lines that expect no particular lot, each in
// line-number order. It refuses a part the order does not hold and a lot
// no line of that part accepts.
func (st *PurchaseOrderState) eligible(sku, lot string) ([]int, Code) {
	var exact, loose []int
	onOrder := false
	for i, l := range st.Lines {
		if l.SKU != sku {
			continue
		}
		onOrder = true
		switch {
		case l.Lot == "":
			loose = append(loose, i)
		case l.Lot == lot:
			exact = append(exact, i)
		}
	}
	switch {
	case !onOrder:
		return nil, CodeNotOnOrder
	case len(exact)+len(loose) == 0:
		return nil, CodeWrongLot
	}
	return append(exact, loose...), ""
}

// allocate counts qty against the eligible lines: each takes what it still
// lacks, in turn, and whatever is left over goes to the first of them, so a
// part's excess shows up on one line of the report.
func (st *PurchaseOrderState) allocate(idx []int, qty int64) {
	left := qty
	for _, i := range idx {
		l := &st.Lines[i]
		if take := min(left, max(l.Ordered-l.Received, 0)); take > 0 {
			l.Received += take
			left -= take
		}
	}
	st.Lines[idx[0]].Received += left
	for _, i := range idx {
		l := &st.Lines[i]
		l.Short, l.Over = max(l.Ordered-l.Received, 0), max(l.Received-l.Ordered, 0)
	}
}

// overTolerance reports whether what came in of sku exceeds the ordered
// quantity plus the order's tolerance, rounded down; and the limit.
func (st *PurchaseOrderState) overTolerance(sku string) (bool, int64, int64) {
	var ordered, received int64
	for _, l := range st.Lines {
		if l.SKU == sku {
			ordered += l.Ordered
			received += l.Received
		}
	}
	limit := ordered * int64(100+st.TolerancePct) / 100
	return received > limit, received, limit
}

// report is the order's discrepancy report as it stands.
func (st *PurchaseOrderState) report() POReport {
	r := POReport{Number: st.Number, Lines: slices.Clone(st.Lines)}
	for _, l := range st.Lines {
		r.Ordered += l.Ordered
		r.Received += l.Received
		r.Short += l.Short
		r.Over += l.Over
	}
	return r
}

// closeState ends an order and returns the report the po-closed event
// records. Like newPOState it depends on the state and the event alone.
func (st *PurchaseOrderState) close(ev *Event) POReport {
	st.Status = POClosed
	st.ClosedSeq = ev.Seq
	st.CloseReason = ev.Note
	return st.report()
}

func getPO(v *view, number string) (*PurchaseOrderState, error) {
	var st PurchaseOrderState
	ok, err := v.getJSON(poKey(number), &st)
	if !ok || err != nil {
		return nil, err
	}
	return &st, nil
}

func createPO(v *view, ev *Event) error {
	old, err := getPO(v, ev.Order.Number)
	if err != nil {
		return err
	}
	if old != nil {
		return errf(CodeDocumentExists, "ref", "purchase order %s exists (event %d)", old.Number, old.CreatedSeq)
	}
	parts := map[string]*Part{}
	for i, l := range ev.Order.Lines {
		f := poLineField(i)
		p, ok := parts[l.SKU]
		if !ok {
			if p, err = getPart(v, l.SKU); err != nil {
				return err
			}
			if p == nil {
				return errf(CodeUnknownPart, f+".sku", "no part %q", l.SKU)
			}
			parts[l.SKU] = p
		}
		if l.Lot != "" && p.Tracking != TrackLot {
			return errf(CodeTracking, f+".lot", "%s is not lot-tracked: an order line cannot expect a lot", l.SKU)
		}
	}
	return v.setJSON(poKey(ev.Order.Number), newPOState(ev))
}

func closePO(v *view, ev *Event) error {
	st, err := getPO(v, ev.Ref)
	if err != nil {
		return err
	}
	if st == nil {
		return errf(CodeNotFound, "ref", "no purchase order %q", ev.Ref)
	}
	if st.Status == POClosed {
		return errf(CodeDocumentClosed, "ref", "purchase order %s was closed by event %d", st.Number, st.ClosedSeq)
	}
	rep := st.close(ev)
	ev.Report = &rep
	return v.setJSON(poKey(st.Number), st)
}

// receiveOnPO holds a receipt whose ref names a purchase order to that
// order, line by line: the order is open, the part is on it, the lot is one
// the order accepts and has not expired by the day of the receipt, and the
// part's receipts stay within the order's tolerance. It runs after the line
// checks, so every lot the receipt names exists in v with its expiry. A ref
// that names no order is a free receipt and passes.
func receiveOnPO(v *view, ev *Event) error {
	st, err := getPO(v, ev.Ref)
	if err != nil || st == nil {
		return err
	}
	if st.Status == POClosed {
		return errf(CodeDocumentClosed, "ref", "purchase order %s was closed by event %d", st.Number, st.ClosedSeq)
	}
	day := ev.At.UTC().Format(time.DateOnly)
	for i, l := range ev.Lines {
		f := lineField(i)
		idx, code := st.eligible(l.SKU, l.Lot)
		switch code {
		case CodeNotOnOrder:
			return errf(code, f+".sku", "%s is not on purchase order %s", l.SKU, st.Number)
		case CodeWrongLot:
			return errf(code, f+".lot", "purchase order %s expects another lot of %s than %s", st.Number, l.SKU, orNone(l.Lot))
		}
		if l.Lot != "" {
			var lot Lot
			if _, err := v.getJSON(join(pLot, l.SKU, l.Lot), &lot); err != nil {
				return err
			}
			// YYYY-MM-DD compares as text in date order.
			if lot.Expiry != "" && lot.Expiry < day {
				return errf(CodeLotExpired, f+".lot", "lot %s of %s expired on %s", l.Lot, l.SKU, lot.Expiry)
			}
		}
		st.allocate(idx, l.Qty)
		if over, got, limit := st.overTolerance(l.SKU); over {
			return errf(CodeOverTolerance, f+".qty", "%d of %s would be received on %s; ordered plus %d%% tolerance is %d",
				got, l.SKU, st.Number, st.TolerancePct, limit)
		}
	}
	return v.setJSON(poKey(st.Number), st)
}
