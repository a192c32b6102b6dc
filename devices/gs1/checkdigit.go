package gs1

// CheckDigit returns the GS1 mod-10 check digit (as an ASCII digit) for digits, which must not
// include the check digit itself (GenSpecs 7.9.1). Weights run 3,1,3,... from the rightmost
// digit, so the same routine serves GTIN-8/12/13/14, GLN, SSCC, GSIN and GSRN. It returns 0 when
// digits holds a non-digit.
func CheckDigit(digits string) byte {
	sum := 0
	w := 3
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0
		}
		sum += int(c-'0') * w
		w = 4 - w
	}
	return byte('0' + (10-sum%10)%10)
}

// ValidCheckDigit reports whether s is all digits, at least two long, and ends with the correct
// GS1 mod-10 check digit.
func ValidCheckDigit(s string) bool {
	if len(s) < 2 {
		return false
	}
	c := s[len(s)-1]
	if c < '0' || c > '9' {
		return false
	}
	return CheckDigit(s[:len(s)-1]) == c
}
