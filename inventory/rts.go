package inventory

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

// Return-to-supplier batches gather defective stock for one supplier (the
// parts a warranty claim is about). rts-created names the batch (ref), the
// supplier and its lines, each from a defective location, checked to be
// there; rts-shipped takes exactly those lines out of the depot in one
// event whose lines the store copies from the batch. Between the two the
// stock stays where it is, unreserved: a line that left the defective store
// meanwhile makes the shipment refused, whole, rather than short.

// RTSStatus is where a batch is in its life.
type RTSStatus string

const (
	RTSOpen    RTSStatus = "open"
	RTSShipped RTSStatus = "shipped"
)

// SupplierReturnState is a batch as the log leaves it.
type SupplierReturnState struct {
	Number     string    `json:"number"`
	Supplier   string    `json:"supplier"`
	Note       string    `json:"note,omitempty"`
	Status     RTSStatus `json:"status"`
	CreatedSeq uint64    `json:"createdSeq"`
	ShippedSeq uint64    `json:"shippedSeq,omitempty"`
	Lines      []Line    `json:"lines"`
	Units      int64     `json:"units"`
}

func rtsKey(number string) []byte { return join(pRTS, number) }

func (c *Command) checkRTSShipped() error {
	if c.Ref == "" {
		return errf(CodeInvalid, "ref", "%s must name the batch", c.Type)
	}
	if len(c.Lines) > 0 || c.Part != nil || c.Location != nil || c.Order != nil || c.WorkOrder != nil {
		return errf(CodeInvalid, "lines", "%s carries only the batch's ref and a note: it ships the batch's lines", c.Type)
	}
	return nil
}

// newRTSState is the batch an rts-created event opens; it depends on the
// event alone.
func newRTSState(ev *Event) *SupplierReturnState {
	st := &SupplierReturnState{Number: ev.Ref, Supplier: ev.Supplier, Note: ev.Note, Status: RTSOpen,
		CreatedSeq: ev.Seq, Lines: slices.Clone(ev.Lines)}
	for _, l := range ev.Lines {
		st.Units += l.Qty
	}
	return st
}

// shipLines is what an rts-shipped event takes out: the batch's lines, as
// they were listed.
func (st *SupplierReturnState) shipLines() []Line {
	out := make([]Line, len(st.Lines))
	for i, l := range st.Lines {
		out[i] = Line{SKU: l.SKU, Qty: l.Qty, From: l.From, Lot: l.Lot, Serials: slices.Clone(l.Serials)}
	}
	return out
}

func getRTS(v *view, number string) (*SupplierReturnState, error) {
	var st SupplierReturnState
	ok, err := v.getJSON(rtsKey(number), &st)
	if !ok || err != nil {
		return nil, err
	}
	return &st, nil
}

// createRTS opens a batch. The line rules (parts, defective locations,
// tracking) have run; here each line must be available where it says, as
// a shipment of it would need.
func createRTS(v *view, ev *Event) error {
	old, err := getRTS(v, ev.Ref)
	if err != nil {
		return err
	}
	if old != nil {
		return errf(CodeDocumentExists, "ref", "return-to-supplier batch %s exists (event %d)", old.Number, old.CreatedSeq)
	}
	need := map[balKey]int64{}
	for i, l := range ev.Lines {
		keys := []balKey{{l.SKU, l.From, l.Lot, ""}}
		if len(l.Serials) > 0 {
			keys = keys[:0]
			for _, sn := range l.Serials {
				keys = append(keys, balKey{l.SKU, l.From, l.Lot, sn})
			}
		}
		for _, k := range keys {
			n := l.Qty
			if k.Serial != "" {
				n = 1
			}
			need[k] += n
			raw, ok, err := v.get(k.key())
			if err != nil {
				return err
			}
			var q qty
			if ok {
				if q, ok = decodeQty(raw); !ok {
					return fmt.Errorf("corrupt balance %v", k)
				}
			}
			switch {
			case k.Serial != "" && (q.OnHand-q.Reserved < 1 || need[k] > 1):
				return errf(CodeSerialNotHere, lineField(i)+".serials", "serial %s of %s is not at %s", k.Serial, k.SKU, k.Loc)
			case q.OnHand-q.Reserved < need[k]:
				return errf(CodeInsufficientStock, lineField(i)+".qty", "%s at %s: %d available, %d listed", k.SKU, k.Loc, q.OnHand-q.Reserved, need[k])
			}
		}
	}
	return v.setJSON(rtsKey(ev.Ref), newRTSState(ev))
}

func shipRTS(v *view, ev *Event) error {
	st, err := getRTS(v, ev.Ref)
	if err != nil {
		return err
	}
	if st == nil {
		return errf(CodeNotFound, "ref", "no return-to-supplier batch %q", ev.Ref)
	}
	if st.Status != RTSOpen {
		return errf(CodeDocumentClosed, "ref", "return-to-supplier batch %s was shipped by event %d", st.Number, st.ShippedSeq)
	}
	ev.Lines = st.shipLines()
	st.Status, st.ShippedSeq = RTSShipped, ev.Seq
	if err := v.setJSON(rtsKey(st.Number), st); err != nil {
		return err
	}
	return applyLines(v, ev)
}

// replayRTS carries one event into the batches the way the store did.
func replayRTS(ev *Event, batches map[string]*SupplierReturnState, r *VerifyReport) {
	switch ev.Type {
	case EvRTSCreated:
		if old, ok := batches[ev.Ref]; ok {
			r.problem("event %d: batch %s was already created by event %d", ev.Seq, ev.Ref, old.CreatedSeq)
			return
		}
		batches[ev.Ref] = newRTSState(ev)
	case EvRTSShipped:
		st := batches[ev.Ref]
		switch {
		case st == nil:
			r.problem("event %d: ships batch %s, which does not exist", ev.Seq, ev.Ref)
			return
		case st.Status != RTSOpen:
			r.problem("event %d: ships batch %s again (shipped by event %d)", ev.Seq, ev.Ref, st.ShippedSeq)
			return
		}
		st.Status, st.ShippedSeq = RTSShipped, ev.Seq
		if w, g, same := jsonDiff(st.shipLines(), ev.Lines); !same {
			r.problem("event %d: ships %s of batch %s, the batch lists %s", ev.Seq, g, ev.Ref, w)
		}
	}
}

// SupplierReturn returns a return-to-supplier batch.
func (s *Store) SupplierReturn(number string) (SupplierReturnState, error) {
	return viewDoc[SupplierReturnState](s, rtsKey(number), "return-to-supplier batch", "no return-to-supplier batch %q", number)
}

// RTSFilter narrows SupplierReturns. Empty fields match everything.
type RTSFilter struct {
	Status   RTSStatus
	Supplier string
}

// SupplierReturns lists batches matching f in number order; the page's
// After is a batch number and its Limit counts matching batches.
func (s *Store) SupplierReturns(f RTSFilter, pg Page) ([]SupplierReturnState, error) {
	out := []SupplierReturnState{}
	prefix := []byte{pRTS}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		start := prefix
		if pg.After != "" {
			start = append(rtsKey(pg.After), 0)
		}
		for it.Seek(start); it.Valid() && len(out) < pg.limit(); it.Next() {
			var st SupplierReturnState
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return fmt.Errorf("decode batch %q: %w", it.Item().Key()[1:], err)
			}
			if (f.Status == "" || f.Status == st.Status) && (f.Supplier == "" || f.Supplier == st.Supplier) {
				out = append(out, st)
			}
		}
		return nil
	})
	return out, err
}
