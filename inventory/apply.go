package inventory

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// view reads through the command's own staged writes to the transaction,
// which already holds the writes of earlier commands in the same batch.
type view struct {
	txn  *badger.Txn
	ops  []op
	over map[string]int // key -> index in ops
}

type op struct {
	key, val []byte
	del      bool
}

func newView(txn *badger.Txn) *view { return &view{txn: txn, over: map[string]int{}} }

func (v *view) get(key []byte) ([]byte, bool, error) {
	if i, ok := v.over[string(key)]; ok {
		o := v.ops[i]
		return o.val, !o.del, nil
	}
	item, err := v.txn.Get(key)
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	val, err := item.ValueCopy(nil)
	return val, err == nil, err
}

func (v *view) getJSON(key []byte, into any) (bool, error) {
	b, ok, err := v.get(key)
	if !ok || err != nil {
		return false, err
	}
	if err := json.Unmarshal(b, into); err != nil {
		return false, fmt.Errorf("decode %q: %w", key, err)
	}
	return true, nil
}

func (v *view) put(key, val []byte, del bool) {
	if i, ok := v.over[string(key)]; ok {
		v.ops[i] = op{key, val, del}
		return
	}
	v.over[string(key)] = len(v.ops)
	v.ops = append(v.ops, op{key, val, del})
}

func (v *view) set(key, val []byte) { v.put(key, val, false) }
func (v *view) del(key []byte)      { v.put(key, nil, true) }

func (v *view) setJSON(key []byte, val any) error {
	b, err := json.Marshal(val)
	if err != nil {
		return err
	}
	v.set(key, b)
	return nil
}

// apply moves the staged writes into the transaction.
func (v *view) apply(txn *badger.Txn) error {
	for _, o := range v.ops {
		var err error
		if o.del {
			err = txn.Delete(o.key)
		} else {
			err = txn.Set(o.key, o.val)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// hasAny reports whether a committed or staged key starts with prefix.
// Only balance prefixes are asked, and part and location definitions, which
// ask it, never stage balances, so the transaction alone answers.
func (v *view) hasAny(prefix []byte) bool {
	it := v.txn.NewIterator(badger.IteratorOptions{Prefix: prefix, PrefetchValues: false})
	defer it.Close()
	it.Rewind()
	return it.Valid()
}

type idemRecord struct {
	Fingerprint string `json:"fp"`
	Seq         uint64 `json:"seq"`
}

func idemKey(actor, key string) []byte { return join(pIdem, actor, key) }

// prepare checks cmd against the state seen through txn and stages its
// writes. It returns the result, the staged writes and the head after it.
func (s *Store) prepare(txn *badger.Txn, head Head, cmd Command) (Result, *view, Head, error) {
	v := newView(txn)
	var fp string
	if cmd.IdempotencyKey != "" {
		fp = cmd.fingerprint()
		var rec idemRecord
		found, err := v.getJSON(idemKey(cmd.Actor, cmd.IdempotencyKey), &rec)
		if err != nil {
			return Result{}, nil, head, err
		}
		if found {
			if rec.Fingerprint != fp {
				return Result{}, nil, head, errf(CodeIdempotencyReuse, "Idempotency-Key",
					"this key was already used for a different request (event %d)", rec.Seq)
			}
			var ev Event
			ok, err := v.getJSON(eventKey(rec.Seq), &ev)
			if err != nil || !ok {
				return Result{}, nil, head, fmt.Errorf("idempotency record points at missing event %d: %w", rec.Seq, err)
			}
			return Result{Event: ev, Replayed: true}, v, head, nil
		}
	}
	ev := Event{
		Seq: head.Seq + 1, Epoch: head.Epoch, Depot: s.opts.Depot, HLC: s.clock.next(),
		Type: cmd.Type, Actor: cmd.Actor, IdempotencyKey: cmd.IdempotencyKey,
		Ref: cmd.Ref, Note: cmd.Note, Lines: cmd.Lines, Part: cmd.Part, Location: cmd.Location,
		Order: cmd.Order, Notice: cmd.Notice, SSCC: cmd.SSCC, Transfer: cmd.Transfer, Shipment: cmd.Shipment, TransferReport: cmd.TransferReport,
		WorkOrder: cmd.WorkOrder, Supplier: cmd.Supplier, Policy: cmd.Policy, Signal: cmd.Signal, Count: cmd.Count,
		PrevHash: head.Hash,
	}
	ev.At = HLCTime(ev.HLC)
	if err := s.rules(v, &ev); err != nil {
		return Result{}, nil, head, err
	}
	data, err := sealEvent(&ev)
	if err != nil {
		return Result{}, nil, head, err
	}
	v.set(eventKey(ev.Seq), data)
	newHead := Head{Seq: ev.Seq, Epoch: ev.Epoch, Hash: ev.Hash, HLC: ev.HLC}
	if fp != "" {
		if err := v.setJSON(idemKey(cmd.Actor, cmd.IdempotencyKey), idemRecord{fp, ev.Seq}); err != nil {
			return Result{}, nil, head, err
		}
	}
	return Result{Event: ev}, v, newHead, nil
}

// sealEvent sets ev.Hash and returns the stored form. The hash is the
// SHA-256 of the event's JSON with "hash" empty; that JSON carries prevHash,
// which is what makes the log a chain. Any implementation can check it by
// blanking "hash" in the stored JSON and hashing again.
func sealEvent(ev *Event) ([]byte, error) {
	ev.Hash = ""
	b, err := json.Marshal(ev)
	if err != nil {
		return nil, fmt.Errorf("encode event: %w", err)
	}
	sum := sha256.Sum256(b)
	ev.Hash = hex.EncodeToString(sum[:])
	// "hash" is the struct's last field, so the stored form is the hashed
	// form with the digest put between the final quotes: one encoding, not two.
	if !bytes.HasSuffix(b, []byte(`"hash":""}`)) {
		return nil, fmt.Errorf("encode event: hash is not the last field")
	}
	out := make([]byte, 0, len(b)+len(ev.Hash))
	out = append(out, b[:len(b)-2]...)
	out = append(out, ev.Hash...)
	return append(out, '"', '}'), nil
}

// rules checks ev against the stored state and stages every write it implies.
func (s *Store) rules(v *view, ev *Event) error {
	switch ev.Type {
	case EvPartDefined:
		return definePart(v, ev.Part)
	case EvLocationDefined:
		return defineLocation(v, ev.Location)
	case EvPOCreated:
		return createPO(v, ev)
	case EvPOClosed:
		return closePO(v, ev)
	case EvASNAnnounced:
		return announceASN(v, ev)
	case EvTransferRequested:
		return requestTransfer(v, ev)
	case EvTransferApproved:
		return approveTransfer(v, ev)
	case EvWOCreated:
		return createWO(v, ev)
	case EvWOClosed:
		return closeWO(v, ev)
	case EvRTSShipped:
		return shipRTS(v, ev)
	case EvReorderPolicySet, EvReorderSignal, EvReorderRearmed:
		return applyReorder(v, ev)
	case EvCountOpened, EvCountEntered, EvCountRecount:
		return applyCount(viewCounts{v}, ev)
	}
	if ev.Type == EvCountAdjustment && ev.Count != nil {
		// The approval of a count session: its lines are the variances.
		if err := approveCount(viewCounts{v}, ev); err != nil {
			return err
		}
	}
	if err := transferBefore(v, ev); err != nil {
		return err
	}
	rule := lineRules[ev.Type]
	parts := map[string]*Part{}
	locs := map[string]*Location{}
	for i := range ev.Lines {
		if err := checkLineState(v, ev, i, rule, parts, locs); err != nil {
			return err
		}
	}
	if ev.SSCC != "" {
		if err := receivePallet(v, ev); err != nil {
			return err
		}
	}
	if ev.Type == EvReceipt && ev.Ref != "" {
		// A receipt whose ref names a purchase order is held to the order;
		// any other ref is a free receipt, as before orders existed.
		if err := receiveOnPO(v, ev); err != nil {
			return err
		}
	}
	if err := transferAfter(v, ev); err != nil {
		return err
	}
	if ev.Type == EvRTSCreated {
		if err := createRTS(v, ev); err != nil {
			return err
		}
	}
	if (ev.Type == EvIssue || ev.Type == EvReturn) && ev.Ref != "" {
		// Likewise an issue or return whose ref names a work order.
		if err := onWorkOrder(v, ev); err != nil {
			return err
		}
	}
	ds := deltas(ev)
	for _, d := range ds {
		if err := applyDelta(v, d); err != nil {
			return err
		}
	}
	// Work orders' reservations are not for free events to take.
	if err := keepHolds(v, ds); err != nil {
		return err
	}
	for _, l := range ev.Lines {
		for _, sn := range l.Serials {
			v.set(serialHistKey(l.SKU, sn, ev.Seq), nil)
		}
	}
	return nil
}

func getPart(v *view, sku string) (*Part, error) {
	var p Part
	ok, err := v.getJSON(join(pPart, sku), &p)
	if !ok || err != nil {
		return nil, err
	}
	return &p, nil
}

func getLocation(v *view, code string) (*Location, error) {
	var l Location
	ok, err := v.getJSON(join(pLocation, code), &l)
	if !ok || err != nil {
		return nil, err
	}
	return &l, nil
}

func definePart(v *view, p *Part) error {
	old, err := getPart(v, p.SKU)
	if err != nil {
		return err
	}
	if old != nil && old.Tracking != p.Tracking && v.hasAny(append(join(pBalance, p.SKU), 0)) {
		return errf(CodeHasStock, "part.tracking", "%s has stock: tracking cannot change from %s to %s", p.SKU, old.Tracking, p.Tracking)
	}
	keep := map[string]bool{}
	for _, c := range p.codes() {
		keep[c] = true
		owner, ok, err := v.get(join(pAlias, c))
		if err != nil {
			return err
		}
		if ok && string(owner) != p.SKU {
			return errf(CodeAliasTaken, "part.aliases", "code %q already identifies part %s", c, owner)
		}
		v.set(join(pAlias, c), []byte(p.SKU))
	}
	if old != nil {
		for _, c := range old.codes() {
			if !keep[c] {
				v.del(join(pAlias, c))
			}
		}
	}
	return v.setJSON(join(pPart, p.SKU), p)
}

func defineLocation(v *view, l *Location) error {
	old, err := getLocation(v, l.Code)
	if err != nil {
		return err
	}
	if old != nil && old.Kind != l.Kind && v.hasAny(append(join(pByLoc, l.Code), 0)) {
		return errf(CodeHasStock, "location.kind", "%s holds stock: its kind cannot change from %s to %s", l.Code, old.Kind, l.Kind)
	}
	return v.setJSON(join(pLocation, l.Code), l)
}

// kindsFor says which location kinds each end of a line may be.
func kindsFor(t EventType, end string, l *Line) []LocationKind {
	nonTransit := []LocationKind{KindStock, KindQuarantine, KindDefective, KindVan}
	switch t {
	case EvReceipt:
		return []LocationKind{KindStock, KindQuarantine}
	case EvMove, EvCountAdjustment, EvScrap:
		return nonTransit
	case EvTransferDispatched, EvTransferAnnounced:
		return []LocationKind{KindTransit}
	case EvTransferClosed:
		if end == "from" {
			return []LocationKind{KindTransit}
		}
		return []LocationKind{KindQuarantine, KindDefective}
	case EvReserve, EvUnreserve, EvIssue:
		return []LocationKind{KindStock, KindVan}
	case EvRTSCreated:
		return []LocationKind{KindDefective}
	case EvReturn:
		if l.Condition == ConditionDefective {
			return []LocationKind{KindDefective}
		}
		return []LocationKind{KindStock, KindQuarantine, KindVan}
	case EvTransferShipped:
		if end == "to" {
			return []LocationKind{KindTransit}
		}
		return []LocationKind{KindStock, KindQuarantine, KindDefective}
	case EvTransferReceived:
		if end == "from" {
			return []LocationKind{KindTransit}
		}
		return []LocationKind{KindStock, KindQuarantine, KindDefective}
	}
	return nil
}

func checkLineState(v *view, ev *Event, i int, r lineRule, parts map[string]*Part, locs map[string]*Location) error {
	l := &ev.Lines[i]
	f := lineField(i)
	p, ok := parts[l.SKU]
	if !ok {
		var err error
		if p, err = getPart(v, l.SKU); err != nil {
			return err
		}
		if p == nil {
			return errf(CodeUnknownPart, f+".sku", "no part %q", l.SKU)
		}
		parts[l.SKU] = p
	}
	for _, end := range []struct{ name, code string }{{"from", l.From}, {"to", l.To}, {"location", l.Location}} {
		if end.code == "" {
			continue
		}
		loc, ok := locs[end.code]
		if !ok {
			var err error
			if loc, err = getLocation(v, end.code); err != nil {
				return err
			}
			if loc == nil {
				return errf(CodeUnknownLocation, f+"."+end.name, "no location %q", end.code)
			}
			locs[end.code] = loc
		}
		allowed := kindsFor(ev.Type, end.name, l)
		if !containsKind(allowed, loc.Kind) && !isTransferWriteOff(ev, end.name, loc) {
			return errf(CodeLocationKind, f+"."+end.name, "%s is a %s location; %s %s must be %v", loc.Code, loc.Kind, ev.Type, end.name, allowed)
		}
	}
	switch p.Tracking {
	case TrackSerial:
		if len(l.Serials) == 0 {
			return errf(CodeTracking, f+".serials", "%s is serial-tracked: list the serials", p.SKU)
		}
		if l.Lot != "" || l.Expiry != "" {
			return errf(CodeTracking, f+".lot", "%s is serial-tracked and carries no lot", p.SKU)
		}
	case TrackLot:
		if l.Lot == "" {
			return errf(CodeTracking, f+".lot", "%s is lot-tracked: name the lot", p.SKU)
		}
		if len(l.Serials) > 0 {
			return errf(CodeTracking, f+".serials", "%s is lot-tracked, not serial-tracked", p.SKU)
		}
		return checkLot(v, ev, l, f, p, r)
	default:
		if l.Lot != "" || l.Expiry != "" || len(l.Serials) > 0 {
			return errf(CodeTracking, f, "%s is not tracked by lot or serial", p.SKU)
		}
	}
	return nil
}

func checkLot(v *view, ev *Event, l *Line, f string, p *Part, r lineRule) error {
	key := join(pLot, l.SKU, l.Lot)
	var lot Lot
	found, err := v.getJSON(key, &lot)
	if err != nil {
		return err
	}
	if found {
		if l.Expiry != "" && l.Expiry != lot.Expiry {
			return errf(CodeLotExpiry, f+".expiry", "lot %s of %s expires %s, not %s", l.Lot, l.SKU, orNone(lot.Expiry), l.Expiry)
		}
		return nil
	}
	if !r.incoming || l.Qty < 0 {
		return errf(CodeUnknownLot, f+".lot", "no lot %q of %s", l.Lot, l.SKU)
	}
	lot = Lot{SKU: l.SKU, Lot: l.Lot, Expiry: l.Expiry}
	if lot.Expiry == "" && p.ShelfLifeDays > 0 {
		lot.Expiry = ev.At.AddDate(0, 0, p.ShelfLifeDays).Format(time.DateOnly)
	}
	return v.setJSON(key, lot)
}

func orNone(s string) string {
	if s == "" {
		return "never"
	}
	return s
}

func containsKind(ks []LocationKind, k LocationKind) bool {
	for _, x := range ks {
		if x == k {
			return true
		}
	}
	return false
}

// delta is one event's change to one balance row.
type delta struct {
	k                balKey
	onHand, reserved int64
	line             int
}

// deltas turns a stock event into balance changes. It depends on the event
// alone, so Verify and StockAt replay the log with exactly the rules the
// store applied when the event was written.
func deltas(ev *Event) []delta {
	var out []delta
	// Reservations an issue let go come first: the issue may take the
	// very stock they held.
	for i, l := range ev.Released {
		if len(l.Serials) == 0 {
			out = append(out, delta{balKey{l.SKU, l.Location, l.Lot, ""}, 0, -l.Qty, i})
		}
		for _, sn := range l.Serials {
			out = append(out, delta{balKey{l.SKU, l.Location, l.Lot, sn}, 0, -1, i})
		}
	}
	for i, l := range ev.Lines {
		emit := func(loc string, on, res int64) {
			if len(l.Serials) == 0 {
				out = append(out, delta{balKey{l.SKU, loc, l.Lot, ""}, on, res, i})
				return
			}
			for _, sn := range l.Serials {
				out = append(out, delta{balKey{l.SKU, loc, l.Lot, sn}, sign(on), sign(res), i})
			}
		}
		q := l.Qty
		var res int64
		if l.FromReserved {
			res = -q
		}
		switch ev.Type {
		case EvReceipt, EvReturn, EvTransferAnnounced:
			emit(l.To, q, 0)
		case EvTransferDispatched:
			emit(l.From, -q, 0)
		case EvMove, EvTransferShipped, EvTransferReceived, EvTransferClosed:
			emit(l.From, -q, res)
			emit(l.To, q, 0)
		case EvReserve, EvWOCreated:
			emit(l.Location, 0, q)
		case EvUnreserve, EvWOClosed:
			emit(l.Location, 0, -q)
		case EvIssue:
			emit(l.From, -q, res)
		case EvScrap, EvRTSShipped:
			emit(l.From, -q, 0)
		case EvCountAdjustment:
			emit(l.Location, q, 0)
		}
	}
	return out
}

func sign(n int64) int64 {
	switch {
	case n > 0:
		return 1
	case n < 0:
		return -1
	}
	return 0
}

func applyDelta(v *view, d delta) error {
	f := lineField(d.line)
	key := d.k.key()
	raw, existed, err := v.get(key)
	if err != nil {
		return err
	}
	var cur qty
	if existed {
		var ok bool
		if cur, ok = decodeQty(raw); !ok {
			return fmt.Errorf("corrupt balance %q", key)
		}
	}
	n := qty{cur.OnHand + d.onHand, cur.Reserved + d.reserved}
	what := d.k.SKU
	if d.k.Lot != "" {
		what += " lot " + d.k.Lot
	}
	switch {
	case n.OnHand < 0 && d.k.Serial != "":
		return errf(CodeSerialNotHere, f+".serials", "serial %s of %s is not at %s", d.k.Serial, d.k.SKU, d.k.Loc)
	case n.Reserved < 0:
		return errf(CodeInsufficientReserve, f+".qty", "%s at %s: %d reserved, %d to release", what, d.k.Loc, cur.Reserved, -d.reserved)
	case n.OnHand-n.Reserved < 0:
		return errf(CodeInsufficientStock, f+".qty", "%s at %s: %d available, %d needed", what, d.k.Loc, cur.OnHand-cur.Reserved, -(d.onHand - d.reserved))
	case d.k.Serial != "" && n.OnHand > 1:
		return errf(CodeSerialConflict, f+".serials", "serial %s of %s is already at %s", d.k.Serial, d.k.SKU, d.k.Loc)
	}
	if d.k.Serial != "" && cur.OnHand != n.OnHand {
		sk := serialKey(d.k.SKU, d.k.Serial)
		if n.OnHand == 1 {
			where, taken, err := v.get(sk)
			if err != nil {
				return err
			}
			if taken {
				return errf(CodeSerialConflict, f+".serials", "serial %s of %s is already at %s", d.k.Serial, d.k.SKU, bytes.SplitN(where, []byte{0}, 2)[0])
			}
			v.set(sk, serialWhere(d.k.Loc, d.k.Lot))
		} else {
			v.del(sk)
		}
	}
	switch {
	case n == (qty{}):
		v.del(key)
		v.del(d.k.locKey())
	default:
		v.set(key, n.encode())
		if !existed {
			v.set(d.k.locKey(), nil)
		}
	}
	return nil
}

func serialWhere(loc, lot string) []byte { return append(append([]byte(loc), 0), lot...) }
