package inventory

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Tracking says how individual units of a part are told apart.
type Tracking string

const (
	TrackNone   Tracking = "none"
	TrackLot    Tracking = "lot"
	TrackSerial Tracking = "serial"
)

// Part is a stock-keeping unit of the depot's catalogue.
type Part struct {
	SKU         string `json:"sku"`
	Description string `json:"description,omitempty"`
	// Unit is what quantities count: "ea", or "mm"/"ml"/"g" for parts sold by
	// length, volume or weight. Quantities are always whole numbers of it.
	Unit string `json:"unit"`
	// GTINs are stored as 14 digits so a GTIN-13 and its GTIN-14 form match.
	GTINs []string `json:"gtins,omitempty"`
	// Aliases are other codes printed on the part: supplier part numbers, old
	// labels. A code is an alias of at most one part.
	Aliases       []string `json:"aliases,omitempty"`
	Tracking      Tracking `json:"tracking"`
	ShelfLifeDays int      `json:"shelfLifeDays,omitempty"`
	SupersededBy  string   `json:"supersededBy,omitempty"`
}

// LocationKind says what stock in a location means.
type LocationKind string

const (
	KindStock      LocationKind = "stock"      // bins: good, available stock
	KindQuarantine LocationKind = "quarantine" // received, not yet inspected
	KindDefective  LocationKind = "defective"  // failed or old parts awaiting return to supplier
	KindTransit    LocationKind = "transit"    // virtual, one per transfer between depots
	KindVan        LocationKind = "van"        // an engineer's van stock
)

// Location is a place within the depot that holds stock.
type Location struct {
	Code        string       `json:"code"`
	Kind        LocationKind `json:"kind"`
	Description string       `json:"description,omitempty"`
	// Zone groups bins for counting and pick walks ("A", "cage", ...).
	Zone string `json:"zone,omitempty"`
}

// Lot is a production batch of a lot-tracked part.
type Lot struct {
	SKU    string `json:"sku"`
	Lot    string `json:"lot"`
	Expiry string `json:"expiry,omitempty"` // YYYY-MM-DD, empty when the lot does not expire
}

// EventType names what happened. The set only grows; published names stay.
type EventType string

const (
	EvPartDefined      EventType = "part-defined"
	EvLocationDefined  EventType = "location-defined"
	EvReceipt          EventType = "receipt"
	EvMove             EventType = "move"
	EvReserve          EventType = "reserve"
	EvUnreserve        EventType = "unreserve"
	EvIssue            EventType = "issue"
	EvReturn           EventType = "return"
	EvTransferShipped  EventType = "transfer-shipped"
	EvTransferReceived EventType = "transfer-received"
	EvCountAdjustment  EventType = "count-adjustment"
	EvScrap            EventType = "scrap"
	// Purchase orders are documents in the log, so they are chained,
	// idempotent and replicated like stock (purchase.go).
	EvPOCreated EventType = "po-created"
	EvPOClosed  EventType = "po-closed"
	// A shipping notice announces a delivery's pallets by SSCC (asn.go).
	EvASNAnnounced EventType = "asn-announced"
	// Transfers between depots (transfer.go).
	EvTransferRequested  EventType = "transfer-requested"
	EvTransferApproved   EventType = "transfer-approved"
	EvTransferDispatched EventType = "transfer-dispatched"
	EvTransferAnnounced  EventType = "transfer-announced"
	EvTransferClosed     EventType = "transfer-closed"
	// Work orders: wo-created reserves stock, wo-closed releases what is
	// still reserved (workorder.go).
	EvWOCreated EventType = "wo-created"
	EvWOClosed  EventType = "wo-closed"
	// Return-to-supplier batches: rts-created lists defective stock for
	// one supplier, rts-shipped takes it out of the depot (rts.go).
	EvRTSCreated EventType = "rts-created"
	EvRTSShipped EventType = "rts-shipped"
	// Reorder policies and signals are events too (reorder.go): a policy
	// change, a signal raised, a part re-armed once its position recovered.
	EvReorderPolicySet EventType = "reorder-policy-set"
	EvReorderSignal    EventType = "reorder-signal"
	EvReorderRearmed   EventType = "reorder-rearmed"
)

// EventTypes lists every type a command may carry, in a stable order.
var EventTypes = []EventType{
	EvPartDefined, EvLocationDefined, EvReceipt, EvMove, EvReserve, EvUnreserve, EvIssue,
	EvReturn, EvTransferShipped, EvTransferReceived, EvCountAdjustment, EvScrap,
	EvPOCreated, EvPOClosed, EvASNAnnounced,
	EvTransferRequested, EvTransferApproved, EvTransferDispatched, EvTransferAnnounced, EvTransferClosed,
	EvWOCreated, EvWOClosed,
	EvRTSCreated, EvRTSShipped,
	EvReorderPolicySet, EvReorderSignal, EvReorderRearmed,
	EvCountOpened, EvCountEntered, EvCountRecount,
}

// Condition of returned parts.
const (
	ConditionGood      = "good"
	ConditionDefective = "defective"
)

// Line is one part's movement within a stock event. Which of From, To and
// Location a type needs is checked by the effects rules (effects.go):
//
//	receipt            To
//	move               From -> To
//	reserve/unreserve  Location
//	issue              From (FromReserved consumes a reservation)
//	return             To, Condition good|defective
//	transfer-shipped   From -> To (a transit location)
//	transfer-received  From (a transit location) -> To
//	count-adjustment   Location, Qty signed (+found / -missing)
//	scrap              From
type Line struct {
	SKU          string   `json:"sku"`
	Qty          int64    `json:"qty"`
	From         string   `json:"from,omitempty"`
	To           string   `json:"to,omitempty"`
	Location     string   `json:"location,omitempty"`
	Lot          string   `json:"lot,omitempty"`
	Expiry       string   `json:"expiry,omitempty"`
	Serials      []string `json:"serials,omitempty"`
	Condition    string   `json:"condition,omitempty"`
	FromReserved bool     `json:"fromReserved,omitempty"`
	// WOLine is the work order line a reservation, issue or return counts
	// against; the store fills it when an issue does not name one.
	WOLine int `json:"woLine,omitempty"`
	// Billing (chargeable|warranty) is copied by the store from the work
	// order line onto issues and returns against it.
	Billing string `json:"billing,omitempty"`
	// Mismatch is set by the store on a defective return that does not
	// match what the work order issued (workorder.go): the part is booked
	// all the same and the supplier claim lists it.
	Mismatch string `json:"mismatch,omitempty"`
}

// Event is one entry of the depot's append-only log. Seq is gapless per
// depot; Hash chains every event to the one before it, so any edit of the
// stored log shows up in Verify.
type Event struct {
	Seq   uint64 `json:"seq"`
	Epoch uint32 `json:"epoch"`
	Depot string `json:"depot"`
	// HLC is a hybrid logical clock: wall milliseconds << 16 | a counter. It
	// orders events even when the box's clock steps backwards.
	HLC            uint64    `json:"hlc"`
	At             time.Time `json:"at"`
	Type           EventType `json:"type"`
	Actor          string    `json:"actor"`
	IdempotencyKey string    `json:"idempotencyKey,omitempty"`
	// Ref names the document the event belongs to: a purchase order, work
	// order, transfer or count. A serial's history shows it.
	Ref      string    `json:"ref,omitempty"`
	Note     string    `json:"note,omitempty"`
	Lines    []Line    `json:"lines,omitempty"`
	Part     *Part     `json:"part,omitempty"`
	Location *Location `json:"location,omitempty"`
	// Order is the purchase order a po-created event opens.
	Order *PurchaseOrder `json:"order,omitempty"`
	// Report is the discrepancy report the store computed when a po-closed
	// event closed its order: what the log says was short or over then.
	Report *POReport `json:"report,omitempty"`
	// Notice is the shipping notice an asn-announced event records.
	Notice *ShippingNotice `json:"notice,omitempty"`
	// SSCC is the pallet a receipt takes in whole (asn.go).
	SSCC string `json:"sscc,omitempty"`
	// Transfer is the transfer a transfer-requested or -announced event
	// opens; Shipment the sealed shipment of transfer-dispatched and
	// transfer-announced; TransferReport what transfer-closed found.
	Transfer       *Transfer       `json:"transfer,omitempty"`
	Shipment       *Shipment       `json:"shipment,omitempty"`
	TransferReport *TransferReport `json:"transferReport,omitempty"`
	// WorkOrder is the work order a wo-created event opens.
	WorkOrder *WorkOrder `json:"workOrder,omitempty"`
	// Supplier is who a return-to-supplier batch (rts-created) goes to.
	Supplier string `json:"supplier,omitempty"`
	// Released are reservations the store let go as part of an issue
	// against a work order taken from other stock than its reservation.
	Released []Line `json:"released,omitempty"`
	// Policy is the reorder policy a reorder-policy-set event sets; Signal
	// what a reorder-signal or reorder-rearmed event found.
	Policy *ReorderPolicy `json:"policy,omitempty"`
	Signal *ReorderSignal `json:"signal,omitempty"`
	// Count is what the count events carry, and the approval of a count
	// session on the count-adjustment that approves it (count.go).
	Count    *CountPayload `json:"count,omitempty"`
	PrevHash string        `json:"prevHash"`
	Hash     string        `json:"hash"`
}

// Command asks the store to append one event. The store fills in seq, epoch,
// clock, chain hashes and checks every rule before anything is written.
type Command struct {
	Type           EventType `json:"type"`
	Actor          string    `json:"-"`
	IdempotencyKey string    `json:"-"`
	Ref            string    `json:"ref,omitempty"`
	Note           string    `json:"note,omitempty"`
	Lines          []Line    `json:"lines,omitempty"`
	Part           *Part     `json:"part,omitempty"`
	Location       *Location `json:"location,omitempty"`
	// Order is required by po-created and refused on every other type.
	Order *PurchaseOrder `json:"order,omitempty"`
	// Notice is required by asn-announced and refused on every other type.
	Notice *ShippingNotice `json:"notice,omitempty"`
	// SSCC, on a receipt against an order, names the announced pallet the
	// receipt takes in whole.
	SSCC string `json:"sscc,omitempty"`
	// Transfer and Shipment are for the transfer events (transfer.go).
	Transfer       *Transfer       `json:"transfer,omitempty"`
	Shipment       *Shipment       `json:"shipment,omitempty"`
	TransferReport *TransferReport `json:"transferReport,omitempty"`
	// WorkOrder is required by wo-created and refused on every other type.
	WorkOrder *WorkOrder `json:"workOrder,omitempty"`
	// Supplier is required by rts-created and refused on every other type.
	Supplier string `json:"supplier,omitempty"`
	// Policy is required by reorder-policy-set, Signal by reorder-signal
	// and reorder-rearmed; each is refused on every other type.
	Policy *ReorderPolicy `json:"policy,omitempty"`
	Signal *ReorderSignal `json:"signal,omitempty"`
	// Count is required by the count events and by the count-adjustment
	// that approves a count session, and refused on every other type.
	Count *CountPayload `json:"count,omitempty"`
}

// Result is the answer to an appended command. Replayed is true when the
// idempotency key had been used for the same command before: Event is then
// the original event and nothing new was written.
type Result struct {
	Event    Event `json:"event"`
	Replayed bool  `json:"replayed"`
}

// Balance is the stock of one part in one location, for one lot and serial.
type Balance struct {
	SKU       string `json:"sku"`
	Location  string `json:"location"`
	Lot       string `json:"lot,omitempty"`
	Serial    string `json:"serial,omitempty"`
	OnHand    int64  `json:"onHand"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

// Limits keep one command within what a single Badger transaction can carry
// on a small box, and keep keys printable.
const (
	MaxCodeLen  = 64
	MaxTextLen  = 500
	MaxLines    = 1000
	MaxSerials  = 5000 // per command, across its lines
	MaxAliases  = 50
	MaxQuantity = 1_000_000_000
)

// checkCode validates an identifier that becomes part of a key: printable,
// no separators, bounded.
func checkCode(field, s string) *Error {
	if s == "" {
		return errf(CodeInvalid, field, "is required")
	}
	if len(s) > MaxCodeLen {
		return errf(CodeInvalid, field, "is longer than %d bytes", MaxCodeLen)
	}
	if !utf8.ValidString(s) {
		return errf(CodeInvalid, field, "is not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.IsSpace(r) && r != ' ' {
			return errf(CodeInvalid, field, "contains a control character")
		}
	}
	if strings.TrimSpace(s) != s {
		return errf(CodeInvalid, field, "has leading or trailing spaces")
	}
	return nil
}

func checkText(field, s string) *Error {
	if len(s) > MaxTextLen {
		return errf(CodeInvalid, field, "is longer than %d bytes", MaxTextLen)
	}
	if !utf8.ValidString(s) {
		return errf(CodeInvalid, field, "is not valid UTF-8")
	}
	return nil
}

// NormalizeGTIN checks a GTIN-8, -12, -13 or -14 and returns it as 14 digits.
func NormalizeGTIN(s string) (string, bool) {
	switch len(s) {
	case 8, 12, 13, 14:
	default:
		return "", false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return "", false
		}
	}
	g := strings.Repeat("0", 14-len(s)) + s
	if !gs1CheckDigitOK(g) {
		return "", false
	}
	return g, true
}

// ParseDate checks a YYYY-MM-DD calendar date.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}
