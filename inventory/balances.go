package inventory

import (
	"cmp"
	"slices"
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
