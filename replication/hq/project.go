package hq

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// The global view: per depot, what the depot's own ledger derives from its
// log, derived again at HQ from the replicated events by the depot's own
// rules (inventory.BalanceChanges, StepPurchaseOrder, StepTransfer), in
// the transaction that applies the events. Keys (depot ids, SKUs, location
// codes and document numbers never hold 0x00, so it separates them):
//
//	B<depot>0<sku>0<loc>0<lot>0<serial>   balance: varint onHand, reserved
//	L<depot>0<loc>                        location kind
//	P<sku>0<depot>                        partDepot JSON: policy, published plan, open signal, on order
//	D<depot>0o0<number>                   purchase order state (the depot's own)
//	D<depot>0x0<number>                   the depot's end of a transfer (the depot's own state)
//	D<depot>0i0<sku>0<YYYY-MM-DD>         varint: quantity issued that day
//	D<depot>0u0<seq:8>                    undo record of the event at seq
//	T<number>0<from>0<depot>              (empty) index: depot holds an end of transfer number from from
//	G<depot>0<seq:8>                      signal JSON
//	S<depot>                              site JSON (sites.go)
const (
	prefixBalance  = 'B'
	prefixLocKind  = 'L'
	prefixPart     = 'P'
	prefixDepotDoc = 'D'
	prefixTransfer = 'T'
	prefixSignal   = 'G'
	prefixSite     = 'S'
)

// Tables under prefixDepotDoc.
const (
	tablePO       = "o"
	tableTransfer = "x"
	tableIssues   = "i"
	tableUndo     = "u"
)

func key(prefix byte, parts ...string) []byte {
	k := []byte{prefix}
	for i, p := range parts {
		if i > 0 {
			k = append(k, 0)
		}
		k = append(k, p...)
	}
	return k
}

// sub is key with a trailing separator: the prefix of everything under parts.
func sub(prefix byte, parts ...string) []byte { return append(key(prefix, parts...), 0) }

func balanceKey(depot, sku, loc, lot, serial string) []byte {
	return key(prefixBalance, depot, sku, loc, lot, serial)
}

func undoKey(depot string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(sub(prefixDepotDoc, depot, tableUndo), seq)
}

func signalKey(depot string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(sub(prefixSignal, depot), seq)
}

// partDepot is what HQ keeps of one part at one depot beyond its balances.
type partDepot struct {
	// Policy is the depot's latest reorder-policy-set for the part.
	Policy    *inventory.ReorderPolicy `json:"policy,omitempty"`
	PolicySeq uint64                   `json:"policySeq,omitempty"`
	// Plan is the reorder point and order-up-to of the depot's latest
	// reorder-signal or reorder-rearmed event: both carry the figures the
	// depot's watcher held the part to then.
	Plan *publishedPlan `json:"plan,omitempty"`
	// OpenSignal is the seq of the signal no re-arming has ended yet.
	OpenSignal uint64 `json:"openSignal,omitempty"`
	// OnOrder is what the depot's open purchase orders still owe.
	OnOrder int64 `json:"onOrder"`
}

type publishedPlan struct {
	ReorderPoint int64  `json:"reorderPoint"`
	OrderUpTo    int64  `json:"orderUpTo"`
	Seq          uint64 `json:"seq"`
}

// Signal is a reorder signal a depot raised, as HQ holds it.
type Signal struct {
	Depot        string             `json:"depot"`
	SKU          string             `json:"sku"`
	Seq          uint64             `json:"seq"`
	At           time.Time          `json:"at"`
	Method       string             `json:"method"`
	Position     inventory.Position `json:"position"`
	ReorderPoint int64              `json:"reorderPoint"`
	OrderUpTo    int64              `json:"orderUpTo"`
	SuggestedQty int64              `json:"suggestedQty"`
	// Open: no reorder-rearmed has ended it (the position has not risen
	// above the reorder point since).
	Open       bool   `json:"open"`
	CoveredSeq uint64 `json:"coveredSeq,omitempty"`
}

// undoEntry is a key's value before an event first changed it.
type undoEntry struct {
	K      []byte `json:"k"`
	V      []byte `json:"v,omitempty"`
	Absent bool   `json:"absent,omitempty"`
}

// projector writes one event's projection and remembers, per key, the
// value before the event first touched it: the event's undo record. A
// superseded event is taken out by putting those values back, so
// unproject is exact for every table without a reverse rule per table.
type projector struct {
	txn   *badger.Txn
	log   *slog.Logger
	undo  []undoEntry
	saved map[string]bool
}

func (p *projector) get(k []byte) ([]byte, bool, error) {
	item, err := p.txn.Get(k)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %q: %w", k, err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, false, fmt.Errorf("read %q: %w", k, err)
	}
	return v, true, nil
}

func (p *projector) getJSON(k []byte, into any) (bool, error) {
	v, ok, err := p.get(k)
	if !ok || err != nil {
		return false, err
	}
	if err := json.Unmarshal(v, into); err != nil {
		return false, fmt.Errorf("decode %q: %w", k, err)
	}
	return true, nil
}

func (p *projector) save(k []byte) error {
	if p.saved[string(k)] {
		return nil
	}
	old, ok, err := p.get(k)
	if err != nil {
		return err
	}
	p.saved[string(k)] = true
	p.undo = append(p.undo, undoEntry{K: k, V: old, Absent: !ok})
	return nil
}

func (p *projector) set(k, v []byte) error {
	if err := p.save(k); err != nil {
		return err
	}
	if err := p.txn.Set(k, v); err != nil {
		return fmt.Errorf("write %q: %w", k, err)
	}
	return nil
}

func (p *projector) setJSON(k []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", k, err)
	}
	return p.set(k, b)
}

func (p *projector) del(k []byte) error {
	if err := p.save(k); err != nil {
		return err
	}
	if err := p.txn.Delete(k); err != nil {
		return fmt.Errorf("delete %q: %w", k, err)
	}
	return nil
}

// addVarints adds to the varints stored at k; a key whose values all
// reach zero is deleted, so only rows with something in them exist.
func (p *projector) addVarints(k []byte, add ...int64) error {
	old, ok, err := p.get(k)
	if err != nil {
		return err
	}
	cur := make([]int64, len(add))
	if ok {
		if cur, err = decodeVarints(old, len(add)); err != nil {
			return fmt.Errorf("%q: %w", k, err)
		}
	}
	zero := true
	var b []byte
	for i := range cur {
		cur[i] += add[i]
		zero = zero && cur[i] == 0
		b = binary.AppendVarint(b, cur[i])
	}
	if zero {
		if !ok {
			return nil
		}
		return p.del(k)
	}
	return p.set(k, b)
}

func decodeVarints(b []byte, n int) ([]int64, error) {
	out := make([]int64, n)
	for i := range out {
		v, m := binary.Varint(b)
		if m <= 0 {
			return nil, errors.New("corrupt varints")
		}
		out[i], b = v, b[m:]
	}
	if len(b) != 0 {
		return nil, errors.New("corrupt varints")
	}
	return out, nil
}

// project adds applied events to the global view.
func (h *HQ) project(txn *badger.Txn, depot string, evs []inventory.Event) error {
	for i := range evs {
		ev := &evs[i]
		p := &projector{txn: txn, log: h.log, saved: map[string]bool{}}
		if err := p.event(depot, ev); err != nil {
			return fmt.Errorf("project %s/%d: %w", depot, ev.Seq, err)
		}
		b, err := json.Marshal(p.undo)
		if err != nil {
			return fmt.Errorf("encode undo of %s/%d: %w", depot, ev.Seq, err)
		}
		if err := txn.Set(undoKey(depot, ev.Seq), b); err != nil {
			return fmt.Errorf("write undo of %s/%d: %w", depot, ev.Seq, err)
		}
	}
	return nil
}

// unproject takes superseded events (highest seq first) out of it.
func (h *HQ) unproject(txn *badger.Txn, depot string, gone []inventory.Event) error {
	for _, ev := range gone {
		item, err := txn.Get(undoKey(depot, ev.Seq))
		if err != nil {
			return fmt.Errorf("undo record of %s/%d: %w", depot, ev.Seq, err)
		}
		var undo []undoEntry
		if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &undo) }); err != nil {
			return fmt.Errorf("undo record of %s/%d: %w", depot, ev.Seq, err)
		}
		for _, u := range undo {
			if u.Absent {
				err = txn.Delete(u.K)
			} else {
				err = txn.Set(u.K, u.V)
			}
			if err != nil {
				return fmt.Errorf("undo %s/%d: %w", depot, ev.Seq, err)
			}
		}
		if err := txn.Delete(undoKey(depot, ev.Seq)); err != nil {
			return fmt.Errorf("drop undo record of %s/%d: %w", depot, ev.Seq, err)
		}
	}
	return nil
}

// event projects one event of depot.
func (p *projector) event(depot string, ev *inventory.Event) error {
	if l := ev.Location; l != nil {
		// location-defined, and the transit locations transfer-approved
		// and transfer-announced define.
		if err := p.set(key(prefixLocKind, depot, l.Code), []byte(l.Kind)); err != nil {
			return err
		}
	}
	if ev.Type == inventory.EvPartDefined && ev.Part != nil {
		if err := p.updatePart(ev.Part.SKU, depot, func(*partDepot) {}); err != nil {
			return err
		}
	}
	for _, c := range inventory.BalanceChanges(ev) {
		if err := p.addVarints(balanceKey(depot, c.SKU, c.Location, c.Lot, c.Serial), c.OnHand, c.Reserved); err != nil {
			return err
		}
	}
	if err := p.purchaseOrder(depot, ev); err != nil {
		return err
	}
	if err := p.transfer(depot, ev); err != nil {
		return err
	}
	if ev.Type == inventory.EvIssue {
		day := ev.At.UTC().Format(time.DateOnly)
		for _, l := range ev.Lines {
			if err := p.addVarints(key(prefixDepotDoc, depot, tableIssues, l.SKU, day), l.Qty); err != nil {
				return err
			}
		}
	}
	return p.reorder(depot, ev)
}

func (p *projector) updatePart(sku, depot string, fn func(*partDepot)) error {
	k := key(prefixPart, sku, depot)
	var pd partDepot
	if _, err := p.getJSON(k, &pd); err != nil {
		return err
	}
	fn(&pd)
	return p.setJSON(k, pd)
}

// owed is what an order still owes per part: open orders' short lines.
func owed(st *inventory.PurchaseOrderState) map[string]int64 {
	out := map[string]int64{}
	if st == nil || st.Status != inventory.POOpen {
		return out
	}
	for _, l := range st.Lines {
		out[l.SKU] += l.Short
	}
	return out
}

func (p *projector) purchaseOrder(depot string, ev *inventory.Event) error {
	number := ev.Ref
	switch ev.Type {
	case inventory.EvPOCreated:
		if ev.Order != nil {
			number = ev.Order.Number
		}
	case inventory.EvPOClosed, inventory.EvReceipt:
	default:
		return nil
	}
	if number == "" {
		return nil
	}
	k := key(prefixDepotDoc, depot, tablePO, number)
	var cur inventory.PurchaseOrderState
	found, err := p.getJSON(k, &cur)
	if err != nil {
		return err
	}
	var st *inventory.PurchaseOrderState
	if found {
		st = &cur
	}
	before := owed(st)
	st, ok := inventory.StepPurchaseOrder(st, ev)
	if !ok {
		return nil
	}
	after := owed(st)
	for sku := range after {
		if _, ok := before[sku]; !ok {
			before[sku] = 0
		}
	}
	for sku, was := range before {
		if d := after[sku] - was; d != 0 {
			if err := p.updatePart(sku, depot, func(pd *partDepot) { pd.OnOrder += d }); err != nil {
				return err
			}
		}
	}
	return p.setJSON(k, st)
}

func (p *projector) transfer(depot string, ev *inventory.Event) error {
	number := ev.Ref
	switch ev.Type {
	case inventory.EvTransferRequested, inventory.EvTransferAnnounced:
		if ev.Transfer == nil {
			return nil
		}
		number = ev.Transfer.Number
	case inventory.EvTransferApproved, inventory.EvTransferDispatched, inventory.EvTransferClosed,
		inventory.EvTransferShipped, inventory.EvTransferReceived, inventory.EvReceipt, inventory.EvScrap:
	default:
		return nil
	}
	if number == "" {
		return nil
	}
	k := key(prefixDepotDoc, depot, tableTransfer, number)
	var cur inventory.TransferState
	found, err := p.getJSON(k, &cur)
	if err != nil {
		return err
	}
	var st *inventory.TransferState
	if found {
		st = &cur
	}
	st, ok, err := inventory.StepTransfer(st, ev)
	if err != nil {
		// The depot's store accepted the event under this very rule, so a
		// refusal means HQ's replica of the transfer went wrong. Holding up
		// the depot's replication for it would cost more than the view:
		// the event is stored all the same, the transfer's view stays as
		// it was, and the log says so loudly.
		p.log.Error("transfer view not updated", "depot", depot, "seq", ev.Seq, "transfer", number, "err", err)
		return nil
	}
	if !ok {
		return nil
	}
	if err := p.set(key(prefixTransfer, number, st.From, depot), nil); err != nil {
		return err
	}
	return p.setJSON(k, st)
}

func (p *projector) reorder(depot string, ev *inventory.Event) error {
	switch ev.Type {
	case inventory.EvReorderPolicySet:
		if ev.Policy == nil {
			return nil
		}
		pol := *ev.Policy
		return p.updatePart(pol.SKU, depot, func(pd *partDepot) { pd.Policy, pd.PolicySeq = &pol, ev.Seq })
	case inventory.EvReorderSignal:
		sg := ev.Signal
		if sg == nil {
			return nil
		}
		rec := Signal{Depot: depot, SKU: sg.SKU, Seq: ev.Seq, At: ev.At, Method: sg.Method, Position: sg.Position,
			ReorderPoint: sg.ReorderPoint, OrderUpTo: sg.OrderUpTo, SuggestedQty: sg.SuggestedQty, Open: true}
		if err := p.setJSON(signalKey(depot, ev.Seq), rec); err != nil {
			return err
		}
		return p.updatePart(sg.SKU, depot, func(pd *partDepot) {
			pd.OpenSignal = ev.Seq
			pd.Plan = &publishedPlan{ReorderPoint: sg.ReorderPoint, OrderUpTo: sg.OrderUpTo, Seq: ev.Seq}
		})
	case inventory.EvReorderRearmed:
		sg := ev.Signal
		if sg == nil {
			return nil
		}
		var rec Signal
		found, err := p.getJSON(signalKey(depot, sg.SignalSeq), &rec)
		if err != nil {
			return err
		}
		if found {
			rec.Open, rec.CoveredSeq = false, ev.Seq
			if err := p.setJSON(signalKey(depot, sg.SignalSeq), rec); err != nil {
				return err
			}
		}
		return p.updatePart(sg.SKU, depot, func(pd *partDepot) {
			pd.OpenSignal = 0
			pd.Plan = &publishedPlan{ReorderPoint: sg.ReorderPoint, OrderUpTo: sg.OrderUpTo, Seq: ev.Seq}
		})
	}
	return nil
}
