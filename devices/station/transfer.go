package station

import (
	"context"
	"fmt"

	"github.com/partsedge/partsedge/inventory"
)

// Rejection codes of shipping and receiving transfers. A part that is not
// on the transfer is CodeWrongPart, as in receiving.
const (
	CodeOverShipped   = "over_shipped"    // more than the transfer asks for
	CodeNotInShipment = "not_in_shipment" // receiving: not, or no more, in the shipment
	CodeWrongShipment = "wrong_shipment"  // the SSCC of another shipment
	CodeNothingLeft   = "nothing_left"    // the whole shipment has been received
	CodeTransferState = "transfer_state"  // the transfer is not open for this
)

// Ship picks stock for an approved transfer: each item scan moves the
// units from the location picked from into the transfer's transit
// location (a transfer-shipped event), held by the ledger to the transfer's
// lines with no tolerance.
type Ship struct {
	Ledger   Ledger
	Transfer string
	From     string
	transit  string
}

// NewShip checks the transfer is an approved outbound one and the location
// exists before a station starts picking for it.
func NewShip(l Ledger, number, from string) (*Ship, error) {
	t, err := l.Transfer(number)
	if err != nil {
		return nil, err
	}
	if t.Direction != inventory.TransferOutbound || t.Status != inventory.TransferApproved {
		return nil, inventory.Errorf(inventory.CodeTransferState, "ref",
			"transfer %s is %s %s: only an approved outbound transfer is picked", number, t.Status, t.Direction)
	}
	if _, err := l.Location(from); err != nil {
		return nil, err
	}
	return &Ship{Ledger: l, Transfer: number, From: from, transit: t.Transit}, nil
}

func (op *Ship) Kind() string { return "ship" }
func (op *Ship) Ref() string  { return op.Transfer }

// Handle picks one item scan.
func (op *Ship) Handle(ctx context.Context, in Input) Result {
	p, line, rej := partLine(op.Ledger, in.Identity)
	if rej != nil {
		return *rej
	}
	line.From, line.To = op.From, op.transit
	res, err := op.Ledger.Append(ctx, inventory.Command{Type: inventory.EvTransferShipped, Actor: in.Actor, Ref: op.Transfer,
		Lines: []inventory.Line{line}, Note: "picked at " + in.Station})
	if err != nil {
		return transferRefusals.result(err, "scan", &p)
	}
	msg := fmt.Sprintf("shipped %d × %s into %s", line.Qty, p.SKU, op.transit)
	if t, err := op.Ledger.Transfer(op.Transfer); err == nil {
		for _, l := range t.Lines {
			if l.SKU == p.SKU {
				msg += fmt.Sprintf(" (%d of %d on %s)", l.Shipped, l.Requested, op.Transfer)
			}
		}
	}
	return Result{Good: true, Message: msg, Part: &p, Seq: res.Event.Seq}
}

// ReceiveTransfer receives an inbound transfer's shipment from its transit
// location into a location: the shipment's SSCC receives everything still
// in transit in one event, an item scan receives that item.
type ReceiveTransfer struct {
	Ledger   Ledger
	Transfer string
	To       string
	transit  string
	sscc     string
}

// NewReceiveTransfer checks the transfer is an announced inbound one, open
// for receipt, and the location exists.
func NewReceiveTransfer(l Ledger, number, to string) (*ReceiveTransfer, error) {
	t, err := l.Transfer(number)
	if err != nil {
		return nil, err
	}
	if t.Direction != inventory.TransferInbound || t.Status != inventory.TransferShipped {
		return nil, inventory.Errorf(inventory.CodeTransferState, "ref",
			"transfer %s is %s %s: only an inbound transfer on its way is received", number, t.Status, t.Direction)
	}
	if _, err := l.Location(to); err != nil {
		return nil, err
	}
	return &ReceiveTransfer{Ledger: l, Transfer: number, To: to, transit: t.Transit, sscc: t.SSCC}, nil
}

func (op *ReceiveTransfer) Kind() string { return "receive-transfer" }
func (op *ReceiveTransfer) Ref() string  { return op.Transfer }

// Handle receives the shipment (an SSCC) or one item.
func (op *ReceiveTransfer) Handle(ctx context.Context, in Input) Result {
	id := in.Identity
	var lines []inventory.Line
	var part *inventory.Part
	switch {
	case id.Kind == KindShipment:
		if id.SSCC != op.sscc {
			return Result{Code: CodeWrongShipment, Message: fmt.Sprintf("SSCC %s is not the shipment of transfer %s (%s)", id.SSCC, op.Transfer, op.sscc)}
		}
		rest, err := op.Ledger.Stock(inventory.StockFilter{Location: op.transit}, inventory.MaxSerials)
		if err != nil {
			return Result{Code: CodeLookupFailed, Message: "the stock in transit could not be read; try again"}
		}
		lines = remaining(rest, op.transit, op.To)
		if len(lines) == 0 {
			return Result{Code: CodeNothingLeft, Message: "everything shipped on " + op.Transfer + " has been received"}
		}
	case id.Kind == KindItem && id.GTIN != "":
		p, line, rej := unitLine(op.Ledger, id)
		if rej != nil {
			return *rej
		}
		line.From, line.To = op.transit, op.To
		lines, part = []inventory.Line{line}, &p
	default:
		return Result{Code: CodeNotAnItem, Message: "scan the shipment's SSCC label or a part's barcode, not " + string(id.Kind)}
	}
	res, err := op.Ledger.Append(ctx, inventory.Command{Type: inventory.EvTransferReceived, Actor: in.Actor, Ref: op.Transfer,
		Lines: lines, Note: "received at " + in.Station})
	if err != nil {
		res := transferRefusals.result(err, "scan", part)
		if res.Code == CodeNotHere {
			// What is not in the transit location was not shipped, or is
			// already received.
			res.Code = CodeNotInShipment
		}
		return res
	}
	var n int64
	for _, l := range lines {
		n += l.Qty
	}
	return Result{Good: true, Message: fmt.Sprintf("received %d unit(s) of %s into %s", n, op.Transfer, op.To), Part: part, Seq: res.Event.Seq}
}

// remaining turns the transit balances into the lines that receive them
// all, one line per part and lot, serials together.
func remaining(bal []inventory.Balance, from, to string) []inventory.Line {
	var out []inventory.Line
	idx := map[[2]string]int{}
	for _, b := range bal {
		if b.Available <= 0 {
			continue
		}
		k := [2]string{b.SKU, b.Lot}
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, inventory.Line{SKU: b.SKU, Lot: b.Lot, From: from, To: to})
		}
		out[i].Qty += b.Available
		if b.Serial != "" {
			out[i].Serials = append(out[i].Serials, b.Serial)
		}
	}
	return out
}
