package scanner

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
		{"]I1x", "]I1", "ITF (check digit verified)", "x", true},
		{"]X0412356", "]X0", "Other", "412356", true},
		{"]g0x", "]g0", "", "x", true}, // well-formed, no name assigned here
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
	}
}

func TestSymbology(t *testing.T) {
	for in, want := range map[string]string{"]C1": "GS1-128", "]C2": "Code 128", "]C1x": "", "": "", "[C1": ""} {
		if got := Symbology(in); got != want {
			t.Errorf("Symbology(%q) = %q, want %q", in, got, want)
		}
	}
}
