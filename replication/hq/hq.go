package hq

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication"
)

// Options configure an HQ store.
type Options struct {
	// Dir is the Badger folder.
	Dir string
	Log *slog.Logger
	// Now is the clock that stamps received statuses; time.Now when nil.
	Now func() time.Time
	// SupersedeChunk bounds how many old-epoch events one transaction
	// moves aside (a restore from an old backup may supersede many more
	// than Badger takes in one transaction); 256 when zero.
	SupersedeChunk int
}

// HQ is the ingest: its store, every depot's HWM, status and counters.
type HQ struct {
	db    *badger.DB
	log   *slog.Logger
	now   func() time.Time
	chunk int

	mu      sync.Mutex
	locks   map[string]*sync.Mutex // one per depot: batches of a depot apply one at a time
	hwms    map[string]HWM
	status  map[string]statusSeen
	counter map[string]*Counters
}

type statusSeen struct {
	s        replication.Status
	received time.Time
}

// Counters are a depot's ingest counts since HQ started.
type Counters struct {
	AppliedEvents  uint64            `json:"appliedEvents"`
	AppliedBatches uint64            `json:"appliedBatches"`
	Duplicates     uint64            `json:"duplicates"`
	Gaps           uint64            `json:"gaps"`
	Superseded     uint64            `json:"superseded"`
	Rejected       map[string]uint64 `json:"rejected"`
}

// Open opens (or creates) HQ's store in opts.Dir.
func Open(opts Options) (*HQ, error) {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SupersedeChunk <= 0 {
		opts.SupersedeChunk = 256
	}
	db, err := badger.Open(badgerOptions(opts.Dir, opts.Log))
	if err != nil {
		return nil, fmt.Errorf("open HQ store in %s: %w", opts.Dir, err)
	}
	hwms, err := loadHWMs(db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &HQ{db: db, log: opts.Log, now: opts.Now, chunk: opts.SupersedeChunk,
		locks: map[string]*sync.Mutex{}, hwms: hwms,
		status: map[string]statusSeen{}, counter: map[string]*Counters{}}, nil
}

// Close closes the store.
func (h *HQ) Close() error {
	if err := h.db.Close(); err != nil {
		return fmt.Errorf("close HQ store: %w", err)
	}
	return nil
}

// Outcome kinds of a batch.
const (
	Applied   = "applied"
	Duplicate = "duplicate"
	Gap       = "gap"
	Rejected  = "rejected"
)

// Reasons of a rejection HQ itself decides (DecodeBatch's are mapped by
// rejectReason).
const (
	ReasonStaleEpoch = "stale-epoch" // an epoch below the highest HQ accepted
	ReasonUnchained  = "unchained"   // at the continuation, but not chained to HQ's last event
	ReasonConflict   = "conflict"    // same seqs and epoch as events HQ holds, other content
	ReasonStatus     = "status"      // an undecodable or foreign status
)

// Outcome is what became of one batch. Ack is set when the depot should
// be (re-)acknowledged.
type Outcome struct {
	Kind   string
	Reason string
	Ack    *replication.Ack
	Err    error // a store failure: nothing was applied, the depot resends
}

// rejectReason names a DecodeBatch rejection with a small, fixed set of
// labels (for metrics); the message itself goes to the log.
func rejectReason(err error) string {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "undecodable batch"):
		return "undecodable"
	case strings.Contains(msg, ": version "):
		return "version"
	case strings.Contains(msg, "'s topic"), strings.Contains(msg, " of depot "):
		return "foreign"
	case strings.Contains(msg, ": range "):
		return "range"
	case strings.Contains(msg, " events, at most "):
		return "too-large"
	}
	return "event" // a bad hash, seq, epoch or chain inside the batch
}

func (h *HQ) depotLock(depot string) *sync.Mutex {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.locks[depot]
	if l == nil {
		l = &sync.Mutex{}
		h.locks[depot] = l
	}
	return l
}

// count runs fn on depot's counters under the lock.
func (h *HQ) count(depot string, fn func(*Counters)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.counter[depot]
	if c == nil {
		c = &Counters{Rejected: map[string]uint64{}}
		h.counter[depot] = c
	}
	fn(c)
}

func (h *HQ) hwm(depot string) HWM {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.hwms[depot]
}

func (h *HQ) reject(depot, reason string, err error) Outcome {
	h.count(depot, func(c *Counters) { c.Rejected[reason]++ })
	h.log.Warn("batch rejected", "depot", depot, "reason", reason, "err", err)
	return Outcome{Kind: Rejected, Reason: reason}
}

func ackOf(w HWM) *replication.Ack {
	return &replication.Ack{V: replication.Version, Epoch: w.Epoch, Seq: w.Seq}
}

// HandleEvents takes one payload received on depot's events topic.
func (h *HQ) HandleEvents(depot string, payload []byte) Outcome {
	return h.Apply(h.Decode(depot, payload))
}

// Decoded is a payload of a depot's events topic after Decode: a batch to
// Apply, or already the outcome of its rejection.
type Decoded struct {
	depot    string
	b        replication.Batch
	evs      []inventory.Event
	rejected *Outcome
}

// Decode is the half of HandleEvents that needs neither the store nor the
// depot's lock: the batch's checks, every event's hash among them. A
// worker decodes the next batch with it while Apply commits the one
// before; a rejection is counted here.
func (h *HQ) Decode(depot string, payload []byte) Decoded {
	b, evs, err := replication.DecodeBatch(depot, payload)
	if err != nil {
		out := h.reject(depot, rejectReason(err), err)
		return Decoded{depot: depot, rejected: &out}
	}
	return Decoded{depot: depot, b: b, evs: evs}
}

// Apply decides a decoded batch against its depot's HWM (the other half
// of HandleEvents); batches of a depot must be applied in the order they
// arrived.
func (h *HQ) Apply(d Decoded) Outcome {
	if d.rejected != nil {
		return *d.rejected
	}
	depot, b, evs := d.depot, d.b, d.evs
	l := h.depotLock(depot)
	l.Lock()
	defer l.Unlock()
	out, err := h.handle(depot, b, evs)
	if err != nil {
		h.log.Error("batch not applied", "depot", depot, "from", b.From, "to", b.To, "err", err)
		return Outcome{Kind: Rejected, Reason: "store", Err: err}
	}
	switch out.Kind {
	case Applied:
		h.count(depot, func(c *Counters) { c.AppliedBatches++; c.AppliedEvents += uint64(len(evs)) })
	case Duplicate:
		h.count(depot, func(c *Counters) { c.Duplicates++ })
	case Gap:
		h.count(depot, func(c *Counters) { c.Gaps++ })
	case Rejected:
		h.count(depot, func(c *Counters) { c.Rejected[out.Reason]++ })
		h.log.Warn("batch rejected", "depot", depot, "reason", out.Reason, "epoch", b.Epoch, "from", b.From, "to", b.To)
	}
	return out
}

// handle decides a decoded batch against depot's HWM; the caller holds the
// depot's lock.
func (h *HQ) handle(depot string, b replication.Batch, evs []inventory.Event) (Outcome, error) {
	w := h.hwm(depot)
	first, last := evs[0], evs[len(evs)-1]
	if b.Epoch < w.minEpoch() {
		return Outcome{Kind: Rejected, Reason: ReasonStaleEpoch}, nil
	}
	if b.From == w.Seq+1 {
		if first.PrevHash != w.Hash {
			return Outcome{Kind: Rejected, Reason: ReasonUnchained}, nil
		}
		return h.apply(depot, w, b, evs)
	}
	if b.From > w.Seq+1 {
		return Outcome{Kind: Gap}, nil
	}
	// The batch starts at or below the HWM: a repeat of what HQ holds, or
	// a restored depot's higher epoch forking off an earlier event.
	if b.Epoch == w.Epoch {
		// Within one epoch the chain makes the batch's event at min(to,
		// hwm) equal to HQ's exactly when everything before it is too.
		at := min(b.To, w.Seq)
		var same bool
		if at == w.Seq {
			same = evs[at-b.From].Hash == w.Hash
		} else {
			err := h.db.View(func(txn *badger.Txn) error {
				ev, _, ok, err := held(txn, depot, at)
				same = ok && ev.Hash == last.Hash
				return err
			})
			if err != nil {
				return Outcome{}, err
			}
		}
		if !same {
			return Outcome{Kind: Rejected, Reason: ReasonConflict}, nil
		}
		return Outcome{Kind: Duplicate, Ack: ackOf(w)}, nil
	}
	// b.Epoch > w.Epoch: chain to the event HQ holds at from-1.
	return h.supersede(depot, w, b, evs)
}

// apply stores the batch as the continuation of w, with the new HWM, in
// one transaction.
func (h *HQ) apply(depot string, w HWM, b replication.Batch, evs []inventory.Event) (Outcome, error) {
	next := HWM{Epoch: b.Epoch, Seq: b.To, Hash: evs[len(evs)-1].Hash, Floor: max(w.Floor, b.Epoch)}
	err := h.update(func(txn *badger.Txn) error {
		for i, raw := range b.Events {
			if err := txn.Set(eventKey(depot, b.From+uint64(i)), raw); err != nil {
				return fmt.Errorf("write event %s/%d: %w", depot, b.From+uint64(i), err)
			}
		}
		if err := h.derive(txn, depot, evs); err != nil {
			return err
		}
		return setHWM(txn, depot, next)
	})
	if errors.Is(err, badger.ErrTxnTooBig) && len(evs) > 1 {
		// The view writes per line of every event: a batch of many large
		// events may not fit one transaction. Its halves are exact
		// continuations too, so they apply one after the other.
		k := len(evs) / 2
		head := replication.Batch{V: b.V, Depot: b.Depot, Epoch: b.Epoch, From: b.From, To: b.From + uint64(k) - 1, Events: b.Events[:k]}
		tail := replication.Batch{V: b.V, Depot: b.Depot, Epoch: b.Epoch, From: b.From + uint64(k), To: b.To, Events: b.Events[k:]}
		if _, err := h.apply(depot, w, head, evs[:k]); err != nil {
			return Outcome{}, err
		}
		return h.apply(depot, h.hwm(depot), tail, evs[k:])
	}
	if err != nil {
		return Outcome{}, fmt.Errorf("apply %s %d..%d: %w", depot, b.From, b.To, err)
	}
	h.mu.Lock()
	h.hwms[depot] = next
	h.mu.Unlock()
	return Outcome{Kind: Applied, Ack: ackOf(next)}, nil
}

// supersede handles a batch of a higher epoch starting at or below the
// HWM: if its first event chains to the event HQ holds at from-1, HQ's
// events from..hwm move aside as superseded, highest first, a chunk per
// transaction with the HWM lowered in each, so a crash between chunks
// leaves a consistent HWM (and Floor keeps older epochs out); then the
// batch applies as the continuation.
func (h *HQ) supersede(depot string, w HWM, b replication.Batch, evs []inventory.Event) (Outcome, error) {
	base := b.From - 1
	var chains bool
	err := h.db.View(func(txn *badger.Txn) error {
		if base == 0 {
			chains = evs[0].PrevHash == ""
			return nil
		}
		ev, _, ok, err := held(txn, depot, base)
		chains = ok && ev.Hash == evs[0].PrevHash
		return err
	})
	if err != nil {
		return Outcome{}, err
	}
	if !chains {
		return Outcome{Kind: Rejected, Reason: ReasonUnchained}, nil
	}
	chunk := h.chunk
	for w.Seq > base {
		lo := max(base+1, w.Seq-uint64(min(uint64(chunk), w.Seq))+1)
		next := HWM{Floor: b.Epoch, Seq: lo - 1}
		moved := w.Seq - lo + 1
		err := h.update(func(txn *badger.Txn) error {
			gone := make([]inventory.Event, 0, moved)
			for seq := w.Seq; seq >= lo; seq-- {
				ev, raw, ok, err := held(txn, depot, seq)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("event %s/%d below the HWM is missing", depot, seq)
				}
				if err := txn.Set(supersededKey(depot, seq, ev.Epoch), raw); err != nil {
					return fmt.Errorf("keep superseded event %s/%d: %w", depot, seq, err)
				}
				if err := txn.Delete(eventKey(depot, seq)); err != nil {
					return fmt.Errorf("move superseded event %s/%d: %w", depot, seq, err)
				}
				var full inventory.Event
				if err := json.Unmarshal(raw, &full); err != nil {
					return fmt.Errorf("superseded event %s/%d as stored: %w", depot, seq, err)
				}
				gone = append(gone, full)
			}
			// Highest first, the order they are undone in.
			if err := h.underive(txn, depot, gone); err != nil {
				return err
			}
			if next.Seq > 0 {
				ev, _, ok, err := held(txn, depot, next.Seq)
				if err != nil {
					return err
				}
				if !ok {
					return fmt.Errorf("event %s/%d below the HWM is missing", depot, next.Seq)
				}
				next.Epoch, next.Hash = ev.Epoch, ev.Hash
			}
			return setHWM(txn, depot, next)
		})
		if errors.Is(err, badger.ErrTxnTooBig) && chunk > 1 {
			// Taking large events back out of the view writes per line:
			// fewer events per transaction.
			chunk /= 2
			continue
		}
		if err != nil {
			return Outcome{}, fmt.Errorf("supersede %s %d..%d: %w", depot, lo, w.Seq, err)
		}
		h.mu.Lock()
		h.hwms[depot] = next
		h.mu.Unlock()
		h.count(depot, func(c *Counters) { c.Superseded += moved })
		h.log.Warn("old-epoch events superseded by a restored depot", "depot", depot,
			"from", lo, "to", w.Seq, "epoch", b.Epoch)
		w = next
	}
	return h.apply(depot, w, b, evs)
}

// HandleStatus takes one payload received on depot's status topic. An
// empty payload (a cleared retained message) forgets the status.
func (h *HQ) HandleStatus(depot string, payload []byte) error {
	if len(payload) == 0 {
		h.mu.Lock()
		delete(h.status, depot)
		h.mu.Unlock()
		return nil
	}
	s, err := replication.DecodeStatus(depot, payload)
	if err != nil {
		h.count(depot, func(c *Counters) { c.Rejected[ReasonStatus]++ })
		return fmt.Errorf("status of %s: %w", depot, err)
	}
	h.mu.Lock()
	h.status[depot] = statusSeen{s: s, received: h.now()}
	h.mu.Unlock()
	return nil
}

// Depot is one depot as HQ sees it.
type Depot struct {
	Depot    string       `json:"depot"`
	HWM      HWM          `json:"hwm"`
	Status   *DepotStatus `json:"status,omitempty"`
	Lag      uint64       `json:"lag"`
	Counters Counters     `json:"counters"`
}

// DepotStatus is the depot's last status and when HQ received it.
type DepotStatus struct {
	replication.Status
	Received time.Time `json:"received"`
}

// Depots lists every depot HQ has heard of, by id.
func (h *HQ) Depots() []Depot {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := map[string]bool{}
	for id := range h.hwms {
		ids[id] = true
	}
	for id := range h.status {
		ids[id] = true
	}
	for id := range h.counter {
		ids[id] = true
	}
	out := make([]Depot, 0, len(ids))
	for id := range ids {
		out = append(out, h.depotLocked(id))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Depot < out[j].Depot })
	return out
}

// Depot is one depot's view; ok is false for a depot HQ never heard of.
func (h *HQ) Depot(id string) (Depot, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, a := h.hwms[id]
	_, b := h.status[id]
	_, c := h.counter[id]
	if !a && !b && !c {
		return Depot{}, false
	}
	return h.depotLocked(id), true
}

func (h *HQ) depotLocked(id string) Depot {
	d := Depot{Depot: id, HWM: h.hwms[id], Counters: Counters{Rejected: map[string]uint64{}}}
	if c := h.counter[id]; c != nil {
		d.Counters = *c
		d.Counters.Rejected = make(map[string]uint64, len(c.Rejected))
		for k, v := range c.Rejected {
			d.Counters.Rejected[k] = v
		}
	}
	if s, ok := h.status[id]; ok {
		d.Status = &DepotStatus{Status: s.s, Received: s.received}
		if s.s.LastSeq > d.HWM.Seq {
			d.Lag = s.s.LastSeq - d.HWM.Seq
		}
	}
	return d
}

// MaxEvents bounds one Events answer.
const MaxEvents = 1000

// ErrUnknownDepot is returned for a depot HQ holds nothing of.
var ErrUnknownDepot = errors.New("unknown depot")

// CodeUnknownDepot is the stable code of ErrUnknownDepot in HQ's API.
const CodeUnknownDepot inventory.Code = "unknown_depot"

// Events returns up to limit raw events of depot after seq after, in seq
// order, exactly as the depot stored them.
func (h *HQ) Events(depot string, after uint64, limit int) ([]json.RawMessage, error) {
	if limit <= 0 || limit > MaxEvents {
		limit = MaxEvents
	}
	if _, ok := h.Depot(depot); !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownDepot, depot)
	}
	out, err := h.rawValues(eventPrefix(depot), eventKey(depot, after+1), limit)
	if err != nil {
		return nil, fmt.Errorf("read events of %s: %w", depot, err)
	}
	return out, nil
}

// rawValues reads up to limit values under prefix from key from on, in
// key order.
func (h *HQ) rawValues(prefix, from []byte, limit int) ([]json.RawMessage, error) {
	out := []json.RawMessage{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: true, PrefetchSize: min(limit, 100)})
		defer it.Close()
		for it.Seek(from); it.Valid() && len(out) < limit; it.Next() {
			raw, err := it.Item().ValueCopy(nil)
			if err != nil {
				return err
			}
			out = append(out, raw)
		}
		return nil
	})
	return out, err
}

// Superseded returns up to limit raw events of depot that a restored
// depot's higher epoch superseded, by seq then epoch.
func (h *HQ) Superseded(depot string, limit int) ([]json.RawMessage, error) {
	if limit <= 0 || limit > MaxEvents {
		limit = MaxEvents
	}
	prefix := append(append([]byte{prefixSuperseded}, depot...), 0)
	out, err := h.rawValues(prefix, prefix, limit)
	if err != nil {
		return nil, fmt.Errorf("read superseded events of %s: %w", depot, err)
	}
	return out, nil
}
