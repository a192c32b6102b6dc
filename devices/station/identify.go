package station

import (
	"context"
	"fmt"

	"github.com/partsedge/partsedge/inventory"
)

// Catalog is what identifying a scan needs from the ledger.
type Catalog interface {
	ResolveCode(code string) (inventory.Part, error)
	Stock(f inventory.StockFilter, limit int) ([]inventory.Balance, error)
}

// Identify is what a station does when nothing else is running: it says
// what the scanned code is and where the depot holds it, the way a
// storekeeper checks a part before anything else. A code the depot does not
// know is a bad scan.
type Identify struct {
	Catalog Catalog
}

func (Identify) Kind() string { return "identify" }
func (Identify) Ref() string  { return "" }

// Handle looks the identity up.
func (op Identify) Handle(_ context.Context, in Input) Result {
	id := in.Identity
	switch id.Kind {
	case KindDocument:
		return Result{Good: true, Message: fmt.Sprintf("document %s %s", id.Doc, id.Code)}
	case KindShipment:
		if id.GTIN == "" {
			return Result{Good: true, Message: "shipment " + id.SSCC}
		}
	case KindAsset:
		return Result{Good: true, Message: "asset " + id.Code}
	}
	code := id.GTIN
	if code == "" {
		code = id.Code
	}
	p, err := op.Catalog.ResolveCode(code)
	if inventory.CodeOf(err) == inventory.CodeNotFound {
		return Result{Code: CodeUnknownCode, Message: fmt.Sprintf("%q is not a part of this depot", code)}
	}
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the catalogue could not be read; try again"}
	}
	f := inventory.StockFilter{SKU: p.SKU, Lot: id.Lot, Serial: id.Serial}
	stock, err := op.Catalog.Stock(f, 100)
	if err != nil {
		return Result{Code: CodeLookupFailed, Message: "the stock could not be read; try again", Part: &p}
	}
	var onHand, avail int64
	for _, b := range stock {
		onHand += b.OnHand
		avail += b.Available
	}
	msg := fmt.Sprintf("%s %s: %d on hand, %d available in %d places", p.SKU, p.Description, onHand, avail, len(stock))
	if p.SupersededBy != "" {
		msg += "; superseded by " + p.SupersededBy
	}
	return Result{Good: true, Message: msg, Part: &p, Stock: stock}
}
