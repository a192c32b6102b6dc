package epc

import "strings"

// Code is the stable, machine-readable reason an input was refused. Scripts
// and the CLI key on it, so a published value never changes meaning.
type Code string

// The error codes. The first eleven are the published contract; BadReference
// and BadPadding cover the two remaining ways the TDS lets an encoding be
// invalid (a numeric reference field out of its digit range, and bits the
// standard fixes at zero that are not).
const (
	BadHex            Code = "bad_hex"
	BadLength         Code = "bad_length"
	UnsupportedScheme Code = "unsupported_scheme"
	BadPartition      Code = "bad_partition"
	BadFilter         Code = "bad_filter"
	BadURI            Code = "bad_uri"
	BadCompanyPrefix  Code = "bad_company_prefix"
	SerialOutOfRange  Code = "serial_out_of_range"
	SerialLeadingZero Code = "serial_leading_zero"
	BadCharacter      Code = "bad_character"
	BadCheckDigit     Code = "bad_check_digit"
	BadReference      Code = "bad_reference"
	BadPadding        Code = "bad_padding"
)

// Error reports why an EPC could not be decoded, parsed or encoded. Field
// names the part of the EPC at fault ("header", "filter", "partition",
// "companyPrefix", "itemReference", "serial", ...).
type Error struct {
	Code  Code
	Field string
	Msg   string
	Err   error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("epc: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	b.WriteString(" (")
	b.WriteString(string(e.Code))
	b.WriteString(")")
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, &epc.Error{Code: epc.BadFilter}) match on the code
// alone, which is what callers branch on.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && (t.Field == "" || t.Field == e.Field)
}

func fail(code Code, field, msg string) error {
	return &Error{Code: code, Field: field, Msg: msg}
}
