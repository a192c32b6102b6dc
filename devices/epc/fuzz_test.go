package epc

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func FuzzDecode(f *testing.F) {
	f.Add([]byte("3074257BF7194E4000001A85"))
	f.Fuzz(func(t *testing.T, in []byte) {
		// The same bytes are tried both as hex text and as raw EPC memory.
		tag, err := Decode(string(in))
		if err == nil {
			raw, herr := hex.DecodeString(strings.Map(dropSpace, string(in)))
			if herr != nil {
				t.Fatalf("Decode accepted %q, which is not hex: %v", in, herr)
			}
			checkDecoded(t, raw, tag, err)
		} else {
			checkDecoded(t, nil, tag, err)
		}
		tag, err = DecodeBytes(in)
		checkDecoded(t, in, tag, err)
	})
}

// checkDecoded holds a decode result to the package's promises: refusals are
// coded *Errors, and an accepted tag encodes back to exactly the input and
// survives both URI forms.
func checkDecoded(t *testing.T, in []byte, tag Tag, err error) {
	if err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Code == "" {
			t.Fatalf("error %v is not an *Error with a code", err)
		}
		return
	}
	if err := tag.Validate(); err != nil {
		t.Fatalf("decoded %s fails Validate: %v", tag, err)
	}
	bin, err := Encode(tag)
	if err != nil {
		t.Fatalf("decoded %s does not encode: %v", tag, err)
	}
	if !bytes.Equal(in, bin) {
		t.Fatalf("%x decoded to %s which encodes to %x", in, tag, bin)
	}
	if got, err := ParseURI(tag.TagURI()); err != nil || got != tag {
		t.Fatalf("ParseURI(%s) = %#v, %v", tag.TagURI(), got, err)
	}
	if got, err := ParseURI(tag.PureURI()); err != nil || got != tag.Pure() {
		t.Fatalf("ParseURI(%s) = %#v, %v", tag.PureURI(), got, err)
	}
	if len(tag.Elements()) == 0 {
		t.Fatalf("%s has no GS1 elements", tag)
	}
}

func dropSpace(r rune) rune {
	if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
		return -1
	}
	return r
}

func FuzzParseURI(f *testing.F) {
	f.Add("urn:epc:tag:sgtin-96:3.0614141.812345.6789")
	f.Fuzz(func(t *testing.T, uri string) {
		tag, err := ParseURI(uri)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Code == "" {
				t.Fatalf("error %v is not an *Error with a code", err)
			}
			return
		}
		if got, err := ParseURI(tag.String()); err != nil || got != tag {
			t.Fatalf("ParseURI(%s) = %#v, %v; want %#v", tag.String(), got, err, tag)
		}
		if got, err := ParseURI(tag.PureURI()); err != nil || got != tag.Pure() {
			t.Fatalf("ParseURI(%s) = %#v, %v", tag.PureURI(), got, err)
		}
		if len(tag.Elements()) == 0 {
			t.Fatalf("%s has no GS1 elements", tag)
		}
		if tag.Scheme == "" {
			return
		}
		bin, err := Encode(tag)
		if err != nil {
			t.Fatalf("parsed %s does not encode: %v", uri, err)
		}
		if got, err := DecodeBytes(bin); err != nil || got != tag {
			t.Fatalf("DecodeBytes(%x) = %#v, %v; want %#v", bin, got, err, tag)
		}
	})
}
