package station

import (
	"context"
	"fmt"
	"sync"

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

	mu      sync.Mutex // Handle runs on the station's goroutine; Ref may be read anywhere
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
	op.mu.Lock()
	defer op.mu.Unlock()
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
		return Result{Code: "lookup_failed", Message: "the locations could not be read; try again"}
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
		code, msg := receiveRefusal(err)
		return Result{Code: code, Message: msg}
	}
	op.pending = nil
	return Result{Good: true, Message: fmt.Sprintf("put %d × %s into %s", line.Qty, line.SKU, loc.Code), Seq: res.Event.Seq}
}

func (op *Putaway) item(id Identity) Result {
	p, err := op.Ledger.ResolveCode(id.GTIN)
	if inventory.CodeOf(err) == inventory.CodeNotFound {
		return Result{Code: CodeUnknownCode, Message: "GTIN " + id.GTIN + " is not a part of this depot"}
	}
	if err != nil {
		return Result{Code: "lookup_failed", Message: "the catalogue could not be read; try again"}
	}
	qty := id.Qty
	if qty <= 0 {
		qty = 1
	}
	line := inventory.Line{SKU: p.SKU, Qty: qty, From: op.From}
	f := inventory.StockFilter{SKU: p.SKU, Location: op.From}
	switch p.Tracking {
	case inventory.TrackSerial:
		if id.Serial == "" {
			return Result{Code: CodeNeedsSerial, Message: p.SKU + " is tracked by serial: scan the code with the serial number", Part: &p}
		}
		line.Serials, f.Serial, line.Qty = []string{id.Serial}, id.Serial, 1
	case inventory.TrackLot:
		if id.Lot == "" {
			return Result{Code: CodeNeedsLot, Message: p.SKU + " is tracked by lot: scan the code with the lot", Part: &p}
		}
		line.Lot, f.Lot = id.Lot, id.Lot
	}
	stock, err := op.Ledger.Stock(f, 100)
	if err != nil {
		return Result{Code: "lookup_failed", Message: "the stock could not be read; try again", Part: &p}
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
