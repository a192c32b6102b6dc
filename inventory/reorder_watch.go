package inventory

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"time"
)

// ReorderActor is the actor of the events the watcher appends.
const ReorderActor = "reorder"

// ReorderWatchOptions configure a ReorderWatcher. Zero values are defaults.
type ReorderWatchOptions struct {
	// Interval is how often the watcher looks for newly committed events
	// (default 200 ms): a read of the head, nothing more when none came.
	Interval time.Duration
	// Sweep is how often every policy is evaluated even without new
	// events (default 1 h): derived reorder points move as periods end.
	Sweep time.Duration
	// Clock is where periods are read from; default the store's clock.
	Clock Clock
	Log   *slog.Logger
}

// ReorderWatcher raises reorder signals and re-arms parts as committed
// events change their positions. It runs beside the store rather than in
// its commit path: evaluating a part reads balances, purchase orders and
// the demand history, which the committer must not wait for. The store's
// rule that a part signals once per arming makes it safe for a watcher to
// evaluate late, twice, or after a crash: at start it evaluates every part
// with a policy, so a signal whose triggering event committed just before a
// crash is raised then, and an idempotency key made of the part and its
// arming event makes a retried append a replay, not a second signal.
type ReorderWatcher struct {
	store *Store
	opts  ReorderWatchOptions
	// demand holds issues per part per day, built from the log, for the
	// parts in tracked: those with a rop policy, the only ones that read
	// their history. Keeping every part's would cost memory per issue day
	// on a box with a 150 MB budget. seen is the last seq read; started
	// says the start-up pass has run.
	demand  map[string]map[int64]int64
	tracked map[string]bool
	seen    uint64
	started bool
}

// NewReorderWatcher returns a watcher of s. Run or Sync drive it; it is not
// safe for concurrent use.
func NewReorderWatcher(s *Store, o ReorderWatchOptions) *ReorderWatcher {
	if o.Interval <= 0 {
		o.Interval = 200 * time.Millisecond
	}
	if o.Sweep <= 0 {
		o.Sweep = time.Hour
	}
	if o.Clock == nil {
		o.Clock = s.opts.Clock
	}
	if o.Log == nil {
		o.Log = s.log
	}
	return &ReorderWatcher{store: s, opts: o, demand: map[string]map[int64]int64{}, tracked: map[string]bool{}}
}

// Run evaluates every policy, then follows the log until ctx ends. A failed
// pass is logged and retried on the next tick: the log is the record, so
// nothing is lost by trying again.
func (w *ReorderWatcher) Run(ctx context.Context) error {
	first := w.SyncAll(ctx)
	if first != nil && ctx.Err() == nil {
		w.opts.Log.Error("reorder: first evaluation", "err", first)
	}
	tick := time.NewTicker(w.opts.Interval)
	defer tick.Stop()
	sweep := time.NewTicker(w.opts.Sweep)
	defer sweep.Stop()
	// After a failed pass the parts it read may not all have been
	// evaluated; the next pass evaluates every policy.
	retryAll := first != nil
	for {
		var err error
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			switch {
			case retryAll:
				err = w.SyncAll(ctx)
			case w.store.Head().Seq != w.seen:
				_, err = w.Sync(ctx)
			}
		case <-sweep.C:
			err = w.SyncAll(ctx)
		}
		retryAll = err != nil
		if err != nil && ctx.Err() == nil {
			if CodeOf(err) == CodeClosed {
				return err
			}
			w.opts.Log.Error("reorder: evaluation", "err", err)
		}
	}
}

// SyncAll reads the log up to its head and evaluates every part with a
// policy.
func (w *ReorderWatcher) SyncAll(ctx context.Context) error {
	if !w.started {
		if err := w.start(); err != nil {
			return err
		}
	}
	if _, err := w.catchUp(); err != nil {
		return err
	}
	return w.eachPolicy(func(states []ReorderState) error { return w.evaluateAll(ctx, states) })
}

// eachPolicy hands fn every part's reorder state, 500 at a time.
func (w *ReorderWatcher) eachPolicy(fn func([]ReorderState) error) error {
	after := ""
	for {
		states, err := w.store.ReorderPolicies(Page{After: after, Limit: 500})
		if err != nil {
			return err
		}
		if err := fn(states); err != nil {
			return err
		}
		if len(states) < 500 {
			return nil
		}
		after = states[len(states)-1].SKU
	}
}

// start loads the history of every part with a rop policy up to the
// head, in one read of the log (none when no part has one), and makes
// the head the point the watcher follows the log from: the pass that
// follows evaluates every policy anyway.
func (w *ReorderWatcher) start() error {
	head := w.store.Head().Seq
	var rop []string
	err := w.eachPolicy(func(states []ReorderState) error {
		for _, st := range states {
			if st.Policy.Method == MethodROP {
				rop = append(rop, st.SKU)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if err := w.backfill(rop, head); err != nil {
		return err
	}
	w.seen, w.started = head, true
	return nil
}

// backfill reads the issues of skus from the start of the log up to seq
// upTo, and tracks the parts from then on.
func (w *ReorderWatcher) backfill(skus []string, upTo uint64) error {
	if len(skus) == 0 {
		return nil
	}
	want := map[string]bool{}
	for _, sku := range skus {
		want[sku] = true
	}
	err := w.store.EachRawEvent(0, func(seq uint64, raw []byte) error {
		if seq > upTo {
			return errStop
		}
		var ev watchedEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("decode event %d: %w", seq, err)
		}
		if ev.Type == EvIssue {
			for _, l := range ev.Lines {
				if want[l.SKU] {
					w.addDemand(l.SKU, ev.At, l.Qty)
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for sku := range want {
		w.tracked[sku] = true
	}
	return nil
}

// Sync reads the events committed since the last pass and evaluates the
// parts they touched that have a policy. It returns how many parts the
// events touched.
func (w *ReorderWatcher) Sync(ctx context.Context) (int, error) {
	if !w.started {
		return 0, w.SyncAll(ctx)
	}
	touched, err := w.catchUp()
	if err != nil {
		return 0, err
	}
	// In SKU order, so a pass is reproducible.
	var states []ReorderState
	for _, sku := range slices.Sorted(maps.Keys(touched)) {
		st, err := w.store.ReorderPolicy(sku)
		if CodeOf(err) == CodeNotFound {
			continue
		}
		if err != nil {
			return 0, err
		}
		states = append(states, st)
		if len(states) == 500 {
			if err := w.evaluateAll(ctx, states); err != nil {
				return 0, err
			}
			states = states[:0]
		}
	}
	return len(touched), w.evaluateAll(ctx, states)
}

// evaluateAll evaluates parts whose positions it reads in one snapshot.
func (w *ReorderWatcher) evaluateAll(ctx context.Context, states []ReorderState) error {
	if len(states) == 0 {
		return nil
	}
	skus := make([]string, len(states))
	for i := range states {
		skus[i] = states[i].SKU
	}
	pos, err := w.store.Positions(skus)
	if err != nil {
		return fmt.Errorf("positions: %w", err)
	}
	for i := range states {
		if err := w.evaluate(ctx, &states[i], pos[states[i].SKU]); err != nil {
			return err
		}
	}
	return nil
}

// catchUp folds new events into the demand history and returns the parts
// whose position or policy they may have changed.
func (w *ReorderWatcher) catchUp() (map[string]bool, error) {
	touched := map[string]bool{}
	var newROP []string
	err := w.store.EachRawEvent(w.seen, func(seq uint64, raw []byte) error {
		// Only what moves a position or a policy is decoded: at start the
		// watcher reads the whole log, and a depot's log is millions long.
		var ev watchedEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("decode event %d: %w", seq, err)
		}
		w.seen = seq
		for _, l := range ev.Lines {
			touched[l.SKU] = true
			if ev.Type == EvIssue && w.tracked[l.SKU] {
				w.addDemand(l.SKU, ev.At, l.Qty)
			}
		}
		switch {
		case ev.Order != nil:
			for _, l := range ev.Order.Lines {
				touched[l.SKU] = true
			}
		case ev.Report != nil:
			// Closing an order ends what it still owed.
			for _, l := range ev.Report.Lines {
				touched[l.SKU] = true
			}
		case ev.Transfer != nil:
			for _, l := range ev.Transfer.Lines {
				touched[l.SKU] = true
			}
		case ev.Policy != nil:
			touched[ev.Policy.SKU] = true
			if ev.Policy.Method == MethodROP && !w.tracked[ev.Policy.SKU] && !slices.Contains(newROP, ev.Policy.SKU) {
				newROP = append(newROP, ev.Policy.SKU)
			}
		}
		return nil
	})
	if err != nil {
		return touched, err
	}
	// A part's first rop policy needs its history: read it once, up to
	// where this pass read (the loop above counted none of its issues).
	return touched, w.backfill(newROP, w.seen)
}

// watchedEvent is the part of an Event the watcher reads.
type watchedEvent struct {
	Type  EventType `json:"type"`
	At    time.Time `json:"at"`
	Lines []struct {
		SKU string `json:"sku"`
		Qty int64  `json:"qty"`
	} `json:"lines"`
	Order *struct {
		Lines []struct {
			SKU string `json:"sku"`
		} `json:"lines"`
	} `json:"order"`
	Report *struct {
		Lines []struct {
			SKU string `json:"sku"`
		} `json:"lines"`
	} `json:"report"`
	Policy *struct {
		SKU    string `json:"sku"`
		Method string `json:"method"`
	} `json:"policy"`
	// An inbound transfer order (transfer-requested at the destination)
	// raises the position with no lines of its own.
	Transfer *struct {
		Lines []struct {
			SKU string `json:"sku"`
		} `json:"lines"`
	} `json:"transfer"`
}

// period numbers days since the Monday 1970-01-05 in buckets of n days, so
// weekly buckets run Monday to Sunday, UTC.
func period(t time.Time, n int) int64 {
	days := t.UTC().Unix()/86400 - 4
	if days < 0 {
		return (days - int64(n) + 1) / int64(n)
	}
	return days / int64(n)
}

// addDemand keeps issues per day; policies choose their own bucket length.
func (w *ReorderWatcher) addDemand(sku string, at time.Time, q int64) {
	m := w.demand[sku]
	if m == nil {
		m = map[int64]int64{}
		w.demand[sku] = m
	}
	m[period(at, 1)] += q
}

// history is a part's issues per period of the policy, oldest first, over
// the policy's history ending with the last complete period before now.
func (w *ReorderWatcher) history(p ReorderPolicy, now time.Time) []int64 {
	n := p.HistoryPeriods
	out := make([]int64, n)
	cur := period(now, p.PeriodDays)
	first := cur - int64(n)
	for day, q := range w.demand[p.SKU] {
		// A day's period: days are counted from the same Monday.
		per := day / int64(p.PeriodDays)
		if day < 0 {
			per = (day - int64(p.PeriodDays) + 1) / int64(p.PeriodDays)
		}
		if per >= first && per < cur {
			out[per-first] += q
		}
	}
	return out
}

// evaluate raises a signal when an armed part's position is at or below its
// reorder point, and re-arms a signalled part whose position rose above it.
func (w *ReorderWatcher) evaluate(ctx context.Context, st *ReorderState, pos Position) error {
	pos.Total = pos.sum()
	var hist []int64
	if st.Policy.Method == MethodROP {
		hist = w.history(st.Policy, w.opts.Clock.Now())
	}
	plan := PlanFor(st.Policy, hist)
	sg := ReorderSignal{
		SKU: st.SKU, Method: st.Policy.Method, Position: pos,
		ReorderPoint: plan.ReorderPoint, OrderUpTo: plan.OrderUpTo, Demand: plan.Demand,
	}
	var cmd Command
	switch {
	case st.Armed && pos.Total <= plan.ReorderPoint:
		sg.ArmedSeq = st.ArmedSeq
		sg.SuggestedQty = max(plan.OrderUpTo-pos.Total, 1)
		cmd = Command{Type: EvReorderSignal, Signal: &sg,
			IdempotencyKey: "reorder-signal/" + st.SKU + "/" + strconv.FormatUint(st.ArmedSeq, 10)}
	case !st.Armed && pos.Total > plan.ReorderPoint:
		sg.SignalSeq = st.OpenSignal
		cmd = Command{Type: EvReorderRearmed, Signal: &sg,
			IdempotencyKey: "reorder-rearmed/" + st.SKU + "/" + strconv.FormatUint(st.OpenSignal, 10)}
	default:
		return nil
	}
	cmd.Actor, cmd.Ref = ReorderActor, st.SKU
	res, err := w.store.Append(ctx, cmd)
	switch CodeOf(err) {
	case "":
		if err != nil {
			return fmt.Errorf("%s of %s: %w", cmd.Type, st.SKU, err)
		}
		if !res.Replayed {
			w.opts.Log.Info("reorder: "+string(cmd.Type), "sku", st.SKU, "seq", res.Event.Seq,
				"position", pos.Total, "reorderPoint", plan.ReorderPoint, "suggestedQty", sg.SuggestedQty)
		}
		return nil
	case CodeSignalOpen, CodeSignalStale, CodeIdempotencyReuse:
		// Someone (another pass, before a restart) got there first: the
		// store's state is what counts, and it is already right.
		return nil
	}
	return fmt.Errorf("%s of %s: %w", cmd.Type, st.SKU, err)
}
