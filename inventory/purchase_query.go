package inventory

import (
	"cmp"
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// PurchaseOrder returns an order with what has come in per line.
func (s *Store) PurchaseOrder(number string) (PurchaseOrderState, error) {
	return viewDoc[PurchaseOrderState](s, poKey(number), "purchase order", "no purchase order %q", number)
}

// POFilter narrows PurchaseOrders. Empty fields match everything.
type POFilter struct {
	Status   POStatus
	Supplier string
}

func (f POFilter) match(st *PurchaseOrderState) bool {
	return (f.Status == "" || f.Status == st.Status) && (f.Supplier == "" || f.Supplier == st.Supplier)
}

// PurchaseOrders lists orders matching f in number order; the page's After
// is an order number and its Limit counts matching orders.
func (s *Store) PurchaseOrders(f POFilter, pg Page) ([]PurchaseOrderState, error) {
	out := []PurchaseOrderState{}
	err := s.eachPO(pg.After, func(st *PurchaseOrderState) bool {
		if f.match(st) {
			out = append(out, *st)
		}
		return len(out) < pg.limit()
	})
	return out, err
}

// eachPO visits orders in number order after the given number until fn
// returns false. The scan is over every order: a depot has thousands of
// orders at most, and a status or supplier index can come when one has more.
func (s *Store) eachPO(after string, fn func(st *PurchaseOrderState) bool) error {
	prefix := []byte{pPO}
	return s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		start := prefix
		if after != "" {
			// Keys are the prefix and the number; the next key after one
			// number is that number with a zero byte appended.
			start = append(poKey(after), 0)
		}
		for it.Seek(start); it.Valid(); it.Next() {
			var st PurchaseOrderState
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return fmt.Errorf("decode purchase order %q: %w", it.Item().Key()[1:], err)
			}
			if !fn(&st) {
				return nil
			}
		}
		return nil
	})
}

// Discrepancies is an order's discrepancy report: per line ordered,
// received, short and over. For a closed order it is what po-closed
// recorded, since nothing is received on a closed order.
func (s *Store) Discrepancies(number string) (POReport, error) {
	st, err := s.PurchaseOrder(number)
	if err != nil {
		return POReport{}, err
	}
	return st.report(), nil
}

// OrdersAwaiting lists the open orders with a line of sku that is still
// short, in number order: where parts a work order waits for will come from.
func (s *Store) OrdersAwaiting(sku string) ([]PurchaseOrderState, error) {
	out := []PurchaseOrderState{}
	err := s.eachPO("", func(st *PurchaseOrderState) bool {
		if st.Status != POOpen {
			return true
		}
		for _, l := range st.Lines {
			if l.SKU == sku && l.Short > 0 {
				out = append(out, *st)
				break
			}
		}
		return true
	})
	return out, err
}

// SuggestBin names the stock location where sku already lives, for putaway:
// the one holding the most of it on hand (lots and serials summed), the
// lowest code among equals. ok is false when no stock location holds any.
// Quarantine, defective, van and transit stock is not where a part is put
// away, so it does not count.
func (s *Store) SuggestBin(sku string) (string, bool, error) {
	onHand := map[string]int64{}
	err := s.read(func(txn *badger.Txn) error {
		return eachBalanceOf(txn, sku, func(k balKey, q qty) error {
			onHand[k.Loc] += q.OnHand
			return nil
		})
	})
	if err != nil {
		return "", false, err
	}
	best, bestQty := "", int64(0)
	for loc, n := range onHand {
		if n <= 0 || n < bestQty || n == bestQty && cmp.Compare(loc, best) > 0 {
			continue
		}
		l, err := s.Location(loc)
		if err != nil {
			return "", false, fmt.Errorf("balance of %s at %s: %w", sku, loc, err)
		}
		if l.Kind == KindStock {
			best, bestQty = loc, n
		}
	}
	return best, best != "", nil
}
