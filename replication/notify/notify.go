// Package notify turns the depot's reminders into notices people receive:
// it watches the store, writes each reminder that starts or stops holding
// to the durable notice log (inventory.Store.RecordNotices), and delivers
// the log to webhooks (webhook.go) and to HQ over MQTT (mqtt.go). The UI
// reads the log through the API.
//
// Every follower of the log keeps its own durable cursor in the store and
// delivers what lies beyond it until the far end confirms, so a crash or a
// restart loses nothing and sends again at most what was in flight; each
// record carries a delivery id the receiver dedups on.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// KindPOReceived is the notice of parts received against a purchase
// order, for the buyer: an announcement per receipt line (inventory.Notice
// Once), not a reminder that holds for a while.
const KindPOReceived inventory.ReminderKind = "po-received"

// Store is what the notifier needs from the ledger; *inventory.Store
// satisfies it.
type Store interface {
	Depot() string
	Head() inventory.Head
	Reminders() ([]inventory.Reminder, error)
	EachEvent(after uint64, fn func(ev *inventory.Event, raw []byte) error) error
	PurchaseOrder(number string) (inventory.PurchaseOrderState, error)
	RecordNotices(ch inventory.NoticeChanges) ([]inventory.Notice, error)
	NoticeEventCursor() (uint64, bool, error)
	OpenNotices() ([]inventory.Notice, error)
	NoticeHead() (uint64, error)
	NoticeLog(after uint64, limit int) ([]inventory.Notice, error)
	NoticeCursor(name string) (uint64, bool, error)
	SetNoticeCursor(name string, seq uint64) error
}

var _ Store = (*inventory.Store)(nil)

// Options configure a Notifier. Zero values are defaults.
type Options struct {
	// Poll is how often the head of the log is looked at (default 1 s): a
	// new event makes a pass over the reminders.
	Poll time.Duration
	// Recheck is how often a pass runs with no new event (default 1 min),
	// for the reminders that time alone brings: overdue transfers, lots
	// coming up to their expiry.
	Recheck time.Duration
	// MaxEvents bounds the events one pass reads for receipts (default
	// 10,000); the next pass reads on.
	MaxEvents int
	// Now stamps raised and cleared notices; time.Now when nil.
	Now func() time.Time
	Log *slog.Logger
}

func (o *Options) defaults() {
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Recheck <= 0 {
		o.Recheck = time.Minute
	}
	if o.MaxEvents <= 0 {
		o.MaxEvents = 10_000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Notifier writes the notice log and wakes its followers.
type Notifier struct {
	store Store
	opts  Options

	passMu sync.Mutex // one pass at a time

	mu      sync.Mutex
	changed chan struct{} // closed and replaced when records are written
}

// New returns a notifier over store.
func New(store Store, opts Options) *Notifier {
	opts.defaults()
	return &Notifier{store: store, opts: opts, changed: make(chan struct{})}
}

// Changed returns a channel closed when the notice log next grows.
func (n *Notifier) Changed() <-chan struct{} {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.changed
}

func (n *Notifier) wake() {
	n.mu.Lock()
	close(n.changed)
	n.changed = make(chan struct{})
	n.mu.Unlock()
}

// Run makes a pass at once, then whenever the log has grown (looked at
// every Poll) or Recheck has passed, until ctx ends. A failed pass is
// logged and tried again at the next tick.
func (n *Notifier) Run(ctx context.Context) error {
	tick := time.NewTicker(n.opts.Poll)
	defer tick.Stop()
	var seen uint64
	var last time.Time
	for {
		head := n.store.Head().Seq
		if now := n.opts.Now(); head != seen || now.Sub(last) >= n.opts.Recheck || now.Before(last) {
			if _, err := n.Sync(); err != nil {
				if errors.Is(err, inventory.ErrClosed) {
					return nil
				}
				n.opts.Log.Error("notices: pass failed", "err", err)
			} else {
				seen, last = head, now
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Sync makes one pass: receipts against purchase orders since the last
// pass are announced, reminders that hold now and were not open are
// raised, open ones that no longer hold are cleared. It returns the
// records written.
func (n *Notifier) Sync() ([]inventory.Notice, error) {
	n.passMu.Lock()
	defer n.passMu.Unlock()
	now := n.opts.Now().UTC()
	ch := inventory.NoticeChanges{ClearedAt: now}

	cursor, ok, err := n.store.NoticeEventCursor()
	if err != nil {
		return nil, err
	}
	head := n.store.Head().Seq
	if !ok {
		// The first pass starts at the head: the depot's history is not news.
		ch.EventCursor, ch.SetEventCursor = head, true
	} else if cursor < head {
		raise, to, err := n.receipts(cursor, now)
		if err != nil {
			return nil, err
		}
		ch.Raise, ch.EventCursor, ch.SetEventCursor = raise, to, to != cursor
	} else if cursor > head {
		// The store was restored from a backup older than the cursor: go on
		// from its head, so the events it logs next are not skipped.
		ch.EventCursor, ch.SetEventCursor = head, true
	}

	rems, err := n.store.Reminders()
	if err != nil {
		return nil, fmt.Errorf("reminders: %w", err)
	}
	open, err := n.store.OpenNotices()
	if err != nil {
		return nil, fmt.Errorf("open notices: %w", err)
	}
	isOpen := map[string]bool{}
	for _, o := range open {
		isOpen[o.Key] = true
	}
	holds := map[string]bool{}
	for _, r := range rems {
		nt := fromReminder(r, now)
		if holds[nt.Key] {
			continue
		}
		holds[nt.Key] = true
		if !isOpen[nt.Key] {
			ch.Raise = append(ch.Raise, nt)
		}
	}
	for _, o := range open {
		if !holds[o.Key] {
			ch.Clear = append(ch.Clear, o.Key)
		}
	}
	if len(ch.Raise) == 0 && len(ch.Clear) == 0 && !ch.SetEventCursor {
		return nil, nil
	}
	wrote, err := n.store.RecordNotices(ch)
	if err != nil {
		return nil, err
	}
	if len(wrote) > 0 {
		n.wake()
		for _, w := range wrote {
			n.opts.Log.Info("notice", "id", w.ID, "state", w.State, "message", w.Message)
		}
	}
	return wrote, nil
}

// errEnough stops reading the event log for one pass.
var errEnough = errors.New("enough events for one pass")

// receipts announces each line of each receipt against a purchase order
// after cursor, and returns how far it read.
func (n *Notifier) receipts(cursor uint64, now time.Time) ([]inventory.Notice, uint64, error) {
	var out []inventory.Notice
	to, read := cursor, 0
	isPO := map[string]bool{}
	err := n.store.EachEvent(cursor, func(ev *inventory.Event, _ []byte) error {
		if read == n.opts.MaxEvents {
			return errEnough
		}
		read++
		to = ev.Seq
		if ev.Type != inventory.EvReceipt || ev.Ref == "" {
			return nil
		}
		po, known := isPO[ev.Ref]
		if !known {
			_, err := n.store.PurchaseOrder(ev.Ref)
			switch {
			case err == nil:
				po = true
			case inventory.CodeOf(err) == inventory.CodeNotFound:
			default:
				return err
			}
			isPO[ev.Ref] = po
		}
		if !po {
			return nil
		}
		for i, l := range ev.Lines {
			v := map[string]string{"qty": strconv.FormatInt(l.Qty, 10), "sku": l.SKU, "ref": ev.Ref}
			text := "{qty} × {sku} received against purchase order {ref}"
			if l.Lot != "" {
				v["lot"] = l.Lot
				text = "{qty} × {sku} (lot {lot}) received against purchase order {ref}"
			}
			nt := inventory.Notice{Kind: KindPOReceived, Once: true, Ref: ev.Ref, SKU: l.SKU, Lot: l.Lot, Qty: l.Qty,
				Text: text, Values: v, Message: inventory.FillText(text, v), RaisedAt: ev.At}
			if nt.RaisedAt.IsZero() {
				nt.RaisedAt = now
			}
			nt.Key = key(nt.Kind, ev.Ref, l.SKU, l.Lot) + "/" + strconv.FormatUint(ev.Seq, 10) + "." + strconv.Itoa(i)
			out = append(out, nt)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errEnough) {
		return nil, 0, fmt.Errorf("read receipts: %w", err)
	}
	return out, to, nil
}

// key names a condition: kind, ref, sku and lot.
func key(kind inventory.ReminderKind, ref, sku, lot string) string {
	return strings.Join([]string{string(kind), ref, sku, lot}, "/")
}

// Texts are the notice messages in English with their placeholders, the
// keys of the translation catalogues (api/internal/i18n/catalog/*/notices.json).
var Texts = []string{
	"{qty} × {sku} arrived for work order {ref} and can be picked",
	"Transfer {ref} is overdue: {qty} still in transit",
	"{sku} reached its reorder point: order {qty}",
	"Lot {lot} of {sku} expires on {expiry}: {qty} on hand",
	"Lot {lot} of {sku} expired on {expiry}: {qty} on hand",
	"{qty} × {sku} received against purchase order {ref}",
	"{qty} × {sku} (lot {lot}) received against purchase order {ref}",
}

// fromReminder is the notice a reminder raises.
func fromReminder(r inventory.Reminder, now time.Time) inventory.Notice {
	v := map[string]string{"ref": r.Ref, "qty": strconv.FormatInt(r.Qty, 10)}
	if r.SKU != "" {
		v["sku"] = r.SKU
	}
	var text string
	switch r.Kind {
	case inventory.ReminderPartsArrived:
		text = Texts[0]
	case inventory.ReminderTransferOverdue:
		text = Texts[1]
	case inventory.ReminderReorderPoint:
		text = Texts[2]
	case inventory.ReminderLotExpiring, inventory.ReminderLotExpired:
		v["lot"], v["expiry"] = r.Lot, r.Expiry
		text = Texts[3]
		if r.Kind == inventory.ReminderLotExpired {
			text = Texts[4]
		}
	default:
		// A kind this package does not know yet still reaches people, in
		// the words the store gave it.
		text = "{message}"
		v["message"] = r.Message
	}
	return inventory.Notice{Key: key(r.Kind, r.Ref, r.SKU, r.Lot), Kind: r.Kind, Ref: r.Ref, SKU: r.SKU, Lot: r.Lot, Qty: r.Qty,
		Text: text, Values: v, Message: inventory.FillText(text, v), RaisedAt: now}
}
