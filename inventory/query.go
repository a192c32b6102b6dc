package inventory

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/dgraph-io/badger/v4"
)

// notFound refuses field's id: format, like "no part %q", says what is
// missing in words a translator gets whole.
func notFound(field, format, id string) error {
	return errf(CodeNotFound, field, format, id)
}

// viewDoc reads the record at key as a T; when there is none, the error
// (format with id, on field what) says that no what named id exists.
func viewDoc[T any](s *Store, key []byte, what, format, id string) (T, error) {
	var v T
	ok, err := s.viewJSON(key, &v)
	if err == nil && !ok {
		err = notFound(what, format, id)
	}
	return v, err
}

func (s *Store) viewJSON(key []byte, into any) (bool, error) {
	var found bool
	err := s.read(func(txn *badger.Txn) error {
		item, err := txn.Get(key)
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		found = true
		return item.Value(func(b []byte) error { return json.Unmarshal(b, into) })
	})
	return found, err
}

// Part returns one part by SKU.
func (s *Store) Part(sku string) (Part, error) {
	return viewDoc[Part](s, join(pPart, sku), "part", "no part %q", sku)
}

// ResolveCode finds the part a scanned or typed code names: its SKU, one of
// its GTINs (any length, normalised to 14 digits) or an alias.
func (s *Store) ResolveCode(code string) (Part, error) {
	if p, err := s.Part(code); err == nil {
		return p, nil
	} else if CodeOf(err) != CodeNotFound {
		return Part{}, err
	}
	key := code
	if g, ok := NormalizeGTIN(code); ok {
		key = g
	}
	var sku string
	err := s.read(func(txn *badger.Txn) error {
		item, err := txn.Get(join(pAlias, key))
		if err != nil {
			return err
		}
		v, err := item.ValueCopy(nil)
		sku = string(v)
		return err
	})
	if errors.Is(err, badger.ErrKeyNotFound) {
		return Part{}, notFound("part", "no part %q", code)
	}
	if err != nil {
		return Part{}, err
	}
	return s.Part(sku)
}

// Page asks for at most Limit items after the cursor After (exclusive).
type Page struct {
	After string
	Limit int
}

func (p Page) limit() int {
	if p.Limit <= 0 || p.Limit > 1000 {
		return 1000
	}
	return p.Limit
}

// scan visits keys under prefix after the cursor, at most limit of them.
func (s *Store) scan(prefix []byte, after string, limit int, values bool, fn func(k, v []byte) error) error {
	return s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: values, PrefetchSize: 64})
		defer it.Close()
		start := prefix
		if after != "" {
			start = append(append(bytes.Clone(prefix), after...), 0)
		}
		n := 0
		for it.Seek(start); it.Valid() && n < limit; it.Next() {
			item := it.Item()
			var v []byte
			if values {
				var err error
				if v, err = item.ValueCopy(nil); err != nil {
					return err
				}
			}
			if err := fn(item.Key(), v); err != nil {
				return err
			}
			n++
		}
		return nil
	})
}

// Parts lists parts in SKU order.
func (s *Store) Parts(pg Page) ([]Part, error) {
	out := []Part{}
	err := s.scan([]byte{pPart}, pg.After, pg.limit(), true, func(_, v []byte) error {
		var p Part
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// Location returns one location by code.
func (s *Store) Location(code string) (Location, error) {
	return viewDoc[Location](s, join(pLocation, code), "location", "no location %q", code)
}

// Locations lists locations in code order.
func (s *Store) Locations(pg Page) ([]Location, error) {
	out := []Location{}
	err := s.scan([]byte{pLocation}, pg.After, pg.limit(), true, func(_, v []byte) error {
		var l Location
		if err := json.Unmarshal(v, &l); err != nil {
			return err
		}
		out = append(out, l)
		return nil
	})
	return out, err
}

// Lot returns a lot of a part.
func (s *Store) Lot(sku, lot string) (Lot, error) {
	return viewDoc[Lot](s, join(pLot, sku, lot), "lot", "no lot %q", sku+"/"+lot)
}

// StockFilter narrows a stock query. Empty fields match everything.
type StockFilter struct {
	SKU, Location, Lot, Serial string
}

func (f StockFilter) match(k balKey) bool {
	return (f.SKU == "" || f.SKU == k.SKU) && (f.Location == "" || f.Location == k.Loc) &&
		(f.Lot == "" || f.Lot == k.Lot) && (f.Serial == "" || f.Serial == k.Serial)
}

// Stock lists balance rows matching f, ordered by part then location (or by
// location then part when only a location is given). Rows with nothing on
// hand and nothing reserved do not exist. Limit bounds the rows returned.
func (s *Store) Stock(f StockFilter, limit int) ([]Balance, error) {
	if limit <= 0 {
		limit = 1000
	}
	out := []Balance{}
	err := s.read(func(txn *badger.Txn) error {
		var prefix []byte
		byLoc := f.SKU == "" && f.Location != ""
		switch {
		case f.SKU != "" && f.Location != "":
			prefix = append(join(pBalance, f.SKU, f.Location), 0)
		case f.SKU != "":
			prefix = append(join(pBalance, f.SKU), 0)
		case byLoc:
			prefix = append(join(pByLoc, f.Location), 0)
		default:
			prefix = []byte{pBalance}
		}
		if f.SKU != "" && f.Serial != "" {
			// A serial is in one place at most: go straight there.
			item, err := txn.Get(serialKey(f.SKU, f.Serial))
			if errors.Is(err, badger.ErrKeyNotFound) {
				return nil
			}
			if err != nil {
				return err
			}
			w, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			loc, lot, _ := bytes.Cut(w, []byte{0})
			prefix = balKey{f.SKU, string(loc), string(lot), f.Serial}.key()
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: !byLoc, PrefetchSize: 100})
		defer it.Close()
		for it.Rewind(); it.Valid() && len(out) < limit; it.Next() {
			k := it.Item().Key()
			var bk balKey
			var raw []byte
			var err error
			if byLoc {
				bk = balKeyFromLoc(k)
				if !f.match(bk) {
					continue
				}
				item, gerr := txn.Get(bk.key())
				if gerr != nil {
					return fmt.Errorf("stock index points at missing balance %v: %w", bk, gerr)
				}
				raw, err = item.ValueCopy(nil)
			} else {
				bk = balKeyFrom(k)
				if !f.match(bk) {
					continue
				}
				raw, err = it.Item().ValueCopy(nil)
			}
			if err != nil {
				return err
			}
			q, ok := decodeQty(raw)
			if !ok {
				return fmt.Errorf("corrupt balance %v", bk)
			}
			out = append(out, bk.balance(q))
		}
		return nil
	})
	return out, err
}

func (k balKey) balance(q qty) Balance {
	return Balance{SKU: k.SKU, Location: k.Loc, Lot: k.Lot, Serial: k.Serial,
		OnHand: q.OnHand, Reserved: q.Reserved, Available: q.OnHand - q.Reserved}
}

// Events returns up to limit events with seq > after, in seq order.
func (s *Store) Events(after uint64, limit int) ([]Event, error) {
	if limit <= 0 || limit > 10000 {
		limit = 10000
	}
	out := []Event{}
	err := s.EachEvent(after, func(ev *Event, _ []byte) error {
		if len(out) >= limit {
			return errStop
		}
		out = append(out, *ev)
		return nil
	})
	return out, err
}

var errStop = errors.New("stop")

// EachEvent calls fn for every event with seq > after, in seq order, with
// the event and its stored bytes. fn returning an error stops the walk; the
// error is returned unless it is the internal stop signal.
func (s *Store) EachEvent(after uint64, fn func(ev *Event, raw []byte) error) error {
	return s.EachRawEvent(after, func(seq uint64, raw []byte) error {
		var ev Event
		if err := json.Unmarshal(raw, &ev); err != nil {
			return fmt.Errorf("decode event %d: %w", seq, err)
		}
		return fn(&ev, raw)
	})
}

// EachRawEvent is EachEvent for callers that pass events on as stored (the
// API's event pages, replication): it hands over the seq, read from the key,
// and the stored bytes, and decodes nothing.
func (s *Store) EachRawEvent(after uint64, fn func(seq uint64, raw []byte) error) error {
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pEvent}, PrefetchValues: true, PrefetchSize: 256})
		defer it.Close()
		for it.Seek(eventKey(after + 1)); it.Valid(); it.Next() {
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			if err := fn(binary.BigEndian.Uint64(it.Item().Key()[1:]), raw); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// Event returns one event by seq.
func (s *Store) Event(seq uint64) (Event, error) {
	var ev Event
	ok, err := s.viewJSON(eventKey(seq), &ev)
	if err == nil && !ok {
		err = notFound("event", "no event %q", fmt.Sprint(seq))
	}
	return ev, err
}

// SerialHistory is where one serial number has been.
type SerialHistory struct {
	SKU    string `json:"sku"`
	Serial string `json:"serial"`
	// Location is where it is now; empty when it has left the depot
	// (issued, shipped, scrapped).
	Location string  `json:"location,omitempty"`
	Lot      string  `json:"lot,omitempty"`
	Events   []Event `json:"events"`
}

// SerialHistory returns every event that touched the serial, oldest first;
// an issue event's Ref names the work order that took it.
func (s *Store) SerialHistory(sku, serial string) (SerialHistory, error) {
	h := SerialHistory{SKU: sku, Serial: serial, Events: []Event{}}
	err := s.read(func(txn *badger.Txn) error {
		if item, err := txn.Get(serialKey(sku, serial)); err == nil {
			w, err := item.ValueCopy(nil)
			if err != nil {
				return err
			}
			loc, lot, _ := bytes.Cut(w, []byte{0})
			h.Location, h.Lot = string(loc), string(lot)
		} else if !errors.Is(err, badger.ErrKeyNotFound) {
			return err
		}
		prefix := append(join(pSerHist, sku, serial), 0)
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			k := it.Item().Key()
			seq := binary.BigEndian.Uint64(k[len(k)-8:])
			item, err := txn.Get(eventKey(seq))
			if err != nil {
				return fmt.Errorf("serial history points at event %d: %w", seq, err)
			}
			var ev Event
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &ev) }); err != nil {
				return err
			}
			h.Events = append(h.Events, ev)
		}
		return nil
	})
	if err == nil && len(h.Events) == 0 {
		err = notFound("serial", "no serial %q", sku+"/"+serial)
	}
	return h, err
}

// StockAt returns the balances matching f as they were just after event seq.
// It starts from today's balances and undoes the events after seq, so asking
// about the recent past is cheap; asking about the distant past walks more.
func (s *Store) StockAt(seq uint64, f StockFilter) ([]Balance, error) {
	head := s.Head()
	if seq > head.Seq {
		return nil, errf(CodeInvalid, "seq", "the log ends at %d", head.Seq)
	}
	rows := map[balKey]qty{}
	err := s.read(func(txn *badger.Txn) error {
		// Read today's rows and the later events in one snapshot so none
		// commits in between.
		prefix := []byte{pBalance}
		if f.SKU != "" {
			prefix = append(join(pBalance, f.SKU), 0)
		}
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true})
		for it.Rewind(); it.Valid(); it.Next() {
			bk := balKeyFrom(it.Item().Key())
			if !f.match(bk) {
				continue
			}
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				it.Close()
				return err
			}
			q, _ := decodeQty(raw)
			rows[bk] = q
		}
		it.Close()
		ei := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pEvent}, PrefetchValues: true})
		defer ei.Close()
		for ei.Seek(eventKey(seq + 1)); ei.Valid(); ei.Next() {
			var ev Event
			if err := ei.Item().Value(func(b []byte) error { return json.Unmarshal(b, &ev) }); err != nil {
				return err
			}
			for _, d := range deltas(&ev) {
				if !f.match(d.k) {
					continue
				}
				q := rows[d.k]
				q.OnHand -= d.onHand
				q.Reserved -= d.reserved
				rows[d.k] = q
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return sortedBalances(rows), nil
}
