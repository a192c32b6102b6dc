package hq

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// The planner's charts: a part's stock and demand over time, and each
// depot's fill rate and stock-outs. Both are read from what HQ already
// keeps (every depot's events, the issues per day and the location kinds)
// when asked, not kept as running figures: a chart is asked for rarely,
// and a figure derived on demand cannot drift from the log it comes from.
//
// Stock in a chart is what a depot holds to give: on hand and available
// (on hand less reserved) in its stock and van locations, as the global
// view counts them. Quarantine, defective and transit stock are not in it.

// Chart windows, in days.
const (
	DefaultChartDays = 90
	// MaxChartDays is a leap year: a chart reads every event of the window
	// back from the newest, so the window is bounded.
	MaxChartDays = 366
)

// ChartPoint is one day of a part at a depot (or all depots): on hand and
// available at the end of the day, and the quantity issued that day.
type ChartPoint struct {
	Day       string `json:"day"`
	OnHand    int64  `json:"onHand"`
	Available int64  `json:"available"`
	Demand    int64  `json:"demand"`
}

// DepotHistory is a part's daily points at one depot.
type DepotHistory struct {
	Depot  string       `json:"depot"`
	Points []ChartPoint `json:"points"`
}

// PartHistory is a part's stock and demand over the window, per depot that
// defined it and the sum over them (Total), one point per day from From
// to To (HQ's clock, UTC days) inclusive.
type PartHistory struct {
	SKU    string         `json:"sku"`
	From   string         `json:"from"`
	To     string         `json:"to"`
	Depots []DepotHistory `json:"depots"`
	Total  []ChartPoint   `json:"total"`
}

// chartDays is the window of n days ending today on HQ's clock.
func (h *HQ) chartDays(n int) ([]string, error) {
	if n == 0 {
		n = DefaultChartDays
	}
	if n < 1 || n > MaxChartDays {
		return nil, invalid("days", "must be between 1 and %d", MaxChartDays)
	}
	today := h.now().UTC()
	days := make([]string, n)
	for i := range days {
		days[i] = today.AddDate(0, 0, i-n+1).Format(time.DateOnly)
	}
	return days, nil
}

// errStop ends an eachEventBack walk early without an error.
var errStop = errors.New("stop")

// eachEventBack calls fn with depot's events from the newest back to the
// first one stamped on day start (UTC), newest first. Events' times come
// from the depot's hybrid logical clock, which never goes backwards, so
// the first event before start ends the walk.
func eachEventBack(txn *badger.Txn, depot, start string, fn func(*inventory.Event) error) error {
	prefix := eventPrefix(depot)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, Reverse: true, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Seek(eventKey(depot, math.MaxUint64)); it.Valid(); it.Next() {
		var ev inventory.Event
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &ev) }); err != nil {
			return fmt.Errorf("decode event %q: %w", it.Item().Key(), err)
		}
		if ev.At.UTC().Format(time.DateOnly) < start {
			return nil
		}
		if err := fn(&ev); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// holding is a part's on hand and reserved in stock and van locations.
type holding struct{ onHand, reserved int64 }

func (x holding) available() int64 { return x.onHand - x.reserved }

// holdingChanges is what ev changed of each part's stock and van holdings at
// depot (only sku's when sku is set).
func (r *stockReader) holdingChanges(depot, sku string, ev *inventory.Event) (map[string]holding, error) {
	var out map[string]holding
	for _, c := range inventory.BalanceChanges(ev) {
		if sku != "" && c.SKU != sku {
			continue
		}
		kind, err := r.kind(depot, c.Location)
		if err != nil {
			return nil, err
		}
		if kind != inventory.KindStock && kind != inventory.KindVan {
			continue
		}
		if out == nil {
			out = map[string]holding{}
		}
		x := out[c.SKU]
		x.onHand += c.OnHand
		x.reserved += c.Reserved
		out[c.SKU] = x
	}
	return out, nil
}

// holdingNow is every part's (or sku's) current stock and van holdings at
// depot.
func (r *stockReader) holdingNow(depot, sku string) (map[string]holding, error) {
	prefix := sub(prefixBalance, depot)
	if sku != "" {
		prefix = sub(prefixBalance, depot, sku)
	}
	out := map[string]holding{}
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		b, err := balanceOf(it.Item())
		if err != nil {
			return nil, err
		}
		kind, err := r.kind(depot, b.Location)
		if err != nil {
			return nil, err
		}
		if kind == inventory.KindStock || kind == inventory.KindVan {
			x := out[b.SKU]
			x.onHand += b.OnHand
			x.reserved += b.Reserved
			out[b.SKU] = x
		}
	}
	return out, nil
}

// issuedPerDay is what depot issued of sku per day from day start on.
func issuedPerDay(txn *badger.Txn, depot, sku, start string) (map[string]int64, error) {
	prefix := sub(prefixDepotDoc, depot, tableIssues, sku)
	out := map[string]int64{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
	defer it.Close()
	for it.Seek(append(bytes.Clone(prefix), start...)); it.Valid(); it.Next() {
		var q []int64
		err := it.Item().Value(func(v []byte) error {
			var err error
			q, err = decodeVarints(v, 1)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("issues %q: %w", it.Item().Key(), err)
		}
		out[string(it.Item().Key()[len(prefix):])] = q[0]
	}
	return out, nil
}

// partDepots lists the depots that defined sku (its P rows), by id.
func partDepots(txn *badger.Txn, sku string) ([]string, error) {
	var out []string
	err := eachPart(txn, sku, "", func(_ string, depots []string, _ []partDepot) (bool, error) {
		out = depots
		return false, nil
	})
	return out, err
}

// PartHistory is sku's stock and demand per day over the last days days
// (DefaultChartDays when 0), at every depot that defined the part or at
// depot alone. The end of each day is rebuilt from the depot's current
// balances by taking back, newest first, what each later event changed:
// the depot's own balance rules (inventory.BalanceChanges), so the last
// point is exactly the global view's figure. Demand is the quantity
// issued that day, as planning counts it.
func (h *HQ) PartHistory(sku string, days int, depot string) (PartHistory, error) {
	window, err := h.chartDays(days)
	if err != nil {
		return PartHistory{}, err
	}
	if sku == "" {
		return PartHistory{}, invalid("sku", "is required")
	}
	if depot != "" {
		if _, ok := h.Depot(depot); !ok {
			return PartHistory{}, fmt.Errorf("%w %q", ErrUnknownDepot, depot)
		}
	}
	out := PartHistory{SKU: sku, From: window[0], To: window[len(window)-1], Depots: []DepotHistory{},
		Total: make([]ChartPoint, len(window))}
	for i, d := range window {
		out.Total[i].Day = d
	}
	err = h.db.View(func(txn *badger.Txn) error {
		depots, err := partDepots(txn, sku)
		if err != nil {
			return err
		}
		if len(depots) == 0 {
			return notFound("sku", "no part %q", sku)
		}
		r := newStockReader(txn)
		for _, d := range depots {
			if depot != "" && d != depot {
				continue
			}
			pts, err := r.dailyHolding(d, sku, window)
			if err != nil {
				return err
			}
			issued, err := issuedPerDay(txn, d, sku, window[0])
			if err != nil {
				return err
			}
			for i := range pts {
				pts[i].Demand = issued[pts[i].Day]
				out.Total[i].OnHand += pts[i].OnHand
				out.Total[i].Available += pts[i].Available
				out.Total[i].Demand += pts[i].Demand
			}
			out.Depots = append(out.Depots, DepotHistory{Depot: d, Points: pts})
		}
		return nil
	})
	if err != nil {
		return PartHistory{}, fmt.Errorf("history of %s: %w", sku, err)
	}
	return out, nil
}

// dailyHolding is sku's stock and van holdings at depot at the end of each
// day of window.
func (r *stockReader) dailyHolding(depot, sku string, window []string) ([]ChartPoint, error) {
	now, err := r.holdingNow(depot, sku)
	if err != nil {
		return nil, err
	}
	cur := now[sku]
	pts := make([]ChartPoint, len(window))
	i := len(window) - 1
	record := func(day string) {
		// Walking back, cur is the holding after every event newer than
		// the one of day at hand, and so after every event of a later day
		// (clock order): the end of day and of each later day still
		// unrecorded.
		for ; i >= 0 && window[i] >= day; i-- {
			pts[i] = ChartPoint{Day: window[i], OnHand: cur.onHand, Available: cur.available()}
		}
	}
	err = eachEventBack(r.txn, depot, window[0], func(ev *inventory.Event) error {
		record(ev.At.UTC().Format(time.DateOnly))
		ch, err := r.holdingChanges(depot, sku, ev)
		if err != nil {
			return err
		}
		cur.onHand -= ch[sku].onHand
		cur.reserved -= ch[sku].reserved
		return nil
	})
	if err != nil {
		return nil, err
	}
	record("")
	return pts, nil
}

// FillFigures are a depot's (or all depots') service figures over a
// window:
//
//   - DemandLines: the work-order lines opened in the window (the lines of
//     its wo-created events). A work order is how demand reaches a depot's
//     store; an issue without one is never refused for lack of stock
//     without a trace (the store writes nothing then), so counting those
//     would only flatter the rate.
//   - FilledLines: those of them filled from stock at first request: the
//     store reserved the line's whole quantity from the depot's stock when
//     the order was created, so the engineer did not wait for parts.
//   - FillRate: FilledLines / DemandLines (absent without demand lines).
//   - StockOuts: how many times a stocked part (one the depot holds a
//     reorder policy for: a part it means to keep) had its depot-wide
//     available stock, stock and van locations together, fall from above
//     zero to zero (or below) in the window. A part already out when the
//     window starts is not counted again.
//   - StockOutDays: part-days in the window on which a stocked part was
//     out of stock at some moment: out at the start of the day, or brought
//     to zero by an event of the day.
//
// A part counts as stocked from its depot's first reorder policy for it
// on: a policy set within the window starts it there (unless the part had
// one before), so the days before the depot meant to keep the part are
// not its stock-outs.
type FillFigures struct {
	DemandLines  int      `json:"demandLines"`
	FilledLines  int      `json:"filledLines"`
	FillRate     *float64 `json:"fillRate,omitempty"`
	StockOuts    int      `json:"stockOuts"`
	StockOutDays int      `json:"stockOutDays"`
}

func (f *FillFigures) add(o FillFigures) {
	f.DemandLines += o.DemandLines
	f.FilledLines += o.FilledLines
	f.StockOuts += o.StockOuts
	f.StockOutDays += o.StockOutDays
}

func (f *FillFigures) rate() {
	f.FillRate = nil
	if f.DemandLines > 0 {
		r := float64(f.FilledLines) / float64(f.DemandLines)
		f.FillRate = &r
	}
}

// DepotFill is one depot's figures; StockedParts is how many parts it
// holds a reorder policy for.
type DepotFill struct {
	Depot string `json:"depot"`
	FillFigures
	StockedParts int `json:"stockedParts"`
}

// FillReport is every depot's fill rate and stock-outs over the window
// from From to To (HQ's clock, UTC days, inclusive), and all depots
// together.
type FillReport struct {
	From   string      `json:"from"`
	To     string      `json:"to"`
	Depots []DepotFill `json:"depots"`
	Total  FillFigures `json:"total"`
}

// FillRates computes the fill rate and stock-outs of every depot HQ holds
// events of over the last days days (DefaultChartDays when 0).
func (h *HQ) FillRates(days int) (FillReport, error) {
	window, err := h.chartDays(days)
	if err != nil {
		return FillReport{}, err
	}
	out := FillReport{From: window[0], To: window[len(window)-1], Depots: []DepotFill{}}
	err = h.db.View(func(txn *badger.Txn) error {
		stocked, err := stockedParts(txn)
		if err != nil {
			return err
		}
		r := newStockReader(txn)
		for _, d := range h.Depots() {
			f, err := r.depotFill(d.Depot, stocked[d.Depot], window)
			if err != nil {
				return err
			}
			out.Depots = append(out.Depots, f)
			out.Total.add(f.FillFigures)
		}
		return nil
	})
	if err != nil {
		return FillReport{}, fmt.Errorf("fill rates: %w", err)
	}
	out.Total.rate()
	return out, nil
}

// stockedParts is, per depot, the parts it holds a reorder policy for.
func stockedParts(txn *badger.Txn) (map[string]map[string]bool, error) {
	out := map[string]map[string]bool{}
	err := eachPart(txn, "", "", func(sku string, depots []string, pds []partDepot) (bool, error) {
		for i, d := range depots {
			if pds[i].Policy == nil {
				continue
			}
			if out[d] == nil {
				out[d] = map[string]bool{}
			}
			out[d][sku] = true
		}
		return true, nil
	})
	return out, err
}

// windowEvent is what the fill figures need of one event in the window.
type windowEvent struct {
	day     int
	changes map[string]holding // stocked parts only
	wo      *inventory.Event
	policy  string // the part a reorder-policy-set is for
}

// depotFill walks the window's events back to its start, takes their
// changes off the current holdings to find the holdings at the start,
// then replays the window forwards.
func (r *stockReader) depotFill(depot string, stocked map[string]bool, window []string) (DepotFill, error) {
	f := DepotFill{Depot: depot, StockedParts: len(stocked)}
	cur, err := r.holdingNow(depot, "")
	if err != nil {
		return f, err
	}
	dayIndex := make(map[string]int, len(window))
	for i, d := range window {
		dayIndex[d] = i
	}
	var evs []windowEvent
	firstPolicy := map[string]uint64{}
	err = eachEventBack(r.txn, depot, window[0], func(ev *inventory.Event) error {
		ch, err := r.holdingChanges(depot, "", ev)
		if err != nil {
			return err
		}
		we := windowEvent{day: len(window)}
		if i, ok := dayIndex[ev.At.UTC().Format(time.DateOnly)]; ok {
			we.day = i
		}
		for sku, c := range ch {
			x := cur[sku]
			x.onHand -= c.onHand
			x.reserved -= c.reserved
			cur[sku] = x
			if !stocked[sku] {
				delete(ch, sku)
			}
		}
		if len(ch) > 0 {
			we.changes = ch
		}
		if ev.Type == inventory.EvWOCreated && ev.WorkOrder != nil && we.day < len(window) {
			we.wo = ev
		}
		if ev.Type == inventory.EvReorderPolicySet && ev.Policy != nil && stocked[ev.Policy.SKU] {
			we.policy = ev.Policy.SKU
			firstPolicy[ev.Policy.SKU] = ev.Seq // walking back: the earliest in the window wins
		}
		if we.changes != nil || we.wo != nil || we.policy != "" {
			evs = append(evs, we)
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	// A part is stocked from the start of the window when its policy is
	// older than the window: no policy event of it in the window, or the
	// earliest one replaced a policy (its undo record holds the part's
	// figures before it).
	active := map[string]bool{}
	for sku := range stocked {
		seq, ok := firstPolicy[sku]
		if !ok {
			active[sku] = true
			continue
		}
		if active[sku], err = r.hadPolicy(depot, sku, seq); err != nil {
			return f, err
		}
	}
	next := len(evs) - 1 // evs is newest first
	for day := range window {
		out := map[string]bool{}
		for sku, on := range active {
			if on && cur[sku].available() <= 0 {
				out[sku] = true
			}
		}
		for ; next >= 0 && evs[next].day == day; next-- {
			we := evs[next]
			for sku, c := range we.changes {
				was := cur[sku].available()
				x := cur[sku]
				x.onHand += c.onHand
				x.reserved += c.reserved
				cur[sku] = x
				if active[sku] && x.available() <= 0 {
					out[sku] = true
					if was > 0 {
						f.StockOuts++
					}
				}
			}
			if sku := we.policy; sku != "" && !active[sku] {
				active[sku] = true
				if cur[sku].available() <= 0 {
					out[sku] = true
				}
			}
			if we.wo != nil {
				demand, filled := woFill(we.wo)
				f.DemandLines += demand
				f.FilledLines += filled
			}
		}
		f.StockOutDays += len(out)
	}
	f.rate()
	return f, nil
}

// hadPolicy reports whether depot held a reorder policy for sku before
// its event at seq: the part's row as the event's undo record kept it.
func (r *stockReader) hadPolicy(depot, sku string, seq uint64) (bool, error) {
	item, err := r.txn.Get(undoKey(depot, seq))
	if err != nil {
		return false, fmt.Errorf("undo record of %s/%d: %w", depot, seq, err)
	}
	var undo []undoEntry
	if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &undo) }); err != nil {
		return false, fmt.Errorf("undo record of %s/%d: %w", depot, seq, err)
	}
	k := key(prefixPart, sku, depot)
	for _, u := range undo {
		if !bytes.Equal(u.K, k) || u.Absent {
			continue
		}
		var pd partDepot
		if err := json.Unmarshal(u.V, &pd); err != nil {
			return false, fmt.Errorf("undo record of %s/%d: %w", depot, seq, err)
		}
		return pd.Policy != nil, nil
	}
	return false, nil
}

// woFill counts a wo-created event's lines and those the store reserved
// in full when it created the order (its reservation lines name their
// work-order line).
func woFill(ev *inventory.Event) (lines, filled int) {
	reserved := map[int]int64{}
	for _, l := range ev.Lines {
		reserved[l.WOLine] += l.Qty
	}
	for _, l := range ev.WorkOrder.Lines {
		lines++
		if reserved[l.Line] >= l.Qty {
			filled++
		}
	}
	return lines, filled
}
