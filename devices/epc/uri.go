package epc

import (
	"strconv"
	"strings"
)

const (
	pureURIPrefix = "urn:epc:id:"
	tagURIPrefix  = "urn:epc:tag:"
)

// ParseURI reads an EPC tag URI (urn:epc:tag:sgtin-96:3.0614141.812345.6789)
// or pure identity URI (urn:epc:id:sgtin:0614141.812345.6789). A pure
// identity yields a Tag without Scheme.
func ParseURI(uri string) (Tag, error) {
	var t Tag
	var body string
	var l *layout
	// RFC 8141 makes "urn" and the namespace id case-insensitive; the rest of
	// an EPC URI is case-sensitive.
	if len(uri) >= 8 && uri[:8] != "urn:epc:" && strings.EqualFold(uri[:8], "urn:epc:") {
		uri = "urn:epc:" + uri[8:]
	}
	switch {
	case strings.HasPrefix(uri, pureURIPrefix):
		rest := uri[len(pureURIPrefix):]
		name, b, ok := strings.Cut(rest, ":")
		if !ok {
			return Tag{}, fail(BadURI, "uri", "missing ':' after the EPC scheme name")
		}
		t.Kind, body = Kind(name), b
		if _, ok := kindOf(t.Kind); !ok {
			return Tag{}, fail(UnsupportedScheme, "uri", strconv.Quote(name)+" is not a supported EPC scheme")
		}
	case strings.HasPrefix(uri, tagURIPrefix):
		rest := uri[len(tagURIPrefix):]
		name, b, ok := strings.Cut(rest, ":")
		if !ok {
			return Tag{}, fail(BadURI, "uri", "missing ':' after the EPC scheme name")
		}
		if l = layoutByScheme(Scheme(name)); l == nil {
			return Tag{}, fail(UnsupportedScheme, "uri", strconv.Quote(name)+" is not a supported EPC binary scheme")
		}
		t.Scheme, t.Kind = l.scheme, l.kind
		f, b, ok := strings.Cut(b, ".")
		if !ok {
			return Tag{}, fail(BadURI, "uri", "missing fields after the filter")
		}
		if len(f) != 1 || f[0] < '0' || f[0] > '7' {
			return Tag{}, fail(BadFilter, "filter", strconv.Quote(f)+" is not a digit 0-7")
		}
		t.Filter, body = int(f[0]-'0'), b
	default:
		return Tag{}, fail(BadURI, "uri", "neither an EPC tag URI (urn:epc:tag:) nor a pure identity URI (urn:epc:id:)")
	}

	ki, _ := kindOf(t.Kind)
	cp, rest, ok := strings.Cut(body, ".")
	if !ok {
		return Tag{}, fail(BadURI, "uri", "too few fields for "+string(t.Kind))
	}
	t.CompanyPrefix = cp
	if len(cp) < 6 || len(cp) > 12 || !allDigits(cp) {
		return Tag{}, fail(BadCompanyPrefix, "companyPrefix", strconv.Quote(cp)+" is not 6-12 digits")
	}
	serial := rest
	switch t.Kind {
	case KindSSCC:
		serial = ""
		t.Reference = rest
	case KindSGTIN, KindGRAI:
		// The serial is last and may itself contain '.', so only the first
		// separator after the reference splits.
		if t.Reference, serial, ok = strings.Cut(rest, "."); !ok {
			return Tag{}, fail(BadURI, "uri", "too few fields for "+string(t.Kind))
		}
	}
	if t.Kind != KindGIAI {
		if want := ki.digits - len(cp); len(t.Reference) != want || !allDigits(t.Reference) {
			return Tag{}, fail(BadReference, ki.refField, strconv.Quote(t.Reference)+" must be "+strconv.Itoa(want)+" digits beside a "+strconv.Itoa(len(cp))+"-digit company prefix")
		}
	}
	if t.Kind != KindSSCC {
		field := serialField(t.Kind)
		integer := l != nil && (l.serialMode == modeInteger || l.refMode == modeInteger)
		if integer && !allDigits(serial) {
			// The -96 tag URIs write the serial as a plain decimal number.
			return Tag{}, fail(BadCharacter, field, string(l.scheme)+" needs a decimal number, got "+strconv.Quote(serial))
		}
		var err error
		if t.Serial, err = unescape(serial, field); err != nil {
			return Tag{}, err
		}
	}
	if err := t.Validate(); err != nil {
		return Tag{}, err
	}
	return t, nil
}

// unescape decodes the %xx escapes TDS allows in a URI component. Every
// character, escaped or not, must be in GS1 character set 82; the seven that
// URI syntax reserves must arrive escaped.
func unescape(s, field string) (string, error) {
	if strings.IndexByte(s, '%') < 0 {
		for i := 0; i < len(s); i++ {
			if !inSet82(s[i]) || mustEscape(s[i]) {
				return "", fail(BadCharacter, field, "character "+strconv.QuoteRune(rune(s[i]))+" is not allowed unescaped in an EPC URI")
			}
		}
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '%' {
			if !inSet82(c) || mustEscape(c) {
				return "", fail(BadCharacter, field, "character "+strconv.QuoteRune(rune(c))+" is not allowed unescaped in an EPC URI")
			}
			b.WriteByte(c)
			continue
		}
		if i+2 >= len(s) {
			return "", fail(BadURI, field, "truncated %-escape")
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil || s[i+1] == '+' || s[i+1] == '-' {
			return "", fail(BadURI, field, "malformed %-escape "+strconv.Quote(s[i:i+3]))
		}
		if !inSet82(byte(v)) {
			return "", fail(BadCharacter, field, "escape "+s[i:i+3]+" is not a GS1 character set 82 character")
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), nil
}

// mustEscape lists the set-82 characters TDS (Table I.3-1) requires as %xx in
// a URI because URI syntax gives them meaning.
func mustEscape(c byte) bool {
	switch c {
	case '"', '%', '&', '/', '<', '>', '?':
		return true
	}
	return false
}

func appendEscaped(dst []byte, s string) []byte {
	const hexDigits = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		if mustEscape(c) {
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

func (t Tag) appendFields(dst []byte) []byte {
	dst = append(dst, t.CompanyPrefix...)
	if t.Kind != KindGIAI {
		dst = append(dst, '.')
		dst = append(dst, t.Reference...)
	}
	if t.Kind != KindSSCC {
		dst = append(dst, '.')
		dst = appendEscaped(dst, t.Serial)
	}
	return dst
}

// PureURI is the pure identity URI, urn:epc:id:KIND:...; it names the object
// whatever tag it is written to.
func (t Tag) PureURI() string {
	b := make([]byte, 0, 64)
	b = append(b, pureURIPrefix...)
	b = append(b, t.Kind...)
	b = append(b, ':')
	return string(t.appendFields(b))
}

// TagURI is the EPC tag URI, urn:epc:tag:SCHEME:FILTER...; empty for a tag
// without a scheme, which has no tag URI.
func (t Tag) TagURI() string {
	if t.Scheme == "" {
		return ""
	}
	b := make([]byte, 0, 72)
	b = append(b, tagURIPrefix...)
	b = append(b, t.Scheme...)
	b = append(b, ':', byte('0'+t.Filter&7), '.')
	return string(t.appendFields(b))
}

// String is the tag URI, or the pure identity URI for a tag without scheme.
func (t Tag) String() string {
	if t.Scheme == "" {
		return t.PureURI()
	}
	return t.TagURI()
}
