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
	case LintCsumAlphaNonDigit:
		if strings.Trim(part, "0123456789") == "" {
			return errf(CodeBadValue, def.AI, off, "%s has no non-digit character", part)
		}
		return lintPart(def, LintCsumAlpha, part, off)
	case LintISO3166:
		if !IsCountryCode(part) {
			return errf(CodeBadCountry, def.AI, off, "%s is not an ISO 3166-1 numeric country code", part)
		}
	case LintISO3166999:
		if part != "999" && !IsCountryCode(part) {
			return errf(CodeBadCountry, def.AI, off, "%s is not an ISO 3166-1 numeric country code or 999", part)
		}
	case LintISO3166List:
		if len(part)%3 != 0 {
			return errf(CodeBadLength, def.AI, off+len(part)-len(part)%3, "country list has %d digits, want a multiple of 3", len(part)+3)
		}
		for i := 0; i < len(part); i += 3 {
			if !IsCountryCode(part[i : i+3]) {
				return errf(CodeBadCountry, def.AI, off+i, "%s is not an ISO 3166-1 numeric country code", part[i:i+3])
			}
		}
	case LintISO3166Alpha2:
		if !IsCountryAlpha2(part) {
			return errf(CodeBadCountry, def.AI, off, "%s is not an ISO 3166-1 alpha-2 country code", part)
		}
	case LintISO4217:
		if !IsCurrencyCode(part) {
			return errf(CodeBadCurrency, def.AI, off, "%s is not an ISO 4217 numeric currency code", part)
		}
	case LintLatitude, LintLongitude:
		limit, what := "1800000000", "latitude"
		if l == LintLongitude {
			limit, what = "3600000000", "longitude"
		}
		if part > limit { // same length, all digits: string order is numeric order
			return errf(CodeBadValue, def.AI, off, "%s %s exceeds %s", what, part, limit)
		}
	case LintIBAN:
		return lintIBAN(def, part, off)
	case LintNoZeroPrefix:
		if len(part) > 1 && part[0] == '0' {
			return errf(CodeBadValue, def.AI, off, "%s has a leading zero", part)
		}
	case LintPcEnc:
		for i := 0; i < len(part); i++ {
			if part[i] == '%' && (i+2 >= len(part) || unhex(part[i+1]) < 0 || unhex(part[i+2]) < 0) {
				return errf(CodeBadValue, def.AI, off+i, "'%%' does not start a %%HH percent-encoding")
			}
		}
	case LintYYYYMMDD:
		// Four-digit year, so the full Gregorian leap year rule applies.
		y := two(part, 0)*100 + two(part, 2)
		mm, dd := two(part, 4), two(part, 6)
		if mm < 1 || mm > 12 {
			return errf(CodeBadDate, def.AI, off+4, "month %s out of range", part[4:6])
		}
		days := daysIn(1, mm)
		if mm == 2 && (y%4 == 0 && y%100 != 0 || y%400 == 0) {
			days = 29
		}
		if dd < 1 || dd > days {
			return errf(CodeBadDate, def.AI, off+6, "day %s out of range for %s-%s", part[6:8], part[:4], part[4:6])
		}
	case LintISO5218:
		if part != "0" && part != "1" && part != "2" && part != "9" {
			return errf(CodeBadValue, def.AI, off, "sex code %s must be 0, 1, 2 or 9 (ISO/IEC 5218)", part)
		}
	case LintPosInSeqSlash:
		return lintPosInSeq(def, part, off)
	case LintMediaType:
		if v := two(part, 0); v < 1 || v > 10 && v < 80 {
			return errf(CodeBadValue, def.AI, off, "AIDC media type %s is not assigned (01-10, 80-99)", part)
		}
	case LintImporterIdx:
		if c := part[0]; !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return errf(CodeBadCharset, def.AI, off, "importer index %q must be one of - 0-9 A-Z _ a-z", c)
		}
	case LintCSet64:
		data := strings.TrimRight(part, "=")
		if i := strings.IndexByte(data, '='); i >= 0 {
			return errf(CodeBadCharset, def.AI, off+i, "'=' is only allowed as padding at the end")
		}
		if pads := len(part) - len(data); pads > 2 || pads > 0 && len(part)%3 != 0 {
			return errf(CodeBadValue, def.AI, off+len(data), "%d padding characters on a value of %d", pads, len(part))
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

// lintIBAN follows ISO 13616-1 as the Syntax Dictionary's iban linter reads it: more than 10
// characters, an alpha-2 country code, then digits and upper case letters whose mod-97 value,
// with the first four characters moved to the end and letters counted as 10-35, is 1.
func lintIBAN(def AIDef, v string, off int) error {
	if len(v) <= 10 {
		return errf(CodeBadLength, def.AI, off, "IBAN has %d characters, too short", len(v))
	}
	if !IsCountryAlpha2(v[:2]) {
		return errf(CodeBadCountry, def.AI, off, "IBAN country %s is not an ISO 3166-1 alpha-2 code", v[:2])
	}
	sum := 0
	for k := 0; k < len(v); k++ {
		i := (k + 4) % len(v)
		c := v[i]
		switch {
		case c >= '0' && c <= '9':
			sum = (sum*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			sum = (sum*100 + int(c-'A') + 10) % 97
		default:
			return errf(CodeBadCharset, def.AI, off+i, "character %q is not allowed in an IBAN", c)
		}
	}
	if sum != 1 {
		return errf(CodeBadCheckDigit, def.AI, off+2, "IBAN check digits %s do not verify", v[2:4])
	}
	return nil
}

// lintPosInSeq checks "pos/end" (AI 7258): both numbers without leading zeros, pos <= end.
func lintPosInSeq(def AIDef, v string, off int) error {
	slash := strings.IndexByte(v, '/')
	p, e := "", ""
	if slash >= 0 {
		p, e = v[:slash], v[slash+1:]
	}
	if p == "" || e == "" || strings.Trim(p, "0123456789") != "" || strings.Trim(e, "0123456789") != "" {
		return errf(CodeBadValue, def.AI, off, "%s is not position/total", v)
	}
	if p[0] == '0' || e[0] == '0' {
		return errf(CodeBadValue, def.AI, off, "%s has a zero or a leading zero", v)
	}
	if len(p) > len(e) || len(p) == len(e) && p > e {
		return errf(CodeBadValue, def.AI, off, "position %s exceeds total %s", p, e)
	}
	return nil
}
