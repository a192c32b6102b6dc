package ssi

import (
	"fmt"

	"github.com/partsedge/partsedge/devices/gs1"
)

// CodeType is the bar code type byte of a DECODE_DATA packet.
type CodeType byte

// Code types used by name in the package; the full table is codeTypes.
const (
	CodeNotApplicable CodeType = 0x00
	CodeCode39        CodeType = 0x01
	CodeCodabar       CodeType = 0x02
	CodeCode128       CodeType = 0x03
	CodeI2of5         CodeType = 0x06
	CodeCode93        CodeType = 0x07
	CodeUPCA          CodeType = 0x08
	CodeUPCE0         CodeType = 0x09
	CodeEAN8          CodeType = 0x0A
	CodeEAN13         CodeType = 0x0B
	CodeGS1128        CodeType = 0x0F
	CodePDF417        CodeType = 0x11
	CodeDataMatrix    CodeType = 0x1B
	CodeQR            CodeType = 0x1C
	CodeAztec         CodeType = 0x2D
	CodeDataBar14     CodeType = 0x30
	CodeDataBarLtd    CodeType = 0x31
	CodeDataBarExp    CodeType = 0x32
	CodeGS1DataMatrix CodeType = 0xC1
	CodeGS1QR         CodeType = 0xC2
)

type codeTypeInfo struct {
	name string
	// aim is the ISO/IEC 15424 identifier when the code type alone decides
	// it; empty when the modifier depends on scanner settings (check digit
	// handling, Full ASCII, ...) or the symbology has several.
	aim string
}

// codeTypes is the SSI guide's code type table (DECODE_DATA "Bar Code Type").
var codeTypes = [256]codeTypeInfo{
	0x00: {"Not Applicable", ""},
	0x01: {"Code 39", ""},
	0x02: {"Codabar", "]F0"},
	0x03: {"Code 128", "]C0"},
	0x04: {"Discrete 2 of 5", ""},
	0x05: {"IATA 2 of 5", ""},
	0x06: {"Interleaved 2 of 5", ""},
	0x07: {"Code 93", "]G0"},
	0x08: {"UPC-A", "]E0"},
	0x09: {"UPC-E0", "]E0"},
	0x0A: {"EAN-8", "]E4"},
	0x0B: {"EAN-13", "]E0"},
	0x0C: {"Code 11", ""},
	0x0D: {"Code 49", ""},
	0x0E: {"MSI", ""},
	0x0F: {"GS1-128", "]C1"},
	0x10: {"UPC-E1", "]E0"},
	0x11: {"PDF417", ""},
	0x12: {"Code 16K", ""},
	0x13: {"Code 39 Full ASCII", ""},
	0x14: {"UPC-D", ""},
	0x15: {"Trioptic Code 39", ""},
	0x16: {"Bookland EAN", "]E0"},
	0x17: {"Coupon Code", ""},
	0x18: {"NW-7", ""},
	0x19: {"ISBT-128", ""},
	0x1A: {"Micro PDF417", ""},
	0x1B: {"Data Matrix", "]d1"},
	0x1C: {"QR Code", "]Q1"},
	0x1D: {"Micro PDF417 CCA", ""},
	0x1E: {"US Postnet", ""},
	0x1F: {"US Planet", ""},
	0x20: {"Code 32", ""},
	0x21: {"ISBT-128 Concatenated", ""},
	0x22: {"Japan Postal", ""},
	0x23: {"Australia Post", ""},
	0x24: {"Netherlands KIX Code", ""},
	0x25: {"MaxiCode", ""},
	0x26: {"Canadian Postal", ""},
	0x27: {"UK Postal", ""},
	0x28: {"Macro PDF417", ""},
	0x29: {"Macro QR Code", ""},
	0x2C: {"Micro QR Code", ""},
	0x2D: {"Aztec", "]z0"},
	0x2E: {"Aztec Rune", ""},
	0x2F: {"Distance", ""},
	0x30: {"GS1 DataBar", "]e0"},
	0x31: {"GS1 DataBar Limited", "]e0"},
	0x32: {"GS1 DataBar Expanded", "]e0"},
	0x33: {"Parameter (FNC3)", ""},
	0x34: {"USPS 4CB/One Code/Intelligent Mail", ""},
	0x35: {"UPU FICS Postal", ""},
	0x36: {"ISSN EAN", "]E0"},
	0x37: {"Scanlet", ""},
	0x38: {"Cue Code", ""},
	0x39: {"Matrix 2 of 5", ""},
	0x48: {"UPC-A + 2 Supplemental", "]E3"},
	0x49: {"UPC-E0 + 2 Supplemental", "]E3"},
	0x4A: {"EAN-8 + 2 Supplemental", ""},
	0x4B: {"EAN-13 + 2 Supplemental", "]E3"},
	0x50: {"UPC-E1 + 2 Supplemental", "]E3"},
	0x51: {"Composite (CC-A + GS1-128)", ""},
	0x52: {"Composite (CC-A + EAN-13)", ""},
	0x53: {"Composite (CC-A + EAN-8)", ""},
	0x54: {"Composite (CC-A + GS1 DataBar Expanded)", ""},
	0x55: {"Composite (CC-A + GS1 DataBar Limited)", ""},
	0x56: {"Composite (CC-A + GS1 DataBar)", ""},
	0x57: {"Composite (CC-A + UPC-A)", ""},
	0x58: {"Composite (CC-A + UPC-E)", ""},
	0x59: {"Composite (CC-C + GS1-128)", ""},
	0x5A: {"TLC-39", ""},
	0x61: {"Composite (CC-B + GS1-128)", ""},
	0x62: {"Composite (CC-B + EAN-13)", ""},
	0x63: {"Composite (CC-B + EAN-8)", ""},
	0x64: {"Composite (CC-B + GS1 DataBar Expanded)", ""},
	0x65: {"Composite (CC-B + GS1 DataBar Limited)", ""},
	0x66: {"Composite (CC-B + GS1 DataBar)", ""},
	0x67: {"Composite (CC-B + UPC-A)", ""},
	0x68: {"Composite (CC-B + UPC-E)", ""},
	0x69: {"Signature Capture", ""},
	0x72: {"Chinese 2 of 5", ""},
	0x73: {"Korean 3 of 5", ""},
	0x88: {"UPC-A + 5 Supplemental", "]E3"},
	0x89: {"UPC-E0 + 5 Supplemental", "]E3"},
	0x8A: {"EAN-8 + 5 Supplemental", ""},
	0x8B: {"EAN-13 + 5 Supplemental", "]E3"},
	0x90: {"UPC-E1 + 5 Supplemental", "]E3"},
	0x9A: {"Macro Micro PDF417", ""},
	0xB4: {"GS1 DataBar Coupon", ""},
	0xB7: {"Han Xin", ""},
	0xC1: {"GS1 Data Matrix", "]d2"},
	0xC2: {"GS1 QR", "]Q3"},
	0xC3: {"Mailmark", ""},
	0xC4: {"DotCode", ""},
	0xC8: {"Grid Matrix", ""},
}

// Known reports whether the code type is in the SSI guide's table.
func (c CodeType) Known() bool { return codeTypes[c].name != "" }

// Symbology is the code type's name, or "code type 0xNN" when the table does
// not have it.
func (c CodeType) Symbology() string {
	if n := codeTypes[c].name; n != "" {
		return n
	}
	return fmt.Sprintf("code type 0x%02X", byte(c))
}

// AIM is the AIM symbology identifier the code type implies, or "" when the
// code type alone does not decide it.
func (c CodeType) AIM() string { return codeTypes[c].aim }

// aimFamily is the AIM symbology character (the letter after ']') a code
// type's identifier must have: a scanner set to transmit code IDs puts one in
// front of the data, and only a prefix of the right family is taken as one.
func (c CodeType) aimFamily() byte {
	switch c {
	case 0x01, 0x13, 0x20, 0x15:
		return 'A'
	case 0x02, 0x18:
		return 'F'
	case 0x03, 0x0F, 0x19, 0x21:
		return 'C'
	case 0x06:
		return 'I'
	case 0x04:
		return 'S'
	case 0x05:
		return 'R'
	case 0x07:
		return 'G'
	case 0x0C:
		return 'H'
	case 0x0E:
		return 'M'
	case 0x08, 0x09, 0x0A, 0x0B, 0x10, 0x16, 0x36, 0x48, 0x49, 0x4A, 0x4B, 0x50, 0x88, 0x89, 0x8A, 0x8B, 0x90:
		return 'E'
	case 0x11, 0x1A, 0x28, 0x9A:
		return 'L'
	case 0x1B, 0xC1:
		return 'd'
	case 0x1C, 0x29, 0x2C, 0xC2:
		return 'Q'
	case 0x25:
		return 'U'
	case 0x2D, 0x2E:
		return 'z'
	case 0x30, 0x31, 0x32:
		return 'e'
	case 0x12:
		return 'K'
	case 0x0D:
		return 'T'
	}
	return 0
}

// SplitAIM separates an AIM identifier a scanner put in front of the data
// (Transmit Code ID Character set to AIM) from the data. Only a well-formed
// prefix ("]" letter modifier) of the code type's family is taken; with code
// type Not Applicable any well-formed prefix is.
func SplitAIM(c CodeType, data []byte) (aim string, rest []byte) {
	if !gs1.ValidAIM(data) {
		return "", data
	}
	if c != CodeNotApplicable && c.aimFamily() != data[1] {
		return "", data
	}
	return string(data[:gs1.AIMLen]), data[gs1.AIMLen:]
}
