package hid

import "github.com/partsedge/partsedge/devices/gs1"

// validAIM reports whether b0 b1 b2 is an AIM symbology identifier hid
// takes. A HID scan carries the identifier in-band with nothing around it to
// confirm it, so hid is stricter than gs1.ValidAIM: the code character must
// be one the table names and the modifier a digit or an upper-case letter,
// the characters ISO/IEC 15424 assigns as modifiers.
func validAIM(b0, b1, b2 byte) bool {
	return b0 == ']' && gs1.CodeCharacter(b1) != "" && (b2 >= '0' && b2 <= '9' || b2 >= 'A' && b2 <= 'Z')
}
