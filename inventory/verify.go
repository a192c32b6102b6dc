package inventory

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// VerifyReport is what Verify found. OK is true when Problems is empty.
type VerifyReport struct {
	OK       bool   `json:"ok"`
	Depot    string `json:"depot"`
	Epoch    uint32 `json:"epoch"`
	Events   uint64 `json:"events"`
	Balances int    `json:"balances"`
	Serials  int    `json:"serials"`
	// Problems lists the first 100 problems; ProblemCount counts them all.
	Problems     []string `json:"problems"`
	ProblemCount int      `json:"problemCount"`
}

const maxProblems = 100

func (r *VerifyReport) problem(format string, a ...any) {
	r.ProblemCount++
	if len(r.Problems) < maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, a...))
	}
}

// Verify replays the whole log in one snapshot: it checks that seqs run
// 1..head without a gap, that every event's hash is right and chains to the
// one before, and that the balances, the location index, the serial index
// and the purchase orders' states the store keeps equal what the log
// implies, and that each po-closed event's report is what the log said then. progress, when not nil, is
// called with the number of events checked so far.
func (s *Store) Verify(ctx context.Context, progress func(events uint64)) (VerifyReport, error) {
	r := VerifyReport{Depot: s.opts.Depot, Problems: []string{}}
	want := map[balKey]qty{}
	orders := map[string]*PurchaseOrderState{}
	notices := map[string]*NoticeState{}
	transfers := map[string]*TransferState{}
	workOrders := map[string]*WorkOrderState{}
	batches := map[string]*SupplierReturnState{}
	reorder := newReorderReplay()
	counts := newReplayCounts(want)
	err := s.read(func(txn *badger.Txn) error {
		var head Head
		if item, err := txn.Get(keyHead); err == nil {
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &head) }); err != nil {
				return fmt.Errorf("decode head: %w", err)
			}
		}
		r.Epoch = head.Epoch
		prevHash := ""
		var seq uint64
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pEvent}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			if seq%50000 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
				if progress != nil && seq > 0 {
					progress(seq)
				}
			}
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			var ev Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				r.problem("event key %x: undecodable: %v", it.Item().Key(), err)
				continue
			}
			seq++
			if ev.Seq != seq {
				r.problem("seq gap: expected %d, found %d", seq, ev.Seq)
				seq = ev.Seq
			}
			if ev.PrevHash != prevHash {
				r.problem("event %d: prevHash does not match the hash of event %d", ev.Seq, ev.Seq-1)
			}
			if h := hashOf(&ev, raw); h != ev.Hash {
				r.problem("event %d: hash %s, content hashes to %s", ev.Seq, ev.Hash, h)
			}
			prevHash = ev.Hash
			replayPO(&ev, orders, &r)
			replayASN(&ev, notices, &r)
			replayTransfer(&ev, transfers, &r)
			replayWO(&ev, workOrders, &r)
			replayRTS(&ev, batches, &r)
			reorder.replay(&ev, &r)
			counts.replay(&ev, &r)
			for _, d := range deltas(&ev) {
				q := want[d.k]
				q.OnHand += d.onHand
				q.Reserved += d.reserved
				if q.OnHand < 0 || q.Reserved < 0 || q.OnHand < q.Reserved || (d.k.Serial != "" && q.OnHand > 1) {
					r.problem("event %d: %v goes to on hand %d, reserved %d", ev.Seq, d.k, q.OnHand, q.Reserved)
				}
				want[d.k] = q
			}
		}
		r.Events = seq
		if seq != head.Seq || prevHash != head.Hash {
			r.problem("head says seq %d, the log ends at %d", head.Seq, seq)
		}
		if err := s.compareState(txn, want, &r); err != nil {
			return err
		}
		if err := compareDerived(txn, pPO, "purchase order", orders, &r); err != nil {
			return err
		}
		if err := compareDerived(txn, pASN, "shipping notice", notices, &r); err != nil {
			return err
		}
		if err := compareDerived(txn, pTransfer, "transfer", transfers, &r); err != nil {
			return err
		}
		if err := compareDerived(txn, pWO, "work order", workOrders, &r); err != nil {
			return err
		}
		if err := compareHolds(txn, workOrders, &r); err != nil {
			return err
		}
		if err := compareDerived(txn, pRTS, "supplier return", batches, &r); err != nil {
			return err
		}
		if err := reorder.compare(txn, &r); err != nil {
			return err
		}
		if err := counts.compare(txn, &r); err != nil {
			return err
		}
		return compareSSCCIndex(txn, notices, &r)
	})
	r.OK = len(r.Problems) == 0
	if progress != nil {
		progress(r.Events)
	}
	return r, err
}

// CheckStoredEvent decodes an event in its stored (and replicated) form and
// checks its hash: the JSON must be the canonical encoding and hash to the
// hash it carries. A replica holds to it what the depot wrote.
func CheckStoredEvent(raw []byte) (Event, error) {
	var ev Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return ev, fmt.Errorf("undecodable event: %w", err)
	}
	if h := hashOf(&ev, raw); h != ev.Hash {
		return ev, fmt.Errorf("event %d: hash %s, content hashes to %s", ev.Seq, ev.Hash, h)
	}
	return ev, nil
}

// hashOf recomputes the hash of ev, decoded from raw. It re-encodes the
// event, so a stored form that differs from the canonical one (an edit
// that kept the fields) is caught as well. Being canonical, raw ends with
// "hash" (the struct's last field, see sealEvent), so the hashed form is
// raw with that value blanked: one encoding per event, not two, which is
// most of what a replica spends checking a batch.
func hashOf(ev *Event, raw []byte) string {
	canon, err := json.Marshal(ev)
	if err != nil || !bytes.Equal(canon, raw) {
		return "non-canonical"
	}
	tail := `"hash":"` + ev.Hash + `"}`
	if !bytes.HasSuffix(raw, []byte(tail)) {
		return "non-canonical"
	}
	n := len(raw) - len(tail)
	blank := append(raw[:n:n], `"hash":""}`...) // the full slice expression copies: raw stays as it is
	sum := sha256.Sum256(blank)
	return hex.EncodeToString(sum[:])
}

func (s *Store) compareState(txn *badger.Txn, want map[balKey]qty, r *VerifyReport) error {
	got := map[balKey]qty{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pBalance}, PrefetchValues: true})
	for it.Rewind(); it.Valid(); it.Next() {
		k := balKeyFrom(it.Item().Key())
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			it.Close()
			return err
		}
		q, ok := decodeQty(raw)
		if !ok {
			r.problem("balance %v: undecodable", k)
		}
		got[k] = q
	}
	it.Close()
	r.Balances = len(got)
	for k, w := range want {
		if w == (qty{}) {
			continue
		}
		if g, ok := got[k]; !ok || g != w {
			r.problem("balance %s@%s lot=%q serial=%q: stored %+v, log says %+v", k.SKU, k.Loc, k.Lot, k.Serial, g, w)
		}
	}
	for k, g := range got {
		if w := want[k]; w == (qty{}) {
			r.problem("balance %s@%s lot=%q serial=%q: stored %+v, log says nothing", k.SKU, k.Loc, k.Lot, k.Serial, g)
		}
	}
	// The location index must list exactly the balance rows.
	idx := 0
	it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pByLoc}})
	for it.Rewind(); it.Valid(); it.Next() {
		k := balKeyFromLoc(it.Item().Key())
		if _, ok := got[k]; !ok {
			r.problem("location index lists %v, which has no balance", k)
		}
		idx++
	}
	it.Close()
	if idx != len(got) {
		r.problem("location index has %d rows for %d balances", idx, len(got))
	}
	// Each serial on hand is in the serial index at that place, and only there.
	serials := map[[2]string]string{}
	for k, q := range want {
		if k.Serial != "" && q.OnHand == 1 {
			serials[[2]string{k.SKU, k.Serial}] = string(serialWhere(k.Loc, k.Lot))
		}
	}
	it = txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pSerial}, PrefetchValues: true})
	defer it.Close()
	seen := 0
	for it.Rewind(); it.Valid(); it.Next() {
		f := split(it.Item().Key())
		w, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		id := [2]string{f[0], f[1]}
		if serials[id] != string(w) {
			r.problem("serial %s/%s: index says %q, log says %q", f[0], f[1], w, serials[id])
		}
		seen++
	}
	r.Serials = len(serials)
	if seen != len(serials) {
		r.problem("serial index has %d serials, the log puts %d on hand", seen, len(serials))
	}
	return nil
}

// replayPO carries one event into the purchase orders' states the way the
// store did when it wrote it (newPOState, allocate and close are the very
// code the store ran) and reports events the order rules would have refused.
func replayPO(ev *Event, orders map[string]*PurchaseOrderState, r *VerifyReport) {
	switch ev.Type {
	case EvPOCreated:
		if ev.Order == nil {
			r.problem("event %d: %s without an order", ev.Seq, ev.Type)
			return
		}
		if old, ok := orders[ev.Order.Number]; ok {
			r.problem("event %d: purchase order %s was already created by event %d", ev.Seq, ev.Order.Number, old.CreatedSeq)
			return
		}
		orders[ev.Order.Number] = newPOState(ev)
	case EvPOClosed:
		st := orders[ev.Ref]
		switch {
		case st == nil:
			r.problem("event %d: closes purchase order %s, which does not exist", ev.Seq, ev.Ref)
			return
		case st.Status == POClosed:
			r.problem("event %d: closes purchase order %s again (closed by event %d)", ev.Seq, ev.Ref, st.ClosedSeq)
			return
		}
		if want, got, same := jsonDiff(st.close(ev), ev.Report); !same {
			r.problem("event %d: report of purchase order %s is %s, the log says %s", ev.Seq, ev.Ref, got, want)
		}
	case EvReceipt:
		st := orders[ev.Ref]
		if st == nil {
			return
		}
		if st.Status == POClosed {
			r.problem("event %d: receipt on purchase order %s, closed by event %d", ev.Seq, ev.Ref, st.ClosedSeq)
		}
		for i, l := range ev.Lines {
			idx, code := st.eligible(l.SKU, l.Lot)
			if code != "" {
				r.problem("event %d: line %d on purchase order %s: %s", ev.Seq, i, ev.Ref, code)
				continue
			}
			st.allocate(idx, l.Qty)
			if over, got, limit := st.overTolerance(l.SKU); over {
				r.problem("event %d: %d of %s received on purchase order %s, beyond its limit %d", ev.Seq, got, l.SKU, ev.Ref, limit)
			}
		}
	}
}

// compareDerived checks a document kind's stored states, one per key
// under prefix, against the states the replay of the log built.
func compareDerived[T any](txn *badger.Txn, prefix byte, what string, want map[string]*T, r *VerifyReport) error {
	seen := map[string]bool{}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefix}, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		id := string(it.Item().Key()[1:])
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		seen[id] = true
		st, ok := want[id]
		if !ok {
			r.problem("%s %s: stored, the log never created it", what, id)
			continue
		}
		// Decode and encode again so only content counts, not its spelling.
		var got T
		if err := json.Unmarshal(raw, &got); err != nil {
			r.problem("%s %s: undecodable: %v", what, id, err)
			continue
		}
		if g, w, same := jsonDiff(&got, st); !same {
			r.problem("%s %s: stored %s, log says %s", what, id, g, w)
		}
	}
	for id := range want {
		if !seen[id] {
			r.problem("%s %s: the log created it, the store has no record", what, id)
		}
	}
	return nil
}

// replayASN carries one event into the shipping notices' states the way the
// store did (newNoticeState, matches and receive are the code it ran).
func replayASN(ev *Event, notices map[string]*NoticeState, r *VerifyReport) {
	switch {
	case ev.Type == EvASNAnnounced:
		if ev.Notice == nil {
			r.problem("event %d: %s without a notice", ev.Seq, ev.Type)
			return
		}
		if old, ok := notices[ev.Notice.Number]; ok {
			r.problem("event %d: shipping notice %s was already announced by event %d", ev.Seq, ev.Notice.Number, old.CreatedSeq)
			return
		}
		notices[ev.Notice.Number] = newNoticeState(ev)
	case ev.Type == EvReceipt && ev.SSCC != "":
		for _, st := range notices {
			p := st.pallet(ev.SSCC)
			if p == nil {
				continue
			}
			if p.ReceivedSeq != 0 || st.Order != ev.Ref || !p.Pallet.matches(ev.Lines) {
				r.problem("event %d: receipt of pallet %s, which notice %s did not allow then", ev.Seq, ev.SSCC, st.Number)
				return
			}
			st.receive(p, ev)
			return
		}
		r.problem("event %d: receipt of pallet %s, which no notice announced", ev.Seq, ev.SSCC)
	}
}

// compareSSCCIndex checks the SSCC index names, for every announced
// pallet, the notice that announced it, and nothing else.
func compareSSCCIndex(txn *badger.Txn, notices map[string]*NoticeState, r *VerifyReport) error {
	want := map[string]string{}
	for _, st := range notices {
		for _, p := range st.Pallets {
			want[p.SSCC] = st.Number
		}
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pSSCC}, PrefetchValues: true})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		sscc := string(it.Item().Key()[1:])
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		if w, ok := want[sscc]; !ok || w != string(raw) {
			r.problem("SSCC index: %s -> %q, the log says %q", sscc, raw, w)
		}
		delete(want, sscc)
	}
	for sscc, number := range want {
		r.problem("SSCC index: %s of shipping notice %s is missing", sscc, number)
	}
	return nil
}
