package hqapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/partsedge/partsedge/inventory"
)

// maxBody bounds a request body: a transfer order of inventory.MaxLines
// lines fits many times over.
const maxBody = 1 << 20

// decodeJSON reads a body of at most maxBody bytes (less when r is an
// http.MaxBytesReader of its own) and decodes it strictly (decodeBytes).
func decodeJSON(r io.Reader, v any) error {
	b, err := io.ReadAll(io.LimitReader(r, maxBody+1))
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return bodyErr(inventory.CodeTooLarge, "", "the body is larger than %d bytes", tooBig.Limit)
	case err != nil:
		return bodyErr(CodeMalformedJSON, "", "the body could not be read")
	case len(b) > maxBody:
		return bodyErr(inventory.CodeTooLarge, "", "the body is larger than %d bytes", maxBody)
	}
	return decodeBytes(b, v)
}

// decodeBytes decodes exactly one JSON object into v, refusing unknown
// fields and anything after it: a misspelt field must not become an order
// or a user with a field silently left out.
func decodeBytes(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return bodyErr(CodeMalformedJSON, "", "the body carries data after the JSON value")
	}
	return nil
}

// bodyErr is a refusal of a body: format, a string literal, is translated
// into the answer's language, args stay as they are.
func bodyErr(code inventory.Code, field, format string, args ...any) error {
	return inventory.Errorf(code, field, format, args...)
}

// jsonError says what is wrong with a body in the client's terms, naming
// the field where there is one so a screen can point at it.
func jsonError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
	)
	switch {
	case errors.Is(err, io.EOF):
		return bodyErr(CodeMalformedJSON, "", "the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return bodyErr(CodeMalformedJSON, "", "the JSON ends early")
	case errors.As(err, &syntax):
		return bodyErr(CodeMalformedJSON, "", "invalid JSON at byte %d: %s", syntax.Offset, syntax.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return bodyErr(inventory.CodeInvalid, "", "the body must be a JSON object")
		}
		want := "number"
		switch t := typ.Type; {
		case t.Kind() == reflect.String || t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.String:
			want = "string"
		case t.Kind() == reflect.Slice:
			want = "array"
		case t.Kind() == reflect.Struct || t.Kind() == reflect.Map || t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
			want = "object"
		case t.Kind() == reflect.Bool:
			want = "boolean"
		}
		return bodyErr(inventory.CodeInvalid, typ.Field, "must be a JSON %s, not %s", want, typ.Value)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name, _ = strconv.Unquote(name)
		return bodyErr(inventory.CodeInvalid, name, "is not a known field")
	}
	return bodyErr(CodeMalformedJSON, "", "the body is not valid JSON")
}
