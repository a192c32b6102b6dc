package hq

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dgraph-io/badger/v4"

	"github.com/partsedge/partsedge/inventory"
)

// Transfer orders, policies and catalogue entries a planner sends down.
// Each is stored with the commands it queues in one transaction, so an
// order never exists without its commands or the other way round.
//
//	O<n:8>                       a transfer order (JSON), number "HQ-<n>"
//	N c<name>                    a counter (JSON uint64)
//	I<planner>\x00<key>          an idempotency record: fingerprint, answer
const (
	prefixOrder   = 'O'
	prefixCounter = 'N'
	prefixIdem    = 'I'
)

// OrderPrefix starts every transfer order's number.
const OrderPrefix = "HQ-"

func orderKey(n uint64) []byte { return binary.BigEndian.AppendUint64([]byte{prefixOrder}, n) }

func counterKey(name string) []byte { return append([]byte{prefixCounter, 'c'}, name...) }

func idemKey(planner, key string) []byte {
	return append(append(append([]byte{prefixIdem}, planner...), 0), key...)
}

// TransferOrder is what a planner orders: Lines of parts to go From one
// depot To another, due there on Expected (YYYY-MM-DD).
type TransferOrder struct {
	From     string                   `json:"from"`
	To       string                   `json:"to"`
	Expected string                   `json:"expected"`
	Lines    []inventory.TransferLine `json:"lines"`
	Note     string                   `json:"note,omitempty"`
}

type commandRef struct {
	Depot string `json:"depot"`
	Seq   uint64 `json:"seq"`
}

type orderRecord struct {
	Number    string        `json:"number"`
	Order     TransferOrder `json:"order"`
	Planner   string        `json:"planner"`
	CreatedAt time.Time     `json:"createdAt"`
	Commands  []commandRef  `json:"commands"`
}

// Transfer order states, derived from their commands'.
const (
	OrderQueued   = "queued"   // some command is not yet done at its depot
	OrderAccepted = "accepted" // every command is done and none was refused
	OrderRefused  = "refused"  // a depot refused a command: the planner must act
)

// TransferOrderState is a transfer order with what became of each of its
// commands.
type TransferOrderState struct {
	Number string `json:"number"`
	TransferOrder
	Planner   string         `json:"planner"`
	CreatedAt time.Time      `json:"createdAt"`
	Status    string         `json:"status"`
	Commands  []CommandState `json:"commands"`
}

// MaxOrders bounds one TransferOrders answer.
const MaxOrders = 500

// idemRecord is the first answer to a planner's idempotency key.
type idemRecord struct {
	Fingerprint string          `json:"fp"`
	Answer      json.RawMessage `json:"answer"`
}

func fingerprint(what string, v any) string {
	b, _ := json.Marshal(v)
	s := sha256.Sum256(append([]byte(what+"\x00"), b...))
	return hex.EncodeToString(s[:])
}

// once looks up planner's key: found with the first answer when the same
// request was made with it, an idempotency_key_reused refusal when another
// was. An empty key is never found.
func once(txn *badger.Txn, planner, key, fp string) (json.RawMessage, bool, error) {
	if key == "" {
		return nil, false, nil
	}
	var rec idemRecord
	ok, err := getJSON(txn, idemKey(planner, key), &rec)
	if err != nil || !ok {
		return nil, false, err
	}
	if rec.Fingerprint != fp {
		return nil, false, &inventory.Error{Code: inventory.CodeIdempotencyReuse, Field: "Idempotency-Key",
			Msg: "this key was already used for a different request"}
	}
	return rec.Answer, true, nil
}

func remember(txn *badger.Txn, planner, key, fp string, answer any) error {
	if key == "" {
		return nil
	}
	b, err := json.Marshal(answer)
	if err != nil {
		return fmt.Errorf("encode the answer: %w", err)
	}
	return setJSON(txn, idemKey(planner, key), idemRecord{Fingerprint: fp, Answer: b})
}

func checkIdemKey(key string) error {
	if len(key) > inventory.MaxIdempotencyKeyLen {
		return invalid("Idempotency-Key", "is longer than %d bytes", inventory.MaxIdempotencyKeyLen)
	}
	return nil
}

// KnownDepot reports whether HQ has heard of depot or queued commands for
// it: orders go only to depots that exist.
func (h *HQ) KnownDepot(depot string) (bool, error) {
	if _, ok := h.Depot(depot); ok {
		return true, nil
	}
	var found bool
	err := h.db.View(func(txn *badger.Txn) error {
		_, err := txn.Get(outboxKey(depot))
		found = err == nil
		if errors.Is(err, badger.ErrKeyNotFound) {
			return nil
		}
		return err
	})
	return found, err
}

func (h *HQ) checkDepot(field, depot string) error {
	if err := checkDepotID(field, depot); err != nil {
		return err
	}
	ok, err := h.KnownDepot(depot)
	if err != nil {
		return err
	}
	if !ok {
		return inventory.Errorf(CodeUnknownDepot, field, "HQ knows no depot %q", depot)
	}
	return nil
}

func checkPlanner(planner string) error {
	if planner == "" {
		// The depot's approval is HQ's own; the request must be someone
		// else's or the depot refuses it as a self-approval.
		return invalid("planner", "is required")
	}
	if err := checkActor("planner", planner); err != nil {
		return err
	}
	return nil
}

func (h *HQ) checkOrder(o TransferOrder) error {
	if err := h.checkDepot("from", o.From); err != nil {
		return err
	}
	if err := h.checkDepot("to", o.To); err != nil {
		return err
	}
	if o.From == o.To {
		return invalid("to", "a transfer goes to another depot")
	}
	if _, ok := inventory.ParseDate(o.Expected); !ok {
		return invalid("expected", "%q is not a YYYY-MM-DD date", o.Expected)
	}
	if len(o.Note) > inventory.MaxTextLen {
		return invalid("note", "is longer than %d bytes", inventory.MaxTextLen)
	}
	if len(o.Lines) == 0 || len(o.Lines) > inventory.MaxLines {
		return invalid("lines", "give 1 to %d lines", inventory.MaxLines)
	}
	seen := map[string]bool{}
	for i, l := range o.Lines {
		f := "lines[" + strconv.Itoa(i) + "]"
		if l.SKU == "" || len(l.SKU) > inventory.MaxCodeLen || strings.TrimSpace(l.SKU) != l.SKU || strings.ContainsFunc(l.SKU, isControl) {
			return invalid(f+".sku", "must be a part number of 1 to %d printable bytes", inventory.MaxCodeLen)
		}
		if seen[l.SKU] {
			return invalid(f+".sku", "%s is listed twice", l.SKU)
		}
		seen[l.SKU] = true
		if l.Qty <= 0 || l.Qty > inventory.MaxQuantity {
			return invalid(f+".qty", "must be between 1 and %d", inventory.MaxQuantity)
		}
	}
	return nil
}

func isControl(r rune) bool { return r < ' ' || r == 0x7f || r == 0xfffd }

// CreateTransferOrder validates o, numbers it ("HQ-" and a durable
// counter) and, in one transaction, stores it and queues its commands: to
// the source transfer-requested (as the planner) and transfer-approved (as
// HQ, so the request and its approval are two people's), to the
// destination transfer-requested, so it expects the inbound goods. A
// repeat with the planner's idempotency key returns the order as it is
// now; the key with another order is refused.
func (h *HQ) CreateTransferOrder(o TransferOrder, planner, idemKey string) (TransferOrderState, error) {
	if err := checkPlanner(planner); err != nil {
		return TransferOrderState{}, err
	}
	if err := checkIdemKey(idemKey); err != nil {
		return TransferOrderState{}, err
	}
	if err := h.checkOrder(o); err != nil {
		return TransferOrderState{}, err
	}
	fp := fingerprint("transfer-order", o)
	var number string
	err := h.update(func(txn *badger.Txn) error {
		answer, found, err := once(txn, planner, idemKey, fp)
		if err != nil {
			return err
		}
		if found {
			return json.Unmarshal(answer, &number)
		}
		var n uint64
		if _, err := getJSON(txn, counterKey("transfer-orders"), &n); err != nil {
			return err
		}
		n++
		number = OrderPrefix + strconv.FormatUint(n, 10)
		t := &inventory.Transfer{Number: number, From: o.From, To: o.To, Expected: o.Expected, Lines: o.Lines}
		req := inventory.Command{Type: inventory.EvTransferRequested, Ref: number, Note: o.Note, Transfer: t}
		rec := orderRecord{Number: number, Order: o, Planner: planner, CreatedAt: h.now().UTC()}
		src, err := h.enqueue(txn, o.From, number, planner, []inventory.Command{req})
		if err != nil {
			return err
		}
		approve, err := h.enqueue(txn, o.From, number, "", []inventory.Command{{Type: inventory.EvTransferApproved, Ref: number}})
		if err != nil {
			return err
		}
		dst, err := h.enqueue(txn, o.To, number, planner, []inventory.Command{req})
		if err != nil {
			return err
		}
		rec.Commands = []commandRef{{o.From, src[0]}, {o.From, approve[0]}, {o.To, dst[0]}}
		if err := setJSON(txn, orderKey(n), rec); err != nil {
			return err
		}
		if err := setJSON(txn, counterKey("transfer-orders"), n); err != nil {
			return err
		}
		return remember(txn, planner, idemKey, fp, number)
	})
	if err != nil {
		return TransferOrderState{}, fmt.Errorf("create transfer order: %w", err)
	}
	return h.TransferOrder(number)
}

// TransferOrder returns order number with its commands' states.
func (h *HQ) TransferOrder(number string) (TransferOrderState, error) {
	digits, ok := strings.CutPrefix(number, OrderPrefix)
	n, err := strconv.ParseUint(digits, 10, 64)
	if !ok || err != nil || n == 0 || OrderPrefix+strconv.FormatUint(n, 10) != number {
		return TransferOrderState{}, notFound("number", "no transfer order %q", number)
	}
	var out TransferOrderState
	err = h.db.View(func(txn *badger.Txn) error {
		var rec orderRecord
		ok, err := getJSON(txn, orderKey(n), &rec)
		if err != nil {
			return err
		}
		if !ok {
			return notFound("number", "no transfer order %q", number)
		}
		out, err = orderState(txn, rec)
		return err
	})
	return out, err
}

// TransferOrders returns up to limit orders numbered after HQ-<after>, in
// the order they were created.
func (h *HQ) TransferOrders(after uint64, limit int) ([]TransferOrderState, error) {
	if limit <= 0 || limit > MaxOrders {
		limit = MaxOrders
	}
	out := []TransferOrderState{}
	err := h.db.View(func(txn *badger.Txn) error {
		it := txn.NewIterator(badger.IteratorOptions{Prefix: []byte{prefixOrder}, PrefetchValues: true})
		defer it.Close()
		for it.Seek(orderKey(after + 1)); it.Valid() && len(out) < limit; it.Next() {
			var rec orderRecord
			if err := it.Item().Value(func(b []byte) error { return json.Unmarshal(b, &rec) }); err != nil {
				return fmt.Errorf("transfer order %q: %w", it.Item().Key(), err)
			}
			st, err := orderState(txn, rec)
			if err != nil {
				return err
			}
			out = append(out, st)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read transfer orders: %w", err)
	}
	return out, nil
}

func orderState(txn *badger.Txn, rec orderRecord) (TransferOrderState, error) {
	st := TransferOrderState{Number: rec.Number, TransferOrder: rec.Order, Planner: rec.Planner,
		CreatedAt: rec.CreatedAt, Status: OrderAccepted, Commands: make([]CommandState, 0, len(rec.Commands))}
	pending := false
	for _, r := range rec.Commands {
		c, err := command(txn, r.Depot, r.Seq)
		if err != nil {
			return st, err
		}
		switch c.State {
		case CommandRefused:
			st.Status = OrderRefused
		case CommandPending:
			pending = true
		}
		st.Commands = append(st.Commands, c)
	}
	if pending && st.Status != OrderRefused {
		st.Status = OrderQueued
	}
	return st, nil
}

// SetPolicy sends depot a reorder policy, as planner. It returns the
// command's seq; a repeat with the planner's idempotency key returns the
// first answer and queues nothing.
func (h *HQ) SetPolicy(depot, planner, idemKey string, p inventory.ReorderPolicy) (uint64, error) {
	if err := checkPlanner(planner); err != nil {
		return 0, err
	}
	if err := checkIdemKey(idemKey); err != nil {
		return 0, err
	}
	if err := h.checkDepot("depot", depot); err != nil {
		return 0, err
	}
	if p.SKU == "" || len(p.SKU) > inventory.MaxCodeLen {
		return 0, invalid("sku", "must be a part number of 1 to %d bytes", inventory.MaxCodeLen)
	}
	fp := fingerprint("policy", struct {
		Depot  string
		Policy inventory.ReorderPolicy
	}{depot, p})
	var seq uint64
	err := h.update(func(txn *badger.Txn) error {
		answer, found, err := once(txn, planner, idemKey, fp)
		if err != nil {
			return err
		}
		if found {
			return json.Unmarshal(answer, &seq)
		}
		seqs, err := h.enqueue(txn, depot, "", planner, []inventory.Command{{Type: inventory.EvReorderPolicySet, Policy: &p}})
		if err != nil {
			return err
		}
		seq = seqs[0]
		return remember(txn, planner, idemKey, fp, seq)
	})
	if err != nil {
		return 0, fmt.Errorf("send policy to %s: %w", depot, err)
	}
	return seq, nil
}

// DefinePart sends a catalogue entry to depots (every depot HQ knows when
// none is named), as planner, in one transaction. It returns each depot's
// command seq; a repeat with the planner's idempotency key returns the
// first answer and queues nothing.
func (h *HQ) DefinePart(depots []string, planner, idemKey string, p inventory.Part) (map[string]uint64, error) {
	if err := checkPlanner(planner); err != nil {
		return nil, err
	}
	if err := checkIdemKey(idemKey); err != nil {
		return nil, err
	}
	if p.SKU == "" || len(p.SKU) > inventory.MaxCodeLen {
		return nil, invalid("part.sku", "must be a part number of 1 to %d bytes", inventory.MaxCodeLen)
	}
	if len(depots) == 0 {
		for _, d := range h.Depots() {
			depots = append(depots, d.Depot)
		}
		if len(depots) == 0 {
			return nil, invalid("depots", "HQ knows no depot yet")
		}
	}
	depots = append([]string(nil), depots...)
	sort.Strings(depots)
	for i, d := range depots {
		if i > 0 && depots[i-1] == d {
			return nil, invalid("depots", "%s is named twice", d)
		}
		if err := h.checkDepot("depots["+strconv.Itoa(i)+"]", d); err != nil {
			return nil, err
		}
	}
	fp := fingerprint("part", struct {
		Depots []string
		Part   inventory.Part
	}{depots, p})
	var out map[string]uint64
	err := h.update(func(txn *badger.Txn) error {
		answer, found, err := once(txn, planner, idemKey, fp)
		if err != nil {
			return err
		}
		if found {
			return json.Unmarshal(answer, &out)
		}
		out = make(map[string]uint64, len(depots))
		for _, d := range depots {
			seqs, err := h.enqueue(txn, d, "", planner, []inventory.Command{{Type: inventory.EvPartDefined, Part: &p}})
			if err != nil {
				return err
			}
			out[d] = seqs[0]
		}
		return remember(txn, planner, idemKey, fp, out)
	})
	if err != nil {
		return nil, fmt.Errorf("send part %s: %w", p.SKU, err)
	}
	return out, nil
}
