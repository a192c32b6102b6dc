// Package problem is the RFC 9457 problem detail both of Partsedge's HTTP
// APIs answer errors with (depotd's, package api, and hqd's, package
// hqapi), and the codes they share. Which status and title a code gets is
// each API's own table, kept in that API's package: the mapping stays in
// one place per API.
package problem

import (
	"encoding/json"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/api/internal/i18n"
	"github.com/partsedge/partsedge/inventory"
)

// Codes both APIs add to the domain's. Like the domain's they are a
// contract: clients match on them, so none is ever renamed.
const (
	CodeUnauthenticated  inventory.Code = "unauthenticated"
	CodeForbidden        inventory.Code = "forbidden"
	CodeMalformedJSON    inventory.Code = "malformed_json"
	CodeMethodNotAllowed inventory.Code = "method_not_allowed"
	CodeInternal         inventory.Code = "internal"
)

// TypeBase prefixes every problem's type URI; the code completes it.
const TypeBase = "https://partsedge.dev/problems/"

// ContentType is the media type every problem is answered with.
const ContentType = "application/problem+json"

// Problem is an RFC 9457 problem detail with a stable code and the
// offending input's name.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	Code   string `json:"code"`
	Field  string `json:"field,omitempty"`
}

// New builds code's problem with the status and title the API's own table
// gives it.
func New(code inventory.Code, status int, title, field, detail string) Problem {
	return Problem{
		Type: TypeBase + string(code), Title: title, Status: status,
		Detail: detail, Code: string(code), Field: field,
	}
}

// Encode is p as the body of its answer.
func (p Problem) Encode() []byte {
	b, err := json.Marshal(p)
	if err != nil {
		// A Problem holds strings and an int; it always encodes.
		panic(err)
	}
	return b
}

// Write answers with p. It does not stop the handler chain: the caller
// decides whether the request ends here.
func Write(c *gin.Context, p Problem) {
	p = Localize(c, p)
	c.Data(p.Status, ContentType, p.Encode())
}

// Localize puts p's title in the request's language (its Accept-Language;
// English by default) and says which in Content-Language. The code, the
// type and the field stay as they are: programs match on those.
func Localize(c *gin.Context, p Problem) Problem {
	var accept string
	if c.Request != nil {
		accept = c.Request.Header.Get("Accept-Language")
	}
	l := i18n.Negotiate(accept)
	p.Title = i18n.Default().T(l, p.Title)
	c.Header("Content-Language", string(l))
	return p
}
