// Package hq is HQ's durable ingest of depot event batches (the HQ end of
// the replication contract in DESIGN.md). HQ keeps its own Badger store
// with, per depot, the raw events it applied and a high-water mark (HWM):
// the epoch, seq and hash of the last event it holds. A batch is applied
// only where it continues exactly from the HWM, in one transaction with the
// new HWM, and only then acknowledged; everything else is acknowledged
// again (a duplicate), left for the depot to resend (a gap) or counted and
// dropped (a rejection). MQTT is only the transport: a lost, repeated or
// reordered message costs a resend, never an event.
//
// A depot restored from backup comes back with a higher epoch and, past
// the backup's last seq, events HQ may already hold from the old epoch. HQ
// accepts a batch of a higher epoch when its first event chains to the
// event HQ holds at from-1 (the backup's last event); HQ's old-epoch events
// after it are moved aside as superseded (kept, not deleted), and the
// batch applies as the new continuation. Batches of an epoch below the
// highest HQ has accepted are stale and rejected.
package hq

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/dgraph-io/badger/v4"
	"github.com/dgraph-io/badger/v4/options"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// Key layout. Depot ids never hold bytes <= ' ' (replication.ValidDepot),
// so 0x00 ends a depot id inside a key.
//
//	h<depot>                          HWM (JSON)
//	e<depot>\x00<seq:8>               raw event applied at seq
//	x<depot>\x00<seq:8><epoch:4>      raw event superseded by a higher epoch
const (
	prefixHWM        = 'h'
	prefixEvent      = 'e'
	prefixSuperseded = 'x'
)

func hwmKey(depot string) []byte { return append([]byte{prefixHWM}, depot...) }

func eventPrefix(depot string) []byte {
	return append(append([]byte{prefixEvent}, depot...), 0)
}

func eventKey(depot string, seq uint64) []byte {
	return binary.BigEndian.AppendUint64(eventPrefix(depot), seq)
}

func supersededKey(depot string, seq uint64, epoch uint32) []byte {
	k := append(append([]byte{prefixSuperseded}, depot...), 0)
	k = binary.BigEndian.AppendUint64(k, seq)
	return binary.BigEndian.AppendUint32(k, epoch)
}

// HWM is a depot's high-water mark: the last event HQ holds. Floor is the
// highest epoch HQ has accepted from the depot; it runs ahead of Epoch
// while a restored depot's old-epoch events are being superseded, so a
// stale old-epoch batch cannot slip back in meanwhile.
type HWM struct {
	Epoch uint32 `json:"epoch"`
	Seq   uint64 `json:"seq"`
	Hash  string `json:"hash"`
	Floor uint32 `json:"floor,omitempty"`
}

// minEpoch is the lowest epoch a batch may carry.
func (h HWM) minEpoch() uint32 { return max(h.Epoch, h.Floor) }

// heldEvent is the part of a stored event HQ needs to chain to it.
type heldEvent struct {
	Epoch uint32 `json:"epoch"`
	Hash  string `json:"hash"`
}

// badgerOptions tunes Badger like the depot's store (inventory): fsync on
// every commit, small memtables and caches so HQ stays lean with many
// depots, events in the LSM tree.
func badgerOptions(dir string, log *slog.Logger) badger.Options {
	return badger.DefaultOptions(dir).
		WithSyncWrites(true).
		WithLogger(inventory.BadgerLogger(log)).
		WithMemTableSize(16 << 20).
		WithNumMemtables(2).
		WithNumLevelZeroTables(2).
		WithNumLevelZeroTablesStall(8).
		WithBlockCacheSize(16 << 20).
		WithIndexCacheSize(8 << 20).
		WithBaseTableSize(4 << 20).
		WithValueLogFileSize(64 << 20).
		WithValueThreshold(64 << 10).
		WithNumCompactors(2).
		WithNumGoroutines(2).
		WithCompression(options.Snappy).
		WithMetricsEnabled(false)
}

// loadHWMs reads every depot's HWM.
func loadHWMs(db *badger.DB) (map[string]HWM, error) {
	out := map[string]HWM{}
	err := db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixHWM}, PrefetchValues: true})
		defer it.Close()
		for it.Rewind(); it.Valid(); it.Next() {
			var h HWM
			if err := it.Item().Value(func(v []byte) error { return json.Unmarshal(v, &h) }); err != nil {
				return fmt.Errorf("HWM %q: %w", it.Item().Key(), err)
			}
			out[string(it.Item().Key()[1:])] = h
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load high-water marks: %w", err)
	}
	return out, nil
}

// held reads the event HQ holds at depot's seq; ok is false when it holds none.
func held(txn *badger.Txn, depot string, seq uint64) (ev heldEvent, raw []byte, ok bool, err error) {
	item, err := txn.Get(eventKey(depot, seq))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return ev, nil, false, nil
	}
	if err != nil {
		return ev, nil, false, fmt.Errorf("read event %s/%d: %w", depot, seq, err)
	}
	raw, err = item.ValueCopy(nil)
	if err != nil {
		return ev, nil, false, fmt.Errorf("read event %s/%d: %w", depot, seq, err)
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return ev, nil, false, fmt.Errorf("event %s/%d as stored: %w", depot, seq, err)
	}
	return ev, raw, true, nil
}

func setHWM(txn *badger.Txn, depot string, h HWM) error {
	b, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encode HWM: %w", err)
	}
	if err := txn.Set(hwmKey(depot), b); err != nil {
		return fmt.Errorf("write HWM of %s: %w", depot, err)
	}
	return nil
}

func getJSON(txn *badger.Txn, key []byte, v any) (bool, error) {
	item, err := txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %q: %w", key, err)
	}
	if err := item.Value(func(b []byte) error { return json.Unmarshal(b, v) }); err != nil {
		return false, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

func setJSON(txn *badger.Txn, key []byte, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %q: %w", key, err)
	}
	if err := txn.Set(key, b); err != nil {
		return fmt.Errorf("write %q: %w", key, err)
	}
	return nil
}

func invalid(field, format string, a ...any) error {
	return inventory.Errorf(inventory.CodeInvalid, field, format, a...)
}

// checkDepotID refuses a depot id no MQTT topic can carry
// (replication.ValidDepot) in words the API can translate.
func checkDepotID(field, depot string) error {
	if replication.ValidDepot(depot) != nil {
		return invalid(field, "%q is not a depot id: 1 to %d characters, none of them '/', '+', '#', a space or a control character", depot, inventory.MaxCodeLen)
	}
	return nil
}

// checkActor refuses an actor a depot cannot record
// (replication.ValidActor) in words the API can translate.
func checkActor(field, actor string) error {
	if replication.ValidActor(actor) != nil {
		return invalid(field, "%q is not a user name a depot can record: at most %d bytes of UTF-8, no spaces or control characters", actor, replication.MaxActorLen)
	}
	return nil
}

func notFound(field, format string, a ...any) error {
	return inventory.Errorf(inventory.CodeNotFound, field, format, a...)
}
