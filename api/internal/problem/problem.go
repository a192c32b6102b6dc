// Package problem is the RFC 9457 problem detail both of Partsedge's HTTP
// APIs answer errors with (depotd's, package api, and hqd's, package
// hqapi), and the codes they share. Which status and title a code gets is
// each API's own table, kept in that API's package: the mapping stays in
// one place per API.
package problem

import (
	"encoding/json"
	"fmt"

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

	// format and args are Detail before formatting, when Detail came from
	// a format: Localize translates the format, the message id, and
	// formats the same values into it. Without a format, Detail itself is
	// the id.
	format string
	args   []any
}

// New builds code's problem with the status and title the API's own table
// gives it.
func New(code inventory.Code, status int, title, field, detail string) Problem {
	return Problem{
		Type: TypeBase + string(code), Title: title, Status: status,
		Detail: detail, Code: string(code), Field: field,
	}
}

// Newf is New with a detail formatted from an English format and its
// values; the answer's language translates the format and keeps the values.
func Newf(code inventory.Code, status int, title, field, format string, args ...any) Problem {
	p := New(code, status, title, field, fmt.Sprintf(format, args...))
	p.format, p.args = format, args
	return p
}

// FromError is the problem for the domain refusal e, with the status and
// title the API's own table gives its code; its detail is e's message,
// translated like Newf's when e was built from a format.
func FromError(e *inventory.Error, status int, title string) Problem {
	p := New(e.Code, status, title, e.Field, e.Msg)
	p.format, p.args = e.Format, e.Args
	return p
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

// Localize puts p's title and detail in the request's language (see
// LangOf) and says which in Content-Language. The code, the type and the
// field stay as they are: programs match on those; so do the values in
// the detail (SKUs, numbers), which are the client's own.
func Localize(c *gin.Context, p Problem) Problem {
	l := LangOf(c)
	cat := i18n.Default()
	p.Title = cat.T(l, p.Title)
	if l != i18n.English {
		if p.format != "" {
			p.Detail = cat.Sprintf(l, p.format, p.args...)
		} else if p.Detail != "" {
			p.Detail = cat.T(l, p.Detail)
		}
	}
	c.Header("Content-Language", string(l))
	return p
}

// langKey holds, in a request's gin context, the language its caller
// chose for themselves.
const langKey = "partsedge.lang"

// Prefer records the authenticated caller's own language for the rest of
// the request; "" (no preference) leaves the Accept-Language to decide.
func Prefer(c *gin.Context, l i18n.Lang) { c.Set(langKey, l) }

// LangOf is the language c is answered in: the caller's own preference
// when they have one (Prefer), else the Accept-Language's, else English.
// A user's choice beats the browser's because a shared warehouse PC's
// browser speaks for whoever set it up, not for who is signed in.
func LangOf(c *gin.Context) i18n.Lang {
	if v, ok := c.Get(langKey); ok {
		if l, ok := v.(i18n.Lang); ok && l != "" {
			return l
		}
	}
	var accept string
	if c.Request != nil {
		accept = c.Request.Header.Get("Accept-Language")
	}
	return i18n.Negotiate(accept)
}
