package hid

// aimNames maps the AIM symbology identifier's code character (ISO/IEC 15424
// "Information technology — Automatic identification and data capture
// techniques — Data carrier identifiers", table 1) to the symbology's name.
// Names follow devices/gs1 where both name the same thing.
var aimNames = [128]string{
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
	'Z': "Non-barcode",
	'd': "Data Matrix",
	'e': "GS1 DataBar",
	'g': "Grid Matrix",
	'h': "Han Xin",
	'o': "OCR",
	'z': "Aztec",
}

// Symbology names the symbology an AIM identifier ("]C1", "]d2") stands for,
// including the GS1 variants the modifier character selects; "" when the
// identifier is malformed or its code character unassigned.
func Symbology(aim string) string {
	if len(aim) != 3 || aim[0] != ']' || aim[1] >= 128 || !isAIMModifier(aim[2]) {
		return ""
	}
	switch aim[1:] {
	case "C1":
		return "GS1-128"
	case "d2":
		return "GS1 DataMatrix"
	case "Q3":
		return "GS1 QR Code"
	case "J1":
		return "GS1 DotCode"
	case "E0":
		return "EAN-13"
	case "E4":
		return "EAN-8"
	case "E1", "E2":
		return "EAN/UPC add-on"
	case "E3":
		return "EAN/UPC with add-on"
	}
	return aimNames[aim[1]]
}

// isAIMModifier reports whether c can be an AIM modifier character: ISO/IEC
// 15424 uses the digits and the upper-case letters.
func isAIMModifier(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'A' && c <= 'Z'
}

// validAIM reports whether b is "]" followed by an assigned code character
// and a modifier.
func validAIM(b0, b1, b2 byte) bool {
	return b0 == ']' && b1 < 128 && aimNames[b1] != "" && isAIMModifier(b2)
}
