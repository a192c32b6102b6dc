package gs1

import (
	"errors"
	"strings"
	"testing"
)

// TestLinters runs the Syntax Dictionary linters through Parse: every case names the AI, the
// error code and the input offset that a failure must report, or no code for data to accept.
func TestLinters(t *testing.T) {
	for _, tc := range []struct {
		in, code, ai string
		off          int
	}{
		// iso3166alpha2 (4307, 4317)
		{"4307DE", "", "", 0},
		{"4317GB", "", "", 0},
		{"4307XX", CodeBadCountry, "4307", 7},
		{"4307de", CodeBadCountry, "4307", 7},
		// latitude, longitude (4309)
		{"4309" + "0279085848" + "1000000000", "", "", 0},
		{"4309" + "1800000000" + "3600000000", "", "", 0},
		{"4309" + "1800000001" + "1000000000", CodeBadValue, "4309", 7},
		{"4309" + "0279085848" + "3600000001", CodeBadValue, "4309", 17},
		// pcenc (4300-4306, 4310-4316, 4320, 7253, 7254, 7256, 7257, 7259)
		{"4300ACME%20CORP", "", "", 0},
		{"4300ACME%2", CodeBadValue, "4300", 11},
		{"4302A%ZZ", CodeBadValue, "4302", 8},
		{"7253SMITH%2dJONES", "", "", 0},
		{"7259A%", CodeBadValue, "7259", 8},
		// iso3166 (421, 422, 424, 426) and lists of one to five codes (423, 425)
		{"422276", "", "", 0},
		{"422999", CodeBadCountry, "422", 6},
		{"424004", "", "", 0},
		{"426000", CodeBadCountry, "426", 6},
		{"42127610115", "", "", 0},
		{"421000ABC", CodeBadCountry, "421", 6},
		{"423276", "", "", 0},
		{"423276250", "", "", 0},
		{"425276250380056040", "", "", 0},
		{"4232762", CodeBadLength, "423", 9},
		{"42527625038", CodeBadLength, "425", 12},
		{"423276999", CodeBadCountry, "423", 9},
		{"425999276", CodeBadCountry, "425", 6},
		{"4232762503800560404", CodeBadLength, "423", 6},
		// iso4217 (391n, 393n)
		{"3912" + "978" + "1999", "", "", 0},
		{"3932" + "840" + "100", "", "", 0},
		{"3912" + "000" + "1999", CodeBadCurrency, "3912", 7},
		{"3930" + "931" + "1", CodeBadCurrency, "3930", 7},
		// iso3166999 (7030-7039)
		{"7030999ABC", "", "", 0},
		{"7039276ABC", "", "", 0},
		{"7031998ABC", CodeBadCountry, "7031", 7},
		// importeridx (7040)
		{"70401ABC", "", "", 0},
		{"70401AB_", "", "", 0},
		{"70401AB%", CodeBadCharset, "7040", 10},
		{"7040AABC", CodeBadCharset, "7040", 7},
		// new AIs without a linter of their own
		{"7041BX", "", "", 0},
		{"716ABC123", "", "", 0},
		{"7255JR", "", "", 0},
		{"7256" + strings.Repeat("A", 90), "", "", 0},
		{"7256" + strings.Repeat("A", 91), CodeBadLength, "7256", 7},
		{"7257MAIN%20ST", "", "", 0},
		// mediatype (7241)
		{"724101", "", "", 0},
		{"724110", "", "", 0},
		{"724180", "", "", 0},
		{"724111", CodeBadValue, "7241", 7},
		{"724100", CodeBadValue, "7241", 7},
		// yyyymmdd (7250, 7251), hhmi (7251)
		{"725020240229", "", "", 0},
		{"725020000229", "", "", 0},
		{"725020230229", CodeBadDate, "7250", 13},
		{"725019000229", CodeBadDate, "7250", 13},
		{"725020241301", CodeBadDate, "7250", 11},
		{"7251202402292359", "", "", 0},
		{"7251202402292460", CodeBadDate, "7251", 15},
		// iso5218 (7252)
		{"72529", "", "", 0},
		{"72523", CodeBadValue, "7252", 7},
		// posinseqslash (7258)
		{"72581/2", "", "", 0},
		{"72582/2", "", "", 0},
		{"72582/1", CodeBadValue, "7258", 7},
		{"72580/1", CodeBadValue, "7258", 7},
		{"725812/", CodeBadValue, "7258", 7},
		// iban (8007), examples of the Syntax Dictionary's iban linter tests
		{"8007DE91100000000123456789", "", "", 0},
		{"8007GB98MIDL07009312345678", "", "", 0},
		{"8007BE71096123456760", CodeBadCheckDigit, "8007", 9},
		{"8007XX361234567890", CodeBadCountry, "8007", 7},
		{"8007LC14BOSLxx3456789012345678901230", CodeBadCharset, "8007", 15},
		{"8007BE71", CodeBadLength, "8007", 7},
		// nozeroprefix (8011)
		{"80110", "", "", 0},
		{"801110", "", "", 0},
		{"8011012", CodeBadValue, "8011", 7},
		// cset64 (8030)
		{"8030ABCdef-_12", "", "", 0},
		{"8030AB=", "", "", 0},
		{"8030A==", "", "", 0},
		{"8030ABCD=", CodeBadValue, "8030", 11},
		{"8030A===", CodeBadValue, "8030", 8},
		{"8030A=B", CodeBadCharset, "8030", 8},
		{"8030AB+", CodeBadCharset, "8030", 9},
		{"8030" + strings.Repeat("A", 91), CodeBadLength, "8030", 7},
	} {
		in := "]C1" + tc.in
		_, err := Parse(in)
		if tc.code == "" {
			if err != nil {
				t.Errorf("%q: unexpected error %v", in, err)
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v, want %s", in, err, tc.code)
			continue
		}
		if e.Code != tc.code || e.AI != tc.ai || e.Offset != tc.off {
			t.Errorf("%q: got %s/%s@%d (%v), want %s/%s@%d", in, e.Code, e.AI, e.Offset, err, tc.code, tc.ai, tc.off)
		}
	}
}

func TestMUDI(t *testing.T) {
	good := "ABC123" + CheckCharacterPair("ABC123")
	if _, err := Parse("]C1" + "8014" + good); err != nil {
		t.Errorf("MUDI %s: %v", good, err)
	}
	last := "2"
	if good[len(good)-1] == '2' {
		last = "3"
	}
	bad := good[:len(good)-1] + last
	if _, err := Parse("]C1" + "8014" + bad); !errors.Is(err, &Error{Code: CodeBadCheckDigit, AI: "8014"}) {
		t.Errorf("MUDI %s: %v, want bad_check_digit", bad, err)
	}
	// hasnondigit: a MUDI of digits only, check characters included, is refused.
	for i := 1000; i < 10000; i++ {
		s := itoa(i)
		p := CheckCharacterPair(s)
		if strings.Trim(p, "0123456789") != "" {
			continue
		}
		_, err := Parse("]C1" + "8014" + s + p)
		if !errors.Is(err, &Error{Code: CodeBadValue, AI: "8014"}) {
			t.Errorf("MUDI %s%s of digits only: %v, want bad_value", s, p, err)
		}
		// The same value is a valid GMN: 8013 has no hasnondigit linter.
		if _, err := Parse("]C1" + "8013" + s + p); err != nil {
			t.Errorf("GMN %s%s: %v", s, p, err)
		}
		return
	}
	t.Fatal("no all-digit value with an all-digit check pair found")
}

func TestCodeLists(t *testing.T) {
	for _, c := range []string{"004", "276", "826", "840", "894", "728", "531"} {
		if !IsCountryCode(c) {
			t.Errorf("IsCountryCode(%s) = false", c)
		}
	}
	for _, c := range []string{"000", "999", "27", "2760", "", "AAA", "530", " 04", "04 "} {
		if IsCountryCode(c) {
			t.Errorf("IsCountryCode(%q) = true", c)
		}
	}
	for _, c := range []string{"AD", "DE", "GB", "SS", "ZW", "US"} {
		if !IsCountryAlpha2(c) {
			t.Errorf("IsCountryAlpha2(%s) = false", c)
		}
	}
	for _, c := range []string{"AA", "UK", "EU", "XK", "de", "D", "DEU", "E "} {
		if IsCountryAlpha2(c) {
			t.Errorf("IsCountryAlpha2(%q) = true", c)
		}
	}
	for _, c := range []string{"978", "840", "826", "392", "999", "124"} {
		if !IsCurrencyCode(c) {
			t.Errorf("IsCurrencyCode(%s) = false", c)
		}
	}
	for _, c := range []string{"000", "276", "931", "250", "97", "9780"} {
		if IsCurrencyCode(c) {
			t.Errorf("IsCurrencyCode(%q) = true", c)
		}
	}
	// The lists are kept sorted with single spaces, which the substring lookup relies on.
	for _, l := range []struct {
		list  string
		width int
		count int
	}{{iso3166Numeric, 3, 249}, {iso3166Alpha2, 2, 249}, {iso4217Numeric, 3, 180}} {
		codes := strings.Fields(l.list)
		if len(codes) != l.count || len(l.list) != l.count*(l.width+1) {
			t.Errorf("list of %d codes, %d bytes; want %d codes of width %d", len(codes), len(l.list), l.count, l.width)
		}
		for i := 1; i < len(codes); i++ {
			if codes[i-1] >= codes[i] {
				t.Errorf("codes %s, %s out of order", codes[i-1], codes[i])
			}
		}
	}
}

// TestSyntaxDictionaryCoverage lists every AI of the GS1 Barcode Syntax Dictionary (release of
// 2025, gs1-syntax-dictionary.txt) with its format, so a gap in the table shows up here.
func TestSyntaxDictionaryCoverage(t *testing.T) {
	want := map[string]string{
		"00": "N18", "01": "N14", "02": "N14", "03": "N14", "10": "X..20", "11": "N6", "12": "N6",
		"13": "N6", "15": "N6", "16": "N6", "17": "N6", "20": "N2", "21": "X..20", "22": "X..20",
		"235": "X..28", "240": "X..30", "241": "X..30", "242": "N..6", "243": "X..20", "250": "X..30",
		"251": "X..30", "253": "N13 X0..17", "254": "X..20", "255": "N13 N0..12", "30": "N..8",
		"37": "N..8", "400": "X..30", "401": "X..30", "402": "N17", "403": "X..30", "420": "X..20",
		"421": "N3 X..9", "422": "N3", "423": "N3 N0..12", "424": "N3", "425": "N3 N0..12",
		"426": "N3", "427": "X..3",
		"4300": "X..35", "4301": "X..35", "4302": "X..70", "4303": "X..70", "4304": "X..70",
		"4305": "X..70", "4306": "X..70", "4307": "X2", "4308": "X..30", "4309": "N10 N10",
		"4310": "X..35", "4311": "X..35", "4312": "X..70", "4313": "X..70", "4314": "X..70",
		"4315": "X..70", "4316": "X..70", "4317": "X2", "4318": "X..20", "4319": "X..30",
		"4320": "X..35", "4321": "N1", "4322": "N1", "4323": "N1", "4324": "N6 N4", "4325": "N6 N4",
		"4326": "N6", "4330": "N6 X0..1", "4331": "N6 X0..1", "4332": "N6 X0..1", "4333": "N6 X0..1",
		"7001": "N13", "7002": "X..30", "7003": "N6 N4", "7004": "N..4", "7005": "X..12",
		"7006": "N6", "7007": "N6 N0..6", "7008": "X..3", "7009": "X..10", "7010": "X..2",
		"7011": "N6 N0..4", "7020": "X..20", "7021": "X..20", "7022": "X..20", "7023": "X..30",
		"7040": "N1 X2 X1", "7041": "X..4", "710": "X..20", "711": "X..20", "712": "X..20",
		"713": "X..20", "714": "X..20", "715": "X..20", "716": "X..20", "7240": "X..20",
		"7241": "N2", "7242": "X..25", "7250": "N8", "7251": "N8 N4", "7252": "N1", "7253": "X..40",
		"7254": "X..40", "7255": "X..10", "7256": "X..90", "7257": "X..70", "7258": "X3",
		"7259": "X..40", "8001": "N4 N5 N3 N1 N1", "8002": "X..20", "8003": "N1 N13 X0..16",
		"8004": "X..30", "8005": "N6", "8006": "N14 N4", "8007": "X..34", "8008": "N8 N0..4",
		"8009": "X..50", "8010": "Y..30", "8011": "N..12", "8012": "X..20", "8013": "X2..25",
		"8014": "X2..25", "8017": "N18", "8018": "N18", "8019": "N..10", "8020": "X..25",
		"8026": "N14 N4", "8030": "Z..90", "8110": "X..70", "8111": "N4", "8112": "X..70",
		"8200": "X..70", "90": "X..30",
	}
	for i := 0; i <= 9; i++ {
		want["703"+itoa(i)] = "N3 X..27"
		want["723"+itoa(i)] = "X2 X..28"
	}
	for i := 1; i <= 9; i++ {
		want["9"+itoa(i)] = "X..90"
	}
	for ai, f := range want {
		d, ok := Lookup(ai)
		if !ok {
			t.Errorf("AI %s (%s) missing", ai, f)
			continue
		}
		var got []string
		for _, p := range d.Parts {
			s := p.Charset.String()
			switch {
			case p.Min == p.Max:
				s += itoa(p.Max)
			case p.Min == 1:
				s += ".." + itoa(p.Max)
			default:
				s += itoa(p.Min) + ".." + itoa(p.Max)
			}
			got = append(got, s)
		}
		if g := strings.Join(got, " "); g != f {
			t.Errorf("AI %s format %s, want %s", ai, g, f)
		}
	}
}
