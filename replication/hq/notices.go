package hq

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// Notices from the depots (reminders as they arise, replication.NoticeBatch)
// are kept one record per notice id, the latest word on it: raised, then
// cleared. A depot's batches are stored where they continue or overlap
// what HQ holds (its notice high-water mark), so a batch the broker lost
// is sent again instead of being skipped by a later ack; a batch that
// repeats is acknowledged and changes nothing, as each notice is keyed by
// its id.
//
//	n h <depot>                the depot's notice HWM (seq, 8 bytes BE)
//	n r <depot> 0x00 <id>      the notice (inventory.Notice JSON)
const prefixNotice = 'n'

func noticeHWMKey(depot string) []byte { return append([]byte{prefixNotice, 'h'}, depot...) }

func noticePrefix(depot string) []byte {
	k := []byte{prefixNotice, 'r'}
	if depot == "" {
		return k
	}
	return append(append(k, depot...), 0)
}

func noticeKey(depot, id string) []byte { return append(noticePrefix(depot), id...) }

// ReasonNotices counts notice batches HQ refused.
const ReasonNotices = "notices"

// HandleNotices stores a notice batch from depot and returns the ack to
// publish: the depot's notice HWM after it. A batch beyond the HWM + 1 (one
// before it was lost) is not stored; the ack of the HWM makes the depot
// send again from there. ok is false when nothing should be acknowledged
// (the batch was refused, or the store failed).
func (h *HQ) HandleNotices(depot string, payload []byte) (ack replication.NoticeAck, ok bool, err error) {
	b, err := replication.DecodeNoticeBatch(depot, payload)
	if err != nil {
		h.count(depot, func(c *Counters) { c.Rejected[ReasonNotices]++ })
		return ack, false, fmt.Errorf("notices of %s: %w", depot, err)
	}
	lock := h.depotLock(depot)
	lock.Lock()
	defer lock.Unlock()
	var hwm uint64
	err = h.update(func(txn *badger.Txn) error {
		var err error
		if hwm, err = noticeHWM(txn, depot); err != nil {
			return err
		}
		if b.From > hwm+1 || b.To <= hwm {
			return nil // a gap, or all of it is here already
		}
		for _, n := range b.Notices[hwm+1-b.From:] {
			var old inventory.Notice
			found, err := getJSON(txn, noticeKey(depot, n.ID), &old)
			if err != nil {
				return err
			}
			// A raise that arrives after the clear of the same notice
			// (a resend after a restore) does not reopen it.
			if found && old.State == inventory.NoticeCleared {
				continue
			}
			if err := setJSON(txn, noticeKey(depot, n.ID), n); err != nil {
				return err
			}
		}
		hwm = b.To
		return txn.Set(noticeHWMKey(depot), binary.BigEndian.AppendUint64(nil, hwm))
	})
	if err != nil {
		return ack, false, fmt.Errorf("store notices of %s: %w", depot, err)
	}
	return replication.NoticeAck{V: replication.Version, Seq: hwm}, true, nil
}

func noticeHWM(txn *badger.Txn, depot string) (uint64, error) {
	item, err := txn.Get(noticeHWMKey(depot))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var v uint64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("corrupt notice HWM of %s", depot)
		}
		v = binary.BigEndian.Uint64(b)
		return nil
	})
	return v, err
}

// NoticeFilter narrows Notices: Depot one depot's, Open only those not
// cleared; Limit bounds the answer (default and maximum 1000).
type NoticeFilter struct {
	Depot string
	Open  bool
	Limit int
}

// Notices lists the depots' notices, the latest news first (by the time
// each was raised or cleared, then depot and id).
func (h *HQ) Notices(f NoticeFilter) ([]inventory.Notice, error) {
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	out := []inventory.Notice{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: noticePrefix(f.Depot), PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var n inventory.Notice
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &n) }); err != nil {
				return fmt.Errorf("decode notice %q: %w", it.Item().Key(), err)
			}
			if f.Open && (n.State != inventory.NoticeRaised || n.Once) {
				continue
			}
			out = append(out, n)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read notices: %w", err)
	}
	slices.SortFunc(out, func(a, b inventory.Notice) int {
		return cmp.Or(latest(b).Compare(latest(a)), cmp.Compare(a.Depot, b.Depot), cmp.Compare(a.ID, b.ID))
	})
	return out[:min(len(out), f.Limit)], nil
}

func latest(n inventory.Notice) time.Time {
	if n.ClearedAt != nil {
		return *n.ClearedAt
	}
	return n.RaisedAt
}

// notices stores a depot's notice batch and publishes the ack retained,
// QoS 1, without waiting (on a worker, never on paho's delivery goroutine):
// a lost ack only makes the depot send again.
func (s *Subscriber) notices(depot string, payload []byte) {
	a, ok, err := s.hq.HandleNotices(depot, payload)
	if err != nil {
		s.hq.log.Warn("notices not stored", "depot", depot, "err", err)
	}
	if !ok {
		return
	}
	b, err := json.Marshal(a)
	if err != nil {
		s.hq.log.Error("encode notice ack", "err", err)
		return
	}
	s.client.Publish(replication.Topic(depot, replication.KindNoticesAck), 1, true, b)
}
