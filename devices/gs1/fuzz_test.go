package gs1

import (
	"errors"
	"reflect"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"]C101095011015300031714070410AB-123",
		"]d201095011010209171719050810ABCD1234\x1d2110",
		"]E05901234123457",
		"\x1d0109506000134352\x1d10A",
		"]C1800112345678901204\x1d3102000100",
		"https://id.gs1.org/01/09506000134352/10/A%2F1?17=251200",
		// AIs with Syntax Dictionary linters: country lists, IBAN, lat/long, set 64, names.
		"]C1423276250\x1d8007GB98MIDL07009312345678\x1d430902790858481000000000",
		"]C18030ABC=\x1d72581/2\x1d725020240229\x1d4300A%20B\x1d39129781999",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		data := string(b)
		r, err := Parse(data)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("Parse(%q): error %v is not a *gs1.Error", data, err)
			}
			if e.Offset < 0 || e.Offset > len(data) {
				t.Fatalf("Parse(%q): offset %d outside the input", data, e.Offset)
			}
			return
		}
		s, err := ElementString(r.Elements, GS)
		if err != nil {
			t.Fatalf("Parse(%q) accepted %v, but ElementString: %v", data, r.Elements, err)
		}
		r2, err := Parse(s)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", s, err)
		}
		if !reflect.DeepEqual(r2.Elements, r.Elements) {
			t.Fatalf("re-parse of %q = %v, want %v", s, r2.Elements, r.Elements)
		}
		r3, err := ParseHRI(HRI(r.Elements))
		if err != nil || !reflect.DeepEqual(r3.Elements, r.Elements) {
			t.Fatalf("ParseHRI(%q) = %v, %v; want %v", HRI(r.Elements), r3.Elements, err, r.Elements)
		}
	})
}

func FuzzParseDigitalLink(f *testing.F) {
	for _, s := range []string{
		"https://id.gs1.org/01/09506000134352/10/ABC%2F1/21/12345?17=201225",
		"https://example.com/a/b/00/106141411234567897",
		"HTTP://x/414/9520123456788/254/32a%2Fb?linkType=all",
		"https://x/gtin/9506000134352/lot/1?3103=000195#frag",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		uri := string(b)
		r, err := ParseDigitalLink(uri)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("ParseDigitalLink(%q): error %v is not a *gs1.Error", uri, err)
			}
			if e.Offset < 0 || e.Offset > len(uri) {
				t.Fatalf("ParseDigitalLink(%q): offset %d outside the input", uri, e.Offset)
			}
			return
		}
		dl, err := DigitalLink("https://id.example.com", r.Elements)
		if err != nil {
			t.Fatalf("ParseDigitalLink(%q) accepted %v, but DigitalLink: %v", uri, r.Elements, err)
		}
		r2, err := ParseDigitalLink(dl)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", dl, err)
		}
		if !sameElements(r2.Elements, r.Elements) {
			t.Fatalf("re-parse of %q = %v, want %v", dl, r2.Elements, r.Elements)
		}
		if _, err := ElementString(r.Elements, GS); err != nil {
			t.Fatalf("ElementString(%v): %v", r.Elements, err)
		}
	})
}
