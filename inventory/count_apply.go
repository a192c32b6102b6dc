package inventory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// countStore is the state the count rules read and write. The store backs
// it with its transaction (viewCounts); Verify backs it with its replay
// (replayCounts), so Verify re-runs the very rules the store ran.
type countStore interface {
	countView
	part(sku string) (*Part, error)
	getCount(number string) (*CountState, error)
	putCount(st *CountState) error
	getBin(number, bin string) (*CountBinState, error)
	putBin(number string, b *CountBinState) error
	// serialBin is where a serial was counted in the session, and by
	// which entry.
	serialBin(number, sku, serial string) (bin string, seq uint64, ok bool, err error)
	setSerialBin(number, sku, serial, bin string, seq uint64)
	delSerialBin(number, sku, serial string)
	// serialMoved says whether a stock event after seq touched the serial.
	serialMoved(sku, serial string, since uint64) (bool, error)
	// binBalances are the balance rows at a location now.
	binBalances(bin string) (map[balKey]qty, error)
	// serialAt is where a serial is now.
	serialAt(sku, serial string) (loc, lot string, ok bool, err error)
}

// applyCount checks a count event against the state and stages its writes,
// filling in what the store decides: the resolved scope, a bin's expected
// rows, an approval's adjustment lines.
func applyCount(cs countStore, ev *Event) error {
	switch ev.Type {
	case EvCountOpened:
		return openCount(cs, ev)
	case EvCountEntered:
		return enterCount(cs, ev)
	case EvCountRecount:
		return recountCount(cs, ev)
	case EvCountAdjustment:
		return approveCount(cs, ev)
	}
	return fmt.Errorf("applyCount: %s is not a count event", ev.Type)
}

func openCount(cs countStore, ev *Event) error {
	s := *ev.Count.Session
	old, err := cs.getCount(s.Number)
	if err != nil {
		return err
	}
	if old != nil {
		return errf(CodeDocumentExists, "ref", "count session %s exists (event %d)", s.Number, old.OpenedSeq)
	}
	if err := resolveScope(cs, &s, ev.At); err != nil {
		return err
	}
	ev.Count = &CountPayload{Session: &s}
	return cs.putCount(&CountState{
		CountSession: s, Status: CountOpen, OpenedSeq: ev.Seq, OpenedBy: ev.Actor,
		CountedBy: []string{}, CountedBins: []string{},
	})
}

// openSession loads the session an event names and refuses a closed one.
func openSession(cs countStore, ev *Event) (*CountState, error) {
	st, err := cs.getCount(ev.Ref)
	if err != nil {
		return nil, err
	}
	if st == nil {
		return nil, errf(CodeNotFound, "ref", "no count session %q", ev.Ref)
	}
	if st.Status != CountOpen {
		return nil, errf(CodeDocumentClosed, "ref", "count session %s was approved by event %d", st.Number, st.ApprovedSeq)
	}
	return st, nil
}

func enterCount(cs countStore, ev *Event) error {
	st, err := openSession(cs, ev)
	if err != nil {
		return err
	}
	if !st.mayCount(ev.Actor) {
		return errf(CodeNotCounter, "actor", "%s is not one of the counters of session %s", ev.Actor, st.Number)
	}
	e := ev.Count.Entry
	loc, err := cs.location(e.Bin)
	if err != nil {
		return err
	}
	switch {
	case loc == nil:
		return errf(CodeUnknownLocation, "count.entry.bin", "no location %q", e.Bin)
	case loc.Kind == KindTransit:
		return errf(CodeLocationKind, "count.entry.bin", "%s is a transit location: it cannot be counted", e.Bin)
	case !st.inBins(e.Bin):
		return errf(CodeNotInScope, "count.entry.bin", "bin %s is not in the scope of session %s", e.Bin, st.Number)
	}
	for i, it := range e.Items {
		f := "count.entry.items[" + strconv.Itoa(i) + "]"
		p, err := cs.part(it.SKU)
		if err != nil {
			return err
		}
		if p == nil {
			return errf(CodeUnknownPart, f+".sku", "no part %q", it.SKU)
		}
		if !st.inParts(it.SKU) {
			return errf(CodeNotInScope, f+".sku", "%s is not in the scope of session %s", it.SKU, st.Number)
		}
		switch p.Tracking {
		case TrackSerial:
			if len(it.Serials) == 0 || it.Lot != "" {
				return errf(CodeTracking, f+".serials", "%s is serial-tracked: count its serials, without a lot", p.SKU)
			}
		case TrackLot:
			if it.Lot == "" || len(it.Serials) > 0 {
				return errf(CodeTracking, f+".lot", "%s is lot-tracked: name the lot, without serials", p.SKU)
			}
		default:
			if it.Lot != "" || len(it.Serials) > 0 {
				return errf(CodeTracking, f, "%s is not tracked by lot or serial", p.SKU)
			}
		}
		for _, sn := range it.Serials {
			bin, seq, ok, err := cs.serialBin(st.Number, it.SKU, sn)
			if err != nil || !ok {
				if err != nil {
					return err
				}
				continue
			}
			// A serial the ledger moved after it was counted may be counted
			// again where it went: refusing it would show a false variance
			// in a bin counted after the move.
			moved, err := cs.serialMoved(it.SKU, sn, seq)
			if err != nil {
				return err
			}
			if !moved {
				return errf(CodeAlreadyCounted, f+".serials", "serial %s of %s was already counted in bin %s", sn, it.SKU, bin)
			}
		}
	}
	b, err := cs.getBin(st.Number, e.Bin)
	if err != nil {
		return err
	}
	if b == nil {
		b = &CountBinState{Bin: e.Bin}
	}
	if b.BeganSeq == 0 {
		rows, err := cs.binBalances(e.Bin)
		if err != nil {
			return err
		}
		b.BeganSeq = ev.Seq
		b.Expected = snapshotRows(st, rows)
		b.Counted = []CountRow{}
		b.Entries = []uint64{}
		st.CountedBins = addSorted(st.CountedBins, e.Bin)
	}
	b.addCounted(e.Items)
	b.Entries = append(b.Entries, ev.Seq)
	for _, it := range e.Items {
		for _, sn := range it.Serials {
			cs.setSerialBin(st.Number, it.SKU, sn, e.Bin, ev.Seq)
		}
	}
	st.Entries++
	st.CountedBy = addSorted(st.CountedBy, ev.Actor)
	if err := cs.putBin(st.Number, b); err != nil {
		return err
	}
	return cs.putCount(st)
}

func recountCount(cs countStore, ev *Event) error {
	st, err := openSession(cs, ev)
	if err != nil {
		return err
	}
	for i, bin := range ev.Count.Recount {
		if _, ok := slices.BinarySearch(st.CountedBins, bin); !ok {
			return errf(CodeNotCounted, "count.recount["+strconv.Itoa(i)+"]", "bin %s has no count in session %s to redo", bin, st.Number)
		}
	}
	for _, bin := range ev.Count.Recount {
		b, err := cs.getBin(st.Number, bin)
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("count session %s lists bin %s as counted but holds no count of it", st.Number, bin)
		}
		for _, r := range b.Counted {
			if r.Serial == "" {
				continue
			}
			// The serial may have been counted again elsewhere since.
			if where, _, ok, err := cs.serialBin(st.Number, r.SKU, r.Serial); err != nil {
				return err
			} else if ok && where == bin {
				cs.delSerialBin(st.Number, r.SKU, r.Serial)
			}
		}
		st.Superseded += len(b.Entries)
		st.CountedBins = removeSorted(st.CountedBins, bin)
		if err := cs.putBin(st.Number, &CountBinState{Bin: bin, Recounts: b.Recounts + 1,
			Expected: []CountRow{}, Counted: []CountRow{}, Entries: []uint64{}}); err != nil {
			return err
		}
	}
	return cs.putCount(st)
}

func approveCount(cs countStore, ev *Event) error {
	st, err := openSession(cs, ev)
	if err != nil {
		return err
	}
	if st.Counted(ev.Actor) {
		return errf(CodeApproverCounted, "actor", "%s counted in session %s: someone who did not count must approve it", ev.Actor, st.Number)
	}
	if len(st.CountedBins) == 0 {
		return errf(CodeNotCounted, "ref", "session %s has no counted bin to approve", st.Number)
	}
	bins := make([]*CountBinState, 0, len(st.CountedBins))
	for _, bin := range st.CountedBins {
		b, err := cs.getBin(st.Number, bin)
		if err != nil {
			return err
		}
		if b == nil {
			return fmt.Errorf("count session %s lists bin %s as counted but holds no count of it", st.Number, bin)
		}
		bins = append(bins, b)
	}
	var werr error
	ev.Lines = approvalLines(bins, func(sku, serial string) (string, string, bool) {
		loc, lot, ok, err := cs.serialAt(sku, serial)
		if err != nil && werr == nil {
			werr = err
		}
		return loc, lot, ok
	})
	if werr != nil {
		return werr
	}
	st.Status = CountApproved
	st.ApprovedSeq = ev.Seq
	st.ApprovedBy = ev.Actor
	return cs.putCount(st)
}

// viewCounts backs the count rules with the store's transaction.
type viewCounts struct{ v *view }

func (c viewCounts) location(code string) (*Location, error) { return getLocation(c.v, code) }
func (c viewCounts) part(sku string) (*Part, error)          { return getPart(c.v, sku) }

func (c viewCounts) locations() ([]Location, error) {
	var out []Location
	it := c.v.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pLocation}, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		var l Location
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &l) }); err != nil {
			return nil, fmt.Errorf("decode location %q: %w", it.Item().Key(), err)
		}
		out = append(out, l)
	}
	return out, nil
}

func (c viewCounts) partSKUs() ([]string, error) {
	var out []string
	it := c.v.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pPart}})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		out = append(out, string(it.Item().Key()[1:]))
	}
	return out, nil
}

// usage walks the log back from its end: events are in time order (the
// hybrid clock never goes back), so the walk stops at the window's start.
func (c viewCounts) usage(now time.Time, basis string) (map[string]int64, error) {
	use := map[string]int64{}
	it := c.v.txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pEvent}, PrefetchValues: true, Reverse: true})
	defer it.Close()
	for it.Seek(eventKey(^uint64(0))); it.Valid(); it.Next() {
		var ev Event
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &ev) }); err != nil {
			return nil, fmt.Errorf("decode event %x: %w", it.Item().Key(), err)
		}
		if now.Sub(ev.At) >= ABCWindow {
			break
		}
		if ev.Type == EvIssue && inABCWindow(ev.At, now) {
			issueUsage(&ev, basis, use)
		}
	}
	return use, nil
}

func (c viewCounts) getCount(number string) (*CountState, error) {
	var st CountState
	ok, err := c.v.getJSON(countKey(number), &st)
	if !ok || err != nil {
		return nil, err
	}
	return &st, nil
}

func (c viewCounts) putCount(st *CountState) error { return c.v.setJSON(countKey(st.Number), st) }

func (c viewCounts) getBin(number, bin string) (*CountBinState, error) {
	var b CountBinState
	ok, err := c.v.getJSON(countBinKey(number, bin), &b)
	if !ok || err != nil {
		return nil, err
	}
	return &b, nil
}

func (c viewCounts) putBin(number string, b *CountBinState) error {
	return c.v.setJSON(countBinKey(number, b.Bin), b)
}

// A counted serial's value is the bin, a zero byte and the entry's seq.
func (c viewCounts) serialBin(number, sku, serial string) (string, uint64, bool, error) {
	b, ok, err := c.v.get(countSerialKey(number, sku, serial))
	if !ok || err != nil {
		return "", 0, false, err
	}
	bin, seq, _ := bytes.Cut(b, []byte{0})
	n, _ := strconv.ParseUint(string(seq), 10, 64)
	return string(bin), n, true, nil
}

func (c viewCounts) setSerialBin(number, sku, serial, bin string, seq uint64) {
	c.v.set(countSerialKey(number, sku, serial), serialCounted(bin, seq))
}

func serialCounted(bin string, seq uint64) []byte {
	return strconv.AppendUint(append([]byte(bin), 0), seq, 10)
}

func (c viewCounts) serialMoved(sku, serial string, since uint64) (bool, error) {
	prefix := append(join(pSerHist, sku, serial), 0)
	it := c.v.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	defer it.Close()
	it.Seek(serialHistKey(sku, serial, since+1))
	return it.Valid(), nil
}

func (c viewCounts) delSerialBin(number, sku, serial string) {
	c.v.del(countSerialKey(number, sku, serial))
}

func (c viewCounts) binBalances(bin string) (map[balKey]qty, error) {
	rows := map[balKey]qty{}
	prefix := append(join(pByLoc, bin), 0)
	it := c.v.txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
	var keys []balKey
	for it.Rewind(); it.Valid(); it.Next() {
		keys = append(keys, balKeyFromLoc(it.Item().Key()))
	}
	it.Close()
	for _, k := range keys {
		raw, ok, err := c.v.get(k.key())
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		q, good := decodeQty(raw)
		if !good {
			return nil, fmt.Errorf("corrupt balance %v", k)
		}
		rows[k] = q
	}
	return rows, nil
}

func (c viewCounts) serialAt(sku, serial string) (string, string, bool, error) {
	w, ok, err := c.v.get(serialKey(sku, serial))
	if !ok || err != nil {
		return "", "", false, err
	}
	loc, lot, _ := bytes.Cut(w, []byte{0})
	return string(loc), string(lot), true, nil
}
