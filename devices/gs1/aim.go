package gs1

// AIM symbology identifiers (ISO/IEC 15424 "Information technology -
// Automatic identification and data capture techniques - Data carrier
// identifiers"): a flag character ']', a code character naming the symbology
// and a modifier character for its options. The code characters are those of
// ISO/IEC 15424 table 1; the modifiers named here are the ones the GS1
// General Specifications (section 5, "symbology identifiers" of each data
// carrier) assign. Scanner manuals (e.g. Honeywell Xenon 1900/1902 User's
// Guide, appendix A "Symbology Charts") list the same identifiers.
//
// The table lives here, with the GS1 parser, because the parser decides from
// the identifier whether the data is a GS1 element string; every scanner
// driver names symbologies from the same table so a scan reads the same
// whichever scanner took it.

// AIMLen is the length of an AIM symbology identifier: flag, code character,
// modifier.
const AIMLen = 3

const aimFlag = ']'

// aimCodeChars names the symbology behind each ISO/IEC 15424 code character.
// Indexed by the byte; an empty entry is a letter with no assignment.
var aimCodeChars = [128]string{
	'A': "Code 39",
	'B': "Telepen",
	'C': "Code 128",
	'D': "Code One",
	'E': "EAN/UPC",
	'F': "Codabar",
	'G': "Code 93",
	'H': "Code 11",
	'I': "Interleaved 2 of 5",
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
	'g': "Grid Matrix",
	'h': "Han Xin",
	'o': "OCR",
	'p': "PosiCode",
	's': "SuperCode",
	'z': "Aztec",
}

// aimModifier is what a whole identifier means when its modifier changes
// what the data is.
type aimModifier struct {
	name string
	// gs1 is set when the data under the identifier is a GS1 element string
	// (FNC1 in first position), which is what Parse reads as AIs.
	gs1 bool
}

// aimModifiers names the identifiers whose modifier changes what the data
// is: the GS1 ones and the EAN/UPC family, whose modifier says which symbol
// it was. Names follow the GS1 General Specifications.
var aimModifiers = map[string]aimModifier{
	"]C1": {"GS1-128", true},
	"]d2": {"GS1 DataMatrix", true},
	"]Q3": {"GS1 QR Code", true},
	"]e0": {"GS1 DataBar", true},
	"]J1": {"GS1 DotCode", true},
	"]E0": {"EAN/UPC", false},
	"]E1": {"EAN/UPC 2-digit add-on", false},
	"]E2": {"EAN/UPC 5-digit add-on", false},
	"]E3": {"EAN/UPC with add-on", false},
	"]E4": {"EAN-8", false},
	"]I1": {"Interleaved 2 of 5 (check digit verified)", false},
	"]X0": {"Other", false},
	"]Z0": {"Non-barcode", false},
}

func isAIMLetter(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' }

func isAIMModifier(c byte) bool { return c >= '0' && c <= '9' || isAIMLetter(c) }

// ValidAIM reports whether s starts with a well-formed symbology identifier:
// ']', a letter (ISO/IEC 15424 reserves letters for code characters, so an
// identifier this table has no name for is still well-formed) and a modifier
// digit or letter. It takes bytes too so a framer can check a frame without
// copying it.
func ValidAIM[S ~string | ~[]byte](s S) bool {
	return len(s) >= AIMLen && s[0] == aimFlag && isAIMLetter(s[1]) && isAIMModifier(s[2])
}

// ParseAIM splits a scan into its symbology identifier, the symbology's name
// and the data after the identifier. ok is false when s does not start with
// a well-formed identifier; rest is then s.
func ParseAIM(s string) (aimID, symbology, rest string, ok bool) {
	if !ValidAIM(s) {
		return "", "", s, false
	}
	return s[:AIMLen], Symbology(s[:AIMLen]), s[AIMLen:], true
}

// Symbology names the symbology of an AIM identifier ("]C1" is "GS1-128",
// "]C0" is "Code 128"); "" when the identifier is not well-formed or its
// code character has no assignment.
func Symbology(aimID string) string {
	if len(aimID) != AIMLen || !ValidAIM(aimID) {
		return ""
	}
	if m, ok := aimModifiers[aimID]; ok {
		return m.name
	}
	return aimCodeChars[aimID[1]]
}

// CodeCharacter names the symbology an ISO/IEC 15424 code character stands
// for, whatever the modifier; "" when the character has no assignment. It
// lets a driver accept only identifiers of known symbologies.
func CodeCharacter(c byte) string {
	if c >= byte(len(aimCodeChars)) {
		return ""
	}
	return aimCodeChars[c]
}

// gs1AIM names the symbology of an identifier under which the data is a GS1
// element string; ok is false for every other identifier.
func gs1AIM(aimID string) (symbology string, ok bool) {
	m, ok := aimModifiers[aimID]
	if !ok || !m.gs1 {
		return "", false
	}
	return m.name, true
}
