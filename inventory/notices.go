package inventory

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Notices are reminders as they arise: each time a reminder starts to hold
// (raised) or stops (cleared), one record goes on the depot's notice log,
// which the UI, webhooks and HQ follow. The log lives under the meta
// prefix, outside the event log: notices are derived news, not part of the
// ledger, so verify and the hash chain never see them. Seq is gapless per
// depot; the log, the set of open notices and the cursor of the event log
// the notices were derived up to change in one transaction, so a crash
// never loses a raise nor announces one twice.
//
//	m n l 0x00 <seq:8 BE>   a notice record (JSON)
//	m n o 0x00 <key>        an open notice: the record that raised it (JSON)
//	m n c 0x00 <name>       a follower's cursor (seq, 8 bytes BE)
//	m n h                   the last seq (8 bytes BE)
var (
	noticeLogPrefix    = []byte{pMeta, 'n', 'l', 0}
	noticeOpenPrefix   = []byte{pMeta, 'n', 'o', 0}
	noticeCursorPrefix = []byte{pMeta, 'n', 'c', 0}
	keyNoticeHead      = []byte{pMeta, 'n', 'h'}
)

// NoticeStatus says whether a record raises or clears its notice.
type NoticeStatus string

const (
	NoticeRaised  NoticeStatus = "raised"
	NoticeCleared NoticeStatus = "cleared"
)

// Notice is one record of the notice log.
type Notice struct {
	// Seq is the record's place in the depot's notice log (from 1).
	Seq uint64 `json:"seq"`
	// ID names one occurrence of the notice: its Key and the seq of the
	// record that raised it, so a notice that clears and comes back is a
	// new one. The records raising and clearing it carry the same ID.
	ID string `json:"id"`
	// Key names the condition: kind, ref, sku and lot. While it stays
	// true it is not announced again.
	Key   string       `json:"key"`
	Depot string       `json:"depot"`
	Kind  ReminderKind `json:"kind"`
	State NoticeStatus `json:"state"`
	// Once marks an announcement (parts received against a purchase
	// order): raised and never open, so nothing clears it.
	Once bool   `json:"once,omitempty"`
	Ref  string `json:"ref,omitempty"`
	SKU  string `json:"sku,omitempty"`
	Lot  string `json:"lot,omitempty"`
	Qty  int64  `json:"qty,omitempty"`
	// Text is the message in English with {name} placeholders, the key the
	// translation catalogues know it by; Values fill the placeholders;
	// Message is the English text filled in.
	Text     string            `json:"text"`
	Values   map[string]string `json:"values,omitempty"`
	Message  string            `json:"message"`
	RaisedAt time.Time         `json:"raisedAt"`
	// ClearedAt is set on the record that clears the notice.
	ClearedAt *time.Time `json:"clearedAt,omitempty"`
}

func noticeLogKey(seq uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), noticeLogPrefix...), seq)
}

func noticeOpenKey(key string) []byte {
	return append(append([]byte(nil), noticeOpenPrefix...), key...)
}

func noticeCursorKey(name string) []byte {
	return append(append([]byte(nil), noticeCursorPrefix...), name...)
}

// NoticeChanges is what RecordNotices writes: new notices to raise (Seq,
// ID, Depot and State are filled in), the keys of open notices to clear
// at ClearedAt, and, when SetEventCursor, how far in the event log the
// notices have been derived (EventCursor, 0 included: an empty log).
type NoticeChanges struct {
	Raise          []Notice
	Clear          []string
	ClearedAt      time.Time
	EventCursor    uint64
	SetEventCursor bool
}

// RecordNotices appends the changes to the notice log in one transaction
// and returns the records written. Raising a key that is open, or clearing
// one that is not, writes nothing for it: the caller's view may be older
// than the log.
func (s *Store) RecordNotices(ch NoticeChanges) ([]Notice, error) {
	select {
	case <-s.closing:
		return nil, ErrClosed
	default:
	}
	var out []Notice
	err := s.db.Update(func(txn *badger.Txn) error {
		out = out[:0]
		head, err := getUint64(txn, keyNoticeHead)
		if err != nil {
			return err
		}
		put := func(n Notice) error {
			head++
			n.Seq = head
			b, err := json.Marshal(n)
			if err != nil {
				return fmt.Errorf("encode notice: %w", err)
			}
			if err := txn.Set(noticeLogKey(head), b); err != nil {
				return err
			}
			out = append(out, n)
			return nil
		}
		for _, key := range ch.Clear {
			var n Notice
			item, err := txn.Get(noticeOpenKey(key))
			if errors.Is(err, badger.ErrKeyNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := item.Value(func(b []byte) error { return json.Unmarshal(b, &n) }); err != nil {
				return fmt.Errorf("decode open notice %q: %w", key, err)
			}
			at := ch.ClearedAt.UTC()
			n.State, n.ClearedAt = NoticeCleared, &at
			if err := put(n); err != nil {
				return err
			}
			if err := txn.Delete(noticeOpenKey(key)); err != nil {
				return err
			}
		}
		for _, n := range ch.Raise {
			if n.Key == "" {
				return errors.New("a notice without a key")
			}
			if _, err := txn.Get(noticeOpenKey(n.Key)); err == nil {
				continue
			} else if !errors.Is(err, badger.ErrKeyNotFound) {
				return err
			}
			n.Depot, n.State, n.ClearedAt = s.opts.Depot, NoticeRaised, nil
			n.RaisedAt = n.RaisedAt.UTC()
			n.ID = fmt.Sprintf("%s#%d", n.Key, head+1)
			if err := put(n); err != nil {
				return err
			}
			if n.Once {
				continue
			}
			open := out[len(out)-1]
			b, err := json.Marshal(open)
			if err != nil {
				return fmt.Errorf("encode notice: %w", err)
			}
			if err := txn.Set(noticeOpenKey(n.Key), b); err != nil {
				return err
			}
		}
		if err := txn.Set(keyNoticeHead, binary.BigEndian.AppendUint64(nil, head)); err != nil {
			return err
		}
		if ch.SetEventCursor {
			return txn.Set(noticeCursorKey(noticeEventsCursor), binary.BigEndian.AppendUint64(nil, ch.EventCursor))
		}
		return nil
	})
	if errors.Is(err, badger.ErrDBClosed) {
		return nil, ErrClosed
	}
	if err != nil {
		return nil, fmt.Errorf("record notices: %w", err)
	}
	return out, nil
}

// noticeEventsCursor is the cursor RecordNotices keeps of the event log.
const noticeEventsCursor = "\x00events"

// NoticeEventCursor returns how far in the event log notices have been
// derived; ok is false before the first RecordNotices that said.
func (s *Store) NoticeEventCursor() (seq uint64, ok bool, err error) {
	return s.noticeCursor(noticeEventsCursor)
}

func getUint64(txn *badger.Txn, key []byte) (uint64, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var v uint64
	err = item.Value(func(b []byte) error {
		if len(b) != 8 {
			return fmt.Errorf("corrupt counter %q", key)
		}
		v = binary.BigEndian.Uint64(b)
		return nil
	})
	return v, err
}

// NoticeHead returns the seq of the last notice record; 0 before the first.
func (s *Store) NoticeHead() (uint64, error) {
	var v uint64
	err := s.read(func(txn *badger.Txn) error {
		var err error
		v, err = getUint64(txn, keyNoticeHead)
		return err
	})
	return v, err
}

// NoticeLog returns up to limit records with seq > after, oldest first.
func (s *Store) NoticeLog(after uint64, limit int) ([]Notice, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := []Notice{}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: noticeLogPrefix, PrefetchValues: true, PrefetchSize: 64})
		defer it.Close()
		for it.Seek(noticeLogKey(after + 1)); it.Valid() && len(out) < limit; it.Next() {
			var n Notice
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &n) }); err != nil {
				return fmt.Errorf("decode notice %x: %w", it.Item().Key(), err)
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// RecentNotices returns up to limit records with seq > after, newest first.
func (s *Store) RecentNotices(after uint64, limit int) ([]Notice, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	out := []Notice{}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: noticeLogPrefix, PrefetchValues: true, PrefetchSize: 64, Reverse: true})
		defer it.Close()
		for it.Seek(noticeLogKey(^uint64(0))); it.Valid() && len(out) < limit; it.Next() {
			var n Notice
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &n) }); err != nil {
				return fmt.Errorf("decode notice %x: %w", it.Item().Key(), err)
			}
			if n.Seq <= after {
				break
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// OpenNotices returns the notices raised and not cleared, by key.
func (s *Store) OpenNotices() ([]Notice, error) {
	out := []Notice{}
	err := s.read(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: noticeOpenPrefix, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var n Notice
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &n) }); err != nil {
				return fmt.Errorf("decode open notice: %w", err)
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// NoticeCursor returns a follower's cursor (a webhook's URL, the MQTT
// publisher): the last record it delivered. ok is false before it set one.
func (s *Store) NoticeCursor(name string) (seq uint64, ok bool, err error) {
	if name == noticeEventsCursor {
		return 0, false, errors.New("reserved cursor name")
	}
	return s.noticeCursor(name)
}

func (s *Store) noticeCursor(name string) (seq uint64, ok bool, err error) {
	err = s.read(func(txn *badger.Txn) error {
		if _, gerr := txn.Get(noticeCursorKey(name)); gerr != nil {
			if errors.Is(gerr, badger.ErrKeyNotFound) {
				return nil
			}
			return gerr
		}
		ok = true
		var rerr error
		seq, rerr = getUint64(txn, noticeCursorKey(name))
		return rerr
	})
	if err != nil {
		return 0, false, fmt.Errorf("read notice cursor: %w", err)
	}
	return seq, ok, nil
}

// SetNoticeCursor remembers a follower's cursor. It never moves back: a
// late writer must not make the follower deliver again what it did.
func (s *Store) SetNoticeCursor(name string, seq uint64) error {
	if name == noticeEventsCursor {
		return errors.New("reserved cursor name")
	}
	select {
	case <-s.closing:
		return ErrClosed
	default:
	}
	err := s.db.Update(func(txn *badger.Txn) error {
		cur, err := getUint64(txn, noticeCursorKey(name))
		if err != nil {
			return err
		}
		if seq < cur {
			return nil
		}
		return txn.Set(noticeCursorKey(name), binary.BigEndian.AppendUint64(nil, seq))
	})
	if errors.Is(err, badger.ErrDBClosed) {
		return ErrClosed
	}
	if err != nil {
		return fmt.Errorf("write notice cursor: %w", err)
	}
	return nil
}

// FillText puts values into text's {name} placeholders (a notice's Text
// and Values, or their translation); a placeholder without a value stays
// as it is.
func FillText(text string, values map[string]string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(text, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i:], '}')
		if j < 0 {
			break
		}
		name := text[i+1 : i+j]
		v, ok := values[name]
		b.WriteString(text[:i])
		if ok {
			b.WriteString(v)
		} else {
			b.WriteString(text[i : i+j+1])
		}
		text = text[i+j+1:]
	}
	b.WriteString(text)
	return b.String()
}

// Translate puts the notice's message in another language: translate
// gives the translation of its Text (or the Text itself when it has none),
// and the values fill the translation's placeholders.
func (n *Notice) Translate(translate func(text string) string) {
	if t := translate(n.Text); t != n.Text {
		n.Message = FillText(t, n.Values)
	}
}
