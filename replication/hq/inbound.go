package hq

import (
	"encoding/json"
	"fmt"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// requestedInbound is what HQ's transfer orders to depot still only
// request there, per part: the depot counts such an order in its reorder
// position (Store.Position) from the moment it is requested, like stock
// on order, until the goods are announced and their transit counts
// instead. Without it HQ's position of the destination would stay short
// after the planner ordered, and planning would suggest the same transfer
// again. Read once per depot per snapshot.
func (r *stockReader) requestedInbound(depot, sku string) (int64, error) {
	if r.requested == nil {
		r.requested = map[string]map[string]int64{}
	}
	m, ok := r.requested[depot]
	if !ok {
		m = map[string]int64{}
		prefix := sub(prefixDepotDoc, depot, tableTransfer)
		it := r.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var st inventory.TransferState
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &st) }); err != nil {
				return 0, fmt.Errorf("decode transfer end %q: %w", it.Item().Key(), err)
			}
			if st.Direction != inventory.TransferInbound || st.Status != inventory.TransferRequested {
				continue
			}
			for _, l := range st.Lines {
				m[l.SKU] += l.Requested
			}
		}
		r.requested[depot] = m
	}
	return m[sku], nil
}
