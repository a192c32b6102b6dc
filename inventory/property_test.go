package inventory

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
)

var (
	propSeqs = flag.Int("prop.seqs", 0, "random operation sequences in TestPropertyRandomSequences (0: 2000; 200 with -short or -race)")
	propSeed = flag.Uint64("prop.seed", 0, "seed for the property tests (0: random)")
)

// model is an independent, deliberately naive account of the ledger's rules:
// plain maps, no keys, no Badger. The store must agree with it on every
// answer (accept or refuse, and why) and on every balance.
type model struct {
	bal      map[balKey]qty
	serialAt map[[2]string]balKey
	lots     map[[2]string]string // sku, lot -> expiry ("" when it never expires)
	pos      map[string]*modelPO
}

// modelPO is a purchase order as the model keeps it.
type modelPO struct {
	closed bool
	tol    int64
	lines  []modelPOLine // in line-number order
}

type modelPOLine struct {
	line              int
	sku, lot          string
	ordered, received int64
}

func (o *modelPO) clone() *modelPO {
	c := *o
	c.lines = slices.Clone(o.lines)
	return &c
}

// receive counts qty of sku and lot against the order as the design says:
// lines expecting this lot fill first, then lines expecting none, each up
// to what it lacks; the excess lands on the first of them.
func (o *modelPO) receive(sku, lot string, q int64) Code {
	var fill []int
	onOrder := false
	for _, want := range []string{lot, ""} {
		for i, l := range o.lines {
			if l.sku != sku {
				continue
			}
			onOrder = true
			if l.lot == want && !slices.Contains(fill, i) {
				fill = append(fill, i)
			}
		}
	}
	if !onOrder {
		return CodeNotOnOrder
	}
	if len(fill) == 0 {
		return CodeWrongLot
	}
	for _, i := range fill {
		lack := o.lines[i].ordered - o.lines[i].received
		if lack > q {
			lack = q
		}
		if lack > 0 {
			o.lines[i].received += lack
			q -= lack
		}
	}
	o.lines[fill[0]].received += q
	return ""
}

func (o *modelPO) overTolerance(sku string) bool {
	var ordered, received int64
	for _, l := range o.lines {
		if l.sku == sku {
			ordered += l.ordered
			received += l.received
		}
	}
	return received*100 > ordered*(100+o.tol)
}

var modelParts = map[string]Tracking{"PN": TrackNone, "PL": TrackLot, "PS": TrackSerial}

var modelLocs = map[string]LocationKind{
	"BIN1": KindStock, "BIN2": KindStock, "QUA": KindQuarantine, "DEF": KindDefective, "VAN": KindVan, "TR": KindTransit,
}

// allowed is the rulebook as the design states it, written out by hand:
// which kinds each end of each event type may be.
var allowed = map[EventType]map[string][]LocationKind{
	EvReceipt:          {"to": {KindStock, KindQuarantine}},
	EvMove:             {"from": {KindStock, KindQuarantine, KindDefective, KindVan}, "to": {KindStock, KindQuarantine, KindDefective, KindVan}},
	EvReserve:          {"location": {KindStock, KindVan}},
	EvUnreserve:        {"location": {KindStock, KindVan}},
	EvIssue:            {"from": {KindStock, KindVan}},
	EvTransferShipped:  {"from": {KindStock, KindQuarantine, KindDefective}, "to": {KindTransit}},
	EvTransferReceived: {"from": {KindTransit}, "to": {KindStock, KindQuarantine, KindDefective}},
	EvCountAdjustment:  {"location": {KindStock, KindQuarantine, KindDefective, KindVan}},
	EvScrap:            {"from": {KindStock, KindQuarantine, KindDefective, KindVan}},
}

func (m *model) kindOK(t EventType, end string, l Line, loc string) bool {
	if t == EvReturn {
		if l.Condition == ConditionDefective {
			return modelLocs[loc] == KindDefective
		}
		return slices.Contains([]LocationKind{KindStock, KindQuarantine, KindVan}, modelLocs[loc])
	}
	return slices.Contains(allowed[t][end], modelLocs[loc])
}

// apply returns "" when the command must be accepted (and applies it), or
// the code the store must refuse it with (and changes nothing).
func (m *model) apply(c Command) Code {
	switch c.Type {
	case EvPOCreated:
		return m.createPO(c)
	case EvPOClosed:
		o := m.pos[c.Ref]
		switch {
		case o == nil:
			return CodeNotFound
		case o.closed:
			return CodeDocumentClosed
		}
		o.closed = true
		return ""
	}
	bal := cloneMap(m.bal)
	serialAt := cloneMap(m.serialAt)
	lots := cloneMap(m.lots)
	incoming := map[EventType]bool{EvReceipt: true, EvReturn: true, EvTransferReceived: true, EvCountAdjustment: true}[c.Type]
	for _, l := range c.Lines {
		for _, end := range []struct{ name, loc string }{{"from", l.From}, {"to", l.To}, {"location", l.Location}} {
			if end.loc != "" && !m.kindOK(c.Type, end.name, l, end.loc) {
				return CodeLocationKind
			}
		}
		switch modelParts[l.SKU] {
		case TrackSerial:
			if len(l.Serials) == 0 || l.Lot != "" {
				return CodeTracking
			}
		case TrackLot:
			if l.Lot == "" || len(l.Serials) > 0 {
				return CodeTracking
			}
			id := [2]string{l.SKU, l.Lot}
			expiry, known := lots[id]
			switch {
			case known && l.Expiry != "" && l.Expiry != expiry:
				return CodeLotExpiry
			case !known && (!incoming || l.Qty < 0):
				return CodeUnknownLot
			case !known:
				lots[id] = l.Expiry
			}
		default:
			if l.Lot != "" || len(l.Serials) > 0 {
				return CodeTracking
			}
		}
	}
	var po *modelPO
	if c.Type == EvReceipt && m.pos[c.Ref] != nil {
		po = m.pos[c.Ref].clone()
		if po.closed {
			return CodeDocumentClosed
		}
		today := time.Now().UTC().Format(time.DateOnly)
		for _, l := range c.Lines {
			if code := po.receive(l.SKU, l.Lot, l.Qty); code != "" {
				return code
			}
			// The expiry check sits between the lot and the tolerance
			// checks in the store; receive changed only po, a copy.
			if exp := lots[[2]string{l.SKU, l.Lot}]; l.Lot != "" && exp != "" && exp < today {
				return CodeLotExpired
			}
			if po.overTolerance(l.SKU) {
				return CodeOverTolerance
			}
		}
	}
	type change struct {
		loc      string
		on, res  int64
		line     Line
		isSerial bool
	}
	for _, l := range c.Lines {
		var ch []change
		q := l.Qty
		var rel int64
		if l.FromReserved {
			rel = -q
		}
		switch c.Type {
		case EvReceipt, EvReturn:
			ch = []change{{l.To, q, 0, l, false}}
		case EvMove, EvTransferShipped, EvTransferReceived:
			ch = []change{{l.From, -q, rel, l, false}, {l.To, q, 0, l, false}}
		case EvReserve:
			ch = []change{{l.Location, 0, q, l, false}}
		case EvUnreserve:
			ch = []change{{l.Location, 0, -q, l, false}}
		case EvIssue:
			ch = []change{{l.From, -q, rel, l, false}}
		case EvScrap:
			ch = []change{{l.From, -q, 0, l, false}}
		case EvCountAdjustment:
			ch = []change{{l.Location, q, 0, l, false}}
		}
		for _, x := range ch {
			units := []string{""}
			on, res := x.on, x.res
			if len(l.Serials) > 0 {
				units = l.Serials
				on, res = sign(on), sign(res)
			}
			for _, sn := range units {
				k := balKey{l.SKU, x.loc, l.Lot, sn}
				b := bal[k]
				b.OnHand += on
				b.Reserved += res
				switch {
				case b.OnHand < 0 && sn != "":
					return CodeSerialNotHere
				case b.Reserved < 0:
					return CodeInsufficientReserve
				case b.OnHand < b.Reserved:
					return CodeInsufficientStock
				case sn != "" && b.OnHand > 1:
					return CodeSerialConflict
				}
				if sn != "" {
					id := [2]string{l.SKU, sn}
					if on > 0 {
						if _, there := serialAt[id]; there {
							return CodeSerialConflict
						}
						serialAt[id] = k
					} else if on < 0 {
						delete(serialAt, id)
					}
				}
				bal[k] = b
			}
		}
	}
	m.bal, m.serialAt, m.lots = bal, serialAt, lots
	if po != nil {
		m.pos[c.Ref] = po
	}
	return ""
}

func (m *model) createPO(c Command) Code {
	o := c.Order
	seen := map[int]bool{}
	for _, l := range o.Lines {
		if seen[l.Line] {
			return CodeInvalid
		}
		seen[l.Line] = true
	}
	if m.pos[o.Number] != nil {
		return CodeDocumentExists
	}
	po := &modelPO{tol: int64(o.TolerancePct)}
	for _, l := range o.Lines {
		if l.Lot != "" && modelParts[l.SKU] != TrackLot {
			return CodeTracking
		}
		po.lines = append(po.lines, modelPOLine{line: l.Line, sku: l.SKU, lot: l.Lot, ordered: l.Qty})
	}
	slices.SortFunc(po.lines, func(a, b modelPOLine) int { return a.line - b.line })
	m.pos[o.Number] = po
	return ""
}

func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	out := make(map[K]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

var modelTypes = []EventType{EvReceipt, EvReceipt, EvReceipt, EvReceipt, EvMove, EvReserve, EvUnreserve, EvIssue, EvReturn,
	EvTransferShipped, EvTransferReceived, EvCountAdjustment, EvScrap, EvPOCreated, EvPOCreated, EvPOClosed}

// modelOrders are the order numbers commands use; PO-C is never created, so
// closing it is refused and receipts naming it are free receipts.
var modelOrders = []string{"PO-A", "PO-B", "PO-C"}

func randomOrder(r *rand.Rand) Command {
	o := &PurchaseOrder{Number: modelOrders[r.IntN(2)], Supplier: "SUP", TolerancePct: []int{0, 0, 50}[r.IntN(3)]}
	for i := range 1 + r.IntN(3) {
		l := POLine{Line: i + 1, SKU: []string{"PN", "PL", "PS"}[r.IntN(3)], Qty: int64(1 + r.IntN(6))}
		if r.IntN(15) == 0 {
			l.Line = 1 // a line number twice: refused as invalid
		}
		if l.SKU == "PL" && r.IntN(2) == 0 {
			l.Lot = "L1"
		} else if r.IntN(40) == 0 {
			l.Lot = "L1" // a lot on a part that has none: tracking_mismatch
		}
		o.Lines = append(o.Lines, l)
	}
	return Command{Type: EvPOCreated, Actor: "prop", Ref: o.Number, Order: o}
}

func randomCommand(r *rand.Rand) Command {
	t := modelTypes[r.IntN(len(modelTypes))]
	switch t {
	case EvPOCreated:
		return randomOrder(r)
	case EvPOClosed:
		if r.IntN(2) == 0 {
			// Closing ends an order's life; do it less often than creating.
			t = EvReceipt
			break
		}
		return Command{Type: EvPOClosed, Actor: "prop", Ref: modelOrders[r.IntN(3)], Note: "done"}
	}
	c := Command{Type: t, Actor: "prop", Ref: "DOC-1"}
	if t == EvReceipt && r.IntN(3) > 0 {
		c.Ref = modelOrders[r.IntN(3)]
	}
	locs := []string{"BIN1", "BIN2", "QUA", "DEF", "VAN", "TR"}
	m := &model{}
	// Mostly a location the rules allow, so commands get as far as the
	// stock checks; now and then any location, to exercise the kind rules.
	pick := func(end string, l Line) string {
		for range 20 {
			loc := locs[r.IntN(len(locs))]
			if r.IntN(10) == 0 || m.kindOK(t, end, l, loc) {
				return loc
			}
		}
		return locs[r.IntN(len(locs))]
	}
	for range 1 + r.IntN(3) {
		skus := []string{"PN", "PL", "PS"}
		l := Line{SKU: skus[r.IntN(3)], Qty: int64(1 + r.IntN(4))}
		rule := lineRules[t]
		if t == EvReturn {
			l.Condition = []string{ConditionGood, ConditionDefective}[r.IntN(2)]
		}
		if rule.from {
			l.From = pick("from", l)
		}
		if rule.to {
			for l.To = pick("to", l); l.To == l.From; l.To = pick("to", l) {
			}
		}
		if rule.location {
			l.Location = pick("location", l)
		}
		if rule.signed && r.IntN(3) == 0 {
			l.Qty = -l.Qty
		}
		if rule.reservable && r.IntN(3) == 0 {
			l.FromReserved = true
		}
		switch l.SKU {
		case "PL":
			l.Lot = []string{"L1", "L2", "L3"}[r.IntN(3)]
			// LX is received as expired now and then: a free receipt takes
			// it, an order refuses it.
			if t == EvReceipt && r.IntN(2) == 0 {
				l.Lot = "LX"
				if r.IntN(2) == 0 {
					l.Expiry = "2020-01-01"
				}
			}
		case "PS":
			n := l.Qty
			if n < 0 {
				n = -n
			}
			perm := r.Perm(8)
			for _, i := range perm[:n] {
				l.Serials = append(l.Serials, fmt.Sprintf("S%d", i))
			}
		}
		// Now and then the operator forgets the lot or serials, or adds one
		// where none belongs.
		if r.IntN(25) == 0 {
			l.Lot, l.Serials = "", nil
		} else if r.IntN(40) == 0 && l.SKU == "PN" {
			l.Lot = "L1"
		}
		c.Lines = append(c.Lines, l)
	}
	return c
}

func propDir(t *testing.T) string {
	// The property test is about the rules, not the disk: tmpfs keeps the
	// thousands of fsyncs from dominating. The crash test covers durability.
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "partsedge-prop")
		if err == nil {
			t.Cleanup(func() { os.RemoveAll(d) })
			return d
		}
	}
	return t.TempDir()
}

// propRunSeed is the -prop.seed flag, or a fresh random seed; it logs how
// to rerun the test with it.
func propRunSeed(t *testing.T) uint64 {
	t.Helper()
	seed := *propSeed
	if seed == 0 {
		seed = rand.Uint64()
	}
	t.Logf("seed %d (rerun with -prop.seed=%d)", seed, seed)
	return seed
}

// propRuns is how many runs a property test makes: full, or short under
// -short and -race.
func propRuns(full, short int) int {
	if testing.Short() || raceEnabled {
		return short
	}
	return full
}

// propOpen opens a property test's store in dir: no GC, a small memtable.
func propOpen(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(Options{Dir: dir, Depot: "PROP", GCInterval: -1, MemTableSize: 4 << 20})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// propClose closes a run's store and removes its directory.
func propClose(t *testing.T, s *Store, dir string) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	os.RemoveAll(dir)
}

// newModel is an empty model.
func newModel() *model {
	return &model{bal: map[balKey]qty{}, serialAt: map[[2]string]balKey{}, lots: map[[2]string]string{}, pos: map[string]*modelPO{}}
}

// defineModelCatalog defines the model's parts and locations in s.
func defineModelCatalog(t *testing.T, s *Store) {
	t.Helper()
	for sku, tr := range modelParts {
		mustAppend(t, s, Command{Type: EvPartDefined, Actor: "prop", Part: &Part{SKU: sku, Tracking: tr}})
	}
	for code, kind := range modelLocs {
		mustAppend(t, s, Command{Type: EvLocationDefined, Actor: "prop", Location: &Location{Code: code, Kind: kind}})
	}
}

func TestPropertyRandomSequences(t *testing.T) {
	n := *propSeqs
	if n == 0 {
		n = propRuns(2000, 200)
	}
	seed := propRunSeed(t)
	base := propDir(t)
	ctx := context.Background()
	accepted, refused := 0, map[Code]int{}
	for i := range n {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		dir := fmt.Sprintf("%s/%d", base, i)
		s := propOpen(t, dir)
		defineModelCatalog(t, s)
		m := newModel()
		ops := 20 + r.IntN(30)
		for op := range ops {
			c := randomCommand(r)
			before := s.Head()
			want := m.apply(c)
			res, err := s.Append(ctx, c)
			where := fmt.Sprintf("seed %d seq %d op %d %s %s %+v %+v", seed, i, op, c.Type, c.Ref, c.Lines, c.Order)
			wantModelAnswer(t, s, before, err, want, where)
			after := s.Head()
			if err != nil {
				refused[want]++
			} else {
				accepted++
				if res.Event.Seq != before.Seq+1 || res.Event.PrevHash != before.Hash || after.Seq != before.Seq+1 || after.Hash != res.Event.Hash {
					t.Fatalf("%s: seq/chain broken: before %+v event %d prev %s after %+v", where, before, res.Event.Seq, res.Event.PrevHash, after)
				}
			}
			checkAgainstModel(t, s, m, where)
			rep, err := s.Verify(ctx, nil)
			if err != nil || !rep.OK {
				t.Fatalf("%s: verify: %v %v", where, err, rep.Problems)
			}
		}
		propClose(t, s, dir)
	}
	t.Logf("%d sequences: %d accepted, refused %v", n, accepted, refused)
	// The generator must reach both sides of every rule, or the test proves little.
	for _, c := range []Code{CodeInsufficientStock, CodeInsufficientReserve, CodeSerialConflict, CodeSerialNotHere, CodeLocationKind, CodeTracking, CodeUnknownLot,
		CodeDocumentExists, CodeDocumentClosed, CodeNotOnOrder, CodeWrongLot, CodeLotExpired, CodeOverTolerance} {
		if refused[c] == 0 && n >= 100 {
			t.Errorf("no command was refused with %s: the generator misses a rule", c)
		}
	}
	if accepted < n*5 {
		t.Errorf("only %d accepted commands in %d sequences", accepted, n)
	}
}

func checkAgainstModel(t *testing.T, s *Store, m *model, where string) {
	t.Helper()
	got, err := s.Stock(StockFilter{}, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	want := sortedBalances(m.bal)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: balances differ\nstore: %+v\nmodel: %+v", where, got, want)
	}
	for number, o := range m.pos {
		st, err := s.PurchaseOrder(number)
		if err != nil {
			t.Fatalf("%s: order %s: %v", where, number, err)
		}
		if (st.Status == POClosed) != o.closed || len(st.Lines) != len(o.lines) {
			t.Fatalf("%s: order %s: store %+v, model %+v", where, number, st, o)
		}
		for i, l := range o.lines {
			g := st.Lines[i]
			if g.Line != l.line || g.SKU != l.sku || g.Lot != l.lot || g.Ordered != l.ordered || g.Received != l.received ||
				g.Short != max(l.ordered-l.received, 0) || g.Over != max(l.received-l.ordered, 0) {
				t.Fatalf("%s: order %s line %d: store %+v, model %+v", where, number, i, g, l)
			}
		}
	}
	for id, k := range m.serialAt {
		st, err := s.Stock(StockFilter{SKU: id[0], Serial: id[1]}, 0)
		if err != nil || len(st) != 1 || st[0].Location != k.Loc {
			t.Fatalf("%s: serial %v: store %+v %v, model at %s", where, id, st, err, k.Loc)
		}
	}
}

func mustAppend(t testing.TB, s *Store, c Command) Result {
	t.Helper()
	r, err := s.Append(context.Background(), c)
	if err != nil {
		t.Fatalf("%s: %v", c.Type, err)
	}
	return r
}
