package inventory

import (
	"bytes"
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"time"
)

// Stocktaking. A count session is a document in the log like a purchase
// order: count-opened names what is counted (a zone, bins, parts or an ABC
// class), count-entered records what a counter found in one bin,
// count-recount throws away a bin's count so it is counted again, and a
// count-adjustment whose ref names the session and which carries
// Count.Approve is the approval: the store computes its lines from the
// variances, so the adjustments and the approval are one event.
//
// The depot keeps working while it counts. A bin's count is compared with
// the bin's balance at the moment its count began (its first entry, or its
// first entry after a recount): the store snapshots it into the bin's count
// state, and Verify recomputes it from the log. The entry event itself does
// not carry it, so a blind count's expected quantities stay out of the
// event log everybody may read. Movements after that moment are the ledger's business, not the
// count's: they never show up as variances, and the approval adjusts today's
// balance by the variance found then.

const (
	EvCountOpened  EventType = "count-opened"
	EvCountEntered EventType = "count-entered"
	EvCountRecount EventType = "count-recount"
)

// CountStatus is where a count session is in its life.
type CountStatus string

const (
	CountOpen     CountStatus = "open"
	CountApproved CountStatus = "approved"
)

// ABC classes and the two ways usage is measured for them.
const (
	ClassA = "A"
	ClassB = "B"
	ClassC = "C"

	ABCByQty    = "qty"    // usage is the quantity issued
	ABCByIssues = "issues" // usage is the number of issue lines
)

// ABCWindow is the span of issue history ABC classes are computed over.
const ABCWindow = 365 * 24 * time.Hour

// CountPayload is what the count events carry beyond the common fields.
type CountPayload struct {
	// Session is what count-opened opens. The store fills in what the scope
	// resolved to (Bins, Parts, Usage).
	Session *CountSession `json:"session,omitempty"`
	// Entry is what count-entered records.
	Entry *CountEntry `json:"entry,omitempty"`
	// Recount lists the bins a count-recount sends back to be counted.
	Recount []string `json:"recount,omitempty"`
	// Approve marks the count-adjustment that approves the session.
	Approve bool `json:"approve,omitempty"`
}

// CountScope says what a session counts. Exactly one of Zone, Bins, Parts
// and ABC is set.
type CountScope struct {
	Zone  string   `json:"zone,omitempty"`
	Bins  []string `json:"bins,omitempty"`
	Parts []string `json:"parts,omitempty"`
	ABC   string   `json:"abc,omitempty"`
	// ABCBasis is qty (default) or issues.
	ABCBasis string `json:"abcBasis,omitempty"`
}

// CountSession is a count-opened event's document.
type CountSession struct {
	Number string     `json:"number"`
	Scope  CountScope `json:"scope"`
	// Blind counts never show the counter what the ledger expects.
	Blind bool `json:"blind,omitempty"`
	// Counters are the users who may count; empty lets any user who may
	// post entries count.
	Counters []string `json:"counters,omitempty"`
	// Bins are the bins a zone or bin scope resolved to; empty for a parts
	// or ABC scope, which counts its parts in any non-transit location.
	Bins []string `json:"bins,omitempty"`
	// Parts are the parts a parts or ABC scope resolved to; empty for a
	// zone or bin scope, which counts every part.
	Parts []string `json:"parts,omitempty"`
	// Usage is the issue history an ABC scope was classified by.
	Usage []ABCUsage `json:"usage,omitempty"`
}

// CountEntry is what a counter found in one bin. An entry with no items
// says the bin was counted and found empty.
type CountEntry struct {
	Bin   string      `json:"bin"`
	Items []CountItem `json:"items,omitempty"`
	// Source is how it was counted: scan, rfid or manual.
	Source string `json:"source,omitempty"`
}

// CountItem is one counted part, lot and (for serial parts) serials.
type CountItem struct {
	SKU     string   `json:"sku"`
	Lot     string   `json:"lot,omitempty"`
	Qty     int64    `json:"qty"`
	Serials []string `json:"serials,omitempty"`
}

// CountRow is a quantity of one part, lot and serial in a bin.
type CountRow struct {
	SKU    string `json:"sku"`
	Lot    string `json:"lot,omitempty"`
	Serial string `json:"serial,omitempty"`
	Qty    int64  `json:"qty"`
}

// CountState is a session as the log leaves it.
type CountState struct {
	CountSession
	Status      CountStatus `json:"status"`
	OpenedSeq   uint64      `json:"openedSeq"`
	OpenedBy    string      `json:"openedBy"`
	ApprovedSeq uint64      `json:"approvedSeq,omitempty"`
	ApprovedBy  string      `json:"approvedBy,omitempty"`
	// CountedBy is everyone who made an entry, superseded ones included:
	// none of them may approve.
	CountedBy []string `json:"countedBy"`
	// CountedBins are the bins with a current count, in bin order.
	CountedBins []string `json:"countedBins"`
	Entries     int      `json:"entries"`
	Superseded  int      `json:"superseded"`
}

// CountBinState is one bin's current count.
type CountBinState struct {
	Bin string `json:"bin"`
	// BeganSeq is the entry that began the count; Expected is the bin's
	// balance just before it.
	BeganSeq uint64     `json:"beganSeq"`
	Expected []CountRow `json:"expected"`
	Counted  []CountRow `json:"counted"`
	Entries  []uint64   `json:"entries"`
	Recounts int        `json:"recounts"`
}

// Variance is counted minus expected for one part, lot and serial in a
// bin. A serial's variance is +1 (found) or -1 (missing).
type Variance struct {
	Bin      string `json:"bin"`
	SKU      string `json:"sku"`
	Lot      string `json:"lot,omitempty"`
	Serial   string `json:"serial,omitempty"`
	Expected int64  `json:"expected"`
	Counted  int64  `json:"counted"`
	Variance int64  `json:"variance"`
}

// ABCUsage is one part's usage in the window and the class it got.
type ABCUsage struct {
	SKU   string `json:"sku"`
	Usage int64  `json:"usage"`
	Class string `json:"class"`
}

// MaxCountBins bounds what one session's scope may name.
const MaxCountBins = 10000

func countKey(number string) []byte           { return join(pCount, number) }
func countBinKey(number, bin string) []byte   { return join(pCount, number, "b", bin) }
func countSerialKey(n, sku, sn string) []byte { return join(pCount, n, "s", sku, sn) }

func (c *Command) checkCount() error {
	if c.Count == nil {
		return errf(CodeInvalid, "count", "is required for %s", c.Type)
	}
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil || c.Order != nil {
		return errf(CodeInvalid, "lines", "%s carries only its count payload", c.Type)
	}
	p := *c.Count
	set := 0
	for _, b := range []bool{p.Session != nil, p.Entry != nil, p.Recount != nil, p.Approve} {
		if b {
			set++
		}
	}
	if set != 1 {
		return errf(CodeInvalid, "count", "carries exactly one of session, entry, recount or approve")
	}
	switch c.Type {
	case EvCountOpened:
		if p.Session == nil {
			return errf(CodeInvalid, "count.session", "is required for %s", c.Type)
		}
		s := *p.Session
		if s.Bins != nil || s.Parts != nil || s.Usage != nil {
			return errf(CodeInvalid, "count.session.bins", "what the scope resolves to is filled in by the store")
		}
		if err := c.checkDocNumber("count.session.number", "session", &s.Number, 0); err != nil {
			return err
		}
		if err := s.Scope.check(); err != nil {
			return err
		}
		if len(s.Counters) > 100 {
			return errf(CodeInvalid, "count.session.counters", "at most 100 counters")
		}
		for i, u := range s.Counters {
			if err := checkCode("count.session.counters["+strconv.Itoa(i)+"]", u); err != nil {
				return err
			}
		}
		s.Scope.Bins, s.Scope.Parts = slices.Clone(s.Scope.Bins), slices.Clone(s.Scope.Parts)
		s.Counters = slices.Clone(s.Counters)
		p.Session = &s
	case EvCountEntered:
		if p.Entry == nil {
			return errf(CodeInvalid, "count.entry", "is required for %s", c.Type)
		}
		if c.Ref == "" {
			return errf(CodeInvalid, "ref", "%s must name the count session", c.Type)
		}
		e := *p.Entry
		if err := e.check(); err != nil {
			return err
		}
		p.Entry = &e
	case EvCountRecount:
		if len(p.Recount) == 0 {
			return errf(CodeInvalid, "count.recount", "name at least one bin to recount")
		}
		if c.Ref == "" {
			return errf(CodeInvalid, "ref", "%s must name the count session", c.Type)
		}
		if len(p.Recount) > MaxCountBins {
			return errf(CodeInvalid, "count.recount", "at most %d bins", MaxCountBins)
		}
		seen := map[string]bool{}
		for i, b := range p.Recount {
			if err := checkCode("count.recount["+strconv.Itoa(i)+"]", b); err != nil {
				return err
			}
			if seen[b] {
				return errf(CodeInvalid, "count.recount", "bin %q is listed twice", b)
			}
			seen[b] = true
		}
		p.Recount = slices.Clone(p.Recount)
	case EvCountAdjustment:
		if !p.Approve {
			return errf(CodeInvalid, "count.approve", "a count-adjustment carries a count payload only to approve a session")
		}
		if c.Ref == "" {
			return errf(CodeInvalid, "ref", "the approval must name the count session")
		}
	}
	c.Count = &p
	return nil
}

func (s *CountScope) check() error {
	set := 0
	if s.Zone != "" {
		set++
		if err := checkCode("count.session.scope.zone", s.Zone); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		name string
		list []string
	}{{"bins", s.Bins}, {"parts", s.Parts}} {
		if l.list == nil {
			continue
		}
		set++
		f := "count.session.scope." + l.name
		if len(l.list) == 0 || len(l.list) > MaxCountBins {
			return errf(CodeInvalid, f, "list between 1 and %d", MaxCountBins)
		}
		seen := map[string]bool{}
		for i, c := range l.list {
			if err := checkCode(f+"["+strconv.Itoa(i)+"]", c); err != nil {
				return err
			}
			if seen[c] {
				return errf(CodeInvalid, f, "%q is listed twice", c)
			}
			seen[c] = true
		}
	}
	if s.ABC != "" {
		set++
		if s.ABC != ClassA && s.ABC != ClassB && s.ABC != ClassC {
			return errf(CodeInvalid, "count.session.scope.abc", "must be A, B or C")
		}
		switch s.ABCBasis {
		case "":
			s.ABCBasis = ABCByQty
		case ABCByQty, ABCByIssues:
		default:
			return errf(CodeInvalid, "count.session.scope.abcBasis", "must be qty or issues")
		}
	} else if s.ABCBasis != "" {
		return errf(CodeInvalid, "count.session.scope.abcBasis", "is only for an ABC scope")
	}
	if set != 1 {
		return errf(CodeInvalid, "count.session.scope", "set exactly one of zone, bins, parts or abc")
	}
	return nil
}

func (e *CountEntry) check() error {
	if err := checkCode("count.entry.bin", e.Bin); err != nil {
		return err
	}
	switch e.Source {
	case "":
		e.Source = "manual"
	case "manual", "scan", "rfid":
	default:
		return errf(CodeInvalid, "count.entry.source", "must be manual, scan or rfid")
	}
	if len(e.Items) > MaxLines {
		return errf(CodeInvalid, "count.entry.items", "at most %d items per entry", MaxLines)
	}
	serials := 0
	seen := map[[3]string]bool{}
	items := slices.Clone(e.Items)
	for i := range items {
		it := &items[i]
		f := "count.entry.items[" + strconv.Itoa(i) + "]"
		if err := checkCode(f+".sku", it.SKU); err != nil {
			return err
		}
		if it.Lot != "" {
			if err := checkCode(f+".lot", it.Lot); err != nil {
				return err
			}
		}
		if it.Qty <= 0 || it.Qty > MaxQuantity {
			return errf(CodeInvalid, f+".qty", "must be between 1 and %d", MaxQuantity)
		}
		if len(it.Serials) > 0 {
			if int64(len(it.Serials)) != it.Qty {
				return errf(CodeInvalid, f+".serials", "%d serials for a quantity of %d", len(it.Serials), it.Qty)
			}
			for j, sn := range it.Serials {
				if err := checkCode(f+".serials["+strconv.Itoa(j)+"]", sn); err != nil {
					return err
				}
				k := [3]string{it.SKU, "", sn}
				if seen[k] {
					return errf(CodeAlreadyCounted, f+".serials", "serial %q is listed twice", sn)
				}
				seen[k] = true
			}
			it.Serials = slices.Clone(it.Serials)
			serials += len(it.Serials)
		}
	}
	if serials > MaxSerials {
		return errf(CodeInvalid, "count.entry.items", "at most %d serials per entry", MaxSerials)
	}
	e.Items = items
	return nil
}

// ClassifyABC puts parts into ABC classes by their usage. Parts are ranked by
// usage, highest first (ties by SKU); a part is A while the cumulative usage
// of the parts ranked above it is under 80% of the total, B while it is under
// 95%, and C otherwise. So the part that crosses 80% is still A (the A parts
// make at least 80% of usage), the one that crosses 95% is still B, and the
// rest (every part without usage among them) are C. parts lists every part
// to classify; a part without an entry in usage has none.
func ClassifyABC(parts []string, usage map[string]int64) []ABCUsage {
	out := make([]ABCUsage, 0, len(parts))
	var total int64
	for _, p := range parts {
		u := max(usage[p], 0)
		out = append(out, ABCUsage{SKU: p, Usage: u})
		total += u
	}
	slices.SortFunc(out, func(a, b ABCUsage) int {
		if c := cmp.Compare(b.Usage, a.Usage); c != 0 {
			return c
		}
		return cmp.Compare(a.SKU, b.SKU)
	})
	var before int64
	for i := range out {
		// Integer percentages: before/total < 80% <=> 100*before < 80*total.
		switch {
		case out[i].Usage == 0:
			out[i].Class = ClassC
		case 100*before < 80*total:
			out[i].Class = ClassA
		case 100*before < 95*total:
			out[i].Class = ClassB
		default:
			out[i].Class = ClassC
		}
		before += out[i].Usage
	}
	return out
}

// issueUsage adds one issue event to per-part usage.
func issueUsage(ev *Event, basis string, usage map[string]int64) {
	for _, l := range ev.Lines {
		if basis == ABCByIssues {
			usage[l.SKU]++
		} else {
			usage[l.SKU] += l.Qty
		}
	}
}

// inABCWindow says whether an issue at t counts for a session opened at now.
func inABCWindow(t, now time.Time) bool { return !t.After(now) && now.Sub(t) < ABCWindow }

// countView is what resolving a scope needs from the depot's state; the
// store answers from its transaction, Verify from its replay.
type countView interface {
	location(code string) (*Location, error)
	locations() ([]Location, error)
	partSKUs() ([]string, error)
	usage(now time.Time, basis string) (map[string]int64, error)
}

// resolveScope fills in the session's bins or parts as the depot stands.
func resolveScope(cv countView, s *CountSession, now time.Time) error {
	sc := s.Scope
	switch {
	case sc.Zone != "":
		locs, err := cv.locations()
		if err != nil {
			return err
		}
		for _, l := range locs {
			if l.Zone == sc.Zone && l.Kind != KindTransit {
				s.Bins = append(s.Bins, l.Code)
			}
		}
		if len(s.Bins) == 0 {
			return errf(CodeUnknownLocation, "count.session.scope.zone", "no location is in zone %q", sc.Zone)
		}
		slices.Sort(s.Bins)
	case sc.Bins != nil:
		for i, b := range sc.Bins {
			l, err := cv.location(b)
			if err != nil {
				return err
			}
			f := "count.session.scope.bins[" + strconv.Itoa(i) + "]"
			if l == nil {
				return errf(CodeUnknownLocation, f, "no location %q", b)
			}
			if l.Kind == KindTransit {
				return errf(CodeLocationKind, f, "%s is a transit location: it cannot be counted", b)
			}
		}
		s.Bins = slices.Sorted(slices.Values(sc.Bins))
	case sc.Parts != nil:
		all, err := cv.partSKUs()
		if err != nil {
			return err
		}
		for i, p := range sc.Parts {
			if _, ok := slices.BinarySearch(all, p); !ok {
				return errf(CodeUnknownPart, "count.session.scope.parts["+strconv.Itoa(i)+"]", "no part %q", p)
			}
		}
		s.Parts = slices.Sorted(slices.Values(sc.Parts))
	default:
		all, err := cv.partSKUs()
		if err != nil {
			return err
		}
		use, err := cv.usage(now, sc.ABCBasis)
		if err != nil {
			return err
		}
		s.Usage = ClassifyABC(all, use)
		for _, u := range s.Usage {
			if u.Class == sc.ABC {
				s.Parts = append(s.Parts, u.SKU)
			}
		}
		if len(s.Parts) == 0 {
			return errf(CodeNotFound, "count.session.scope.abc", "no part is in class %s", sc.ABC)
		}
		slices.Sort(s.Parts)
	}
	return nil
}

// inBins and inParts say whether a bin and a part are in the session's scope.
func (st *CountState) inBins(bin string) bool {
	if len(st.Bins) == 0 {
		return true
	}
	_, ok := slices.BinarySearch(st.Bins, bin)
	return ok
}

func (st *CountState) inParts(sku string) bool {
	if len(st.Parts) == 0 {
		return true
	}
	_, ok := slices.BinarySearch(st.Parts, sku)
	return ok
}

func (st *CountState) mayCount(actor string) bool {
	return len(st.Counters) == 0 || slices.Contains(st.Counters, actor)
}

// Counted says whether a user counted in the session.
func (st *CountState) Counted(actor string) bool { return slices.Contains(st.CountedBy, actor) }

func addSorted(list []string, s string) []string {
	i, ok := slices.BinarySearch(list, s)
	if ok {
		return list
	}
	return slices.Insert(list, i, s)
}

func removeSorted(list []string, s string) []string {
	i, ok := slices.BinarySearch(list, s)
	if !ok {
		return list
	}
	return slices.Delete(list, i, i+1)
}

func rowKey(r CountRow) [3]string { return [3]string{r.SKU, r.Lot, r.Serial} }

func sortRows(rows []CountRow) {
	slices.SortFunc(rows, func(a, b CountRow) int {
		return cmp.Or(cmp.Compare(a.SKU, b.SKU), cmp.Compare(a.Lot, b.Lot), cmp.Compare(a.Serial, b.Serial))
	})
}

// addCounted merges an entry's items into a bin's counted rows.
func (b *CountBinState) addCounted(items []CountItem) {
	idx := map[[3]string]int{}
	for i, r := range b.Counted {
		idx[rowKey(r)] = i
	}
	add := func(r CountRow) {
		if i, ok := idx[rowKey(r)]; ok {
			b.Counted[i].Qty += r.Qty
			return
		}
		idx[rowKey(r)] = len(b.Counted)
		b.Counted = append(b.Counted, r)
	}
	for _, it := range items {
		if len(it.Serials) == 0 {
			add(CountRow{SKU: it.SKU, Lot: it.Lot, Qty: it.Qty})
			continue
		}
		for _, sn := range it.Serials {
			add(CountRow{SKU: it.SKU, Lot: it.Lot, Serial: sn, Qty: 1})
		}
	}
	sortRows(b.Counted)
}

// Variances compares a bin's count with its expected rows.
func (b *CountBinState) Variances() []Variance {
	m := map[[3]string]*Variance{}
	var keys [][3]string
	get := func(r CountRow) *Variance {
		k := rowKey(r)
		v, ok := m[k]
		if !ok {
			v = &Variance{Bin: b.Bin, SKU: r.SKU, Lot: r.Lot, Serial: r.Serial}
			m[k] = v
			keys = append(keys, k)
		}
		return v
	}
	for _, r := range b.Expected {
		get(r).Expected += r.Qty
	}
	for _, r := range b.Counted {
		get(r).Counted += r.Qty
	}
	slices.SortFunc(keys, func(a, b [3]string) int {
		return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1]), cmp.Compare(a[2], b[2]))
	})
	out := []Variance{}
	for _, k := range keys {
		v := m[k]
		v.Variance = v.Counted - v.Expected
		if v.Variance != 0 {
			out = append(out, *v)
		}
	}
	return out
}

// countStep is the state one count event changes, loaded by whoever applies
// it: the store from its transaction, Verify from its replay.
type countStep struct {
	st   *CountState
	bins map[string]*CountBinState
	// serials maps sku\x00serial to the bin it was counted in, for the
	// serials the step touches.
	serials map[string]string
}

// snapshotRows turns balance rows at a bin into the expected rows a count
// of that bin starts from, keeping the parts in scope.
func snapshotRows(st *CountState, rows map[balKey]qty) []CountRow {
	out := []CountRow{}
	for k, q := range rows {
		if q.OnHand != 0 && st.inParts(k.SKU) {
			out = append(out, CountRow{SKU: k.SKU, Lot: k.Lot, Serial: k.Serial, Qty: q.OnHand})
		}
	}
	sortRows(out)
	return out
}

// approvalLines turns the session's variances into count-adjustment lines
// against today's balances. A bin's variance was found against the balance
// when it was counted; adding it to today's balance books exactly the
// difference the count found, whatever moved since. Serials are the
// exception, since a serial is in one place: a missing serial the ledger has
// since moved elsewhere is left to that movement, and a found serial the
// ledger places elsewhere is taken out there and put where it was counted.
// where answers where a serial is now.
func approvalLines(bins []*CountBinState, where func(sku, serial string) (loc, lot string, ok bool)) []Line {
	type gk struct {
		sku, loc, lot string
		in            bool
	}
	groups := map[gk]*Line{}
	var order []gk
	add := func(k gk, qty int64, serial string) {
		l, ok := groups[k]
		if !ok {
			l = &Line{SKU: k.sku, Location: k.loc, Lot: k.lot}
			groups[k] = l
			order = append(order, k)
		}
		l.Qty += qty
		if serial != "" {
			l.Serials = append(l.Serials, serial)
		}
	}
	taken := map[[2]string]bool{}
	for _, b := range bins {
		for _, v := range b.Variances() {
			if v.Serial == "" {
				add(gk{v.SKU, b.Bin, v.Lot, v.Variance > 0}, v.Variance, "")
				continue
			}
			if v.Variance < 0 {
				continue
			}
			loc, lot, ok := where(v.SKU, v.Serial)
			switch {
			case ok && loc == b.Bin:
				// Moved in since the count: the ledger agrees now.
			case ok:
				add(gk{v.SKU, loc, lot, false}, -1, v.Serial)
				add(gk{v.SKU, b.Bin, lot, true}, 1, v.Serial)
				taken[[2]string{v.SKU, v.Serial}] = true
			default:
				add(gk{v.SKU, b.Bin, v.Lot, true}, 1, v.Serial)
			}
		}
	}
	for _, b := range bins {
		for _, v := range b.Variances() {
			if v.Serial == "" || v.Variance > 0 || taken[[2]string{v.SKU, v.Serial}] {
				continue
			}
			if loc, lot, ok := where(v.SKU, v.Serial); ok && loc == b.Bin {
				add(gk{v.SKU, b.Bin, lot, false}, -1, v.Serial)
			}
		}
	}
	// Take out before putting in, so a relocated serial never sits in two
	// places within the event.
	slices.SortStableFunc(order, func(a, b gk) int {
		if a.in != b.in {
			if !a.in {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(a.sku, b.sku), cmp.Compare(a.loc, b.loc), cmp.Compare(a.lot, b.lot))
	})
	var out []Line
	for _, k := range order {
		l := groups[k]
		if l.Qty == 0 {
			continue
		}
		slices.Sort(l.Serials)
		out = append(out, *l)
	}
	return out
}

// jsonEqual compares two values by their JSON, the form both are stored in.
func jsonEqual(a, b any) bool {
	_, _, same := jsonDiff(a, b)
	return same
}

// jsonDiff marshals a and b, and tells whether they marshal alike.
func jsonDiff(a, b any) (x, y []byte, same bool) {
	x, _ = json.Marshal(a)
	y, _ = json.Marshal(b)
	return x, y, bytes.Equal(x, y)
}
