package inventory

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dgraph-io/badger/v4"
)

func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func policyCmd(p ReorderPolicy) Command {
	return Command{Type: EvReorderPolicySet, Actor: "planner", Policy: &p}
}

func minmax(sku string, lo, hi int64) Command {
	return policyCmd(ReorderPolicy{SKU: sku, Method: MethodMinMax, Min: lo, Max: hi})
}

func issue(sku string, n int64, wo string) Command {
	return cmd(EvIssue, wo, Line{SKU: sku, Qty: n, From: "A"})
}

// signals counts the reorder-signal events in the log and checks the store
// still verifies.
func signals(t *testing.T, s *Store) []Event {
	t.Helper()
	var out []Event
	err := s.EachEvent(0, func(ev *Event, _ []byte) error {
		if ev.Type == EvReorderSignal {
			out = append(out, *ev)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := s.Verify(context.Background(), nil)
	if err != nil || !rep.OK {
		t.Fatalf("verify: %v %+v", err, rep.Problems)
	}
	return out
}

func sync1(t *testing.T, w *ReorderWatcher) {
	t.Helper()
	if _, err := w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestReorderSignalOnceCoveredRearmed follows one part through falling
// stock, a signal, issues while the signal is open, a purchase order that
// covers it (re-arming the part), its receipt, and a second fall.
func TestReorderSignalOnceCoveredRearmed(t *testing.T) {
	s := seeded(t)
	ctx := context.Background()
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 20, To: "A"}))
	pol := mustAppend(t, s, minmax("PN", 5, 20))
	w := NewReorderWatcher(s, ReorderWatchOptions{})
	if err := w.SyncAll(ctx); err != nil {
		t.Fatal(err)
	}
	// 20 -> 14 -> 8: above min 5, nothing.
	for i, n := range []int64{6, 6} {
		mustAppend(t, s, issue("PN", n, "WO-"+string(rune('1'+i))))
		sync1(t, w)
	}
	if n := len(signals(t, s)); n != 0 {
		t.Fatalf("%d signals above the reorder point", n)
	}
	// 8 -> 4: at or below 5, one signal.
	mustAppend(t, s, issue("PN", 4, "WO-3"))
	sync1(t, w)
	got := signals(t, s)
	if len(got) != 1 {
		t.Fatalf("%d signals after the fall, want 1", len(got))
	}
	sg := got[0].Signal
	if sg.Position != (Position{Available: 4, Total: 4}) || sg.ReorderPoint != 5 || sg.OrderUpTo != 20 ||
		sg.SuggestedQty != 16 || sg.ArmedSeq != pol.Event.Seq || got[0].Actor != ReorderActor || got[0].Ref != "PN" {
		t.Fatalf("signal %+v", sg)
	}
	// 4 -> 2 -> 1 while open: no repeat, however often it is evaluated.
	mustAppend(t, s, issue("PN", 2, "WO-4"))
	sync1(t, w)
	mustAppend(t, s, issue("PN", 1, "WO-5"))
	sync1(t, w)
	if err := w.SyncAll(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(signals(t, s)); n != 1 {
		t.Fatalf("%d signals while open, want 1", n)
	}
	// A PO of 4 lifts the position to 1+4 = 5: not above 5, still open.
	mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 4}))
	sync1(t, w)
	st, err := s.ReorderPolicy("PN")
	if err != nil || st.Armed || st.OpenSignal != got[0].Seq {
		t.Fatalf("state after a partial cover: %+v %v", st, err)
	}
	// A PO of 15 lifts it to 20: the signal is covered and the part re-armed.
	mustAppend(t, s, poCmd("PO-2", 0, POLine{Line: 1, SKU: "PN", Qty: 15}))
	sync1(t, w)
	st, _ = s.ReorderPolicy("PN")
	if !st.Armed || st.Signals != 1 {
		t.Fatalf("state after cover: %+v", st)
	}
	recs, err := s.ReorderSignals(SignalFilter{})
	if err != nil || len(recs) != 1 || recs[0].Status != SignalCovered || recs[0].CoveredSeq != st.ArmedSeq {
		t.Fatalf("records after cover: %+v %v", recs, err)
	}
	if open, _ := s.ReorderSignals(SignalFilter{Status: SignalOpen}); len(open) != 0 {
		t.Fatalf("open signals after cover: %+v", open)
	}
	// Receiving moves quantity from on order to available: no signal.
	mustAppend(t, s, cmd(EvReceipt, "PO-2", Line{SKU: "PN", Qty: 15, To: "A"}))
	mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 4, To: "A"}))
	sync1(t, w)
	if n := len(signals(t, s)); n != 1 {
		t.Fatalf("%d signals after receipts", n)
	}
	// 20 -> 5: the re-armed part signals again, once.
	mustAppend(t, s, issue("PN", 15, "WO-6"))
	sync1(t, w)
	sync1(t, w)
	got = signals(t, s)
	if len(got) != 2 || got[1].Signal.ArmedSeq != st.ArmedSeq || got[1].Signal.SuggestedQty != 15 {
		t.Fatalf("second fall: %d signals, %+v", len(got), got[len(got)-1].Signal)
	}
	if open, _ := s.ReorderSignals(SignalFilter{Status: SignalOpen, SKU: "PN"}); len(open) != 1 || open[0].Seq != got[1].Seq {
		t.Fatalf("open signals: %+v", open)
	}
}

// TestReorderSignalAfterRestart: the issue that takes a part to its
// reorder point commits, then the process dies before any signal is
// written. Reopening the store and starting a watcher raises it, once; a
// second restart raises nothing more.
func TestReorderSignalAfterRestart(t *testing.T) {
	dir := t.TempDir()
	clock := &fixedClock{t: mustTime(t, "2026-03-01T08:00:00Z")}
	open := func() *Store {
		s, err := Open(Options{Dir: dir, Depot: "D1", Clock: clock, GCInterval: -1})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	s := open()
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &Part{SKU: "PN"}})
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &Location{Code: "A"}})
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 10, To: "A"}))
	mustAppend(t, s, minmax("PN", 3, 10))
	mustAppend(t, s, issue("PN", 8, "WO-1"))
	// No watcher ran: the crash came between the issue and its signal.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for round := 1; round <= 2; round++ {
		s = open()
		if err := NewReorderWatcher(s, ReorderWatchOptions{}).SyncAll(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := signals(t, s)
		if len(got) != 1 || got[0].Signal.Position.Total != 2 {
			t.Fatalf("round %d: %d signals %+v", round, len(got), got)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestReorderSignalRacingWatchers: watchers evaluating the same part at
// once (a restart overlapping a slow pass) still raise one signal.
func TestReorderSignalRacingWatchers(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}))
	mustAppend(t, s, minmax("PN", 5, 10))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- NewReorderWatcher(s, ReorderWatchOptions{}).SyncAll(context.Background())
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := len(signals(t, s)); n != 1 {
		t.Fatalf("%d signals from racing watchers, want 1", n)
	}
}

// TestReorderPositionTerms: stock and van count as available, quarantine
// and reserved stock do not; open orders' short quantities are on order;
// inbound transfers are what announced transfers hold in transit here until
// they are closed for receipt.
func TestReorderPositionTerms(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 4, To: "A"}))
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 7, To: "Q"}))
	mustAppend(t, s, cmd(EvMove, "", Line{SKU: "PN", Qty: 1, From: "A", To: "VAN"}))
	mustAppend(t, s, cmd(EvReserve, "WO-1", Line{SKU: "PN", Qty: 1, Location: "A"}))
	mustAppend(t, s, poCmd("PO-1", 0, POLine{Line: 1, SKU: "PN", Qty: 5}))
	mustAppend(t, s, cmd(EvReceipt, "PO-1", Line{SKU: "PN", Qty: 2, To: "Q"}))
	mustAppend(t, s, poCmd("PO-2", 0, POLine{Line: 1, SKU: "PN", Qty: 9}))
	mustAppend(t, s, closeCmd("PO-2", "cancelled"))
	p, err := s.Position("PN")
	// A: 3 on hand, 1 reserved = 2; VAN 1; PO-1 short 3; PO-2 closed.
	if err != nil || p != (Position{Available: 3, OnOrder: 3, Total: 6}) {
		t.Fatalf("position %+v %v", p, err)
	}
	// Another depot ships 3; the manifest is announced here into transit.
	mustAppend(t, s, Command{Type: EvTransferAnnounced, Actor: "hq", Ref: "T-9",
		Transfer: &Transfer{Number: "T-9", From: "S", To: "D1", Lines: []TransferLine{{SKU: "PN", Qty: 3}}},
		Shipment: &Shipment{SSCC: "006141411234567890", Lines: []ShipmentLine{{SKU: "PN", Qty: 3}}}})
	p, err = s.Position("PN")
	if err != nil || p != (Position{Available: 3, OnOrder: 3, Inbound: 3, Total: 9}) {
		t.Fatalf("position with a transfer on its way %+v %v", p, err)
	}
	mustAppend(t, s, minmax("PN", 8, 20))
	if err := NewReorderWatcher(s, ReorderWatchOptions{}).SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(signals(t, s)); n != 0 {
		t.Fatal("6 + 3 inbound = 9 is above min 8: no signal")
	}
	// One unit arrives and the transfer is closed one short: the short is
	// lost, not coming, so the position falls to 7 and the part signals.
	mustAppend(t, s, cmd(EvTransferReceived, "T-9", Line{SKU: "PN", Qty: 2, From: "TRANSIT-T-9", To: "B"}))
	mustAppend(t, s, Command{Type: EvTransferClosed, Actor: "sk", Ref: "T-9"})
	if err := NewReorderWatcher(s, ReorderWatchOptions{}).SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := signals(t, s)
	if len(got) != 1 || got[0].Signal.Position != (Position{Available: 5, OnOrder: 3, Total: 8}) || got[0].Signal.SuggestedQty != 12 {
		t.Fatalf("signals %+v", got)
	}
}

// TestReorderDerivedFromIssueHistory issues week12 (reorder_math_test.go)
// week by week with the store's clock, then evaluates in week 13: the
// watcher buckets the issues into the same series, so the derived reorder
// point is the hand-worked 6 (SBA, alpha = beta = 0.2, 14 days, 95%).
func TestReorderDerivedFromIssueHistory(t *testing.T) {
	// The clock only moves forward: the store's hybrid clock would not
	// stamp an event earlier than the one before it.
	clock := &fixedClock{t: mustTime(t, "2026-01-02T10:00:00Z")}
	s := openTest(t, clock)
	mustAppend(t, s, Command{Type: EvPartDefined, Actor: "admin", Part: &Part{SKU: "PN"}})
	mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "admin", Location: &Location{Code: "A"}})
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 16, To: "A"}))
	// An issue the week before the window must not count.
	mustAppend(t, s, issue("PN", 1, "WO-old"))
	// This watcher starts before any policy: it learns PN's history when
	// the rop policy arrives (a backfill). A second one, started after,
	// reads it at start. Both must see week12.
	early := NewReorderWatcher(s, ReorderWatchOptions{})
	if err := early.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	start := mustTime(t, "2026-01-05T09:00:00Z") // a Monday
	for wk, n := range week12 {
		if n == 0 {
			continue
		}
		// Mid-week, split in two issues to show buckets sum.
		clock.set(start.AddDate(0, 0, 7*wk+2))
		mustAppend(t, s, issue("PN", n-1, "WO-a"+ftoa(float64(wk))))
		mustAppend(t, s, issue("PN", 1, "WO-b"+ftoa(float64(wk))))
	}
	// 16 - 1 - 9 = 6 available. Week 13 starts 2026-03-30.
	clock.set(mustTime(t, "2026-03-30T12:00:00Z"))
	mustAppend(t, s, policyCmd(ReorderPolicy{SKU: "PN", Method: MethodROP, ROP: ROPDerived, LeadTimeDays: 14,
		ServiceLevel: 0.95, Forecast: ForecastSBA, Alpha: 0.2, Beta: 0.2, HistoryPeriods: 12}))
	sync1(t, early)
	late := NewReorderWatcher(s, ReorderWatchOptions{})
	if err := late.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	st, err := s.ReorderPolicy("PN")
	if err != nil {
		t.Fatal(err)
	}
	if h := late.history(st.Policy, clock.Now()); !slices.Equal(h, week12) {
		t.Fatalf("history read at start %v, want %v", h, week12)
	}
	got := signals(t, s)
	if len(got) != 1 {
		t.Fatalf("%d signals, want 1", len(got))
	}
	sg := got[0].Signal
	if sg.ReorderPoint != 6 || sg.OrderUpTo != 8 || sg.SuggestedQty != 2 || sg.Position.Total != 6 || sg.Demand == nil {
		t.Fatalf("signal %+v", sg)
	}
	for i, n := range week12 {
		if sg.Demand.Demand[i] != n {
			t.Fatalf("bucketed history %v, want %v", sg.Demand.Demand, week12)
		}
	}
	near(t, "rate", sg.Demand.Estimate.Rate, 0.8658227848, 1e-9)
}

// TestReorderRefusals: every refused policy or signal writes nothing.
func TestReorderRefusals(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}))
	ok := ReorderPolicy{SKU: "PN", Method: MethodROP, ROP: ROPDerived, LeadTimeDays: 7}
	pol := func(f func(p *ReorderPolicy)) Command { p := ok; f(&p); return policyCmd(p) }
	sig := func(f func(sg *ReorderSignal)) Command {
		sg := ReorderSignal{SKU: "PN", Method: MethodMinMax, Position: Position{Available: 3, Total: 3},
			ReorderPoint: 5, OrderUpTo: 10, SuggestedQty: 7}
		f(&sg)
		return Command{Type: EvReorderSignal, Actor: ReorderActor, Signal: &sg}
	}
	rearm := func(f func(sg *ReorderSignal)) Command {
		c := sig(func(sg *ReorderSignal) { sg.Position = Position{Available: 9, Total: 9}; sg.SuggestedQty = 0; f(sg) })
		c.Type = EvReorderRearmed
		return c
	}
	cases := []struct {
		name  string
		c     Command
		code  Code
		field string
	}{
		{"no policy", Command{Type: EvReorderPolicySet, Actor: "planner"}, CodeInvalid, "policy"},
		{"policy with lines", func() Command { c := pol(func(*ReorderPolicy) {}); c.Lines = []Line{{SKU: "PN", Qty: 1}}; return c }(), CodeInvalid, "lines"},
		{"policy on a receipt", Command{Type: EvReceipt, Actor: "sk", Policy: &ok, Lines: []Line{{SKU: "PN", Qty: 1, To: "A"}}}, CodeInvalid, "policy"},
		{"signal on a policy", func() Command { c := pol(func(*ReorderPolicy) {}); c.Signal = &ReorderSignal{}; return c }(), CodeInvalid, "signal"},
		{"ref differs", func() Command { c := pol(func(*ReorderPolicy) {}); c.Ref = "PL"; return c }(), CodeInvalid, "ref"},
		{"no sku", pol(func(p *ReorderPolicy) { p.SKU = "" }), CodeInvalid, "policy.sku"},
		{"bad method", pol(func(p *ReorderPolicy) { p.Method = "eoq" }), CodeInvalid, "policy.method"},
		{"minmax max not above min", policyCmd(ReorderPolicy{SKU: "PN", Method: MethodMinMax, Min: 5, Max: 5}), CodeInvalid, "policy.max"},
		{"minmax with rop", policyCmd(ReorderPolicy{SKU: "PN", Method: MethodMinMax, Min: 1, Max: 5, ReorderPoint: 2}), CodeInvalid, "policy.rop"},
		{"negative min", policyCmd(ReorderPolicy{SKU: "PN", Method: MethodMinMax, Min: -1, Max: 5}), CodeInvalid, "policy.min"},
		{"huge max", policyCmd(ReorderPolicy{SKU: "PN", Method: MethodMinMax, Max: MaxQuantity + 1}), CodeInvalid, "policy.max"},
		{"rop with min", pol(func(p *ReorderPolicy) { p.Min = 2 }), CodeInvalid, "policy.min"},
		{"rop mode missing", pol(func(p *ReorderPolicy) { p.ROP = "" }), CodeInvalid, "policy.rop"},
		{"derived with a stated point", pol(func(p *ReorderPolicy) { p.ReorderPoint = 4 }), CodeInvalid, "policy.reorderPoint"},
		{"derived without lead time", pol(func(p *ReorderPolicy) { p.LeadTimeDays = 0 }), CodeInvalid, "policy.leadTimeDays"},
		{"negative lead time", pol(func(p *ReorderPolicy) { p.LeadTimeDays = -1 }), CodeInvalid, "policy.leadTimeDays"},
		{"negative review", pol(func(p *ReorderPolicy) { p.ReviewPeriodDays = -7 }), CodeInvalid, "policy.reviewPeriodDays"},
		{"max under fixed rop", pol(func(p *ReorderPolicy) { p.ROP, p.ReorderPoint, p.Max = ROPFixed, 9, 9 }), CodeInvalid, "policy.max"},
		{"service level 100%", pol(func(p *ReorderPolicy) { p.ServiceLevel = 1 }), CodeInvalid, "policy.serviceLevel"},
		{"service level 40%", pol(func(p *ReorderPolicy) { p.ServiceLevel = 0.4 }), CodeInvalid, "policy.serviceLevel"},
		{"bad forecast", pol(func(p *ReorderPolicy) { p.Forecast = "ses" }), CodeInvalid, "policy.forecast"},
		{"alpha above 1", pol(func(p *ReorderPolicy) { p.Alpha = 1.5 }), CodeInvalid, "policy.alpha"},
		{"negative beta", pol(func(p *ReorderPolicy) { p.Beta = -0.1 }), CodeInvalid, "policy.beta"},
		{"negative period", pol(func(p *ReorderPolicy) { p.PeriodDays = -1 }), CodeInvalid, "policy.periodDays"},
		{"history too short", pol(func(p *ReorderPolicy) { p.HistoryPeriods = 2 }), CodeInvalid, "policy.historyPeriods"},
		{"unknown part", pol(func(p *ReorderPolicy) { p.SKU = "NOPE" }), CodeUnknownPart, "policy.sku"},
		{"signal without policy", sig(func(*ReorderSignal) {}), CodeNotFound, "signal.sku"},
		{"signal above rop", sig(func(sg *ReorderSignal) { sg.ReorderPoint = 2 }), CodeInvalid, "signal.position"},
		{"signal total wrong", sig(func(sg *ReorderSignal) { sg.Position.Total = 1 }), CodeInvalid, "signal.position.total"},
		{"signal qty 0", sig(func(sg *ReorderSignal) { sg.SuggestedQty = 0 }), CodeInvalid, "signal.suggestedQty"},
		{"signal bad method", sig(func(sg *ReorderSignal) { sg.Method = "x" }), CodeInvalid, "signal.method"},
		{"signal with signalSeq", sig(func(sg *ReorderSignal) { sg.SignalSeq = 3 }), CodeInvalid, "signal.signalSeq"},
		{"rearm still short", rearm(func(sg *ReorderSignal) { sg.Position = Position{Available: 5, Total: 5} }), CodeInvalid, "signal.position"},
		{"rearm with armedSeq", rearm(func(sg *ReorderSignal) { sg.ArmedSeq = 1 }), CodeInvalid, "signal.armedSeq"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantRefusedOn(t, s, tc.c, tc.code, tc.field) })
	}
	// With a policy in place: a signal naming another arming is stale, a
	// re-arming of an armed part is stale, and once a signal is open a
	// second one is refused.
	p := mustAppend(t, s, minmax("PN", 5, 10))
	t.Run("stale arming", func(t *testing.T) {
		wantRefusedOn(t, s, sig(func(sg *ReorderSignal) { sg.ArmedSeq = p.Event.Seq - 1 }), CodeSignalStale, "signal.armedSeq")
	})
	t.Run("rearm while armed", func(t *testing.T) {
		wantRefusedOn(t, s, rearm(func(sg *ReorderSignal) { sg.SignalSeq = 1 }), CodeSignalStale, "signal.signalSeq")
	})
	first := mustAppend(t, s, sig(func(sg *ReorderSignal) { sg.ArmedSeq = p.Event.Seq }))
	t.Run("second signal while open", func(t *testing.T) {
		wantRefusedOn(t, s, sig(func(sg *ReorderSignal) { sg.ArmedSeq = p.Event.Seq }), CodeSignalOpen, "signal.sku")
	})
	t.Run("rearm of another signal", func(t *testing.T) {
		wantRefusedOn(t, s, rearm(func(sg *ReorderSignal) { sg.SignalSeq = first.Event.Seq + 1 }), CodeSignalStale, "signal.signalSeq")
	})
	if n := len(signals(t, s)); n != 1 {
		t.Fatalf("%d signals", n)
	}
}

// TestReorderPolicyChangeKeepsSignal: changing a policy records a new
// policy but neither re-arms an open signal nor forgets it.
func TestReorderPolicyChangeKeepsSignal(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}))
	mustAppend(t, s, minmax("PN", 5, 10))
	w := NewReorderWatcher(s, ReorderWatchOptions{})
	if err := w.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	second := mustAppend(t, s, minmax("PN", 4, 12))
	sync1(t, w)
	st, err := s.ReorderPolicy("PN")
	if err != nil || st.Armed || st.PolicySeq != second.Event.Seq || st.Policy.Min != 4 || st.Signals != 1 {
		t.Fatalf("state %+v %v", st, err)
	}
	// Lowering min under the position re-arms through the watcher.
	mustAppend(t, s, minmax("PN", 2, 12))
	sync1(t, w)
	if st, _ = s.ReorderPolicy("PN"); !st.Armed {
		t.Fatalf("min 2 under position 3 should re-arm: %+v", st)
	}
	if list, err := s.ReorderPolicies(Page{}); err != nil || len(list) != 1 || list[0].SKU != "PN" {
		t.Fatalf("policies %+v %v", list, err)
	}
	if _, err := s.ReorderPolicy("PL"); CodeOf(err) != CodeNotFound {
		t.Fatalf("no policy for PL: %v", err)
	}
	_ = signals(t, s)
}

// TestReorderWatcherRun: Run evaluates at start, follows new events, and
// returns when its context ends.
func TestReorderWatcherRun(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}))
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PL", Lot: "L1", Qty: 9, To: "A"}))
	mustAppend(t, s, minmax("PN", 5, 10))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- NewReorderWatcher(s, ReorderWatchOptions{Interval: 5 * time.Millisecond}).Run(ctx) }()
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("no %s in 10 s", what)
			}
		}
	}
	count := func(sku string) int {
		recs, err := s.ReorderSignals(SignalFilter{SKU: sku})
		if err != nil {
			t.Fatal(err)
		}
		return len(recs)
	}
	waitFor("start-up signal for PN", func() bool { return count("PN") == 1 })
	mustAppend(t, s, policyCmd(ReorderPolicy{SKU: "PL", Method: MethodROP, ROP: ROPFixed, ReorderPoint: 4, Max: 12}))
	mustAppend(t, s, cmd(EvIssue, "WO-1", Line{SKU: "PL", Lot: "L1", Qty: 5, From: "A"}))
	waitFor("signal for PL", func() bool { return count("PL") == 1 })
	cancel()
	if err := <-done; err != context.Canceled {
		t.Fatalf("Run returned %v", err)
	}
	got := signals(t, s)
	if len(got) != 2 || got[1].Signal.Demand == nil || got[1].Signal.SuggestedQty != 8 {
		t.Fatalf("signals %+v", got)
	}
}

// TestReorderVerifyCatchesTampering: Verify rebuilds reorder states and
// signal records from the log, so an edited or invented record shows.
func TestReorderVerifyCatchesTampering(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(txn *badger.Txn) error
	}{
		{"re-armed by hand", func(txn *badger.Txn) error {
			return txn.Set(reorderKey("PN"), []byte(`{"sku":"PN","policy":{"sku":"PN","method":"minmax","min":5,"max":10},"policySeq":9,"armed":true,"armedSeq":9,"signals":1}`))
		}},
		{"signal record deleted", func(txn *badger.Txn) error {
			it := txn.NewIterator(badger.IteratorOptions{Prefix: signalPrefix})
			defer it.Close()
			it.Rewind()
			return txn.Delete(it.Item().KeyCopy(nil))
		}},
		{"signal invented", func(txn *badger.Txn) error { return txn.Set(signalKey(999), []byte(`{"seq":999}`)) }},
		{"state of a part without policy", func(txn *badger.Txn) error { return txn.Set(reorderKey("PS"), []byte(`{"sku":"PS"}`)) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := seeded(t)
			mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 3, To: "A"}))
			mustAppend(t, s, minmax("PN", 5, 10))
			if err := NewReorderWatcher(s, ReorderWatchOptions{}).SyncAll(context.Background()); err != nil {
				t.Fatal(err)
			}
			_ = signals(t, s) // verifies clean before the edit
			if err := s.db.Update(tc.edit); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Verify(context.Background(), nil)
			if err != nil || rep.OK || !strings.Contains(strings.Join(rep.Problems, "\n"), "reorder") {
				t.Fatalf("verify after %s: %v %+v", tc.name, err, rep.Problems)
			}
		})
	}
}

// TestReorderInboundOrderRearms: HQ's transfer order arriving at the
// destination (a transfer-requested with no lines of its own) raises the
// position, so the next pass re-arms the part without another event
// touching it.
func TestReorderInboundOrderRearms(t *testing.T) {
	s := seeded(t)
	mustAppend(t, s, cmd(EvReceipt, "", Line{SKU: "PN", Qty: 4, To: "A"}))
	mustAppend(t, s, minmax("PN", 5, 20))
	w := NewReorderWatcher(s, ReorderWatchOptions{})
	if err := w.SyncAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(signals(t, s)); n != 1 {
		t.Fatalf("%d signals at 4 <= 5, want 1", n)
	}
	order := mustAppend(t, s, Command{Type: EvTransferRequested, Actor: "hq.planner", Transfer: &Transfer{
		Number: "HQ-1", From: "D9", To: s.Depot(), Lines: []TransferLine{{SKU: "PN", Qty: 16}}}})
	if n, err := w.Sync(context.Background()); err != nil || n != 1 {
		t.Fatalf("the inbound order touched %d parts (%v), want 1", n, err)
	}
	st, err := s.ReorderPolicy("PN")
	if err != nil || !st.Armed || st.ArmedSeq <= order.Event.Seq {
		t.Fatalf("after the inbound order of 16 (position 20): %+v %v", st, err)
	}
}
