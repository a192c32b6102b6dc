package hq

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// MaxBalances bounds one Balances answer: the depot's own stock answer
// holds at most 10,000 rows a page, and a depot's replica is read whole.
const MaxBalances = 100_000

// BalanceFilter narrows Balances like the depot's GET /api/v1/stock.
// Empty fields match everything; Limit is 1..MaxBalances+1 (MaxBalances
// when 0): one row over the bound lets a caller tell a full answer from a
// cut one.
type BalanceFilter struct {
	SKU, Location, Lot, Serial string
	Limit                      int
}

func (f BalanceFilter) match(sku, loc, lot, serial string) bool {
	return (f.SKU == "" || f.SKU == sku) && (f.Location == "" || f.Location == loc) &&
		(f.Lot == "" || f.Lot == lot) && (f.Serial == "" || f.Serial == serial)
}

// Balances returns depot's balance rows as HQ derived them from its
// events: exactly the rows the depot's GET /api/v1/stock lists (no row
// with nothing on hand and nothing reserved), sorted by sku, location,
// lot and serial.
func (h *HQ) Balances(depot string, f BalanceFilter) ([]inventory.Balance, error) {
	if _, ok := h.Depot(depot); !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownDepot, depot)
	}
	limit := f.Limit
	if limit <= 0 || limit > MaxBalances+1 {
		limit = MaxBalances
	}
	prefix := sub(prefixBalance, depot)
	if f.SKU != "" {
		prefix = sub(prefixBalance, depot, f.SKU)
	}
	out := []inventory.Balance{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			b, err := balanceOf(it.Item())
			if err != nil {
				return err
			}
			if f.match(b.SKU, b.Location, b.Lot, b.Serial) {
				out = append(out, b)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read balances of %s: %w", depot, err)
	}
	return out, nil
}

// balanceOf decodes a B row (B<depot>0<sku>0<loc>0<lot>0<serial>).
func balanceOf(item *badger.Item) (inventory.Balance, error) {
	f := bytes.Split(item.Key()[1:], []byte{0})
	if len(f) != 5 {
		return inventory.Balance{}, fmt.Errorf("balance key %q", item.Key())
	}
	var q []int64
	err := item.Value(func(v []byte) error {
		var err error
		q, err = decodeVarints(v, 2)
		return err
	})
	if err != nil {
		return inventory.Balance{}, fmt.Errorf("balance %q: %w", item.Key(), err)
	}
	return inventory.Balance{SKU: string(f[1]), Location: string(f[2]), Lot: string(f[3]), Serial: string(f[4]),
		OnHand: q[0], Reserved: q[1], Available: q[0] - q[1]}, nil
}

// DepotStock is one part at one depot in the global view.
type DepotStock struct {
	Depot string `json:"depot"`
	// OnHand, Reserved and Available are in stock and van locations: what
	// the depot can issue or give.
	OnHand    int64 `json:"onHand"`
	Reserved  int64 `json:"reserved"`
	Available int64 `json:"available"`
	// Quarantine and Defective are on hand there, not available.
	Quarantine int64 `json:"quarantine"`
	Defective  int64 `json:"defective"`
	// Inbound is what announced inbound transfers hold in transit to the
	// depot, and what HQ's transfer orders to it only request yet (as the
	// depot counts them); OnOrder what its open purchase orders still owe.
	Inbound  int64              `json:"inbound"`
	OnOrder  int64              `json:"onOrder"`
	Position inventory.Position `json:"position"`
	// The depot's reorder policy figures, as the depot last published
	// them (see figures); absent when it published none.
	Method       string `json:"method,omitempty"`
	ReorderPoint *int64 `json:"reorderPoint,omitempty"`
	OrderUpTo    *int64 `json:"orderUpTo,omitempty"`
	// FiguresFrom says where they come from: "policy" or "signal".
	FiguresFrom string `json:"figuresFrom,omitempty"`
	OpenSignal  uint64 `json:"openSignal,omitempty"`
	// BelowReorderPoint: the position is at or below the reorder point,
	// the depot's own trigger for a signal. Excess: available above the
	// order-up-to level.
	BelowReorderPoint bool `json:"belowReorderPoint"`
	Excess            bool `json:"excess"`
}

// PartStock is one part across the depots that know it, by depot id.
type PartStock struct {
	SKU    string       `json:"sku"`
	Depots []DepotStock `json:"depots"`
}

// GlobalFilter narrows GlobalStock. Empty fields match everything; the
// flags keep only depots that have them (and parts with such a depot).
// After is a SKU: the page starts after it. Limit counts parts, 1..1000
// (100 when 0).
type GlobalFilter struct {
	SKU, Depot        string
	BelowReorderPoint bool
	Excess            bool
	After             string
	Limit             int
}

// figures are a part's reorder point and order-up-to at a depot as the
// depot last published them. A minmax policy states both (min, max) and a
// fixed rop policy its reorder point (and max, when set): those come from
// the latest reorder-policy-set. What the depot derives — a derived
// reorder point, and the order-up-to of a rop policy without max (reorder
// point plus forecast demand) — comes from its latest reorder-signal or
// reorder-rearmed event, which carry the figures the watcher used; until
// the depot raised one, a derived policy has no figures at HQ and a fixed
// one without max orders up to its reorder point + 1 (the least an order
// can bring it to).
func figures(pd partDepot) (rop, upTo *int64, from string) {
	pol := pd.Policy
	if pol == nil {
		return nil, nil, ""
	}
	v := func(n int64) *int64 { return &n }
	switch {
	case pol.Method == inventory.MethodMinMax:
		return v(pol.Min), v(pol.Max), "policy"
	case pol.ROP == inventory.ROPFixed:
		switch {
		case pol.Max > 0:
			return v(pol.ReorderPoint), v(pol.Max), "policy"
		case pd.Plan != nil && pd.Plan.OrderUpTo > pol.ReorderPoint:
			return v(pol.ReorderPoint), v(pd.Plan.OrderUpTo), "signal"
		}
		return v(pol.ReorderPoint), v(pol.ReorderPoint + 1), "policy"
	case pd.Plan != nil:
		return v(pd.Plan.ReorderPoint), v(pd.Plan.OrderUpTo), "signal"
	}
	return nil, nil, ""
}

// stockReader reads depot stock figures in one snapshot, caching
// location kinds and inbound transits per depot.
type stockReader struct {
	txn       *badger.Txn
	kinds     map[string]inventory.LocationKind // depot 0 loc -> kind
	inbound   map[string]bool                   // depot 0 transit loc -> inbound, on the way
	requested map[string]map[string]int64       // depot -> sku -> requested inbound (inbound.go)
}

func newStockReader(txn *badger.Txn) *stockReader {
	return &stockReader{txn: txn, kinds: map[string]inventory.LocationKind{}, inbound: map[string]bool{}}
}

func (r *stockReader) kind(depot, loc string) (inventory.LocationKind, error) {
	ck := depot + "\x00" + loc
	if k, ok := r.kinds[ck]; ok {
		return k, nil
	}
	var kind inventory.LocationKind
	item, err := r.txn.Get(key(prefixLocKind, depot, loc))
	switch {
	case err == badger.ErrKeyNotFound:
	case err != nil:
		return "", fmt.Errorf("location %s/%s: %w", depot, loc, err)
	default:
		v, err := item.ValueCopy(nil)
		if err != nil {
			return "", fmt.Errorf("location %s/%s: %w", depot, loc, err)
		}
		kind = inventory.LocationKind(v)
	}
	r.kinds[ck] = kind
	return kind, nil
}

// isInbound says whether a transit location at depot belongs to an
// inbound transfer still being received there: the depot's own rule for
// what counts in its position.
func (r *stockReader) isInbound(depot, loc string) (bool, error) {
	ck := depot + "\x00" + loc
	if in, ok := r.inbound[ck]; ok {
		return in, nil
	}
	number, ok := strings.CutPrefix(loc, inventory.TransitPrefix)
	in := false
	if ok {
		st, found, err := readTransferEnd(r.txn, depot, number)
		if err != nil {
			return false, err
		}
		in = found && st.Direction == inventory.TransferInbound && st.Status == inventory.TransferShipped && st.Transit == loc
	}
	r.inbound[ck] = in
	return in, nil
}

func readTransferEnd(txn *badger.Txn, depot, number string) (inventory.TransferState, bool, error) {
	var st inventory.TransferState
	found, err := getJSON(txn, key(prefixDepotDoc, depot, tableTransfer, number), &st)
	return st, found, err
}

// depotStock computes one part at one depot.
func (r *stockReader) depotStock(depot, sku string, pd partDepot) (DepotStock, error) {
	ds := DepotStock{Depot: depot, OnOrder: pd.OnOrder, OpenSignal: pd.OpenSignal}
	it := r.txn.NewIterator(badger.IteratorOptions{Prefix: sub(prefixBalance, depot, sku), PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		b, err := balanceOf(it.Item())
		if err != nil {
			return ds, err
		}
		kind, err := r.kind(depot, b.Location)
		if err != nil {
			return ds, err
		}
		switch kind {
		case inventory.KindStock, inventory.KindVan:
			ds.OnHand += b.OnHand
			ds.Reserved += b.Reserved
		case inventory.KindQuarantine:
			ds.Quarantine += b.OnHand
		case inventory.KindDefective:
			ds.Defective += b.OnHand
		case inventory.KindTransit:
			in, err := r.isInbound(depot, b.Location)
			if err != nil {
				return ds, err
			}
			if in {
				ds.Inbound += b.OnHand
			}
		}
	}
	req, err := r.requestedInbound(depot, sku)
	if err != nil {
		return ds, err
	}
	ds.Inbound += req
	ds.Available = ds.OnHand - ds.Reserved
	ds.Position = inventory.Position{Available: ds.Available, OnOrder: ds.OnOrder, Inbound: ds.Inbound,
		Total: ds.Available + ds.OnOrder + ds.Inbound}
	ds.ReorderPoint, ds.OrderUpTo, ds.FiguresFrom = figures(pd)
	if pd.Policy != nil && ds.ReorderPoint != nil {
		ds.Method = pd.Policy.Method
	}
	ds.BelowReorderPoint = ds.ReorderPoint != nil && ds.Position.Total <= *ds.ReorderPoint
	ds.Excess = ds.OrderUpTo != nil && ds.Available > *ds.OrderUpTo
	return ds, nil
}

// eachPart calls fn with every part's depots (P rows, in SKU then depot
// order) from the part after after on, until fn returns false.
func eachPart(txn *badger.Txn, sku, after string, fn func(sku string, depots []string, pds []partDepot) (bool, error)) error {
	prefix := []byte{prefixPart}
	if sku != "" {
		prefix = sub(prefixPart, sku)
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	start := prefix
	if after != "" && sku == "" {
		// Past every P<after>0<depot>: codes hold no byte below 0x01.
		start = append(key(prefixPart, after), 1)
	}
	var cur string
	var depots []string
	var pds []partDepot
	flush := func() (bool, error) {
		if len(depots) == 0 {
			return true, nil
		}
		more, err := fn(cur, depots, pds)
		depots, pds = nil, nil
		return more, err
	}
	for it.Seek(start); it.Valid(); it.Next() {
		s, d, ok := bytes.Cut(it.Item().Key()[1:], []byte{0})
		if !ok {
			return fmt.Errorf("part key %q", it.Item().Key())
		}
		if string(s) != cur {
			if more, err := flush(); err != nil || !more {
				return err
			}
			cur = string(s)
		}
		var pd partDepot
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &pd) }); err != nil {
			return fmt.Errorf("decode part %q: %w", it.Item().Key(), err)
		}
		depots = append(depots, string(d))
		pds = append(pds, pd)
	}
	_, err := flush()
	return err
}

// GlobalStock is every part across every depot that defined it: per depot
// what it holds where, its position and its reorder figures, paged by SKU.
func (h *HQ) GlobalStock(f GlobalFilter) ([]PartStock, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	if limit > 1000 {
		limit = 1000
	}
	out := []PartStock{}
	err := h.db.View(func(txn *badger.Txn) error {
		r := newStockReader(txn)
		return eachPart(txn, f.SKU, f.After, func(sku string, depots []string, pds []partDepot) (bool, error) {
			ps := PartStock{SKU: sku, Depots: []DepotStock{}}
			for i, d := range depots {
				if f.Depot != "" && f.Depot != d {
					continue
				}
				ds, err := r.depotStock(d, sku, pds[i])
				if err != nil {
					return false, err
				}
				if (f.BelowReorderPoint && !ds.BelowReorderPoint) || (f.Excess && !ds.Excess) {
					continue
				}
				ps.Depots = append(ps.Depots, ds)
			}
			if len(ps.Depots) > 0 {
				out = append(out, ps)
			}
			return len(out) < limit, nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read the global stock: %w", err)
	}
	return out, nil
}

// TransferView is one transfer as both ends' logs leave it: the source's
// request, approval and sealed manifest, the destination's announcement,
// receipt and report.
type TransferView struct {
	Number string `json:"number"`
	From   string `json:"from"`
	To     string `json:"to"`
	// Status is the destination's once it announced the transfer
	// (shipped: on the way; received: receipt closed, a short remains;
	// closed), the source's before (requested, approved, shipped).
	Status   inventory.TransferStatus `json:"status"`
	Expected string                   `json:"expected,omitempty"`
	Overdue  bool                     `json:"overdue"`
	// Differences: what arrived is not what was asked or sent — a line
	// shipped short of its request, the two ends' shipped quantities
	// disagree, something over or damaged, or short once receipt closed.
	Differences bool                          `json:"differences"`
	SSCC        string                        `json:"sscc,omitempty"`
	Lines       []inventory.TransferLineState `json:"lines"`
	Manifest    []inventory.ShipmentLine      `json:"manifest"`
	// Report is the destination's discrepancy report once it closed the
	// receipt: the transfer-closed event's figures, with what was written
	// off since.
	Report      *inventory.TransferReport `json:"report,omitempty"`
	Source      *inventory.TransferState  `json:"source,omitempty"`
	Destination *inventory.TransferState  `json:"destination,omitempty"`
}

func mergeTransfer(src, dst *inventory.TransferState, now time.Time) TransferView {
	base := src
	if base == nil {
		base = dst
	}
	v := TransferView{Number: base.Number, From: base.From, To: base.To, Expected: base.Expected, Status: base.Status,
		SSCC: base.SSCC, Source: src, Destination: dst, Manifest: base.Manifest, Lines: []inventory.TransferLineState{}}
	if v.Manifest == nil {
		v.Manifest = []inventory.ShipmentLine{}
	}
	// The destination holds the transfer from HQ's order on (requested),
	// but speaks for it only once the goods are announced there.
	announced := dst != nil && dst.Status != inventory.TransferRequested
	if announced || src == nil {
		v.Status = dst.Status
		if v.SSCC == "" {
			v.SSCC = dst.SSCC
		}
	}
	sealed := src != nil && (src.Status == inventory.TransferShipped || src.Status == inventory.TransferReceived ||
		src.Status == inventory.TransferClosed)
	receiptClosed := announced && dst.Status != inventory.TransferShipped
	for _, l := range base.Lines {
		line := inventory.TransferLineState{SKU: l.SKU, Requested: l.Requested, Shipped: l.Shipped}
		if announced {
			for _, d := range dst.Lines {
				if d.SKU != l.SKU {
					continue
				}
				line.Received, line.Damaged, line.Over, line.Short, line.WrittenOff = d.Received, d.Damaged, d.Over, d.Short, d.WrittenOff
				if sealed && d.Shipped != l.Shipped {
					v.Differences = true
				}
			}
		}
		if line.Over > 0 || line.Damaged > 0 || (receiptClosed && line.Short > 0) || ((sealed || announced) && line.Shipped != line.Requested) {
			v.Differences = true
		}
		v.Lines = append(v.Lines, line)
	}
	if receiptClosed {
		r := dst.Report()
		v.Report = &r
	}
	// On the way: sealed at the source and not yet announced, or announced
	// and not closed for receipt; the depot's own overdue rule.
	v.Overdue = v.Status == inventory.TransferShipped && v.Expected != "" && v.Expected < now.UTC().Format(time.DateOnly)
	return v
}

// TransferFilter narrows Transfers. Empty fields match everything; After
// is a transfer number (the list is in number order); Limit is 1..1000
// (1000 when 0).
type TransferFilter struct {
	Status      inventory.TransferStatus
	From, To    string
	Overdue     bool
	Differences bool
	After       string
	Limit       int
}

func (f TransferFilter) match(v TransferView) bool {
	return (f.Status == "" || f.Status == v.Status) && (f.From == "" || f.From == v.From) && (f.To == "" || f.To == v.To) &&
		(!f.Overdue || v.Overdue) && (!f.Differences || v.Differences)
}

// eachTransfer calls fn with every transfer under prefix (of the T index),
// both ends merged, in number then source order, until fn returns false.
func (h *HQ) eachTransfer(txn *badger.Txn, prefix, start []byte, fn func(TransferView) bool) error {
	now := h.now()
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	defer it.Close()
	type group struct{ number, from string }
	var cur group
	var src, dst *inventory.TransferState
	flush := func() bool {
		if src == nil && dst == nil {
			return true
		}
		more := fn(mergeTransfer(src, dst, now))
		src, dst = nil, nil
		return more
	}
	for it.Seek(start); it.Valid(); it.Next() {
		f := bytes.Split(it.Item().Key()[1:], []byte{0})
		if len(f) != 3 {
			return fmt.Errorf("transfer index key %q", it.Item().Key())
		}
		g := group{string(f[0]), string(f[1])}
		if g != cur {
			if !flush() {
				return nil
			}
			cur = g
		}
		st, found, err := readTransferEnd(txn, string(f[2]), g.number)
		if err != nil {
			return err
		}
		if !found {
			continue
		}
		if st.Direction == inventory.TransferOutbound {
			src = &st
		} else {
			dst = &st
		}
	}
	flush()
	return nil
}

// Transfers lists transfers between depots, both ends merged.
func (h *HQ) Transfers(f TransferFilter) ([]TransferView, error) {
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := []TransferView{}
	start := []byte{prefixTransfer}
	if f.After != "" {
		start = append(key(prefixTransfer, f.After), 1)
	}
	err := h.db.View(func(txn *badger.Txn) error {
		return h.eachTransfer(txn, []byte{prefixTransfer}, start, func(v TransferView) bool {
			if f.match(v) {
				out = append(out, v)
			}
			return len(out) < limit
		})
	})
	if err != nil {
		return nil, fmt.Errorf("read transfers: %w", err)
	}
	return out, nil
}

// Transfer is one transfer, both ends merged. Transfer numbers are the
// source depot's: two sources may use one number, and from (the source
// depot) then tells them apart; empty, it must not be needed.
func (h *HQ) Transfer(number, from string) (TransferView, error) {
	var found []TransferView
	err := h.db.View(func(txn *badger.Txn) error {
		prefix := sub(prefixTransfer, number)
		if from != "" {
			prefix = sub(prefixTransfer, number, from)
		}
		return h.eachTransfer(txn, prefix, prefix, func(v TransferView) bool {
			found = append(found, v)
			return true
		})
	})
	if err != nil {
		return TransferView{}, fmt.Errorf("read transfer %s: %w", number, err)
	}
	switch len(found) {
	case 0:
		return TransferView{}, notFound("number", "no transfer %q", number)
	case 1:
		return found[0], nil
	}
	return TransferView{}, invalid("from", "%d source depots use transfer number %s (%s, %s, ...): name the source", len(found), number, found[0].From, found[1].From)
}

// SignalFilter narrows Signals. Status is "open", "covered" or empty (all);
// Limit is 1..1000 (1000 when 0).
type SignalFilter struct {
	Depot, SKU string
	Status     string
	Limit      int
}

// Signal statuses in SignalFilter.
const (
	SignalOpen    = inventory.SignalOpen
	SignalCovered = inventory.SignalCovered
)

// Signals lists the reorder signals every depot raised, by depot then seq.
func (h *HQ) Signals(f SignalFilter) ([]Signal, error) {
	switch f.Status {
	case "", SignalOpen, SignalCovered:
	default:
		return nil, invalid("status", "must be %s or %s", SignalOpen, SignalCovered)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	prefix := []byte{prefixSignal}
	if f.Depot != "" {
		prefix = sub(prefixSignal, f.Depot)
	}
	out := []Signal{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			var s Signal
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &s) }); err != nil {
				return fmt.Errorf("decode signal %q: %w", it.Item().Key(), err)
			}
			if (f.SKU == "" || f.SKU == s.SKU) && (f.Status == "" || (f.Status == SignalOpen) == s.Open) {
				out = append(out, s)
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read signals: %w", err)
	}
	return out, nil
}

// issuedSince reports whether depot issued sku on or after day (YYYY-MM-DD).
func issuedSince(txn *badger.Txn, depot, sku, day string) bool {
	prefix := sub(prefixDepotDoc, depot, tableIssues, sku)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	defer it.Close()
	it.Seek(append(prefix, day...))
	return it.Valid()
}
