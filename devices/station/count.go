package station

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/partsedge/partsedge/inventory"
)

// Rejection codes of counting.
const (
	CodeAlreadyCounted = "already_counted" // this serial was already counted in the session
	CodeNotInScope     = "not_in_scope"    // the bin or part is not in the session's scope
	CodeNotACounter    = "not_a_counter"   // the user is not one of the session's counters
	CodeCountClosed    = "count_closed"    // the session was approved
	CodeScanBinFirst   = "scan_bin_first"  // an item was scanned before any bin
	CodeUnlocated      = "unlocated"       // an RFID tag the ledger places in no bin of the session, and no bin for found tags
)

// Count records what a counter scans into a count session: a bin's label
// names the bin being counted, and each item scan after it is one entry in
// that bin. RFID tags seen by the readers bound to the station are counted
// too (HandleTag). Outcomes never carry expected quantities, so a blind
// count stays blind on the station's screen.
type Count struct {
	Ledger  Ledger
	Session string
	// Zone, when set, is the RFID zone being counted: tags seen in other
	// zones of the station's readers are not counted.
	Zone string
	// Found is the bin an RFID tag is counted in when the ledger places its
	// serial in no bin of the session; empty reports such tags as unlocated.
	Found string
	// StartedBy is the user who started the count at the station; the
	// station's device scans are counted in their name.
	StartedBy string

	// bin is the bin being counted by scan. Only the station's goroutine
	// touches it.
	bin string
}

// NewCount checks the session is open before a station starts counting.
func NewCount(l Ledger, req OperationRequest) (*Count, error) {
	st, err := l.CountSession(req.Ref)
	if err != nil {
		return nil, err
	}
	if st.Status != inventory.CountOpen {
		return nil, inventory.Errorf(inventory.CodeDocumentClosed, "ref", "count session %s is approved", req.Ref)
	}
	if req.To != "" {
		if _, err := l.Location(req.To); err != nil {
			return nil, err
		}
	}
	return &Count{Ledger: l, Session: req.Ref, Zone: req.Zone, Found: req.To, StartedBy: req.StartedBy}, nil
}

func (op *Count) Kind() string { return "count" }
func (op *Count) Ref() string  { return op.Session }

// actor is who an entry is in the name of: the person scanning from a
// handheld, or for a device the user who started the count there.
func (op *Count) actor(in Input) string {
	if in.Device != "" && op.StartedBy != "" {
		return op.StartedBy
	}
	return in.Actor
}

// Handle takes a bin label (a location code) or an item scan.
func (op *Count) Handle(ctx context.Context, in Input) Result {
	id := in.Identity
	switch id.Kind {
	case KindCode:
		return op.chooseBin(id.Code)
	case KindItem:
	default:
		return Result{Code: CodeNotAnItem, Message: "scan a bin's label, then the parts in it"}
	}
	if op.bin == "" {
		return Result{Code: CodeScanBinFirst, Message: "scan the label of the bin you are counting first"}
	}
	p, line, rej := itemLine(op.Ledger, id)
	if rej != nil {
		return *rej
	}
	if p.Tracking == inventory.TrackSerial {
		line.Qty = 1
	}
	return op.enter(ctx, op.actor(in), op.bin, p, line, "scan")
}

func (op *Count) chooseBin(code string) Result {
	loc, err := op.Ledger.Location(code)
	if inventory.CodeOf(err) == inventory.CodeNotFound {
		return Result{Code: CodeUnknownCode, Message: fmt.Sprintf("%q is neither a bin nor a part of this depot", code)}
	}
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the locations could not be read; try again"}
	}
	st, err := op.Ledger.CountSession(op.Session)
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the count session could not be read; try again"}
	}
	if len(st.Bins) > 0 && !slices.Contains(st.Bins, loc.Code) {
		return Result{Code: CodeNotInScope, Message: fmt.Sprintf("bin %s is not counted in %s", loc.Code, op.Session)}
	}
	op.bin = loc.Code
	return Result{Good: true, Message: fmt.Sprintf("counting bin %s: scan its parts", loc.Code)}
}

// enter writes one entry. Its message says what was counted in the bin so
// far, never what the ledger expects there.
func (op *Count) enter(ctx context.Context, actor, bin string, p inventory.Part, line inventory.Line, source string) Result {
	item := inventory.CountItem{SKU: line.SKU, Lot: line.Lot, Qty: line.Qty, Serials: line.Serials}
	res, err := op.Ledger.Append(ctx, inventory.Command{Type: inventory.EvCountEntered, Actor: actor, Ref: op.Session,
		Count: &inventory.CountPayload{Entry: &inventory.CountEntry{Bin: bin, Items: []inventory.CountItem{item}, Source: source}}})
	if err != nil {
		return countRefusals.result(err, "count", &p)
	}
	what := fmt.Sprintf("%d × %s", line.Qty, p.SKU)
	if len(line.Serials) == 1 {
		what = p.SKU + " serial " + line.Serials[0]
	}
	return Result{Good: true, Message: fmt.Sprintf("counted %s in %s", what, bin), Part: &p, Seq: res.Event.Seq}
}

// TagInput is one smoothed tag-seen event handed to an operation.
type TagInput struct {
	Station, Device, Zone, EPC string
	At                         time.Time
	Identity                   Identity
}

// TagHandler is an operation that takes RFID tags as well as scans.
type TagHandler interface {
	// HandleTag decides on one tag; record false means the tag is none of
	// the operation's business (another zone) and leaves no outcome.
	HandleTag(ctx context.Context, in TagInput) (res Result, record bool)
}

// HandleTag counts a tag seen in the zone. RFID cannot tell bins apart
// within a zone, so a serial is counted in the bin the ledger has it in
// when that bin is in the session, and in the Found bin otherwise.
func (op *Count) HandleTag(ctx context.Context, in TagInput) (Result, bool) {
	if op.Zone != "" && in.Zone != op.Zone {
		return Result{}, false
	}
	id := in.Identity
	if id.Kind != KindItem || id.GTIN == "" {
		return Result{Code: CodeNotAnItem, Message: "tag " + id.EPC + " is not a trade item (SGTIN)"}, true
	}
	p, err := op.Ledger.ResolveCode(id.GTIN)
	if inventory.CodeOf(err) == inventory.CodeNotFound {
		return Result{Code: CodeUnknownCode, Message: "tag " + id.EPC + ": GTIN " + id.GTIN + " is not a part of this depot"}, true
	}
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the catalogue could not be read"}, true
	}
	line := inventory.Line{SKU: p.SKU, Qty: 1}
	switch p.Tracking {
	case inventory.TrackLot:
		return Result{Code: CodeNeedsLot, Message: p.SKU + " is tracked by lot, which a tag does not carry: count it by scan", Part: &p}, true
	case inventory.TrackSerial:
		line.Serials = []string{id.Serial}
	}
	st, err := op.Ledger.CountSession(op.Session)
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the count session could not be read"}, true
	}
	bin := op.Found
	if p.Tracking == inventory.TrackSerial {
		rows, err := op.Ledger.Stock(inventory.StockFilter{SKU: p.SKU, Serial: id.Serial}, 1)
		if err != nil {
			return Result{Code: CodeLookupFailed, Message: "the stock could not be read"}, true
		}
		if len(rows) == 1 && (len(st.Bins) == 0 || slices.Contains(st.Bins, rows[0].Location)) {
			bin = rows[0].Location
		}
	}
	if bin == "" {
		return Result{Code: CodeUnlocated, Message: fmt.Sprintf("tag %s (%s %s) is in no bin of %s; start the count with a bin for found tags",
			id.EPC, p.SKU, id.Serial, op.Session), Part: &p}, true
	}
	actor := op.StartedBy
	if actor == "" {
		actor = "device:" + in.Device
	}
	return op.enter(ctx, actor, bin, p, line, "rfid"), true
}
