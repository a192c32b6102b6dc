package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
)

// Codes the API adds to the domain's. Like the domain's they are a contract:
// clients match on them, so none is ever renamed.
const (
	CodeUnauthenticated                 = problem.CodeUnauthenticated
	CodeForbidden                       = problem.CodeForbidden
	CodeMalformedJSON                   = problem.CodeMalformedJSON
	CodeUnsupportedMedia inventory.Code = "unsupported_media_type"
	CodeBodyTooLarge     inventory.Code = "body_too_large"
	CodeMethodNotAllowed                = problem.CodeMethodNotAllowed
	CodeUserExists                      = inventory.CodeUserExists
	CodeInternal                        = problem.CodeInternal
)

// problemTypeBase prefixes every problem's type URI; the code completes it.
const problemTypeBase = problem.TypeBase

// Problem is an RFC 9457 problem detail with the depot's stable code and the
// offending input's name; hqd's API answers with the same type.
type Problem = problem.Problem

// statusOf is the one place that turns a code into an HTTP status and a
// title. Every domain code is listed (a test parses inventory/errors.go to
// hold us to it); a code the domain grows before this table learns it is
// still a refusal that wrote nothing, so it answers 422 rather than 500.
func statusOf(code inventory.Code) (int, string) {
	switch code {
	case inventory.CodeInvalid:
		return http.StatusBadRequest, "Invalid request"
	case CodeMalformedJSON:
		return http.StatusBadRequest, "Malformed JSON"
	case CodeUnauthenticated:
		return http.StatusUnauthorized, "Authentication required"
	case CodeForbidden:
		return http.StatusForbidden, "Forbidden"
	case inventory.CodeNotFound:
		return http.StatusNotFound, "Not found"
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed, "Method not allowed"
	case CodeUnsupportedMedia:
		return http.StatusUnsupportedMediaType, "Unsupported media type"
	case inventory.CodeTooLarge:
		return http.StatusRequestEntityTooLarge, "Request too large"
	case CodeBodyTooLarge:
		return http.StatusRequestEntityTooLarge, "Body too large"
	case inventory.CodeUnknownPart:
		return http.StatusUnprocessableEntity, "Unknown part"
	case inventory.CodeUnknownLocation:
		return http.StatusUnprocessableEntity, "Unknown location"
	case inventory.CodeUnknownLot:
		return http.StatusUnprocessableEntity, "Unknown lot"
	case inventory.CodeTracking:
		return http.StatusUnprocessableEntity, "Tracking mismatch"
	case inventory.CodeLocationKind:
		return http.StatusUnprocessableEntity, "Wrong location kind"
	case inventory.CodeLotExpiry:
		return http.StatusUnprocessableEntity, "Lot expiry mismatch"
	case inventory.CodeIdempotencyReuse:
		return http.StatusUnprocessableEntity, "Idempotency key reused"
	case inventory.CodeNotOnOrder:
		return http.StatusUnprocessableEntity, "Not on the order"
	case inventory.CodeWrongLot:
		return http.StatusUnprocessableEntity, "Wrong lot"
	case inventory.CodeLotExpired:
		return http.StatusUnprocessableEntity, "Lot expired"
	case inventory.CodeOverTolerance:
		return http.StatusUnprocessableEntity, "Over the order's tolerance"
	case inventory.CodePalletUnknown:
		return http.StatusUnprocessableEntity, "Pallet not announced"
	case inventory.CodePalletMismatch:
		return http.StatusUnprocessableEntity, "Not the pallet's content"
	case inventory.CodePalletReceived:
		return http.StatusConflict, "Pallet already received"
	case inventory.CodeNotOnTransfer:
		return http.StatusUnprocessableEntity, "Not on the transfer"
	case inventory.CodeOverShipped:
		return http.StatusUnprocessableEntity, "Over the transfer's quantity"
	case inventory.CodeTransferState:
		return http.StatusConflict, "Transfer state"
	case inventory.CodeSelfApproval:
		return http.StatusForbidden, "Self approval"
	case inventory.CodeNotOnWorkOrder:
		return http.StatusUnprocessableEntity, "Not on the work order"
	case inventory.CodeOverPick:
		return http.StatusUnprocessableEntity, "More than the work order line asks for"
	case inventory.CodeNotIssued:
		return http.StatusUnprocessableEntity, "Not issued on the work order"
	case inventory.CodeNotInScope:
		return http.StatusUnprocessableEntity, "Not in the count's scope"
	case inventory.CodeAlreadyCounted:
		return http.StatusConflict, "Already counted"
	case inventory.CodeNotCounter:
		return http.StatusForbidden, "Not a counter of the session"
	case inventory.CodeApproverCounted:
		return http.StatusForbidden, "Approver counted"
	case inventory.CodeNotCounted:
		return http.StatusConflict, "Not counted"
	case inventory.CodeDocumentExists:
		return http.StatusConflict, "Document exists"
	case inventory.CodeDocumentClosed:
		return http.StatusConflict, "Document closed"
	case inventory.CodeSignalOpen:
		return http.StatusConflict, "Reorder signal open"
	case inventory.CodeSignalStale:
		return http.StatusConflict, "Reorder signal stale"
	case inventory.CodeInsufficientStock:
		return http.StatusConflict, "Insufficient stock"
	case inventory.CodeInsufficientReserve:
		return http.StatusConflict, "Insufficient reserved stock"
	case inventory.CodeSerialConflict:
		return http.StatusConflict, "Serial conflict"
	case inventory.CodeSerialNotHere:
		return http.StatusConflict, "Serial not at location"
	case inventory.CodeAliasTaken:
		return http.StatusConflict, "Alias taken"
	case inventory.CodeHasStock:
		return http.StatusConflict, "Has stock"
	case CodeUserExists:
		return http.StatusConflict, "User exists"
	case CodeDeviceUnavailable:
		return http.StatusConflict, "Device unavailable"
	case CodeNotSupported:
		return http.StatusUnprocessableEntity, "Not supported by the device"
	case inventory.CodeClosed:
		return http.StatusServiceUnavailable, "Service unavailable"
	case CodeInternal:
		return http.StatusInternalServerError, "Internal error"
	}
	return http.StatusUnprocessableEntity, "Request refused"
}

// newProblem is code's problem with a detail formatted from format, a
// string literal the answer's language translates, and args.
func newProblem(code inventory.Code, field, format string, args ...any) Problem {
	status, title := statusOf(code)
	return problem.Newf(code, status, title, field, format, args...)
}

const internalDetail = "the depot failed to handle the request; its log has the details"

// problemFor turns any error a handler meets into the answer. Domain refusals
// keep their code and message; anything else is an internal failure whose
// text stays in the log, because it may name files, keys or library state.
func (s *server) problemFor(ctx context.Context, err error, method, path string) Problem {
	if code := inventory.CodeOf(err); code != "" {
		var e *inventory.Error
		errors.As(err, &e)
		status, title := statusOf(code)
		return problem.FromError(e, status, title)
	}
	if s.ready != nil && !s.ready() {
		return newProblem(inventory.CodeClosed, "", "the depot's store is not open")
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		// The client went away or gave up; whatever we answer goes nowhere,
		// but it is not the depot's fault and must not page anyone.
		s.log.LogAttrs(ctx, slog.LevelInfo, "request abandoned", slog.String("method", method),
			slog.String("path", path), slog.String("err", err.Error()))
		return newProblem(inventory.CodeClosed, "", "the request was cancelled before it completed")
	}
	s.log.LogAttrs(ctx, slog.LevelError, "request failed", slog.String("method", method),
		slog.String("path", path), slog.String("err", err.Error()))
	return newProblem(CodeInternal, "", internalDetail)
}

// writeProblem answers with p; the panic guard in api.go uses it too.
func writeProblem(c *gin.Context, p Problem) { problem.Write(c, p) }

// fail answers with the problem for err and stops the handler chain.
func (s *server) fail(c *gin.Context, err error) {
	writeProblem(c, s.problemFor(c.Request.Context(), err, c.Request.Method, c.Request.URL.Path))
	c.Abort()
}

// refuse answers with an API-level problem and stops the handler chain;
// its detail is format (a string literal, translated) with args.
func refuse(c *gin.Context, code inventory.Code, field, format string, args ...any) {
	writeProblem(c, newProblem(code, field, format, args...))
	c.Abort()
}
