package gs1

import (
	"fmt"
	"strings"
)

// dlKeys are the GS1 Digital Link primary keys and their key qualifiers (GS1 Digital Link URI
// syntax 1.x, section 4 "Primary keys and key qualifiers", restated by the dlpkey= keys of the GS1
// Barcode Syntax Dictionary). Each inner slice is one ordered sequence of optional qualifiers;
// a path must follow one of them: /01/../22/../10/../21/.. or /01/../235/.., never a mix.
var dlKeys = map[string][][]string{
	"00":   nil,
	"01":   {{"22", "10", "21"}, {"235"}},
	"253":  nil,
	"255":  nil,
	"401":  nil,
	"402":  nil,
	"414":  {{"254"}, {"7040"}},
	"415":  {{"8020"}},
	"417":  {{"7040"}},
	"8003": nil,
	"8004": {{"7040"}},
	"8006": {{"22", "10", "21"}},
	"8010": {{"8011"}},
	"8013": nil,
	"8017": {{"8019"}},
	"8018": {{"8019"}},
}

// qualifierSequence picks the sequence of key's qualifiers that ais follow in order, or -1.
func qualifierSequence(key string, ais []string) int {
	if len(ais) == 0 {
		return 0
	}
	for i, seq := range dlKeys[key] {
		if inOrder(ais, seq) {
			return i
		}
	}
	return -1
}

// inOrder reports whether every AI of ais is in seq, in seq's order.
func inOrder(ais, seq []string) bool {
	last := -1
	for _, a := range ais {
		i := indexOf(seq, a)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

func indexOf(seq []string, s string) int {
	for i, x := range seq {
		if x == s {
			return i
		}
	}
	return -1
}

// dlPrimaryOrder decides the key when elements hold several: the one a depot resolves first.
var dlPrimaryOrder = []string{"01", "00", "8006", "414", "415", "417", "8003", "8004", "253", "255", "401", "402", "8010", "8013", "8017", "8018"}

// dlAliases are the optional short names of the Digital Link 1.0 path syntax.
var dlAliases = map[string]string{
	"gtin": "01", "sscc": "00", "cpv": "22", "lot": "10", "ser": "21",
	"gdti": "253", "gcn": "255", "ginc": "401", "gsin": "402", "gln": "414", "glnx": "254",
	"party": "417", "grai": "8003", "giai": "8004", "itip": "8006", "cpid": "8010", "cpsn": "8011",
	"gmn": "8013", "gsrnp": "8017", "gsrn": "8018", "srin": "8019",
}

// ParseDigitalLink decodes a GS1 Digital Link URI: the primary key and its qualifiers from the
// path, other AIs from the query string. Non-numeric query keys (linkType and the like) are not
// GS1 data and are skipped.
func ParseDigitalLink(uri string) (Result, error) {
	return parseDigitalLink(uri, 0)
}

type dlSeg struct {
	raw string
	off int
}

func parseDigitalLink(data string, off int) (Result, error) {
	r := Result{Symbology: "GS1 Digital Link"}
	s := data[off:]
	sep := strings.Index(s, "://")
	if sep < 0 || (!strings.EqualFold(s[:sep], "http") && !strings.EqualFold(s[:sep], "https")) {
		return r, errf(CodeBadURI, "", off, "not an http or https URI")
	}
	i := sep + 3
	authEnd := strings.IndexAny(s[i:], "/?#")
	if authEnd == 0 {
		return r, errf(CodeBadURI, "", off+i, "URI has no host")
	}
	if authEnd < 0 {
		return r, errf(CodeBadURI, "", off+len(s), "URI has no path")
	}
	pathStart := i + authEnd
	rest := s[pathStart:]
	if h := strings.IndexByte(rest, '#'); h >= 0 {
		rest = rest[:h]
	}
	path, query, _ := strings.Cut(rest, "?")
	var segs []dlSeg
	p := off + pathStart
	for _, seg := range strings.Split(path, "/")[1:] {
		p++ // the '/'
		segs = append(segs, dlSeg{seg, p})
		p += len(seg)
	}
	var firstErr error
	found := -1
	for k := 0; k+1 < len(segs); k++ {
		if _, ok := dlKeys[dlAI(segs[k].raw)]; !ok || (len(segs)-k)%2 != 0 {
			continue
		}
		elems, offs, err := dlPath(segs[k:])
		if err != nil {
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		r.Elements, found = elems, k
		r.Stem = data[off : segs[k].off-1]
		qelems, qoffs, err := dlQuery(query, off+pathStart+len(path)+1)
		if err != nil {
			return Result{}, err
		}
		r.Elements = append(r.Elements, qelems...)
		if err := checkCombinations(r.Elements, append(offs, qoffs...)); err != nil {
			return Result{}, err
		}
		break
	}
	if found < 0 {
		if firstErr != nil {
			return Result{}, firstErr
		}
		return Result{}, errf(CodeBadURI, "", off+pathStart, "no GS1 primary key in the path")
	}
	return r, nil
}

func dlAI(seg string) string {
	if ai, ok := dlAliases[seg]; ok {
		return ai
	}
	return seg
}

// dlValue percent-decodes a value (RFC 3986: '+' is itself, not a space) and validates it,
// keeping each decoded byte's offset in the URI so errors point at what the user wrote.
func dlValue(def AIDef, raw string, off int) (string, error) {
	var b strings.Builder
	at := make([]int, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		c := raw[i]
		if c == '%' {
			if i+2 >= len(raw) || unhex(raw[i+1]) < 0 || unhex(raw[i+2]) < 0 {
				return "", errf(CodeBadURI, def.AI, off+i, "bad percent-encoding")
			}
			c = byte(unhex(raw[i+1])<<4 | unhex(raw[i+2]))
			at = append(at, off+i)
			b.WriteByte(c)
			i += 2
			continue
		}
		at = append(at, off+i)
		b.WriteByte(c)
	}
	v := b.String()
	if def.AI == "01" && (len(v) == 8 || len(v) == 12 || len(v) == 13) {
		// GTIN-8/12/13 are GTIN-14 with leading zeros; the zeros were never in the URI.
		pad := 14 - len(v)
		v = strings.Repeat("0", pad) + v
		at = append(make([]int, pad), at...)
		for i := 0; i < pad; i++ {
			at[i] = off
		}
	}
	if len(at) == 0 {
		at = append(at, off)
	}
	if err := validateAt(def, v, at, off+len(raw)); err != nil {
		return "", err
	}
	return v, nil
}

func unhex(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func dlPath(segs []dlSeg) ([]Element, []int, error) {
	key := dlAI(segs[0].raw)
	var elems []Element
	var offs []int
	var quals []string
	for k := 0; k < len(segs); k += 2 {
		ai := dlAI(segs[k].raw)
		if k > 0 {
			quals = append(quals, ai)
			if qualifierSequence(key, quals) < 0 {
				return nil, nil, errf(CodeBadURI, ai, segs[k].off, "AI %s is not a key qualifier of %s in this position of a Digital Link path", ai, key)
			}
		}
		def, ok := aiTable[ai]
		if !ok {
			return nil, nil, errf(CodeUnknownAI, ai, segs[k].off, "no such application identifier")
		}
		v, err := dlValue(def, segs[k+1].raw, segs[k+1].off)
		if err != nil {
			return nil, nil, err
		}
		elems = append(elems, Element{AI: ai, Value: v, Title: def.Title})
		offs = append(offs, segs[k].off)
	}
	return elems, offs, nil
}

func dlQuery(q string, off int) ([]Element, []int, error) {
	var elems []Element
	var offs []int
	if q == "" {
		return nil, nil, nil
	}
	pos := off
	for _, kv := range strings.Split(q, "&") {
		k, v, eq := strings.Cut(kv, "=")
		if k != "" && strings.Trim(k, "0123456789") == "" {
			voff := pos + len(k)
			if eq {
				voff++
			}
			def, ok := aiTable[k]
			if !ok {
				return nil, nil, errf(CodeUnknownAI, k, pos, "no such application identifier")
			}
			val, err := dlValue(def, v, voff)
			if err != nil {
				return nil, nil, err
			}
			elems = append(elems, Element{AI: k, Value: val, Title: def.Title})
			offs = append(offs, pos)
		}
		pos += len(kv) + 1
	}
	return elems, offs, nil
}

// DigitalLink writes elems as a GS1 Digital Link URI under base (https://id.gs1.org when
// empty): the primary key and its qualifiers in the path in the standard's order, every other
// AI in the query string in the order given.
func DigitalLink(base string, elems []Element) (string, error) {
	if base == "" {
		base = "https://id.gs1.org"
	}
	if !isURI(base) {
		return "", fmt.Errorf("gs1: digital link base %q is not an http or https URI", base)
	}
	offs := make([]int, len(elems))
	for _, e := range elems {
		def, ok := aiTable[e.AI]
		if !ok {
			return "", errf(CodeUnknownAI, e.AI, 0, "no such application identifier")
		}
		if err := validateValue(def, e.Value, 0); err != nil {
			return "", err
		}
	}
	if err := checkCombinations(elems, offs); err != nil {
		return "", err
	}
	key := -1
	for _, ai := range dlPrimaryOrder {
		for i, e := range elems {
			if e.AI == ai && key < 0 {
				key = i
			}
		}
	}
	if key < 0 {
		return "", errf(CodeBadURI, "", 0, "no element is a GS1 Digital Link primary key")
	}
	used := make([]bool, len(elems))
	var b strings.Builder
	b.WriteString(strings.TrimRight(base, "/"))
	write := func(i int) {
		used[i] = true
		b.WriteByte('/')
		b.WriteString(elems[i].AI)
		b.WriteByte('/')
		b.WriteString(percentEncode(elems[i].Value))
	}
	write(key)
	// The sequence that carries the most of the elements goes in the path; the rest, query.
	var best []string
	bestN := 0
	for _, seq := range dlKeys[elems[key].AI] {
		n := 0
		for _, a := range seq {
			for _, e := range elems {
				if e.AI == a {
					n++
					break
				}
			}
		}
		if n > bestN {
			best, bestN = seq, n
		}
	}
	for _, a := range best {
		for i, e := range elems {
			if !used[i] && e.AI == a {
				write(i)
				break
			}
		}
	}
	first := true
	for i, e := range elems {
		if used[i] {
			continue
		}
		if first {
			b.WriteByte('?')
			first = false
		} else {
			b.WriteByte('&')
		}
		b.WriteString(e.AI)
		b.WriteByte('=')
		b.WriteString(percentEncode(e.Value))
	}
	return b.String(), nil
}

// percentEncode leaves only RFC 3986 unreserved characters bare: every other set 82 character
// is a delimiter somewhere in a URI, and the Digital Link standard asks for it to be escaped.
func percentEncode(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}
