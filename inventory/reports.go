package inventory

import (
	"errors"
	"math"
	"sort"
	"time"
)

// Reports read the log from its start and fold it into figures per part,
// so they answer for any period from the record itself, not from derived
// state that only knows today. Every report counts stock the way HQ's
// global view does: on hand, reserved and available in the depot's stock
// and van locations, the stock the depot can issue. Quarantine (not yet
// inspected), defective (old parts) and transit stock are not in it.
//
// Times are the events' own (the hybrid clock's wall time, which never
// goes backwards along the log), so a period [From, To) holds exactly the
// events whose At falls in it.

// Period is the half-open span [From, To) a report covers.
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

func (p Period) check() error {
	if !p.From.Before(p.To) {
		return errf(CodeInvalid, "from", "must be before to")
	}
	return nil
}

// Report defaults.
const (
	DefaultSlowDays = 90
	DefaultDeadDays = 365
)

// usableKind says whether stock in a location of kind k counts in the
// reports: the stock and van locations, as in HQ's view.
func usableKind(k LocationKind) bool { return k == KindStock || k == KindVan }

// level is one part's usable stock at a point of the replay.
type level struct{ onHand, reserved int64 }

func (l level) available() int64 { return l.onHand - l.reserved }

// replay walks the log in seq order and keeps each part's usable level
// and description. step is called with each event before its changes are
// applied (levels are as they were just before it); returning false ends
// the walk there.
type replay struct {
	kinds  map[string]LocationKind
	desc   map[string]string
	levels map[string]level
}

func (s *Store) replay(step func(ev *Event, r *replay) bool) (*replay, error) {
	r := &replay{kinds: map[string]LocationKind{}, desc: map[string]string{}, levels: map[string]level{}}
	err := s.EachEvent(0, func(ev *Event, _ []byte) error {
		if !step(ev, r) {
			return errStop
		}
		r.apply(ev)
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	}
	return r, err
}

// apply carries ev into the replay. Any event may define a location
// (location-defined, and the transit location of a transfer's approval or
// announcement); part-defined names a part's description.
func (r *replay) apply(ev *Event) {
	if ev.Location != nil {
		r.kinds[ev.Location.Code] = ev.Location.Kind
	}
	if ev.Part != nil {
		r.desc[ev.Part.SKU] = ev.Part.Description
	}
	for _, d := range deltas(ev) {
		if !usableKind(r.kinds[d.k.Loc]) {
			continue
		}
		l := r.levels[d.k.SKU]
		l.onHand += d.onHand
		l.reserved += d.reserved
		r.levels[d.k.SKU] = l
	}
}

// touched lists the parts whose usable level ev changes, each once.
func (r *replay) touched(ev *Event) []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range deltas(ev) {
		if usableKind(r.kinds[d.k.Loc]) && !seen[d.k.SKU] {
			seen[d.k.SKU] = true
			out = append(out, d.k.SKU)
		}
	}
	return out
}

// --- slow-moving and dead stock ---

// SlowMovingQuery asks for the parts on hand that have not been issued in
// SlowDays (slow) or have not moved at all in DeadDays (dead), as of Now.
type SlowMovingQuery struct {
	Now      time.Time
	SlowDays int
	DeadDays int
}

// Slow and dead are the statuses of SlowMovingRow.
const (
	StatusSlow = "slow"
	StatusDead = "dead"
)

// SlowMovingRow is one part on hand that is slow or dead. LastIssue is
// the last issue of the part (absent: never issued); LastMovement the
// last event that changed its on-hand quantity anywhere in the depot
// (receipt, move, issue, return, transfer, count adjustment, scrap;
// reservations move nothing). A part is dead when it has not moved in
// DeadDays; otherwise slow when it has not been issued in SlowDays,
// counted from its last issue or, never issued, from when it first came
// in, so a part received last week is not slow yet.
type SlowMovingRow struct {
	SKU          string     `json:"sku"`
	Description  string     `json:"description,omitempty"`
	OnHand       int64      `json:"onHand"`
	LastIssue    *time.Time `json:"lastIssue,omitempty"`
	LastMovement *time.Time `json:"lastMovement,omitempty"`
	Status       string     `json:"status"`
}

// SlowMovingReport is the answer: the query's figures and the rows, by SKU.
type SlowMovingReport struct {
	AsOf     time.Time       `json:"asOf"`
	SlowDays int             `json:"slowDays"`
	DeadDays int             `json:"deadDays"`
	Items    []SlowMovingRow `json:"items"`
}

// SlowMoving reports slow-moving and dead stock.
func (s *Store) SlowMoving(q SlowMovingQuery) (SlowMovingReport, error) {
	if q.Now.IsZero() {
		q.Now = s.opts.Clock.Now()
	}
	if q.SlowDays == 0 {
		q.SlowDays = DefaultSlowDays
	}
	if q.DeadDays == 0 {
		q.DeadDays = DefaultDeadDays
	}
	switch {
	case q.SlowDays < 1 || q.SlowDays > 36500:
		return SlowMovingReport{}, errf(CodeInvalid, "slowDays", "must be 1 to 36500 days")
	case q.DeadDays < q.SlowDays || q.DeadDays > 36500:
		return SlowMovingReport{}, errf(CodeInvalid, "deadDays", "must be %d (slowDays) to 36500 days", q.SlowDays)
	}
	type seen struct{ firstIn, lastIssue, lastMove time.Time }
	parts := map[string]*seen{}
	get := func(sku string) *seen {
		p := parts[sku]
		if p == nil {
			p = &seen{}
			parts[sku] = p
		}
		return p
	}
	r, err := s.replay(func(ev *Event, _ *replay) bool {
		if ev.At.After(q.Now) {
			return false
		}
		if ev.Type == EvIssue {
			for _, l := range ev.Lines {
				get(l.SKU).lastIssue = ev.At
			}
		}
		for _, d := range deltas(ev) {
			if d.onHand == 0 {
				continue
			}
			p := get(d.k.SKU)
			p.lastMove = ev.At
			if d.onHand > 0 && p.firstIn.IsZero() {
				p.firstIn = ev.At
			}
		}
		return true
	})
	if err != nil {
		return SlowMovingReport{}, err
	}
	rep := SlowMovingReport{AsOf: q.Now.UTC(), SlowDays: q.SlowDays, DeadDays: q.DeadDays, Items: []SlowMovingRow{}}
	slowBefore := q.Now.AddDate(0, 0, -q.SlowDays)
	deadBefore := q.Now.AddDate(0, 0, -q.DeadDays)
	for sku, l := range r.levels {
		p := parts[sku]
		if l.onHand <= 0 || p == nil {
			continue
		}
		row := SlowMovingRow{SKU: sku, Description: r.desc[sku], OnHand: l.onHand, LastIssue: timePtr(p.lastIssue), LastMovement: timePtr(p.lastMove)}
		since := p.lastIssue
		if since.IsZero() {
			since = p.firstIn
		}
		switch {
		case p.lastMove.Before(deadBefore):
			row.Status = StatusDead
		case since.Before(slowBefore):
			row.Status = StatusSlow
		default:
			continue
		}
		rep.Items = append(rep.Items, row)
	}
	sort.Slice(rep.Items, func(i, j int) bool { return rep.Items[i].SKU < rep.Items[j].SKU })
	return rep, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// --- consumption ---

// What consumption is grouped by.
const (
	ByWorkOrder = "work-order"
	ByEngineer  = "engineer"
	ByPart      = "part"
)

// ConsumptionRow is what one work order, engineer or part consumed in the
// period: issued minus returned in good condition. A defective return is
// the old part taken out of the machine, not an unused one coming back, so
// it does not undo the consumption of its replacement. Returns count for
// the engineer who took the issue they come back from (the last issue of
// that part on that work order), else for who returned them.
type ConsumptionRow struct {
	Key      string `json:"key"`
	Issued   int64  `json:"issued"`
	Returned int64  `json:"returned"`
	Consumed int64  `json:"consumed"`
}

// ConsumptionReport is the answer, rows by key.
type ConsumptionReport struct {
	Period
	By    string           `json:"by"`
	Items []ConsumptionRow `json:"items"`
}

// Consumption reports consumption in p grouped by (ByWorkOrder,
// ByEngineer or ByPart).
func (s *Store) Consumption(p Period, by string) (ConsumptionReport, error) {
	if err := p.check(); err != nil {
		return ConsumptionReport{}, err
	}
	if by != ByWorkOrder && by != ByEngineer && by != ByPart {
		return ConsumptionReport{}, errf(CodeInvalid, "by", "must be work-order, engineer or part")
	}
	rows := map[string]*ConsumptionRow{}
	issuer := map[[2]string]string{} // work order, sku → who took the last issue
	key := func(ev *Event, l *Line, who string) string {
		switch by {
		case ByWorkOrder:
			return ev.Ref
		case ByEngineer:
			return who
		}
		return l.SKU
	}
	add := func(k string, issued, returned int64) {
		r := rows[k]
		if r == nil {
			r = &ConsumptionRow{Key: k}
			rows[k] = r
		}
		r.Issued += issued
		r.Returned += returned
		r.Consumed = r.Issued - r.Returned
	}
	_, err := s.replay(func(ev *Event, _ *replay) bool {
		if !ev.At.Before(p.To) {
			return false
		}
		in := !ev.At.Before(p.From)
		for i := range ev.Lines {
			l := &ev.Lines[i]
			switch {
			case ev.Type == EvIssue:
				issuer[[2]string{ev.Ref, l.SKU}] = ev.Actor
				if in {
					add(key(ev, l, ev.Actor), l.Qty, 0)
				}
			case ev.Type == EvReturn && l.Condition == ConditionGood && in:
				who, ok := issuer[[2]string{ev.Ref, l.SKU}]
				if !ok {
					who = ev.Actor
				}
				add(key(ev, l, who), 0, l.Qty)
			}
		}
		return true
	})
	if err != nil {
		return ConsumptionReport{}, err
	}
	rep := ConsumptionReport{Period: p.utc(), By: by, Items: []ConsumptionRow{}}
	for _, r := range rows {
		rep.Items = append(rep.Items, *r)
	}
	sort.Slice(rep.Items, func(i, j int) bool { return rep.Items[i].Key < rep.Items[j].Key })
	return rep, nil
}

func (p Period) utc() Period { return Period{p.From.UTC(), p.To.UTC()} }

// --- stock-outs and fill rate ---

// StockOut is a span in which a part's available stock (on hand less
// reserved, in stock and van locations) was 0: from the event that took
// the last available unit to the event that brought one back. A part that
// never had stock has no stock-outs: it is not stocked here. Spans are cut
// to the period; one still running at its end is Ongoing and ends there.
type StockOut struct {
	SKU     string    `json:"sku"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Hours   float64   `json:"hours"`
	Ongoing bool      `json:"ongoing"`
}

// StockOutReport is the answer, spans by part then start.
type StockOutReport struct {
	Period
	Items []StockOut `json:"items"`
}

// FillRateRow is one part's fill rate and stock-outs in the period. Lines
// counts the work-order lines for the part opened in the period; Filled
// those whose whole quantity the depot reserved from its stock the moment
// the order was opened, so the engineer could take them without waiting.
// FillRate is Filled / Lines (absent without lines). StockOuts and
// StockOutHours are the part's stock-outs in the period (see StockOut).
type FillRateRow struct {
	SKU           string   `json:"sku"`
	Description   string   `json:"description,omitempty"`
	Lines         int64    `json:"lines"`
	Filled        int64    `json:"filled"`
	FillRate      *float64 `json:"fillRate,omitempty"`
	StockOuts     int64    `json:"stockOuts"`
	StockOutHours float64  `json:"stockOutHours"`
}

// FillRateReport is the answer: a row per part with work-order lines or
// stock-outs in the period, by SKU, and the totals over all parts.
type FillRateReport struct {
	Period
	Items   []FillRateRow `json:"items"`
	Overall FillRateRow   `json:"overall"`
}

// stockOuts replays the log up to p.To and returns every part's spans
// clipped to p, and the fold's parts.
func (s *Store) stockOuts(p Period, also func(ev *Event, r *replay)) ([]StockOut, *replay, error) {
	var out []StockOut
	open := map[string]time.Time{} // sku → start of its running span
	r, err := s.replay(func(ev *Event, r *replay) bool {
		if !ev.At.Before(p.To) {
			return false
		}
		if also != nil {
			also(ev, r)
		}
		skus := r.touched(ev)
		before := make([]int64, len(skus))
		for i, sku := range skus {
			before[i] = r.levels[sku].available()
		}
		// The walk applies ev after step returns; look at the level after
		// it by applying to a copy of the touched parts.
		after := afterLevels(r, ev, skus)
		for i, sku := range skus {
			switch {
			case before[i] > 0 && after[sku] <= 0:
				open[sku] = ev.At
			case before[i] <= 0 && after[sku] > 0:
				if start, ok := open[sku]; ok {
					out = appendClipped(out, p, sku, start, ev.At, false)
					delete(open, sku)
				}
			}
		}
		return true
	})
	if err != nil {
		return nil, nil, err
	}
	for sku, start := range open {
		out = appendClipped(out, p, sku, start, p.To, true)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].SKU != out[j].SKU {
			return out[i].SKU < out[j].SKU
		}
		return out[i].Start.Before(out[j].Start)
	})
	return out, r, nil
}

// afterLevels is each touched part's available stock once ev is applied.
func afterLevels(r *replay, ev *Event, skus []string) map[string]int64 {
	lv := make(map[string]level, len(skus))
	for _, sku := range skus {
		lv[sku] = r.levels[sku]
	}
	for _, d := range deltas(ev) {
		if !usableKind(r.kinds[d.k.Loc]) {
			continue
		}
		l := lv[d.k.SKU]
		l.onHand += d.onHand
		l.reserved += d.reserved
		lv[d.k.SKU] = l
	}
	out := make(map[string]int64, len(lv))
	for sku, l := range lv {
		out[sku] = l.available()
	}
	return out
}

func appendClipped(out []StockOut, p Period, sku string, start, end time.Time, ongoing bool) []StockOut {
	if start.Before(p.From) {
		start = p.From
	}
	if end.After(p.To) {
		end = p.To
	}
	if !start.Before(end) {
		return out
	}
	return append(out, StockOut{SKU: sku, Start: start.UTC(), End: end.UTC(), Hours: round3(end.Sub(start).Hours()), Ongoing: ongoing})
}

// StockOuts reports the stock-outs in p.
func (s *Store) StockOuts(p Period) (StockOutReport, error) {
	if err := p.check(); err != nil {
		return StockOutReport{}, err
	}
	spans, _, err := s.stockOuts(p, nil)
	if err != nil {
		return StockOutReport{}, err
	}
	if spans == nil {
		spans = []StockOut{}
	}
	return StockOutReport{Period: p.utc(), Items: spans}, nil
}

// FillRate reports fill rate and stock-outs per part in p.
func (s *Store) FillRate(p Period) (FillRateReport, error) {
	if err := p.check(); err != nil {
		return FillRateReport{}, err
	}
	rows := map[string]*FillRateRow{}
	row := func(sku string) *FillRateRow {
		r := rows[sku]
		if r == nil {
			r = &FillRateRow{SKU: sku}
			rows[sku] = r
		}
		return r
	}
	spans, rp, err := s.stockOuts(p, func(ev *Event, _ *replay) {
		if ev.Type != EvWOCreated || ev.WorkOrder == nil || ev.At.Before(p.From) {
			return
		}
		reserved := map[int]int64{}
		for _, l := range ev.Lines {
			reserved[l.WOLine] += l.Qty
		}
		for _, wl := range ev.WorkOrder.Lines {
			r := row(wl.SKU)
			r.Lines++
			if reserved[wl.Line] >= wl.Qty {
				r.Filled++
			}
		}
	})
	if err != nil {
		return FillRateReport{}, err
	}
	for _, so := range spans {
		r := row(so.SKU)
		r.StockOuts++
		r.StockOutHours += so.Hours
	}
	rep := FillRateReport{Period: p.utc(), Items: []FillRateRow{}}
	for _, r := range rows {
		r.Description = rp.desc[r.SKU]
		r.StockOutHours = round3(r.StockOutHours)
		r.FillRate = ratio(r.Filled, r.Lines)
		rep.Items = append(rep.Items, *r)
		rep.Overall.Lines += r.Lines
		rep.Overall.Filled += r.Filled
		rep.Overall.StockOuts += r.StockOuts
		rep.Overall.StockOutHours += r.StockOutHours
	}
	rep.Overall.FillRate = ratio(rep.Overall.Filled, rep.Overall.Lines)
	rep.Overall.StockOutHours = round3(rep.Overall.StockOutHours)
	sort.Slice(rep.Items, func(i, j int) bool { return rep.Items[i].SKU < rep.Items[j].SKU })
	return rep, nil
}

func ratio(n, d int64) *float64 {
	if d == 0 {
		return nil
	}
	f := round3(float64(n) / float64(d))
	return &f
}

// round3 keeps three decimals: reports are read by people, and a fixed
// rounding makes the JSON, the CSV and the XLSX show the same number.
func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// --- inventory turns ---

// TurnsRow is one part's inventory turns in the period: Issued is the
// quantity issued in it (returns are not netted: turns measure how often
// the stock went out), AverageOnHand the time-weighted average of its on
// hand in stock and van locations over the period, and Turns their ratio
// (absent when nothing was on hand).
type TurnsRow struct {
	SKU           string   `json:"sku"`
	Description   string   `json:"description,omitempty"`
	Issued        int64    `json:"issued"`
	AverageOnHand float64  `json:"averageOnHand"`
	Turns         *float64 `json:"turns,omitempty"`
}

// TurnsReport is the answer: a row per part issued or on hand in the
// period, by SKU, and Overall: every part's issues over the sum of their
// average on hand (a unit count across parts, for a depot-wide figure).
type TurnsReport struct {
	Period
	Items   []TurnsRow `json:"items"`
	Overall TurnsRow   `json:"overall"`
}

// Turns reports inventory turns in p.
func (s *Store) Turns(p Period) (TurnsReport, error) {
	if err := p.check(); err != nil {
		return TurnsReport{}, err
	}
	issued := map[string]int64{}
	area := map[string]float64{} // unit-seconds in the period
	since := map[string]time.Time{}
	// advance adds sku's on hand from its last change up to t, within p.
	advance := func(r *replay, sku string, t time.Time) {
		start, end := since[sku], t
		if start.Before(p.From) {
			start = p.From
		}
		if end.After(p.To) {
			end = p.To
		}
		a := area[sku]
		if start.Before(end) {
			a += float64(r.levels[sku].onHand) * end.Sub(start).Seconds()
		}
		area[sku] = a
		since[sku] = t
	}
	rp, err := s.replay(func(ev *Event, r *replay) bool {
		if !ev.At.Before(p.To) {
			return false
		}
		for _, sku := range r.touched(ev) {
			advance(r, sku, ev.At)
		}
		if ev.Type == EvIssue && !ev.At.Before(p.From) {
			for _, l := range ev.Lines {
				issued[l.SKU] += l.Qty
			}
		}
		return true
	})
	if err != nil {
		return TurnsReport{}, err
	}
	for sku := range rp.levels {
		advance(rp, sku, p.To)
	}
	secs := p.To.Sub(p.From).Seconds()
	rep := TurnsReport{Period: p.utc(), Items: []TurnsRow{}}
	var sumAvg float64
	for sku, a := range area {
		if a == 0 && issued[sku] == 0 {
			continue
		}
		avg := a / secs
		rep.Items = append(rep.Items, TurnsRow{SKU: sku, Description: rp.desc[sku], Issued: issued[sku],
			AverageOnHand: round3(avg), Turns: turns(issued[sku], avg)})
		rep.Overall.Issued += issued[sku]
		sumAvg += avg
	}
	rep.Overall.AverageOnHand = round3(sumAvg)
	rep.Overall.Turns = turns(rep.Overall.Issued, sumAvg)
	sort.Slice(rep.Items, func(i, j int) bool { return rep.Items[i].SKU < rep.Items[j].SKU })
	return rep, nil
}

func turns(issued int64, avg float64) *float64 {
	if avg <= 0 {
		return nil
	}
	f := round3(float64(issued) / avg)
	return &f
}
