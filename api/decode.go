package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/partsedge/partsedge/inventory"
)

// apiErr is an API-level refusal whose detail is msg, which is its own
// message id: keep it a string literal (a test finds it in the
// catalogue); a detail with values is apiErrf's.
func apiErr(code inventory.Code, field, msg string) *inventory.Error {
	return &inventory.Error{Code: code, Field: field, Msg: msg}
}

// apiErrf is an API-level refusal whose detail is format with args: the
// format, a string literal, is translated, the args stay as they are.
func apiErrf(code inventory.Code, field, format string, args ...any) *inventory.Error {
	return inventory.Errorf(code, field, format, args...)
}

// isJSON accepts application/json with or without parameters (charset).
func isJSON(contentType string) bool {
	media, _, _ := strings.Cut(contentType, ";")
	return strings.EqualFold(strings.TrimSpace(media), "application/json")
}

// checkBody refuses a body that is not JSON or announces itself too large,
// before any of it is read.
func (s *server) checkBody(r *http.Request) error {
	if !isJSON(r.Header.Get("Content-Type")) {
		return apiErr(CodeUnsupportedMedia, "Content-Type", "send the body as application/json")
	}
	if r.ContentLength > s.maxBody {
		return s.tooLarge()
	}
	return nil
}

func (s *server) tooLarge() error {
	return apiErrf(CodeBodyTooLarge, "", "the body is larger than %d bytes", s.maxBody)
}

// decode reads the request's JSON body into v.
func (s *server) decode(c *gin.Context, v any) bool {
	if err := s.checkBody(c.Request); err != nil {
		s.fail(c, err)
		return false
	}
	if err := s.decodeJSON(http.MaxBytesReader(c.Writer, c.Request.Body, s.maxBody), v); err != nil {
		s.fail(c, err)
		return false
	}
	return true
}

// readBody reads a body that may be absent; a present one must be JSON.
func (s *server) readBody(c *gin.Context) ([]byte, error) {
	r := c.Request
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	if err := s.checkBody(r); err != nil {
		return nil, err
	}
	b, err := io.ReadAll(http.MaxBytesReader(c.Writer, r.Body, s.maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, s.tooLarge()
	}
	if err != nil {
		return nil, apiErr(CodeMalformedJSON, "", "the body could not be read")
	}
	return b, nil
}

// decodeJSON decodes exactly one JSON value into v: unknown fields and
// anything after the value are refused, so a typo never silently drops a
// field the client meant to set.
func (s *server) decodeJSON(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return s.jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				return s.tooLarge()
			}
		}
		return apiErr(CodeMalformedJSON, "", "the body carries data after the JSON value")
	}
	return nil
}

// decodeOptional decodes a body that may be empty; a present one must decode.
func (s *server) decodeOptional(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	return s.decodeJSON(bytes.NewReader(body), v)
}

func (s *server) jsonError(err error) error {
	var (
		syntax  *json.SyntaxError
		typ     *json.UnmarshalTypeError
		tooBig  *http.MaxBytesError
		invalid *json.InvalidUnmarshalError
	)
	switch {
	case errors.Is(err, io.EOF):
		return apiErr(CodeMalformedJSON, "", "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apiErr(CodeMalformedJSON, "", "the JSON ends early")
	case errors.As(err, &tooBig):
		return s.tooLarge()
	case errors.As(err, &syntax):
		return apiErrf(CodeMalformedJSON, "", "invalid JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apiErr(inventory.CodeInvalid, "", "the body must be a JSON object")
		}
		return apiErrf(inventory.CodeInvalid, typ.Field, "must be a JSON %s, not %s", jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &invalid):
		return err
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return apiErr(inventory.CodeInvalid, name, "is not a known field")
	}
	return apiErr(CodeMalformedJSON, "", "the body is not valid JSON")
}

// jsonKind names a Go kind the way a JSON client thinks of it.
func jsonKind(k string) string {
	switch k {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "slice", "array":
		return "array"
	case "struct", "map", "ptr":
		return "object"
	}
	return "number"
}
