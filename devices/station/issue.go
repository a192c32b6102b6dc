package station

import (
	"context"
	"fmt"

	"github.com/partsedge/partsedge/inventory"
)

// Rejection codes of picking and returns against a work order.
const (
	CodeOverPicked   = "over_picked"   // the line has all it asks for
	CodeSerialAbsent = "not_in_depot"  // the scanned serial is not in the depot's stock
	CodeNoStock      = "not_available" // none of the part is available to pick
	CodeNotIssued    = "not_issued"    // a good return of what the work order did not issue
)

// Pick issues what is scanned at a counter against a work order: each GS1
// item scan is one issue event of one unit (or the AI 30/37 count), with
// the scanned serial or lot. The ledger plans where the units come from
// (the order's reservation first) and holds every rule, so a part that is
// not on the order is the wrong part and writes nothing.
type Pick struct {
	Ledger Ledger
	Order  string // the work order's number
}

// NewPick checks the work order is open before a station starts picking.
func NewPick(l Ledger, order string) (*Pick, error) {
	wo, err := l.WorkOrder(order)
	if err != nil {
		return nil, err
	}
	if wo.Status != inventory.WOOpen {
		return nil, inventory.Errorf(inventory.CodeDocumentClosed, "ref", "work order %s is closed", order)
	}
	return &Pick{Ledger: l, Order: order}, nil
}

func (op *Pick) Kind() string { return "pick" }
func (op *Pick) Ref() string  { return op.Order }

// Handle issues one scan.
func (op *Pick) Handle(ctx context.Context, in Input) Result {
	p, line, rej := partLine(op.Ledger, in.Identity)
	if rej != nil {
		return *rej
	}
	cmd, err := op.Ledger.PlanPick(inventory.PickRequest{WorkOrder: op.Order, SKU: p.SKU, Qty: line.Qty, Lot: line.Lot, Serials: line.Serials})
	if err == nil {
		cmd.Actor, cmd.Note = in.Actor, "picked at "+in.Station
		var res inventory.Result
		if res, err = op.Ledger.Append(ctx, cmd); err == nil {
			return Result{Good: true, Message: op.progress(p.SKU, line.Qty), Part: &p, Seq: res.Event.Seq}
		}
	}
	return workOrderRefusals.result(err, "scan", &p)
}

// progress says what was issued and how far the part's lines are.
func (op *Pick) progress(sku string, qty int64) string {
	msg := fmt.Sprintf("issued %d × %s for %s", qty, sku, op.Order)
	wo, err := op.Ledger.WorkOrder(op.Order)
	if err != nil {
		return msg
	}
	var want, issued int64
	for _, l := range wo.Lines {
		for _, is := range l.Issues {
			if is.SKU == sku {
				want += l.Qty
				issued += l.Issued
				break
			}
		}
	}
	return msg + fmt.Sprintf(" (%d of %d)", issued, want)
}

// Return books what is scanned back against a work order: unused parts
// (condition good) to a stock bin, old or failed parts (defective) to the
// defective store. A defective part that does not match what the order
// issued is still booked (it is physically here) and the mismatch is
// recorded for the supplier claim; the operator is told so.
type Return struct {
	Ledger    Ledger
	Order     string
	Condition string // good | defective
	To        string
}

// NewReturn checks the work order and the location exist and the condition
// is one the ledger knows.
func NewReturn(l Ledger, order, condition, to string) (*Return, error) {
	if condition != inventory.ConditionGood && condition != inventory.ConditionDefective {
		return nil, fmt.Errorf("%w: condition must be good or defective", ErrBadOperation)
	}
	if _, err := l.WorkOrder(order); err != nil {
		return nil, err
	}
	if _, err := l.Location(to); err != nil {
		return nil, err
	}
	return &Return{Ledger: l, Order: order, Condition: condition, To: to}, nil
}

func (op *Return) Kind() string { return "return" }
func (op *Return) Ref() string  { return op.Order }

// Handle books one returned item.
func (op *Return) Handle(ctx context.Context, in Input) Result {
	p, line, rej := partLine(op.Ledger, in.Identity)
	if rej != nil {
		return *rej
	}
	line.To, line.Condition = op.To, op.Condition
	res, err := op.Ledger.Append(ctx, inventory.Command{Type: inventory.EvReturn, Actor: in.Actor, Ref: op.Order,
		Note: "returned at " + in.Station, Lines: []inventory.Line{line}})
	if err != nil {
		return workOrderRefusals.result(err, "scan", &p)
	}
	msg := fmt.Sprintf("returned %d × %s (%s) from %s into %s", line.Qty, p.SKU, op.Condition, op.Order, op.To)
	if mm := res.Event.Lines[0].Mismatch; mm != "" {
		msg += "; not what " + op.Order + " issued (" + mm + "): recorded for the supplier claim"
	}
	return Result{Good: true, Message: msg, Part: &p, Seq: res.Event.Seq}
}
