package gs1

// inSet82 is GS1 AI encodable character set 82 (GenSpecs figure 7.11-1): the ISO 646 invariant
// characters that survive every GS1 symbology and every national code page.
func inSet82(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	switch c {
	case '!', '"', '%', '&', '\'', '(', ')', '*', '+', ',', '-', '.', '/', ':', ';', '<', '=', '>', '?', '_':
		return true
	}
	return false
}

// inSet39 is GS1 AI encodable character set 39 (GenSpecs figure 7.11-2).
func inSet39(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '#' || c == '-' || c == '/'
}

// inSet64 is GS1 AI encodable character set 64 (GenSpecs figure 7.11-3), the file- and URI-safe
// base64 alphabet of RFC 4648 section 5, plus '=' which may only pad the end (LintCSet64 checks
// where it stands).
func inSet64(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '='
}

func inCharset(cs Charset, c byte) bool {
	switch cs {
	case Numeric:
		return c >= '0' && c <= '9'
	case Set82:
		return inSet82(c)
	case Set39:
		return inSet39(c)
	case Set64:
		return inSet64(c)
	}
	return false
}
