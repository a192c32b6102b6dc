package gs1

import "fmt"

// Stable error codes: scripts and the UI branch on these, so they never change meaning.
const (
	CodeUnknownAI        = "unknown_ai"
	CodeBadLength        = "bad_length"
	CodeBadCheckDigit    = "bad_check_digit"
	CodeBadDate          = "bad_date"
	CodeBadCharset       = "bad_charset"
	CodeMissingSeparator = "missing_separator"
	CodeDuplicateAI      = "duplicate_ai"
	CodeConflictingAI    = "conflicting_ai"
	CodeBadValue         = "bad_value" // well-formed, but outside the values the AI allows
	CodeNotGS1           = "not_gs1"
	CodeEmpty            = "empty"
	CodeBadURI           = "bad_uri"
	CodeBadCountry       = "bad_country"  // not an ISO 3166-1 country code
	CodeBadCurrency      = "bad_currency" // not an ISO 4217 currency code
)

// Error is a validation failure at a byte offset of the input.
type Error struct {
	Code   string
	AI     string // the offending AI, empty when the failure is not about one
	Offset int    // byte offset into the input that was parsed
	Msg    string
	Err    error
}

func (e *Error) Error() string {
	s := e.Code
	if e.AI != "" {
		s += " (" + e.AI + ")"
	}
	s += fmt.Sprintf(" at offset %d", e.Offset)
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, &Error{Code: CodeBadDate}) match by code alone, so callers need not
// know the AI or offset to classify a failure.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.AI == "" || t.AI == e.AI)
}

func errf(code, ai string, off int, format string, args ...any) *Error {
	return &Error{Code: code, AI: ai, Offset: off, Msg: fmt.Sprintf(format, args...)}
}
