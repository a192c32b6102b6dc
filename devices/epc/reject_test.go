package epc

import (
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// binHex lays out (value, width) pairs MSB first into a buffer of size bytes;
// it lets each rejection case state exactly which field is wrong.
func binHex(size int, fields ...uint64) string {
	w := bitWriter{buf: make([]byte, size)}
	for i := 0; i+1 < len(fields); i += 2 {
		w.write(fields[i], int(fields[i+1]))
	}
	return strings.ToUpper(hex.EncodeToString(w.buf))
}

func TestRejections(t *testing.T) {
	const goodSGTIN = "3074257BF7194E4000001A85"
	sgtin198 := func(chars ...uint64) string {
		f := []uint64{0x36, 8, 3, 3, 5, 3, 614141, 24, 812345, 20}
		for _, c := range chars {
			f = append(f, c, 7)
		}
		return binHex(26, f...)
	}
	decodes := []struct {
		name, in string
		code     Code
		field    string
	}{
		{"non-hex character", "3074257BF7194E4000001A8G", BadHex, "hex"},
		{"odd digit count", "3074257BF7194E4000001A8", BadHex, "hex"},
		{"0x prefix", "0x3074257BF7194E4000001A85", BadHex, "hex"},
		{"empty", "", BadLength, "hex"},
		{"only spaces", "  \n", BadLength, "hex"},
		{"sgtin-96 short", goodSGTIN[:22], BadLength, "hex"},
		{"sgtin-96 long", goodSGTIN + "0000", BadLength, "hex"},
		{"sgtin-96 far too long", goodSGTIN + strings.Repeat("00", 40), BadLength, "hex"},
		{"sgtin-198 without word padding", "3674257BF6B7A659B2C2BF1000000000000000000000000000", BadLength, "hex"},
		{"sgln-96", "3274257BF7194E4000001A85", UnsupportedScheme, "header"},
		{"unprogrammed", "000000000000000000000000", UnsupportedScheme, "header"},
		{"unassigned header", "0174257BF7194E4000001A85", UnsupportedScheme, "header"},
		{"unassigned header, long", strings.Repeat("01", 40), UnsupportedScheme, "header"},
		{"partition 7", binHex(12, 0x30, 8, 3, 3, 7, 3), BadPartition, "partition"},
		{"company prefix of 12 digits above 999999999999", binHex(12, 0x30, 8, 3, 3, 0, 3, 1_000_000_000_000, 40), BadCompanyPrefix, "companyPrefix"},
		{"company prefix of 6 digits above 999999", binHex(12, 0x30, 8, 3, 3, 6, 3, 1_000_000, 20), BadCompanyPrefix, "companyPrefix"},
		{"item reference above 1 digit", binHex(12, 0x30, 8, 3, 3, 0, 3, 614141, 40, 10, 4), BadReference, "itemReference"},
		{"serial reference above 5 digits", binHex(12, 0x31, 8, 3, 3, 0, 3, 614141, 40, 100000, 18), BadReference, "serialReference"},
		{"grai asset type beside 12-digit prefix not zero", binHex(12, 0x33, 8, 3, 3, 0, 3, 614141, 40, 1, 4, 1, 38), BadReference, "assetType"},
		{"sscc reserved bits set", "3174257BF4499602D2000001", BadPadding, "padding"},
		{"sgtin-198 word padding set", sgtin198('1')[:51] + "1", BadPadding, "padding"},
		{"sgtin-198 empty serial", sgtin198(), SerialOutOfRange, "serial"},
		{"sgtin-198 character outside set 82", sgtin198('a', ' ', 'b'), BadCharacter, "serial"},
		{"sgtin-198 DEL", sgtin198(0x7F), BadCharacter, "serial"},
		{"sgtin-198 character after terminator", sgtin198('a', 0, 'b'), BadCharacter, "serial"},
		{"giai-202 longer than 30 - prefix digits", binHex(26, append([]uint64{0x38, 8, 3, 3, 0, 3, 614141, 40}, repeatChar('A', 19)...)...), SerialOutOfRange, "individualAssetReference"},
		{"giai-202 bit after last character", binHex(26, 0x38, 8, 3, 3, 5, 3, 614141, 24, 'A', 7, 0, 154, 1, 1), BadPadding, "individualAssetReference"},
	}
	for _, c := range decodes {
		t.Run("decode/"+c.name, func(t *testing.T) {
			tag, err := Decode(c.in)
			checkErr(t, err, c.code, c.field)
			if err == nil {
				t.Errorf("accepted as %s", tag)
			}
		})
	}

	uris := []struct {
		name, in string
		code     Code
		field    string
	}{
		{"not urn:epc", "urn:isbn:0451450523", BadURI, "uri"},
		{"upper-case scheme part", "URN:EPC:ID:SGTIN:0614141.812345.6789", BadURI, "uri"},
		{"raw uri", "urn:epc:raw:96.x3074257BF7194E4000001A85", BadURI, "uri"},
		{"no fields", "urn:epc:id:sgtin", BadURI, "uri"},
		{"too few fields", "urn:epc:id:sgtin:0614141.812345", BadURI, "uri"},
		{"tag uri without fields", "urn:epc:tag:sgtin-96:3", BadURI, "uri"},
		{"truncated escape", "urn:epc:id:sgtin:0614141.812345.ab%2", BadURI, "serial"},
		{"bad escape", "urn:epc:id:sgtin:0614141.812345.ab%G1", BadURI, "serial"},
		{"signed escape", "urn:epc:id:sgtin:0614141.812345.ab%+1", BadURI, "serial"},
		{"sgln pure", "urn:epc:id:sgln:0614141.12345.400", UnsupportedScheme, "uri"},
		{"sgtin-64", "urn:epc:tag:sgtin-64:3.0614141.812345.6789", UnsupportedScheme, "uri"},
		{"filter 8", "urn:epc:tag:sgtin-96:8.0614141.812345.6789", BadFilter, "filter"},
		{"filter two digits", "urn:epc:tag:sgtin-96:03.0614141.812345.6789", BadFilter, "filter"},
		{"filter letter", "urn:epc:tag:sgtin-96:x.0614141.812345.6789", BadFilter, "filter"},
		{"prefix 5 digits", "urn:epc:id:sgtin:06141.81234567.6789", BadCompanyPrefix, "companyPrefix"},
		{"prefix 13 digits", "urn:epc:id:giai:0614141000000.1", BadCompanyPrefix, "companyPrefix"},
		{"prefix not digits", "urn:epc:id:sscc:061414A.1234567890", BadCompanyPrefix, "companyPrefix"},
		{"item reference short", "urn:epc:id:sgtin:0614141.81234.6789", BadReference, "itemReference"},
		{"serial reference long", "urn:epc:id:sscc:0614141.12345678901", BadReference, "serialReference"},
		{"sscc extra field", "urn:epc:id:sscc:0614141.1234567890.1", BadReference, "serialReference"},
		{"asset type not digits", "urn:epc:id:grai:0614141.1234A.1", BadReference, "assetType"},
		{"sgtin-96 serial too big", "urn:epc:tag:sgtin-96:3.0614141.812345.274877906944", SerialOutOfRange, "serial"},
		{"grai-96 serial too big", "urn:epc:tag:grai-96:3.0614141.12345.99999999999999999999", SerialOutOfRange, "serial"},
		{"giai-96 asset too big", "urn:epc:tag:giai-96:3.061414100000.4398046511104", SerialOutOfRange, "individualAssetReference"},
		{"sgtin-198 serial 21 chars", "urn:epc:tag:sgtin-198:3.0614141.812345." + strings.Repeat("x", 21), SerialOutOfRange, "serial"},
		{"grai pure serial 17 chars", "urn:epc:id:grai:0614141.12345." + strings.Repeat("x", 17), SerialOutOfRange, "serial"},
		{"giai pure 31 chars", "urn:epc:id:giai:0614141." + strings.Repeat("x", 24), SerialOutOfRange, "individualAssetReference"},
		{"empty serial", "urn:epc:id:sgtin:0614141.812345.", SerialOutOfRange, "serial"},
		{"sgtin-96 leading zero", "urn:epc:tag:sgtin-96:3.0614141.812345.06789", SerialLeadingZero, "serial"},
		{"giai-96 leading zero", "urn:epc:tag:giai-96:3.0614141.05678", SerialLeadingZero, "individualAssetReference"},
		{"sgtin-96 alphanumeric serial", "urn:epc:tag:sgtin-96:3.0614141.812345.67A9", BadCharacter, "serial"},
		{"sgtin-96 escaped digit", "urn:epc:tag:sgtin-96:3.0614141.812345.%36789", BadCharacter, "serial"},
		{"unescaped slash", "urn:epc:id:sgtin:0614141.812345.32a/b", BadCharacter, "serial"},
		{"space", "urn:epc:id:sgtin:0614141.812345.32a b", BadCharacter, "serial"},
		{"escaped space", "urn:epc:id:sgtin:0614141.812345.32a%20b", BadCharacter, "serial"},
		{"non-ascii", "urn:epc:id:giai:0614141.caf\u00e9", BadCharacter, "individualAssetReference"},
	}
	for _, c := range uris {
		t.Run("uri/"+c.name, func(t *testing.T) {
			tag, err := ParseURI(c.in)
			checkErr(t, err, c.code, c.field)
			if err == nil {
				t.Errorf("accepted as %s", tag)
			}
		})
	}

	pure := Tag{Kind: KindSGTIN, CompanyPrefix: "0614141", Reference: "812345", Serial: "0123"}
	others := []struct {
		name  string
		err   func() error
		code  Code
		field string
	}{
		{"EncodeAs filter 8", func() error { _, err := pure.EncodeAs(SGTIN198, 8); return err }, BadFilter, "filter"},
		{"EncodeAs filter -1", func() error { _, err := pure.EncodeAs(SGTIN198, -1); return err }, BadFilter, "filter"},
		{"EncodeAs leading zero", func() error { _, err := pure.EncodeAs(SGTIN96, 1); return err }, SerialLeadingZero, "serial"},
		{"EncodeAs wrong kind", func() error { _, err := pure.EncodeAs(SSCC96, 1); return err }, UnsupportedScheme, "scheme"},
		{"EncodeAs unknown scheme", func() error { _, err := pure.EncodeAs("sgtin-64", 1); return err }, UnsupportedScheme, "scheme"},
		{"Encode pure", func() error { _, err := Encode(pure); return err }, UnsupportedScheme, "scheme"},
		{"Encode unknown kind", func() error { _, err := Encode(Tag{Scheme: SGTIN96, Kind: "gid"}); return err }, UnsupportedScheme, "kind"},
		{"FromGS1 check digit", func() error { _, err := FromGS1("80614141123459", "1", 7, 3); return err }, BadCheckDigit, "gtin"},
		{"FromGS1 13 digits", func() error { _, err := FromGS1("0614141123458", "1", 7, 3); return err }, BadReference, "gtin"},
		{"FromGS1 prefix length 5", func() error { _, err := FromGS1("80614141123458", "1", 5, 3); return err }, BadCompanyPrefix, "companyPrefix"},
		{"FromGS1 prefix length 13", func() error { _, err := FromGS1("80614141123458", "1", 13, 3); return err }, BadCompanyPrefix, "companyPrefix"},
		{"FromGS1 filter", func() error { _, err := FromGS1("80614141123458", "1", 7, 8); return err }, BadFilter, "filter"},
		{"FromGS1 serial 21 chars", func() error { _, err := FromGS1("80614141123458", strings.Repeat("9", 21), 7, 3); return err }, SerialOutOfRange, "serial"},
		{"FromGS1 serial character", func() error { _, err := FromGS1("80614141123458", "a~b", 7, 3); return err }, BadCharacter, "serial"},
	}
	for _, c := range others {
		t.Run(c.name, func(t *testing.T) { checkErr(t, c.err(), c.code, c.field) })
	}
}

func repeatChar(c uint64, n int) []uint64 {
	var f []uint64
	for range n {
		f = append(f, c, 7)
	}
	return f
}

func checkErr(t *testing.T, err error, code Code, field string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v, want *Error with code %s", err, code)
	}
	if e.Code != code || e.Field != field {
		t.Errorf("error = %v; want code %s field %s", err, code, field)
	}
	if !strings.Contains(e.Error(), string(code)) || (field != "" && !strings.Contains(e.Error(), field)) {
		t.Errorf("message %q does not name code and field", e.Error())
	}
	if !errors.Is(err, &Error{Code: code}) {
		t.Errorf("errors.Is does not match code %s", code)
	}
}

func TestEveryCodeIsTested(t *testing.T) {
	// Guards the rejection table: a code nobody can trigger is either dead or
	// untested.
	codes := []Code{BadHex, BadLength, UnsupportedScheme, BadPartition, BadFilter, BadURI,
		BadCompanyPrefix, SerialOutOfRange, SerialLeadingZero, BadCharacter, BadCheckDigit,
		BadReference, BadPadding}
	seen := map[Code]bool{}
	check := func(err error) {
		var e *Error
		if errors.As(err, &e) {
			seen[e.Code] = true
		}
	}
	for _, in := range []string{"zz", "", "3274257BF7194E4000001A85", binHex(12, 0x30, 8, 3, 3, 7, 3),
		binHex(12, 0x30, 8, 3, 3, 0, 3, 1_000_000_000_000, 40), binHex(12, 0x30, 8, 3, 3, 0, 3, 614141, 40, 10, 4),
		"3174257BF4499602D2000001"} {
		_, err := Decode(in)
		check(err)
	}
	for _, in := range []string{"urn:x", "urn:epc:tag:sgtin-96:9.0614141.812345.1", "urn:epc:id:sgtin:0614.812345678.1",
		"urn:epc:tag:sgtin-96:3.0614141.812345.274877906944", "urn:epc:tag:sgtin-96:3.0614141.812345.01",
		"urn:epc:id:sgtin:0614141.812345.a b"} {
		_, err := ParseURI(in)
		check(err)
	}
	_, err := FromGS1("80614141123459", "1", 7, 3)
	check(err)
	for _, c := range codes {
		if !seen[c] {
			t.Errorf("code %s never produced", c)
		}
	}
}
