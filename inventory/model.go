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
)

// EventTypes lists every type a command may carry, in a stable order.
var EventTypes = []EventType{
	EvPartDefined, EvLocationDefined, EvReceipt, EvMove, EvReserve, EvUnreserve, EvIssue,
	EvReturn, EvTransferShipped, EvTransferReceived, EvCountAdjustment, EvScrap,
	EvPOCreated, EvPOClosed,
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
	// GS1 mod-10: weights 3,1,3,... from the rightmost data digit.
	sum := 0
	for i := 12; i >= 0; i-- {
		d := int(g[i] - '0')
		if (12-i)%2 == 0 {
			d *= 3
		}
		sum += d
	}
	if (10-sum%10)%10 != int(g[13]-'0') {
		return "", false
	}
	return g, true
}

// ParseDate checks a YYYY-MM-DD calendar date.
func ParseDate(s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	return t, err == nil
}
