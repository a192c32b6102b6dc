package inventory

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
)

// Reminders are what the depot should act on now, derived from its
// documents whenever asked: parts that work orders wait for have arrived,
// transfers on their way are overdue, parts are at their reorder point.
// Being derived, a reminder goes away by itself when its cause does (the
// parts are picked, the transfer is received, the part is re-ordered), so
// there is nothing to dismiss and nothing to keep in step.

// ReminderKind names what a reminder is about.
type ReminderKind string

const (
	ReminderPartsArrived    ReminderKind = "parts-arrived"
	ReminderTransferOverdue ReminderKind = "transfer-overdue"
	ReminderReorderPoint    ReminderKind = "reorder-point"
	ReminderLotExpiring     ReminderKind = "lot-expiring"
	ReminderLotExpired      ReminderKind = "lot-expired"
)

// Reminder is one thing to act on.
type Reminder struct {
	Kind ReminderKind `json:"kind"`
	// Ref is the document to open: the work order, the transfer, or the
	// reorder signal's seq.
	Ref string `json:"ref"`
	SKU string `json:"sku,omitempty"`
	// Lot and Expiry name the lot of a lot-expiring or lot-expired
	// reminder and its expiry day (YYYY-MM-DD).
	Lot    string `json:"lot,omitempty"`
	Expiry string `json:"expiry,omitempty"`
	// Qty is how many: available for the waiting line (at most what it
	// awaits), short in transit, or suggested to order.
	Qty     int64  `json:"qty,omitempty"`
	Message string `json:"message"`
}

// Reminders lists every reminder: parts arrived, in work order number and
// line order; then overdue transfers in number order; then open reorder
// signals in the order they were raised; then lots expired or expiring
// within the store's ExpiryWindow, soonest first.
func (s *Store) Reminders() ([]Reminder, error) {
	out := []Reminder{}
	arrived, err := s.partsArrived()
	if err != nil {
		return nil, err
	}
	out = append(out, arrived...)
	overdue, err := s.Transfers(TransferFilter{Overdue: true}, Page{Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("overdue transfers: %w", err)
	}
	for _, t := range overdue {
		var left int64
		for _, l := range t.Report.Lines {
			left += l.Short
		}
		out = append(out, Reminder{Kind: ReminderTransferOverdue, Ref: t.Number, Qty: left,
			Message: fmt.Sprintf("transfer %s from %s was expected on %s and is not received", t.Number, t.From, t.Expected)})
	}
	signals, err := s.ReorderSignals(SignalFilter{Status: "open", Limit: 1000})
	if err != nil {
		return nil, fmt.Errorf("reorder signals: %w", err)
	}
	for _, r := range signals {
		sg := r.Signal
		out = append(out, Reminder{Kind: ReminderReorderPoint, Ref: strconv.FormatUint(r.Seq, 10), SKU: sg.SKU, Qty: sg.SuggestedQty,
			Message: fmt.Sprintf("%s is at %d, its reorder point is %d: order %d", sg.SKU, sg.Position.Total, sg.ReorderPoint, sg.SuggestedQty)})
	}
	expiring, err := s.lotsExpiring()
	if err != nil {
		return nil, err
	}
	out = append(out, expiring...)
	return out, nil
}

// partsArrived finds the open work order lines that wait for parts the
// depot now has available: stock that came in after the order was made
// (a receipt, a transfer, a return) and nobody has reserved. Earlier lines
// have the first claim on it, as picks would take it.
func (s *Store) partsArrived() ([]Reminder, error) {
	type waiting struct {
		wo   string
		line WOLineState
	}
	var lines []waiting
	skus := map[string]bool{}
	err := s.eachWO("", func(st *WorkOrderState) bool {
		if st.Status != WOOpen {
			return true
		}
		for _, l := range st.Lines {
			if l.Awaiting > 0 {
				lines = append(lines, waiting{st.Number, l})
				skus[l.SKU] = true
			}
		}
		return true
	})
	if err != nil || len(lines) == 0 {
		return nil, err
	}
	pos, err := s.Positions(slices.Sorted(maps.Keys(skus)))
	if err != nil {
		return nil, err
	}
	left := map[string]int64{}
	for sku, p := range pos {
		left[sku] = p.Available
	}
	var out []Reminder
	for _, w := range lines {
		n := min(w.line.Awaiting, left[w.line.SKU])
		if n <= 0 {
			continue
		}
		left[w.line.SKU] -= n
		out = append(out, Reminder{Kind: ReminderPartsArrived, Ref: w.wo, SKU: w.line.SKU, Qty: n,
			Message: fmt.Sprintf("work order %s line %d waits for %d × %s: %d arrived and can be picked", w.wo, w.line.Line, w.line.Awaiting, w.line.SKU, n)})
	}
	return out, nil
}
