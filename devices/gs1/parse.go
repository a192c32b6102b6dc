package gs1

import (
	"strings"
)

// GS is the ASCII group separator scanners transmit for an FNC1 used as a field separator
// (GenSpecs 7.8).
const GS = 0x1D

// Element is one AI and its value. Its JSON form {"ai":"01","value":"..."} is the CLI contract.
type Element struct {
	AI    string `json:"ai"`
	Value string `json:"value"`
	Title string `json:"-"`
}

// Result is a decoded scan: the AIM symbology identifier, if the scanner sent one, and the
// element strings in the order they were read.
type Result struct {
	AIMID     string    `json:"aimId,omitempty"`
	Symbology string    `json:"symbology,omitempty"`
	Elements  []Element `json:"elements"`
	// AddOn is the 2 or 5 digit EAN/UPC add-on, which carries no AI.
	AddOn string `json:"addOn,omitempty"`
	// Stem is the part of a Digital Link URI before the primary key.
	Stem string `json:"stem,omitempty"`
}

// Parse decodes what a scanner transmitted: an optional AIM symbology identifier, then either
// a GS1 element string (FNC1 separators sent as GS), an EAN/UPC number (]E0, ]E3, ]E4), or a
// GS1 Digital Link URI.
func Parse(data string) (Result, error) {
	if data == "" {
		return Result{}, errf(CodeEmpty, "", 0, "no data")
	}
	var r Result
	off := 0
	if len(data) >= 3 && data[0] == ']' {
		r.AIMID = data[:3]
		off = 3
		if name, ok := gs1AIM(r.AIMID); ok {
			r.Symbology = name
		} else if r.AIMID[1] == 'E' {
			return parseEANUPC(r, data, off)
		} else if isURI(data[off:]) {
			return digitalLinkWithAIM(r.AIMID, data, off)
		} else {
			return r, errf(CodeNotGS1, "", 0, "symbology %s does not carry GS1 element strings", r.AIMID)
		}
	} else if isURI(data) {
		return digitalLinkWithAIM("", data, 0)
	}
	if off < len(data) && data[off] == GS {
		off++ // a leading FNC1 that the scanner passed through rather than turning into ]C1
	}
	elems, err := parseElements(data, off)
	if err != nil {
		return r, err
	}
	r.Elements = elems
	return r, nil
}

// ParseScan is Parse for scanners that report the AIM identifier apart from the data.
func ParseScan(aimID, data string) (Result, error) {
	if aimID != "" && !strings.HasPrefix(data, aimID) {
		data = aimID + data
	}
	return Parse(data)
}

func isURI(s string) bool {
	l := strings.ToLower(s[:min(len(s), 8)])
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

func digitalLinkWithAIM(aim, data string, off int) (Result, error) {
	r, err := parseDigitalLink(data, off)
	if err != nil {
		return r, err
	}
	r.AIMID = aim
	return r, nil
}

// parseEANUPC turns an EAN/UPC scan into AI 01: GenSpecs 3.3.2 treats GTIN-8/12/13 as GTIN-14
// with leading zeros.
func parseEANUPC(r Result, data string, off int) (Result, error) {
	d := data[off:]
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return r, errf(CodeBadCharset, "01", off+i, "character %q in an EAN/UPC number", d[i])
		}
	}
	var gtin string
	switch r.AIMID {
	case "]E0":
		switch len(d) {
		case 13:
			r.Symbology, gtin = "EAN-13", d
		case 12:
			r.Symbology, gtin = "UPC-A", d
		case 8:
			// EAN-8 has its own ]E4, so eight digits under ]E0 are a zero-suppressed UPC-E.
			r.Symbology = "UPC-E"
			if d[0] != '0' && d[0] != '1' {
				return r, errf(CodeBadCharset, "01", off, "UPC-E number system %c is not 0 or 1", d[0])
			}
			gtin = expandUPCE(d)
			if !ValidCheckDigit(gtin) {
				return r, errf(CodeBadCheckDigit, "01", off+7, "check digit %c, want %c", d[7], CheckDigit(gtin[:11]))
			}
		default:
			return r, errf(CodeBadLength, "01", off, "EAN/UPC data has %d digits, want 8, 12 or 13", len(d))
		}
	case "]E4":
		r.Symbology = "EAN-8"
		if len(d) != 8 {
			return r, errf(CodeBadLength, "01", off, "EAN-8 data has %d digits, want 8", len(d))
		}
		gtin = d
	case "]E3":
		r.Symbology = "EAN/UPC with add-on"
		switch len(d) {
		case 15, 18:
			gtin, r.AddOn = d[:13], d[13:]
		case 10, 13:
			if len(d) == 13 {
				// 13 digits alone would be an EAN-13 without add-on, which is ]E0's job.
				return r, errf(CodeBadLength, "01", off, "EAN/UPC with add-on has 13 digits")
			}
			gtin, r.AddOn = d[:8], d[8:]
		default:
			return r, errf(CodeBadLength, "01", off, "EAN/UPC with add-on has %d digits", len(d))
		}
	default:
		return r, errf(CodeNotGS1, "", 0, "symbology %s carries no GTIN", r.AIMID)
	}
	if !ValidCheckDigit(gtin) {
		return r, errf(CodeBadCheckDigit, "01", off+len(gtin)-1, "check digit %c, want %c", gtin[len(gtin)-1], CheckDigit(gtin[:len(gtin)-1]))
	}
	gtin = strings.Repeat("0", 14-len(gtin)) + gtin
	r.Elements = []Element{{AI: "01", Value: gtin, Title: aiTable["01"].Title}}
	return r, nil
}

// expandUPCE turns UPC-E (number system, six digits, check digit) into the UPC-A it stands for
// (GenSpecs 5.2, EAN/UPC symbology): the sixth digit says where the zeros were removed.
func expandUPCE(d string) string {
	ns, m, check := d[:1], d[1:7], d[7:]
	var body string
	switch m[5] {
	case '0', '1', '2':
		body = m[:2] + m[5:6] + "0000" + m[2:5]
	case '3':
		body = m[:3] + "00000" + m[3:5]
	case '4':
		body = m[:4] + "00000" + m[4:5]
	default:
		body = m[:5] + "0000" + m[5:6]
	}
	return ns + body + check
}

// parseElements reads concatenated element strings starting at off (GenSpecs 7.8): an AI, its
// value, and a GS after every value that is neither of predefined length nor the last.
func parseElements(data string, off int) ([]Element, error) {
	if off >= len(data) {
		return nil, errf(CodeEmpty, "", off, "no element strings")
	}
	var elems []Element
	var offs []int
	pos := off
	for pos < len(data) {
		def, ok := matchAI(data[pos:])
		if !ok {
			return nil, errf(CodeUnknownAI, unknownAIText(data[pos:]), pos, "no such application identifier")
		}
		vs := pos + len(def.AI)
		var value string
		next := 0
		if def.Fixed() {
			end := vs + def.MaxLen()
			if end > len(data) {
				return nil, errf(CodeBadLength, def.AI, vs, "value has %d characters, want %d", len(data)-vs, def.MaxLen())
			}
			value = data[vs:end]
			if i := strings.IndexByte(value, GS); i >= 0 {
				return nil, errf(CodeBadLength, def.AI, vs, "value has %d characters, want %d", i, def.MaxLen())
			}
			next = end
			switch {
			case next == len(data):
			case data[next] == GS:
				// A separator after a predefined-length AI is superfluous but harmless.
				next++
			case !def.Predefined:
				return nil, errf(CodeMissingSeparator, def.AI, next, "AI %s is not of predefined length and must be followed by FNC1", def.AI)
			}
		} else {
			end := strings.IndexByte(data[vs:], GS)
			if end < 0 {
				end = len(data)
				next = end
			} else {
				end += vs
				next = end + 1
			}
			value = data[vs:end]
			if len(value) > def.MaxLen() {
				return nil, errf(CodeBadLength, def.AI, vs, "value has %d characters, want at most %d (missing FNC1 separator?)", len(value), def.MaxLen())
			}
		}
		if err := validateValue(def, value, vs); err != nil {
			return nil, err
		}
		elems = append(elems, Element{AI: def.AI, Value: value, Title: def.Title})
		offs = append(offs, pos)
		pos = next
	}
	if err := checkCombinations(elems, offs); err != nil {
		return nil, err
	}
	return elems, nil
}
