package epc

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

type example struct {
	Name      string    `json:"name"`
	Source    string    `json:"source"`
	Hex       string    `json:"hex"`
	TagURI    string    `json:"tagUri"`
	PureURI   string    `json:"pureUri"`
	Filter    int       `json:"filter"`
	Partition int       `json:"partition"`
	Elements  []Element `json:"elements"`
}

func loadExamples(t *testing.T) []example {
	t.Helper()
	b, err := os.ReadFile("testdata/tds_examples.json")
	if err != nil {
		t.Fatal(err)
	}
	var ex []example
	if err := json.Unmarshal(b, &ex); err != nil {
		t.Fatal(err)
	}
	if len(ex) < len(layouts) {
		t.Fatalf("%d examples, want one per scheme (%d)", len(ex), len(layouts))
	}
	return ex
}

func TestTDSExamples(t *testing.T) {
	for _, ex := range loadExamples(t) {
		t.Run(ex.Name, func(t *testing.T) {
			if ex.Source == "" {
				t.Fatal("example has no source")
			}
			for _, in := range []string{ex.Hex, strings.ToLower(ex.Hex), spaced(ex.Hex)} {
				tag, err := Decode(in)
				if err != nil {
					t.Fatalf("Decode(%q): %v", in, err)
				}
				if string(tag.Scheme) != ex.Name || tag.Filter != ex.Filter || tag.Partition() != ex.Partition {
					t.Errorf("Decode: scheme %s filter %d partition %d", tag.Scheme, tag.Filter, tag.Partition())
				}
				if got := tag.TagURI(); got != ex.TagURI {
					t.Errorf("TagURI = %s, want %s", got, ex.TagURI)
				}
				if got := tag.PureURI(); got != ex.PureURI {
					t.Errorf("PureURI = %s, want %s", got, ex.PureURI)
				}
				if got := tag.Elements(); !reflect.DeepEqual(got, ex.Elements) {
					t.Errorf("Elements = %v, want %v", got, ex.Elements)
				}
			}

			tag, err := ParseURI(ex.TagURI)
			if err != nil {
				t.Fatalf("ParseURI(tag): %v", err)
			}
			if h, err := tag.Hex(); err != nil || h != ex.Hex {
				t.Errorf("Hex = %s, %v; want %s", h, err, ex.Hex)
			}

			if upper, err := ParseURI("URN:epc:" + ex.TagURI[8:]); err != nil || upper != tag {
				t.Errorf("ParseURI with upper-case URN = %#v, %v", upper, err)
			}

			pure, err := ParseURI(ex.PureURI)
			if err != nil {
				t.Fatalf("ParseURI(pure): %v", err)
			}
			if pure.Scheme != "" || pure.TagURI() != "" || pure.PureURI() != ex.PureURI {
				t.Errorf("pure identity parsed as %#v", pure)
			}
			if _, err := Encode(pure); !hasCode(err, UnsupportedScheme) {
				t.Errorf("Encode(pure) = %v, want unsupported_scheme", err)
			}
			again, err := pure.EncodeAs(Scheme(ex.Name), ex.Filter)
			if err != nil {
				t.Fatalf("EncodeAs: %v", err)
			}
			if again != tag {
				t.Errorf("EncodeAs = %#v, want %#v", again, tag)
			}
		})
	}
}

func spaced(h string) string {
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		b.WriteString(h[i:min(i+4, len(h))])
		b.WriteString(" \t\n")
	}
	return b.String()
}

func hasCode(err error, c Code) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == c
}

func TestPartitionTablesFillTheirSchemes(t *testing.T) {
	for _, l := range layouts {
		for p, part := range l.parts {
			got := 8 + 3 + 3 + part.cpBits + part.refBits + l.serialBits + l.reserved
			if got != l.bits {
				t.Errorf("%s partition %d: %d bits, want %d", l.scheme, p, got, l.bits)
			}
			if part.cpDigits != 12-p {
				t.Errorf("%s partition %d: %d company prefix digits", l.scheme, p, part.cpDigits)
			}
		}
	}
}

func TestFromGS1(t *testing.T) {
	tag, err := FromGS1("80614141123458", "6789", 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := tag.Hex(); h != "3074257BF7194E4000001A85" {
		t.Errorf("FromGS1 sgtin-96 hex %s", h)
	}
	tag, err = FromGS1("70614141123451", "32a/b", 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	if h, _ := tag.Hex(); h != "3674257BF6B7A659B2C2BF100000000000000000000000000000" {
		t.Errorf("FromGS1 sgtin-198 hex %s", h)
	}
	// A numeric serial the 96-bit field cannot hold falls back to SGTIN-198.
	for _, s := range []string{"06789", "274877906944"} {
		tag, err = FromGS1("80614141123458", s, 7, 3)
		if err != nil || tag.Scheme != SGTIN198 {
			t.Errorf("FromGS1 serial %s: %v %v", s, tag.Scheme, err)
		}
	}
	for _, cpLen := range []int{6, 7, 8, 9, 10, 11, 12} {
		tag, err := FromGS1("80614141123458", "1", cpLen, 1)
		if err != nil {
			t.Fatalf("cp len %d: %v", cpLen, err)
		}
		if tag.GTIN() != "80614141123458" || tag.Partition() != 12-cpLen {
			t.Errorf("cp len %d: GTIN %s partition %d", cpLen, tag.GTIN(), tag.Partition())
		}
	}
}
