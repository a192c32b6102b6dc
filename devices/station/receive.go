package station

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/partsedge/partsedge/inventory"
)

// Ledger is what operations that write need from the store.
type Ledger interface {
	Catalog
	Append(ctx context.Context, cmd inventory.Command) (inventory.Result, error)
	PurchaseOrder(number string) (inventory.PurchaseOrderState, error)
	Location(code string) (inventory.Location, error)
	SuggestBin(sku string) (string, bool, error)
	PalletBySSCC(sscc string) (inventory.NoticeState, inventory.PalletState, error)
	WorkOrdersAwaiting(sku string) ([]inventory.WorkOrderState, error)
	Transfer(number string) (inventory.TransferInfo, error)
	WorkOrder(number string) (inventory.WorkOrderState, error)
	PlanPick(req inventory.PickRequest) (inventory.Command, error)
	CountSession(number string) (inventory.CountState, error)
}

// Rejection codes of receiving. Each names what the storekeeper did wrong
// in words they use, so the screen can say it plainly.
const (
	CodeWrongPart       = "wrong_part"       // not on the order
	CodeWrongLot        = "wrong_lot"        // the order expects another lot
	CodeExpiredLot      = "expired_lot"      // the lot is past its expiry
	CodeOverDelivered   = "over_delivered"   // beyond the order's tolerance
	CodeAlreadyReceived = "already_received" // this serial is already in the depot
	CodeOrderClosed     = "order_closed"
	CodeNeedsSerial     = "serial_required" // a serial-tracked part scanned without its serial
	CodeNeedsLot        = "lot_required"
	CodeNotAnItem       = "not_an_item"
	CodeRefused         = "refused"         // any other refusal of the ledger, with its message
	CodeUnknownPallet   = "unknown_pallet"  // no shipping notice of this order announced the SSCC
	CodePalletReceived  = "pallet_received" // the pallet has come in already
)

// Receive books what is scanned at a dock against a purchase order, into a
// location (quarantine until it is inspected, usually). Each GS1 item scan
// is one receipt event: the GTIN finds the part, the code's lot, expiry and
// serial go with it, and AI 30/37 gives the count (one when absent). The
// ledger holds the order's rules, so a scan the order does not allow writes
// nothing and the operator hears a bad beep with the reason.
type Receive struct {
	Ledger Ledger
	Order  string // the purchase order's number
	To     string // the location received goods go to
}

// NewReceive checks the order is open and the location exists before a
// station starts receiving.
func NewReceive(l Ledger, order, to string) (*Receive, error) {
	po, err := l.PurchaseOrder(order)
	if err != nil {
		return nil, err
	}
	if po.Status != inventory.POOpen {
		return nil, inventory.Errorf(inventory.CodeDocumentClosed, "ref", "purchase order %s is closed", order)
	}
	if _, err := l.Location(to); err != nil {
		return nil, err
	}
	return &Receive{Ledger: l, Order: order, To: to}, nil
}

func (op *Receive) Kind() string { return "receive" }
func (op *Receive) Ref() string  { return op.Order }

// Handle books one scan.
func (op *Receive) Handle(ctx context.Context, in Input) Result {
	id := in.Identity
	if id.Kind == KindShipment {
		return op.pallet(ctx, in)
	}
	if id.Kind != KindItem || id.GTIN == "" {
		return Result{Code: CodeNotAnItem, Message: "scan the part's barcode (GTIN) or a pallet's SSCC, not " + string(id.Kind)}
	}
	p, line, rej := unitLine(op.Ledger, id)
	if rej != nil {
		return *rej
	}
	// A receipt records the lot and expiry the label carries, for every
	// part whose units are told apart.
	if p.Tracking != inventory.TrackNone {
		line.Lot, line.Expiry = id.Lot, id.Expiry
	}
	line.To = op.To
	qty := line.Qty
	res, err := op.Ledger.Append(ctx, inventory.Command{
		Type: inventory.EvReceipt, Actor: in.Actor, Ref: op.Order, Lines: []inventory.Line{line},
		Note: "scanned at " + in.Station,
	})
	if err != nil {
		return receiveRefusals.result(err, "receipt", &p)
	}
	po, err := op.Ledger.PurchaseOrder(op.Order)
	msg := fmt.Sprintf("received %d × %s into %s", qty, p.SKU, op.To)
	if err == nil {
		var ordered, received int64
		for _, l := range po.Lines {
			if l.SKU == p.SKU {
				ordered += l.Ordered
				received += l.Received
			}
		}
		msg += fmt.Sprintf(" (%d of %d on %s)", received, ordered, op.Order)
	}
	msg += awaitedBy(op.Ledger, p.SKU)
	return Result{Good: true, Message: msg, Part: &p, Seq: res.Event.Seq}
}

// pallet books a whole pallet an ASN announced: one receipt of everything
// the notice says is on it, held to the order like any receipt.
func (op *Receive) pallet(ctx context.Context, in Input) Result {
	sscc := in.Identity.SSCC
	n, p, err := op.Ledger.PalletBySSCC(sscc)
	switch {
	case inventory.CodeOf(err) == inventory.CodePalletUnknown:
		return Result{Code: CodeUnknownPallet, Message: "no shipping notice announced pallet " + sscc}
	case err != nil:
		return Result{Code: CodeLookupFailed, Message: "the shipping notices could not be read; try again"}
	case n.Order != op.Order:
		return Result{Code: CodeUnknownPallet, Message: fmt.Sprintf("pallet %s is announced for %s, not %s", sscc, n.Order, op.Order)}
	case p.ReceivedSeq != 0:
		return Result{Code: CodePalletReceived, Message: fmt.Sprintf("pallet %s was received into %s (event %d)", sscc, p.ReceivedTo, p.ReceivedSeq)}
	}
	res, err := op.Ledger.Append(ctx, inventory.Command{
		Type: inventory.EvReceipt, Actor: in.Actor, Ref: op.Order, SSCC: sscc, Lines: p.ReceiptLines(op.To),
		Note: "pallet scanned at " + in.Station,
	})
	if err != nil {
		return receiveRefusals.result(err, "receipt", nil)
	}
	var units int64
	for _, l := range p.Lines {
		units += l.Qty
	}
	lines := "lines"
	if len(p.Lines) == 1 {
		lines = "line"
	}
	msg := fmt.Sprintf("received pallet %s of %s: %d %s, %d units into %s", sscc, n.Number, len(p.Lines), lines, units, op.To)
	for _, l := range p.Lines {
		msg += awaitedBy(op.Ledger, l.SKU)
	}
	return Result{Good: true, Seq: res.Event.Seq, Message: msg}
}

// awaitedBy tells the dock which work orders wait for a part that just
// came in ("ordered parts arrived"), so it goes to the issue counter, not
// the shelf. The receipt is booked whatever this finds; a failed lookup
// only leaves the hint out.
func awaitedBy(l Ledger, sku string) string {
	wos, err := l.WorkOrdersAwaiting(sku)
	if err != nil || len(wos) == 0 {
		return ""
	}
	numbers := make([]string, len(wos))
	for i, wo := range wos {
		numbers[i] = wo.Number
	}
	return "; " + sku + " is awaited by " + strings.Join(numbers, ", ")
}

// OperationRequest asks a station to start an operation.
type OperationRequest struct {
	Kind string `json:"kind"`           // identify, receive
	Ref  string `json:"ref,omitempty"`  // the document: a purchase order for receive
	To   string `json:"to,omitempty"`   // receive: the location goods go to
	From string `json:"from,omitempty"` // putaway: the location goods come from
	// Condition is a return's: good (unused, to a bin) or defective (to the defective store).
	Condition string `json:"condition,omitempty"`
	Zone      string `json:"zone,omitempty"` // count: the RFID zone counted; empty counts every zone's tags
	// StartedBy is the user who starts the operation (set by the API, never
	// by the request body); a count books device scans in their name.
	StartedBy string `json:"-"`
}

// ErrBadOperation wraps why an operation cannot start.
var ErrBadOperation = errors.New("cannot start the operation")

// Operations makes the operations a depot's stations can run, over its
// ledger.
func Operations(l Ledger) func(OperationRequest) (Operation, error) {
	return func(req OperationRequest) (Operation, error) {
		switch req.Kind {
		case "identify":
			return Identify{Catalog: l}, nil
		case "putaway":
			if req.From == "" {
				return nil, fmt.Errorf("%w: putaway needs from (the location goods are put away from)", ErrBadOperation)
			}
			return NewPutaway(l, req.From)
		case "receive":
			if req.Ref == "" || req.To == "" {
				return nil, fmt.Errorf("%w: receive needs ref (the purchase order) and to (the location)", ErrBadOperation)
			}
			return NewReceive(l, req.Ref, req.To)
		case "ship":
			if req.Ref == "" || req.From == "" {
				return nil, fmt.Errorf("%w: ship needs ref (the transfer) and from (the location picked from)", ErrBadOperation)
			}
			return NewShip(l, req.Ref, req.From)
		case "receive-transfer":
			if req.Ref == "" || req.To == "" {
				return nil, fmt.Errorf("%w: receive-transfer needs ref (the transfer) and to (the location)", ErrBadOperation)
			}
			return NewReceiveTransfer(l, req.Ref, req.To)
		case "pick":
			if req.Ref == "" {
				return nil, fmt.Errorf("%w: pick needs ref (the work order)", ErrBadOperation)
			}
			return NewPick(l, req.Ref)
		case "return":
			if req.Ref == "" || req.To == "" || req.Condition == "" {
				return nil, fmt.Errorf("%w: return needs ref (the work order), condition (good or defective) and to (the location)", ErrBadOperation)
			}
			return NewReturn(l, req.Ref, req.Condition, req.To)
		case "count":
			if req.Ref == "" {
				return nil, fmt.Errorf("%w: count needs ref (the count session); to is the bin for found RFID tags", ErrBadOperation)
			}
			return NewCount(l, req)
		}
		return nil, fmt.Errorf("%w: unknown kind %q (identify, receive, putaway, pick, return, ship, receive-transfer, count)", ErrBadOperation, req.Kind)
	}
}
