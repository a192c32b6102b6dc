package hid

import (
	"fmt"
	"unicode/utf8"
)

// KeyboardReportSize is the boot-protocol keyboard input report (HID 1.11
// appendix B.1): modifiers, a reserved byte, six key usages.
const KeyboardReportSize = 8

// Modifier bits of the report's first byte (HID 1.11 appendix B.1, HID Usage
// Tables 1.12 usages 0xE0-0xE7).
const (
	modLCtrl  = 0x01
	modLShift = 0x02
	modLAlt   = 0x04
	modRCtrl  = 0x10
	modRShift = 0x20
	modRAlt   = 0x40
)

// KeyboardDecoder turns keyboard reports back into the text a keyboard-wedge
// scanner typed. A key types when its usage appears in a report, not while
// it stays held. It understands what scanners send for characters the layout
// has no key for: Ctrl+key for control codes (GS, 0x1D, is Ctrl+]: on US the
// key right of P, on German AltGr+9 with Ctrl), and Alt held while the code
// is typed on the keypad (Alt+0029), as Windows reads them: with a leading 0
// the code is Windows-1252, without it code page 437.
type KeyboardDecoder struct {
	layout     *Layout
	terminator rune
	prev       [6]byte
	prevMods   byte
	text       []byte
	broken     error
	dead       rune
	altCode    int
	altDigits  int
	altLeading bool
}

// NewKeyboardDecoder returns a decoder for a scanner typing in layout that
// ends each scan with terminator ('\r' for Enter, '\t' for Tab, '\n').
func NewKeyboardDecoder(layout *Layout, terminator rune) *KeyboardDecoder {
	return &KeyboardDecoder{layout: layout, terminator: terminator, text: make([]byte, 0, 128)}
}

// Feed takes one report. It returns the scan's text (without the
// terminator; valid until the next Feed) with done=true when the report
// typed the terminator. err (wrapping ErrBadReport) means the report was
// rejected or spoilt the scan it belongs to; the decoder then drops the text
// up to the next terminator, so no part of a spoilt scan is ever reported.
func (d *KeyboardDecoder) Feed(report []byte) (text []byte, done bool, err error) {
	if len(report) != KeyboardReportSize {
		return nil, false, d.spoil(fmt.Errorf("%w: %d bytes, a boot keyboard report has %d", ErrBadReport, len(report), KeyboardReportSize))
	}
	keys := report[2:8]
	if keys[0] == usageRollOver || keys[0] == usagePOSTFail || keys[0] == usageUndefined {
		// Phantom state: the keyboard cannot say which keys are down. It is
		// not a key event; the next real report says what changed.
		return nil, false, nil
	}
	mods := report[0]
	l := d.layout
	ctrlAlt := mods&modLCtrl != 0 && mods&modLAlt != 0
	altGr := l.altGr && (mods&modRAlt != 0 || ctrlAlt)
	ctrl := mods&modRCtrl != 0 || (mods&modLCtrl != 0 && !(l.altGr && mods&modLAlt != 0))
	alt := mods&modLAlt != 0 && !(l.altGr && mods&modLCtrl != 0) || (!l.altGr && mods&modRAlt != 0)
	shift := mods&(modLShift|modRShift) != 0

	var result []byte
	for _, u := range keys {
		if u == 0 || d.wasDown(u) {
			continue
		}
		if err == nil && result == nil {
			result, done, err = d.press(u, shift, altGr, ctrl, alt)
		}
	}
	prevAlt := d.prevAlt()
	d.prev = [6]byte(keys)
	d.prevMods = mods
	if err != nil || done {
		return result, done, err
	}
	if prevAlt && !alt && d.altDigits > 0 {
		return d.finishAltCode()
	}
	return nil, false, nil
}

func (d *KeyboardDecoder) prevAlt() bool {
	m := d.prevMods
	if d.layout.altGr {
		return m&modLAlt != 0 && m&modLCtrl == 0
	}
	return m&(modLAlt|modRAlt) != 0
}

func (d *KeyboardDecoder) wasDown(u byte) bool {
	for _, p := range d.prev {
		if p == u {
			return true
		}
	}
	return false
}

// press handles one newly pressed key.
func (d *KeyboardDecoder) press(u byte, shift, altGr, ctrl, alt bool) ([]byte, bool, error) {
	switch u {
	case usageCapsLock, usageScrollLk, usageNumLock:
		// Scanners toggle lock keys around what they type; they type nothing.
		return nil, false, nil
	}
	if alt && !ctrl && (u >= usageKP1 && u <= usageKP0) {
		digit := int(u-usageKP1) + 1
		if u == usageKP0 {
			digit = 0
		}
		if d.altDigits == 0 {
			d.altLeading = digit == 0
		}
		d.altDigits++
		d.altCode = d.altCode*10 + digit
		if d.altDigits > 4 || d.altCode > 255 {
			return nil, false, d.spoil(fmt.Errorf("%w: Alt+keypad code longer than 4 digits or above 255", ErrBadReport))
		}
		return nil, false, nil
	}
	r, dead := d.layout.Rune(u, shift, altGr)
	if r == 0 {
		return nil, false, d.spoil(fmt.Errorf("%w: key usage 0x%02x (modifiers shift=%v altgr=%v) types nothing in layout %s", ErrBadReport, u, shift, altGr, d.layout.name))
	}
	if ctrl {
		c, ok := controlCode(r)
		if !ok {
			return nil, false, d.spoil(fmt.Errorf("%w: Ctrl+%q is not a control character", ErrBadReport, r))
		}
		r, dead = c, false
	} else if alt {
		return nil, false, d.spoil(fmt.Errorf("%w: Alt+%q is a shortcut, not text", ErrBadReport, r))
	}
	if dead {
		if d.dead != 0 {
			d.emit(d.dead)
		}
		d.dead = r
		return nil, false, nil
	}
	if d.dead != 0 {
		accent := d.dead
		d.dead = 0
		if r == ' ' {
			r = accent
		} else if c, ok := compose(accent, r); ok {
			r = c
		} else {
			d.emit(accent)
		}
	}
	return d.typed(r)
}

// typed adds one character, or ends the scan when it is the terminator.
func (d *KeyboardDecoder) typed(r rune) ([]byte, bool, error) {
	if r != d.terminator {
		d.emit(r)
		return nil, false, nil
	}
	if d.broken != nil {
		d.text, d.broken = d.text[:0], nil
		return nil, false, nil
	}
	text := d.text
	// A CR LF suffix leaves the LF in front of the next scan.
	for len(text) > 0 && (text[0] == '\r' || text[0] == '\n') {
		text = text[1:]
	}
	d.text = d.text[:0]
	if len(text) == 0 {
		return nil, false, nil
	}
	return text, true, nil
}

func (d *KeyboardDecoder) emit(r rune) {
	if d.broken != nil {
		return
	}
	if len(d.text) >= defaultMaxScan {
		d.broken = fmt.Errorf("%w: scan longer than %d bytes", ErrBadReport, defaultMaxScan)
		return
	}
	d.text = utf8.AppendRune(d.text, r)
}

func (d *KeyboardDecoder) finishAltCode() ([]byte, bool, error) {
	code, leading := d.altCode, d.altLeading
	d.altCode, d.altDigits, d.altLeading = 0, 0, false
	var r rune
	switch {
	case code == 0:
		return nil, false, d.spoil(fmt.Errorf("%w: Alt+0 types NUL", ErrBadReport))
	case code < 0x80:
		r = rune(code)
	case leading:
		r = nthRune(cp1252High, code-0x80)
	default:
		r = nthRune(cp437High, code-0x80)
	}
	if r == 0 {
		return nil, false, d.spoil(fmt.Errorf("%w: Alt+0%d is unassigned in Windows-1252", ErrBadReport, code))
	}
	return d.typed(r)
}

// cp1252High is Windows-1252 from 0x80 to 0xFF (0 where unassigned), the
// code page Alt+0nnn types in; cp437High is code page 437 from 0x80, which
// Alt+nnn without the leading 0 types in.
const (
	cp1252High = "€\x00‚ƒ„…†‡ˆ‰Š‹Œ\x00Ž\x00\x00‘’“”•–—˜™š›œ\x00žŸ" +
		"\u00a0¡¢£¤¥¦§¨©ª«¬\u00ad®¯°±²³´µ¶·¸¹º»¼½¾¿ÀÁÂÃÄÅÆÇÈÉÊËÌÍÎÏÐÑÒÓÔÕÖ×ØÙÚÛÜÝÞßàáâãäåæçèéêëìíîïðñòóôõö÷øùúûüýþÿ"
	cp437High = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»" +
		"░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀" +
		"αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0"
)

func nthRune(s string, n int) rune {
	for _, r := range s {
		if n == 0 {
			return r
		}
		n--
	}
	return 0
}

// spoil marks the scan being typed as broken and returns err.
func (d *KeyboardDecoder) spoil(err error) error {
	d.broken = err
	d.text = d.text[:0]
	d.dead, d.altCode, d.altDigits, d.altLeading = 0, 0, 0, false
	return err
}

// controlCode is what Ctrl with a character types: the ASCII control code
// whose value is the character's minus 0x40 (Ctrl+] is GS, 0x1D).
func controlCode(r rune) (rune, bool) {
	switch {
	case r >= 'a' && r <= 'z':
		return r - 'a' + 1, true
	case r >= '@' && r <= '_':
		return r - '@', true
	}
	return 0, false
}
