package inventory

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/dgraph-io/badger/v4"
)

func sortedBalances(rows map[balKey]qty) []Balance {
	out := make([]Balance, 0, len(rows))
	for k, q := range rows {
		if q != (qty{}) {
			out = append(out, k.balance(q))
		}
	}
	slices.SortFunc(out, func(a, b Balance) int {
		return cmp.Or(cmp.Compare(a.SKU, b.SKU), cmp.Compare(a.Location, b.Location),
			cmp.Compare(a.Lot, b.Lot), cmp.Compare(a.Serial, b.Serial))
	})
	return out
}

// eachBalanceOf calls fn with every balance row of sku in key order,
// stopping at the first error.
func eachBalanceOf(txn *badger.Txn, sku string, fn func(k balKey, q qty) error) error {
	prefix := append(join(pBalance, sku), 0)
	it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 100})
	defer it.Close()
	for it.Rewind(); it.Valid(); it.Next() {
		k := balKeyFrom(it.Item().Key())
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		q, ok := decodeQty(raw)
		if !ok {
			return fmt.Errorf("corrupt balance %v", k)
		}
		if err := fn(k, q); err != nil {
			return err
		}
	}
	return nil
}
