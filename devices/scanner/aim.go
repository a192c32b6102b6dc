// Package scanner speaks to barcode scanners that send each scan as text on
// a serial line (RS-232, or USB in CDC-ACM/virtual COM mode): the codec named
// "serial-scanner".
//
// A scan on the wire is, in this order (Framing in the profile says which
// parts are there):
//
//	[STX 0x02] [prefix] []cm AIM symbology identifier] data [suffix] [ETX 0x03]
//
// The framer also takes the suffix after the ETX (some scanners send the
// "record suffix" last), so either order of suffix and ETX is read.
//
// The AIM symbology identifier is ISO/IEC 15424 ("Information technology -
// Automatic identification and data capture techniques - Data Carrier
// Identifiers"): a flag character ']', a code character naming the
// symbology and a modifier character for its options. The code characters
// and the GS1 modifiers below are those of ISO/IEC 15424 and of the GS1
// General Specifications (section 5, "symbology identifiers" of each data
// carrier); the scanner manuals (e.g. Honeywell Xenon 1900/1902 User's
// Guide, appendix A "Symbology Charts") list the same identifiers.
package scanner

// AIM symbology identifier layout (ISO/IEC 15424 clause 5).
const (
	aimFlag = ']'
	aimLen  = 3
)

// codeChars names the symbology behind each ISO/IEC 15424 code character.
// Indexed by the byte; an empty entry is a letter with no assignment here.
var codeChars = [128]string{
	'A': "Code 39",
	'B': "Telepen",
	'C': "Code 128",
	'D': "Code One",
	'E': "EAN/UPC",
	'F': "Codabar",
	'G': "Code 93",
	'H': "Code 11",
	'I': "ITF",
	'J': "DotCode",
	'K': "Code 16K",
	'L': "PDF417",
	'M': "MSI",
	'N': "Anker",
	'O': "Codablock",
	'P': "Plessey",
	'Q': "QR Code",
	'R': "Straight 2 of 5 (2-bar start/stop)",
	'S': "Straight 2 of 5 (3-bar start/stop)",
	'T': "Code 49",
	'U': "MaxiCode",
	'X': "Other",
	'Y': "System expansion",
	'Z': "Non-barcode",
	'c': "Channel Code",
	'd': "Data Matrix",
	'e': "GS1 DataBar",
	'h': "Han Xin",
	'o': "OCR",
	'p': "PosiCode",
	's': "SuperCode",
	'z': "Aztec",
}

// withModifier names the identifiers whose modifier changes what the data
// is: the GS1 ones (the data is a GS1 element string, FNC1 in first
// position) and the EAN/UPC family, whose modifier says which symbol it was.
var withModifier = map[string]string{
	"]C1": "GS1-128",
	"]d2": "GS1 DataMatrix",
	"]Q3": "GS1 QR Code",
	"]e0": "GS1 DataBar",
	"]J1": "GS1 DotCode",
	"]E0": "EAN/UPC",
	"]E1": "EAN/UPC 2-digit add-on",
	"]E2": "EAN/UPC 5-digit add-on",
	"]E3": "EAN/UPC with add-on",
	"]E4": "EAN-8",
	"]I1": "ITF (check digit verified)",
	"]X0": "Other",
	"]Z0": "Non-barcode",
}

func isLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func isModifier(c byte) bool { return c >= '0' && c <= '9' || isLetter(c) }

// ValidAIM reports whether s starts with a well-formed symbology identifier:
// ']', a letter (ISO/IEC 15424 reserves letters for code characters, so an
// identifier this package has no name for is still well-formed) and a
// modifier digit or letter.
func ValidAIM(s string) bool { return validAIM(s) }

func validAIM[T string | []byte](s T) bool {
	return len(s) >= aimLen && s[0] == aimFlag && isLetter(s[1]) && isModifier(s[2])
}

// ParseAIM splits a scan into its symbology identifier, the symbology's name
// and the data after the identifier. ok is false when s does not start with
// a well-formed identifier; rest is then s.
func ParseAIM(s string) (aimID, symbology, rest string, ok bool) {
	if !ValidAIM(s) {
		return "", "", s, false
	}
	return s[:aimLen], Symbology(s[:aimLen]), s[aimLen:], true
}

// Symbology names the symbology of an AIM identifier ("]C1" is "GS1-128",
// "]C0" is "Code 128"); "" when the identifier is not well-formed or its
// code character has no assignment.
func Symbology(aimID string) string {
	if len(aimID) != aimLen || !ValidAIM(aimID) {
		return ""
	}
	if name, ok := withModifier[aimID]; ok {
		return name
	}
	return codeChars[aimID[1]]
}
