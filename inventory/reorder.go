package inventory

import (
	"encoding/binary"
	"math"
	"strconv"
)

// Reorder: a part's reorder policy is an event (reorder-policy-set), and so
// is every reorder signal (reorder-signal) and every re-arming after one
// (reorder-rearmed), so policies and signals are chained, idempotent,
// replicated to HQ and audited like stock. The store keeps per part whether
// the part is armed (the next fall to the reorder point raises a signal) and
// refuses a signal for a part that is not: a signal is raised at most once
// per arming whoever asks and however often. Evaluating positions is the
// ReorderWatcher's job (reorder_watch.go); the store only holds it to the
// rules.

// Reorder methods.
const (
	MethodMinMax = "minmax" // reorder at or below min, order up to max
	MethodROP    = "rop"    // reorder at or below the reorder point
)

// How a rop policy's reorder point is found.
const (
	ROPFixed   = "fixed"   // the policy states it
	ROPDerived = "derived" // from forecast demand and the target service level
)

// Defaults a policy gets for what it leaves out; the event records them, so
// a later change of default changes no past policy.
const (
	DefaultPeriodDays     = 7
	DefaultHistoryPeriods = 52
	DefaultAlpha          = 0.1
	DefaultBeta           = 0.1
	DefaultServiceLevel   = 0.95
)

// ReorderPolicy is what a reorder-policy-set event carries for one part.
type ReorderPolicy struct {
	SKU    string `json:"sku"`
	Method string `json:"method"` // minmax | rop
	// Min and Max: minmax reorders at or below Min and orders up to Max; a
	// rop policy with Max orders up to Max too.
	Min int64 `json:"min,omitempty"`
	Max int64 `json:"max,omitempty"`
	// ROP is fixed or derived; ReorderPoint is the fixed one.
	ROP          string `json:"rop,omitempty"`
	ReorderPoint int64  `json:"reorderPoint,omitempty"`
	// SafetyStock is a floor under the derived safety stock.
	SafetyStock      int64 `json:"safetyStock,omitempty"`
	LeadTimeDays     int   `json:"leadTimeDays,omitempty"`
	ReviewPeriodDays int   `json:"reviewPeriodDays,omitempty"`
	// ServiceLevel is the target cycle service level: the chance a
	// replenishment cycle sees no stock-out.
	ServiceLevel float64 `json:"serviceLevel,omitempty"`
	// Forecast (sba | tsb), its smoothing constants, the bucket length and
	// how many past periods it reads. They are used by rop policies.
	Forecast       string  `json:"forecast,omitempty"`
	Alpha          float64 `json:"alpha,omitempty"`
	Beta           float64 `json:"beta,omitempty"`
	PeriodDays     int     `json:"periodDays,omitempty"`
	HistoryPeriods int     `json:"historyPeriods,omitempty"`
}

// Position is a part's inventory position: what is available in stock and
// van locations, plus what open purchase orders still owe, plus what is in
// transit to this depot. Total is their sum.
type Position struct {
	Available int64 `json:"available"`
	OnOrder   int64 `json:"onOrder"`
	Inbound   int64 `json:"inbound"`
	Total     int64 `json:"total"`
}

func (p Position) sum() int64 { return p.Available + p.OnOrder + p.Inbound }

// ReorderSignal is what a reorder-signal (and a reorder-rearmed) event
// carries: the part, its position and the plan it was held to.
type ReorderSignal struct {
	SKU          string          `json:"sku"`
	Method       string          `json:"method"`
	Position     Position        `json:"position"`
	ReorderPoint int64           `json:"reorderPoint"`
	OrderUpTo    int64           `json:"orderUpTo"`
	SuggestedQty int64           `json:"suggestedQty,omitempty"`
	Demand       *DemandEstimate `json:"demand,omitempty"`
	// ArmedSeq (signal) is the event that armed the part: the signal uses
	// up that arming. SignalSeq (rearmed) is the signal the re-arming ends.
	ArmedSeq  uint64 `json:"armedSeq,omitempty"`
	SignalSeq uint64 `json:"signalSeq,omitempty"`
}

// ReorderState is a part's policy and signal state as the log leaves it.
type ReorderState struct {
	SKU       string        `json:"sku"`
	Policy    ReorderPolicy `json:"policy"`
	PolicySeq uint64        `json:"policySeq"`
	// Armed: the next fall to the reorder point raises a signal. ArmedSeq
	// is the event that armed it (the first policy, or a re-arming).
	Armed    bool   `json:"armed"`
	ArmedSeq uint64 `json:"armedSeq,omitempty"`
	// OpenSignal is the seq of the signal not yet ended by a re-arming.
	OpenSignal uint64 `json:"openSignal,omitempty"`
	Signals    int    `json:"signals"`
}

// Signal statuses.
const (
	SignalOpen    = "open"    // the position has not risen above the reorder point since
	SignalCovered = "covered" // the position rose above it again: the part re-armed
)

// SignalRecord is one raised signal and what became of it.
type SignalRecord struct {
	Seq        uint64        `json:"seq"`
	At         string        `json:"at"`
	Status     string        `json:"status"`
	CoveredSeq uint64        `json:"coveredSeq,omitempty"`
	Signal     ReorderSignal `json:"signal"`
}

// Keys under pReorder: 'p' 0 sku -> ReorderState; 'g' 0 seq -> SignalRecord.
func reorderKey(sku string) []byte { return join(pReorder, "p", sku) }

func signalKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(join(pReorder, "g", ""), seq)
}

var signalPrefix = join(pReorder, "g", "")

func (c *Command) checkReorder() error {
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil || c.Order != nil {
		return errf(CodeInvalid, "lines", "%s carries only a policy or a signal", c.Type)
	}
	switch c.Type {
	case EvReorderPolicySet:
		if c.Signal != nil {
			return errf(CodeInvalid, "signal", "%s carries a policy, not a signal", c.Type)
		}
		if c.Policy == nil {
			return errf(CodeInvalid, "policy", "is required for %s", c.Type)
		}
		p := *c.Policy
		if err := p.normalize(); err != nil {
			return err
		}
		if c.Ref == "" {
			c.Ref = p.SKU
		}
		if c.Ref != p.SKU {
			return errf(CodeInvalid, "ref", "is %q but the policy is for %q", c.Ref, p.SKU)
		}
		c.Policy = &p
		return nil
	default: // signal, rearmed
		if c.Policy != nil {
			return errf(CodeInvalid, "policy", "%s carries a signal, not a policy", c.Type)
		}
		if c.Signal == nil {
			return errf(CodeInvalid, "signal", "is required for %s", c.Type)
		}
		sg := *c.Signal
		if err := sg.check(c.Type); err != nil {
			return err
		}
		if c.Ref == "" {
			c.Ref = sg.SKU
		}
		if c.Ref != sg.SKU {
			return errf(CodeInvalid, "ref", "is %q but the signal is for %q", c.Ref, sg.SKU)
		}
		c.Signal = &sg
		return nil
	}
}

func checkQty(field string, n int64) *Error {
	if n < 0 || n > MaxQuantity {
		return errf(CodeInvalid, field, "must be between 0 and %d", MaxQuantity)
	}
	return nil
}

func checkFraction(field string, x float64, lo, hi float64) *Error {
	if math.IsNaN(x) || x < lo || x > hi {
		return errf(CodeInvalid, field, "must be between %s and %s", ftoa(lo), ftoa(hi))
	}
	return nil
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }

// normalize checks a policy and fills in its defaults.
func (p *ReorderPolicy) normalize() error {
	if err := checkCode("policy.sku", p.SKU); err != nil {
		return err
	}
	for _, q := range []struct {
		f string
		n int64
	}{{"policy.min", p.Min}, {"policy.max", p.Max}, {"policy.reorderPoint", p.ReorderPoint}, {"policy.safetyStock", p.SafetyStock}} {
		if err := checkQty(q.f, q.n); err != nil {
			return err
		}
	}
	if p.LeadTimeDays < 0 || p.LeadTimeDays > 3650 {
		return errf(CodeInvalid, "policy.leadTimeDays", "must be between 0 and 3650")
	}
	if p.ReviewPeriodDays < 0 || p.ReviewPeriodDays > 3650 {
		return errf(CodeInvalid, "policy.reviewPeriodDays", "must be between 0 and 3650")
	}
	switch p.Method {
	case MethodMinMax:
		if p.Max <= p.Min {
			return errf(CodeInvalid, "policy.max", "must be above min (%d)", p.Min)
		}
		if p.ROP != "" || p.ReorderPoint != 0 {
			return errf(CodeInvalid, "policy.rop", "a minmax policy reorders at min; it has no reorder point")
		}
		return nil
	case MethodROP:
	default:
		return errf(CodeInvalid, "policy.method", "must be %q or %q", MethodMinMax, MethodROP)
	}
	if p.Min != 0 {
		return errf(CodeInvalid, "policy.min", "is for minmax policies; a rop policy has a reorder point")
	}
	switch p.ROP {
	case ROPFixed:
	case ROPDerived:
		if p.ReorderPoint != 0 {
			return errf(CodeInvalid, "policy.reorderPoint", "is derived; state it only with rop %q", ROPFixed)
		}
		if p.LeadTimeDays == 0 {
			return errf(CodeInvalid, "policy.leadTimeDays", "is required to derive a reorder point")
		}
	default:
		return errf(CodeInvalid, "policy.rop", "must be %q or %q", ROPFixed, ROPDerived)
	}
	if p.Max != 0 && p.Max <= p.ReorderPoint {
		return errf(CodeInvalid, "policy.max", "must be above the reorder point (%d)", p.ReorderPoint)
	}
	if p.ServiceLevel == 0 {
		p.ServiceLevel = DefaultServiceLevel
	}
	if err := checkFraction("policy.serviceLevel", p.ServiceLevel, 0.5, 0.9999); err != nil {
		return err
	}
	switch p.Forecast {
	case "":
		p.Forecast = ForecastSBA
	case ForecastSBA, ForecastTSB:
	default:
		return errf(CodeInvalid, "policy.forecast", "must be %q or %q", ForecastSBA, ForecastTSB)
	}
	if p.Alpha == 0 {
		p.Alpha = DefaultAlpha
	}
	if p.Beta == 0 {
		p.Beta = DefaultBeta
	}
	if err := checkFraction("policy.alpha", p.Alpha, 0.01, 1); err != nil {
		return err
	}
	if err := checkFraction("policy.beta", p.Beta, 0.01, 1); err != nil {
		return err
	}
	if p.PeriodDays == 0 {
		p.PeriodDays = DefaultPeriodDays
	}
	if p.PeriodDays < 1 || p.PeriodDays > 365 {
		return errf(CodeInvalid, "policy.periodDays", "must be between 1 and 365")
	}
	if p.HistoryPeriods == 0 {
		p.HistoryPeriods = DefaultHistoryPeriods
	}
	if p.HistoryPeriods < 4 || p.HistoryPeriods > 520 {
		return errf(CodeInvalid, "policy.historyPeriods", "must be between 4 and 520")
	}
	return nil
}

func (sg *ReorderSignal) check(t EventType) error {
	if err := checkCode("signal.sku", sg.SKU); err != nil {
		return err
	}
	if sg.Method != MethodMinMax && sg.Method != MethodROP {
		return errf(CodeInvalid, "signal.method", "must be %q or %q", MethodMinMax, MethodROP)
	}
	for _, q := range []struct {
		f string
		n int64
	}{{"signal.position.available", sg.Position.Available}, {"signal.position.onOrder", sg.Position.OnOrder},
		{"signal.position.inbound", sg.Position.Inbound}, {"signal.reorderPoint", sg.ReorderPoint},
		{"signal.orderUpTo", sg.OrderUpTo}, {"signal.suggestedQty", sg.SuggestedQty}} {
		// Available may be negative nowhere, but a position's parts are
		// sums the watcher read; bounds keep them sane.
		if err := checkQty(q.f, q.n); err != nil {
			return err
		}
	}
	if sg.Position.Total != sg.Position.sum() {
		return errf(CodeInvalid, "signal.position.total", "is %d; available + on order + inbound is %d", sg.Position.Total, sg.Position.sum())
	}
	if d := sg.Demand; d != nil {
		for _, x := range []float64{d.Estimate.Rate, d.Estimate.Size, d.Estimate.Interval, d.Estimate.Probability,
			d.Estimate.MSE, d.ProtectionPeriods, d.Mean, d.Sigma, d.Z} {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return errf(CodeInvalid, "signal.demand", "holds a number that is not finite")
			}
		}
		if len(d.Demand) > 520 {
			return errf(CodeInvalid, "signal.demand.demand", "at most 520 periods")
		}
	}
	switch t {
	case EvReorderSignal:
		if sg.SignalSeq != 0 {
			return errf(CodeInvalid, "signal.signalSeq", "is set only when re-arming")
		}
		if sg.Position.Total > sg.ReorderPoint {
			return errf(CodeInvalid, "signal.position", "%d is above the reorder point %d: nothing to signal", sg.Position.Total, sg.ReorderPoint)
		}
		if sg.SuggestedQty < 1 {
			return errf(CodeInvalid, "signal.suggestedQty", "must be at least 1")
		}
	case EvReorderRearmed:
		if sg.ArmedSeq != 0 {
			return errf(CodeInvalid, "signal.armedSeq", "is set only on signals")
		}
		if sg.Position.Total <= sg.ReorderPoint {
			return errf(CodeInvalid, "signal.position", "%d is not above the reorder point %d: still short", sg.Position.Total, sg.ReorderPoint)
		}
	}
	return nil
}

// reorderStep carries one reorder event into a part's state. It depends on
// the state and the event alone, so Verify replays exactly what the store
// did. rec is the signal record the event creates or ends, if any.
func reorderStep(st *ReorderState, rec *SignalRecord, ev *Event) (*ReorderState, *SignalRecord, error) {
	switch ev.Type {
	case EvReorderPolicySet:
		if st == nil {
			// A part is armed from its first policy on.
			return &ReorderState{SKU: ev.Policy.SKU, Policy: *ev.Policy, PolicySeq: ev.Seq, Armed: true, ArmedSeq: ev.Seq}, nil, nil
		}
		n := *st
		n.Policy, n.PolicySeq = *ev.Policy, ev.Seq
		return &n, nil, nil
	case EvReorderSignal:
		sg := ev.Signal
		switch {
		case st == nil:
			return nil, nil, errf(CodeNotFound, "signal.sku", "%s has no reorder policy", sg.SKU)
		case !st.Armed:
			return nil, nil, errf(CodeSignalOpen, "signal.sku", "signal %d of %s is open: not repeated until the position recovers", st.OpenSignal, sg.SKU)
		case sg.ArmedSeq != st.ArmedSeq:
			return nil, nil, errf(CodeSignalStale, "signal.armedSeq", "%s was armed by event %d, not %d", sg.SKU, st.ArmedSeq, sg.ArmedSeq)
		}
		n := *st
		n.Armed, n.ArmedSeq, n.OpenSignal = false, 0, ev.Seq
		n.Signals++
		return &n, &SignalRecord{Seq: ev.Seq, At: ev.At.UTC().Format("2006-01-02T15:04:05.000Z07:00"), Status: SignalOpen, Signal: *sg}, nil
	case EvReorderRearmed:
		sg := ev.Signal
		switch {
		case st == nil:
			return nil, nil, errf(CodeNotFound, "signal.sku", "%s has no reorder policy", sg.SKU)
		case st.Armed || sg.SignalSeq != st.OpenSignal:
			return nil, nil, errf(CodeSignalStale, "signal.signalSeq", "%s has no open signal %d", sg.SKU, sg.SignalSeq)
		}
		n := *st
		n.Armed, n.ArmedSeq, n.OpenSignal = true, ev.Seq, 0
		if rec == nil {
			return nil, nil, errf(CodeNotFound, "signal.signalSeq", "no signal %d", sg.SignalSeq)
		}
		r := *rec
		r.Status, r.CoveredSeq = SignalCovered, ev.Seq
		return &n, &r, nil
	}
	return st, nil, nil
}

// applyReorder is the store's rule for the three reorder events.
func applyReorder(v *view, ev *Event) error {
	var sku string
	switch ev.Type {
	case EvReorderPolicySet:
		sku = ev.Policy.SKU
		p, err := getPart(v, sku)
		if err != nil {
			return err
		}
		if p == nil {
			return errf(CodeUnknownPart, "policy.sku", "no part %q", sku)
		}
	default:
		sku = ev.Signal.SKU
	}
	var st *ReorderState
	var cur ReorderState
	found, err := v.getJSON(reorderKey(sku), &cur)
	if err != nil {
		return err
	}
	if found {
		st = &cur
	}
	var rec *SignalRecord
	if ev.Type == EvReorderRearmed {
		var r SignalRecord
		ok, err := v.getJSON(signalKey(ev.Signal.SignalSeq), &r)
		if err != nil {
			return err
		}
		if ok {
			rec = &r
		}
	}
	n, nrec, err := reorderStep(st, rec, ev)
	if err != nil {
		return err
	}
	if err := v.setJSON(reorderKey(sku), n); err != nil {
		return err
	}
	if nrec != nil {
		return v.setJSON(signalKey(nrec.Seq), nrec)
	}
	return nil
}

// Plan is what a policy makes of a part's demand history: the reorder
// point, the level an order brings the position up to, and for rop
// policies the estimate behind them.
type Plan struct {
	ReorderPoint int64
	OrderUpTo    int64
	Demand       *DemandEstimate
}

// PlanFor applies a policy to a demand history (issues per period, oldest
// first, ending with the last complete period).
//
// minmax: reorder point min, order up to max.
// rop: the forecast gives a rate per period; the protection interval P is
// lead time plus review period, in periods. Lead-time demand has mean
// rate*P and standard deviation sqrt(P*MSE); the safety stock is z*sigma
// rounded up (at least the policy's safety stock), z the normal quantile
// of the service level; a derived reorder point is ceil(mean) + safety
// stock. Orders go up to max when the policy has one, else up to the
// reorder point plus the forecast demand over P (at least one unit): the
// order covers the next protection interval, without an EOQ.
func PlanFor(p ReorderPolicy, demand []int64) Plan {
	if p.Method == MethodMinMax {
		return Plan{ReorderPoint: p.Min, OrderUpTo: p.Max}
	}
	var f Forecast
	if p.Forecast == ForecastTSB {
		f = tsb(demand, p.Alpha, p.Beta)
	} else {
		f = sba(demand, p.Alpha, p.Beta)
	}
	per := float64(p.PeriodDays)
	pp := float64(p.LeadTimeDays)/per + float64(p.ReviewPeriodDays)/per
	est := &DemandEstimate{
		Method: p.Forecast, PeriodDays: p.PeriodDays, Demand: demand, Estimate: f,
		ProtectionPeriods: pp, Mean: f.Rate * pp, Sigma: math.Sqrt(pp * f.MSE),
	}
	rop := p.ReorderPoint
	if p.ROP == ROPDerived {
		est.Z = NormInv(p.ServiceLevel)
		est.SafetyStock = max(ceilQty(est.Z*est.Sigma), p.SafetyStock)
		rop = min(ceilQty(est.Mean)+est.SafetyStock, MaxQuantity)
	} else {
		est.SafetyStock = p.SafetyStock
	}
	upTo := p.Max
	if upTo == 0 {
		upTo = min(rop+max(ceilQty(est.Mean), 1), MaxQuantity)
	}
	return Plan{ReorderPoint: rop, OrderUpTo: upTo, Demand: est}
}

// SystemEvent reports whether only the depot itself appends events of type
// t: reorder signals and re-armings come from the reorder rule, never from
// a user, so the API lets no role post them.
func SystemEvent(t EventType) bool { return t == EvReorderSignal || t == EvReorderRearmed }
