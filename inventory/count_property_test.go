package inventory

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// countModel extends the property test's model with count sessions, kept
// as naively as the rest of it: maps of what was expected and counted per
// bin, and the adjustments worked out line by line at approval.
type countModel struct {
	m        *model
	step     uint64 // accepted events so far, in the order the store gives them seqs
	touched  map[[2]string]uint64
	sessions map[string]*modelSession
}

type modelSession struct {
	bins, parts []string // nil: any
	counters    []string
	approved    bool
	countedBy   map[string]bool
	counts      map[string]*modelBinCount    // bin -> current count
	serials     map[[2]string]modelCountedSN // sku, serial -> where and when counted
}

type modelBinCount struct {
	expected, counted map[[3]string]int64 // sku, lot, serial -> qty
}

type modelCountedSN struct {
	bin  string
	step uint64
}

func (s *modelSession) clone() *modelSession {
	c := *s
	c.countedBy = cloneMap(s.countedBy)
	c.serials = cloneMap(s.serials)
	c.counts = map[string]*modelBinCount{}
	for b, bc := range s.counts {
		c.counts[b] = &modelBinCount{cloneMap(bc.expected), cloneMap(bc.counted)}
	}
	return &c
}

func inList(list []string, s string) bool { return list == nil || slices.Contains(list, s) }

// apply decides a command the way the design says; stock commands go to
// the stock model. It returns "" when the command must be accepted.
func (cm *countModel) apply(c Command) Code {
	var code Code
	switch {
	case c.Type == EvCountOpened:
		code = cm.open(c)
	case c.Type == EvCountEntered:
		code = cm.enter(c)
	case c.Type == EvCountRecount:
		code = cm.recount(c)
	case c.Type == EvCountAdjustment && c.Count != nil:
		code = cm.approve(c)
	default:
		if code = cm.m.apply(c); code == "" {
			cm.touch(c.Lines)
		}
	}
	if code == "" {
		cm.step++
	}
	return code
}

func (cm *countModel) touch(lines []Line) {
	for _, l := range lines {
		for _, sn := range l.Serials {
			cm.touched[[2]string{l.SKU, sn}] = cm.step + 1
		}
	}
}

func (cm *countModel) open(c Command) Code {
	s := c.Count.Session
	if cm.sessions[s.Number] != nil {
		return CodeDocumentExists
	}
	ms := &modelSession{counters: s.Counters, countedBy: map[string]bool{}, counts: map[string]*modelBinCount{},
		serials: map[[2]string]modelCountedSN{}}
	if s.Scope.Bins != nil {
		for _, b := range s.Scope.Bins {
			kind, ok := modelLocs[b]
			switch {
			case !ok:
				return CodeUnknownLocation
			case kind == KindTransit:
				return CodeLocationKind
			}
		}
		ms.bins = s.Scope.Bins
	}
	if s.Scope.Parts != nil {
		for _, p := range s.Scope.Parts {
			if _, ok := modelParts[p]; !ok {
				return CodeUnknownPart
			}
		}
		ms.parts = s.Scope.Parts
	}
	cm.sessions[s.Number] = ms
	return ""
}

func (cm *countModel) session(ref string) (*modelSession, Code) {
	s := cm.sessions[ref]
	switch {
	case s == nil:
		return nil, CodeNotFound
	case s.approved:
		return nil, CodeDocumentClosed
	}
	return s, ""
}

func (cm *countModel) enter(c Command) Code {
	e := c.Count.Entry
	seen := map[[2]string]bool{}
	for _, it := range e.Items {
		for _, sn := range it.Serials {
			if seen[[2]string{it.SKU, sn}] {
				return CodeAlreadyCounted
			}
			seen[[2]string{it.SKU, sn}] = true
		}
	}
	s, code := cm.session(c.Ref)
	if code != "" {
		return code
	}
	if len(s.counters) > 0 && !slices.Contains(s.counters, c.Actor) {
		return CodeNotCounter
	}
	kind, ok := modelLocs[e.Bin]
	switch {
	case !ok:
		return CodeUnknownLocation
	case kind == KindTransit:
		return CodeLocationKind
	case !inList(s.bins, e.Bin):
		return CodeNotInScope
	}
	for _, it := range e.Items {
		tr, ok := modelParts[it.SKU]
		switch {
		case !ok:
			return CodeUnknownPart
		case !inList(s.parts, it.SKU):
			return CodeNotInScope
		case tr == TrackSerial && (len(it.Serials) == 0 || it.Lot != ""),
			tr == TrackLot && (it.Lot == "" || len(it.Serials) > 0),
			tr == TrackNone && (it.Lot != "" || len(it.Serials) > 0):
			return CodeTracking
		}
		for _, sn := range it.Serials {
			if was, ok := s.serials[[2]string{it.SKU, sn}]; ok && cm.touched[[2]string{it.SKU, sn}] <= was.step {
				return CodeAlreadyCounted
			}
		}
	}
	bc := s.counts[e.Bin]
	if bc == nil {
		bc = &modelBinCount{expected: map[[3]string]int64{}, counted: map[[3]string]int64{}}
		for k, q := range cm.m.bal {
			if k.Loc == e.Bin && q.OnHand != 0 && inList(s.parts, k.SKU) {
				bc.expected[[3]string{k.SKU, k.Lot, k.Serial}] = q.OnHand
			}
		}
		s.counts[e.Bin] = bc
	}
	for _, it := range e.Items {
		if len(it.Serials) == 0 {
			bc.counted[[3]string{it.SKU, it.Lot, ""}] += it.Qty
		}
		for _, sn := range it.Serials {
			bc.counted[[3]string{it.SKU, it.Lot, sn}]++
			s.serials[[2]string{it.SKU, sn}] = modelCountedSN{e.Bin, cm.step + 1}
		}
	}
	s.countedBy[c.Actor] = true
	return ""
}

func (cm *countModel) recount(c Command) Code {
	s, code := cm.session(c.Ref)
	if code != "" {
		return code
	}
	for _, b := range c.Count.Recount {
		if s.counts[b] == nil {
			return CodeNotCounted
		}
	}
	for _, b := range c.Count.Recount {
		for k := range s.counts[b].counted {
			if k[2] != "" && s.serials[[2]string{k[0], k[2]}].bin == b {
				delete(s.serials, [2]string{k[0], k[2]})
			}
		}
		delete(s.counts, b)
	}
	return ""
}

// approve works the adjustments out one unit of variance at a time and
// books them through the stock model, takings-out first, in the order the
// design gives (part, location, lot).
func (cm *countModel) approve(c Command) Code {
	s, code := cm.session(c.Ref)
	if code != "" {
		return code
	}
	if s.countedBy[c.Actor] {
		return CodeApproverCounted
	}
	if len(s.counts) == 0 {
		return CodeNotCounted
	}
	type adj struct {
		sku, loc, lot, serial string
		qty                   int64
	}
	var outs, ins []adj
	where := func(sku, sn string) (balKey, bool) { k, ok := cm.m.serialAt[[2]string{sku, sn}]; return k, ok }
	relocated := map[[2]string]bool{}
	bins := slices.Sorted(func(yield func(string) bool) {
		for b := range s.counts {
			if !yield(b) {
				return
			}
		}
	})
	for _, b := range bins {
		bc := s.counts[b]
		keys := map[[3]string]bool{}
		for k := range bc.expected {
			keys[k] = true
		}
		for k := range bc.counted {
			keys[k] = true
		}
		for k := range keys {
			v := bc.counted[k] - bc.expected[k]
			switch {
			case v == 0:
			case k[2] == "" && v < 0:
				outs = append(outs, adj{k[0], b, k[1], "", v})
			case k[2] == "":
				ins = append(ins, adj{k[0], b, k[1], "", v})
			case v > 0:
				now, ok := where(k[0], k[2])
				switch {
				case ok && now.Loc == b:
				case ok:
					outs = append(outs, adj{k[0], now.Loc, now.Lot, k[2], -1})
					ins = append(ins, adj{k[0], b, now.Lot, k[2], 1})
					relocated[[2]string{k[0], k[2]}] = true
				default:
					ins = append(ins, adj{k[0], b, k[1], k[2], 1})
				}
			}
		}
	}
	for _, b := range bins {
		bc := s.counts[b]
		for k, q := range bc.expected {
			if k[2] == "" || bc.counted[k]-q >= 0 || relocated[[2]string{k[0], k[2]}] {
				continue
			}
			if now, ok := where(k[0], k[2]); ok && now.Loc == b {
				outs = append(outs, adj{k[0], b, now.Lot, k[2], -1})
			}
		}
	}
	order := func(a, b adj) int {
		return cmp.Or(cmp.Compare(a.sku, b.sku), cmp.Compare(a.loc, b.loc), cmp.Compare(a.lot, b.lot), cmp.Compare(a.serial, b.serial))
	}
	slices.SortFunc(outs, order)
	slices.SortFunc(ins, order)
	var lines []Line
	for _, a := range append(outs, ins...) {
		l := Line{SKU: a.sku, Location: a.loc, Lot: a.lot, Qty: a.qty}
		if a.serial != "" {
			l.Serials = []string{a.serial}
		}
		lines = append(lines, l)
	}
	if code := cm.m.apply(Command{Type: EvCountAdjustment, Lines: lines}); code != "" {
		return code
	}
	cm.touch(lines)
	s.approved = true
	return ""
}

var countActors = []string{"c1", "c2", "sup"}

func randomCountCommand(r *rand.Rand) Command {
	number := []string{"C1", "C2"}[r.IntN(2)]
	bins := []string{"BIN1", "BIN2", "QUA", "DEF", "VAN"}
	switch r.IntN(10) {
	case 0, 3:
		sc := CountScope{}
		switch r.IntN(3) {
		case 0:
			sc.Bins = []string{bins[r.IntN(5)]}
			if r.IntN(2) == 0 {
				sc.Bins = append(sc.Bins, []string{"BIN2", "TR", "NOPE"}[r.IntN(3)])
			}
			if sc.Bins[0] == sc.Bins[len(sc.Bins)-1] && len(sc.Bins) == 2 {
				sc.Bins = sc.Bins[:1]
			}
		case 1:
			sc.Parts = [][]string{{"PS"}, {"PN", "PL"}, {"PX"}}[r.IntN(3)]
		default:
			sc.Bins = slices.Clone(bins)
		}
		s := &CountSession{Number: number, Scope: sc}
		if r.IntN(3) == 0 {
			s.Counters = []string{"c1"}
		}
		return Command{Type: EvCountOpened, Actor: "sup", Ref: number, Count: &CountPayload{Session: s}}
	case 1:
		return Command{Type: EvCountRecount, Actor: "sup", Ref: number, Count: &CountPayload{Recount: []string{bins[r.IntN(5)]}}}
	case 2:
		return Command{Type: EvCountAdjustment, Actor: []string{"sup", "boss", "c1"}[r.IntN(3)], Ref: number,
			Count: &CountPayload{Approve: true}}
	}
	e := &CountEntry{Bin: append(bins, "TR", "NOPE")[r.IntN(7)], Source: "scan"}
	if r.IntN(6) > 0 {
		e.Bin = bins[r.IntN(3)]
	}
	for range r.IntN(3) {
		it := CountItem{SKU: []string{"PN", "PL", "PS", "PX"}[r.IntN(4)], Qty: int64(1 + r.IntN(4))}
		switch {
		case it.SKU == "PL" || (it.SKU == "PN" && r.IntN(20) == 0):
			it.Lot = []string{"L1", "L2", "L9"}[r.IntN(3)]
		case it.SKU == "PS" && r.IntN(15) > 0:
			it.Qty = int64(1 + r.IntN(2))
			for _, i := range r.Perm(8)[:it.Qty] {
				it.Serials = append(it.Serials, fmt.Sprintf("S%d", i))
			}
		}
		e.Items = append(e.Items, it)
	}
	return Command{Type: EvCountEntered, Actor: countActors[r.IntN(3)], Ref: number, Count: &CountPayload{Entry: e}}
}

// TestPropertyCountSequences mixes count sessions into random stock work:
// the store must agree with the model on every answer, every balance, and
// every variance a session reports, and Verify must pass after each step.
func TestPropertyCountSequences(t *testing.T) {
	n := *propSeqs / 4
	if n == 0 {
		n = propRuns(200, 60)
	}
	seed := propRunSeed(t)
	base := propDir(t)
	ctx := context.Background()
	accepted, refused, adjusted := 0, map[Code]int{}, 0
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		dir := fmt.Sprintf("%s/%d", base, i)
		s := propOpen(t, dir)
		defineModelCatalog(t, s)
		cm := &countModel{m: newModel(), touched: map[[2]string]uint64{}, sessions: map[string]*modelSession{}}
		for op := range 30 + r.IntN(30) {
			c := randomCommand(r)
			if r.IntN(2) == 0 {
				c = randomCountCommand(r)
			}
			before := s.Head()
			// The model decides on copies: a refused command changes nothing.
			saved := map[string]*modelSession{}
			for k, v := range cm.sessions {
				saved[k] = v.clone()
			}
			want := cm.apply(c)
			if want != "" {
				cm.sessions = saved
			}
			res, err := s.Append(ctx, c)
			where := fmt.Sprintf("seed %d seq %d op %d %s %s %+v", seed, i, op, c.Type, c.Ref, c.Count)
			if err == nil && c.Count != nil && c.Count.Approve && len(res.Event.Lines) > 0 {
				adjusted++
			}
			wantModelAnswer(t, s, before, err, want, where)
			if err != nil {
				refused[want]++
			} else {
				accepted++
			}
			checkAgainstModel(t, s, cm.m, where)
			checkCountsAgainstModel(t, s, cm, where)
			if rep, err := s.Verify(ctx, nil); err != nil || !rep.OK {
				t.Fatalf("%s: verify: %v %v", where, err, rep.Problems)
			}
		}
		propClose(t, s, dir)
	}
	t.Logf("%d sequences: %d accepted (%d approvals that adjusted), refused %v", n, accepted, adjusted, refused)
	if adjusted < n/10 {
		t.Errorf("only %d approvals adjusted stock", adjusted)
	}
	for _, c := range []Code{CodeDocumentExists, CodeDocumentClosed, CodeNotFound, CodeNotCounter, CodeNotInScope, CodeAlreadyCounted,
		CodeApproverCounted, CodeNotCounted, CodeUnknownLocation, CodeLocationKind, CodeUnknownPart, CodeTracking} {
		if refused[c] == 0 && n >= 50 {
			t.Errorf("no command was refused with %s: the generator misses a rule", c)
		}
	}
}

// checkCountsAgainstModel compares each session's variances with the
// model's expected-minus-counted.
func checkCountsAgainstModel(t *testing.T, s *Store, cm *countModel, where string) {
	t.Helper()
	for number, ms := range cm.sessions {
		rep, err := s.CountReport(number)
		if err != nil {
			t.Fatalf("%s: session %s: %v", where, number, err)
		}
		if (rep.Status == CountApproved) != ms.approved || len(rep.CountedBins) != len(ms.counts) {
			t.Fatalf("%s: session %s: store %+v, model %d bins approved %v", where, number, rep.CountState, len(ms.counts), ms.approved)
		}
		want := map[[4]string]int64{}
		for b, bc := range ms.counts {
			for k, q := range bc.expected {
				want[[4]string{b, k[0], k[1], k[2]}] -= q
			}
			for k, q := range bc.counted {
				want[[4]string{b, k[0], k[1], k[2]}] += q
			}
		}
		for k, v := range want {
			if v == 0 {
				delete(want, k)
			}
		}
		got := map[[4]string]int64{}
		for _, v := range rep.Variances {
			got[[4]string{v.Bin, v.SKU, v.Lot, v.Serial}] = v.Variance
		}
		if len(got) != len(want) {
			t.Fatalf("%s: session %s variances: store %v, model %v", where, number, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%s: session %s variances: store %v, model %v", where, number, got, want)
			}
		}
	}
}
