package station

import (
	"errors"
	"fmt"

	"github.com/partsedge/partsedge/inventory"
)

// The scan-operation plumbing the operations share: resolving an item scan
// to the line it moves, and turning the ledger's refusal of it into the
// station's words.

// itemLine resolves an item scan to its part and the line it moves: the
// GTIN names the part, AI 30/37 the count (one when absent), and the part's
// tracking says whether the scan must carry a lot or a serial. A non-nil
// Result is the rejection to answer with.
func itemLine(c Catalog, id Identity) (inventory.Part, inventory.Line, *Result) {
	p, err := c.ResolveCode(id.GTIN)
	if inventory.CodeOf(err) == inventory.CodeNotFound {
		return p, inventory.Line{}, &Result{Code: CodeUnknownCode, Message: "GTIN " + id.GTIN + " is not a part of this depot"}
	}
	if err != nil {
		return p, inventory.Line{}, &Result{Code: CodeLookupFailed, Message: "the catalogue could not be read; try again"}
	}
	line := inventory.Line{SKU: p.SKU, Qty: max(id.Qty, 1)}
	switch p.Tracking {
	case inventory.TrackSerial:
		if id.Serial == "" {
			return p, line, &Result{Code: CodeNeedsSerial, Message: p.SKU + " is tracked by serial: scan the code with the serial number", Part: &p}
		}
		line.Serials = []string{id.Serial}
	case inventory.TrackLot:
		if id.Lot == "" {
			return p, line, &Result{Code: CodeNeedsLot, Message: p.SKU + " is tracked by lot: scan the code with the lot", Part: &p}
		}
		line.Lot = id.Lot
	}
	return p, line, nil
}

// unitLine is itemLine for an operation that books the units scanned: one
// serial number is one unit, so a serial with a count is rejected.
func unitLine(c Catalog, id Identity) (inventory.Part, inventory.Line, *Result) {
	p, line, rej := itemLine(c, id)
	if rej == nil && p.Tracking == inventory.TrackSerial && line.Qty != 1 {
		rej = &Result{Code: CodeNeedsSerial, Message: "one serial number is one unit, not " + fmt.Sprint(line.Qty), Part: &p}
	}
	return p, line, rej
}

// partLine is unitLine for an operation that takes item scans only: a scan
// that is not a part's GTIN is rejected first.
func partLine(c Catalog, id Identity) (inventory.Part, inventory.Line, *Result) {
	if id.Kind != KindItem || id.GTIN == "" {
		return inventory.Part{}, inventory.Line{}, &Result{Code: CodeNotAnItem, Message: "scan the part's barcode (GTIN), not " + string(id.Kind)}
	}
	return unitLine(c, id)
}

// refusals maps the ledger's refusal codes to an operation's station codes;
// a code it does not name is CodeRefused.
type refusals map[inventory.Code]string

// The refusals of each kind of document an operation writes against.
var (
	receiveRefusals = refusals{
		inventory.CodeNotOnOrder:     CodeWrongPart,
		inventory.CodeWrongLot:       CodeWrongLot,
		inventory.CodeLotExpired:     CodeExpiredLot,
		inventory.CodeOverTolerance:  CodeOverDelivered,
		inventory.CodeSerialConflict: CodeAlreadyReceived,
		inventory.CodeDocumentClosed: CodeOrderClosed,
		inventory.CodePalletUnknown:  CodeUnknownPallet,
		inventory.CodePalletReceived: CodePalletReceived,
	}
	workOrderRefusals = refusals{
		inventory.CodeNotOnWorkOrder:      CodeWrongPart,
		inventory.CodeOverPick:            CodeOverPicked,
		inventory.CodeDocumentClosed:      CodeOrderClosed,
		inventory.CodeSerialNotHere:       CodeSerialAbsent,
		inventory.CodeInsufficientStock:   CodeNoStock,
		inventory.CodeInsufficientReserve: CodeNoStock,
		inventory.CodeNotIssued:           CodeNotIssued,
		inventory.CodeSerialConflict:      CodeAlreadyReceived,
	}
	transferRefusals = refusals{
		inventory.CodeNotOnTransfer:     CodeWrongPart,
		inventory.CodeOverShipped:       CodeOverShipped,
		inventory.CodeTransferState:     CodeTransferState,
		inventory.CodeInsufficientStock: CodeNotHere,
		inventory.CodeSerialNotHere:     CodeNotHere,
		inventory.CodeUnknownLot:        CodeNotHere,
	}
	countRefusals = refusals{
		inventory.CodeAlreadyCounted: CodeAlreadyCounted,
		inventory.CodeNotInScope:     CodeNotInScope,
		inventory.CodeNotCounter:     CodeNotACounter,
		inventory.CodeDocumentClosed: CodeCountClosed,
	}
)

// words turns the ledger's refusal into the station's words; what names
// what the ledger did not take when it did not answer at all.
func (rs refusals) words(err error, what string) (code, msg string) {
	var ie *inventory.Error
	if !errors.As(err, &ie) {
		return "ledger_unavailable", "the ledger did not take the " + what + "; scan again"
	}
	if code, ok := rs[ie.Code]; ok {
		return code, ie.Msg
	}
	return CodeRefused, ie.Msg
}

// result is the rejection of a scan the ledger refused, about part p (nil
// when the scan was not one part).
func (rs refusals) result(err error, what string, p *inventory.Part) Result {
	code, msg := rs.words(err, what)
	return Result{Code: code, Message: msg, Part: p}
}
