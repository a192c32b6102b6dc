package gs1

import "strings"

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

// CheckCharacterPair returns the two check characters that end an alphanumeric key such as a
// GMN (GenSpecs 7.9.5): each set 82 character's position in the set, weighted from the right by
// the primes 2, 3, 5, ..., summed modulo 1021 and written as two characters of a 32-character
// set that omits look-alikes (0, 1, I, O). It returns "" for input it cannot weigh: characters
// outside set 82, or more than 23 of them.
func CheckCharacterPair(s string) string {
	const set82 = "!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz"
	const set32 = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
	primes := [...]int{2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83}
	if len(s) > len(primes) {
		return ""
	}
	sum := 0
	for i := 0; i < len(s); i++ {
		v := strings.IndexByte(set82, s[len(s)-1-i])
		if v < 0 {
			return ""
		}
		sum += v * primes[i]
	}
	sum %= 1021
	return string([]byte{set32[sum/32], set32[sum%32]})
}
