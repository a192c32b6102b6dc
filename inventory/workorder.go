package inventory

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Work orders are documents in the event log, like purchase orders.
// wo-created opens one and reserves its stock in the same event: the store
// chooses the bins and writes the reservation lines onto the event, so the
// log alone replays them. Issues whose ref names the order pick against its
// lines, returns whose ref names it come back against what it issued, and
// wo-closed releases what is still reserved, again in its own lines. The
// order's running state is derived from the log under pWO and Verify
// rebuilds it with the very functions below.

// Billing says who pays for a work order line's parts.
const (
	BillingChargeable = "chargeable"
	BillingWarranty   = "warranty"
)

// WOStatus is where a work order is in its life.
type WOStatus string

const (
	WOOpen   WOStatus = "open"
	WOClosed WOStatus = "closed"
)

// Mismatch reasons a defective return records when it does not match what
// the work order issued. The return is booked all the same: the part is
// physically in the defective store and the supplier claim must say so.
const (
	MismatchSerial   = "serial_not_issued" // the serial was not issued on the work order
	MismatchPart     = "part_not_issued"   // the part was not issued on the work order at all
	MismatchQuantity = "more_than_issued"  // more units than the order issued and had not had back
)

// maxSupersedeDepth bounds how far a supersededBy chain is followed, so a
// cycle in the catalogue cannot hang a pick.
const maxSupersedeDepth = 8

// WorkOrder is what a wo-created event carries.
type WorkOrder struct {
	// Number is the order's number; the event's ref carries it too.
	Number   string `json:"number"`
	Engineer string `json:"engineer"`
	// ServiceRequest and CustomerNote come from the service desk; both
	// are optional free text.
	ServiceRequest string   `json:"serviceRequest,omitempty"`
	CustomerNote   string   `json:"customerNote,omitempty"`
	Lines          []WOLine `json:"lines"`
}

// WOLine is one part the engineer needs.
type WOLine struct {
	Line    int    `json:"line"`
	SKU     string `json:"sku"`
	Qty     int64  `json:"qty"`
	Billing string `json:"billing"` // chargeable (default) or warranty
}

// WOReservation is stock held for a line: a balance row and how much of it.
type WOReservation struct {
	Location string `json:"location"`
	Lot      string `json:"lot,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Qty      int64  `json:"qty"`
}

// WOIssued is what a line issued of one part (its own or a successor) and
// how much of that came back.
type WOIssued struct {
	SKU             string   `json:"sku"`
	Qty             int64    `json:"qty"`
	Returned        int64    `json:"returned"`
	Serials         []string `json:"serials,omitempty"`
	ReturnedSerials []string `json:"returnedSerials,omitempty"`
}

// WOLineState is a line with what is reserved, issued and awaited for it.
type WOLineState struct {
	Line    int    `json:"line"`
	SKU     string `json:"sku"`
	Qty     int64  `json:"qty"`
	Billing string `json:"billing"`
	// Reserved is still held in bins; Issued has left with the engineer;
	// Awaiting is what neither covers while the order is open: the line
	// waits for parts.
	Reserved     int64           `json:"reserved"`
	Issued       int64           `json:"issued"`
	Awaiting     int64           `json:"awaiting"`
	Reservations []WOReservation `json:"reservations,omitempty"`
	Issues       []WOIssued      `json:"issues,omitempty"`
}

// WOReturn is one returned line as the order recorded it.
type WOReturn struct {
	Seq       uint64   `json:"seq"`
	Line      int      `json:"line,omitempty"` // 0 when it matches no line
	SKU       string   `json:"sku"`
	Qty       int64    `json:"qty"`
	Serials   []string `json:"serials,omitempty"`
	Condition string   `json:"condition"`
	To        string   `json:"to"`
	Billing   string   `json:"billing,omitempty"`
	Mismatch  string   `json:"mismatch,omitempty"`
}

// WorkOrderState is a work order as the log leaves it.
type WorkOrderState struct {
	Number         string        `json:"number"`
	Engineer       string        `json:"engineer"`
	ServiceRequest string        `json:"serviceRequest,omitempty"`
	CustomerNote   string        `json:"customerNote,omitempty"`
	Status         WOStatus      `json:"status"`
	CreatedSeq     uint64        `json:"createdSeq"`
	ClosedSeq      uint64        `json:"closedSeq,omitempty"`
	CloseReason    string        `json:"closeReason,omitempty"`
	Lines          []WOLineState `json:"lines"` // in line-number order
	Returns        []WOReturn    `json:"returns,omitempty"`
}

func woKey(number string) []byte { return join(pWO, number) }

func woLineField(i int) string { return "workOrder.lines[" + strconv.Itoa(i) + "]" }

// checkWOCreated validates a wo-created command without stored state; the
// number may be given as the ref, in the order, or both (then equal).
func (c *Command) checkWOCreated() error {
	if c.WorkOrder == nil {
		return errf(CodeInvalid, "workOrder", "is required for %s", c.Type)
	}
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil || c.Order != nil {
		return errf(CodeInvalid, "lines", "%s carries only a work order: the store chooses the reservations", c.Type)
	}
	o := *c.WorkOrder
	if err := c.checkDocNumber("workOrder.number", "work order", &o.Number, 0); err != nil {
		return err
	}
	if err := checkCode("workOrder.engineer", o.Engineer); err != nil {
		return err
	}
	if err := checkText("workOrder.serviceRequest", o.ServiceRequest); err != nil {
		return err
	}
	if err := checkText("workOrder.customerNote", o.CustomerNote); err != nil {
		return err
	}
	if err := checkDocLineCount("workOrder.lines", "work order", len(o.Lines)); err != nil {
		return err
	}
	o.Lines = slices.Clone(o.Lines)
	seen := make(map[int]bool, len(o.Lines))
	for i := range o.Lines {
		l := &o.Lines[i]
		f := woLineField(i)
		if err := checkDocLine(f, seen, l.Line, l.SKU, l.Qty); err != nil {
			return err
		}
		switch l.Billing {
		case "":
			l.Billing = BillingChargeable
		case BillingChargeable, BillingWarranty:
		default:
			return errf(CodeInvalid, f+".billing", "must be %q or %q", BillingChargeable, BillingWarranty)
		}
	}
	c.WorkOrder = &o
	return nil
}

func (c *Command) checkWOClosed() error {
	if c.Ref == "" {
		return errf(CodeInvalid, "ref", "%s must name the work order", c.Type)
	}
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil || c.Order != nil {
		return errf(CodeInvalid, "lines", "%s carries only the order's ref and a note: the store releases its reservations", c.Type)
	}
	return nil
}

// newWOState is the state a wo-created event opens: its order and the
// reservation lines the store wrote onto it. It depends on the event alone,
// so Verify rebuilds exactly what the store wrote; it refuses reservation
// lines that do not fit the order's lines.
func newWOState(ev *Event) (*WorkOrderState, error) {
	o := ev.WorkOrder
	st := &WorkOrderState{
		Number: o.Number, Engineer: o.Engineer, ServiceRequest: o.ServiceRequest, CustomerNote: o.CustomerNote,
		Status: WOOpen, CreatedSeq: ev.Seq, Lines: make([]WOLineState, 0, len(o.Lines)),
	}
	for _, l := range o.Lines {
		st.Lines = append(st.Lines, WOLineState{Line: l.Line, SKU: l.SKU, Qty: l.Qty, Billing: l.Billing})
	}
	slices.SortFunc(st.Lines, func(a, b WOLineState) int { return cmp.Compare(a.Line, b.Line) })
	for i, r := range ev.Lines {
		wl := st.line(r.WOLine)
		if wl == nil || wl.SKU != r.SKU || r.Location == "" {
			return nil, fmt.Errorf("reservation %d does not fit a line of work order %s", i, o.Number)
		}
		if len(r.Serials) == 0 {
			wl.Reservations = append(wl.Reservations, WOReservation{Location: r.Location, Lot: r.Lot, Qty: r.Qty})
		}
		for _, sn := range r.Serials {
			wl.Reservations = append(wl.Reservations, WOReservation{Location: r.Location, Lot: r.Lot, Serial: sn, Qty: 1})
		}
		wl.Reserved += r.Qty
		if wl.Reserved > wl.Qty {
			return nil, fmt.Errorf("line %d of work order %s reserves %d of %d", wl.Line, o.Number, wl.Reserved, wl.Qty)
		}
	}
	st.settle()
	return st, nil
}

func (st *WorkOrderState) line(n int) *WOLineState {
	for i := range st.Lines {
		if st.Lines[i].Line == n {
			return &st.Lines[i]
		}
	}
	return nil
}

// settle recomputes what each line awaits: nothing once the order is closed.
func (st *WorkOrderState) settle() {
	for i := range st.Lines {
		l := &st.Lines[i]
		l.Awaiting = 0
		if st.Status == WOOpen {
			l.Awaiting = max(l.Qty-l.Issued-l.Reserved, 0)
		}
	}
}

// successors says whether sku is in the supersededBy chain that starts at
// base (base itself excluded). The store answers from the catalogue;
// Verify, replaying lines the store already matched, answers true.
type successors func(base, sku string) (bool, error)

// lineFor picks the line an issued line counts against: the one it names,
// else the first line of that part with something left to issue, else the
// first line of that part, else the first line whose part it supersedes.
func (st *WorkOrderState) lineFor(l *Line, succ successors) (*WOLineState, error) {
	matches := func(wl *WOLineState) (bool, error) {
		if wl.SKU == l.SKU {
			return true, nil
		}
		return succ(wl.SKU, l.SKU)
	}
	if l.WOLine != 0 {
		wl := st.line(l.WOLine)
		if wl == nil {
			return nil, nil
		}
		ok, err := matches(wl)
		if !ok || err != nil {
			return nil, err
		}
		return wl, nil
	}
	var first *WOLineState
	for i := range st.Lines {
		wl := &st.Lines[i]
		if wl.SKU != l.SKU {
			continue
		}
		if wl.Issued < wl.Qty {
			return wl, nil
		}
		if first == nil {
			first = wl
		}
	}
	if first != nil {
		return first, nil
	}
	var sub *WOLineState
	for i := range st.Lines {
		wl := &st.Lines[i]
		ok, err := succ(wl.SKU, l.SKU)
		if err != nil {
			return nil, err
		}
		if ok && wl.Issued < wl.Qty {
			return wl, nil
		}
		if ok && sub == nil {
			sub = wl
		}
	}
	return sub, nil
}

// issue books one issue event against the order: each line goes to a work
// order line (WOLine and Billing are written onto the event), may not take
// the line beyond its quantity, and either consumes the line's own
// reservation (FromReserved) or, when the stock comes from elsewhere (a
// serial other than the reserved one, another bin), releases as much of the
// line's reservation as it issued: the reserved quantity moves with the
// pick, and the releases go onto the event as Released. It changes st and
// ev only when it returns nil.
func (st *WorkOrderState) issue(ev *Event, succ successors) error {
	if st.Status == WOClosed {
		return errf(CodeDocumentClosed, "ref", "work order %s was closed by event %d", st.Number, st.ClosedSeq)
	}
	lines := slices.Clone(ev.Lines)
	var released []Line
	for i := range lines {
		l := &lines[i]
		f := lineField(i)
		wl, err := st.lineFor(l, succ)
		if err != nil {
			return err
		}
		if wl == nil {
			return errf(CodeNotOnWorkOrder, f+".sku", "%s is not on work order %s", l.SKU, st.Number)
		}
		if wl.Issued+l.Qty > wl.Qty {
			return errf(CodeOverPick, f+".qty", "line %d of work order %s asks for %d of %s; %d issued, %d more is too many",
				wl.Line, st.Number, wl.Qty, wl.SKU, wl.Issued, l.Qty)
		}
		if l.FromReserved {
			if err := wl.consume(l, f, st.Number); err != nil {
				return err
			}
		} else if rel := wl.release(l.Qty); len(rel) > 0 {
			released = append(released, rel...)
		}
		wl.Issued += l.Qty
		wl.addIssued(l.SKU, l.Qty, l.Serials)
		l.WOLine, l.Billing = wl.Line, wl.Billing
	}
	st.settle()
	ev.Lines, ev.Released = lines, released
	return nil
}

// consume takes an issued line out of the line's reservations at exactly
// the place, lot and serials it names.
func (wl *WOLineState) consume(l *Line, f, number string) error {
	if l.SKU != wl.SKU {
		return errf(CodeInsufficientReserve, f+".fromReserved", "%s is not reserved for work order %s: it substitutes %s", l.SKU, number, wl.SKU)
	}
	take := func(serial string, q int64) bool {
		for j := range wl.Reservations {
			r := &wl.Reservations[j]
			if r.Location == l.From && r.Lot == l.Lot && r.Serial == serial && r.Qty >= q {
				r.Qty -= q
				if r.Qty == 0 {
					wl.Reservations = slices.Delete(wl.Reservations, j, j+1)
				}
				return true
			}
		}
		return false
	}
	if len(l.Serials) == 0 {
		if !take("", l.Qty) {
			return errf(CodeInsufficientReserve, f+".qty", "work order %s line %d has less than %d of %s reserved at %s", number, wl.Line, l.Qty, l.SKU, l.From)
		}
	}
	for _, sn := range l.Serials {
		if !take(sn, 1) {
			return errf(CodeInsufficientReserve, f+".serials", "serial %s of %s is not reserved for work order %s at %s", sn, l.SKU, number, l.From)
		}
	}
	wl.Reserved -= l.Qty
	return nil
}

// release lets go of up to n of the line's reservations, in pick-list
// order, and returns them as unreserve lines.
func (wl *WOLineState) release(n int64) []Line {
	var out []Line
	for n > 0 && len(wl.Reservations) > 0 {
		r := &wl.Reservations[0]
		q := min(n, r.Qty)
		rl := Line{SKU: wl.SKU, Qty: q, Location: r.Location, Lot: r.Lot, WOLine: wl.Line}
		if r.Serial != "" {
			rl.Serials = []string{r.Serial}
		}
		out = append(out, rl)
		r.Qty -= q
		n -= q
		wl.Reserved -= q
		if r.Qty == 0 {
			wl.Reservations = wl.Reservations[1:]
		}
	}
	if len(wl.Reservations) == 0 {
		wl.Reservations = nil
	}
	return out
}

func (wl *WOLineState) addIssued(sku string, q int64, serials []string) {
	for j := range wl.Issues {
		if wl.Issues[j].SKU == sku {
			wl.Issues[j].Qty += q
			wl.Issues[j].Serials = append(wl.Issues[j].Serials, serials...)
			return
		}
	}
	wl.Issues = append(wl.Issues, WOIssued{SKU: sku, Qty: q, Serials: slices.Clone(serials)})
}

// takeBack counts a returned line against what lines issued of its part:
// serials must be ones issued and not yet back; other parts by quantity.
// It returns the line it counted against (0 when none), and for serials and
// units it could not match, why.
func (st *WorkOrderState) takeBack(l *Line) (line int, mismatch string) {
	type slot struct {
		wl *WOLineState
		is *WOIssued
	}
	var slots []slot
	for i := range st.Lines {
		wl := &st.Lines[i]
		for j := range wl.Issues {
			if wl.Issues[j].SKU == l.SKU {
				slots = append(slots, slot{wl, &wl.Issues[j]})
			}
		}
	}
	if len(slots) == 0 {
		// Nothing of the part went out on this order; a line that asks for
		// it still says whose claim (chargeable or warranty) it is.
		for _, wl := range st.Lines {
			if wl.SKU == l.SKU {
				return wl.Line, MismatchPart
			}
		}
		return 0, MismatchPart
	}
	if len(l.Serials) > 0 {
		var missing []string
		for _, sn := range l.Serials {
			found := false
			for _, s := range slots {
				if slices.Contains(s.is.Serials, sn) && !slices.Contains(s.is.ReturnedSerials, sn) {
					s.is.ReturnedSerials = append(s.is.ReturnedSerials, sn)
					s.is.Returned++
					if line == 0 {
						line = s.wl.Line
					}
					found = true
					break
				}
			}
			if !found {
				missing = append(missing, sn)
			}
		}
		if line == 0 {
			line = slots[0].wl.Line
		}
		if len(missing) > 0 {
			return line, MismatchSerial + ": " + strings.Join(missing, ",")
		}
		return line, ""
	}
	left := l.Qty
	for _, s := range slots {
		if take := min(left, s.is.Qty-s.is.Returned); take > 0 {
			s.is.Returned += take
			left -= take
			if line == 0 {
				line = s.wl.Line
			}
		}
	}
	if line == 0 {
		line = slots[0].wl.Line
	}
	if left > 0 {
		return line, fmt.Sprintf("%s: %d", MismatchQuantity, left)
	}
	return line, ""
}

// giveBack books one return event against the order. A good return must
// match what the order issued and has not had back, else nothing is
// written (not_issued). A defective return is booked whatever it is, since
// the part is physically there; what does not match is recorded on the
// event line (Mismatch) and on the order for the supplier claim. Returns are
// taken on closed orders too: old parts come back after the job is done.
func (st *WorkOrderState) giveBack(ev *Event) error {
	lines := slices.Clone(ev.Lines)
	var recs []WOReturn
	for i := range lines {
		l := &lines[i]
		line, mm := st.takeBack(l)
		if mm != "" && l.Condition == ConditionGood {
			return errf(CodeNotIssued, lineField(i)+".sku", "work order %s did not issue this %s to take back (%s)", st.Number, l.SKU, mm)
		}
		l.WOLine, l.Mismatch = line, mm
		if wl := st.line(line); wl != nil {
			l.Billing = wl.Billing
		}
		recs = append(recs, WOReturn{Seq: ev.Seq, Line: line, SKU: l.SKU, Qty: l.Qty, Serials: slices.Clone(l.Serials),
			Condition: l.Condition, To: l.To, Billing: l.Billing, Mismatch: mm})
	}
	st.Returns = append(st.Returns, recs...)
	ev.Lines = lines
	return nil
}

// close ends the order and returns the unreserve lines for what it still
// held, in pick-list order, per line.
func (st *WorkOrderState) close(ev *Event) []Line {
	var out []Line
	for i := range st.Lines {
		wl := &st.Lines[i]
		out = append(out, wl.release(wl.Reserved)...)
	}
	st.Status, st.ClosedSeq, st.CloseReason = WOClosed, ev.Seq, ev.Note
	st.settle()
	return out
}

func getWO(v *view, number string) (*WorkOrderState, error) {
	var st WorkOrderState
	ok, err := v.getJSON(woKey(number), &st)
	if !ok || err != nil {
		return nil, err
	}
	return &st, nil
}

// createWO opens a work order and reserves its stock line by line: from
// stock bins, then van stock, each in bin walk order, available stock only,
// skipping expired lots. What cannot be reserved is what the line awaits.
func createWO(v *view, ev *Event) error {
	o := ev.WorkOrder
	old, err := getWO(v, o.Number)
	if err != nil {
		return err
	}
	if old != nil {
		return errf(CodeDocumentExists, "ref", "work order %s exists (event %d)", old.Number, old.CreatedSeq)
	}
	// Held counts what earlier lines of this order took, since the
	// reservations reach the balances only when the event is applied.
	held := map[balKey]int64{}
	day := ev.At.UTC().Format(time.DateOnly)
	var lines []Line
	for i, wl := range o.Lines {
		p, err := getPart(v, wl.SKU)
		if err != nil {
			return err
		}
		if p == nil {
			return errf(CodeUnknownPart, woLineField(i)+".sku", "no part %q", wl.SKU)
		}
		rows, err := reservable(v, wl.SKU, day)
		if err != nil {
			return err
		}
		need := wl.Qty
		for _, r := range rows {
			if need == 0 {
				break
			}
			q := min(need, r.avail-held[r.k])
			if q <= 0 {
				continue
			}
			held[r.k] += q
			need -= q
			rl := Line{SKU: wl.SKU, Qty: q, Location: r.k.Loc, Lot: r.k.Lot, WOLine: wl.Line}
			if r.k.Serial != "" {
				rl.Serials = []string{r.k.Serial}
			}
			lines = append(lines, rl)
		}
	}
	ev.Lines = lines
	st, err := newWOState(ev)
	if err != nil {
		return err
	}
	if err := v.setJSON(woKey(o.Number), st); err != nil {
		return err
	}
	if err := moveHolds(v, nil, st); err != nil {
		return err
	}
	return applyLines(v, ev)
}

func closeWO(v *view, ev *Event) error {
	st, err := getWO(v, ev.Ref)
	if err != nil {
		return err
	}
	if st == nil {
		return errf(CodeNotFound, "ref", "no work order %q", ev.Ref)
	}
	if st.Status == WOClosed {
		return errf(CodeDocumentClosed, "ref", "work order %s was closed by event %d", st.Number, st.ClosedSeq)
	}
	before := holdsOf(st)
	ev.Lines = st.close(ev)
	if err := v.setJSON(woKey(st.Number), st); err != nil {
		return err
	}
	if err := moveHolds(v, before, st); err != nil {
		return err
	}
	return applyLines(v, ev)
}

// applyLines stages the balance changes and serial history of lines the
// store wrote itself (reservations and their release).
func applyLines(v *view, ev *Event) error {
	for _, d := range deltas(ev) {
		if err := applyDelta(v, d); err != nil {
			return err
		}
	}
	for _, l := range ev.Lines {
		for _, sn := range l.Serials {
			v.set(serialHistKey(l.SKU, sn, ev.Seq), nil)
		}
	}
	return nil
}

// onWorkOrder holds an issue or return whose ref names a work order to it;
// any other ref passes as before work orders existed.
func onWorkOrder(v *view, ev *Event) error {
	st, err := getWO(v, ev.Ref)
	if err != nil || st == nil {
		return err
	}
	before := holdsOf(st)
	switch ev.Type {
	case EvIssue:
		err = st.issue(ev, func(base, sku string) (bool, error) { return supersedes(v, base, sku) })
	case EvReturn:
		err = st.giveBack(ev)
	}
	if err != nil {
		return err
	}
	if err := moveHolds(v, before, st); err != nil {
		return err
	}
	return v.setJSON(woKey(st.Number), st)
}

// supersedes follows base's supersededBy chain looking for sku.
func supersedes(v *view, base, sku string) (bool, error) {
	cur := base
	for range maxSupersedeDepth {
		p, err := getPart(v, cur)
		if err != nil || p == nil || p.SupersededBy == "" {
			return false, err
		}
		if p.SupersededBy == sku {
			return true, nil
		}
		cur = p.SupersededBy
	}
	return false, nil
}

type resRow struct {
	k     balKey
	avail int64
	zone  string
	kind  LocationKind
}

// reservable lists sku's balance rows that may be reserved, in the order a
// picker walks them: stock bins before vans, then zone, then bin code in
// natural order (A2 before A10), then lot and serial.
func reservable(v *view, sku, day string) ([]resRow, error) {
	prefix := append(join(pBalance, sku), 0)
	it := v.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	var keys []balKey
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, balKeyFrom(it.Item().KeyCopy(nil)))
	}
	it.Close()
	locs := map[string]*Location{}
	lots := map[string]bool{} // lot -> usable
	var out []resRow
	for _, k := range keys {
		loc, ok := locs[k.Loc]
		if !ok {
			var err error
			if loc, err = getLocation(v, k.Loc); err != nil {
				return nil, err
			}
			locs[k.Loc] = loc
		}
		if loc == nil || (loc.Kind != KindStock && loc.Kind != KindVan) {
			continue
		}
		if k.Lot != "" {
			usable, ok := lots[k.Lot]
			if !ok {
				var lot Lot
				if _, err := v.getJSON(join(pLot, sku, k.Lot), &lot); err != nil {
					return nil, err
				}
				usable = lot.Expiry == "" || lot.Expiry >= day
				lots[k.Lot] = usable
			}
			if !usable {
				continue
			}
		}
		raw, ok, err := v.get(k.key())
		if err != nil || !ok {
			return nil, err
		}
		q, good := decodeQty(raw)
		if !good {
			return nil, fmt.Errorf("corrupt balance %v", k)
		}
		if q.OnHand-q.Reserved > 0 {
			out = append(out, resRow{k: k, avail: q.OnHand - q.Reserved, zone: loc.Zone, kind: loc.Kind})
		}
	}
	slices.SortStableFunc(out, func(a, b resRow) int {
		if a.kind != b.kind {
			if a.kind == KindStock {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.zone, b.zone), naturalCompare(a.k.Loc, b.k.Loc),
			naturalCompare(a.k.Lot, b.k.Lot), naturalCompare(a.k.Serial, b.k.Serial))
	})
	return out, nil
}

// naturalCompare orders codes the way people read them: runs of digits by
// their value, so bin A-2 comes before A-10.
func naturalCompare(a, b string) int {
	// Codes equal but for leading zeros still get one order.
	return cmp.Or(naturalRuns(a, b), cmp.Compare(a, b))
}

func naturalRuns(a, b string) int {
	for a != "" && b != "" {
		da, db := digitRun(a), digitRun(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), cmp.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

func digitRun(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}
