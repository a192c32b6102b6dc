package inventory

import (
	"encoding/binary"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// Holds: how much of each balance row open work orders have reserved. The
// reservation itself is the balance's Reserved, which free reserve and
// unreserve events (and issues that take reserved stock under a ref that
// is no work order) also move; the hold stops those from taking a work
// order's reservation away: W sku 0x00 loc 0x00 lot 0x00 serial -> varint qty.

func holdKey(k balKey) []byte { return append([]byte{pHold}, k.key()[1:]...) }

// holdsOf sums what a work order's lines hold per balance row.
func holdsOf(st *WorkOrderState) map[balKey]int64 {
	out := map[balKey]int64{}
	if st == nil {
		return out
	}
	for _, l := range st.Lines {
		for _, r := range l.Reservations {
			out[balKey{l.SKU, r.Location, r.Lot, r.Serial}] += r.Qty
		}
	}
	return out
}

func getHold(v *view, k balKey) (int64, error) {
	raw, ok, err := v.get(holdKey(k))
	if !ok || err != nil {
		return 0, err
	}
	n, m := binary.Varint(raw)
	if m <= 0 {
		return 0, fmt.Errorf("corrupt hold %v", k)
	}
	return n, nil
}

// moveHolds stages the change of one work order's holds from what it held
// before the event to what its state holds now.
func moveHolds(v *view, before map[balKey]int64, cur *WorkOrderState) error {
	diff := holdsOf(cur)
	for k, n := range before {
		diff[k] -= n
	}
	for k, d := range diff {
		if d == 0 {
			continue
		}
		n, err := getHold(v, k)
		if err != nil {
			return err
		}
		if n += d; n == 0 {
			v.del(holdKey(k))
		} else {
			v.set(holdKey(k), binary.AppendVarint(nil, n))
		}
	}
	return nil
}

// keepHolds refuses an event that leaves a row with less reserved than
// work orders hold there: a free unreserve, or a free issue of reserved
// stock, taking a work order's reservation.
func keepHolds(v *view, ds []delta) error {
	for _, d := range ds {
		if d.reserved >= 0 {
			continue
		}
		hold, err := getHold(v, d.k)
		if err != nil || hold == 0 {
			if err != nil {
				return err
			}
			continue
		}
		raw, ok, err := v.get(d.k.key())
		if err != nil {
			return err
		}
		var q qty
		if ok {
			q, _ = decodeQty(raw)
		}
		if q.Reserved < hold {
			return errf(CodeInsufficientReserve, lineField(d.line)+".qty",
				"%s at %s: %d of the reservation is held by work orders; %d would be left", d.k.SKU, d.k.Loc, hold, q.Reserved)
		}
	}
	return nil
}

// compareHolds checks the stored holds against the replayed work orders.
func compareHolds(txn *badger.Txn, wos map[string]*WorkOrderState, r *VerifyReport) error {
	want := map[balKey]int64{}
	for _, st := range wos {
		for k, n := range holdsOf(st) {
			want[k] += n
		}
	}
	it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pHold}, PrefetchValues: true})
	defer it.Close()
	got := map[balKey]int64{}
	for it.Rewind(); it.Valid(); it.Next() {
		k := balKeyFrom(it.Item().Key())
		raw, err := it.Item().ValueCopy(nil)
		if err != nil {
			return err
		}
		n, m := binary.Varint(raw)
		if m <= 0 {
			r.problem("hold %v: undecodable", k)
			continue
		}
		got[k] = n
	}
	for k, n := range want {
		if n != 0 && got[k] != n {
			r.problem("work orders hold %d of %s@%s lot=%q serial=%q, the store says %d", n, k.SKU, k.Loc, k.Lot, k.Serial, got[k])
		}
	}
	for k, n := range got {
		if want[k] == 0 {
			r.problem("the store holds %d of %s@%s lot=%q serial=%q for work orders, which hold none", n, k.SKU, k.Loc, k.Lot, k.Serial)
		}
	}
	return nil
}
