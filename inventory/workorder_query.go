package inventory

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// WorkOrder returns a work order with what is reserved, issued, awaited and
// returned per line.
func (s *Store) WorkOrder(number string) (WorkOrderState, error) {
	return viewDoc[WorkOrderState](s, woKey(number), "work order", "no work order %q", number)
}

// WOFilter narrows WorkOrders. Empty fields match everything.
type WOFilter struct {
	Status   WOStatus
	Engineer string
}

func (f WOFilter) match(st *WorkOrderState) bool {
	return (f.Status == "" || f.Status == st.Status) && (f.Engineer == "" || f.Engineer == st.Engineer)
}

// WorkOrders lists orders matching f in number order; the page's After is
// an order number and its Limit counts matching orders.
func (s *Store) WorkOrders(f WOFilter, pg Page) ([]WorkOrderState, error) {
	out := []WorkOrderState{}
	err := s.eachWO(pg.After, func(st *WorkOrderState) bool {
		if f.match(st) {
			out = append(out, *st)
		}
		return len(out) < pg.limit()
	})
	return out, err
}

// eachWO visits orders in number order after the given number until fn
// returns false. Like purchase orders, a scan over all of them: a depot
// keeps thousands, not millions.
func (s *Store) eachWO(after string, fn func(st *WorkOrderState) bool) error {
	prefix := []byte{pWO}
	return s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		start := prefix
		if after != "" {
			start = append(woKey(after), 0)
		}
		for it.Seek(start); it.Valid(); it.Next() {
			var st WorkOrderState
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return fmt.Errorf("decode work order %q: %w", it.Item().Key()[1:], err)
			}
			if !fn(&st) {
				return nil
			}
		}
		return nil
	})
}

// WorkOrdersAwaiting lists the open work orders with a line of sku that
// waits for parts, in number order: whom to tell when the part arrives.
func (s *Store) WorkOrdersAwaiting(sku string) ([]WorkOrderState, error) {
	out := []WorkOrderState{}
	err := s.eachWO("", func(st *WorkOrderState) bool {
		if st.Status != WOOpen {
			return true
		}
		for _, l := range st.Lines {
			if l.SKU == sku && l.Awaiting > 0 {
				out = append(out, *st)
				break
			}
		}
		return true
	})
	return out, err
}

// ReturnMismatch is a defective return that did not match what its work
// order issued, for the supplier claim.
type ReturnMismatch struct {
	WorkOrder string `json:"workOrder"`
	Engineer  string `json:"engineer"`
	WOReturn
}

// ReturnMismatches lists every recorded mismatch, by work order number and
// then in log order.
func (s *Store) ReturnMismatches() ([]ReturnMismatch, error) {
	out := []ReturnMismatch{}
	err := s.eachWO("", func(st *WorkOrderState) bool {
		for _, r := range st.Returns {
			if r.Mismatch != "" {
				out = append(out, ReturnMismatch{WorkOrder: st.Number, Engineer: st.Engineer, WOReturn: r})
			}
		}
		return true
	})
	return out, err
}

// Substitute is a successor part offered for a line whose own part is out.
type Substitute struct {
	SKU       string `json:"sku"`
	Available int64  `json:"available"`
}

// Substitutes offers, for each open line still awaiting parts, the first
// part down its supersededBy chain that has available stock in stock bins
// or vans. Picking it against the line is allowed (the issue records it).
func (s *Store) Substitutes(st WorkOrderState) (map[int]Substitute, error) {
	out := map[int]Substitute{}
	if st.Status != WOOpen {
		return out, nil
	}
	for _, l := range st.Lines {
		if l.Awaiting == 0 {
			continue
		}
		cur := l.SKU
		for range maxSupersedeDepth {
			p, err := s.Part(cur)
			if CodeOf(err) == CodeNotFound || err == nil && p.SupersededBy == "" {
				break
			}
			if err != nil {
				return nil, err
			}
			cur = p.SupersededBy
			rows, err := s.pickable(cur, "")
			if err != nil {
				return nil, err
			}
			var avail int64
			for _, r := range rows {
				avail += r.Available
			}
			if avail > 0 {
				out[l.Line] = Substitute{SKU: cur, Available: avail}
				break
			}
		}
	}
	return out, nil
}

// pickRow is a balance row with where its location sits on the walk.
type pickRow struct {
	Balance
	zone string
	kind LocationKind
}

// pickable lists sku's rows with available stock in stock bins and vans,
// in bin walk order; lot, when set, narrows them to that lot.
func (s *Store) pickable(sku, lot string) ([]pickRow, error) {
	rows, err := s.Stock(StockFilter{SKU: sku, Lot: lot}, 100000)
	if err != nil {
		return nil, err
	}
	var out []pickRow
	for _, b := range rows {
		if b.Available <= 0 {
			continue
		}
		loc, err := s.Location(b.Location)
		if err != nil {
			return nil, err
		}
		if loc.Kind == KindStock || loc.Kind == KindVan {
			out = append(out, pickRow{b, loc.Zone, loc.Kind})
		}
	}
	slices.SortStableFunc(out, func(a, b pickRow) int {
		return walkCompare(a.kind, a.zone, a.Location, a.Lot, a.Serial, b.kind, b.zone, b.Location, b.Lot, b.Serial)
	})
	return out, nil
}

// walkCompare is the bin walk: stock bins before vans, then zone, then bin
// code in natural order, then lot and serial.
func walkCompare(ak LocationKind, az, al, alot, asn string, bk LocationKind, bz, bl, blot, bsn string) int {
	if ak != bk {
		if ak == KindStock {
			return -1
		}
		if bk == KindStock {
			return 1
		}
	}
	return cmp.Or(cmp.Compare(az, bz), naturalCompare(al, bl), naturalCompare(alot, blot), naturalCompare(asn, bsn))
}

// PickLine is one stop on a work order's pick walk.
type PickLine struct {
	Line     int      `json:"line"`
	SKU      string   `json:"sku"`
	Location string   `json:"location"`
	Zone     string   `json:"zone,omitempty"`
	Lot      string   `json:"lot,omitempty"`
	Expiry   string   `json:"expiry,omitempty"`
	Serials  []string `json:"serials,omitempty"`
	Qty      int64    `json:"qty"`
	Billing  string   `json:"billing"`
}

// PickAwaiting is a line that has less reserved than it still needs.
type PickAwaiting struct {
	Line       int         `json:"line"`
	SKU        string      `json:"sku"`
	Qty        int64       `json:"qty"`
	Substitute *Substitute `json:"substitute,omitempty"`
}

// PickList is what the engineer or storekeeper walks for a work order.
type PickList struct {
	WorkOrder string         `json:"workOrder"`
	Status    WOStatus       `json:"status"`
	Lines     []PickLine     `json:"lines"`
	Awaiting  []PickAwaiting `json:"awaiting"`
}

// PickList lists a work order's reserved stock in bin walk order, one stop
// per line, bin and lot (serials together), with lot expiry as a hint;
// and the lines waiting for parts, with a substitute when one is in stock.
func (s *Store) PickList(number string) (PickList, error) {
	st, err := s.WorkOrder(number)
	if err != nil {
		return PickList{}, err
	}
	pl := PickList{WorkOrder: st.Number, Status: st.Status, Lines: []PickLine{}, Awaiting: []PickAwaiting{}}
	type stop struct {
		PickLine
		kind LocationKind
	}
	var stops []stop
	idx := map[[3]string]int{}
	for _, l := range st.Lines {
		for _, r := range l.Reservations {
			k := [3]string{fmt.Sprint(l.Line), r.Location, r.Lot}
			if i, ok := idx[k]; ok {
				stops[i].Qty += r.Qty
				if r.Serial != "" {
					stops[i].Serials = append(stops[i].Serials, r.Serial)
				}
				continue
			}
			loc, err := s.Location(r.Location)
			if err != nil {
				return PickList{}, err
			}
			p := stop{PickLine: PickLine{Line: l.Line, SKU: l.SKU, Location: r.Location, Zone: loc.Zone, Lot: r.Lot,
				Qty: r.Qty, Billing: l.Billing}, kind: loc.Kind}
			if r.Serial != "" {
				p.Serials = []string{r.Serial}
			}
			if r.Lot != "" {
				if lot, err := s.Lot(l.SKU, r.Lot); err == nil {
					p.Expiry = lot.Expiry
				}
			}
			idx[k] = len(stops)
			stops = append(stops, p)
		}
	}
	slices.SortStableFunc(stops, func(a, b stop) int {
		return cmp.Or(walkCompare(a.kind, a.Zone, a.Location, a.Lot, "", b.kind, b.Zone, b.Location, b.Lot, ""),
			cmp.Compare(a.Line, b.Line))
	})
	for _, p := range stops {
		pl.Lines = append(pl.Lines, p.PickLine)
	}
	subs, err := s.Substitutes(st)
	if err != nil {
		return PickList{}, err
	}
	for _, l := range st.Lines {
		if l.Awaiting > 0 {
			a := PickAwaiting{Line: l.Line, SKU: l.SKU, Qty: l.Awaiting}
			if sub, ok := subs[l.Line]; ok {
				a.Substitute = &sub
			}
			pl.Awaiting = append(pl.Awaiting, a)
		}
	}
	return pl, nil
}

// PickRequest is one confirmed pick: a part, how many, and the serials or
// lot the scan carried.
type PickRequest struct {
	WorkOrder string   `json:"workOrder"`
	SKU       string   `json:"sku"`
	Qty       int64    `json:"qty"`
	Lot       string   `json:"lot,omitempty"`
	Serials   []string `json:"serials,omitempty"`
}

// PlanPick turns a pick into the issue command that books it: serials are
// taken from where they are (consuming the order's reservation when the
// serial is the reserved one; otherwise from available stock, and the store
// releases as much of the line's reservation); other parts from the order's
// reservations first and then from available stock in walk order. It reads
// a snapshot, and the store checks everything again when the command is
// appended, so a pick that raced another is refused, never double-booked.
func (s *Store) PlanPick(req PickRequest) (Command, error) {
	st, err := s.WorkOrder(req.WorkOrder)
	if err != nil {
		return Command{}, err
	}
	if st.Status != WOOpen {
		return Command{}, errf(CodeDocumentClosed, "workOrder", "work order %s was closed by event %d", st.Number, st.ClosedSeq)
	}
	if req.Qty <= 0 {
		req.Qty = int64(max(len(req.Serials), 1))
	}
	var lines []*WOLineState
	for i := range st.Lines {
		l := &st.Lines[i]
		ok := l.SKU == req.SKU
		if !ok {
			if ok, err = s.supersedesRead(l.SKU, req.SKU); err != nil {
				return Command{}, err
			}
		}
		if ok {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		return Command{}, errf(CodeNotOnWorkOrder, "sku", "%s is not on work order %s", req.SKU, st.Number)
	}
	cmd := Command{Type: EvIssue, Ref: st.Number}
	if len(req.Serials) > 0 {
		for _, sn := range req.Serials {
			rows, err := s.Stock(StockFilter{SKU: req.SKU, Serial: sn}, 1)
			if err != nil {
				return Command{}, err
			}
			if len(rows) == 0 {
				return Command{}, errf(CodeSerialNotHere, "serials", "serial %s of %s is not in the depot", sn, req.SKU)
			}
			b := rows[0]
			line := Line{SKU: req.SKU, Qty: 1, From: b.Location, Lot: b.Lot, Serials: []string{sn}}
			for _, wl := range lines {
				for _, r := range wl.Reservations {
					if r.Serial == sn && r.Location == b.Location && wl.SKU == req.SKU {
						line.FromReserved, line.WOLine = true, wl.Line
					}
				}
			}
			cmd.Lines = append(cmd.Lines, line)
		}
		return cmd, nil
	}
	left := req.Qty
	for _, wl := range lines {
		if wl.SKU != req.SKU {
			continue
		}
		for _, r := range wl.Reservations {
			if left == 0 || req.Lot != "" && r.Lot != req.Lot || r.Serial != "" {
				continue
			}
			q := min(left, r.Qty, wl.Qty-wl.Issued)
			if q <= 0 {
				continue
			}
			cmd.Lines = append(cmd.Lines, Line{SKU: req.SKU, Qty: q, From: r.Location, Lot: r.Lot, FromReserved: true, WOLine: wl.Line})
			wl.Issued += q
			left -= q
		}
	}
	if left > 0 {
		rows, err := s.pickable(req.SKU, req.Lot)
		if err != nil {
			return Command{}, err
		}
		for _, b := range rows {
			if left == 0 {
				break
			}
			q := min(left, b.Available)
			cmd.Lines = append(cmd.Lines, Line{SKU: req.SKU, Qty: q, From: b.Location, Lot: b.Lot})
			left -= q
		}
	}
	if left > 0 {
		return Command{}, errf(CodeInsufficientStock, "qty", "%d more of %s than the depot has available for work order %s", left, req.SKU, st.Number)
	}
	return cmd, nil
}

// supersedesRead is supersedes over committed state, for planning.
func (s *Store) supersedesRead(base, sku string) (bool, error) {
	cur := base
	for range maxSupersedeDepth {
		p, err := s.Part(cur)
		if CodeOf(err) == CodeNotFound {
			return false, nil
		}
		if err != nil || p.SupersededBy == "" {
			return false, err
		}
		if p.SupersededBy == sku {
			return true, nil
		}
		cur = p.SupersededBy
	}
	return false, nil
}

// IdempotentEvent returns the event an actor's idempotency key appended,
// if it appended one. Requests the store plans before appending (a pick)
// ask it first, since a second plan of the same request may differ.
func (s *Store) IdempotentEvent(actor, key string) (Event, bool, error) {
	var rec idemRecord
	ok, err := s.viewJSON(idemKey(actor, key), &rec)
	if err != nil || !ok {
		return Event{}, false, err
	}
	ev, err := s.Event(rec.Seq)
	if err != nil {
		return Event{}, false, fmt.Errorf("idempotency record points at event %d: %w", rec.Seq, err)
	}
	return ev, true, nil
}
