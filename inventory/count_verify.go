package inventory

import (
	"encoding/json"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// replayCounts backs the count rules with Verify's replay of the log, so
// Verify runs the rules the store ran and compares what they fill in (the
// resolved scope, the expected rows, the approval's lines) with the log.
type replayCounts struct {
	want    map[balKey]qty // Verify's balances so far
	locs    map[string]Location
	parts   map[string]*Part
	issues  []Event // issue events, in log order
	counts  map[string]*CountState
	bins    map[[2]string]*CountBinState
	serials map[[3]string]counted
	// touched is the last stock event that touched each serial.
	touched map[[2]string]uint64
	// serialIdx is built from want once per approval, which asks where
	// many serials are.
	serialIdx map[[2]string][2]string
}

func newReplayCounts(want map[balKey]qty) *replayCounts {
	return &replayCounts{want: want, locs: map[string]Location{}, parts: map[string]*Part{},
		counts: map[string]*CountState{}, bins: map[[2]string]*CountBinState{}, serials: map[[3]string]counted{}, touched: map[[2]string]uint64{}}
}

func (rc *replayCounts) location(code string) (*Location, error) {
	l, ok := rc.locs[code]
	if !ok {
		return nil, nil
	}
	return &l, nil
}

func (rc *replayCounts) locations() ([]Location, error) {
	out := make([]Location, 0, len(rc.locs))
	for _, l := range rc.locs {
		out = append(out, l)
	}
	return out, nil
}

func (rc *replayCounts) part(sku string) (*Part, error) {
	return rc.parts[sku], nil
}

func (rc *replayCounts) partSKUs() ([]string, error) {
	out := make([]string, 0, len(rc.parts))
	for p := range rc.parts {
		out = append(out, p)
	}
	slices.Sort(out)
	return out, nil
}

func (rc *replayCounts) usage(now time.Time, basis string) (map[string]int64, error) {
	use := map[string]int64{}
	for i := range rc.issues {
		if inABCWindow(rc.issues[i].At, now) {
			issueUsage(&rc.issues[i], basis, use)
		}
	}
	return use, nil
}

func (rc *replayCounts) getCount(number string) (*CountState, error) { return rc.counts[number], nil }

func (rc *replayCounts) putCount(st *CountState) error {
	rc.counts[st.Number] = st
	return nil
}

func (rc *replayCounts) getBin(number, bin string) (*CountBinState, error) {
	return rc.bins[[2]string{number, bin}], nil
}

func (rc *replayCounts) putBin(number string, b *CountBinState) error {
	rc.bins[[2]string{number, b.Bin}] = b
	return nil
}

type counted struct {
	bin string
	seq uint64
}

func (rc *replayCounts) serialBin(number, sku, serial string) (string, uint64, bool, error) {
	c, ok := rc.serials[[3]string{number, sku, serial}]
	return c.bin, c.seq, ok, nil
}

func (rc *replayCounts) setSerialBin(number, sku, serial, bin string, seq uint64) {
	rc.serials[[3]string{number, sku, serial}] = counted{bin, seq}
}

func (rc *replayCounts) serialMoved(sku, serial string, since uint64) (bool, error) {
	return rc.touched[[2]string{sku, serial}] > since, nil
}

func (rc *replayCounts) delSerialBin(number, sku, serial string) {
	delete(rc.serials, [3]string{number, sku, serial})
}

func (rc *replayCounts) binBalances(bin string) (map[balKey]qty, error) {
	rows := map[balKey]qty{}
	for k, q := range rc.want {
		if k.Loc == bin && q != (qty{}) {
			rows[k] = q
		}
	}
	return rows, nil
}

func (rc *replayCounts) serialAt(sku, serial string) (string, string, bool, error) {
	if rc.serialIdx == nil {
		rc.serialIdx = map[[2]string][2]string{}
		for k, q := range rc.want {
			if k.Serial != "" && q.OnHand == 1 {
				rc.serialIdx[[2]string{k.SKU, k.Serial}] = [2]string{k.Loc, k.Lot}
			}
		}
	}
	w, ok := rc.serialIdx[[2]string{sku, serial}]
	return w[0], w[1], ok, nil
}

// replay carries one event into the counts, before its balance changes are
// replayed: a count is taken against the balances the event found.
func (rc *replayCounts) replay(ev *Event, r *VerifyReport) {
	defer func() {
		for _, l := range ev.Lines {
			for _, sn := range l.Serials {
				rc.touched[[2]string{l.SKU, sn}] = ev.Seq
			}
		}
	}()
	switch ev.Type {
	case EvPartDefined:
		if ev.Part != nil {
			rc.parts[ev.Part.SKU] = ev.Part
		}
		return
	case EvLocationDefined:
		if ev.Location != nil {
			rc.locs[ev.Location.Code] = *ev.Location
		}
		return
	case EvIssue:
		rc.issues = append(rc.issues, Event{At: ev.At, Lines: ev.Lines})
		return
	case EvCountOpened, EvCountEntered, EvCountRecount:
	case EvCountAdjustment:
		if ev.Count == nil {
			return
		}
	default:
		return
	}
	if ev.Count == nil {
		r.problem("event %d: %s without its count payload", ev.Seq, ev.Type)
		return
	}
	// Run the rules on the event as it was asked for, without what the
	// store filled in, and compare what they fill in with the log.
	c := *ev
	c.Lines = nil
	switch {
	case ev.Count.Session != nil:
		s := *ev.Count.Session
		s.Bins, s.Parts, s.Usage = nil, nil, nil
		c.Count = &CountPayload{Session: &s}
	case ev.Count.Entry != nil:
		c.Count = &CountPayload{Entry: ev.Count.Entry}
	default:
		c.Count = &CountPayload{Recount: ev.Count.Recount, Approve: ev.Count.Approve}
	}
	rc.serialIdx = nil
	if err := applyCount(rc, &c); err != nil {
		r.problem("event %d: %s on count session %s would be refused: %v", ev.Seq, ev.Type, ev.Ref, err)
		return
	}
	if !jsonEqual(c.Count, ev.Count) {
		g, _ := json.Marshal(ev.Count)
		w, _ := json.Marshal(c.Count)
		r.problem("event %d: count payload %s, the log says %s", ev.Seq, g, w)
	}
	if ev.Type == EvCountAdjustment && !jsonEqual(c.Lines, ev.Lines) {
		g, _ := json.Marshal(ev.Lines)
		w, _ := json.Marshal(c.Lines)
		r.problem("event %d: approval of count session %s adjusts %s, the log says %s", ev.Seq, ev.Ref, g, w)
	}
}

// compare checks the stored count sessions, bins and counted serials
// against the replay.
func (rc *replayCounts) compare(txn *badger.Txn, r *VerifyReport) error {
	seenCounts, seenBins, seenSerials := map[string]bool{}, map[[2]string]bool{}, map[[3]string]bool{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pCount}, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		f := split(it.Item().Key())
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		switch {
		case len(f) == 1:
			seenCounts[f[0]] = true
			var got CountState
			if err := json.Unmarshal(raw, &got); err != nil {
				r.problem("count session %s: undecodable: %v", f[0], err)
				continue
			}
			if w, ok := rc.counts[f[0]]; !ok {
				r.problem("count session %s: stored, the log never opened it", f[0])
			} else if !jsonEqual(&got, w) {
				r.problem("count session %s: stored state differs from the log's", f[0])
			}
		case len(f) == 3 && f[1] == "b":
			k := [2]string{f[0], f[2]}
			seenBins[k] = true
			var got CountBinState
			if err := json.Unmarshal(raw, &got); err != nil {
				r.problem("count session %s bin %s: undecodable: %v", f[0], f[2], err)
				continue
			}
			if w, ok := rc.bins[k]; !ok || !jsonEqual(&got, w) {
				r.problem("count session %s bin %s: stored count differs from the log's", f[0], f[2])
			}
		case len(f) == 4 && f[1] == "s":
			k := [3]string{f[0], f[2], f[3]}
			seenSerials[k] = true
			if w, ok := rc.serials[k]; !ok || string(serialCounted(w.bin, w.seq)) != string(raw) {
				r.problem("count session %s serial %s/%s: stored as %q, the log says %q", f[0], f[2], f[3], raw, serialCounted(w.bin, w.seq))
			}
		default:
			r.problem("count key %q: not a key the store writes", it.Item().Key())
		}
	}
	for n := range rc.counts {
		if !seenCounts[n] {
			r.problem("count session %s: the log opened it, the store has no record", n)
		}
	}
	for k := range rc.bins {
		if !seenBins[k] {
			r.problem("count session %s bin %s: the log counted it, the store has no record", k[0], k[1])
		}
	}
	for k := range rc.serials {
		if !seenSerials[k] {
			r.problem("count session %s serial %s/%s: the log counted it, the store has no record", k[0], k[1], k[2])
		}
	}
	return nil
}
