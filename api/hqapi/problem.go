package hqapi

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
	"github.com/partsedge/partsedge/replication/hq"
)

// Codes the HQ API adds to the domain's; a contract like them.
const (
	CodeUnauthenticated  inventory.Code = "unauthenticated"
	CodeForbidden        inventory.Code = "forbidden"
	CodeMalformedJSON    inventory.Code = "malformed_json"
	CodeMethodNotAllowed inventory.Code = "method_not_allowed"
	CodeNotReady         inventory.Code = "not_ready"
	CodeInternal         inventory.Code = "internal"
)

const problemTypeBase = "https://partsedge.dev/problems/"

// Problem is an RFC 9457 problem detail with a stable code.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
}

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

func writeProblem(c *gin.Context, code inventory.Code, field, detail string) {
	status, title := statusOf(code)
	b, _ := json.Marshal(Problem{Type: problemTypeBase + string(code), Title: title, Status: status,
		Detail: detail, Code: string(code), Field: field})
	c.Data(status, "application/problem+json", b)
}

// refuse answers with a problem and stops the handler chain.
func refuse(c *gin.Context, code inventory.Code, field, detail string) {
	writeProblem(c, code, field, detail)
	c.Abort()
}

// fail answers err: a domain refusal with its code, anything else as an
// internal error whose cause goes to the log, not to the client.
func (s *server) fail(c *gin.Context, err error) {
	var e *inventory.Error
	if errors.As(err, &e) {
		refuse(c, e.Code, e.Field, e.Msg)
		return
	}
	if errors.Is(err, hq.ErrUnknownDepot) {
		refuse(c, hq.CodeUnknownDepot, "", err.Error())
		return
	}
	s.log.Error("request failed", "method", c.Request.Method, "path", c.Request.URL.Path, "err", err)
	refuse(c, CodeInternal, "", "the server failed; the log says why")
}
