package inventory

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// DefaultExpiryWindow is how far ahead a lot's expiry is reminded of when
// Options.ExpiryWindow is not set.
const DefaultExpiryWindow = 30 * 24 * time.Hour

// lotsExpiring lists the lots on hand that expire within the store's
// ExpiryWindow (lot-expiring) or have expired (lot-expired, the expiry day
// is before today on the store's clock), soonest first. Only usable stock
// counts: stock bins, quarantine and vans. Defective stock waits to go back
// to its supplier and stock in transit is the other depot's to receive,
// so neither is a reason to act on the date.
func (s *Store) lotsExpiring() ([]Reminder, error) {
	return s.ExpiringLots(s.opts.Clock.Now(), s.opts.ExpiryWindow)
}

// ExpiringLots lists the lots on hand on the day of now that expire within
// window of it, expired ones included, soonest first (then by part and
// lot). Qty is what is on hand of the lot in usable locations.
func (s *Store) ExpiringLots(now time.Time, window time.Duration) ([]Reminder, error) {
	today := now.UTC().Format(time.DateOnly)
	horizon := now.UTC().Add(window).Format(time.DateOnly)
	type lotKey struct{ sku, lot string }
	onHand := map[lotKey]int64{}
	kinds := map[string]LocationKind{}
	var out []Reminder
	err := s.read(func(txn *badger.Txn) error {
		kindOf := func(loc string) (LocationKind, error) {
			if k, ok := kinds[loc]; ok {
				return k, nil
			}
			var l Location
			item, err := txn.Get(join(pLocation, loc))
			if err != nil {
				return "", fmt.Errorf("location %q of a balance: %w", loc, err)
			}
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &l) }); err != nil {
				return "", fmt.Errorf("decode location %q: %w", loc, err)
			}
			k := l.Kind
			if k == "" {
				k = KindStock
			}
			kinds[loc] = k
			return k, nil
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pBalance}, PrefetchValues: true, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			bk := balKeyFrom(it.Item().Key())
			if bk.Lot == "" {
				continue
			}
			k, err := kindOf(bk.Loc)
			if err != nil {
				return err
			}
			if k == KindDefective || k == KindTransit {
				continue
			}
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			q, ok := decodeQty(raw)
			if !ok {
				return fmt.Errorf("corrupt balance %v", bk)
			}
			if q.OnHand > 0 {
				onHand[lotKey{bk.SKU, bk.Lot}] += q.OnHand
			}
		}
		for lk, n := range onHand {
			var lot Lot
			item, err := txn.Get(join(pLot, lk.sku, lk.lot))
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &lot) }); err != nil {
				return fmt.Errorf("decode lot %s/%s: %w", lk.sku, lk.lot, err)
			}
			// Dates in YYYY-MM-DD order as strings do.
			switch {
			case lot.Expiry == "" || lot.Expiry > horizon:
				continue
			case lot.Expiry < today:
				out = append(out, Reminder{Kind: ReminderLotExpired, Ref: lk.lot, SKU: lk.sku, Lot: lk.lot, Expiry: lot.Expiry, Qty: n,
					Message: fmt.Sprintf("lot %s of %s expired on %s: %d on hand", lk.lot, lk.sku, lot.Expiry, n)})
			default:
				out = append(out, Reminder{Kind: ReminderLotExpiring, Ref: lk.lot, SKU: lk.sku, Lot: lk.lot, Expiry: lot.Expiry, Qty: n,
					Message: fmt.Sprintf("lot %s of %s expires on %s: %d on hand", lk.lot, lk.sku, lot.Expiry, n)})
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("expiring lots: %w", err)
	}
	slices.SortFunc(out, func(a, b Reminder) int {
		return cmp.Or(cmp.Compare(a.Expiry, b.Expiry), cmp.Compare(a.SKU, b.SKU), cmp.Compare(a.Lot, b.Lot))
	})
	return out, nil
}
