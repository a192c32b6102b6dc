package inventory

const joined = "joined at " + "compile time"

const kept = "kept in a constant"

func sites(sku, msg string, err error) {
	_ = errf(CodeNotFound, "sku", "no part %q", sku)
	_ = errf(CodeInvalid, "sku", "dynamic "+sku)
	_ = &Error{Code: CodeInvalid, Msg: "a literal message"}
	_ = errf(CodeInvalid, "x", "%v", err)
	_ = errf(CodeInvalid, "x", kept)
	_ = errf(CodeInvalid, "x", joined)
	_, _ = viewDoc[Lot](nil, nil, "lot", "no lot %q", sku)
	_ = &Error{Code: CodeInvalid, Msg: msg}
}

// errf is a helper of the table: its own body forwards, and is skipped.
func errf(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Msg: format}
}
