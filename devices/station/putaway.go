package station

import (
	"context"
	"fmt"

	"github.com/partsedge/partsedge/inventory"
)

// Rejection codes of putaway.
const (
	CodeNotHere       = "not_here"        // the scanned item is not in the location being put away from
	CodeScanItemFirst = "scan_item_first" // a bin was scanned with no item waiting for it
	CodeNotABin       = "not_a_bin"       // the location scanned is not a stock bin
)

// Putaway moves received goods from quarantine (or any location) into
// stock bins, two scans at a time: the item, then the bin it goes into.
// After the item scan the operator is told the suggested bin, where the
// part already lives, so stock of one part stays together; any stock bin
// is accepted, because the storekeeper sees the shelf and the system does
// not.
type Putaway struct {
	Ledger Ledger
	From   string

	// pending is the item scanned and waiting for its bin. Only Handle
	// touches it, and a station calls Handle from its one goroutine.
	pending *inventory.Line
}

// NewPutaway checks the location goods are put away from.
func NewPutaway(l Ledger, from string) (*Putaway, error) {
	if _, err := l.Location(from); err != nil {
		return nil, err
	}
	return &Putaway{Ledger: l, From: from}, nil
}

func (op *Putaway) Kind() string { return "putaway" }
func (op *Putaway) Ref() string  { return op.From }

// Handle takes an item scan or a bin scan.
func (op *Putaway) Handle(ctx context.Context, in Input) Result {
	id := in.Identity
	if id.Kind == KindItem {
		return op.item(id)
	}
	if id.Kind != KindCode {
		return Result{Code: CodeNotAnItem, Message: "scan the part's barcode, then the bin's label"}
	}
	loc, err := op.Ledger.Location(id.Code)
	if inventory.CodeOf(err) == inventory.CodeNotFound {
		return Result{Code: CodeUnknownCode, Message: fmt.Sprintf("%q is not a location of this depot", id.Code)}
	}
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the locations could not be read; try again"}
	}
	if loc.Kind != inventory.KindStock {
		return Result{Code: CodeNotABin, Message: fmt.Sprintf("%s is a %s location, not a stock bin", loc.Code, loc.Kind)}
	}
	if op.pending == nil {
		return Result{Code: CodeScanItemFirst, Message: "scan the part first, then the bin"}
	}
	line := *op.pending
	line.To = loc.Code
	res, err := op.Ledger.Append(ctx, inventory.Command{Type: inventory.EvMove, Actor: in.Actor, Lines: []inventory.Line{line},
		Note: "put away at " + in.Station})
	if err != nil {
		return receiveRefusals.result(err, "receipt", nil)
	}
	op.pending = nil
	return Result{Good: true, Message: fmt.Sprintf("put %d × %s into %s", line.Qty, line.SKU, loc.Code), Seq: res.Event.Seq}
}

func (op *Putaway) item(id Identity) Result {
	p, line, rej := itemLine(op.Ledger, id)
	if rej != nil {
		return *rej
	}
	if p.Tracking == inventory.TrackSerial {
		line.Qty = 1
	}
	line.From = op.From
	f := inventory.StockFilter{SKU: p.SKU, Location: op.From, Lot: line.Lot}
	if len(line.Serials) == 1 {
		f.Serial = line.Serials[0]
	}
	stock, err := op.Ledger.Stock(f, 100)
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the stock could not be read; try again", Part: &p}
	}
	var avail int64
	for _, b := range stock {
		avail += b.Available
	}
	if avail < line.Qty {
		return Result{Code: CodeNotHere, Message: fmt.Sprintf("%d × %s is not available in %s (%d there)", line.Qty, p.SKU, op.From, avail), Part: &p}
	}
	op.pending = &line
	msg := fmt.Sprintf("%d × %s: scan the bin", line.Qty, p.SKU)
	if bin, ok, err := op.Ledger.SuggestBin(p.SKU); err == nil && ok {
		msg = fmt.Sprintf("%d × %s: put it in %s, where it lives; scan the bin", line.Qty, p.SKU, bin)
	}
	return Result{Good: true, Message: msg, Part: &p}
}
