package gs1

import (
	"errors"
	"strings"
)

// validateValue checks value against def; off is the byte offset of value in the input so the
// error can point at the offending character.
func validateValue(def AIDef, value string, off int) error {
	if len(value) < def.MinLen() || len(value) > def.MaxLen() {
		return errf(CodeBadLength, def.AI, off, "value has %d characters, want %s", len(value), lengthText(def))
	}
	pos := 0
	for i, p := range def.Parts {
		l := p.Max
		if i == len(def.Parts)-1 || pos+l > len(value) {
			l = len(value) - pos
		}
		part := value[pos : pos+l]
		for j := 0; j < len(part); j++ {
			if !inCharset(p.Charset, part[j]) {
				return errf(CodeBadCharset, def.AI, off+pos+j, "character %q is not in character set %s", part[j], p.Charset)
			}
		}
		if p.CheckDigit && !ValidCheckDigit(part) {
			return errf(CodeBadCheckDigit, def.AI, off+pos+l-1, "check digit %c, want %c", part[l-1], CheckDigit(part[:l-1]))
		}
		if err := lintPart(def, p.Lint, part, off+pos); err != nil {
			return err
		}
		pos += l
	}
	if def.Date != NoDate {
		return validateDate(def, value, off)
	}
	return nil
}

// validateAt validates a value that was unescaped from the input: at[i] is the input offset of
// value byte i and end the offset just past the raw value, so errors still point at the input.
func validateAt(def AIDef, value string, at []int, end int) error {
	err := validateValue(def, value, 0)
	var e *Error
	if errors.As(err, &e) {
		if e.Offset < len(at) {
			e.Offset = at[e.Offset]
		} else {
			e.Offset = end
		}
	}
	return err
}

func lengthText(def AIDef) string {
	if def.Fixed() {
		return itoa(def.MaxLen())
	}
	return itoa(def.MinLen()) + ".." + itoa(def.MaxLen())
}

func two(s string, i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }

func validateDate(def AIDef, v string, off int) error {
	switch def.Date {
	case DateYYMMD0, DateYYMMDD:
		return checkYYMMDD(def, v, off, def.Date == DateYYMMD0)
	case DateRange:
		if len(v) != 6 && len(v) != 12 {
			return errf(CodeBadLength, def.AI, off, "value has %d digits, want 6 or 12", len(v))
		}
		if err := checkYYMMDD(def, v[:6], off, false); err != nil {
			return err
		}
		if len(v) == 12 {
			return checkYYMMDD(def, v[6:], off+6, false)
		}
	case DateTime:
		if len(v)%2 != 0 || len(v) < 8 || len(v) > 12 {
			return errf(CodeBadLength, def.AI, off, "value has %d digits, want YYMMDDHH[MM[SS]]", len(v))
		}
		if err := checkYYMMDD(def, v[:6], off, false); err != nil {
			return err
		}
		if two(v, 6) > 23 {
			return errf(CodeBadDate, def.AI, off+6, "hour %s out of range", v[6:8])
		}
		for i := 8; i < len(v); i += 2 {
			if two(v, i) > 59 {
				return errf(CodeBadDate, def.AI, off+i, "minute or second %s out of range", v[i:i+2])
			}
		}
	}
	return nil
}

// checkYYMMDD accepts 29 February only in years divisible by four: within the 7.12 century
// window of any date this century that is exactly the Gregorian rule.
func checkYYMMDD(def AIDef, v string, off int, dayZero bool) error {
	yy, mm, dd := two(v, 0), two(v, 2), two(v, 4)
	if mm < 1 || mm > 12 {
		return errf(CodeBadDate, def.AI, off+2, "month %s out of range", v[2:4])
	}
	if dd == 0 {
		if dayZero {
			return nil
		}
		return errf(CodeBadDate, def.AI, off+4, "day 00 is not allowed for this AI")
	}
	if dd > daysIn(yy, mm) {
		return errf(CodeBadDate, def.AI, off+4, "day %s out of range for month %s", v[4:6], v[2:4])
	}
	return nil
}

func daysIn(yy, mm int) int {
	switch mm {
	case 2:
		if yy%4 == 0 {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func lintPart(def AIDef, l Lint, part string, off int) error {
	switch l {
	case LintZero:
		if part != "0" {
			return errf(CodeBadValue, def.AI, off, "digit %s must be 0", part)
		}
	case LintYesNo:
		if part != "0" && part != "1" {
			return errf(CodeBadValue, def.AI, off, "flag %s must be 0 or 1", part)
		}
	case LintHyphen:
		if part != "" && part != "-" {
			return errf(CodeBadValue, def.AI, off, "sign %s must be '-'", part)
		}
	case LintNonZero:
		if strings.Trim(part, "0") == "" {
			return errf(CodeBadValue, def.AI, off, "%s must not be zero", part)
		}
	case LintWinding:
		if part != "0" && part != "1" && part != "9" {
			return errf(CodeBadValue, def.AI, off, "winding direction %s must be 0, 1 or 9", part)
		}
	case LintPieceOfTotal:
		piece, total := two(part, 0), two(part, 2)
		if piece == 0 || total == 0 || piece > total {
			return errf(CodeBadValue, def.AI, off, "piece %02d of %02d is not a piece of the total", piece, total)
		}
	case LintCsumAlpha:
		n := len(part) - 2
		if want := CheckCharacterPair(part[:n]); want != part[n:] {
			return errf(CodeBadCheckDigit, def.AI, off+n, "check characters %s, want %s", part[n:], want)
		}
	case LintHHMM:
		if part == "" {
			return nil
		}
		if len(part) != 4 {
			return errf(CodeBadLength, def.AI, off, "time has %d digits, want HHMM", len(part))
		}
		if two(part, 0) > 23 || two(part, 2) > 59 {
			return errf(CodeBadDate, def.AI, off, "time %s out of range", part)
		}
	}
	return nil
}
