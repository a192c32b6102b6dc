package inventory

import (
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// ReorderPolicy returns a part's reorder policy with its signal state.
func (s *Store) ReorderPolicy(sku string) (ReorderState, error) {
	return viewDoc[ReorderState](s, reorderKey(sku), "reorder policy", "no reorder policy %q", sku)
}

// ReorderPolicies lists parts with a reorder policy in SKU order.
func (s *Store) ReorderPolicies(pg Page) ([]ReorderState, error) {
	out := []ReorderState{}
	err := s.scan(join(pReorder, "p", ""), pg.After, pg.limit(), true, func(k, v []byte) error {
		var st ReorderState
		if err := json.Unmarshal(v, &st); err != nil {
			return fmt.Errorf("decode reorder state %q: %w", k, err)
		}
		out = append(out, st)
		return nil
	})
	return out, err
}

// SignalFilter narrows ReorderSignals. Empty fields match everything.
type SignalFilter struct {
	Status string // open | covered
	SKU    string
	// After is a signal's seq: the list starts after it.
	After uint64
	Limit int
}

// ReorderSignals lists raised signals in the order they were raised.
func (s *Store) ReorderSignals(f SignalFilter) ([]SignalRecord, error) {
	limit := Page{Limit: f.Limit}.limit()
	out := []SignalRecord{}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: signalPrefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(signalKey(f.After + 1)); it.Valid() && len(out) < limit; it.Next() {
			var r SignalRecord
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &r) }); err != nil {
				return fmt.Errorf("decode reorder signal %x: %w", it.Item().Key(), err)
			}
			if (f.Status == "" || f.Status == r.Status) && (f.SKU == "" || f.SKU == r.Signal.SKU) {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// Position is a part's inventory position as the store knows it: stock
// available in stock and van locations, what open purchase orders still
// owe, and what inbound transfers bring to this depot: while HQ's order is
// only requested here, its requested quantities (stock ordered from another
// depot, like stock on order); once announced, what the manifest put in
// transit instead, until the receipt is closed (a short left in transit
// after the close is lost, not coming).
func (s *Store) Position(sku string) (Position, error) {
	ps, err := s.Positions([]string{sku})
	return ps[sku], err
}

// Positions is Position for several parts, read in one snapshot with one
// pass over the purchase orders, so a watcher pass costs one scan of the
// orders however many parts it evaluates.
func (s *Store) Positions(skus []string) (map[string]Position, error) {
	out := make(map[string]Position, len(skus))
	kinds := map[string]LocationKind{}
	err := s.read(func(txn *badger.Txn) error {
		inbound, err := inboundTransfers(txn)
		if err != nil {
			return err
		}
		for _, sku := range skus {
			p, err := available(txn, sku, kinds, inbound.transits)
			if err != nil {
				return err
			}
			p.Inbound += inbound.requested[sku]
			out[sku] = p
		}
		// On order in the same snapshot, so a receipt is counted once:
		// either still owed or already on the shelf.
		po := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pPO}, PrefetchValues: true, PrefetchSize: 64})
		defer po.Close()
		for po.Rewind(); po.Valid(); po.Next() {
			var st PurchaseOrderState
			if err := po.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return fmt.Errorf("decode purchase order %q: %w", po.Item().Key()[1:], err)
			}
			if st.Status != POOpen {
				continue
			}
			for _, l := range st.Lines {
				if p, ok := out[l.SKU]; ok {
					p.OnOrder += l.Short
					out[l.SKU] = p
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for sku, p := range out {
		p.Total = p.sum()
		out[sku] = p
	}
	return out, nil
}

// available sums a part's available stock in stock and van locations.
func available(txn *badger.Txn, sku string, kinds map[string]LocationKind, inbound map[string]bool) (Position, error) {
	var p Position
	err := eachBalanceOf(txn, sku, func(k balKey, q qty) error {
		kind, ok := kinds[k.Loc]
		if !ok {
			item, err := txn.Get(join(pLocation, k.Loc))
			if err != nil {
				return fmt.Errorf("location %s of a balance of %s: %w", k.Loc, sku, err)
			}
			var l Location
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &l) }); err != nil {
				return fmt.Errorf("decode location %s: %w", k.Loc, err)
			}
			kind = l.Kind
			kinds[k.Loc] = kind
		}
		switch {
		case kind == KindStock || kind == KindVan:
			p.Available += q.OnHand - q.Reserved
		case kind == KindTransit && inbound[k.Loc]:
			p.Inbound += q.OnHand
		}
		return nil
	})
	return p, err
}

// inbound is what inbound transfers bring: the transit locations of those
// being received, and the quantities per part of those only ordered yet.
// A transfer is in one or the other, never both, so nothing counts twice.
type inbound struct {
	transits  map[string]bool
	requested map[string]int64
}

func inboundTransfers(txn *badger.Txn) (inbound, error) {
	out := inbound{transits: map[string]bool{}, requested: map[string]int64{}}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pTransfer}, PrefetchValues: true, PrefetchSize: 64})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		// Only what the position needs is decoded: a watcher pass reads
		// every transfer, and the manifests are the bulk of them.
		var st struct {
			Direction TransferDirection `json:"direction"`
			Status    TransferStatus    `json:"status"`
			Transit   string            `json:"transit"`
			Lines     []struct {
				SKU       string `json:"sku"`
				Requested int64  `json:"requested"`
			} `json:"lines"`
		}
		if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
			return inbound{}, fmt.Errorf("decode transfer %q: %w", it.Item().Key()[1:], err)
		}
		if st.Direction != TransferInbound {
			continue
		}
		switch {
		case st.Status == TransferRequested:
			for _, l := range st.Lines {
				out.requested[l.SKU] += l.Requested
			}
		case st.Status == TransferShipped && st.Transit != "":
			out.transits[st.Transit] = true
		}
	}
	return out, nil
}
