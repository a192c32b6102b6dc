package hqapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/problem"
	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// Codes the HQ API adds to the domain's; a contract like them.
const (
	CodeUnauthenticated                 = problem.CodeUnauthenticated
	CodeForbidden                       = problem.CodeForbidden
	CodeMalformedJSON                   = problem.CodeMalformedJSON
	CodeMethodNotAllowed                = problem.CodeMethodNotAllowed
	CodeNotReady         inventory.Code = "not_ready"
	CodeInternal                        = problem.CodeInternal
)

// Problem is an RFC 9457 problem detail with a stable code; depotd's API
// answers with the same type.
type Problem = problem.Problem

// statusOf is the one place that turns a code into an HTTP status and a
// title. A domain refusal whose code this table does not know yet wrote
// nothing, so it answers 422, never 500.
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
	case inventory.CodeNotFound, hq.CodeUnknownDepot:
		return http.StatusNotFound, "Not found"
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed, "Method not allowed"
	case inventory.CodeIdempotencyReuse, inventory.CodeDocumentExists, inventory.CodeUserExists:
		return http.StatusConflict, "Conflict"
	case CodeNotReady:
		return http.StatusServiceUnavailable, "Not ready"
	case CodeInternal:
		return http.StatusInternalServerError, "Internal error"
	}
	return http.StatusUnprocessableEntity, "Refused"
}

// newProblem is code's problem as this API's table maps it, with a detail
// formatted from format (a string literal, translated) and args.
func newProblem(code inventory.Code, field, format string, args ...any) Problem {
	status, title := statusOf(code)
	return problem.Newf(code, status, title, field, format, args...)
}

// refuse answers with a problem and stops the handler chain; its detail
// is format (a string literal, translated) with args.
func refuse(c *gin.Context, code inventory.Code, field, format string, args ...any) {
	problem.Write(c, newProblem(code, field, format, args...))
	c.Abort()
}

// fail answers err: a domain refusal with its code, anything else as an
// internal error whose cause goes to the log, not to the client.
func (s *server) fail(c *gin.Context, err error) {
	var e *inventory.Error
	if errors.As(err, &e) {
		status, title := statusOf(e.Code)
		problem.Write(c, problem.FromError(e, status, title))
		c.Abort()
		return
	}
	if errors.Is(err, hq.ErrUnknownDepot) {
		// The error reads `unknown depot "id"`; the id is the value.
		refuse(c, hq.CodeUnknownDepot, "", "unknown depot %s", strings.TrimSpace(strings.TrimPrefix(err.Error(), hq.ErrUnknownDepot.Error())))
		return
	}
	s.log.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	refuse(c, CodeInternal, "", "the server failed; the log says why")
}
