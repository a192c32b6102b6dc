// Package epc converts between the binary EPC stored on UHF RFID tags, the
// EPC tag and pure identity URIs, and the GS1 keys they carry, following the
// GS1 EPC Tag Data Standard (TDS 1.13 / 2.x) for SGTIN, SSCC, GRAI and GIAI.
package epc

import (
	"encoding/hex"
	"strconv"
	"strings"
)

// Tag is one EPC. Scheme is empty for an identity read from a pure identity
// URI, which says nothing about filter or binary size; EncodeAs picks both.
type Tag struct {
	Scheme Scheme
	Kind   Kind
	Filter int
	// CompanyPrefix is the GS1 Company Prefix as its digits; its length
	// selects the partition.
	CompanyPrefix string
	// Reference is the field between company prefix and serial, as written in
	// the URI: indicator digit + item reference (SGTIN), extension digit +
	// serial reference (SSCC), asset type (GRAI, possibly empty). Empty for
	// GIAI.
	Reference string
	// Serial is the serial number (SGTIN, GRAI) or individual asset reference
	// (GIAI), unescaped. Empty for SSCC.
	Serial string
}

// Partition is the TDS partition value implied by the company prefix length.
func (t Tag) Partition() int { return 12 - len(t.CompanyPrefix) }

// CompanyPrefixDigits is the number of digits in the GS1 Company Prefix.
func (t Tag) CompanyPrefixDigits() int { return len(t.CompanyPrefix) }

// Decode reads an EPC from hexadecimal text (either case; spaces, tabs and
// line breaks between digits are ignored, as readers and logs group them).
func Decode(hexText string) (Tag, error) {
	// Large enough for every scheme decoded here; keeping it on the stack
	// keeps a tag read at one allocation.
	var buf [32]byte
	n, hi, half := 0, byte(0), false
	for i := 0; i < len(hexText); i++ {
		c := hexText[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		default:
			return Tag{}, fail(BadHex, "hex", "invalid character "+strconv.QuoteRune(rune(c))+" at offset "+strconv.Itoa(i))
		}
		if !half {
			hi, half = v, true
			continue
		}
		if n < len(buf) {
			buf[n] = hi<<4 | v
		}
		n++
		half = false
	}
	if half {
		return Tag{}, fail(BadHex, "hex", "odd number of hex digits")
	}
	if n > len(buf) {
		if l := layoutByHeader(buf[0]); l != nil {
			return Tag{}, fail(BadLength, "hex", strconv.Itoa(n*8)+" bits; "+string(l.scheme)+" takes "+strconv.Itoa(l.bytes()*8))
		}
		return DecodeBytes(buf[:1])
	}
	return DecodeBytes(buf[:n])
}

// DecodeBytes reads an EPC from the bytes of EPC memory, starting at the
// header (i.e. after the Gen2 CRC and PC words). The length must be the
// scheme's length padded to a 16-bit word, as a reader reports it.
func DecodeBytes(b []byte) (Tag, error) {
	if len(b) == 0 {
		return Tag{}, fail(BadLength, "hex", "empty")
	}
	l := layoutByHeader(b[0])
	if l == nil {
		name := otherHeaderName(b[0])
		if name == "" {
			name = "unassigned header"
		}
		return Tag{}, fail(UnsupportedScheme, "header", "0x"+hex.EncodeToString(b[:1])+" ("+name+") is not decoded")
	}
	if len(b) != l.bytes() {
		return Tag{}, fail(BadLength, "hex", strconv.Itoa(len(b)*8)+" bits; "+string(l.scheme)+" takes "+strconv.Itoa(l.bytes()*8))
	}
	r := bitReader{buf: b, pos: 8}
	t := Tag{Scheme: l.scheme, Kind: l.kind, Filter: int(r.read(3))}
	p := int(r.read(3))
	if p > 6 {
		return Tag{}, fail(BadPartition, "partition", "value "+strconv.Itoa(p)+" is reserved (0-6 are defined)")
	}
	part := l.parts[p]
	ki, _ := kindOf(l.kind)

	// One backing array for every text field, so a decode costs one string.
	var out [64]byte
	txt := out[:0]
	cp := r.read(part.cpBits)
	if cp >= pow10[part.cpDigits] {
		return Tag{}, fail(BadCompanyPrefix, "companyPrefix", "value "+strconv.FormatUint(cp, 10)+" exceeds "+strconv.Itoa(part.cpDigits)+" digits")
	}
	txt = appendPadded(txt, cp, part.cpDigits)
	cpEnd := len(txt)

	var err error
	switch l.refMode {
	case modeDecimal:
		ref := r.read(part.refBits)
		if ref >= pow10[part.refDigits] {
			return Tag{}, fail(BadReference, ki.refField, "value "+strconv.FormatUint(ref, 10)+" exceeds "+strconv.Itoa(part.refDigits)+" digits")
		}
		txt = appendPadded(txt, ref, part.refDigits)
	case modeInteger:
		txt = strconv.AppendUint(txt, r.read(part.refBits), 10)
	case modeString:
		txt, err = readString(&r, txt, part.refBits, part.refDigits, serialField(l.kind))
		if err != nil {
			return Tag{}, err
		}
	}
	refEnd := len(txt)
	switch l.serialMode {
	case modeInteger:
		txt = strconv.AppendUint(txt, r.read(l.serialBits), 10)
	case modeString:
		txt, err = readString(&r, txt, l.serialBits, l.serialChars, "serial")
		if err != nil {
			return Tag{}, err
		}
	}
	if !r.zeroFrom() {
		what := "bits after the " + string(l.scheme) + " fields are not zero"
		if l.reserved > 0 {
			what = "the 24 reserved bits are not zero"
		}
		return Tag{}, fail(BadPadding, "padding", what)
	}

	s := string(txt)
	t.CompanyPrefix = s[:cpEnd]
	if l.kind == KindGIAI {
		t.Serial = s[cpEnd:refEnd]
	} else {
		t.Reference = s[cpEnd:refEnd]
		t.Serial = s[refEnd:]
	}
	return t, nil
}

func appendPadded(dst []byte, v uint64, width int) []byte {
	if width == 0 {
		// A GRAI beside a 12-digit prefix has an empty asset type, not "0".
		return dst
	}
	var tmp [20]byte
	d := strconv.AppendUint(tmp[:0], v, 10)
	for i := len(d); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, d...)
}

// readString decodes the TDS "String" coding: 7-bit ASCII characters from
// the GS1 set 82, ended by the first all-zero character with every later bit
// zero, so that each string has exactly one encoding.
func readString(r *bitReader, dst []byte, bits, maxChars int, field string) ([]byte, error) {
	count, ended := 0, false
	for i := 0; i < bits/7; i++ {
		c := byte(r.read(7))
		if c == 0 {
			ended = true
			continue
		}
		if ended {
			return nil, fail(BadCharacter, field, "non-zero character after the terminating zero")
		}
		if !inSet82(c) {
			return nil, fail(BadCharacter, field, "character 0x"+strconv.FormatUint(uint64(c), 16)+" is not in GS1 character set 82")
		}
		count++
		if count > maxChars {
			return nil, fail(SerialOutOfRange, field, "longer than "+strconv.Itoa(maxChars)+" characters")
		}
		dst = append(dst, c)
	}
	if r.read(bits%7) != 0 {
		return nil, fail(BadPadding, field, "bits after the last 7-bit character are not zero")
	}
	if count == 0 {
		return nil, fail(SerialOutOfRange, field, "empty")
	}
	return dst, nil
}

// inSet82 reports whether c is in the GS1 AI encodable character set 82
// (GS1 General Specifications figure 7.11-1; TDS Table A-1).
func inSet82(c byte) bool {
	switch {
	case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte(`!"%&'()*+,-./:;<=>?_`, c) >= 0
}

// Encode returns the binary EPC for a tag with a scheme, padded with zero
// bits to a 16-bit word boundary.
func Encode(t Tag) ([]byte, error) {
	if t.Scheme == "" {
		return nil, fail(UnsupportedScheme, "scheme", "a pure identity has no binary scheme; choose one with EncodeAs")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	l := layoutByScheme(t.Scheme)
	part := l.parts[t.Partition()]
	w := bitWriter{buf: make([]byte, l.bytes())}
	w.write(uint64(l.header), 8)
	w.write(uint64(t.Filter), 3)
	w.write(uint64(t.Partition()), 3)
	w.write(mustUint(t.CompanyPrefix), part.cpBits)
	ref := t.Reference
	if l.kind == KindGIAI {
		ref = t.Serial
	}
	switch l.refMode {
	case modeDecimal, modeInteger:
		w.write(mustUint(ref), part.refBits)
	case modeString:
		writeString(&w, ref, part.refBits)
	}
	switch l.serialMode {
	case modeInteger:
		w.write(mustUint(t.Serial), l.serialBits)
	case modeString:
		writeString(&w, t.Serial, l.serialBits)
	}
	return w.buf, nil
}

// Hex is the binary EPC as upper-case hexadecimal, the form readers print.
func (t Tag) Hex() (string, error) {
	b, err := Encode(t)
	if err != nil {
		return "", err
	}
	return strings.ToUpper(hex.EncodeToString(b)), nil
}

func writeString(w *bitWriter, s string, bits int) {
	start := w.pos
	for i := 0; i < len(s); i++ {
		w.write(uint64(s[i]), 7)
	}
	w.pos = start + bits
}

// mustUint parses digits Validate has already checked fit in 64 bits; an
// empty field (a GRAI asset type beside a 12-digit prefix) is zero.
func mustUint(s string) uint64 {
	var v uint64
	for i := 0; i < len(s); i++ {
		v = v*10 + uint64(s[i]-'0')
	}
	return v
}

// EncodeAs returns the tag laid out in the given binary scheme with the given
// filter value, checking that its identity fits that scheme.
func (t Tag) EncodeAs(s Scheme, filter int) (Tag, error) {
	l := layoutByScheme(s)
	if l == nil {
		return Tag{}, fail(UnsupportedScheme, "scheme", strconv.Quote(string(s))+" is not a supported binary scheme")
	}
	if l.kind != t.Kind {
		return Tag{}, fail(UnsupportedScheme, "scheme", string(s)+" cannot carry a "+string(t.Kind))
	}
	t.Scheme, t.Filter = s, filter
	if err := t.Validate(); err != nil {
		return Tag{}, err
	}
	return t, nil
}

// Pure drops the scheme and filter, leaving the identity alone.
func (t Tag) Pure() Tag {
	t.Scheme, t.Filter = "", 0
	return t
}

// Validate checks the tag against the GS1 key rules of its kind and, when it
// has a scheme, the range rules of that binary scheme.
func (t Tag) Validate() error {
	ki, ok := kindOf(t.Kind)
	if !ok {
		return fail(UnsupportedScheme, "kind", strconv.Quote(string(t.Kind))+" is not a supported EPC scheme")
	}
	var l *layout
	if t.Scheme != "" {
		if l = layoutByScheme(t.Scheme); l == nil {
			return fail(UnsupportedScheme, "scheme", strconv.Quote(string(t.Scheme))+" is not a supported binary scheme")
		}
		if l.kind != t.Kind {
			return fail(UnsupportedScheme, "scheme", string(t.Scheme)+" cannot carry a "+string(t.Kind))
		}
		if t.Filter < 0 || t.Filter > 7 {
			return fail(BadFilter, "filter", strconv.Itoa(t.Filter)+" is not 0-7")
		}
	} else if t.Filter != 0 {
		return fail(BadFilter, "filter", "a pure identity has no filter")
	}
	cpLen := len(t.CompanyPrefix)
	if cpLen < 6 || cpLen > 12 {
		return fail(BadCompanyPrefix, "companyPrefix", strconv.Itoa(cpLen)+" digits; the partition table allows 6-12")
	}
	if !allDigits(t.CompanyPrefix) {
		return fail(BadCompanyPrefix, "companyPrefix", "not all digits")
	}
	if t.Kind == KindGIAI {
		if t.Reference != "" {
			return fail(BadReference, "reference", "a GIAI has no reference field")
		}
	} else {
		if want := ki.digits - cpLen; len(t.Reference) != want || !allDigits(t.Reference) {
			return fail(BadReference, ki.refField, "must be "+strconv.Itoa(want)+" digits beside a "+strconv.Itoa(cpLen)+"-digit company prefix")
		}
	}
	field := serialField(t.Kind)
	if t.Kind == KindSSCC {
		if t.Serial != "" {
			return fail(SerialOutOfRange, "serial", "an SSCC has no serial field")
		}
		return nil
	}
	max := ki.serialMax
	if t.Kind == KindGIAI {
		max -= cpLen
	}
	if t.Serial == "" {
		return fail(SerialOutOfRange, field, "empty")
	}
	if len(t.Serial) > max {
		return fail(SerialOutOfRange, field, "longer than "+strconv.Itoa(max)+" characters")
	}
	for i := 0; i < len(t.Serial); i++ {
		if !inSet82(t.Serial[i]) {
			return fail(BadCharacter, field, "character "+strconv.QuoteRune(rune(t.Serial[i]))+" is not in GS1 character set 82")
		}
	}
	if l == nil {
		return nil
	}
	bits := l.serialBits
	if l.kind == KindGIAI {
		bits = l.parts[t.Partition()].refBits
	}
	if (l.kind == KindGIAI && l.refMode == modeInteger) || l.serialMode == modeInteger {
		return checkInteger(t.Serial, bits, field, l.scheme)
	}
	return nil
}

// checkInteger applies the TDS "Integer" coding rules: digits only, no
// leading zero (so the URI and binary forms map one to one), below 2^bits.
func checkInteger(s string, bits int, field string, scheme Scheme) error {
	if !allDigits(s) {
		return fail(BadCharacter, field, string(scheme)+" needs a decimal number, got "+strconv.Quote(s))
	}
	if len(s) > 1 && s[0] == '0' {
		return fail(SerialLeadingZero, field, string(scheme)+" cannot encode "+strconv.Quote(s)+" (leading zero)")
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v>>bits != 0 {
		return fail(SerialOutOfRange, field, s+" does not fit "+string(scheme)+" ("+strconv.Itoa(bits)+" bits)")
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
