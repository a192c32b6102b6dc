package inventory

import (
	"errors"
	"fmt"
)

// Code is a stable, machine-readable reason for a refused request. The API maps
// each code to an HTTP status in one place (api/problem.go); clients and scripts
// match on the code, never on the message.
type Code string

// The domain's error codes. Never rename one: clients depend on them.
const (
	CodeInvalid             Code = "invalid_request"
	CodeNotFound            Code = "not_found"
	CodeUnknownPart         Code = "unknown_part"
	CodeUnknownLocation     Code = "unknown_location"
	CodeUnknownLot          Code = "unknown_lot"
	CodeInsufficientStock   Code = "insufficient_stock"
	CodeInsufficientReserve Code = "insufficient_reserved"
	CodeSerialConflict      Code = "serial_conflict"
	CodeSerialNotHere       Code = "serial_not_at_location"
	CodeTracking            Code = "tracking_mismatch"
	CodeLocationKind        Code = "wrong_location_kind"
	CodeLotExpiry           Code = "lot_expiry_mismatch"
	CodeAliasTaken          Code = "alias_taken"
	CodeHasStock            Code = "has_stock"
	CodeIdempotencyReuse    Code = "idempotency_key_reused"
	CodeUserExists          Code = "user_exists"
	CodeTooLarge            Code = "too_large"
	CodeClosed              Code = "store_closed"
	// Purchase orders and receiving against them (purchase.go).
	CodeDocumentExists Code = "document_exists" // a purchase order with that number exists
	CodeDocumentClosed Code = "document_closed" // the purchase order is closed
	CodeNotOnOrder     Code = "not_on_order"    // the part is not on the purchase order: wrong part
	CodeWrongLot       Code = "wrong_lot"       // the order expects another lot of the part
	CodeLotExpired     Code = "lot_expired"     // the lot expired before the day it is received
	CodeOverTolerance  Code = "over_tolerance"  // more than ordered plus the order's tolerance
	// Pallets announced by shipping notices (asn.go).
	CodePalletUnknown  Code = "unknown_pallet"  // no notice announced this SSCC for the order
	CodePalletReceived Code = "pallet_received" // the pallet has come in already
	CodePalletMismatch Code = "pallet_mismatch" // a pallet receipt must take exactly its content
	// Transfers between depots (transfer.go).
	CodeNotOnTransfer Code = "not_on_transfer" // the part is not on the transfer: wrong part
	CodeOverShipped   Code = "over_shipped"    // more than the transfer asks for
	CodeTransferState Code = "transfer_state"  // the transfer is not in a state that allows this
	CodeSelfApproval  Code = "self_approval"   // the requester may not approve its own transfer
	// Work orders, issuing and returns (workorder.go).
	CodeNotOnWorkOrder Code = "not_on_work_order" // the part is on no line of the work order: wrong part
	CodeOverPick       Code = "over_pick"         // more issued on a line than it asks for
	CodeNotIssued      Code = "not_issued"        // a good return of what the work order did not issue
	// Reorder signals (reorder.go).
	CodeSignalOpen  Code = "reorder_signal_open"  // the part's signal is open: no second one until it re-arms
	CodeSignalStale Code = "reorder_signal_stale" // the signal or re-arming names an arming or signal that is not current
	// Count sessions (count.go).
	CodeNotInScope      Code = "not_in_scope"     // the bin or part is outside the session's scope
	CodeAlreadyCounted  Code = "already_counted"  // the serial was already counted in the session
	CodeNotCounter      Code = "not_a_counter"    // the user is not one of the session's counters
	CodeApproverCounted Code = "approver_counted" // the approver counted in the session
	CodeNotCounted      Code = "not_counted"      // the bin (or the session) has no count
)

// Error is a refused request: nothing was written. Field names the offending
// input (for example "lines[2].qty") so a UI can point at it. Msg is the
// English message, for logs and Error(); when it was formatted, Format and
// Args are what it was formatted from, so the API can say it in the
// client's language: Format, the English text, is the message id the
// translation catalogue is keyed by, and Args are the values (SKUs,
// quantities) that stay as they are in every language.
type Error struct {
	Code   Code
	Field  string
	Msg    string
	Format string
	Args   []any
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", e.Code, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Msg)
}

// Is makes errors.Is(err, &Error{Code: c}) match on the code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Field == "" && t.Msg == ""
}

// Errorf is a refusal with code for field whose message is format with
// args. Keep format a string literal: it is the id a translator
// translates, and a test finds each one in the catalogue by reading the
// source.
func Errorf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Msg: fmt.Sprintf(format, args...), Format: format, Args: args}
}

func errf(code Code, field, format string, args ...any) *Error {
	return Errorf(code, field, format, args...)
}

// At is e about another field (a nested input's, "shipment.lines[0]"), the
// message and its translation unchanged.
func (e *Error) At(field string) *Error {
	c := *e
	c.Field = field
	return &c
}

// CodeOf returns the domain code carried by err, or "" when err is not a
// domain refusal (an I/O failure, a closed store's context, ...).
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// ErrClosed is returned by writes after Close.
var ErrClosed = &Error{Code: CodeClosed, Msg: "the store is closed"}
