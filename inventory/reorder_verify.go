package inventory

import (
	"bytes"
	"encoding/binary"
	"encoding/json"

	"github.com/dgraph-io/badger/v4"
)

// reorderReplay rebuilds the reorder states and signal records from the log
// with reorderStep, the very code the store ran.
type reorderReplay struct {
	states  map[string]*ReorderState
	signals map[uint64]*SignalRecord
}

func newReorderReplay() *reorderReplay {
	return &reorderReplay{states: map[string]*ReorderState{}, signals: map[uint64]*SignalRecord{}}
}

func (rr *reorderReplay) replay(ev *Event, r *VerifyReport) {
	var sku string
	switch ev.Type {
	case EvReorderPolicySet:
		if ev.Policy == nil {
			r.problem("event %d: %s without a policy", ev.Seq, ev.Type)
			return
		}
		sku = ev.Policy.SKU
	case EvReorderSignal, EvReorderRearmed:
		if ev.Signal == nil {
			r.problem("event %d: %s without a signal", ev.Seq, ev.Type)
			return
		}
		sku = ev.Signal.SKU
	default:
		return
	}
	var rec *SignalRecord
	if ev.Type == EvReorderRearmed {
		rec = rr.signals[ev.Signal.SignalSeq]
	}
	st, nrec, err := reorderStep(rr.states[sku], rec, ev)
	if err != nil {
		r.problem("event %d: %s of %s: %v", ev.Seq, ev.Type, sku, err)
		return
	}
	rr.states[sku] = st
	if nrec != nil {
		rr.signals[nrec.Seq] = nrec
	}
}

// compare checks the stored reorder keys against the replayed ones.
func (rr *reorderReplay) compare(txn *badger.Txn, r *VerifyReport) error {
	seenStates := map[string]bool{}
	seenSignals := map[uint64]bool{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pReorder}, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		key := it.Item().KeyCopy(nil)
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		var want any
		var got any
		switch {
		case bytes.HasPrefix(key, join(pReorder, "p", "")):
			sku := string(key[3:])
			seenStates[sku] = true
			st, ok := rr.states[sku]
			if !ok {
				r.problem("reorder state of %s: stored, the log never set a policy", sku)
				continue
			}
			var g ReorderState
			want, got = st, &g
		case bytes.HasPrefix(key, signalPrefix) && len(key) == len(signalPrefix)+8:
			seq := binary.BigEndian.Uint64(key[len(signalPrefix):])
			seenSignals[seq] = true
			rec, ok := rr.signals[seq]
			if !ok {
				r.problem("reorder signal %d: stored, the log raised none", seq)
				continue
			}
			var g SignalRecord
			want, got = rec, &g
		default:
			r.problem("reorder key %x: not a reorder state or signal", key)
			continue
		}
		if err := json.Unmarshal(raw, got); err != nil {
			r.problem("reorder key %x: undecodable: %v", key, err)
			continue
		}
		if g, w, same := jsonDiff(got, want); !same {
			r.problem("reorder key %q: stored %s, log says %s", key, g, w)
		}
	}
	for sku := range rr.states {
		if !seenStates[sku] {
			r.problem("reorder state of %s: the log set a policy, the store has no record", sku)
		}
	}
	for seq := range rr.signals {
		if !seenSignals[seq] {
			r.problem("reorder signal %d: the log raised it, the store has no record", seq)
		}
	}
	return nil
}
