package hid

import "fmt"

// Keyboard usages (HID Usage Tables 1.12, section 10 "Keyboard/Keypad Page
// (0x07)") the decoder treats specially.
const (
	usageRollOver  = 0x01 // ErrorRollOver: too many keys, the report is phantom
	usagePOSTFail  = 0x02
	usageUndefined = 0x03
	usageEnter     = 0x28
	usageTab       = 0x2B
	usageCapsLock  = 0x39
	usageScrollLk  = 0x47
	usageNumLock   = 0x53
	usageKPEnter   = 0x58
	usageKP1       = 0x59 // keypad 1..9 are 0x59..0x61, keypad 0 is 0x62
	usageKP0       = 0x62
	layoutSize     = 0x65 // usages 0x00..0x64 (0x64: the ISO key left of Z)
)

// Dead-key marks in key.dead.
const (
	deadBase uint8 = 1 << iota
	deadShift
	deadAltGr
)

// key is what one key types at each level; 0 where it types nothing.
type key struct {
	base, shift, altGr rune
	dead               uint8
}

// Layout is a keyboard layout: what the host would type for each key usage.
// A keyboard-wedge scanner is set to the layout the host uses; decoding with
// the same layout gives back the characters the scanner meant to type.
type Layout struct {
	name string
	// altGr says the right Alt key is AltGr (the third level), and Ctrl+Alt
	// is too, as on Windows.
	altGr bool
	keys  [layoutSize]key
}

// Name is the layout's name as profiles spell it (framing.layout).
func (l *Layout) Name() string { return l.name }

// Rune returns what the key types with the given modifiers, and whether it is
// a dead key (an accent that combines with the next key).
func (l *Layout) Rune(usage byte, shift, altGr bool) (r rune, dead bool) {
	if int(usage) >= layoutSize {
		return 0, false
	}
	k := l.keys[usage]
	switch {
	case altGr:
		return k.altGr, k.dead&deadAltGr != 0
	case shift:
		return k.shift, k.dead&deadShift != 0
	}
	return k.base, k.dead&deadBase != 0
}

// LayoutByName returns the layout a profile names.
func LayoutByName(name string) (*Layout, error) {
	switch name {
	case "us":
		return LayoutUS(), nil
	case "de":
		return LayoutDE(), nil
	}
	return nil, fmt.Errorf("hid: keyboard layout %q is not known (us, de)", name)
}

// common fills what the US and German layouts share: the keys whose legends
// do not move, and the keypad, read as with Num Lock on.
func common(l *Layout) {
	for i := 0; i < 26; i++ {
		l.keys[0x04+i] = key{base: rune('a' + i), shift: rune('A' + i)}
	}
	l.keys[usageEnter] = key{base: '\r', shift: '\r'}
	l.keys[usageTab] = key{base: '\t', shift: '\t'}
	l.keys[0x2C] = key{base: ' ', shift: ' '}
	l.keys[0x54] = key{base: '/', shift: '/'}
	l.keys[0x55] = key{base: '*', shift: '*'}
	l.keys[0x56] = key{base: '-', shift: '-'}
	l.keys[0x57] = key{base: '+', shift: '+'}
	l.keys[usageKPEnter] = key{base: '\r', shift: '\r'}
	for i := 0; i < 9; i++ {
		l.keys[usageKP1+i] = key{base: rune('1' + i), shift: rune('1' + i)}
	}
	l.keys[usageKP0] = key{base: '0', shift: '0'}
}

// LayoutUS is the US English layout (Windows "US", ANSI 104-key), HID Usage
// Tables 1.12 section 10, whose key names are the US legends.
func LayoutUS() *Layout {
	l := &Layout{name: "us"}
	common(l)
	digits, shifted := "1234567890", "!@#$%^&*()"
	for i := range 10 {
		l.keys[0x1E+i] = key{base: rune(digits[i]), shift: rune(shifted[i])}
	}
	for u, pair := range map[byte]string{
		0x2D: "-_", 0x2E: "=+", 0x2F: "[{", 0x30: "]}", 0x31: `\|`, 0x32: `\|`,
		0x33: ";:", 0x34: `'"`, 0x35: "`~", 0x36: ",<", 0x37: ".>", 0x38: "/?",
		0x64: `\|`,
	} {
		l.keys[u] = key{base: rune(pair[0]), shift: rune(pair[1])}
	}
	l.keys[0x63] = key{base: '.', shift: '.'}
	return l
}

// LayoutDE is the German layout (Windows "German", DIN 2137-1 T1, ISO 105-key):
// Y and Z swapped, umlauts and ß on the US punctuation keys, AltGr for @ € { [
// ] } \ ~ | and the rest, ^ ´ ` as dead keys.
func LayoutDE() *Layout {
	l := &Layout{name: "de", altGr: true}
	common(l)
	l.keys[0x1C] = key{base: 'z', shift: 'Z'} // the key US calls Y
	l.keys[0x1D] = key{base: 'y', shift: 'Y'} // the key US calls Z
	l.keys[0x08].altGr = '€'
	l.keys[0x10].altGr = 'µ'
	l.keys[0x14].altGr = '@'
	digits, shifted := "1234567890", "!\"§$%&/()="
	for i := range 10 {
		l.keys[0x1E+i] = key{base: rune(digits[i]), shift: []rune(shifted)[i]}
	}
	l.keys[0x1F].altGr = '²'
	l.keys[0x20].altGr = '³'
	l.keys[0x24].altGr = '{'
	l.keys[0x25].altGr = '['
	l.keys[0x26].altGr = ']'
	l.keys[0x27].altGr = '}'
	l.keys[0x2D] = key{base: 'ß', shift: '?', altGr: '\\'}
	l.keys[0x2E] = key{base: '´', shift: '`', dead: deadBase | deadShift}
	l.keys[0x2F] = key{base: 'ü', shift: 'Ü'}
	l.keys[0x30] = key{base: '+', shift: '*', altGr: '~'}
	// 0x31 and 0x32 are the same key position (PS/2 scan code 0x2B); German
	// keyboards report 0x32, some scanners 0x31.
	l.keys[0x31] = key{base: '#', shift: '\''}
	l.keys[0x32] = key{base: '#', shift: '\''}
	l.keys[0x33] = key{base: 'ö', shift: 'Ö'}
	l.keys[0x34] = key{base: 'ä', shift: 'Ä'}
	l.keys[0x35] = key{base: '^', shift: '°', dead: deadBase}
	l.keys[0x36] = key{base: ',', shift: ';'}
	l.keys[0x37] = key{base: '.', shift: ':'}
	l.keys[0x38] = key{base: '-', shift: '_'}
	l.keys[0x64] = key{base: '<', shift: '>', altGr: '|'}
	l.keys[0x63] = key{base: ',', shift: ','}
	return l
}

// compose is what a dead key followed by a letter types on Windows' German
// layout; a dead key followed by space types the accent itself.
func compose(accent, r rune) (rune, bool) {
	var from, to string
	switch accent {
	case '^':
		from, to = "aeiouAEIOU", "âêîôûÂÊÎÔÛ"
	case '´':
		from, to = "aeiouyAEIOUY", "áéíóúýÁÉÍÓÚÝ"
	case '`':
		from, to = "aeiouAEIOU", "àèìòùÀÈÌÒÙ"
	default:
		return 0, false
	}
	tr := []rune(to)
	for i, f := range from {
		if f == r {
			return tr[i], true
		}
	}
	return 0, false
}
