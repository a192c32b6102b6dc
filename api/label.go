package api

import (
	"fmt"
	"strings"

	"github.com/partsedge/partsedge/inventory"
)

// FNC1 as a scanner transmits it in a GS1-128 symbol's data: the symbol's
// leading FNC1 is the symbology identifier ]C1.
const gs1SymbologyID = "]C1"

// GS1ElementString is what a scanner reads from the SSCC label's GS1-128
// symbol: the symbology identifier ]C1 (the leading FNC1) and AI 00 with
// the 18 digits. AI 00 is of fixed length, so no separator follows.
func GS1ElementString(sscc string) string { return gs1SymbologyID + "00" + sscc }

// zplText keeps field data free of ZPL's command characters; the label
// carries codes and depot ids, which never need them.
func zplText(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '^' || r == '~' || r < ' ' {
			return ' '
		}
		return r
	}, s)
}

// ZPLLabel is a 4x6 inch (812x1218 dots at 203 dpi) SSCC shipping label in
// ZPL II. The bar code is Code 128 with field data ">;>800<sscc>": ">;"
// starts subset C (the 20 digits pack in pairs) and ">8" is FNC1, which in
// first position makes the symbol GS1-128 (ZPL II Programming Guide, ^BC,
// "Code 128 Invocation Characters" and the UCC/EAN-128 example). The
// printer's own interpretation line is off (f=N) and mode is N: the human
// readable line is a separate field with the AI in parentheses, as the GS1
// logistic label guideline lays it out, and the check digit is the SSCC's
// own, so the printer adds none (e=N).
func ZPLLabel(t inventory.TransferInfo) string {
	sscc := t.SSCC
	var units int64
	for _, l := range t.Manifest {
		units += l.Qty
	}
	var b strings.Builder
	b.WriteString("^XA\n^CI28\n^PW812\n^LL1218\n^LH0,0\n")
	fmt.Fprintf(&b, "^FO40,40^A0N,40,40^FDFROM: %s^FS\n", zplText(t.From))
	fmt.Fprintf(&b, "^FO40,100^A0N,40,40^FDTO: %s^FS\n", zplText(t.To))
	fmt.Fprintf(&b, "^FO40,180^A0N,30,30^FDTRANSFER: %s^FS\n", zplText(t.Number))
	fmt.Fprintf(&b, "^FO40,230^A0N,30,30^FDLINES: %d  UNITS: %d^FS\n", len(t.Manifest), units)
	b.WriteString("^FO40,300^GB732,3,3^FS\n")
	fmt.Fprintf(&b, "^FO40,340^A0N,34,34^FDSSCC^FS\n")
	fmt.Fprintf(&b, "^FO60,400^BY3^BCN,250,N,N,N,N^FD>;>800%s^FS\n", sscc)
	fmt.Fprintf(&b, "^FO100,680^A0N,44,44^FD(00) %s^FS\n", sscc)
	b.WriteString("^XZ\n")
	return b.String()
}
