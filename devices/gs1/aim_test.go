package gs1

import "testing"

func TestParseAIM(t *testing.T) {
	tests := []struct {
		in, aim, sym, rest string
		ok                 bool
	}{
		{"]C1010950600013435", "]C1", "GS1-128", "010950600013435", true},
		{"]C0ABC", "]C0", "Code 128", "ABC", true},
		{"]d2010950600013435", "]d2", "GS1 DataMatrix", "010950600013435", true},
		{"]d1hello", "]d1", "Data Matrix", "hello", true},
		{"]Q3x", "]Q3", "GS1 QR Code", "x", true},
		{"]Q1x", "]Q1", "QR Code", "x", true},
		{"]e0019", "]e0", "GS1 DataBar", "019", true},
		{"]E04006381333931", "]E0", "EAN/UPC", "4006381333931", true},
		{"]E312345", "]E3", "EAN/UPC with add-on", "12345", true},
		{"]E412345670", "]E4", "EAN-8", "12345670", true},
		{"]J1x", "]J1", "GS1 DotCode", "x", true},
		{"]z0x", "]z0", "Aztec", "x", true},
		{"]L2x", "]L2", "PDF417", "x", true},
		{"]A7AimId", "]A7", "Code 39", "AimId", true},
		{"]F0123", "]F0", "Codabar", "123", true},
		{"]G0x", "]G0", "Code 93", "x", true},
		{"]I0x", "]I0", "Interleaved 2 of 5", "x", true},
		{"]I1x", "]I1", "Interleaved 2 of 5 (check digit verified)", "x", true},
		{"]X0412356", "]X0", "Other", "412356", true},
		{"]g0x", "]g0", "Grid Matrix", "x", true},
		{"]W0x", "]W0", "", "x", true}, // well-formed, no name assigned
		{"]Cax", "]Ca", "Code 128", "x", true},
		{"]C", "", "", "]C", false},
		{"C1abc", "", "", "C1abc", false},
		{"]1Cabc", "", "", "]1Cabc", false},
		{"]C-abc", "", "", "]C-abc", false},
		{"", "", "", "", false},
	}
	for _, tt := range tests {
		aim, sym, rest, ok := ParseAIM(tt.in)
		if aim != tt.aim || sym != tt.sym || rest != tt.rest || ok != tt.ok {
			t.Errorf("ParseAIM(%q) = %q, %q, %q, %v; want %q, %q, %q, %v", tt.in, aim, sym, rest, ok, tt.aim, tt.sym, tt.rest, tt.ok)
		}
		if ValidAIM(tt.in) != tt.ok || ValidAIM([]byte(tt.in)) != tt.ok {
			t.Errorf("ValidAIM(%q) = %v, want %v", tt.in, !tt.ok, tt.ok)
		}
	}
}

func TestSymbology(t *testing.T) {
	for in, want := range map[string]string{
		"]C1": "GS1-128", "]C0": "Code 128", "]C2": "Code 128", "]d2": "GS1 DataMatrix", "]d1": "Data Matrix",
		"]Q3": "GS1 QR Code", "]E0": "EAN/UPC", "]E1": "EAN/UPC 2-digit add-on", "]E2": "EAN/UPC 5-digit add-on",
		"]E4": "EAN-8", "]e0": "GS1 DataBar", "]A0": "Code 39", "]z0": "Aztec", "]Z6": "Non-barcode",
		"]W0": "", "C10": "", "]C": "", "]C1x": "", "": "", "[C1": "", "]C-": "",
	} {
		if got := Symbology(in); got != want {
			t.Errorf("Symbology(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCodeCharacter(t *testing.T) {
	for c, want := range map[byte]string{'C': "Code 128", 'd': "Data Matrix", 'W': "", '1': "", 0x80: "", 0xff: ""} {
		if got := CodeCharacter(c); got != want {
			t.Errorf("CodeCharacter(%q) = %q, want %q", c, got, want)
		}
	}
}

// TestGS1AIMNames checks that the identifiers Parse reads as GS1 element
// strings carry the same names Symbology gives them, so a scan's symbology
// does not depend on which of the two named it.
func TestGS1AIMNames(t *testing.T) {
	for _, id := range []string{"]C1", "]e0", "]d2", "]Q3", "]J1"} {
		name, ok := gs1AIM(id)
		if !ok || name != Symbology(id) {
			t.Errorf("gs1AIM(%q) = %q, %v; want %q, true", id, name, ok, Symbology(id))
		}
	}
	for _, id := range []string{"]C0", "]E0", "]d1", "]Q1", ""} {
		if _, ok := gs1AIM(id); ok {
			t.Errorf("gs1AIM(%q) ok, want not a GS1 identifier", id)
		}
	}
}
