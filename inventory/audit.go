package inventory

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// The audit trail is the event chain itself: every change to the depot's
// stock and documents is an event naming its actor, so "who did what" is a
// filtered walk of the log, newest first, with each entry's place in the
// chain checked on the way (its hash recomputed, its link to the event
// before it compared).

// AuditFilter narrows the audit trail. Empty fields match everything.
type AuditFilter struct {
	Actor string
	Types []EventType
	Ref   string
	// SKU matches events with a line, part definition or document line of
	// that part.
	SKU string
	// Since and Until bound the events' time: Since <= at < Until.
	Since, Until time.Time
}

func (f AuditFilter) match(ev *Event) bool {
	switch {
	case f.Actor != "" && ev.Actor != f.Actor,
		f.Ref != "" && ev.Ref != f.Ref,
		len(f.Types) > 0 && !slices.Contains(f.Types, ev.Type),
		!f.Since.IsZero() && ev.At.Before(f.Since),
		!f.Until.IsZero() && !ev.At.Before(f.Until):
		return false
	}
	return f.SKU == "" || ev.touches(f.SKU)
}

// touches reports whether the event is about part sku.
func (ev *Event) touches(sku string) bool {
	for _, l := range ev.Lines {
		if l.SKU == sku {
			return true
		}
	}
	if ev.Part != nil && ev.Part.SKU == sku {
		return true
	}
	if ev.Order != nil {
		for _, l := range ev.Order.Lines {
			if l.SKU == sku {
				return true
			}
		}
	}
	if ev.Notice != nil {
		for _, p := range ev.Notice.Pallets {
			for _, l := range p.Lines {
				if l.SKU == sku {
					return true
				}
			}
		}
	}
	return false
}

// AuditEntry is one event of the trail with the result of its chain checks.
type AuditEntry struct {
	Event Event `json:"event"`
	// HashOK says the event's content hashes to its recorded hash.
	HashOK bool `json:"hashOk"`
	// LinkOK says the event's prevHash is the hash of the event before it;
	// absent when the walk stopped before reading that event.
	LinkOK *bool `json:"linkOk,omitempty"`
}

// AuditPage is a page of the trail, newest first.
type AuditPage struct {
	Entries []AuditEntry `json:"entries"`
	// Examined is how many events the walk read, matching or not; the
	// checks covered all of them.
	Examined int `json:"examined"`
	// Broken lists the seqs among the examined events whose hash or link
	// failed: anything here means the stored log was edited.
	Broken []uint64 `json:"broken"`
	// Next is the seq to pass as before for the following page; 0 when
	// the walk reached the first event.
	Next uint64 `json:"next,omitempty"`
}

// MaxAuditExamined bounds the events one audit call reads, so a narrow
// filter over a long log answers promptly; Next continues the walk.
const MaxAuditExamined = 50_000

// Audit walks the log backwards from the event before seq before (from the
// head when before is 0) and returns up to limit entries matching f. It
// stops early after MaxAuditExamined events and says where to go on.
func (s *Store) Audit(f AuditFilter, before uint64, limit int) (AuditPage, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	pg := AuditPage{Entries: []AuditEntry{}, Broken: []uint64{}}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{pEvent}, PrefetchValues: true, PrefetchSize: 256, Reverse: true})
		defer it.Close()
		start := eventKey(^uint64(0))
		if before > 0 {
			start = eventKey(before - 1)
		}
		// The newer neighbour of the event in hand: its prevHash must be
		// this event's hash.
		var newer *Event
		newerEntry := -1
		for it.Seek(start); it.Valid(); it.Next() {
			seq := binary.BigEndian.Uint64(it.Item().Key()[1:])
			if before > 0 && seq >= before {
				continue
			}
			if pg.Examined == MaxAuditExamined || len(pg.Entries) == limit {
				// The event in hand still closes the last one's link check.
				pg.Next = newer.Seq
				return linkCheck(it.Item(), newer, newerEntry, &pg)
			}
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			var ev Event
			if err := json.Unmarshal(raw, &ev); err != nil {
				return fmt.Errorf("decode event %d: %w", seq, err)
			}
			pg.Examined++
			hashOK := hashOf(&ev, raw) == ev.Hash && ev.Seq == seq
			if !hashOK {
				pg.Broken = append(pg.Broken, seq)
			}
			if newer != nil {
				ok := newer.PrevHash == ev.Hash && newer.Seq == seq+1
				if newerEntry >= 0 {
					pg.Entries[newerEntry].LinkOK = &ok
				}
				if !ok {
					pg.Broken = append(pg.Broken, newer.Seq)
				}
			}
			newerEntry = -1
			if f.match(&ev) {
				pg.Entries = append(pg.Entries, AuditEntry{Event: ev, HashOK: hashOK})
				newerEntry = len(pg.Entries) - 1
			}
			newer = &ev
		}
		// The first event links to nothing: its prevHash is empty.
		if newer != nil && newer.Seq == 1 {
			ok := newer.PrevHash == ""
			if newerEntry >= 0 {
				pg.Entries[newerEntry].LinkOK = &ok
			}
			if !ok {
				pg.Broken = append(pg.Broken, newer.Seq)
			}
		}
		return nil
	})
	slices.Sort(pg.Broken)
	pg.Broken = slices.Compact(pg.Broken)
	return pg, err
}

// linkCheck finishes the link check of the last examined event against the
// one the walk stopped at, without counting that one as examined.
func linkCheck(item *badger.Item, newer *Event, entry int, pg *AuditPage) error {
	raw, err := item.ValueCopy(nil)
	if err != nil {
		return err
	}
	var ev Event
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("decode event: %w", err)
	}
	ok := newer.PrevHash == ev.Hash && newer.Seq == ev.Seq+1
	if entry >= 0 {
		pg.Entries[entry].LinkOK = &ok
	}
	if !ok {
		pg.Broken = append(pg.Broken, newer.Seq)
	}
	return nil
}
